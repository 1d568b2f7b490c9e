"""Intake HTTP API: one route per command on a case, plus state and history.

Every command accepts an optional business time `occurred_at` (imported history); the recording
time is always now. A body that fails validation gets 422 naming the field, a rule violation 409
naming the rule, an unknown case 404 — and none of them writes anything.

Who may act where: the route's roles decide which token roles may call it; the domain decides
which role may do what in which state. On top of that, every role that may command a case (head,
officer, clerk) is bound to its office: the token's unit must be the case's unit (and the `unit` of
a case being opened), otherwise 403 WrongOfficeError. No role is exempt: the national roles
(procuracy, auditor, admin) may read any office's cases but command none, so no command needs a
cross-office exception. An officer acts only on a case assigned to them (403 NotYourCaseError,
also when no officer is assigned yet); clerks and heads act on any case of their office.
Who may READ a case is the kit's one scoping rule (thads_kit.scoping.check_case_read): own office for
staff and accountants, the province for the procuracy and auditors, a bank only its own cases.

Business time may not lie more than MAX_FUTURE ahead of now. JSON Schema cannot state a bound that
moves with the clock, so this is not a validation error (a body the schema allows is never refused
as 422): it is a documented rule refusal, 409 BusinessTimeInFutureError, like a backdated event.
Every error body is the kit's (thads_kit.errors.ErrorBody), documented on every route.

Fields that reach a published event use the contract's own types and bounds (BankCode,
DocumentNumber, money ≤ MAX_SAFE_VND) or a subset of them (OfficeCode, ActorId below): a body the API accepts must make an event the
contract accepts, or the relay could not publish it and every later event would wait behind it."""
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Callable, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AwareDatetime, Field, model_validator

from thads_contracts.common import MAX_SAFE_VND, BankCode, DocumentNumber
from thads_kit.auth import Principal, require
from thads_kit.bodies import RequestBody
from thads_kit.commands import write_with_next_command
from thads_kit.errors import error_responses
from thads_kit.scoping import OutOfScopeError, check_case_read, may_read

from . import application as appl
from . import personal_data, read_model
from .domain import (
    Actor, AssetKind, IntakeError, Basis, Channel, ClaimKind, CoerciveMeasure, CollectionChannel, DelegationGround, Matter,
    NoConditionGround, Origin, PartyKind, PartyRole, PostponementGround, RefusalGround, RevocationGround,
    Role, SecurityMeasure, SuspensionGround, TerminationGround, VerificationOutcome,
)

VN_TZ = timezone(timedelta(hours=7))
router = APIRouter(tags=["intake"])

# token roles → the domain's roles (the domain checks which role may do what, per domain.md §6)
DOMAIN_ROLE = {"head": Role.HEAD, "officer": Role.OFFICER, "clerk": Role.CLERK, "auditor": Role.INSPECTOR,
               "accountant": Role.ACCOUNTANT}
STAFF = ("head", "officer", "clerk")
READERS = ("head", "officer", "clerk", "accountant", "procuracy", "auditor", "admin")
OFFICE_BOUND = frozenset({"head", "officer", "clerk", "accountant"})   # act on and read their own office's cases only
# Tolerated clock difference between a client and this service. A later business time would make
# every real-time command on the case "backdated" until that time comes.
MAX_FUTURE = timedelta(minutes=5)
# Office codes and officer ids: visible ASCII (no space; no '.' in an office code). A subset of the
# contract's OfficeCode/ActorId that every regex engine reads alike (the contract's `\s` differs
# between JSON Schema's ECMA regexes and pydantic's: U+0085 is a space to one and not the other).
OfficeCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[!-\-/-~]+$")]
ActorId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[!-~]+$")]
COMMAND_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 503)   # 400: a body that is not UTF-8 JSON
OPEN_ERRORS = error_responses(400, 401, 403, 409, 422, 503)
READ_ERRORS = error_responses(401, 403, 404, 422)


class BusinessTimeInFutureError(IntakeError):
    rule = "occurred_at_not_after_now_plus_5_minutes"
    message_vi = ("Thời điểm nghiệp vụ (occurred_at) không được muộn hơn thời điểm hiện tại quá 5 phút; "
                  "không có gì được ghi.")


