"""Intake's anti-corruption layer: Case domain events ⇄ public contracts, as pure functions.

Outbound, `to_contract` turns each Case event into its envelope (None for internal-only events) and
`relay_translate` is the kit relay's `Translate`. Inbound, an upstream message becomes the keyword
arguments of the Case command that records it. Domain values meet contract values only in the
explicit maps below, so a new domain member fails the coverage test instead of being guessed at.

Ids. A party or claim item id that is a canonical UUID string is published unchanged, so inbound
events that name it map back with `str()`. Any other id is published as uuid5(case id, "<kind>/<id>"):
stable, but no inbound event can address it, so the application should mint UUID strings. A seized
asset is named uuid5(case id, "seizure/<decision number>"): one seizure decision, one asset.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from thads_contracts import intake as c
from thads_contracts.auctions import (AuctionOutcome, AuctionOutcomeRecorded, AuctionOutcomeRecordedV2, ProceedsTransferred,
                                     ProceedsTransferredV2)
from thads_contracts.common import ContractModel
from thads_contracts.envelope import Actor as ContractActor
from thads_contracts.envelope import ActorRole, Envelope
from thads_contracts.recovery import BankRepaymentReceived
from thads_contracts.registry import encode
from thads_contracts.topics import INTAKE_CASE
from thads_kit.relay import Outgoing

from intake_service.corrections import INTERNAL_EVENTS as CORRECTION_EVENTS  # issue 9: correction requests
from intake_service.deadlines import Step, due_date, legal_reference
from intake_service.domain import (
    Actor,
    AssetKind,
    Basis,
    Case,
    Channel,
    ClaimKind,
    CollectionChannel,
    DelegationGround,
    InvalidValueError,
    Matter,
    NoConditionGround,
    Origin,
    PartyKind,
    PartyRole,
    PostponementGround,
    RefusalGround,
    RevocationGround,
    Role,
    SuspensionGround,
    ReductionKind,
    TerminationGround,
    VerificationOutcome,
    business_date,
)

SOURCE = "intake"

# ---------------------------------------------------------------- vocabulary maps (domain → contract)

# The contract knows the roles of the whole platform, not the office's internal posts: a deputy head
# signs as head, the inspector reads as an auditor; the accountant (who keeps the money books) is its own role.
ROLES: Mapping[Role, ActorRole] = {
    Role.HEAD: "head",
    Role.DEPUTY_HEAD: "head",
    Role.OFFICER: "officer",
    Role.CLERK: "clerk",
    Role.ACCOUNTANT: "accountant",
    Role.INSPECTOR: "auditor",
    Role.SYSTEM: "system",
}
ORIGINS: Mapping[Origin, c.CaseOriginV2] = {
    Origin.JUDGMENT: c.CaseOriginV2.JUDGMENT_RECEIVED,
    Origin.REQUEST: c.CaseOriginV2.REQUEST_RECEIVED,
    Origin.DELEGATION: c.CaseOriginV2.RECEIVED_BY_DELEGATION,
}
CHANNELS: Mapping[Channel, c.ReceiptChannel] = {
    Channel.IN_PERSON: c.ReceiptChannel.IN_PERSON,
    Channel.POST: c.ReceiptChannel.POST,
    Channel.ONLINE: c.ReceiptChannel.ONLINE,
}
BASES: Mapping[Basis, c.EnforcementBasis] = {
    Basis.EX_OFFICIO: c.EnforcementBasis.EX_OFFICIO,
    Basis.ON_REQUEST: c.EnforcementBasis.ON_REQUEST,
}
PARTY_ROLES: Mapping[PartyRole, c.PartyRole] = {
    PartyRole.CREDITOR: c.PartyRole.CREDITOR,
    PartyRole.DEBTOR: c.PartyRole.DEBTOR,
    PartyRole.RELATED: c.PartyRole.RELATED,
}
# A credit institution is an organisation with a bank_code; the State acts through an organisation.
PARTY_KINDS: Mapping[PartyKind, c.PartyKind] = {
    PartyKind.INDIVIDUAL: c.PartyKind.PERSON,
    PartyKind.ORGANISATION: c.PartyKind.ORGANISATION,
    PartyKind.CREDIT_INSTITUTION: c.PartyKind.ORGANISATION,
    PartyKind.STATE: c.PartyKind.ORGANISATION,
}
# Whom a disbursement reaches, by the kind of the claim item's creditor: the State's share
# (court fees, fines, confiscation) goes to the budget.
RECIPIENTS: Mapping[PartyKind, c.DisbursementRecipient] = {
    PartyKind.INDIVIDUAL: c.DisbursementRecipient.CREDITOR,
    PartyKind.ORGANISATION: c.DisbursementRecipient.CREDITOR,
    PartyKind.CREDIT_INSTITUTION: c.DisbursementRecipient.CREDITOR,
    PartyKind.STATE: c.DisbursementRecipient.STATE_BUDGET,
}
CLAIM_KINDS: Mapping[ClaimKind, c.ClaimKind] = {
    ClaimKind.MAINTENANCE: c.ClaimKind.MAINTENANCE,
    ClaimKind.WAGES_LIFE_COMPENSATION: c.ClaimKind.WAGES_LIFE_COMPENSATION,
    ClaimKind.COURT_FEE: c.ClaimKind.COURT_FEE,
    ClaimKind.CREDIT_DEBT: c.ClaimKind.CREDIT_DEBT,
    ClaimKind.FINE: c.ClaimKind.FINE,
    ClaimKind.CONFISCATION: c.ClaimKind.CONFISCATION,
    ClaimKind.RETURN_OF_ASSETS: c.ClaimKind.RETURN_OF_ASSETS,
    ClaimKind.OTHER: c.ClaimKind.OTHER,
}
VERIFICATION_RESULTS: Mapping[VerificationOutcome, c.VerificationResult] = {
    VerificationOutcome.WITH_CONDITIONS: c.VerificationResult.WITH_CONDITIONS,
    VerificationOutcome.WITHOUT_CONDITIONS: c.VerificationResult.WITHOUT_CONDITIONS,
}
NO_CONDITION_GROUNDS: Mapping[NoConditionGround, c.NoConditionGround] = {
    NoConditionGround.NO_INCOME_OR_ASSETS: c.NoConditionGround.NO_INCOME_OR_ASSETS,
    NoConditionGround.SPECIFIC_ITEM_LOST: c.NoConditionGround.SPECIFIC_ITEM_LOST,
    NoConditionGround.ADDRESS_UNKNOWN: c.NoConditionGround.WHEREABOUTS_UNKNOWN,
}
ASSET_KINDS: Mapping[AssetKind, c.AssetKind] = {
    AssetKind.MOVABLE: c.AssetKind.MOVABLE,
    AssetKind.REAL_ESTATE: c.AssetKind.REAL_ESTATE,
}
COLLECTION_CHANNELS: Mapping[CollectionChannel, c.CollectionChannelV2] = {
    CollectionChannel.VOLUNTARY: c.CollectionChannelV2.VOLUNTARY,
    CollectionChannel.DEDUCTION: c.CollectionChannelV2.DEDUCTION,
    CollectionChannel.AUCTION_PROCEEDS: c.CollectionChannelV2.AUCTION_PROCEEDS,
    CollectionChannel.PAID_TO_BANK: c.CollectionChannelV2.PAID_TO_BANK,
}
# Grounds the contract does not name travel as "other" with the domain ground in legal_basis.
REFUSAL_GROUNDS: Mapping[RefusalGround, c.RefusalGround] = {
    RefusalGround.NO_RIGHT_TO_REQUEST: c.RefusalGround.NO_RIGHT_TO_REQUEST,
    RefusalGround.NOT_COMPETENT: c.RefusalGround.NOT_COMPETENT,
    RefusalGround.LIMITATION_EXPIRED: c.RefusalGround.LIMITATION_EXPIRED,
}
POSTPONEMENT_GROUNDS: Mapping[PostponementGround, c.PostponementGround] = {
    PostponementGround.DEBTOR_ILL_OR_INCAPACITATED: c.PostponementGround.DEBTOR_ILL_OR_INCAPACITATED,
    PostponementGround.ADDRESS_UNKNOWN: c.PostponementGround.ADDRESS_UNKNOWN,
    PostponementGround.PARTIES_AGREE: c.PostponementGround.PARTIES_AGREE,
    PostponementGround.ASSET_IN_COURT_DISPUTE: c.PostponementGround.ASSET_IN_COURT_DISPUTE,
    PostponementGround.MORTGAGED_ASSET_INSUFFICIENT: c.PostponementGround.MORTGAGED_ASSET_INSUFFICIENT,
    PostponementGround.AWAITING_COURT_EXPLANATION: c.PostponementGround.AWAITING_COURT_EXPLANATION,
    PostponementGround.RECIPIENT_ABSENT: c.PostponementGround.RECIPIENT_ABSENT,
    PostponementGround.TRANSFER_OF_OBLIGATION_BLOCKED: c.PostponementGround.OTHER,
    PostponementGround.UNSOLD_ASSET_REFUSED: c.PostponementGround.CREDITOR_REFUSED_UNSOLD_ASSET,
    PostponementGround.PROTEST_HOLDER_REQUEST: c.PostponementGround.PROTEST_HOLDER_REQUEST,
}
SUSPENSION_GROUNDS: Mapping[SuspensionGround, c.SuspensionGround] = {
    SuspensionGround.CASSATION_OR_RETRIAL_PROTEST: c.SuspensionGround.CASSATION_OR_RETRIAL_PROTEST,
    SuspensionGround.BANKRUPTCY_PETITION_ACCEPTED: c.SuspensionGround.BANKRUPTCY_PETITION_ACCEPTED,
}
TERMINATION_GROUNDS: Mapping[TerminationGround, c.TerminationGroundV2] = {
    TerminationGround.DEBTOR_DIED_WITHOUT_ESTATE: c.TerminationGroundV2.DEBTOR_DIED,
    TerminationGround.CREDITOR_DIED_WITHOUT_HEIR: c.TerminationGroundV2.CREDITOR_DIED,
    TerminationGround.CREDITOR_WAIVER_OR_PARTIES_AGREEMENT: c.TerminationGroundV2.CREDITOR_WAIVED_OR_PARTIES_AGREED,
    TerminationGround.JUDGMENT_ANNULLED: c.TerminationGroundV2.JUDGMENT_ANNULLED,
    TerminationGround.ORGANISATION_DISSOLVED: c.TerminationGroundV2.ORGANISATION_DISSOLVED,
    TerminationGround.EXEMPTION_GRANTED: c.TerminationGroundV2.EXEMPTED,
    TerminationGround.BANKRUPTCY_OPENED: c.TerminationGroundV2.BANKRUPTCY_OPENED,
    TerminationGround.CHILD_DIED_OR_OF_AGE: c.TerminationGroundV2.WARD_DIED_OR_CAME_OF_AGE,   # Art. 50(1)(h)
}
# The contract's "residence_elsewhere" reads "cư trú, làm việc hoặc có trụ sở": it covers the seat.
DELEGATION_GROUNDS: Mapping[DelegationGround, c.DelegationGround] = {
    DelegationGround.ASSETS_ELSEWHERE: c.DelegationGround.ASSETS_ELSEWHERE,
    DelegationGround.RESIDENCE_OR_WORK_ELSEWHERE: c.DelegationGround.RESIDENCE_ELSEWHERE,
    DelegationGround.SEAT_ELSEWHERE: c.DelegationGround.RESIDENCE_ELSEWHERE,
    DelegationGround.SECURED_ASSET_ELSEWHERE: c.DelegationGround.SECURED_ASSET_ELSEWHERE,
}
REVOCATION_GROUNDS: Mapping[RevocationGround, c.RevocationGround] = {
    RevocationGround.ISSUED_WITHOUT_COMPETENCE: c.RevocationGround.NOT_COMPETENT,
    RevocationGround.MATERIAL_ERROR: c.RevocationGround.DECISION_ERROR,
    RevocationGround.BASIS_CEASED: c.RevocationGround.BASIS_NO_LONGER_EXISTS,
    RevocationGround.TRANSFER_OF_OBLIGATION: c.RevocationGround.OTHER,
    RevocationGround.DELEGATION: c.RevocationGround.SUPERSEDED_BY_DELEGATION,
}
# DeadlineMissed.step is an open identifier; the contract's known names where they exist
# (c.DEADLINE_STEP_LABELS), the variants' precise rule stays in legal_basis.
DEADLINE_STEPS: Mapping[Step, str] = {
    Step.REFUSAL: "refusal_notice",
    Step.DECISION_ON_REQUEST: "enforcement_decision",
    Step.DECISION_EX_OFFICIO: "enforcement_decision",
    Step.DECISION_PROVISIONAL_MEASURE: "enforcement_decision",
    Step.DECISION_BANKRUPTCY: "enforcement_decision",
    Step.PROCURACY_COPY: "procuracy_copy",
    Step.VOLUNTARY_PERIOD: "voluntary_period",
    Step.VERIFICATION_START: "verification_start",
    Step.VERIFICATION_START_PROVISIONAL_MEASURE: "verification_start",
    Step.NO_CONDITION_DECISION: "no_condition_decision",
    Step.REVERIFICATION: "reverification",
    Step.REVERIFICATION_LONG: "reverification",
    Step.DISBURSEMENT: "disbursement",
    Step.SUSPENSION_DECISION: "suspension_decision",
    Step.CONTINUATION_AFTER_SUSPENSION: "continuation_decision",
    Step.TERMINATION_DECISION: "termination_decision",
    Step.DELEGATION_DECISION: "delegation_decision",
    Step.DELEGATION_DECISION_PROVISIONAL_MEASURE: "delegation_decision",
    Step.RESULT_CERTIFICATE: "result_certificate",
    Step.NOTICE_TO_PARTIES: "notice_to_parties",
    Step.SEPARATE_REGISTER_TRANSFER: "separate_register_transfer",
    Step.VERIFICATION_AFTER_NEW_INFORMATION: "verification_start",
    Step.CREDITOR_NOTICE_AFTER_TWO_CHECKS: "creditor_notice",
    Step.POSTPONEMENT_DECISION: "postponement_decision",
    Step.POSTPONEMENT_DECISION_PROTEST: "postponement_decision",
    Step.CONTINUATION_AFTER_POSTPONEMENT: "continuation_decision",
    Step.DECISION_AFTER_DELEGATION: "enforcement_decision",
}

# Every map with the domain enum it must cover (checked by the unit tests).
ENUM_MAPS: tuple[tuple[type[StrEnum], Mapping[Any, Any]], ...] = (
    (Role, ROLES), (Origin, ORIGINS), (Channel, CHANNELS), (Basis, BASES), (PartyRole, PARTY_ROLES),
    (PartyKind, PARTY_KINDS), (PartyKind, RECIPIENTS), (ClaimKind, CLAIM_KINDS),
    (VerificationOutcome, VERIFICATION_RESULTS), (NoConditionGround, NO_CONDITION_GROUNDS),
    (AssetKind, ASSET_KINDS), (CollectionChannel, COLLECTION_CHANNELS), (RefusalGround, REFUSAL_GROUNDS),
    (PostponementGround, POSTPONEMENT_GROUNDS), (SuspensionGround, SUSPENSION_GROUNDS),
    (TerminationGround, TERMINATION_GROUNDS), (DelegationGround, DELEGATION_GROUNDS),
    (RevocationGround, REVOCATION_GROUNDS), (Step, DEADLINE_STEPS),
)

# ---------------------------------------------------------------- ids


def public_id(case_id: UUID, kind: str, value: str) -> UUID:
    """The contract id of a party ("party") or claim item ("claim_item") of a case."""
    try:
        if str(UUID(value)) == value:
            return UUID(value)
    except ValueError:
        pass
    return uuid5(case_id, f"{kind}/{value}")


def asset_id_for(case_id: UUID, decision_no: str) -> UUID:
    """The asset the auctions service opens for a seizure decision of the case."""
    return uuid5(case_id, f"seizure/{decision_no}")


# ---------------------------------------------------------------- outbound: domain event → envelope

Published = tuple[type[Envelope], ContractModel]


def _day(e: Any) -> date:
    return business_date(e.at)


def _basis(topic: str, e: Any, contract_ground: StrEnum) -> str:
    """The legal basis of a decision; for an "other" ground it names the domain's ground too."""
    basis = legal_reference(topic, _day(e))
    return f"{basis}: {e.ground}" if contract_ground == "other" else basis


