"""Office scoping: which cases a caller may READ — the one rule every service's read routes use
(architecture.md §7). What a caller may DO is each route's roles plus the service's own rules;
commands stay bound to the caller's own office whatever this module allows to read.

Who reads which office's cases (a case belongs to the office, "unit", that holds it):
- officer, head, clerk, accountant: their own office only (token unit == case unit).
- procuracy, auditor: every office of their own province. The province of an office code is its
  prefix before the first '-': TH-01 and TH-BIMSON are both province TH, and a provincial body's
  own code is the bare prefix (a token of unit "TH" or "TH-VKS" reads TH-01 and TH-BIMSON, not
  HN-02). The national bodies in NATIONAL_UNITS (the central enforcement department's inspectors,
  the Supreme People's Procuracy) read every province.
- bank: never by office; only a case where the bank itself is a party or creditor (the caller of
  this module passes the case's bank codes).
- admin: every office, as before this module existed. The platform operator runs rebuilds and
  erasure requests for any office and answers support calls across the country, so it is national
  by function; it commands no case (no command route admits it), and its reads are logged like
  everyone's.
- organisation (an auction organisation): nothing through this rule; the auctions service lets it
  read the assets contracted to it, and only those.
- citizen: no case through the office rule; a person's own filings and the cases they opened are
  checked by the online service that owns them (owner = the token's id number).
- any other role: nothing.

`check_case_read` answers a single case (403 OutOfScopeError naming the rule); `unit_filter` turns
a list query's optional `unit` parameter into the filter the caller is allowed (403 when the caller
asks for an office it may not read)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .auth import ROLE_LABELS, Principal

OFFICE_BOUND = frozenset({"officer", "head", "clerk", "accountant"})
PROVINCE_WIDE = frozenset({"procuracy", "auditor"})
NATIONAL = frozenset({"admin"})
# Codes of national bodies whose procuracy/auditor tokens read every province: Cục Quản lý thi hành
# án dân sự (Bộ Tư pháp) and Viện kiểm sát nhân dân tối cao.
NATIONAL_UNITS = frozenset({"CUC", "VKSTC"})


def province_of(unit: str) -> str:
    """The province of an office code: its prefix before the first '-' (TH-BIMSON → TH)."""
    return unit.split("-", 1)[0]


class OutOfScopeError(Exception):
    """The caller may not read this case (or this office's cases): 403, nothing is shown."""

    status_code = 403

    def __init__(self, rule: str, message_vi: str, detail: str) -> None:
        super().__init__(detail)
        self.rule, self.message_vi = rule, message_vi


@dataclass(frozen=True)
class UnitFilter:
    """What a list query may return: one office (`unit`), one province (`province`), or, both None,
    every office."""
    unit: str | None = None
    province: str | None = None


def _label(principal: Principal) -> str:
    return ROLE_LABELS.get(principal.role, principal.role)


def may_read(principal: Principal, case_unit: str, case_banks: Iterable[str] = ()) -> bool:
    return _refusal(principal, case_unit, case_banks) is None


def check_case_read(principal: Principal, case_unit: str, case_banks: Iterable[str] = (),
                    case_id: object = None) -> None:
    """Refuse (403 OutOfScopeError) when `principal` may not read a case of office `case_unit`
    whose bank parties/creditors are `case_banks`."""
    refusal = _refusal(principal, case_unit, case_banks)
    if refusal is not None:
        rule, message_vi = refusal
        what = f"case {case_id}" if case_id is not None else "the case"
        raise OutOfScopeError(rule, message_vi,
                              f"{principal.role} of {principal.unit} may not read {what} of office {case_unit}")


def _refusal(principal: Principal, case_unit: str, case_banks: Iterable[str]) -> tuple[str, str] | None:
    role = principal.role
    if role in NATIONAL:
        return None
    if role in OFFICE_BOUND:
        if case_unit == principal.unit:
            return None
        return ("read_scope.own_office",
                f"{_label(principal)} chỉ được xem việc thi hành án của đơn vị mình ({principal.unit}); "
                f"việc này thuộc đơn vị {case_unit}.")
    if role in PROVINCE_WIDE:
        if principal.unit in NATIONAL_UNITS or province_of(case_unit) == province_of(principal.unit):
            return None
        return ("read_scope.own_province",
                f"{_label(principal)} chỉ được xem việc thi hành án của các đơn vị thuộc tỉnh "
                f"{province_of(principal.unit)}; việc này thuộc đơn vị {case_unit}.")
    if role == "bank":
        if principal.bank and principal.bank in set(case_banks):
            return None
        return ("read_scope.bank_own_case",
                "Tổ chức tín dụng chỉ được xem việc thi hành án mà mình là đương sự hoặc người được thi hành án.")
    if role == "citizen":
        return ("read_scope.citizen_own_filings",
                "Công dân chỉ được theo dõi đơn yêu cầu và việc thi hành án của chính mình qua cổng trực tuyến.")
    return ("read_scope.role", f"Vai trò {_label(principal)} không được xem việc thi hành án.")


def unit_filter(principal: Principal, requested_unit: str | None) -> UnitFilter:
    """The filter a list query of `principal` runs with. A requested office the caller may not read is
    refused (403); without one, staff see their office, the procuracy and auditors their province,
    national readers everything. Banks and other roles have no office-wide lists."""
    if requested_unit is not None:
        check_case_read(principal, requested_unit)
        return UnitFilter(unit=requested_unit)
    if principal.role in NATIONAL or (principal.role in PROVINCE_WIDE and principal.unit in NATIONAL_UNITS):
        return UnitFilter()
    if principal.role in OFFICE_BOUND:
        return UnitFilter(unit=principal.unit)
    if principal.role in PROVINCE_WIDE:
        return UnitFilter(province=province_of(principal.unit))
    raise OutOfScopeError("read_scope.role", f"Vai trò {_label(principal)} không được xem danh sách việc thi hành án.",
                          f"role {principal.role} has no office-wide list")
