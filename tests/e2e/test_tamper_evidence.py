"""Tamper evidence end to end: the intake process chains its events and reports its heads through
Kafka, the audit process signs an anchor over them; `thads verify` and GET /chain/verify pass on the
untouched store and name the cut-off tail of a case afterwards."""
from __future__ import annotations

import json
import uuid

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from thads_infra import layout
from thads_infra.cli import app as cli
from thads_infra.testing import wait_until

pytestmark = pytest.mark.integration


def sql(statement: str, *params):
    with psycopg.connect(host=layout.PG_HOST, port=layout.PG_PORT, dbname=layout.PG_DB, user=layout.PG_USER,
                         autocommit=True) as conn:
        cur = conn.execute(statement, params or None)
        return cur.fetchall() if cur.description else []


def verify(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["verify", "--json", *args])
    return result.exit_code, json.loads(result.output)


async def test_intake_events_are_anchored_and_a_cut_tail_of_a_case_is_named(processes, token):
    # the services' own schemas (like the other end-to-end tests): consumer groups are shared, so a
    # process on another schema would take messages away from the default schemas' read models
    store, audit = "intake", "audit"
    intake = processes("intake", chain_heads_seconds=0.2)
    processes("audit", anchor_seconds=0.3)
    cut: list = []
    try:
        async with httpx.AsyncClient(base_url=intake.url) as client:
            r = await client.post("/cases/requests", headers=token("clerk"), json={
                "unit": "TH-01", "intake_ref": f"REQ-{uuid.uuid4().hex[:12]}", "channel": "online",
                "judgment_number": "12/2025/DS-ST", "issuing_court": "TAND khu vực 1 - Thanh Hóa"})
            assert r.status_code == 201, r.text
            case_id = r.json()["case_id"]
            head = token("head")
            r = await client.post(f"/cases/{case_id}/parties", headers=head, json={
                "party_id": str(uuid.uuid4()), "role": "creditor", "kind": "individual", "full_name": "Nguyễn Văn A",
                "id_number": "038090001234", "address": "Thanh Hóa"})
            assert r.status_code in (200, 201), r.text
            versions = sql(f'SELECT max(originator_version) FROM "{store}".intake_events WHERE originator_id = %s',
                           uuid.UUID(case_id))[0][0]

            def anchored() -> bool:
                if not sql("SELECT to_regclass(%s)", f"{audit}.chain_anchor")[0][0]:
                    return False
                return bool(sql(f'SELECT 1 FROM "{audit}".chain_head_log l JOIN "{audit}".chain_anchor a'
                                " ON l.id <= a.cutoff WHERE l.stream = %s AND l.version = %s",
                                uuid.UUID(case_id), versions))

            await wait_until(anchored, timeout=90, what="an anchor over the case's head")
            code, report = verify("--service", store, "--audit-schema", audit, "--case", case_id)
            assert code == 0, report
            ok = (await client.get("/chain/verify", params={"case_id": case_id}, headers=token("auditor"))).json()
            assert ok["intact"] is True and ok["events"] == versions

            cut = [sql(f'DELETE FROM "{store}".{table} WHERE originator_id = %s AND originator_version = %s'
                       " RETURNING *", uuid.UUID(case_id), versions) for table in ("intake_events", "intake_chain")]
            code, report = verify("--service", store, "--audit-schema", audit, "--case", case_id)
        assert code == 1
        [bad] = report["first_bad"]
        assert (bad["service"], bad["stream"], bad["version"], bad["problem"]) == (store, case_id, versions,
                                                                                   "truncated")
    finally:      # put the cut-off event back: the shared store stays intact for later tests
        with psycopg.connect(host=layout.PG_HOST, port=layout.PG_PORT, dbname=layout.PG_DB, user=layout.PG_USER,
                             autocommit=True) as conn:
            for table, rows in zip(("intake_events", "intake_chain"), cut):
                for row in rows:
                    cols = [d.name for d in conn.execute(f'SELECT * FROM "{store}".{table} LIMIT 0').description]
                    conn.execute(f'INSERT INTO "{store}".{table} ({", ".join(cols)})'
                                 f' VALUES ({", ".join(["%s"] * len(cols))})', row)
    assert verify("--service", store, "--audit-schema", audit, "--case", case_id)[0] == 0
