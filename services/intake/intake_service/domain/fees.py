"""The enforcement fee (phí thi hành án), paid by the creditor on the money or value it actually
received (Art. 60 Luật THADS 2008), per TT 216/2016/TT-BTC — as data, with legal basis and
in-force dates, so that a later circular is one more row.

- Tiers on the value received per request (TT 216 Art. 4(1)): up to 5 bn 3 %; 5–7 bn 150 M + 2 % of
  the part above 5 bn; 7–10 bn 190 M + 1 %; 10–15 bn 220 M + 0.5 %; above 15 bn 245 M + 0.01 %
  (40 bn pays 247.5 M). Not a flat "3 %, capped 850 M": that was the pre-2017 rule.
- Instalments (Art. 5(2)): the tier applies to the running total received; each charge pays the
  difference between the fee on the new total and what was already charged.
- Exemptions, as read from the circular's text (domain.md §1.5): a request whose total received is
  at most 2 × the base salary pays nothing (Art. 6(4)); money paid within the voluntary period is
  exempt (Art. 6(8)); money settled directly between the parties before coercion pays one third
  (Art. 4(4)); maintenance and life/health compensation claims are exempt; ex officio items (the
  State's own claims) are not charged (the fee is the creditor's, on request, Art. 60).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake_service.domain.vocabulary import ClaimKind

TT216 = "TT 216/2016/TT-BTC"
FEE_EXEMPT_KINDS = frozenset({ClaimKind.MAINTENANCE, ClaimKind.WAGES_LIFE_COMPENSATION})


@dataclass(frozen=True)
class FeeTier:
    """Above `from_vnd` (exclusive) the fee is `base_fee_vnd` + rate × (value − from_vnd)."""
    from_vnd: int
    base_fee_vnd: int
    rate_per_10000: int  # 300 = 3 %, 1 = 0.01 %


@dataclass(frozen=True)
class FeeSchedule:
    in_force_from: date
    in_force_until: date | None
    tiers: tuple[FeeTier, ...]
    legal_basis: str
    instalments_basis: str
    threshold_basis: str
    voluntary_basis: str
    direct_settlement_basis: str


FEE_SCHEDULES: tuple[FeeSchedule, ...] = (
    FeeSchedule(
        in_force_from=date(2017, 1, 1), in_force_until=None,  # TT 216/2016 of 10/11/2016, from 1/1/2017
        tiers=(FeeTier(0, 0, 300), FeeTier(5_000_000_000, 150_000_000, 200),
               FeeTier(7_000_000_000, 190_000_000, 100), FeeTier(10_000_000_000, 220_000_000, 50),
               FeeTier(15_000_000_000, 245_000_000, 1)),
        legal_basis=f"Art. 4(1) {TT216}", instalments_basis=f"Art. 5(2) {TT216}",
        threshold_basis=f"Art. 6(4) {TT216}", voluntary_basis=f"Art. 6(8) {TT216}",
        direct_settlement_basis=f"Art. 4(4) {TT216}"),
)


@dataclass(frozen=True)
class BaseSalary:
    in_force_from: date
    amount_vnd: int
    legal_basis: str


# Mức lương cơ sở (base salary) by date: the 2 × base salary exemption moves with it.
BASE_SALARIES: tuple[BaseSalary, ...] = (
    BaseSalary(date(2016, 5, 1), 1_210_000, "ND 47/2016/NĐ-CP"),
    BaseSalary(date(2017, 7, 1), 1_300_000, "ND 47/2017/NĐ-CP"),
    BaseSalary(date(2018, 7, 1), 1_390_000, "ND 72/2018/NĐ-CP"),
    BaseSalary(date(2019, 7, 1), 1_490_000, "ND 38/2019/NĐ-CP"),
    BaseSalary(date(2023, 7, 1), 1_800_000, "ND 24/2023/NĐ-CP"),
    BaseSalary(date(2024, 7, 1), 2_340_000, "ND 73/2024/NĐ-CP"),
)


def fee_schedule(on: date) -> FeeSchedule | None:
    """The schedule in force on `on`, or None before the first one."""
    for s in reversed(FEE_SCHEDULES):
        if s.in_force_from <= on and (s.in_force_until is None or on <= s.in_force_until):
            return s
    return None


def base_salary(on: date) -> BaseSalary:
    rows = [b for b in BASE_SALARIES if b.in_force_from <= on]
    return rows[-1] if rows else BASE_SALARIES[0]


def tiered_fee(value_vnd: int, schedule: FeeSchedule) -> int:
    """The fee on a total value received, in whole đồng (rounded down)."""
    if value_vnd <= 0:
        return 0
    tier = [t for t in schedule.tiers if value_vnd > t.from_vnd][-1]
    return tier.base_fee_vnd + (value_vnd - tier.from_vnd) * tier.rate_per_10000 // 10_000


def fee_due(*, charged_in_full_vnd: int, one_third_vnd: int, on: date) -> int:
    """The whole fee due so far on one request's running total (Art. 5(2)).

    `one_third_vnd`: received by direct settlement before coercion (pays one third of its share of
    the tiered fee, Art. 4(4)); it came first in time, so it takes the lower tiers. Exempt money
    (voluntary period, exempt kinds) is left out by the caller. Nothing is due while the total is at
    most 2 × the base salary (Art. 6(4))."""
    schedule = fee_schedule(on)
    if schedule is None:
        return 0
    total = charged_in_full_vnd + one_third_vnd
    if total <= 2 * base_salary(on).amount_vnd:
        return 0
    third_part = tiered_fee(one_third_vnd, schedule)
    return third_part // 3 + tiered_fee(total, schedule) - third_part