def _party(e: Any, party_id: str) -> UUID:
    return public_id(e.originator_id, "party", party_id)


def _claim_item(e: Any, claim_item_id: str) -> UUID:
    return public_id(e.originator_id, "claim_item", claim_item_id)


def _judgment_received(e: Any) -> Published:
    return c.CaseOpenedV2, c.CaseOpenedV2Payload(
        origin=ORIGINS[Origin.JUDGMENT], channel=CHANNELS[Channel(e.channel)], received_on=_day(e),
        judgment_number=e.judgment_number, issuing_court=e.issuing_court,
        judgment_effective_on=_from_iso(e.judgment_effective_on),
        provisional_measure=e.matter == Matter.PROVISIONAL_MEASURE)


def _request_received(e: Any) -> Published:
    return c.CaseOpenedV2, c.CaseOpenedV2Payload(
        origin=ORIGINS[Origin.REQUEST], channel=CHANNELS[Channel(e.channel)],
        received_on=date.fromisoformat(e.filed_on), judgment_number=e.judgment_number,
        issuing_court=e.issuing_court, judgment_effective_on=_from_iso(e.judgment_effective_on))


def _delegation_received(e: Any) -> Published:
    """A case received by delegation: a new case of this office, naming the delegating one."""
    return c.CaseOpenedV2, c.CaseOpenedV2Payload(
        origin=c.CaseOriginV2.RECEIVED_BY_DELEGATION, channel=c.ReceiptChannel.POST, received_on=_day(e),
        judgment_number=e.judgment_number, issuing_court=e.issuing_court,
        judgment_effective_on=_from_iso(e.judgment_effective_on),
        provisional_measure=e.matter == Matter.PROVISIONAL_MEASURE, delegated_from_unit=e.from_unit_id,
        delegation_decision_number=e.delegation_decision_no)


