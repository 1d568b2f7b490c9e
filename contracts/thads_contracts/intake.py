"""Public events of the intake service (topic thads.intake.case, key = case id), versions 1 and 2.

They follow the case lifecycle of Luật THADS (domain.md §1.6) at the level other services need:
opening, refusal, the enforcement decision (QĐTHA), parties and claim items, verification,
seizure, money in and out, pauses and exits. Parties appear only as ids: personal data never
goes to Kafka. Legal dates are `..._on` dates, business times are aware datetimes.

Grounds are closed enums so that statistics can classify them; each has "other" plus a free-text
`legal_basis` for what the enum does not name yet, because adding a member later breaks every
consumer that still validates against the old list.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Annotated, Literal, Self, Union
from uuid import UUID

from pydantic import Field, TypeAdapter, model_validator

from thads_contracts.common import (
    ActorId,
    BankCode,
    ContractModel,
    Description,
    DocumentNumber,
    Identifier,
    LegalBasis,
    LegalDate,
    MoneyVnd,
    OfficeCode,
    PositiveMoneyVnd,
)
from thads_contracts.envelope import Envelope

# ---------------------------------------------------------------- vocabularies


class CaseOrigin(StrEnum):
    JUDGMENT_RECEIVED = "judgment_received"    # ex officio (chủ động), Art. 36(2)
    REQUEST_RECEIVED = "request_received"      # on request (theo đơn), Art. 31


class ReceiptChannel(StrEnum):
    IN_PERSON = "in_person"
    POST = "post"
    ONLINE = "online"


class RefusalGround(StrEnum):
    NO_RIGHT_TO_REQUEST = "no_right_to_request"
    NOT_COMPETENT = "not_competent"
    LIMITATION_EXPIRED = "limitation_expired"
    OTHER = "other"


class EnforcementBasis(StrEnum):
    EX_OFFICIO = "ex_officio"
    ON_REQUEST = "on_request"


class PartyRole(StrEnum):
    CREDITOR = "creditor"
    DEBTOR = "debtor"
    RELATED = "related"


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class ClaimKind(StrEnum):
    MAINTENANCE = "maintenance"
    WAGES_LIFE_COMPENSATION = "wages_life_compensation"
    COURT_FEE = "court_fee"
    CREDIT_DEBT = "credit_debt"
    FINE = "fine"
    CONFISCATION = "confiscation"
    RETURN_OF_ASSETS = "return_of_assets"
    OTHER = "other"


class VerificationResult(StrEnum):
    WITH_CONDITIONS = "with_conditions"
    WITHOUT_CONDITIONS = "without_conditions"


class NoConditionGround(StrEnum):
    """Art. 44a(1)."""
    NO_INCOME_OR_ASSETS = "no_income_or_assets"
    SPECIFIC_ITEM_LOST = "specific_item_lost"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"


class AssetKind(StrEnum):
    MOVABLE = "movable"
    REAL_ESTATE = "real_estate"


class CollectionChannel(StrEnum):
    VOLUNTARY = "voluntary"
    DEDUCTION = "deduction"
    AUCTION_PROCEEDS = "auction_proceeds"
    PAID_TO_BANK = "paid_to_bank"


class DisbursementRecipient(StrEnum):
    CREDITOR = "creditor"
    STATE_BUDGET = "state_budget"
    UNCLAIMED_DEPOSIT = "unclaimed_deposit"


class PostponementGround(StrEnum):
    """Art. 48(1). PARTIES_AGREE still counts as "with conditions" in the statistics."""
    DEBTOR_ILL_OR_INCAPACITATED = "debtor_ill_or_incapacitated"
    ADDRESS_UNKNOWN = "address_unknown"
    PARTIES_AGREE = "parties_agree"
    ASSET_IN_COURT_DISPUTE = "asset_in_court_dispute"
    AWAITING_COURT_EXPLANATION = "awaiting_court_explanation"
    RECIPIENT_ABSENT = "recipient_absent"
    MORTGAGED_ASSET_INSUFFICIENT = "mortgaged_asset_insufficient"
    CREDITOR_REFUSED_UNSOLD_ASSET = "creditor_refused_unsold_asset"
    PROTEST_HOLDER_REQUEST = "protest_holder_request"
    OTHER = "other"


class SuspensionGround(StrEnum):
    """Art. 49."""
    CASSATION_OR_RETRIAL_PROTEST = "cassation_or_retrial_protest"
    BANKRUPTCY_PETITION_ACCEPTED = "bankruptcy_petition_accepted"
    OTHER = "other"


class TerminationGround(StrEnum):
    """Art. 50(1)."""
    DEBTOR_DIED = "debtor_died"
    CREDITOR_DIED = "creditor_died"
    CREDITOR_WAIVED_OR_PARTIES_AGREED = "creditor_waived_or_parties_agreed"
    JUDGMENT_ANNULLED = "judgment_annulled"
    ORGANISATION_DISSOLVED = "organisation_dissolved"
    EXEMPTED = "exempted"
    BANKRUPTCY_OPENED = "bankruptcy_opened"
    MAINTENANCE_BENEFICIARY_ENDED = "maintenance_beneficiary_ended"
    OTHER = "other"


class DelegationGround(StrEnum):
    """Arts. 55-57."""
    ASSETS_ELSEWHERE = "assets_elsewhere"
    RESIDENCE_ELSEWHERE = "residence_elsewhere"
    SECURED_ASSET_ELSEWHERE = "secured_asset_elsewhere"
    OTHER = "other"


class RevocationGround(StrEnum):
    """Art. 37."""
    NOT_COMPETENT = "not_competent"
    DECISION_ERROR = "decision_error"
    BASIS_NO_LONGER_EXISTS = "basis_no_longer_exists"
    SUPERSEDED_BY_DELEGATION = "superseded_by_delegation"
    OTHER = "other"


class ResumedFrom(StrEnum):
    POSTPONED = "postponed"
    SUSPENDED = "suspended"


class CompletionBasis(StrEnum):
    """What counts as "thi hành xong" in the statistics (termination has its own event)."""
    FULLY_PERFORMED = "fully_performed"
    PARTLY_PERFORMED_REST_SETTLED = "partly_performed_rest_settled"
    UNCLAIMED_MONEY_DEPOSITED = "unclaimed_money_deposited"


# Vietnamese labels as on the official forms and decisions.
CLAIM_KIND_LABELS: Mapping[ClaimKind, str] = {
    ClaimKind.MAINTENANCE: "Cấp dưỡng",
    ClaimKind.WAGES_LIFE_COMPENSATION:
        "Tiền lương, tiền công lao động, trợ cấp thôi việc, bồi thường tính mạng, sức khỏe",
    ClaimKind.COURT_FEE: "Án phí, lệ phí Tòa án",
    ClaimKind.CREDIT_DEBT: "Nợ của tổ chức tín dụng",
    ClaimKind.FINE: "Tiền phạt",
    ClaimKind.CONFISCATION: "Tịch thu sung quỹ nhà nước",
    ClaimKind.RETURN_OF_ASSETS: "Trả lại tiền, tài sản cho đương sự",
    ClaimKind.OTHER: "Khoản khác",
}

CASE_ORIGIN_LABELS: Mapping[CaseOrigin, str] = {
    CaseOrigin.JUDGMENT_RECEIVED: "Chủ động ra quyết định thi hành án",
    CaseOrigin.REQUEST_RECEIVED: "Nhận đơn yêu cầu thi hành án",
}

RECEIPT_CHANNEL_LABELS: Mapping[ReceiptChannel, str] = {
    ReceiptChannel.IN_PERSON: "Trực tiếp",
    ReceiptChannel.POST: "Qua dịch vụ bưu chính",
    ReceiptChannel.ONLINE: "Trực tuyến",
}

REFUSAL_GROUND_LABELS: Mapping[RefusalGround, str] = {
    RefusalGround.NO_RIGHT_TO_REQUEST: "Người yêu cầu không có quyền yêu cầu thi hành án",
    RefusalGround.NOT_COMPETENT: "Không thuộc thẩm quyền của cơ quan thi hành án dân sự",
    RefusalGround.LIMITATION_EXPIRED: "Hết thời hiệu yêu cầu thi hành án",
    RefusalGround.OTHER: "Lý do khác",
}

ENFORCEMENT_BASIS_LABELS: Mapping[EnforcementBasis, str] = {
    EnforcementBasis.EX_OFFICIO: "Chủ động",
    EnforcementBasis.ON_REQUEST: "Theo yêu cầu",
}

PARTY_ROLE_LABELS: Mapping[PartyRole, str] = {
    PartyRole.CREDITOR: "Người được thi hành án",
    PartyRole.DEBTOR: "Người phải thi hành án",
    PartyRole.RELATED: "Người có quyền lợi, nghĩa vụ liên quan",
}

PARTY_KIND_LABELS: Mapping[PartyKind, str] = {
    PartyKind.PERSON: "Cá nhân",
    PartyKind.ORGANISATION: "Cơ quan, tổ chức",
}

VERIFICATION_RESULT_LABELS: Mapping[VerificationResult, str] = {
    VerificationResult.WITH_CONDITIONS: "Có điều kiện thi hành",
    VerificationResult.WITHOUT_CONDITIONS: "Chưa có điều kiện thi hành",
}

NO_CONDITION_GROUND_LABELS: Mapping[NoConditionGround, str] = {
    NoConditionGround.NO_INCOME_OR_ASSETS:
        "Không có thu nhập hoặc tài sản để thi hành án, hoặc chỉ đủ bảo đảm cuộc sống tối thiểu",
    NoConditionGround.SPECIFIC_ITEM_LOST:
        "Tài sản đặc định phải trả không còn hoặc hư hỏng đến mức không thể sử dụng được",
    NoConditionGround.WHEREABOUTS_UNKNOWN:
        "Chưa xác định được địa chỉ, nơi cư trú của người phải thi hành án",
}

ASSET_KIND_LABELS: Mapping[AssetKind, str] = {
    AssetKind.MOVABLE: "Động sản",
    AssetKind.REAL_ESTATE: "Bất động sản",
}

COLLECTION_CHANNEL_LABELS: Mapping[CollectionChannel, str] = {
    CollectionChannel.VOLUNTARY: "Tự nguyện nộp",
    CollectionChannel.DEDUCTION: "Khấu trừ tiền trong tài khoản, thu nhập",
    CollectionChannel.AUCTION_PROCEEDS: "Tiền bán đấu giá tài sản",
    CollectionChannel.PAID_TO_BANK: "Trả trực tiếp cho tổ chức tín dụng",
}

DISBURSEMENT_RECIPIENT_LABELS: Mapping[DisbursementRecipient, str] = {
    DisbursementRecipient.CREDITOR: "Chi trả cho người được thi hành án",
    DisbursementRecipient.STATE_BUDGET: "Nộp ngân sách nhà nước",
    DisbursementRecipient.UNCLAIMED_DEPOSIT: "Gửi tiết kiệm số tiền chưa có người nhận",
}

POSTPONEMENT_GROUND_LABELS: Mapping[PostponementGround, str] = {
    PostponementGround.DEBTOR_ILL_OR_INCAPACITATED:
        "Người phải thi hành án ốm nặng, mất hoặc hạn chế năng lực hành vi dân sự",
    PostponementGround.ADDRESS_UNKNOWN: "Chưa xác định được địa chỉ của người phải thi hành án",
    PostponementGround.PARTIES_AGREE: "Đương sự đồng ý hoãn thi hành án",
    PostponementGround.ASSET_IN_COURT_DISPUTE: "Tài sản đang được Tòa án giải quyết tranh chấp",
    PostponementGround.AWAITING_COURT_EXPLANATION: "Chờ giải thích bản án, quyết định",
    PostponementGround.RECIPIENT_ABSENT:
        "Người được nhận tài sản, giấy tờ vắng mặt dù đã được thông báo hợp lệ hai lần",
    PostponementGround.MORTGAGED_ASSET_INSUFFICIENT:
        "Giá trị tài sản bảo đảm sau khi giảm giá không đủ thanh toán nghĩa vụ được bảo đảm",
    PostponementGround.CREDITOR_REFUSED_UNSOLD_ASSET:
        "Người được thi hành án không nhận tài sản không bán được",
    PostponementGround.PROTEST_HOLDER_REQUEST: "Yêu cầu hoãn của người có thẩm quyền kháng nghị",
    PostponementGround.OTHER: "Lý do khác",
}

SUSPENSION_GROUND_LABELS: Mapping[SuspensionGround, str] = {
    SuspensionGround.CASSATION_OR_RETRIAL_PROTEST: "Kháng nghị giám đốc thẩm, tái thẩm",
    SuspensionGround.BANKRUPTCY_PETITION_ACCEPTED:
        "Tòa án thụ lý đơn yêu cầu mở thủ tục phá sản đối với người phải thi hành án",
    SuspensionGround.OTHER: "Lý do khác",
}

TERMINATION_GROUND_LABELS: Mapping[TerminationGround, str] = {
    TerminationGround.DEBTOR_DIED:
        "Người phải thi hành án chết không để lại di sản hoặc nghĩa vụ không được chuyển giao",
    TerminationGround.CREDITOR_DIED:
        "Người được thi hành án chết mà quyền, lợi ích không được chuyển giao cho người thừa kế",
    TerminationGround.CREDITOR_WAIVED_OR_PARTIES_AGREED:
        "Đương sự thỏa thuận hoặc người được thi hành án yêu cầu không tiếp tục thi hành án",
    TerminationGround.JUDGMENT_ANNULLED: "Bản án, quyết định bị hủy",
    TerminationGround.ORGANISATION_DISSOLVED: "Tổ chức phải thi hành án đã giải thể, không còn tài sản",
    TerminationGround.EXEMPTED: "Được miễn hoặc giảm toàn bộ nghĩa vụ thi hành án",
    TerminationGround.BANKRUPTCY_OPENED:
        "Tòa án ra quyết định mở thủ tục phá sản đối với người phải thi hành án",
    TerminationGround.MAINTENANCE_BENEFICIARY_ENDED:
        "Người được cấp dưỡng đã chết hoặc đã thành niên",
    TerminationGround.OTHER: "Lý do khác",
}

DELEGATION_GROUND_LABELS: Mapping[DelegationGround, str] = {
    DelegationGround.ASSETS_ELSEWHERE: "Người phải thi hành án có tài sản ở địa phương khác",
    DelegationGround.RESIDENCE_ELSEWHERE:
        "Người phải thi hành án cư trú, làm việc hoặc có trụ sở ở địa phương khác",
    DelegationGround.SECURED_ASSET_ELSEWHERE: "Tài sản bảo đảm ở địa phương khác",
    DelegationGround.OTHER: "Lý do khác",
}

REVOCATION_GROUND_LABELS: Mapping[RevocationGround, str] = {
    RevocationGround.NOT_COMPETENT: "Quyết định được ban hành không đúng thẩm quyền",
    RevocationGround.DECISION_ERROR: "Quyết định có sai sót",
    RevocationGround.BASIS_NO_LONGER_EXISTS: "Căn cứ ra quyết định thi hành án không còn",
    RevocationGround.SUPERSEDED_BY_DELEGATION: "Ủy thác thi hành án",
    RevocationGround.OTHER: "Lý do khác",
}

RESUMED_FROM_LABELS: Mapping[ResumedFrom, str] = {
    ResumedFrom.POSTPONED: "Hoãn thi hành án",
    ResumedFrom.SUSPENDED: "Tạm đình chỉ thi hành án",
}

COMPLETION_BASIS_LABELS: Mapping[CompletionBasis, str] = {
    CompletionBasis.FULLY_PERFORMED: "Thi hành xong toàn bộ",
    CompletionBasis.PARTLY_PERFORMED_REST_SETTLED:
        "Thi hành được một phần, phần còn lại được ủy thác, đình chỉ hoặc miễn, giảm",
    CompletionBasis.UNCLAIMED_MONEY_DEPOSITED: "Số tiền chưa có người nhận đã được gửi tiết kiệm",
}

# DeadlineMissed.step is an open identifier (new steps need no new version); these are known.
DEADLINE_STEP_LABELS: Mapping[str, str] = {
    "refusal_notice": "Thông báo từ chối yêu cầu thi hành án",
    "enforcement_decision": "Ra quyết định thi hành án",
    "procuracy_copy": "Gửi quyết định cho Viện kiểm sát",
    "verification_start": "Xác minh điều kiện thi hành án",
    "no_condition_decision": "Ra quyết định về việc chưa có điều kiện thi hành án",
    "reverification": "Xác minh lại điều kiện thi hành án",
    "disbursement": "Chi trả tiền thi hành án",
    "continuation_decision": "Ra quyết định tiếp tục thi hành án",
    "termination_decision": "Ra quyết định đình chỉ thi hành án",
    "delegation_decision": "Ra quyết định ủy thác thi hành án",
    "voluntary_period": "Thời hạn tự nguyện thi hành án",
    "suspension_decision": "Ra quyết định tạm đình chỉ thi hành án",
    "result_certificate": "Xác nhận kết quả thi hành án",
    "notice_to_parties": "Thông báo quyết định cho đương sự",
    "separate_register_transfer": "Chuyển sổ theo dõi riêng",
    "creditor_notice": "Thông báo kết quả xác minh cho người được thi hành án",
    "postponement_decision": "Ra quyết định hoãn thi hành án",
}

LABELS: Mapping[type[StrEnum], Mapping[StrEnum, str]] = {
    ClaimKind: CLAIM_KIND_LABELS,
    CaseOrigin: CASE_ORIGIN_LABELS,
    ReceiptChannel: RECEIPT_CHANNEL_LABELS,
    RefusalGround: REFUSAL_GROUND_LABELS,
    EnforcementBasis: ENFORCEMENT_BASIS_LABELS,
    PartyRole: PARTY_ROLE_LABELS,
    PartyKind: PARTY_KIND_LABELS,
    VerificationResult: VERIFICATION_RESULT_LABELS,
    NoConditionGround: NO_CONDITION_GROUND_LABELS,
    AssetKind: ASSET_KIND_LABELS,
    CollectionChannel: COLLECTION_CHANNEL_LABELS,
    DisbursementRecipient: DISBURSEMENT_RECIPIENT_LABELS,
    PostponementGround: POSTPONEMENT_GROUND_LABELS,
    SuspensionGround: SUSPENSION_GROUND_LABELS,
    TerminationGround: TERMINATION_GROUND_LABELS,
    DelegationGround: DELEGATION_GROUND_LABELS,
    RevocationGround: REVOCATION_GROUND_LABELS,
    ResumedFrom: RESUMED_FROM_LABELS,
    CompletionBasis: COMPLETION_BASIS_LABELS,
}

# ---------------------------------------------------------------- payloads

ClaimItemIds = Annotated[tuple[UUID, ...], Field(min_length=1)]


class _DecisionOnGround(ContractModel):
    """A decision whose ground is an enum: "other" must cite its legal basis in words."""

    @model_validator(mode="after")
    def _other_ground_cites_its_basis(self) -> Self:
        if getattr(self, "ground", None) == "other" and not getattr(self, "legal_basis", None):
            raise ValueError("legal_basis is required when ground is 'other'")
        return self


class CaseOpenedPayload(ContractModel):
    origin: CaseOrigin
    channel: ReceiptChannel
    received_on: LegalDate                 # filing date: submission or postmark (Art. 31)
    judgment_number: DocumentNumber        # the court's judgment or decision being enforced
    issuing_court: Description
    judgment_effective_on: LegalDate | None = None   # starts the 5-year limitation period
    provisional_measure: bool = False      # BPKCTT: decided at once (Art. 36(2))


class RequestRefusedPayload(_DecisionOnGround):
    ground: RefusalGround
    refused_on: LegalDate
    notice_number: DocumentNumber | None = None
    legal_basis: LegalBasis | None = None


class EnforcementDecidedPayload(ContractModel):
    """The QĐTHA: acceptance (thụ lý). One decision = one case in the statistics."""
    basis: EnforcementBasis
    decision_number: DocumentNumber
    decided_on: LegalDate


class PartyAddedPayload(ContractModel):
    """Only an id: names, ID numbers and addresses stay encrypted in the intake service."""
    party_id: UUID
    role: PartyRole
    kind: PartyKind
    bank_code: BankCode | None = None      # set for credit institutions only

    @model_validator(mode="after")
    def _only_organisations_are_banks(self) -> Self:
        if self.bank_code is not None and self.kind != PartyKind.ORGANISATION:
            raise ValueError("bank_code is only allowed when kind is 'organisation'")
        return self


class ClaimItemAddedPayload(ContractModel):
    claim_item_id: UUID
    kind: ClaimKind
    amount_vnd: MoneyVnd                   # 0 for a claim that is not about money
    creditor_party_id: UUID | None = None  # None when the State is the creditor (fines, fees)
    secured: bool = False
    ex_officio: bool

    @model_validator(mode="after")
    def _secured_claims_have_a_creditor(self) -> Self:
        if self.secured and self.creditor_party_id is None:
            raise ValueError("creditor_party_id is required when secured is true")
        return self


class OfficerAssignedPayload(ContractModel):
    officer_id: ActorId
    replaces_officer_id: ActorId | None = None


class VoluntaryPeriodStartedPayload(ContractModel):
    notified_on: LegalDate
    ends_on: LegalDate                     # computed by intake (10 days, Art. 45)

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.ends_on < self.notified_on:
            raise ValueError("ends_on must not be before notified_on")
        return self


class VerificationRecordedPayload(ContractModel):
    result: VerificationResult
    ground: NoConditionGround | None = None   # Art. 44a, only without conditions
    verified_on: LegalDate
    decision_number: DocumentNumber | None = None

    @model_validator(mode="after")
    def _ground_iff_without_conditions(self) -> Self:
        without = self.result == VerificationResult.WITHOUT_CONDITIONS
        if without and self.ground is None:
            raise ValueError("ground (Art. 44a) is required when result is 'without_conditions'")
        if not without and self.ground is not None:
            raise ValueError("ground is only allowed when result is 'without_conditions'")
        return self


class SeizureOrderedPayload(ContractModel):
    """Kê biên: the auctions service opens an Asset with id `asset_id` for it."""
    asset_id: UUID
    asset_kind: AssetKind
    asset_description: Description         # the asset, never its owner's personal data
    claim_item_ids: ClaimItemIds
    decision_number: DocumentNumber
    ordered_on: LegalDate
    secured_creditor_party_id: UUID | None = None   # mortgagee, paid first (Art. 47(3))


class MoneyCollectedPayload(ContractModel):
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd
    channel: CollectionChannel
    collected_on: LegalDate
    receipt_number: DocumentNumber | None = None
    # Paid straight to the creditor (always so for "paid_to_bank"): performed, yet never held by
    # the agency, so no MoneyDisbursed follows it.
    direct_to_creditor: bool = False


class MoneyDisbursedPayload(ContractModel):
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd
    recipient: DisbursementRecipient
    payee_party_id: UUID | None = None
    disbursed_on: LegalDate

    @model_validator(mode="after")
    def _creditors_are_named(self) -> Self:
        if self.recipient == DisbursementRecipient.CREDITOR and self.payee_party_id is None:
            raise ValueError("payee_party_id is required when recipient is 'creditor'")
        return self


class CasePostponedPayload(_DecisionOnGround):
    ground: PostponementGround
    decision_number: DocumentNumber
    postponed_on: LegalDate
    postponed_until: LegalDate | None = None   # the agreed term, when the parties agree
    legal_basis: LegalBasis | None = None


class CaseContinuedPayload(ContractModel):
    resumed_from: ResumedFrom
    decision_number: DocumentNumber
    continued_on: LegalDate


class CaseSuspendedPayload(_DecisionOnGround):
    ground: SuspensionGround
    decision_number: DocumentNumber
    suspended_on: LegalDate
    legal_basis: LegalBasis | None = None


class CaseTerminatedPayload(_DecisionOnGround):
    ground: TerminationGround
    decision_number: DocumentNumber
    terminated_on: LegalDate
    legal_basis: LegalBasis | None = None


class CaseDelegatedPayload(_DecisionOnGround):
    ground: DelegationGround
    to_unit: OfficeCode
    decision_number: DocumentNumber
    delegated_on: LegalDate
    legal_basis: LegalBasis | None = None


class CaseRevokedPayload(_DecisionOnGround):
    ground: RevocationGround
    decision_number: DocumentNumber
    revoked_on: LegalDate
    legal_basis: LegalBasis | None = None


class CaseCompletedPayload(ContractModel):
    basis: CompletionBasis
    completed_on: LegalDate
    certificate_number: DocumentNumber | None = None


class DeadlineMissedPayload(ContractModel):
    step: Identifier                       # see DEADLINE_STEP_LABELS
    due_on: LegalDate
    legal_basis: LegalBasis | None = None


# ---------------------------------------------------------------- events (envelope + payload)


class CaseOpened(Envelope[CaseOpenedPayload]):
    event_type: Literal["intake.CaseOpened.v1"] = "intake.CaseOpened.v1"
    schema_version: Literal[1] = 1


class RequestRefused(Envelope[RequestRefusedPayload]):
    event_type: Literal["intake.RequestRefused.v1"] = "intake.RequestRefused.v1"
    schema_version: Literal[1] = 1


class EnforcementDecided(Envelope[EnforcementDecidedPayload]):
    event_type: Literal["intake.EnforcementDecided.v1"] = "intake.EnforcementDecided.v1"
    schema_version: Literal[1] = 1


class PartyAdded(Envelope[PartyAddedPayload]):
    event_type: Literal["intake.PartyAdded.v1"] = "intake.PartyAdded.v1"
    schema_version: Literal[1] = 1


class ClaimItemAdded(Envelope[ClaimItemAddedPayload]):
    event_type: Literal["intake.ClaimItemAdded.v1"] = "intake.ClaimItemAdded.v1"
    schema_version: Literal[1] = 1


class OfficerAssigned(Envelope[OfficerAssignedPayload]):
    event_type: Literal["intake.OfficerAssigned.v1"] = "intake.OfficerAssigned.v1"
    schema_version: Literal[1] = 1


class VoluntaryPeriodStarted(Envelope[VoluntaryPeriodStartedPayload]):
    event_type: Literal["intake.VoluntaryPeriodStarted.v1"] = "intake.VoluntaryPeriodStarted.v1"
    schema_version: Literal[1] = 1


class VerificationRecorded(Envelope[VerificationRecordedPayload]):
    event_type: Literal["intake.VerificationRecorded.v1"] = "intake.VerificationRecorded.v1"
    schema_version: Literal[1] = 1


class SeizureOrdered(Envelope[SeizureOrderedPayload]):
    event_type: Literal["intake.SeizureOrdered.v1"] = "intake.SeizureOrdered.v1"
    schema_version: Literal[1] = 1


class MoneyCollected(Envelope[MoneyCollectedPayload]):
    event_type: Literal["intake.MoneyCollected.v1"] = "intake.MoneyCollected.v1"
    schema_version: Literal[1] = 1


class MoneyDisbursed(Envelope[MoneyDisbursedPayload]):
    event_type: Literal["intake.MoneyDisbursed.v1"] = "intake.MoneyDisbursed.v1"
    schema_version: Literal[1] = 1


class CasePostponed(Envelope[CasePostponedPayload]):
    event_type: Literal["intake.CasePostponed.v1"] = "intake.CasePostponed.v1"
    schema_version: Literal[1] = 1


class CaseContinued(Envelope[CaseContinuedPayload]):
    event_type: Literal["intake.CaseContinued.v1"] = "intake.CaseContinued.v1"
    schema_version: Literal[1] = 1


class CaseSuspended(Envelope[CaseSuspendedPayload]):
    event_type: Literal["intake.CaseSuspended.v1"] = "intake.CaseSuspended.v1"
    schema_version: Literal[1] = 1


class CaseTerminated(Envelope[CaseTerminatedPayload]):
    event_type: Literal["intake.CaseTerminated.v1"] = "intake.CaseTerminated.v1"
    schema_version: Literal[1] = 1


class CaseDelegated(Envelope[CaseDelegatedPayload]):
    event_type: Literal["intake.CaseDelegated.v1"] = "intake.CaseDelegated.v1"
    schema_version: Literal[1] = 1


class CaseRevoked(Envelope[CaseRevokedPayload]):
    event_type: Literal["intake.CaseRevoked.v1"] = "intake.CaseRevoked.v1"
    schema_version: Literal[1] = 1


class CaseCompleted(Envelope[CaseCompletedPayload]):
    event_type: Literal["intake.CaseCompleted.v1"] = "intake.CaseCompleted.v1"
    schema_version: Literal[1] = 1


class DeadlineMissed(Envelope[DeadlineMissedPayload]):
    event_type: Literal["intake.DeadlineMissed.v1"] = "intake.DeadlineMissed.v1"
    schema_version: Literal[1] = 1


# ================================================================ version 2 (issue 7)
# What the statistics service needs (domain.md §2), as new versions of five events and four new
# event families. Each v1 message still decodes: an upcaster turns it into its v2 (registry.py).
# Which statistics column each event feeds is in its docstring ([n] = the indicator tree, by case
# and by money, of domain.md §2).


class CaseOriginV2(StrEnum):
    JUDGMENT_RECEIVED = "judgment_received"            # ex officio (chủ động), Art. 36(2)
    REQUEST_RECEIVED = "request_received"              # on request (theo đơn), Art. 31
    RECEIVED_BY_DELEGATION = "received_by_delegation"  # nhận ủy thác, Art. 57 (as amended 2022)


class CollectionChannelV2(StrEnum):
    VOLUNTARY = "voluntary"
    DEDUCTION = "deduction"
    AUCTION_PROCEEDS = "auction_proceeds"
    PAID_TO_BANK = "paid_to_bank"
    IN_KIND = "in_kind"      # the creditor took a seized asset against the debt (Art. 104): its value


class TerminationGroundV2(StrEnum):
    """Art. 50(1); (h) is the minor handed into someone's care who died or came of age (not
    maintenance): v1 called it "maintenance_beneficiary_ended"."""
    DEBTOR_DIED = "debtor_died"
    CREDITOR_DIED = "creditor_died"
    CREDITOR_WAIVED_OR_PARTIES_AGREED = "creditor_waived_or_parties_agreed"
    JUDGMENT_ANNULLED = "judgment_annulled"
    ORGANISATION_DISSOLVED = "organisation_dissolved"
    EXEMPTED = "exempted"
    BANKRUPTCY_OPENED = "bankruptcy_opened"
    WARD_DIED_OR_CAME_OF_AGE = "ward_died_or_came_of_age"
    OTHER = "other"


class DelegationScope(StrEnum):
    WHOLE = "whole"          # the QĐTHA is revoked in whole (Art. 57(1)(a) as amended 2022)
    PART = "part"            # revoked in the part delegated: the named claim items


class ReductionReason(StrEnum):
    PARTLY_TERMINATED = "partly_terminated"   # Art. 50(1)(c),(d) for a part of a claim
    REDUCED = "reduced"                       # giảm nghĩa vụ (Arts. 61–64)
    EXEMPTED = "exempted"                     # miễn nghĩa vụ (Arts. 61–64)


CASE_ORIGIN_V2_LABELS: Mapping[CaseOriginV2, str] = {
    CaseOriginV2.JUDGMENT_RECEIVED: "Chủ động ra quyết định thi hành án",
    CaseOriginV2.REQUEST_RECEIVED: "Nhận đơn yêu cầu thi hành án",
    CaseOriginV2.RECEIVED_BY_DELEGATION: "Nhận ủy thác thi hành án",
}
COLLECTION_CHANNEL_V2_LABELS: Mapping[CollectionChannelV2, str] = {
    **{CollectionChannelV2(k.value): v for k, v in COLLECTION_CHANNEL_LABELS.items()},
    CollectionChannelV2.IN_KIND: "Người được thi hành án nhận tài sản để trừ vào số tiền được thi hành án",
}
TERMINATION_GROUND_V2_LABELS: Mapping[TerminationGroundV2, str] = {
    **{TerminationGroundV2(k.value): v for k, v in TERMINATION_GROUND_LABELS.items()
       if k is not TerminationGround.MAINTENANCE_BENEFICIARY_ENDED},
    TerminationGroundV2.WARD_DIED_OR_CAME_OF_AGE:
        "Người chưa thành niên được giao nuôi dưỡng đã chết hoặc đã thành niên",
}
DELEGATION_SCOPE_LABELS: Mapping[DelegationScope, str] = {
    DelegationScope.WHOLE: "Ủy thác toàn bộ, thu hồi quyết định thi hành án",
    DelegationScope.PART: "Ủy thác một phần, thu hồi một phần quyết định thi hành án",
}
REDUCTION_REASON_LABELS: Mapping[ReductionReason, str] = {
    ReductionReason.PARTLY_TERMINATED: "Đình chỉ thi hành án một phần",
    ReductionReason.REDUCED: "Giảm nghĩa vụ thi hành án",
    ReductionReason.EXEMPTED: "Miễn nghĩa vụ thi hành án",
}
LABELS = {**LABELS, CaseOriginV2: CASE_ORIGIN_V2_LABELS, CollectionChannelV2: COLLECTION_CHANNEL_V2_LABELS,
          TerminationGroundV2: TERMINATION_GROUND_V2_LABELS, DelegationScope: DELEGATION_SCOPE_LABELS,
          ReductionReason: REDUCTION_REASON_LABELS}


class CaseOpenedV2Payload(ContractModel):
    origin: CaseOriginV2
    channel: ReceiptChannel
    received_on: LegalDate
    judgment_number: DocumentNumber
    issuing_court: Description
    judgment_effective_on: LegalDate | None = None
    provisional_measure: bool = False
    delegated_from_unit: OfficeCode | None = None          # received by delegation: the delegating office
    delegation_decision_number: DocumentNumber | None = None

    @model_validator(mode="after")
    def _delegation_names_its_office(self) -> Self:
        if (self.origin == CaseOriginV2.RECEIVED_BY_DELEGATION) != (self.delegated_from_unit is not None):
            raise ValueError("delegated_from_unit is given for a case received by delegation, and only then")
        return self


class EnforcementDecidedV2Payload(ContractModel):
    basis: EnforcementBasis
    decision_number: DocumentNumber
    decided_on: LegalDate
    # the amount to enforce on the decision: the claim items known when it was issued (None: none yet;
    # items added later each carry their amount in ClaimItemAdded)
    amount_to_enforce_vnd: MoneyVnd | None = None


class MoneyCollectedV2Payload(ContractModel):
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd            # for "in_kind": the value of the asset taken
    channel: CollectionChannelV2
    collected_on: LegalDate
    receipt_number: DocumentNumber | None = None
    direct_to_creditor: bool = False        # always true for "paid_to_bank" and "in_kind"

    @model_validator(mode="after")
    def _in_kind_is_direct(self) -> Self:
        if self.channel == CollectionChannelV2.IN_KIND and not self.direct_to_creditor:
            raise ValueError("an asset taken in kind goes straight to the creditor: direct_to_creditor is true")
        return self


class CaseTerminatedV2Payload(_DecisionOnGround):
    ground: TerminationGroundV2
    decision_number: DocumentNumber
    terminated_on: LegalDate
    legal_basis: LegalBasis | None = None


class CaseDelegatedV2Payload(_DecisionOnGround):
    ground: DelegationGround
    to_unit: OfficeCode
    decision_number: DocumentNumber
    delegated_on: LegalDate
    legal_basis: LegalBasis | None = None
    scope: DelegationScope = DelegationScope.WHOLE
    claim_item_ids: tuple[UUID, ...] = ()                  # scope "part": the items delegated
    amount_vnd: MoneyVnd | None = None                     # scope "part": what was still to collect on them
    revocation_decision_number: DocumentNumber | None = None   # the QĐTHA revoked with it, in whole or part

    @model_validator(mode="after")
    def _a_part_names_its_items(self) -> Self:
        if (self.scope == DelegationScope.PART) != bool(self.claim_item_ids):
            raise ValueError("claim_item_ids are given for a partial delegation, and only then")
        return self


class RevocationScope(StrEnum):
    WHOLE = "whole"
    PART = "part"


REVOCATION_SCOPE_LABELS: Mapping[RevocationScope, str] = {
    RevocationScope.WHOLE: "Thu hồi toàn bộ quyết định thi hành án",
    RevocationScope.PART: "Thu hồi một phần quyết định thi hành án",
}
LABELS = {**LABELS, RevocationScope: REVOCATION_SCOPE_LABELS}


class CaseRevokedV2Payload(_DecisionOnGround):
    ground: RevocationGround
    decision_number: DocumentNumber
    revoked_on: LegalDate
    legal_basis: LegalBasis | None = None
    scope: RevocationScope = RevocationScope.WHOLE
    claim_item_ids: tuple[UUID, ...] = ()      # scope "part": the items revoked
    amount_vnd: MoneyVnd | None = None         # scope "part": what was still to collect on them

    @model_validator(mode="after")
    def _a_part_names_its_items(self) -> Self:
        if (self.scope == RevocationScope.PART) != bool(self.claim_item_ids):
            raise ValueError("claim_item_ids are given for a partial revocation, and only then")
        return self


class ClaimReducedPayload(ContractModel):
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd
    reason: ReductionReason
    decision_number: DocumentNumber
    reduced_on: LegalDate
    ground: TerminationGroundV2 | None = None              # partly_terminated: (c) or (d)
    legal_basis: LegalBasis | None = None


class CaseMovedToSeparateRegisterPayload(ContractModel):
    moved_on: LegalDate
    legal_basis: LegalBasis | None = None


class RequestReturnedPayload(ContractModel):
    returned_on: LegalDate
    legal_basis: LegalBasis | None = None


class UnclaimedMoneyDepositedPayload(ContractModel):
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd
    deposited_on: LegalDate
    deposit_reference: DocumentNumber | None = None
    legal_basis: LegalBasis | None = None


class CaseOpenedV2(Envelope[CaseOpenedV2Payload]):
    """Opens a case: [3] new (thụ lý mới), by case; origin received_by_delegation is a new case of
    the receiving office (its [3]), while the delegating office deducts it in [4]."""
    event_type: Literal["intake.CaseOpened.v2"] = "intake.CaseOpened.v2"
    schema_version: Literal[2] = 2


class EnforcementDecidedV2(Envelope[EnforcementDecidedV2Payload]):
    """The QĐTHA (1 decision = 1 case): [3] new, by case; amount_to_enforce_vnd is its [3] in money."""
    event_type: Literal["intake.EnforcementDecided.v2"] = "intake.EnforcementDecided.v2"
    schema_version: Literal[2] = 2


class MoneyCollectedV2(Envelope[MoneyCollectedV2Payload]):
    """Money (or, channel in_kind, value taken in kind) received for a claim item: [7] completed, in
    money ("thi hành xong" counts value taken in kind)."""
    event_type: Literal["intake.MoneyCollected.v2"] = "intake.MoneyCollected.v2"
    schema_version: Literal[2] = 2


class CaseTerminatedV2(Envelope[CaseTerminatedV2Payload]):
    """Termination of the whole case: [8] terminated (counts as resolved), by case and money."""
    event_type: Literal["intake.CaseTerminated.v2"] = "intake.CaseTerminated.v2"
    schema_version: Literal[2] = 2


class CaseDelegatedV2(Envelope[CaseDelegatedV2Payload]):
    """Delegation out: [4] deducted (ủy thác), by case when scope is whole, in money by amount_vnd when
    part; the revocation of the QĐTHA it carries is not counted again under [4] revoked."""
    event_type: Literal["intake.CaseDelegated.v2"] = "intake.CaseDelegated.v2"
    schema_version: Literal[2] = 2


class CaseRevokedV2(Envelope[CaseRevokedV2Payload]):
    """Revocation of the QĐTHA (Art. 37): [4] deducted (thu hồi/hủy), by case when whole, in money by
    amount_vnd when part."""
    event_type: Literal["intake.CaseRevoked.v2"] = "intake.CaseRevoked.v2"
    schema_version: Literal[2] = 2


class ClaimReduced(Envelope[ClaimReducedPayload]):
    """A part of a claim no longer to enforce: [8] terminated (+ reduced), money tree only."""
    event_type: Literal["intake.ClaimReduced.v1"] = "intake.ClaimReduced.v1"
    schema_version: Literal[1] = 1


class CaseMovedToSeparateRegister(Envelope[CaseMovedToSeparateRegisterPayload]):
    """Out of [13] without conditions and out of carry-over: reported as the separate register's
    own figure (ND 62/2015 Art. 9(5)–(6))."""
    event_type: Literal["intake.CaseMovedToSeparateRegister.v1"] = "intake.CaseMovedToSeparateRegister.v1"
    schema_version: Literal[1] = 1


class RequestReturned(Envelope[RequestReturnedPayload]):
    """2026: an on-request case without conditions sent back (ND 152/2026 Art. 22): leaves [5]."""
    event_type: Literal["intake.RequestReturned.v1"] = "intake.RequestReturned.v1"
    schema_version: Literal[1] = 1


class UnclaimedMoneyDeposited(Envelope[UnclaimedMoneyDepositedPayload]):
    """Collected money nobody claimed, posted or deposited (ND 62/2015 Art. 49): counts as [7]
    completed in money; the case completes with basis unclaimed_money_deposited."""
    event_type: Literal["intake.UnclaimedMoneyDeposited.v1"] = "intake.UnclaimedMoneyDeposited.v1"
    schema_version: Literal[1] = 1


class ErasureGround(StrEnum):
    """Why a person's data may be erased (Nghị định 13/2023/NĐ-CP Art. 16 [GK: verify])."""
    CONSENT_WITHDRAWN = "consent_withdrawn"
    PURPOSE_FULFILLED = "purpose_fulfilled"
    UNLAWFUL_PROCESSING = "unlawful_processing"
    AUTHORITY_ORDER = "authority_order"


