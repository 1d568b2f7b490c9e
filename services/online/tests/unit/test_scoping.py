"""The citizen role: a token names a person by their id number and belongs to no office; the kit's
office rule lets a citizen read no case (their own filings are the online service's rule)."""
from __future__ import annotations

import pytest

from thads_kit.auth import CITIZEN_UNIT, TokenError, decode_token, issue_token
from thads_kit.scoping import OutOfScopeError, check_case_read, unit_filter

SECRET = "s" * 32


def test_a_citizen_token_carries_the_id_number_and_no_office():
    p = decode_token(SECRET, issue_token(SECRET, role="citizen", unit="", sub="001090012345"))
    assert (p.role, p.sub, p.unit) == ("citizen", "001090012345", CITIZEN_UNIT)


@pytest.mark.parametrize("sub", [None, "citizen@TH-KV01", "12345", "00109001234X"])
def test_a_citizen_token_needs_an_id_number(sub):
    with pytest.raises(TokenError):
        issue_token(SECRET, role="citizen", unit="", sub=sub)


def test_a_forged_citizen_token_without_an_id_number_is_refused():
    import time

    import jwt
    forged = jwt.encode({"sub": "someone", "role": "citizen", "unit": "CONGDAN", "exp": int(time.time()) + 60},
                        SECRET, algorithm="HS256")
    with pytest.raises(TokenError):
        decode_token(SECRET, forged)


def test_a_citizen_reads_no_case_through_the_office_rule():
    p = decode_token(SECRET, issue_token(SECRET, role="citizen", unit="TH-KV01", sub="001090012345"))
    with pytest.raises(OutOfScopeError) as err:
        check_case_read(p, "TH-KV01")
    assert err.value.rule == "read_scope.citizen_own_filings"
    with pytest.raises(OutOfScopeError):
        unit_filter(p, None)
