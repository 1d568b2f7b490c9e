"""The demo generator's plan: deterministic, realistic in its proportions, in business-time order,
and valid — every planned step is replayed on the real Case aggregate with the planned actor, and
checked against the HTTP API's routes (path, body model, allowed token roles)."""

import inspect
import json
from collections import Counter
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

import pytest

from intake_service import api, demo
from intake_service.domain import Actor, Case, Role

START = date(2017, 10, 1)
END = date(2018, 9, 30)
DOMAIN_ROLE = {"head": Role.HEAD, "officer": Role.OFFICER, "clerk": Role.CLERK}


@lru_cache(maxsize=None)
def cases(seed: int, n: int) -> tuple[demo.CasePlan, ...]:
    return tuple(demo.plan(seed, n, demo.DEFAULT_UNITS, START))


def dump(plan: Any) -> str:
    """A byte-exact rendering of a plan."""
    return json.dumps([{"case": [c.index, c.unit, c.origin, c.intake_ref, str(c.case_id), c.kind, c.trajectory,
                                 c.expected_status, c.claimed_vnd, c.collected_vnd, c.disbursed_vnd],
                        "steps": [[s.command, s.role, s.actor, s.body(), s.status_after] for s in c.steps]}
                       for c in plan], ensure_ascii=False, sort_keys=True)


def replay(plan: demo.CasePlan) -> Case:
    """Apply every planned step to a Case, as the API would (personal data stays outside the domain)."""
    first = plan.steps[0]
    args = dict(first.args)
    unit, ref = args.pop("unit"), args.pop("intake_ref")
    actor = Actor(first.actor, DOMAIN_ROLE[first.role])
    factory = Case.receive_judgment if first.command == "receive_judgment" else Case.receive_request
    case = factory(unit_id=unit, intake_ref=ref, at=first.at, actor=actor, **args)
    assert case.status.value == first.status_after
    for step in plan.steps[1:]:
        if step.role == "officer":   # the API lets an officer act on his own cases only
            assert case.officer_id in (None, step.actor), (plan.intake_ref, step)
        kwargs = {k: v for k, v in step.args.items() if k not in demo.PERSONAL_FIELDS}
        try:
            getattr(case, step.command)(at=step.at, actor=Actor(step.actor, DOMAIN_ROLE[step.role]), **kwargs)
        except Exception as exc:  # pragma: no cover - the message names the case and step
            raise AssertionError(f"{plan.intake_ref} ({plan.trajectory}): {step.command} at {step.at}: {exc!r}")
        assert case.status.value == step.status_after, (plan.intake_ref, step.command)
    return case


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_plan_byte_for_byte() -> None:
    assert dump(demo.plan(2018, 80, demo.DEFAULT_UNITS, START)) == dump(demo.plan(2018, 80, demo.DEFAULT_UNITS, START))


def test_another_seed_gives_another_plan_with_other_references() -> None:
    a, b = demo.plan(2018, 30), demo.plan(2019, 30)
    assert dump(a) != dump(b)
    assert not {c.case_id for c in a} & {c.case_id for c in b}


def test_more_cases_only_add_cases() -> None:
    assert dump(demo.plan(7, 25)) == dump(demo.plan(7, 60)[:25])


def test_ids_are_uuid5_of_seed_case_and_index() -> None:
    plan = cases(2018, 40)
    for c in plan:
        assert c.case_id == Case.create_id(c.unit, c.origin, c.intake_ref)
        parties = [s.args for s in c.steps if s.command == "add_party"]
        items = [s.args for s in c.steps if s.command == "add_claim_item"]
        for k, p in enumerate(parties):
            assert p["party_id"] == str(uuid5(demo.DEMO_NAMESPACE, f"2018/{c.index}/party/{k}"))
        for k, i in enumerate(items):
            assert UUID(i["claim_item_id"]) == uuid5(demo.DEMO_NAMESPACE, f"2018/{c.index}/claim-item/{k}")
    assert len({c.case_id for c in plan}) == len(plan)


def test_units_are_validated_and_used() -> None:
    with pytest.raises(ValueError):
        demo.plan(1, 3, ["TH.1"])
    assert {c.unit for c in demo.plan(1, 30, ["XA", "XB"])} == {"XA", "XB"}


# ---------------------------------------------------------------- realism


