"""The Filing aggregate: one online enforcement request (đơn yêu cầu thi hành án trực tuyến) from
submission to the office's answer, and afterwards the case's milestones the citizen follows.

Which rule lives where (domain.md §1.1; Law on Civil Judgment Enforcement "LCJE"; ND 152/2026):
- the filing date is the submission time, as for a request by post (LCJE Art. 31) → `submit`;
- the judgment's date of effect is not in the future, and a request names claim items with amounts
  or the act to be done → `submit`, `correct`;
- the office flags a defect within 1 WORKING DAY of the filing (ND 152/2026 Art. 9):
  `review_due_on` = 1 working day after the filing (or after its correction), Vietnamese calendar
  (calendar_vn); a late send-back is still recorded (the citizen must get it), marked `late`,
  and the filing shows on the overdue list meanwhile → `send_back`, `overdue`;
- a corrected filing keeps its tracking code and its history (the same aggregate; Corrected
  replaces the details, the earlier events stay) → `correct`;
- acceptance makes it a request received on the ONLINE channel (intake opens the case, whose
  5-working-day decision deadline then runs, LCJE Art. 36(1)) → `accept`; refusal on a legal
  ground of LCJE Art. 31(5) (no right to request, not competent, limitation expired) → `refuse`;
- once the case exists, its milestones (from intake's topic) in plain Vietnamese → `record_milestone`
  (each intake event once: its event id is remembered).

No personal data here: names, id numbers, addresses, contacts and what the requester says about the
debtor's assets live in the service's erasable table (personal_data.py). Pure: stdlib, eventsourcing
and the calendar only; time comes in as an argument.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .calendar_vn import add_working_days

VN_TZ = timezone(timedelta(hours=7))
REVIEW_WD = 1


def vn_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def business_date(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()


class OnlineError(Exception):
    """Base of every refused command on a filing: `rule`, `legal_basis`, `message_vi`; str() = detail."""
    rule: str = "filing.refused"
    legal_basis: str | None = None
    message_vi: str = "Yêu cầu bị từ chối theo quy định về tiếp nhận đơn yêu cầu thi hành án trực tuyến."

    def __init__(self, detail: str = "", *, message_vi: str | None = None) -> None:
        super().__init__(detail)
        if message_vi is not None:
            self.message_vi = message_vi


class InvalidFilingError(OnlineError):
    rule = "filing.invalid"
    message_vi = "Thông tin trong đơn không hợp lệ."


class JudgmentDateInFutureError(InvalidFilingError):
    rule = "filing.judgment_effective_not_in_future"
    legal_basis = "Luật THADS Điều 30, 31"
    message_vi = "Ngày bản án, quyết định có hiệu lực không được sau ngày nộp đơn."


class WrongStatusError(OnlineError):
    rule = "filing.wrong_status"
    message_vi = "Đơn không ở trạng thái cho phép thao tác này."


class FilingNotFoundError(OnlineError):
    rule = "filing.exists"
    message_vi = "Không tìm thấy đơn với mã tra cứu này."


class Status(StrEnum):
    SUBMITTED = "submitted"        # waiting for the office (also after a correction)
    SENT_BACK = "sent_back"        # the office listed what is missing; the citizen corrects
    ACCEPTED = "accepted"          # a request received on the online channel: intake opens the case
    REFUSED = "refused"


STATUS_LABELS = {
    Status.SUBMITTED: "Đã nộp, chờ cơ quan thi hành án xem xét",
    Status.SENT_BACK: "Cơ quan thi hành án đề nghị bổ sung, sửa đổi đơn",
    Status.ACCEPTED: "Đơn đã được tiếp nhận",
    Status.REFUSED: "Cơ quan thi hành án từ chối nhận đơn",
}

MISSING_LABELS = {
    "judgment_copy": "Bản sao bản án, quyết định",
    "authority_document": "Văn bản ủy quyền của người đại diện",
    "judgment_details": "Thông tin bản án (tòa án, số, ngày có hiệu lực)",
    "claim_details": "Nội dung yêu cầu thi hành án (khoản tiền, việc phải làm)",
    "debtor_information": "Thông tin về người phải thi hành án, tài sản, thu nhập",
    "requester_identity": "Thông tin người yêu cầu",
    "other": "Nội dung khác (xem ghi chú)",
}

REFUSAL_GROUNDS = {
    "no_right_to_request": "Người nộp đơn không có quyền yêu cầu thi hành án (Luật THADS Điều 31(5))",
    "not_competent": "Cơ quan không có thẩm quyền thi hành (Luật THADS Điều 31(5), Điều 35)",
    "limitation_expired": "Hết thời hiệu yêu cầu thi hành án (Luật THADS Điều 30, 31(5))",
}

STEP_LABELS = {
    "Submitted": "Đã nộp đơn trực tuyến",
    "SentBack": "Cơ quan thi hành án đề nghị bổ sung đơn",
    "Corrected": "Đã bổ sung, sửa đổi đơn",
    "Accepted": "Đơn được tiếp nhận; việc thi hành án được mở",
    "Refused": "Đơn bị từ chối",
}


def filing_id_of(tracking_code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/thads/online/filings/{tracking_code}")


def case_id_of(unit: str, tracking_code: str) -> UUID:
    """The case intake opens for an accepted filing: intake's id of a request registered under the
    intake reference `tracking_code` at office `unit` (thads_contracts.online explains the rule)."""
    return uuid5(NAMESPACE_URL, f"/thads/units/{unit}/requests/{tracking_code}")


def _check_details(details: dict[str, Any], filed_on: date) -> None:
    effective = details["judgment_effective_on"]
    if isinstance(effective, str):
        effective = date.fromisoformat(effective)
    if effective > filed_on:
        raise JudgmentDateInFutureError(
            f"judgment_effective_on {effective} is after the filing date {filed_on}",
            message_vi=f"Ngày bản án có hiệu lực ({vn_date(effective)}) không được sau ngày nộp đơn ({vn_date(filed_on)}).")
    if not details.get("claims") and not (details.get("act") or "").strip():
        raise InvalidFilingError("a request names claim items with amounts, or the act to be done",
                                 message_vi="Đơn phải nêu khoản tiền yêu cầu thi hành hoặc việc phải làm.")


class Filing(Aggregate):
    """`details`: the non-personal content of the request (judgment, claims or act, attachments'
    hashes, the requester's capacity); kept whole so that a correction replaces it in one event."""

    @event("Submitted")
    def __init__(self, tracking_code: str, unit: str, suggested_unit: str | None, details: dict[str, Any],
                 filed_at: datetime, review_due_on: date) -> None:
        self.tracking_code, self.unit, self.suggested_unit = tracking_code, unit, suggested_unit
        self.details = details
        self.filed_at, self.review_due_on = filed_at, review_due_on
        self.status = Status.SUBMITTED
        self.missing: list[str] = []
        self.note: str | None = None
        self.case_id: UUID | None = None
        self.refusal_ground: str | None = None
        self.history: list[dict[str, Any]] = [{"step": "Submitted", "at": filed_at.isoformat()}]
        self.milestones: list[dict[str, Any]] = []
        self.seen_case_events: list[str] = []

    @classmethod
    def create_id(cls, tracking_code: str, **_: Any) -> UUID:
        return filing_id_of(tracking_code)

    @classmethod
    def submit(cls, *, tracking_code: str, unit: str, suggested_unit: str | None, details: dict[str, Any],
               at: datetime) -> "Filing":
        filed_on = business_date(at)
        _check_details(details, filed_on)
        return cls(tracking_code=tracking_code, unit=unit, suggested_unit=suggested_unit, details=details,
                   filed_at=at, review_due_on=add_working_days(filed_on, REVIEW_WD))

    # ------------------------------------------------------------------ office's answers
    def _published(self) -> dict[str, Any]:
        """What every published event carries besides its own facts, so the relay translates it alone."""
        return {"tracking_code": self.tracking_code, "unit": self.unit, "details": self.details,
                "filed_on": business_date(self.filed_at).isoformat(), "review_due_on": self.review_due_on.isoformat()}

    def _ensure(self, *allowed: Status, doing: str) -> None:
        if self.status not in allowed:
            raise WrongStatusError(f"cannot {doing} a filing in status {self.status.value}",
                                   message_vi=f"Không thể thực hiện thao tác với đơn ở trạng thái: "
                                              f"{STATUS_LABELS[self.status]}.")

    def send_back(self, *, missing: list[str], note: str | None, actor: str, at: datetime) -> None:
        self._ensure(Status.SUBMITTED, doing="send back")
        if not missing:
            raise InvalidFilingError("a send-back lists what is missing",
                                     message_vi="Phải nêu rõ nội dung cần bổ sung.")
        on = business_date(at)
        self._sent_back(missing=list(missing), note=note, sent_back_on=on, late=on > self.review_due_on,
                        actor=actor, at=at, ctx=self._published())

    @event("SentBack")
    def _sent_back(self, missing: list[str], note: str | None, sent_back_on: date, late: bool, actor: str,
                   at: datetime, ctx: dict[str, Any]) -> None:
        self.status, self.missing, self.note = Status.SENT_BACK, missing, note
        self.history.append({"step": "SentBack", "at": at.isoformat(), "missing": missing, "late": late})

    def correct(self, *, details: dict[str, Any], unit: str | None, at: datetime) -> None:
        self._ensure(Status.SENT_BACK, doing="correct")
        on = business_date(at)
        _check_details(details, on)
        self._corrected(details=details, unit=unit or self.unit, corrected_on=on,
                        review_due_on=add_working_days(on, REVIEW_WD), at=at,
                        ctx=self._published() | {"unit": unit or self.unit})

    @event("Corrected")
    def _corrected(self, details: dict[str, Any], unit: str, corrected_on: date, review_due_on: date,
                   at: datetime, ctx: dict[str, Any]) -> None:
        self.details, self.unit, self.review_due_on = details, unit, review_due_on
        self.status, self.missing, self.note = Status.SUBMITTED, [], None
        self.history.append({"step": "Corrected", "at": at.isoformat()})

    def accept(self, *, actor: str, at: datetime) -> None:
        self._ensure(Status.SUBMITTED, doing="accept")
        self._accepted(case_id=case_id_of(self.unit, self.tracking_code), accepted_on=business_date(at),
                       actor=actor, at=at, ctx=self._published())

    @event("Accepted")
    def _accepted(self, case_id: UUID, accepted_on: date, actor: str, at: datetime, ctx: dict[str, Any]) -> None:
        self.status, self.case_id = Status.ACCEPTED, case_id
        self.history.append({"step": "Accepted", "at": at.isoformat()})

    def refuse(self, *, ground: str, note: str | None, actor: str, at: datetime) -> None:
        self._ensure(Status.SUBMITTED, Status.SENT_BACK, doing="refuse")
        if ground not in REFUSAL_GROUNDS:
            raise InvalidFilingError(f"unknown refusal ground {ground!r}",
                                     message_vi="Căn cứ từ chối không hợp lệ.")
        self._refused(ground=ground, note=note, refused_on=business_date(at), actor=actor, at=at,
                      ctx=self._published())

    @event("Refused")
    def _refused(self, ground: str, note: str | None, refused_on: date, actor: str, at: datetime,
                 ctx: dict[str, Any]) -> None:
        self.status, self.refusal_ground, self.note = Status.REFUSED, ground, note
        self.history.append({"step": "Refused", "at": at.isoformat(), "ground": ground})

    # ------------------------------------------------------------------ the case, once it exists
    def record_milestone(self, *, source_event_id: str, kind: str, label: str, occurred_at: datetime) -> bool:
        """A milestone of the filing's case; False (nothing recorded) for an event already seen."""
        if source_event_id in self.seen_case_events:
            return False
        self._milestone(source_event_id=source_event_id, kind=kind, label=label, occurred_at=occurred_at)
        return True

    @event("CaseMilestone")
    def _milestone(self, source_event_id: str, kind: str, label: str, occurred_at: datetime) -> None:
        self.seen_case_events.append(source_event_id)
        self.milestones.append({"kind": kind, "label": label, "at": occurred_at.isoformat()})

    # ------------------------------------------------------------------ reads
    def overdue(self, today: date) -> bool:
        return self.status is Status.SUBMITTED and today > self.review_due_on
