"""Auctions HTTP API: one route per command on a seized asset, reads scoped by office, and the
public, token-free auction notices and bid-log digest check.

Who may act: officers and heads of the asset's office (staff are bound to their office: 403
asset.other_office otherwise); an auction organisation (role `organisation`; its token's `sub` is
the organisation's id, the `organisation_id` of the contract, and its `unit` its own code, not an
office) announces, registers bidders, takes bids and closes the rounds of the assets contracted to
it, and only those (403 asset.other_organisation). The domain decides what is allowed in which state
and refuses with the rule's name (409) — nothing is written then. Every command goes through the
kit's batcher, so an `Idempotency-Key` makes it idempotent.

Reads use the kit's office scoping (thads_kit.scoping): own office for staff, the province for the
procuracy and auditors, everything for admin; a bank reads an asset of a case where it is a party
(the case_banks read model from intake's PartyAdded); an organisation reads the assets contracted
to it (403 read_scope.organisation_own_auctions otherwise) and lists only those."""

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal
from uuid import UUID, uuid5

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from thads_kit.auth import Principal, require
from thads_kit.errors import error_responses
from thads_kit.scoping import OutOfScopeError, UnitFilter, check_case_read, unit_filter

from . import application as appl
from . import projections
from .domain import AssetKind, Status, ValuationMethod, bid_log_digest
from .translation import actor_string

VN_TZ = timezone(timedelta(hours=7))
ACTORS = ("officer", "head")
ROUND_ACTORS = ("officer", "head", "organisation")   # the contracted organisation runs the rounds
READERS = ("officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin", "organisation")
ASSET_READERS = (*READERS, "bank")                   # a bank: the assets of its own cases only
OFFICE_BOUND = frozenset({"officer", "head", "clerk", "accountant"})
MAX_VND = 2**53 - 1

router = APIRouter(tags=["auctions"], responses=error_responses(400, 401, 403, 404, 409, 422, 503))
public = APIRouter(tags=["công khai"], responses=error_responses(400, 422))

Money = Annotated[int, Field(gt=0, le=MAX_VND, description="Số tiền (đồng)")]
# Patterns only in ASCII classes: Python's and ECMA's \s and \S disagree on some characters, and the
# OpenAPI must promise exactly what the API accepts (a blank text is the domain's refusal, 409).
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^[^\x00]+$")]
DocNo = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
PartyRef = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[!-~]+$",
                                description="Mã người tham gia đấu giá (ký tự ASCII in được, không khoảng trắng)")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    occurred_at: AwareDatetime | None = Field(None, description="Thời điểm nghiệp vụ (mặc định: bây giờ)")


class SeizureIn(Body):
    case_id: UUID
    kind: AssetKind
    description: Text = Field(description="Mô tả tài sản (không ghi thông tin cá nhân của chủ sở hữu)")
    claim_item_ids: list[UUID] = Field(min_length=1, max_length=100)
    decision_number: DocNo
    seized_on: date
    secured_creditor_party_id: UUID | None = None
    perishable: bool = False


class ValuationIn(Body):
    method: ValuationMethod
    price_vnd: Money
    valued_on: date
    valuer_contracted_on: date | None = None


class RevaluationIn(Body):
    price_vnd: Money
    requested_on: date
    valued_on: date


class AnnounceIn(Body):
    announced_on: date
    second_announced_on: date | None = Field(
        None, description="Lần thông báo thứ hai (bắt buộc với bất động sản và động sản từ 50 triệu đồng)")
    no_organisation_available: bool = Field(
        False, description="Không có tổ chức đấu giá tài sản nào nhận: Chấp hành viên tự bán đấu giá")
    auction_on: date
    deposit_vnd: Money
    place: Text
    organiser: Text


class BidderIn(Body):
    bidder_id: PartyRef
    deposit_paid_vnd: Money


class BidIn(Body):
    bidder_id: PartyRef
    amount_vnd: Money


class CloseIn(Body):
    closed_on: date


