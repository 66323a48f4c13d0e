"""Kind `stock_flow`: a stock estimate should change by what flowed in and out in between.

The stock (e.g. the anti-personnel mined area) is observed at several periods: from the
tables (`stock`, computed per period) and from claims of `stock_measure` (e.g. an earlier
assessment quoted in the text). For each pair of consecutive observations, the later one is
expected to equal the earlier one minus the `outflow` (land released) plus the `inflow` (area
added) of the periods in between. The pair is flagged when the later estimate falls short of
that (or exceeds it, with `direction: both`) by more than `tolerance` beyond printed precision.

Whether the earlier period's own flows count is uncertain when an estimate is dated only by
year; by default they do (`flows_from: start`), which can only excuse a fall, never invent one.
If the flows of any period in between are missing, the pair is undecided.

Example::

    - id: ap-estimate-stock-and-flow
      kind: stock_flow
      stock_measure: ap_mined_area
      stock: sum(contamination_by_region.cha_area + contamination_by_region.sha_area)
      outflow: sum(clearance_summary.area_cleared)
      tolerance: 10%

Message placeholders: `year`, `previous_year`, `observed` (the later stock), `previous` (the
earlier), `released` (outflow between), `added` (inflow between), `expected`, `difference`, `tolerance`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..engine import claim_uncertainty
from ..expr.compiler import CompileError, Context, NotApplicable, compile_number, ident, rule_unit
from .base import (Kind, period_column, RunContext, aggregate_locations, claim_location, claimed_locations, format_number, group_source, param,
                   parse_tolerance)


@dataclass(frozen=True)
class StockFlowParams:
    outflow: str = param("what leaves the stock per period (e.g. area cleared)", expression="number")
    stock: str | None = param("the stock per period, from the tables", None, expression="number")
    stock_measure: str | None = param("claims of this measure are observations of the stock", None)
    inflow: str | None = param("what enters the stock per period", None, expression="number")
    by: str | None = param("the period column; none: the profile's (measures.yaml claim_period)", None)
    tolerance: str = param("how far the later stock may be from what the flows imply", "10%")
    direction: str = param("flag a shortfall only (fall) or any gap (both)", "fall")
    flows_from: str = param("whether the earlier period's own flows count: start or next", "start")


class StockFlow(Kind):
    name = "stock_flow"
    Params = StockFlowParams
    placeholders = ("year", "previous_year", "observed", "previous", "released", "added", "expected",
                    "difference", "tolerance")

    def context(self) -> Context:
        return Context(group_keys=(self.p.by,), align=(self.p.by,))

    def check(self, schema) -> None:
        self.p = dataclasses.replace(self.p, by=period_column(self.p.by, schema))
        if self.p.stock is None and self.p.stock_measure is None:
            raise CompileError("stock_flow needs 'stock' or 'stock_measure'")
        if self.p.direction not in ("fall", "both") or self.p.flows_from not in ("start", "next"):
            raise CompileError("direction is fall or both; flows_from is start or next")
        if self.p.stock_measure and schema.measures and self.p.stock_measure not in schema.measures:
            raise CompileError(f"unknown measure '{self.p.stock_measure}'")
        tol = parse_tolerance(self.p.tolerance)
        if tol is not None and tol.unit not in (None, "%"):
            rule_unit(schema, tol.unit, where=" in the tolerance")
        for key in ("stock", "outflow", "inflow"):
            if key in self.rule.expressions:
                compile_number(self.rule.expressions[key], schema, self.context())

    def _series(self, run: RunContext, key: str):
        if key not in self.rule.expressions:
            return None, None, {}
        compiled = compile_number(self.rule.expressions[key], run.schema, self.context())
        groups = group_source(run, [compiled], [self.p.by])
        x = compiled.value
        rows = run.engine.rows(f"SELECT g.{ident(self.p.by)} AS p, {x.v} AS v, {x.e} AS e FROM ({groups}) g{compiled.join_sql()}")
        return compiled, groups, {r["p"]: (r["v"], r["e"]) for r in rows if r["p"] is not None}

    def evaluate(self, run: RunContext, result) -> None:
        tol = parse_tolerance(self.p.tolerance)
        observations: dict[int, tuple[float, float, object]] = {}
        for claim in run.dataset.claims:
            years = claim.dims.get(self.p.by) or []
            if claim.measure == self.p.stock_measure and len(years) == 1 and claim.value is not None:
                observations[int(years[0])] = (claim.value * claim.factor, claim_uncertainty(claim), claim)
        stock_c = stock_groups = None
        try:
            stock_c, stock_groups, stock = self._series(run, "stock")
        except NotApplicable:
            stock = {}
        for period, (v, e) in stock.items():
            if v is not None:
                observations[int(period)] = (v, e, "table")
        if len(observations) < 2:
            raise NotApplicable("fewer than two observations of the stock")
        out_c, out_groups, outflow = self._series(run, "outflow")
        in_c, in_groups, inflow = self._series(run, "inflow")
        unit = self._unit(run, out_c)
        conv = (lambda b: run.schema.units.from_base(b, unit))  # noqa: E731
        periods = sorted(observations)
        for earlier, later in zip(periods, periods[1:]):
            s0, e0, src0 = observations[earlier]
            s1, e1, src1 = observations[later]
            first = earlier if self.p.flows_from == "start" else earlier + 1
            span = range(first, later + 1)
            flows = [outflow.get(p, (None, None)) for p in span]
            if any(v is None for v, _ in flows):
                self.tally(result, None)
                continue
            out_v, out_e = sum(v for v, _ in flows), sum(e for _, e in flows)
            in_v = sum((inflow.get(p) or (0, 0))[0] or 0 for p in span)
            in_e = sum((inflow.get(p) or (0, 0))[1] or 0 for p in span)
            expected = s0 - out_v + in_v
            allowance = e0 + e1 + out_e + in_e
            allowance += tol.value / 100 * abs(s0) if tol.unit == "%" else tol.value * (
                run.schema.units.factor(tol.unit))
            gap = s1 - expected
            ok = not (gap < -allowance or (self.p.direction == "both" and gap > allowance))
            self.tally(result, ok)
            if ok:
                continue
            locs = []
            for src, period in ((src1, later), (src0, earlier)):  # the later estimate first
                if src == "table":
                    locs += aggregate_locations(run, stock_c, stock_groups, {self.p.by: period}, "stock")
                else:
                    locs.append(claim_location(src, "stock"))
            for p in span:
                locs += aggregate_locations(run, out_c, out_groups, {self.p.by: p}, "outflow")
                locs += claimed_locations(run, out_c, {self.p.by: p}, "outflow")
                if in_c is not None and p in inflow:
                    locs += aggregate_locations(run, in_c, in_groups, {self.p.by: p}, "inflow")
                    locs += claimed_locations(run, in_c, {self.p.by: p}, "inflow")
            fmt = (lambda b: format_number(conv(b), unit, 2))  # noqa: E731
            values = {"year": later, "previous_year": earlier, "observed": fmt(s1), "previous": fmt(s0),
                      "released": fmt(out_v), "added": fmt(in_v), "expected": fmt(expected), "difference": fmt(gap),
                      "tolerance": fmt(allowance)}
            fv = {"observed": conv(s1), "expected": conv(expected), "difference": conv(gap),
                  "tolerance": conv(allowance), "unit": unit, "decimals": 2,
                  "relation": ">=" if self.p.direction == "fall" else "=="}
            result.findings.append(self.finding(run, values, locs, fv, subject=f"{earlier}-{later}"))

    @staticmethod
    def _unit(run: RunContext, compiled) -> str | None:
        if compiled is not None and compiled.value.unit is not None:
            return compiled.value.unit
        return run.schema.units.display_unit(compiled.value.dim, None) if compiled is not None else None
