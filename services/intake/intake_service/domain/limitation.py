"""Limitation period (thời hiệu, Art. 30): 5 years from the judgment's effect or each item's due
date."""

from __future__ import annotations

from datetime import date

from intake_service.deadlines import L2008, LAW_2025_IN_FORCE, UNVERIFIED_2025

LIMITATION_YEARS = 5  # thời hiệu yêu cầu thi hành án (Art. 30(1))


def limitation_basis(on: date) -> str:
    """Art. 30 of the 2008 law; from 1/7/2026 the 2025 law's article is not verified yet."""
    return f"Art. 30 {L2008}" if on < LAW_2025_IN_FORCE else f"Art. 30 {L2008} {UNVERIFIED_2025}"
