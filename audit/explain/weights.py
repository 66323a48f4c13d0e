"""How much each kind of figure is trusted: the cost of saying it is the wrong one.

Set in a rule pack's `pack.yaml` and overridden by a dataset's descriptor, both under `explain`:

    explain:
      weights:
        total: 1        # a printed totals row
        cell: 1         # any other table cell
        claim: 1        # a figure quoted in the narrative
        tables:         # cells of one table (its totals rows too), instead of cell/total
          clearance_summary: 2

A higher weight means more trusted: a correction changing it costs more.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import AuditInputError, Problem
from ..inputs import load_json
from ..yamlio import Node, load_yaml

DEFAULTS = {"total": 1.0, "cell": 1.0, "claim": 1.0}
KEYS = {*DEFAULTS, "tables"}


class Weights:
    def __init__(self):
        self.by_kind = dict(DEFAULTS)
        self.by_table: dict[str, float] = {}
        self.sources: list[str] = []

    def of(self, figure) -> float:
        if figure.table is not None and figure.table in self.by_table:
            return self.by_table[figure.table]
        return self.by_kind[figure.kind]

    def update(self, path: Path, display: str, tables: set[str]) -> None:
        """Read the `explain.weights` of a pack.yaml or a dataset descriptor (YAML or JSON), if it has any."""
        if not path.is_file():
            return
        if path.suffix == ".json":
            doc = load_json(path, display)
        else:
            doc = load_yaml(path, display)
        if not isinstance(doc, dict) or "explain" not in doc:
            return

        def fail(message: str, node, key, field: str, hint: str | None = None):
            line, col = node.pos(key) if isinstance(node, Node) else (None, None)
            raise AuditInputError(Problem(display, message, line, col, field=field, hint=hint))

        block = doc["explain"]
        extra = sorted(set(block) - {"weights"}) if isinstance(block, dict) else []
        if not isinstance(block, dict) or extra:
            fail("explain takes one key, 'weights' (a mapping)", block if extra else doc,
                 extra[0] if extra else "explain", f"explain.{extra[0]}" if extra else "explain")
        weights = block.get("weights")
        if not isinstance(weights, dict):
            fail("explain.weights must be a mapping", block, "weights", "explain.weights")
        for key in weights:
            if key not in KEYS:
                fail(f"unknown weight '{key}'", weights, key, f"explain.weights.{key}",
                     hint=f"weights are given for: {', '.join(sorted(KEYS))}")
            if key == "tables":
                per = weights[key]
                if not isinstance(per, dict):
                    fail("a mapping of table name to weight", weights, key, "explain.weights.tables")
                for table in per:
                    field = f"explain.weights.tables.{table}"
                    if tables and table not in tables:
                        fail(f"unknown table '{table}'", per, table, field, hint=f"tables: {', '.join(sorted(tables))}")
                    if not _positive(per[table]):
                        fail(f"a weight is a number above 0, not {per[table]!r}", per, table, field)
                    self.by_table[str(table)] = float(per[table])
            else:
                if not _positive(weights[key]):
                    fail(f"a weight is a number above 0, not {weights[key]!r}", weights, key, f"explain.weights.{key}")
                self.by_kind[key] = float(weights[key])
        self.sources.append(display)


def _positive(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value > 0
