"""Kind `change`: a multi-year series should not jump by more than a threshold from one year to
the next.

`series` is a numeric expression computed per value of `by` (normally `year`); each pair of
consecutive years is an item. The change is judged on the intervals of printed precision: a
pair is flagged only if even the closest values those figures allow differ by more than
`max_change` (relative to the earlier year). A gap in the years, or a missing value, leaves
the pair undecided.

Example::

    - id: clearance-year-on-year
      kind: change
      series: sum(clearance_summary.area_cleared)
      max_change: 50%
      message: "Area cleared went from {previous} in {previous_year} to {observed} in {year} ({change})"

Message placeholders: `year`, `previous_year`, `observed`, `previous`, `change` (signed percent).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..expr.compiler import CompileError, Context, compile_number, ident
from .base import (Kind, period_column, plain, RunContext, aggregate_locations_many, format_number, group_source, param,
                   parse_tolerance)


@dataclass(frozen=True)
class ChangeParams:
    series: str = param("the figure whose change is checked", expression="number")
    max_change: str = param("largest plausible change between consecutive periods, e.g. 50%")
    by: str | None = param("the period column; none: the profile's (measures.yaml claim_period)", None)
    within: list[str] = param("compare periods within each group of these columns (e.g. region)", [])


class Change(Kind):
    name = "change"
    Params = ChangeParams
    placeholders = ("year", "previous_year", "observed", "previous", "change")

    def context(self) -> Context:
        keys = (*self.p.within, self.p.by)
        return Context(group_keys=keys, align=keys)

    def check(self, schema) -> None:
        self.p = dataclasses.replace(self.p, by=period_column(self.p.by, schema))
        tol = parse_tolerance(self.p.max_change)
        if tol is None or tol.unit != "%":
            raise CompileError("max_change must be a percentage, e.g. 50%")
        compile_number(self.rule.expressions["series"], schema, self.context())

    def evaluate(self, run: RunContext, result) -> None:
        limit = parse_tolerance(self.p.max_change).value / 100
        compiled = compile_number(self.rule.expressions["series"], run.schema, self.context())
        x = compiled.value
        by = ident(self.p.by)
        keys = [*self.p.within, self.p.by]
        groups = group_source(run, [compiled], keys)
        within = "".join(f"g.{ident(k)}, " for k in self.p.within)
        inner = "".join(f"{ident(k)}, " for k in self.p.within)
        partition = f"PARTITION BY {', '.join(ident(k) for k in self.p.within)} " if self.p.within else ""
        series = f"SELECT {within}g.{by} AS period, {x.v} AS v, {x.e} AS e FROM ({groups}) g{compiled.join_sql()}"
        sql = (f"SELECT {inner}period, v, e, prev_period, pv, pe, "
               f"CASE WHEN v IS NULL OR pv IS NULL OR period - prev_period <> 1 OR pv - pe <= 0 THEN NULL "
               f"ELSE NOT ((v - e) / (pv + pe) > 1 + {limit} OR (v + e) / (pv - pe) < 1 - {limit}) END AS ok "
               f"FROM (SELECT {inner}period, v, e, lag(period) OVER w AS prev_period, lag(v) OVER w AS pv, "
               f"lag(e) OVER w AS pe FROM ({series}) WINDOW w AS ({partition}ORDER BY period)) "
               f"WHERE prev_period IS NOT NULL ORDER BY {inner}period")
        unit = x.unit
        unit_rows = run.engine.rows(sql)
        failing = []
        for row in unit_rows:
            self.tally(result, row["ok"])
            if row["ok"] is False:
                failing.append(row)
        # where each flagged pair was printed: the changed period first, then the one before
        pins = [{**{k: row[k] for k in self.p.within}, self.p.by: row[period]}
                for row in failing for period in ("period", "prev_period")]
        places = aggregate_locations_many(run, compiled, keys, pins, "series")
        for n, row in enumerate(failing):
            conv = (lambda b: run.schema.units.from_base(b, unit))  # noqa: E731
            change = (row["v"] - row["pv"]) / row["pv"]
            values = {**{k: plain(row[k]) for k in self.p.within},
                      "year": plain(row["period"]), "previous_year": plain(row["prev_period"]),
                      "observed": format_number(conv(row["v"]), unit, x.decimals),
                      "previous": format_number(conv(row["pv"]), unit, x.decimals),
                      "change": f"{change:+.0%}"}
            locs = places[2 * n] + places[2 * n + 1]
            fv = {"observed": conv(row["v"]), "expected": conv(row["pv"]),
                  "difference": conv(row["v"] - row["pv"]), "tolerance": limit * conv(row["pv"]), "unit": unit,
                  "decimals": x.decimals, "relation": "change"}
            subject = "|".join(str(plain(row[k])) for k in self.p.within) + str(plain(row["period"]))
            result.findings.append(self.finding(run, values, locs, fv, subject=subject))
