"""The recovery service's AsyncAPI document publishes the public per-bank feed schema (versioned) and the
repayments for intake, generated from its FastStream app."""
from __future__ import annotations

import json

from thads_infra.asyncapi import generate


def test_the_bank_feed_is_documented_as_a_versioned_public_schema(tmp_path):
    doc = json.loads(next(p for p in generate(tmp_path) if p.name == "recovery.asyncapi.json").read_text())
    addresses = {ch["address"] for ch in doc["channels"].values()}
    assert {"thads.bankfeed.{bank_code}", "thads.recovery.debt", "thads.intake.case", "thads.auctions.asset"} <= addresses
    text = json.dumps(doc["components"], ensure_ascii=False)
    for needed in ("recovery.BankFeedEntry.v1", "legal_basis", "kind_label", "case_event_id", "payment_to_bank",
                   "recovery.BankRepaymentReceived.v1"):
        assert needed in text, needed
