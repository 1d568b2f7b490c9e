"""The AsyncAPI documents are generated from the services' FastStream apps, never written by hand."""
from __future__ import annotations

import json

from thads_infra.asyncapi import generate


def test_every_service_documents_the_topics_it_publishes_and_consumes(tmp_path):
    paths = {p.name: p for p in generate(tmp_path)}

    intake = json.loads(paths["intake.asyncapi.json"].read_text())
    audit = json.loads(paths["audit.asyncapi.json"].read_text())

    assert intake["asyncapi"].startswith("3.")
    intake_addresses = {ch["address"] for ch in intake["channels"].values()}
    assert {"thads.intake.case", "thads.auctions.asset", "thads.recovery.debt"} <= intake_addresses
    published = json.dumps(intake["components"])
    assert "intake.CaseOpened.v1" not in published, "the document shows the current versions"
    for current in ("intake.CaseOpened.v2", "intake.EnforcementDecided.v2", "intake.MoneyCollected.v2",
                    "intake.CaseTerminated.v2", "intake.CaseDelegated.v2", "intake.CaseRevoked.v2", "intake.ClaimReduced.v1",
                    "intake.CaseMovedToSeparateRegister.v1", "intake.RequestReturned.v1",
                    "intake.UnclaimedMoneyDeposited.v1", '"in_kind"', "received_by_delegation"):
        assert current in published, f"contract v2: {current} is in the document"
    assert "thads.intake.case" in {ch["address"] for ch in audit["channels"].values()}


def test_online_documents_its_filing_topic_and_what_intake_takes_from_it(tmp_path):
    paths = {p.name: p for p in generate(tmp_path)}
    online = json.loads(paths["online.asyncapi.json"].read_text())
    intake = json.loads(paths["intake.asyncapi.json"].read_text())
    assert {"thads.online.filing", "thads.intake.case"} <= {ch["address"] for ch in online["channels"].values()}
    assert "online.FilingAccepted.v1" in json.dumps(online["components"])
    assert "thads.online.filing" in {ch["address"] for ch in intake["channels"].values()}
