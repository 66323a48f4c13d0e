"""coincidence: a flow printed with exactly the value of a stock it should have changed.

A quantity removed over a year that equals, to the unit, the stock still recorded at the end
of that year says that what was removed was not taken off the record (or was added and removed
in the same year). Each printed figure of the `flow` over an interval is paired with each printed
figure of the `stock` at the interval's closing instant, in any source of the same dataset.

Matching, precisely: the stock figure is at every member `at` gives (the flow may be at any
member of those dimensions); on every other dimension except those listed in `ignore` the two
figures are at the same member (the whole, `all`, matches only the whole). `ignore` names the
dimensions that describe one side only (who did the work, how), or a breakdown the other
table does not print.

A pair is reported when both figures are exact (printed to the unit of a unit whose whole
numbers are exact: their intervals are single values) and equal, and the value is above 0 and at
least `min`. Rounded figures never are: 0.35 beside 0.35, printed to two decimals, is a coincidence of
rounding; 98,887 beside 98,887 in a unit whose whole numbers are exact is not.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import Problem
from ...expr.agreement import can_meet
from ...kinds.base import param
from ..linear import Bound, Relation
from ..model import INF
from ..store import FigureStore, col
from .base import (FigureKind, check_amount, check_at, check_dims, check_type, coords_key, fixed_coords, in_unit,
                   location, measure_text, parse_amount, place_of, shown, unit_shown, unknown_measures, where)


class Coincidence(FigureKind):
    """A flow over an interval is not exactly the stock at its closing instant."""

    name = "coincidence"
    needs = "a flow and the stock at the end of its period, for the same place"
    placeholders = ("flow", "stock", "value", "place", "period")

    @dataclass(frozen=True)
    class Params:
        flow: str = param("the flow measure (over periods)")
        stock: str = param("the stock measure (at instants)")
        at: dict = param("fixed coordinates of the stock: {dimension: member}", {})
        flow_at: dict = param("fixed coordinates of the flow: {dimension: member} (not matched with the stock's)", {})
        ignore: list[str] = param("dimensions on which the two figures are not matched", [])
        min: float | str = param("values below this amount are not reported (a value of 0 never is)", 0.0)

    def check(self, vocab):
        p, f, ln = self.p, self.rule.file, self.rule.line
        out = unknown_measures(vocab, [p.flow], f, ln, "flow") + unknown_measures(vocab, [p.stock], f, ln, "stock")
        out += check_type(vocab, p.flow, "flow", f, ln, "flow") + check_type(vocab, p.stock, "stock", f, ln, "stock")
        out += check_at(vocab, p.at, f, ln) + check_dims(vocab, p.ignore, f, ln, "ignore")
        out += check_at(vocab, p.flow_at, f, ln, "flow_at")
        out += check_amount(vocab, p.min, p.flow, f, ln, "min")
        for d in p.ignore:
            if d in (p.at or {}):
                out.append(Problem(f, f"'{d}' is both fixed by 'at' and ignored", ln, field="ignore"))
        return out

    def _relation(self, store, flow, stock) -> Relation:
        """Not equal is a choice between alternatives: the side that holds today is kept."""
        subject = f"{measure_text(store, self.p.flow)} and {measure_text(store, self.p.stock)} ({where(store, flow)})"
        witness = ()
        if flow.lo > stock.hi:
            witness = (Bound(((flow, 1.0), (stock, -1.0)), 0.0, INF, within=True, strict=True),)
        elif flow.hi < stock.lo:
            witness = (Bound(((flow, 1.0), (stock, -1.0)), -INF, 0.0, within=True, strict=True),)
        return Relation.not_linear("a figure that must differ from another (a choice between alternatives)",
                                   [flow, stock], witness, subject=subject)

    def evaluate(self, store: FigureStore) -> None:
        p = self.p
        at, flow_at = fixed_coords(store, p.at), fixed_coords(store, p.flow_at)
        floor = parse_amount(store.vocab, p.min, store.vocab.measures[p.flow].quantity)
        same = [f"s.{col(d)} = f.{col(d)}" for d in store.dims if d not in at and d not in flow_at and d not in p.ignore]
        fixed = [f"s.{col(d)} = ?" for d in at] + [f"f.{col(d)} = ?" for d in flow_at]
        figs = store.figures
        rows = store.rows(
            f"SELECT f.fid, s.fid FROM figures f JOIN figures s ON s.dataset = f.dataset AND s.measure = ? "
            f"AND s.p_instant AND s.p_end = f.p_end AND {' AND '.join(same + fixed) or 'true'} "
            f"WHERE f.measure = ? AND NOT f.p_instant AND s.origin <> 'reference' ORDER BY f.fid, s.fid",
            [p.stock, *at.values(), *flow_at.values(), p.flow])
        skip = set(p.ignore) | set(at) | set(flow_at)
        for a, b in rows:
            flow, stock = figs[a], figs[b]
            exact = flow.lo == flow.hi and stock.lo == stock.hi
            same_value = exact and can_meet(flow.lo, flow.hi, stock.lo, stock.hi)
            if same_value and not (flow.lo > 0 and flow.lo >= floor * (1 - 1e-12)):
                continue  # zeros (and values under `min`) coincide without meaning anything
            self.tally(flow.dataset, not same_value, relation=lambda: self._relation(store, flow, stock))
            if not same_value:
                continue
            values = {"flow": measure_text(store, p.flow), "stock": measure_text(store, p.stock),
                      "value": shown(store, flow.value, flow.unit), "place": place_of(store, flow.coords, skip),
                      "period": flow.period.label}
            self.report(flow.dataset, values, [location(store, flow, "flow"), location(store, stock, "stock")],
                        subject=f"coincidence:{p.flow}={p.stock}@{coords_key(store, flow)}:{stock.source}",
                        observed=in_unit(store, flow.value, flow.unit), expected=in_unit(store, stock.value, flow.unit),
                        tolerance=0.0, unit=unit_shown(store, flow.unit), relation="!=")
