"""Checks of single values at the command (ids, document numbers, amounts, enum members, grounds)
and their encodings (ISO dates, business date in Vietnam time). Values that leave the service in
every public event are checked here, so that every recorded event can be published.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, TypeVar

from intake_service.deadlines import legal_reference
from intake_service.domain.errors import InvalidGroundError, InvalidValueError, MissingGroundError, NotPositiveAmountError

VN_TZ = timezone(timedelta(hours=7), "ICT")
MAX_VND = 2**53 - 1  # what every JSON reader can carry exactly (the public contracts cap money here)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _from_iso(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None


def business_date(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()


E = TypeVar("E", bound=StrEnum)


def _parse(enum_cls: type[E], value: Any, what: str) -> E:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise InvalidValueError(f"{what} {value!r} is not one of: {allowed}", rule="value.not_allowed",
                                message_vi=f"Giá trị «{value}» của trường {what} không hợp lệ; các giá trị "
                                           f"được chấp nhận: {allowed}.") from None


def _ground(enum_cls: type[E], value: Any, topic: str, on: date) -> E:
    basis = legal_reference(topic, on)
    if value is None or value == "":
        raise MissingGroundError(f"a ground is required ({basis})", legal_basis=basis,
                                 message_vi=f"Phải nêu căn cứ theo {basis}.")
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise InvalidGroundError(f"ground {value!r} is not a ground of {basis}: {allowed}", legal_basis=basis,
                                 message_vi=f"«{value}» không phải là căn cứ theo {basis}; các căn cứ: "
                                            f"{allowed}.") from None


def _positive(amount_vnd: int) -> None:
    if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
        raise NotPositiveAmountError(f"amount_vnd must be a positive integer of đồng, got {amount_vnd!r}")
    if amount_vnd > MAX_VND:
        raise InvalidValueError(f"amount_vnd {amount_vnd} exceeds {MAX_VND} đồng")


# Values that leave the service in every public event are checked here, at the command, so that
# every recorded event can be published: an event the relay cannot translate would stop it.
BANK_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")


def _token(value: Any, what: str, max_len: int) -> str:
    """An id that travels in messages and keys: 1..max_len characters, no whitespace."""
    if not isinstance(value, str) or not 0 < len(value) <= max_len or any(c.isspace() for c in value):
        raise InvalidValueError(f"{what} must be 1 to {max_len} characters without spaces, got {value!r}")
    return value


def _office_code(value: Any, what: str = "unit id") -> str:
    if "." in _token(value, what, 64):
        raise InvalidValueError(f"{what} {value!r} may not contain dots (it ends up in topic names)")
    return value


def _text(value: Any, what: str, max_len: int) -> str:
    """Document numbers (max 64), court names and descriptions (max 2000)."""
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise InvalidValueError(f"{what} is required, at most {max_len} characters, got {value!r}")
    return value



def _value(member: StrEnum | None) -> str | None:
    return member.value if member is not None else None


def _member(enum_cls: type[E], value: str | None) -> E | None:
    return enum_cls(value) if value is not None else None