def _continued_from_no_condition(e: Any) -> Published:
    """The head's continuation decision moves a case without conditions back to those with
    conditions: what a re-verification finding conditions published before it was required."""
    return c.VerificationRecorded, c.VerificationRecordedPayload(
        result=c.VerificationResult.WITH_CONDITIONS, verified_on=_day(e), decision_number=e.decision_no)


def _request_refused(e: Any) -> Published:
    ground = REFUSAL_GROUNDS[RefusalGround(e.ground)]
    return c.RequestRefused, c.RequestRefusedPayload(ground=ground, refused_on=_day(e),
                                                     legal_basis=_basis("refusal", e, ground))


def _enforcement_decided(e: Any) -> Published:
    return c.EnforcementDecidedV2, c.EnforcementDecidedV2Payload(
        basis=BASES[Basis(e.basis)], decision_number=e.decision_no, decided_on=_day(e),
        amount_to_enforce_vnd=getattr(e, "amount_to_enforce_vnd", None))


def _party_added(e: Any) -> Published:
    return c.PartyAdded, c.PartyAddedPayload(
        party_id=_party(e, e.party_id), role=PARTY_ROLES[PartyRole(e.role)],
        kind=PARTY_KINDS[PartyKind(e.kind)], bank_code=e.bank_code)


