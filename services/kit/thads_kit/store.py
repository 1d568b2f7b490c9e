"""The per-service event store: an eventsourcing Application on PostgreSQL (one schema per service)
whose recorder is a process recorder, so that a consumer can store its tracking position in the
same transaction as the events it causes. The library is synchronous: call it through `EsExecutor`,
never on the event loop."""
from __future__ import annotations

import asyncio
import functools
import logging
from datetime import date
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, TypeVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, ProcessRecorder, Tracking, Transcoding

T = TypeVar("T")
log = logging.getLogger(__name__)


class DateAsISO(Transcoding):
    """Legal dates (deadlines, decision dates) are plain dates, not datetimes."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ServiceApplication(Application[UUID]):
    """Base for every service's application. Subclasses set `name` (the events table prefix)."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> ProcessRecorder:  # type: ignore[override]
        return self.factory.process_recorder()

    def record(self, aggregates: Iterable[Aggregate], tracking: Tracking | None = None) -> int:
        """Save the pending events of `aggregates` (and `tracking`, if given) in ONE transaction.
        Returns the number of events recorded."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent(tracking=tracking)
        processing_event.collect_events(*aggregates)
        recordings = self._record(processing_event)      # the one transaction; may raise a conflict
        try:
            # After the commit nothing may raise: a caller (the batcher) would take it for a failed
            # save and run committed commands again.
            self._take_snapshots(processing_event)
            self._notify(recordings)
        except Exception:
            log.exception("post-commit work (snapshot, notify) failed; the events are saved")
        return len(recordings)

    def position(self, tracking_name: str) -> int:
        return self.recorder.max_tracking_id(tracking_name) or 0  # type: ignore[attr-defined]


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, IntegrityError)


class EsExecutor:
    """A bounded thread pool for the synchronous library."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="es")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def shutdown(self) -> None:
        await asyncio.to_thread(self._pool.shutdown, True)
