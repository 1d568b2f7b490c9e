"""The Case aggregate: every transition of the state machine, every refusal, and the guards."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from intake_service.domain import (
    ACTIVE,
    TERMINAL,
    AFTER_NOTICE,
    COLLECTION_RULES,
    CLAIM_KIND_LABELS,
    DECIDED_ONWARD,
    OPEN,
    PAUSABLE,
    PRE_DECISION,
    STATUS_LABELS,
    TRANSITIONS,
    ActorNotPermittedError,
    AmountExceedsOutstandingError,
    BackdatedEventError,
    BasisMismatchError,
    Case,
    CertificateRequestPendingError,
    ClaimItem,
    ClaimKind,
    CollectionChannel,
    ConflictingSourceRefError,
    DeadlineNotPassedError,
    DuplicateClaimItemError,
    DuplicateDecisionError,
    FeeNotApplicableError,
    ForbiddenCoercionTimeError,
    IntakeError,
    InvalidChannelError,
    InvalidGroundError,
    InvalidPartyError,
    InvalidTransitionError,
    InvalidValueError,
    MissingGroundError,
    NaiveDatetimeError,
    NoCertificateRequestError,
    NothingOutstandingError,
    NothingToChargeError,
    NotPositiveAmountError,
    OfficerAlreadyAssignedError,
    OfficerNotAssignedError,
    OutstandingClaimsError,
    ProcuracyCopyAlreadyRecordedError,
    ReturnNotApplicableError,
    RuleNotInForceError,
    SeparateRegisterNotDueError,
    Status,
    UnknownClaimItemError,
    UnknownDecisionError,
    UnknownPartyError,
)
from intake_service.domain.errors import (
    PersonalDataRetainedError,
    VoluntaryPeriodRunningError,
)
from intake_service.testing import ACCOUNTANT, CLERK, HEAD, JUDGMENT, OFFICER, S, SYSTEM, TZ, at


T0 = at(2024, 3, 4)
LATER = at(2026, 9, 8, 10)  # a Tuesday, after every builder step and after the 2025 law


# ---------------------------------------------------------------- builders: a case in any status


def received(origin: str) -> Case:
    if origin == "judgment":
        case = Case.receive_judgment("U-HN", "BA-1", T0, CLERK, **JUDGMENT)
    else:
        case = Case.receive_request("U-HN", "DON-1", "in_person", T0, CLERK, **JUDGMENT)
    case.add_party("P-BANK", "creditor", "credit_institution", T0, CLERK, bank_code="VCB")
    case.add_party("P-DEBT", "debtor", "individual", T0, CLERK)
    case.add_claim_item("I-1", "credit_debt", 10_000_000, "P-BANK", T0, CLERK)
    return case


def decide(c: Case) -> None:
    c.decide_enforcement("QD-THA-1", "ex_officio" if c.origin == "judgment" else "on_request", at(2024, 3, 5), HEAD)


def notify(c: Case) -> None:
    c.notify(at(2024, 3, 6), OFFICER)


def verify(c: Case) -> None:
    c.start_verification(at(2024, 3, 20), OFFICER)


def with_conditions(c: Case) -> None:
    c.record_verification("with_conditions", at(2024, 3, 22), OFFICER)


def without_conditions(c: Case) -> None:
    c.record_verification("without_conditions", at(2024, 3, 22), HEAD, ground="no_income_or_assets",
                          decision_no="QD-CDK-1")


def two_checks(c: Case) -> None:
    c.reverify(False, at(2024, 9, 20), OFFICER)
    c.reverify(False, at(2025, 3, 20), OFFICER)


def register(c: Case) -> None:
    c.move_to_separate_register(at(2025, 4, 1), HEAD)


def collect(c: Case) -> None:
    c.collect_money("I-1", 4_000_000, "deduction", "BANK-1", at(2024, 4, 1), OFFICER)


def pay_in_full(c: Case) -> None:
    c.record_voluntary_payment("I-1", 10_000_000, "RCPT-1", at(2024, 3, 8), ACCOUNTANT)
    c.disburse("I-1", 10_000_000, at(2024, 3, 9), ACCOUNTANT)
    c.complete(at(2024, 3, 10), HEAD)


ENFORCING_PATH = [decide, notify, verify, with_conditions]
NO_CONDITION_PATH = [decide, notify, verify, without_conditions, two_checks]

PATHS: dict[Status, list[Callable[[Case], None]]] = {
    S.JUDGMENT_RECEIVED: [],
    S.REQUEST_RECEIVED: [],
    S.REJECTED: [lambda c: c.refuse_request("limitation_expired", at(2024, 3, 5), HEAD)],
    S.DECIDED: [decide],
    S.VOLUNTARY: [decide, notify],
    S.VERIFYING: [decide, notify, verify],
    S.ENFORCING: ENFORCING_PATH,
    S.MONEY_HELD: [*ENFORCING_PATH, collect],
    S.NO_CONDITION: NO_CONDITION_PATH,
    S.SEPARATE_REGISTER: [*NO_CONDITION_PATH, register],
    S.POSTPONED: [*ENFORCING_PATH, lambda c: c.postpone("parties_agree", "QD-HOAN-1", at(2024, 4, 2), HEAD)],
    S.SUSPENDED: [*ENFORCING_PATH,
                  lambda c: c.suspend("cassation_or_retrial_protest", "QD-TDC-1", at(2024, 4, 2), HEAD)],
    S.COMPLETED: [decide, notify, pay_in_full],
    S.TERMINATED: [*ENFORCING_PATH, lambda c: c.terminate("creditor_waiver_or_parties_agreement", "QD-DC-1",
                                                          at(2024, 4, 2), HEAD)],
    S.DELEGATED_OUT: [*ENFORCING_PATH,
                      lambda c: c.delegate_out("U-HCM", "assets_elsewhere", "QD-UT-1", at(2024, 4, 2), HEAD,
                                               revocation_decision_no="QD-TH-UT-1")],
    S.REVOKED: [decide, lambda c: c.revoke("material_error", "QD-THU-HOI-1", at(2024, 3, 5, 15), HEAD)],
    S.RETURNED: [*NO_CONDITION_PATH, lambda c: c.return_request(at(2026, 7, 15), HEAD)],
}
REQUEST_ONLY = {S.REQUEST_RECEIVED, S.REJECTED, S.RETURNED}


def build(status: Status, origin: str | None = None, keep_events: bool = False) -> Case:
    case = received(origin or ("request" if status in REQUEST_ONLY else "judgment"))
    for step in PATHS[status]:
        step(case)
    if not keep_events:
        case.collect_events()
    return case


# ---------------------------------------------------------------- one plain call per command

CALLS: dict[str, Callable[[Case], None]] = {
    "refuse_request": lambda c: c.refuse_request("not_competent", LATER, HEAD),
    "decide_enforcement": lambda c: c.decide_enforcement("QD-X", "ex_officio", LATER, HEAD),
    "add_party": lambda c: c.add_party("P-NEW", "related", "individual", LATER, CLERK),
    "add_claim_item": lambda c: c.add_claim_item("I-NEW", "court_fee", 1_000_000, "P-BANK", LATER, CLERK),
    "assign_officer": lambda c: c.assign_officer("officer-2", LATER, HEAD),
    "reassign_officer": lambda c: c.reassign_officer("officer-2", LATER, HEAD),
    "record_procuracy_copy": lambda c: c.record_procuracy_copy("QD-THA-1", LATER.date(), LATER, CLERK),
    "notify": lambda c: c.notify(LATER, OFFICER),
    "record_voluntary_payment": lambda c: c.record_voluntary_payment("I-1", 1_000_000, "RCPT-X", LATER,
                                                                     ACCOUNTANT),
    "start_verification": lambda c: c.start_verification(LATER, OFFICER),
    "record_verification": lambda c: c.record_verification("with_conditions", LATER, OFFICER),
    "reverify": lambda c: c.reverify(False, LATER, OFFICER),
    "move_to_separate_register": lambda c: c.move_to_separate_register(LATER, HEAD),
    "return_request": lambda c: c.return_request(LATER, HEAD),
    "apply_security_measure": lambda c: c.apply_security_measure("account_freeze", "QD-PT-X", LATER, OFFICER),
    "apply_coercive_measure": lambda c: c.apply_coercive_measure("deduction_from_account", "QD-CC-X", LATER,
                                                                 OFFICER),
    "order_seizure": lambda c: c.order_seizure("QD-KB-X", "Nhà đất thửa 12, tờ bản đồ 3", ["I-1"], LATER, OFFICER,
                                                 asset_kind="real_estate"),
    "collect_money_paid_to_bank": lambda c: c.collect_money("I-1", 1_000_000, "paid_to_bank", "VCB-X", LATER,
                                                            SYSTEM),
    "collect_money_pooled": lambda c: c.collect_money("I-1", 1_000_000, "deduction", "BANK-X", LATER, OFFICER),
    "collect_money_voluntary": lambda c: c.collect_money("I-1", 1_000_000, "voluntary", "RCPT-V", LATER,
                                                         ACCOUNTANT),
    "record_asset_taken_in_kind": lambda c: c.record_asset_taken_in_kind("I-1", 1_000_000, "AUC-TAKEN-X", LATER,
                                                                         OFFICER),
    "disburse": lambda c: c.disburse("I-1", 1_000_000, LATER, ACCOUNTANT),
    "charge_enforcement_fee": lambda c: c.charge_enforcement_fee("I-1", LATER, ACCOUNTANT),
    "postpone": lambda c: c.postpone("debtor_ill_or_incapacitated", "QD-HOAN-X", LATER, HEAD),
    "continue_after_postponement": lambda c: c.continue_after_postponement("QD-TT-X", LATER, HEAD),
    "suspend": lambda c: c.suspend("bankruptcy_petition_accepted", "QD-TDC-X", LATER, HEAD),
    "continue_after_suspension": lambda c: c.continue_after_suspension("QD-TTTDC-X", LATER, HEAD),
    "terminate": lambda c: c.terminate("judgment_annulled", "QD-DC-X", LATER, HEAD),
    "delegate_out": lambda c: c.delegate_out("U-HCM", "residence_or_work_elsewhere", "QD-UT-X", LATER, HEAD,
                                             revocation_decision_no="QD-TH-UT-X"),
    "delegate_in_part": lambda c: c.delegate_in_part("U-HCM", "assets_elsewhere", "QD-UT-P", "QD-TH-P", ["I-1"],
                                                     LATER, HEAD),
    "accept_late_request": lambda c: c.accept_late_request("objective_obstacle", "Người yêu cầu nằm viện", LATER,
                                                           HEAD),
    "record_notice_to_parties": lambda c: c.record_notice_to_parties(
        next((d.number for d in c.decisions.values() if d.parties_notified_on is None), "QD-NONE"),
        LATER.date(), LATER, CLERK),
    "record_new_information": lambda c: c.record_new_information(LATER.date(), LATER, OFFICER),
    "record_creditor_notice": lambda c: c.record_creditor_notice(LATER.date(), LATER, CLERK),
    "continue_from_no_condition": lambda c: c.continue_from_no_condition("QD-TT-CDK", LATER, HEAD),
    "terminate_in_part": lambda c: c.terminate_in_part("I-1", 1_000_000, "creditor_waiver_or_parties_agreement",
                                                       "QD-DC-P", LATER, HEAD),
    "reduce_claim": lambda c: c.reduce_claim("I-1", 1_000_000, "exempted", "QD-MG-X", LATER, HEAD),
    "revoke_in_part": lambda c: c.revoke_in_part(["I-1"], "material_error", "QD-TH-P", LATER, HEAD),
    "deposit_unclaimed_money": lambda c: c.deposit_unclaimed_money("I-1", 1_000_000, "STK-1", LATER, ACCOUNTANT),
    "revoke": lambda c: c.revoke("issued_without_competence", "QD-TH-X", LATER, HEAD),
    "complete": lambda c: c.complete(LATER, HEAD),
    "receive_certificate_request": lambda c: c.receive_certificate_request(LATER, CLERK),
    "issue_certificate": lambda c: c.issue_certificate("GXN-X", LATER, HEAD),
    "record_deadline_missed": lambda c: c.record_deadline_missed("procuracy_copy", date(2024, 3, 8), LATER, SYSTEM),
    "erase_personal_data": lambda c: c.erase_personal_data("P-BANK", "purpose_fulfilled", "data_subject", "DN-X",
                                                           LATER.replace(year=LATER.year + 6), HEAD),
}

EVENT_OF = {
    "refuse_request": "RequestRefused", "decide_enforcement": "EnforcementDecided", "add_party": "PartyAdded",
    "add_claim_item": "ClaimItemAdded", "assign_officer": "OfficerAssigned",
    "reassign_officer": "OfficerReassigned", "record_procuracy_copy": "ProcuracyCopyRecorded",
    "notify": "DebtorNotified", "record_voluntary_payment": "VoluntaryPaymentRecorded",
    "start_verification": "VerificationStarted", "record_verification": "VerificationRecorded",
    "reverify": "Reverified", "move_to_separate_register": "MovedToSeparateRegister",
    "return_request": "RequestReturned", "apply_security_measure": "SecurityMeasureApplied",
    "apply_coercive_measure": "CoerciveMeasureApplied", "order_seizure": "SeizureOrdered",
    "collect_money_paid_to_bank": "MoneyCollected", "collect_money_pooled": "MoneyCollected",
    "collect_money_voluntary": "MoneyCollected", "record_asset_taken_in_kind": "AssetTakenInKind",
    "disburse": "MoneyDisbursed",
    "charge_enforcement_fee": "EnforcementFeeCharged", "postpone": "Postponed",
    "continue_after_postponement": "ContinuedAfterPostponement", "suspend": "Suspended",
    "continue_after_suspension": "ContinuedAfterSuspension", "terminate": "Terminated",
    "delegate_out": "DelegatedOut", "revoke": "Revoked", "complete": "Completed",
    "receive_certificate_request": "CertificateRequested", "issue_certificate": "CertificateIssued",
    "record_deadline_missed": "DeadlineMissed", "delegate_in_part": "PartlyDelegatedOut",
    "accept_late_request": "LateRequestAccepted", "record_notice_to_parties": "NoticeToPartiesRecorded",
    "record_new_information": "NewInformationRecorded", "record_creditor_notice": "CreditorNoticeRecorded",
    "continue_from_no_condition": "ContinuedFromNoCondition", "terminate_in_part": "ClaimReduced",
    "reduce_claim": "ClaimReduced", "reverify_found": "ConditionsFound",
    "deposit_unclaimed_money": "UnclaimedMoneyDeposited", "revoke_in_part": "PartlyRevoked",
    "erase_personal_data": "PersonalDataErased",
}


def _then(*calls: Callable[[Case], None]) -> Callable[[Case], None]:
    def run(case: Case) -> None:
        for call in calls:
            call(case)
    return run


def _decide_by_origin(c: Case) -> None:
    c.decide_enforcement("QD-THA-1", "ex_officio" if c.origin == "judgment" else "on_request", LATER, HEAD)


_pay_1m = lambda c: c.record_voluntary_payment("I-1", 1_000_000, "RCPT-X", LATER, ACCOUNTANT)  # noqa: E731
_pay_all = lambda c: c.record_voluntary_payment("I-1", 10_000_000, "RCPT-X", LATER, ACCOUNTANT)  # noqa: E731
_disburse_all = lambda c: c.disburse("I-1", 10_000_000, LATER, ACCOUNTANT)  # noqa: E731
_collect_rest = lambda c: c.collect_money("I-1", 6_000_000, "deduction", "BANK-2", LATER, OFFICER)  # noqa: E731
_repay_rest_to_bank = lambda c: c.collect_money("I-1", c.items["I-1"].outstanding_vnd,  # noqa: E731
                                                "paid_to_bank", "VCB-ALL", LATER, SYSTEM)
_pay_out_held = lambda c: c.disburse("I-1", c.held_vnd, LATER, ACCOUNTANT) if c.held_vnd else None  # noqa: E731


def _late_request(c: Case) -> None:
    """Test set-up: the builder's request, as if the judgment had taken effect on 2/1/2018 (so the
    request of 4/3/2024 is late); the builder's judgment has no effective date."""
    c.judgment_effective_on = date(2018, 1, 2)


