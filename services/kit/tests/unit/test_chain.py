"""The chain's pure parts: the link rule, the Merkle root, and the verifier's walk over rows."""
from __future__ import annotations

import hashlib
from uuid import uuid4

from thads_kit import chain


def rows_of(stream, events):
    prev, out = chain.GENESIS, []
    for version, state in enumerate(events, start=1):
        prev = chain.link(prev, stream, version, "t:E", state)
        out.append((stream, version, version * 10, "t:E", state, prev))
    return out


def test_the_link_covers_every_field():
    s = uuid4()
    base = chain.link(chain.GENESIS, s, 1, "t:E", b"{}")

    assert len(base) == 32
    assert base != chain.link(chain.GENESIS, s, 2, "t:E", b"{}")
    assert base != chain.link(chain.GENESIS, uuid4(), 1, "t:E", b"{}")
    assert base != chain.link(chain.GENESIS, s, 1, "t:F", b"{}")
    assert base != chain.link(chain.GENESIS, s, 1, "t:E", b"{ }")
    assert base != chain.link(b"\x01" * 32, s, 1, "t:E", b"{}")
    # the topic is length-prefixed: moving bytes between topic and state changes the hash
    assert chain.link(chain.GENESIS, s, 1, "ab", b"c") != chain.link(chain.GENESIS, s, 1, "a", b"bc")


def test_the_merkle_root_follows_rfc_6962():
    a, b, c = (hashlib.sha256(x).digest() for x in (b"a", b"b", b"c"))
    node = lambda left, right: hashlib.sha256(b"\x01" + left + right).digest()  # noqa: E731

    assert chain.merkle_root([]) == hashlib.sha256(b"").digest()
    assert chain.merkle_root([a]) == a
    assert chain.merkle_root([a, b, c]) == node(node(a, b), c)
    assert chain.merkle_root([a, c, b]) != chain.merkle_root([a, b, c])


def test_an_anchored_stream_that_is_gone_entirely_is_named():
    kept, gone = uuid4(), uuid4()
    report = chain.StoreReport("svc", "s.t")

    chain.verify_rows("svc", rows_of(kept, [b"1", b"2"]), report,
                      anchored={str(gone): [(3, b"x" * 32, 7)]})

    [bad] = report.findings
    assert (bad.stream, bad.problem) == (str(gone), "truncated") and "anchor 7" in bad.detail
    assert report.heads[str(kept)][0] == 2
