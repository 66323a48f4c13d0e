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
        """Read the `explain.weights` of a pack.yaml or a dataset descriptor, if it has any."""
        if path.suffix == ".json" or not path.is_file():
            return
        doc = load_yaml(path, display)
        if not isinstance(doc, Node) or "explain" not in doc:
            return
        block = doc["explain"]
        if not isinstance(block, Node) or set(block) - {"weights"}:
            bad = next(iter(set(block) - {"weights"}), None) if isinstance(block, Node) else None
            line, col = (block.pos(bad) if bad else doc.pos("explain"))
            raise AuditInputError(Problem(display, "explain takes one key, 'weights' (a mapping)", line, col,
                                          field=f"explain.{bad}" if bad else "explain"))
        weights = block.get("weights")
        if not isinstance(weights, Node):
            raise AuditInputError(Problem(display, "explain.weights must be a mapping", *block.pos("weights"),
                                          field="explain.weights"))
        for key in weights:
            line, col = weights.pos(key)
            if key not in KEYS:
                raise AuditInputError(Problem(display, f"unknown weight '{key}'", line, col, field=f"explain.weights.{key}",
                                              hint=f"weights are given for: {', '.join(sorted(KEYS))}"))
            if key == "tables":
                per = weights[key]
                if not isinstance(per, Node):
                    raise AuditInputError(Problem(display, "a mapping of table name to weight", line, col,
                                                  field="explain.weights.tables"))
                for table in per:
                    tl, tc = per.pos(table)
                    if tables and table not in tables:
                        raise AuditInputError(Problem(display, f"unknown table '{table}'", tl, tc,
                                                      field=f"explain.weights.tables.{table}",
                                                      hint=f"tables: {', '.join(sorted(tables))}"))
                    self.by_table[str(table)] = _positive(per[table], display, tl, tc, f"explain.weights.tables.{table}")
            else:
                self.by_kind[key] = _positive(weights[key], display, line, col, f"explain.weights.{key}")
        self.sources.append(display)


def _positive(value, display: str, line: int, col: int, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise AuditInputError(Problem(display, f"a weight is a number above 0, not {value!r}", line, col, field=field))
    return float(value)
