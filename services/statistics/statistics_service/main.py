"""Composition root of the statistics service: the only module that reads the environment."""
from __future__ import annotations

from fastapi import FastAPI
from faststream import FastStream

from thads_kit import logs
from thads_kit.http import create_app
from thads_kit.projection import RebuildRunning, RebuildSuperseded
from thads_kit.runtime import Runtime, serve

from . import api, consumers
from .periods import PeriodNotStartedError, UnknownPeriodError
from .projections import ReportStore, StatisticsFacts
from .indicators import UnknownIndicatorError
from .report import UnknownFigureError
from .settings import Settings
from .units import UnknownUnitError

ERROR_STATUS: dict[type[Exception], int] = {
    UnknownUnitError: 404,
    UnknownPeriodError: 404,
    UnknownFigureError: 404,
    UnknownIndicatorError: 404,
    api.NotFrozenError: 404,
    PeriodNotStartedError: 409,        # a report of a period that has not started yet
    RebuildRunning: 409,
    RebuildSuperseded: 409,
}


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings)
    facts = StatisticsFacts(settings.schema)
    reports = ReportStore(settings.schema)
    runtime.on_start.append(lambda: facts.setup(runtime.pool))
    runtime.on_start.append(lambda: reports.setup(runtime.pool))
    consumer = None
    if settings.role_enabled("consumers"):
        consumer = consumers.register(runtime.broker, facts, fault=settings.fault)
        runtime.consumers.append(consumer)
    app = create_app(title="THADS statistics", version="1", lifespan=runtime.lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status=ERROR_STATUS)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.consumer = consumer
    app.state.facts = facts
    app.state.reports = reports
    app.include_router(api.router)
    app.include_router(api.admin)
    return app


def asyncapi() -> FastStream:
    """FastStream app for the AsyncAPI document: what statistics consumes."""
    settings = Settings()
    runtime = Runtime(settings)
    consumers.register(runtime.broker, StatisticsFacts(settings.schema))
    return FastStream(runtime.broker)


def app() -> FastAPI:
    settings = Settings()
    logs.configure(settings.service_name)
    return build(settings)


def main() -> None:
    serve("statistics_service.main:app", Settings())


if __name__ == "__main__":
    main()
