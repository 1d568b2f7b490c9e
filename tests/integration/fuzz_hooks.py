"""schemathesis hooks for test_openapi_fuzz.py (loaded by schemathesis, not by pytest).

Every request the fuzz sends with an Idempotency-Key gets a fresh one. One key names one request
(thads_kit.commands): a key used again with another body is refused, 422 IdempotencyKeyReusedError,
as the IETF Idempotency-Key draft prescribes. Which keys were used before is no property of a
single request the schema could state, and a fuzzer that draws "0" for every request is not a
client that retries; the reuse rule has its own tests (test_command_ids.py)."""
from __future__ import annotations

import uuid

import schemathesis

HEADER = "Idempotency-Key"


@schemathesis.hook
def before_call(ctx, case, **kwargs):  # type: ignore[no-untyped-def]
    if case.headers and HEADER in case.headers:
        case.headers[HEADER] = uuid.uuid4().hex
