"""trend: a figure that changes from one period to the next by more than a share is worth a word.

A series is the figures of one measure at the same coordinates over consecutive periods of the
same length: years after years, quarters after quarters, or instants one year apart (end 2014,
end 2015, ...). Each step of a series whose relative change (to / from - 1) exceeds `threshold`
(0.5: by more than 50%) in the `direction` asked is reported, unless printed precision can
explain it: the smallest change the two figures' intervals allow must exceed the threshold
(0.83 to 4.00, printed to two decimals, is at least 3.995 / 0.835 - 1 = +378%). A step from a figure that may be zero
has no relative change and is undecided.

With `over`, the series is the ratio of the measure to a second measure at the same coordinates
and period (things found per unit of work, say), its interval the quotient of the two intervals.

Series are read within each dataset, one figure per period (a table cell preferred, then a
printed total, then the text); a step whose two periods no single dataset prints both is read
across datasets (editions), and reported to the dataset of its later period.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from ...errors import Problem
from ...expr.agreement import can_meet
from ...kinds.base import format_number, param
from ..linear import Relation, ratio_meets
from ..model import INF
from ..periods import consecutive
from ..store import FigureStore
from .base import (FigureKind, Value, check_at, coords_key, decimals_of, fixed_coords, in_unit, matches, measure_text, named,
                   place_of, shown, unit_shown, unknown_measures, value_locations, value_shown, values_of)

DIRECTIONS = ("both", "increase", "decrease")


def _length(p) -> tuple:
    """What makes two periods alike: an instant's day of the year; an interval's number of whole
    months, else of days."""
    if p.instant:
        return ("instant", p.end.month, p.end.day)
    nxt = p.end + datetime.timedelta(days=1)
    if p.start.day == 1 and nxt.day == 1:
        return ("months", (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1)
    return ("days", (p.end - p.start).days)


def step(a, b) -> bool:
    """Whether period `b` follows `a` in a series: the next interval of the same length, or the
    instant one year later."""
    if _length(a) != _length(b):
        return False
    if a.instant:
        return b.end.year == a.end.year + 1
    return consecutive(a, b)


class Trend(FigureKind):
    """A figure changes from one period to the next by more than `threshold` (a share) beyond
    what printed precision explains."""

    name = "trend"
    needs = "the measure for two consecutive periods"
    placeholders = ("measure", "from", "to", "from_value", "to_value", "change", "at")

    @dataclass(frozen=True)
    class Params:
        measure: str = param("the measure whose series is read")
        threshold: float = param("the relative change reported, a share (0.5: a change of more than 50%)")
        direction: str = param("which changes are reported: both, increase or decrease", "both")
        over: str | None = param("a second measure: the series is the ratio measure / over", None)
        at: dict = param("fixed coordinates of the series: {dimension: member}", {})

    def check(self, vocab):
        p, f, ln = self.p, self.rule.file, self.rule.line
        out = unknown_measures(vocab, [p.measure], f, ln, "measure")
        if p.over:
            out += unknown_measures(vocab, [p.over], f, ln, "over")
        if p.direction not in DIRECTIONS:
            out.append(Problem(f, f"direction '{p.direction}' is not one of {', '.join(DIRECTIONS)}", ln,
                               field="direction"))
        if not p.threshold > 0:
            out.append(Problem(f, "the threshold is a share above 0 (0.5: 50%)", ln, field="threshold"))
        return out + check_at(vocab, p.at, f, ln)

    def _series(self, store: FigureStore) -> dict[tuple, dict[str, dict]]:
        """coordinates -> dataset -> period key -> the value of that period (a ratio with `over`)."""
        at = fixed_coords(store, self.p.at)
        out: dict[tuple, dict[str, dict]] = {}
        dims = store.dims
        overs: dict[tuple, list[Value]] = {}
        if self.p.over:
            for o in values_of(store, self.p.over, derived=False):
                overs.setdefault((o.dataset, tuple(o.coords[d] for d in dims), o.period.key()), []).append(o)
        for v in values_of(store, self.p.measure, derived=False):
            if not matches(v.coords, at):
                continue
            key = tuple(v.coords[d] for d in dims)
            if self.p.over:
                cands = overs.get((v.dataset, key, v.period.key()), [])
                if not cands:
                    continue
                o = min(cands, key=lambda c: (c.source != v.source, c.rank))
                v = _ratio(v, o)
            periods = out.setdefault(key, {}).setdefault(v.dataset, {})
            cur = periods.get(v.period.key())
            if cur is None or v.rank < cur.rank:
                periods[v.period.key()] = v
        return out

    def evaluate(self, store: FigureStore) -> None:
        for key, by_dataset in sorted(self._series(store).items()):
            done: set[tuple] = set()
            for values in by_dataset.values():
                for a, b in _steps(values):
                    done.add((a.period.key(), b.period.key()))
                    self._step(store, a, b)
            merged: dict[str, Value] = {}
            for values in by_dataset.values():
                for k, v in values.items():
                    if k not in merged or v.rank < merged[k].rank:
                        merged[k] = v
            for a, b in _steps(merged):
                if (a.period.key(), b.period.key()) not in done:
                    self._step(store, a, b)

    def _step(self, store: FigureStore, a: Value, b: Value) -> None:
        if a.lo <= 0:
            self.tally(b.dataset, None, f"{named(store, self.p.measure, a.coords)} from "
                                        f"{a.period.label} to {b.period.label}: the first may be zero, so the "
                                        f"change has no share")
            return
        low = b.lo / a.hi - 1 if b.lo > -INF else -INF
        high = b.hi / a.lo - 1 if b.hi < INF else INF
        t = self.p.threshold
        rise = self.p.direction in ("both", "increase") and not can_meet(low, high, -INF, t)
        fall = self.p.direction in ("both", "decrease") and not can_meet(low, high, -t, INF)
        self.tally(b.dataset, not (rise or fall), relation=lambda: self._relation(store, a, b))
        if not (rise or fall):
            return
        change = b.value / a.value - 1
        unit = a.unit() if not self.p.over else None
        fixed = fixed_coords(store, self.p.at)  # what the rule fixes names the series: "land released (method cleared)"
        values = {"measure": named(store, self.p.measure, fixed) + (f" per {measure_text(store, self.p.over)}"
                                                                    if self.p.over else ""),
                  "from": a.period.label, "to": b.period.label, "from_value": self._shown(store, a),
                  "to_value": self._shown(store, b), "change": f"{change * 100:+.0f}%",
                  "at": place_of(store, a.coords)}
        locs = value_locations(store, a, "series") + value_locations(store, b, "series")
        self.report(b.dataset, values, locs,
                    subject=f"trend:{self.p.measure}@{coords_key(store, a.coords)}:{a.period.key()}:{b.period.key()}",
                    observed=in_unit(store, b.value, unit), expected=in_unit(store, a.value, unit),
                    tolerance=in_unit(store, t * abs(a.value), unit), unit=unit_shown(store, unit),
                    relation="change", decimals=self._decimals(a, b))

    def _relation(self, store, a: Value, b: Value) -> Relation:
        """With the first certainly above zero, a bound on b / a - 1 is a bound on b - (1 +- t) a."""
        subject = f"{named(store, self.p.measure, a.coords)} from {a.period.label} to {b.period.label}"
        if self.p.over:
            return Relation.not_linear(f"a series of ratios (per {measure_text(store, self.p.over)})",
                                       [*a.figs, *b.figs], subject=subject)
        t = self.p.threshold  # b / a - 1 within [-t, t]: b / a within [1 - t, 1 + t]
        return ratio_meets(b.figs, a.figs, 1 - t if self.p.direction in ("both", "decrease") else -INF,
                           1 + t if self.p.direction in ("both", "increase") else INF, subject)

    def _decimals(self, a: Value, b: Value) -> int | None:
        """The precision the message shows the two values at: that of the figures printed, when each is one."""
        if self.p.over or len(a.figs) != 1 or len(b.figs) != 1:
            return None
        return max(decimals_of(a.figs[0]), decimals_of(b.figs[0])) or None

    def _shown(self, store, v: Value) -> str:
        if not self.p.over:
            return value_shown(store, v)
        return format_number(v.value, None, 2) if not float(v.value).is_integer() else shown(store, v.value, None)


def _ratio(m: Value, o: Value) -> Value:
    lo = m.lo / o.hi if o.hi > 0 and o.hi < INF else (0.0 if o.hi == INF and m.lo >= 0 else -INF)
    hi = m.hi / o.lo if o.lo > 0 else INF
    return Value(m.dataset, m.source, m.measure, m.period, m.coords, lo, hi, m.figs + o.figs, m.origin)


def _steps(values: dict[str, Value]) -> list[tuple[Value, Value]]:
    ordered = sorted(values.values(), key=lambda v: (v.period.start, v.period.end))
    out = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if step(a.period, b.period):
                out.append((a, b))
                break
    return out
