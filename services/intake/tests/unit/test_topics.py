"""Events and snapshots stored while the domain was one module (`intake_service.domain`) still load
after it became a package: their topics `intake_service.domain:Case.X` resolve to the moved classes
(registered in intake_service/domain/__init__.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from intake_service.application import Intake
from intake_service.domain import Case
from intake_service.testing import ACCOUNTANT, HEAD, JUDGMENT, OFFICER, at

OLD = "intake_service.domain"


def _case() -> Case:
    case = Case.receive_request("HN-01", "REQ-TOPIC", "in_person", at(2026, 3, 2), OFFICER, **JUDGMENT)
    case.decide_enforcement("QD-1", "on_request", at(2026, 3, 3), HEAD)
    case.add_party("cr", "creditor", "individual", at(2026, 3, 3, 10), OFFICER)
    case.add_party("de", "debtor", "individual", at(2026, 3, 3, 10), OFFICER)
    case.add_claim_item("c1", "other", 10_000_000, "cr", at(2026, 3, 3, 11), OFFICER)
    case.assign_officer("officer-1", at(2026, 3, 4), HEAD)
    case.notify(at(2026, 3, 5), OFFICER)
    case.record_voluntary_payment("c1", 4_000_000, "vp-1", at(2026, 3, 6), ACCOUNTANT)
    return case


def _old_topic(topic: str) -> str:
    """The topic the same class had before the split."""
    module, _, qualname = topic.partition(":")
    assert module in (f"{OLD}.case", f"{OLD}.snapshots"), topic
    return f"{OLD}:{'Case.Snapshot' if qualname == 'CaseSnapshot' else qualname}"


def test_new_topics_name_the_module_the_class_lives_in() -> None:
    assert get_topic(Case) == f"{OLD}.case:Case"
    assert get_topic(Case.RequestReceived) == f"{OLD}.case:Case.RequestReceived"
    assert get_topic(Case.Snapshot) == f"{OLD}.snapshots:CaseSnapshot"


def test_events_stored_under_the_pre_split_topics_replay_to_the_same_case() -> None:
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    case = _case()
    stored = [app.mapper.to_stored_event(e) for e in case.collect_events()]
    old = [replace(s, topic=_old_topic(s.topic)) for s in stored]
    assert {s.topic for s in old} >= {f"{OLD}:Case.RequestReceived", f"{OLD}:Case.VoluntaryPaymentRecorded"}
    replayed = project_aggregate(None, [app.mapper.to_domain_event(s) for s in old])
    assert replayed is not None
    assert (replayed.status, replayed.held_vnd, replayed.version) == (case.status, 4_000_000, case.version)
    assert replayed._snapshot_state() == case._snapshot_state()


def test_a_snapshot_stored_under_the_pre_split_topics_restores_the_case() -> None:
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    case = _case()
    snapshot = Case.Snapshot.take(case)
    stored = app.mapper.to_stored_event(snapshot)
    assert stored.topic == f"{OLD}.snapshots:CaseSnapshot"
    # the stored record names the snapshot class, its state the aggregate class: both the old way
    old_state = stored.state.replace(f"{OLD}.case:Case".encode(), f"{OLD}:Case".encode())
    assert old_state != stored.state
    old = StoredEvent(stored.originator_id, stored.originator_version, f"{OLD}:Case.Snapshot", old_state)
    restored = app.mapper.to_domain_event(old).mutate(None)
    assert restored._snapshot_state() == case._snapshot_state()


@pytest.mark.parametrize("name", ["Created", "RequestReceived", "JudgmentReceived", "Terminated", "MoneyCollected"])
def test_every_pre_split_event_topic_resolves(name: str) -> None:
    from eventsourcing.utils import resolve_topic

    assert resolve_topic(f"{OLD}:Case.{name}") is getattr(Case, name)


def test_the_old_topics_are_registered_not_just_found_through_the_package_re_exports() -> None:
    """Without the registration, resolving an old topic would depend on `Case` staying an attribute of
    the package; in a fresh interpreter, with that attribute gone, the old topics still resolve."""
    import subprocess
    import sys

    code = ("import intake_service.domain as d\n"
            "case = d.Case\n"
            "del d.Case\n"
            "from eventsourcing.utils import resolve_topic\n"
            "assert resolve_topic('intake_service.domain:Case.Terminated') is case.Terminated\n"
            "assert resolve_topic('intake_service.domain:Case.Snapshot') is case.Snapshot\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
