"""Bearer-token auth: HS256 JWTs carrying the caller's role, office (unit) and, for banks, bank code.
Errors are the kit's error body (errors.py): 401 when the token is missing or invalid, 403 when the
role is not allowed. Which office's cases a role may read is scoping.py's rule, not this module's."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import ApiError

ROLES = ("officer", "head", "clerk", "accountant", "procuracy", "auditor", "bank", "admin", "organisation",
         "citizen")
ROLE_LABELS = {
    "officer": "Chấp hành viên",
    "head": "Thủ trưởng cơ quan THADS",
    "clerk": "Thư ký / cán bộ tiếp nhận",
    "accountant": "Kế toán",
    "procuracy": "Viện kiểm sát",
    "auditor": "Thanh tra / kiểm tra",
    "bank": "Tổ chức tín dụng",
    "admin": "Quản trị hệ thống",
    # an auction organisation (tổ chức đấu giá tài sản): sub = its id, unit = its own code; it acts only
    # on the auctions contracted to it (checked by the auctions service), reads no case by office
    "organisation": "Tổ chức đấu giá tài sản",
    "citizen": "Công dân (người yêu cầu thi hành án)",
}
# A citizen's token (in production from the national identity provider) names the person by their
# id number (CCCD, 12 digits; an old CMND, 9 digits); it belongs to no office: CITIZEN_UNIT.
CITIZEN_UNIT = "CONGDAN"
CITIZEN_SUB = re.compile(r"^(\d{9}|\d{12})$")


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    unit: str
    bank: str | None = None


# What a token's subject and office become in every event's envelope (thads_contracts: ActorId,
# OfficeCode): a token that could not be recorded is refused here rather than stop a relay later.
SUB = re.compile(r"^\S{1,128}$")
UNIT = re.compile(r"^[^\s.]{1,64}$")


def _identity_error(sub: str, unit: str) -> str | None:
    if not SUB.match(sub):
        return f"subject {sub!r} must be 1 to 128 characters without spaces"
    if not UNIT.match(unit):
        return f"office (unit) {unit!r} must be 1 to 64 characters without spaces or dots"
    return None


def issue_token(secret: str, *, role: str, unit: str, sub: str | None = None,
                bank: str | None = None, hours: float = 12.0, now: float | None = None) -> str:
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "bank" and not bank:
        raise TokenError("role 'bank' needs a bank code")
    if role == "citizen":
        unit = unit or CITIZEN_UNIT
        if not sub or not CITIZEN_SUB.match(sub):
            raise TokenError("role 'citizen' needs --sub <id number> (12-digit CCCD or 9-digit CMND)")
    if not unit:
        raise TokenError("a token needs the office (unit) code")
    sub = sub or f"{role}@{unit}"
    if (error := _identity_error(sub, unit)) is not None:
        raise TokenError(error)
    issued = int(now if now is not None else time.time())
    claims = {"sub": sub, "role": role, "unit": unit,
              "iat": issued, "exp": issued + int(hours * 3600)}
    if bank:
        claims["bank"] = bank
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub", "role", "unit"]})
    except jwt.ExpiredSignatureError:
        raise TokenError("token expired") from None
    except jwt.PyJWTError as exc:
        raise TokenError(f"invalid token: {exc}") from None
    role = claims["role"]
    if role not in ROLES:
        raise TokenError(f"invalid token: unknown role {role!r}")
    if role == "bank" and not claims.get("bank"):
        raise TokenError("invalid token: bank role without bank code")
    if not isinstance(claims["sub"], str) or not isinstance(claims["unit"], str):
        raise TokenError("invalid token: subject and unit must be strings")
    if role == "citizen" and not CITIZEN_SUB.match(claims["sub"]):
        raise TokenError("invalid token: a citizen's subject is an id number")
    if (error := _identity_error(claims["sub"], claims["unit"])) is not None:
        raise TokenError(f"invalid token: {error}")
    return Principal(sub=claims["sub"], role=role, unit=claims["unit"], bank=claims.get("bank"))


@lru_cache(maxsize=4096)
def _verified(secret: str, token: str) -> tuple[Principal, int]:
    principal = decode_token(secret, token)   # raises on a bad token: failures are not cached
    return principal, int(jwt.decode(token, options={"verify_signature": False})["exp"])


def verify_token(secret: str, token: str) -> Principal:
    """`decode_token`, remembered per token until it expires: a client sends the same token on
    every request, and checking its signature and claims again cost ~80 µs a request (py-spy,
    issue 13). An expired token goes through `decode_token` again, which refuses it."""
    principal, exp = _verified(secret, token)
    if time.time() >= exp:
        return decode_token(secret, token)
    return principal


_bearer = HTTPBearer(auto_error=False)


async def current_principal(request: Request,
                            creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer":
        raise _unauthenticated("missing bearer token")
    try:
        return verify_token(request.app.state.jwt_secret, creds.credentials)
    except TokenError as exc:
        raise _unauthenticated(str(exc)) from None


def _unauthenticated(detail: str) -> ApiError:
    return ApiError(401, error="unauthenticated", rule="auth.bearer_token",
                    message_vi="Chưa xác thực: thiếu mã truy cập (bearer token), hoặc mã đã hết hạn hay không hợp lệ. "
                               "Vui lòng đăng nhập lại.",
                    detail=detail, headers={"WWW-Authenticate": "Bearer"})


def require(*roles: str):
    """FastAPI dependency: the caller must hold one of `roles`."""
    allowed: Iterable[str] = roles

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            labels = ", ".join(ROLE_LABELS.get(r, r) for r in allowed)
            raise ApiError(403, error="forbidden", rule="auth.role",
                           message_vi=f"Vai trò {ROLE_LABELS.get(principal.role, principal.role)} không được thực hiện "
                                      f"thao tác này; vai trò được phép: {labels}.",
                           detail=f"role {principal.role!r} may not do this; allowed: {', '.join(allowed)}")
        return principal

    return dependency
