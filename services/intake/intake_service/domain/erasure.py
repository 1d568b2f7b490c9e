"""When a party's personal data may be erased (issue 11 §4; architecture §5).

The personal data (name, ID number, address, phone) lives outside the events, in intake's own table
(personal_data.py); the events carry the party id only. Erasing it is a Case command of its own, so
the act itself is an event in the case's hash-chained stream — who asked (`requested_by`), on which
ground, the written request (`request_ref`), and the head who approved it (the actor) — published as
`intake.PersonalDataErased.v1`. The event changes no state of the case: its status, money, deadlines
and so every statistic stay as they were.

Retention: the case file must keep its parties identifiable while the case is open, and for
RETENTION_YEARS after its last recorded step once it is closed: within the 5-year limitation period
(Art. 30) a closed case can still give rise to a new request, a complaint or a review of the
enforcement. [GK: the archive rules for enforcement files (hồ sơ THADS) may set a longer period;
verify against the Bộ Tư pháp's retention schedule before production.]
"""
from __future__ import annotations

# the platform's one retention rule (pure, beside the kit): re-exported for the Case
from thads_calendar.retention import (ERASURE_BASIS, ERASURE_GROUNDS, ERASURE_REQUESTERS, RETENTION_BASIS,
                                      RETENTION_YEARS, retained_until)

__all__ = ["ERASURE_BASIS", "ERASURE_GROUNDS", "ERASURE_REQUESTERS", "RETENTION_BASIS", "RETENTION_YEARS",
           "retained_until"]
