"""Legal deadlines and legal references of a THADS case, as data.

The rule in force on the date of the triggering event applies: Luật THADS 2008
(26/2008/QH12 as amended 2014, 2022) until 30/6/2026, Luật THADS 2025 (106/2025/QH15)
and ND 152/2026 from 1/7/2026. Article numbers of the 2025 law come from ND 152/2026's
cross-references; where the 2025 text was not verified the 2008 value is kept and marked [GK].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from intake_service.calendar_vn import add_calendar_days, add_months, add_working_days

LAW_2008_IN_FORCE = date(2009, 7, 1)
LAW_2025_IN_FORCE = date(2026, 7, 1)

L2008 = "Luật THADS 2008"
L2025 = "Luật THADS 2025"
UNVERIFIED_2025 = "[GK: Law 106/2025 article not verified; 2008-law rule kept]"


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    HOURS = "hours"
    IMMEDIATELY = "immediately"


class Step(StrEnum):
    REFUSAL = "refusal"
    DECISION_ON_REQUEST = "decision_on_request"
    DECISION_EX_OFFICIO = "decision_ex_officio"
    DECISION_PROVISIONAL_MEASURE = "decision_provisional_measure"
    DECISION_BANKRUPTCY = "decision_bankruptcy"
    PROCURACY_COPY = "procuracy_copy"
    VOLUNTARY_PERIOD = "voluntary_period"
    VERIFICATION_START = "verification_start"
    VERIFICATION_START_PROVISIONAL_MEASURE = "verification_start_provisional_measure"
    NO_CONDITION_DECISION = "no_condition_decision"
    REVERIFICATION = "reverification"
    REVERIFICATION_LONG = "reverification_long"
    DISBURSEMENT = "disbursement"
    SUSPENSION_DECISION = "suspension_decision"
    CONTINUATION_AFTER_SUSPENSION = "continuation_after_suspension"
    TERMINATION_DECISION = "termination_decision"
    DELEGATION_DECISION = "delegation_decision"
    DELEGATION_DECISION_PROVISIONAL_MEASURE = "delegation_decision_provisional_measure"
    RESULT_CERTIFICATE = "result_certificate"
    NOTICE_TO_PARTIES = "notice_to_parties"
    SEPARATE_REGISTER_TRANSFER = "separate_register_transfer"
    VERIFICATION_AFTER_NEW_INFORMATION = "verification_after_new_information"
    CREDITOR_NOTICE_AFTER_TWO_CHECKS = "creditor_notice_after_two_checks"
    POSTPONEMENT_DECISION = "postponement_decision"
    POSTPONEMENT_DECISION_PROTEST = "postponement_decision_protest"
    CONTINUATION_AFTER_POSTPONEMENT = "continuation_after_postponement"
    DECISION_AFTER_DELEGATION = "decision_after_delegation"


@dataclass(frozen=True)
class Deadline:
    step: Step
    amount: int
    unit: Unit
    legal_basis: str


@dataclass(frozen=True)
class _Rule:
    in_force_from: date
    amount: int
    unit: Unit
    legal_basis: str


def _rules(amount: int, unit: Unit, basis_2008: str, basis_2025: str,
           amount_2025: int | None = None, unit_2025: Unit | None = None) -> tuple[_Rule, ...]:
    return (
        _Rule(LAW_2008_IN_FORCE, amount, unit, basis_2008),
        _Rule(LAW_2025_IN_FORCE, amount if amount_2025 is None else amount_2025,
              unit_2025 or unit, basis_2025),
    )


WD, CD, MO, HR, NOW = Unit.WORKING_DAYS, Unit.CALENDAR_DAYS, Unit.MONTHS, Unit.HOURS, Unit.IMMEDIATELY

DEADLINE_RULES: dict[Step, tuple[_Rule, ...]] = {
    Step.REFUSAL: _rules(5, WD, f"Art. 31(5) {L2008}", f"Art. 31(5) {L2008} {UNVERIFIED_2025}"),
    Step.DECISION_ON_REQUEST: _rules(
        5, WD, f"Art. 36(1) {L2008}",
        f"Art. 34 {L2025} (was Art. 36(1) {L2008}) [GK: 5 WD not re-verified]"),
    Step.DECISION_EX_OFFICIO: _rules(
        5, WD, f"Art. 36(2) {L2008}",
        f"Art. 33 {L2025} (was Art. 36(2) {L2008}) [GK: 5 WD not re-verified]"),
    Step.DECISION_PROVISIONAL_MEASURE: _rules(
        0, NOW, f"Art. 36(2) {L2008}",
        f"Art. 33 {L2025} (was Art. 36(2) {L2008}) [GK: 'immediately' not re-verified]"),
    Step.DECISION_BANKRUPTCY: _rules(
        3, WD, f"Art. 36(2) {L2008}",
        f"Art. 33 {L2025} (was Art. 36(2) {L2008}) [GK: 3 WD not re-verified]"),
    Step.PROCURACY_COPY: _rules(3, WD, f"Art. 38 {L2008}", f"Art. 38 {L2008} {UNVERIFIED_2025}"),
    Step.VOLUNTARY_PERIOD: _rules(
        10, CD, f"Art. 45(1) {L2008}",
        f"Art. 36(1) {L2025} (was Art. 45(1) {L2008}) [GK: 10 days not re-verified]"),
    Step.VERIFICATION_START: _rules(
        10, CD, f"Art. 44(1) {L2008}",
        f"Art. 38 {L2025} (was Art. 44(1) {L2008}) [GK: 10 days not re-verified]"),
    Step.VERIFICATION_START_PROVISIONAL_MEASURE: _rules(
        0, NOW, f"Art. 44(1) {L2008}", f"Art. 38 {L2025} (was Art. 44(1) {L2008}) [GK]"),
    Step.NO_CONDITION_DECISION: _rules(
        5, WD, f"Art. 44a(1) {L2008}; Art. 9(4) ND 62/2015",
        f"Art. 38(1) {L2025} (was Art. 44a(1) {L2008}) [GK: 5 WD not re-verified]"),
    Step.REVERIFICATION: _rules(
        6, MO, f"Art. 44(2) {L2008}",
        f"Art. 38(3) {L2025} (was Art. 44(2) {L2008}) [GK: 6 months not re-verified]"),
    Step.REVERIFICATION_LONG: _rules(
        12, MO, f"Art. 44(2) {L2008} (prison ≥ 2 years left or address unknown)",
        f"Art. 38(3) {L2025} (was Art. 44(2) {L2008}) [GK: 12 months not re-verified]"),
    Step.DISBURSEMENT: _rules(
        10, CD, f"Art. 47(5) {L2008}",
        f"Art. 54 {L2025} (was Art. 47(5) {L2008}) [GK: paragraph and 10 days not re-verified]"),
    Step.SUSPENSION_DECISION: _rules(5, WD, f"Art. 49(2) {L2008}", f"Art. 49(2) {L2008} {UNVERIFIED_2025}"),
    Step.CONTINUATION_AFTER_SUSPENSION: _rules(
        5, WD, f"Art. 49(3) {L2008}", f"Art. 49(3) {L2008} {UNVERIFIED_2025}"),
    Step.TERMINATION_DECISION: _rules(
        5, WD, f"Art. 50(2) {L2008}",
        f"Art. 48 {L2025} (was Art. 50(2) {L2008}) [GK: 5 WD not re-verified]"),
    Step.DELEGATION_DECISION: _rules(
        5, WD, f"Art. 57(1)(a) {L2008} (Arts. 55–57 as amended by Law 03/2022)",
        f"Art. 49 {L2025} (was Arts. 55–57 {L2008}) [GK: 5 WD not re-verified]"),
    Step.DELEGATION_DECISION_PROVISIONAL_MEASURE: _rules(
        24, HR, f"Art. 57(1)(a) {L2008}", f"Art. 49 {L2025} (was Art. 57(1)(a) {L2008}) [GK]"),
    Step.RESULT_CERTIFICATE: _rules(
        5, WD, f"Art. 53 {L2008} (completion: Art. 52)",
        f"Art. 32(3) ND 152/2026; Art. 55(3) {L2025} (was Arts. 52–53 {L2008}: 5 WD)",
        amount_2025=3),
    Step.NOTICE_TO_PARTIES: _rules(
        3, WD, f"Art. 39(2) {L2008}", f"Art. 39(2) {L2008} {UNVERIFIED_2025}"),
    Step.SEPARATE_REGISTER_TRANSFER: _rules(
        3, WD, "Art. 9(5) ND 62/2015 (as amended by ND 33/2020)",
        f"Art. 22 ND 152/2026 [GK: 3 WD of ND 62/2015 Art. 9(5) kept]"),
    Step.VERIFICATION_AFTER_NEW_INFORMATION: _rules(
        10, CD, f"Art. 44(2) {L2008}; Art. 9(4) ND 62/2015",
        f"Art. 38(3) {L2025} (was Art. 44(2) {L2008}) [GK: 10 days not re-verified]"),
    Step.CREDITOR_NOTICE_AFTER_TWO_CHECKS: _rules(
        3, WD, f"Art. 44(2) {L2008} [GK: written notice after 2 checks; 3 WD of Art. 39(2) applied]",
        f"Art. 38(3) {L2025} [GK: 3 WD of Art. 39(2) applied]"),
    Step.POSTPONEMENT_DECISION: _rules(
        5, WD, f"Art. 48(2) {L2008}", f"Art. 48(2) {L2008} {UNVERIFIED_2025}"),
    Step.POSTPONEMENT_DECISION_PROTEST: _rules(
        0, NOW, f"Art. 48(3) {L2008}", f"Art. 48(3) {L2008} {UNVERIFIED_2025}"),
    Step.CONTINUATION_AFTER_POSTPONEMENT: _rules(
        5, WD, f"Art. 48(4) {L2008}", f"Art. 48(4) {L2008} {UNVERIFIED_2025}"),
    Step.DECISION_AFTER_DELEGATION: _rules(
        5, WD, f"Art. 57(2) {L2008} (Arts. 55–57 as amended by Law 03/2022) [GK: clause]",
        f"Art. 49 {L2025} (was Art. 57 {L2008}) [GK: 5 WD not re-verified]"),
}


def deadline_for(step: Step | str, on: date) -> Deadline:
    """The deadline rule in force on `on` (the date of the event that starts the period)."""
    step = Step(step)
    rules = [r for r in DEADLINE_RULES[step] if r.in_force_from <= on]
    rule = rules[-1] if rules else DEADLINE_RULES[step][0]
    return Deadline(step, rule.amount, rule.unit, rule.legal_basis)


def deadline_table(on: date) -> list[Deadline]:
    return [deadline_for(step, on) for step in Step]


def due_date(step: Step | str, start: date) -> date:
    """Last day on which the step is on time; the period starts the day after `start`."""
    rule = deadline_for(step, start)
    match rule.unit:
        case Unit.WORKING_DAYS:
            return add_working_days(start, rule.amount)
        case Unit.CALENDAR_DAYS:
            return add_calendar_days(start, rule.amount)
        case Unit.MONTHS:
            return add_months(start, rule.amount)
        case Unit.HOURS:  # counted from the event: 24 h after a day's event ends the next day
            return start + timedelta(days=-(-rule.amount // 24))
        case Unit.IMMEDIATELY:
            return start
    raise ValueError(rule.unit)  # pragma: no cover


# Legal references used in error messages, by topic: (2008 law, 2025 law / ND 152/2026).
LEGAL_REFERENCES: dict[str, tuple[str, str]] = {
    "refusal": (f"Art. 31(5) {L2008}", f"Art. 31(5) {L2008} {UNVERIFIED_2025}"),
    "decision": (f"Art. 36 {L2008}", f"Arts. 33–34 {L2025} (was Art. 36 {L2008})"),
    "procuracy_copy": (f"Art. 38 {L2008}", f"Art. 38 {L2008} {UNVERIFIED_2025}"),
    "voluntary": (f"Art. 45 {L2008}", f"Art. 36(1) {L2025} (was Art. 45 {L2008})"),
    "verification": (f"Art. 44 {L2008}", f"Art. 38 {L2025} (was Art. 44 {L2008})"),
    "no_condition": (f"Art. 44a(1) {L2008}", f"Art. 38(1) {L2025} (was Art. 44a(1) {L2008})"),
    "reverification": (f"Art. 44(2) {L2008}", f"Art. 38(3) {L2025} (was Art. 44(2) {L2008})"),
    "separate_register": ("Art. 9(5) ND 62/2015",
                          f"Art. 22(1) ND 152/2026; Art. 38(3) {L2025} (was Art. 9(5) ND 62/2015)"),
    "return_request": ("Art. 51 (repealed 2014) — no return of requests before 1/7/2026",
                       f"Art. 22(2) ND 152/2026; Art. 38(4) {L2025}"),
    "security_measure": (f"Arts. 45(2), 66 {L2008}", f"Arts. 45(2), 66 {L2008} {UNVERIFIED_2025}"),
    "coercion": (f"Arts. 46, 71 {L2008}", f"Arts. 46, 71 {L2008} {UNVERIFIED_2025}"),
    "coercion_time": (f"Art. 46(2) {L2008}", f"Art. 46(2) {L2008} {UNVERIFIED_2025}"),
    "payment_order": (f"Art. 47(1) {L2008}", f"Art. 54 {L2025} (was Art. 47(1) {L2008}) [GK: paragraph]"),
    "pro_rata": (f"Art. 47(2)(a) {L2008}", f"Art. 54 {L2025} (was Art. 47(2)(a) {L2008}) [GK: paragraph]"),
    "secured_first": (f"Art. 47(3) {L2008}", f"Art. 54(3) {L2025} (was Art. 47(3) {L2008})"),
    "postponement": (f"Art. 48 {L2008}", f"Art. 48 {L2008} {UNVERIFIED_2025}"),
    "suspension": (f"Art. 49 {L2008}", f"Art. 49 {L2008} {UNVERIFIED_2025}"),
    "termination": (f"Art. 50 {L2008}", f"Art. 48 {L2025} (was Art. 50 {L2008})"),
    "delegation": (f"Arts. 55–57 {L2008}", f"Art. 49 {L2025} (was Arts. 55–57 {L2008})"),
    "revocation": (f"Art. 37 {L2008}", f"Art. 37 {L2008} {UNVERIFIED_2025}"),
    "completion": (f"Arts. 52–53 {L2008}", f"Art. 55(3) {L2025}; Art. 32 ND 152/2026"),
    "erasure": ("Art. 16 ND 13/2023 (personal data); Art. 30 " + L2008, "Art. 16 ND 13/2023 (personal data)"),
    "fee": (f"Art. 60 {L2008}; TT 216/2016/TT-BTC", f"Art. 60 {L2008} {UNVERIFIED_2025}; TT 216/2016/TT-BTC"),
    "assignment": (f"Arts. 20, 23, 36(2) {L2008}", f"Arts. 20, 23 {L2008} {UNVERIFIED_2025}"),
    "deadline_missed": ("THADS deadlines (see deadline table)", "THADS deadlines (see deadline table)"),
    "limitation": (f"Art. 30 {L2008}", f"Art. 30 {L2008} {UNVERIFIED_2025}"),
    "late_request": (f"Art. 30(3) {L2008}; Art. 4 ND 62/2015", f"Art. 30(3) {L2008} {UNVERIFIED_2025}"),
    "notice_to_parties": (f"Art. 39(2) {L2008}", f"Art. 39(2) {L2008} {UNVERIFIED_2025}"),
    "continuation_no_condition": (f"Art. 44(2) {L2008}; Art. 9(4) ND 62/2015",
                                  f"Art. 38(3) {L2025} (was Art. 44(2) {L2008})"),
    "partial_termination": (f"Art. 50(1)(c),(d) {L2008}", f"Art. 48 {L2025} (was Art. 50(1)(c),(d) {L2008})"),
    "reduction": (f"Arts. 61–64 {L2008}", f"Arts. 61–64 {L2008} {UNVERIFIED_2025}"),
    "unclaimed_money": ("Art. 49 ND 62/2015", "Art. 49 ND 62/2015 [GK: ND 152/2026 article not verified]"),
    "money_held": (f"Arts. 47(5), 50 {L2008}", f"Art. 54 {L2025}; Art. 48 {L2025} (was Arts. 47(5), 50 {L2008})"),
    "delegation_received": (f"Art. 57 {L2008} (as amended by Law 03/2022)",
                            f"Art. 49 {L2025} (was Art. 57 {L2008})"),
}


def legal_reference(topic: str, on: date) -> str:
    before, after = LEGAL_REFERENCES[topic]
    return after if on >= LAW_2025_IN_FORCE else before


@dataclass(frozen=True)
class SeparateRegisterRule:
    waiting_years: int
    min_checks: int
    legal_basis: str


def separate_register_rule(on: date, *, long_case: bool) -> SeparateRegisterRule:
    """When a no-condition case may leave the active books (ND 62/2015 Art. 9(5) / ND 152/2026 Art. 22).

    long_case: the debtor is in prison with ≥ 2 years left, or the address is unknown.
    """
    if on >= LAW_2025_IN_FORCE:
        return SeparateRegisterRule(2, 2, legal_reference("separate_register", on))
    return SeparateRegisterRule(2 if long_case else 1, 2, legal_reference("separate_register", on))
