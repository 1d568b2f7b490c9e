"""Hand-built case histories as real intake contract envelopes (v2), for the statistics tests.
`occurred` is the business date; `recorded` (default: the same day) lets a test record it late."""
from __future__ import annotations

import itertools
import time as time_module
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from thads_contracts import intake as i
from thads_contracts.envelope import Actor

VN = timezone(timedelta(hours=7))
M = 1_000_000        # one million đồng
# source positions grow across every history built in this process (consumers dedupe on them per
# partition), starting from the clock so that a re-run on the same topics is not taken as a replay
_POSITION = itertools.count(time_module.time_ns() // 1000)
# ... under a store of their own: other tests publish hand-built envelopes too, whose positions under
# a shared store would make these look like replays (publish(..., store=STORE))
STORE = f"test-statistics-{uuid.uuid4()}"


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VN)


class CaseHistory:
    def __init__(self, office: str = "TH-BIMSON", basis: str = "on_request") -> None:
        self.id = uuid.uuid4()
        self.office = office
        self.basis = basis
        self.version = 0
        self.events: list[Any] = []
        self.item = uuid.uuid4()

    def _add(self, model: type, payload: Any, occurred: date, recorded: date | None = None) -> Any:
        self.version += 1
        env = model.create(payload=payload, source="intake", aggregate_id=self.id, aggregate_version=self.version,
                           case_id=self.id, unit=self.office, actor=Actor(id="head-1", role="head", unit=self.office),
                           occurred_at=at(occurred), recorded_at=at(recorded or occurred, 17),
                           source_position=next(_POSITION))
        self.events.append(env)
        return env

    def opened(self, day: date, **kw: Any) -> "CaseHistory":
        origin = "judgment_received" if self.basis == "ex_officio" else "request_received"
        self._add(i.CaseOpenedV2, i.CaseOpenedV2Payload(origin=origin, channel="post", received_on=day,
                                                        judgment_number="12/2016/DS-ST",
                                                        issuing_court="TAND huyện"), day, **kw)
        return self

    def item_added(self, day: date, amount: int, **kw: Any) -> "CaseHistory":
        self._add(i.ClaimItemAdded, i.ClaimItemAddedPayload(claim_item_id=self.item, kind="other", amount_vnd=amount,
                                                            ex_officio=self.basis == "ex_officio"), day, **kw)
        return self

    def decided(self, day: date, amount: int | None, **kw: Any) -> "CaseHistory":
        self._add(i.EnforcementDecidedV2, i.EnforcementDecidedV2Payload(
            basis=self.basis, decision_number=f"{self.version}/QĐ-CCTHADS", decided_on=day,
            amount_to_enforce_vnd=amount), day, **kw)
        return self

    def collected(self, day: date, amount: int, channel: str = "voluntary", **kw: Any) -> "CaseHistory":
        self._add(i.MoneyCollectedV2, i.MoneyCollectedV2Payload(
            claim_item_id=self.item, amount_vnd=amount, channel=channel, collected_on=day,
            direct_to_creditor=channel in ("in_kind", "paid_to_bank")), day, **kw)
        return self

    def verified(self, day: date, with_conditions: bool, **kw: Any) -> "CaseHistory":
        self._add(i.VerificationRecorded, i.VerificationRecordedPayload(
            result="with_conditions" if with_conditions else "without_conditions",
            ground=None if with_conditions else "no_income_or_assets", verified_on=day), day, **kw)
        return self

    def completed(self, day: date, basis: str = "fully_performed", **kw: Any) -> "CaseHistory":
        self._add(i.CaseCompleted, i.CaseCompletedPayload(basis=basis, completed_on=day), day, **kw)
        return self

    def terminated(self, day: date, **kw: Any) -> "CaseHistory":
        self._add(i.CaseTerminatedV2, i.CaseTerminatedV2Payload(
            ground="creditor_waived_or_parties_agreed", decision_number="9/QĐ-ĐC", terminated_on=day), day, **kw)
        return self

    def reduced(self, day: date, amount: int, **kw: Any) -> "CaseHistory":
        self._add(i.ClaimReduced, i.ClaimReducedPayload(
            claim_item_id=self.item, amount_vnd=amount, reason="partly_terminated", decision_number="3/QĐ-ĐC",
            reduced_on=day, ground="creditor_waived_or_parties_agreed"), day, **kw)
        return self

    def delegated(self, day: date, part_vnd: int | None = None, **kw: Any) -> "CaseHistory":
        part = part_vnd is not None
        self._add(i.CaseDelegatedV2, i.CaseDelegatedV2Payload(
            ground="assets_elsewhere", to_unit="NA", decision_number="5/QĐ-UT", delegated_on=day,
            scope="part" if part else "whole", claim_item_ids=(self.item,) if part else (),
            amount_vnd=part_vnd), day, **kw)
        return self

    def revoked(self, day: date, **kw: Any) -> "CaseHistory":
        self._add(i.CaseRevokedV2, i.CaseRevokedV2Payload(
            ground="decision_error", decision_number="6/QĐ-TH", revoked_on=day), day, **kw)
        return self

    def to_register(self, day: date, **kw: Any) -> "CaseHistory":
        self._add(i.CaseMovedToSeparateRegister, i.CaseMovedToSeparateRegisterPayload(moved_on=day), day, **kw)
        return self

    def postponed(self, day: date, **kw: Any) -> "CaseHistory":
        self._add(i.CasePostponed, i.CasePostponedPayload(ground="parties_agree", decision_number="7/QĐ-H",
                                                          postponed_on=day), day, **kw)
        return self

    def suspended(self, day: date, **kw: Any) -> "CaseHistory":
        self._add(i.CaseSuspended, i.CaseSuspendedPayload(ground="cassation_or_retrial_protest",
                                                          decision_number="8/QĐ-TĐC", suspended_on=day), day, **kw)
        return self

    def continued(self, day: date, **kw: Any) -> "CaseHistory":
        self._add(i.CaseContinued, i.CaseContinuedPayload(resumed_from="postponed", decision_number="9/QĐ-TT",
                                                          continued_on=day), day, **kw)
        return self

    def refused(self, day: date, **kw: Any) -> "CaseHistory":
        self._add(i.RequestRefused, i.RequestRefusedPayload(ground="not_competent", refused_on=day), day, **kw)
        return self


