"""The deployment compose file is valid for Debian's docker-compose and keeps the agreed shape.

No Docker engine runs here: `docker-compose config` only parses, validates and interpolates.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from thads_infra import layout

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
FUTURE_SERVICES: tuple[str, ...] = ()   # auctions, complaints, recovery, statistics: when their packages exist
EXPECTED_SERVICES = tuple(dict.fromkeys([s.name for s in layout.SERVICES] + list(FUTURE_SERVICES)))
PORTS = {"intake": 8101, "auctions": 8102, "complaints": 8103, "recovery": 8104,
         "statistics": 8105, "audit": 8106, "online": 8107} | {s.name: s.port for s in layout.SERVICES}
REQUIRED_VARS = {"POSTGRES_PASSWORD": "dummy-pg-password", "THADS_JWT_SECRET": "dummy-jwt-secret",
                 "THADS_ANCHOR_SIGNING_KEY": "dummy-anchor-key"}
SECRET_KEY = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY", re.IGNORECASE)
REQUIRED_VAR_REF = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*:\?[^}]*\}$")


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run `apt-get install -y docker-compose` "
                    "(Debian package; the project's setup installs it)")
    return binary


def _run_config(env_vars: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean environment, so a developer's own POSTGRES_PASSWORD cannot hide a missing guard.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")} | env_vars
    return subprocess.run([_docker_compose(), "-f", str(COMPOSE_FILE), "config", "-q"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def test_docker_compose_accepts_the_file_when_the_required_variables_are_set():
    result = _run_config(REQUIRED_VARS)

    assert result.returncode == 0, f"docker-compose config failed:\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("missing", sorted(REQUIRED_VARS))
def test_docker_compose_refuses_to_run_without_a_secret(missing):
    result = _run_config({k: v for k, v in REQUIRED_VARS.items() if k != missing})

    assert result.returncode != 0
    assert missing in result.stdout + result.stderr


def test_every_target_service_has_its_own_image_and_module(compose):
    services = compose["services"]

    for name in EXPECTED_SERVICES:
        assert name in services, f"service {name!r} missing from docker-compose.yml"
        svc = services[name]
        assert svc["image"].split(":")[0] == f"thads/{name}"
        assert svc["build"]["args"]["SERVICE_MODULE"] == f"{name}_service.main"
        assert str(svc["build"]["args"]["HTTP_PORT"]) == str(PORTS[name])
    images = [services[n]["image"] for n in EXPECTED_SERVICES]
    assert len(set(images)) == len(images)


def test_each_service_gets_its_prefixed_settings_and_waits_for_healthy_infrastructure(compose):
    services = compose["services"]

    for name in EXPECTED_SERVICES:
        env = _environment(services[name])
        prefix = name.upper()
        for key in ("KAFKA_URL", "PG_HOST", "PG_PORT", "PG_DB", "PG_USER", "PG_PASSWORD", "HTTP_PORT"):
            assert f"{prefix}_{key}" in env, f"{name}: {prefix}_{key} not set"
        assert env[f"{prefix}_HTTP_PORT"] == str(PORTS[name])
        assert env[f"{prefix}_PG_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
        assert env["THADS_JWT_SECRET"].startswith("${THADS_JWT_SECRET:?")
        depends = services[name]["depends_on"]
        assert depends["kafka"]["condition"] == "service_healthy"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["topics"]["condition"] == "service_completed_successfully"


def test_kafka_is_the_official_image_in_kraft_combined_mode_with_a_healthcheck(compose):
    kafka = compose["services"]["kafka"]
    env = _environment(kafka)

    assert kafka["image"] == "apache/kafka:4.1.1"
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "test" in kafka["healthcheck"]
    assert any(v.endswith(":/var/lib/kafka/data") for v in kafka["volumes"])


def test_postgres_is_the_official_15_image_and_creates_every_service_schema(compose):
    pg = compose["services"]["postgres"]

    assert pg["image"].split(":")[0] == "postgres" and pg["image"].split(":")[1].startswith("15")
    assert "test" in pg["healthcheck"]
    init_mount = next(v for v in pg["volumes"] if "/docker-entrypoint-initdb.d" in v)
    init_dir = ROOT / init_mount.split(":")[0]
    sql = " ".join(p.read_text(encoding="utf-8") for p in sorted(init_dir.glob("*.sql"))).lower()
    for schema in layout.SERVICE_SCHEMAS:
        assert f"create schema if not exists {schema};" in sql, f"schema {schema} not created"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in pg["volumes"])


def test_topics_are_created_by_a_one_shot_job_before_the_services(compose):
    topics = compose["services"]["topics"]

    assert topics["build"]["args"]["SERVICE_MODULE"] == "thads_infra.topics"
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert topics.get("restart") == "no"


def test_no_secret_value_is_written_in_the_file(compose):
    literal = []
    for name, svc in compose["services"].items():
        for key, value in _environment(svc).items():
            if SECRET_KEY.search(key) and not REQUIRED_VAR_REF.match(value):
                literal.append(f"{name}.{key}={value!r}")

    assert not literal, "secrets must come from ${VAR:?...} references: " + ", ".join(literal)


def test_every_service_image_runs_a_module_that_exists():
    import importlib.util

    import yaml

    from thads_infra.layout import ROOT

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    modules = {name: svc["build"]["args"]["SERVICE_MODULE"] for name, svc in compose["services"].items()
               if isinstance(svc.get("build"), dict) and "SERVICE_MODULE" in svc["build"].get("args", {})}

    assert modules, "the services build with a SERVICE_MODULE argument"
    missing = {name: module for name, module in modules.items() if importlib.util.find_spec(module) is None}
    assert not missing, f"compose services whose module does not exist (they would crash-loop): {missing}"
