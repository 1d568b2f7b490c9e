"""Correction requests on a case (issue 9): what a complaint decision upheld (fully or partly) says the
office must correct, as the complaints service published it (complaints.CorrectionRequested.v1).

Recorded on the case's own record of corrections — the `CaseCorrections` aggregate, one per case (id
uuid5 of the case id), in intake's event store — and NOT in the Case aggregate, so the Case's state
and snapshot layout do not change. Each request is recorded once: the consumer's position is stored
in the same transaction (consumers_complaints.py), and a request whose event id is already recorded
(a message re-published by the complaints relay) records nothing. Officers and heads read them at
GET /cases/{case_id}/correction-requests (the kit's office scoping of the case). Internal: intake
publishes nothing for them (translation.INTERNAL_CLASSES lists the events)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from fastapi import APIRouter, Depends, Request

from thads_kit.auth import Principal, require
from thads_kit.errors import error_responses
from thads_kit.scoping import check_case_read

NAMESPACE = uuid5(NAMESPACE_URL, "urn:thads:intake:case-corrections")
READERS = ("officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin")


def corrections_id(case_id: UUID) -> UUID:
    return uuid5(NAMESPACE, str(case_id))


class CaseCorrections(Aggregate):
    """The correction requests of one case, in the order they arrived."""

    @staticmethod
    def create_id(case_id: UUID) -> UUID:
        return corrections_id(case_id)

    @event("Started")
    def __init__(self, case_id: UUID, unit: str) -> None:
        self.case_id, self.unit = case_id, unit
        self.requests: list[dict[str, Any]] = []

    def has(self, source_event_id: UUID) -> bool:
        return any(r["source_event_id"] == str(source_event_id) for r in self.requests)

    @event("CorrectionRequested")
    def request(self, source_event_id: str, complaint_id: str, instance: str, resolution: str,
                decision_event_id: str, decision_event_type: str, complaint_decision_number: str, decided_on: date,
                deciding_unit: str, corrections: str, legal_basis: str | None, at: datetime) -> None:
        self.requests.append({"source_event_id": source_event_id, "complaint_id": complaint_id, "instance": instance,
                              "resolution": resolution, "decision_event_id": decision_event_id,
                              "decision_event_type": decision_event_type,
                              "complaint_decision_number": complaint_decision_number, "decided_on": decided_on,
                              "deciding_unit": deciding_unit, "corrections": corrections,
                              "legal_basis": legal_basis, "received_at": at})


INTERNAL_EVENTS: frozenset[type] = frozenset({CaseCorrections.Started, CaseCorrections.CorrectionRequested})


def load(app: Any, case_id: UUID) -> CaseCorrections | None:
    try:
        found = app.repository.get(corrections_id(case_id))
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, CaseCorrections) else None


router = APIRouter(tags=["khiếu nại"], responses=error_responses(401, 403, 404, 422, 503))


@router.get("/cases/{case_id}/correction-requests",
            summary="Yêu cầu khắc phục theo quyết định giải quyết khiếu nại (khiếu nại đúng)")
async def correction_requests(request: Request, case_id: UUID,
                              principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    rt = request.app.state.runtime
    case = await rt.executor.run(rt.app.get_case, case_id)
    banks = {p.bank_code for p in getattr(case, "parties", {}).values() if p.bank_code}
    check_case_read(principal, case.unit_id, banks, case_id)
    found = await rt.executor.run(load, rt.app, case_id)
    return {"case_id": str(case_id), "items": [] if found is None else found.requests}
