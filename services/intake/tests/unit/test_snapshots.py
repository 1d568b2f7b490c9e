"""Case snapshots: a case restored from a snapshot is the case replayed from its events, attribute
by attribute and type by type, and behaves the same afterwards; the repository loads from them."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate

from intake_service.application import Intake
from intake_service.deadlines import Step
from intake_service.domain import (
    COLLECTION_RULES,
    TRANSITIONS,
    Actor,
    Case,
    ClaimItem,
    Collection,
    Decision,
    IntakeError,
    Party,
    Role,
)
from intake_service.testing import ACCOUNTANT, CLERK, HEAD, JUDGMENT, OFFICER, S, SYSTEM, TZ, at


Command = tuple[str, dict[str, Any]]
# TRANSITIONS entries not named like their command: collect_money has one rule per kind of channel.
CHANNELS_OF_RULE: dict[str, list[str]] = {}
for _channel, _rule in COLLECTION_RULES.items():
    CHANNELS_OF_RULE.setdefault(_rule, []).append(_channel.value)


def new_app() -> Intake:
    return Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


# ---------------------------------------------------------------- comparing two aggregates


def assert_same(a: Any, b: Any, path: str = "case") -> None:
    """Equal values of the same types all the way down (an enum member is the member itself,
    a dataclass is that dataclass, a tuple stays a tuple, a set a set)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__} ({a!r} vs {b!r})"
    if isinstance(a, Enum):
        assert a is b, f"{path}: {a!r} is not {b!r}"
    elif dataclasses.is_dataclass(a):
        assert_same(vars(a), vars(b), path)
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, (set, frozenset)):
        assert a == b, f"{path}: {a!r} != {b!r}"
        for x in a:
            assert_same(x, next(y for y in b if y == x), f"{path}{{{x!r}}}")
    elif isinstance(a, datetime):
        assert (a, a.utcoffset()) == (b, b.utcoffset()), f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def assert_same_case(restored: Case, replayed: Case, as_of: date, recorded_apart: bool = False) -> None:
    """`recorded_apart`: both ran the same new commands, so their recording timestamps differ."""
    assert type(restored) is Case
    if recorded_apart:
        untimed = {"_created_on": None, "_modified_on": None}
        assert_same(vars(restored) | untimed, vars(replayed) | untimed)
    else:
        assert_same(vars(restored), vars(replayed))
    assert restored.deadlines(as_of) == replayed.deadlines(as_of)
    assert restored.claim_items() == replayed.claim_items()
    assert restored.payment_plan() == replayed.payment_plan()
    assert (restored.held_vnd, restored.uncollected_vnd, restored.status_label, restored.voluntary_period_ends_on) \
        == (replayed.held_vnd, replayed.uncollected_vnd, replayed.status_label, replayed.voluntary_period_ends_on)


def replay(app: Intake, case_id: UUID, version: int) -> Case:
    """The case at `version` from every one of its stored events, no snapshot."""
    case = project_aggregate(None, app.events.get(case_id, lte=version))
    assert case is not None and case.version == version
    return case


def through_store(app: Intake, case: Case) -> Case:
    """Take a snapshot of `case`, store-encode and decode it with the app's mapper, restore it."""
    snapshot = Case.Snapshot.take(case)
    decoded = app.mapper.to_domain_event(app.mapper.to_stored_event(snapshot))
    assert type(decoded) is Case.Snapshot
    return decoded.mutate(None)


def outcome(case: Case, command: Command) -> Any:
    """What a command does to a case: the events it records (minus recording time), or its refusal."""
    name, kwargs = command
    try:
        getattr(case, name)(**kwargs)
    except IntakeError as e:
        return type(e).__name__, str(e)
    return [(type(e).__qualname__, {k: v for k, v in vars(e).items() if k != "timestamp"})
            for e in case.collect_events()]


# ---------------------------------------------------------------- random command sequences


