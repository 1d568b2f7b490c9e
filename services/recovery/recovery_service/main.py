"""Composition root of the recovery service (bad debt and bank coordination): the only module that
reads the environment."""
from __future__ import annotations

from fastapi import FastAPI
from faststream import FastStream

from thads_contracts.topics import BANK_FEED_TOPICS, RECOVERY_DEBT
from thads_kit import logs
from thads_kit.batcher import ConflictRetriesExhaustedError
from thads_kit.http import create_app
from thads_kit.runtime import LazyConsumer, Runtime, serve
from thads_kit.scoping import OutOfScopeError

from . import api, bulk_import, consumers, projections, translation
from .application import Recovery, WrongOfficeError
from .domain import FileNotFoundError_, OtherBankError, RecoveryError
from .enforcement_requests import RequestInvalidError, UnknownBankError
from .settings import Settings

ERROR_STATUS: dict[type[Exception], int] = {
    RecoveryError: 409,                    # a rule refuses the command in this state
    FileNotFoundError_: 404,
    OtherBankError: 403,
    UnknownBankError: 404,                 # not a registered credit institution
    RequestInvalidError: 409,              # a rule refuses the request: the judgment's dates contradict it
    WrongOfficeError: 403,
    OutOfScopeError: 403,
    ConflictRetriesExhaustedError: 409,
}


def _application(settings: Settings):
    def factory(env: dict[str, str]) -> Recovery:
        app = Recovery(env=env)
        app.read_schema = settings.schema
        projections.ensure_tables_sync(app.recorder, settings.schema)
        return app
    return factory


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, application=_application(settings), translate=translation.relay_translate)
    consumer = LazyConsumer(runtime, lambda app: consumers.register(
        runtime.broker, app, runtime.executor, group=f"{settings.schema}.on-cases", schema=settings.schema,
        fault=settings.fault)) if settings.role_enabled("consumers") else None
    app = create_app(title="THADS recovery", version="1", lifespan=runtime.lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status=ERROR_STATUS)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.consumer = consumer
    app.include_router(api.router)
    app.include_router(api.banks)
    app.include_router(bulk_import.router)    # POST /import (issue 12; thads_kit.bulk_import)
    return app



def asyncapi() -> FastStream:
    """FastStream app for the AsyncAPI document: what recovery publishes (the public per-bank feed and
    the repayments for intake) and what it consumes."""
    from thads_contracts.recovery import BankFeedEntry, RecoveryEvent

    settings = Settings()
    runtime = Runtime(settings)
    runtime.broker.publisher(RECOVERY_DEBT, title="thads.recovery.debt", schema=RecoveryEvent,
                             description="Khoản trả nợ tổ chức tín dụng nhận trực tiếp (khóa: case id)")
    runtime.broker.publisher(BANK_FEED_TOPICS, title="thads.bankfeed.{bank_code}", schema=BankFeedEntry,
                             description="Luồng tin công khai cho từng tổ chức tín dụng: các bước của việc thi hành "
                                         "án mà ngân hàng là người được thi hành án, kèm căn cứ pháp lý (khóa: case id; "
                                         "đọc qua cổng SASL/SCRAM-SHA-512 dành cho ngân hàng, chỉ chủ đề của mình)")
    consumers.register(runtime.broker, app=None, executor=runtime.executor, group="recovery.on-cases")  # type: ignore[arg-type]
    return FastStream(runtime.broker)


def app() -> FastAPI:
    settings = Settings()
    logs.configure(settings.service_name)
    return build(settings)


def main() -> None:
    serve("recovery_service.main:app", Settings())


if __name__ == "__main__":
    main()
