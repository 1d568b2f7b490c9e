"""Online requests HTTP API: the citizen's routes (file, list own filings, read one, correct one sent
back, ask which office is competent) and the office's inbox (list, overdue list, accept, send back,
refuse).

Who sees what (thads_kit.scoping is the one read rule for staff; a citizen's own filings are this
service's rule): a citizen (token role "citizen", subject = id number) reads and corrects ONLY the
filings they submitted — another person's tracking code answers 404 exactly like a code that does not
exist, so codes cannot be probed; staff read the filings addressed to an office their scope covers,
and the clerk or head of that office answers them. The citizen's view carries no other party's
personal data and no internal notes: only the public state (projections.public_state).

Bad input changes nothing: the body's shape is checked by the models (422: what the OpenAPI document
promises); what no schema can say is a rule's refusal of a well-formed request (409, like every rule of
the platform): attachments checked by content (attachments.py), the judgment date not in the future and
claims-or-act (the domain), no competent office found; and a person's filings per rolling hour
(`Settings.filings_per_hour`, 429 with Retry-After)."""
import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from thads_kit.auth import Principal, require
from thads_kit.commands import write_with_next_command
from thads_kit.errors import ApiError, error_responses
from thads_kit.scoping import OFFICE_BOUND, OutOfScopeError, check_case_read, unit_filter

from . import application as appl
from . import attachments as att
from . import competence, personal_data
from .domain import MISSING_LABELS, REFUSAL_GROUNDS, FilingNotFoundError, filing_id_of
from .translation import actor_string

VN_TZ = timezone(timedelta(hours=7))
STAFF_READERS = ("clerk", "head", "officer", "accountant", "procuracy", "auditor", "admin")
ANSWERERS = ("clerk", "head")
MAX_VND = 2**53 - 1
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"     # Crockford base32: no I, L, O, U

router = APIRouter(tags=["trực tuyến"], responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503))

# Patterns only in ASCII classes: Python's and ECMA's \s and \S disagree on some characters, and the
# OpenAPI must promise exactly what the API accepts.
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^[^\x00]+$")]
Short = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]
DocNo = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
OFFICE_PATTERN = r"^[!-\-/-~]+$"          # printable ASCII without spaces or dots (an office code)
Office = Annotated[str, Field(min_length=1, max_length=64, pattern=OFFICE_PATTERN, description="Mã cơ quan THADS")]
TrackingCode = Annotated[str, Path(pattern=r"^TD-[0-9A-Z]{10}$", description="Mã tra cứu đơn")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequesterRole(StrEnum):
    CREDITOR = "creditor"
    DEBTOR = "debtor"
    REPRESENTATIVE = "representative"


class Requester(Body):
    role: RequesterRole = Field(description="Người được thi hành án, người phải thi hành án, hoặc người đại diện")
    full_name: Short = Field(description="Họ tên (dữ liệu cá nhân)")
    address: Text | None = None
    email: Annotated[str, Field(max_length=200, pattern=r"^[!-?A-~]+@[!-?A-~]+$")] | None = None
    phone: Annotated[str, Field(max_length=20, pattern=r"^\+?[0-9]{8,15}$")] | None = None
    represents: Short | None = Field(None, description="Người được đại diện (khi nộp thay)")


class Debtor(Body):
    full_name: Short = Field(description="Họ tên / tên tổ chức của người phải thi hành án")
    address: Text | None = Field(None, description="Nơi cư trú, làm việc hoặc trụ sở")
    assets_and_income: Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")] | None = Field(
        None, description="Tài sản, thu nhập của người phải thi hành án mà người yêu cầu biết")
    asset_location: Text | None = Field(None, description="Nơi có tài sản")


class Judgment(Body):
    issuing_court: Short
    judgment_number: DocNo
    judgment_effective_on: date = Field(description="Ngày bản án, quyết định có hiệu lực pháp luật")


class ClaimKind(StrEnum):
    MONEY = "money"
    MAINTENANCE = "maintenance"
    WAGES = "wages"
    DAMAGES = "damages"
    OTHER = "other"