class Body(RequestBody):
    """Every command's body: unknown fields and NUL characters refused (thads_kit.bodies)."""
    occurred_at: AwareDatetime | None = Field(
        None, description="Thời điểm nghiệp vụ (mặc định: bây giờ); dùng khi nhập dữ liệu lịch sử. "
                          "Không được muộn hơn hiện tại quá 5 phút: nếu muộn hơn, yêu cầu bị từ chối với "
                          "409 BusinessTimeInFutureError (rule occurred_at_not_after_now_plus_5_minutes)")

    @model_validator(mode="after")
    def _not_in_the_future(self) -> "Body":
        # Raised as a rule refusal, not a ValueError: pydantic lets it through, so FastAPI answers 409
        # (after the body is otherwise valid) instead of 422 for a body its schema allows.
        if self.occurred_at is not None and self.occurred_at > datetime.now(timezone.utc) + MAX_FUTURE:
            minutes = int(MAX_FUTURE.total_seconds() // 60)
            raise BusinessTimeInFutureError(
                f"occurred_at {self.occurred_at.isoformat()} is later than now + {minutes} minutes (the business"
                " time of a step cannot lie in the future)")
        return self


def actor_of(principal: Principal) -> Actor:
    return Actor(id=principal.sub, role=DOMAIN_ROLE.get(principal.role, Role.SYSTEM))


def office_of(principal: Principal) -> str | None:
    """The office a caller is bound to (None: a national role, not bound to one office)."""
    return principal.unit if principal.role in OFFICE_BOUND else None


def business_time(body: Body) -> datetime:
    return body.occurred_at or datetime.now(VN_TZ)


def runtime(request: Request) -> Any:
    return request.app.state.runtime


# ---------------------------------------------------------------------------- opening a case
class JudgmentIn(Body):
    unit: OfficeCode = Field(description="Mã cơ quan THADS")
    intake_ref: str = Field(min_length=1, max_length=64, description="Số vào sổ nhận bản án")
    judgment_number: str = Field(min_length=1, max_length=64, description="Số bản án, quyết định")
    issuing_court: str = Field(min_length=1, max_length=200, description="Tòa án ra bản án")
    judgment_effective_on: date | None = None
    matter: Matter = Matter.ORDINARY
    channel: Channel = Field(Channel.POST, description="Kênh nhận bản án (mặc định: qua bưu điện)")


class RequestIn(Body):
    unit: OfficeCode
    intake_ref: str = Field(min_length=1, max_length=64, description="Số vào sổ nhận đơn")
    channel: Channel = Field(description="Trực tiếp, qua bưu điện hoặc trực tuyến")
    filed_on: date | None = Field(None, description="Ngày nộp đơn hoặc ngày dấu bưu điện")
    judgment_number: str = Field(min_length=1, max_length=64)
    issuing_court: str = Field(min_length=1, max_length=200)
    judgment_effective_on: date | None = None


async def _open(rt: Any, principal: Principal, origin: Origin, body: JudgmentIn | RequestIn) -> Any:
    unit = office_of(principal)
    if unit is not None and body.unit != unit:
        raise appl.WrongOfficeError(f"a token of office {unit} cannot open a case of office {body.unit}")
    kwargs = body.model_dump(exclude={"occurred_at", "unit", "intake_ref"}, exclude_none=True)
    case_id, fn = appl.open_case(rt.app, origin, body.unit, body.intake_ref, at=business_time(body),
                                 actor=actor_of(principal), **kwargs)
    return await rt.batcher.submit(case_id, fn)


@router.post("/cases/judgments", status_code=status.HTTP_201_CREATED, summary="Nhận bản án, quyết định (chủ động)",
             responses=OPEN_ERRORS)
async def receive_judgment(request: Request, body: JudgmentIn,
                           principal: Annotated[Principal, Depends(require("clerk", "head"))]) -> Any:
    return await _open(runtime(request), principal, Origin.JUDGMENT, body)


@router.post("/cases/requests", status_code=status.HTTP_201_CREATED, summary="Nhận đơn yêu cầu thi hành án",
             responses=OPEN_ERRORS)
async def receive_request(request: Request, body: RequestIn,
                          principal: Annotated[Principal, Depends(require("clerk", "head"))]) -> Any:
    return await _open(runtime(request), principal, Origin.REQUEST, body)


def register_fast_commands(lane: Any, rt: Any) -> None:
    """The two routes above in the kit's fast lane (thads_kit.http.FastLane.post): the same `_open`,
    for a request the lane can take (valid token of a clerk or head, no Idempotency-Key, a body that
    validates); anything else reaches the route. A write's HTTP cost halves (py-spy, issue 13)."""
    lane.post("/cases/judgments", ("clerk", "head"), JudgmentIn,
              lambda principal, _match, body: _open(rt, principal, Origin.JUDGMENT, body))
    lane.post("/cases/requests", ("clerk", "head"), RequestIn,
              lambda principal, _match, body: _open(rt, principal, Origin.REQUEST, body))


# ---------------------------------------------------------------------------- commands on a case
class Refusal(Body):
    ground: RefusalGround


class Decision(Body):
    decision_no: DocumentNumber
    basis: Basis


class PartyIn(Body):
    party_id: UUID
    role: PartyRole
    kind: PartyKind
    bank_code: BankCode | None = None
    full_name: str = Field(min_length=1, max_length=200, description="Họ tên / tên tổ chức (dữ liệu cá nhân)")
    id_number: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=32)


