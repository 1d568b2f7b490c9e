"""The BadDebtFile aggregate: one credit institution's debt in one enforcement case (hồ sơ nợ xấu).

Which rule lives where (domain.md §5, §1.5, §3; Law on Civil Judgment Enforcement "LCJE"; Law on
Credit Institutions 32/2024 as amended by 96/2025 "LCI"; TTLT 02/2014):
- a file is opened when a case has a creditor that is a registered credit institution
  (`institutions.py`); its id is `file_id(case_id, bank_code)`, so a redelivered party opens nothing;
- the bank's claim items and whether they are secured (LCJE Art. 47(3)) → `add_claim`;
- collateral (tài sản bảo đảm) reported by the bank or the team → `register_collateral`; its link to
  the asset THADS seized (LCI Art. 198b, LCJE Art. 90) → `link_seized_asset` (an unknown collateral is
  refused: rule `collateral.unknown`); the collateral share of the sale money is the bank's priority
  (LCJE Art. 47(3); Res. 42/2017) → `record_collateral_proceeds`;
- the per-bank feed: each event of the case the bank may see becomes ONE numbered entry
  (`record_feed_entry`; a source event already fed records nothing, so a re-published event is fed once);
- inbound from the bank: a repayment received directly (on one of ITS claim items, a positive amount,
  once per repayment id: rule `repayment.*`) → `report_repayment`; acknowledgement of a feed entry →
  `acknowledge`; information requests answered within 3 working days (TTLT 02/2014 Art. 6; ND152/2026
  Art. 21) → `request_information` / `answer_information`, `overdue_requests`;
- the assigned bad-debt team (Tổ xử lý nợ xấu) → `assign_team`.

Pure: stdlib, eventsourcing.domain and the working-day calendar; time and ids come in as arguments.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .calendar_vn import add_working_days

VN_TZ = timezone(timedelta(hours=7))
FILE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:thads:recovery:bad-debt-file")
INFORMATION_DAYS = 3         # working days for a bank's answer (TTLT 02/2014; ND152/2026 Art. 21)


def file_id(case_id: UUID | str, bank_code: str) -> UUID:
    return uuid5(FILE_NAMESPACE, f"{case_id}/{bank_code}")


# ---------------------------------------------------------------------------- refusals


class RecoveryError(Exception):
    """Base of every refused command on a bad-debt file: `rule`, `legal_basis`, `message_vi`."""
    rule: str = "recovery.refused"
    legal_basis: str | None = None
    message_vi: str = "Yêu cầu bị từ chối theo quy định về phối hợp xử lý nợ xấu."

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)


class FileNotFoundError_(RecoveryError):
    rule = "bad_debt_file.not_found"
    message_vi = "Không tìm thấy hồ sơ nợ xấu của tổ chức tín dụng trong việc thi hành án này."


class OtherBankError(RecoveryError):
    rule = "bank.other_bank"
    message_vi = "Tổ chức tín dụng chỉ được thao tác trên hồ sơ của chính mình."


class RepaymentOtherClaimError(RecoveryError):
    rule = "repayment.other_claim"
    legal_basis = "Điều 47 Luật THADS"
    message_vi = "Khoản trả nợ phải thuộc khoản phải thi hành án mà tổ chức tín dụng là người được thi hành án."


class RepaymentConflictError(RecoveryError):
    rule = "repayment.id_reused"
    message_vi = "Mã khoản trả nợ đã được dùng cho một khoản trả nợ khác."


class RepaymentTooLargeError(RecoveryError):
    rule = "repayment.exceeds_claim"
    legal_basis = "Điều 47 Luật THADS"
    message_vi = "Tổng số tiền báo đã nhận vượt quá số tiền phải thi hành của khoản này."


class CollateralUnknownError(RecoveryError):
    rule = "collateral.unknown"
    legal_basis = "Điều 90 Luật THADS; Điều 198b Luật Các tổ chức tín dụng"
    message_vi = "Tài sản bảo đảm không có trong hồ sơ nợ xấu."


class CollateralConflictError(RecoveryError):
    rule = "collateral.id_reused"
    message_vi = "Mã tài sản bảo đảm đã được dùng cho một tài sản khác."


class RequestUnknownError(RecoveryError):
    rule = "information_request.unknown"
    message_vi = "Không có yêu cầu cung cấp thông tin này trong hồ sơ."


class RequestAnsweredError(RecoveryError):
    rule = "information_request.already_answered"
    message_vi = "Yêu cầu cung cấp thông tin đã được trả lời."


class EntryUnknownError(RecoveryError):
    rule = "feed.unknown_entry"
    message_vi = "Không có thông tin số thứ tự này trong luồng tin của tổ chức tín dụng."


class InvalidValueError(RecoveryError):
    rule = "recovery.invalid_value"
    message_vi = "Giá trị không hợp lệ."


# ---------------------------------------------------------------------------- the aggregate


class BadDebtFile(Aggregate):
    @staticmethod
    def create_id(case_id: str, bank_code: str, **_: Any) -> UUID:
        return file_id(case_id, bank_code)

    @event("Opened")
    def __init__(self, case_id: str, bank_code: str, institution_name: str, bank_party_id: str, unit: str,
                 at: datetime, actor: str = "system/recovery") -> None:
        self.case_id = UUID(case_id)
        self.bank_code = bank_code
        self.institution_name = institution_name
        self.bank_party_id = bank_party_id
        self.unit = unit
        self.opened_at = at
        self.status = "open"
        self.closed_on: date | None = None
        self.team: str | None = None
        self.claims: dict[str, dict[str, Any]] = {}
        self.collaterals: dict[str, dict[str, Any]] = {}
        self.feed_seq = 0
        self.fed: set[str] = set()
        self.acknowledged: set[int] = set()
        self.repayments: dict[str, dict[str, Any]] = {}
        self.requests: dict[str, dict[str, Any]] = {}
        self.collateral_proceeds_vnd = 0

    # -- claims and collateral ------------------------------------------------------------------

    def add_claim(self, claim_item_id: str, amount_vnd: int, secured: bool, at: datetime) -> bool:
        if claim_item_id in self.claims:
            return False
        self._claim_added(claim_item_id=claim_item_id, amount_vnd=amount_vnd, secured=secured, at=at)
        return True

    @event("ClaimAdded")
    def _claim_added(self, claim_item_id: str, amount_vnd: int, secured: bool, at: datetime) -> None:
        self.claims[claim_item_id] = {"amount_vnd": amount_vnd, "secured": secured, "repaid_vnd": 0}

    def register_collateral(self, collateral_id: str, description: str, kind: str, value_vnd: int,
                            claim_item_ids: list[str], reported_on: date, actor: str, at: datetime) -> bool:
        """The bank's collateral data (hợp đồng thế chấp): same id and same data again records nothing."""
        if not description.strip():
            raise InvalidValueError("the collateral's description is blank")
        unknown = [c for c in claim_item_ids if c not in self.claims]
        if unknown:
            raise RepaymentOtherClaimError(f"claim items {unknown} are not this bank's in case {self.case_id}")
        data = {"description": description, "kind": kind, "value_vnd": value_vnd,
                "claim_item_ids": sorted(claim_item_ids), "reported_on": reported_on.isoformat()}
        known = self.collaterals.get(collateral_id)
        if known is not None:
            if {k: known[k] for k in data} != data:
                raise CollateralConflictError(f"collateral {collateral_id} is already registered with other data")
            return False
        self._collateral_registered(collateral_id=collateral_id, data=data, actor=actor, at=at)
        return True

    @event("CollateralRegistered")
    def _collateral_registered(self, collateral_id: str, data: dict[str, Any], actor: str, at: datetime) -> None:
        self.collaterals[collateral_id] = dict(data) | {"asset_id": None}

    def link_seized_asset(self, collateral_id: str, asset_id: str, actor: str, at: datetime) -> bool:
        """THADS seized this collateral (LCI Art. 198b): the asset and the collateral are one thing."""
        known = self.collaterals.get(collateral_id)
        if known is None:
            raise CollateralUnknownError(f"collateral {collateral_id} is not on file {self.id}")
        if known["asset_id"] == asset_id:
            return False
        self._asset_linked(collateral_id=collateral_id, asset_id=asset_id, actor=actor, at=at)
        return True

    @event("SeizedAssetLinked")
    def _asset_linked(self, collateral_id: str, asset_id: str, actor: str, at: datetime) -> None:
        self.collaterals[collateral_id]["asset_id"] = asset_id

    def collateral_of_asset(self, asset_id: str) -> str | None:
        return next((cid for cid, c in self.collaterals.items() if c["asset_id"] == asset_id), None)

    @property
    def secured(self) -> bool:
        return any(c["secured"] for c in self.claims.values())

    # -- the feed -------------------------------------------------------------------------------

    def record_feed_entry(self, source_event_id: str, source_event_type: str, kind: str, legal_basis: str,
                          occurred_at: datetime, data: dict[str, Any], at: datetime,
                          collateral_proceeds_vnd: int = 0) -> bool:
        """One entry of the bank's feed for a case event; an event already fed records nothing."""
        if source_event_id in self.fed:
            return False
        self._fed(seq=self.feed_seq + 1, case_id=str(self.case_id), bank_code=self.bank_code, unit=self.unit,
                  bank_party_id=self.bank_party_id, source_event_id=source_event_id, source_event_type=source_event_type,
                  kind=kind, legal_basis=legal_basis, occurred_at=occurred_at, data=data,
                  collateral_proceeds_vnd=collateral_proceeds_vnd, at=at)
        return True

    @event("FeedEntryRecorded")
    def _fed(self, seq: int, case_id: str, bank_code: str, unit: str, bank_party_id: str, source_event_id: str, source_event_type: str, kind: str, legal_basis: str,
             occurred_at: datetime, data: dict[str, Any], collateral_proceeds_vnd: int, at: datetime) -> None:
        self.feed_seq = seq
        self.fed.add(source_event_id)
        self.collateral_proceeds_vnd += collateral_proceeds_vnd
        if kind in ("termination", "completion", "revocation"):
            self.status = "closed"
            self.closed_on = occurred_at.astimezone(VN_TZ).date()     # the retention of personal data runs from here

    def acknowledge(self, sequence: int, actor: str, at: datetime) -> bool:
        if not 1 <= sequence <= self.feed_seq:
            raise EntryUnknownError(f"file {self.id} has entries 1..{self.feed_seq}, not {sequence}")
        if sequence in self.acknowledged:
            return False
        self._acknowledged(sequence=sequence, actor=actor, at=at)
        return True

    @event("Acknowledged")
    def _acknowledged(self, sequence: int, actor: str, at: datetime) -> None:
        self.acknowledged.add(sequence)

    # -- repayments received by the bank --------------------------------------------------------

    def report_repayment(self, repayment_id: str, claim_item_id: str, amount_vnd: int, received_on: date,
                         bank_reference: str | None, actor: str, at: datetime) -> bool:
        """A debtor repaid the bank directly (partial performance): once per repayment id."""
        if amount_vnd <= 0:
            raise InvalidValueError(f"amount {amount_vnd} must be positive")
        if claim_item_id not in self.claims:
            raise RepaymentOtherClaimError(f"claim item {claim_item_id} is not {self.bank_code}'s in case {self.case_id}")
        data = {"claim_item_id": claim_item_id, "amount_vnd": amount_vnd, "received_on": received_on.isoformat(),
                "bank_reference": bank_reference}
        known = self.repayments.get(repayment_id)
        if known is not None:
            if known != data:
                raise RepaymentConflictError(f"repayment {repayment_id} was reported with other figures")
            return False
        claim = self.claims[claim_item_id]
        if claim["amount_vnd"] and claim["repaid_vnd"] + amount_vnd > claim["amount_vnd"]:
            raise RepaymentTooLargeError(
                f"{claim['repaid_vnd']} + {amount_vnd} exceeds the claim's {claim['amount_vnd']} đồng")
        self._repaid(repayment_id=repayment_id, case_id=str(self.case_id), bank_code=self.bank_code, unit=self.unit,
                     data=data, actor=actor, at=at)
        return True

    @event("RepaymentReported")
    def _repaid(self, repayment_id: str, case_id: str, bank_code: str, unit: str, data: dict[str, Any], actor: str, at: datetime) -> None:
        self.repayments[repayment_id] = dict(data)
        self.claims[data["claim_item_id"]]["repaid_vnd"] += data["amount_vnd"]

    # -- information requests -------------------------------------------------------------------

    def request_information(self, request_id: str, subject: str, requested_on: date, actor: str,
                            at: datetime) -> bool:
        if not subject.strip():
            raise InvalidValueError("the request's subject is blank")
        if request_id in self.requests:
            return False
        self._requested(request_id=request_id, subject=subject, requested_on=requested_on,
                        due_on=add_working_days(requested_on, INFORMATION_DAYS), actor=actor, at=at)
        return True

    @event("InformationRequested")
    def _requested(self, request_id: str, subject: str, requested_on: date, due_on: date, actor: str,
                   at: datetime) -> None:
        self.requests[request_id] = {"subject": subject, "requested_on": requested_on.isoformat(),
                                     "due_on": due_on.isoformat(), "answered_on": None, "answer": None}

    def answer_information(self, request_id: str, answer: str, answered_on: date, actor: str, at: datetime) -> bool:
        req = self.requests.get(request_id)
        if req is None:
            raise RequestUnknownError(f"no request {request_id} on file {self.id}")
        if req["answered_on"] is not None:
            if req["answer"] == answer and req["answered_on"] == answered_on.isoformat():
                return False
            raise RequestAnsweredError(f"request {request_id} was answered on {req['answered_on']}")
        if not answer.strip():
            raise InvalidValueError("the answer is blank")
        if answered_on < date.fromisoformat(req["requested_on"]):
            raise InvalidValueError("the answer is dated before the request")
        self._answered(request_id=request_id, answer=answer, answered_on=answered_on,
                       late=answered_on > date.fromisoformat(req["due_on"]), actor=actor, at=at)
        return True

    @event("InformationAnswered")
    def _answered(self, request_id: str, answer: str, answered_on: date, late: bool, actor: str, at: datetime) -> None:
        self.requests[request_id] |= {"answer": answer, "answered_on": answered_on.isoformat(), "late": late}

    def overdue_requests(self, today: date) -> list[dict[str, Any]]:
        return [{"request_id": rid} | r for rid, r in self.requests.items()
                if r["answered_on"] is None and date.fromisoformat(r["due_on"]) < today]

    # -- team -----------------------------------------------------------------------------------

    def assign_team(self, team: str, actor: str, at: datetime) -> bool:
        if not team.strip():
            raise InvalidValueError("the team's name is blank")
        if team == self.team:
            return False
        self._team(team=team, actor=actor, at=at)
        return True

    @event("TeamAssigned")
    def _team(self, team: str, actor: str, at: datetime) -> None:
        self.team = team