def _claim_item_added(e: Any) -> Published:
    return c.ClaimItemAdded, c.ClaimItemAddedPayload(
        claim_item_id=_claim_item(e, e.claim_item_id), kind=CLAIM_KINDS[ClaimKind(e.kind)],
        amount_vnd=e.amount_vnd, creditor_party_id=_party(e, e.creditor_party_id), secured=e.secured,
        ex_officio=e.ex_officio)


def _personal_data_erased(e: Any) -> Published:
    """The audited erasure (domain/erasure.py): who asked, on which ground; no personal data."""
    return c.PersonalDataErased, c.PersonalDataErasedPayload(
        party_id=_party(e, e.party_id), ground=c.ErasureGround(e.ground), requested_by=c.ErasureRequester(e.requested_by),
        request_ref=e.request_ref, legal_basis=e.legal_basis)


def _officer_assigned(e: Any) -> Published:
    return c.OfficerAssigned, c.OfficerAssignedPayload(officer_id=e.officer_id)


def _officer_reassigned(e: Any) -> Published:
    return c.OfficerAssigned, c.OfficerAssignedPayload(officer_id=e.officer_id,
                                                       replaces_officer_id=e.previous_officer_id)


def _debtor_notified(e: Any) -> Published:
    return c.VoluntaryPeriodStarted, c.VoluntaryPeriodStartedPayload(
        notified_on=_day(e), ends_on=due_date(Step.VOLUNTARY_PERIOD, _day(e)))


