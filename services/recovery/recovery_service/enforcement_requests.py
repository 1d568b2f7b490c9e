"""A credit institution's request for enforcement as a creditor (issue 10 §3; LCJE Art. 31, 35).

Which rule lives where:
- who may file: a bank token, for its own code only (api.py `_own_bank`, rule `bank.other_bank`), and only
  a registered credit institution (`institutions.py`, rule `bank.unknown`);
- what a request must hold (here, `EnforcementRequest.file`): the judgment (number, court, effective date
  not after the filing date), the office it is filed with, at least one claim item with a positive amount,
  each claim item id once (`enforcement_request.*`); the filing date is not in the future;
- once per request: the id is `request_id_of(bank, request id)`; the same request again records nothing
  and answers as before, another request under the same id is refused (`enforcement_request.id_reused`);
- what becomes of it: the relay publishes `recovery.EnforcementRequested.v1` on thads.recovery.debt;
  intake registers the request (a case on the online channel, the bank as creditor party, its claim
  items) exactly once (intake_service/consumers_bank_requests.py); recovery opens the bank's file from
  intake's PartyAdded and tells the bank in its feed (`request_registered`, consumers.py);
- personal data (the debtor's name, id number, address, the bank's contact person) is never in an event:
  it is written with the Filed event into `request_personal_data` (projections.py), erasable by the head of
  the office (`erase_personal_data`) on a ground and at the request of someone entitled, as intake erases a
  party's (intake_service/domain/erasure.py, the platform's rule): refused while the bank's file on the case is
  open and for RETENTION_YEARS after it closed (`personal_data.retention`); the erasure is an event of its own
  in recovery's hash-chained store (who asked, ground, written request, the head who approved it), and the
  table's fields become "[erased]" in the same transaction.

The case id is the one intake gives a request registered under `intake_ref` in `unit`:
uuid5(NAMESPACE_URL, "/thads/units/<unit>/requests/<intake_ref>") (the contract documents it).
Pure: stdlib and eventsourcing.domain; time comes in as an argument.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from thads_calendar.retention import (ERASURE_BASIS, ERASURE_GROUNDS, ERASURE_REQUESTERS,  # the platform's one rule
                                      RETENTION_BASIS, RETENTION_YEARS, retained_until)

from .domain import RecoveryError, file_id

REQUEST_NAMESPACE = uuid5(NAMESPACE_URL, "urn:thads:recovery:enforcement-request")
FILING_BASIS = "Điều 31, 35 Luật THADS"


def request_id_of(bank_code: str, request_id: UUID | str) -> UUID:
    return uuid5(REQUEST_NAMESPACE, f"{bank_code}/{request_id}")


def intake_ref_of(bank_code: str, request_id: UUID | str) -> str:
    return f"TCTD-{bank_code}-{UUID(str(request_id)).hex}"


def case_id_of(unit: str, intake_ref: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/thads/units/{unit}/requests/{intake_ref}")


def file_id_of_request(req: EnforcementRequest) -> UUID:
    """The bank's file on the case registered from the request (it exists once intake registered it)."""
    return file_id(req.case_id, req.bank_code)


def bank_party_of(bank_code: str, request_id: UUID | str) -> UUID:
    return uuid5(request_id_of(bank_code, request_id), "bank-party")


class UnknownBankError(RecoveryError):
    rule = "bank.unknown"
    message_vi = "Tổ chức tín dụng chưa có trong danh mục tổ chức tín dụng của hệ thống."


class RequestInvalidError(RecoveryError):
    rule = "enforcement_request.invalid"
    legal_basis = FILING_BASIS
    message_vi = "Yêu cầu thi hành án của tổ chức tín dụng thiếu hoặc sai thông tin về bản án, quyết định."


class RequestReusedError(RecoveryError):
    rule = "enforcement_request.id_reused"
    message_vi = "Mã yêu cầu thi hành án đã được dùng cho một yêu cầu khác."


