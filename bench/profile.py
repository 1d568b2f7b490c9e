"""Where a request's time goes: py-spy on the intake process while wrk drives one route (issue 13).

    python -m bench.profile reads|writes|bare [--seconds 10] [--workers 1] [--top 25]

Starts the intake service (on the stack named by THADS_* as for the tests: `thads up --no-services`
first), opens 100 cases for the reads, runs wrk at 32 connections and `py-spy record --format raw`
on the process at the same time, then prints wrk's figures and the functions holding the most
samples: inclusive (the function or anything it called) and self (the innermost frame). Idle
threads (waiting on a lock or a queue) are left out of the percentages (`--idle` keeps them)."""
from __future__ import annotations

import argparse
import asyncio
import collections
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import front

SCRIPTS = {"reads": "reads.lua", "writes": "judgments.lua", "bare": "bare.lua"}


def summarise(raw: Path, top: int, threads: bool = False) -> list[str]:
    """Top frames, inclusive and self. With `threads` (py-spy --threads: each stack starts with its
    thread), also the samples per thread, and the frames counted per thread."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    per_thread: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        if threads:
            thread, _, stack = stack.partition(";")
            per_thread[thread] += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].rsplit("/", 1)[-1] + ")"
                  if " (" in f else f for f in stack.split(";")]
        total += n
        for f in set(frames[1:]):      # the first frame is the thread
            inclusive[f] += n
        own[frames[-1]] += n
    out = [f"{total} samples"]
    if threads:
        out.append("threads:")
        out += [f"  {100 * n / total:5.1f} %  {t}" for t, n in per_thread.most_common(top)]
    out.append("inclusive:")
    out += [f"  {100 * n / total:5.1f} %  {f}" for f, n in inclusive.most_common(top)]
    out.append("self:")
    out += [f"  {100 * n / total:5.1f} %  {f}" for f, n in own.most_common(top)]
    return out


async def main(args: argparse.Namespace) -> None:
    from thads_infra.testing import service_process
    from thads_infra.tokens import issue_token

    log_dir = Path(tempfile.mkdtemp(prefix="thads-profile-"))
    intake = service_process("intake", log_dir, http_workers=args.workers,
                             relay_process=args.relay_process).start(timeout=120)
    token = issue_token("clerk", "BENCH")
    env = {"THADS_BENCH_TOKEN": token, "THADS_BENCH_RUN": f"p-{uuid.uuid4().hex[:8]}"}
    try:
        if args.what == "reads":
            env["THADS_BENCH_CASES"] = ",".join(await front.open_cases("127.0.0.1", intake.port, token, 100))
        url = intake.url + ("/health/live" if args.what == "bare" else "")
        front.wrk(url, SCRIPTS[args.what], 2, env | {"THADS_BENCH_RUN": f"warm-{uuid.uuid4().hex[:8]}"})  # warm-up
        time.sleep(1.0)
        assert intake.proc is not None
        pids = [intake.proc.pid] + [c for c in front.children(intake.proc.pid)
                                    if b"relay_process" not in Path(f"/proc/{c}/cmdline").read_bytes()]
        raw = log_dir / "profile.txt"
        cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw", "-o", str(raw),
               "-d", str(int(args.seconds)), "-r", "200", "--nonblocking", "-p", str(pids[-1] if args.workers > 1 else pids[0])]
        if args.idle:
            cmd.append("--idle")
        if args.threads:
            cmd.append("--threads")
        if args.gil:
            cmd.append("--gil")
        spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        result = front.wrk(url, SCRIPTS[args.what], args.seconds, env)
        spy.wait(timeout=60)
        print(f"{args.what}: {result['per_s']:.0f} requests/s, p50 {result['p50_ms']:.1f} ms, "
              f"p99 {result['p99_ms']:.1f} ms, errors {result['errors']} (of which non-2xx {result['status_errors']})")
        print("\n".join(summarise(raw, args.top, args.threads)))
        print(f"(raw profile: {raw})")
    finally:
        intake.stop()


def cli(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("what", choices=sorted(SCRIPTS))
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--idle", action="store_true")
    parser.add_argument("--threads", action="store_true", help="samples per thread (py-spy --threads)")
    parser.add_argument("--relay-process", action="store_true",
                        help="the relay in a process of its own (INTAKE_RELAY_PROCESS, as make bench runs it)")
    parser.add_argument("--gil", action="store_true",
                        help="only samples of the thread holding the GIL (py-spy --gil): a thread waiting for it "
                             "is otherwise counted where it stands")
    asyncio.run(main(parser.parse_args(argv)))


if __name__ == "__main__":
    cli()
