"""Kind `compare`: the same quantity, computed in two places, must agree.

`left` and `right` are numeric expressions, usually aggregates over different tables; with
`by`, both are computed per group (e.g. per year) and matched on the group's key. With
`columns`, the rule is repeated for each listed column, written `$column` in the expressions;
a column this dataset lacks is skipped. Agreement follows printed precision: two figures
disagree only when the intervals they stand for cannot meet, widened by `tolerance`.

Example: the by-type table's anti-personnel row against the by-region table::

    - id: ap-row-matches-regions
      kind: compare
      columns: [cha_count, cha_area, sha_count, sha_area]
      left: sum(contamination_by_type.$column where type = 'anti-personnel')
      right: sum(contamination_by_region.$column)
      message: "{column}: {observed} in the by-type table, {expected} in the by-region table"

Message placeholders: `observed` (left), `expected` (right), `difference`, `tolerance`,
`column`, and each `by` key.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..expr.ast import Compare as CompareNode
from ..expr.ast import substitute
from ..expr.compiler import CompileError, Context, NotApplicable, compile_condition
from .base import (Kind, claimed_locations, plain, RunContext, aggregate_locations_many, focus_columns, focus_text, focus_values, group_source,
                   param, parse_tolerance)

OPERATORS = ("==", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class CompareParams:
    left: str = param("the reported figure", expression="number")
    right: str = param("the figure it must agree with", expression="number")
    op: str = param("how they must compare: ==, <=, <, >=, >, !=", "==")
    by: list[str] = param("key columns: compare per group (e.g. year)", [])
    columns: list[str] = param("repeat for each of these columns, written $column in left and right", [])
    tolerance: str | None = param("extra allowance beyond printed precision: 5%, 1e-8, or a number and a unit of the profile", None)


class Compare(Kind):
    name = "compare"
    Params = CompareParams
    placeholders = ("observed", "expected", "difference", "tolerance", "column")

    def variants(self):
        if self.p.op not in OPERATORS:
            raise CompileError(f"unknown operator '{self.p.op}' (one of {' '.join(OPERATORS)})")
        left, right = self.rule.expressions["left"], self.rule.expressions["right"]
        tol = parse_tolerance(self.p.tolerance)
        for column in self.p.columns or [None]:
            l2 = substitute(left, "$column", column) if column else left
            r2 = substitute(right, "$column", column) if column else right
            yield column, CompareNode(self.p.op, l2, r2, tol, line=left.line, column=left.column)

    def context(self) -> Context:
        return Context(group_keys=tuple(self.p.by), align=tuple(self.p.by))

    def check(self, schema) -> None:
        for _, node in self.variants():
            compile_condition(node, schema, self.context())

    def evaluate(self, run: RunContext, result) -> None:
        applicable = 0
        reasons = []
        for column, node in self.variants():
            try:
                compiled = compile_condition(node, run.schema, self.context())
            except NotApplicable as exc:
                reasons.append(str(exc))
                continue
            applicable += 1
            cond = compiled.value
            groups = group_source(run, [compiled], self.p.by)
            keys = ", ".join(f"g.\"{k}\"" for k in self.p.by) or "g.__one"
            sql = f"SELECT {keys}, {cond.sql} AS __ok, {focus_columns(cond.focus)} FROM ({groups}) g{compiled.join_sql()} ORDER BY {keys}"
            failing = []
            for row in run.engine.rows(sql):
                self.tally(result, row["__ok"])
                if row["__ok"] is False:
                    failing.append(row)
            pins = [{k: row[k] for k in self.p.by} for row in failing]
            places = aggregate_locations_many(run, compiled, list(self.p.by), pins, "compared")
            for row, locs in zip(failing, places):
                key_values = {k: plain(row[k]) for k in self.p.by}
                locs += claimed_locations(run, compiled, key_values, "compared")
                fv = focus_values(row, cond.focus, run.schema.units)
                values = {**key_values, "column": column or "", **focus_text(fv)}
                subject = f"{column or ''}|" + "|".join(f"{k}={v}" for k, v in key_values.items())
                result.findings.append(self.finding(run, values, locs, fv, subject=subject))
        if not applicable:
            raise NotApplicable("; ".join(dict.fromkeys(reasons)))
