"""A local PostgreSQL 15 cluster for development and tests: 127.0.0.1:PG_PORT, trust auth.

Trust authentication is acceptable only because the server listens on loopback and a private
socket directory; it is a throwaway dev/test database, never a deployment.
The server refuses to run as root, so when we are root every server command runs as the
`postgres` OS user. That user must be able to reach the data dir: a checkout under /root
(mode 700) is not reachable, so then the data lives in /var/tmp/thads-pg-<hash of RUN_DIR>
and RUN_DIR/pg is a symlink to it.

CLI: python -m thads_infra.postgres up|down|status|clean
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thads_infra import layout

SUPERUSER = "postgres"        # bootstrap superuser name given to initdb, whoever runs it
_INCLUDE = "include_if_exists = 'thads.conf'"
_SOCKET_PATH_MAX = 100        # sockaddr_un.sun_path is 108 bytes including ".s.PGSQL.<port>"


@dataclass(frozen=True)
class PgPaths:
    data: Path
    socket: Path
    log: Path
    relocated: bool


def _as_root() -> bool:
    return os.geteuid() == 0


def _pg_cmd(program: str, *args: str) -> list[str]:
    cmd = [str(layout.PG_BIN / program), *args]
    return ["runuser", "-u", layout.PG_OS_USER, "--", *cmd] if _as_root() else cmd


def _run(program: str, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    # cwd "/" because the postgres user may not be allowed into the caller's directory.
    result = subprocess.run(_pg_cmd(program, *args), cwd="/", input=input, capture_output=True, text=True,
                            stdin=None if input is not None else subprocess.DEVNULL, start_new_session=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")
    return result


def _postgres_can_reach(directory: Path) -> bool:
    if not _as_root():
        return True
    probe = ["runuser", "-u", layout.PG_OS_USER, "--", "test", "-x", str(directory)]
    return subprocess.run(probe, cwd="/", stdin=subprocess.DEVNULL, capture_output=True).returncode == 0


def paths() -> PgPaths:
    """Where this checkout's cluster lives; the choice, once made, is kept (RUN_DIR/pg dir or symlink)."""
    link = layout.RUN_DIR / "pg"
    if link.is_symlink():
        data = Path(os.readlink(link))
        return PgPaths(data, data.parent / "socket", data.parent / "postgres.log", True)
    local = PgPaths(link, layout.RUN_DIR / "pg-socket", layout.LOG_DIR / "postgres.log", False)
    if link.is_dir():
        return local
    layout.RUN_DIR.mkdir(parents=True, exist_ok=True)
    socket_fits = len(f"{local.socket}/.s.PGSQL.{layout.PG_PORT}") <= _SOCKET_PATH_MAX
    if socket_fits and _postgres_can_reach(layout.RUN_DIR):
        return local
    digest = hashlib.sha256(str(layout.RUN_DIR.resolve()).encode()).hexdigest()[:12]
    base = Path("/var/tmp") / f"thads-pg-{digest}"
    return PgPaths(base / "data", base / "socket", base / "postgres.log", True)


def _give_to_postgres(path: Path, mode: int) -> None:
    if _as_root():
        pw = pwd.getpwnam(layout.PG_OS_USER)
        os.chown(path, pw.pw_uid, pw.pw_gid)
    path.chmod(mode)


def _prepare(p: PgPaths) -> None:
    """Create the directories and log file with owners the server accepts."""
    layout.LOG_DIR.mkdir(parents=True, exist_ok=True)
    if p.relocated:
        p.data.parent.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(p.data.parent, 0o700)
        link = layout.RUN_DIR / "pg"
        if not link.is_symlink():
            link.symlink_to(p.data)
        log_link = layout.LOG_DIR / "postgres.log"
        if not log_link.is_symlink() and not log_link.exists():
            log_link.symlink_to(p.log)
    for directory, mode in ((p.data, 0o700), (p.socket, 0o755)):
        directory.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(directory, mode)
    p.log.touch(exist_ok=True)
    _give_to_postgres(p.log, 0o640)