def _voluntary_payment_recorded(e: Any) -> Published:
    return c.MoneyCollectedV2, c.MoneyCollectedV2Payload(
        claim_item_id=_claim_item(e, e.claim_item_id), amount_vnd=e.amount_vnd,
        channel=c.CollectionChannelV2.VOLUNTARY, collected_on=_day(e), direct_to_creditor=e.direct_to_creditor)


def _verification_recorded(e: Any) -> Published:
    ground = NO_CONDITION_GROUNDS[NoConditionGround(e.ground)] if e.ground else None
    return c.VerificationRecorded, c.VerificationRecordedPayload(
        result=VERIFICATION_RESULTS[VerificationOutcome(e.outcome)], ground=ground, verified_on=_day(e),
        decision_number=e.decision_no)


def _reverified(e: Any) -> Published | None:
    """Only a re-verification that finds conditions changes what other services see."""
    if not e.found_conditions:
        return None
    return c.VerificationRecorded, c.VerificationRecordedPayload(
        result=c.VerificationResult.WITH_CONDITIONS, verified_on=_day(e))


def _seizure_ordered(e: Any) -> Published:
    return c.SeizureOrdered, c.SeizureOrderedPayload(
        asset_id=asset_id_for(e.originator_id, e.decision_no), asset_kind=ASSET_KINDS[AssetKind(e.asset_kind)],
        asset_description=e.asset_description,
        claim_item_ids=tuple(_claim_item(e, i) for i in e.claim_item_ids), decision_number=e.decision_no,
        ordered_on=_day(e),
        secured_creditor_party_id=_party(e, e.secured_creditor_party_id)   # the mortgagee, paid first (Art. 47(3))
        if getattr(e, "secured_creditor_party_id", None) else None)


def _money_collected(e: Any) -> Published:
    channel = CollectionChannel(e.channel)
    return c.MoneyCollectedV2, c.MoneyCollectedV2Payload(
        claim_item_id=_claim_item(e, e.claim_item_id), amount_vnd=e.amount_vnd,
        channel=COLLECTION_CHANNELS[channel], collected_on=_day(e),
        direct_to_creditor=channel is CollectionChannel.PAID_TO_BANK)


def _asset_taken_in_kind(e: Any) -> Published:
    """Value taken in kind (Art. 104): counted in money completed, straight to the creditor."""
    return c.MoneyCollectedV2, c.MoneyCollectedV2Payload(
        claim_item_id=_claim_item(e, e.claim_item_id), amount_vnd=e.value_vnd, channel=c.CollectionChannelV2.IN_KIND,
        collected_on=_day(e), receipt_number=e.source_ref if len(e.source_ref) <= 64 else None,
        direct_to_creditor=True)


def _claim_reduced(e: Any) -> Published:
    reason = {ReductionKind.PARTLY_TERMINATED: c.ReductionReason.PARTLY_TERMINATED,
              ReductionKind.REDUCED: c.ReductionReason.REDUCED,
              ReductionKind.EXEMPTED: c.ReductionReason.EXEMPTED}[ReductionKind(e.kind)]
    ground = TERMINATION_GROUNDS[TerminationGround(e.ground)] if e.ground else None
    topic = "partial_termination" if reason is c.ReductionReason.PARTLY_TERMINATED else "reduction"
    return c.ClaimReduced, c.ClaimReducedPayload(
        claim_item_id=_claim_item(e, e.claim_item_id), amount_vnd=e.amount_vnd, reason=reason,
        decision_number=e.decision_no, reduced_on=_day(e), ground=ground,
        legal_basis=legal_reference(topic, _day(e)))


