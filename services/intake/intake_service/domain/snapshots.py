"""Snapshots of a Case: the whole state as plain, versioned JSON (`snapshot_state`), restored with
its enums, dataclasses, dates, tuples and set (`case_from_snapshot_state`). The layout version is
`Case.class_version`; the upcasters of older layouts are `Case.upcast_v{n}_v{n+1}` (see case.py).
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Snapshot as LibrarySnapshot
from eventsourcing.utils import get_topic, resolve_topic

from intake_service.deadlines import Step
from intake_service.domain.records import ClaimItem, Collection, Decision, InKindTaking, Party
from intake_service.domain.values import _from_iso, _iso, _member, _value
from intake_service.domain.vocabulary import (
    Basis,
    Channel,
    ClaimKind,
    CollectionChannel,
    Matter,
    Origin,
    PartyKind,
    PartyRole,
    Status,
)

if TYPE_CHECKING:
    from intake_service.domain.case import Case


class CaseSnapshot(LibrarySnapshot):
    """A Case snapshot whose `state` is `Case._snapshot_state()` (plain JSON, versioned), restored
    by `Case._from_snapshot_state` with its enums, dataclasses, dates, tuples and set."""

    @classmethod
    def take(cls, aggregate: Any) -> CaseSnapshot:
        return cls(originator_id=aggregate.id, originator_version=aggregate.version,  # type: ignore[call-arg]
                   timestamp=cls.create_timestamp(), topic=get_topic(type(aggregate)),
                   state=aggregate._snapshot_state())

    def mutate(self, _: Any) -> Case:  # type: ignore[override]
        aggregate_cls: type[Case] = resolve_topic(self.topic)
        state = dict(self.state)
        from_version = state.pop("class_version", 1)
        if from_version > aggregate_cls.class_version:
            raise ValueError(f"snapshot of {self.originator_id} v{self.originator_version} has state layout "
                             f"{from_version}, newer than this code's {aggregate_cls.class_version}")
        if from_version < aggregate_cls.class_version:
            state = copy.deepcopy(state)  # upcasters change nested values in place
            while from_version < aggregate_cls.class_version:
                getattr(aggregate_cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
                from_version += 1
        return aggregate_cls._from_snapshot_state(state, self.originator_id, self.originator_version)


def snapshot_state(self: Case) -> dict[str, Any]:
    """The whole state as plain JSON values, keyed by attribute name (layout `class_version`)."""
    state: dict[str, Any] = {
        "class_version": type(self).class_version,
        "_created_on": self._created_on.isoformat(),
        "_modified_on": self._modified_on.isoformat(),
        "unit_id": self.unit_id,
        "intake_ref": self.intake_ref,
        "judgment_number": self.judgment_number,
        "issuing_court": self.issuing_court,
        "judgment_effective_on": _iso(self.judgment_effective_on),
        "origin": self.origin.value,
        "matter": self.matter.value,
        "channel": _value(self.channel),
        "filed_on": _iso(self.filed_on),
        "status": self.status.value,
        "previous_status": _value(self.previous_status),
        "last_at": self.last_at.isoformat(),
        "received_on": self.received_on.isoformat(),
        "basis": _value(self.basis),
        "decided_on": _iso(self.decided_on),
        "refused_on": _iso(self.refused_on),
        "ground": self.ground,
        "officer_id": self.officer_id,
        "parties": [{"id": p.id, "role": p.role.value, "kind": p.kind.value, "bank_code": p.bank_code}
                    for p in self.parties.values()],
        "items": [{"id": i.id, "kind": i.kind.value, "amount_vnd": i.amount_vnd,
                   "creditor_party_id": i.creditor_party_id, "secured": i.secured, "ex_officio": i.ex_officio,
                   "collected_vnd": i.collected_vnd, "direct_vnd": i.direct_vnd,
                   "collateral_vnd": i.collateral_vnd, "paid_out_vnd": i.paid_out_vnd,
                   "fee_base_vnd": i.fee_base_vnd, "fee_vnd": i.fee_vnd, "due_on": _iso(i.due_on),
                   "reduced_vnd": i.reduced_vnd,
                   "deposited_vnd": i.deposited_vnd} for i in self.items.values()],
        "decisions": [{"number": d.number, "kind": d.kind, "issued_on": d.issued_on.isoformat(),
                       "copy_sent_on": _iso(d.copy_sent_on), "parties_notified_on": _iso(d.parties_notified_on)}
                      for d in self.decisions.values()],
        "notified_on": _iso(self.notified_on),
        "verification_started_on": _iso(self.verification_started_on),
        "no_condition_on": _iso(self.no_condition_on),
        "long_reverification": self.long_reverification,
        "checks": [d.isoformat() for d in self.checks],
        "measures": [{**m, "at": m["at"].isoformat()} for m in self.measures],
        "collections": [{"source_ref": c.source_ref, "claim_item_id": c.claim_item_id,
                         "amount_vnd": c.amount_vnd, "channel": c.channel.value, "on": c.on.isoformat(),
                         "pooled": c.pooled} for c in self.collections.values()],
        "disbursements": [[on.isoformat(), amount] for on, amount in self.disbursements],
        "fee_total_vnd": self.fee_total_vnd,
        "delegated_to": self.delegated_to,
        "certificate_requested_on": _iso(self.certificate_requested_on),
        "certificate_no": self.certificate_no,
        "timeline": [[step.value, start.isoformat(), _iso(done)] for step, start, done in self.timeline],
        "missed": sorted([step, due] for step, due in self.missed),
        "taken_in_kind": [{"source_ref": k.source_ref, "claim_item_id": k.claim_item_id,
                           "value_vnd": k.value_vnd, "on": k.on.isoformat()}
                          for k in self.taken_in_kind.values()],
        "late_request": dict(self.late_request) if self.late_request is not None else None,
        "registered_on": _iso(self.registered_on),
        "new_information_on": _iso(self.new_information_on),
        "conditions_found_on": _iso(self.conditions_found_on),
        "creditor_notified_on": _iso(self.creditor_notified_on),
        "delegated_from": self.delegated_from,
        "delegation_basis": _value(self.delegation_basis),
    }
    uncovered = self.__dict__.keys() - state.keys() - {"_id", "_version", "_pending_events"}
    if uncovered:
        raise TypeError(f"Case._snapshot_state does not cover {sorted(uncovered)}: add them, bump "
                        f"Case.class_version and add an upcaster")
    return state


def case_from_snapshot_state(cls: type[Case], state: dict[str, Any], originator_id: UUID, version: int) -> Case:
    """The aggregate at `version` from a state of the current layout (see `_snapshot_state`)."""
    s = state
    case = object.__new__(cls)
    case.__dict__.update({  # the attribute order of a replayed case
        "_id": originator_id,
        "_version": version,
        "_created_on": datetime.fromisoformat(s["_created_on"]),
        "_modified_on": datetime.fromisoformat(s["_modified_on"]),
        "_pending_events": [],
        "unit_id": s["unit_id"],
        "intake_ref": s["intake_ref"],
        "judgment_number": s["judgment_number"],
        "issuing_court": s["issuing_court"],
        "judgment_effective_on": _from_iso(s["judgment_effective_on"]),
        "origin": Origin(s["origin"]),
        "matter": Matter(s["matter"]),
        "channel": _member(Channel, s["channel"]),
        "filed_on": _from_iso(s["filed_on"]),
        "status": Status(s["status"]),
        "previous_status": _member(Status, s["previous_status"]),
        "last_at": datetime.fromisoformat(s["last_at"]),
        "received_on": date.fromisoformat(s["received_on"]),
        "basis": _member(Basis, s["basis"]),
        "decided_on": _from_iso(s["decided_on"]),
        "refused_on": _from_iso(s["refused_on"]),
        "ground": s["ground"],
        "officer_id": s["officer_id"],
        "parties": {p["id"]: Party(p["id"], PartyRole(p["role"]), PartyKind(p["kind"]), p["bank_code"])
                    for p in s["parties"]},
        "items": {i["id"]: ClaimItem(i["id"], ClaimKind(i["kind"]), i["amount_vnd"], i["creditor_party_id"],
                                     i["secured"], i["ex_officio"], i["collected_vnd"], i["direct_vnd"],
                                     i["collateral_vnd"], i["paid_out_vnd"], i["fee_base_vnd"], i["fee_vnd"],
                                     _from_iso(i["due_on"]), i["reduced_vnd"], i["deposited_vnd"])
                  for i in s["items"]},
        "decisions": {d["number"]: Decision(d["number"], d["kind"], date.fromisoformat(d["issued_on"]),
                                            _from_iso(d["copy_sent_on"]), _from_iso(d["parties_notified_on"]))
                      for d in s["decisions"]},
        "notified_on": _from_iso(s["notified_on"]),
        "verification_started_on": _from_iso(s["verification_started_on"]),
        "no_condition_on": _from_iso(s["no_condition_on"]),
        "long_reverification": s["long_reverification"],
        "checks": [date.fromisoformat(d) for d in s["checks"]],
        "measures": [{**m, "at": datetime.fromisoformat(m["at"])} for m in s["measures"]],
        "collections": {c["source_ref"]: Collection(c["source_ref"], c["claim_item_id"], c["amount_vnd"],
                                                    CollectionChannel(c["channel"]),
                                                    date.fromisoformat(c["on"]), c["pooled"])
                        for c in s["collections"]},
        "disbursements": [(date.fromisoformat(on), amount) for on, amount in s["disbursements"]],
        "fee_total_vnd": s["fee_total_vnd"],
        "delegated_to": s["delegated_to"],
        "certificate_requested_on": _from_iso(s["certificate_requested_on"]),
        "certificate_no": s["certificate_no"],
        "timeline": [(Step(step), date.fromisoformat(start), _from_iso(done))
                     for step, start, done in s["timeline"]],
        "missed": {(step, due) for step, due in s["missed"]},
        "taken_in_kind": {k["source_ref"]: InKindTaking(k["source_ref"], k["claim_item_id"], k["value_vnd"],
                                                        date.fromisoformat(k["on"]))
                          for k in s["taken_in_kind"]},
        "late_request": dict(s["late_request"]) if s["late_request"] is not None else None,
        "registered_on": _from_iso(s["registered_on"]),
        "new_information_on": _from_iso(s["new_information_on"]),
        "conditions_found_on": _from_iso(s["conditions_found_on"]),
        "creditor_notified_on": _from_iso(s["creditor_notified_on"]),
        "delegated_from": s["delegated_from"],
        "delegation_basis": _member(Basis, s["delegation_basis"]),
    })
    return case
