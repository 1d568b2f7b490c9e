"""Sink that turns consumed contracts into new events of the service's own aggregates, recording
the consumer's position in the same transaction (eventsourcing tracking record).

Parking and dead letters (`deadletters`) are written through the event store's own psycopg
transaction, together with the tracking record, so they are atomic with the position too. A
released message is recorded under its release tracking name (`<consumer>:release:<id>`), so it
is applied exactly once however often a release is interrupted."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from .consumer import Item
from .deadletters import NotHeld, to_psycopg
from .store import EsExecutor, ServiceApplication, is_conflict

# contract envelope -> aggregates with pending events (loads and acts; raises domain errors)
Policy = Callable[[Any], Sequence[Aggregate]]


class EventSourcedSink:
    def __init__(self, app: ServiceApplication, executor: EsExecutor, policy: Policy,
                 rule_errors: tuple[type[BaseException], ...], schema: str, conflict_retries: int = 8) -> None:
        self.app = app
        self.schema = schema
        self.executor = executor
        self.policy = policy
        self.rule_errors = rule_errors
        self.conflict_retries = conflict_retries

    async def apply(self, items: Sequence[Item]) -> list[bool]:
        return await self.executor.run(self._apply_sync, list(items))

    async def record_position(self, item: Item) -> None:
        await self.executor.run(self._record_position_sync, item)

    def _apply_sync(self, items: list[Item]) -> list[bool]:
        return [self._apply_one(item) for item in items]

    async def record_with(self, item: Item, sql: str, args: tuple[Any, ...]) -> Any:
        return await self.executor.run(self._record_with_sync, item, sql, args)

    async def apply_released(self, item: Item, name: str, seq: int) -> bool:
        return await self.executor.run(self._apply_one, item, name, seq)

    async def record_many(self, items: Sequence[Item], statements: Sequence[tuple[str, tuple[Any, ...]]]
                          ) -> list[Any]:
        return await self.executor.run(self._record_many_sync, list(items), list(statements))

    def _record_with_sync(self, item: Item, sql: str, args: tuple[Any, ...]) -> Any:
        return self._record_many_sync([item], [(sql, args)])[0]

    def _record_many_sync(self, items: list[Item], statements: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
        recorder: Any = self.app.recorder
        for _ in range(self.conflict_retries):
            seen = {n: self.app.position(n) for n in {i.position.tracking_name for i in items}}
            start = dict(seen)
            out: list[Any] = []
            try:
                with recorder.datastore.transaction(commit=True) as curs:
                    for item, (sql, args) in zip(items, statements):
                        name, nid = item.position.tracking_name, item.position.notification_id
                        if nid <= seen[name]:
                            out.append(None)
                            continue
                        query, params = to_psycopg(sql, args)
                        curs.execute(query, params)
                        row = curs.fetchone()
                        if row is None:
                            raise NotHeld(f"{item.position}: the key is no longer held")
                        seen[name] = nid
                        out.append(next(iter(row.values())))
                    for name, nid in seen.items():
                        if nid > start[name]:
                            # the library's own tracking insert (IntegrityError unless above the stored one)
                            recorder._insert_tracking(  # noqa: SLF001
                                curs, Tracking(notification_id=nid, application_name=name))
                return out
            except NotHeld:
                raise
            except Exception as exc:
                if not is_conflict(exc):
                    raise
                # another instance moved a position meanwhile (a rebalance): read them again
        raise RuntimeError(f"positions kept moving while parking {len(items)} messages")

    def _apply_one(self, item: Item, name: str | None = None, nid: int | None = None) -> bool:
        if name is None or nid is None:
            name, nid = item.position.tracking_name, item.position.notification_id
        if self.app.position(name) >= nid:
            return False
        for _ in range(self.conflict_retries):
            aggregates = self.policy(item.envelope)
            try:
                self.app.record(aggregates, Tracking(notification_id=nid, application_name=name))
                return True
            except Exception as exc:
                if not is_conflict(exc):
                    raise
                if self.app.position(name) >= nid:   # applied meanwhile (rebalance, second instance)
                    return False
                # else another writer changed the aggregate: reload and act again
        raise RuntimeError(f"aggregate kept changing while applying {item.position}")

    def _record_position_sync(self, item: Item) -> None:
        name, nid = item.position.tracking_name, item.position.notification_id
        if self.app.position(name) < nid:
            try:
                self.app.record([], Tracking(notification_id=nid, application_name=name))
            except Exception as exc:
                if not is_conflict(exc):
                    raise