class Claim(Body):
    kind: ClaimKind
    amount_vnd: int = Field(gt=0, le=MAX_VND, description="Số tiền (đồng)")
    description: Annotated[str, Field(max_length=500, pattern=r"^[^\x00]*$")] | None = None


class AttachmentKind(StrEnum):
    JUDGMENT_COPY = "judgment_copy"
    AUTHORITY_DOCUMENT = "authority_document"
    OTHER = "other"


class AttachmentIn(Body):
    kind: AttachmentKind
    filename: Short
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    content_base64: str = Field(min_length=4, max_length=14_000_000, pattern=r"^[A-Za-z0-9+/]+={0,2}$",
                                description="Nội dung tệp (base64), tối đa 10 MB sau giải mã")


class FilingIn(Body):
    requester: Requester
    judgment: Judgment
    claims: list[Claim] = Field(default_factory=list, max_length=50, description="Các khoản yêu cầu thi hành")
    act: Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")] | None = Field(
        None, description="Việc phải làm / không được làm (khi không yêu cầu tiền)")
    debtor: Debtor
    unit: Office | None = Field(None, description="Cơ quan THADS nhận đơn (mặc định: cơ quan được gợi ý theo thẩm quyền)")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=att.MAX_COUNT)


class MissingItem(StrEnum):
    JUDGMENT_COPY = "judgment_copy"
    AUTHORITY_DOCUMENT = "authority_document"
    JUDGMENT_DETAILS = "judgment_details"
    CLAIM_DETAILS = "claim_details"
    DEBTOR_INFORMATION = "debtor_information"
    REQUESTER_IDENTITY = "requester_identity"
    OTHER = "other"


class SendBackIn(Body):
    missing: list[MissingItem] = Field(min_length=1, max_length=7)
    note: Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")] | None = Field(
        None, description="Ghi chú gửi người nộp đơn")


class RefusalGround(StrEnum):
    NO_RIGHT_TO_REQUEST = "no_right_to_request"
    NOT_COMPETENT = "not_competent"
    LIMITATION_EXPIRED = "limitation_expired"


class RefusalIn(Body):
    ground: RefusalGround
    note: Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")] | None = None


class Empty(Body):
    pass


def _rt(request: Request) -> Any:
    return request.app.state.runtime


def _schema(request: Request) -> str:
    return request.app.state.settings.schema


def new_tracking_code() -> str:
    return "TD-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _not_found(code: str) -> FilingNotFoundError:
    return FilingNotFoundError(f"no filing {code} of yours")


def _details(body: FilingIn, checked: list[att.Attachment]) -> dict[str, Any]:
    """The non-personal content of the request, as events carry it (JSON values only)."""
    return {"requester_role": body.requester.role.value, "issuing_court": body.judgment.issuing_court,
            "judgment_number": body.judgment.judgment_number,
            "judgment_effective_on": body.judgment.judgment_effective_on.isoformat(),
            "claims": [c.model_dump(mode="json") for c in body.claims], "act": body.act,
            "attachments": [a.meta() for a in checked]}


def _personal(body: FilingIn) -> tuple[dict[str, Any], dict[str, Any]]:
    return body.requester.model_dump(mode="json"), body.debtor.model_dump(mode="json")


async def _rate_limit(request: Request, principal: Principal) -> None:
    limit = request.app.state.settings.filings_per_hour
    recent = await personal_data.recent_filings(_rt(request).pool, _schema(request), principal.sub)
    if len(recent) >= limit:
        oldest: datetime = recent[-limit]["created_at"]
        retry = max(1, int((oldest + timedelta(hours=1) - datetime.now(timezone.utc)).total_seconds()) + 1)
        raise ApiError(429, error="rate_limited", rule="filing.per_person_per_hour",
                       message_vi=f"Mỗi người được nộp tối đa {limit} đơn trong một giờ. "
                                  f"Vui lòng thử lại sau {retry} giây.",
                       detail=f"{len(recent)} filings in the last hour; at most {limit}",
                       headers={"Retry-After": str(retry)})