def _a_decision(c: Case) -> None:
    """A decision whose notice is not recorded yet (the QĐTHA's notice is `notify`)."""
    if all(d.parties_notified_on is not None for d in c.decisions.values()):
        c._decision("QD-OTHER", "security:account_freeze", c.last_at.date())


def _second_item(c: Case) -> None:
    """Test set-up: a second claim item on the built case, so that a part of it can be delegated
    (items are added before the notice; the builders have one)."""
    c.items["I-2"] = ClaimItem("I-2", ClaimKind.COURT_FEE, 1_000_000, "P-BANK", False, True)


_without = lambda c: c.record_verification("without_conditions", LATER, HEAD,  # noqa: E731
                                           ground="specific_item_lost", decision_no="QD-CDK-X")


# (command, from, to, call, origin): every edge of the state machine, happy path
EDGES: list[tuple[str, Status, Status, Callable[[Case], None], str | None]] = [
    ("refuse_request", S.REQUEST_RECEIVED, S.REJECTED, CALLS["refuse_request"], None),
    ("decide_enforcement", S.JUDGMENT_RECEIVED, S.DECIDED, _decide_by_origin, None),
    ("decide_enforcement", S.REQUEST_RECEIVED, S.DECIDED, _decide_by_origin, None),
    *[("add_party", s, s, CALLS["add_party"], None) for s in OPEN],
    *[("add_claim_item", s, s, CALLS["add_claim_item"], None) for s in PRE_DECISION | {S.DECIDED}],
    *[("assign_officer", s, s, CALLS["assign_officer"], None) for s in OPEN - PRE_DECISION],
    *[("reassign_officer", s, s, _then(lambda c: c.assign_officer("officer-1", LATER, HEAD),
                                      CALLS["reassign_officer"]), None) for s in OPEN - PRE_DECISION],
    *[("record_procuracy_copy", s, s, CALLS["record_procuracy_copy"], None) for s in DECIDED_ONWARD],
    ("notify", S.DECIDED, S.VOLUNTARY, CALLS["notify"], None),
    ("record_voluntary_payment", S.VOLUNTARY, S.VOLUNTARY, CALLS["record_voluntary_payment"], None),
    ("start_verification", S.VOLUNTARY, S.VERIFYING, CALLS["start_verification"], None),
    ("record_verification", S.VERIFYING, S.ENFORCING, CALLS["record_verification"], None),
    ("record_verification", S.VERIFYING, S.NO_CONDITION, _without, None),
    ("reverify", S.NO_CONDITION, S.NO_CONDITION, CALLS["reverify"], None),
    # conditions found: recorded, the case stays without conditions until the head decides (Art. 44(2))
    ("reverify_found", S.NO_CONDITION, S.NO_CONDITION, lambda c: c.reverify(True, LATER, OFFICER), None),
    ("reverify", S.SEPARATE_REGISTER, S.SEPARATE_REGISTER, CALLS["reverify"], None),
    ("reverify_found", S.SEPARATE_REGISTER, S.SEPARATE_REGISTER, lambda c: c.reverify(True, LATER, OFFICER),
     None),
    *[("record_new_information", s, s, CALLS["record_new_information"], None)
      for s in (S.NO_CONDITION, S.SEPARATE_REGISTER)],
    *[("record_creditor_notice", s, s, CALLS["record_creditor_notice"], None)
      for s in (S.NO_CONDITION, S.SEPARATE_REGISTER)],
    *[("continue_from_no_condition", s, S.ENFORCING, CALLS["continue_from_no_condition"], None)
      for s in (S.NO_CONDITION, S.SEPARATE_REGISTER)],
    ("accept_late_request", S.REQUEST_RECEIVED, S.REQUEST_RECEIVED,
     _then(_late_request, CALLS["accept_late_request"]), "request"),
    *[("record_notice_to_parties", s, s, _then(_a_decision, CALLS["record_notice_to_parties"]), None)
      for s in DECIDED_ONWARD],
    ("move_to_separate_register", S.NO_CONDITION, S.SEPARATE_REGISTER, CALLS["move_to_separate_register"],
     "judgment"),
    ("return_request", S.NO_CONDITION, S.RETURNED, CALLS["return_request"], "request"),
    *[("apply_security_measure", s, s, CALLS["apply_security_measure"], None)
      for s in (S.VOLUNTARY, S.VERIFYING, S.ENFORCING, S.MONEY_HELD)],
    *[("apply_coercive_measure", s, s, CALLS["apply_coercive_measure"], None) for s in (S.ENFORCING, S.MONEY_HELD)],
    *[("order_seizure", s, s, CALLS["order_seizure"], None) for s in (S.ENFORCING, S.MONEY_HELD)],
    # a repayment straight to the bank never changes the status (nothing is held)
    *[("collect_money_paid_to_bank", s, s, CALLS["collect_money_paid_to_bank"], None) for s in AFTER_NOTICE],
    ("collect_money_pooled", S.ENFORCING, S.MONEY_HELD, CALLS["collect_money_pooled"], None),
    ("collect_money_pooled", S.MONEY_HELD, S.MONEY_HELD, CALLS["collect_money_pooled"], None),
    ("collect_money_pooled", S.POSTPONED, S.POSTPONED, CALLS["collect_money_pooled"], None),
    ("collect_money_pooled", S.SUSPENDED, S.SUSPENDED, CALLS["collect_money_pooled"], None),
    ("collect_money_voluntary", S.ENFORCING, S.MONEY_HELD, CALLS["collect_money_voluntary"], None),
    ("collect_money_voluntary", S.MONEY_HELD, S.MONEY_HELD, CALLS["collect_money_voluntary"], None),
    # an asset taken in kind is never held: the status stays (a settled case passes to MONEY_HELD)
    *[("record_asset_taken_in_kind", s, s, CALLS["record_asset_taken_in_kind"], None)
      for s in (S.ENFORCING, S.MONEY_HELD, S.POSTPONED, S.SUSPENDED)],
    ("disburse", S.VOLUNTARY, S.VOLUNTARY, _then(_pay_1m, CALLS["disburse"]), None),
    ("disburse", S.MONEY_HELD, S.MONEY_HELD, CALLS["disburse"], None),
    ("deposit_unclaimed_money", S.VOLUNTARY, S.VOLUNTARY, _then(_pay_1m, CALLS["deposit_unclaimed_money"]), None),
    ("deposit_unclaimed_money", S.MONEY_HELD, S.MONEY_HELD, CALLS["deposit_unclaimed_money"], None),
    ("disburse", S.MONEY_HELD, S.ENFORCING, lambda c: c.disburse("I-1", 4_000_000, LATER, ACCOUNTANT), None),
    # 6 M received, above 2 × the base salary (4.68 M in 2026), so a fee is due (TT 216 Art. 6(4))
    ("charge_enforcement_fee", S.VOLUNTARY, S.VOLUNTARY,
     _then(lambda c: c.record_voluntary_payment("I-1", 6_000_000, "RCPT-6M", LATER, ACCOUNTANT),
           lambda c: c.disburse("I-1", 6_000_000, LATER, ACCOUNTANT), CALLS["charge_enforcement_fee"]), None),
    ("charge_enforcement_fee", S.ENFORCING, S.ENFORCING,
     _then(lambda c: c.collect_money("I-1", 6_000_000, "deduction", "BANK-6M", LATER, OFFICER),
           lambda c: c.disburse("I-1", 6_000_000, LATER, ACCOUNTANT), CALLS["charge_enforcement_fee"]), None),
    ("charge_enforcement_fee", S.MONEY_HELD, S.MONEY_HELD,
     _then(lambda c: c.collect_money("I-1", 3_000_000, "deduction", "BANK-3M", LATER, OFFICER),
           lambda c: c.disburse("I-1", 6_000_000, LATER, ACCOUNTANT), CALLS["charge_enforcement_fee"]), None),
    # the law sets no stage: any open case after the decision, not one already paused (Art. 48)
    *[("postpone", s, S.POSTPONED, CALLS["postpone"], None) for s in PAUSABLE],
    ("continue_after_postponement", S.POSTPONED, S.ENFORCING, CALLS["continue_after_postponement"], None),
    ("continue_after_postponement", S.POSTPONED, S.MONEY_HELD,
     _then(CALLS["collect_money_pooled"], CALLS["continue_after_postponement"]), None),
    *[("suspend", s, S.SUSPENDED, CALLS["suspend"], None) for s in PAUSABLE],
    ("continue_after_suspension", S.SUSPENDED, S.ENFORCING, CALLS["continue_after_suspension"], None),
    ("continue_after_suspension", S.SUSPENDED, S.MONEY_HELD,
     _then(CALLS["collect_money_pooled"], CALLS["continue_after_suspension"]), None),
    # termination and revocation once the money held is paid out (Arts. 47(5), 50)
    *[("terminate", s, S.TERMINATED, _then(_pay_out_held, CALLS["terminate"]), None)
      for s in ACTIVE | {S.SUSPENDED, S.SEPARATE_REGISTER}],
    *[("terminate_in_part", s, s, CALLS["terminate_in_part"], None)
      for s in ACTIVE | {S.SUSPENDED, S.SEPARATE_REGISTER}],
    *[("reduce_claim", s, s, CALLS["reduce_claim"], None) for s in OPEN - PRE_DECISION],
    *[("delegate_out", s, S.DELEGATED_OUT, CALLS["delegate_out"], None) for s in ACTIVE - {S.MONEY_HELD}],
    *[("delegate_in_part", s, s, _then(_second_item, CALLS["delegate_in_part"]), None)
      for s in ACTIVE - {S.MONEY_HELD}],
    *[("revoke", s, S.REVOKED, _then(_pay_out_held, CALLS["revoke"]), None) for s in ACTIVE | {S.SUSPENDED}],
    *[("revoke_in_part", s, s, _then(_second_item, CALLS["revoke_in_part"]), None) for s in ACTIVE | {S.SUSPENDED}],
    ("complete", S.VOLUNTARY, S.COMPLETED, _then(_pay_all, _disburse_all, CALLS["complete"]), None),
    ("complete", S.MONEY_HELD, S.COMPLETED, _then(_collect_rest, _disburse_all, CALLS["complete"]), None),
    # fully repaid to the bank: the case ends where it is (an enforcing one passes through MONEY_HELD)
    *[("complete", s, S.COMPLETED, _then(_repay_rest_to_bank, CALLS["complete"]), None)
      for s in AFTER_NOTICE - {S.VOLUNTARY, S.MONEY_HELD}],
    *[("receive_certificate_request", s, s, CALLS["receive_certificate_request"], None) for s in DECIDED_ONWARD],
    *[("issue_certificate", s, s, _then(CALLS["receive_certificate_request"], CALLS["issue_certificate"]), None)
      for s in DECIDED_ONWARD],
    *[("record_deadline_missed", s, s, CALLS["record_deadline_missed"], None) for s in Status],
    *[("erase_personal_data", s, s, CALLS["erase_personal_data"], None) for s in TERMINAL],
]