def facts_of(histories: list[CaseHistory]) -> dict[uuid.UUID, list[Any]]:
    """The facts the projection would store for these histories (through its own row function)."""
    from statistics_service.projections import fact_row
    from statistics_service.tree import Fact

    out: dict[uuid.UUID, list[Any]] = {}
    for h in histories:
        for env in h.events:
            row = fact_row(env)
            if row is None:
                continue
            import json
            out.setdefault(env.case_id, []).append(Fact(row[0], row[1], row[2], row[4], row[5], row[6], row[7],
                                                        json.loads(row[9])))
    return out


# --- the other indicators' events (indicators.py): intake's bank creditor, payments and misses,
# auctions' outcomes and proceeds, complaints' steps — on the same case
def _other(h: CaseHistory, model: type, payload: Any, day: date, source: str) -> Any:
    h.version += 1
    env = model.create(payload=payload, source=source, aggregate_id=uuid.uuid4() if source != "intake" else h.id,
                       aggregate_version=h.version if source == "intake" else 1, case_id=h.id, unit=h.office,
                       actor=Actor(id="head-1", role="head", unit=h.office), occurred_at=at(day),
                       recorded_at=at(day, 17), source_position=next(_POSITION))
    h.events.append(env)
    return env


def bank_creditor(h: CaseHistory, day: date, bank: str = "VCB") -> uuid.UUID:
    party = uuid.uuid4()
    _other(h, i.PartyAdded, i.PartyAddedPayload(party_id=party, role="creditor", kind="organisation",
                                                bank_code=bank), day, "intake")
    return party


