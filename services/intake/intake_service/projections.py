"""Read models of the intake service (asyncpg), and the SQL that reads them.

`CaseIndex` tails `<schema>.intake_events` in notification-id order (LISTEN + poll fallback; gaps
from rolled-back inserts are normal and skipped) and, per batch, re-reads every touched Case from
the event store and upserts its rows in ONE transaction with the position, so a crash re-applies a
batch instead of losing it. The same transaction writes the serialized answers of GET /cases/{id}
and /events (read_model.py: the state per case, one history entry per event of the batch). Deadline states are those of `Case.deadlines(as_of=<business date of
the case's last event>)`, so an imported historical case is judged in its own business time;
"overdue today" is computed by the queries from `done_on` and `due_on`.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from typing import Any, Sequence
from uuid import UUID

import asyncpg

from thads_kit.tasks import BackgroundTask
from thads_kit.store import EsExecutor, ServiceApplication

from eventsourcing.application import AggregateNotFoundError

from eventsourcing.persistence import StoredEvent

from intake_service import personal_data, read_model
from intake_service.application import CaseNotFoundError, banks_of, history_entry, state
from intake_service.personal_data import qualified  # schema name checked, then quoted
from intake_service.deadlines import Step, due_date
from intake_service.domain import CLAIM_KIND_LABELS, Case, Status, business_date

log = logging.getLogger(__name__)

VN_TZ = timezone(timedelta(hours=7), "ICT")

STEP_LABELS: dict[str, str] = {
    Step.REFUSAL: "Thông báo từ chối yêu cầu thi hành án",
    Step.DECISION_ON_REQUEST: "Ra quyết định thi hành án theo yêu cầu",
    Step.DECISION_EX_OFFICIO: "Ra quyết định thi hành án chủ động",
    Step.DECISION_PROVISIONAL_MEASURE: "Ra quyết định thi hành biện pháp khẩn cấp tạm thời",
    Step.DECISION_BANKRUPTCY: "Ra quyết định thi hành quyết định tuyên bố phá sản",
    Step.PROCURACY_COPY: "Gửi quyết định cho Viện kiểm sát",
    Step.VOLUNTARY_PERIOD: "Thời hạn tự nguyện thi hành án",
    Step.VERIFICATION_START: "Tiến hành xác minh điều kiện thi hành án",
    Step.VERIFICATION_START_PROVISIONAL_MEASURE: "Xác minh ngay (biện pháp khẩn cấp tạm thời)",
    Step.NO_CONDITION_DECISION: "Ra quyết định về việc chưa có điều kiện thi hành án",
    Step.REVERIFICATION: "Xác minh lại điều kiện thi hành án (6 tháng một lần)",
    Step.REVERIFICATION_LONG: "Xác minh lại điều kiện thi hành án (12 tháng một lần)",
    Step.DISBURSEMENT: "Chi trả tiền thi hành án",
    Step.SUSPENSION_DECISION: "Ra quyết định tạm đình chỉ thi hành án",
    Step.CONTINUATION_AFTER_SUSPENSION: "Ra quyết định tiếp tục thi hành án",
    Step.TERMINATION_DECISION: "Ra quyết định đình chỉ thi hành án",
    Step.DELEGATION_DECISION: "Ra quyết định ủy thác thi hành án",
    Step.DELEGATION_DECISION_PROVISIONAL_MEASURE: "Ủy thác thi hành biện pháp khẩn cấp tạm thời (24 giờ)",
    Step.RESULT_CERTIFICATE: "Cấp giấy xác nhận kết quả thi hành án",
    Step.NOTICE_TO_PARTIES: "Thông báo quyết định cho đương sự",
    Step.SEPARATE_REGISTER_TRANSFER: "Chuyển sổ theo dõi riêng",
    Step.VERIFICATION_AFTER_NEW_INFORMATION: "Xác minh khi có thông tin mới về điều kiện thi hành án",
    Step.CREDITOR_NOTICE_AFTER_TWO_CHECKS: "Thông báo kết quả xác minh cho người được thi hành án",
    Step.POSTPONEMENT_DECISION: "Ra quyết định hoãn thi hành án",
    Step.POSTPONEMENT_DECISION_PROTEST: "Hoãn ngay theo yêu cầu của người có thẩm quyền kháng nghị",
    Step.CONTINUATION_AFTER_POSTPONEMENT: "Ra quyết định tiếp tục thi hành án sau khi hoãn",
    Step.DECISION_AFTER_DELEGATION: "Ra quyết định thi hành án khi nhận ủy thác",
}

DEADLINE_STATE_LABELS = {"open": "Còn trong thời hạn", "met": "Đúng hạn", "overdue": "Quá hạn"}

DECISION_KIND_LABELS = {
    "enforcement": "Quyết định thi hành án",
    "no_condition": "Quyết định về việc chưa có điều kiện thi hành án",
    "postponement": "Quyết định hoãn thi hành án",
    "continuation": "Quyết định tiếp tục thi hành án",
    "suspension": "Quyết định tạm đình chỉ thi hành án",
    "termination": "Quyết định đình chỉ thi hành án",
    "delegation": "Quyết định ủy thác thi hành án",
    "revocation": "Quyết định thu hồi quyết định thi hành án",
    "security": "Quyết định áp dụng biện pháp bảo đảm thi hành án",
    "coercion": "Quyết định cưỡng chế thi hành án",
    "partial_termination": "Quyết định đình chỉ thi hành án một phần",
    "reduced": "Quyết định giảm nghĩa vụ thi hành án",
    "exempted": "Quyết định miễn nghĩa vụ thi hành án",
    "revocation_in_part": "Quyết định thu hồi một phần quyết định thi hành án",
}


def vn_today() -> date:
    return datetime.now(VN_TZ).date()


def decision_kind_label(kind: str) -> str:
    return DECISION_KIND_LABELS.get(kind.split(":", 1)[0], kind)


# ---------------------------------------------------------------- DDL


def ddl(schema: str) -> list[str]:
    t = lambda name: qualified(schema, name)  # noqa: E731
    return [
        f"""CREATE TABLE IF NOT EXISTS {t('case_index_position')} (
            name text PRIMARY KEY, position bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())""",
        f"""CREATE TABLE IF NOT EXISTS {t('case_view')} (
            case_id uuid PRIMARY KEY,
            unit text NOT NULL,
            officer_id text,
            status text NOT NULL,
            status_label text NOT NULL,
            origin text NOT NULL,
            matter text NOT NULL,
            intake_ref text NOT NULL,
            judgment_number text NOT NULL DEFAULT '',
            issuing_court text NOT NULL DEFAULT '',
            judgment_effective_on date,
            basis text,
            received_on date NOT NULL,
            decided_on date,
            next_due_on date,
            next_due_step text,
            next_due_label text,
            parties jsonb NOT NULL DEFAULT '[]',
            claims jsonb NOT NULL DEFAULT '[]',
            owed_vnd bigint NOT NULL DEFAULT 0,
            collected_vnd bigint NOT NULL DEFAULT 0,
            disbursed_vnd bigint NOT NULL DEFAULT 0,
            held_vnd bigint NOT NULL DEFAULT 0,
            uncollected_vnd bigint NOT NULL DEFAULT 0,
            delegated_to text,
            last_event_at timestamptz NOT NULL,
            version integer NOT NULL,
            updated_at timestamptz NOT NULL)""",   # last_event_at: business time; updated_at: recording time
        f"CREATE INDEX IF NOT EXISTS case_view_unit_status ON {t('case_view')} (unit, status)",
        f"CREATE INDEX IF NOT EXISTS case_view_officer_due ON {t('case_view')} (officer_id, next_due_on)",
        f"CREATE INDEX IF NOT EXISTS case_view_status ON {t('case_view')} (status)",
        f"CREATE INDEX IF NOT EXISTS case_view_judgment_number ON {t('case_view')} (judgment_number)",
        f"CREATE INDEX IF NOT EXISTS case_view_parties ON {t('case_view')} USING gin (parties jsonb_path_ops)",
        f"""CREATE TABLE IF NOT EXISTS {t('case_deadline_view')} (
            case_id uuid NOT NULL,
            ordinal integer NOT NULL,
            unit text NOT NULL,
            officer_id text,
            step text NOT NULL,
            step_label text NOT NULL,
            started_on date NOT NULL,
            due_on date NOT NULL,
            done_on date,
            legal_basis text NOT NULL,
            state text NOT NULL,
            state_label text NOT NULL,
            missed_recorded boolean NOT NULL DEFAULT false,
            PRIMARY KEY (case_id, ordinal))""",
        f"CREATE INDEX IF NOT EXISTS case_deadline_view_pending ON {t('case_deadline_view')} (due_on)"
        " WHERE done_on IS NULL",
        f"CREATE INDEX IF NOT EXISTS case_deadline_view_unit_due ON {t('case_deadline_view')} (unit, due_on)",
        f"CREATE INDEX IF NOT EXISTS case_deadline_view_officer_due ON {t('case_deadline_view')} (officer_id, due_on)",
        f"""CREATE TABLE IF NOT EXISTS {t('decision_view')} (
            case_id uuid NOT NULL,
            decision_no text NOT NULL,
            unit text NOT NULL,
            kind text NOT NULL,
            kind_label text NOT NULL,
            decided_on date NOT NULL,
            procuracy_copy_sent_on date,
            procuracy_copy_due_on date NOT NULL,
            late boolean NOT NULL,
            PRIMARY KEY (case_id, decision_no))""",
        f"CREATE INDEX IF NOT EXISTS decision_view_unit_decided ON {t('decision_view')} (unit, decided_on)",
    ]


# ---------------------------------------------------------------- rows from a Case (worker thread)

CASE_COLUMNS: list[tuple[str, str]] = [
    ("case_id", "uuid"), ("unit", "text"), ("officer_id", "text"), ("status", "text"),
    ("status_label", "text"), ("origin", "text"), ("matter", "text"), ("intake_ref", "text"),
    ("judgment_number", "text"), ("issuing_court", "text"), ("judgment_effective_on", "date"),
    ("basis", "text"), ("received_on", "date"),
    ("decided_on", "date"), ("next_due_on", "date"), ("next_due_step", "text"), ("next_due_label", "text"),
    ("parties", "jsonb"), ("claims", "jsonb"), ("owed_vnd", "bigint"), ("collected_vnd", "bigint"),
    ("disbursed_vnd", "bigint"), ("held_vnd", "bigint"), ("uncollected_vnd", "bigint"),
    ("delegated_to", "text"), ("last_event_at", "timestamptz"), ("version", "integer"),
    ("updated_at", "timestamptz"),
]
DEADLINE_COLUMNS: list[tuple[str, str]] = [
    ("case_id", "uuid"), ("ordinal", "integer"), ("unit", "text"), ("officer_id", "text"), ("step", "text"),
    ("step_label", "text"), ("started_on", "date"), ("due_on", "date"), ("done_on", "date"),
    ("legal_basis", "text"), ("state", "text"), ("state_label", "text"), ("missed_recorded", "boolean"),
]
DECISION_COLUMNS: list[tuple[str, str]] = [
    ("case_id", "uuid"), ("decision_no", "text"), ("unit", "text"), ("kind", "text"), ("kind_label", "text"),
    ("decided_on", "date"), ("procuracy_copy_sent_on", "date"), ("procuracy_copy_due_on", "date"),
    ("late", "boolean"),
]


def case_rows(case: Case) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The case_view row, case_deadline_view rows and decision_view rows of one case."""
    as_of = business_date(case.last_at)
    deadlines = case.deadlines(as_of=as_of)
    pending = [d for d in deadlines if d["done_on"] is None]
    nxt = min(pending, key=lambda d: (d["due"], d["step"])) if pending else None
    items = list(case.items.values())
    view = {
        "case_id": case.id, "unit": case.unit_id, "officer_id": case.officer_id,
        "status": case.status.value, "status_label": case.status_label, "origin": case.origin.value,
        "matter": case.matter.value, "intake_ref": case.intake_ref,
        "judgment_number": getattr(case, "judgment_number", "") or "",
        "issuing_court": getattr(case, "issuing_court", "") or "",
        "judgment_effective_on": getattr(case, "judgment_effective_on", None),
        "basis": case.basis.value if case.basis else None,
        "received_on": case.received_on, "decided_on": case.decided_on,
        "next_due_on": nxt["due"] if nxt else None, "next_due_step": nxt["step"] if nxt else None,
        "next_due_label": STEP_LABELS.get(nxt["step"], nxt["step"]) if nxt else None,
        "parties": json.dumps([{"party_id": p.id, "role": p.role.value, "kind": p.kind.value,
                                "bank_code": p.bank_code} for p in case.parties.values()]),
        "claims": json.dumps([{"claim_item_id": i.id, "kind": i.kind.value, "label": CLAIM_KIND_LABELS[i.kind],
                               "amount_vnd": i.amount_vnd, "collected_vnd": i.collected_vnd,
                               "disbursed_vnd": i.disbursed_vnd,
                               "owed_vnd": i.amount_vnd - i.collected_vnd} for i in items]),
        "owed_vnd": sum(i.amount_vnd for i in items),
        "collected_vnd": sum(i.collected_vnd for i in items),
        "disbursed_vnd": sum(i.disbursed_vnd for i in items),
        "held_vnd": case.held_vnd, "uncollected_vnd": case.uncollected_vnd,
        "delegated_to": case.delegated_to, "last_event_at": case.last_at, "version": case.version,
        "updated_at": case.modified_on,   # the latest event's `timestamp`: when it was recorded (not `at`)
    }
    deadline_rows = [{
        "case_id": case.id, "ordinal": n, "unit": case.unit_id, "officer_id": case.officer_id,
        "step": d["step"], "step_label": STEP_LABELS.get(d["step"], d["step"]), "started_on": d["started_on"],
        "due_on": d["due"], "done_on": d["done_on"], "legal_basis": d["legal_basis"], "state": d["status"],
        "state_label": DEADLINE_STATE_LABELS.get(d["status"], d["status"]),
        "missed_recorded": (d["step"], d["due"].isoformat()) in case.missed,
    } for n, d in enumerate(deadlines)]
    decision_rows = []
    for d in case.decisions.values():
        copy_due = due_date(Step.PROCURACY_COPY, d.issued_on)
        late = d.copy_sent_on > copy_due if d.copy_sent_on else as_of > copy_due
        decision_rows.append({
            "case_id": case.id, "decision_no": d.number, "unit": case.unit_id, "kind": d.kind,
            "kind_label": decision_kind_label(d.kind), "decided_on": d.issued_on,
            "procuracy_copy_sent_on": d.copy_sent_on, "procuracy_copy_due_on": copy_due, "late": late})
    return view, deadline_rows, decision_rows


