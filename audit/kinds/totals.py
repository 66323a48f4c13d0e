"""Kind `totals`: every printed total equals the sum of the rows it totals.

Checks every numeric column of every table that prints totals rows (or the tables listed in
`tables`), comparing each totals row with the sum of the data rows (within the totals'
`within` keys, if the descriptor gives any). For data in long format, a table with a
`hierarchy` code list (country = provinces, province = districts, year = quarters) has each
parent row checked against the sum of its children, within the other key columns.

Printed precision applies: a total of five figures printed with two decimals may differ from
their sum by up to the sum of their half-units. An item is undecided when the total or one of
its parts is missing.

Example::

    - id: printed-totals
      kind: totals
      message: "{table}: the printed total of {column} is {observed}, its rows add up to {expected}"

Message placeholders: `table` (title and number), `column` (its printed heading), `label`
(the totals row), `observed` (the printed total), `expected` (the sum), `difference`,
`tolerance`, `parts` (how many rows were added).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..dataset import Table
from ..expr.agreement import can_relate
from ..expr.compiler import NotApplicable, ident
from .base import MAX_PARTS, Kind, RunContext, cell_location, focus_text, param, table_label



@dataclass(frozen=True)
class TotalsParams:
    tables: list[str] = param("tables to check; default every table that prints totals or has a hierarchy", [])
    columns: list[str] = param("numeric columns to check; default all of them", [])


class Totals(Kind):
    name = "totals"
    Params = TotalsParams
    placeholders = ("table", "column", "label", "observed", "expected", "difference", "tolerance", "parts")

    def check(self, schema) -> None:
        from ..expr.compiler import CompileError
        for t in self.p.tables:
            if schema.tables and t not in schema.tables:
                raise CompileError(f"unknown table '{t}'")

    def evaluate(self, run: RunContext, result) -> None:
        ds = run.dataset
        tables = [ds.tables[t] for t in self.p.tables if t in ds.tables] if self.p.tables else list(ds.tables.values())
        tables = [t for t in tables if t.prints_totals or t.hierarchy is not None]
        if not tables:
            raise NotApplicable("no table of this dataset prints totals")
        for table in tables:
            columns = [c for c, f in table.fields.items() if f.numeric and f.type != "year"
                       and (not self.p.columns or c in self.p.columns)]
            for column in columns:
                if table.prints_totals:
                    self._check(run, result, table, column, self._wide_sql(table, column))
                if table.hierarchy is not None:
                    self._check(run, result, table, column, self._hierarchy_sql(table, column))

    @staticmethod
    def _within(table: Table) -> list[str]:
        return [k for k in table.totals_within if k in table.fields]

    def _wide_sql(self, table: Table, column: str) -> str:
        c, e = ident(column), ident(column + "__err")
        within = " ".join(f"AND d.{ident(k)} IS NOT DISTINCT FROM t.{ident(k)}" for k in self._within(table))
        parts = (f"SELECT sum(d.{c}) AS v, sum(d.{e}) AS e, count(*) AS n, count(d.{c}) AS present, "
                 f"list(d.__line ORDER BY d.__line) AS lines FROM {ident(table.name)} d WHERE NOT d.__total {within}")
        within_cols = "".join(f", t.{ident(k)}" for k in self._within(table))
        return self._final(f"SELECT t.__line, t.{c} AS v, t.{e} AS e{within_cols} FROM {ident(table.name)} t "
                           f"WHERE t.__total", parts)

    def _hierarchy_sql(self, table: Table, column: str) -> str:
        c, e, h = ident(column), ident(column + "__err"), ident(table.hierarchy_column)
        others = [k for k in table.key if k != table.hierarchy_column]
        within = " ".join(f"AND d.{ident(k)} IS NOT DISTINCT FROM t.{ident(k)}" for k in others)
        parts = (f"SELECT sum(d.{c}) AS v, sum(d.{e}) AS e, count(*) AS n, count(d.{c}) AS present, "
                 f"list(d.__line ORDER BY d.__line) AS lines FROM {ident(table.name)} d "
                 f"JOIN {ident('__h_' + table.name)} hc ON d.{h} = hc.code WHERE hc.parent = t.{h} {within}")
        extra = "".join(f", t.{ident(k)}" for k in others)
        totals = (f"SELECT t.__line, t.{c} AS v, t.{e} AS e, t.{h}{extra} FROM {ident(table.name)} t "
                  f"WHERE t.{h} IN (SELECT parent FROM {ident('__h_' + table.name)})")
        return self._final(totals, parts)

    @staticmethod
    def _final(totals: str, parts: str) -> str:
        # `parts` is correlated with the totals row `t`
        return (f"SELECT t.__line AS __line, t.v AS total, s.v AS parts_sum, s.n AS n, s.lines AS lines, "
                f"CASE WHEN t.v IS NULL OR s.n = 0 OR s.present < s.n THEN NULL "
                f"ELSE {can_relate('==', 't.v', 's.v', '(t.e + s.e)')} END AS ok, "
                f"t.v - s.v AS diff, t.e + s.e AS tol "
                f"FROM ({totals}) t, LATERAL ({parts}) s ORDER BY t.__line")

    def _check(self, run: RunContext, result, table: Table, column: str, sql: str) -> None:
        f = table.fields[column]
        unit = f.shown_unit
        decimals = table.decimals(column)
        for row in run.engine.rows(sql):
            self.tally(result, row["ok"])
            if row["ok"] is not False:
                continue
            conv = (lambda v: None if v is None else v / f.factor)  # noqa: E731
            fv = {"observed": conv(row["total"]), "expected": conv(row["parts_sum"]),
                  "difference": conv(row["diff"]), "tolerance": conv(row["tol"]), "unit": unit, "decimals": decimals}
            locs = [cell_location(run.dataset, table, row["__line"], column, "total")]
            parts = row["lines"][:MAX_PARTS]
            table.prefetch(parts)
            locs += [cell_location(run.dataset, table, line, column, "part") for line in parts]
            total_row = table.row_at(row["__line"])
            values = {"table": table_label(table), "column": f.title, "label": table.row_label(total_row),
                      "parts": row["n"], **focus_text(fv)}
            result.findings.append(self.finding(run, values, locs, fv, subject=column))
