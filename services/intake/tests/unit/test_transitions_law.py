"""`TRANSITIONS` held to the law, both ways: a table of the statuses each status-changing command is
allowed from, written by hand from ../shared/domain.md §1.6 (the state machine) and the §1.4 / §1.2
rows it refers to - never derived from `TRANSITIONS` itself.

- law → code: every (command, status) the law allows is allowed by `TRANSITIONS`;
- code → law: every (command, status) `TRANSITIONS` allows for these commands is in the law's table.

Outside this table: commands that never change the status (parties, claim items, officers,
procuracy copies, measures, certificates, missed deadlines) and the money-booking rules that
`TRANSITIONS` itself marks [GK] (judgment calls where domain.md is silent).

Rows where today's code differs from domain.md are marked xfail(strict=True) with the issue that
fixes them: once the code follows the law the row passes, strict xfail turns that into a failure,
and the mark is to be removed.
"""
from __future__ import annotations

import pytest

from intake_service.domain import TRANSITIONS, Case, IntakeError, Status
from intake_service.testing import CLERK, HEAD, JUDGMENT, OFFICER, at

S = Status

# "Any open case after the decision" (§1.4 postponement, suspension): not yet ended, decided.
OPEN_AFTER_DECISION = frozenset({S.DECIDED, S.VOLUNTARY, S.VERIFYING, S.ENFORCING, S.NO_CONDITION,
                                 S.SEPARATE_REGISTER, S.POSTPONED, S.SUSPENDED, S.MONEY_HELD})
# ACTIVE of the §1.6 diagram: SUSPENDED has edges of its own there ("SUSPENDED --> ENFORCING |
# TERMINATED") and §1.4 names the separate register apart ("termination ... also from the
# separate register"), so neither is in it.
ACTIVE = OPEN_AFTER_DECISION - {S.SUSPENDED, S.SEPARATE_REGISTER}
# Reading: a case is not paused a second time while it is paused (POSTPONED --continue--> previous).
PAUSABLE = OPEN_AFTER_DECISION - {S.POSTPONED, S.SUSPENDED}

# command: (statuses it is allowed from, where domain.md says so)
LAW: dict[str, tuple[frozenset[Status], str]] = {
    "decide_enforcement": (frozenset({S.JUDGMENT_RECEIVED, S.REQUEST_RECEIVED}),
                           "§1.6 JUDGMENT_RECEIVED --ex officio--> DECIDED; REQUEST_RECEIVED --QĐTHA--> DECIDED"),
    "refuse_request": (frozenset({S.REQUEST_RECEIVED}), "§1.6 REQUEST_RECEIVED --invalid--> REJECTED"),
    "notify": (frozenset({S.DECIDED}), "§1.6 DECIDED --notify--> VOLUNTARY"),
    "record_voluntary_payment": (frozenset({S.VOLUNTARY}), "§1.6 VOLUNTARY --paid--> COMPLETED (Art. 45)"),
    "start_verification": (frozenset({S.VOLUNTARY}), "§1.6 VOLUNTARY --unpaid, ≤10d--> VERIFYING"),
    "record_verification": (frozenset({S.VERIFYING}),
                            "§1.6 VERIFYING --assets--> ENFORCING; VERIFYING --Art.44a--> NO_CONDITION"),
    "reverify": (frozenset({S.NO_CONDITION, S.SEPARATE_REGISTER}),
                 "§1.6 NO_CONDITION re-verified every 6/12 months; §1.2 the register until continuation "
                 "(TT 04/2023 Art. 6(2))"),
    "move_to_separate_register": (frozenset({S.NO_CONDITION}),
                                  "§1.6 NO_CONDITION --1y/2y + ≥2 checks + no info--> SEPARATE_REGISTER"),
    "return_request": (frozenset({S.NO_CONDITION}), "§1.6 (2026 on-request: RETURNED); ND152/2026 Art. 22"),
    "postpone": (PAUSABLE, "§1.4 Art. 48: 'any open case after the decision can be postponed'"),
    "continue_after_postponement": (frozenset({S.POSTPONED}), "§1.6 POSTPONED --continue--> previous"),
    "suspend": (PAUSABLE, "§1.4 Art. 49: 'any open case after the decision, the no-conditions ones included'"),
    "continue_after_suspension": (frozenset({S.SUSPENDED}), "§1.6 SUSPENDED --≤5WD--> ENFORCING"),
    "terminate": (ACTIVE | {S.SUSPENDED, S.SEPARATE_REGISTER},
                  "§1.6 ACTIVE --Art.50--> TERMINATED, SUSPENDED --> TERMINATED; §1.4 'also from the "
                  "separate register'"),
    "delegate_out": (ACTIVE, "§1.6 ACTIVE --ủy thác ≤5WD--> DELEGATED_OUT"),
    "revoke": (ACTIVE, "§1.6 ACTIVE --thu hồi--> REVOKED"),
    # §1.6 VOLUNTARY --paid--> COMPLETED and MONEY_HELD --pay--> COMPLETED; §1.4 completion is
    # "duties performed" (Arts. 52-53), whatever the stage after the notice
    "complete": (OPEN_AFTER_DECISION - {S.DECIDED}, "§1.6 VOLUNTARY|MONEY_HELD --> COMPLETED; §1.4 Arts. 52-53"),
}

