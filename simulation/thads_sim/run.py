"""Plays a simulation plan through the real services, in the order the events need:

1. each office's NDJSON goes to intake's bulk import (`POST /import`, with that office head's token;
   every line answered): the cases, their history, and the seizures of the assets to be sold;
2. auctions: each seized asset is waited for (auctions opens it from intake's SeizureOrdered on
   Kafka; polled on `GET /assets/{id}`), then each office's sale commands go to auctions' bulk import
   (`POST /import`, lines naming the asset by its id, `occurred_at` in every body); the sale's money
   (ProceedsTransferred) or the asset taken in kind (AuctionOutcomeRecorded) reaches the case through
   Kafka, and once intake shows nothing left to collect the case's remaining lines (payout,
   completion) go to intake's import;
3. complaints: the intake event a complaint is about is looked up in the case's history (its
   contract event id) and waited for in the complaints service (`GET /decisions/{id}`, learned from
   Kafka); each office's complaints go to complaints' bulk import, then the second instances to the
   province head's import (naming each complaint by the id the first answer gave); a reception day
   (vượt cấp, not in that import) goes to `/reception/sessions` and `.../visits`, one request each
   with the line's command id as Idempotency-Key;
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


async def _import(client: httpx.AsyncClient, url: str, office: str, text: str, out: Outcome) -> list[dict[str, Any]]:
    """One file to a service's bulk import (`POST /import`) as the office's head; its answers."""
    token = _token("head", office, f"tt-{office.lower()}")
    r = await client.post(f"{url}/import", content=text.encode(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    r.raise_for_status()
    answers = []
    for raw in r.text.splitlines():
        answer = json.loads(raw)
        answers.append(answer)
        out.lines += 1
        out.statuses[answer["status"]] = out.statuses.get(answer["status"], 0) + 1
        if answer["status"] >= 300:
            out.failures.append({"office": office, "service": url, **answer})
    return answers


def _ndjson(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps({k: v for k, v in x.items() if k != "unit"}, ensure_ascii=False) + "\n" for x in lines)


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


async def _asset_opened(client: httpx.AsyncClient, auctions_url: str, c: th.Course, timeout: float) -> None:
    officer = {"Authorization": f"Bearer {_token('officer', c.office, f'cv-{c.office.lower()}')}"}
    asset = th.asset_id(c)

    async def opened() -> bool:
        return (await client.get(f"{auctions_url}/assets/{asset}", headers=officer)).status_code == 200
    await _poll(f"asset {asset} ({c.ref}) did not reach auctions from intake's SeizureOrdered", opened, timeout)


async def _money_arrived(client: httpx.AsyncClient, intake_url: str, c: th.Course, timeout: float) -> None:
    """The hammer price collected, or the asset's value taken in kind: nothing left to collect."""
    officer = {"Authorization": f"Bearer {_token('officer', c.office, f'cv-{c.office.lower()}')}"}

    async def arrived() -> bool:
        r = await client.get(f"{intake_url}/cases/{c.case_id}", headers=officer)
        return r.status_code == 200 and r.json()["uncollected_vnd"] == 0
    await _poll(f"the sale of {th.asset_id(c)} ({c.ref}) did not reach the case in intake", arrived, timeout)


async def _decision(client: httpx.AsyncClient, intake_url: str, complaints_url: str, c: th.Course,
                    timeout: float) -> str:
    """The contract event id of the intake event the complaint is about, once complaints knows it."""
    admin = {"Authorization": f"Bearer {_token('admin', 'TH', 'mo-phong')}"}
    r = await client.get(f"{intake_url}/cases/{c.case_id}/events", headers=admin)
    r.raise_for_status()
    version = next(e["version"] for e in r.json()["events"] if e["event"] == c.complaint_about)
    decision = str(make_event_id("intake", c.case_id, version))

    async def known() -> bool:
        return (await client.get(f"{complaints_url}/decisions/{decision}", headers=admin)).status_code == 200
    await _poll(f"decision {decision} ({c.ref}) did not reach complaints from intake's topic", known, timeout)
    return decision


async def _reception(client: httpx.AsyncClient, complaints_url: str, c: th.Course, out: Outcome) -> None:
    """A reception day's session and visit, on their routes (not in complaints' import)."""
    ids: dict[str, str] = {}
    for line in c.complaint_lines:
        path = line["path"]
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        answer = await _command(client, complaints_url, line, line["unit"], path, line["body"], out)
        if answer is None:
            return
        if line.get("bind"):
            ids[line["bind"]] = str(answer[f"{line['bind']}_id"])


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

        async def waited(c: th.Course, wait: Any) -> Any:
            """What the wait returns (True when it returns nothing); None, a failure, when it timed out."""
            async with gate:
                try:
                    found = await wait
                    return True if found is None else found
                except TimeoutError as exc:
                    out.failures.append({"office": c.office, "case": c.ref, "status": 0, "body": str(exc)})
                    return None

        async def files(url: str, by_office: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
            async def one_file(office: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
                async with gate:
                    return await _import(client, url, office, _ndjson(lines), out)
            answers = await asyncio.gather(*(one_file(o, x) for o, x in by_office.items() if x))
            return [a for part in answers for a in part]

        def failed(answers: list[dict[str, Any]]) -> set[str]:
            return {a["command_id"] for a in answers if a["status"] >= 300}

        if auctions_url:                 # 2. the sales, once auctions has each asset
            sold = [c for c in courses if c.auction]
            opened = await asyncio.gather(*(waited(c, _asset_opened(client, auctions_url, c, wait_timeout))
                                            for c in sold))
            ready = [c for c, ok in zip(sold, opened) if ok]
            by_office: dict[str, list[dict[str, Any]]] = {}
            for c in ready:
                by_office.setdefault(c.office, []).extend(c.auction_lines)
            bad = failed(await files(auctions_url, by_office))
            ready = [c for c in ready if not any(x["command_id"] in bad for x in c.auction_lines)]
            arrived = await asyncio.gather(*(waited(c, _money_arrived(client, intake_url, c, wait_timeout))
                                             for c in ready))
            ready = [c for c, ok in zip(ready, arrived) if ok]
            await asyncio.gather(*(one(o, t) for o, t in th.files(ready, "later").items()))
        if complaints_url:               # 3. the complaints, once complaints knows each decision
            chosen = [c for c in courses if c.complaint]
            decisions = await asyncio.gather(*(waited(c, _decision(client, intake_url, complaints_url, c, wait_timeout))
                                               for c in chosen))
            first: dict[str, list[dict[str, Any]]] = {}
            for c, decision in zip(chosen, decisions):
                if decision is None or c.complaint == "vuot_cap":
                    continue
                for x in c.complaint_lines:
                    if x["unit"] == c.office:
                        body = {k: (decision if v == "{decision}" else v) for k, v in x["body"].items()}
                        first.setdefault(c.office, []).append({**x, "body": body})
            answers = await files(complaints_url, first)
            ids = {a["command_id"]: a.get("complaint_id") for a in answers if a["status"] < 300}
            second: dict[str, list[dict[str, Any]]] = {}
            for c in chosen:
                opening = c.complaint_lines[0]["command_id"]
                if c.complaint == "vuot_cap" or not ids.get(opening):
                    continue
                for x in c.complaint_lines:
                    if x["unit"] != c.office:        # the second instance, imported by the province's head
                        second.setdefault(x["unit"], []).append({**x, "complaint": ids[opening]})
            await files(complaints_url, second)
            await asyncio.gather(*(_reception(client, complaints_url, c, out) for c in chosen
                                   if c.complaint == "vuot_cap"))
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