class SplitIn(Body):
    enforcement_costs_vnd: Annotated[int, Field(ge=0, le=MAX_VND)] = Field(
        0, description="Chi phí cưỡng chế trừ trước từ tiền bán tài sản (Điều 47)")
    secured_claim_item_id: UUID | None = Field(
        None, description="Khoản phải thi hành được bảo đảm bằng tài sản (bắt buộc khi tài sản đang thế chấp, cầm cố)")


class PaymentIn(SplitIn):
    amount_vnd: Money
    paid_on: date


class CancelUnpaidIn(Body):
    on: date


class CutIn(Body):
    new_starting_price_vnd: Money
    decided_on: date


class CreditorAcceptsIn(Body):
    creditor_party_id: UUID
    claim_item_id: UUID
    accepted_on: date


class CreditorTakesIn(Body):
    creditor_party_id: UUID
    claim_item_id: UUID
    taken_on: date
    owed_vnd: Money | None = Field(None, description="Số tiền khoản phải thi hành còn phải thi hành (để tính phần "
                                                     "chênh lệch người được thi hành án phải nộp)")
    excess_paid_vnd: Annotated[int, Field(ge=0, le=MAX_VND)] = Field(
        0, description="Phần chênh lệch giữa giá trị tài sản và số tiền được thi hành án mà người nhận đã nộp")


class CoOwnerSaleIn(SplitIn):
    buyer_id: PartyRef
    price_vnd: Money
    sold_on: date


class RedeemIn(Body):
    amount_vnd: Money
    redeemed_on: date


class RefundIn(Body):
    refunded_on: date


class OrganisationContractIn(Body):
    organisation: Text = Field(description="Tên tổ chức đấu giá tài sản")
    contracted_on: date
    organisation_id: PartyRef | None = Field(
        None, description="Mã tổ chức đấu giá trên hệ thống (chủ thể của mã truy cập của tổ chức)")
    parties_agreed_on: date | None = Field(
        None, description="Ngày đương sự thỏa thuận lựa chọn tổ chức đấu giá (trống: Chấp hành viên lựa chọn)")


class SaleWithoutAuctionIn(SplitIn):
    buyer_id: PartyRef
    price_vnd: Money
    sold_on: date


class HandoverIn(Body):
    handed_over_on: date


class ReturnIn(Body):
    enforcement_costs_vnd: Money
    returned_on: date


def _rt(request: Request) -> Any:
    return request.app.state.runtime


def _schema(request: Request) -> str:
    return request.app.state.settings.schema


def office_of(principal: Principal) -> str | None:
    return principal.unit if principal.role in OFFICE_BOUND else None


def organisation_of(principal: Principal) -> str | None:
    return principal.sub if principal.role == "organisation" else None


def _kwargs(body: Body, principal: Principal) -> dict[str, Any]:
    values = {k: (str(v) if isinstance(v, UUID) else v) for k, v in body.model_dump(exclude={"occurred_at"}).items()}
    return values | {"actor": actor_string(principal.role, principal.sub), "at": body.occurred_at}


@router.post("/assets", summary="Ghi nhận tài sản kê biên (khi chưa nhận được từ việc thi hành án)", status_code=200)
async def register_seized_asset(request: Request, body: SeizureIn,
                                principal: Annotated[Principal, Depends(require(*ACTORS))]) -> Any:
    """The asset id is uuid5(case id, "seizure/<decision number>"), the id intake gives the asset of
    the same seizure decision: the officer's record and intake's SeizureOrdered make ONE asset."""
    rt = _rt(request)
    asset_id = uuid5(body.case_id, f"seizure/{body.decision_number}")
    kwargs = _kwargs(body, principal) | {"asset_id": asset_id, "case_id": body.case_id, "unit": principal.unit,
                                         "claim_item_ids": [str(i) for i in body.claim_item_ids],
                                         "kind": body.kind.value}
    return await rt.batcher.submit(asset_id, appl.seize(rt.app, unit_must_be=office_of(principal), **kwargs))


def command_route(path: str, command: str, body_type: type[Body], summary: str,
                  roles: tuple[str, ...] = ACTORS) -> None:
    async def endpoint(request: Request, asset_id: UUID, body: body_type,  # type: ignore[valid-type]
                       principal: Principal = Depends(require(*roles))) -> Any:
        rt = _rt(request)
        return await rt.batcher.submit(asset_id, appl.act(rt.app, asset_id, command, _kwargs(body, principal),
                                                          unit_must_be=office_of(principal),
                                                          organisation_must_be=organisation_of(principal)))

    endpoint.__name__ = command
    router.post(f"/assets/{{asset_id}}/{path}", summary=summary)(endpoint)