class ErasureIn(Body):
    """An audited erasure of a party's personal data (domain/erasure.py): refused while the case file
    keeps it (open case, or fewer than 5 years since its last step)."""
    party_id: UUID
    ground: Literal["consent_withdrawn", "purpose_fulfilled", "unlawful_processing", "authority_order"] = Field(
        description="Căn cứ xóa (Điều 16 Nghị định 13/2023/NĐ-CP)")
    requested_by: Literal["data_subject", "legal_representative", "competent_authority"] = Field(
        description="Ai yêu cầu xóa")
    request_ref: str = Field(min_length=1, max_length=64, pattern=r"\S", description="Số văn bản yêu cầu / quyết định")


class ClaimItemIn(Body):
    claim_item_id: UUID
    kind: ClaimKind
    amount_vnd: int = Field(gt=0, le=MAX_SAFE_VND, description="Số tiền (đồng)")
    creditor_party_id: UUID
    secured: bool = False
    ex_officio: bool = False
    due_on: date | None = Field(None, description="Ngày đến hạn riêng của khoản (trả dần, cấp dưỡng): thời hiệu "
                                                  "5 năm tính từ ngày này")


class OfficerIn(Body):
    officer_id: ActorId


class ReassignIn(OfficerIn):
    reason: str = ""


class ProcuracyCopy(Body):
    decision_no: DocumentNumber
    sent_on: date


class Empty(Body):
    pass


class VoluntaryPayment(Body):
    claim_item_id: UUID
    amount_vnd: int = Field(gt=0, le=MAX_SAFE_VND)
    source_ref: str = Field(min_length=1, max_length=128, description="Số biên lai (chống ghi trùng)")
    direct_to_creditor: bool = False


class Verification(Body):
    outcome: VerificationOutcome
    ground: NoConditionGround | None = None
    decision_no: DocumentNumber | None = None
    ground_known_on: date | None = None
    imprisoned_two_years_or_more: bool = False


class Reverification(Body):
    found_conditions: bool
    imprisoned_two_years_or_more: bool | None = None


class SecurityIn(Body):
    measure: SecurityMeasure
    decision_no: DocumentNumber


class CoercionIn(Body):
    measure: CoerciveMeasure
    decision_no: DocumentNumber


class SeizureIn(Body):
    decision_no: DocumentNumber
    asset_description: str = Field(min_length=1, max_length=500)
    asset_kind: AssetKind = Field(description="Động sản hoặc bất động sản")
    claim_item_ids: list[UUID] = Field(min_length=1)
    secured_creditor_party_id: UUID | None = Field(
        None, description="Người nhận thế chấp, cầm cố tài sản (người được thi hành án của khoản có bảo đảm trong "
                          "quyết định kê biên), được thanh toán trước từ tài sản bảo đảm (Điều 47(3))")


class CollectionIn(Body):
    claim_item_id: UUID
    amount_vnd: int = Field(gt=0, le=MAX_SAFE_VND)
    channel: CollectionChannel
    source_ref: str = Field(min_length=1, max_length=128)


