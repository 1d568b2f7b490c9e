from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from thads_kit.auth import Principal, TokenError, decode_token, issue_token, require
from thads_kit.http import create_app

SECRET = "test-secret-of-at-least-thirty-two-bytes"


def make_app() -> FastAPI:
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app = create_app(title="t", version="t", lifespan=None, jwt_secret=SECRET, health=health, error_status={})

    @app.get("/heads-only")
    async def heads_only(p: Principal = Depends(require("head"))) -> dict[str, str]:
        return {"unit": p.unit}

    return app


def test_a_token_carries_role_unit_and_bank():
    token = issue_token(SECRET, role="bank", unit="TH", bank="VCB")

    p = decode_token(SECRET, token)

    assert (p.role, p.unit, p.bank) == ("bank", "TH", "VCB")


@pytest.mark.parametrize("kwargs, message", [
    ({"role": "judge", "unit": "TH"}, "unknown role"),
    ({"role": "bank", "unit": "TH"}, "bank code"),
    ({"role": "head", "unit": ""}, "unit"),
])
def test_tokens_that_cannot_be_valid_are_not_issued(kwargs, message):
    with pytest.raises(TokenError, match=message):
        issue_token(SECRET, **kwargs)


def test_a_subject_or_office_that_no_event_could_carry_is_refused():
    # every command's envelope records them (ActorId, OfficeCode): refused here, not at the relay
    with pytest.raises(TokenError, match="subject"):
        issue_token(SECRET, role="officer", unit="TH-01", sub="Nguyễn Văn A")
    with pytest.raises(TokenError, match="unit"):
        issue_token(SECRET, role="officer", unit="TH.01")
    import jwt
    forged_shape = jwt.encode({"sub": "a b", "role": "head", "unit": "TH-01", "exp": 4102444800}, SECRET)
    with pytest.raises(TokenError, match="subject"):
        decode_token(SECRET, forged_shape)
    assert decode_token(SECRET, issue_token(SECRET, role="officer", unit="TH-01", sub="cv-Nguyễn")).sub == "cv-Nguyễn"


def test_an_expired_or_forged_token_is_rejected():
    expired = issue_token(SECRET, role="head", unit="TH", hours=-1)
    forged = issue_token("other-secret", role="head", unit="TH")

    with pytest.raises(TokenError, match="expired"):
        decode_token(SECRET, expired)
    with pytest.raises(TokenError, match="invalid token"):
        decode_token(SECRET, forged)


def test_missing_token_is_401_and_wrong_role_is_403_as_json():
    client = TestClient(make_app())

    missing = client.get("/heads-only")
    wrong_role = client.get("/heads-only", headers={
        "Authorization": f"Bearer {issue_token(SECRET, role='clerk', unit='TH')}"})
    ok = client.get("/heads-only", headers={
        "Authorization": f"Bearer {issue_token(SECRET, role='head', unit='TH')}"})

    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json() == {"error": "unauthenticated", "rule": "auth.bearer_token", "legal_basis": None,
                              "message": missing.json()["message"], "detail": "missing bearer token"}
    assert "Chưa xác thực" in missing.json()["message"]
    assert wrong_role.status_code == 403 and wrong_role.json()["rule"] == "auth.role"
    assert "Thư ký" in wrong_role.json()["message"] and "clerk" in wrong_role.json()["detail"]
    assert ok.status_code == 200 and ok.json() == {"unit": "TH"}


def test_outside_development_the_dev_secret_or_a_short_one_refuses_to_start(monkeypatch):
    from pydantic import ValidationError

    from thads_kit.settings import ServiceSettings

    monkeypatch.setenv("THADS_ENV", "production")
    monkeypatch.delenv("THADS_JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="THADS_JWT_SECRET"):
        ServiceSettings()
    monkeypatch.setenv("THADS_JWT_SECRET", "short")
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        ServiceSettings()
    monkeypatch.setenv("THADS_JWT_SECRET", "x" * 40)
    assert ServiceSettings().environment == "production"
