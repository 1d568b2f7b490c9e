"""The answers of `GET /cases/{id}` and `GET /cases/{id}/events`, kept serialized per case and
version by the case index (projections.CaseIndex), so a read is one asyncpg query and no event store
work (issue 13: 53 % of a read's time went to rebuilding the case from the synchronous store).

Tables (in the service's schema):
- `case_read` — per case: the version, the office and banks the scoping rule needs, and the state
  answer's exact bytes with the business date its deadlines were evaluated at (`as_of`);
- `case_event_read` — per event: its history entry's exact bytes (the answer of /events is the
  entries joined), the office it names (version 1's is the case's) and its bank code if any.
Both carry `code`, a fingerprint of the code that renders them (application.py and the domain):
a row written by other code is never served (it is rewritten on its next read).

Read-your-writes, for every client, without a version to name: the query that reads an answer
also reads the stream's head version from the events table, in the SAME statement (one snapshot).
An answer is served only when it is of that head version (and, for the state, of today's business
date and without `as_of`); otherwise the route falls back to the event store — the answer of the
store is the answer — and writes it back (version-guarded), so a case behind (the index still
digesting a write), after midnight, or after a deploy is served from the table on its next read.
The bytes are those FastAPI sends for the same dict (pydantic's JSON of a route annotated `-> Any`),
so the two paths answer byte for byte alike (tests/…/test_read_answers.py)."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any, Sequence
from uuid import UUID

from pydantic import TypeAdapter

from intake_service.personal_data import qualified

_HERE = Path(__file__).resolve().parent
# Everything that shapes an answer: the application's state()/history_entry(), the domain's events
# and Case. A change to any of them makes every stored answer stale (served again once rewritten).
CODE = hashlib.sha256(b"".join(
    p.read_bytes() for p in sorted([_HERE / "application.py", _HERE / "read_model.py",
                                    *(_HERE / "domain").glob("*.py")]))).hexdigest()[:16]

_ANY = TypeAdapter(Any)


def render(content: Any) -> bytes:
    """The bytes FastAPI sends for a route annotated `-> Any` returning `content`: its response
    field is pydantic's TypeAdapter(Any), serialized straight to JSON (fastapi.routing, dump_json)."""
    return _ANY.dump_json(content)


def ddl(schema: str) -> list[str]:
    t = lambda name: qualified(schema, name)  # noqa: E731
    return [
        f"""CREATE TABLE IF NOT EXISTS {t('case_read')} (
            case_id uuid PRIMARY KEY, version integer NOT NULL, code text NOT NULL, as_of date NOT NULL,
            unit text NOT NULL, banks text[] NOT NULL, body bytea NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS {t('case_event_read')} (
            case_id uuid NOT NULL, version integer NOT NULL, code text NOT NULL, unit text, bank text,
            entry bytea NOT NULL, PRIMARY KEY (case_id, version))""",
    ]


# ---------------------------------------------------------------- rows (worker thread)

def state_row(case_id: UUID, version: int, unit: str, banks: set[str], answer: dict[str, Any], as_of: date
              ) -> tuple[Any, ...]:
    return (case_id, version, CODE, as_of, unit, sorted(banks), render(answer))


def event_rows(case_id: UUID, entries: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    out = []
    for e in entries:
        unit = e["data"].get("unit_id")
        bank = e["data"].get("bank_code")
        out.append((case_id, e["version"], CODE, unit if isinstance(unit, str) else None,
                    bank if isinstance(bank, str) else None, render(e)))
    return out


# ---------------------------------------------------------------- writing (asyncpg)

class Writer:
    def __init__(self, schema: str) -> None:
        t = lambda name: qualified(schema, name)  # noqa: E731
        self._upsert_state = (
            f"INSERT INTO {t('case_read')} (case_id, version, code, as_of, unit, banks, body)"
            " SELECT case_id, version, code, as_of, unit, banks::text[], body"
            " FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::date[], $5::text[], $6::text[], $7::bytea[])"
            "  AS r(case_id, version, code, as_of, unit, banks, body)"
            " ON CONFLICT (case_id) DO UPDATE SET version = EXCLUDED.version, code = EXCLUDED.code,"
            " as_of = EXCLUDED.as_of, unit = EXCLUDED.unit, banks = EXCLUDED.banks, body = EXCLUDED.body"
            f" WHERE {t('case_read')}.version <= EXCLUDED.version")
        self._upsert_events = (
            f"INSERT INTO {t('case_event_read')} (case_id, version, code, unit, bank, entry)"
            " SELECT * FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::bytea[])"
            " ON CONFLICT (case_id, version) DO UPDATE SET code = EXCLUDED.code, unit = EXCLUDED.unit,"
            " bank = EXCLUDED.bank, entry = EXCLUDED.entry"
            f" WHERE {t('case_event_read')}.code <> EXCLUDED.code")

    async def write(self, conn: Any, states: Sequence[tuple[Any, ...]], events: Sequence[tuple[Any, ...]]) -> None:
        """Upsert state rows (a row of a later version is kept) and event rows (an event's entry is
        rewritten only when the rendering code changed: events do not change)."""
        if states:
            # a text[] per row does not fit unnest's one-dimensional arrays: banks go as '{..}' literals
            cols = list(zip(*states))
            cols[5] = [_text_array(b) for b in cols[5]]
            await conn.execute(self._upsert_state, *cols)
        if events:
            await conn.execute(self._upsert_events, *zip(*events))


def _text_array(values: Sequence[str]) -> str:
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


# ---------------------------------------------------------------- reading (asyncpg)

class Reader:
    """The two read queries; each also reads the stream's head version from the events table."""

    def __init__(self, schema: str, events_table: str = "intake_events") -> None:
        t = lambda name: qualified(schema, name)  # noqa: E731
        head = f"(SELECT max(originator_version) FROM {t(events_table)} WHERE originator_id = $1)"
        self._state = (
            f"SELECT {head} AS head, r.version, r.code, r.as_of, r.unit, r.banks, r.body"
            f" FROM (VALUES (1)) AS one LEFT JOIN {t('case_read')} r ON r.case_id = $1")
        self._events = (
            f"SELECT {head} AS head, count(*) AS n, bool_and(code = $2) AS current,"
            " max(unit) FILTER (WHERE version = 1) AS unit,"
            " array_agg(DISTINCT bank) FILTER (WHERE bank IS NOT NULL) AS banks,"
            " string_agg(entry, ','::bytea ORDER BY version) AS body"
            f" FROM {t('case_event_read')} WHERE case_id = $1")
        self.writer = Writer(schema)

    async def state(self, conn: Any, case_id: UUID, today: date) -> tuple[int | None, Any]:
        """(head version, row) — row is None unless it is current (head version, code, today)."""
        r = await conn.fetchrow(self._state, case_id)
        head = r["head"]
        if head is None or r["version"] != head or r["code"] != CODE or r["as_of"] != today:
            return head, None
        return head, r

    async def events(self, conn: Any, case_id: UUID) -> tuple[int | None, Any]:
        """(head version, aggregate row) — row is None unless it holds every event up to the head."""
        r = await conn.fetchrow(self._events, case_id, CODE)
        head = r["head"]
        if head is None or r["n"] != head or not r["current"] or r["unit"] is None:
            return head, None
        return head, r


def events_body(case_id: UUID, entries: bytes) -> bytes:
    """The /events answer around the joined entries: exactly render({"case_id": ..., "events": [...]})."""
    return b'{"case_id":"' + str(case_id).encode() + b'","events":[' + entries + b"]}"