command_route("valuation", "value", ValuationIn, "Thẩm định giá / xác định giá tài sản")
command_route("revaluation", "revalue", RevaluationIn, "Định giá lại tài sản (một lần)")
command_route("organisation-contract", "contract_organisation", OrganisationContractIn,
              "Ký hợp đồng dịch vụ đấu giá với tổ chức đấu giá tài sản (trong 10 ngày kể từ khi thẩm định giá)")
command_route("sale-without-auction", "sell_without_auction", SaleWithoutAuctionIn,
              "Bán tài sản không qua đấu giá (giá trị dưới 2 triệu đồng hoặc mau hỏng)")
command_route("handover", "record_handover", HandoverIn, "Giao tài sản cho người mua (trong 60 ngày kể từ khi thanh toán)")
command_route("auctions", "announce", AnnounceIn, "Niêm yết, thông báo công khai cuộc đấu giá", ROUND_ACTORS)
command_route("bidders", "register_bidder", BidderIn, "Đăng ký người tham gia đấu giá (đã nộp tiền đặt trước)",
              ROUND_ACTORS)
command_route("bids", "place_bid", BidIn, "Ghi nhận giá trả", ROUND_ACTORS)
command_route("close", "close", CloseIn, "Kết thúc cuộc đấu giá", ROUND_ACTORS)
command_route("payment", "record_payment", PaymentIn, "Người trúng đấu giá thanh toán")
command_route("unpaid-cancellation", "cancel_unpaid_sale", CancelUnpaidIn,
              "Hủy kết quả bán đấu giá do không thanh toán đúng hạn (tịch thu tiền đặt trước)")
command_route("price-cuts", "cut_price", CutIn, "Giảm giá tài sản sau khi đấu giá không thành")
command_route("creditor-acceptance", "creditor_accepts", CreditorAcceptsIn,
              "Người được thi hành án đồng ý nhận tài sản (từ lần giảm giá thứ hai); bắt đầu 30 ngày của người phải "
              "thi hành án")
command_route("co-owner-sale", "sell_to_co_owner", CoOwnerSaleIn,
              "Bán tài sản cho chủ sở hữu chung, người có quyền ưu tiên mua (không thấp hơn giá khởi điểm)")
command_route("creditor-takes", "hand_to_creditor", CreditorTakesIn,
              "Người được thi hành án nhận tài sản để trừ vào số tiền được thi hành án")
command_route("deposit-refunds", "refund_deposits", RefundIn, "Trả lại tiền đặt trước cho người không trúng đấu giá")
command_route("redemption", "redeem", RedeemIn, "Người phải thi hành án nộp tiền để nhận lại tài sản")
command_route("return-to-debtor", "return_to_debtor", ReturnIn,
              "Trả lại tài sản cho người phải thi hành án khi giá không đủ chi phí cưỡng chế")


# ---------------------------------------------------------------------------- reads (office-scoped)
async def _readable(request: Request, asset_id: UUID, principal: Principal) -> Any:
    rt = _rt(request)
    asset = await rt.executor.run(rt.app.get_asset, asset_id)
    if principal.role == "organisation":
        if asset.contracted_organisation_id != principal.sub:
            raise OutOfScopeError("read_scope.organisation_own_auctions",
                                  "Tổ chức đấu giá tài sản chỉ được xem tài sản đã ký hợp đồng dịch vụ đấu giá với mình.",
                                  f"asset {asset_id} is not contracted to organisation {principal.sub}")
        return asset
    banks = await projections.banks_of_case(rt.pool, _schema(request), asset.case_id) if principal.role == "bank" else ()
    check_case_read(principal, asset.unit, banks, case_id=asset.case_id)
    return asset


@router.get("/assets/{asset_id}", summary="Tài sản kê biên: trạng thái, giá, các cuộc đấu giá")
async def get_asset(request: Request, asset_id: UUID,
                    principal: Annotated[Principal, Depends(require(*ASSET_READERS))]) -> Any:
    return appl.state(await _readable(request, asset_id, principal))


