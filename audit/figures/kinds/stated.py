"""stated: a change, share, ratio or count of members stated in the text agrees with the figures.

The text often gives not a figure but a relation between figures: "a 20% decrease on 2018",
"fell by 5.9 km", "2.2% of the whole", "double the output of the year before", "in five
regions". Such a claim (see `audit.figures.load._statement` for how it is written) names the
figures it relates; this kind finds them (a figure printed by a table of the same dataset first,
then the sum of a table's parts, then the text, then another edition, then the pack's reference
data, whatever its period), computes the relation with interval arithmetic (each figure stands for
its interval under printed precision), and checks that the stated interval can meet the computed
one. A count of members counts the members of a
dimension with a figure above zero in the table that lists the most of them; a member whose
figure may or may not be zero at printed precision widens the count. A relation whose figures
cannot all be found is undecided, naming what is missing.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...expr.agreement import can_meet
from ...kinds.base import format_number, param
from ..model import INF, Statement
from ..store import FigureStore, col
from .base import FigureKind, location, measure_text

KINDS_STATED = ("change", "share", "ratio", "members")


class Stated(FigureKind):
    """A change, share, ratio or count of members stated in the text agrees with the figures it relates."""

    name = "stated"
    placeholders = ("statement", "stated", "computed", "measure", "at", "period", "other")

    @dataclass(frozen=True)
    class Params:
        relations: list[str] = param("which relations are checked: change, share, ratio, members", list(KINDS_STATED))

    def check(self, vocab):
        from ...errors import Problem

        return [Problem(self.rule.file, f"'{r}' is not one of {', '.join(KINDS_STATED)}", self.rule.line,
                        field="relations") for r in self.p.relations if r not in KINDS_STATED]

    def absent_reason(self, store: FigureStore, dataset: str) -> str:
        return "the text states no change, share, ratio or count of members"

    def evaluate(self, store: FigureStore) -> None:
        for ds in store.datasets.values():
            for st in ds.statements:
                if st.kind in self.p.relations:
                    self._one(store, st)

    # -- finding the figures a statement names --------------------------------------------------
    def _value(self, store: FigureStore, st: Statement, measure: str, coords: dict, period) -> tuple | None:
        """(lo, hi, figures) of a figure: printed by a table of the dataset, a table's sum of parts,
        the text, then another edition (the same coordinates, country included)."""
        same = " AND ".join([f"{col(d)} = ?" for d in store.dims] or ["true"])
        params = [measure, period.key(), *(coords[d] for d in store.dims)]
        rows = store.rows(
            f"SELECT fid, lo, hi, source, dataset = ? AS here FROM figures WHERE measure = ? AND p_key = ? AND {same} "
            f"AND origin <> 'reference' "
            f"ORDER BY here DESC, source = 'text', fid LIMIT 1", [st.dataset, *params])
        derived = store.rows(
            f"SELECT lo, hi, fids FROM derived WHERE dataset = ? AND measure = ? AND p_key = ? AND {same} "
            f"ORDER BY source = 'text', n DESC LIMIT 1", [st.dataset, *params])
        if rows and rows[0][4] and rows[0][3] != "text":
            fid, lo, hi = rows[0][:3]
            return lo, hi, [store.figures[fid]]
        if derived:
            lo, hi, fids = derived[0]
            return lo, hi, [store.figures[i] for i in fids]
        if rows:
            fid, lo, hi = rows[0][:3]
            return lo, hi, [store.figures[fid]]
        # a fact of the pack's reference data (a country's area) holds whatever the period
        reference = store.rows(
            f"SELECT fid, lo, hi FROM figures WHERE dataset = ? AND origin = 'reference' AND measure = ? AND {same} "
            f"ORDER BY fid LIMIT 1", [st.dataset, measure, *(coords[d] for d in store.dims)])
        if reference:
            fid, lo, hi = reference[0]
            return lo, hi, [store.figures[fid]]
        return None

    def _members(self, store: FigureStore, st: Statement) -> tuple | None:
        d = st.dimension
        others = [x for x in store.dims if x != d]
        same = " AND ".join([f"{col(x)} = ?" for x in others] or ["true"])
        names = ", ".join(col(x) for x in store.dims)
        # each member's figure as a table prints it, or as the sum of its parts there (its statuses)
        pool = (f"SELECT dataset, source, measure, p_key, {names}, lo, hi, [fid] AS fids FROM figures "
                f"WHERE origin IN ('cell', 'total') AND source <> 'text' UNION ALL "
                f"SELECT dataset, source, measure, p_key, {names}, lo, hi, fids FROM derived WHERE source <> 'text'")
        rows = store.rows(
            f"SELECT source, count(DISTINCT {col(d)}) FILTER (WHERE lo > 0), count(DISTINCT {col(d)}) FILTER "
            f"(WHERE hi > 0), count(DISTINCT {col(d)}), list_sort(list_distinct(flatten(list(fids)))) FROM ({pool}) "
            f"WHERE dataset = ? AND measure = ? AND p_key = ? AND {same} AND {col(d)} <> ? "
            # the members right under the whole: provinces, not their districts as well
            f"AND {col(d)} IN (SELECT member FROM anc WHERE dataset = ? AND dim = ? AND ancestor = ? AND depth = 1) "
            f"GROUP BY source ORDER BY count(DISTINCT {col(d)}) DESC, source LIMIT 1",
            [st.dataset, st.measure, st.period.key(), *(st.coords[x] for x in others),
             store.vocab.dimensions[d].all, st.dataset, d, store.vocab.dimensions[d].all])
        if not rows:
            return None
        src, sure, maybe, _n, fids = rows[0]
        info = store.datasets[st.dataset].sources.get(src)
        if info is not None and info.incomplete:
            maybe = INF  # a cut table: the members it gives are some of them, at least
        return float(sure), float(maybe), [store.figures[i] for i in fids]

    # -- one statement ----------------------------------------------------------------------------
    def _one(self, store: FigureStore, st: Statement) -> None:
        figs: list = []
        if st.kind == "members":
            got = self._members(store, st)
            if got is None:
                return self._undecided(st, f"no table prints {measure_text(store, st.measure)} by "
                                           f"{st.dimension} for {st.period.label}")
            lo, hi, figs = got
        elif st.kind == "change":
            a = self._value(store, st, st.measure, st.coords, st.other_period)
            b = self._value(store, st, st.measure, st.coords, st.period)
            if a is None or b is None:
                missing = st.other_period.label if a is None else st.period.label
                return self._undecided(st, f"no figure of {measure_text(store, st.measure)} for {missing}")
            figs = a[2] + b[2]
            if st.relative:
                if a[0] <= 0:
                    return self._undecided(st, f"the figure of {st.other_period.label} may be zero: no relative change")
                lo, hi = b[0] / a[1] - 1, b[1] / a[0] - 1
            else:
                lo, hi = b[0] - a[1], b[1] - a[0]
        else:
            x = self._value(store, st, st.measure, st.coords, st.period)
            y = self._value(store, st, st.other_measure, st.other_coords, st.other_period)
            if x is None or y is None:
                what = (st.measure, st.period) if x is None else (st.other_measure, st.other_period)
                return self._undecided(st, f"no figure of {measure_text(store, what[0])} for {what[1].label}")
            figs = x[2] + y[2]
            if y[0] <= 0:
                return self._undecided(st, "the figure it is a share or ratio of may be zero")
            lo, hi = x[0] / y[1], x[1] / y[0]
        ok = can_meet(st.lo, st.hi, lo, hi)
        pair = (None, None) if st.kind == "members" else (a, b) if st.kind == "change" else (x, y)
        self.tally(st.dataset, ok, relation=lambda: _relation(store, st, figs, *pair))
        if ok:
            return
        values = {"statement": st.kind, "stated": _printed(st), "computed": _range(st, lo, hi),
                  "measure": measure_text(store, st.measure), "period": st.period.label,
                  "at": ", ".join(f"{d} {m}" for d, m in st.coords.items() if m != store.vocab.dimensions[d].all),
                  "other": (st.other_period.label if st.other_period is not None else st.dimension or "")}
        from ...findings import Location

        locs = [Location(file=st.file, row=st.line, claim=st.claim, value=_printed(st), role="claim", label=st.label,
                         provenance=st.quote or None)]
        locs += [location(store, f, "compared") for f in figs[:50]]
        mid = (lo + hi) / 2 if INF not in (abs(lo), abs(hi)) else lo
        self.report(st.dataset, values, locs, subject=f"stated:{st.claim}",
                    observed=_shown_value(st, (st.lo + st.hi) / 2), expected=_shown_value(st, mid))

    def _undecided(self, st: Statement, why: str) -> None:
        self.tally(st.dataset, None, f"{st.file}:{st.line} ({st.claim}): {why}")


def _relation(store, st: Statement, figs: list, first, second):
    """A stated change or share as bounds on the figures it relates (the statement itself is not a
    figure that can be corrected): an absolute change b - a, a relative one b / a - 1, a share or
    a ratio x / y, each within the stated interval. A count of members is not linear."""
    from ..linear import Bound, Relation, ratio_meets

    subject = f"the text's {st.kind} ({st.claim}): {_printed(st)}"
    if st.kind == "members" or first is None or second is None:
        return Relation.not_linear("a count of members", figs, subject=subject)
    (alo, ahi, afigs), (blo, bhi, bfigs) = first, second
    if any(abs(v - sum(getattr(f, side) for f in fs)) > 1e-9 * max(1.0, abs(v))
           for v, side, fs in ((alo, "lo", afigs), (ahi, "hi", afigs), (blo, "lo", bfigs), (bhi, "hi", bfigs))):
        return Relation.not_linear("a figure chosen among several", figs, subject=subject)
    if st.kind == "change" and not st.relative:
        return Relation((Bound(tuple([(f, 1.0) for f in bfigs] + [(f, -1.0) for f in afigs]), st.lo, st.hi),),
                        subject=subject)
    if st.kind == "change":
        return ratio_meets(bfigs, afigs, 1 + st.lo, 1 + st.hi, subject)
    return ratio_meets(afigs, bfigs, st.lo, st.hi, subject)


def _factor(st: Statement) -> float:
    return 0.01 if st.relative and st.kind in ("change", "share") else 1.0


def _shown_value(st: Statement, v: float) -> float:
    """A value as the claim speaks of it: a relative change or share in percent, else as it is."""
    return round(v / _factor(st), 6)


def _range(st: Statement, lo: float, hi: float) -> str:
    unit = "%" if _factor(st) == 0.01 else ""
    if st.kind == "change" and not st.relative:
        unit = f" {st.unit}" if st.unit else ""
    def one(v: float) -> str:
        if v in (INF, -INF):
            return "unbounded"
        return format_number(_shown_value(st, v), None, 2 if not float(_shown_value(st, v)).is_integer() else 0)
    if abs(hi - lo) < 1e-12 or one(lo) == one(hi):
        return one(lo) + unit
    return f"{one(lo)} to {one(hi)}{unit}"


def _printed(st: Statement) -> str:
    """The stated value as the text gives it: "30% decrease", "about 2", "9.85 km decrease"."""
    unit = "" if not st.unit else st.unit if not st.unit[0].isalnum() else f" {st.unit}"  # 30%, 9.85 km
    q = "" if st.qualifier in ("exact", "between") else st.qualifier.replace("_", " ") + " "
    return f"{q}{st.printed}{unit}" + (f" {st.direction}" if st.direction else "")