# Where the lead read the law past the §1.6 diagram (recorded in the closing note of issues 6/7):
# * delegation after a decision revokes that decision in whole or in part (§1.4, Art. 57(1)(a) as
#   amended 2022), and revocation is refused while money is held (§1.4 "money held must be paid out
#   or returned first"), so a case holding money is not delegated until it is paid out;
# * a decision issued in error (Art. 37) is revoked whatever pause the case is in: a suspension for a
#   cassation protest does not make a wrong decision right.
LAW["delegate_out"] = (ACTIVE - {S.MONEY_HELD},
                       "§1.6 ACTIVE --ủy thác--> DELEGATED_OUT; not while money is held (delegation revokes "
                       "the QĐTHA, Art. 57(1)(a); §1.4 money held is paid out first)")
LAW["revoke"] = (ACTIVE | {S.SUSPENDED}, "§1.6 ACTIVE --thu hồi--> REVOKED; Art. 37 also while suspended")

# Rows the code is known to get wrong against the table (strict xfail): none today.
MISSING_IN_CODE: dict[tuple[str, Status], str] = {}
NOT_IN_LAW: dict[tuple[str, Status], str] = {}


def _row(command: str, status: Status, known: dict[tuple[str, Status], str]) -> pytest.param:
    reason = known.get((command, status))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(command, status, marks=marks, id=f"{command}-{status}")


LAW_ALLOWS = [_row(c, s, MISSING_IN_CODE) for c, (allowed, _basis) in LAW.items() for s in sorted(allowed)]
CODE_ALLOWS = [_row(c, s, NOT_IN_LAW) for c in LAW if c in TRANSITIONS for s in sorted(TRANSITIONS[c].allowed_from)]


def test_every_command_of_the_law_table_is_in_the_code():
    assert set(LAW) <= set(TRANSITIONS)


@pytest.mark.parametrize(("command", "status"), LAW_ALLOWS)
def test_what_the_law_allows_the_code_allows(command, status):
    allowed, basis = LAW[command]
    assert status in TRANSITIONS[command].allowed_from, f"{command} from {status} is lawful ({basis})"


@pytest.mark.parametrize(("command", "status"), CODE_ALLOWS)
def test_what_the_code_allows_the_law_allows(command, status):
    allowed, basis = LAW[command]
    assert status in allowed, f"{command} from {status} is not in the law's table ({basis})"


def test_an_officer_alone_does_not_take_a_case_out_of_no_condition():
    # Given a debtor without conditions (§1.2: the head's no-condition decision)
    case = Case.receive_judgment("U-HN", "BA-1", at(2024, 3, 4), CLERK, **JUDGMENT)
    case.add_party("P-CRED", "creditor", "individual", at(2024, 3, 4), CLERK)
    case.add_party("P-DEBT", "debtor", "individual", at(2024, 3, 4), CLERK)
    case.add_claim_item("I-1", "other", 10_000_000, "P-CRED", at(2024, 3, 4), CLERK)
    case.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    case.notify(at(2024, 3, 6), OFFICER)
    case.start_verification(at(2024, 3, 20), OFFICER)
    case.record_verification("without_conditions", at(2024, 3, 22), HEAD, ground="no_income_or_assets",
                             decision_no="QD-CDK-1")
    assert case.status is S.NO_CONDITION
    # When the officer's re-verification finds assets
    try:
        case.reverify(True, at(2024, 9, 20), OFFICER)
    except IntakeError:
        pass          # refused: the officer cannot decide the continuation
    # Then the case is not back in enforcement without the head's continuation decision (Art. 44(2))
    assert case.status is S.NO_CONDITION