def _partly_delegated_out(e: Any) -> Published:
    ground = DELEGATION_GROUNDS[DelegationGround(e.ground)]
    return c.CaseDelegatedV2, c.CaseDelegatedV2Payload(
        ground=ground, to_unit=e.target_unit_id, decision_number=e.decision_no, delegated_on=_day(e),
        legal_basis=_basis("delegation", e, ground), scope=c.DelegationScope.PART,
        claim_item_ids=tuple(_claim_item(e, i) for i in e.claim_items), amount_vnd=sum(e.claim_items.values()),
        revocation_decision_number=e.revocation_decision_no)


def _unclaimed_money_deposited(e: Any) -> Published:
    return c.UnclaimedMoneyDeposited, c.UnclaimedMoneyDepositedPayload(
        claim_item_id=_claim_item(e, e.claim_item_id), amount_vnd=e.amount_vnd, deposited_on=_day(e),
        deposit_reference=e.deposit_reference, legal_basis=legal_reference("unclaimed_money", _day(e)))


def _partly_revoked(e: Any) -> Published:
    ground = REVOCATION_GROUNDS[RevocationGround(e.ground)]
    return c.CaseRevokedV2, c.CaseRevokedV2Payload(
        ground=ground, decision_number=e.decision_no, revoked_on=_day(e),
        legal_basis=_basis("revocation", e, ground), scope=c.RevocationScope.PART,
        claim_item_ids=tuple(_claim_item(e, i) for i in e.claim_items), amount_vnd=sum(e.claim_items.values()))


def _moved_to_separate_register(e: Any) -> Published:
    return c.CaseMovedToSeparateRegister, c.CaseMovedToSeparateRegisterPayload(
        moved_on=_day(e), legal_basis=legal_reference("separate_register", _day(e)))


def _request_returned(e: Any) -> Published:
    return c.RequestReturned, c.RequestReturnedPayload(
        returned_on=_day(e), legal_basis=legal_reference("return_request", _day(e)))


def _money_disbursed(e: Any) -> Published:
    return c.MoneyDisbursed, c.MoneyDisbursedPayload(
        claim_item_id=_claim_item(e, e.claim_item_id), amount_vnd=e.amount_vnd,
        recipient=RECIPIENTS[PartyKind(e.payee_kind)], payee_party_id=_party(e, e.payee_party_id),
        disbursed_on=_day(e))


def _postponed(e: Any) -> Published:
    ground = POSTPONEMENT_GROUNDS[PostponementGround(e.ground)]
    return c.CasePostponed, c.CasePostponedPayload(
        ground=ground, decision_number=e.decision_no, postponed_on=_day(e), postponed_until=_from_iso(e.until),
        legal_basis=_basis("postponement", e, ground))


def _continued(resumed_from: c.ResumedFrom) -> Callable[[Any], Published]:
    def build(e: Any) -> Published:
        return c.CaseContinued, c.CaseContinuedPayload(resumed_from=resumed_from, decision_number=e.decision_no,
                                                       continued_on=_day(e))
    return build


def _suspended(e: Any) -> Published:
    ground = SUSPENSION_GROUNDS[SuspensionGround(e.ground)]
    return c.CaseSuspended, c.CaseSuspendedPayload(ground=ground, decision_number=e.decision_no,
                                                   suspended_on=_day(e), legal_basis=_basis("suspension", e, ground))


def _terminated(e: Any) -> Published:
    ground = TERMINATION_GROUNDS[TerminationGround(e.ground)]
    return c.CaseTerminatedV2, c.CaseTerminatedV2Payload(
        ground=ground, decision_number=e.decision_no, terminated_on=_day(e),
        legal_basis=_basis("termination", e, ground))


def _delegated_out(e: Any) -> Published:
    ground = DELEGATION_GROUNDS[DelegationGround(e.ground)]
    return c.CaseDelegatedV2, c.CaseDelegatedV2Payload(
        ground=ground, to_unit=e.target_unit_id, decision_number=e.decision_no, delegated_on=_day(e),
        legal_basis=_basis("delegation", e, ground), scope=c.DelegationScope.WHOLE,
        revocation_decision_number=getattr(e, "revocation_decision_no", None))


def _revoked(e: Any) -> Published:
    ground = REVOCATION_GROUNDS[RevocationGround(e.ground)]
    return c.CaseRevokedV2, c.CaseRevokedV2Payload(ground=ground, decision_number=e.decision_no, revoked_on=_day(e),
                                                   legal_basis=_basis("revocation", e, ground))


def _completed(e: Any) -> Published:
    # The domain completes a case only when every claim item is paid in full.
    basis = c.CompletionBasis(getattr(e, "completion_basis", None) or c.CompletionBasis.FULLY_PERFORMED)
    return c.CaseCompleted, c.CaseCompletedPayload(basis=basis, completed_on=_day(e),
                                                   certificate_number=e.certificate_no)


