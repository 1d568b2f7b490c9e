"""Deadline watch: records DeadlineMissed on a case when a legal deadline passed undone.

Candidates come from case_deadline_view (not done, last day before today in Vietnam, miss not yet
recorded); each case is then re-loaded and its deadlines re-computed before anything is recorded,
so a stale view never produces an event. The domain ignores a repeat of the same (step, due), so a
crash and rerun, or two watchers at once, never record a miss twice; the advisory lock only keeps
the second watcher idle.

Only quiet cases are watched: no event recorded on them for `quiet_for` (default 15 minutes), by
recording time, not business time. A case being imported (its history replayed with business times
of years ago) is never quiet, so the watch cannot record a miss dated now in the middle of it, which
would make the import's next step "backdated". The view's `updated_at` (the latest event's recording
time) picks the candidates; the re-loaded case is checked again, since the view may lag.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable
from uuid import UUID

import asyncpg
from eventsourcing.domain import Aggregate

from thads_kit.batcher import CommandBatcher
from thads_kit.tasks import BackgroundTask
from thads_kit.store import ServiceApplication

from intake_service.domain import Actor, Case, Role, business_date
from intake_service.projections import missed_deadline_candidates, vn_today

log = logging.getLogger(__name__)

WATCH_ACTOR = Actor(id="deadline-watch", role=Role.SYSTEM)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


DEFAULT_QUIET_FOR = timedelta(minutes=15)


class DeadlineWatch(BackgroundTask):
    """`now`: the business time given to a recorded miss. `clock`: the wall clock that the recording
    times of events (the library's, always real time) are compared with for `quiet_for`."""

    def __init__(self, schema: str, pool: asyncpg.Pool, batcher: CommandBatcher, app: ServiceApplication,
                 interval_seconds: float = 60, today: Callable[[], date] = vn_today,
                 now: Callable[[], datetime] = utc_now, quiet_for: timedelta = DEFAULT_QUIET_FOR,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.schema = schema
        self.pool = pool
        self.batcher = batcher
        self.app = app
        self.interval_seconds = interval_seconds
        self.today = today
        self.now = now
        self.quiet_for = quiet_for
        self.clock = clock
        self.active = False

    @property
    def lock_name(self) -> str:
        return f"thads-deadline-watch:{self.schema}"

    def task_name(self) -> str:
        return f"deadline-watch-{self.schema}"

    async def stop(self) -> None:
        await super().stop()
        self.active = False

    async def _run(self) -> None:
        while True:
            try:
                await self._hold_lock_and_watch()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline watch failed; retrying")
                self.active = False
                await asyncio.sleep(min(self.interval_seconds, 5.0))

    async def _hold_lock_and_watch(self) -> None:
        async with self.pool.acquire() as conn:
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.lock_name):
                await asyncio.sleep(self.interval_seconds)   # standby: another watcher is active
            self.active = True
            try:
                while True:
                    try:
                        await self.run_once(self.today())
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        log.exception("deadline watch round failed")
                    await asyncio.sleep(self.interval_seconds)
            finally:
                self.active = False
                # the pool's reset also unlocks, but say it when the connection is still usable
                try:
                    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", self.lock_name)
                except Exception:  # noqa: BLE001
                    pass

    async def run_once(self, today: date) -> int:
        """Record every deadline missed before `today`; returns how many misses were recorded."""
        async with self.pool.acquire() as conn:
            rows = await missed_deadline_candidates(conn, self.schema, today,
                                                    recorded_before=self.quiet_since())
        per_case: dict[UUID, list[tuple[str, date]]] = defaultdict(list)
        for r in rows:
            per_case[r["case_id"]].append((r["step"], r["due_on"]))
        if not per_case:
            return 0
        results = await asyncio.gather(
            *(self.batcher.submit(case_id, self._command(case_id, missed, today))
              for case_id, missed in per_case.items()), return_exceptions=True)
        recorded = 0
        for case_id, result in zip(per_case, results):
            if isinstance(result, BaseException):
                log.warning("deadline watch: case %s not updated: %s: %s", case_id, type(result).__name__, result)
            else:
                recorded += result
        if recorded:
            log.info("deadline watch recorded %d missed deadline(s)", recorded)
        return recorded

    def quiet_since(self) -> datetime:
        """A case whose latest event was recorded after this is not quiet (yet)."""
        return self.clock() - self.quiet_for

    def _command(self, case_id: UUID, missed: list[tuple[str, date]],
                 today: date) -> Callable[[], tuple[list[Aggregate], Any]]:
        def fn() -> tuple[list[Aggregate], int]:
            case: Case = self.app.get_case(case_id)  # type: ignore[attr-defined]
            if case.modified_on > self.quiet_since():  # recorded on since the view was read
                return [], 0
            at = max(self.now(), case.last_at)        # business time never runs backwards
            day = business_date(at)
            still_pending = {(d["step"], d["due"]) for d in case.deadlines(as_of=today) if d["done_on"] is None}
            before = len(case.pending_events)
            for step, due in missed:
                if (step, due) in still_pending and due < day:
                    case.record_deadline_missed(step, due, at=at, actor=WATCH_ACTOR)
            recorded = len(case.pending_events) - before
            return ([case] if recorded else []), recorded

        return fn
