"""The words of the intake domain: statuses and their Vietnamese labels, origins, claim kinds, the
grounds each article allows (Art. 31(5), 44a, 48, 49, 50, 55, 37), measures (Art. 66, 71), roles and
the Actor of a command. Nothing here decides anything: the rules that use these words live in
transitions.py, money.py, fees.py, limitation.py and case.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from intake_service.domain.values import MAX_VND, VN_TZ, _token  # noqa: F401  (re-exported)


class Status(StrEnum):
    JUDGMENT_RECEIVED = "JUDGMENT_RECEIVED"
    REQUEST_RECEIVED = "REQUEST_RECEIVED"
    REJECTED = "REJECTED"
    DECIDED = "DECIDED"
    VOLUNTARY = "VOLUNTARY"
    VERIFYING = "VERIFYING"
    ENFORCING = "ENFORCING"
    NO_CONDITION = "NO_CONDITION"
    SEPARATE_REGISTER = "SEPARATE_REGISTER"
    POSTPONED = "POSTPONED"
    SUSPENDED = "SUSPENDED"
    MONEY_HELD = "MONEY_HELD"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"
    DELEGATED_OUT = "DELEGATED_OUT"
    REVOKED = "REVOKED"
    RETURNED = "RETURNED"  # 2026: on-request case sent back to the requester (ND 152/2026 Art. 22)


STATUS_LABELS: dict[Status, str] = {
    Status.JUDGMENT_RECEIVED: "Đã nhận bản án, quyết định",
    Status.REQUEST_RECEIVED: "Đã nhận yêu cầu thi hành án",
    Status.REJECTED: "Từ chối yêu cầu thi hành án",
    Status.DECIDED: "Đã ra quyết định thi hành án",
    Status.VOLUNTARY: "Trong thời hạn tự nguyện thi hành án",
    Status.VERIFYING: "Đang xác minh điều kiện thi hành án",
    Status.ENFORCING: "Đang tổ chức thi hành án",
    Status.NO_CONDITION: "Chưa có điều kiện thi hành án",
    Status.SEPARATE_REGISTER: "Chuyển sổ theo dõi riêng",
    Status.POSTPONED: "Hoãn thi hành án",
    Status.SUSPENDED: "Tạm đình chỉ thi hành án",
    Status.MONEY_HELD: "Đã thu tiền, chờ chi trả",
    Status.COMPLETED: "Thi hành xong",
    Status.TERMINATED: "Đình chỉ thi hành án",
    Status.DELEGATED_OUT: "Ủy thác thi hành án",
    Status.REVOKED: "Thu hồi quyết định thi hành án",
    Status.RETURNED: "Gửi lại yêu cầu thi hành án",
}


class Origin(StrEnum):
    JUDGMENT = "judgment"
    REQUEST = "request"
    DELEGATION = "delegation"  # received from another office by delegation (ủy thác, Arts. 55–57)


class Basis(StrEnum):
    EX_OFFICIO = "ex_officio"
    ON_REQUEST = "on_request"


class Matter(StrEnum):
    ORDINARY = "ordinary"
    PROVISIONAL_MEASURE = "provisional_measure"  # BPKCTT: decide and verify immediately
    BANKRUPTCY = "bankruptcy"


class Channel(StrEnum):
    IN_PERSON = "in_person"
    POST = "post"
    ONLINE = "online"


class Role(StrEnum):
    HEAD = "head"
    DEPUTY_HEAD = "deputy_head"
    OFFICER = "officer"
    CLERK = "clerk"
    ACCOUNTANT = "accountant"
    INSPECTOR = "inspector"
    SYSTEM = "system"


class PartyRole(StrEnum):
    CREDITOR = "creditor"
    DEBTOR = "debtor"
    RELATED = "related"


class PartyKind(StrEnum):
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"
    CREDIT_INSTITUTION = "credit_institution"
    STATE = "state"


class ClaimKind(StrEnum):
    MAINTENANCE = "maintenance"
    WAGES_LIFE_COMPENSATION = "wages_life_compensation"
    COURT_FEE = "court_fee"
    CREDIT_DEBT = "credit_debt"
    FINE = "fine"
    CONFISCATION = "confiscation"
    RETURN_OF_ASSETS = "return_of_assets"
    OTHER = "other"


CLAIM_KIND_LABELS: dict[ClaimKind, str] = {
    ClaimKind.MAINTENANCE: "Tiền cấp dưỡng",
    ClaimKind.WAGES_LIFE_COMPENSATION: (
        "Tiền lương, tiền công, trợ cấp; bồi thường thiệt hại về tính mạng, sức khỏe, tinh thần"
    ),
    ClaimKind.COURT_FEE: "Án phí, lệ phí Tòa án",
    ClaimKind.CREDIT_DEBT: "Khoản nợ tổ chức tín dụng",
    ClaimKind.FINE: "Tiền phạt",
    ClaimKind.CONFISCATION: "Tịch thu sung quỹ nhà nước",
    ClaimKind.RETURN_OF_ASSETS: "Trả lại tiền, tài sản",
    ClaimKind.OTHER: "Khoản phải thi hành án khác",
}

class CollectionChannel(StrEnum):
    VOLUNTARY = "voluntary"
    DEDUCTION = "deduction"
    AUCTION_PROCEEDS = "auction_proceeds"
    PAID_TO_BANK = "paid_to_bank"  # the debtor repaid the bank creditor directly


class VerificationOutcome(StrEnum):
    WITH_CONDITIONS = "with_conditions"
    WITHOUT_CONDITIONS = "without_conditions"


class RefusalGround(StrEnum):  # Art. 31(5)
    NO_RIGHT_TO_REQUEST = "no_right_to_request"
    NOT_COMPETENT = "not_competent"
    LIMITATION_EXPIRED = "limitation_expired"


class NoConditionGround(StrEnum):  # Art. 44a(1)
    NO_INCOME_OR_ASSETS = "no_income_or_assets"
    SPECIFIC_ITEM_LOST = "specific_item_lost"
    ADDRESS_UNKNOWN = "address_unknown"


class PostponementGround(StrEnum):  # Art. 48
    DEBTOR_ILL_OR_INCAPACITATED = "debtor_ill_or_incapacitated"
    ADDRESS_UNKNOWN = "address_unknown"
    PARTIES_AGREE = "parties_agree"
    ASSET_IN_COURT_DISPUTE = "asset_in_court_dispute"
    MORTGAGED_ASSET_INSUFFICIENT = "mortgaged_asset_insufficient"
    AWAITING_COURT_EXPLANATION = "awaiting_court_explanation"
    RECIPIENT_ABSENT = "recipient_absent"
    TRANSFER_OF_OBLIGATION_BLOCKED = "transfer_of_obligation_blocked"
    UNSOLD_ASSET_REFUSED = "unsold_asset_refused"
    PROTEST_HOLDER_REQUEST = "protest_holder_request"


class SuspensionGround(StrEnum):  # Art. 49
    CASSATION_OR_RETRIAL_PROTEST = "cassation_or_retrial_protest"
    BANKRUPTCY_PETITION_ACCEPTED = "bankruptcy_petition_accepted"


class TerminationGround(StrEnum):  # Art. 50(1)
    DEBTOR_DIED_WITHOUT_ESTATE = "debtor_died_without_estate"
    CREDITOR_DIED_WITHOUT_HEIR = "creditor_died_without_heir"
    CREDITOR_WAIVER_OR_PARTIES_AGREEMENT = "creditor_waiver_or_parties_agreement"
    JUDGMENT_ANNULLED = "judgment_annulled"
    ORGANISATION_DISSOLVED = "organisation_dissolved"
    EXEMPTION_GRANTED = "exemption_granted"
    BANKRUPTCY_OPENED = "bankruptcy_opened"
    # (h) the minor handed into someone's care (giao người chưa thành niên cho người khác nuôi dưỡng) has
    # died or come of age — not maintenance (Art. 50(1)(h)); the value is kept for stored events
    CHILD_DIED_OR_OF_AGE = "child_died_or_of_age"


# Art. 50(1): the grounds on which a part of a claim can be terminated (partial termination)
PARTIAL_TERMINATION_GROUNDS = frozenset({TerminationGround.CREDITOR_WAIVER_OR_PARTIES_AGREEMENT,  # (c)
                                         TerminationGround.JUDGMENT_ANNULLED})                    # (d)

TERMINATION_GROUND_LABELS: dict[TerminationGround, str] = {
    TerminationGround.DEBTOR_DIED_WITHOUT_ESTATE: "Người phải thi hành án chết không để lại di sản (Điều 50(1)(a))",
    TerminationGround.CREDITOR_DIED_WITHOUT_HEIR: "Người được thi hành án chết, quyền và nghĩa vụ không được "
                                                  "thừa kế (Điều 50(1)(b))",
    TerminationGround.CREDITOR_WAIVER_OR_PARTIES_AGREEMENT: "Đương sự có thỏa thuận bằng văn bản hoặc người được "
                                                            "thi hành án có văn bản không yêu cầu (Điều 50(1)(c))",
    TerminationGround.JUDGMENT_ANNULLED: "Bản án, quyết định bị hủy một phần hoặc toàn bộ (Điều 50(1)(d))",
    TerminationGround.ORGANISATION_DISSOLVED: "Tổ chức phải thi hành án đã giải thể, không còn tài sản (Điều 50(1)(đ))",
    TerminationGround.EXEMPTION_GRANTED: "Có quyết định miễn nghĩa vụ thi hành án (Điều 50(1)(e))",
    TerminationGround.BANKRUPTCY_OPENED: "Tòa án ra quyết định mở thủ tục phá sản (Điều 50(1)(g))",
    TerminationGround.CHILD_DIED_OR_OF_AGE: "Người chưa thành niên được giao nuôi dưỡng đã chết hoặc đã thành niên "
                                            "(Điều 50(1)(h))",
}


class LateRequestGround(StrEnum):  # Art. 30(3): time lost to these is not counted
    FORCE_MAJEURE = "force_majeure"
    OBJECTIVE_OBSTACLE = "objective_obstacle"


class ReductionKind(StrEnum):
    """Why a claim item's amount to enforce went down without being collected (money tree "reduced")."""
    PARTLY_TERMINATED = "partly_terminated"  # Art. 50(1)(c),(d), part of a claim
    REDUCED = "reduced"                      # miễn, giảm: a reduction of a State claim (Arts. 61–64)
    EXEMPTED = "exempted"                    # miễn: exempted in full or in part (Arts. 61–64)
    DELEGATED = "delegated"                  # the part delegated to another office (Art. 57(1)(a))


