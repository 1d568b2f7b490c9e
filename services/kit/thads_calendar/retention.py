"""How long a file keeps personal data, and on what grounds it may then be erased (issue 11 §4): the
one rule every service holding personal data applies — intake's parties (intake_service/domain/
erasure.py), the denouncers of a denunciation (complaints_service/denunciations.py, with its own
legal basis), a bank's request for enforcement (recovery_service/enforcement_requests.py).

A file keeps its people identifiable while it is open and for RETENTION_YEARS after it closed:
within the 5-year limitation period (Luật THADS Art. 30) a closed case can still give rise to a new
request, a complaint or a review. [GK: the archive rules for enforcement files (hồ sơ THADS) may
set a longer period; verify against the Bộ Tư pháp's retention schedule before production.]
Pure (dates only), so domain code may import it.
"""
from __future__ import annotations

from datetime import date

ERASURE_GROUNDS = ("consent_withdrawn", "purpose_fulfilled", "unlawful_processing", "authority_order")
ERASURE_REQUESTERS = ("data_subject", "legal_representative", "competent_authority")
RETENTION_YEARS = 5
ERASURE_BASIS = "Điều 16 Nghị định 13/2023/NĐ-CP"
RETENTION_BASIS = "Điều 30 Luật THADS 2008 (thời hiệu 5 năm) [GK: thời hạn lưu trữ hồ sơ THADS cần kiểm tra]"


def retained_until(closed_on: date, years: int = RETENTION_YEARS) -> date:
    """The first day the personal data of a file closed on `closed_on` may be erased."""
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:           # 29 February
        return closed_on.replace(year=closed_on.year + years, day=28)