class Driver:
    """Picks plausible commands for a case's current status (most succeed, some are refused)."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.now = at(2024, 1, 8)
        self.n = 0

    def tick(self) -> datetime:
        r = self.rnd.random()
        if r < 0.15:
            step = timedelta(0)
        elif r < 0.85:
            step = timedelta(hours=self.rnd.randint(1, 72))
        else:
            step = timedelta(days=self.rnd.randint(20, 200))
        self.now = (self.now + step).replace(hour=self.rnd.randint(7, 20), minute=self.rnd.choice((0, 15, 30)))
        if self.now.weekday() >= 5:
            self.now += timedelta(days=7 - self.now.weekday())
        return self.now

    def uid(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.n}"

    def actor(self, rule: str) -> Actor:
        preferred = {"record_deadline_missed": SYSTEM, "notify": OFFICER, "disburse": ACCOUNTANT,
                     "charge_enforcement_fee": ACCOUNTANT, "record_voluntary_payment": ACCOUNTANT,
                     **{r: OFFICER for r in CHANNELS_OF_RULE}}
        if rule in preferred and self.rnd.random() < 0.9:
            return preferred[rule]
        roles = sorted(TRANSITIONS[rule].roles)
        if self.rnd.random() < 0.03:
            roles = sorted(Role)  # now and then a role that may not act
        role = self.rnd.choice(roles)
        return Actor(f"{role.value}-1", role)

    def create(self) -> Case:
        if self.rnd.random() < 0.5:
            matter = self.rnd.choice(["ordinary", "ordinary", "provisional_measure", "bankruptcy"])
            case = Case.receive_judgment("U-HN", self.uid("BA"), self.now, CLERK, matter, **JUDGMENT,
                                         judgment_effective_on=self.rnd.choice([None, date(2023, 12, 1)]))
        else:
            case = Case.receive_request("U-HN", self.uid("DON"), self.rnd.choice(["post", "online", "in_person"]),
                                        self.now, CLERK, filed_on=self.now.date() - timedelta(days=3), **JUDGMENT)
        for _ in range(self.rnd.randint(0, 3)):
            case.add_party(**self.party())
        return case

    EXITS = frozenset({"refuse_request", "terminate", "revoke", "delegate_out", "complete", "return_request",
                       "move_to_separate_register",
                       # partial exits: rare too, so that whole cases still reach their exits
                       "revoke_in_part", "delegate_in_part", "terminate_in_part", "reduce_claim"})
    PROGRESS = ("notify", "start_verification", "record_verification", "collect_money_pooled",
                "collect_money_paid_to_bank", "collect_money_voluntary",
                "disburse", "disburse", "reverify", "continue_after_postponement", "continue_after_suspension",
                "postpone", "suspend", "reverify", "record_notice_to_parties",
                "charge_enforcement_fee")
    EARLY = ("add_party", "add_claim_item", "add_claim_item", "record_procuracy_copy")

    def party(self) -> dict[str, Any]:
        role = self.rnd.choice(["creditor", "creditor", "debtor", "related"])
        kind = self.rnd.choice(["individual", "organisation", "credit_institution", "state"])
        return {"party_id": self.uid("P"), "role": role, "kind": kind, "at": self.now, "actor": CLERK,
                "bank_code": "VCB" if kind == "credit_institution" else None}

    def next_command(self, case: Case) -> Command:  # noqa: C901 - one branch per command
        rnd = self.rnd
        allowed = [c for c, t in TRANSITIONS.items() if case.status in t.allowed_from]
        if rnd.random() < 0.05:
            allowed = list(TRANSITIONS)  # now and then a command the status does not allow
        name = rnd.choice(allowed)
        if name in self.EXITS and rnd.random() < 0.94:  # long cases: exits are rare
            name = rnd.choice([c for c in allowed if c not in self.EXITS] or allowed)
        progress = [c for c in self.PROGRESS if c in allowed]
        if progress and rnd.random() < 0.35:  # and they move on along the procedure
            name = rnd.choice(progress)
        paid = case.items and all(i.settled for i in case.items.values())
        if paid and "complete" in allowed and rnd.random() < 0.3:  # a case performed in full mostly ends
            name = "complete"
        if case.conditions_found_on is not None and rnd.random() < 0.5:
            name = "continue_from_no_condition"   # conditions found: the head decides to continue
        if "delegate_out" in allowed and rnd.random() < 0.01:
            name = "delegate_out"   # a whole delegation now and then (the partial exits compete with it)
        if case.status in (S.NO_CONDITION, S.VERIFYING) and rnd.random() < 0.25:
            name = "collect_money_paid_to_bank"  # a debtor without conditions repays the bank now and then
        if case.status in (S.JUDGMENT_RECEIVED, S.REQUEST_RECEIVED, S.DECIDED) and rnd.random() < 0.5:
            name = rnd.choice(self.EARLY)  # most cases get parties and claim items before the notice
        now = self.tick()
        kw: dict[str, Any] = {"at": now, "actor": self.actor(name)}
        items = list(case.items.values())
        item = rnd.choice(items).id if items else "I-none"
        if name == "add_party":
            kw |= {k: v for k, v in self.party().items() if k not in ("at", "actor")}
        elif name == "add_claim_item":
            creditors = [p.id for p in case.parties.values() if p.role == "creditor"] or ["P-none"]
            kw |= {"claim_item_id": self.uid("I"), "amount_vnd": rnd.randint(1, 40) * 500_000,
                   "kind": rnd.choice(["maintenance", "court_fee", "credit_debt", "fine", "other",
                                       "wages_life_compensation"]),
                   "creditor_party_id": rnd.choice(creditors), "secured": rnd.random() < 0.3,
                   "ex_officio": rnd.random() < 0.2}
        elif name == "refuse_request":
            kw["ground"] = rnd.choice(["no_right_to_request", "not_competent", "limitation_expired"])
        elif name == "decide_enforcement":
            right = "ex_officio" if case.origin == "judgment" else "on_request"
            kw |= {"decision_no": self.uid("QD-THA"),
                   "basis": right if rnd.random() < 0.95 else "on_request"}
        elif name in ("assign_officer", "reassign_officer"):
            kw["officer_id"] = rnd.choice(["officer-1", "officer-2", "officer-3"])
        elif name == "record_procuracy_copy":
            numbers = [d.number for d in case.decisions.values() if d.copy_sent_on is None] or ["QD-none"]
            kw |= {"decision_no": rnd.choice(numbers), "sent_on": now.date()}
        elif name == "record_voluntary_payment" or name in CHANNELS_OF_RULE:
            owed = max(1, case.uncollected_vnd)
            kw |= {"claim_item_id": item, "amount_vnd": rnd.choice([owed, max(1, owed // 3), 1_000_000]),
                   "source_ref": rnd.choice([self.uid("SRC"), "SRC-1"])}
            if name in CHANNELS_OF_RULE:  # mostly a channel of the rule, now and then any channel
                kw["channel"] = rnd.choice(CHANNELS_OF_RULE[name] if rnd.random() < 0.9
                                           else [c.value for c in COLLECTION_RULES])
                name = "collect_money"
            else:
                kw["direct_to_creditor"] = rnd.random() < 0.2
        elif name == "record_verification":
            if rnd.random() < 0.5:
                kw |= {"outcome": "with_conditions", "actor": OFFICER}
            else:
                kw |= {"outcome": "without_conditions", "actor": HEAD, "decision_no": self.uid("QD-CDK"),
                       "ground": rnd.choice(["no_income_or_assets", "specific_item_lost", "address_unknown"]),
                       "imprisoned_two_years_or_more": rnd.random() < 0.2,
                       "ground_known_on": rnd.choice([None, now.date() - timedelta(days=2)])}
        elif name == "reverify":
            kw |= {"found_conditions": rnd.random() < 0.3,
                   "imprisoned_two_years_or_more": rnd.choice([None, False, True])}
        elif name in ("apply_security_measure", "apply_coercive_measure"):
            kw["decision_no"] = self.uid("QD-BP")
            kw["measure"] = rnd.choice(["account_freeze", "asset_hold", "registration_block"]
                                       if name == "apply_security_measure"
                                       else ["deduction_from_account", "deduction_from_income", "order_to_act"])
        elif name == "order_seizure":
            kw |= {"decision_no": self.uid("QD-KB"), "asset_description": "Nhà đất thửa 12, tờ bản đồ 3",
                   "claim_item_ids": [item], "asset_kind": rnd.choice(["movable", "real_estate"])}
        elif name == "disburse":
            plan = case.payment_plan()
            payable = [(k, v) for k, v in plan.items() if v > 0]
            k, v = rnd.choice(payable) if payable and rnd.random() < 0.9 else (item, 1_000_000)
            kw |= {"claim_item_id": k, "amount_vnd": rnd.choice([v, max(1, v // 2)])}
        elif name == "record_asset_taken_in_kind":
            owed = max(1, min(case.items[item].outstanding_vnd, case.uncollected_vnd) if items else 1)
            kw |= {"claim_item_id": item, "value_vnd": rnd.choice([owed, max(1, owed // 2), 1_000_000]),
                   "source_ref": rnd.choice([self.uid("KIND"), "KIND-1", "SRC-1"])}
        elif name == "charge_enforcement_fee":
            feeable = [i.id for i in items if not i.ex_officio and i.kind not in ("maintenance", "wages_life_compensation")
                       and i.disbursed_vnd > i.fee_base_vnd]
            kw["claim_item_id"] = rnd.choice(feeable) if feeable and rnd.random() < 0.9 else item
        elif name == "postpone":
            kw |= {"ground": rnd.choice(["parties_agree", "debtor_ill_or_incapacitated", "recipient_absent",
                                         "protest_holder_request"]),
                   "decision_no": self.uid("QD-HOAN"), "until": rnd.choice([None, now.date() + timedelta(days=60)]),
                   "ground_known_on": rnd.choice([None, now.date() - timedelta(days=3)])}
        elif name == "suspend":
            kw |= {"ground": rnd.choice(["cassation_or_retrial_protest", "bankruptcy_petition_accepted"]),
                   "decision_no": self.uid("QD-TDC"), "ground_known_on": rnd.choice([None, now.date()])}
        elif name in ("continue_after_postponement", "continue_after_suspension"):
            kw["decision_no"] = self.uid("QD-TT")
            kw["ground_ended_on"] = rnd.choice([None, now.date() - timedelta(days=1)])
        elif name == "terminate":
            kw |= {"ground": rnd.choice(["judgment_annulled", "creditor_waiver_or_parties_agreement"]),
                   "decision_no": self.uid("QD-DC")}
        elif name == "delegate_out":
            kw |= {"target_unit_id": "U-HCM", "ground": "assets_elsewhere", "decision_no": self.uid("QD-UT"),
                   "ground_known_on": rnd.choice([None, now.date() - timedelta(days=1)]),
                   "revocation_decision_no": self.uid("QD-TH")}
        elif name == "revoke":
            kw |= {"ground": "material_error", "decision_no": self.uid("QD-TH")}
        elif name == "delegate_in_part":
            kw |= {"target_unit_id": "U-HCM", "ground": "secured_asset_elsewhere", "decision_no": self.uid("QD-UT"),
                   "revocation_decision_no": self.uid("QD-TH"), "claim_item_ids": [item]}
        elif name in ("terminate_in_part", "reduce_claim"):
            left = max(1, case.items[item].uncollected_vnd // 2) if items else 1
            kw |= {"claim_item_id": item, "amount_vnd": rnd.choice([left, 1_000_000]), "decision_no": self.uid("QD-G")}
            if name == "terminate_in_part":
                kw["ground"] = rnd.choice(["creditor_waiver_or_parties_agreement", "judgment_annulled",
                                           "bankruptcy_opened"])
            else:
                kw["kind"] = rnd.choice(["reduced", "exempted"])
        elif name == "revoke_in_part":
            kw |= {"claim_item_ids": [item], "ground": "material_error", "decision_no": self.uid("QD-TH")}
        elif name == "deposit_unclaimed_money":
            plan = case.payment_plan()
            payable = [(k, v) for k, v in plan.items() if v > 0]
            k, v = rnd.choice(payable) if payable else (item, 1_000_000)
            kw |= {"claim_item_id": k, "amount_vnd": v, "deposit_reference": self.uid("STK")}
        elif name == "accept_late_request":
            kw |= {"ground": rnd.choice(["force_majeure", "objective_obstacle"]), "reasons": "Thiên tai, lũ lụt"}
        elif name == "record_notice_to_parties":
            numbers = [d.number for d in case.decisions.values() if d.parties_notified_on is None] or ["QD-none"]
            kw |= {"decision_no": rnd.choice(numbers), "sent_on": now.date()}
        elif name in ("record_new_information", "record_creditor_notice"):
            kw["received_on" if name == "record_new_information" else "sent_on"] = now.date()
        elif name == "continue_from_no_condition":
            kw["decision_no"] = self.uid("QD-TT")
        elif name == "complete":
            kw["certificate_no"] = rnd.choice([None, self.uid("GXN")])
        elif name == "issue_certificate":
            kw["certificate_no"] = self.uid("GXN")
        elif name == "erase_personal_data":
            kw |= {"party_id": rnd.choice(sorted(case.parties) or ["P-NONE"]), "ground": "purpose_fulfilled",
                   "requested_by": "data_subject", "request_ref": self.uid("DN")}
        elif name == "record_deadline_missed":
            overdue = [d for d in case.deadlines(now.date()) if d["status"] == "overdue" and d["done_on"] is None]
            if overdue and rnd.random() < 0.9:
                d = rnd.choice(overdue)
                kw |= {"step": d["step"], "due": d["due"]}
            else:
                kw |= {"step": "procuracy_copy", "due": now.date() - timedelta(days=rnd.randint(0, 30))}
        return name, kw

    def run(self, case: Case, steps: int) -> list[tuple[int, Command]]:
        """Apply `steps` commands; each with the case version it was given."""
        done = []
        for _ in range(steps):
            command = self.next_command(case)
            done.append((case.version, command))
            try:
                getattr(case, command[0])(**command[1])
            except IntakeError:
                pass
        return done


def drive(seed: int, steps: int, app: Intake) -> tuple[Case, list[tuple[int, Command]]]:
    """A random case, saved in random chunks (the app snapshots at its interval)."""
    driver = Driver(seed)
    case = driver.create()
    history: list[tuple[int, Command]] = []
    while len(history) < steps:
        history += driver.run(case, driver.rnd.randint(1, 8))
        app.save(case)
    app.save(case)
    return case, history


# ---------------------------------------------------------------- the state is explicit plain JSON


def test_the_snapshot_state_is_versioned_plain_json():
    app = new_app()
    case, _ = drive(7, 60, app)
    state = Case.Snapshot.take(case).state
    assert state["class_version"] == Case.class_version == 3  # 2: taken_in_kind (Art. 104); 3: issue 7
    assert json.loads(json.dumps(state)) == state  # the standard library alone: no tuples, dates or sets
    restored = Case.Snapshot(originator_id=case.id, originator_version=case.version,
                             timestamp=datetime.now(timezone.utc), topic=Case.Snapshot.take(case).topic,
                             state=json.loads(json.dumps(state))).mutate(None)
    assert_same(vars(restored), vars(replay(app, case.id, case.version)))


def test_the_snapshot_state_names_every_field_of_the_read_models():
    """A new field on a read model must reach the snapshot (and bump Case.class_version)."""
    state = enforced_with_money()._snapshot_state()
    fields = lambda cls: [f.name for f in dataclasses.fields(cls)]  # noqa: E731
    samples = {"parties": Party, "items": ClaimItem, "decisions": Decision, "collections": Collection}
    for key, cls in samples.items():
        assert state[key], f"the generated case has no {key}"
        assert all(list(row) == fields(cls) for row in state[key]), key


def test_an_attribute_the_snapshot_does_not_cover_is_refused():
    case, _ = drive(3, 10, new_app())
    case.something_new = 1
    with pytest.raises(TypeError, match="something_new"):
        Case.Snapshot.take(case)


def test_old_snapshot_layouts_are_upcast_and_newer_ones_refused(monkeypatch):
    app = new_app()
    case, _ = drive(5, 40, app)
    old = Case.Snapshot.take(case)
    seen = []

    n = Case.class_version  # a layout n+1 after the current one

    def upcast_next(state: dict[str, Any]) -> None:
        seen.append(state["status"])
        state["intake_ref"] = "upcast"

    monkeypatch.setattr(Case, "class_version", n + 1)
    monkeypatch.setattr(Case, f"upcast_v{n}_v{n + 1}", staticmethod(upcast_next), raising=False)
    restored = old.mutate(None)
    assert seen == [case.status.value] and restored.intake_ref == "upcast"
    assert old.state["intake_ref"] == case.intake_ref  # the stored snapshot is not changed
    assert restored.status is case.status
    newer = Case.Snapshot.take(case)
    assert newer.state["class_version"] == n + 1
    monkeypatch.setattr(Case, "class_version", n)
    with pytest.raises(ValueError, match=f"layout {n + 1}"):
        newer.mutate(None)


# What layout 3 (issue 7) added, and the events whose replay sets it: a case without them has the same
# state in layouts 1, 2 and 3 once upcast.
V3_KEYS = ("late_request", "registered_on", "new_information_on", "conditions_found_on", "creditor_notified_on",
           "delegated_from", "delegation_basis")
V3_EVENTS = {"ClaimReduced", "PartlyDelegatedOut", "LateRequestAccepted", "NoticeToPartiesRecorded",
             "NewInformationRecorded", "CreditorNoticeRecorded", "ConditionsFound", "ContinuedFromNoCondition",
             "MovedToSeparateRegister", "RequestReturned", "DelegationReceived"}


def as_layout_2(state: dict[str, Any]) -> dict[str, Any]:
    v2 = {k: v for k, v in json.loads(json.dumps(state)).items() if k not in V3_KEYS} | {"class_version": 2}
    for item in v2["items"]:
        del item["due_on"], item["reduced_vnd"]
    for d in v2["decisions"]:
        del d["parties_notified_on"]
    return v2


def pre_v3_case() -> tuple[Intake, Case]:
    """A driven case none of whose events sets a layout-3 attribute."""
    for seed in range(100, 200):
        app = new_app()
        case, _ = drive(seed, 40, app)
        if not {type(e).__name__ for e in app.events.get(case.id)} & V3_EVENTS \
                and not any(i.due_on for i in case.items.values()):
            return app, case
    raise AssertionError("no driven case without layout-3 events")


def test_a_layout_2_snapshot_is_upcast_to_layout_3() -> None:
    app, case = pre_v3_case()
    v2 = as_layout_2(Case.Snapshot.take(case).state)
    restored = Case.Snapshot(originator_id=case.id, originator_version=case.version,
                             timestamp=datetime.now(timezone.utc), topic=Case.Snapshot.take(case).topic,
                             state=v2).mutate(None)
    assert all(i.reduced_vnd == 0 and i.due_on is None for i in restored.items.values())
    assert_same(vars(restored), vars(replay(app, case.id, case.version)))


def test_a_layout_1_snapshot_gets_no_assets_taken_in_kind():
    app, case = pre_v3_case()
    state = as_layout_2(Case.Snapshot.take(case).state)
    v1 = {k: v for k, v in state.items() if k != "taken_in_kind"} | {"class_version": 1}
    restored = Case.Snapshot(originator_id=case.id, originator_version=case.version,
                             timestamp=datetime.now(timezone.utc), topic=Case.Snapshot.take(case).topic,
                             state=v1).mutate(None)
    assert restored.taken_in_kind == {}
    assert_same(vars(restored), vars(replay(app, case.id, case.version)))


# ---------------------------------------------------------------- restored == replayed, property style

SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_restored_case_is_the_replayed_case_at_every_version_and_acts_the_same(seed):
    app = new_app()
    case, history = drive(seed, 120, app)
    as_of = case.last_at.date() + timedelta(days=30)
    assert_same_case(app.get_case(case.id), replay(app, case.id, case.version), as_of)  # snapshot 50 + tail
    for version in range(1, case.version + 1):
        replayed = replay(app, case.id, version)
        restored = through_store(app, replayed)
        assert restored.version == version
        assert_same_case(restored, replayed, as_of)
        assert_same_case(restored, replayed, replayed.received_on)
    # The same commands after a restore: same events, same refusals, same end state.
    for start in sorted({0, len(history) // 3, len(history) // 2, len(history) - 5}):
        version = history[start][0]
        replayed, restored = replay(app, case.id, version), through_store(app, replay(app, case.id, version))
        for _, command in history[start:]:
            assert outcome(restored, command) == outcome(replayed, command)
        assert_same_case(restored, replayed, as_of, recorded_apart=True)
        assert_same_case(restored, case, as_of, recorded_apart=True)


def test_the_random_cases_cover_the_interesting_paths():
    """The property above means something only if the generated cases go everywhere."""
    statuses, events, collected_in, continued_to = set(), set(), set(), set()
    for seed in SEEDS:
        app = new_app()
        case, _ = drive(seed, 120, app)
        replayed = None
        for e in app.events.get(case.id):
            before = replayed.status if replayed is not None else None
            replayed = e.mutate(replayed)
            events.add(type(e).__name__)
            statuses.add(replayed.status)
            if type(e).__name__ == "MoneyCollected":
                collected_in.add((before, e.channel))
            elif type(e).__name__.startswith("ContinuedAfter"):
                continued_to.add(replayed.status)
    assert {S.MONEY_HELD, S.NO_CONDITION, S.POSTPONED, S.SUSPENDED, S.DELEGATED_OUT, S.COMPLETED,
            S.TERMINATED} <= statuses
    assert {"MoneyCollected", "MoneyDisbursed", "EnforcementFeeCharged", "Reverified", "DeadlineMissed",
            "ConditionsFound", "ContinuedFromNoCondition", "ClaimReduced", "NoticeToPartiesRecorded",
            "UnclaimedMoneyDeposited",
            "DelegatedOut", "Postponed", "ContinuedAfterPostponement", "Suspended", "ContinuedAfterSuspension",
            "SeizureOrdered", "VoluntaryPaymentRecorded", "ProcuracyCopyRecorded",
            "CertificateIssued"} <= events
    # money that arrives while the case is paused or without conditions, and continuations that settle it
    # (a repayment to the bank while without conditions: the named path no_condition_repaid_to_bank_then_completed)
    assert {(S.POSTPONED, "auction_proceeds"), (S.SUSPENDED, "auction_proceeds"), (S.POSTPONED, "paid_to_bank"),
            (S.VERIFYING, "paid_to_bank")} <= collected_in
    assert S.MONEY_HELD in continued_to


# ---------------------------------------------------------------- named paths


def enforced_with_money() -> Case:
    c = Case.receive_judgment("U-HN", "BA-MONEY", at(2024, 3, 4), CLERK, **JUDGMENT)
    c.add_party("P-BANK", "creditor", "credit_institution", at(2024, 3, 4), CLERK, bank_code="VCB")
    c.add_party("P-KID", "creditor", "individual", at(2024, 3, 4), CLERK)
    c.add_party("P-DEBT", "debtor", "individual", at(2024, 3, 4), CLERK)
    c.add_claim_item("I-1", "credit_debt", 10_000_000, "P-BANK", at(2024, 3, 4), CLERK, secured=True)
    c.add_claim_item("I-2", "maintenance", 3_000_000, "P-KID", at(2024, 3, 4), CLERK)
    c.add_claim_item("I-3", "court_fee", 1_000_000, "P-KID", at(2024, 3, 4), CLERK, ex_officio=True)
    c.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    c.record_procuracy_copy("QD-THA-1", date(2024, 3, 6), at(2024, 3, 6), CLERK)
    c.assign_officer("officer-1", at(2024, 3, 6), HEAD)
    c.notify(at(2024, 3, 6), OFFICER)
    c.record_voluntary_payment("I-2", 1_000_000, "RCPT-1", at(2024, 3, 8), ACCOUNTANT, direct_to_creditor=True)
    c.start_verification(at(2024, 3, 20), OFFICER)
    c.record_verification("with_conditions", at(2024, 3, 22), OFFICER)
    c.apply_security_measure("account_freeze", "QD-PT-1", at(2024, 3, 25), OFFICER)
    c.order_seizure("QD-KB-1", "Nhà đất thửa 12", ["I-1", "I-3"], at(2024, 3, 26), OFFICER, asset_kind="real_estate")
    c.collect_money("I-1", 8_000_000, "auction_proceeds", "AUC-1", at(2024, 4, 1), OFFICER)
    c.collect_money("I-2", 2_000_000, "deduction", "BANK-1", at(2024, 4, 2), OFFICER)
    c.disburse("I-3", 1_000_000, at(2024, 4, 3), ACCOUNTANT)
    c.disburse("I-1", 7_000_000, at(2024, 4, 3), ACCOUNTANT)
    c.charge_enforcement_fee("I-1", at(2024, 4, 4), ACCOUNTANT)
    c.receive_certificate_request(at(2024, 4, 5), CLERK)
    c.record_deadline_missed("disbursement", date(2024, 4, 12), at(2024, 6, 1), SYSTEM)
    c.record_deadline_missed("disbursement", date(2024, 4, 12), at(2024, 6, 1), SYSTEM)  # ignored
    return c


def no_condition_then_reverified() -> Case:
    c = Case.receive_request("U-HN", "DON-NC", "online", at(2024, 3, 4), CLERK, **JUDGMENT)
    c.add_party("P-CR", "creditor", "organisation", at(2024, 3, 4), CLERK)
    c.add_claim_item("I-1", "other", 5_000_000, "P-CR", at(2024, 3, 4), CLERK)
    c.decide_enforcement("QD-THA-1", "on_request", at(2024, 3, 5), HEAD)
    c.notify(at(2024, 3, 6), OFFICER)
    c.start_verification(at(2024, 3, 20), OFFICER)
    c.record_verification("without_conditions", at(2024, 3, 22), HEAD, ground="address_unknown",
                          decision_no="QD-CDK-1", ground_known_on=date(2024, 3, 21))
    c.reverify(False, at(2024, 9, 20), OFFICER)
    c.reverify(False, at(2025, 3, 20), OFFICER, imprisoned_two_years_or_more=True)
    c.postpone("parties_agree", "QD-HOAN-1", at(2025, 4, 1), HEAD, until=date(2025, 6, 1))
    c.continue_after_postponement("QD-TT-1", at(2025, 6, 2), HEAD)
    return c


def suspended_then_delegated() -> Case:
    c = Case.receive_judgment("U-HN", "BA-PM", at(2024, 3, 4), CLERK, "provisional_measure", **JUDGMENT)
    c.add_party("P-CR", "creditor", "state", at(2024, 3, 4), CLERK)
    c.add_claim_item("I-1", "fine", 2_000_000, "P-CR", at(2024, 3, 4), CLERK)
    c.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 4, 15), HEAD)
    c.notify(at(2024, 3, 5), OFFICER)
    c.start_verification(at(2024, 3, 5, 14), OFFICER)
    c.record_verification("with_conditions", at(2024, 3, 6), OFFICER)
    c.suspend("bankruptcy_petition_accepted", "QD-TDC-1", at(2024, 3, 8), HEAD, ground_known_on=date(2024, 3, 7))
    c.continue_after_suspension("QD-TT-1", at(2024, 5, 2), HEAD, ground_ended_on=date(2024, 4, 30))
    c.delegate_out("U-HCM", "residence_or_work_elsewhere", "QD-UT-1", at(2024, 5, 3), HEAD,
                   revocation_decision_no="QD-TH-1")
    return c


def separate_register_then_enforced() -> Case:
    c = Case.receive_judgment("U-HN", "BA-SR", at(2024, 3, 4), CLERK, "bankruptcy", **JUDGMENT)
    c.add_party("P-CR", "creditor", "individual", at(2024, 3, 4), CLERK)
    c.add_claim_item("I-1", "wages_life_compensation", 9_000_000, "P-CR", at(2024, 3, 4), CLERK)
    c.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    c.notify(at(2024, 3, 6), OFFICER)
    c.start_verification(at(2024, 3, 20), OFFICER)
    c.record_verification("without_conditions", at(2024, 3, 22), HEAD, ground="no_income_or_assets",
                          decision_no="QD-CDK-1")
    c.reverify(False, at(2024, 9, 20), OFFICER)
    c.reverify(False, at(2025, 3, 20), OFFICER)
    c.move_to_separate_register(at(2025, 4, 1), HEAD)
    c.reverify(False, at(2025, 10, 1), OFFICER)
    c.reverify(True, at(2026, 3, 2), OFFICER)
    c.continue_from_no_condition("QD-TT-1", at(2026, 3, 2, 15), HEAD)
    c.collect_money("I-1", 9_000_000, "deduction", "BANK-9", at(2026, 3, 3), OFFICER)
    c.disburse("I-1", 9_000_000, at(2026, 3, 4), ACCOUNTANT)
    c.complete(at(2026, 3, 5), HEAD, certificate_no="GXN-1")
    return c


def postponed_with_proceeds_then_continued() -> Case:
    c = Case.receive_judgment("U-HN", "BA-LATE", at(2024, 3, 4), CLERK, **JUDGMENT)
    c.add_party("P-BANK", "creditor", "credit_institution", at(2024, 3, 4), CLERK, bank_code="VCB")
    c.add_claim_item("I-1", "credit_debt", 10_000_000, "P-BANK", at(2024, 3, 4), CLERK, secured=True)
    c.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    c.notify(at(2024, 3, 6), OFFICER)
    c.start_verification(at(2024, 3, 20), OFFICER)
    c.record_verification("with_conditions", at(2024, 3, 22), OFFICER)
    c.order_seizure("QD-KB-1", "Nhà đất thửa 12", ["I-1"], at(2024, 3, 26), OFFICER, asset_kind="real_estate")
    c.postpone("parties_agree", "QD-HOAN-1", at(2024, 4, 2), HEAD)
    c.collect_money("I-1", 6_000_000, "auction_proceeds", "AUC-1", at(2024, 4, 5), SYSTEM)
    c.collect_money("I-1", 1_000_000, "paid_to_bank", "VCB-1", at(2024, 4, 6), SYSTEM)
    c.continue_after_postponement("QD-TT-1", at(2024, 4, 8), HEAD)  # → MONEY_HELD
    c.disburse("I-1", 6_000_000, at(2024, 4, 9), ACCOUNTANT)  # → ENFORCING, 3 M owed
    c.suspend("cassation_or_retrial_protest", "QD-TDC-1", at(2024, 4, 10), HEAD)
    c.collect_money("I-1", 3_000_000, "deduction", "BANK-1", at(2024, 4, 11), SYSTEM)
    c.continue_after_suspension("QD-TT-2", at(2024, 4, 15), HEAD)  # → MONEY_HELD
    c.disburse("I-1", 3_000_000, at(2024, 4, 16), ACCOUNTANT)
    c.complete(at(2024, 4, 17), HEAD)
    return c


def no_condition_repaid_to_bank_then_completed() -> Case:
    c = Case.receive_request("U-HN", "DON-BANK", "post", at(2024, 3, 4), CLERK, **JUDGMENT)
    c.add_party("P-BANK", "creditor", "credit_institution", at(2024, 3, 4), CLERK, bank_code="BIDV")
    c.add_claim_item("I-1", "credit_debt", 8_000_000, "P-BANK", at(2024, 3, 4), CLERK)
    c.decide_enforcement("QD-THA-1", "on_request", at(2024, 3, 5), HEAD)
    c.notify(at(2024, 3, 6), OFFICER)
    c.collect_money("I-1", 1_000_000, "paid_to_bank", "BIDV-1", at(2024, 3, 8), SYSTEM)
    c.start_verification(at(2024, 3, 20), OFFICER)
    c.collect_money("I-1", 1_000_000, "paid_to_bank", "BIDV-2", at(2024, 3, 21), SYSTEM)
    c.record_verification("without_conditions", at(2024, 3, 22), HEAD, ground="no_income_or_assets",
                          decision_no="QD-CDK-1")
    c.collect_money("I-1", 6_000_000, "paid_to_bank", "BIDV-3", at(2024, 6, 3), SYSTEM)
    c.complete(at(2024, 6, 4), HEAD)
    return c


def refused_request() -> Case:
    c = Case.receive_request("U-HN", "DON-REF", "post", at(2024, 3, 4), CLERK, filed_on=date(2024, 3, 1), **JUDGMENT,
                             judgment_effective_on=date(2018, 1, 2))
    c.refuse_request("limitation_expired", at(2024, 3, 6), HEAD)
    c.record_deadline_missed("decision_on_request", date(2024, 3, 5), at(2024, 3, 7), SYSTEM)
    return c


def asset_taken_in_kind_then_completed() -> Case:
    c = Case.receive_judgment("U-HN", "BA-KIND", at(2024, 3, 4), CLERK, **JUDGMENT)
    c.add_party("P-CR", "creditor", "organisation", at(2024, 3, 4), CLERK)
    c.add_claim_item("I-1", "other", 500_000_000, "P-CR", at(2024, 3, 4), CLERK)
    c.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    c.notify(at(2024, 3, 6), OFFICER)
    c.start_verification(at(2024, 3, 20), OFFICER)
    c.record_verification("with_conditions", at(2024, 3, 22), OFFICER)
    c.order_seizure("QD-KB-1", "Xe ô tô 30A-123.45", ["I-1"], at(2024, 3, 26), OFFICER, asset_kind="movable")
    c.collect_money("I-1", 20_000_000, "deduction", "BANK-1", at(2024, 4, 1), OFFICER)
    c.disburse("I-1", 20_000_000, at(2024, 4, 2), ACCOUNTANT)
    c.record_asset_taken_in_kind("I-1", 480_000_000, "BB-GIAO-1", at(2024, 8, 1), OFFICER)
    c.record_asset_taken_in_kind("I-1", 480_000_000, "BB-GIAO-1", at(2024, 8, 2), OFFICER)  # ignored
    c.complete(at(2024, 8, 5), HEAD)
    return c


@pytest.mark.parametrize("build", [enforced_with_money, no_condition_then_reverified, suspended_then_delegated,
                                   separate_register_then_enforced, refused_request,
                                   postponed_with_proceeds_then_continued, no_condition_repaid_to_bank_then_completed,
                                   asset_taken_in_kind_then_completed])
def test_named_paths_restore_faithfully(build):
    app = new_app()
    case = build()
    app.save(case)
    for version in range(1, case.version + 1):
        replayed = replay(app, case.id, version)
        restored = through_store(app, replayed)
        assert_same_case(restored, replayed, date(2024, 4, 20))
        assert_same_case(restored, replayed, date(2025, 12, 1))
    restored = through_store(app, replay(app, case.id, case.version))
    assert restored.status is case.status and restored.origin is case.origin and restored.matter is case.matter
    assert all(type(step) is Step for step, _, _ in restored.timeline)
    assert isinstance(restored.missed, set) and all(type(m) is tuple for m in restored.missed)


def test_a_restored_case_refuses_and_accepts_like_the_replayed_one():
    app = new_app()
    case = enforced_with_money()
    app.save(case)
    commands: list[Command] = [
        ("disburse", {"claim_item_id": "I-2", "amount_vnd": 99_000_000, "at": at(2024, 6, 2), "actor": ACCOUNTANT}),
        ("collect_money", {"claim_item_id": "I-1", "amount_vnd": 8_000_000, "channel": "auction_proceeds",
                           "source_ref": "AUC-1", "at": at(2024, 6, 2), "actor": OFFICER}),  # redelivery
        ("collect_money", {"claim_item_id": "I-1", "amount_vnd": 1_000, "channel": "deduction",
                           "source_ref": "AUC-1", "at": at(2024, 6, 2), "actor": OFFICER}),  # conflicting
        ("disburse", {"claim_item_id": "I-2", "amount_vnd": 2_000_000, "at": at(2024, 6, 3), "actor": ACCOUNTANT}),
        ("issue_certificate", {"certificate_no": "GXN-1", "at": at(2024, 6, 3), "actor": HEAD}),
        ("record_deadline_missed", {"step": "disbursement", "due": date(2024, 4, 12), "at": at(2024, 6, 4),
                                    "actor": SYSTEM}),
        ("complete", {"at": at(2024, 6, 5), "actor": HEAD}),
        ("postpone", {"ground": "parties_agree", "decision_no": "QD-THA-1", "at": at(2024, 5, 1), "actor": HEAD}),
    ]
    replayed, restored = replay(app, case.id, case.version), through_store(app, case)
    outcomes = [(outcome(restored, c), outcome(replayed, c)) for c in commands]
    assert all(a == b for a, b in outcomes)
    refused = [a[0] if isinstance(a, tuple) else [e for e, _ in a] for a, _ in outcomes]
    assert refused == ["InsufficientMoneyHeldError", [], "ConflictingSourceRefError", ["Case.MoneyDisbursed"],
                       ["Case.CertificateIssued"], [], "OutstandingClaimsError", "BackdatedEventError"]
    assert_same_case(restored, replayed, date(2024, 7, 1), recorded_apart=True)


# ---------------------------------------------------------------- the application takes and uses them


def long_case(app: Intake, events: int, chunk: int) -> Case:
    case = Case.receive_request("U-HN", "DON-LONG", "online", at(2024, 3, 4), CLERK, **JUDGMENT)
    n = 0
    while case.version < events:
        n += 1
        case.add_party(f"P-{n}", "creditor" if n % 3 else "debtor", "individual", at(2024, 3, 4), CLERK)
        if case.version % chunk == 0:
            app.save(case)
    app.save(case)
    return case


def test_intake_snapshots_every_50_versions_and_loads_from_the_latest():
    assert Intake.snapshotting_intervals == {Case: 50}
    app = new_app()
    case = long_case(app, 137, chunk=7)
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(case.id)] == [50, 100]
    assert all(type(s) is Case.Snapshot for s in app.snapshots.get(case.id))

    reads: list[Any] = []
    original_get = app.repository.event_store.get

    def spy(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs.get("gt"))
        return original_get(*args, **kwargs)

    app.repository.event_store.get = spy  # type: ignore[method-assign]
    loaded = app.get_case(case.id)
    assert reads == [100]  # the snapshot at 100, then only the 37 events after it
    assert_same_case(loaded, replay(app, case.id, case.version), date(2024, 6, 1))
    reads.clear()
    assert app.repository.get(case.id, version=99).version == 99 and reads == [50]


def test_one_save_of_many_events_snapshots_each_multiple_and_record_does_too():
    app = new_app()
    case = long_case(app, 260, chunk=10_000)  # one save() of 260 events
    assert [s.originator_version for s in app.snapshots.get(case.id)] == [50, 100, 150, 200, 250]
    case = app.get_case(case.id)
    while case.version < 300:
        case.add_party(f"P-X{case.version}", "related", "individual", at(2024, 3, 5), CLERK)
    app.record([case])  # the batcher's path
    assert [s.originator_version for s in app.snapshots.get(case.id)][-1] == 300
    latest = next(iter(app.snapshots.get(case.id, desc=True, limit=1)))
    assert_same_case(latest.mutate(None), replay(app, case.id, 300), date(2024, 6, 1))
    loaded = app.get_case(case.id)
    loaded.add_party("P-AFTER", "debtor", "organisation", at(2024, 3, 6), CLERK)
    app.save(loaded)
    assert app.get_case(case.id).parties["P-AFTER"].role == "debtor"
