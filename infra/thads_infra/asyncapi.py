"""Generate the AsyncAPI documents of every service from its FastStream app (never by hand).

    python -m thads_infra.asyncapi docs/asyncapi
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from faststream.specification import AsyncAPI

from thads_infra import layout


def generate(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in layout.SERVICES:
        module = importlib.import_module(spec.module)
        app = module.asyncapi()
        doc = AsyncAPI(app.broker, title=f"THADS {spec.name}", version="1.0.0",
                       description=f"Kafka interface of the {spec.name} service").to_specification()
        path = outdir / f"{spec.name}.asyncapi.json"
        path.write_text(json.dumps(json.loads(doc.to_json()), indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in generate(Path(args[0] if args else "docs/asyncapi")):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
