"""JSON logs with the correlation id of the request or message being handled."""
from __future__ import annotations

import contextvars
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        record.service = self.service
        return True


def configure(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_CorrelationFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request it sends at INFO: a service's in-process calls to its own routes (the
    # bulk import, one per NDJSON line) spent a tenth of the event loop's time writing those lines
    for noisy in ("aiokafka", "kafka", "httpx"):
        logging.getLogger(noisy).setLevel("WARNING")
    # FastStream gives its own "faststream" logger a coloured text handler and stops propagation:
    # its lines (partition assignments, subscriber tasks) go through the JSON handler instead.
    faststream = logging.getLogger("faststream")
    faststream.handlers[:] = [handler]
    faststream.propagate = False