def _checked_attachments(body: FilingIn) -> list[att.Attachment]:
    return att.check([(a.kind.value, a.filename, a.content_type, a.content_base64) for a in body.attachments])


def _choose_unit(body: FilingIn) -> tuple[str, competence.Suggestion]:
    suggestion = competence.suggest(body.debtor.address, body.debtor.asset_location,
                                    concerns_asset=not body.claims)
    unit = body.unit or suggestion.unit
    if unit is None:
        raise ApiError(409, error="office_required", rule="filing.office_required",
                       message_vi="Không xác định được cơ quan thi hành án có thẩm quyền từ địa chỉ người phải "
                                  "thi hành án hoặc nơi có tài sản; vui lòng chọn cơ quan nhận đơn.",
                       detail="no office found from the debtor's address or the asset's location; give `unit`")
    return unit, suggestion


# ---------------------------------------------------------------------------- the citizen
@router.post("/filings", status_code=status.HTTP_201_CREATED, summary="Nộp đơn yêu cầu thi hành án trực tuyến")
async def submit_filing(request: Request, body: FilingIn,
                        principal: Annotated[Principal, Depends(require("citizen"))]) -> Any:
    """The answer's `tracking_code` follows the filing; the filing date is the submission time (Art. 31)."""
    await _rate_limit(request, principal)
    checked = _checked_attachments(body)
    unit, suggestion = _choose_unit(body)
    rt = _rt(request)
    code = new_tracking_code()
    requester, debtor = _personal(body)
    filing_id, fn = appl.submit(rt.app, tracking_code=code, unit=unit, suggested_unit=suggestion.unit,
                                details=_details(body, checked), at=None)
    write_with_next_command(personal_data.submission_write(
        _schema(request), filing_id=filing_id, owner_sub=principal.sub, requester=requester, debtor=debtor,
        attachments=checked))
    result = await rt.batcher.submit(filing_id, fn)
    return result | {"suggested_unit": suggestion.unit, "suggestion_basis": suggestion.basis}


@router.get("/filings/mine", summary="Các đơn của tôi")
async def my_filings(request: Request, principal: Annotated[Principal, Depends(require("citizen"))]) -> Any:
    s = _schema(request)
    rows = await _rt(request).pool.fetch(
        f'SELECT f.state FROM "{s}".filings f JOIN "{s}".filing_personal_data p USING (filing_id)'
        f' WHERE p.owner_sub = $1 AND p.erased_at IS NULL ORDER BY f.filed_at DESC LIMIT 200', principal.sub)
    return [_load(r["state"]) for r in rows]


def _logged_as(request: Request, principal: Principal) -> Principal:
    """Who the access log names: staff by their subject; a citizen by a keyed pseudonym of their id
    number (the log is published as an event, and an id number is personal data: never in events)."""
    if principal.role != "citizen":
        return principal
    secret = request.app.state.settings.jwt_secret.get_secret_value().encode()
    alias = hmac.new(secret, principal.sub.encode(), hashlib.sha256).hexdigest()[:32]
    return Principal(sub=f"citizen-{alias}", role=principal.role, unit=principal.unit)


async def _refused(request: Request, principal: Principal, code: str, unit: str | None, exc: Exception,
                   status_code: int, resource: str = "filing") -> Exception:
    await _rt(request).access.record(_logged_as(request, principal), action="refused", resource=resource,
                                     resource_id=code, unit=unit, status=status_code)
    return exc


async def _readable(request: Request, code: str, principal: Principal, resource: str = "filing") -> dict[str, Any]:
    """The filing's public state, if `principal` may read it: its owner, or staff whose scope covers
    its office; a citizen asking for another person's code gets the 404 of an unknown code. Every
    refusal is written to the access log (runtime.access) before the answer."""
    s = _schema(request)
    row = await _rt(request).pool.fetchrow(
        f'SELECT f.filing_id, f.unit, f.state, p.owner_sub FROM "{s}".filings f'
        f' LEFT JOIN "{s}".filing_personal_data p USING (filing_id) WHERE f.tracking_code = $1', code)
    if row is None:
        raise await _refused(request, principal, code, None, _not_found(code), 404, resource)
    if principal.role == "citizen":
        if row["owner_sub"] is None or row["owner_sub"] != principal.sub:
            raise await _refused(request, principal, code, None, _not_found(code), 404, resource)
    else:
        try:
            check_case_read(principal, row["unit"])
        except OutOfScopeError as exc:
            raise await _refused(request, principal, code, row["unit"], exc, 403, resource) from None
    return _load(row["state"])


