"""Composition root of the complaints service: the only module that reads the environment."""
from __future__ import annotations

from fastapi import FastAPI
from faststream import FastStream

from thads_contracts.topics import COMPLAINTS_COMPLAINT
from thads_kit import logs
from thads_kit.batcher import ConflictRetriesExhaustedError
from thads_kit.http import create_app
from thads_kit.runtime import LazyConsumer, Runtime, serve
from thads_kit.scoping import OutOfScopeError

from . import api, bulk_import, consumers, projections, translation, watch
from .application import Complaints, WrongOfficeError
from .domain import ComplaintsError, NotComplainableError, NotFoundError, UnknownDecisionError
from .settings import Settings

ERROR_STATUS: dict[type[Exception], int] = {
    ComplaintsError: 409,                  # a rule refuses the command in this state
    NotFoundError: 404,
    UnknownDecisionError: 409,             # the complaint names no known decision: a rule, nothing written
    NotComplainableError: 409,
    WrongOfficeError: 403,
    OutOfScopeError: 403,
    ConflictRetriesExhaustedError: 409,
}


def _application(settings: Settings):
    def factory(env: dict[str, str]) -> Complaints:
        app = Complaints(env=env)
        app.read_schema = settings.schema
        projections.ensure_tables_sync(app.recorder, settings.schema)
        return app
    return factory


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, application=_application(settings), translate=translation.relay_translate)
    consumer = LazyConsumer(runtime, lambda app: consumers.register(
        runtime.broker, app, runtime.executor, group=f"{settings.schema}.on-decisions", schema=settings.schema,
        fault=settings.fault)) if settings.role_enabled("consumers") else None
    app = create_app(title="THADS complaints", version="1", lifespan=runtime.lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status=ERROR_STATUS)
    if settings.deadline_sweep_seconds > 0 and settings.role_enabled("consumers"):
        watcher = watch.DeadlineWatch(runtime, settings.schema, settings.deadline_sweep_seconds)
        runtime.on_start.append(watcher.start)
        runtime.on_stop.insert(0, watcher.stop)
        app_watch = watcher
    else:
        app_watch = None
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.deadline_watch = app_watch
    app.state.consumer = consumer
    app.include_router(api.router)
    app.include_router(bulk_import.router)    # POST /import (issue 12; thads_kit.bulk_import)
    return app



def asyncapi() -> FastStream:
    """FastStream app for the AsyncAPI document: what complaints publishes and consumes."""
    from thads_contracts.complaints import ComplaintsEvent

    settings = Settings()
    runtime = Runtime(settings)
    runtime.broker.publisher(COMPLAINTS_COMPLAINT, title="thads.complaints.complaint", schema=ComplaintsEvent,
                             description="Khiếu nại: nhận đơn, kết quả giải quyết, yêu cầu khắc phục, quá hạn (khóa: case id)")
    consumers.register(runtime.broker, app=None, executor=runtime.executor, group="complaints.on-decisions")  # type: ignore[arg-type]
    return FastStream(runtime.broker)


def app() -> FastAPI:
    settings = Settings()
    logs.configure(settings.service_name)
    return build(settings)


def main() -> None:
    serve("complaints_service.main:app", Settings())


if __name__ == "__main__":
    main()