def test_proportions_follow_the_thanh_hoa_2017_2018_figures() -> None:
    plan = cases(2018, 3000)
    stats = demo.statistics((c.expected_status, c.claimed_vnd, c.disbursed_vnd) for c in plan)
    # 82.66 % of the cases with conditions resolved; ≈ 20 % of the cases to enforce without conditions
    assert 0.78 <= stats["rate"] <= 0.87
    assert 0.16 <= stats["without_share"] <= 0.25
    # money: 42.6 % — big bank debts are rarely resolved within the year
    assert 0.33 <= stats["money_rate"] <= 0.58
    assert stats["money_rate"] < stats["rate"] - 0.2
    requests = [c for c in plan if c.origin == "request"]
    assert 0.35 <= len(requests) / len(plan) <= 0.50
    refused = sum(c.expected_status == "REJECTED" for c in requests) / len(requests)
    assert 0.01 <= refused <= 0.06
    final = Counter(c.expected_status for c in plan)
    for status, (lo, hi) in {"DELEGATED_OUT": (0.01, 0.05), "REVOKED": (0.001, 0.015),
                             "POSTPONED": (0.01, 0.06), "SUSPENDED": (0.001, 0.02),
                             "TERMINATED": (0.04, 0.12), "ENFORCING": (0.04, 0.15)}.items():
        assert lo <= final[status] / len(plan) <= hi, status
    trajectories = Counter(c.trajectory for c in plan)
    assert set(trajectories) == set(demo.FINAL_STATUS), "every trajectory occurs"
    carried = [c for c in plan if c.cut_at_year_end]    # received late, still open on 30/9
    assert 0.02 <= len(carried) / len(plan) <= 0.10
    terminal = {"REJECTED", "COMPLETED", "TERMINATED", "DELEGATED_OUT", "REVOKED"}
    assert all(c.expected_status not in terminal for c in carried
               if c.expected_status != demo.FINAL_STATUS[c.trajectory])