class ErasureRequester(StrEnum):
    DATA_SUBJECT = "data_subject"
    LEGAL_REPRESENTATIVE = "legal_representative"
    COMPETENT_AUTHORITY = "competent_authority"


ERASURE_GROUND_LABELS: Mapping[ErasureGround, str] = {
    ErasureGround.CONSENT_WITHDRAWN: "Chủ thể dữ liệu rút lại sự đồng ý",
    ErasureGround.PURPOSE_FULFILLED: "Đã hoàn thành mục đích xử lý dữ liệu",
    ErasureGround.UNLAWFUL_PROCESSING: "Dữ liệu bị xử lý trái pháp luật",
    ErasureGround.AUTHORITY_ORDER: "Theo yêu cầu của cơ quan nhà nước có thẩm quyền",
}
ERASURE_REQUESTER_LABELS: Mapping[ErasureRequester, str] = {
    ErasureRequester.DATA_SUBJECT: "Chủ thể dữ liệu (đương sự)",
    ErasureRequester.LEGAL_REPRESENTATIVE: "Người đại diện theo pháp luật",
    ErasureRequester.COMPETENT_AUTHORITY: "Cơ quan nhà nước có thẩm quyền",
}
LABELS = {**LABELS, ErasureGround: ERASURE_GROUND_LABELS, ErasureRequester: ERASURE_REQUESTER_LABELS}