def _columns_sql(columns: Sequence[tuple[str, str]]) -> tuple[str, str, str]:
    names = ", ".join(c for c, _ in columns)
    params = ", ".join(f"${n}::{'text' if t == 'jsonb' else t}[]" for n, (_, t) in enumerate(columns, 1))
    select = ", ".join(f"{c}::jsonb" if t == "jsonb" else c for c, t in columns)
    return names, params, select


def _arrays(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> list[list[Any]]:
    return [[r[c] for r in rows] for c, _ in columns]


# ---------------------------------------------------------------- the tailer

POSITION_NAME = "case_index"


class CaseIndex(BackgroundTask):
    """Projection of the Case aggregates into case_view, case_deadline_view and decision_view."""

    def __init__(self, schema: str, app: ServiceApplication, executor: EsExecutor, pool: asyncpg.Pool, *,
                 batch: int = 500, poll_seconds: float = 1.0, cache_size: int = 2048) -> None:
        self.schema = schema
        self.app = app
        self.executor = executor
        self.pool = pool
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.events_table = qualified(schema, f"{app.name.lower()}_events")
        self.channel = f"{app.name.lower()}_events"   # eventsourcing NOTIFYs on the bare table name
        self.position = 0
        self._answers_writer = read_model.Writer(schema)
        # the index's own copies of recently projected cases (never handed out), least recent first
        self._cases: OrderedDict[UUID, Any] = OrderedDict()
        self.cache_size = cache_size
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        t = lambda name: qualified(schema, name)  # noqa: E731
        self._t = t
        names, params, select = _columns_sql(CASE_COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c, _ in CASE_COLUMNS if c != "case_id")
        self._upsert_cases = (
            f"INSERT INTO {t('case_view')} ({names}) SELECT {select} FROM unnest({params}) AS r({names})"
            f" ON CONFLICT (case_id) DO UPDATE SET {updates}"
            f" WHERE {t('case_view')}.version <= EXCLUDED.version RETURNING case_id")
        names, params, select = _columns_sql(DEADLINE_COLUMNS)
        self._insert_deadlines = (
            f"INSERT INTO {t('case_deadline_view')} ({names}) SELECT {select} FROM unnest({params}) AS r({names})")
        names, params, select = _columns_sql(DECISION_COLUMNS)
        self._insert_decisions = (
            f"INSERT INTO {t('decision_view')} ({names}) SELECT {select} FROM unnest({params}) AS r({names})")

    @property
    def lock_name(self) -> str:
        return f"thads-case-index:{self.schema}"

    async def ensure_tables(self) -> None:
        async with self.pool.acquire() as conn:
            # concurrent CREATE ... IF NOT EXISTS can still collide in the catalog; serialise
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.lock_name)
                for stmt in ddl(self.schema) + personal_data.ddl(self.schema) + read_model.ddl(self.schema):
                    await conn.execute(stmt)
                await conn.execute(
                    f"INSERT INTO {self._t('case_index_position')} (name, position) VALUES ($1, 0)"
                    " ON CONFLICT (name) DO NOTHING", POSITION_NAME)

    def task_name(self) -> str:
        return f"case-index-{self.schema}"

    async def start(self) -> None:
        await self.ensure_tables()
        self.position = await self._stored_position()
        await super().start()

    async def wait_for(self, notification_id: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.position < notification_id:
            if time.monotonic() > deadline:
                raise TimeoutError(f"case index at {self.position}, wanted {notification_id}")
            self._wake.set()
            await asyncio.sleep(0.02)

    async def catch_up(self) -> int:
        """Apply every recorded event not yet applied; returns the number of events read."""
        total = 0
        while True:
            moved = await self._apply_batch()
            if moved == 0:
                return total
            total += max(moved, 0)

    async def rebuild(self) -> int:
        """Empty the views, reset the position, and project the whole notification log again."""
        async with self._lock:
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.lock_name)
                await conn.execute(f"TRUNCATE {self._t('case_view')}, {self._t('case_deadline_view')},"
                                   f" {self._t('decision_view')}, {self._t('case_read')}, {self._t('case_event_read')}")
                await conn.execute(
                    f"INSERT INTO {self._t('case_index_position')} (name, position) VALUES ($1, 0)"
                    " ON CONFLICT (name) DO UPDATE SET position = 0, updated_at = now()", POSITION_NAME)
            self.position = 0
        log.info("case index rebuild started", extra={"schema": self.schema})
        return await self.catch_up()

    # -- internals

    async def _stored_position(self) -> int:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                f"SELECT position FROM {self._t('case_index_position')} WHERE name = $1", POSITION_NAME) or 0

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_and_tail()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("case index failed; restarting in 1 s")
                await asyncio.sleep(1.0)

    async def _listen_and_tail(self) -> None:
        async with self.pool.acquire() as listener:
            await listener.add_listener(self.channel, self._notified)
            try:
                while True:
                    self._wake.clear()
                    if await self._apply_batch() == 0:
                        try:
                            await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                        except asyncio.TimeoutError:
                            pass
            finally:
                try:
                    await listener.remove_listener(self.channel, self._notified)
                except Exception:  # noqa: BLE001 - the connection may already be gone
                    pass

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    def _load(self, case_ids: list[UUID], stored: dict[UUID, list[StoredEvent]] | None = None) -> tuple[
            list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]],
            tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """Runs in one worker thread, so a big batch does not crowd out the command batcher. Returns
        the view rows and the read answers (read_model.py): each case's state at today's business
        date, and the history entries of `stored` (the batch's own events)."""
        out = []
        today = vn_today()
        states: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        for case_id in case_ids:
            events = [self.app.mapper.to_domain_event(e) for e in (stored or {}).get(case_id, ())]
            try:
                case = self._replayed(case_id, events) or self.app.get_case(case_id)  # type: ignore[attr-defined]
            except (CaseNotFoundError, AggregateNotFoundError):
                # only "not found" is skipped (an aggregate of another kind, removed); any other
                # error fails the batch, which is retried from the same position
                log.warning("case %s not found for the index; skipped", case_id)
                continue
            if isinstance(case, Case):
                out.append(case_rows(case))
                states.append(read_model.state_row(case.id, case.version, case.unit_id, banks_of(case),
                                                   state(case, datetime.combine(today, datetime.min.time(), VN_TZ)),
                                                   today))
                entries.extend(read_model.event_rows(case.id, [history_entry(e) for e in events]))
        return out, (states, entries)

    def _replayed(self, case_id: UUID, events: list[Any]) -> Any:
        """The case at the batch's last event without a query, when the batch starts its stream (a
        new case) or continues the index's own copy of it; None: load it from the store. (A case
        loaded from the store costs a query per case: 36 % of the samples of the write phase.)"""
        if not events or self.cache_size <= 0:      # cache_size 0: every case from the store
            return None
        first = events[0].originator_version
        base = self._cases.pop(case_id, None)
        if first != 1 and (base is None or base.version != first - 1):
            return None
        try:
            case = None if first == 1 else base
            for e in events:
                case = e.mutate(case)
        except Exception:  # noqa: BLE001 - the store's copy is the truth; the copy is dropped
            log.warning("case %s: replaying the batch on the index's copy failed; loaded from the store", case_id,
                        exc_info=True)
            return None
        self._remember(case_id, case)
        return case

    def _remember(self, case_id: UUID, case: Any) -> None:
        self._cases[case_id] = case
        while len(self._cases) > self.cache_size:
            self._cases.popitem(last=False)

    async def _apply_batch(self) -> int:
        """One batch; returns events read (0 = caught up, -1 = position moved elsewhere, retry)."""
        async with self._lock:
            position = self.position
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(
                    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {self.events_table}"
                    f" WHERE notification_id > $1 ORDER BY notification_id LIMIT $2", position, self.batch)
            if not rows:
                return 0
            last = rows[-1]["notification_id"]
            case_ids = list(dict.fromkeys(r["originator_id"] for r in rows))
            stored: dict[UUID, list[StoredEvent]] = {}
            for r in rows:
                stored.setdefault(r["originator_id"], []).append(StoredEvent(
                    originator_id=r["originator_id"], originator_version=r["originator_version"],
                    topic=r["topic"], state=bytes(r["state"])))
            loaded, answers = await self.executor.run(self._load, case_ids, stored)
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.lock_name)
                stored = await conn.fetchval(
                    f"SELECT position FROM {self._t('case_index_position')} WHERE name = $1", POSITION_NAME)
                if stored is not None and stored != position:
                    # another replica moved on, or a rebuild reset it: continue from the stored one
                    self.position = stored
                    return -1
                await self._write(conn, loaded)
                await self._answers_writer.write(conn, *answers)
                await conn.execute(
                    f"INSERT INTO {self._t('case_index_position')} (name, position) VALUES ($1, $2)"
                    " ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()",
                    POSITION_NAME, last)
            self.position = last
            return len(rows)

    async def _write(self, conn: asyncpg.Connection, loaded: list[tuple[dict[str, Any], list[dict[str, Any]],
                                                                        list[dict[str, Any]]]]) -> None:
        if not loaded:
            return
        views = [v for v, _, _ in loaded]
        written = {r["case_id"] for r in await conn.fetch(self._upsert_cases, *_arrays(views, CASE_COLUMNS))}
        if not written:
            return
        ids = list(written)
        await conn.execute(f"DELETE FROM {self._t('case_deadline_view')} WHERE case_id = ANY($1::uuid[])", ids)
        await conn.execute(f"DELETE FROM {self._t('decision_view')} WHERE case_id = ANY($1::uuid[])", ids)
        deadlines = [r for v, ds, _ in loaded if v["case_id"] in written for r in ds]
        decisions = [r for v, _, ds in loaded if v["case_id"] in written for r in ds]
        if deadlines:
            await conn.execute(self._insert_deadlines, *_arrays(deadlines, DEADLINE_COLUMNS))
        if decisions:
            await conn.execute(self._insert_decisions, *_arrays(decisions, DECISION_COLUMNS))


