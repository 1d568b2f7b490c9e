"""Plays a simulation plan through the real services: each office's NDJSON goes to intake's bulk
import (`POST /import`, with that office head's token; every line answered), the targets are set
through the statistics API, and the run waits until the statistics service has counted every event
(its report stops changing). A re-run sends the same command ids, so it changes nothing."""
from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

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


async def simulate(intake_url: str, statistics_url: str | None, scale: float = 1.0, seed: int = 2018,
                   parallel: int = 16, settle_timeout: float = 900.0, tag: str = "") -> Outcome:
    courses = th.plan(scale, seed, tag)
    out = Outcome()
    t0 = time.monotonic()
    gate = asyncio.Semaphore(parallel)
    async with httpx.AsyncClient(timeout=None) as client:
        async def one(office: str, text: str) -> None:
            async with gate:
                await _import(client, intake_url, office, text, out)
        await asyncio.gather(*(one(o, t) for o, t in th.files(courses).items()))
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


async def _settled(client: httpx.AsyncClient, url: str, headers: dict[str, str], timeout: float) -> dict[str, Any]:
    """The report once it stopped changing (three equal readings two seconds apart)."""
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while time.monotonic() < deadline:
        r = await client.get(f"{url}/reports", params={"unit": th.UNIT, "period": th.PERIOD}, headers=headers)
        r.raise_for_status()
        rep = r.json()
        key = (rep["sha256"], rep["cases_counted"])
        same = same + 1 if key == last and rep["cases_counted"] else 0
        if same >= 2:
            return rep
        last = key
        await asyncio.sleep(2.0)
    raise TimeoutError(f"the statistics report did not settle within {timeout:.0f}s")
