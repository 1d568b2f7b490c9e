"""auctions.AuctionOutcomeRecorded.v2 (issue 8): the outcome names its claim item(s) and the bid-log
digest; a v1 message still decodes (as v2, without them)."""
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from thads_contracts import auctions as a
from thads_contracts.errors import ContractError
from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET

GOLDEN = Path(__file__).parent / "golden"


def test_a_v1_outcome_decodes_as_v2_without_claim_item_or_digest():
    env = decode(AUCTIONS_ASSET, (GOLDEN / "auctions.AuctionOutcomeRecorded.v1.json").read_bytes())
    assert isinstance(env, a.AuctionOutcomeRecordedV2)
    assert env.payload.claim_item_ids is None and env.payload.bid_log_sha256 is None


def test_taken_by_creditor_must_name_its_claim_item():
    raw = json.loads((GOLDEN / "auctions.AuctionOutcomeRecorded.v2.json").read_text())
    env = decode(AUCTIONS_ASSET, json.dumps(raw))
    assert env.payload.outcome == a.AuctionOutcome.TAKEN_BY_CREDITOR and env.payload.claim_item_ids
    raw["payload"]["claim_item_ids"] = None
    with pytest.raises(ContractError):
        decode(AUCTIONS_ASSET, json.dumps(raw))
    raw["event_type"], raw["schema_version"] = "auctions.AuctionOutcomeRecorded.v1", 1   # old producer
    with pytest.raises(ContractError):
        decode(AUCTIONS_ASSET, json.dumps(raw))


def test_digest_is_sha256_hex():
    with pytest.raises(ValidationError):
        a.AuctionOutcomeRecordedV2Payload(asset_id="5a7efef4-bb7d-52f7-aa75-0a2448155bdb", outcome="failed",
                                          round_number=1, decided_on="2025-06-18", bid_log_sha256="xyz")