@router.get("/filings/{tracking_code}", summary="Tra cứu đơn và tiến trình việc thi hành án")
async def get_filing(request: Request, tracking_code: TrackingCode,
                     principal: Annotated[Principal, Depends(require("citizen", *STAFF_READERS))]) -> Any:
    return await _readable(request, tracking_code, principal)


REVIEW_BASIS = "Luật THADS Điều 31; Nghị định 152/2026 Điều 9 (xem xét đơn yêu cầu trực tuyến)"
PERSONAL_READERS = ("clerk", "head", "officer")


@router.get("/filings/{tracking_code}/personal-data", summary="Thông tin cá nhân trong đơn (cán bộ xử lý đơn)")
async def filing_personal_data(request: Request, tracking_code: TrackingCode,
                               principal: Annotated[Principal, Depends(require(*PERSONAL_READERS))]) -> Any:
    """The requester's and the debtor's personal data and the attachments' list, for the staff of the
    filing's office who examine it; each read is written to the access log before the answer."""
    state = await _readable(request, tracking_code, principal, resource="personal_data")
    s = _schema(request)
    rt = _rt(request)
    data = await personal_data.personal(rt.pool, s, filing_id_of(tracking_code)) or {}
    files = await rt.pool.fetch(f'SELECT sha256, kind, content_type, size, filename, content IS NOT NULL AS kept'
                                f' FROM "{s}".filing_attachments WHERE filing_id = $1 ORDER BY created_at',
                                filing_id_of(tracking_code))
    await rt.access.record(principal, action="read", resource="personal_data", resource_id=tracking_code,
                           unit=state["unit"], legal_basis=REVIEW_BASIS, status=200)
    return data | {"tracking_code": tracking_code, "attachments": [dict(f) for f in files]}


@router.get("/filings/{tracking_code}/attachments/{sha256}", summary="Tải tệp đính kèm của đơn (cán bộ xử lý đơn)",
            response_class=Response, responses={200: {"content": {"application/pdf": {}, "image/jpeg": {},
                                                                   "image/png": {}}}})
async def filing_attachment(request: Request, tracking_code: TrackingCode,
                            sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
                            principal: Annotated[Principal, Depends(require(*PERSONAL_READERS))]) -> Response:
    state = await _readable(request, tracking_code, principal, resource="personal_data")
    rt = _rt(request)
    row = await rt.pool.fetchrow(f'SELECT content_type, content FROM "{_schema(request)}".filing_attachments'
                                 f' WHERE filing_id = $1 AND sha256 = $2 AND content IS NOT NULL',
                                 filing_id_of(tracking_code), sha256)
    if row is None:
        raise FilingNotFoundError(f"filing {tracking_code} has no attachment {sha256}",
                                  message_vi="Đơn không có tệp đính kèm này (hoặc tệp đã bị xóa theo yêu cầu).")
    await rt.access.record(principal, action="read", resource="personal_data",
                           resource_id=f"{tracking_code}/{sha256}", unit=state["unit"], legal_basis=REVIEW_BASIS)
    return Response(content=bytes(row["content"]), media_type=row["content_type"])


