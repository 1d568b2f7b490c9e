"""The payment order of Art. 47: ranks of claim kinds and the legal allocation of the money that
passed through the agency (secured creditor first from its collateral, Art. 47(3); then by rank,
pro rata within a rank). The enforcement fee is in fees.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake_service.domain.vocabulary import ClaimKind

if TYPE_CHECKING:
    from intake_service.domain.records import ClaimItem

# Art. 47(1): 1 maintenance, wages, life/health compensation; 2 court fees; 3 everything else.
PAYMENT_RANK: dict[ClaimKind, int] = {
    ClaimKind.MAINTENANCE: 1,
    ClaimKind.WAGES_LIFE_COMPENSATION: 1,
    ClaimKind.COURT_FEE: 2,
}


def payment_rank(kind: ClaimKind | str) -> int:
    return PAYMENT_RANK.get(ClaimKind(kind), 3)



def legal_allocation(items: list[ClaimItem], general_pool_vnd: int) -> dict[str, int]:
    """Cumulative legal share of every item in the money that passed through the agency.

    Collateral proceeds go first to the judgment's court fees, then to the secured item
    (Art. 47(3)); the rest, with the general pool, by rank (Art. 47(1)), pro rata within a
    rank (Art. 47(2)(a)). Integer đồng: largest remainder, ties by item order.
    """
    need = {i.id: i.to_enforce_vnd - i.direct_vnd for i in items}
    alloc = {i.id: 0 for i in items}
    pool = general_pool_vnd

    def give(item_id: str, available: int) -> int:
        take = min(available, need[item_id] - alloc[item_id])
        alloc[item_id] += take
        return available - take

    for secured in (i for i in items if i.secured and i.collateral_vnd):
        left = secured.collateral_vnd
        for fee in (i for i in items if i.kind is ClaimKind.COURT_FEE):
            left = give(fee.id, left)
        pool += give(secured.id, left)
    for rank in (1, 2, 3):
        wants = {i.id: need[i.id] - alloc[i.id] for i in items if i.rank == rank and need[i.id] > alloc[i.id]}
        total = sum(wants.values())
        if pool >= total:
            for item_id, want in wants.items():
                alloc[item_id] += want
            pool -= total
            continue
        shares = {k: pool * w // total for k, w in wants.items()}
        left = pool - sum(shares.values())
        by_remainder = sorted(wants, key=lambda k: -(pool * wants[k] % total))
        for k in by_remainder[:left]:
            shares[k] += 1
        for k, s in shares.items():
            alloc[k] += s
        break
    return alloc

