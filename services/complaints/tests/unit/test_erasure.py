"""Intake's erasure of a party as complaints' consumer sees it (in-memory store): recorded once as an
ErasedParty (a redelivery records nothing), never published, and no other event type is taken for it."""
from __future__ import annotations

from complaints_service import consumers, translation
from complaints_service.application import Complaints
from complaints_service.erasure import ErasedParty, erasure_kwargs
from thads_contracts.examples import example


def test_an_intake_erasure_is_recorded_once_and_stays_inside_the_service():
    app = Complaints(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    apply = consumers.policy(app)
    erased = example("intake.PersonalDataErased.v1")
    (record,) = apply(erased)
    assert isinstance(record, ErasedParty) and record.party_id == str(erased.payload.party_id)
    assert (record.ground, record.requested_by, record.source_event_id) == (
        erased.payload.ground.value, erased.payload.requested_by.value, erased.event_id)
    pending = list(record.pending_events)
    assert pending and all(translation.to_contract(e, 1) is None for e in pending), "internal, never published"
    app.save(record)
    assert apply(erased) == [], "a redelivered erasure records nothing"
    assert erasure_kwargs(example("intake.PartyAdded.v1")) is None
