"""A case's state as of a moment, on both time axes (architecture §5, issue 11 §2):

* legally (`occurred_at` ≤ T): what had happened by T, including what was recorded only later (a
  payment entered retroactively counts from the day it was made);
* as the system knew it (`recorded_at` ≤ T): "what did the officer know when deciding?".

The fold is generic over the common envelope, so an event type this module does not name still
counts: every aggregate of the case keeps its version, its last event and its payload fields (the
latest value of each field wins). On top of that, the intake case's status and money, read from the
contract's event families (STATUS_AFTER; a family not listed leaves the status as it was).
Pure functions: no I/O, no clock."""
from __future__ import annotations

from typing import Any, Iterable

# intake's contract families → the case status they lead to (domain.md §1.6)
STATUS_AFTER: dict[str, str] = {
    "intake.RequestRefused": "REJECTED",
    "intake.EnforcementDecided": "DECIDED",
    "intake.VoluntaryPeriodStarted": "VOLUNTARY",
    "intake.CasePostponed": "POSTPONED",
    "intake.CaseSuspended": "SUSPENDED",
    "intake.CaseTerminated": "TERMINATED",
    "intake.CaseDelegated": "DELEGATED_OUT",
    "intake.CaseRevoked": "REVOKED",
    "intake.CaseCompleted": "COMPLETED",
    "intake.CaseMovedToSeparateRegister": "SEPARATE_REGISTER",
    "intake.RequestReturned": "RETURNED",
}
PAUSED = {"POSTPONED", "SUSPENDED"}


def family(event_type: str) -> str:
    return event_type.rsplit(".v", 1)[0]


def _status(current: str | None, before_pause: str | None, fam: str, payload: dict[str, Any]) -> tuple[str | None, str | None]:
    if fam == "intake.CaseOpened":
        origin = payload.get("origin")
        return ("JUDGMENT_RECEIVED" if origin == "judgment_received" else "REQUEST_RECEIVED"), before_pause
    if fam == "intake.VerificationRecorded":
        return ("NO_CONDITION" if payload.get("result") == "without_conditions" else "ENFORCING"), before_pause
    if fam == "intake.CaseContinued":
        return (before_pause or "ENFORCING"), None
    if fam == "intake.MoneyCollected":
        return current, before_pause
    new = STATUS_AFTER.get(fam)
    if new is None:
        return current, before_pause
    if new in PAUSED and current not in PAUSED:
        before_pause = current
    return new, before_pause


def fold(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The state after `events` (timeline entries, in business-time order)."""
    status: str | None = None
    before_pause: str | None = None
    collected = disbursed = 0
    aggregates: dict[str, dict[str, Any]] = {}
    last: dict[str, Any] | None = None
    count = 0
    for e in events:
        count += 1
        last = e
        payload = e.get("payload") or {}
        fam = family(e["event_type"])
        if e["source"] == "intake":
            status, before_pause = _status(status, before_pause, fam, payload)
            amount = payload.get("amount_vnd")
            if isinstance(amount, int):
                if fam == "intake.MoneyCollected":
                    collected += amount
                elif fam == "intake.MoneyDisbursed":
                    disbursed += amount
        agg = aggregates.setdefault(e["aggregate_id"], {"source": e["source"], "fields": {}})
        agg.update(version=e["aggregate_version"], last_event_type=e["event_type"],
                   last_occurred_at=e["occurred_at"], last_recorded_at=e["recorded_at"])
        agg["fields"].update(payload)
    return {"events": count, "status": status, "money_collected_vnd": collected,
            "money_disbursed_vnd": disbursed, "last_event_id": last["event_id"] if last else None,
            "aggregates": aggregates}


def both_axes(events: list[dict[str, Any]], at: str) -> dict[str, Any]:
    """`events`: the case's whole timeline (business-time order); `at`: ISO time with zone, compared as
    instants. Returns the two states and which events make them differ."""
    from datetime import datetime

    t = datetime.fromisoformat(at)
    legal = [e for e in events if datetime.fromisoformat(e["occurred_at"]) <= t]
    known = [e for e in events if datetime.fromisoformat(e["recorded_at"]) <= t]
    legal_ids, known_ids = {e["event_id"] for e in legal}, {e["event_id"] for e in known}
    return {
        "legal": fold(legal), "known": fold(known),
        # happened by T but recorded later (retroactive), and recorded by T with a later business date
        "recorded_later": [e["event_id"] for e in legal if e["event_id"] not in known_ids],
        "dated_later": [e["event_id"] for e in known if e["event_id"] not in legal_ids],
    }