class AssetTakenInKindIn(Body):
    """The creditor took the seized asset against the debt, from the 2nd price cut (Art. 104)."""
    claim_item_id: UUID
    value_vnd: int = Field(gt=0, le=MAX_SAFE_VND, description="Giá trị tài sản trừ vào khoản phải thi hành (không vượt quá số "
                                             "còn phải thi hành; phần chênh lệch người nhận tài sản tự trả)")
    source_ref: str = Field(min_length=1, max_length=128,
                            description="Số biên bản / quyết định giao tài sản (chống ghi trùng)")


class DisbursementIn(Body):
    claim_item_id: UUID
    amount_vnd: int = Field(gt=0, le=MAX_SAFE_VND)


class FeeIn(Body):
    claim_item_id: UUID


class PostponeIn(Body):
    ground: PostponementGround
    decision_no: DocumentNumber
    until: date | None = None
    ground_known_on: date | None = Field(None, description="Ngày phát sinh căn cứ hoãn (thời hạn 5 ngày làm việc)")


class DecisionNo(Body):
    decision_no: DocumentNumber


class SuspendIn(DecisionNo):
    ground: SuspensionGround
    ground_known_on: date | None = None


class ContinueAfterSuspension(DecisionNo):
    ground_ended_on: date | None = None


class TerminateIn(DecisionNo):
    ground: TerminationGround
    ground_known_on: date | None = None


class DelegateIn(DecisionNo):
    target_unit_id: OfficeCode
    ground: DelegationGround
    ground_known_on: date | None = None
    revocation_decision_no: str | None = Field(None, min_length=1, max_length=64,
                                               description="Số quyết định thu hồi quyết định thi hành án (bắt buộc "
                                                           "khi ủy thác sau khi đã ra quyết định thi hành án)")


class RevokeIn(DecisionNo):
    ground: RevocationGround


class CompleteIn(Body):
    certificate_no: DocumentNumber | None = None


class CertificateIn(Body):
    certificate_no: DocumentNumber


def command_route(path: str, command: str, body_type: type[Body], roles: tuple[str, ...], summary: str,
                  before: Callable[..., Any] | None = None, after: Callable[..., Any] | None = None) -> None:
    """Register POST /cases/{case_id}/<path> that runs `command` on the case with the body's fields.
    `before(request, case_id, body)` may refuse the request and must write nothing;
    `after(request, case_id, body, result)` runs only once the command's events are saved."""

    async def endpoint(request: Request, case_id: UUID, body: body_type,  # type: ignore[valid-type]
                       principal: Principal = Depends(require(*roles))) -> Any:
        rt = runtime(request)
        if before is not None:
            await before(request, case_id, body)
        kwargs = _domain_values(body.model_dump(exclude={"occurred_at"} | _personal_fields(body_type)))
        kwargs |= {"at": body.occurred_at, "actor": actor_of(principal)}   # None: now, when it runs
        officer = principal.sub if principal.role == "officer" else None
        result = await rt.batcher.submit(case_id, appl.act(rt.app, case_id, command, kwargs, officer,
                                                           unit_must_be=office_of(principal)))
        if after is not None:
            await after(request, case_id, body, result)
        return result

    endpoint.__name__ = command
    router.post(f"/cases/{{case_id}}/{path}", summary=summary, name=command, responses=COMMAND_ERRORS)(endpoint)


def _domain_values(values: dict[str, Any]) -> dict[str, Any]:
    """The domain keys parties and claim items by the string form of their UUIDs."""
    def conv(v: Any) -> Any:
        if isinstance(v, UUID):
            return str(v)
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return {k: conv(v) for k, v in values.items()}


PERSONAL_FIELDS = {"full_name", "id_number", "address", "phone"}


def _personal_fields(body_type: type[Body]) -> set[str]:
    return PERSONAL_FIELDS & set(body_type.model_fields)


async def _personal_data_with_command(request: Request, case_id: UUID, body: PartyIn) -> None:
    """Personal data is kept outside the event stream (so it can be erased); the event has the id only.
    A party id whose personal data belongs to another case is refused before anything is recorded;
    the personal data is written in the same transaction as the PartyAdded event (thads_kit.commands)."""
    store = getattr(request.app.state, "personal_data", None)
    if store is not None:
        await store.check(case_id, body)
        write_with_next_command(store.write(case_id, body))