REFUSED = [(cmd, s) for cmd, t in TRANSITIONS.items() for s in Status if s not in t.allowed_from]
# The TRANSITIONS entries that are not named like their command: the collection rules per channel.
COMMAND_OF = {rule: "collect_money" for rule in COLLECTION_RULES.values()}


def _id(value: object) -> str:
    return str(value)


# ---------------------------------------------------------------- the table is complete


def test_every_command_has_a_call_and_an_event():
    assert set(CALLS) == set(TRANSITIONS) == set(EVENT_OF) - {"reverify_found"}


def test_the_edges_cover_exactly_the_allowed_transitions():
    allowed = {(cmd, s) for cmd, t in TRANSITIONS.items() for s in t.allowed_from}
    assert {(cmd.removesuffix("_found"), s) for cmd, s, *_ in EDGES} == allowed


@pytest.mark.parametrize("status", list(Status), ids=_id)
def test_the_builder_reaches_every_status(status):
    assert build(status).status == status


# ---------------------------------------------------------------- every transition


@pytest.mark.parametrize(("command", "from_status", "to_status", "call", "origin"), EDGES,
                         ids=[f"{c}-{f}-{t}" + (f"-{o}" if o else "") for c, f, t, _call, o in EDGES])
def test_allowed_transition_records_its_event_and_lands_in_the_expected_status(
        command, from_status, to_status, call, origin):
    # Given a case in from_status
    case = build(from_status, origin)
    # When the command is given
    call(case)
    # Then its event is recorded and the case is in to_status
    events = case.collect_events()
    assert type(events[-1]).__name__ == EVENT_OF[command]
    assert case.status == to_status


