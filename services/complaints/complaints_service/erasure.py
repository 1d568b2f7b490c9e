"""Personal data erasure in complaints (issue 11 §4): the two kinds of person complaints can show, and
whose rule decides their erasure.

* Denouncers (tố cáo): their identity is complaints' own data (personal_data.py), so complaints has
  its own route, POST /denunciations/{id}/personal-data-erasures (the head of the handling office).
  The act is the Denunciation's `DenouncersErased` event (denunciations.py: ground, who asked, the
  written request, refused while the retention applies) in complaints' hash-chained store, and the
  identity is nulled IN THE SAME TRANSACTION (a tombstone, `erased_at`, is kept). Like every
  denunciation event it stays inside the service (Art. 157: not even the fact of a denunciation
  leaves it); a refused attempt is an access-log entry (resource "denouncer_erasure").
* Complainants (khiếu nại): a complaint names the complainant by intake's party id only; the person's
  data is intake's, and so is the decision to erase it (intake knows the case's retention). Complaints
  therefore CONSUMES `intake.PersonalDataErased.v1` (it already follows thads.intake.case) and records
  it as an `ErasedParty` of its own store, in the same transaction as the consumer's position; from
  then on every complaints view shows that party as "[erased]". The audit service's timeline does the
  same from the same event. Neither the events nor the hash chains are touched.
Pure: stdlib, eventsourcing.domain.
"""
from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

ERASED = "[erased]"
INTAKE_ERASURE = "intake.PersonalDataErased"
NAMESPACE = uuid5(NAMESPACE_URL, "thads:complaints:erased-party")


class ErasedParty(Aggregate):
    """Intake's erasure of a party, as complaints learned it (id = uuid5 of the party id, so a
    redelivered event is already known)."""

    @staticmethod
    def create_id(party_id: str) -> UUID:
        return uuid5(NAMESPACE, str(party_id))

    @event("Recorded")
    def __init__(self, party_id: str, case_id: UUID, source_event_id: UUID, ground: str, requested_by: str,
                 request_ref: str, at: datetime) -> None:
        self.party_id, self.case_id, self.source_event_id = str(party_id), case_id, source_event_id
        self.ground, self.requested_by, self.request_ref = ground, requested_by, request_ref


def erasure_kwargs(env: object) -> dict[str, object] | None:
    """The ErasedParty record of a consumed intake erasure, or None for any other event."""
    event_type = str(getattr(env, "event_type", ""))
    if event_type.rsplit(".", 1)[0] != INTAKE_ERASURE:
        return None
    p = getattr(env, "payload")
    return {"party_id": str(p.party_id), "case_id": getattr(env, "case_id"), "source_event_id": getattr(env, "event_id"),
            "ground": str(getattr(p.ground, "value", p.ground)),
            "requested_by": str(getattr(p.requested_by, "value", p.requested_by)),
            "request_ref": str(p.request_ref), "at": getattr(env, "occurred_at")}