async def _erasure_with_command(request: Request, case_id: UUID, body: "ErasureIn") -> None:
    """The personal fields are nulled in the same transaction as the PersonalDataErased event: a
    refused erasure (retention) erases nothing, an accepted one cannot lose its audit event."""
    schema = request.app.state.settings.schema
    if await personal_data.erased_at(runtime(request).pool, schema, body.party_id) is not None:
        raise personal_data.AlreadyErasedError(f"the personal data of party {body.party_id} is already erased")
    write_with_next_command(personal_data.erase_write(schema, body.party_id))


LEAD = ("head",)
OFFICER = ("officer", "head")
MONEY = ("officer", "accountant")   # exactly the domain's MONEY_STAFF (head and clerk are refused there)
for _path, _command, _body, _roles, _summary in [
    ("refusal", "refuse_request", Refusal, LEAD, "Từ chối yêu cầu thi hành án"),
    ("decision", "decide_enforcement", Decision, LEAD, "Ra quyết định thi hành án (thụ lý)"),
    ("parties", "add_party", PartyIn, STAFF, "Thêm đương sự"),
    ("claim-items", "add_claim_item", ClaimItemIn, STAFF, "Thêm khoản phải thi hành"),
    ("officer", "assign_officer", OfficerIn, LEAD, "Phân công chấp hành viên"),
    ("officer/reassignment", "reassign_officer", ReassignIn, LEAD, "Thay đổi chấp hành viên"),
    ("procuracy-copies", "record_procuracy_copy", ProcuracyCopy, STAFF, "Ghi nhận gửi quyết định cho Viện kiểm sát"),
    ("notification", "notify", Empty, ("officer", "clerk", "head"), "Thông báo, bắt đầu thời hạn tự nguyện"),
    ("voluntary-payments", "record_voluntary_payment", VoluntaryPayment, MONEY, "Ghi nhận tự nguyện thi hành"),
    ("verification/start", "start_verification", Empty, OFFICER, "Bắt đầu xác minh điều kiện thi hành án"),
    ("verification", "record_verification", Verification, OFFICER, "Kết quả xác minh (có / chưa có điều kiện)"),
    ("reverification", "reverify", Reverification, OFFICER, "Xác minh lại"),
    ("separate-register", "move_to_separate_register", Empty, LEAD, "Chuyển sổ theo dõi riêng"),
    ("return", "return_request", Empty, LEAD, "Gửi lại yêu cầu thi hành án"),
    ("security-measures", "apply_security_measure", SecurityIn, OFFICER, "Áp dụng biện pháp bảo đảm"),
    ("coercive-measures", "apply_coercive_measure", CoercionIn, OFFICER, "Áp dụng biện pháp cưỡng chế"),
    ("seizures", "order_seizure", SeizureIn, OFFICER, "Kê biên tài sản"),
    ("collections", "collect_money", CollectionIn, MONEY, "Thu tiền"),
    ("assets-taken-in-kind", "record_asset_taken_in_kind", AssetTakenInKindIn, OFFICER,
     "Người được thi hành án nhận tài sản để trừ vào số tiền được thi hành án"),
    ("disbursements", "disburse", DisbursementIn, MONEY, "Chi trả tiền"),
    ("fees", "charge_enforcement_fee", FeeIn, MONEY, "Thu phí thi hành án"),
    ("postponement", "postpone", PostponeIn, LEAD, "Hoãn thi hành án"),
    ("postponement/continuation", "continue_after_postponement", DecisionNo, LEAD, "Tiếp tục sau hoãn"),
    ("suspension", "suspend", SuspendIn, LEAD, "Tạm đình chỉ thi hành án"),
    ("suspension/continuation", "continue_after_suspension", ContinueAfterSuspension, LEAD,
     "Tiếp tục sau tạm đình chỉ"),
    ("termination", "terminate", TerminateIn, LEAD, "Đình chỉ thi hành án"),
    ("delegation", "delegate_out", DelegateIn, LEAD, "Ủy thác thi hành án"),
    ("revocation", "revoke", RevokeIn, LEAD, "Thu hồi quyết định thi hành án"),
    ("completion", "complete", CompleteIn, OFFICER, "Kết thúc thi hành án"),
    ("certificate-requests", "receive_certificate_request", Empty, STAFF, "Nhận yêu cầu xác nhận kết quả"),
    ("certificates", "issue_certificate", CertificateIn, LEAD, "Xác nhận kết quả thi hành án"),
    ("personal-data-erasures", "erase_personal_data", ErasureIn, LEAD,
     "Xóa thông tin cá nhân của đương sự (căn cứ, người yêu cầu; sau thời hạn lưu giữ)"),
]:
    command_route(_path, _command, _body, _roles, _summary,
                  before={PartyIn: _personal_data_with_command, ErasureIn: _erasure_with_command}.get(_body))