@pytest.mark.parametrize(("command", "from_status"), REFUSED, ids=_id)
def test_refused_transition_raises_invalid_transition_naming_rule_status_and_command(command, from_status):
    # Given a case in a status the command does not apply to
    case = build(from_status)
    # When the command is given, Then it is refused and nothing is recorded
    with pytest.raises(InvalidTransitionError) as refused:
        CALLS[command](case)
    assert (refused.value.command, refused.value.from_status) == (COMMAND_OF.get(command, command), from_status)
    # a stable rule id naming the TRANSITIONS entry (the one that refused, when the command has several),
    # the legal basis as its own field, and a Vietnamese sentence naming the status
    assert refused.value.rule == f"transition.{command}"
    assert refused.value.legal_basis is not None and "Art" in refused.value.legal_basis
    assert "Art" in refused.value.reason and refused.value.legal_basis in str(refused.value)
    assert refused.value.message_vi.startswith("Không thể ") and STATUS_LABELS[from_status] in refused.value.message_vi
    if command in COMMAND_OF:
        assert refused.value.reason.startswith(f"{command}: ")
    assert case.collect_events() == []


def test_continuing_a_postponement_returns_to_the_status_before_it():
    # Given a no-condition case postponed because the debtor's address is unknown
    case = build(S.NO_CONDITION)
    case.postpone("address_unknown", "QD-HOAN-2", at(2025, 4, 1), HEAD)
    # When the head continues
    case.continue_after_postponement("QD-TT-2", at(2025, 6, 1), HEAD)
    # Then the case is again without conditions
    assert case.status == S.NO_CONDITION
    assert case.continue_ == case.continue_after_postponement


# ---------------------------------------------------------------- identity, events, persistence


def test_case_id_is_derived_from_the_unit_and_the_upstream_reference():
    first = Case.receive_request("U-HN", "DON-5", "post", T0, CLERK, **JUDGMENT)
    again = Case.receive_request("U-HN", "DON-5", "post", T0, CLERK, **JUDGMENT)
    judgment = Case.receive_judgment("U-HN", "DON-5", T0, CLERK, **JUDGMENT)
    assert first.id == again.id == Case.create_id("U-HN", "request", "DON-5")
    assert judgment.id != first.id


def test_a_redelivered_intake_conflicts_in_the_event_store():
    app = Application()
    app.save(Case.receive_request("U-HN", "DON-6", "online", T0, SYSTEM, **JUDGMENT))
    with pytest.raises(IntegrityError):
        app.save(Case.receive_request("U-HN", "DON-6", "online", T0, SYSTEM, **JUDGMENT))


def test_events_carry_business_time_and_actor_while_timestamp_is_recording_time():
    # Given history imported years later
    case = Case.receive_judgment("U-HN", "BA-2", at(2019, 5, 6), CLERK, **JUDGMENT)
    case.decide_enforcement("QD-2", "ex_officio", at(2019, 5, 7), HEAD)
    created, decided = case.collect_events()
    # Then `at` is the business time, the timestamp is when it was recorded
    assert decided.at == at(2019, 5, 7) and (decided.actor_id, decided.actor_role) == ("head-1", "head")
    assert decided.timestamp.year >= 2025 and created.at == at(2019, 5, 6)


def test_a_case_saved_and_reloaded_has_the_same_state():
    app = Application()
    case = build(S.MONEY_HELD, keep_events=True)
    case.record_procuracy_copy("QD-THA-1", date(2024, 3, 6), at(2024, 4, 2), CLERK)
    app.save(case)
    copy = app.repository.get(case.id)
    assert (copy.status, copy.held_vnd, copy.claim_items()) == (case.status, case.held_vnd, case.claim_items())
    assert copy.deadlines(date(2024, 5, 1)) == case.deadlines(date(2024, 5, 1))


def test_labels_are_vietnamese_and_complete():
    assert set(STATUS_LABELS) == set(Status) and set(CLAIM_KIND_LABELS) == set(ClaimKind)
    assert STATUS_LABELS[S.DECIDED] == "Đã ra quyết định thi hành án"
    assert build(S.NO_CONDITION).status_label == "Chưa có điều kiện thi hành án"


def test_every_domain_error_is_an_intake_error():
    import intake_service.domain as domain

    errors = [v for k, v in vars(domain).items() if k.endswith("Error") and isinstance(v, type)]
    assert len(errors) > 20 and all(issubclass(e, IntakeError) for e in errors)


# ---------------------------------------------------------------- time guards


def test_an_event_dated_before_the_step_it_follows_is_refused():
    case = build(S.DECIDED)
    with pytest.raises(BackdatedEventError):
        case.notify(at(2024, 3, 4), OFFICER)


