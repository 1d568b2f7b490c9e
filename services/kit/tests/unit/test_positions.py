"""Consumer positions: what makes two messages 'the same position'."""
from __future__ import annotations

from types import SimpleNamespace

from thads_kit.consumer import Position, store_of
from thads_kit.relay import STORE_HEADER


def record(headers=()):
    return SimpleNamespace(headers=list(headers), topic="thads.intake.case", partition=1)


def test_positions_of_two_stores_of_one_service_never_collide():
    a = Position("audit.timeline", "intake", "store-a", "thads.intake.case", 1, 42)
    b = Position("audit.timeline", "intake", "store-b", "thads.intake.case", 1, 42)

    assert a.tracking_name != b.tracking_name


def test_two_consumers_of_one_topic_keep_their_own_positions():
    mine = Position("intake.collections", "auctions", "s", "thads.auctions.asset", 0, 7)
    theirs = Position("intake.other", "auctions", "s", "thads.auctions.asset", 0, 7)

    assert mine.tracking_name != theirs.tracking_name


def test_the_store_comes_from_the_relay_header_and_defaults_when_absent():
    assert store_of(record([(STORE_HEADER, b"0f6c"), ("source", b"intake")])) == "0f6c"
    assert store_of(record()) == "-"