class DelegationGround(StrEnum):  # Art. 55(1)
    ASSETS_ELSEWHERE = "assets_elsewhere"
    RESIDENCE_OR_WORK_ELSEWHERE = "residence_or_work_elsewhere"
    SEAT_ELSEWHERE = "seat_elsewhere"
    SECURED_ASSET_ELSEWHERE = "secured_asset_elsewhere"


class RevocationGround(StrEnum):  # Art. 37(1); Art. 57(1)(a) for a later delegation
    ISSUED_WITHOUT_COMPETENCE = "issued_without_competence"
    MATERIAL_ERROR = "material_error"
    BASIS_CEASED = "basis_ceased"
    TRANSFER_OF_OBLIGATION = "transfer_of_obligation"
    DELEGATION = "delegation"


class SecurityMeasure(StrEnum):  # Art. 66
    ACCOUNT_FREEZE = "account_freeze"
    ASSET_HOLD = "asset_hold"
    REGISTRATION_BLOCK = "registration_block"


class CoerciveMeasure(StrEnum):  # Art. 71; seizure has its own command (order_seizure)
    DEDUCTION_FROM_ACCOUNT = "deduction_from_account"
    DEDUCTION_FROM_INCOME = "deduction_from_income"
    COMPULSORY_EXPLOITATION = "compulsory_exploitation"
    FORCED_HANDOVER = "forced_handover"
    ORDER_TO_ACT = "order_to_act"


class AssetKind(StrEnum):  # what was seized (kê biên): auctions value and register them differently
    MOVABLE = "movable"
    REAL_ESTATE = "real_estate"


# Field operations may not run 22:00–06:00 or on days off (Art. 46(2)); deductions are bank-side.
FIELD_MEASURES = frozenset({CoerciveMeasure.COMPULSORY_EXPLOITATION, CoerciveMeasure.FORCED_HANDOVER,
                            CoerciveMeasure.ORDER_TO_ACT})


@dataclass(frozen=True)
class Actor:
    id: str
    role: Role

    def __post_init__(self) -> None:
        _token(self.id, "actor id", 128)