@router.delete("/filings/{tracking_code}/personal-data", summary="Xóa thông tin cá nhân trong đơn")
async def erase_filing_personal_data(request: Request, tracking_code: TrackingCode,
                                     principal: Annotated[Principal, Depends(require("head", "admin"))]) -> Any:
    """Erasure: the requester's and the debtor's data and the attachments' bytes are removed (their
    hashes stay); the filing's events, history and counts stay whole. The head of the filing's office
    or the admin. The owner no longer sees the filing in their list (it is no longer tied to them)."""
    state = await _readable(request, tracking_code, principal, resource="personal_data")
    if principal.role != "admin" and state["unit"] != principal.unit:
        raise appl.WrongOfficeError(f"filing {tracking_code} is addressed to {state['unit']}")
    held = await personal_data.erase(_rt(request).pool, _schema(request), filing_id_of(tracking_code))
    return {"tracking_code": tracking_code, "erased": True, "personal_data_was_held": held}


@router.post("/filings/{tracking_code}/correction", summary="Sửa đổi, bổ sung đơn bị trả lại")
async def correct_filing(request: Request, tracking_code: TrackingCode, body: FilingIn,
                         principal: Annotated[Principal, Depends(require("citizen"))]) -> Any:
    """The same tracking code and history; the details, personal data and attachments are replaced."""
    await _readable(request, tracking_code, principal)
    checked = _checked_attachments(body)
    unit, _ = _choose_unit(body)
    rt = _rt(request)
    filing_id = filing_id_of(tracking_code)
    requester, debtor = _personal(body)
    write_with_next_command(personal_data.submission_write(
        _schema(request), filing_id=filing_id, owner_sub=principal.sub, requester=requester, debtor=debtor,
        attachments=checked))
    return await rt.batcher.submit(filing_id, appl.act(rt.app, filing_id, "correct", {
        "details": _details(body, checked), "unit": unit, "at": None}))


@router.get("/competence", summary="Gợi ý cơ quan thi hành án có thẩm quyền")
async def suggest_office(principal: Annotated[Principal, Depends(require("citizen", *STAFF_READERS))],
                         debtor_address: Annotated[str | None, Query(max_length=300, pattern=r"^[^\x00]*$")] = None,
                         asset_location: Annotated[str | None, Query(max_length=300, pattern=r"^[^\x00]*$")] = None,
                         concerns_asset: bool = False) -> Any:
    s = competence.suggest(debtor_address, asset_location, concerns_asset)
    return {"unit": s.unit, "basis": s.basis, "label": s.label,
            "offices": [{"unit": u, "label": label} for u, (label, _) in competence.OFFICES.items()]}


@router.get("/vocabulary", summary="Danh mục: nội dung cần bổ sung, căn cứ từ chối")
async def vocabulary(_: Annotated[Principal, Depends(require("citizen", *STAFF_READERS))]) -> Any:
    return {"missing": MISSING_LABELS, "refusal_grounds": REFUSAL_GROUNDS}