class PersonalDataErasedPayload(ContractModel):
    """A party's personal data (name, ID number, address, phone) was erased from intake's own table;
    the events, which carry the party id only, stay as they are. No statistics column: the case's
    figures do not change."""
    party_id: UUID
    ground: ErasureGround
    requested_by: ErasureRequester
    request_ref: DocumentNumber            # the written request or order
    legal_basis: LegalBasis


class PersonalDataErased(Envelope[PersonalDataErasedPayload]):
    """An audited erasure (issue 11 §4): who asked, on which ground, approved by the head; timelines
    show the party as "[erased]" from then on."""
    event_type: Literal["intake.PersonalDataErased.v1"] = "intake.PersonalDataErased.v1"
    schema_version: Literal[1] = 1


# ---------------------------------------------------------------- upcasters v1 → v2 (pure dict → dict)


def _same_payload(message: dict) -> dict:
    """v2 only adds optional fields or enum members: a v1 payload is a valid v2 payload."""
    return message


def _termination_v1_to_v2(message: dict) -> dict:
    payload = dict(message["payload"])
    if payload.get("ground") == TerminationGround.MAINTENANCE_BENEFICIARY_ENDED.value:
        payload["ground"] = TerminationGroundV2.WARD_DIED_OR_CAME_OF_AGE.value
    return {**message, "payload": payload}


