"""Contracts are shared by every service, so they depend on pydantic and the standard library only."""
import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "thads_contracts"
ALLOWED = {"pydantic", "thads_contracts"} | set(sys.stdlib_module_names)


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_contracts_import_only_pydantic_and_the_standard_library():
    files = sorted(PACKAGE.glob("*.py"))

    offending = {p.name: sorted(_imported_roots(p) - ALLOWED) for p in files}

    assert files
    assert {name: roots for name, roots in offending.items() if roots} == {}
