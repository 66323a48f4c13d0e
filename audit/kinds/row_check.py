"""Kind `row_check`: a condition that must hold for every row of a table.

Each row is an item: it passes, fails, or is undecided when a value the condition needs is
missing (neither passed nor failed, as in R's `validate`). Aggregates over other tables can be
aligned with the row through `by` (e.g. the region's area cleared against its remaining area).

Example::

    - id: count-without-area
      kind: row_check
      table: contamination_by_region
      assert: cha_count == 0 implies cha_area == 0
      message: "{region}: {cha_count} CHAs but {cha_area} of confirmed area"

Message placeholders: every column of the row by name, `label` (the row's key), `table`,
and `observed`, `expected`, `difference`, `tolerance` of the condition's final comparison.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from ..expr.compiler import CompileError, Context, NotApplicable, compile_condition, ident
from .base import (Kind, aggregate_locations_many, cell_text, RunContext, aggregate_locations, cell_location, focus_columns, focus_text, focus_values,
                   param, table_label)


@dataclass(frozen=True)
class RowCheckParams:
    table: list[str] = param("the table (or tables) whose rows are checked; a table lacking a column the "
                             "condition needs is skipped")
    assert_: str = param("the condition every row must meet", expression="condition")
    where: str | None = param("only rows meeting this condition are checked", None, expression="condition")
    by: list[str] = param("key columns aligning aggregates of other tables with the row", [])
    rows: str = param("which rows: data (default), totals or all", "data")


class RowCheck(Kind):
    name = "row_check"
    Params = RowCheckParams
    placeholders = ("label", "table", "observed", "expected", "difference", "tolerance")

    def context(self, table: str) -> Context:
        return Context(row_table=table, align=tuple(self.p.by), rows=self.p.rows)

    def check(self, schema) -> None:
        if self.p.rows not in ("data", "totals", "all"):
            raise CompileError("rows is one of data, totals, all")
        for table in self.p.table:
            try:
                ctx = self.context(table)
                compile_condition(self.rule.expressions["assert"], schema, ctx)
                if "where" in self.rule.expressions:
                    compile_condition(self.rule.expressions["where"], schema, ctx)
            except NotApplicable:
                continue

    def evaluate(self, run: RunContext, result) -> None:
        reasons = []
        for table in self.p.table:
            try:
                self._evaluate_table(run, result, table)
            except NotApplicable as exc:
                reasons.append(str(exc))
        if len(reasons) == len(self.p.table):
            raise NotApplicable("; ".join(reasons))

    def _compile(self, run: RunContext, table_name: str) -> "_Plan":
        """The rule over one table, compiled: its condition, the rows it checks, the joins it needs."""
        ctx = self.context(table_name)
        compiled = compile_condition(self.rule.expressions["assert"], run.schema, ctx)
        conds = {"data": ["NOT r.__total"], "totals": ["r.__total"], "all": []}[self.p.rows]
        columns = list(compiled.row_columns)
        extra_joins = []
        if "where" in self.rule.expressions:
            where_c = compile_condition(self.rule.expressions["where"], run.schema, ctx)
            extra_joins.append(where_c)
            conds.append(where_c.value.sql)
            columns = list(dict.fromkeys(where_c.row_columns + columns))
        return _Plan(table_name, compiled, columns, conds, compiled.join_sql(*extra_joins))

    def plan_scan(self, run: RunContext) -> None:
        """Register this rule's scan of each of its tables with the planner, so that every row_check
        rule of a table (with the same joins) is evaluated in one pass (Planner.row_scan). A table the
        rule cannot read is left to the rule's own run, which reports why."""
        planner = run.schema.planner
        for table_name in self.p.table:
            try:
                plan = self._compile(run, table_name)
            except Exception:  # noqa: BLE001 - NotApplicable, CompileError, ...: reported when the rule runs
                continue
            planner.row_scan(table_name, plan.joins, (self.rule.id, table_name),
                             plan.scan_spec(run.dataset.tables[table_name], run.max_findings))

    def _evaluate_table(self, run: RunContext, result, table_name: str) -> None:
        plan = self._compile(run, table_name)
        compiled, columns, cond = plan.compiled, plan.columns, plan.compiled.value
        table = run.dataset.tables[table_name]
        room = max(run.max_findings - len(result.findings), 0)
        planner = run.schema.planner
        scanned = planner.row_result((self.rule.id, table_name)) if planner is not None and \
            hasattr(planner, "row_result") else None
        if scanned is not None:
            # the rule's pass over the table was shared with the other row rules of the table; it
            # returned the first failing rows whole (by line), the cells included
            counts = scanned
            failing = (scanned["rows"] or [])[:room]
            if table.external and table.row_lookup is not None:
                for row in failing:
                    table.row_lookup.remember(row["__row"])
        else:
            where = f" WHERE {' AND '.join(plan.conds)}" if plan.conds else ""
            checked = f"SELECT r.__line AS __line, {cond.sql} AS __ok, {focus_columns(cond.focus)} " \
                      f"FROM {ident(table_name)} r{plan.joins}{where}"
            # one pass counts every row and picks the lines of the first failing ones (a top-n aggregate);
            # only those rows are evaluated again, for the values their findings report
            counts = run.engine.rows(f"SELECT count(*) AS n, count(*) FILTER (WHERE __ok) AS passed, "
                                     f"count(*) FILTER (WHERE NOT __ok) AS failed, "
                                     f"min(__line, {max(room, 1)}) FILTER (WHERE NOT __ok) AS lines FROM ({checked})")[0]
            lines = (counts["lines"] or [])[:room]
            failing = run.engine.rows(f"SELECT * FROM ({checked}) WHERE __line IN ({', '.join(map(str, lines))}) "
                                      f"ORDER BY __line") if lines else []
        result.items += counts["n"]
        result.passed += counts["passed"]
        result.failed += counts["failed"]
        result.undecided += counts["n"] - counts["passed"] - counts["failed"]
        result.truncated += counts["failed"] - len(failing)
        table.prefetch([row["__line"] for row in failing])
        aligned = [[] for _ in failing]
        if compiled.aggregates and self.p.by:
            pins = []
            for row in failing:
                source = table.row_at(row["__line"])
                pins.append({k: source.cells[k].value if k in source.cells else table.dimensions.get(k)
                             for k in self.p.by})
            aligned = aggregate_locations_many(run, compiled, list(self.p.by), pins, "aligned", alias="r")
        shared = aggregate_locations(run, compiled, None, {}, "aligned") \
            if failing and compiled.aggregates and not self.p.by else []
        for row, extra in zip(failing, aligned):
            line = row["__line"]
            source = table.row_at(line)
            locs = [cell_location(run.dataset, table, line, c, "input") for c in columns]
            locs += [copy.copy(loc) for loc in shared]  # the same cells for every row: read once
            locs += extra
            fv = focus_values(row, cond.focus, run.schema.units)
            values = {name: cell_text(table, source, name) for name in source.cells}
            values.update(table.dimensions)
            values.update(label=table.row_label(source), table=table_label(table), **focus_text(fv))
            result.findings.append(self.finding(run, values, locs, fv))


@dataclass
class _Plan:
    table: str
    compiled: object
    columns: list[str]  # the row's cells the condition reads (a finding's input locations)
    conds: list[str]  # which rows are checked (data/totals, where)
    joins: str  # LEFT JOINs of the fused aggregates the condition reads

    def scan_spec(self, table, cap: int) -> dict:
        """The rule in a shared scan of its table (alias r): SQL of which rows it checks and of its
        condition (true, false or NULL: passed, failed, undecided; the planner counts them and lists
        the first `cap` failing rows by line), of the values a finding reports, and (for a table
        read by the engine) the row's cells."""
        cond = self.compiled.value
        checked = " AND ".join(f"({c})" for c in self.conds) or "true"
        focus = cond.focus
        values = list(zip(("__obs", "__exp", "__diff", "__tol"),
                          (focus.observed, focus.expected, focus.difference, focus.tolerance) if focus
                          else ("NULL",) * 4))
        return {"checked": checked, "ok": cond.sql, "cap": max(cap, 1), "values": values,
                "cells": ["__total", *table.fields] if table.external else []}
