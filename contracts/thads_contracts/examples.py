"""One valid, realistic message per event type: one case's story, for tests and documentation.

The golden files in contracts/tests/golden were first written from these. Services may use them
as sample input in their own tests (`example("intake.SeizureOrdered.v1")`).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from uuid import NAMESPACE_URL, UUID, uuid5

from thads_contracts import auctions as a
from thads_contracts import complaints as c
from thads_contracts import intake as i
from thads_contracts import online as o
from thads_contracts import recovery as r
from thads_contracts.common import ContractModel
from thads_contracts.envelope import Actor, Envelope
from thads_contracts.registry import REGISTRY

VN_TZ = timezone(timedelta(hours=7))
UNIT = "HN-KV01"


def example_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"urn:thads:example:{name}")


CASE_ID = example_id("case")
CREDITOR_BANK = example_id("party/creditor-bank")
DEBTOR = example_id("party/debtor")
CLAIM_DEBT = example_id("claim/credit-debt")
CLAIM_FEE = example_id("claim/court-fee")
ASSET_ID = example_id("asset/land-plot")
DEBT_FILE_ID = example_id("debt-file")
OFFICER = Actor(id="officer-0042", role="officer", unit=UNIT)
HEAD = Actor(id="head-0007", role="head", unit=UNIT)
CLERK = Actor(id="clerk-0101", role="clerk", unit=UNIT)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 30, tzinfo=VN_TZ)


_INTAKE: dict[str, tuple[Actor, date, Callable[[], ContractModel]]] = {
    "intake.CaseOpened.v1": (CLERK, date(2025, 3, 3), lambda: i.CaseOpenedPayload(
        origin=i.CaseOrigin.REQUEST_RECEIVED, channel=i.ReceiptChannel.ONLINE,
        received_on=date(2025, 3, 3), judgment_number="125/2024/KDTM-ST",
        issuing_court="Tòa án nhân dân khu vực 1 - Hà Nội",
        judgment_effective_on=date(2025, 1, 15))),
    "intake.RequestRefused.v1": (HEAD, date(2025, 3, 5), lambda: i.RequestRefusedPayload(
        ground=i.RefusalGround.LIMITATION_EXPIRED, refused_on=date(2025, 3, 5),
        notice_number="12/TB-THADS", legal_basis="Điều 30 Luật Thi hành án dân sự")),
    "intake.EnforcementDecided.v1": (HEAD, date(2025, 3, 7), lambda: i.EnforcementDecidedPayload(
        basis=i.EnforcementBasis.ON_REQUEST, decision_number="315/QĐ-THADS",
        decided_on=date(2025, 3, 7))),
    "intake.PartyAdded.v1": (CLERK, date(2025, 3, 7), lambda: i.PartyAddedPayload(
        party_id=CREDITOR_BANK, role=i.PartyRole.CREDITOR, kind=i.PartyKind.ORGANISATION,
        bank_code="VCB")),
    "intake.ClaimItemAdded.v1": (CLERK, date(2025, 3, 7), lambda: i.ClaimItemAddedPayload(
        claim_item_id=CLAIM_DEBT, kind=i.ClaimKind.CREDIT_DEBT, amount_vnd=2_450_000_000,
        creditor_party_id=CREDITOR_BANK, secured=True, ex_officio=False)),
    "intake.OfficerAssigned.v1": (HEAD, date(2025, 3, 7), lambda: i.OfficerAssignedPayload(
        officer_id="officer-0042")),
    "intake.VoluntaryPeriodStarted.v1": (OFFICER, date(2025, 3, 10),
                                         lambda: i.VoluntaryPeriodStartedPayload(
        notified_on=date(2025, 3, 10), ends_on=date(2025, 3, 20))),
    "intake.VerificationRecorded.v1": (OFFICER, date(2025, 3, 28),
                                       lambda: i.VerificationRecordedPayload(
        result=i.VerificationResult.WITH_CONDITIONS, verified_on=date(2025, 3, 28))),
    "intake.SeizureOrdered.v1": (OFFICER, date(2025, 4, 8), lambda: i.SeizureOrderedPayload(
        asset_id=ASSET_ID, asset_kind=i.AssetKind.REAL_ESTATE,
        asset_description="Quyền sử dụng đất và tài sản gắn liền với đất, thửa số 125, "
                          "tờ bản đồ số 7",
        claim_item_ids=(CLAIM_DEBT,), decision_number="41/QĐ-CCTHADS",
        ordered_on=date(2025, 4, 8), secured_creditor_party_id=CREDITOR_BANK)),
    "intake.MoneyCollected.v1": (OFFICER, date(2025, 7, 2), lambda: i.MoneyCollectedPayload(
        claim_item_id=CLAIM_DEBT, amount_vnd=1_980_000_000,
        channel=i.CollectionChannel.AUCTION_PROCEEDS, collected_on=date(2025, 7, 2),
        receipt_number="BL-2025-000731")),
    "intake.MoneyDisbursed.v1": (OFFICER, date(2025, 7, 9), lambda: i.MoneyDisbursedPayload(
        claim_item_id=CLAIM_DEBT, amount_vnd=1_980_000_000,
        recipient=i.DisbursementRecipient.CREDITOR, payee_party_id=CREDITOR_BANK,
        disbursed_on=date(2025, 7, 9))),
    "intake.CasePostponed.v1": (HEAD, date(2025, 4, 20), lambda: i.CasePostponedPayload(
        ground=i.PostponementGround.PARTIES_AGREE, decision_number="52/QĐ-CCTHADS",
        postponed_on=date(2025, 4, 20), postponed_until=date(2025, 5, 20))),
    "intake.CaseContinued.v1": (HEAD, date(2025, 5, 21), lambda: i.CaseContinuedPayload(
        resumed_from=i.ResumedFrom.POSTPONED, decision_number="60/QĐ-CCTHADS",
        continued_on=date(2025, 5, 21))),
    "intake.CaseSuspended.v1": (HEAD, date(2025, 8, 4), lambda: i.CaseSuspendedPayload(
        ground=i.SuspensionGround.CASSATION_OR_RETRIAL_PROTEST, decision_number="77/QĐ-CCTHADS",
        suspended_on=date(2025, 8, 4))),
    "intake.CaseTerminated.v1": (HEAD, date(2025, 9, 15), lambda: i.CaseTerminatedPayload(
        ground=i.TerminationGround.CREDITOR_WAIVED_OR_PARTIES_AGREED,
        decision_number="90/QĐ-CCTHADS", terminated_on=date(2025, 9, 15),
        legal_basis="Điều 50 khoản 1 điểm c Luật Thi hành án dân sự")),
    "intake.CaseDelegated.v1": (HEAD, date(2025, 4, 1), lambda: i.CaseDelegatedPayload(
        ground=i.DelegationGround.ASSETS_ELSEWHERE, to_unit="HP-KV03",
        decision_number="35/QĐ-CCTHADS", delegated_on=date(2025, 4, 1))),
    "intake.CaseRevoked.v1": (HEAD, date(2025, 3, 12), lambda: i.CaseRevokedPayload(
        ground=i.RevocationGround.DECISION_ERROR, decision_number="20/QĐ-CCTHADS",
        revoked_on=date(2025, 3, 12))),
    "intake.CaseCompleted.v1": (OFFICER, date(2025, 9, 30), lambda: i.CaseCompletedPayload(
        basis=i.CompletionBasis.FULLY_PERFORMED, completed_on=date(2025, 9, 30),
        certificate_number="15/XN-CCTHADS")),
    "intake.DeadlineMissed.v1": (Actor(id="deadline-watch", role="system"), date(2025, 7, 20),
                                 lambda: i.DeadlineMissedPayload(
        step="disbursement", due_on=date(2025, 7, 12),
        legal_basis="Điều 47 khoản 5 Luật Thi hành án dân sự")),
    # ---- version 2 (issue 7)
    "intake.CaseOpened.v2": (CLERK, date(2025, 3, 10), lambda: i.CaseOpenedV2Payload(
        origin=i.CaseOriginV2.RECEIVED_BY_DELEGATION, channel=i.ReceiptChannel.POST,
        received_on=date(2025, 3, 10), judgment_number="125/2024/KDTM-ST",
        issuing_court="Tòa án nhân dân khu vực 1 - Hà Nội", judgment_effective_on=date(2025, 1, 15),
        delegated_from_unit="HP-KV03", delegation_decision_number="35/QĐ-CCTHADS")),
    "intake.EnforcementDecided.v2": (HEAD, date(2025, 3, 12), lambda: i.EnforcementDecidedV2Payload(
        basis=i.EnforcementBasis.ON_REQUEST, decision_number="316/QĐ-THADS", decided_on=date(2025, 3, 12),
        amount_to_enforce_vnd=2_450_000_000)),
    "intake.MoneyCollected.v2": (OFFICER, date(2025, 9, 2), lambda: i.MoneyCollectedV2Payload(
        claim_item_id=CLAIM_DEBT, amount_vnd=470_000_000, channel=i.CollectionChannelV2.IN_KIND,
        collected_on=date(2025, 9, 2), receipt_number="BB-GIAO-41", direct_to_creditor=True)),
    "intake.CaseTerminated.v2": (HEAD, date(2025, 9, 15), lambda: i.CaseTerminatedV2Payload(
        ground=i.TerminationGroundV2.WARD_DIED_OR_CAME_OF_AGE, decision_number="91/QĐ-CCTHADS",
        terminated_on=date(2025, 9, 15), legal_basis="Điều 50 khoản 1 điểm h Luật Thi hành án dân sự")),
    "intake.CaseDelegated.v2": (HEAD, date(2025, 4, 1), lambda: i.CaseDelegatedV2Payload(
        ground=i.DelegationGround.SECURED_ASSET_ELSEWHERE, to_unit="HP-KV03", decision_number="36/QĐ-CCTHADS",
        delegated_on=date(2025, 4, 1), scope=i.DelegationScope.PART, claim_item_ids=(CLAIM_DEBT,),
        amount_vnd=2_450_000_000, revocation_decision_number="37/QĐ-CCTHADS")),
    "intake.CaseRevoked.v2": (HEAD, date(2025, 3, 14), lambda: i.CaseRevokedV2Payload(
        ground=i.RevocationGround.DECISION_ERROR, decision_number="21/QĐ-CCTHADS", revoked_on=date(2025, 3, 14),
        scope=i.RevocationScope.PART, claim_item_ids=(CLAIM_FEE,), amount_vnd=5_000_000)),
    "intake.ClaimReduced.v1": (HEAD, date(2025, 9, 10), lambda: i.ClaimReducedPayload(
        claim_item_id=CLAIM_FEE, amount_vnd=2_000_000, reason=i.ReductionReason.PARTLY_TERMINATED,
        decision_number="88/QĐ-CCTHADS", reduced_on=date(2025, 9, 10),
        ground=i.TerminationGroundV2.CREDITOR_WAIVED_OR_PARTIES_AGREED,
        legal_basis="Điều 50 khoản 1 điểm c Luật Thi hành án dân sự")),
    "intake.CaseMovedToSeparateRegister.v1": (HEAD, date(2026, 4, 1), lambda: i.CaseMovedToSeparateRegisterPayload(
        moved_on=date(2026, 4, 1), legal_basis="Điều 9 khoản 5 Nghị định 62/2015/NĐ-CP")),
    "intake.RequestReturned.v1": (HEAD, date(2028, 8, 1), lambda: i.RequestReturnedPayload(
        returned_on=date(2028, 8, 1), legal_basis="Điều 22 Nghị định 152/2026/NĐ-CP")),
    "intake.UnclaimedMoneyDeposited.v1": (OFFICER, date(2025, 8, 5), lambda: i.UnclaimedMoneyDepositedPayload(
        claim_item_id=CLAIM_FEE, amount_vnd=5_000_000, deposited_on=date(2025, 8, 5),
        deposit_reference="STK-VCB-0042", legal_basis="Điều 49 Nghị định 62/2015/NĐ-CP")),
    "intake.PersonalDataErased.v1": (HEAD, date(2031, 3, 2), lambda: i.PersonalDataErasedPayload(
        party_id=CREDITOR_BANK, ground=i.ErasureGround.PURPOSE_FULFILLED,
        requested_by=i.ErasureRequester.DATA_SUBJECT, request_ref="05/ĐN-XDL",
        legal_basis="Điều 16 Nghị định 13/2023/NĐ-CP")),
}


def _intake(event_type: str, version: int) -> Envelope:
    actor, day, payload = _INTAKE[event_type]
    return REGISTRY.model_for(event_type).create(payload=payload(), source="intake", aggregate_id=CASE_ID,
                        aggregate_version=version, case_id=CASE_ID, unit=UNIT, actor=actor,
                        occurred_at=_at(day), recorded_at=_at(day, 10),
                        source_position=1000 + version)


def _auctions() -> dict[str, Envelope]:
    seizure = _intake("intake.SeizureOrdered.v1", 9)
    meta = dict(source="auctions", aggregate_id=ASSET_ID, case_id=CASE_ID, unit=UNIT,
                actor=OFFICER, causation_id=seizure.event_id, correlation_id=CASE_ID)
    outcome = a.AuctionOutcomeRecorded.create(
        payload=a.AuctionOutcomeRecordedPayload(
            asset_id=ASSET_ID, outcome=a.AuctionOutcome.SOLD, round_number=2,
            price_vnd=1_980_000_000, decided_on=date(2025, 6, 18)),
        aggregate_version=14, occurred_at=_at(date(2025, 6, 18)),
        recorded_at=_at(date(2025, 6, 18), 11), source_position=5120, **meta)
    proceeds = a.ProceedsTransferred.create(
        payload=a.ProceedsTransferredPayload(
            asset_id=ASSET_ID, claim_item_ids=(CLAIM_DEBT,), amount_vnd=1_980_000_000,
            sold_on=date(2025, 6, 18), transferred_on=date(2025, 7, 1)),
        aggregate_version=16, occurred_at=_at(date(2025, 7, 1)),
        recorded_at=_at(date(2025, 7, 1), 10), source_position=5301, **meta)
    split = a.ProceedsTransferredV2.create(
        payload=a.ProceedsTransferredV2Payload(
            asset_id=ASSET_ID, claim_item_ids=(CLAIM_DEBT,), amount_vnd=1_980_000_000,
            sold_on=date(2025, 6, 18), transferred_on=date(2025, 7, 1), enforcement_costs_vnd=12_500_000,
            secured_creditor_party_id=CREDITOR_BANK,
            shares=(a.ProceedsShare(claim_item_id=CLAIM_DEBT, amount_vnd=1_967_500_000,
                                    basis=a.ProceedsShareBasis.COLLATERAL),)),
        aggregate_version=16, occurred_at=_at(date(2025, 7, 1)),
        recorded_at=_at(date(2025, 7, 1), 10), source_position=5301, **meta)
    taken = a.AuctionOutcomeRecordedV2.create(
        payload=a.AuctionOutcomeRecordedV2Payload(
            asset_id=ASSET_ID, outcome=a.AuctionOutcome.TAKEN_BY_CREDITOR, round_number=3,
            price_vnd=1_620_000_000, creditor_party_id=CREDITOR_BANK, claim_item_ids=(CLAIM_DEBT,),
            decided_on=date(2025, 8, 4)),
        aggregate_version=22, occurred_at=_at(date(2025, 8, 4)),
        recorded_at=_at(date(2025, 8, 4), 11), source_position=5402, **meta)
    announced = a.AuctionAnnounced.create(
        payload=a.AuctionAnnouncedPayload(
            asset_id=ASSET_ID, round_number=1, announced_on=date(2025, 5, 20), second_announced_on=date(2025, 5, 23),
            auction_on=date(2025, 6, 10), starting_price_vnd=2_000_000_000, deposit_vnd=200_000_000,
            place="Trụ sở Công ty đấu giá hợp danh Thanh Hóa", organiser="Công ty đấu giá hợp danh Thanh Hóa",
            claim_item_ids=(CLAIM_DEBT,), secured_creditor_party_id=CREDITOR_BANK),
        aggregate_version=6, occurred_at=_at(date(2025, 5, 20)),
        recorded_at=_at(date(2025, 5, 20), 10), source_position=5011, **meta)
    return {outcome.event_type: outcome, proceeds.event_type: proceeds, split.event_type: split,
            taken.event_type: taken, announced.event_type: announced}


def _recovery() -> dict[str, Envelope]:
    repayment = r.BankRepaymentReceived.create(
        payload=r.BankRepaymentReceivedPayload(
            bank_code="VCB", claim_item_id=CLAIM_DEBT, amount_vnd=150_000_000,
            received_on=date(2025, 5, 5), bank_reference="VCB-HN-20250505-0193"),
        source="recovery", aggregate_id=DEBT_FILE_ID, aggregate_version=3, case_id=CASE_ID,
        unit=UNIT, actor=Actor(id="VCB", role="bank"), occurred_at=_at(date(2025, 5, 5)),
        recorded_at=_at(date(2025, 5, 6)), source_position=211)
    entry = r.BankFeedEntry.create(
        payload=r.BankFeedEntryPayload(
            bank_code="VCB", sequence=4, kind="seizure", kind_label=r.FEED_KIND_LABELS["seizure"],
            legal_basis="Điều 71, 90 Luật THADS; Điều 198b Luật Các tổ chức tín dụng",
            case_event_id=UUID("1c6a3a47-3f5e-5b1e-9a55-2f1f2c7d8e01"), case_event_type="intake.SeizureOrdered.v1",
            data={"asset_kind": "real_estate", "asset_description": "Quyền sử dụng đất thửa 112, tờ bản đồ 7",
                  "claim_item_ids": [str(CLAIM_DEBT)], "decision_number": "15/QĐ-CC", "ordered_on": "2025-04-01",
                  "collateral_of_this_bank": True}),
        source="recovery", aggregate_id=DEBT_FILE_ID, aggregate_version=6, case_id=CASE_ID,
        unit=UNIT, actor=Actor(id="recovery", role="system"), occurred_at=_at(date(2025, 4, 1)),
        recorded_at=_at(date(2025, 4, 1)), source_position=4)
    request_id = UUID("8d2f4c1e-6b7a-4e39-9c0d-3a5b7e9f1c24")
    requested = r.EnforcementRequested.create(
        payload=r.EnforcementRequestedPayload(
            bank_code="VCB", request_id=request_id, intake_ref=f"TCTD-VCB-{request_id.hex}",
            bank_party_id=CREDITOR_BANK, judgment_number="45/2024/KDTM-PT",
            issuing_court="Tòa án nhân dân tỉnh Thanh Hóa", judgment_effective_on=date(2024, 11, 20),
            filed_on=date(2025, 3, 3),
            claims=(r.RequestedClaim(claim_item_id=CLAIM_DEBT, amount_vnd=500_000_000, secured=True),)),
        source="recovery", aggregate_id=example_id("recovery/enforcement-request/VCB/" + str(request_id)),
        aggregate_version=1, case_id=CASE_ID, unit=UNIT, actor=Actor(id="VCB", role="bank"),
        occurred_at=_at(date(2025, 3, 3)), recorded_at=_at(date(2025, 3, 3)), source_position=57)
    return {repayment.event_type: repayment, entry.event_type: entry, requested.event_type: requested}


def _online() -> dict[str, Envelope]:
    filing_id = example_id("online/filing/TD-7K2M9QX4PA")
    code = "TD-7K2M9QX4PA"
    judgment = {"judgment_number": "12/2025/DS-ST", "issuing_court": "Tòa án nhân dân khu vực 1 - Thanh Hóa",
                "judgment_effective_on": date(2025, 3, 14)}
    steps = [
        (o.FilingReceived, o.FilingReceivedPayload(
            tracking_code=code, requester_role=o.RequesterRole.CREDITOR, filed_on=date(2025, 4, 4),
            suggested_unit=UNIT, claim_total_vnd=85_000_000, attachments=2, review_due_on=date(2025, 4, 7),
            **judgment), "citizen", date(2025, 4, 4)),
        (o.FilingSentBack, o.FilingSentBackPayload(
            tracking_code=code, missing=(o.MissingItem.JUDGMENT_COPY,), sent_back_on=date(2025, 4, 7),
            review_due_on=date(2025, 4, 7)), "clerk", date(2025, 4, 7)),
        (o.FilingCorrected, o.FilingCorrectedPayload(
            tracking_code=code, corrected_on=date(2025, 4, 8), review_due_on=date(2025, 4, 9)), "citizen",
         date(2025, 4, 8)),
        (o.FilingAccepted, o.FilingAcceptedPayload(
            tracking_code=code, case_id=uuid5(NAMESPACE_URL, f"/thads/units/{UNIT}/requests/{code}"),
            requester_role=o.RequesterRole.CREDITOR, filed_on=date(2025, 4, 4), accepted_on=date(2025, 4, 9),
            claim_total_vnd=85_000_000, **judgment), "clerk", date(2025, 4, 9)),
        (o.FilingRefused, o.FilingRefusedPayload(
            tracking_code=code, ground=o.FilingRefusalGround.LIMITATION_EXPIRED, refused_on=date(2025, 4, 9)),
         "clerk", date(2025, 4, 9)),
    ]
    found: dict[str, Envelope] = {}
    for version, (model, payload, role, day) in enumerate(steps, start=1):
        actor = Actor(id=code, role="citizen") if role == "citizen" else Actor(id="clerk-2", role="clerk", unit=UNIT)
        env = model.create(payload=payload, source="online", aggregate_id=filing_id, aggregate_version=version,
                           case_id=filing_id, unit=UNIT, actor=actor, occurred_at=_at(day),
                           recorded_at=_at(day, 11), source_position=300 + version)
        found[env.event_type] = env
    return found


COMPLAINT_ID = example_id("complaint/seizure")


def _complaints() -> dict[str, Envelope]:
    seizure = _intake("intake.SeizureOrdered.v1", 9)
    meta = dict(source="complaints", aggregate_id=COMPLAINT_ID, case_id=CASE_ID, unit=UNIT,
                causation_id=seizure.event_id, correlation_id=CASE_ID)
    head = Actor(id="head-0001", role="head", unit="HN")
    received = c.ComplaintReceived.create(
        payload=c.ComplaintReceivedPayload(
            complaint_id=COMPLAINT_ID, instance=c.Instance.FIRST, decision_event_id=seizure.event_id,
            object=c.ComplaintObject.COERCION, received_on=date(2025, 4, 20), late=False, deciding_unit="HN"),
        actor=CLERK, aggregate_version=1, occurred_at=_at(date(2025, 4, 20)),
        recorded_at=_at(date(2025, 4, 20), 10), source_position=31, **meta)
    resolved = c.ComplaintResolved.create(
        payload=c.ComplaintResolvedPayload(
            complaint_id=COMPLAINT_ID, instance=c.Instance.FIRST, resolution=c.Resolution.UPHELD,
            resolved_on=date(2025, 5, 20), due_on=date(2025, 5, 24), on_time=True, deciding_unit="HN",
            final=False),
        actor=head, aggregate_version=3, occurred_at=_at(date(2025, 5, 20)),
        recorded_at=_at(date(2025, 5, 20), 10), source_position=40, **meta)
    correction = c.CorrectionRequested.create(
        payload=c.CorrectionRequestedPayload(
            complaint_id=COMPLAINT_ID, instance=c.Instance.FIRST, resolution=c.Resolution.UPHELD,
            decision_event_id=seizure.event_id, decision_event_type="intake.SeizureOrdered.v1",
            complaint_decision_number="12/QĐ-GQKN", decided_on=date(2025, 5, 20), deciding_unit="HN",
            corrections="Kê biên vượt quá giá trị nghĩa vụ; giải tỏa kê biên phần tài sản vượt quá",
            legal_basis="Điều 146 Luật Thi hành án dân sự"),
        actor=head, aggregate_version=4, occurred_at=_at(date(2025, 5, 20)),
        recorded_at=_at(date(2025, 5, 20), 10), source_position=41, **meta)
    missed = c.DeadlineMissed.create(
        payload=c.DeadlineMissedPayload(complaint_id=COMPLAINT_ID, step="acceptance", due_on=date(2025, 4, 25),
                                        legal_basis="Điều 148 Luật Thi hành án dân sự"),
        actor=Actor(id="deadline-watch", role="system"), aggregate_version=2, occurred_at=_at(date(2025, 4, 26)),
        recorded_at=_at(date(2025, 4, 26), 10), source_position=35, **meta)
    accepted = c.ComplaintAccepted.create(
        payload=c.ComplaintAcceptedPayload(
            complaint_id=COMPLAINT_ID, instance=c.Instance.FIRST, accepted_on=date(2025, 4, 24),
            due_on=date(2025, 4, 25), on_time=True, decision_due_on=date(2025, 5, 24), complex=False,
            deciding_unit="HN"),
        actor=head, aggregate_version=2, occurred_at=_at(date(2025, 4, 24)),
        recorded_at=_at(date(2025, 4, 24), 10), source_position=33, **meta)
    session, visit = example_id("reception/session"), example_id("reception/visit")
    forwarded = c.PetitionForwarded.create(
        payload=c.PetitionForwardedPayload(
            session_id=session, visit_id=visit, petition_kind=c.PetitionKind.COMPLAINT, received_on=date(2025, 9, 15),
            reception_unit="HN", competent_unit="HN-KV01", vuot_cap=True),
        source="complaints", aggregate_id=session, aggregate_version=2, case_id=CASE_ID, unit="HN", actor=head,
        occurred_at=_at(date(2025, 9, 15)), recorded_at=_at(date(2025, 9, 15), 10), source_position=77,
        correlation_id=CASE_ID)
    return {e.event_type: e for e in (received, resolved, correction, missed, accepted, forwarded)}


def all_examples() -> dict[str, Envelope]:
    found = {t: _intake(t, n) for n, t in enumerate(_INTAKE, start=1)}
    return found | _auctions() | _recovery() | _online() | _complaints()


def example(event_type: str) -> Envelope:
    return all_examples()[event_type]
