"""What a bank is told about its case (issue 10 §2), as data: for each case event the kind of step,
its legal basis, and the figures the bank may see.

- `STEPS`: intake's and auctions' event types → (kind, legal basis). Any other event (parties, other
  creditors' claim items, officers, deadlines) is not the bank's business and is not fed.
- Per bank: a collection is fed only on the bank's own claim items; a disbursement only when the bank is
  the payee (payment to the bank); a seizure, an auction notice (each round: auctions.AuctionAnnounced.v1),
  an auction result or proceeds only when they concern the
  bank's claim items or name the bank as the secured creditor.
- Personal data: events carry none (names, id numbers, addresses stay in intake's erasable table); of
  the ids of parties only the bank's own is kept (`*_party_id` of anyone else is removed), lists of claim
  items are cut to the bank's, and nested structures become the bank's figures (its share of proceeds).
"""
from __future__ import annotations

from typing import Any

from thads_contracts.envelope import Envelope

DECISION = "Điều 36 Luật THADS"
STEPS: dict[str, tuple[str, str]] = {
    "intake.EnforcementDecided.v2": ("decision", DECISION),
    "intake.VerificationRecorded.v1": ("verification", "Điều 44, 44a Luật THADS; TTLT 02/2014"),
    "intake.SeizureOrdered.v1": ("seizure", "Điều 71, 90 Luật THADS"),
    "auctions.AuctionAnnounced.v1": ("auction_notice", "Điều 101 Luật THADS; Điều 35, 57 Luật Đấu giá tài sản 01/2016/QH14"),
    "auctions.AuctionOutcomeRecorded.v2": ("auction_result", "Điều 101, 104 Luật THADS; Luật Đấu giá tài sản 01/2016/QH14"),
    "auctions.ProceedsTransferred.v2": ("auction_proceeds", "Điều 47 Luật THADS"),
    "intake.MoneyCollected.v2": ("collection", "Điều 47 Luật THADS"),
    "intake.MoneyDisbursed.v1": ("payment_to_bank", "Điều 47 khoản 5 Luật THADS"),
    "intake.CasePostponed.v1": ("postponement", "Điều 48 Luật THADS"),
    "intake.CaseContinued.v1": ("continuation", "Điều 48 khoản 4, Điều 49 Luật THADS"),
    "intake.CaseSuspended.v1": ("suspension", "Điều 49 Luật THADS"),
    "intake.CaseTerminated.v2": ("termination", "Điều 50 Luật THADS"),
    "intake.CaseRevoked.v2": ("revocation", "Điều 37 Luật THADS"),
    "intake.CaseDelegated.v2": ("delegation", "Điều 55, 56, 57 Luật THADS"),
    "intake.CaseCompleted.v1": ("completion", "Điều 52, 53 Luật THADS"),
}
REQUEST_BASIS = "Điều 31, 35 Luật THADS"
COLLATERAL_BASIS = "Điều 47 khoản 3, Điều 90 Luật THADS; Điều 198b Luật Các tổ chức tín dụng"


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, bool))


def _bank_data(payload: dict[str, Any], bank_party_id: str, claims: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key.endswith("_party_id"):
            if value == bank_party_id:
                out[key] = value          # the bank's own id: it knows it
            continue                      # anyone else's: removed
        if key == "claim_item_ids" and isinstance(value, list):
            out[key] = [v for v in value if v in claims]
        elif _scalar(value) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            out[key] = value
    return out


def entry_for(env: Envelope, bank_party_id: str, claims: set[str], collateral_assets: set[str]) -> dict[str, Any] | None:
    """The feed entry of `env` for the bank whose party id and claim items are given, or None.
    Returns kwargs for BadDebtFile.record_feed_entry (without `at`)."""
    step = STEPS.get(env.event_type)
    if step is None:
        return None
    kind, basis = step
    payload = env.payload.model_dump(mode="json")
    own_basis = payload.get("legal_basis")
    if own_basis:
        basis = f"{basis}; {own_basis}"
    collateral_vnd = 0
    if kind == "collection" and payload["claim_item_id"] not in claims:
        return None
    if kind == "payment_to_bank" and payload.get("payee_party_id") != bank_party_id:
        return None
    data = _bank_data(payload, bank_party_id, claims)
    if kind in ("seizure", "auction_notice", "auction_result", "auction_proceeds"):
        ours = bool(set(payload.get("claim_item_ids") or ()) & claims)
        secured = payload.get("secured_creditor_party_id") == bank_party_id
        collateral = payload.get("asset_id") in collateral_assets
        if not (ours or secured or collateral):
            return None
        data["collateral_of_this_bank"] = secured or collateral
        if secured or collateral:
            basis = f"{basis}; {COLLATERAL_BASIS}"
    if kind == "auction_proceeds":
        shares = [s for s in payload.get("shares") or () if s["claim_item_id"] in claims]
        data["bank_share_vnd"] = sum(s["amount_vnd"] for s in shares)
        # the sale of the bank's own collateral (a linked asset) pays the bank first: all its share counts
        own_collateral = payload.get("asset_id") in collateral_assets
        collateral_vnd = sum(s["amount_vnd"] for s in shares if s["basis"] == "collateral" or own_collateral)
        data["collateral_share_vnd"] = collateral_vnd
    return {"source_event_id": str(env.event_id), "source_event_type": env.event_type, "kind": kind,
            "legal_basis": basis, "occurred_at": env.occurred_at, "data": data,
            "collateral_proceeds_vnd": collateral_vnd}


def request_registered(env: Envelope, requested: dict[str, Any]) -> dict[str, Any]:
    """The entry telling a bank that intake registered the case from its own request for enforcement
    (the source event is the PartyAdded of the bank in that case)."""
    return {"source_event_id": str(env.event_id), "source_event_type": env.event_type, "kind": "request_registered",
            "legal_basis": REQUEST_BASIS, "occurred_at": env.occurred_at,
            "data": {"request_id": requested["request_id"], "intake_ref": requested["intake_ref"],
                     "bank_party_id": requested["bank_party_id"], "unit": requested["unit"]}}
