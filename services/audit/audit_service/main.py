"""Composition root of the audit service: the only module that reads the environment."""
from __future__ import annotations

import uvicorn
from fastapi import FastAPI
from faststream import FastStream

from thads_kit import logs
from thads_kit.http import create_app
from thads_kit.runtime import Runtime

from . import anchors, api, consumers
from .projections import CaseTimeline
from .settings import Settings


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings)
    timeline = CaseTimeline(settings.schema)
    consumer = consumers.register(runtime.broker, timeline)
    runtime.on_start.append(lambda: timeline.setup(runtime.pool))
    head_log = anchors.HeadLog(settings.schema)
    anchorer = anchors.Anchorer(schema=settings.schema, kafka_url=settings.kafka_url, every=settings.anchor_seconds,
                                signing_key_b64=settings.anchor_signing_key.get_secret_value()
                                if settings.anchor_signing_key else None)
    consumers.register_heads(runtime.broker, head_log)
    runtime.on_start.append(lambda: head_log.setup(runtime.pool))
    runtime.on_start.append(lambda: anchorer.setup(runtime.pool))
    runtime.on_start.append(anchorer.start)
    runtime.on_stop.append(anchorer.stop)
    app = create_app(title="THADS audit", version="1", lifespan=runtime.lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status={})
    app.state.runtime = runtime
    app.state.consumer = consumer
    app.state.timeline = timeline
    app.state.anchorer = anchorer
    app.include_router(api.router)
    app.include_router(api.admin)
    app.include_router(api.anchors)
    return app


def asyncapi() -> FastStream:
    """FastStream app for `faststream docs gen audit_service.main:asyncapi`."""
    settings = Settings()
    runtime = Runtime(settings)
    consumers.register(runtime.broker, CaseTimeline(settings.schema))
    return FastStream(runtime.broker)


def main() -> None:
    settings = Settings()
    logs.configure(settings.service_name)
    uvicorn.run(build(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
