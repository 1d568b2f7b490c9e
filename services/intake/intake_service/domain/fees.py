"""The enforcement fee (phí thi hành án, Art. 60), paid by the creditor."""

from __future__ import annotations

from intake_service.domain.vocabulary import ClaimKind

FEE_RATE_PERCENT = 3  # [GK] TT 216/2016/TT-BTC: 3 % of the value the creditor receives
FEE_CAP_VND = 850_000_000  # [GK] cap per request
FEE_EXEMPT_KINDS = frozenset({ClaimKind.MAINTENANCE, ClaimKind.WAGES_LIFE_COMPENSATION})  # [GK]
