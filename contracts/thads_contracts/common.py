"""Building blocks shared by every contract: the frozen base model and constrained value types.

Money is an integer number of đồng, capped at 2**53 - 1 so that JavaScript and other
double-based JSON readers never round it. Legal dates are plain ISO dates ("2025-03-14"); a
number or a datetime given where the law counts a date is refused rather than guessed at.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints

MAX_SAFE_VND = 2**53 - 1


class ContractModel(BaseModel):
    # extra="ignore": a newer producer may add fields without breaking older consumers.
    model_config = ConfigDict(frozen=True, extra="ignore")


# Strict: a float (100.0) or a string ("100") is refused, never silently converted.
MoneyVnd = Annotated[int, Strict(), Field(ge=0, le=MAX_SAFE_VND)]
PositiveMoneyVnd = Annotated[int, Strict(), Field(gt=0, le=MAX_SAFE_VND)]


def _only_iso_dates(value: Any) -> Any:
    if isinstance(value, datetime):
        raise ValueError("a legal date must be a date, not a datetime")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("a legal date must be an ISO date 'YYYY-MM-DD', not a number")
    return value


LegalDate = Annotated[date, BeforeValidator(_only_iso_dates)]

# Office codes and bank codes end up in topic names and Kafka keys: no whitespace, no dots.
OfficeCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\s.]+$")]
BankCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")]
ActorId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^\S+$")]
# "15/QĐ-THADS", "12/2024/DS-ST": numbers of decisions, judgments, notices, receipts.
DocumentNumber = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# A citation such as "Điều 48 khoản 1 điểm c Luật THADS", never personal data.
LegalBasis = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Description = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
# snake_case identifiers that may grow without a new contract version.
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
