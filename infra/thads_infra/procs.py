"""Detached processes with a log file and a pid file, so that a later command can find and stop them.

Services are started as `name` (logs in LOG_DIR/<name>.log, pid in PID_DIR/<name>.pid); the Kafka
module uses the lower-level `spawn`/`running_pid`/`terminate` with its own paths.
A pid file alone is not trusted: the process must also still have the expected command line,
because pids are reused after a crash or a reboot.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from thads_infra import layout


def log_path(name: str) -> Path:
    return layout.LOG_DIR / f"{name}.log"


def pid_path(name: str) -> Path:
    return layout.PID_DIR / f"{name}.pid"


# --- low level: any pid file / log file -------------------------------------------------------

def _cmdline(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _threads(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def alive(pid: int, expect: str | None = None) -> bool:
    """True if `pid` runs (not a zombie) and, when given, `expect` occurs in its command line."""
    try:
        # Reap it if it is our own child that already exited, else it lingers as a zombie.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X") and _threads(pid) <= 1:
        # A zombie leader with other threads left (a JVM after SIGKILL) is still tearing down
        # and still holds its sockets; only a lone zombie is really gone.
        return False
    if expect is not None:
        cmd = _cmdline(pid)
        if not cmd or not cmd.strip():
            # A process in the middle of an exec (the java launcher re-executes itself at start-up)
            # shows an empty command line for a moment: it is alive, not someone else's pid. Taking
            # it for dead once deleted a starting broker's pid file and failed a cluster start.
            return cmd is not None
        return expect in cmd
    return True


def running_pid(pid_file: Path, expect: str | None = None) -> int | None:
    """The pid recorded in `pid_file` if that process still runs, else None (stale file removed)."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if alive(pid, expect):
        return pid
    pid_file.unlink(missing_ok=True)
    return None


def spawn(argv: Sequence[str], log_file: Path, pid_file: Path, env: Mapping[str, str] | None = None,
          cwd: Path | None = None) -> int:
    """Start `argv` in its own session (a Ctrl-C in the caller's terminal does not reach it)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=full_env, cwd=cwd, start_new_session=True)
    pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def _signal(pid: int, sig: int) -> None:
    try:
        # start_new_session made the process a group leader; signal the group so children go too.
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def wait_gone(pids: Sequence[int], timeout: float) -> list[int]:
    """Wait until none of `pids` runs; returns those still running at the timeout."""
    deadline = time.monotonic() + timeout
    left = [p for p in pids if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [p for p in left if alive(p)]
    return left


def terminate(pids: Sequence[int], timeout: float = 20.0) -> None:
    """SIGTERM all at once (a clean shutdown), then SIGKILL whatever is still there after `timeout`."""
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    for pid in wait_gone(pids, timeout):
        _signal(pid, signal.SIGKILL)
    wait_gone(pids, 5.0)


def kill(pid: int) -> None:
    _signal(pid, signal.SIGKILL)
    wait_gone([pid], 5.0)


def log_tail(log_file: Path, lines: int = 40) -> str:
    try:
        text = log_file.read_text(errors="replace")
    except OSError:
        return f"(no log at {log_file})"
    return "\n".join(text.splitlines()[-lines:])


# --- named processes (services) ----------------------------------------------------------------

def pid(name: str) -> int | None:
    return running_pid(pid_path(name))


def is_running(name: str) -> bool:
    return pid(name) is not None


def start(name: str, argv: Sequence[str], env: Mapping[str, str] | None = None,
          cwd: Path | None = None) -> int:
    """Start `argv` as `name` unless it already runs; returns the pid either way."""
    existing = pid(name)
    if existing is not None:
        return existing
    return spawn(argv, log_path(name), pid_path(name), env=env, cwd=cwd)


def stop(name: str, timeout: float = 10.0) -> bool:
    """TERM, then KILL after `timeout`. Returns whether something was running."""
    p = pid(name)
    if p is not None:
        terminate([p], timeout)
    pid_path(name).unlink(missing_ok=True)
    return p is not None


def kill9(name: str) -> bool:
    """Crash `name` (SIGKILL, no shutdown hooks), as the fault tests need."""
    p = pid(name)
    if p is not None:
        kill(p)
    pid_path(name).unlink(missing_ok=True)
    return p is not None


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_http(url: str, timeout: float = 30.0, name: str | None = None) -> None:
    """Poll `url` until it answers 2xx. With `name`, fail at once if that process died."""
    deadline = time.monotonic() + timeout
    while True:
        if http_ok(url):
            return
        if name is not None and not is_running(name):
            raise RuntimeError(f"{name} exited before {url} answered; log tail:\n{log_tail(log_path(name))}")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)