def _deadline_missed(e: Any) -> Published:
    return c.DeadlineMissed, c.DeadlineMissedPayload(step=DEADLINE_STEPS[Step(e.step)],
                                                     due_on=date.fromisoformat(e.due), legal_basis=e.legal_basis)


PUBLISHED: Mapping[str, Callable[[Any], Published | None]] = {
    "JudgmentReceived": _judgment_received,
    "RequestReceived": _request_received,
    "RequestRefused": _request_refused,
    "EnforcementDecided": _enforcement_decided,
    "PartyAdded": _party_added,
    "ClaimItemAdded": _claim_item_added,
    "OfficerAssigned": _officer_assigned,
    "OfficerReassigned": _officer_reassigned,
    "DebtorNotified": _debtor_notified,
    "VoluntaryPaymentRecorded": _voluntary_payment_recorded,
    "VerificationRecorded": _verification_recorded,
    "Reverified": _reverified,
    "SeizureOrdered": _seizure_ordered,
    "MoneyCollected": _money_collected,
    "MoneyDisbursed": _money_disbursed,
    "Postponed": _postponed,
    "ContinuedAfterPostponement": _continued(c.ResumedFrom.POSTPONED),
    "Suspended": _suspended,
    "ContinuedAfterSuspension": _continued(c.ResumedFrom.SUSPENDED),
    "Terminated": _terminated,
    "DelegatedOut": _delegated_out,
    "Revoked": _revoked,
    "Completed": _completed,
    "DeadlineMissed": _deadline_missed,
    "DelegationReceived": _delegation_received,
    "AssetTakenInKind": _asset_taken_in_kind,
    "ClaimReduced": _claim_reduced,
    "PartlyRevoked": _partly_revoked,
    "UnclaimedMoneyDeposited": _unclaimed_money_deposited,
    "PartlyDelegatedOut": _partly_delegated_out,
    "MovedToSeparateRegister": _moved_to_separate_register,
    "RequestReturned": _request_returned,
    "ContinuedFromNoCondition": _continued_from_no_condition,
    "PersonalDataErased": _personal_data_erased,
}

# Recorded for intake's own rules, reads and deadlines; no public contract carries them.
INTERNAL: frozenset[str] = frozenset({
    "VerificationStarted",       # deadlines only; the result is published
    "ProcuracyCopyRecorded",     # deadline bookkeeping of copies to the procuracy
    "SecurityMeasureApplied",    # account freezes etc.: no contract yet
    "CoerciveMeasureApplied",    # deductions etc.: the money they bring is published as MoneyCollected
    "EnforcementFeeCharged",     # the agency's fee, not money of the judgment
    "CertificateRequested",      # certificates of the result so far: paperwork
    "CertificateIssued",
    # issue 7: bookkeeping of the law's deadlines and decisions, no statistics column of their own
    "LateRequestAccepted",       # the request is then decided as usual (EnforcementDecided)
    "NoticeToPartiesRecorded",   # deadline bookkeeping (Art. 39(2))
    "NewInformationRecorded",    # deadline bookkeeping (verification within 10 days)
    "CreditorNoticeRecorded",    # deadline bookkeeping (notice after two checks)
    "ConditionsFound",           # the officer's finding; the head's continuation is published
})

_BUILDERS: dict[type, Callable[[Any], Published | None]] = {
    getattr(Case, name): build for name, build in PUBLISHED.items()   # a renamed event fails at import
}
_INTERNAL_CLASSES: frozenset[type] = frozenset(getattr(Case, name) for name in INTERNAL) | CORRECTION_EVENTS


def _from_iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


UPSTREAM_CHANNELS = frozenset({CollectionChannel.AUCTION_PROCEEDS, CollectionChannel.PAID_TO_BANK})


def _causation(e: Any) -> UUID | None:
    """Money booked from an upstream message names it: its source_ref is that message's event_id."""
    if type(e) is not getattr(Case, "MoneyCollected") or e.channel not in UPSTREAM_CHANNELS:
        return None
    try:
        ref = UUID(e.source_ref)
    except ValueError:
        return None
    return ref if str(ref) == e.source_ref else None


def to_contract(event: Any, notification_id: int) -> Envelope | None:
    """The public envelope of a Case event, or None for an internal-only one.

    Raises LookupError for an event class that is neither published nor internal: stopping the
    relay is better than silently never publishing it.
    """
    build = _BUILDERS.get(type(event))
    if build is None:
        if type(event) in _INTERNAL_CLASSES:
            return None
        raise LookupError(f"{type(event).__qualname__} is neither published nor listed as internal")
    published = build(event)
    if published is None:
        return None
    model, payload = published
    unit = event.unit_id
    return model.create(
        payload=payload, source=SOURCE, aggregate_id=event.originator_id,
        aggregate_version=event.originator_version, case_id=event.originator_id, unit=unit,
        actor=ContractActor(id=event.actor_id, role=ROLES[Role(event.actor_role)], unit=unit),
        occurred_at=event.at, recorded_at=event.timestamp, source_position=notification_id,
        causation_id=_causation(event), correlation_id=event.originator_id)