# ---------------------------------------------------------------------------- the office's inbox
@router.get("/inbox", summary="Đơn trực tuyến gửi đến cơ quan")
async def inbox(request: Request, principal: Annotated[Principal, Depends(require(*STAFF_READERS))],
                unit: Annotated[str | None, Query(max_length=64, pattern=OFFICE_PATTERN)] = None,
                status_: Annotated[Literal["submitted", "sent_back", "accepted", "refused"] | None,
                                   Query(alias="status")] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    f = unit_filter(principal, unit)
    s = _schema(request)
    rows = await _rt(request).pool.fetch(
        f'SELECT state FROM "{s}".filings WHERE ($1::text IS NULL OR unit = $1)'
        f" AND ($2::text IS NULL OR split_part(unit, '-', 1) = $2) AND ($3::text IS NULL OR status = $3)"
        f' ORDER BY filed_at LIMIT $4', f.unit, f.province, status_, limit)
    return [_load(r["state"]) for r in rows]


@router.get("/inbox/overdue", summary="Đơn quá hạn xem xét (01 ngày làm việc)")
async def overdue(request: Request, principal: Annotated[Principal, Depends(require(*STAFF_READERS))],
                  unit: Annotated[str | None, Query(max_length=64, pattern=OFFICE_PATTERN)] = None,
                  on: date | None = Query(None, description="Ngày xét (mặc định: hôm nay)")) -> Any:
    """Filings still waiting for the office after their review day (ND 152/2026 Art. 9: defects flagged
    within 1 working day of the filing or of its correction)."""
    f = unit_filter(principal, unit)
    today = on or datetime.now(VN_TZ).date()
    s = _schema(request)
    rows = await _rt(request).pool.fetch(
        f'SELECT state FROM "{s}".filings WHERE status = \'submitted\' AND review_due_on < $1'
        f" AND ($2::text IS NULL OR unit = $2) AND ($3::text IS NULL OR split_part(unit, '-', 1) = $3)"
        f' ORDER BY review_due_on, filed_at LIMIT 500', today, f.unit, f.province)
    return [_load(r["state"]) for r in rows]


@router.get("/counts", summary="Số đơn trực tuyến theo cơ quan và kỳ (nhận, trả lại, bổ sung, tiếp nhận, từ chối)")
async def counts(request: Request, principal: Annotated[Principal, Depends(require(*STAFF_READERS))],
                 from_: Annotated[date, Query(alias="from", description="Từ ngày (kể cả)")],
                 to: Annotated[date, Query(description="Đến ngày (kể cả)")],
                 unit: Annotated[str | None, Query(max_length=64, pattern=OFFICE_PATTERN)] = None) -> Any:
    """Each step of each filing counted on its own date (Vietnam time) and its filing's CURRENT office.
    The same steps are events on thads.online.filing (online.Filing*.v1, with the office then), which
    the statistics service counts; the share of requests that came online is accepted online filings
    over intake's requests opened (CaseOpened.v2 channel "online" among all), counted there."""
    f = unit_filter(principal, unit)
    s = _schema(request)
    rows = await _rt(request).pool.fetch(
        f"SELECT unit, h->>'step' AS step, count(*) AS n FROM \"{s}\".filings,"
        f" jsonb_array_elements(state->'history') AS h"
        f" WHERE ((h->>'at')::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $1 AND $2"
        f" AND ($3::text IS NULL OR unit = $3) AND ($4::text IS NULL OR split_part(unit, '-', 1) = $4)"
        f" GROUP BY unit, step ORDER BY unit", from_, to, f.unit, f.province)
    names = {"Submitted": "received", "SentBack": "sent_back", "Corrected": "corrected", "Accepted": "accepted",
             "Refused": "refused"}
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = out.setdefault(r["unit"], {"unit": r["unit"], "from": from_, "to": to,
                                           **{v: 0 for v in names.values()}})
        entry[names.get(r["step"], r["step"])] = r["n"]
    return list(out.values())


def _answer_route(path: str, command: str, body_type: type[Body], summary: str) -> None:
    async def endpoint(request: Request, tracking_code: TrackingCode, body: body_type,  # type: ignore[valid-type]
                       principal: Principal = Depends(require(*ANSWERERS))) -> Any:
        rt = _rt(request)
        await _readable(request, tracking_code, principal)
        filing_id = filing_id_of(tracking_code)
        kwargs = {k: (v.value if isinstance(v, StrEnum) else [x.value for x in v] if isinstance(v, list) else v)
                  for k, v in body.model_dump().items()}
        kwargs |= {"actor": actor_string(principal.role, principal.sub), "at": None}
        unit = principal.unit if principal.role in OFFICE_BOUND else None
        return await rt.batcher.submit(filing_id, appl.act(rt.app, filing_id, command, kwargs, unit_must_be=unit))

    endpoint.__name__ = command
    router.post(f"/filings/{{tracking_code}}/{path}", summary=summary)(endpoint)


_answer_route("acceptance", "accept", Empty, "Tiếp nhận đơn (mở việc thi hành án theo đơn, kênh trực tuyến)")
_answer_route("send-back", "send_back", SendBackIn, "Đề nghị bổ sung đơn (trong 01 ngày làm việc)")
_answer_route("refusal", "refuse", RefusalIn, "Từ chối nhận đơn (Luật THADS Điều 31(5))")


def _load(value: Any) -> Any:
    import json
    return json.loads(value) if isinstance(value, str) else value
