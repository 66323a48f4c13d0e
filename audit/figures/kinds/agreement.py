"""agreement: the same figure printed in two places agrees within printed precision.

Two figures agree when they measure the same thing at the same coordinates and period and their
intervals can meet. The places compared are any two sources: two tables of one report, a table
and the text, or two editions (then a difference is a revision, with both values and both
places). Where the other source prints no figure at those coordinates but prints its parts, the
sum of the parts stands for it: a total quoted in the text is checked against the rows of the
table it summarises, the anti-personnel row of one table against the regions of another.

A figure of the text that no source prints, or sums to, is undecided, and the outcome names
the nearest coordinates the tables do print (a place spelt another way, a year off by one).
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import Problem
from ...expr.agreement import can_meet_sql
from ...kinds.base import param
from ..linear import equal
from ..store import FigureStore, same_coordinates
from .base import (FigureKind, coords_key, decimals_of, in_unit, location, measure_text, shown, source_label,
                   unit_shown, unknown_measures, where)

BETWEEN = ("tables", "text", "editions", "within_text")


class Agreement(FigureKind):
    """The same figure printed in two places (two tables, a table and the text, two editions)
    agrees within printed precision; a sum of parts stands for a figure its source does not print."""

    name = "agreement"
    needs = "the same figure printed twice"
    _NEEDS = {"tables": "in two tables", "text": "in the text and a table", "editions": "in two editions or reports",
              "within_text": "twice in the text of one report"}

    def absent_reason(self, store, dataset: str) -> str:
        where = " or ".join(self._NEEDS[b] for b in self.p.between if b in self._NEEDS)
        reason = super().absent_reason(store, dataset)
        return reason.replace(self.needs, f"{self.needs} ({where})", 1) if where else reason
    placeholders = ("figure", "measure", "at", "observed", "expected", "difference", "source", "other",
                    "edition", "other_edition")

    @dataclass(frozen=True)
    class Params:
        between: list[str] = param("which places are compared: tables (two tables of one edition), text "
                                   "(the text and a table), editions (two editions), within_text (two figures "
                                   "of the text of one edition, such as one value printed in two units)",
                                   ["tables", "text", "editions"])
        measures: list[str] = param("the measures checked (default: all)", [])
        unmatched: bool = param("count a text figure no table prints as undecided, naming the nearest", True)

    def check(self, vocab):
        out = unknown_measures(vocab, self.p.measures, self.rule.file, self.rule.line, "measures")
        for b in self.p.between:
            if b not in BETWEEN:
                out.append(Problem(self.rule.file, f"'{b}' is not one of {', '.join(BETWEEN)}", self.rule.line,
                                   field="between"))
        return out

    def _pair_kind(self, f_dataset, f_source, g_dataset, g_source) -> str:
        if f_dataset != g_dataset:
            return "editions"
        if f_source == g_source == "text":
            return "within_text"
        return "text" if "text" in (f_source, g_source) else "tables"

    def evaluate(self, store: FigureStore) -> None:
        same = same_coordinates("g", "f")
        mf = " AND list_contains(?, f.measure)" if self.p.measures else ""
        mp = [list(self.p.measures)] if self.p.measures else []
        # two figures of one text are paired only when asked (the text's own source is the text)
        within = " OR (f.source = 'text' AND g.source = 'text')" if "within_text" in self.p.between else ""
        printed = store.rows(
            f"SELECT f.fid, g.fid, {can_meet_sql('f', 'g')} FROM figures f JOIN figures g ON g.measure = f.measure "
            f"AND g.p_key = f.p_key AND {same} AND g.fid > f.fid AND (g.dataset <> f.dataset OR g.source <> f.source"
            f"{within}){mf} AND f.origin <> 'reference' AND g.origin <> 'reference' ORDER BY f.fid, g.fid", mp)
        # a source that prints no figure at the coordinates, but its parts: their sum
        same_d = same_coordinates("d", "f")
        summed = store.rows(
            f"SELECT f.fid, d.dataset, d.source, d.lo, d.hi, d.fids, {can_meet_sql('f', 'd')} FROM figures f "
            f"JOIN derived d ON d.measure = f.measure AND d.p_key = f.p_key AND {same_d} "
            f"AND (d.dataset <> f.dataset OR d.source <> f.source){mf} AND f.origin <> 'reference' "
            f"WHERE NOT EXISTS (SELECT 1 FROM figures g WHERE g.dataset = d.dataset AND g.source = d.source "
            f"AND g.measure = d.measure AND g.p_key = d.p_key AND {same}) ORDER BY f.fid, d.dataset, d.source", mp)
        figs = store.figures
        matched: set[int] = set()
        for a, b, ok in printed:
            fa, fb = figs[a], figs[b]
            kind = self._pair_kind(fa.dataset, fa.source, fb.dataset, fb.source)
            if kind not in self.p.between:
                continue
            matched.update((a, b))
            first, other = (fb, fa) if fa.source != "text" and fb.source == "text" else (fa, fb)
            self.tally(first.dataset, bool(ok), relation=lambda: equal(
                [first], [other], f"{self._item(store, first)}: {source_label(first)} and {source_label(other)}"))
            if not ok:
                self._finding(store, first, other.value, other.lo, other.hi, other.unit, [other], other, kind)
        seen_pairs: set[tuple] = set()
        for fid, dset, dsrc, lo, hi, fids, ok in summed:
            f = figs[fid]
            kind = self._pair_kind(f.dataset, f.source, dset, dsrc)
            if kind not in self.p.between or (fid, dset, dsrc) in seen_pairs:
                continue
            seen_pairs.add((fid, dset, dsrc))
            matched.add(fid)
            parts = [figs[i] for i in fids]
            self.tally(f.dataset, bool(ok), relation=lambda: equal(
                [f], parts, f"{self._item(store, f)}: {source_label(f)} and {source_label(parts[0])} "
                            f"(the sum of {len(parts)} figures)"))
            if not ok:
                self._finding(store, f, (lo + hi) / 2, lo, hi, f.unit, parts, parts[0], kind, summed_from=len(parts))
        if self.p.unmatched and "text" in self.p.between:
            self._unmatched(store, matched)

    @staticmethod
    def _item(store, f) -> str:
        return f"{measure_text(store, f.measure)} ({where(store, f)})"

    def _finding(self, store, f, exp, lo, hi, unit, others, other, kind, summed_from: int | None = None) -> None:
        dec = decimals_of(f)
        here, src = source_label(f), source_label(other)
        if kind == "within_text":  # both are "the text": say which figure of it
            here, src = f"{here} ({f.label})", f"{src} ({other.label})"
        src += f" (the sum of {summed_from} figures)" if summed_from else ""
        values = {"figure": f"{measure_text(store, f.measure)} ({where(store, f)})",
                  "measure": measure_text(store, f.measure), "at": where(store, f),
                  "observed": shown(store, f.value, unit, dec), "expected": shown(store, exp, unit, dec),
                  "difference": shown(store, f.value - exp, unit, dec), "source": here, "other": src,
                  "edition": f.edition, "other_edition": other.edition}
        role = "claim" if f.source == "text" else "observed"
        locs = [location(store, f, role)] + [location(store, o, "compared") for o in others[:50]]
        tol = (f.hi - f.lo) / 2 + (hi - lo) / 2
        self.report(f.dataset, values, locs, subject=f"{kind}:{f.measure}@{coords_key(store, f)}:{other.dataset}:{other.source}",
                    observed=in_unit(store, f.value, unit), expected=in_unit(store, exp, unit),
                    tolerance=in_unit(store, tol, unit), unit=unit_shown(store, unit))

    def _unmatched(self, store: FigureStore, matched: set[int]) -> None:
        figs = store.figures
        mf = " AND list_contains(?, measure)" if self.p.measures else ""
        mp = [list(self.p.measures)] if self.p.measures else []
        texts = [r[0] for r in store.rows(f"SELECT fid FROM figures WHERE source = 'text'{mf} ORDER BY fid", mp)]
        # a text figure that is a whole of other text figures is checked by additivity, not here
        wholes = {r[0] for r in store.rows("SELECT f.fid FROM figures f JOIN derived d ON d.dataset = f.dataset "
                                           "AND d.source = f.source AND d.measure = f.measure AND d.p_key = f.p_key "
                                           f"AND {same_coordinates('d', 'f')} WHERE f.source = 'text'")}
        by_measure: dict[tuple[str, str], list] = {}
        for f in figs:
            if f.source != "text":
                by_measure.setdefault((f.dataset, f.measure), []).append(f)
        for fid in texts:
            if fid in matched or fid in wholes:
                continue
            f = figs[fid]
            candidates = by_measure.get((f.dataset, f.measure), [])
            if not candidates:
                continue  # no table of this dataset prints the measure: nothing to compare with
            nearest = max(candidates, key=lambda g: (sum(g.coords[d] == f.coords[d] for d in store.dims)
                                                      + (g.period.key() == f.period.key()), -g.line if g.line else 0))
            self.tally(f.dataset, None, f"the text's {measure_text(store, f.measure)} ({where(store, f)}, "
                                         f"{f.file}:{f.line}) matches no figure of the tables; the nearest is "
                                         f"{where(store, nearest)} in {source_label(nearest)}")
