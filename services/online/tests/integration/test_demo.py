"""The online demo data, played through the API: five filings (one sent back and corrected, then
accepted; one accepted; one refused; one waiting; one sent back) — and a re-run adds nothing."""
from __future__ import annotations

import pytest

from online_service import demo
from thads_infra.testing import pg_connect, service_process

pytestmark = pytest.mark.integration


async def _events() -> int:
    conn = await pg_connect()
    try:
        return await conn.fetchval("SELECT count(*) FROM online.online_events")
    finally:
        await conn.close()


async def test_demo_filings_and_a_rerun_adds_nothing(tmp_path):
    svc = service_process("online", tmp_path).start()
    try:
        seed = int.from_bytes(__import__("os").urandom(3), "big")
        first = await demo.run(svc.url, seed)
        assert [r["status"] for r in first] == ["accepted", "accepted", "refused", "submitted", "sent_back"]
        count = await _events()
        again = await demo.run(svc.url, seed)
        assert again == first and await _events() == count
    finally:
        svc.stop()
