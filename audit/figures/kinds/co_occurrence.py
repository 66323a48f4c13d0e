"""co_occurrence: two measures of one thing are both zero or both not.

A number of areas and their area, a count of tasks and the land they covered: where one source
prints both at the same coordinates and period, a zero beside a non-zero figure cannot be right.
A printed `0` is exactly zero; a figure whose interval holds zero and more (`0.0` in a unit whose whole numbers are rounded) decides
nothing and is counted as undecided, and so is a pair of which the source leaves one blank beside
the other (printed or blank too): the pair is there, a value of it is not.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import Problem
from ...kinds.base import param
from ..linear import Relation, sign_kept
from ..store import FigureStore, same_coordinates
from .base import FigureKind, coords_key, location, measure_text, printed, source_label, where


class CoOccurrence(FigureKind):
    """Pairs of measures printed together are both zero or both non-zero."""

    name = "co_occurrence"
    needs = "a number of areas and their area printed for the same place and period"
    placeholders = ("zero", "nonzero", "zero_value", "nonzero_value", "at", "source")

    @dataclass(frozen=True)
    class Params:
        pairs: list[list[str]] = param("pairs of measures, e.g. [[areas, area]]: where one is zero the other is too")

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

    @staticmethod
    def _relation(store, fa, fb):
        """Both zero or both not is a choice between alternatives: the one that holds today is kept
        (each figure stays zero, or on its side of zero)."""
        def relation() -> Relation:
            witness = tuple(b for b in (sign_kept(fa), sign_kept(fb)) if b is not None)
            return Relation.not_linear("both zero or both not (a choice between alternatives)", [fa, fb], witness,
                                       subject=f"{source_label(fa)}: {measure_text(store, fa.measure)} and "
                                               f"{measure_text(store, fb.measure)} ({where(store, fa)})")
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
                relation = self._relation(store, fa, fb)
                if (az and bz) or (anz and bnz):
                    self.tally(fa.dataset, True, relation=relation)
                elif (az and bnz) or (anz and bz):
                    self.tally(fa.dataset, False, relation=relation)
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
        """Pairs of which a value is left blank (a cell of a table printed empty): undecided."""
        same = same_coordinates("b", "a")
        rows = store.rows(
            f"SELECT a.fid, b.fid FROM (SELECT fid, dataset, source, p_key, ck, measure, origin, false AS blank "
            f"FROM figures UNION ALL SELECT fid, dataset, source, p_key, ck, measure, origin, true FROM blanks) a "
            f"JOIN (SELECT fid, dataset, source, p_key, ck, measure, false AS blank FROM figures UNION ALL "
            f"SELECT fid, dataset, source, p_key, ck, measure, true FROM blanks) b ON b.dataset = a.dataset "
            f"AND b.source = a.source AND b.p_key = a.p_key AND {same} AND b.measure = ? "
            f"WHERE a.measure = ? AND a.origin <> 'reference' AND (a.blank OR b.blank) ORDER BY a.fid, b.fid",
            [second, first])
        for a, b in rows:
            fa, fb = store.figure(a), store.figure(b)
            blank = [store.figure(i) for i in (a, b) if i >= len(store.figures)]
            said = " and ".join(f"{measure_text(store, f.measure)} ({f.column})" for f in blank)
            self.tally(fa.dataset, None, f"{source_label(fa)}, line {fa.line}: {said} left blank")
