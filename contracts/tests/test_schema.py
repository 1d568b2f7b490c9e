import json
import subprocess
import sys

from thads_contracts.registry import REGISTRY
from thads_contracts.schema import DEAD_LETTER_SCHEMA, all_schemas, main


def test_the_command_writes_one_schema_file_per_event_type_and_version(tmp_path):
    # Given an empty output folder
    out = tmp_path / "schemas"

    # When the module is run as a program
    done = subprocess.run([sys.executable, "-m", "thads_contracts.schema", str(out)],
                          capture_output=True, text=True, check=False)

    # Then there is one file per registered version, plus the dead letter
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.glob("*.json")}
    assert names == {f"{t}.json" for t in REGISTRY.event_types()} | {f"{DEAD_LETTER_SCHEMA}.json"}
    schema = json.loads((out / "intake.CaseOpened.v1.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "urn:thads:contracts:intake.CaseOpened.v1"


def test_the_command_without_a_folder_explains_its_usage(capsys):
    assert main([]) == 2
    assert "usage: python -m thads_contracts.schema <outdir>" in capsys.readouterr().err


def test_every_schema_requires_the_event_type_and_its_version():
    for name, schema in all_schemas().items():
        if name == DEAD_LETTER_SCHEMA:
            continue
        assert {"event_type", "schema_version", "event_id", "payload"} <= set(schema["required"])
        assert schema["properties"]["event_type"]["const"] == name


def test_schemas_carry_the_money_rules():
    payload = all_schemas()["intake.MoneyCollected.v1"]["$defs"]["MoneyCollectedPayload"]

    amount = payload["properties"]["amount_vnd"]
    assert (amount["type"], amount["exclusiveMinimum"]) == ("integer", 0)
