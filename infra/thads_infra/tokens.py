"""Development and test bearer tokens: the service kit's own issuer, with the secret that
`thads up` hands to every service (THADS_JWT_SECRET, or the kit's dev default)."""
from __future__ import annotations

import os

from thads_infra import layout
from thads_kit.auth import issue_token as _issue
from thads_kit.settings import DEV_JWT_SECRET


def jwt_secret() -> str:
    return os.environ.get(layout.JWT_SECRET_ENV) or DEV_JWT_SECRET


def issue_token(role: str, unit: str, bank: str | None = None, sub: str | None = None,
                hours: float = 8.0) -> str:
    """A signed token for `role` in office `unit`; a bank caller must name its bank code."""
    if hours <= 0:
        raise ValueError("hours must be positive")
    return _issue(jwt_secret(), role=role, unit=unit, bank=bank, sub=sub, hours=hours)
