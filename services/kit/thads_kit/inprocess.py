"""A service's call of one of its OWN routes in-process, as an HTTP request through the whole ASGI app
(every middleware, the route's authentication, validation, rules and command batcher), without an
HTTP client: the bulk import runs each NDJSON line this way.

It is what `httpx.AsyncClient(transport=httpx.ASGITransport(app))` does, minus the client: httpx builds
and parses a URL, a request and a response object, a cookie jar and a header map for every call, a
third of the bulk import's event loop in py-spy (issue 12). The request the app sees is the same: method
POST, the path, a JSON body encoded byte for byte as httpx encodes `json=` (the command's fingerprint
hashes the body, so a file imported before this module answers the same when re-sent), the given
headers, client 127.0.0.1:123. An exception the app raises is raised here, as httpx does.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, MutableMapping

ASGIApp = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                   Awaitable[None]]


def encode_json(body: Any) -> bytes:
    """The body as httpx 0.28 encodes `json=`: compact separators, UTF-8, no NaN."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: list[tuple[bytes, bytes]]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


async def post_json(app: ASGIApp, path: str, body: Any, headers: dict[str, str], *,
                    host: str = "localhost") -> Answer:
    """POST `body` as JSON to `path` of `app` (in this process) and return the app's answer."""
    payload = encode_json(body)
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "headers": [(b"host", host.encode("ascii")), (b"content-length", str(len(payload)).encode("ascii")),
                    (b"content-type", b"application/json")]
                   + [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        "scheme": "http", "path": path, "raw_path": path.encode("utf-8"), "query_string": b"",
        "server": (host, None), "client": ("127.0.0.1", 123), "root_path": "",
    }
    sent = False
    done = asyncio.Event()
    status: int | None = None
    response_headers: list[tuple[bytes, bytes]] = []
    parts: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await done.wait()
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status, response_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            if message.get("body"):
                parts.append(message["body"])
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    if status is None or not done.is_set():
        raise RuntimeError(f"the app gave no complete answer to POST {path}")
    return Answer(status, response_headers, b"".join(parts))


class Client:
    """`post_json` with the shape of the httpx client it replaces: `async with Client(app) as c:
    r = await c.post(path, json=..., headers=...)`; `r.status_code`, `r.json()`, `r.text`."""

    def __init__(self, app: ASGIApp, *, host: str = "localhost") -> None:
        self.app = app
        self.host = host

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def post(self, path: str, *, json: Any, headers: dict[str, str]) -> Answer:
        return await post_json(self.app, path, json, headers, host=self.host)
