"""Citizen reception (tiếp công dân; Law 42/2013 Art. 18; domain.md §4): the head receives citizens in
person on scheduled days (at least one a month, `month_compliance`) and in ad-hoc sessions for urgent or
mass cases (an ad-hoc session names why: rule reception.ad_hoc_reason). Each visit is recorded with what
was raised (no personal data: the summary is the matter, not the person) and where it was routed.

Vượt cấp [GK]: a petition brought ABOVE the competent level — a province office receiving a matter of one
of its regional (district) offices, or the central department receiving any office's matter — is
flagged and forwarded to the competent office (`is_vuot_cap`); a petition for another office at the
same or a lower level is forwarded without the flag. Pure: stdlib and eventsourcing.domain."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Iterable
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .domain import CENTRAL_UNIT, ComplaintsError, InvalidDateError, InvalidValueError, province_of

MIN_SCHEDULED_PER_MONTH = 1


class SessionKind(StrEnum):
    SCHEDULED = "scheduled"         # định kỳ
    AD_HOC = "ad_hoc"               # đột xuất


class AdHocReason(StrEnum):
    URGENT = "urgent"               # vụ việc khẩn cấp
    MASS = "mass"                   # đông người, phức tạp


class PetitionKind(StrEnum):
    COMPLAINT = "complaint"
    DENUNCIATION = "denunciation"
    PROPOSAL = "proposal"


class AdHocReasonError(ComplaintsError):
    rule = "reception.ad_hoc_reason"
    legal_basis = "Luật Tiếp công dân 2013 Điều 18"
    message_vi = "Buổi tiếp công dân đột xuất phải nêu lý do: vụ việc khẩn cấp hoặc đông người, phức tạp."


def is_vuot_cap(reception_unit: str, competent_unit: str) -> bool:
    if reception_unit == competent_unit:
        return False
    if reception_unit == CENTRAL_UNIT:
        return True
    return "-" not in reception_unit and "-" in competent_unit and province_of(competent_unit) == reception_unit


class ReceptionSession(Aggregate):
    """One reception session of an office's head."""

    @staticmethod
    def create_id(session_id: UUID) -> UUID:
        return session_id

    @event("Opened")
    def __init__(self, session_id: UUID, unit: str, kind: str, reason: str | None, held_on: date, head_id: str,
                 actor: str, at: datetime) -> None:
        self.unit, self.kind, self.reason = unit, SessionKind(kind), reason
        self.held_on, self.head_id = held_on, head_id
        self.visits: list[dict[str, Any]] = []

    @classmethod
    def open(cls, *, session_id: UUID, unit: str, kind: SessionKind, reason: AdHocReason | None, held_on: date,
             head_id: str, today: date, actor: str, at: datetime) -> "ReceptionSession":
        if held_on > today:
            raise InvalidDateError(f"held_on {held_on} is after today")
        if SessionKind(kind) is SessionKind.AD_HOC and reason is None:
            raise AdHocReasonError("an ad-hoc session names its reason")
        return cls(session_id=session_id, unit=unit, kind=SessionKind(kind).value,
                   reason=AdHocReason(reason).value if reason else None, held_on=held_on, head_id=head_id,
                   actor=actor, at=at)

    def record_visit(self, *, visit_id: UUID, petition_kind: PetitionKind, summary: str, competent_unit: str,
                     case_id: UUID | None, visitors: int, actor: str, at: datetime) -> dict[str, Any]:
        if not summary.strip():
            raise InvalidValueError("summary must not be blank", message_vi="Phải ghi nội dung công dân trình bày.")
        if visitors < 1:
            raise InvalidValueError("at least one visitor", message_vi="Phải có ít nhất một công dân.")
        vuot_cap = is_vuot_cap(self.unit, competent_unit)
        routed_to = competent_unit
        self._visit(visit_id=visit_id, petition_kind=PetitionKind(petition_kind).value, summary=summary,
                    competent_unit=competent_unit, routed_to=routed_to, forwarded=competent_unit != self.unit,
                    vuot_cap=vuot_cap, case_id=case_id, visitors=visitors, unit=self.unit, held_on=self.held_on,
                    actor=actor, at=at)
        return self.visits[-1]

    @event("VisitRecorded")
    def _visit(self, visit_id: UUID, petition_kind: str, summary: str, competent_unit: str, routed_to: str,
               forwarded: bool, vuot_cap: bool, case_id: UUID | None, visitors: int, unit: str, held_on: date,
               actor: str, at: datetime) -> None:
        self.visits.append({"visit_id": str(visit_id), "petition_kind": petition_kind, "summary": summary,
                            "competent_unit": competent_unit, "routed_to": routed_to, "forwarded": forwarded,
                            "vuot_cap": vuot_cap, "case_id": str(case_id) if case_id else None,
                            "visitors": visitors})


def month_compliance(held: Iterable[tuple[str, date]], year: int, month: int) -> dict[str, Any]:
    """Whether the head held at least one scheduled reception day in the month (kinds and dates given)."""
    days = sorted(d for kind, d in held if kind == SessionKind.SCHEDULED.value and (d.year, d.month) == (year, month))
    return {"year": year, "month": month, "scheduled_days": days, "compliant": len(days) >= MIN_SCHEDULED_PER_MONTH,
            "legal_basis": "Luật Tiếp công dân 2013 Điều 18"}
