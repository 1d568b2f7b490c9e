"""The deadline watcher: every `sweep_seconds`, the complaints whose open step (acceptance within 5 WD,
first or second decision within its limit) is past its legal limit get a `DeadlineMissed` event — once
per step (Complaint.mark_missed) — published as complaints.DeadlineMissed for the statistics and the
overdue lists. Commands go through the kit's batcher, so several instances sweeping at once record
each miss once (the aggregate's version and mark_missed's own check)."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from thads_kit.tasks import BackgroundTask

from . import application as appl
from . import projections

log = logging.getLogger(__name__)
VN_TZ = timezone(timedelta(hours=7))


class DeadlineWatch(BackgroundTask):
    def __init__(self, runtime: Any, schema: str, every: float) -> None:
        self.runtime, self.schema, self.every = runtime, schema, every
        self.marked = 0

    async def sweep(self) -> int:
        rt = self.runtime
        today = datetime.now(VN_TZ).date()
        marked = 0
        for complaint_id in await projections.overdue_ids(rt.pool, self.schema, today):
            if await rt.batcher.submit(complaint_id, appl.sweep(rt.app, complaint_id, today)):
                marked += 1
        self.marked += marked
        return marked

    async def _run(self) -> None:
        while True:
            try:
                n = await self.sweep()
                if n:
                    log.info("deadline watch: %d missed step(s) recorded", n)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - logged, retried at the next tick
                log.exception("deadline watch failed; retrying")
            await asyncio.sleep(self.every)