UPCASTERS_V1_V2: Mapping[str, Callable[[dict], dict]] = {
    "intake.CaseOpened.v1": _same_payload,
    "intake.EnforcementDecided.v1": _same_payload,
    "intake.MoneyCollected.v1": _same_payload,
    "intake.CaseTerminated.v1": _termination_v1_to_v2,
    "intake.CaseDelegated.v1": _same_payload,
    "intake.CaseRevoked.v1": _same_payload,
}


INTAKE_EVENTS: tuple[type[Envelope], ...] = (
    CaseOpened, RequestRefused, EnforcementDecided, PartyAdded, ClaimItemAdded, OfficerAssigned,
    VoluntaryPeriodStarted, VerificationRecorded, SeizureOrdered, MoneyCollected, MoneyDisbursed,
    CasePostponed, CaseContinued, CaseSuspended, CaseTerminated, CaseDelegated, CaseRevoked,
    CaseCompleted, DeadlineMissed,
    CaseOpenedV2, EnforcementDecidedV2, MoneyCollectedV2, CaseTerminatedV2, CaseDelegatedV2,
    ClaimReduced, CaseMovedToSeparateRegister, RequestReturned, UnclaimedMoneyDeposited, CaseRevokedV2,
    PersonalDataErased,
)

# The current version of every intake event (what the service publishes and the AsyncAPI shows).
IntakeEvent = Annotated[
    Union[
        CaseOpenedV2, RequestRefused, EnforcementDecidedV2, PartyAdded, ClaimItemAdded,
        OfficerAssigned, VoluntaryPeriodStarted, VerificationRecorded, SeizureOrdered,
        MoneyCollectedV2, MoneyDisbursed, CasePostponed, CaseContinued, CaseSuspended,
        CaseTerminatedV2, CaseDelegatedV2, CaseRevokedV2, CaseCompleted, DeadlineMissed,
        ClaimReduced, CaseMovedToSeparateRegister, RequestReturned, UnclaimedMoneyDeposited,
        PersonalDataErased,
    ],
    Field(discriminator="event_type"),
]
IntakeEventAdapter: TypeAdapter[IntakeEvent] = TypeAdapter(IntakeEvent)