def test_a_procuracy_copy_cannot_be_sent_before_its_decision():
    case = build(S.DECIDED)
    with pytest.raises(BackdatedEventError):
        case.record_procuracy_copy("QD-THA-1", date(2024, 3, 4), at(2024, 3, 6), CLERK)


def test_business_time_must_be_timezone_aware():
    with pytest.raises(NaiveDatetimeError):
        Case.receive_judgment("U-HN", "BA-3", datetime(2024, 3, 4, 9), CLERK, **JUDGMENT)
    with pytest.raises(NaiveDatetimeError):
        build(S.DECIDED).notify(datetime(2024, 3, 6, 9), OFFICER)


def test_same_instant_as_the_previous_event_is_not_backdating():
    case = build(S.DECIDED)
    case.notify(at(2024, 3, 5), OFFICER)
    assert case.status == S.VOLUNTARY


# ---------------------------------------------------------------- argument guards


@pytest.mark.parametrize("ground", [None, ""])
def test_exits_need_a_ground(ground):
    case = build(S.ENFORCING)
    with pytest.raises(MissingGroundError, match="Art. 50"):
        case.terminate(ground, "QD-DC-2", LATER, HEAD)
    with pytest.raises(MissingGroundError, match="Art. 48"):
        case.postpone(ground, "QD-HOAN-2", LATER, HEAD)


def test_an_unknown_ground_is_refused_with_the_legal_basis():
    with pytest.raises(InvalidGroundError, match="Art. 49"):
        build(S.ENFORCING).suspend("debtor_on_holiday", "QD-TDC-2", at(2024, 4, 2), HEAD)


def test_a_no_condition_decision_needs_an_art_44a_ground():
    with pytest.raises(MissingGroundError, match="Art. 44a"):
        build(S.VERIFYING).record_verification("without_conditions", at(2024, 3, 22), HEAD, decision_no="QD-CDK-2")


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_amounts_must_be_positive_whole_dong(amount):
    case = received("request")
    with pytest.raises(NotPositiveAmountError):
        case.add_claim_item("I-2", "other", amount, "P-BANK", T0, CLERK)


def test_claim_items_reference_a_creditor_and_are_unique():
    case = received("request")
    with pytest.raises(UnknownPartyError):
        case.add_claim_item("I-2", "other", 1_000, "P-DEBT", T0, CLERK)
    with pytest.raises(DuplicateClaimItemError):
        case.add_claim_item("I-1", "other", 1_000, "P-BANK", T0, CLERK)
    with pytest.raises(InvalidValueError):
        case.add_claim_item("I-3", "alimony", 1_000, "P-BANK", T0, CLERK)


def test_credit_institutions_and_only_they_carry_a_bank_code():
    case = received("request")
    with pytest.raises(InvalidPartyError):
        case.add_party("P-B2", "creditor", "credit_institution", T0, CLERK)
    with pytest.raises(InvalidPartyError):
        case.add_party("P-I2", "creditor", "individual", T0, CLERK, bank_code="ACB")


def test_unknown_claim_items_are_refused():
    with pytest.raises(UnknownClaimItemError):
        build(S.ENFORCING).collect_money("I-404", 1_000, "deduction", "BANK-9", LATER, OFFICER)


def test_the_decision_basis_must_match_how_the_case_arrived():
    with pytest.raises(BasisMismatchError):
        build(S.REQUEST_RECEIVED).decide_enforcement("QD-3", "ex_officio", at(2024, 3, 5), HEAD)


def test_decision_numbers_are_unique_within_a_case():
    with pytest.raises(DuplicateDecisionError):
        build(S.ENFORCING).postpone("parties_agree", "QD-THA-1", LATER, HEAD)


def test_procuracy_copies_refer_to_an_issued_decision_once():
    case = build(S.DECIDED)
    with pytest.raises(UnknownDecisionError):
        case.record_procuracy_copy("QD-404", date(2024, 3, 6), at(2024, 3, 6), CLERK)
    case.record_procuracy_copy("QD-THA-1", date(2024, 3, 6), at(2024, 3, 6), CLERK)
    with pytest.raises(ProcuracyCopyAlreadyRecordedError):
        case.record_procuracy_copy("QD-THA-1", date(2024, 3, 7), at(2024, 3, 7), CLERK)


def test_officers_are_assigned_once_then_reassigned():
    case = build(S.DECIDED)
    with pytest.raises(OfficerNotAssignedError):
        case.reassign_officer("officer-2", LATER, HEAD)
    case.assign_officer("officer-1", LATER, HEAD)
    with pytest.raises(OfficerAlreadyAssignedError):
        case.assign_officer("officer-2", LATER, HEAD)
    case.reassign_officer("officer-2", LATER, HEAD, reason="Art. 13 ND 152/2026 request")
    case.reassign("officer-3", LATER, HEAD)
    assert case.officer_id == "officer-3"


# ---------------------------------------------------------------- actors


@pytest.mark.parametrize(
    ("status", "actor", "call"),
    [
        (S.REQUEST_RECEIVED, CLERK, lambda c, a: c.decide_enforcement("QD-4", "on_request", LATER, a)),
        (S.ENFORCING, OFFICER, lambda c, a: c.terminate("judgment_annulled", "QD-DC-4", LATER, a)),
        (S.VOLUNTARY, ACCOUNTANT, lambda c, a: c.start_verification(LATER, a)),
        (S.VERIFYING, OFFICER, lambda c, a: c.record_verification(
            "without_conditions", LATER, a, ground="address_unknown", decision_no="QD-CDK-4")),
        (S.VERIFYING, HEAD, lambda c, a: c.record_verification("with_conditions", LATER, a)),
        (S.MONEY_HELD, CLERK, lambda c, a: c.disburse("I-1", 1_000, LATER, a)),
        (S.DECIDED, OFFICER, lambda c, a: c.record_deadline_missed("procuracy_copy", date(2024, 3, 8), LATER, a)),
    ],
    ids=["clerk-decides", "officer-terminates", "accountant-verifies", "officer-no-condition-decision",
         "head-writes-verification-minutes", "clerk-pays-out", "officer-records-own-missed-deadline"],
)
def test_only_the_competent_actor_may_act(status, actor, call):
    with pytest.raises(ActorNotPermittedError):
        call(build(status), actor)


def test_an_accountant_cannot_register_an_incoming_case():
    with pytest.raises(ActorNotPermittedError):
        Case.receive_judgment("U-HN", "BA-4", T0, ACCOUNTANT, **JUDGMENT)


# ---------------------------------------------------------------- voluntary period, verification, register


def test_verification_waits_for_the_voluntary_period():
    # Given notice on 6/3/2024: the 10 days end on Sat 16/3 and roll to Mon 18/3
    case = build(S.VOLUNTARY)
    assert case.voluntary_period_ends_on == date(2024, 3, 18)
    with pytest.raises(VoluntaryPeriodRunningError, match="Art. 45"):
        case.start_verification(at(2024, 3, 18), OFFICER)
    case.start_verification(at(2024, 3, 19), OFFICER)
    assert case.status == S.VERIFYING


def test_a_provisional_measure_is_verified_at_once():
    case = Case.receive_judgment("U-HN", "BPKCTT-2", T0, CLERK, matter="provisional_measure", **JUDGMENT)
    case.decide_enforcement("QD-5", "ex_officio", T0, HEAD)
    case.notify(T0, OFFICER)
    case.start_verification(T0, OFFICER)
    assert case.status == S.VERIFYING


def test_a_fully_paid_case_is_not_verified():
    case = build(S.VOLUNTARY)
    case.record_voluntary_payment("I-1", 10_000_000, "RCPT-2", at(2024, 3, 8), ACCOUNTANT)
    with pytest.raises(NothingOutstandingError):
        case.start_verification(LATER, OFFICER)


def test_a_security_measure_can_stop_asset_hiding_during_the_voluntary_period():
    case = build(S.VOLUNTARY)
    case.apply_security_measure("account_freeze", "QD-PT-1", at(2024, 3, 7), OFFICER)
    assert case.status == S.VOLUNTARY and case.measures[0]["measure"] == "account_freeze"


def test_the_separate_register_needs_one_year_and_two_checks_before_july_2026():
    case = build(S.NO_CONDITION)  # decision 22/3/2024, checks 20/9/2024 and 20/3/2025
    with pytest.raises(SeparateRegisterNotDueError, match="ND 62/2015"):
        case.move_to_separate_register(at(2025, 3, 21), HEAD)
    case.move_to_separate_register(at(2025, 3, 22), HEAD)
    assert case.status == S.SEPARATE_REGISTER


