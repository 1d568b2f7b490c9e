"""Plays a simulation plan through the real services, in the order the events need:

1. each office's NDJSON goes to intake's bulk import (`POST /import`, with that office head's token;
   every line answered): the cases, their history, and the seizures of the assets to be sold;
2. auctions: each seized asset is waited for (auctions opens it from intake's SeizureOrdered on
   Kafka; polled on `GET /assets/{id}`), then its commands run one by one on auctions' command routes
   (`POST /assets/{id}/<command>`, the officer's token, `Idempotency-Key` = the line's command id,
   `occurred_at` in the body); the sale's money (ProceedsTransferred) or the asset taken in kind
   (AuctionOutcomeRecorded) reaches the case through Kafka, and once intake shows the claim item
   settled the case's remaining lines (payout, completion) go to intake's import;
3. complaints: the intake event a complaint is about is looked up in the case's history (its
   contract event id), waited for in the complaints service (`GET /decisions/{id}`, learned from
   Kafka), then the complaint's commands run on complaints' routes (`POST /complaints`,
   `/complaints/{id}/<command>`, `/reception/sessions...`), the id the first line creates filling
   "{complaint}" / "{session}" in the next ones;
4. the targets are set through the statistics API and the run waits until the statistics service
   has counted every event (its report stops changing).

A re-run sends the same command ids, so it changes nothing: each service answers a command id it
already ran with the original answer (the same complaint and session ids included), and every wait
is already satisfied."""
from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from thads_contracts.envelope import make_event_id
from thads_kit.auth import issue_token
from thads_kit.settings import DEV_JWT_SECRET

from . import thanh_hoa_2018 as th


def _token(role: str, unit: str, sub: str) -> str:
    return issue_token(os.environ.get("THADS_JWT_SECRET", DEV_JWT_SECRET), role=role, unit=unit, sub=sub, hours=4)


@dataclass
class Outcome:
    lines: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    import_seconds: float = 0.0
    settle_seconds: float = 0.0
    report: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