# ---------------------------------------------------------------- queries (used by queries_api, scheduler)

TERMINAL_STATUSES = [s.value for s in (Status.REJECTED, Status.COMPLETED, Status.TERMINATED,
                                       Status.DELEGATED_OUT, Status.REVOKED, Status.RETURNED)]

CASE_FIELDS = ("case_id, unit, officer_id, status, status_label, origin, matter, intake_ref, judgment_number,"
               " issuing_court, judgment_effective_on, basis, received_on, decided_on, next_due_on, next_due_step,"
               " next_due_label,"
               " parties, claims, owed_vnd, collected_vnd, disbursed_vnd, held_vnd, uncollected_vnd,"
               " delegated_to, last_event_at, version, updated_at")


def record(row: asyncpg.Record) -> dict[str, Any]:
    out = dict(row)
    for key in ("parties", "claims"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


# the office's province as thads_kit.scoping.province_of: the code's prefix before the first '-'
PROVINCE_IS = "split_part(unit, '-', 1) = ?"


class _Where:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, sql: str, value: Any) -> None:
        self.args.append(value)
        self.parts.append(sql.replace("?", f"${len(self.args)}"))

    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.parts)) if self.parts else ""


async def search_cases(conn: Any, schema: str, *, unit: str | None = None, province: str | None = None,
                       officer_id: str | None = None,
                       status: str | None = None, party_id: str | None = None,
                       judgment_number: str | None = None, limit: int = 50,
                       offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    w = _Where()
    if unit:
        w.add("unit = ?", unit)
    if province:
        w.add(PROVINCE_IS, province)
    if officer_id:
        w.add("officer_id = ?", officer_id)
    if status:
        w.add("status = ?", status)
    if party_id:
        w.add("parties @> ?::jsonb", json.dumps([{"party_id": party_id}]))
    if judgment_number:
        w.add("judgment_number = ?", judgment_number)
    table = qualified(schema, "case_view")
    total = await conn.fetchval(f"SELECT count(*) FROM {table}{w.sql()}", *w.args)
    rows = await conn.fetch(
        f"SELECT {CASE_FIELDS} FROM {table}{w.sql()} ORDER BY received_on DESC, case_id"
        f" LIMIT {int(limit)} OFFSET {int(offset)}", *w.args)
    return total, [record(r) for r in rows]


async def worklist(conn: Any, schema: str, officer_id: str, today: date) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {CASE_FIELDS}, (next_due_on < $2) AS overdue FROM {qualified(schema, 'case_view')}"
        " WHERE officer_id = $1 AND status <> ALL($3::text[])"
        " ORDER BY next_due_on ASC NULLS LAST, received_on, case_id", officer_id, today, TERMINAL_STATUSES)
    return [record(r) for r in rows]


