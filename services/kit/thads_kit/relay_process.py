"""The relay process of a service run with `<NAME>_RELAY_PROCESS=true` (runtime.RelaySupervisor).

    python -m thads_kit.relay_process <module>:<app factory>

Builds the service's app exactly as its HTTP process does, with the roles "relay" only (set by the
parent in the environment), and runs the app's lifespan (the Runtime starts the outbox relay, the
access-log publisher and the chain-head publisher) without an HTTP server, until SIGTERM/SIGINT or
until its parent process is gone. What it publishes and how is the relay's (relay.py): one advisory
lock per store, position stored after the broker's acknowledgement, at-least-once."""
from __future__ import annotations

import asyncio
import importlib
import os
import signal
import sys
from typing import Any


async def run(factory: str) -> None:
    module, _, name = factory.partition(":")
    app: Any = getattr(importlib.import_module(module), name)()
    parent = os.getppid()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with app.router.lifespan_context(app):
        while not stop.is_set() and os.getppid() == parent:
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass


def main() -> None:
    import uvloop

    uvloop.run(run(sys.argv[1]))


if __name__ == "__main__":
    main()
