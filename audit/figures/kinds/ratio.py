"""ratio: the ratio of two measures printed together stays within bounds, and a large numerator
does not stand beside a zero denominator.

Every printed figure of the `numerator` is paired with the `denominator` of the same source at
the same coordinates and period, except on the dimensions `at` fixes for the denominator (the
numerator is not broken down by them: work done is paired with one kind of thing found, not
every kind). The denominator is the figure printed at those coordinates or, where
the source prints only its parts (by type), their sum. A numerator with no denominator
beside it is not an item.

The ratio runs over the quotient of the two intervals, from numerator.lo / denominator.hi to
numerator.hi / denominator.lo; it breaks `at_most` when even its low end is above the bound, and
`at_least` when even its high end is below. Bounds are in the numerator's unit per one
denominator (its base unit): a number in the base unit, or a number and a unit the vocabulary
gives the numerator's quantity, as text ('5 <unit>').

`when: {numerator_at_least: AMOUNT}` restricts the rule to numerators that are surely at least
the amount (their interval's low end). A denominator printed as exactly 0 beside such a numerator
is a finding when `zero_denominator` is `report` (the default) and no item when it is `skip`.

With `denominator_in: reference`, the denominator is a figure of the pack's reference data, not of
the report: the one of the numerator's dataset whose members (other than wholes) the numerator's
coordinates share, whatever the source and period. A part is never larger than the whole it lies
in: any figure printed for a place, a status, a year bounded by one fact about the whole.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import Problem
from ...expr.agreement import can_meet
from ...kinds.base import param
from ..linear import Relation, ratio_meets
from ..model import INF
from ..store import FigureStore
from .base import (FigureKind, Value, check_amount, check_at, coords_key, fixed_coords, in_unit, matches, measure_text,
                   named, parse_amount, place_of, shown, source_label, unit_shown, unknown_measures, value_locations,
                   value_shown, value_source, values_of)

ZERO = ("report", "skip")
DENOMINATOR_IN = ("printed", "reference")
WHEN = ("numerator_at_least",)


class Ratio(FigureKind):
    """The ratio of two measures at the same coordinates stays within `at_most` / `at_least`; a
    numerator beside a zero denominator is reported."""

    name = "ratio"
    needs = "the numerator and the denominator for the same place and period"
    placeholders = ("numerator", "denominator", "numerator_value", "denominator_value", "ratio", "bound", "at",
                    "source")

    @dataclass(frozen=True)
    class Params:
        numerator: str = param("the measure divided")
        denominator: str = param("the measure it is divided by")
        at: dict = param("fixed coordinates of the denominator: {dimension: member}", {})
        numerator_at: dict = param("fixed coordinates of the numerator: {dimension: member}", {})
        at_most: float | str | None = param("the highest ratio allowed (numerator units per denominator)", None)
        at_least: float | str | None = param("the lowest ratio allowed (numerator units per denominator)", None)
        when: dict = param("conditions on the pairs checked: numerator_at_least: AMOUNT", {})
        zero_denominator: str = param("a zero denominator beside a numerator: report or skip", "report")
        denominator_in: str = param("where the denominator is read: printed (the report's figures) or "
                                    "reference (the pack's reference data)", "printed")

    def absent_reason(self, store: FigureStore, dataset: str) -> str:
        if self.p.denominator_in != "reference" or any(
                f.origin == "reference" and f.measure == self.p.denominator for f in store.datasets[dataset].figures):
            return super().absent_reason(store, dataset)
        return f"needs a figure of {self.p.denominator} in the pack's reference data at this dataset's coordinates"

    def check(self, vocab):
        p, f, ln = self.p, self.rule.file, self.rule.line
        out = unknown_measures(vocab, [p.numerator], f, ln, "numerator")
        out += unknown_measures(vocab, [p.denominator], f, ln, "denominator")
        out += check_at(vocab, p.at, f, ln) + check_at(vocab, p.numerator_at, f, ln, "numerator_at")
        out += check_amount(vocab, p.at_most, p.numerator, f, ln, "at_most")
        out += check_amount(vocab, p.at_least, p.numerator, f, ln, "at_least")
        for key, raw in p.when.items():
            if key not in WHEN:
                out.append(Problem(f, f"unknown condition '{key}' in 'when'", ln, field="when",
                                   hint=f"conditions: {', '.join(WHEN)}"))
            else:
                out += check_amount(vocab, raw, p.numerator, f, ln, "when")
        if p.denominator_in not in DENOMINATOR_IN:
            out.append(Problem(f, f"denominator_in '{p.denominator_in}' is not one of {', '.join(DENOMINATOR_IN)}",
                               ln, field="denominator_in"))
        if p.zero_denominator not in ZERO:
            out.append(Problem(f, f"zero_denominator '{p.zero_denominator}' is not one of {', '.join(ZERO)}", ln,
                               field="zero_denominator"))
        return out

    def evaluate(self, store: FigureStore) -> None:
        p, vocab = self.p, store.vocab
        quantity = vocab.measures[p.numerator].quantity
        at_most = parse_amount(vocab, p.at_most, quantity) if p.at_most is not None else None
        at_least = parse_amount(vocab, p.at_least, quantity) if p.at_least is not None else None
        floor = p.when.get("numerator_at_least")
        floor = parse_amount(vocab, floor, quantity) if floor is not None else None
        at, numerator_at = fixed_coords(store, p.at), fixed_coords(store, p.numerator_at)
        dims = store.dims
        printed, summed = self._index(store, p.denominator)
        reference = self._reference(store, p.denominator) if p.denominator_in == "reference" else None
        blank_den = {self._key(b, at, dims) for b in store.blanks if b.measure == p.denominator}
        for n in values_of(store, p.numerator, derived=False):
            if floor is not None and not n.lo >= floor * (1 - 1e-12):
                continue
            if numerator_at and not matches(n.coords, numerator_at):
                continue
            want = dict(n.coords)
            want.update(at)
            if reference is not None:
                cands = [r for r in reference.get(n.dataset, ())
                         if all(m == vocab.dimensions[x].all or want[x] == m for x, m in r.coords.items())]
            else:
                key = (n.dataset, n.source, n.period.key(), tuple(want[x] for x in dims))
                cands = printed.get(key) or summed.get(key)
            if not cands:
                if reference is None and key in blank_den:
                    self.tally(n.dataset, None, f"{value_source(n)}: {named(store, p.numerator, n.coords)}, "
                                                f"{n.period.label}: the {measure_text(store, p.denominator)} beside "
                                                f"it is left blank")
                continue
            d = min(cands, key=lambda v: v.rank)
            if d.lo == 0 and d.hi == 0:
                if n.lo <= 0 or p.zero_denominator == "skip":
                    continue
                self.tally(n.dataset, False, relation=lambda: Relation.not_linear(
                    "a figure divided by a zero", [*n.figs, *d.figs], subject=self._item(store, n, d)))
                self._finding(store, n, d, None, "no", INF)
                continue
            lo = n.lo / d.hi if d.hi < INF else (0.0 if n.lo >= 0 else -INF)
            hi = n.hi / d.lo if d.lo > 0 else INF
            broken = None
            if at_most is not None and not can_meet(lo, hi, -INF, at_most):
                broken = ("at most", at_most, p.at_most)
            elif at_least is not None and not can_meet(lo, hi, at_least, INF):
                broken = ("at least", at_least, p.at_least)
            self.tally(n.dataset, broken is None, relation=lambda: self._relation(store, n, d, at_most, at_least))
            if broken:
                self._finding(store, n, d, broken, shown(store, n.value / d.value, n.unit()), broken[1])

        if reference is None and floor is None:
            self._blank_numerators(store, at, numerator_at, printed, summed, blank_den)

    @staticmethod
    def _key(f, at: dict, dims) -> tuple:
        """Where a figure's denominator stands: (dataset, source, period, coordinates with `at`)."""
        want = dict(f.coords)
        want.update(at)
        return (f.dataset, f.source, f.period.key(), tuple(want[x] for x in dims))

    def _blank_numerators(self, store, at: dict, numerator_at: dict, printed: dict, summed: dict,
                          blank_den: set) -> None:
        """A numerator left blank beside its denominator (printed or blank): undecided."""
        for b in store.blanks:
            if b.measure != self.p.numerator or (numerator_at and not matches(b.coords, numerator_at)):
                continue
            key = self._key(b, at, store.dims)
            if key in printed or key in summed or key in blank_den:
                self.tally(b.dataset, None, f"{source_label(b)}, line {b.line}: the "
                                            f"{measure_text(store, self.p.numerator)} ({b.column}) is left blank")

    def _item(self, store, n: Value, d: Value) -> str:
        return f"{named(store, self.p.numerator, n.coords)} per {measure_text(store, self.p.denominator)}, " \
               f"{n.period.label}"

    def _relation(self, store, n: Value, d: Value, at_most: float | None, at_least: float | None) -> Relation:
        """With a denominator certainly above zero (and bounded), a bound on n / d is a bound on
        n - bound x d: n.lo <= at_most x d.hi, n.hi >= at_least x d.lo."""
        if not (0 < d.lo and d.hi < INF):
            return Relation.not_linear("the denominator may be zero", [*n.figs, *d.figs],
                                       subject=self._item(store, n, d))
        return ratio_meets(n.figs, d.figs, -INF if at_least is None else at_least, INF if at_most is None else at_most,
                           self._item(store, n, d))

    @staticmethod
    def _reference(store: FigureStore, measure: str) -> dict[str, list[Value]]:
        """The reference figures of a measure, by dataset, as values."""
        out: dict[str, list[Value]] = {}
        for f in store.figures:
            if f.origin == "reference" and f.measure == measure:
                out.setdefault(f.dataset, []).append(Value(f.dataset, f.source, f.measure, f.period, f.coords, f.lo,
                                                           f.hi, [f], f.origin))
        return out

    @staticmethod
    def _index(store: FigureStore, measure: str) -> tuple[dict, dict]:
        """A denominator's values by (dataset, source, period, coordinates): printed, and summed.
        Made once per run for each measure (rules of this kind often share their denominator)."""
        key = ("ratio-index", measure)
        if key not in store.memo:
            printed: dict[tuple, list[Value]] = {}
            summed: dict[tuple, list[Value]] = {}
            for d in values_of(store, measure):
                target = summed if d.origin == "derived" else printed
                target.setdefault((d.dataset, d.source, d.period.key(), tuple(d.coords[x] for x in store.dims)),
                                  []).append(d)
            store.memo[key] = (printed, summed)
        return store.memo[key]

    def _finding(self, store, n: Value, d: Value, broken, ratio_text: str, bound: float) -> None:
        bound_text = "" if broken is None else f"{broken[0]} {broken[2]}"
        values = {"numerator": measure_text(store, self.p.numerator),
                  "denominator": measure_text(store, self.p.denominator),
                  "numerator_value": value_shown(store, n), "denominator_value": value_shown(store, d),
                  "ratio": ratio_text, "bound": bound_text, "at": place_of(store, n.coords),
                  "source": value_source(n)}
        unit = n.unit()
        ratio = n.value / d.value if d.value else INF
        locs = value_locations(store, n, "numerator") + value_locations(store, d, "denominator")
        self.report(n.dataset, values, locs,
                    subject=f"ratio:{self.p.numerator}/{self.p.denominator}@{coords_key(store, n.coords)}:"
                            f"{n.period.key()}:{n.source}",
                    observed=in_unit(store, ratio, unit) if ratio != INF else None,
                    expected=in_unit(store, bound, unit) if bound != INF else None,
                    unit=unit_shown(store, unit), relation="<=" if broken and broken[0] == "at most" else ">=")