def relay_translate(event: Any, notification_id: int) -> Outgoing | None:
    """The kit relay's Translate: the message to publish on thads.intake.case, keyed by case id."""
    env = to_contract(event, notification_id)
    if env is None:
        return None
    return Outgoing(topic=INTAKE_CASE, key=env.kafka_key, value=encode(env),
                    headers=[("event_type", env.event_type.encode()), ("source", SOURCE.encode())])


# ---------------------------------------------------------------- inbound: contract → command kwargs


def _upstream_actor(env: Envelope) -> Actor:
    """Intake records upstream facts as the system, naming the service and who acted there."""
    who = f"{env.source}:{env.actor.id}"
    return Actor(who if len(who) <= 128 else env.source, Role.SYSTEM)


def collection_from_proceeds(env: ProceedsTransferred) -> dict[str, Any]:
    """Kwargs of Case.collect_money for auction proceeds transferred to the agency's account.

    The whole amount is booked on the first claim item named (the seizure's first). That is enough:
    collect_money caps the amount at what the debtor owes on the whole case, and payouts follow
    the legal allocation over every item (Art. 47), not the item the money was booked on. Only a
    secured first item differs: its proceeds count as collateral, paid to it first (Art. 47(3)).
    The event_id is the source_ref, so a redelivered message books nothing twice.
    """
    items = env.payload.claim_item_ids
    if not items:
        raise InvalidValueError(f"proceeds {env.event_id} name no claim item; intake books proceeds "
                                f"only against the claim items of the seizure")
    return {"claim_item_id": str(items[0]), "amount_vnd": env.payload.amount_vnd,
            "channel": CollectionChannel.AUCTION_PROCEEDS, "source_ref": str(env.event_id),
            "at": env.occurred_at, "actor": _upstream_actor(env)}


def collections_from_proceeds(env: ProceedsTransferred | ProceedsTransferredV2) -> list[dict[str, Any]]:
    """Kwargs of Case.collect_money for each share of the proceeds (ProceedsTransferred.v2): the
    enforcement costs were deducted by auctions and are booked on no claim item; the collateral share
    lands on the secured item (counted as its collateral, paid first, Art. 47(3)); a general share is
    booked on the item named and allocated over the case by Art. 47(1) at payout.

    Share n's source_ref is the event id (n = 0) or "<event id>#n": a redelivered message books
    nothing twice, and a v1 message booked before v2 (upcast to one share on its first item, same
    event id) is recognised as the same collection."""
    if isinstance(env, ProceedsTransferred):
        return [collection_from_proceeds(env)]
    out = []
    for n, share in enumerate(env.payload.shares):
        out.append({"claim_item_id": str(share.claim_item_id), "amount_vnd": share.amount_vnd,
                    "channel": CollectionChannel.AUCTION_PROCEEDS,
                    "source_ref": str(env.event_id) if n == 0 else f"{env.event_id}#{n}",
                    "at": env.occurred_at, "actor": _upstream_actor(env)})
    return out


def collection_from_bank_repayment(env: BankRepaymentReceived) -> dict[str, Any]:
    """Kwargs of Case.collect_money for a debtor's direct repayment to the bank creditor."""
    return {"claim_item_id": str(env.payload.claim_item_id), "amount_vnd": env.payload.amount_vnd,
            "channel": CollectionChannel.PAID_TO_BANK, "source_ref": str(env.event_id),
            "at": env.occurred_at, "actor": _upstream_actor(env)}


def outcome_effect(env: AuctionOutcomeRecorded | AuctionOutcomeRecordedV2) -> dict[str, Any] | None:
    """Kwargs of the Case command an auction outcome records, or None.

    An asset taken by the creditor (Art. 104) is Case.record_asset_taken_in_kind: since contract v2
    the outcome names the claim item it is booked on (the first of claim_item_ids) and carries the
    value (price_vnd), so no officer re-types it. The event id is the source_ref, so a redelivered
    message books nothing twice.

    Every other outcome records nothing here: a sale brings its money later as ProceedsTransferred;
    a failed round changes nothing; a returned asset leads to a postponement (Art. 48(1)(h)), but that
    is the head's numbered decision, not an automatic step. A v1 outcome names no claim item: nothing
    (on the wire a v1 message is upcast to v2, and a v1 taken_by_creditor fails v2's validation and is
    dead-lettered for an officer, who books it through POST /cases/{id}/assets-taken-in-kind).
    """
    p = env.payload
    if not isinstance(env, AuctionOutcomeRecordedV2) or p.outcome != AuctionOutcome.TAKEN_BY_CREDITOR:
        return None
    if not p.claim_item_ids or p.price_vnd is None:
        return None
    return {"claim_item_id": str(p.claim_item_ids[0]), "value_vnd": p.price_vnd, "source_ref": str(env.event_id),
            "at": env.occurred_at, "actor": _upstream_actor(env)}
