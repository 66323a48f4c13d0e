"""JSON: one run as `{"version", "dataset", "pack", "summary", "rules", "findings"}`; several runs as
`{"version", "runs": [...]}`. The schema is `audit/schema/run.schema.json`. Written with
`audit.escape.json_dumps`: no control or bidirectional character reaches the terminal raw."""
from __future__ import annotations

from typing import IO

from ..escape import json_dumps
from ..findings import SCHEMA_VERSION, Run


def document(runs: list[Run]) -> dict:
    if len(runs) == 1:
        return runs[0].to_dict()
    return {"version": SCHEMA_VERSION, "runs": [r.to_dict() for r in runs]}


def report(runs: list[Run], stream: IO[str], fail_on: str = "error") -> None:
    stream.write(json_dumps(document(runs)) + "\n")
