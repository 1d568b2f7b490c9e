"""Personal data of parties, kept out of the event store so that it can be erased.

Events carry party ids only. A party's personal data is written IN THE SAME TRANSACTION as the
command that adds the party (`upsert_write`, run by the kit's recorder with the PartyAdded event and
the command's id): a crash cannot separate them, and a refused command writes neither. Erasure nulls the personal fields and leaves a tombstone
(`erased_at`), so a replayed or late `save_party` for the same party cannot bring the data back.
Never log the values handled here; log party ids at most.
"""
from __future__ import annotations

import re
from typing import Any, Callable
from uuid import UUID

from .domain import IntakeError

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PartyOfAnotherCaseError(IntakeError):
    """The party id already holds personal data for another case: refused, nothing is changed."""
    rule = "a party's personal data belongs to the one case that added the party"
    message_vi = "Mã đương sự này đã gắn với thông tin cá nhân của một việc thi hành án khác; không có gì được ghi."


def qualified(schema: str, table: str) -> str:
    if not _IDENT.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return f'"{schema}".{table}'


def ddl(schema: str) -> list[str]:
    table = qualified(schema, "party_personal_data")
    return [
        f"""CREATE TABLE IF NOT EXISTS {table} (
            party_id uuid PRIMARY KEY,
            case_id uuid,
            full_name text,
            id_number text,
            address text,
            phone text,
            created_at timestamptz NOT NULL DEFAULT now(),
            erased_at timestamptz)""",
        f"CREATE INDEX IF NOT EXISTS party_personal_data_case ON {table} (case_id)",
    ]


async def ensure_table(pool: Any, schema: str) -> None:
    for stmt in ddl(schema):
        await pool.execute(stmt)


async def case_of_party(pool: Any, schema: str, party_id: UUID) -> UUID | None:
    """The case whose personal data the party id holds (None: no row, or a tombstone without a case)."""
    return await pool.fetchval(
        f"SELECT case_id FROM {qualified(schema, 'party_personal_data')} WHERE party_id = $1", party_id)


def upsert_write(schema: str, *, party_id: UUID, case_id: UUID, full_name: str, id_number: str | None = None,
                 address: str | None = None, phone: str | None = None) -> Callable[[Any], None]:
    """The personal data of a party being added, as a write for the kit's command transaction
    (thads_kit.commands.write_with_next_command). Same rules as `save_party`: nothing is stored for an
    erased party; a party id holding another case's data refuses the command (and so its events)."""
    table = qualified(schema, "party_personal_data")
    upsert = (f"INSERT INTO {table} (party_id, case_id, full_name, id_number, address, phone)"
              " VALUES (%s, %s, %s, %s, %s, %s)"
              " ON CONFLICT (party_id) DO UPDATE SET full_name = EXCLUDED.full_name,"
              " id_number = EXCLUDED.id_number, address = EXCLUDED.address, phone = EXCLUDED.phone,"
              f" case_id = coalesce({table}.case_id, EXCLUDED.case_id)"
              f" WHERE {table}.erased_at IS NULL"
              f" AND ({table}.case_id IS NULL OR {table}.case_id = EXCLUDED.case_id) RETURNING party_id")

    def write(curs: Any) -> None:
        curs.execute(upsert, (party_id, case_id, full_name, id_number, address, phone))
        if curs.fetchone() is not None:
            return
        curs.execute(f"SELECT case_id FROM {table} WHERE party_id = %s", (party_id,))
        row = curs.fetchone()
        owner = row["case_id"] if row is not None else None
        if owner is not None and owner != case_id:
            raise PartyOfAnotherCaseError(f"party {party_id} belongs to another case")

    return write