def person_creditor(h: CaseHistory, day: date) -> uuid.UUID:
    party = uuid.uuid4()
    _other(h, i.PartyAdded, i.PartyAddedPayload(party_id=party, role="creditor", kind="person"), day, "intake")
    return party


def disbursed(h: CaseHistory, day: date, amount: int, payee: uuid.UUID) -> None:
    _other(h, i.MoneyDisbursed, i.MoneyDisbursedPayload(claim_item_id=h.item, amount_vnd=amount, recipient="creditor",
                                                        payee_party_id=payee, disbursed_on=day), day, "intake")


def deadline_missed(h: CaseHistory, day: date, step: str = "verification") -> None:
    _other(h, i.DeadlineMissed, i.DeadlineMissedPayload(step=step, due_on=day), day, "intake")


def auction_outcome(h: CaseHistory, day: date, outcome: str, price: int | None = None,
                    taker: uuid.UUID | None = None) -> None:
    from thads_contracts import auctions as a
    _other(h, a.AuctionOutcomeRecordedV2, a.AuctionOutcomeRecordedV2Payload(
        asset_id=uuid.uuid4(), outcome=outcome, round_number=1, price_vnd=price, decided_on=day,
        creditor_party_id=taker, claim_item_ids=(h.item,)), day, "auctions")


def proceeds(h: CaseHistory, day: date, amount: int) -> None:
    from thads_contracts import auctions as a
    _other(h, a.ProceedsTransferredV2, a.ProceedsTransferredV2Payload(
        asset_id=uuid.uuid4(), claim_item_ids=(h.item,), amount_vnd=amount, sold_on=day, transferred_on=day,
        shares=({"claim_item_id": h.item, "amount_vnd": amount, "basis": "general"},)), day, "auctions")


def complaint(h: CaseHistory, day: date, *, late: bool = False, accepted_on_time: bool | None = None,
              resolved: str | None = None, resolved_on_time: bool = True, instance: str = "first") -> None:
    from thads_contracts import complaints as c
    cid = uuid.uuid4()
    _other(h, c.ComplaintReceived, c.ComplaintReceivedPayload(
        complaint_id=cid, instance=instance, decision_event_id=h.events[0].event_id, object="coercion",
        received_on=day, late=late, deciding_unit=h.office), day, "complaints")
    if accepted_on_time is not None:
        _other(h, c.ComplaintAccepted, c.ComplaintAcceptedPayload(
            complaint_id=cid, instance=instance, accepted_on=day, due_on=day, on_time=accepted_on_time,
            decision_due_on=day, complex=False, deciding_unit=h.office), day, "complaints")
    if resolved is not None:
        _other(h, c.ComplaintResolved, c.ComplaintResolvedPayload(
            complaint_id=cid, instance=instance, resolution=resolved, resolved_on=day, due_on=day,
            on_time=resolved_on_time, deciding_unit=h.office, final=False), day, "complaints")


def complaint_deadline_missed(h: CaseHistory, day: date) -> None:
    from thads_contracts import complaints as c
    _other(h, c.DeadlineMissed, c.DeadlineMissedPayload(complaint_id=uuid.uuid4(), step="acceptance", due_on=day),
           day, "complaints")


def petition_forwarded(h: CaseHistory, day: date, vuot_cap: bool) -> None:
    from thads_contracts import complaints as c
    _other(h, c.PetitionForwarded, c.PetitionForwardedPayload(
        session_id=uuid.uuid4(), visit_id=uuid.uuid4(), petition_kind="complaint", received_on=day,
        reception_unit="TH", competent_unit=h.office, vuot_cap=vuot_cap), day, "complaints")


def auction_announced(h: CaseHistory, day: date) -> None:
    from thads_contracts import auctions as a
    _other(h, a.AuctionAnnounced, a.AuctionAnnouncedPayload(
        asset_id=uuid.uuid4(), round_number=1, announced_on=day, auction_on=day, starting_price_vnd=50 * M,
        deposit_vnd=5 * M, place="Trụ sở Chi cục", organiser="Công ty đấu giá hợp danh", claim_item_ids=(h.item,)),
        day, "auctions")