async def overdue_deadlines(conn: Any, schema: str, today: date, *, unit: str | None = None,
                            province: str | None = None, officer_id: str | None = None,
                            limit: int = 500) -> dict[str, Any]:
    """Deadlines not done and past their last day, as of `today`; counts per officer and per office."""
    w = _Where()
    w.add("done_on IS NULL AND due_on < ?", today)
    if unit:
        w.add("unit = ?", unit)
    if province:
        w.add(PROVINCE_IS, province)
    if officer_id:
        w.add("officer_id = ?", officer_id)
    table = qualified(schema, "case_deadline_view")
    by_officer = await conn.fetch(
        f"SELECT unit, officer_id, count(*) AS count FROM {table}{w.sql()}"
        " GROUP BY unit, officer_id ORDER BY count DESC, unit, officer_id NULLS LAST", *w.args)
    by_unit = await conn.fetch(
        f"SELECT unit, count(*) AS count FROM {table}{w.sql()} GROUP BY unit ORDER BY count DESC, unit", *w.args)
    n_today = len(w.args) + 1
    rows = await conn.fetch(
        f"SELECT case_id, unit, officer_id, step, step_label, started_on, due_on, legal_basis,"
        f" missed_recorded, (${n_today}::date - due_on) AS days_overdue FROM {table}{w.sql()}"
        f" ORDER BY due_on, case_id, ordinal LIMIT {int(limit)}", *w.args, today)
    return {"by_officer": [dict(r) for r in by_officer], "by_unit": [dict(r) for r in by_unit],
            "items": [dict(r) for r in rows], "total": sum(r["count"] for r in by_unit)}