def _initdb(p: PgPaths) -> None:
    if (p.data / "PG_VERSION").is_file():
        return
    common = ["-D", str(p.data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8"]
    result = _run("initdb", *common, "--locale=C.UTF-8", check=False)
    if result.returncode != 0:       # no C.UTF-8 locale on this machine: byte order is fine for tests
        _run("initdb", *common, "--no-locale")


def _write_config(p: PgPaths) -> None:
    # Regenerated on every start, so THADS_PG_PORT and a moved socket dir take effect.
    conf = p.data / "thads.conf"
    conf.write_text("# written by thads_infra.postgres on every start\n"
                    "listen_addresses = '127.0.0.1'\n"
                    f"port = {layout.PG_PORT}\n"
                    f"unix_socket_directories = '{p.socket}'\n"
                    "max_connections = 200\n")
    _give_to_postgres(conf, 0o600)
    main_conf = p.data / "postgresql.conf"
    if _INCLUDE not in main_conf.read_text():
        with open(main_conf, "a") as f:
            f.write(f"\n{_INCLUDE}\n")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((layout.PG_HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def is_running() -> bool:
    p = paths()
    if not (p.data / "PG_VERSION").is_file():
        return False
    return _run("pg_ctl", "-D", str(p.data), "status", check=False).returncode == 0


def _wait_ready(p: PgPaths, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _run("pg_isready", "-h", layout.PG_HOST, "-p", str(layout.PG_PORT), "-q", check=False).returncode != 0:
        if time.monotonic() >= deadline:
            raise TimeoutError(f"PostgreSQL not accepting connections after {timeout:.0f} s; log {p.log}")
        time.sleep(0.2)


def _psql(p: PgPaths, sql: str, db: str = "postgres") -> str:
    return _run("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(p.socket),
                "-p", str(layout.PG_PORT), "-U", SUPERUSER, "-d", db, input=sql).stdout.strip()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _bootstrap(p: PgPaths) -> None:
    """Role, database and one schema per service, all owned by PG_USER. Safe to repeat."""
    user, db = layout.PG_USER, layout.PG_DB
    _psql(p, f"SELECT 'CREATE ROLE {_ident(user)} LOGIN CREATEDB' WHERE NOT EXISTS "
             f"(SELECT FROM pg_roles WHERE rolname = {_literal(user)})\\gexec\n"
             f"ALTER ROLE {_ident(user)} LOGIN CREATEDB;\n"
             f"SELECT 'CREATE DATABASE {_ident(db)} OWNER {_ident(user)}' WHERE NOT EXISTS "
             f"(SELECT FROM pg_database WHERE datname = {_literal(db)})\\gexec\n")
    _psql(p, "".join(f"CREATE SCHEMA IF NOT EXISTS {_ident(s)} AUTHORIZATION {_ident(user)};\n"
                     f"ALTER SCHEMA {_ident(s)} OWNER TO {_ident(user)};\n"
                     for s in layout.SERVICE_SCHEMAS), db=db)


def server_version() -> str:
    return _psql(paths(), "SHOW server_version;")


def start(timeout: float = 60.0) -> None:
    """Init (once), start, and create role/database/schemas. Idempotent."""
    p = paths()
    if is_running():
        _bootstrap(p)
        print(f"PostgreSQL already running: {server_version()} on {layout.PG_HOST}:{layout.PG_PORT}", flush=True)
        return
    if _port_open(layout.PG_PORT):
        raise RuntimeError(f"port {layout.PG_PORT} is in use by another server; set THADS_PG_PORT")
    t0 = time.monotonic()
    _prepare(p)
    _initdb(p)
    _write_config(p)
    _run("pg_ctl", "-D", str(p.data), "-l", str(p.log), "-w", "-t", str(int(timeout)), "start")
    _wait_ready(p, timeout)
    _bootstrap(p)
    print(f"PostgreSQL started: {server_version()} on {layout.PG_HOST}:{layout.PG_PORT} "
          f"in {time.monotonic() - t0:.1f} s (data {p.data}, log {p.log})", flush=True)


def stop() -> bool:
    """Fast shutdown (rolls back open transactions). Returns whether it was running."""
    if not is_running():
        return False
    _run("pg_ctl", "-D", str(paths().data), "-m", "fast", "-w", "stop")
    return True


def status() -> dict[str, Any]:
    p = paths()
    running = is_running()
    return {"running": running, "version": server_version() if running else None,
            "address": f"{layout.PG_HOST}:{layout.PG_PORT}", "dsn": dsn(), "data": str(p.data), "log": str(p.log)}


def clean() -> None:
    """Stop and delete the cluster (all data), wherever it was put."""
    stop()
    p = paths()
    if p.relocated:
        shutil.rmtree(p.data.parent, ignore_errors=True)
        for link in (layout.RUN_DIR / "pg", layout.LOG_DIR / "postgres.log"):
            if link.is_symlink():
                link.unlink()
    else:
        shutil.rmtree(p.data, ignore_errors=True)
        shutil.rmtree(p.socket, ignore_errors=True)


def dsn() -> str:
    """Connection URL accepted by asyncpg.connect() and psycopg.connect() (no password: trust auth)."""
    return f"postgresql://{layout.PG_USER}@{layout.PG_HOST}:{layout.PG_PORT}/{layout.PG_DB}"


def connect_kwargs() -> dict[str, Any]:
    """The same as keyword arguments for asyncpg.connect(**...)."""
    return {"host": layout.PG_HOST, "port": layout.PG_PORT, "user": layout.PG_USER, "database": layout.PG_DB}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m thads_infra.postgres")
    parser.add_argument("command", choices=["up", "down", "status", "clean"])
    args = parser.parse_args(argv)
    match args.command:
        case "up":
            start()
        case "down":
            print("PostgreSQL stopped" if stop() else "PostgreSQL was not running")
        case "status":
            s = status()
            state = f"running {s['version']}" if s["running"] else "stopped"
            print(f"PostgreSQL {s['address']}: {state} (data {s['data']}, dsn {s['dsn']})")
            return 0 if s["running"] else 3
        case "clean":
            clean()
            print("PostgreSQL stopped and its data removed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
