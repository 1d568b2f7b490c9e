"""Every service's OpenAPI, fuzzed by schemathesis against the live service process (real PostgreSQL
and Kafka) with a valid token: no server error, no status code the document does not list, no
schema-valid request refused as invalid (422).

`positive_data_acceptance` keeps schemathesis' default expected statuses (2xx, 401, 403, 404, 409,
…): with a valid token a random case id is a documented 404 and a rule refusal (wrong office, the
case's state, a business time later than now + 5 minutes) is a documented 409/403, never a 422.

A new service is one line in SERVICES; its optional `prepare` makes data the fuzz can reach (intake
opens a case, so commands and reads get past "404 no such case" into the rules; the fuzz soon moves
that case to a final state, so deeper states are the other tests' business).
After the run, everything the fuzz got recorded must have been published: a body the API accepted
but the contract refuses (an empty bank code, a 65-character decision number, 2**60 đồng) once
stopped intake's relay for good. The run is bounded (examples per operation, one worker) so that
both services take a few minutes at most on a 2-core machine."""
from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import httpx
import jwt
import pytest

from thads_infra.testing import pg_connect, service_process, wait_until
from thads_kit.auth import issue_token
from thads_kit.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.integration

MAX_EXAMPLES = int(os.environ.get("THADS_FUZZ_EXAMPLES", "50"))
CHECKS = "not_a_server_error,positive_data_acceptance"


def open_intake_case(url: str, headers: dict[str, str]) -> dict[str, str]:
    r = httpx.post(f"{url}/cases/requests", headers=headers, json={
        "unit": "TH-01", "intake_ref": f"FUZZ-{uuid.uuid4().hex[:12]}", "channel": "post",
        "judgment_number": "1/2025/DS-ST", "issuing_court": "TAND khu vực 1"})
    assert r.status_code == 201, r.text
    return {"path.case_id": r.json()["case_id"]}


def register_seized_asset(url: str, headers: dict[str, str]) -> dict[str, str]:
    r = httpx.post(f"{url}/assets", headers=headers, json={
        "case_id": str(uuid.uuid4()), "kind": "movable", "description": "Xe máy (fuzz)",
        "claim_item_ids": [str(uuid.uuid4())], "decision_number": f"{uuid.uuid4().hex[:6]}/QĐ-CCTHADS",
        "seized_on": "2026-11-02"})
    assert r.status_code == 200, r.text
    return {"path.asset_id": r.json()["asset_id"]}


def file_online(url: str, headers: dict[str, str]) -> dict[str, str]:
    """A filing of office TH-KV01, so the fuzz reaches the rules of a real tracking code: the citizen's
    own (the fuzz's citizen files it), or one of the clerk's office (filed by another citizen)."""
    citizen = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role='citizen', unit='CONGDAN', sub=f'{secrets.randbelow(10**12):012d}')}"}
    if "citizen" in str(jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})["role"]):
        citizen = headers
    r = httpx.post(f"{url}/filings", headers=citizen, json={
        "requester": {"role": "creditor", "full_name": "Người thử"},
        "judgment": {"issuing_court": "TAND khu vực 1", "judgment_number": "1/2025/DS-ST",
                     "judgment_effective_on": "2025-01-02"},
        "claims": [{"kind": "money", "amount_vnd": 1_000_000}], "debtor": {"full_name": "Người B"}, "unit": "TH-KV01"})
    assert r.status_code == 201, r.text
    return {"path.tracking_code": r.json()["tracking_code"]}
def recovery_bank_code(url: str, headers: dict[str, str]) -> dict[str, str]:
    """The fuzz runs as bank VCB on its own routes (other routes refuse the bank's role: 403)."""
    return {"path.bank_code": "VCB"}


async def relay_caught_up(service: str) -> None:
    """Wait until the service's relay has published every event in its store (no relay: nothing to do)."""
    conn = await pg_connect()
    try:
        if await conn.fetchval("SELECT to_regclass($1)", f"{service}.relay_position") is None:
            return

        async def published() -> bool:
            last = await conn.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {service}.{service}_events")
            done = await conn.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {service}.relay_position")
            return done >= last

        await wait_until(published, timeout=60, what=f"{service}'s relay has published every recorded event")
    finally:
        await conn.close()


@dataclass(frozen=True)
class Fuzzed:
    service: str
    role: str          # the valid token the fuzz runs with
    unit: str
    prepare: Callable[[str, dict[str, str]], dict[str, str]] | None = None   # → fixed parameters
    sub: str | None = None     # the token's subject (a citizen's id number); default fuzz@<unit>
    bank: str | None = None      # the bank code of a `bank` token
    exclude: tuple[str, ...] = ()   # paths not fuzzed (an endless stream: its own test covers it)


SERVICES = [
    Fuzzed("intake", role="head", unit="TH-01", prepare=open_intake_case),
    Fuzzed("audit", role="head", unit="TH-01"),
    Fuzzed("auctions", role="head", unit="TH-01", prepare=register_seized_asset),
    Fuzzed("online", role="citizen", unit="CONGDAN", sub=f"{secrets.randbelow(10**12):012d}", prepare=file_online),
    Fuzzed("online", role="clerk", unit="TH-KV01", prepare=file_online),
    Fuzzed("recovery", role="bank", unit="TH-01", prepare=recovery_bank_code, bank="VCB",
           exclude=("/banks/{bank_code}/feed/stream",)),
    Fuzzed("complaints", role="head", unit="TH"),
    Fuzzed("statistics", role="admin", unit="TH"),
]


@pytest.mark.parametrize("target", SERVICES, ids=lambda t: t.service if t.service != "online" else f"online-{t.role}")
def test_the_openapi_document_holds_under_fuzzing(target: Fuzzed, tmp_path: Path) -> None:
    svc = service_process(target.service, tmp_path).start()
    try:
        token = issue_token(DEV_JWT_SECRET, role=target.role, unit=target.unit, sub=target.sub or f"fuzz@{target.unit}",
                            bank=target.bank)
        fixed = target.prepare(svc.url, {"Authorization": f"Bearer {token}"}) if target.prepare else {}
        config = tmp_path / "schemathesis.toml"
        hooks = Path(__file__).with_name("fuzz_hooks.py")     # a fresh Idempotency-Key per request
        config.write_text(f'hooks = "{hooks}"\n[parameters]\n' + "".join(f'"{k}" = "{v}"\n' for k, v in fixed.items()))
        st = Path(sys.executable).with_name("st")
        run = subprocess.run(
            [str(st), "--config-file", str(config), "run", f"{svc.url}/openapi.json", "--header", f"Authorization: Bearer {token}",
             "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", "20261201",
             "--workers", "1", "--phases", "examples,coverage,fuzzing", "--generation-database", "none",
             "--request-timeout", "30", "--no-color", "--exclude-path", "/metrics",
             *[arg for path in target.exclude for arg in ("--exclude-path", path)]],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)
        asyncio.run(relay_caught_up(target.service))
    finally:
        svc.stop()
    report = run.stdout[-20000:] + run.stderr[-4000:]
    assert run.returncode == 0, f"schemathesis found problems in {target.service}:\n{report}"
