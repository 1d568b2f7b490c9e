"""The denouncers' identity (Art. 157: protected), kept out of the event store so that no event, topic
or log ever carries it, and so that it can be erased.

Written IN THE SAME TRANSACTION as the denunciation's Filed event (`insert_write`, run by the kit's
recorder with the command): a crash cannot separate them and a refused command writes neither. Read
only through api.py's denouncer route, by the roles that need it, each read recorded in the kit's
access log. Never log the values handled here; log denunciation ids at most."""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable
from uuid import UUID

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIELDS = ("full_name", "id_number", "address", "phone", "representative")


def table(schema: str) -> str:
    if not _IDENT.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return f'"{schema}".denouncer_personal_data'


def ddl(schema: str) -> str:
    return f"""
    CREATE TABLE IF NOT EXISTS {table(schema)} (
        denunciation_id uuid NOT NULL,
        seq integer NOT NULL,
        full_name text,
        id_number text,
        address text,
        phone text,
        representative boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        PRIMARY KEY (denunciation_id, seq)
    );
    """


def insert_write(schema: str, denunciation_id: UUID, people: Iterable[dict[str, Any]]) -> Callable[[Any], None]:
    rows = [(denunciation_id, n, p.get("full_name"), p.get("id_number"), p.get("address"), p.get("phone"),
             bool(p.get("representative"))) for n, p in enumerate(people, start=1)]

    def write(curs: Any) -> None:
        if curs is None:          # in-memory store (unit tests)
            return
        for row in rows:
            curs.execute(f"INSERT INTO {table(schema)} (denunciation_id, seq, full_name, id_number, address, phone,"
                         " representative) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                         " ON CONFLICT (denunciation_id, seq) DO NOTHING", row)
    return write


def erase_write(schema: str, denunciation_id: UUID, seqs: list[int] | None) -> Callable[[Any], None]:
    """Erasure as a write for the kit's command transaction (with the DenouncersErased event): the
    identity of the denouncers numbered `seqs` (all when None) nulled, a tombstone (`erased_at`) kept.
    A refused erasure rolls back with its command, so nothing is erased without its event."""
    def write(curs: Any) -> None:
        if curs is None:          # in-memory store (unit tests)
            return
        curs.execute(f"UPDATE {table(schema)} SET full_name = NULL, id_number = NULL, address = NULL, phone = NULL,"
                     " erased_at = coalesce(erased_at, now())"
                     " WHERE denunciation_id = %s AND (%s::int[] IS NULL OR seq = ANY(%s::int[]))",
                     (denunciation_id, seqs, seqs))
    return write


async def denouncers(pool: Any, schema: str, denunciation_id: UUID) -> list[dict[str, Any]]:
    """The denouncers as the confidential view shows them: an erased one reads "[erased]"."""
    from .erasure import ERASED
    rows = await pool.fetch(f"SELECT seq, full_name, id_number, address, phone, representative, erased_at"
                            f" FROM {table(schema)} WHERE denunciation_id = $1 ORDER BY seq", denunciation_id)
    out = []
    for r in rows:
        row = dict(r)
        if row["erased_at"] is not None:
            row |= {k: ERASED for k in ("full_name", "id_number", "address", "phone")}
        out.append(row | {"erased": row["erased_at"] is not None})
    return out
