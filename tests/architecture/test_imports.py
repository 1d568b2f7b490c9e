"""Import rules as data, checked by one test (house style, convention 11).

Every .py file under services/*/, contracts/ and infra/ gets a dotted module name
(services/intake/intake_service/domain.py -> intake_service.domain; a service's tests ->
intake_service.tests.unit.test_x). A rule forbids modules matching `importers` to import modules
matching `forbidden`. Patterns are fnmatch globs; a forbidden pattern matches an imported name or any
of its dotted prefixes, so "faststream" also forbids "faststream.kafka". A package may always import
itself, which is what makes "*_service may not import *_service" mean "no other service".
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Rule:
    why: str
    importers: tuple[str, ...]
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()


SERVICES = ("*_service", "*_service.*")
TESTS = ("*.tests", "*.tests.*")

IMPORT_RULES: tuple[Rule, ...] = (
    Rule("domain code is pure: no infrastructure, no contracts, no kit",
         importers=("*.domain", "*.domain.*"),
         forbidden=("faststream", "aiokafka", "asyncpg", "pydantic_settings", "fastapi",
                    "thads_contracts", "thads_kit")),
    Rule("services talk only through Kafka, never through each other's code",
         importers=SERVICES, forbidden=("*_service",)),
    Rule("contracts are the shared vocabulary and depend on no runtime",
         importers=("thads_contracts", "thads_contracts.*"),
         forbidden=("*_service", "thads_kit", "eventsourcing", "faststream")),
    Rule("the kit has no business rules, so it knows no service",
         importers=("thads_kit", "thads_kit.*"), forbidden=("*_service",)),
)

# Environment reads (os.environ, os.environb, os.getenv) belong in the composition root.
ENV_READERS = SERVICES + ("thads_kit", "thads_kit.*")
ENV_ALLOWED = ("*_service.main", "*_service.settings", "*_service.settings.*",
               "thads_kit.settings", "thads_kit.settings.*") + TESTS
ENV_NAMES = frozenset({"environ", "environb", "getenv"})


@dataclass(frozen=True)
class Violation:
    where: str          # path:line
    module: str
    what: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.module} {self.what} ({self.why})"


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(name, p) for p in patterns)


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module)
            # `from pkg import name` may import the submodule pkg.name: check that candidate too.
            found.extend((node.lineno, f"{base}.{a.name}" if a.name != "*" else base)
                         for a in node.names)
    return found


def _env_reads(tree: ast.AST) -> list[tuple[int, str]]:
    os_names = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names if a.name == "os"}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ENV_NAMES
                and isinstance(node.value, ast.Name) and node.value.id in os_names):
            found.append((node.lineno, f"os.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and node.level == 0:
            found.extend((node.lineno, f"os.{a.name}") for a in node.names if a.name in ENV_NAMES)
    return found


def check_source(source: str, module: str, path: str, *, is_package: bool = False,
                 rules: tuple[Rule, ...] = IMPORT_RULES) -> list[Violation]:
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        return [Violation(f"{path}:{exc.lineno}", module, "does not parse", str(exc.msg))]
    own = module.split(".")[0]
    violations = []
    for line, imported in _imports(tree, module, is_package):
        if imported.split(".")[0] == own:
            continue
        for rule in rules:
            if not _matches(module, rule.importers) or _matches(module, rule.exempt):
                continue
            if any(_matches(p, rule.forbidden) for p in _prefixes(imported)):
                violations.append(Violation(f"{path}:{line}", module, f"imports {imported}", rule.why))
    if _matches(module, ENV_READERS) and not _matches(module, ENV_ALLOWED):
        violations.extend(
            Violation(f"{path}:{line}", module, f"reads {what}",
                      "only main.py / settings.py read the environment")
            for line, what in _env_reads(tree))
    return violations


def _module_name(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(ROOT)
    top, parts = rel.parts[0], list(rel.with_suffix("").parts)
    if top == "services":
        owner = "thads_kit" if parts[1] == "kit" else f"{parts[1]}_service"
        parts = parts[2:]
    elif top == "contracts":
        owner, parts = "thads_contracts", parts[1:]
    else:
        owner, parts = "thads_infra", parts[1:]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if not parts or parts[0] != owner:
        parts = [owner, *parts]
    return ".".join(parts), is_package


def source_files() -> list[Path]:
    skip = {".venv", "__pycache__", "build", "dist", ".run", ".cache"}
    roots = [*sorted((ROOT / "services").glob("*/")), ROOT / "contracts", ROOT / "infra"]
    return sorted(p for r in roots if r.is_dir() for p in r.rglob("*.py")
                  if not skip.intersection(p.relative_to(ROOT).parts))


def test_import_rules_hold_for_the_whole_repository():
    files = source_files()
    assert files, "no source files found: the walk is broken"

    violations = []
    for path in files:
        module, is_package = _module_name(path)
        violations += check_source(path.read_text(encoding="utf-8"), module,
                                   str(path.relative_to(ROOT)), is_package=is_package)

    assert not violations, f"{len(violations)} import-rule violation(s):\n" + "\n".join(
        map(str, violations))


# The checker itself: each case must be caught (or allowed), so the rules can fail.

@pytest.mark.parametrize(("module", "source"), [
    ("intake_service.domain", "import faststream"),
    ("intake_service.domain", "from aiokafka.structs import TopicPartition"),
    ("auctions_service.domain", "from thads_contracts.topics import INTAKE_CASE"),
    ("auctions_service.domain", "from pydantic_settings import BaseSettings"),
    ("auctions_service.domain.lot", "import asyncpg"),
    ("auctions_service.domain", "from thads_kit import settings"),
    ("intake_service.consumers", "from audit_service.domain import Anchor"),
    ("intake_service.tests.unit.test_x", "import audit_service"),
    ("thads_contracts.intake", "import eventsourcing.domain"),
    ("thads_contracts.intake", "from intake_service import domain"),
    ("thads_contracts", "from faststream.kafka import KafkaBroker"),
    ("thads_kit.relay", "from intake_service.domain import Case"),
    ("intake_service.api", "import os\nx = os.environ['A']"),
    ("intake_service.api", "import os as o\nx = o.getenv('A')"),
    ("intake_service.application", "from os import environ"),
    ("thads_kit.app", "import os\nos.environ.get('A')"),
    ("intake_service.domain", "def f(:\n"),
])
def test_checker_catches_a_violation(module, source):
    assert check_source(source, module, "synthetic.py")


@pytest.mark.parametrize(("module", "source"), [
    ("intake_service.domain", "from eventsourcing.domain import Aggregate\nfrom . import errors"),
    ("intake_service.application", "from intake_service.domain import Case\nimport thads_kit"),
    ("intake_service.consumers", "from thads_contracts.topics import INTAKE_CASE"),
    ("intake_service.main", "import os\nos.environ['A']"),
    ("intake_service.settings", "from os import getenv"),
    ("thads_kit.settings", "import os\nos.getenv('A')"),
    ("intake_service.tests.integration.conftest", "import os\nos.environ['A']"),
    ("thads_infra.layout", "import os\nos.environ.get('A')"),
    ("thads_contracts.topics", "import pydantic\nfrom typing import Annotated"),
])
def test_checker_allows_what_the_rules_allow(module, source):
    assert check_source(source, module, "synthetic.py") == []


def test_relative_imports_are_resolved_before_checking():
    violations = check_source("from ..audit_service import domain", "intake_service.api",
                              "services/intake/intake_service/api.py")

    # `..` from intake_service.api leaves the package: resolves to audit_service.domain.
    assert [v.what for v in violations] == ["imports audit_service.domain"]


def test_the_failure_message_names_file_and_line():
    [violation] = check_source("\n\nimport fastapi", "intake_service.domain",
                               "services/intake/intake_service/domain.py")

    assert str(violation).startswith("services/intake/intake_service/domain.py:3: ")


def test_files_get_their_package_module_names():
    assert _module_name(ROOT / "services/intake/intake_service/domain.py") == ("intake_service.domain", False)
    assert _module_name(ROOT / "services/kit/thads_kit/__init__.py") == ("thads_kit", True)
    assert _module_name(ROOT / "services/intake/tests/unit/test_domain.py") == (
        "intake_service.tests.unit.test_domain", False)
    assert _module_name(ROOT / "contracts/thads_contracts/topics.py") == ("thads_contracts.topics", False)
    assert _module_name(ROOT / "contracts/tests/test_golden.py") == ("thads_contracts.tests.test_golden", False)
    assert _module_name(ROOT / "infra/thads_infra/layout.py") == ("thads_infra.layout", False)
