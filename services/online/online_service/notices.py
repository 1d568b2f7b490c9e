"""Notices to the citizen: the outbox (`notices` table, one row per step that concerns the citizen,
written in the same transaction as that step's event — projections.notices_write) and its dispatcher.

Senders are pluggable behind one interface (`Sender.send(notice, contact)`): an e-mail adapter and an
SMS adapter; in development both write the notice to the log (no mail server, no SMS gateway). The
dispatcher takes unsent rows with FOR UPDATE SKIP LOCKED (two service processes never take the same
row), sends each through every sender for which the person left a contact, and marks it sent in the
same transaction: a notice is sent once. A crash between a sender's call and the commit sends it again
on restart (at least once towards the gateway); a real gateway adapter passes the notice id as its
idempotency key so the person still gets one message. The contact comes from the erasable personal
data table at sending time: an erased person gets no notice (the row is marked "erased")."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    notice_id: UUID
    filing_id: UUID
    step: str
    text_vi: str


class Sender(Protocol):
    channel: str

    def contact(self, requester: dict[str, Any]) -> str | None: ...

    async def send(self, notice: Notice, contact: str) -> None: ...


class LogEmailSender:
    """E-mail adapter, development form: logs what it would send (never the address itself)."""
    channel = "email"

    def contact(self, requester: dict[str, Any]) -> str | None:
        return requester.get("email") or None

    async def send(self, notice: Notice, contact: str) -> None:
        log.info("notice by e-mail (development sender)", extra={
            "notice_id": str(notice.notice_id), "filing_id": str(notice.filing_id), "step": notice.step,
            "text_vi": notice.text_vi})


class LogSmsSender:
    """SMS adapter, development form: logs what it would send (never the number itself)."""
    channel = "sms"

    def contact(self, requester: dict[str, Any]) -> str | None:
        return requester.get("phone") or None

    async def send(self, notice: Notice, contact: str) -> None:
        log.info("notice by SMS (development sender)", extra={
            "notice_id": str(notice.notice_id), "filing_id": str(notice.filing_id), "step": notice.step,
            "text_vi": notice.text_vi})


SENDERS = {"email": LogEmailSender, "sms": LogSmsSender}


def senders(names: str) -> list[Sender]:
    return [SENDERS[n.strip()]() for n in names.split(",") if n.strip()]


class NoticeDispatcher:
    def __init__(self, pool: Any, schema: str, senders: list[Sender], poll_seconds: float = 1.0,
                 batch: int = 50) -> None:
        self.pool, self.schema, self.senders = pool, schema, senders
        self.poll_seconds, self.batch = poll_seconds, batch
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="online-notices")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass

    async def _run(self) -> None:
        while True:
            try:
                while await self.dispatch_once():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - logged; the next poll tries again
                log.exception("notice dispatch failed; will retry")
            await asyncio.sleep(self.poll_seconds)

    async def dispatch_once(self) -> int:
        s = self.schema
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f'SELECT n.notice_id, n.filing_id, n.step, n.text_vi, p.requester, p.erased_at'
                f' FROM "{s}".notices n LEFT JOIN "{s}".filing_personal_data p USING (filing_id)'
                f' WHERE n.sent_at IS NULL ORDER BY n.created_at LIMIT $1 FOR UPDATE OF n SKIP LOCKED', self.batch)
            for row in rows:
                notice = Notice(row["notice_id"], row["filing_id"], row["step"], row["text_vi"])
                requester = _json(row["requester"]) if row["erased_at"] is None else {}
                via = []
                for sender in self.senders:
                    contact = sender.contact(requester)
                    if contact:
                        await sender.send(notice, contact)
                        via.append(sender.channel)
                await conn.execute(f'UPDATE "{s}".notices SET sent_at = now(), sent_via = $2 WHERE notice_id = $1',
                                   row["notice_id"], ",".join(via) or ("erased" if row["erased_at"] else "none"))
            self.sent += len(rows)
            return len(rows)


def _json(value: Any) -> dict[str, Any]:
    import json
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str) else dict(value)