async def _import(client: httpx.AsyncClient, url: str, office: str, text: str, out: Outcome) -> None:
    token = _token("head", office, f"tt-{office.lower()}")
    r = await client.post(f"{url}/import", content=text.encode(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    r.raise_for_status()
    for raw in r.text.splitlines():
        answer = json.loads(raw)
        out.lines += 1
        out.statuses[answer["status"]] = out.statuses.get(answer["status"], 0) + 1
        if answer["status"] >= 300:
            out.failures.append({"office": office, **answer})


def _count(out: Outcome, where: str, line: dict[str, Any], status: int, body: Any) -> None:
    out.lines += 1
    out.statuses[status] = out.statuses.get(status, 0) + 1
    if status >= 300:
        out.failures.append({"office": where, "command_id": line["command_id"], "path": line["path"],
                             "status": status, "body": body})


async def _command(client: httpx.AsyncClient, url: str, line: dict[str, Any], unit: str, path: str,
                   body: dict[str, Any], out: Outcome) -> Any:
    """One line on the service's own command route (its token, Idempotency-Key = the command id)."""
    r = await client.post(f"{url}{path}", json=body, headers={
        "Authorization": f"Bearer {_token(line['role'], unit, line['actor'])}", "Idempotency-Key": line["command_id"]})
    try:
        answer = r.json()
    except ValueError:
        answer = r.text
    _count(out, unit, line, r.status_code, answer)
    return answer if r.status_code < 300 else None


async def _poll(what: str, check: Any, timeout: float, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout:.0f}s")
        await asyncio.sleep(interval)


async def _sale(client: httpx.AsyncClient, intake_url: str, auctions_url: str, c: th.Course, out: Outcome,
                timeout: float) -> bool:
    """The asset's commands once auctions has it; True when the case's money or asset has arrived."""
    officer = {"Authorization": f"Bearer {_token('officer', c.office, f'cv-{c.office.lower()}')}"}
    asset = th.asset_id(c)

    async def opened() -> bool:
        return (await client.get(f"{auctions_url}/assets/{asset}", headers=officer)).status_code == 200
    await _poll(f"asset {asset} ({c.ref}) did not reach auctions from intake's SeizureOrdered", opened, timeout)
    for line in c.auction_lines:
        if await _command(client, auctions_url, line, c.office, line["path"], line["body"], out) is None:
            return False
    async def settled() -> bool:      # the hammer price collected, or the asset's value taken in kind
        r = await client.get(f"{intake_url}/cases/{c.case_id}", headers=officer)
        return r.status_code == 200 and r.json()["uncollected_vnd"] == 0
    await _poll(f"the sale of {asset} ({c.ref}) did not reach the case in intake", settled, timeout)
    return True


async def _complaint(client: httpx.AsyncClient, intake_url: str, complaints_url: str, c: th.Course, out: Outcome,
                     timeout: float) -> None:
    admin = {"Authorization": f"Bearer {_token('admin', 'TH', 'mo-phong')}"}
    r = await client.get(f"{intake_url}/cases/{c.case_id}/events", headers=admin)
    r.raise_for_status()
    version = next(e["version"] for e in r.json()["events"] if e["event"] == c.complaint_about)
    decision = str(make_event_id("intake", c.case_id, version))

    async def known() -> bool:
        return (await client.get(f"{complaints_url}/decisions/{decision}", headers=admin)).status_code == 200
    await _poll(f"decision {decision} ({c.ref}) did not reach complaints from intake's topic", known, timeout)
    ids: dict[str, str] = {}
    for line in c.complaint_lines:
        path = line["path"]
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        body = {k: (decision if v == "{decision}" else v) for k, v in line["body"].items()}
        answer = await _command(client, complaints_url, line, line["unit"], path, body, out)
        if answer is None:
            return
        if line.get("bind"):
            ids[line["bind"]] = str(answer.get(f"{line['bind']}_id"))


async def simulate(intake_url: str, statistics_url: str | None, scale: float = 1.0, seed: int = 2018,
                   parallel: int = 16, settle_timeout: float = 900.0, tag: str = "",
                   auctions_url: str | None = None, complaints_url: str | None = None,
                   wait_timeout: float = 300.0) -> Outcome:
    """Without `auctions_url` no case is sold at auction (the plan pays them directly: the same trees);
    without `complaints_url` no complaint is made."""
    courses = th.plan(scale, seed, tag, auctions=auctions_url is not None, complaints=complaints_url is not None)
    out = Outcome()
    t0 = time.monotonic()
    gate = asyncio.Semaphore(parallel)
    async with httpx.AsyncClient(timeout=None) as client:
        async def one(office: str, text: str) -> None:
            async with gate:
                await _import(client, intake_url, office, text, out)
        await asyncio.gather(*(one(o, t) for o, t in th.files(courses).items()))

        async def sale(c: th.Course) -> th.Course | None:
            async with gate:
                try:
                    return c if await _sale(client, intake_url, auctions_url, c, out, wait_timeout) else None
                except TimeoutError as exc:
                    out.failures.append({"office": c.office, "case": c.ref, "status": 0, "body": str(exc)})
                    return None

        async def complaint(c: th.Course) -> None:
            async with gate:
                try:
                    await _complaint(client, intake_url, complaints_url, c, out, wait_timeout)
                except TimeoutError as exc:
                    out.failures.append({"office": c.office, "case": c.ref, "status": 0, "body": str(exc)})
        jobs: list[Any] = []
        if auctions_url:
            jobs += [sale(c) for c in courses if c.auction]
        if complaints_url:
            jobs += [complaint(c) for c in courses if c.complaint]
        done = await asyncio.gather(*jobs)
        later = th.files([c for c in done if isinstance(c, th.Course)], "later")
        await asyncio.gather(*(one(o, t) for o, t in later.items()))
        out.import_seconds = time.monotonic() - t0
        if statistics_url is None:
            return out
        admin = {"Authorization": f"Bearer {_token('admin', 'TH', 'mo-phong')}"}
        for tree, percent in th.TARGETS.items():
            r = await client.put(f"{statistics_url}/targets", headers=admin,
                                 json={"unit": th.UNIT, "period": th.PERIOD, "tree": tree, "percent": percent})
            r.raise_for_status()
        t1 = time.monotonic()
        out.report = await _settled(client, statistics_url, admin, settle_timeout)
        out.settle_seconds = time.monotonic() - t1
    return out


async def _settled(client: httpx.AsyncClient, url: str, headers: dict[str, str], timeout: float,
                   empty_ok: bool = False) -> dict[str, Any]:
    """The report once it stopped changing (three equal readings two seconds apart); unless
    `empty_ok`, a report that counts no case is not settled yet."""
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while time.monotonic() < deadline:
        r = await client.get(f"{url}/reports", params={"unit": th.UNIT, "period": th.PERIOD}, headers=headers)
        r.raise_for_status()
        rep = r.json()
        key = (rep["sha256"], rep["cases_counted"])
        same = same + 1 if key == last and (rep["cases_counted"] or empty_ok) else 0
        if same >= 2:
            return rep
        last = key
        await asyncio.sleep(2.0)
    raise TimeoutError(f"the statistics report did not settle within {timeout:.0f}s")
