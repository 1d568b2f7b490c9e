"""The kit's one office-scoping rule, as a hand-written table: who reads a case of which office."""
from __future__ import annotations

import pytest

from thads_kit.auth import Principal
from thads_kit.scoping import OutOfScopeError, UnitFilter, check_case_read, may_read, province_of, unit_filter


def who(role: str, unit: str, bank: str | None = None) -> Principal:
    return Principal(sub=f"{role}@{unit}", role=role, unit=unit, bank=bank)


# (role, token unit, bank, case unit, case's banks, may read)
TABLE = [
    ("officer", "TH-BIMSON", None, "TH-BIMSON", (), True),
    ("officer", "HN-02", None, "TH-BIMSON", (), False),
    ("officer", "TH-01", None, "TH-BIMSON", (), False),       # same province is not enough for staff
    ("head", "TH-BIMSON", None, "TH-BIMSON", (), True),
    ("head", "HN-02", None, "TH-BIMSON", (), False),
    ("clerk", "TH-01", None, "TH-01", (), True),
    ("clerk", "TH-02", None, "TH-01", (), False),
    ("accountant", "TH-01", None, "TH-01", (), True),
    ("accountant", "TH-BIMSON", None, "TH-01", (), False),
    ("procuracy", "TH", None, "TH-BIMSON", (), True),
    ("procuracy", "TH-VKS", None, "TH-01", (), True),
    ("procuracy", "TH-01", None, "TH-BIMSON", (), True),
    ("procuracy", "HN", None, "TH-BIMSON", (), False),
    ("procuracy", "VKSTC", None, "TH-BIMSON", (), True),      # national body
    ("auditor", "TH-01", None, "TH-BIMSON", (), True),
    ("auditor", "HN-01", None, "TH-01", (), False),
    ("auditor", "CUC", None, "HN-02", (), True),              # national body
    ("bank", "VCB", "VCB", "TH-01", ("VCB",), True),
    ("bank", "TH-01", "VCB", "TH-01", (), False),             # never by office
    ("bank", "VCB", "VCB", "TH-01", ("BIDV",), False),
    ("admin", "TW", None, "TH-BIMSON", (), True),
    ("admin", "HN-01", None, "TH-01", (), True),
]


@pytest.mark.parametrize("role, unit, bank, case_unit, banks, allowed", TABLE,
                         ids=[f"{r}@{u}->{c}{'+' + ','.join(b) if b else ''}" for r, u, _, c, b, _a in TABLE])
def test_who_reads_which_office(role, unit, bank, case_unit, banks, allowed):
    principal = who(role, unit, bank)

    assert may_read(principal, case_unit, banks) is allowed
    if not allowed:
        with pytest.raises(OutOfScopeError) as refused:
            check_case_read(principal, case_unit, banks)
        assert refused.value.rule.startswith("read_scope.") and refused.value.message_vi


def test_the_province_is_the_office_code_before_the_first_dash():
    assert [province_of(u) for u in ("TH-01", "TH-BIMSON", "TH", "HN-02-X")] == ["TH", "TH", "TH", "HN"]


@pytest.mark.parametrize("role, unit, requested, expected", [
    ("officer", "TH-01", None, UnitFilter(unit="TH-01")),
    ("accountant", "TH-01", "TH-01", UnitFilter(unit="TH-01")),
    ("procuracy", "TH", None, UnitFilter(province="TH")),
    ("auditor", "TH-01", "TH-BIMSON", UnitFilter(unit="TH-BIMSON")),
    ("auditor", "CUC", None, UnitFilter()),
    ("admin", "TW", None, UnitFilter()),
], ids=lambda v: str(v))
def test_list_queries_run_with_the_callers_filter(role, unit, requested, expected):
    assert unit_filter(who(role, unit), requested) == expected


@pytest.mark.parametrize("role, unit, requested", [
    ("officer", "TH-01", "TH-02"), ("procuracy", "HN", "TH-01"), ("bank", "VCB", None), ("bank", "VCB", "TH-01"),
], ids=lambda v: str(v))
def test_a_list_of_an_office_out_of_scope_is_refused(role, unit, requested):
    with pytest.raises(OutOfScopeError):
        unit_filter(who(role, unit, "VCB" if role == "bank" else None), requested)
