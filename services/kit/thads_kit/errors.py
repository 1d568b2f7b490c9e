"""The error body every service answers with, for every 4xx and 5xx (the briefing's shared interface):

    {"error": <class name or code>, "rule": <stable English rule id>, "message": <Vietnamese, for the
     person>, "legal_basis": <article or null>, "detail": <English technical detail or null>}
    + "errors": [{"field", "message" (Vietnamese), "type"}] on 422 validation errors.

An exception carries its own `rule`, `legal_basis` and `message_vi` (class or instance attributes);
when it has no `message_vi` the body says the generic Vietnamese sentence of its status and keeps
str(exc) as `detail`. `ErrorBody` is the one schema the OpenAPI documents; `error_responses(...)`
references it from a route's responses."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from fastapi import HTTPException
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

GENERIC_VI: dict[int, str] = {
    400: "Yêu cầu không đọc được (nội dung phải là JSON mã hóa UTF-8); không có gì được ghi.",
    401: "Chưa xác thực: thiếu mã truy cập hoặc mã truy cập không hợp lệ.",
    403: "Không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    405: "Địa chỉ này không nhận phương thức HTTP đã gửi.",
    409: "Thao tác bị từ chối theo quy định nghiệp vụ ở trạng thái hiện tại; không có gì được ghi.",
    422: "Dữ liệu gửi lên không hợp lệ; không có gì được ghi.",
    500: "Lỗi hệ thống ngoài dự kiến; vui lòng báo quản trị hệ thống kèm mã x-correlation-id.",
    503: "Dịch vụ đang dừng hoặc tạm thời không sẵn sàng; chưa có gì được ghi, vui lòng thử lại sau.",
}
DESCRIPTION_VI: dict[int, str] = {
    400: "Nội dung gửi lên không đọc được (không phải JSON mã hóa UTF-8)",
    401: "Thiếu hoặc sai mã truy cập (bearer token)",
    403: "Vai trò không được phép, khác đơn vị/tỉnh, hoặc việc không được phân công cho người gọi",
    404: "Không tìm thấy việc thi hành án (hoặc đối tượng) được nêu",
    409: "Bị từ chối theo quy định nghiệp vụ (trường `rule`, `legal_basis`); không có gì được ghi",
    422: "Dữ liệu không hợp lệ (từng trường trong `errors`); không có gì được ghi",
    503: "Dịch vụ đang dừng; chưa có gì được ghi, có thể gửi lại",
}


class FieldError(BaseModel):
    field: str = Field(description="Trường bị lỗi (ví dụ `occurred_at`, `query.limit`)")
    message: str = Field(description="Lỗi bằng tiếng Việt")
    type: str = Field(description="Mã lỗi ổn định (pydantic), cho chương trình")


class ErrorBody(BaseModel):
    """Mọi câu trả lời lỗi (4xx, 5xx) của mọi dịch vụ."""
    error: str = Field(description="Tên lớp lỗi hoặc mã lỗi (English)")
    rule: str = Field(description="Mã quy tắc ổn định (English), cho chương trình")
    message: str = Field(description="Nội dung lỗi bằng tiếng Việt, cho người dùng")
    legal_basis: str | None = Field(None, description="Căn cứ pháp lý (điều, khoản), nếu có")
    detail: str | None = Field(None, description="Chi tiết kỹ thuật (English), nếu có")
    errors: list[FieldError] | None = Field(None, description="Chỉ với 422: lỗi của từng trường")


class ApiError(HTTPException):
    """An HTTP refusal raised by the kit or an API layer, already carrying the error body's fields.
    (An HTTPException, so that even an app built without the kit answers with the right status.)"""

    def __init__(self, status_code: int, *, error: str, rule: str, message_vi: str, detail: str | None = None,
                 legal_basis: str | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code, detail=detail, headers=dict(headers) if headers else None)
        self.error, self.rule, self.message_vi, self.legal_basis = error, rule, message_vi, legal_basis


def body_for(status: int, exc: BaseException) -> dict[str, Any]:
    """The error body for `exc` answered with `status` (fallbacks for what the exception lacks)."""
    if isinstance(exc, ApiError):
        return {"error": exc.error, "rule": exc.rule, "message": exc.message_vi, "legal_basis": exc.legal_basis,
                "detail": exc.detail}
    if isinstance(exc, StarletteHTTPException):   # FastAPI/Starlette's own: unknown path, wrong method, ...
        return {"error": f"http_{status}", "rule": f"http.{status}", "message": GENERIC_VI.get(status, GENERIC_VI[400]),
                "legal_basis": None, "detail": str(exc.detail) if exc.detail is not None else None}
    message_vi = getattr(exc, "message_vi", None) or KIT_MESSAGES_VI.get(type(exc).__name__) \
        or GENERIC_VI.get(status) or GENERIC_VI[500 if status >= 500 else 400]
    return {"error": type(exc).__name__, "rule": getattr(exc, "rule", None) or type(exc).__name__,
            "message": str(message_vi), "legal_basis": getattr(exc, "legal_basis", None), "detail": str(exc) or None}


# Vietnamese for the kit's own exceptions that live in modules other helpers own (batcher.py)
KIT_MESSAGES_VI: dict[str, str] = {
    "ConflictRetriesExhaustedError": "Việc đang được cập nhật đồng thời bởi thao tác khác; chưa có gì được ghi, "
                                     "vui lòng gửi lại.",
    "ServiceStoppingError": GENERIC_VI[503],
}


# ---------------------------------------------------------------------------- 422
def _field(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc if p != "body")


def _constraint(e: Mapping[str, Any], key: str) -> Any:
    return (e.get("ctx") or {}).get(key)


def _message_vi(e: Mapping[str, Any]) -> str:
    """One validation error in Vietnamese (pydantic's error types; its English text stays in `detail`)."""
    t = e.get("type", "")
    c = lambda k: _constraint(e, k)  # noqa: E731
    messages = {
        "missing": "Thiếu trường bắt buộc.",
        "extra_forbidden": "Trường này không được phép.",
        "string_too_short": f"Quá ngắn: tối thiểu {c('min_length')} ký tự.",
        "string_too_long": f"Quá dài: tối đa {c('max_length')} ký tự.",
        "string_pattern_mismatch": "Có ký tự không được phép (ví dụ ký tự NUL).",
        "string_type": "Phải là chuỗi ký tự.",
        "too_short": f"Quá ít phần tử: tối thiểu {c('min_length')}.",
        "too_long": f"Quá nhiều phần tử: tối đa {c('max_length')}.",
        "greater_than": f"Phải lớn hơn {c('gt')}.",
        "greater_than_equal": f"Phải lớn hơn hoặc bằng {c('ge')}.",
        "less_than": f"Phải nhỏ hơn {c('lt')}.",
        "less_than_equal": f"Phải nhỏ hơn hoặc bằng {c('le')}.",
        "int_parsing": "Phải là số nguyên.",
        "int_type": "Phải là số nguyên.",
        "int_from_float": "Phải là số nguyên (không có phần thập phân).",
        "bool_parsing": "Phải là true hoặc false.",
        "bool_type": "Phải là true hoặc false.",
        "uuid_parsing": "Phải là mã UUID.",
        "uuid_type": "Phải là mã UUID.",
        "enum": f"Giá trị không hợp lệ; chấp nhận: {c('expected')}.",
        "literal_error": f"Giá trị không hợp lệ; chấp nhận: {c('expected')}.",
        "date_parsing": "Phải là ngày dạng YYYY-MM-DD.",
        "date_from_datetime_parsing": "Phải là ngày dạng YYYY-MM-DD.",
        "date_from_datetime_inexact": "Phải là ngày (không kèm giờ).",
        "datetime_parsing": "Phải là thời điểm dạng ISO 8601 có múi giờ.",
        "datetime_from_date_parsing": "Phải là thời điểm dạng ISO 8601 có múi giờ.",
        "timezone_aware": "Thời điểm phải ghi rõ múi giờ (ví dụ +07:00).",
        "json_invalid": "Nội dung không phải JSON hợp lệ.",
        "model_attributes_type": "Phải là một đối tượng JSON.",
        "dict_type": "Phải là một đối tượng JSON.",
        "list_type": "Phải là một danh sách.",
    }
    if t in messages:
        return messages[t]
    if t == "value_error":
        return str(_constraint(e, "message_vi") or "Giá trị không hợp lệ.")
    return "Giá trị không hợp lệ."


def validation_body(errors: list[Mapping[str, Any]]) -> dict[str, Any]:
    items = [{"field": _field(e.get("loc", ())), "message": _message_vi(e), "type": e.get("type", "value_error")}
             for e in errors]
    fields = ", ".join(dict.fromkeys(i["field"] for i in items))
    detail = "; ".join(f"{_field(e.get('loc', ()))}: {e.get('msg')}" for e in errors)
    return {"error": "invalid_input", "rule": "request.schema",
            "message": f"Dữ liệu gửi lên không hợp lệ ở trường: {fields}. Không có gì được ghi.",
            "legal_basis": None, "detail": detail, "errors": items}


# ---------------------------------------------------------------------------- OpenAPI
def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: each status documented with the one ErrorBody schema."""
    return {s: {"model": ErrorBody, "description": DESCRIPTION_VI.get(s, GENERIC_VI.get(s, "Lỗi"))}
            for s in statuses}