def test_the_separate_register_needs_two_checks():
    case = build(S.VERIFYING)
    without_conditions(case)
    case.reverify(False, at(2024, 9, 20), OFFICER)
    with pytest.raises(SeparateRegisterNotDueError, match="has 1"):
        case.move_to_separate_register(at(2025, 6, 1), HEAD)


def test_address_unknown_doubles_the_waiting_time_and_the_check_interval():
    case = build(S.VERIFYING)
    case.record_verification("without_conditions", at(2024, 3, 22), HEAD, ground="address_unknown",
                             decision_no="QD-CDK-5")
    assert case.deadlines(date(2024, 4, 1))[-1]["step"] == "reverification_long"
    two_checks(case)
    with pytest.raises(SeparateRegisterNotDueError):
        case.move_to_separate_register(at(2025, 4, 1), HEAD)
    case.move_to_separate_register(at(2026, 3, 23), HEAD)


def test_from_july_2026_an_on_request_case_is_returned_not_registered():
    case = build(S.NO_CONDITION, origin="request")
    with pytest.raises(ReturnNotApplicableError, match="ND 152/2026"):
        case.move_to_separate_register(LATER, HEAD)
    case.return_request(LATER, HEAD)
    assert case.status == S.RETURNED


def test_requests_are_not_returned_before_july_2026():
    with pytest.raises(RuleNotInForceError):
        build(S.NO_CONDITION, origin="request").return_request(at(2026, 6, 30), HEAD)


def test_ex_officio_cases_are_never_returned():
    with pytest.raises(ReturnNotApplicableError):
        build(S.NO_CONDITION, origin="judgment").return_request(LATER, HEAD)


def test_from_july_2026_the_register_waits_two_years():
    case = build(S.VERIFYING)
    case.record_verification("without_conditions", at(2025, 7, 10), HEAD, ground="no_income_or_assets",
                             decision_no="QD-CDK-6")
    case.reverify(False, at(2026, 1, 5), OFFICER)
    case.reverify(False, at(2026, 7, 3), OFFICER)
    with pytest.raises(SeparateRegisterNotDueError, match="ND 152/2026"):
        case.move_to_separate_register(at(2026, 7, 13), HEAD)


# ---------------------------------------------------------------- coercion time


@pytest.mark.parametrize(
    "when",
    [at(2026, 9, 8, 22), at(2026, 9, 8, 5), at(2026, 9, 6, 10), at(2026, 9, 2, 10)],
    ids=["22:00", "05:00", "sunday", "national-day"],
)
def test_no_field_coercion_at_night_or_on_days_off(when):
    case = build(S.ENFORCING)
    with pytest.raises(ForbiddenCoercionTimeError, match="Art. 46"):
        case.order_seizure("QD-KB-2", "Xe ô tô 30A-12345", ["I-1"], when, OFFICER, asset_kind="movable")
    with pytest.raises(ForbiddenCoercionTimeError):
        case.apply_coercive_measure("forced_handover", "QD-CC-2", when, OFFICER)


def test_coercion_on_a_compensatory_saturday_is_allowed_and_bank_deductions_any_time():
    case = build(S.ENFORCING)
    case.order_seizure("QD-KB-3", "Nhà đất thửa 7", ["I-1"], at(2025, 4, 26, 8), OFFICER, asset_kind="real_estate")
    case.apply_coercive_measure("deduction_from_account", "QD-CC-3", at(2025, 4, 27, 23), OFFICER)
    seizure = case.collect_events()[0]
    assert (seizure.asset_description, seizure.claim_item_ids) == ("Nhà đất thửa 7", ["I-1"])


# ---------------------------------------------------------------- money on a single item


def test_collection_is_idempotent_per_source_ref():
    case = build(S.ENFORCING)
    case.collect_money("I-1", 2_000_000, "deduction", "BANK-7", LATER, SYSTEM)
    case.collect_money("I-1", 2_000_000, "deduction", "BANK-7", LATER, SYSTEM)
    assert len(case.collect_events()) == 1 and case.held_vnd == 2_000_000
    with pytest.raises(ConflictingSourceRefError):
        case.collect_money("I-1", 3_000_000, "deduction", "BANK-7", LATER, SYSTEM)


def test_collection_cannot_exceed_what_the_debtor_owes():
    case = build(S.MONEY_HELD)
    with pytest.raises(AmountExceedsOutstandingError):
        case.collect_money("I-1", 6_000_001, "deduction", "BANK-8", LATER, OFFICER)


def test_a_direct_repayment_to_the_bank_settles_without_money_held():
    case = build(S.ENFORCING)
    case.collect_money("I-1", 10_000_000, "paid_to_bank", "VCB-REPAY-1", LATER, SYSTEM)
    item = case.claim_items()[0]
    assert (item["disbursed_vnd"], item["settled"], case.held_vnd, case.status) == (
        10_000_000, True, 0, S.MONEY_HELD)
    case.complete(LATER, HEAD)
    assert case.status == S.COMPLETED


def test_paid_to_bank_needs_a_bank_creditor():
    case = Case.receive_request("U-HN", "DON-9", "post", T0, CLERK, **JUDGMENT)
    case.add_party("P-PERSON", "creditor", "individual", T0, CLERK)
    case.add_claim_item("I-1", "other", 5_000_000, "P-PERSON", T0, CLERK)
    for step in ENFORCING_PATH:
        step(case)
    with pytest.raises(InvalidChannelError):
        case.collect_money("I-1", 1_000_000, "paid_to_bank", "X-1", LATER, OFFICER)


def test_completion_can_answer_a_pending_certificate_request():
    # Given a debtor who paid everything voluntarily and a creditor who asked for a certificate
    case = build(S.VOLUNTARY)
    case.record_voluntary_payment("I-1", 10_000_000, "RCPT-5", at(2024, 3, 8), ACCOUNTANT)
    case.disburse("I-1", 10_000_000, at(2024, 3, 11), ACCOUNTANT)
    case.receive_certificate_request(at(2024, 3, 11), CLERK)
    assert all(r["step"] != "verification_start" for r in case.deadlines(date(2024, 4, 1)))
    # When the case is completed with the certificate
    case.complete(at(2024, 3, 14), HEAD, certificate_no="GXN-9")
    # Then the case is performed and the certificate was on time (5 WD from 11/3/2024)
    row = next(r for r in case.deadlines(date(2024, 4, 1)) if r["step"] == "result_certificate")
    assert (case.status, case.certificate_no, row["status"]) == (S.COMPLETED, "GXN-9", "met")


def test_completion_needs_every_item_paid_out():
    case = build(S.MONEY_HELD)
    with pytest.raises(OutstandingClaimsError, match="I-1"):
        case.complete(LATER, HEAD)


def test_partial_completion_is_tracked_per_claim_item():
    # Given a voluntary period with two claim items
    case = received("request")
    case.add_party("P-STATE", "creditor", "state", T0, CLERK)
    case.add_claim_item("I-FEE", "court_fee", 500_000, "P-STATE", T0, CLERK, ex_officio=True)
    decide(case)
    notify(case)
    # When the debtor pays the court fee in full and part of the debt
    case.record_voluntary_payment("I-FEE", 500_000, "RCPT-3", at(2024, 3, 8), ACCOUNTANT)
    case.record_voluntary_payment("I-1", 3_000_000, "RCPT-4", at(2024, 3, 8), ACCOUNTANT, direct_to_creditor=True)
    case.disburse("I-FEE", 500_000, at(2024, 3, 9), ACCOUNTANT)
    # Then the court fee is settled, the debt is partly performed, and the case cannot complete
    items = {i["id"]: i for i in case.claim_items()}
    assert items["I-FEE"]["settled"] and items["I-FEE"]["outstanding_vnd"] == 0
    assert (items["I-1"]["collected_vnd"], items["I-1"]["disbursed_vnd"], items["I-1"]["outstanding_vnd"],
            items["I-1"]["settled"]) == (3_000_000, 3_000_000, 7_000_000, False)
    with pytest.raises(OutstandingClaimsError, match="I-1"):
        case.complete(at(2024, 3, 10), HEAD)


# ---------------------------------------------------------------- enforcement fee (tiers: test_fees.py)


