"""Composition root of the online requests service: the only module that reads the environment."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from fastapi import FastAPI
from faststream import FastStream

from thads_contracts.topics import ONLINE_FILING
from thads_kit import logs
from thads_kit.batcher import ConflictRetriesExhaustedError
from thads_kit.http import create_app
from thads_kit.runtime import LazyConsumer, Runtime, serve
from thads_kit.scoping import OutOfScopeError

from . import api, consumers, notices, projections, translation
from .application import Online, WrongOfficeError
from .attachments import AttachmentError
from .domain import FilingNotFoundError, InvalidFilingError, OnlineError
from .settings import Settings

ERROR_STATUS: dict[type[Exception], int] = {
    OnlineError: 409,                   # a rule refuses the command in the filing's state
    # the filing's content that no schema can state (judgment date in the future, neither claims nor an
    # act; an attachment not a PDF/JPEG/PNG by content, not what it claims, over 10 MB): a rule's refusal
    # of a well-formed request, 409 like every rule (the request's shape is the models' 422)
    InvalidFilingError: 409,
    AttachmentError: 409,
    FilingNotFoundError: 404,           # also another person's tracking code
    WrongOfficeError: 403,
    OutOfScopeError: 403,
    ConflictRetriesExhaustedError: 409,
}


def _application(settings: Settings):
    def factory(env: dict[str, str]) -> Online:
        app = Online(env=env)
        app.read_schema = settings.schema
        projections.ensure_tables_sync(app.recorder, settings.schema)
        return app
    return factory


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, application=_application(settings), translate=translation.relay_translate)
    consumer = LazyConsumer(runtime, lambda app: consumers.register(
        runtime.broker, app, runtime.executor, group=f"{settings.schema}.on-intake", schema=settings.schema,
        fault=settings.fault)) if settings.role_enabled("consumers") else None
    extra: dict[str, Any] = {}

    async def start_notices() -> None:
        if settings.role_enabled("relay"):
            extra["notices"] = notices.NoticeDispatcher(runtime.pool, settings.schema,
                                                        notices.senders(settings.notice_senders),
                                                        poll_seconds=settings.notices_poll_seconds)
            await extra["notices"].start()

    @asynccontextmanager
    async def lifespan(fastapi_app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(fastapi_app):
            try:
                yield
            finally:
                if "notices" in extra:
                    await extra["notices"].stop()

    runtime.on_start.append(start_notices)
    app = create_app(title="THADS online", version="1", lifespan=lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status=ERROR_STATUS)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.consumer = consumer
    app.state.extra = extra
    app.include_router(api.router)
    return app



def asyncapi() -> FastStream:
    """FastStream app for the AsyncAPI document: what online publishes and consumes."""
    from thads_contracts.online import OnlineEvent

    settings = Settings()
    runtime = Runtime(settings)
    runtime.broker.publisher(ONLINE_FILING, title="thads.online.filing", schema=OnlineEvent,
                             description="Đơn yêu cầu thi hành án trực tuyến: nộp, trả lại, bổ sung, tiếp nhận, "
                                         "từ chối (khóa: filing id)")
    consumers.register(runtime.broker, app=None, executor=runtime.executor, group="online.on-intake")  # type: ignore[arg-type]
    return FastStream(runtime.broker)


def app() -> FastAPI:
    settings = Settings()
    logs.configure(settings.service_name)
    return build(settings)


def main() -> None:
    serve("online_service.main:app", Settings())


if __name__ == "__main__":
    main()
