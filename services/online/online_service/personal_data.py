"""Personal data of an online filing, kept out of the event store so that it can be erased: the
requester (name, id number = the token's subject, address, contacts, capacity), the debtor (name,
address) and what the requester knows of the debtor's assets and income, and the attachments' bytes.

Written IN THE SAME TRANSACTION as the command that submits or corrects the filing (a write for the
kit's recorder, thads_kit.commands.write_with_next_command): a refused command writes nothing.
Erasure (`erase`) nulls the personal fields and the attachments' content, keeping a tombstone
(`erased_at`) and the attachments' hashes. Never log the values handled here."""
from __future__ import annotations

import json
from typing import Any, Callable
from uuid import UUID

from .attachments import Attachment


def submission_write(schema: str, *, filing_id: UUID, owner_sub: str, requester: dict[str, Any],
                     debtor: dict[str, Any], attachments: list[Attachment]) -> Callable[[Any], None]:
    def write(curs: Any) -> None:
        if curs is None:
            return
        curs.execute(
            f'INSERT INTO "{schema}".filing_personal_data (filing_id, owner_sub, requester, debtor)'
            f' VALUES (%s, %s, %s::jsonb, %s::jsonb) ON CONFLICT (filing_id) DO UPDATE'
            f' SET requester = EXCLUDED.requester, debtor = EXCLUDED.debtor'
            f' WHERE "{schema}".filing_personal_data.erased_at IS NULL',
            (filing_id, owner_sub, json.dumps(requester, ensure_ascii=False), json.dumps(debtor, ensure_ascii=False)))
        for a in attachments:
            curs.execute(
                f'INSERT INTO "{schema}".filing_attachments (filing_id, sha256, kind, content_type, size, filename,'
                f' content) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING',
                (filing_id, a.sha256, a.kind, a.content_type, a.size, a.filename, a.content))
    return write


async def owner_of(pool: Any, schema: str, filing_id: UUID) -> str | None:
    return await pool.fetchval(
        f'SELECT owner_sub FROM "{schema}".filing_personal_data WHERE filing_id = $1 AND erased_at IS NULL', filing_id)


async def recent_filings(pool: Any, schema: str, owner_sub: str) -> list[Any]:
    """The person's filings of the last hour, oldest first (the rate limit's window)."""
    return await pool.fetch(
        f'SELECT created_at FROM "{schema}".filing_personal_data WHERE owner_sub = $1'
        f" AND created_at > now() - interval '1 hour' ORDER BY created_at", owner_sub)


async def personal(pool: Any, schema: str, filing_id: UUID) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f'SELECT requester, debtor, erased_at FROM "{schema}".filing_personal_data WHERE filing_id = $1', filing_id)
    if row is None:
        return None
    load = (lambda v: json.loads(v) if isinstance(v, str) else v)
    return {"requester": load(row["requester"]), "debtor": load(row["debtor"]),
            "erased": row["erased_at"] is not None}


async def erase(pool: Any, schema: str, filing_id: UUID) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        done = await conn.fetchval(
            f'UPDATE "{schema}".filing_personal_data SET owner_sub = NULL, requester = NULL, debtor = NULL,'
            f' erased_at = coalesce(erased_at, now()) WHERE filing_id = $1 RETURNING filing_id', filing_id)
        await conn.execute(f'UPDATE "{schema}".filing_attachments SET content = NULL, filename = NULL'
                           f' WHERE filing_id = $1', filing_id)
    return done is not None