def test_no_fee_on_maintenance_or_ex_officio_items():
    case = received("request")
    case.add_party("P-CHILD", "creditor", "individual", T0, CLERK)
    case.add_claim_item("I-MAINT", "maintenance", 1_000_000, "P-CHILD", T0, CLERK)
    decide(case)
    notify(case)
    with pytest.raises(FeeNotApplicableError):
        case.charge_enforcement_fee("I-MAINT", LATER, ACCOUNTANT)


# ---------------------------------------------------------------- deadlines on the case


def test_deadline_missed_is_recorded_once_per_step_and_due_date():
    case = build(S.DECIDED)
    case.record_deadline_missed("procuracy_copy", date(2024, 3, 8), at(2024, 3, 11), SYSTEM)
    case.record_deadline_missed("procuracy_copy", date(2024, 3, 8), at(2024, 3, 12), SYSTEM)
    case.record_deadline_missed("procuracy_copy", date(2024, 3, 9), at(2024, 3, 12), SYSTEM)
    events = case.collect_events()
    assert [(e.step, e.due) for e in events] == [("procuracy_copy", "2024-03-08"), ("procuracy_copy", "2024-03-09")]
    assert events[0].legal_basis == "Art. 38 Luật THADS 2008"


def test_a_deadline_is_not_missed_before_its_due_date_passes():
    with pytest.raises(DeadlineNotPassedError):
        build(S.DECIDED).record_deadline_missed("procuracy_copy", date(2024, 3, 8), at(2024, 3, 8), SYSTEM)
    with pytest.raises(InvalidValueError):
        build(S.DECIDED).record_deadline_missed("lunch_break", date(2024, 3, 8), LATER, SYSTEM)


def test_the_case_lists_its_deadlines_with_status():
    case = build(S.MONEY_HELD)  # collected 4 M on 1/4/2024, not yet paid out
    case.record_procuracy_copy("QD-THA-1", date(2024, 3, 7), at(2024, 4, 2), CLERK)
    rows = {r["step"]: r for r in case.deadlines(as_of=date(2024, 4, 11))}
    assert rows["decision_ex_officio"]["status"] == "met"
    assert rows["procuracy_copy"]["status"] == "met"
    assert (rows["verification_start"]["started_on"], rows["verification_start"]["status"]) == (
        date(2024, 3, 18), "met")
    assert (rows["disbursement"]["due"], rows["disbursement"]["status"]) == (date(2024, 4, 11), "open")
    assert case.deadlines(as_of=date(2024, 4, 12))[-1]["status"] == "overdue"


def test_re_verification_falls_due_every_six_months():
    case = build(S.NO_CONDITION)  # checks on 20/9/2024 and 20/3/2025
    rows = [r for r in case.deadlines(as_of=date(2025, 10, 1)) if r["step"] == "reverification"]
    assert [r["status"] for r in rows] == ["met", "met", "overdue"]
    assert rows[-1]["due"] == date(2025, 9, 22)  # Sat 20/9/2025 → Mon 22/9


def test_decisions_with_a_known_ground_are_timed_from_that_day():
    case = build(S.ENFORCING)
    case.terminate("debtor_died_without_estate", "QD-DC-5", at(2024, 4, 12), HEAD, ground_known_on=date(2024, 4, 2))
    row = next(r for r in case.deadlines(date(2024, 4, 12)) if r["step"] == "termination_decision")
    assert (row["due"], row["status"]) == (date(2024, 4, 9), "overdue")
    assert row["legal_basis"] == "Art. 50(2) Luật THADS 2008"
    with pytest.raises(InvalidValueError):
        build(S.ENFORCING).terminate("judgment_annulled", "QD-DC-6", at(2024, 4, 12), HEAD,
                                     ground_known_on=date(2024, 4, 13))


def test_the_result_certificate_is_due_in_three_working_days_from_july_2026():
    case = build(S.ENFORCING)
    case.receive_certificate_request(at(2026, 8, 28), CLERK)
    with pytest.raises(CertificateRequestPendingError):
        case.receive_certificate_request(at(2026, 8, 28), CLERK)
    row = case.deadlines(date(2026, 9, 1))[-1]
    assert (row["step"], row["due"], row["status"]) == ("result_certificate", date(2026, 9, 7), "open")
    case.issue_certificate("GXN-1", at(2026, 9, 7), HEAD)
    assert case.deadlines(date(2026, 9, 8))[-1]["status"] == "met"
    with pytest.raises(NoCertificateRequestError):
        case.issue_certificate("GXN-2", at(2026, 9, 8), HEAD)


# ---------------------------------------------------------------- money that arrives at any stage


def test_every_collection_channel_has_its_rule_in_the_transition_table():
    assert set(COLLECTION_RULES) == set(CollectionChannel)
    assert set(COLLECTION_RULES.values()) <= set(TRANSITIONS)
    assert TRANSITIONS["collect_money_paid_to_bank"].allowed_from == AFTER_NOTICE == {
        S.VOLUNTARY, S.VERIFYING, S.ENFORCING, S.NO_CONDITION, S.SEPARATE_REGISTER, S.POSTPONED, S.SUSPENDED,
        S.MONEY_HELD}
    assert TRANSITIONS["collect_money_pooled"].allowed_from == {S.ENFORCING, S.MONEY_HELD, S.POSTPONED,
                                                                 S.SUSPENDED}
    assert TRANSITIONS["collect_money_voluntary"].allowed_from == {S.ENFORCING, S.MONEY_HELD}


@pytest.mark.parametrize("status", [S.VOLUNTARY, S.VERIFYING, S.ENFORCING, S.NO_CONDITION, S.SEPARATE_REGISTER,
                                    S.POSTPONED, S.SUSPENDED, S.MONEY_HELD], ids=_id)
def test_a_repayment_to_the_bank_is_booked_at_any_stage_without_changing_the_status(status):
    # Given a case owing 10 M to a bank, in the status
    case = build(status)
    held = case.held_vnd
    # When recovery reports that the debtor repaid 3 M to the bank directly
    case.collect_money("I-1", 3_000_000, "paid_to_bank", "VCB-REPAY-7", LATER, SYSTEM)
    # Then the repayment is booked as partial performance; nothing more is held, the status stays
    item = case.claim_items()[0]
    assert [type(e).__name__ for e in case.collect_events()] == ["MoneyCollected"]
    assert (item["disbursed_vnd"], item["settled"], case.held_vnd, case.status) == (
        3_000_000, False, held, status)
    assert item["outstanding_vnd"] == 7_000_000


@pytest.mark.parametrize("status", [S.VOLUNTARY, S.VERIFYING, S.NO_CONDITION, S.SEPARATE_REGISTER, S.DECIDED],
                         ids=_id)
def test_proceeds_and_deductions_are_refused_where_nothing_can_have_been_sold(status):
    case = build(status)
    for channel in ("auction_proceeds", "deduction"):
        with pytest.raises(InvalidTransitionError, match="collect_money_pooled: .*Art. 47") as refused:
            case.collect_money("I-1", 1_000_000, channel, f"AUC-{channel}", LATER, SYSTEM)
        assert refused.value.command == "collect_money"
    assert case.collect_events() == []


def test_proceeds_booked_while_postponed_are_paid_out_once_the_case_continues():
    # Given an enforcing case postponed by the parties' agreement after a sale
    case = build(S.POSTPONED)  # postponed on 2/4/2024
    # When the auction proceeds arrive while it is postponed
    case.collect_money("I-1", 10_000_000, "auction_proceeds", "AUC-LATE-1", at(2024, 4, 10), SYSTEM)
    # Then they are held, the status stays postponed, and the 10-day payout runs from their arrival
    assert (case.status, case.held_vnd) == (S.POSTPONED, 10_000_000)
    row = next(r for r in case.deadlines(date(2024, 4, 15)) if r["step"] == "disbursement")
    assert (row["started_on"], row["due"], row["legal_basis"]) == (date(2024, 4, 10), date(2024, 4, 22),
                                                                  "Art. 47(5) Luật THADS 2008")
    with pytest.raises(InvalidTransitionError):  # nothing is paid out while postponed
        case.disburse("I-1", 10_000_000, at(2024, 4, 11), ACCOUNTANT)
    # When the head continues, Then the case holds money; it is paid out and the case completes
    case.continue_after_postponement("QD-TT-9", at(2024, 4, 12), HEAD)
    assert case.status == S.MONEY_HELD
    case.disburse("I-1", 10_000_000, at(2024, 4, 15), ACCOUNTANT)
    case.complete(at(2024, 4, 16), HEAD)
    assert case.status == S.COMPLETED
    row = next(r for r in case.deadlines(date(2024, 4, 30)) if r["step"] == "disbursement")
    assert (row["done_on"], row["status"]) == (date(2024, 4, 15), "met")