async def missed_deadline_candidates(conn: Any, schema: str, today: date, *,
                                     recorded_before: datetime | None = None) -> list[asyncpg.Record]:
    """Deadlines not done by their last day, before `today`, whose miss is not yet recorded; with
    `recorded_before`, only on cases whose latest event was recorded at or before that time."""
    if recorded_before is None:
        return await conn.fetch(
            f"SELECT case_id, step, due_on FROM {qualified(schema, 'case_deadline_view')}"
            " WHERE done_on IS NULL AND NOT missed_recorded AND due_on < $1 ORDER BY case_id, due_on, step", today)
    return await conn.fetch(
        f"SELECT d.case_id, d.step, d.due_on FROM {qualified(schema, 'case_deadline_view')} d"
        f" JOIN {qualified(schema, 'case_view')} c ON c.case_id = d.case_id"
        " WHERE d.done_on IS NULL AND NOT d.missed_recorded AND d.due_on < $1 AND c.updated_at <= $2"
        " ORDER BY d.case_id, d.due_on, d.step", today, recorded_before)


async def procuracy_decisions(conn: Any, schema: str, today: date, *, unit: str | None = None,
                              province: str | None = None, date_from: date | None = None, date_to: date | None = None,
                              limit: int = 500, offset: int = 0) -> tuple[int, int, list[dict[str, Any]]]:
    """Decisions with their copy dates; `late` is evaluated today for copies not yet sent."""
    w = _Where()
    if unit:
        w.add("unit = ?", unit)
    if province:
        w.add(PROVINCE_IS, province)
    if date_from:
        w.add("decided_on >= ?", date_from)
    if date_to:
        w.add("decided_on <= ?", date_to)
    table = qualified(schema, "decision_view")
    n_today = len(w.args) + 1
    late = (f"CASE WHEN procuracy_copy_sent_on IS NOT NULL THEN procuracy_copy_sent_on > procuracy_copy_due_on"
            f" ELSE procuracy_copy_due_on < ${n_today}::date END")
    counts = await conn.fetchrow(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE {late}) AS late FROM {table}{w.sql()}", *w.args, today)
    rows = await conn.fetch(
        f"SELECT case_id, unit, decision_no, kind, kind_label, decided_on, procuracy_copy_sent_on,"
        f" procuracy_copy_due_on, {late} AS late FROM {table}{w.sql()}"
        f" ORDER BY decided_on, case_id, decision_no LIMIT {int(limit)} OFFSET {int(offset)}", *w.args, today)
    return counts["total"], counts["late"], [dict(r) for r in rows]


