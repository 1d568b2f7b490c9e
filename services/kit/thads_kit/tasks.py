"""A long-running loop owned by a service (relay, projections, watchers): start it, stop it."""
from __future__ import annotations

import asyncio


class BackgroundTask:
    """Subclasses implement `_run()` (a loop that handles its own errors) and name the task."""

    _task: asyncio.Task[None] | None = None

    def task_name(self) -> str:
        return type(self).__name__

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.task_name())

    async def stop(self) -> None:
        """Cancel the loop and wait for it; an error it ends with was already logged by it."""
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _run(self) -> None:
        raise NotImplementedError
