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

from datetime import date

ERASURE_GROUNDS = ("consent_withdrawn", "purpose_fulfilled", "unlawful_processing", "authority_order")
ERASURE_REQUESTERS = ("data_subject", "legal_representative", "competent_authority")
RETENTION_YEARS = 5
ERASURE_BASIS = "Điều 16 Nghị định 13/2023/NĐ-CP"
RETENTION_BASIS = "Điều 30 Luật THADS 2008 (thời hiệu 5 năm) [GK: thời hạn lưu trữ hồ sơ THADS cần kiểm tra]"


def retained_until(closed_on: date) -> date:
    """The first day the personal data of a case closed on `closed_on` may be erased."""
    try:
        return closed_on.replace(year=closed_on.year + RETENTION_YEARS)
    except ValueError:           # 29 February
        return closed_on.replace(year=closed_on.year + RETENTION_YEARS, day=28)