# ---------------------------------------------------------------------------- queries
# A case's state and history are answered from the read model (read_model.py: the serialized answer
# of the stream's head version, checked in the same query) and from the event store only when the
# read model is behind, stale or asked for another date; the scoping rule is applied on both paths.
banks_of = appl.banks_of


def _answers(request: Request) -> read_model.Reader | None:
    return getattr(request.app.state, "read_answers", None)


def _json(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")


# Readers whose every read of a case is an access-log entry (architecture §7, issue 11 §5): the
# procuracy, inspectors, the operator and banks. The fast lane leaves them to the routes, which record.
LOGGED_READERS = frozenset({"procuracy", "auditor", "admin", "bank"})
ACCESS_BASIS = "Điều 12 Luật THADS; Nghị định 13/2023/NĐ-CP"


async def _checked_read(rt: Any, principal: Principal, unit: str, banks: Any, case_id: UUID, resource: str) -> None:
    """The scoping rule for one case read, with its trace: a refused attempt (any role) and a read by a
    LOGGED_READERS role are written to the access log before the answer leaves."""
    try:
        check_case_read(principal, unit, banks, case_id)
    except OutOfScopeError:
        await rt.access.record(principal, action="refused", resource=resource, resource_id=str(case_id),
                               case_id=case_id, unit=unit, status=403)
        raise
    if principal.role in LOGGED_READERS:
        await rt.access.record(principal, action="read", resource=resource, resource_id=str(case_id),
                               case_id=case_id, unit=unit, status=200, legal_basis=ACCESS_BASIS)


@router.get("/cases/{case_id}", summary="Trạng thái việc thi hành án và các thời hạn", responses=READ_ERRORS)
async def get_case(request: Request, case_id: UUID,
                   principal: Annotated[Principal, Depends(require(*READERS))],
                   as_of: AwareDatetime | None = Query(None, description="Đánh giá thời hạn tại thời điểm này")) -> Any:
    rt = runtime(request)
    answers = _answers(request) if as_of is None else None
    now = datetime.now(VN_TZ)
    if answers is not None:
        async with rt.read_pool.acquire() as conn:
            head, row = await answers.state(conn, case_id, now.date())
        if head is None:
            raise appl.CaseNotFoundError(f"case {case_id} not found")
        if row is not None:
            await _checked_read(rt, principal, row["unit"], row["banks"], case_id, "case")
            return _json(row["body"])
    case = await rt.executor.run(rt.app.get_case, case_id)
    await _checked_read(rt, principal, case.unit_id, banks_of(case), case_id, "case")
    answer = appl.state(case, as_of or now)
    if answers is None:
        return answer
    row = read_model.state_row(case.id, case.version, case.unit_id, banks_of(case), answer, now.date())
    async with rt.read_pool.acquire() as conn:      # written back: served from the read model next time
        await answers.writer.write(conn, [row], [])
    return _json(row[-1])


@router.get("/cases/{case_id}/events", summary="Toàn bộ lịch sử sự kiện của việc", responses=READ_ERRORS)
async def case_events(request: Request, case_id: UUID,
                      principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    rt = runtime(request)
    answers = _answers(request)
    if answers is not None:
        async with rt.read_pool.acquire() as conn:
            head, row = await answers.events(conn, case_id)
        if head is None:
            raise appl.CaseNotFoundError(f"case {case_id} not found")
        if row is not None:
            await _checked_read(rt, principal, row["unit"], row["banks"] or (), case_id, "case_history")
            return _json(read_model.events_body(case_id, row["body"]))
    events = await rt.executor.run(rt.app.history, case_id)
    banks = {b for e in events if isinstance(b := e["data"].get("bank_code"), str)}
    await _checked_read(rt, principal, events[0]["data"]["unit_id"], banks, case_id,   # the first event names
                        "case_history")                                               # the office
    if answers is None:
        return {"case_id": str(case_id), "events": events}
    rows = read_model.event_rows(case_id, events)
    async with rt.read_pool.acquire() as conn:      # written back: served from the read model next time
        await answers.writer.write(conn, [], rows)
    return _json(read_model.events_body(case_id, b",".join(r[-1] for r in rows)))


CASE_PATH = r"/cases/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"


def register_fast_reads(lane: Any, rt: Any, answers: read_model.Reader) -> None:
    """The happy path of the two routes above in the kit's fast lane (thads_kit.http.FastLane): the
    read model's current answer, for a reader the scoping rule lets through; None sends the request
    on to the route (not found, out of scope, read model behind: the route answers or falls back)."""

    async def state(principal: Principal, match: Any) -> bytes | None:
        case_id = UUID(match.group(1))
        async with rt.read_pool.acquire() as conn:
            _, row = await answers.state(conn, case_id, datetime.now(VN_TZ).date())
        if row is None or not may_read(principal, row["unit"], row["banks"]):
            return None
        return row["body"]

    async def events(principal: Principal, match: Any) -> bytes | None:
        case_id = UUID(match.group(1))
        async with rt.read_pool.acquire() as conn:
            _, row = await answers.events(conn, case_id)
        if row is None or not may_read(principal, row["unit"], row["banks"] or ()):
            return None
        return read_model.events_body(case_id, row["body"])

    unlogged = tuple(r for r in READERS if r not in LOGGED_READERS)     # logged readers go to the routes
    lane.get(CASE_PATH, unlogged, state)
    lane.get(CASE_PATH + "/events", unlogged, events)


@router.get("/cases/{case_id}/parties", summary="Đương sự của việc, kèm thông tin cá nhân", responses=READ_ERRORS)
async def case_parties(request: Request, case_id: UUID,
                       principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    """The case's parties with their personal data (name, ID number, address, phone), for the staff
    of the case's office and for the procuracy and inspectors. Kept apart from the events."""
    rt = runtime(request)
    case = await rt.executor.run(rt.app.get_case, case_id)
    await _checked_read(rt, principal, case.unit_id, banks_of(case), case_id, "personal_data")
    personal = {str(p["party_id"]): p for p in
                await personal_data.parties_for_case(rt.pool, request.app.state.settings.schema, case_id)}
    out = []
    for party in case.parties.values():
        data = personal.get(party.id, {})
        out.append({"party_id": party.id, "role": party.role.value, "kind": party.kind.value,
                    "bank_code": party.bank_code, "full_name": data.get("full_name"),
                    "id_number": data.get("id_number"), "address": data.get("address"),
                    "phone": data.get("phone"), "erased": bool(data.get("erased"))})
    return {"case_id": str(case_id), "parties": out}


# ---------------------------------------------------------------------------- the law's decisions (issue 7)
from .domain import LateRequestGround, ReductionKind  # noqa: E402


class DelegationReceivedIn(Body):
    unit: OfficeCode = Field(description="Mã cơ quan THADS nhận ủy thác")
    intake_ref: str = Field(min_length=1, max_length=64, description="Số vào sổ nhận ủy thác")
    from_unit_id: OfficeCode = Field(description="Cơ quan THADS ủy thác")
    delegation_decision_no: str = Field(min_length=1, max_length=64, description="Số quyết định ủy thác")
    basis: Basis = Field(description="Chủ động hay theo yêu cầu, như tại cơ quan ủy thác")
    judgment_number: str = Field(min_length=1, max_length=64)
    issuing_court: str = Field(min_length=1, max_length=200)
    judgment_effective_on: date | None = None
    matter: Matter = Matter.ORDINARY


@router.post("/cases/delegations", status_code=status.HTTP_201_CREATED,
             summary="Nhận ủy thác thi hành án (ra quyết định thi hành án trong 5 ngày làm việc)", responses=OPEN_ERRORS)
async def receive_delegation(request: Request, body: DelegationReceivedIn,
                             principal: Annotated[Principal, Depends(require("clerk", "head"))]) -> Any:
    rt = runtime(request)
    unit = office_of(principal)
    if unit is not None and body.unit != unit:
        raise appl.WrongOfficeError(f"a token of office {unit} cannot open a case of office {body.unit}")
    kwargs = body.model_dump(exclude={"occurred_at", "unit", "intake_ref"}, exclude_none=True)
    case_id, fn = appl.open_case_received_by_delegation(rt.app, body.unit, body.intake_ref, at=business_time(body),
                                                        actor=actor_of(principal), **kwargs)
    return await rt.batcher.submit(case_id, fn)


class LateRequestIn(Body):
    ground: LateRequestGround = Field(description="Sự kiện bất khả kháng hoặc trở ngại khách quan")
    reasons: str = Field(min_length=1, max_length=2000, description="Lý do chấp nhận đơn quá hạn")


class NoticeToPartiesIn(Body):
    decision_no: str = Field(min_length=1, max_length=64)
    sent_on: date


class NewInformationIn(Body):
    received_on: date = Field(description="Ngày nhận thông tin mới về điều kiện thi hành án")


class CreditorNoticeIn(Body):
    sent_on: date


class PartialTerminationIn(DecisionNo):
    claim_item_id: UUID
    amount_vnd: int = Field(gt=0, le=MAX_SAFE_VND, description="Phần bị đình chỉ (đồng)")
    ground: TerminationGround = Field(description="Điều 50(1)(c) hoặc (d)")
    ground_known_on: date | None = None


class ReductionIn(DecisionNo):
    claim_item_id: UUID
    amount_vnd: int = Field(gt=0, le=MAX_SAFE_VND, description="Số tiền được miễn, giảm (đồng)")
    kind: ReductionKind = Field(description="reduced (giảm) hoặc exempted (miễn)")


class PartialDelegationIn(DecisionNo):
    target_unit_id: OfficeCode
    ground: DelegationGround
    revocation_decision_no: str = Field(min_length=1, max_length=64,
                                        description="Số quyết định thu hồi một phần quyết định thi hành án")
    claim_item_ids: list[UUID] = Field(min_length=1)
    ground_known_on: date | None = None


for _path, _command, _body, _roles, _summary in [
    ("late-request-acceptance", "accept_late_request", LateRequestIn, LEAD,
     "Chấp nhận đơn yêu cầu quá hạn do bất khả kháng, trở ngại khách quan"),
    ("notices-to-parties", "record_notice_to_parties", NoticeToPartiesIn, STAFF,
     "Ghi nhận thông báo quyết định cho đương sự"),
    ("new-information", "record_new_information", NewInformationIn, STAFF,
     "Ghi nhận thông tin mới về điều kiện thi hành án"),
    ("creditor-notices", "record_creditor_notice", CreditorNoticeIn, STAFF,
     "Ghi nhận thông báo kết quả xác minh cho người được thi hành án"),
    ("no-condition/continuation", "continue_from_no_condition", DecisionNo, LEAD,
     "Quyết định tiếp tục thi hành án (việc chưa có điều kiện)"),
    ("partial-termination", "terminate_in_part", PartialTerminationIn, LEAD, "Đình chỉ thi hành án một phần"),
    ("claim-reductions", "reduce_claim", ReductionIn, LEAD, "Miễn, giảm nghĩa vụ thi hành án"),
    ("partial-delegation", "delegate_in_part", PartialDelegationIn, LEAD,
     "Ủy thác một phần, thu hồi một phần quyết định thi hành án"),
]:
    command_route(_path, _command, _body, _roles, _summary)


class UnclaimedDepositIn(Body):
    claim_item_id: UUID
    amount_vnd: int = Field(gt=0, le=MAX_SAFE_VND, description="Số tiền chưa có người nhận được gửi tiết kiệm (đồng)")
    deposit_reference: str = Field(min_length=1, max_length=64, description="Số sổ tiết kiệm / chứng từ gửi")


command_route("unclaimed-deposits", "deposit_unclaimed_money", UnclaimedDepositIn, MONEY,
              "Gửi tiết kiệm số tiền chưa có người nhận (Điều 49 Nghị định 62/2015)")


class PartialRevocationIn(DecisionNo):
    claim_item_ids: list[UUID] = Field(min_length=1)
    ground: RevocationGround


command_route("revocation/partial", "revoke_in_part", PartialRevocationIn, LEAD,
              "Thu hồi một phần quyết định thi hành án")
