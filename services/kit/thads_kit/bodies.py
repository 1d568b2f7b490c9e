"""Request bodies and query texts the database can hold: no string may contain NUL (PostgreSQL text
cannot store it, and one NUL in an event's field would stop every read model that copies the field).

`RequestBody` is the base of every service's JSON bodies: unknown fields are refused, and every
string field says so in the schema (`pattern` NO_NUL on every string property without a format or
enum; beside a field's own pattern, in `allOf`) and is held to it at run time (422 `string_pattern_mismatch`,
naming the field). Query parameters use `pattern=NO_NUL` directly."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

NO_NUL = r"^[^\x00]*$"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_nul(v) for v in value)
    return False


def _state_no_nul(schema: dict[str, Any], _cls: type) -> None:
    def mark(s: dict[str, Any]) -> None:
        for alt in s.get("anyOf", ()):
            mark(alt)
        if s.get("type") == "array" and isinstance(s.get("items"), dict):
            mark(s["items"])
        if s.get("type") != "string" or {"format", "enum", "const"} & set(s):
            return
        if "pattern" not in s:
            s["pattern"] = NO_NUL
        elif s["pattern"] != NO_NUL:   # a field's own pattern: NO_NUL holds as well
            s.setdefault("allOf", []).append({"pattern": NO_NUL})

    for prop in schema.get("properties", {}).values():
        mark(prop)


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_state_no_nul)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise PydanticCustomError("string_pattern_mismatch", "String should match pattern '{pattern}'",
                                      {"pattern": NO_NUL})
        return value