@router.get("/assets/{asset_id}/bids", summary="Nhật ký trả giá của vòng đấu giá hiện tại hoặc vừa kết thúc")
async def get_bids(request: Request, asset_id: UUID,
                   principal: Annotated[Principal, Depends(require(*ASSET_READERS))]) -> Any:
    asset = await _readable(request, asset_id, principal)
    return {"asset_id": str(asset.id), "round_number": asset.round_number, "bids": asset.bid_log(),
            "bid_log_sha256": bid_log_digest(asset.id, asset.round_number, asset.bid_log())}


StatusQ = Annotated[Status | None, Query()]
Unit = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[!-\-/-~]+$")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/assets", summary="Danh sách tài sản kê biên (theo phạm vi đơn vị của người xem)")
async def list_assets(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                      unit: Unit = None, status: StatusQ = None, case_id: UUID | None = None,
                      limit: Limit = 100, offset: Offset = 0) -> Any:
    f, organisation = _list_scope(principal, unit)
    items = await projections.list_assets(_rt(request).pool, _schema(request), f,
                                          status.value if status else None, case_id, limit, offset, organisation)
    return {"items": items}


def _list_scope(principal: Principal, unit: str | None) -> tuple[UnitFilter, str | None]:
    """An organisation lists the assets contracted to it (of any office, or of `unit`); everyone else
    by the kit's office rule."""
    if principal.role == "organisation":
        return UnitFilter(unit=unit), principal.sub
    return unit_filter(principal, unit), None


@router.get("/overdue", summary="Tài sản quá hạn theo luật: ký hợp đồng thẩm định giá, hợp đồng đấu giá, "
                     "mở đấu giá, bán không qua đấu giá, thanh toán, giao tài sản, trả tiền đặt trước")
async def overdue(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                  unit: Unit = None, as_of: date | None = None) -> Any:
    f, organisation = _list_scope(principal, unit)
    day = as_of or datetime.now(VN_TZ).date()
    return {"as_of": day, "items": await projections.overdue(_rt(request).pool, _schema(request), f, day,
                                                             organisation)}


# ---------------------------------------------------------------------------- public, no token
@public.get("/public/auction-notices", summary="Thông báo công khai việc bán đấu giá tài sản thi hành án")
async def auction_notices(request: Request, unit: Unit = None, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Asset, starting price, deposit, dates, place and organiser of every announced round; no
    personal data (LPA Art. 35)."""
    return {"items": await projections.public_notices(_rt(request).pool, _schema(request), unit, limit, offset)}


class LoggedBid(BaseModel):
    model_config = ConfigDict(extra="ignore")
    seq: int = Field(ge=1, le=10_000_000)
    bidder_id: PartyRef
    amount_vnd: Money
    at: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[!-~]+$",
                             description="Thời điểm trả giá, đúng như trong nhật ký (ISO 8601)")]


class DigestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_id: UUID
    round_number: int = Field(ge=1, le=10_000)
    bids: list[LoggedBid] = Field(max_length=100_000)
    expected_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class DigestOut(BaseModel):
    bid_log_sha256: str
    matches: bool | None = Field(description="Khớp với mã băm được so sánh (null: không gửi mã để so)")
    verdict: Literal["khớp", "không khớp", "chưa so sánh"]


@public.post("/auctions/bid-log/digest", summary="Tính lại mã băm nhật ký trả giá để đối chiếu", response_model=DigestOut)
async def recompute_digest(body: DigestIn) -> Any:
    """Anyone holding the bid list of a round recomputes the sha256 the close event published
    (auctions.AuctionOutcomeRecorded.v2 `bid_log_sha256`) and compares."""
    bids = [b.model_dump(mode="json") for b in body.bids]
    digest = bid_log_digest(body.asset_id, body.round_number, bids)
    matches = None if body.expected_sha256 is None else digest == body.expected_sha256
    return {"bid_log_sha256": digest, "matches": matches,
            "verdict": "chưa so sánh" if matches is None else ("khớp" if matches else "không khớp")}
