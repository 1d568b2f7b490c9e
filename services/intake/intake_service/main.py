"""Composition root of the intake service: the only module that reads the environment."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, AsyncIterator

from fastapi import FastAPI
from faststream import FastStream

from thads_contracts.topics import INTAKE_CASE
from thads_kit import logs
from thads_kit.batcher import ConflictRetriesExhaustedError
from thads_kit.http import create_app
from thads_kit.runtime import LazyConsumer, Runtime, serve

from . import (api, bulk_import, consumers, consumers_bank_requests, consumers_complaints, consumers_online, corrections,
               personal_data, queries_api, read_model, translation)
from .application import CaseAlreadyRegisteredError, CaseNotFoundError, Intake, NotYourCaseError, WrongOfficeError
from .domain.errors import LimitationNotExpiredError, LimitationNotExpiredGroundError
from .domain import (
    ActorNotPermittedError, IntakeError, InvalidGroundError, InvalidValueError, MissingGroundError,
    NaiveDatetimeError, NotPositiveAmountError,
)
from .personal_data import PartyOfAnotherCaseError
from .projections import CaseIndex
from .scheduler import DeadlineWatch
from .settings import Settings

ERROR_STATUS: dict[type[Exception], int] = {
    bulk_import.TooManyLinesError: 413,
    IntakeError: 409,                      # a rule refuses the command in this state
    CaseNotFoundError: 404,
    CaseAlreadyRegisteredError: 409,
    ActorNotPermittedError: 403,
    NotYourCaseError: 403,
    WrongOfficeError: 403,
    PartyOfAnotherCaseError: 409,
    # the case kept changing under the command (the batcher's retries on version conflicts ran out);
    # nothing was saved and the caller may try again
    ConflictRetriesExhaustedError: 409,
    InvalidValueError: 422,
    InvalidGroundError: 422,
    # the limitation still runs: refused by the case's state, though the value is well-formed
    LimitationNotExpiredError: 409,
    LimitationNotExpiredGroundError: 409,
    MissingGroundError: 422,
    NotPositiveAmountError: 422,
    NaiveDatetimeError: 422,
}


class PersonalDataStore:
    """What the /parties route needs from personal_data.py, on the runtime's pool."""

    def __init__(self, runtime: Runtime, schema: str) -> None:
        self.runtime, self.schema = runtime, schema

    async def check(self, case_id: Any, body: Any) -> None:
        """Before the command: refuse a party id that holds another case's personal data."""
        owner = await personal_data.case_of_party(self.runtime.pool, self.schema, body.party_id)
        if owner is not None and owner != case_id:
            raise PartyOfAnotherCaseError(f"party {body.party_id} belongs to another case")

    def write(self, case_id: Any, body: Any) -> Any:
        """The write that stores the personal data in the transaction of the PartyAdded event (it
        refuses, too, if another case took the id in between)."""
        return personal_data.upsert_write(self.schema, party_id=body.party_id, case_id=case_id,
                                          full_name=body.full_name, id_number=body.id_number,
                                          address=body.address, phone=body.phone)


def build(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, application=lambda env: Intake(env=env), translate=translation.relay_translate)
    consumer = None
    if settings.role_enabled("consumers"):
        def group(name: str) -> dict[str, Any]:
            return {"group": f"{settings.schema}.{name}", "schema": settings.schema, "fault": settings.fault}
        # collections (auction proceeds, bank repayments) on the case
        consumer = LazyConsumer(runtime, lambda app: consumers.register(
            runtime.broker, app, runtime.executor, **group("collections")))
        # accepted online filings → requests received on the online channel (consumers_online.py)
        LazyConsumer(runtime, lambda app: consumers_online.register(
            runtime.broker, app, runtime.executor, **group("online-filings")))
        # banks' requests for enforcement as a creditor (issue 10, via recovery) → requests received
        LazyConsumer(runtime, lambda app: consumers_bank_requests.register(
            runtime.broker, app, runtime.executor, **group("bank-requests")))
        # complaints' correction requests (issue 9): a consumer group of its own, position atomic with the record
        LazyConsumer(runtime, lambda app: consumers_complaints.register(
            runtime.broker, app, runtime.executor, **group("corrections")))
    read: dict[str, Any] = {}

    async def start_read_side() -> None:
        assert runtime.app is not None and runtime.pool is not None and runtime.batcher is not None
        read["index"] = CaseIndex(settings.schema, runtime.app, runtime.executor, runtime.pool)
        await read["index"].ensure_tables()
        if settings.role_enabled("api"):
            await read["index"].start()
            read["watch"] = DeadlineWatch(settings.schema, runtime.pool, runtime.batcher, runtime.app,
                                          interval_seconds=settings.deadline_watch_seconds,
                                          quiet_for=timedelta(seconds=settings.deadline_watch_quiet_seconds))
            await read["watch"].start()

    @asynccontextmanager
    async def lifespan(fastapi_app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(fastapi_app):
            try:
                yield
            finally:   # before the runtime closes the batcher and the pool
                for name in ("watch", "index"):
                    if name in read:
                        await read[name].stop()

    runtime.on_start.append(start_read_side)
    app = create_app(title="THADS intake", version="1", lifespan=lifespan,
                     jwt_secret=settings.jwt_secret.get_secret_value(), health=runtime.health,
                     error_status=ERROR_STATUS)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.consumer = consumer
    app.state.read_side = read
    app.state.read_answers = read_model.Reader(settings.schema)   # GET /cases/{id}, /events (read_model.py)
    api.register_fast_reads(app.state.fast_lane, runtime, app.state.read_answers)
    api.register_fast_commands(app.state.fast_lane, runtime)      # opening a case (api.py)
    app.state.personal_data = PersonalDataStore(runtime, settings.schema)
    app.include_router(api.router)
    app.include_router(queries_api.router)
    app.include_router(corrections.router)
    app.include_router(bulk_import.router)     # POST /import (issue 12)
    return app



def asyncapi() -> FastStream:
    """FastStream app for the AsyncAPI document: what intake publishes and consumes."""
    from thads_contracts.intake import IntakeEvent

    settings = Settings()
    runtime = Runtime(settings)
    runtime.broker.publisher(INTAKE_CASE, title="thads.intake.case", schema=IntakeEvent,
                             description="Sự kiện công khai của việc thi hành án (khóa: case id)")
    consumers.register(runtime.broker, app=None, executor=runtime.executor, group="intake.collections")  # type: ignore[arg-type]
    consumers_online.register(runtime.broker, app=None, executor=runtime.executor, group="intake.online-filings")  # type: ignore[arg-type]
    consumers_complaints.register(runtime.broker, app=None, executor=runtime.executor,  # type: ignore[arg-type]
                                  group="intake.corrections")
    consumers_bank_requests.register(runtime.broker, app=None, executor=runtime.executor,  # type: ignore[arg-type]
                                     group="intake.bank-requests")
    return FastStream(runtime.broker)


def app() -> FastAPI:
    """The app of one worker process (uvicorn calls it in each one; see thads_kit.runtime.serve)."""
    settings = Settings()
    logs.configure(settings.service_name)
    return build(settings)


def main() -> None:
    serve("intake_service.main:app", Settings())


if __name__ == "__main__":
    main()
