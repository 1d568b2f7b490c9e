"""Composition root of the audit service: the only module that reads the environment."""
from __future__ import annotations

from fastapi import FastAPI
from faststream import FastStream

from thads_kit import logs
from thads_kit.http import create_app
from thads_kit.runtime import Runtime, serve

from . import anchors, api, consumers, refusals
from .access_entries import AccessEntries
from .projections import CaseTimeline
from .settings import Settings


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings)
    timeline = CaseTimeline(settings.schema)
    # a test's fault hook hits one consumer: "access:<fault>" the access log's, else the timeline's
    access_fault = settings.fault.removeprefix("access:") if settings.fault.startswith("access:") else ""
    timeline_fault = "" if access_fault else settings.fault
    consumer = None
    runtime.on_start.append(lambda: timeline.setup(runtime.pool))
    if settings.role_enabled("consumers"):      # the case timeline from the domain topics
        consumer = consumers.register(runtime.broker, timeline, fault=timeline_fault)
        runtime.consumers.append(consumer)      # dead-letter tables and release requests
    access_entries = AccessEntries(settings.schema)     # every service's access log, for the procuracy
    runtime.on_start.append(lambda: access_entries.setup(runtime.pool))
    if settings.role_enabled("consumers"):
        runtime.consumers.append(consumers.register_access(runtime.broker, access_entries, fault=access_fault))
    head_log = anchors.HeadLog(settings.schema)
    anchorer = anchors.Anchorer(schema=settings.schema, kafka_url=settings.kafka_url, every=settings.anchor_seconds,
                                signing_key_b64=settings.anchor_signing_key.get_secret_value()
                                if settings.anchor_signing_key else None)
    runtime.on_start.append(lambda: head_log.setup(runtime.pool))
    runtime.on_start.append(lambda: anchorer.setup(runtime.pool))
    if settings.role_enabled("anchors"):        # stores' chain heads → head log → signed anchors
        runtime.consumers.append(consumers.register_heads(runtime.broker, head_log, fault=settings.fault))
        runtime.on_start.append(anchorer.start)
        runtime.on_stop.append(anchorer.stop)
    app = create_app(title="THADS audit", version="1", lifespan=runtime.lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status={})
    app.state.runtime = runtime
    app.state.consumer = consumer
    app.state.timeline = timeline
    app.state.access_entries = access_entries
    app.state.anchorer = anchorer
    app.include_router(api.router)
    app.include_router(api.admin)
    app.include_router(api.anchors)
    app.include_router(api.access)
    app.include_router(api.procuracy)
    refusals.install(app)                       # every refused attempt is an access-log entry
    return app


def asyncapi() -> FastStream:
    """FastStream app for `faststream docs gen audit_service.main:asyncapi`."""
    settings = Settings()
    runtime = Runtime(settings)
    consumers.register(runtime.broker, CaseTimeline(settings.schema))
    return FastStream(runtime.broker)


def app() -> FastAPI:
    """The app of one worker process (uvicorn calls it in each one; see thads_kit.runtime.serve)."""
    settings = Settings()
    logs.configure(settings.service_name)
    return build(settings)


def main() -> None:
    serve("audit_service.main:app", Settings())


if __name__ == "__main__":
    main()
