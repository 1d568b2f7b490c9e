"""Composition root of the auctions service: the only module that reads the environment."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from faststream import FastStream

from thads_contracts.topics import AUCTIONS_ASSET
from thads_kit import logs
from thads_kit.batcher import ConflictRetriesExhaustedError
from thads_kit.http import create_app
from thads_kit.runtime import LazyConsumer, Runtime, serve
from thads_kit.scoping import OutOfScopeError

from . import api, bulk_import, consumers, projections, translation
from .application import AssetAlreadyRegisteredError, Auctions, WrongOfficeError, WrongOrganisationError
from .domain import AssetNotFoundError, AuctionsError
from .settings import Settings

ERROR_STATUS: dict[type[Exception], int] = {
    AuctionsError: 409,                    # a rule refuses the command in this state
    AssetNotFoundError: 404,
    AssetAlreadyRegisteredError: 409,
    WrongOfficeError: 403,
    WrongOrganisationError: 403,
    OutOfScopeError: 403,
    ConflictRetriesExhaustedError: 409,
    # the domain's InvalidValueError is a refusal of a well-formed request in the asset's state or by
    # its figures (a valuation dated before the seizure, a blank place): 409 like every rule; the
    # request's shape is checked by the API's models (422)
}


def _application(settings: Settings):
    def factory(env: dict[str, str]) -> Auctions:
        app = Auctions(env=env)
        app.read_schema = settings.schema
        projections.ensure_tables_sync(app.recorder, settings.schema)
        return app
    return factory


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, application=_application(settings), translate=translation.relay_translate)
    consumer = LazyConsumer(runtime, lambda app: consumers.register(
        runtime.broker, app, runtime.executor, group=f"{settings.schema}.on-intake", schema=settings.schema,
        fault=settings.fault)) if settings.role_enabled("consumers") else None
    app = create_app(title="THADS auctions", version="1", lifespan=runtime.lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status=ERROR_STATUS)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.consumer = consumer
    app.include_router(api.router)
    app.include_router(api.public)
    app.include_router(bulk_import.router)    # POST /import (issue 12; thads_kit.bulk_import)
    return app



def asyncapi() -> FastStream:
    """FastStream app for the AsyncAPI document: what auctions publishes and consumes."""
    from thads_contracts.auctions import AuctionsEvent

    settings = Settings()
    runtime = Runtime(settings)
    runtime.broker.publisher(AUCTIONS_ASSET, title="thads.auctions.asset", schema=AuctionsEvent,
                             description="Kết quả bán tài sản kê biên và tiền bán chuyển về (khóa: case id)")
    consumers.register(runtime.broker, app=None, executor=runtime.executor, group="auctions.on-intake")  # type: ignore[arg-type]
    return FastStream(runtime.broker)


def app() -> FastAPI:
    settings = Settings()
    logs.configure(settings.service_name)
    return build(settings)


def main() -> None:
    serve("auctions_service.main:app", Settings())


if __name__ == "__main__":
    main()
