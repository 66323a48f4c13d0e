"""co_occurrence: two measures of one thing are both zero or both not.

A number of areas and their area, a count of tasks and the land they covered: where one source
prints both at the same coordinates and period, a zero beside a non-zero figure cannot be right.
A printed `0` is exactly zero; a figure whose interval holds zero and more (`0.0` in a unit whose
whole numbers are rounded) decides nothing and is counted as undecided, and so is a pair of which
the source leaves one blank beside the other (printed or blank too): the pair is there, a value of
it is not.

With `one_way: true` each pair is read one way, as an implication: where the first is non-zero,
the second is non-zero too (staff and staff costs: a business with staff pays them, but costs
without staff may be contracted work). A zero first, or a non-zero second, holds whatever the other
is, even left blank; a non-zero first beside a zero second fails; the rest is undecided. This is
three-valued logic as in R's validate, where `if (staff >= 1) staff.costs >= 1` is evaluated as
`!(staff >= 1) | staff.costs >= 1` and `NA | TRUE` is TRUE. Non-zero means either side of zero
(as in the two-way reading): for a measure that may be negative, a negative second passes.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import Problem
from ...kinds.base import param
from ..linear import Relation, sign_kept
from ..store import FigureStore, same_coordinates
from .base import FigureKind, coords_key, location, measure_text, printed, source_label, where


class CoOccurrence(FigureKind):
    """Pairs of measures printed together are both zero or both non-zero (or, one way: where the
    first is non-zero, the second is too)."""

    name = "co_occurrence"
    needs = "a number of areas and their area printed for the same place and period"
    placeholders = ("zero", "nonzero", "zero_value", "nonzero_value", "at", "source")

    @dataclass(frozen=True)
    class Params:
        pairs: list[list[str]] = param("pairs of measures, e.g. [[areas, area]]: where one is zero the other is too")
        one_way: bool = param("read each pair as an implication, not an equivalence: where the first is non-zero the "
                              "second is non-zero too; a zero first, or a non-zero second, holds whatever the other "
                              "is, even left blank (R validate's `if (first) second`)", False)

    def check(self, vocab):
        out = []
        for pair in self.p.pairs:
            if len(pair) != 2:
                out.append(Problem(self.rule.file, f"a pair names two measures, not {len(pair)}", self.rule.line,
                                   field="pairs"))
            for m in pair:
                if m not in vocab.measures:
                    out.append(Problem(self.rule.file, f"unknown measure '{m}'", self.rule.line, field="pairs",
                                       hint=f"the vocabulary's measures: {', '.join(sorted(vocab.measures))}"))
        return out

    def _relation(self, store, figures, kept=None):
        """Both zero or both not (one way: a zero first or a non-zero second) is a choice between
        alternatives: the one that holds today is kept; `kept`, the figures that decide it (by
        default all of them), each stays zero, or on its side of zero."""
        said = "where the first is non-zero, the second is too" if self.p.one_way else "both zero or both not"

        def relation() -> Relation:
            witness = tuple(b for b in map(sign_kept, kept or figures) if b is not None)
            return Relation.not_linear(f"{said} (a choice between alternatives)", figures, witness,
                                       subject=f"{source_label(figures[0])}: "
                                               f"{' and '.join(measure_text(store, f.measure) for f in figures)} "
                                               f"({where(store, figures[0])})")
        return relation

    def evaluate(self, store: FigureStore) -> None:
        same = same_coordinates("b", "a")
        zero = "({t}.lo = 0 AND {t}.hi = 0)"
        nonzero = "({t}.lo > 0 OR {t}.hi < 0)"
        figs = store.figures
        for first, second in self.p.pairs:
            rows = store.rows(
                f"SELECT a.fid, b.fid, {zero.format(t='a')}, {nonzero.format(t='a')}, {zero.format(t='b')}, "
                f"{nonzero.format(t='b')} FROM figures a JOIN figures b ON b.dataset = a.dataset "
                f"AND b.source = a.source AND b.p_key = a.p_key AND {same} AND b.measure = ? "
                f"WHERE a.measure = ? AND a.origin <> 'reference' ORDER BY a.fid", [second, first])
            for a, b, az, anz, bz, bnz in rows:
                fa, fb = figs[a], figs[b]
                if self.p.one_way:  # a zero first or a non-zero second decides alone
                    ok = True if az or bnz else False if anz and bz else None
                    kept = ([fa] if az else [fb]) if ok else None
                else:
                    ok = True if (az and bz) or (anz and bnz) else False if (az and bnz) or (anz and bz) else None
                    kept = None
                if ok:
                    self.tally(fa.dataset, True, relation=self._relation(store, [fa, fb], kept))
                elif ok is False:
                    self.tally(fa.dataset, False, relation=self._relation(store, [fa, fb]))
                    z, nz = (fa, fb) if az else (fb, fa)
                    values = {"zero": measure_text(store, z.measure), "nonzero": measure_text(store, nz.measure),
                              "zero_value": printed(store, z), "nonzero_value": printed(store, nz),
                              "at": where(store, fa), "source": source_label(fa)}
                    self.report(fa.dataset, values, [location(store, nz, "observed"), location(store, z, "observed")],
                                subject=f"{nz.measure}>0,{z.measure}=0@{coords_key(store, fa)}:{fa.source}")
                else:
                    self.tally(fa.dataset, None, f"{source_label(fa)}, line {fa.line}: {printed(store, fa)} and "
                                                 f"{printed(store, fb)} may or may not be zero at printed precision")
            self._blank_pairs(store, first, second)

    def _blank_pairs(self, store: FigureStore, first: str, second: str) -> None:
        """Pairs of which a value is left blank (a cell of a table printed empty): undecided, but
        for a one-way pair whose printed value decides it alone (a zero first, a non-zero second)."""
        same = same_coordinates("b", "a")
        rows = store.rows(
            f"SELECT a.fid, b.fid FROM (SELECT fid, dataset, source, p_key, ck, measure, origin, false AS blank "
            f"FROM figures UNION ALL SELECT fid, dataset, source, p_key, ck, measure, origin, true FROM blanks) a "
            f"JOIN (SELECT fid, dataset, source, p_key, ck, measure, false AS blank FROM figures UNION ALL "
            f"SELECT fid, dataset, source, p_key, ck, measure, true FROM blanks) b ON b.dataset = a.dataset "
            f"AND b.source = a.source AND b.p_key = a.p_key AND {same} AND b.measure = ? "
            f"WHERE a.measure = ? AND a.origin <> 'reference' AND (a.blank OR b.blank) ORDER BY a.fid, b.fid",
            [second, first])
        n = len(store.figures)
        for a, b in rows:
            fa, fb = store.figure(a), store.figure(b)
            if self.p.one_way:
                zero_first = a < n and fa.lo == fa.hi == 0
                if zero_first or (b < n and (fb.lo > 0 or fb.hi < 0)):  # holds whatever the blank one is
                    printed_one = fa if zero_first else fb
                    self.tally(fa.dataset, True, relation=self._relation(store, [printed_one]))
                    continue
            blank = [store.figure(i) for i in (a, b) if i >= n]
            said = " and ".join(f"{measure_text(store, f.measure)} ({f.column})" for f in blank)
            self.tally(fa.dataset, None, f"{source_label(fa)}, line {fa.line}: {said} left blank")
