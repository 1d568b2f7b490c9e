"""Online application: get → act → save for every command on a Filing, through the kit's batcher.

Every save also writes, in the same transaction: the filings read model (projections.upsert_write)
and a notices-outbox row for each step that concerns the citizen (projections.notices_write). Office
binding lives here: a clerk or head answers only the filings addressed to their own office."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from thads_kit.store import ServiceApplication

from .domain import VN_TZ, Filing, FilingNotFoundError, OnlineError, filing_id_of

CommandFn = Callable[[], tuple[list[Aggregate], Any]]


class WrongOfficeError(OnlineError):
    rule = "filing.other_office"
    message_vi = "Cán bộ chỉ xử lý đơn gửi đến cơ quan thi hành án của mình."


class Online(ServiceApplication):
    name = "Online"
    read_schema: str | None = None      # set by main

    def record(self, aggregates: Any, tracking: Any = None, *, commands: Any = (), writes: Any = ()) -> int:
        aggregates = list(aggregates)
        if self.read_schema is not None and aggregates:
            from .projections import notices_write, upsert_write
            steps = [(a, ev) for a in aggregates for ev in a._pending_events]  # noqa: SLF001
            writes = [*writes, upsert_write(self.read_schema, aggregates), notices_write(self.read_schema, steps)]
        return super().record(aggregates, tracking, commands=commands, writes=writes)

    def get_filing(self, filing_id: UUID) -> Filing:
        try:
            return self.repository.get(filing_id)  # type: ignore[return-value]
        except AggregateNotFoundError:
            raise FilingNotFoundError(f"filing {filing_id} not found") from None


def submit(app: Online, **kwargs: Any) -> tuple[UUID, CommandFn]:
    filing_id = filing_id_of(kwargs["tracking_code"])

    def fn() -> tuple[list[Aggregate], Any]:
        filing = Filing.submit(**(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [filing], summary(filing)

    return filing_id, fn


def act(app: Online, filing_id: UUID, command: str, kwargs: dict[str, Any], unit_must_be: str | None = None,
        ) -> CommandFn:
    def fn() -> tuple[list[Aggregate], Any]:
        filing = app.get_filing(filing_id)
        if unit_must_be is not None and filing.unit != unit_must_be:
            raise WrongOfficeError(f"filing {filing.tracking_code} is addressed to {filing.unit}, not {unit_must_be}")
        getattr(filing, command)(**(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [filing], summary(filing)

    return fn


def summary(f: Filing) -> dict[str, Any]:
    from .domain import STATUS_LABELS
    return {"tracking_code": f.tracking_code, "filing_id": str(f.id), "status": f.status.value, "status_label": STATUS_LABELS[f.status],
            "unit": f.unit, "version": f.version, "filed_at": f.filed_at.isoformat(),
            "review_due_on": f.review_due_on.isoformat(), "case_id": str(f.case_id) if f.case_id else None}
