"""JSON Schema of every contract, generated from the models (never written by hand).

    python -m thads_contracts.schema <outdir>

writes one file per event type and version, `<event_type>.json` (e.g. intake.CaseOpened.v1.json),
plus the dead letter, `deadletter.DeadLetter.v1.json`. The schemas describe what a consumer accepts
(pydantic's validation mode), with event_type and schema_version always required.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from thads_contracts.deadletter import DeadLetter
from thads_contracts.registry import REGISTRY, EventRegistry

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEAD_LETTER_SCHEMA = "deadletter.DeadLetter.v1"


def model_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    return {"$schema": DIALECT, "$id": f"urn:thads:contracts:{name}",
            **model.model_json_schema(mode="validation")}


def all_schemas(registry: EventRegistry = REGISTRY) -> dict[str, dict[str, Any]]:
    """Schema name (the event_type) -> JSON Schema, for every registered version."""
    found = {s.event_type: model_schema(s.model, s.event_type) for s in registry.specs()}
    found[DEAD_LETTER_SCHEMA] = model_schema(DeadLetter, DEAD_LETTER_SCHEMA)
    return found


def dumps(document: Any) -> str:
    """The stable text form used for schema files and golden files."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export_schemas(outdir: Path | str, registry: EventRegistry = REGISTRY) -> list[Path]:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in sorted(all_schemas(registry).items()):
        path = out / f"{name}.json"
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m thads_contracts.schema <outdir>", file=sys.stderr)
        return 2
    written = export_schemas(args[0])
    print(f"wrote {len(written)} JSON Schema files to {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