def test_a_deduction_booked_while_suspended_leaves_the_case_holding_money_when_it_continues():
    case = build(S.SUSPENDED)
    case.collect_money("I-1", 4_000_000, "deduction", "BANK-LATE-1", at(2024, 4, 10), SYSTEM)
    assert (case.status, case.held_vnd) == (S.SUSPENDED, 4_000_000)
    case.continue_after_suspension("QD-TT-10", at(2024, 5, 2), HEAD)
    assert case.status == S.MONEY_HELD
    case.disburse("I-1", 4_000_000, at(2024, 5, 3), ACCOUNTANT)
    assert case.status == S.ENFORCING  # 6 M still owed


def test_continuing_without_money_held_stays_enforcing_even_after_a_partial_repayment_to_the_bank():
    case = build(S.POSTPONED)
    case.collect_money("I-1", 3_000_000, "paid_to_bank", "VCB-P-1", at(2024, 4, 10), SYSTEM)
    case.continue_after_postponement("QD-TT-11", at(2024, 4, 12), HEAD)
    assert (case.status, case.held_vnd) == (S.ENFORCING, 0)


def test_money_arriving_while_paused_is_booked_once_when_redelivered():
    case = build(S.POSTPONED)
    for _ in range(2):
        case.collect_money("I-1", 5_000_000, "auction_proceeds", "AUC-DUP-1", LATER, SYSTEM)
        case.collect_money("I-1", 2_000_000, "paid_to_bank", "VCB-DUP-1", LATER, SYSTEM)
    assert len(case.collect_events()) == 2
    assert (case.held_vnd, case.items["I-1"].direct_vnd, case.uncollected_vnd) == (5_000_000, 2_000_000, 3_000_000)
    with pytest.raises(ConflictingSourceRefError):
        case.collect_money("I-1", 2_000_000, "deduction", "VCB-DUP-1", LATER, SYSTEM)


def test_a_case_postponed_while_without_conditions_takes_no_proceeds():
    # Nothing was sold before: money held here could never be paid out
    case = build(S.NO_CONDITION)
    case.postpone("address_unknown", "QD-HOAN-3", at(2025, 4, 1), HEAD)
    with pytest.raises(InvalidTransitionError, match="postponed while NO_CONDITION"):
        case.collect_money("I-1", 1_000_000, "auction_proceeds", "AUC-NC-1", LATER, SYSTEM)
    case.collect_money("I-1", 1_000_000, "paid_to_bank", "VCB-NC-1", LATER, SYSTEM)  # a repayment still counts
    case.continue_after_postponement("QD-TT-12", LATER, HEAD)
    assert (case.status, case.items["I-1"].direct_vnd) == (S.NO_CONDITION, 1_000_000)


@pytest.mark.parametrize("status", [S.VOLUNTARY, S.NO_CONDITION, S.POSTPONED, S.SUSPENDED], ids=_id)
def test_paid_to_bank_is_refused_for_a_creditor_that_is_not_a_bank_at_any_stage(status):
    case = Case.receive_judgment("U-HN", "BA-PERSON", T0, CLERK, **JUDGMENT)
    case.add_party("P-PERSON", "creditor", "individual", T0, CLERK)
    case.add_claim_item("I-1", "other", 5_000_000, "P-PERSON", T0, CLERK)
    for step in PATHS[status]:
        step(case)
    case.collect_events()
    with pytest.raises(InvalidChannelError):
        case.collect_money("I-1", 1_000_000, "paid_to_bank", "X-2", LATER, SYSTEM)
    assert case.collect_events() == [] and case.status == status


def test_a_no_condition_case_fully_repaid_to_the_bank_is_completed_where_it_is():
    # Given a debtor without conditions who repays the whole debt to the bank
    case = build(S.NO_CONDITION)
    case.collect_money("I-1", 10_000_000, "paid_to_bank", "VCB-ALL-1", at(2025, 5, 5), SYSTEM)
    assert (case.status, case.claim_items()[0]["settled"], case.held_vnd) == (S.NO_CONDITION, True, 0)
    # When the head completes the case with the certificate of the result
    case.receive_certificate_request(at(2025, 5, 6), CLERK)
    case.complete(at(2025, 5, 7), HEAD, certificate_no="GXN-NC-1")
    # Then it is performed (no detour through a fictitious enforcement) and the certificate was on time
    row = next(r for r in case.deadlines(date(2025, 6, 1)) if r["step"] == "result_certificate")
    assert (case.status, row["status"]) == (S.COMPLETED, "met")


def test_a_fully_repaid_case_found_with_conditions_later_still_completes():
    case = build(S.NO_CONDITION)
    case.collect_money("I-1", 10_000_000, "paid_to_bank", "VCB-ALL-2", at(2025, 5, 5), SYSTEM)
    case.reverify(True, at(2025, 5, 6), OFFICER)
    assert case.status == S.NO_CONDITION  # conditions found: the head's continuation decision is needed
    case.continue_from_no_condition("QD-TT-1", at(2025, 5, 6, 15), HEAD)
    assert case.status == S.ENFORCING
    case.complete(at(2025, 5, 7), HEAD)
    assert case.status == S.COMPLETED


@pytest.mark.parametrize("status", [S.VERIFYING, S.NO_CONDITION, S.POSTPONED, S.SUSPENDED], ids=_id)
def test_completion_at_any_stage_still_needs_every_item_performed(status):
    case = build(status)
    case.collect_money("I-1", 9_999_999, "paid_to_bank", "VCB-ALMOST", LATER, SYSTEM)
    with pytest.raises(OutstandingClaimsError, match="I-1"):
        case.complete(LATER, HEAD)


def test_no_delegation_while_money_is_held():
    case = build(S.POSTPONED)
    case.collect_money("I-1", 5_000_000, "auction_proceeds", "AUC-DEL-1", LATER, SYSTEM)
    with pytest.raises(InvalidTransitionError, match="no money held.*5000000 VND is held"):
        case.delegate_out("U-HCM", "assets_elsewhere", "QD-UT-9", LATER, HEAD, revocation_decision_no="QD-TH-9")


# ---------------------------------------------------------------- personal data erasure (domain/erasure.py)


def test_erasure_is_refused_while_the_closed_case_is_retained_and_changes_no_state_after():
    # Given a case refused (closed) at LATER
    case = build(S.REJECTED)
    closed = case.last_at
    before = {k: v for k, v in vars(case).items() if not k.startswith("_")}
    # When the head erases a party's personal data 4 years later, Then the retention refuses it
    with pytest.raises(PersonalDataRetainedError) as kept:
        case.erase_personal_data("P-BANK", "purpose_fulfilled", "data_subject", "DN-1",
                                 closed.replace(year=closed.year + 5) - timedelta(days=1), HEAD)
    assert kept.value.rule == "personal_data.retained" and "5 năm" in kept.value.message_vi
    assert case.collect_events() == []
    # When it is asked 5 years after the last step, Then it is recorded with who asked and why, and the
    # case's state is as it was
    case.erase_personal_data("P-BANK", "authority_order", "competent_authority", "QĐ-05",
                             closed.replace(year=closed.year + 5), HEAD)
    (erased,) = case.collect_events()
    assert (erased.party_id, erased.ground, erased.requested_by, erased.request_ref) == (
        "P-BANK", "authority_order", "competent_authority", "QĐ-05")
    assert erased.actor_role == "head" and "13/2023" in erased.legal_basis
    assert {k: v for k, v in vars(case).items() if not k.startswith("_")} == before


def test_erasure_of_an_open_case_or_an_unknown_party_is_refused():
    with pytest.raises(InvalidTransitionError) as open_case:
        build(S.ENFORCING).erase_personal_data("P-BANK", "purpose_fulfilled", "data_subject", "DN-1",
                                              LATER.replace(year=LATER.year + 9), HEAD)
    assert open_case.value.rule == "transition.erase_personal_data"
    with pytest.raises(UnknownPartyError):
        build(S.COMPLETED).erase_personal_data("P-NOBODY", "purpose_fulfilled", "data_subject", "DN-1",
                                               LATER.replace(year=LATER.year + 9), HEAD)
