"""The Asset aggregate: one seized asset from seizure (kê biên) to sale, in the legal sequence.

Which rule lives where (domain.md §3; Law on Civil Judgment Enforcement "LCJE", Law on Property
Auction 01/2016 "LPA"):
- seizure record: kind, description, claim items, secured creditor (LCJE Arts. 87, 90, 47(3)) → `seize`;
- valuation: agreed price, valuer contracted within 5 WD of the seizure, officer's own price
  (LCJE Art. 98) → `value`; re-valuation ONCE, asked within 5 WD of the result and before the
  notice (Art. 99) → `revalue`; the result is the starting price;
- sale path by value (Art. 101) → `sale_path`;
- notice periods: movables ≥ 7 WD, real estate ≥ 15 days (LPA Art. 35); two announcements ≥ 2 WD
  apart for real estate and movables from 50 M đồng, the second within the same notice period
  (LPA Art. 57); deposit 5–20 % of the starting price (LPA Art. 39) → `announce`;
- bidders registered with the deposit → `register_bidder`; ascending bids from registered bidders
  only → `place_bid`; close with the winner, or failed when nobody bid (LPA Art. 52) → `close`;
  the close carries the sha256 digest of the ordered bid log (`bid_log_digest`);
- price cut after a failed round ≤ 10 % of the previous starting price (LCJE Art. 104(2)) → `cut_price`;
  from the SECOND cut the creditor may accept the asset against the debt (Art. 104(3)) →
  `creditor_accepts`; the debtor then has 30 days to pay and keep it, 5 WD for an acceptance from
  1/7/2026 (ND 152/2026 Arts. 65–66, the date intake's deadlines also switch on) (`redeem` while
  CREDITOR_ACCEPTED),
  and only after that window is the asset handed over (`hand_to_creditor`, rule
  creditor_takes.after_the_debtors_30_days); the creditor pays the excess of the asset's value over
  what the claim item still owes (creditor_takes.pays_the_excess), published as proceeds;
- co-owners and holders of a pre-emption right may buy at no less than the starting price before the
  auction (`sell_to_co_owner`, rule pre_emption.at_least_the_starting_price), published as proceeds;
- the winner pays within 30 days, else the sale is cancelled and the deposit forfeited (ND 62/2015
  Art. 27 as amended) → `record_payment` / `cancel_unpaid_sale`; the losers' deposits go back within
  3 WD (LPA Art. 39) → `refund_deposits`; the open deadlines and whether they are missed → `deadlines`;
- an auction organisation is contracted within 10 days of the valuation, and the first auction held
  within 30 days (movables) / 45 days (real estate) of that contract (Art. 101(1)) →
  `contract_organisation`, `announce`; the parties may choose the organisation within 5 WD of the
  valuation, the officer chooses only once that window has passed without their choice
  (`organisation.parties_choice_within_5_working_days`, `organisation.parties_choose_first`); an
  organisation-path asset is announced only under a contract, or by the officer when no organisation
  could be contracted (`announce.organisation_contract_required`); an officer-run first auction is
  held within 30 / 45 days of the valuation (`auction.officer_within_30_or_45_days_of_valuation`;
  counted from the valuation, our reading of Art. 101(2)); small (< 2 M đồng) or perishable movables are sold without
  auction within 5 WD of the seizure at no less than the price (Art. 101(4)) → `sell_without_auction`;
  the buyer receives the asset within 60 days of paying (Art. 103) → `record_handover` (a late
  handover is recorded and shows as a missed deadline);
- the split of the money (costs first, then the secured creditor from its collateral, the rest on
  the seizure's claim items, LCJE Art. 47) → `split_proceeds`, used by `record_payment` and
  `sell_without_auction`;
- the debtor redeems until 1 WD before the auction (Art. 101) → `redeem`; when the price has fallen
  to the enforcement costs the asset returns to the debtor (Art. 104) → `return_to_debtor`;
- a pause of the case (suspension, postponement) halts pending auctions until it continues; a
  termination or revocation cancels them (LCJE Arts. 48–50, 37) → `pause_for_case`, `resume_for_case`,
  `cancel_for_case`. A sale on a paused case is refused.

Pure: stdlib, eventsourcing.domain and the working-day calendar only; time and ids come in as arguments.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Iterable
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .calendar_vn import add_working_days, working_days_between
from .snapshots import AssetSnapshot

# ---------------------------------------------------------------------------- vocabulary


class AssetKind(StrEnum):
    MOVABLE = "movable"
    REAL_ESTATE = "real_estate"
    VEHICLE = "vehicle"
    ACCOUNT = "account"
    OTHER = "other"


class ValuationMethod(StrEnum):
    AGREED = "agreed"        # price agreed by the parties (binds)
    VALUER = "valuer"        # licensed valuer contracted within 5 WD of the seizure
    OFFICER = "officer"      # the officer's own price where the law allows


class SalePath(StrEnum):
    WITHOUT_AUCTION = "without_auction"          # < 2 M đồng or perishable: officer sells
    OFFICER_AUCTION = "officer_auction"          # movables 2–10 M đồng
    AUCTION_ORGANISATION = "auction_organisation"  # movables > 10 M đồng, all real estate


class Status(StrEnum):
    SEIZED = "seized"
    VALUED = "valued"
    ANNOUNCED = "announced"
    FAILED = "failed"
    AWAITING_PAYMENT = "awaiting_payment"
    SOLD = "sold"
    TAKEN_BY_CREDITOR = "taken_by_creditor"
    CREDITOR_ACCEPTED = "creditor_accepted"      # the debtor's 30 days to pay and keep the asset run
    REDEEMED = "redeemed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    Status.SEIZED: "Đã kê biên", Status.VALUED: "Đã thẩm định giá", Status.ANNOUNCED: "Đã niêm yết đấu giá",
    Status.FAILED: "Đấu giá không thành", Status.AWAITING_PAYMENT: "Chờ người trúng đấu giá thanh toán",
    Status.SOLD: "Đã bán, đã thanh toán", Status.TAKEN_BY_CREDITOR: "Người được thi hành án nhận tài sản",
    Status.CREDITOR_ACCEPTED: "Người được thi hành án đồng ý nhận tài sản; chờ hết thời hạn 30 ngày của người phải "
                              "thi hành án",
    Status.REDEEMED: "Người phải thi hành án đã nộp tiền để nhận lại tài sản",
    Status.RETURNED: "Trả lại tài sản cho người phải thi hành án (cấm chuyển dịch)",
    Status.CANCELLED: "Đã hủy do việc thi hành án kết thúc",
}

VN_TZ = timezone(timedelta(hours=7))
SMALL_VALUE_VND = 2_000_000
OFFICER_AUCTION_MAX_VND = 10_000_000
VALUER_WD = 5
REVALUATION_WD = 5
MOVABLE_NOTICE_WD = 7
REAL_ESTATE_NOTICE_DAYS = 15
DEPOSIT_MIN_PCT, DEPOSIT_MAX_PCT = 5, 20
MAX_CUT_PCT = 10
CUTS_BEFORE_CREDITOR = 2
TWO_ANNOUNCEMENTS_FROM_VND = 50_000_000
ANNOUNCEMENTS_APART_WD = 2
PAYMENT_DAYS = 30
REFUND_WD = 3
ORGANISATION_CONTRACT_DAYS = 10     # LCJE Art. 101: auction organisation contracted within 10 days of valuation
AUCTION_AFTER_CONTRACT_DAYS = {False: 30, True: 45}   # movables / real estate (Art. 101)
HANDOVER_DAYS = 60                  # LCJE Art. 103: handover within 60 days of payment
SALE_WITHOUT_AUCTION_WD = 5         # Art. 101: small or perishable goods sold within 5 WD of seizure
PARTIES_CHOICE_WD = 5               # Art. 101(1): the parties may choose the auction organisation within 5 WD
DEBTOR_WINDOW_DAYS = 30             # Art. 104(3): the debtor may pay and keep the asset the creditor accepted
DEBTOR_WINDOW_WD_FROM_2026 = 5      # ND 152/2026 Arts. 65–66, for an acceptance from 1/7/2026
LAW_2025_IN_FORCE = date(2026, 7, 1)


def vn_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d is not None else "—"


def vn_money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


# ---------------------------------------------------------------------------- refusals


class AuctionsError(Exception):
    """Base of every refused command on an asset: `rule` (stable English id), `legal_basis`,
    `message_vi` (what the officer reads); str(exc) is the English detail."""
    rule: str = "auctions.refused"
    legal_basis: str | None = None
    message_vi: str = "Yêu cầu bị từ chối theo quy định về kê biên, định giá và bán đấu giá tài sản."

    def __init__(self, detail: str = "", *, message_vi: str | None = None, legal_basis: str | None = None) -> None:
        super().__init__(detail)
        if message_vi is not None:
            self.message_vi = message_vi
        if legal_basis is not None:
            self.legal_basis = legal_basis


class InvalidValueError(AuctionsError):
    rule = "auctions.invalid_value"
    message_vi = "Giá trị không hợp lệ."


class WrongStatusError(AuctionsError):
    rule = "asset.wrong_status"
    message_vi = "Tài sản không ở trạng thái cho phép thao tác này."


class ValuerLateError(AuctionsError):
    rule = "valuation.valuer_within_5_working_days"
    legal_basis = "Luật THADS Điều 98(3)"
    message_vi = "Chấp hành viên phải ký hợp đồng thẩm định giá trong 05 ngày làm việc kể từ ngày kê biên."


class SecondRevaluationError(AuctionsError):
    rule = "revaluation.once"
    legal_basis = "Luật THADS Điều 99"
    message_vi = "Chỉ được định giá lại tài sản một lần."


class RevaluationLateError(AuctionsError):
    rule = "revaluation.within_5_working_days_before_notice"
    legal_basis = "Luật THADS Điều 99(1)"
    message_vi = ("Yêu cầu định giá lại phải được gửi trong 05 ngày làm việc kể từ ngày nhận kết quả thẩm "
                  "định giá và trước khi niêm yết bán đấu giá.")


class NoticeTooShortError(AuctionsError):
    rule = "notice.period"
    legal_basis = "Luật Đấu giá tài sản Điều 35"
    message_vi = ("Tài sản phải được niêm yết ít nhất 07 ngày làm việc (động sản) hoặc 15 ngày (bất động sản) "
                  "trước ngày mở cuộc đấu giá.")


class SecondAnnouncementError(AuctionsError):
    rule = "notice.two_announcements"
    legal_basis = "Luật Đấu giá tài sản Điều 57"
    message_vi = ("Bất động sản và động sản có giá khởi điểm từ 50 triệu đồng phải được thông báo công khai hai "
                  "lần, cách nhau ít nhất 02 ngày làm việc; lần thứ hai ít nhất 07 ngày làm việc (động sản) hoặc "
                  "15 ngày (bất động sản) trước ngày mở cuộc đấu giá.")


class DepositOutOfRangeError(AuctionsError):
    rule = "deposit.5_to_20_percent"
    legal_basis = "Luật Đấu giá tài sản Điều 39"
    message_vi = "Tiền đặt trước phải từ 5% đến 20% giá khởi điểm."


class DepositNotPaidError(AuctionsError):
    rule = "bidder.deposit_paid"
    legal_basis = "Luật Đấu giá tài sản Điều 39"
    message_vi = "Người đăng ký tham gia đấu giá phải nộp đủ tiền đặt trước đã niêm yết."


class UnregisteredBidderError(AuctionsError):
    rule = "bid.registered_bidder"
    legal_basis = "Luật Đấu giá tài sản Điều 38"
    message_vi = "Chỉ người đã đăng ký tham gia đấu giá và nộp tiền đặt trước mới được trả giá."


class BidTooLowError(AuctionsError):
    rule = "bid.ascending"
    legal_basis = "Luật Đấu giá tài sản Điều 40, 42"
    message_vi = "Giá trả phải không thấp hơn giá khởi điểm và cao hơn giá trả cao nhất hiện tại."


class CutTooLargeError(AuctionsError):
    rule = "price_cut.at_most_10_percent"
    legal_basis = "Luật THADS Điều 104(2)"
    message_vi = "Mỗi lần giảm giá không quá 10% giá khởi điểm của lần bán đấu giá trước."


class CreditorTooEarlyError(AuctionsError):
    rule = "creditor_takes.from_second_cut"
    legal_basis = "Luật THADS Điều 104(3)"
    message_vi = ("Người được thi hành án chỉ được nhận tài sản để trừ vào số tiền được thi hành án từ lần "
                  "giảm giá thứ hai mà tài sản vẫn không bán được.")


class PaymentOverdueError(AuctionsError):
    rule = "payment.within_30_days"
    legal_basis = "Nghị định 62/2015 Điều 27 (sửa đổi)"
    message_vi = "Người trúng đấu giá phải thanh toán trong 30 ngày kể từ ngày đấu giá thành; không được gia hạn."


class CasePausedError(AuctionsError):
    rule = "case.paused"
    legal_basis = "Luật THADS Điều 48, 49"
    message_vi = "Việc thi hành án đang bị hoãn hoặc tạm đình chỉ: không được tổ chức bán đấu giá tài sản."


class RedemptionTooLateError(AuctionsError):
    rule = "redemption.until_1_working_day_before_auction"
    legal_basis = "Luật THADS Điều 101"
    message_vi = ("Người phải thi hành án chỉ được nộp tiền để nhận lại tài sản chậm nhất 01 ngày làm việc "
                  "trước ngày mở cuộc đấu giá.")


class ReturnAboveCostsError(AuctionsError):
    rule = "return_to_debtor.only_when_price_at_most_costs"
    legal_basis = "Luật THADS Điều 104"
    message_vi = ("Chỉ trả lại tài sản cho người phải thi hành án khi giá tài sản đã giảm đến mức không đủ "
                  "chi phí cưỡng chế và người được thi hành án không nhận tài sản.")


class OrganisationContractLateError(AuctionsError):
    rule = "organisation.contract_within_10_days"
    legal_basis = "Luật THADS Điều 101(1)"
    message_vi = ("Chấp hành viên phải ký hợp đồng dịch vụ đấu giá với tổ chức đấu giá tài sản trong 10 ngày "
                  "kể từ ngày có kết quả thẩm định giá.")


class AuctionTooLateError(AuctionsError):
    rule = "auction.within_30_or_45_days_of_contract"
    legal_basis = "Luật THADS Điều 101(1)"
    message_vi = ("Cuộc đấu giá phải được tổ chức trong 30 ngày (động sản) hoặc 45 ngày (bất động sản) kể từ "
                  "ngày ký hợp đồng dịch vụ đấu giá.")


class PartiesChoiceLateError(AuctionsError):
    rule = "organisation.parties_choice_within_5_working_days"
    legal_basis = "Luật THADS Điều 101(1)"
    message_vi = ("Đương sự thỏa thuận lựa chọn tổ chức đấu giá tài sản trong thời hạn 05 ngày làm việc kể từ "
                  "ngày có kết quả thẩm định giá.")


class PartiesChooseFirstError(AuctionsError):
    rule = "organisation.parties_choose_first"
    legal_basis = "Luật THADS Điều 101(1)"
    message_vi = ("Chấp hành viên chỉ lựa chọn tổ chức đấu giá tài sản khi đương sự không thỏa thuận được trong "
                  "thời hạn 05 ngày làm việc kể từ ngày có kết quả thẩm định giá.")


class OrganisationContractRequiredError(AuctionsError):
    rule = "announce.organisation_contract_required"
    legal_basis = "Luật THADS Điều 101(1)"
    message_vi = ("Động sản trên 10 triệu đồng và bất động sản phải được bán qua tổ chức đấu giá tài sản: phải ký "
                  "hợp đồng dịch vụ đấu giá trước khi thông báo đấu giá (Chấp hành viên chỉ tự bán đấu giá khi "
                  "không có tổ chức đấu giá tài sản nào nhận).")


class OfficerAuctionLateError(AuctionsError):
    rule = "auction.officer_within_30_or_45_days_of_valuation"
    legal_basis = "Luật THADS Điều 101"
    message_vi = ("Chấp hành viên bán đấu giá tài sản trong thời hạn 30 ngày (động sản) hoặc 45 ngày (bất động "
                  "sản) kể từ ngày có kết quả thẩm định giá.")


class DebtorWindowOpenError(AuctionsError):
    rule = "creditor_takes.after_the_debtors_30_days"
    legal_basis = "Luật THADS Điều 104(3)"
    message_vi = ("Người được thi hành án đồng ý nhận tài sản: người phải thi hành án có 30 ngày (từ 01/7/2026: 05 "
                  "ngày làm việc) để nộp tiền nhận lại tài sản; chỉ giao tài sản cho người được thi hành án sau "
                  "thời hạn đó.")


class ExcessNotPaidError(AuctionsError):
    rule = "creditor_takes.pays_the_excess"
    legal_basis = "Luật THADS Điều 104(3)"
    message_vi = ("Giá trị tài sản lớn hơn số tiền được thi hành án: người được thi hành án phải nộp phần chênh "
                  "lệch trước khi nhận tài sản.")


class PreEmptionBelowPriceError(AuctionsError):
    rule = "pre_emption.at_least_the_starting_price"
    legal_basis = "Luật THADS Điều 101; Bộ luật Dân sự Điều 218"
    message_vi = ("Chủ sở hữu chung, người có quyền ưu tiên mua chỉ được mua tài sản với giá không thấp hơn giá "
                  "khởi điểm, trước khi mở cuộc đấu giá.")


class NotForSaleWithoutAuctionError(AuctionsError):
    rule = "sale_without_auction.small_or_perishable_only"
    legal_basis = "Luật THADS Điều 101(4)"
    message_vi = ("Chỉ bán không qua đấu giá đối với động sản có giá trị dưới 2.000.000 đồng hoặc tài sản "
                  "mau hỏng.")


class SaleWithoutAuctionLateError(AuctionsError):
    rule = "sale_without_auction.within_5_working_days"
    legal_basis = "Luật THADS Điều 101(4)"
    message_vi = ("Tài sản có giá trị nhỏ hoặc mau hỏng phải được bán trong 05 ngày làm việc kể từ ngày "
                  "kê biên.")


class SaleBelowPriceError(AuctionsError):
    rule = "sale_without_auction.at_least_the_price"
    legal_basis = "Luật THADS Điều 101(4)"
    message_vi = "Giá bán không qua đấu giá không được thấp hơn giá tài sản đã xác định."


class ProceedsSplitError(AuctionsError):
    rule = "proceeds.split"
    legal_basis = "Luật THADS Điều 47"
    message_vi = ("Tiền bán tài sản được trừ chi phí cưỡng chế trước, sau đó thanh toán cho người nhận thế chấp, "
                  "cầm cố từ tài sản bảo đảm; phải nêu khoản phải thi hành được bảo đảm bằng tài sản.")


class AssetNotFoundError(AuctionsError):
    rule = "asset.not_found"
    message_vi = "Không tìm thấy tài sản kê biên."


# ---------------------------------------------------------------------------- bid log


@dataclass(frozen=True)
class Bid:
    round_number: int
    seq: int
    bidder_id: str
    amount_vnd: int
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"round_number": self.round_number, "seq": self.seq, "bidder_id": self.bidder_id,
                "amount_vnd": self.amount_vnd, "at": self.at.isoformat()}


def bid_log_digest(asset_id: UUID | str, round_number: int, bids: Iterable[dict[str, Any]]) -> str:
    """sha256 (hex) of the ordered bid log of one round: canonical JSON (sorted keys, no spaces) of
    {"asset_id", "round_number", "bids": [{"seq", "bidder_id", "amount_vnd", "at"}...]} in bid order.
    Anyone holding the list recomputes it; altering, dropping or reordering a bid changes it."""
    doc = {"asset_id": str(asset_id), "round_number": round_number,
           "bids": [{"seq": b["seq"], "bidder_id": str(b["bidder_id"]), "amount_vnd": int(b["amount_vnd"]),
                     "at": b["at"] if isinstance(b["at"], str) else b["at"].isoformat()} for b in bids]}
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


# ---------------------------------------------------------------------------- the aggregate


class Asset(Aggregate):
    """A seized asset. Its id is the asset id intake published in SeizureOrdered."""

    @staticmethod
    def create_id(asset_id: UUID) -> UUID:
        return asset_id

    # Snapshots (snapshots.py): the state as explicit, versioned plain JSON. class_version is the
    # layout's version; a layout change needs class_version + 1 and `upcast_v{n}_v{n+1}` here.
    class_version = 3
    Snapshot = AssetSnapshot

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Layout 2 adds the contracted organisation's id, whether the parties chose it, and whether
        the officer runs the auction for want of an organisation."""
        state.update(contracted_organisation_id=None, organisation_chosen_by_parties=False,
                     officer_runs_auction=False)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Layout 3 adds the creditor's acceptance (the debtor's 30 days) and the excess it paid."""
        state.update(creditor_accepted_on=None, accepted_by=None, accepted_claim_item_id=None, excess_paid_vnd=0)

    @event("Seized")
    def __init__(self, asset_id: UUID, case_id: UUID, unit: str, kind: AssetKind, description: str,
                 claim_item_ids: list[str], decision_number: str, seized_on: date,
                 secured_creditor_party_id: str | None, perishable: bool, actor: str, at: datetime) -> None:
        self.case_id, self.unit, self.kind, self.description = case_id, unit, AssetKind(kind), description
        self.claim_item_ids = list(claim_item_ids)
        self.decision_number, self.seized_on = decision_number, seized_on
        self.secured_creditor_party_id, self.perishable = secured_creditor_party_id, perishable
        self.status = Status.SEIZED
        self.valuation_method: str | None = None
        self.valued_on: date | None = None
        self.starting_price_vnd: int | None = None
        self.revalued = False
        self.cuts = 0
        self.round_number = 0
        self.auction_on: date | None = None
        self.announced_on: date | None = None
        self.second_announced_on: date | None = None
        self.deposit_vnd: int | None = None
        self.place: str | None = None
        self.organiser: str | None = None
        self.bidders: dict[str, int] = {}
        self.refunded: set[str] = set()
        self.bids: list[Bid] = []
        self.rounds: list[dict[str, Any]] = []
        self.winner_id: str | None = None
        self.hammer_price_vnd: int | None = None
        self.closed_on: date | None = None
        self.paid_on: date | None = None
        self.forfeited_deposits: list[dict[str, Any]] = []
        self.case_paused = False
        self.taken_by: str | None = None
        self.taken_claim_item_id: str | None = None
        self.taken_on: date | None = None
        self.organisation_contracted_on: date | None = None
        self.contracted_organisation: str | None = None
        self.contracted_organisation_id: str | None = None     # the organisation token's subject
        self.organisation_chosen_by_parties = False
        self.officer_runs_auction = False                      # no organisation could be contracted
        self.creditor_accepted_on: date | None = None          # the creditor accepted the asset (Art. 104(3))
        self.accepted_by: str | None = None
        self.accepted_claim_item_id: str | None = None
        self.excess_paid_vnd = 0
        self.handed_over_on: date | None = None
        self.buyer_id: str | None = None
        self.enforcement_costs_vnd = 0
        self.proceeds_shares: list[dict[str, Any]] | None = None
        self.postponed_deposits: dict[str, int] = {}
        self.postponed_on: date | None = None
        self.last_at = at

    @classmethod
    def seize(cls, *, asset_id: UUID, case_id: UUID, unit: str, kind: AssetKind, description: str,
              claim_item_ids: list[str], decision_number: str, seized_on: date,
              secured_creditor_party_id: str | None = None, perishable: bool = False,
              actor: str = "system", at: datetime) -> "Asset":
        if not description.strip():
            raise InvalidValueError("description must not be empty", message_vi="Phải mô tả tài sản kê biên.")
        if not claim_item_ids:
            raise InvalidValueError("a seizure secures at least one claim item",
                                    message_vi="Việc kê biên phải nêu ít nhất một khoản phải thi hành.")
        return cls(asset_id=asset_id, case_id=case_id, unit=unit, kind=AssetKind(kind).value, description=description,
                   claim_item_ids=[str(i) for i in claim_item_ids], decision_number=decision_number,
                   seized_on=seized_on, secured_creditor_party_id=secured_creditor_party_id,
                   perishable=perishable, actor=actor, at=at)

    def _published(self) -> dict[str, Any]:
        """What every published event carries besides its own facts (the envelope's case and office,
        the claim items the seizure secures, the round), so the relay translates it alone."""
        return {"case_id": self.case_id, "unit": self.unit, "claim_item_ids": list(self.claim_item_ids),
                "round_number": max(self.round_number, 1)}

    # ------------------------------------------------------------------ guards
    def _ensure(self, *allowed: Status, doing: str) -> None:
        if self.status not in allowed:
            raise WrongStatusError(
                f"cannot {doing} asset {self.id} in status {self.status.value}",
                message_vi=f"Không thể thực hiện thao tác khi tài sản ở trạng thái «{STATUS_LABELS[self.status]}».")

    def _ensure_case_running(self, doing: str) -> None:
        if self.case_paused:
            raise CasePausedError(f"cannot {doing}: case {self.case_id} is suspended or postponed")

    @property
    def is_real_estate(self) -> bool:
        return self.kind is AssetKind.REAL_ESTATE

    @property
    def sale_path(self) -> SalePath | None:
        """Who sells, by value and kind (LCJE Art. 101)."""
        if self.starting_price_vnd is None:
            return None
        if not self.is_real_estate and (self.perishable or self.starting_price_vnd < SMALL_VALUE_VND):
            return SalePath.WITHOUT_AUCTION
        if not self.is_real_estate and self.starting_price_vnd <= OFFICER_AUCTION_MAX_VND:
            return SalePath.OFFICER_AUCTION
        return SalePath.AUCTION_ORGANISATION

    # ------------------------------------------------------------------ valuation
    def value(self, *, method: ValuationMethod, price_vnd: int, valued_on: date,
              valuer_contracted_on: date | None = None, actor: str, at: datetime) -> None:
        self._ensure(Status.SEIZED, doing="value")
        method = ValuationMethod(method)
        if price_vnd <= 0:
            raise InvalidValueError("price must be positive", message_vi="Giá trị tài sản phải lớn hơn 0.")
        if valued_on < self.seized_on:
            raise InvalidValueError("valuation before seizure", message_vi="Ngày định giá không được trước ngày kê biên.")
        if method is ValuationMethod.VALUER:
            if valuer_contracted_on is None:
                raise InvalidValueError("valuer_contracted_on is required for method 'valuer'",
                                        message_vi="Phải ghi ngày ký hợp đồng thẩm định giá.")
            due = add_working_days(self.seized_on, VALUER_WD)
            if valuer_contracted_on > due or valuer_contracted_on < self.seized_on:
                raise ValuerLateError(f"valuer contracted {valuer_contracted_on}, due by {due}",
                                      message_vi=f"Hạn ký hợp đồng thẩm định giá là {vn_date(due)} "
                                                 f"(05 ngày làm việc kể từ ngày kê biên {vn_date(self.seized_on)}).")
        self._valued(method=method.value, price_vnd=price_vnd, valued_on=valued_on, actor=actor, at=at)

    @event("Valued")
    def _valued(self, method: str, price_vnd: int, valued_on: date, actor: str, at: datetime) -> None:
        self.valuation_method, self.starting_price_vnd, self.valued_on = method, price_vnd, valued_on
        self.status, self.last_at = Status.VALUED, at

    def revalue(self, *, price_vnd: int, requested_on: date, valued_on: date, actor: str, at: datetime) -> None:
        if self.revalued:
            raise SecondRevaluationError(f"asset {self.id} was already re-valued")
        self._ensure(Status.VALUED, doing="re-value")
        if self.cuts or self.round_number:
            raise RevaluationLateError("re-valuation after the auction notice")
        assert self.valued_on is not None
        due = add_working_days(self.valued_on, REVALUATION_WD)
        if requested_on > due:
            raise RevaluationLateError(f"requested {requested_on}, due by {due}",
                                       message_vi=f"Hạn yêu cầu định giá lại là {vn_date(due)}.")
        if price_vnd <= 0:
            raise InvalidValueError("price must be positive", message_vi="Giá trị tài sản phải lớn hơn 0.")
        self._revalued(price_vnd=price_vnd, valued_on=valued_on, actor=actor, at=at)

    @event("Revalued")
    def _revalued(self, price_vnd: int, valued_on: date, actor: str, at: datetime) -> None:
        self.starting_price_vnd, self.valued_on, self.revalued, self.last_at = price_vnd, valued_on, True, at

    # ------------------------------------------------------------------ who sells (Art. 101)
    @property
    def organisation_contract_due_on(self) -> date | None:
        """An auction organisation is contracted within 10 days of the valuation (Art. 101(1))."""
        if self.valued_on is None or self.sale_path is not SalePath.AUCTION_ORGANISATION:
            return None
        return self.valued_on + timedelta(days=ORGANISATION_CONTRACT_DAYS)

    @property
    def auction_due_on(self) -> date | None:
        """The first auction is held within 30 days (movables) / 45 days (real estate) of the contract."""
        if self.organisation_contracted_on is None:
            return None
        return self.organisation_contracted_on + timedelta(days=AUCTION_AFTER_CONTRACT_DAYS[self.is_real_estate])

    @property
    def parties_choice_due_on(self) -> date | None:
        """The parties may choose the auction organisation within 5 WD of the valuation (Art. 101(1))."""
        if self.valued_on is None or self.sale_path is not SalePath.AUCTION_ORGANISATION:
            return None
        return add_working_days(self.valued_on, PARTIES_CHOICE_WD)

    @property
    def officer_auction_due_on(self) -> date | None:
        """An officer-run first auction (movables 2–10 M đồng, or no organisation could be contracted)
        is held within 30 / 45 days of the valuation."""
        if self.valued_on is None or not (self.sale_path is SalePath.OFFICER_AUCTION or self.officer_runs_auction):
            return None
        return self.valued_on + timedelta(days=AUCTION_AFTER_CONTRACT_DAYS[self.is_real_estate])

    def contract_organisation(self, *, organisation: str, contracted_on: date, actor: str, at: datetime,
                              organisation_id: str | None = None, parties_agreed_on: date | None = None) -> None:
        """`organisation_id` is the organisation's id in the platform (the subject of its token: it may
        then act on this asset's auctions); `parties_agreed_on` is the day the parties chose it (None:
        the officer chose it, allowed once the parties' 5 WD have passed)."""
        self._ensure(Status.VALUED, doing="contract an auction organisation for")
        self._ensure_case_running("contract an auction organisation")
        if self.sale_path is not SalePath.AUCTION_ORGANISATION:
            raise InvalidValueError(
                f"sale path is {self.sale_path}, not an auction organisation",
                message_vi="Tài sản này không thuộc trường hợp phải ký hợp đồng với tổ chức đấu giá tài sản.")
        if self.organisation_contracted_on is not None:
            raise WrongStatusError("an auction organisation is already contracted",
                                   message_vi="Đã ký hợp đồng dịch vụ đấu giá cho tài sản này.")
        if not organisation.strip():
            raise InvalidValueError("organisation is required", message_vi="Phải nêu tên tổ chức đấu giá tài sản.")
        due = self.organisation_contract_due_on
        assert due is not None and self.valued_on is not None
        if contracted_on < self.valued_on:
            raise InvalidValueError("contract before the valuation",
                                    message_vi="Ngày ký hợp đồng không được trước ngày thẩm định giá.")
        if contracted_on > due:
            raise OrganisationContractLateError(
                f"contracted {contracted_on}, due by {due}",
                message_vi=f"Hạn ký hợp đồng dịch vụ đấu giá là {vn_date(due)} (10 ngày kể từ ngày thẩm định giá "
                           f"{vn_date(self.valued_on)}).")
        choice_due = self.parties_choice_due_on
        assert choice_due is not None
        if parties_agreed_on is not None:
            if not self.valued_on <= parties_agreed_on <= choice_due or parties_agreed_on > contracted_on:
                raise PartiesChoiceLateError(
                    f"parties agreed {parties_agreed_on}, window {self.valued_on}..{choice_due}",
                    message_vi=f"Đương sự chỉ được thỏa thuận lựa chọn tổ chức đấu giá từ ngày thẩm định giá "
                               f"{vn_date(self.valued_on)} đến hết ngày {vn_date(choice_due)}, và trước khi ký hợp "
                               f"đồng.")
        elif contracted_on <= choice_due:
            raise PartiesChooseFirstError(
                f"officer's choice on {contracted_on}, parties may choose until {choice_due}",
                message_vi=f"Đương sự có quyền thỏa thuận lựa chọn tổ chức đấu giá đến hết ngày {vn_date(choice_due)}; "
                           f"Chấp hành viên chỉ lựa chọn sau thời hạn đó.")
        self._organisation_contracted(organisation=organisation, contracted_on=contracted_on, actor=actor, at=at,
                                      organisation_id=organisation_id, parties_agreed_on=parties_agreed_on)

    @event("OrganisationContracted")
    def _organisation_contracted(self, organisation: str, contracted_on: date, actor: str, at: datetime,
                                 organisation_id: str | None = None, parties_agreed_on: date | None = None) -> None:
        self.contracted_organisation, self.organisation_contracted_on = organisation, contracted_on
        self.contracted_organisation_id = organisation_id
        self.organisation_chosen_by_parties = parties_agreed_on is not None
        self.last_at = at

    @property
    def sale_without_auction_due_on(self) -> date | None:
        if self.sale_path is not SalePath.WITHOUT_AUCTION:
            return None
        return add_working_days(self.seized_on, SALE_WITHOUT_AUCTION_WD)

    def sell_without_auction(self, *, buyer_id: str, price_vnd: int, sold_on: date, actor: str, at: datetime,
                             enforcement_costs_vnd: int = 0, secured_claim_item_id: str | None = None) -> None:
        """Movables under 2 M đồng or perishable goods: the officer sells them without an auction, at
        no less than the price set, within 5 WD of the seizure (Art. 101); the money is the proceeds."""
        self._ensure(Status.VALUED, doing="sell without auction")
        self._ensure_case_running("sell the asset")
        if self.sale_path is not SalePath.WITHOUT_AUCTION:
            raise NotForSaleWithoutAuctionError(f"sale path is {self.sale_path}: an auction is required")
        assert self.starting_price_vnd is not None
        due = self.sale_without_auction_due_on
        assert due is not None
        if sold_on < self.seized_on:
            raise InvalidValueError("sale before seizure", message_vi="Ngày bán không được trước ngày kê biên.")
        if sold_on > due:
            raise SaleWithoutAuctionLateError(f"sold {sold_on}, due by {due}",
                                              message_vi=f"Hạn bán tài sản là {vn_date(due)} (05 ngày làm việc kể "
                                                         f"từ ngày kê biên {vn_date(self.seized_on)}).")
        if price_vnd < self.starting_price_vnd:
            raise SaleBelowPriceError(f"price {price_vnd} below {self.starting_price_vnd}",
                                      message_vi=f"Giá bán không được thấp hơn {vn_money(self.starting_price_vnd)}.")
        if not buyer_id.strip():
            raise InvalidValueError("buyer is required", message_vi="Phải nêu người mua tài sản.")
        shares = self.split_proceeds(price_vnd, enforcement_costs_vnd, secured_claim_item_id)
        self._sold_without_auction(buyer_id=buyer_id, price_vnd=price_vnd, sold_on=sold_on, **self._published(),
                                   actor=actor, at=at, enforcement_costs_vnd=enforcement_costs_vnd, shares=shares,
                   secured_creditor_party_id=self.secured_creditor_party_id)

    @event("SoldWithoutAuction")
    def _sold_without_auction(self, buyer_id: str, price_vnd: int, sold_on: date, case_id: UUID, unit: str,
                              claim_item_ids: list[str], round_number: int, actor: str, at: datetime,
                              enforcement_costs_vnd: int, shares: list[dict[str, Any]],
                              secured_creditor_party_id: str | None) -> None:
        self.buyer_id, self.hammer_price_vnd, self.closed_on, self.paid_on = buyer_id, price_vnd, sold_on, sold_on
        self.proceeds_shares, self.enforcement_costs_vnd = shares, enforcement_costs_vnd
        self.status, self.last_at = Status.SOLD, at

    # ------------------------------------------------------------------ the auction
    def _notice_long_enough(self, announced_on: date, auction_on: date) -> bool:
        if self.is_real_estate:
            return (auction_on - announced_on).days >= REAL_ESTATE_NOTICE_DAYS
        return working_days_between(announced_on, auction_on) >= MOVABLE_NOTICE_WD

    @property
    def needs_two_announcements(self) -> bool:
        return self.is_real_estate or (self.starting_price_vnd or 0) >= TWO_ANNOUNCEMENTS_FROM_VND

    def announce(self, *, announced_on: date, auction_on: date, deposit_vnd: int, place: str, organiser: str,
                 actor: str, at: datetime, second_announced_on: date | None = None,
                 no_organisation_available: bool = False) -> None:
        """`no_organisation_available`: no auction organisation would take the asset, so the officer
        runs the auction of an organisation-path asset (then the officer's 30 / 45 days apply)."""
        self._ensure(Status.VALUED, doing="announce an auction of")
        self._ensure_case_running("announce an auction")
        assert self.starting_price_vnd is not None and self.valued_on is not None
        officer_runs = self.officer_runs_auction or (no_organisation_available
                                                     and self.organisation_contracted_on is None)
        if (self.sale_path is SalePath.AUCTION_ORGANISATION and self.organisation_contracted_on is None
                and not officer_runs):
            raise OrganisationContractRequiredError(
                f"asset {self.id} ({self.kind.value}, {self.starting_price_vnd} đồng) has no auction organisation "
                f"contract")
        officer_path = self.sale_path is SalePath.OFFICER_AUCTION or (
            officer_runs and self.sale_path is SalePath.AUCTION_ORGANISATION)
        if officer_path and not self.rounds:
            officer_due = self.valued_on + timedelta(days=AUCTION_AFTER_CONTRACT_DAYS[self.is_real_estate])
            if auction_on > officer_due:
                raise OfficerAuctionLateError(
                    f"officer-run auction {auction_on} after {officer_due}",
                    message_vi=f"Cuộc đấu giá do Chấp hành viên tổ chức phải mở chậm nhất ngày {vn_date(officer_due)} "
                               f"({AUCTION_AFTER_CONTRACT_DAYS[self.is_real_estate]} ngày kể từ ngày thẩm định giá "
                               f"{vn_date(self.valued_on)}).")
        if not self._notice_long_enough(announced_on, auction_on):
            raise NoticeTooShortError(f"notice {announced_on} → auction {auction_on} is too short for {self.kind.value}")
        if self.needs_two_announcements:
            if second_announced_on is None:
                raise SecondAnnouncementError("a second announcement is required (real estate or ≥ 50 M đồng)")
            if second_announced_on < add_working_days(announced_on, ANNOUNCEMENTS_APART_WD):
                raise SecondAnnouncementError(f"second announcement {second_announced_on} less than 2 WD after "
                                              f"the first {announced_on}")
            if not self._notice_long_enough(second_announced_on, auction_on):
                raise SecondAnnouncementError(f"second announcement {second_announced_on} too close to the "
                                              f"auction {auction_on}")
        low = -(-self.starting_price_vnd * DEPOSIT_MIN_PCT // 100)
        high = self.starting_price_vnd * DEPOSIT_MAX_PCT // 100
        if not low <= deposit_vnd <= high:
            raise DepositOutOfRangeError(
                f"deposit {deposit_vnd} outside [{low}, {high}]",
                message_vi=f"Tiền đặt trước phải từ {vn_money(low)} đến {vn_money(high)} "
                           f"(5%–20% giá khởi điểm {vn_money(self.starting_price_vnd)}).")
        if not self.rounds and self.auction_due_on is not None and auction_on > self.auction_due_on:
            raise AuctionTooLateError(
                f"auction {auction_on} after {self.auction_due_on}",
                message_vi=f"Cuộc đấu giá phải mở chậm nhất ngày {vn_date(self.auction_due_on)} "
                           f"({AUCTION_AFTER_CONTRACT_DAYS[self.is_real_estate]} ngày kể từ ngày ký hợp đồng "
                           f"dịch vụ đấu giá {vn_date(self.organisation_contracted_on)}).")
        if not place.strip() or not organiser.strip():
            raise InvalidValueError("place and organiser are required",
                                    message_vi="Phải nêu địa điểm và tổ chức/người tổ chức đấu giá.")
        self._announced(round_number=self.round_number + 1, announced_on=announced_on, auction_on=auction_on,
                        deposit_vnd=deposit_vnd, place=place, organiser=organiser,
                        second_announced_on=second_announced_on, actor=actor, at=at,
                        officer_runs=officer_runs and self.sale_path is SalePath.AUCTION_ORGANISATION,
                        # for the public notice (auctions.AuctionAnnounced.v1): what is sold, for which claims
                        starting_price_vnd=self.starting_price_vnd, claim_item_ids=list(self.claim_item_ids),
                        secured_creditor_party_id=self.secured_creditor_party_id, case_id=self.case_id, unit=self.unit)

    @event("AuctionAnnounced")
    def _announced(self, round_number: int, announced_on: date, auction_on: date, deposit_vnd: int, place: str,
                   organiser: str, actor: str, at: datetime, second_announced_on: date | None = None,
                   officer_runs: bool = False, starting_price_vnd: int | None = None,
                   claim_item_ids: list[str] | None = None, secured_creditor_party_id: str | None = None,
                   case_id: UUID | None = None, unit: str | None = None) -> None:
        self.officer_runs_auction = self.officer_runs_auction or officer_runs
        self.round_number, self.announced_on, self.auction_on = round_number, announced_on, auction_on
        self.second_announced_on = second_announced_on
        self.deposit_vnd, self.place, self.organiser = deposit_vnd, place, organiser
        self.bidders, self.bids, self.winner_id, self.hammer_price_vnd = {}, [], None, None
        self.refunded: set[str] = set()
        self.status, self.last_at = Status.ANNOUNCED, at

    def register_bidder(self, *, bidder_id: str, deposit_paid_vnd: int, actor: str, at: datetime) -> None:
        self._ensure(Status.ANNOUNCED, doing="register a bidder for")
        assert self.deposit_vnd is not None
        if deposit_paid_vnd < self.deposit_vnd:
            raise DepositNotPaidError(f"deposit paid {deposit_paid_vnd} < {self.deposit_vnd}",
                                      message_vi=f"Tiền đặt trước phải nộp là {vn_money(self.deposit_vnd)}.")
        if bidder_id in self.bidders:
            raise InvalidValueError(f"bidder {bidder_id} already registered",
                                    message_vi="Người này đã đăng ký tham gia cuộc đấu giá.")
        self._bidder_registered(bidder_id=bidder_id, deposit_paid_vnd=deposit_paid_vnd, actor=actor, at=at)

    @event("BidderRegistered")
    def _bidder_registered(self, bidder_id: str, deposit_paid_vnd: int, actor: str, at: datetime) -> None:
        self.bidders[bidder_id] = deposit_paid_vnd
        self.last_at = at

    @property
    def highest_vnd(self) -> int | None:
        return self.bids[-1].amount_vnd if self.bids else None

    def place_bid(self, *, bidder_id: str, amount_vnd: int, actor: str, at: datetime) -> None:
        self._ensure(Status.ANNOUNCED, doing="bid on")
        self._ensure_case_running("take bids")
        if bidder_id not in self.bidders:
            raise UnregisteredBidderError(f"bidder {bidder_id} is not registered for round {self.round_number}")
        assert self.starting_price_vnd is not None
        if amount_vnd < self.starting_price_vnd or (self.highest_vnd is not None and amount_vnd <= self.highest_vnd):
            current = self.highest_vnd or self.starting_price_vnd
            raise BidTooLowError(f"bid {amount_vnd} not above current {current}",
                                 message_vi=f"Giá trả {vn_money(amount_vnd)} phải cao hơn giá hiện tại "
                                            f"{vn_money(current)} (không thấp hơn giá khởi điểm).")
        self._bid_placed(bidder_id=bidder_id, amount_vnd=amount_vnd, actor=actor, at=at)

    @event("BidPlaced")
    def _bid_placed(self, bidder_id: str, amount_vnd: int, actor: str, at: datetime) -> None:
        self.bids.append(Bid(self.round_number, len(self.bids) + 1, bidder_id, amount_vnd, at))
        self.last_at = at

    def bid_log(self) -> list[dict[str, Any]]:
        return [b.as_dict() for b in self.bids]

    def close(self, *, closed_on: date, actor: str, at: datetime) -> None:
        """Closes the round: the highest bid wins; with no bid the auction failed (LPA Art. 52)."""
        self._ensure(Status.ANNOUNCED, doing="close the auction of")
        self._ensure_case_running("close an auction")
        digest = bid_log_digest(self.id, self.round_number, self.bid_log())
        winner = self.bids[-1] if self.bids else None
        self._closed(closed_on=closed_on, winner_id=winner.bidder_id if winner else None,
                     hammer_price_vnd=winner.amount_vnd if winner else None, bid_count=len(self.bids),
                     bid_log_sha256=digest, **self._published(), actor=actor, at=at)

    @event("AuctionClosed")
    def _closed(self, closed_on: date, winner_id: str | None, hammer_price_vnd: int | None, bid_count: int,
                bid_log_sha256: str, case_id: UUID, unit: str, claim_item_ids: list[str], round_number: int,
                actor: str, at: datetime) -> None:
        self.closed_on, self.winner_id, self.hammer_price_vnd = closed_on, winner_id, hammer_price_vnd
        self.rounds.append({"round_number": self.round_number, "starting_price_vnd": self.starting_price_vnd,
                            "closed_on": closed_on, "winner_id": winner_id, "hammer_price_vnd": hammer_price_vnd,
                            "bid_count": bid_count, "bid_log_sha256": bid_log_sha256})
        self.status = Status.AWAITING_PAYMENT if winner_id else Status.FAILED
        self.last_at = at

    @property
    def last_digest(self) -> str | None:
        return self.rounds[-1]["bid_log_sha256"] if self.rounds else None

    @property
    def losing_bidders(self) -> dict[str, int]:
        """Bidders of the closed round other than the winner, with the deposits owed back to them."""
        if self.closed_on is None or self.status is Status.ANNOUNCED:
            return {}
        return {b: v for b, v in self.bidders.items() if b != self.winner_id and b not in self.refunded}

    @property
    def deposits_owed_back(self) -> dict[str, int]:
        """The losers' deposits of the closed round and those of rounds a case pause postponed."""
        owed = dict(self.postponed_deposits)
        for b, v in self.losing_bidders.items():
            owed[b] = owed.get(b, 0) + v
        return owed

    @property
    def refunds_due_on(self) -> date | None:
        """Deposits go back to the losing bidders within 3 WD of the auction, and to the bidders of a
        round the case's pause postponed within 3 WD of the pause (LPA Art. 39)."""
        dues = []
        if self.losing_bidders and self.closed_on:
            dues.append(add_working_days(self.closed_on, REFUND_WD))
        if self.postponed_deposits and self.postponed_on:
            dues.append(add_working_days(self.postponed_on, REFUND_WD))
        return min(dues) if dues else None

    def refund_deposits(self, *, refunded_on: date, actor: str, at: datetime) -> None:
        if not self.deposits_owed_back:
            raise WrongStatusError("no deposit is owed back", message_vi="Không còn tiền đặt trước nào phải trả lại.")
        since = min(d for d in (self.closed_on if self.losing_bidders else None,
                                self.postponed_on if self.postponed_deposits else None) if d is not None)
        if refunded_on < since:
            raise InvalidValueError("refund before the auction", message_vi="Ngày trả không được trước ngày đấu giá.")
        self._refunded(bidders=sorted(self.losing_bidders), refunded_on=refunded_on, actor=actor, at=at,
                       postponed_bidders=sorted(self.postponed_deposits))

    @event("DepositsRefunded")
    def _refunded(self, bidders: list[str], refunded_on: date, actor: str, at: datetime,
                  postponed_bidders: list[str] | None = None) -> None:
        self.refunded = self.refunded | set(bidders)
        self.postponed_deposits = {b: v for b, v in self.postponed_deposits.items()
                                   if b not in (postponed_bidders or ())}
        self.last_at = at

    def deadlines(self, as_of: date) -> list[dict[str, Any]]:
        """The asset's open legal deadlines at business date `as_of`, each with whether it is missed."""
        out: list[tuple[str, date, str]] = []
        if self.status is Status.SEIZED:
            out.append(("valuer_contract", add_working_days(self.seized_on, VALUER_WD), "Luật THADS Điều 98(3)"))
        if (self.status is Status.VALUED and self.round_number == 0 and self.organisation_contracted_on is None
                and self.organisation_contract_due_on):
            out.append(("organisation_contract", self.organisation_contract_due_on, "Luật THADS Điều 101(1)"))
        if self.status in (Status.VALUED, Status.ANNOUNCED) and not self.rounds and self.auction_due_on:
            out.append(("auction", self.auction_due_on, "Luật THADS Điều 101(1)"))
        elif self.status in (Status.VALUED, Status.ANNOUNCED) and not self.rounds and self.officer_auction_due_on:
            out.append(("auction", self.officer_auction_due_on, "Luật THADS Điều 101"))
        if self.status is Status.VALUED and self.sale_without_auction_due_on:
            out.append(("sale_without_auction", self.sale_without_auction_due_on, "Luật THADS Điều 101(4)"))
        if self.status is Status.AWAITING_PAYMENT and self.payment_due_on:
            out.append(("winner_payment", self.payment_due_on, "Nghị định 62/2015 Điều 27 (sửa đổi)"))
        if self.handover_due_on:
            out.append(("handover", self.handover_due_on, "Luật THADS Điều 103"))
        if self.refunds_due_on:
            out.append(("deposit_refunds", self.refunds_due_on, "Luật Đấu giá tài sản Điều 39"))
        if self.debtor_window_ends_on:     # after it, the asset is handed to the creditor
            out.append(("debtor_window", self.debtor_window_ends_on, "Luật THADS Điều 104(3)"))
        return [{"step": step, "due_on": due, "legal_basis": basis, "missed": as_of > due} for step, due, basis in out]

    @property
    def next_due_on(self) -> date | None:
        dues = [d["due_on"] for d in self.deadlines(date.min)]
        return min(dues) if dues else None

    @property
    def payment_due_on(self) -> date | None:
        return self.closed_on + timedelta(days=PAYMENT_DAYS) if self.closed_on and self.winner_id else None

    def split_proceeds(self, amount_vnd: int, enforcement_costs_vnd: int,
                       secured_claim_item_id: str | None) -> list[dict[str, Any]]:
        """How the money of a sale is split (LCJE Art. 47): the enforcement costs first (kept by the
        agency), then, when the asset is a secured creditor's collateral, the rest as a COLLATERAL share
        on the secured claim item (paid first from its collateral, Art. 47(3)); otherwise the rest as a
        GENERAL share on the seizure's first claim item. Auctions does not know what each item still
        owes, so it names no finer split: intake allocates a general share, and whatever the
        collateral leaves over, over the case's items in the order of Art. 47(1)."""
        if enforcement_costs_vnd < 0 or enforcement_costs_vnd > amount_vnd:
            raise ProceedsSplitError(f"costs {enforcement_costs_vnd} outside [0, {amount_vnd}]",
                                     message_vi=f"Chi phí cưỡng chế phải từ 0 đến {vn_money(amount_vnd)}.")
        if self.secured_creditor_party_id is not None:
            if secured_claim_item_id is None:
                raise ProceedsSplitError("the asset is collateral: secured_claim_item_id is required")
            if str(secured_claim_item_id) not in self.claim_item_ids:
                raise ProceedsSplitError(f"claim item {secured_claim_item_id} is not secured by this seizure",
                                         message_vi="Khoản được bảo đảm không thuộc quyết định kê biên tài sản này.")
        elif secured_claim_item_id is not None:
            raise ProceedsSplitError("the asset secures no creditor",
                                     message_vi="Tài sản này không phải tài sản bảo đảm của người nhận thế chấp, cầm cố.")
        net = amount_vnd - enforcement_costs_vnd
        if net == 0:
            return []
        if secured_claim_item_id is not None:
            return [{"claim_item_id": str(secured_claim_item_id), "amount_vnd": net, "basis": "collateral"}]
        return [{"claim_item_id": self.claim_item_ids[0], "amount_vnd": net, "basis": "general"}]

    def record_payment(self, *, amount_vnd: int, paid_on: date, actor: str, at: datetime,
                       enforcement_costs_vnd: int = 0, secured_claim_item_id: str | None = None) -> None:
        self._ensure(Status.AWAITING_PAYMENT, doing="record the payment for")
        due = self.payment_due_on
        assert due is not None and self.hammer_price_vnd is not None
        if paid_on > due:
            raise PaymentOverdueError(f"paid {paid_on}, due by {due}",
                                      message_vi=f"Hạn thanh toán là {vn_date(due)}; việc bán phải bị hủy.")
        if amount_vnd != self.hammer_price_vnd:
            raise InvalidValueError(f"payment {amount_vnd} differs from the price {self.hammer_price_vnd}",
                                    message_vi=f"Số tiền thanh toán phải bằng giá trúng đấu giá "
                                               f"{vn_money(self.hammer_price_vnd)}.")
        shares = self.split_proceeds(amount_vnd, enforcement_costs_vnd, secured_claim_item_id)
        self._paid(amount_vnd=amount_vnd, paid_on=paid_on, sold_on=self.closed_on, **self._published(),
                   actor=actor, at=at, enforcement_costs_vnd=enforcement_costs_vnd, shares=shares,
                   secured_creditor_party_id=self.secured_creditor_party_id)

    @event("SalePaid")
    def _paid(self, amount_vnd: int, paid_on: date, sold_on: date, case_id: UUID, unit: str,
              claim_item_ids: list[str], round_number: int, actor: str, at: datetime,
              enforcement_costs_vnd: int = 0, shares: list[dict[str, Any]] | None = None,
              secured_creditor_party_id: str | None = None) -> None:
        # shares None: stored before the split existed (then: the whole amount on the first item)
        self.paid_on, self.status, self.last_at = paid_on, Status.SOLD, at
        self.proceeds_shares = shares
        self.enforcement_costs_vnd = enforcement_costs_vnd

    @property
    def handover_due_on(self) -> date | None:
        """The buyer receives the asset within 60 days of paying (Art. 103)."""
        if self.status is not Status.SOLD or self.paid_on is None or self.handed_over_on is not None:
            return None
        return self.paid_on + timedelta(days=HANDOVER_DAYS)

    def record_handover(self, *, handed_over_on: date, actor: str, at: datetime) -> None:
        """The asset is handed to the buyer; a late handover is recorded (the deadline shows it was
        missed), not refused: the buyer must still receive the asset."""
        self._ensure(Status.SOLD, doing="hand over")
        if self.handed_over_on is not None:
            raise WrongStatusError("already handed over", message_vi="Tài sản đã được giao cho người mua.")
        assert self.paid_on is not None
        if handed_over_on < self.paid_on:
            raise InvalidValueError("handover before payment",
                                    message_vi="Ngày giao tài sản không được trước ngày thanh toán.")
        due = self.handover_due_on
        self._handed_over(handed_over_on=handed_over_on, late=bool(due and handed_over_on > due), actor=actor, at=at)

    @event("HandedOver")
    def _handed_over(self, handed_over_on: date, late: bool, actor: str, at: datetime) -> None:
        self.handed_over_on, self.last_at = handed_over_on, at

    def cancel_unpaid_sale(self, *, on: date, actor: str, at: datetime) -> None:
        """After the 30 days: the sale is cancelled and the winner's deposit forfeited (to the budget)."""
        self._ensure(Status.AWAITING_PAYMENT, doing="cancel the unpaid sale of")
        due = self.payment_due_on
        assert due is not None
        if on <= due:
            raise PaymentOverdueError(f"payment still due until {due}",
                                      message_vi=f"Người trúng đấu giá còn hạn thanh toán đến {vn_date(due)}.")
        self._sale_cancelled(on=on, winner_id=self.winner_id, forfeited_vnd=self.bidders.get(self.winner_id or "", 0),
                             actor=actor, at=at)

    @event("UnpaidSaleCancelled")
    def _sale_cancelled(self, on: date, winner_id: str | None, forfeited_vnd: int, actor: str, at: datetime) -> None:
        self.forfeited_deposits.append({"bidder_id": winner_id, "amount_vnd": forfeited_vnd, "on": on})
        self.refunded = self.refunded | ({winner_id} if winner_id else set())   # forfeited: not owed back
        self.winner_id, self.hammer_price_vnd = None, None
        self.status, self.last_at = Status.FAILED, at

    # ------------------------------------------------------------------ after a failed round
    def cut_price(self, *, new_starting_price_vnd: int, decided_on: date, actor: str, at: datetime) -> None:
        self._ensure(Status.FAILED, doing="cut the price of")
        assert self.starting_price_vnd is not None
        floor = self.starting_price_vnd - self.starting_price_vnd * MAX_CUT_PCT // 100
        if new_starting_price_vnd >= self.starting_price_vnd:
            raise InvalidValueError("a cut must lower the price", message_vi="Giá mới phải thấp hơn giá khởi điểm trước.")
        if new_starting_price_vnd < floor:
            raise CutTooLargeError(f"{new_starting_price_vnd} below {floor} (10 % of {self.starting_price_vnd})",
                                   message_vi=f"Giá khởi điểm mới không được thấp hơn {vn_money(floor)} "
                                              f"(giảm tối đa 10% của {vn_money(self.starting_price_vnd)}).")
        self._price_cut(previous_vnd=self.starting_price_vnd, new_starting_price_vnd=new_starting_price_vnd,
                        cut_number=self.cuts + 1, decided_on=decided_on, actor=actor, at=at)

    @event("PriceCut")
    def _price_cut(self, previous_vnd: int, new_starting_price_vnd: int, cut_number: int, decided_on: date,
                   actor: str, at: datetime) -> None:
        self.starting_price_vnd, self.cuts = new_starting_price_vnd, cut_number
        self.status, self.last_at = Status.VALUED, at

    def creditor_accepts(self, *, creditor_party_id: str, claim_item_id: str, accepted_on: date, actor: str,
                         at: datetime) -> None:
        """From the 2nd cut the creditor accepts the asset against the debt at the current starting price
        (Art. 104(3)); the debtor's 30 days to pay and keep it start."""
        self._ensure(Status.VALUED, Status.FAILED, doing="hand to the creditor")
        self._ensure_case_running("hand the asset to the creditor")
        if self.cuts < CUTS_BEFORE_CREDITOR:
            raise CreditorTooEarlyError(f"{self.cuts} cut(s) so far; the creditor may take it from the 2nd")
        if str(claim_item_id) not in self.claim_item_ids:
            raise InvalidValueError(f"claim item {claim_item_id} is not secured by this seizure",
                                    message_vi="Khoản phải thi hành không thuộc quyết định kê biên tài sản này.")
        self._creditor_accepted(creditor_party_id=str(creditor_party_id), claim_item_id=str(claim_item_id),
                                accepted_on=accepted_on, actor=actor, at=at)

    @event("CreditorAccepted")
    def _creditor_accepted(self, creditor_party_id: str, claim_item_id: str, accepted_on: date, actor: str,
                           at: datetime) -> None:
        self.accepted_by, self.accepted_claim_item_id = creditor_party_id, claim_item_id
        self.creditor_accepted_on, self.status, self.last_at = accepted_on, Status.CREDITOR_ACCEPTED, at

    @property
    def debtor_window_ends_on(self) -> date | None:
        """The last day the debtor may pay and keep the asset the creditor accepted (Art. 104(3))."""
        if self.status is not Status.CREDITOR_ACCEPTED or self.creditor_accepted_on is None:
            return None
        if self.creditor_accepted_on >= LAW_2025_IN_FORCE:
            return add_working_days(self.creditor_accepted_on, DEBTOR_WINDOW_WD_FROM_2026)
        return self.creditor_accepted_on + timedelta(days=DEBTOR_WINDOW_DAYS)

    def hand_to_creditor(self, *, creditor_party_id: str, claim_item_id: str, taken_on: date, actor: str,
                         at: datetime, owed_vnd: int | None = None, excess_paid_vnd: int = 0) -> None:
        """The creditor that accepted the asset receives it once the debtor's 30 days passed, at the
        current starting price (Art. 104(3)). `owed_vnd`: what the claim item still owes (intake's
        figure); a value above it is the excess the creditor pays (`excess_paid_vnd`, exactly)."""
        if self.status in (Status.VALUED, Status.FAILED) and self.cuts >= CUTS_BEFORE_CREDITOR:
            raise DebtorWindowOpenError("the creditor's acceptance is not recorded yet (creditor-acceptance)",
                                        message_vi="Chưa ghi nhận việc người được thi hành án đồng ý nhận tài sản; "
                                                   "thời hạn 30 ngày của người phải thi hành án chưa bắt đầu.")
        if self.status in (Status.VALUED, Status.FAILED):
            raise CreditorTooEarlyError(f"{self.cuts} cut(s) so far; the creditor may take it from the 2nd")
        self._ensure(Status.CREDITOR_ACCEPTED, doing="hand to the creditor")
        self._ensure_case_running("hand the asset to the creditor")
        if (str(creditor_party_id), str(claim_item_id)) != (self.accepted_by, self.accepted_claim_item_id):
            raise InvalidValueError("not the creditor and claim item that accepted the asset",
                                    message_vi="Người nhận và khoản phải thi hành phải đúng như khi người được thi "
                                               "hành án đồng ý nhận tài sản.")
        ends = self.debtor_window_ends_on
        assert ends is not None and self.starting_price_vnd is not None
        if taken_on <= ends:
            raise DebtorWindowOpenError(f"taken {taken_on}, the debtor may pay until {ends}",
                                        legal_basis="Luật THADS Điều 104(3)" if self.creditor_accepted_on
                                        < LAW_2025_IN_FORCE else "Nghị định 152/2026 Điều 65, 66",
                                        message_vi=f"Người phải thi hành án được nộp tiền nhận lại tài sản đến hết "
                                                   f"ngày {vn_date(ends)}.")
        value = self.starting_price_vnd
        excess = max(0, value - owed_vnd) if owed_vnd is not None else 0
        if owed_vnd is not None and owed_vnd <= 0:
            raise InvalidValueError("owed_vnd must be positive", message_vi="Số tiền còn phải thi hành phải lớn hơn 0.")
        if excess_paid_vnd != excess:
            raise ExcessNotPaidError(f"excess {excess} (value {value} - owed {owed_vnd}), paid {excess_paid_vnd}",
                                     message_vi=f"Phần chênh lệch người được thi hành án phải nộp là {vn_money(excess)} "
                                                f"(giá trị tài sản {vn_money(value)}).")
        self._taken(creditor_party_id=str(creditor_party_id), claim_item_id=str(claim_item_id),
                    value_vnd=value - excess, taken_on=taken_on, **self._published(), actor=actor, at=at)
        if excess:
            # the debtor's money: on another item of the seizure when there is one (the taken item is
            # settled), allocated by intake over the case (Art. 47)
            item = next((i for i in self.claim_item_ids if i != str(claim_item_id)), self.claim_item_ids[0])
            shares = [{"claim_item_id": item, "amount_vnd": excess, "basis": "general"}]
            self._excess_paid(amount_vnd=excess, paid_on=taken_on, **self._published(), actor=actor, at=at,
                              shares=shares)

    @event("TakenByCreditor")
    def _taken(self, creditor_party_id: str, claim_item_id: str, value_vnd: int, taken_on: date, case_id: UUID,
               unit: str, claim_item_ids: list[str], round_number: int, actor: str, at: datetime) -> None:
        self.taken_by, self.taken_claim_item_id, self.taken_on = creditor_party_id, claim_item_id, taken_on
        self.status, self.last_at = Status.TAKEN_BY_CREDITOR, at

    @event("CreditorExcessPaid")
    def _excess_paid(self, amount_vnd: int, paid_on: date, case_id: UUID, unit: str, claim_item_ids: list[str],
                     round_number: int, actor: str, at: datetime, shares: list[dict[str, Any]]) -> None:
        """The excess is the debtor's money: a general share intake allocates over the case (Art. 47)."""
        self.excess_paid_vnd, self.last_at = amount_vnd, at

    # ------------------------------------------------------------------ co-owners' pre-emption
    def sell_to_co_owner(self, *, buyer_id: str, price_vnd: int, sold_on: date, actor: str, at: datetime,
                         enforcement_costs_vnd: int = 0, secured_claim_item_id: str | None = None) -> None:
        """A co-owner (or another holder of a pre-emption right) buys the asset at no less than the
        starting price before it is announced for auction (LCJE Art. 101; Civil Code Art. 218)."""
        self._ensure(Status.VALUED, Status.FAILED, doing="sell to a co-owner")
        self._ensure_case_running("sell the asset")
        assert self.starting_price_vnd is not None
        if price_vnd < self.starting_price_vnd:
            raise PreEmptionBelowPriceError(f"price {price_vnd} below the starting price {self.starting_price_vnd}",
                                            message_vi=f"Giá mua không được thấp hơn giá khởi điểm "
                                                       f"{vn_money(self.starting_price_vnd)}.")
        if not buyer_id.strip():
            raise InvalidValueError("buyer is required", message_vi="Phải nêu người mua tài sản.")
        if sold_on < self.seized_on:
            raise InvalidValueError("sale before seizure", message_vi="Ngày bán không được trước ngày kê biên.")
        shares = self.split_proceeds(price_vnd, enforcement_costs_vnd, secured_claim_item_id)
        self._sold_to_co_owner(buyer_id=buyer_id, price_vnd=price_vnd, sold_on=sold_on, **self._published(),
                               actor=actor, at=at, enforcement_costs_vnd=enforcement_costs_vnd, shares=shares,
                               secured_creditor_party_id=self.secured_creditor_party_id)

    @event("SoldToCoOwner")
    def _sold_to_co_owner(self, buyer_id: str, price_vnd: int, sold_on: date, case_id: UUID, unit: str,
                          claim_item_ids: list[str], round_number: int, actor: str, at: datetime,
                          enforcement_costs_vnd: int, shares: list[dict[str, Any]],
                          secured_creditor_party_id: str | None) -> None:
        self.buyer_id, self.hammer_price_vnd, self.closed_on, self.paid_on = buyer_id, price_vnd, sold_on, sold_on
        self.proceeds_shares, self.enforcement_costs_vnd = shares, enforcement_costs_vnd
        self.status, self.last_at = Status.SOLD, at

    # ------------------------------------------------------------------ the debtor keeps or gets back the asset
    def redeem(self, *, amount_vnd: int, redeemed_on: date, actor: str, at: datetime) -> None:
        """The debtor pays what is owed and keeps the asset: any time before an announced round, and
        during one until 1 working day before the auction (Art. 101). The money is paid to the case
        (intake) as a voluntary payment; here the sale stops."""
        self._ensure(Status.SEIZED, Status.VALUED, Status.ANNOUNCED, Status.FAILED, Status.CREDITOR_ACCEPTED,
                     doing="redeem")
        if amount_vnd <= 0:
            raise InvalidValueError("amount must be positive", message_vi="Số tiền phải lớn hơn 0.")
        ends = self.debtor_window_ends_on
        if ends is not None and redeemed_on > ends:
            raise RedemptionTooLateError(f"redeemed {redeemed_on}, the window ended {ends}",
                                         legal_basis="Luật THADS Điều 104(3)",
                                         message_vi=f"Thời hạn 30 ngày để nộp tiền nhận lại tài sản đã hết ngày "
                                                    f"{vn_date(ends)}.")
        if self.status is Status.ANNOUNCED:
            assert self.auction_on is not None
            if add_working_days(redeemed_on, 1) > self.auction_on:
                raise RedemptionTooLateError(f"redeemed {redeemed_on}, auction on {self.auction_on}",
                                             message_vi=f"Cuộc đấu giá mở ngày {vn_date(self.auction_on)}: đã quá "
                                                        f"hạn nộp tiền để nhận lại tài sản.")
        self._redeemed(amount_vnd=amount_vnd, redeemed_on=redeemed_on, actor=actor, at=at)

    @event("Redeemed")
    def _redeemed(self, amount_vnd: int, redeemed_on: date, actor: str, at: datetime) -> None:
        self.status, self.last_at = Status.REDEEMED, at

    def return_to_debtor(self, *, enforcement_costs_vnd: int, returned_on: date, actor: str, at: datetime) -> None:
        """After cuts, when the price has fallen to the enforcement costs and the creditor did not take
        the asset, it goes back to the debtor with a transfer ban (Art. 104); the case is postponed by
        the head's decision (Art. 48(1)(h)), not here."""
        self._ensure(Status.VALUED, Status.FAILED, doing="return to the debtor")
        assert self.starting_price_vnd is not None
        if self.cuts < 1 or self.starting_price_vnd > enforcement_costs_vnd:
            raise ReturnAboveCostsError(
                f"price {self.starting_price_vnd} after {self.cuts} cut(s) vs costs {enforcement_costs_vnd}",
                message_vi=f"Giá hiện tại {vn_money(self.starting_price_vnd)} còn cao hơn chi phí cưỡng chế "
                           f"{vn_money(enforcement_costs_vnd)} (hoặc chưa giảm giá lần nào).")
        self._returned(enforcement_costs_vnd=enforcement_costs_vnd, returned_on=returned_on, **self._published(),
                       actor=actor, at=at)

    @event("ReturnedToDebtor")
    def _returned(self, enforcement_costs_vnd: int, returned_on: date, case_id: UUID, unit: str,
                  claim_item_ids: list[str], round_number: int, actor: str, at: datetime) -> None:
        self.status, self.last_at = Status.RETURNED, at

    # ------------------------------------------------------------------ the case's decisions
    PENDING = (Status.SEIZED, Status.VALUED, Status.ANNOUNCED, Status.FAILED, Status.CREDITOR_ACCEPTED)

    def pause_for_case(self, *, reason: str, decision_number: str, actor: str, at: datetime) -> bool:
        """A suspension or postponement of the case halts this asset's pending auction. False (nothing
        recorded) when the asset is already paused or no longer pending."""
        if self.case_paused or self.status not in self.PENDING:
            return False
        self._paused(reason=reason, decision_number=decision_number, actor=actor, at=at)
        return True

    @event("PausedForCase")
    def _paused(self, reason: str, decision_number: str, actor: str, at: datetime) -> None:
        self.case_paused = True
        if self.status is Status.ANNOUNCED:      # the announced round is postponed: announce again later
            for b, v in self.bidders.items():    # its deposits are owed back (LPA Art. 39)
                self.postponed_deposits[b] = self.postponed_deposits.get(b, 0) + v
            if self.bidders:
                self.postponed_on = at.astimezone(VN_TZ).date()
            self.bidders, self.bids = {}, []
            self.status = Status.VALUED
        self.last_at = max(self.last_at, at)

    def resume_for_case(self, *, decision_number: str, actor: str, at: datetime) -> bool:
        if not self.case_paused or self.status is Status.CANCELLED:
            return False
        self._resumed(decision_number=decision_number, actor=actor, at=at)
        return True

    @event("ResumedForCase")
    def _resumed(self, decision_number: str, actor: str, at: datetime) -> None:
        self.case_paused, self.last_at = False, max(self.last_at, at)

    def cancel_for_case(self, *, reason: str, decision_number: str, actor: str, at: datetime) -> bool:
        """A termination or revocation of the case cancels the asset's pending sale."""
        if self.status not in self.PENDING:
            return False
        self._cancelled(reason=reason, decision_number=decision_number, actor=actor, at=at)
        return True

    @event("CancelledForCase")
    def _cancelled(self, reason: str, decision_number: str, actor: str, at: datetime) -> None:
        self.status, self.last_at = Status.CANCELLED, max(self.last_at, at)
