from __future__ import annotations

import pytest

from thads_infra.testing import service_process
from thads_infra.tokens import issue_token


@pytest.fixture
def token():
    def make(role: str, unit: str = "TH-01", sub: str | None = None, bank: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(role, unit, bank=bank, sub=sub)}"}
    return make


@pytest.fixture
def processes(tmp_path):
    started = []

    def start(name: str, wait: bool = True, env: dict[str, str] | None = None, **settings):
        svc = service_process(name, tmp_path, **settings)
        svc.env.update(env or {})           # plain variables, e.g. PGAPPNAME to tell processes apart
        started.append(svc)
        return svc.start(wait=wait)

    yield start
    for svc in reversed(started):
        svc.stop()