async def save_party(pool: Any, schema: str, *, party_id: UUID, case_id: UUID, full_name: str,
                     id_number: str | None = None, address: str | None = None,
                     phone: str | None = None) -> bool:
    """Idempotent upsert for the party of `case_id`. Returns False (and stores nothing) when the
    party was erased; raises PartyOfAnotherCaseError (and changes nothing) when the party id
    already holds the personal data of another case."""
    table = qualified(schema, "party_personal_data")
    row = await pool.fetchrow(
        f"INSERT INTO {table} (party_id, case_id, full_name, id_number, address, phone)"
        " VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (party_id) DO UPDATE SET full_name = EXCLUDED.full_name,"
        " id_number = EXCLUDED.id_number, address = EXCLUDED.address, phone = EXCLUDED.phone,"
        f" case_id = coalesce({table}.case_id, EXCLUDED.case_id)"
        f" WHERE {table}.erased_at IS NULL"
        f" AND ({table}.case_id IS NULL OR {table}.case_id = EXCLUDED.case_id) RETURNING party_id",
        party_id, case_id, full_name, id_number, address, phone)
    if row is not None:
        return True
    # Not written: erased, or held for another case. A row's case id, once set, never changes.
    owner = await case_of_party(pool, schema, party_id)
    if owner is not None and owner != case_id:
        raise PartyOfAnotherCaseError(f"party {party_id} belongs to another case")
    return False


class AlreadyErasedError(IntakeError):
    """The party's personal data was erased before: nothing to erase, nothing recorded (409)."""
    rule = "personal_data.already_erased"
    message_vi = "Thông tin cá nhân của đương sự này đã được xóa trước đó; không có gì được ghi."


async def erased_at(pool: Any, schema: str, party_id: UUID) -> Any:
    return await pool.fetchval(
        f"SELECT erased_at FROM {qualified(schema, 'party_personal_data')} WHERE party_id = $1", party_id)


def erase_write(schema: str, party_id: UUID) -> Callable[[Any], None]:
    """Erasure as a write for the kit's command transaction (with the PersonalDataErased event): every
    personal field nulled, a tombstone kept so that a replayed save cannot bring the data back."""
    table = qualified(schema, "party_personal_data")
    sql = (f"INSERT INTO {table} (party_id, erased_at) VALUES (%s, now())"
           " ON CONFLICT (party_id) DO UPDATE SET full_name = NULL, id_number = NULL, address = NULL,"
           f" phone = NULL, erased_at = coalesce({table}.erased_at, now())")

    def write(curs: Any) -> None:
        curs.execute(sql, (party_id,))

    return write


async def erase_party(pool: Any, schema: str, party_id: UUID) -> bool:
    """Null every personal field and keep a tombstone. Returns True when personal data was held."""
    table = qualified(schema, "party_personal_data")
    existed = await pool.fetchval(
        f"SELECT full_name IS NOT NULL OR id_number IS NOT NULL OR address IS NOT NULL OR phone IS NOT NULL"
        f" FROM {table} WHERE party_id = $1", party_id)
    await pool.execute(
        f"INSERT INTO {table} (party_id, erased_at) VALUES ($1, now())"
        " ON CONFLICT (party_id) DO UPDATE SET full_name = NULL, id_number = NULL, address = NULL,"
        f" phone = NULL, erased_at = coalesce({table}.erased_at, now())", party_id)
    return bool(existed)


async def parties_for_case(pool: Any, schema: str, case_id: UUID) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"SELECT party_id, case_id, full_name, id_number, address, phone, created_at, erased_at"
        f" FROM {qualified(schema, 'party_personal_data')} WHERE case_id = $1 ORDER BY created_at, party_id",
        case_id)
    return [dict(r) | {"erased": r["erased_at"] is not None} for r in rows]



# Refusals people can read (BRIEFING interface 1): stable rule id and the officer's Vietnamese sentence.
PartyOfAnotherCaseError.rule = "party.of_another_case"
PartyOfAnotherCaseError.message_vi = "Mã đương sự này đã gắn với thông tin cá nhân của một việc thi hành án khác."