async def no_condition_debtors(conn: Any, schema: str, *, unit: str | None = None, limit: int = 500,
                               offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The public list (Art. 44a): debtor name, address and what is owed — nothing else. A debtor
    stays on it until termination, completion or a continuation decision: a case moved to the
    separate register stays listed (TT 04/2023 Art. 6(2); domain.md §1.2)."""
    w = _Where()
    w.add("c.status = ANY(?::text[])", [Status.NO_CONDITION.value, Status.SEPARATE_REGISTER.value])
    w.parts.append("p->>'role' = 'debtor' AND d.erased_at IS NULL AND d.full_name IS NOT NULL")
    if unit:
        w.add("c.unit = ?", unit)
    source = (f"FROM {qualified(schema, 'case_view')} c CROSS JOIN LATERAL jsonb_array_elements(c.parties) p"
              f" JOIN {qualified(schema, 'party_personal_data')} d ON d.party_id::text = p->>'party_id'"
              " AND d.case_id = c.case_id")   # a party's personal data belongs to its own case
    total = await conn.fetchval(f"SELECT count(*) {source}{w.sql()}", *w.args)
    rows = await conn.fetch(
        f"SELECT d.full_name, d.address, c.claims {source}{w.sql()}"
        f" ORDER BY d.full_name, c.case_id LIMIT {int(limit)} OFFSET {int(offset)}", *w.args)
    out = []
    for r in rows:
        claims = json.loads(r["claims"]) if isinstance(r["claims"], str) else r["claims"]
        obligation = [{"kind": c["kind"], "label": c["label"], "amount_vnd": c["owed_vnd"]}
                      for c in claims if c["owed_vnd"] > 0]
        out.append({"debtor_name": r["full_name"], "address": r["address"], "obligation": obligation})
    return total, out