def test_amounts_are_realistic() -> None:
    plan = cases(2018, 3000)
    items = [(c, s.args) for c in plan for s in c.steps if s.command == "add_claim_item"]
    by_kind: dict[str, list[int]] = {}
    for _, i in items:
        by_kind.setdefault(i["kind"], []).append(i["amount_vnd"])
    assert 100_000 <= min(by_kind["court_fee"]) and max(by_kind["court_fee"]) <= 10_000_000
    assert sorted(by_kind["credit_debt"])[len(by_kind["credit_debt"]) // 2] >= 150_000_000
    assert max(by_kind["credit_debt"]) >= 1_000_000_000
    assert all(a % 100_000 == 0 for a in by_kind["maintenance"])      # whole months of a monthly sum
    assert all(a > 0 and a % 1_000 == 0 for amounts in by_kind.values() for a in amounts)
    banks = [s.args for c in plan for s in c.steps
             if s.command == "add_party" and s.args["kind"] == "credit_institution"]
    assert {b["bank_code"] for b in banks} >= {"VCB", "BIDV", "AGRIBANK"}
    assert all(b["role"] == "creditor" for b in banks)
    for c in plan:
        parties = [s.args for s in c.steps if s.command == "add_party"]
        assert parties[0]["role"] == "creditor" and any(p["role"] == "debtor" for p in parties)
        if c.kind == "credit_debt":
            assert parties[0]["kind"] == "credit_institution"
        if c.origin == "judgment":
            assert parties[0]["kind"] == "state"


def test_people_have_vietnamese_names_and_thanh_hoa_addresses() -> None:
    people = [s.args for c in cases(2018, 200) for s in c.steps
              if s.command == "add_party" and s.args["kind"] == "individual"]
    assert len({p["full_name"] for p in people}) > len(people) * 0.6
    assert all(len(p["full_name"].split()) == 3 and p["full_name"].split()[0] in demo.FAMILY for p in people)
    assert all(p["address"].endswith("tỉnh Thanh Hóa") for p in people)
    assert all(len(p["id_number"]) in (9, 12) and p["id_number"].isdigit() for p in people)


def test_business_times_increase_within_the_statistical_year_in_vietnam_time() -> None:
    for c in cases(2018, 3000):
        times = [s.at for s in c.steps]
        assert all(t.utcoffset() == timedelta(hours=7) for t in times)
        assert all(a < b for a, b in zip(times, times[1:])), c.intake_ref
        assert times[-1].date() <= END
        if c.trajectory == demo.SEPARATE:   # carried over from an earlier year, moved to the register in this one
            assert times[0].date() < START <= times[-1].date()
        else:
            assert START <= times[0].date()
    received = Counter(c.steps[0].at.month for c in cases(2018, 3000))
    assert len(received) == 12 and min(received.values()) >= 60     # spread over the year


def test_office_steps_fall_on_working_days_in_office_hours() -> None:
    from intake_service.calendar_vn import is_working_day

    for c in cases(2018, 500):
        for s in c.steps:
            assert is_working_day(s.at.date()), (c.intake_ref, s.command, s.at)
            assert 7 <= s.at.hour < 21


# ---------------------------------------------------------------- validity against the domain and the API


@pytest.mark.parametrize("seed", [2018, 11])
def test_every_planned_step_is_valid_on_the_real_case_aggregate(seed: int) -> None:
    """The strongest check: replay each case on the domain with the planned actors and times."""
    for c in cases(seed, 700):
        case = replay(c)
        assert case.status.value == c.expected_status
        assert case.id == c.case_id
        items = case.claim_items()
        assert sum(i["amount_vnd"] for i in items) == c.claimed_vnd
        assert sum(i["collected_vnd"] for i in items) == c.collected_vnd
        assert sum(i["disbursed_vnd"] for i in items) == c.disbursed_vnd
        if c.expected_status == "COMPLETED":
            assert all(i["settled"] for i in items)
        if not c.cut_at_year_end:   # a case carried over may hold money collected just before 30/9
            assert case.held_vnd == 0 and c.expected_status == demo.FINAL_STATUS[c.trajectory]


def test_legal_deadlines_are_mostly_met_with_a_few_late_steps() -> None:
    met = late = open_overdue = 0
    for c in cases(2018, 700):
        for row in replay(c).deadlines(END):
            if row["done_on"] is None:
                open_overdue += row["status"] == "overdue"
            elif row["status"] == "met":
                met += 1
            else:
                late += 1
    assert met > 3000
    assert 0.01 <= late / (met + late) <= 0.08
    assert open_overdue <= 0.03 * met


def test_every_decision_goes_to_the_procuracy() -> None:
    for c in cases(2018, 500):
        decided = [s.args[k] for s in c.steps for k in ("decision_no", "revocation_decision_no") if k in s.args
                   and s.command not in ("record_procuracy_copy", "record_notice_to_parties")]
        copied = [s.args["decision_no"] for s in c.steps if s.command == "record_procuracy_copy"]
        assert set(copied) <= set(decided) and len(copied) == len(set(copied))
        if not c.cut_at_year_end:   # a decision of the year's last days may go to the procuracy after 30/9
            assert sorted(decided) == sorted(copied), c.intake_ref


def test_every_decision_is_notified_to_the_parties() -> None:
    """Art. 39(2): each decision other than the QĐTHA (whose notice is `notify`) gets its notice."""
    for c in cases(2018, 500):
        decided = [s.args[k] for s in c.steps for k in ("decision_no", "revocation_decision_no") if k in s.args
                   and s.command not in ("record_procuracy_copy", "record_notice_to_parties", "decide_enforcement")]
        noticed = [s.args["decision_no"] for s in c.steps if s.command == "record_notice_to_parties"]
        assert set(noticed) <= set(decided) and len(noticed) == len(set(noticed))
        if not c.cut_at_year_end:
            assert sorted(decided) == sorted(noticed), c.intake_ref


def routes() -> dict[str, tuple[str, tuple[str, ...], type]]:
    """API route name → (path, token roles allowed, body model)."""
    out = {}
    for r in api.router.routes:
        if "POST" not in getattr(r, "methods", ()):
            continue
        roles = next(inspect.getclosurevars(d.call).nonlocals["allowed"] for d in r.dependant.dependencies
                     if "allowed" in inspect.getclosurevars(d.call).nonlocals)
        out[r.name] = (r.path, tuple(roles), r.dependant.body_params[0].field_info.annotation)
    return out


def test_command_paths_match_the_api() -> None:
    table = routes()
    for command, path in demo.COMMAND_PATHS.items():
        assert table[command][0] == f"/cases/{{case_id}}/{path}", command
    for command, path in demo.RECEIVE_PATHS.items():
        assert table[command][0] == path


def test_every_step_is_a_valid_api_call_by_an_allowed_role() -> None:
    table = routes()
    seen = set()
    for c in cases(2018, 700):
        for s in c.steps:
            path, roles, model = table[s.command]
            assert s.role in roles, (s.command, s.role)
            model.model_validate_json(json.dumps(s.body()))      # extra fields are forbidden there
            seen.add(s.command)
    assert seen >= {"refuse_request", "decide_enforcement", "record_voluntary_payment", "collect_money", "disburse",
                    "charge_enforcement_fee", "postpone", "continue_after_postponement", "suspend",
                    "continue_after_suspension", "terminate", "delegate_out", "revoke", "complete", "reverify",
                    "apply_security_measure", "apply_coercive_measure", "issue_certificate", "reassign_officer"}


def test_body_carries_the_business_time() -> None:
    step = cases(2018, 1)[0].steps[0]
    assert datetime.fromisoformat(step.body()["occurred_at"]) == step.at
