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


# ---------------------------------------------------------------- ProceedsTransferred.v2: the split
def test_a_v1_proceeds_decodes_as_v2_with_the_whole_amount_on_its_first_item():
    raw = json.loads((GOLDEN / "auctions.ProceedsTransferred.v1.json").read_text())
    env = decode(AUCTIONS_ASSET, json.dumps(raw))
    assert isinstance(env, a.ProceedsTransferredV2) and env.payload.enforcement_costs_vnd == 0
    [share] = env.payload.shares
    assert (share.claim_item_id, share.amount_vnd, share.basis) == (
        env.payload.claim_item_ids[0], env.payload.amount_vnd, a.ProceedsShareBasis.GENERAL)
    raw["payload"]["claim_item_ids"] = None                  # v1 allowed it; intake never booked it
    with pytest.raises(ContractError):
        decode(AUCTIONS_ASSET, json.dumps(raw))


def _split(**change):
    raw = json.loads((GOLDEN / "auctions.ProceedsTransferred.v2.json").read_text())
    raw["payload"].update(change)
    return json.dumps(raw)


def test_the_split_adds_up_to_the_amount_on_the_named_items_collateral_first():
    env = decode(AUCTIONS_ASSET, _split())
    p = env.payload
    assert p.enforcement_costs_vnd + sum(s.amount_vnd for s in p.shares) == p.amount_vnd
    with pytest.raises(ContractError, match="must equal amount_vnd"):
        decode(AUCTIONS_ASSET, _split(enforcement_costs_vnd=p.enforcement_costs_vnd + 1))
    other = "0b8f4c33-2f7a-5d0e-9a64-7c0a4f1e2d3b"
    with pytest.raises(ContractError, match="one of claim_item_ids"):
        decode(AUCTIONS_ASSET, _split(shares=[{"claim_item_id": other, "amount_vnd": p.amount_vnd - p.enforcement_costs_vnd,
                                               "basis": "general"}]))
    with pytest.raises(ContractError, match="secured_creditor_party_id"):
        decode(AUCTIONS_ASSET, _split(secured_creditor_party_id=None))
