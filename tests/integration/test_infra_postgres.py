"""The PostgreSQL that `make` / `thads up` starts: role, database and one schema per service.

Assumes PostgreSQL is already up (python -m thads_infra.postgres up); a missing server fails.
"""
from __future__ import annotations

import asyncpg
import pytest

from thads_infra import layout, postgres

pytestmark = pytest.mark.integration


async def test_every_service_schema_exists_and_belongs_to_the_platform_user():
    conn = await asyncpg.connect(host=layout.PG_HOST, port=layout.PG_PORT, database=layout.PG_DB,
                                 user=layout.PG_USER)
    try:
        rows = await conn.fetch("SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace "
                                "WHERE nspname = ANY($1::text[])", list(layout.SERVICE_SCHEMAS))
        settings = await conn.fetchrow("SELECT current_setting('max_connections')::int AS max_connections, "
                                       "current_setting('server_encoding') AS encoding")
    finally:
        await conn.close()

    assert {r["nspname"]: r["owner"] for r in rows} == {s: layout.PG_USER for s in layout.SERVICE_SCHEMAS}
    assert settings["encoding"] == "UTF8"
    assert settings["max_connections"] >= 200


async def test_dsn_helper_connects_as_the_platform_user():
    conn = await asyncpg.connect(postgres.dsn())
    try:
        assert await conn.fetchval("SELECT current_user") == layout.PG_USER
        assert await conn.fetchval("SELECT current_database()") == layout.PG_DB
    finally:
        await conn.close()