def _check(details: dict[str, Any], today: date) -> None:
    effective, filed = date.fromisoformat(details["judgment_effective_on"]), date.fromisoformat(details["filed_on"])
    if filed > today:
        raise RequestInvalidError(f"filed_on {filed} is after today {today}")
    if effective > filed:
        raise RequestInvalidError(f"the judgment takes effect on {effective}, after the request's filing on {filed}")
    for key in ("judgment_number", "issuing_court", "unit"):
        if not str(details.get(key) or "").strip():
            raise RequestInvalidError(f"{key} is blank")
    claims = details["claims"]
    if not claims:
        raise RequestInvalidError("a request names at least one claim item")
    ids = [c["claim_item_id"] for c in claims]
    if len(set(ids)) != len(ids):
        raise RequestInvalidError("a claim item id appears twice")
    if any(c["amount_vnd"] <= 0 for c in claims):
        raise RequestInvalidError("every claim item's amount is positive")




class RetentionError(RecoveryError):
    rule = "personal_data.retention"
    legal_basis = RETENTION_BASIS
    message_vi = ("Chưa được xóa thông tin cá nhân: hồ sơ phải được lưu giữ khi việc thi hành án chưa kết thúc và "
                  f"trong {RETENTION_YEARS} năm kể từ khi kết thúc.")


class ErasureInvalidError(RecoveryError):
    rule = "personal_data.erasure_invalid"
    legal_basis = ERASURE_BASIS
    message_vi = "Yêu cầu xóa thông tin cá nhân phải nêu căn cứ, người yêu cầu và văn bản yêu cầu."


class EnforcementRequest(Aggregate):
    """One bank's request; `details` holds no personal data (the caller keeps that apart)."""

    @staticmethod
    def create_id(bank_code: str, request_id: str, **_: Any) -> UUID:
        return request_id_of(bank_code, request_id)

    @classmethod
    def file(cls, *, bank_code: str, request_id: str, details: dict[str, Any], actor: str, at: datetime
             ) -> EnforcementRequest:
        _check(details, at.date())
        intake_ref = intake_ref_of(bank_code, request_id)
        return cls(bank_code=bank_code, request_id=request_id, unit=details["unit"], intake_ref=intake_ref,
                   case_id=str(case_id_of(details["unit"], intake_ref)),
                   bank_party_id=str(bank_party_of(bank_code, request_id)), details=details, actor=actor, at=at)

    @event("Filed")
    def __init__(self, bank_code: str, request_id: str, unit: str, intake_ref: str, case_id: str, bank_party_id: str,
                 details: dict[str, Any], actor: str, at: datetime) -> None:
        self.bank_code, self.request_id, self.unit, self.intake_ref = bank_code, request_id, unit, intake_ref
        self.case_id, self.bank_party_id = UUID(case_id), bank_party_id
        self.details = dict(details)
        self.filed_at = at
        self.erased: dict[str, Any] | None = None

    def erase_personal_data(self, *, ground: str, requested_by: str, request_ref: str, file_closed_on: date | None,
                            today: date, actor: str, at: datetime) -> bool:
        """The debtor's and the contact's data of this request erased; once (a repeat records nothing)."""
        if ground not in ERASURE_GROUNDS or requested_by not in ERASURE_REQUESTERS or not request_ref.strip():
            raise ErasureInvalidError(f"ground {ground!r}, requested by {requested_by!r}, request {request_ref!r}")
        if self.erased is not None:
            return False
        if file_closed_on is None:
            raise RetentionError(f"the bank's file on case {self.case_id} is not closed")
        if today < retained_until(file_closed_on):
            raise RetentionError(f"closed on {file_closed_on}: kept until {retained_until(file_closed_on)}")
        self._erased(ground=ground, requested_by=requested_by, request_ref=request_ref, actor=actor, at=at)
        return True

    @event("PersonalDataErased")
    def _erased(self, ground: str, requested_by: str, request_ref: str, actor: str, at: datetime) -> None:
        self.erased = {"ground": ground, "requested_by": requested_by, "request_ref": request_ref, "by": actor,
                       "at": at.isoformat(), "legal_basis": ERASURE_BASIS}

    def same_as(self, details: dict[str, Any]) -> bool:
        return self.details == details

    def answer(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "bank_code": self.bank_code, "unit": self.unit,
                "intake_ref": self.intake_ref, "case_id": str(self.case_id), "bank_party_id": self.bank_party_id,
                "status": "filed", "legal_basis": FILING_BASIS}
