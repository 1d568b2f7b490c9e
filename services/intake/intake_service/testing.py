"""Shared fixtures of the intake unit tests: the actors of an office and business times in Vietnam
time (UTC+7). Test support only; nothing in the service imports it."""
from __future__ import annotations

from datetime import datetime

from .domain import VN_TZ, Actor, Role, Status

TZ = VN_TZ
JUDGMENT = {"judgment_number": "125/2023/DS-ST", "issuing_court": "Tòa án nhân dân quận Hoàn Kiếm"}
HEAD = Actor("head-1", Role.HEAD)
OFFICER = Actor("officer-1", Role.OFFICER)
CLERK = Actor("clerk-1", Role.CLERK)
ACCOUNTANT = Actor("accountant-1", Role.ACCOUNTANT)
SYSTEM = Actor("deadline-watch", Role.SYSTEM)
S = Status


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    """Business time: day y-m-d at hour h, Vietnam time."""
    return datetime(y, m, d, h, tzinfo=TZ)
