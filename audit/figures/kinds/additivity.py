"""additivity: a whole equals the sum of its parts, along every dimension of the profile.

Every figure printed as a whole (a totals row, a subtotal of a hierarchy, a column that is the
whole of other columns, a total the text gives with its parts) is compared, within printed
precision, with the sum of the parts its own source prints: along one dimension or several at
once, so that a grand total over subtotals is checked against its subtotals' rows too. A printed
total whose table lacks one of a closed dimension's parts is reported as a missing part, not
passed in silence; a part printed twice at the same coordinates is reported once. Where a source
prints a whole beside some of a closed dimension's parts only, no sum is checked, but the parts
given must not add up to more than the whole (unless the quantity is `signed` in the vocabulary: parts
that may be negative bound nothing); the text's parts may name several members together ("4 in the
north and east", a set of parts), and then parts that share no member are added.

A whole its source leaves blank beside its parts, and a whole beside a part left blank, are
undecided: the item is there, its value is not.

With `text_breakdowns`, a whole the text gives with two or more of its parts by a closed dimension
("140 built, 27 by the state and 7 by the towns") is read as its breakdown: the parts it leaves
out are taken as none, and parts that fall short of the whole beyond printed precision are
reported, naming the parts it does not print. One part beside its whole ("of which 41 by the
state") is no breakdown, and is not reported.

With `sub_periods` (the default), a flow's whole is also bounded by its parts printed for periods
inside its own, in any source of its edition or, for a member its edition does not print, in
another edition of the run: parts disjoint by a closed dimension, each over a period inside the
whole's, cannot add up to more than it, however their periods overlap.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...expr.agreement import can_meet_sql
from ...kinds.base import param
from ..linear import Relation, at_least, equal
from ..model import INF
from ..store import FigureStore, col, same_coordinates
from .base import (FigureKind, coords_key, decimals_of, in_unit, location, measure_text, shown, source_label,
                   unit_shown, unknown_measures, where)

MAX_PARTS = 50  # part cells a finding lists


class Additivity(FigureKind):
    """A whole equals the sum of its parts (rows to a totals row, parts of a closed dimension to
    their whole, children of a hierarchy to their parent), within printed precision."""

    name = "additivity"
    needs = "a total printed with its parts"
    placeholders = ("whole", "measure", "at", "source", "observed", "expected", "difference", "parts", "missing")

    @dataclass(frozen=True)
    class Params:
        measures: list[str] = param("the measures checked (default: every additive measure)", [])
        missing_parts: bool = param("report a printed total whose table lacks a part of a closed dimension", True)
        duplicates: bool = param("report a part printed twice at the same coordinates", True)
        text_breakdowns: bool = param("read a whole the text gives with two or more of its parts as its "
                                      "breakdown, and report parts that fall short of it", False)
        sub_periods: bool = param("bound a flow's whole by its parts (of a closed dimension) printed for periods "
                                  "inside the whole's, by its own edition and any other of the run", True)

    def check(self, vocab):
        return unknown_measures(vocab, self.p.measures, self.rule.file, self.rule.line, "measures")

    def _measure_filter(self, alias: str) -> tuple[str, list]:
        if not self.p.measures:
            return "", []
        return f" AND list_contains(?, {alias}.measure)", [list(self.p.measures)]

    def evaluate(self, store: FigureStore) -> None:
        same = same_coordinates("d", "f")
        mfilter, mparams = self._measure_filter("f")
        rows = store.rows(
            f"SELECT f.fid, d.lo, d.hi, d.fids, {can_meet_sql('f', 'd')} AS ok FROM figures f JOIN derived d "
            f"ON d.dataset = f.dataset AND d.source = f.source AND d.measure = f.measure AND d.p_key = f.p_key "
            f"AND {same} WHERE f.origin IN ('total', 'cell', 'text'){mfilter} ORDER BY f.fid", mparams)
        figs = store.figures
        for fid, lo, hi, fids, ok in rows:
            whole = figs[fid]
            self.tally(whole.dataset, bool(ok), relation=lambda: equal(
                [whole], [figs[i] for i in fids], f"{self._item(store, whole)} = the sum of {len(fids)} parts"))
            if ok:
                continue
            parts = [figs[i] for i in fids]
            exp = (lo + hi) / 2
            unit, dec = whole.unit, decimals_of(whole)
            values = self._values(store, whole, len(parts))
            values.update(observed=shown(store, whole.value, unit, dec), expected=shown(store, exp, unit, dec),
                          difference=shown(store, whole.value - exp, unit, dec))
            locs = [location(store, whole, "total")] + [location(store, p, "part") for p in parts[:MAX_PARTS]]
            tol = (whole.hi - whole.lo) / 2 + (hi - lo) / 2
            self.report(whole.dataset, values, locs, subject=f"{whole.measure}@{coords_key(store, whole)}",
                        observed=in_unit(store, whole.value, unit), expected=in_unit(store, exp, unit),
                        tolerance=in_unit(store, tol, unit), unit=unit_shown(store, unit))
        self._blank_parts(store, same, mfilter, mparams)
        if self.p.missing_parts:
            self._missing(store)
        self._exceeding(store)
        self._exceeding_sets(store)
        if self.p.sub_periods:
            self._within_periods(store)
        if self.p.duplicates:
            self._duplicates(store)

    def _blank_parts(self, store: FigureStore, same: str, mfilter: str, mparams: list) -> None:
        """A printed whole whose source leaves one of its parts blank: undecided, naming the blank."""
        rows = store.rows(
            f"SELECT f.fid, min(d.fids) FROM figures f JOIN derived_incomplete d ON d.dataset = f.dataset "
            f"AND d.source = f.source AND d.measure = f.measure AND d.p_key = f.p_key AND {same} "
            f"WHERE f.origin IN ('total', 'cell', 'text'){mfilter} AND NOT EXISTS (SELECT 1 FROM derived d "
            f"WHERE d.dataset = f.dataset AND d.source = f.source AND d.measure = f.measure AND d.p_key = f.p_key "
            f"AND {same}) GROUP BY f.fid ORDER BY f.fid", mparams)
        for fid, fids in rows:
            whole = store.figures[fid]
            blanks = [store.figure(i) for i in fids if i >= len(store.figures)]
            where_blank = ", ".join(f"line {b.line} ({b.column})" for b in blanks[:5])
            self.tally(whole.dataset, None, f"{source_label(whole)}: the total at line {whole.line} ({whole.column}) "
                                            f"has a part left blank at {where_blank}")
        # a whole left blank beside its parts (printed or blank): the sum is there, the whole is not
        rows = store.rows(
            f"SELECT f.fid FROM blanks f WHERE f.origin = 'cell'{mfilter} AND EXISTS (SELECT 1 FROM (SELECT dataset, "
            f"source, measure, p_key, ck FROM derived UNION ALL SELECT dataset, source, measure, p_key, ck FROM "
            f"derived_incomplete) d WHERE d.dataset = f.dataset AND d.source = f.source AND d.measure = f.measure "
            f"AND d.p_key = f.p_key AND {same}) ORDER BY f.fid", mparams)
        for (fid,) in rows:
            whole = store.figure(fid)
            self.tally(whole.dataset, None, f"{source_label(whole)}: the total at line {whole.line} ({whole.column}) "
                                            f"is left blank")

    @staticmethod
    def _item(store, whole) -> str:
        return f"{source_label(whole)}: {measure_text(store, whole.measure)} ({where(store, whole)})"

    def _values(self, store, whole, n_parts) -> dict:
        return {"whole": f"{measure_text(store, whole.measure)} ({where(store, whole)})",
                "measure": measure_text(store, whole.measure), "at": where(store, whole),
                "source": source_label(whole), "parts": n_parts}

    def _beside_parts(self, store: FigureStore, select: str, parts: tuple, wholes: tuple, having: str):
        """For each closed dimension: (dimension, its spec, rows of each whole printed at the
        dimension's whole beside fewer than all of its parts in its source, `select`ed over those
        parts). `{c}` in `select` and `having` stands for the dimension's column; `parts` and
        `wholes` are the origins of the parts and of the wholes."""
        # over the figures' codes where the store has them: joins on integers, not on every text
        table, code = ("figures_codes", store.code) if store.coded else ("figures", str)
        mfilter, mparams = "", []
        if self.p.measures:
            mfilter, mparams = " AND list_contains(?, f.measure)", [[code(m) for m in self.p.measures]]
        for d, dim in store.vocab.dimensions.items():
            if not dim.closed:
                continue
            c = col(d)
            others = " AND ".join([f"c.{col(x)} = f.{col(x)}" for x in store.dims if x != d] or ["true"])
            rows = store.rows(
                f"SELECT f.fid, {select.format(c=c)} FROM {table} f JOIN {table} c "
                f"ON c.dataset = f.dataset AND c.source = f.source AND c.measure = f.measure AND c.p_key = f.p_key "
                f"AND {others} AND list_contains(?, c.origin) AND list_contains(?, c.{c}) "
                f"WHERE list_contains(?, f.origin) AND f.additive AND f.{c} = ?{mfilter} GROUP BY f.fid "
                f"HAVING count(DISTINCT c.{c}) < ?{having.format(c=c)} ORDER BY f.fid",
                [[code(o) for o in parts], [code(m) for m in dim.parts], [code(o) for o in wholes], code(dim.all),
                 *mparams, len(dim.parts)])
            if store.coded and "list(DISTINCT" in select:  # the members present, read back as text
                rows = [(fid, [store.text_of[m] for m in present]) for fid, present in rows]
            yield d, dim, rows

    def _missing(self, store: FigureStore) -> None:
        figs = store.figures
        for d, dim, rows in self._beside_parts(
                store, "list(DISTINCT c.{c} ORDER BY c.{c})", ("cell",), ("total",), ""):
            for fid, present in rows:
                whole = figs[fid]
                missing = [p for p in dim.parts if p not in present]
                self.tally(whole.dataset, False, relation=lambda: Relation.not_linear(
                    f"its table prints no {d} {', '.join(missing)} (a part missing, not a figure wrong)", [whole],
                    subject=self._item(store, whole)))
                values = self._values(store, whole, len(present))
                values.update(observed=shown(store, whole.value, whole.unit, decimals_of(whole)), expected="?",
                              difference="?", missing=", ".join(missing))
                self.report(whole.dataset, values, [location(store, whole, "total")],
                            subject=f"missing:{d}:{whole.measure}@{coords_key(store, whole)}",
                            message=f"{source_label(whole)}: the total of {measure_text(store, whole.measure)} "
                                    f"({where(store, whole)}) is printed as {values['observed']}, but the table "
                                    f"prints no {d} {values['missing']} among its parts")

    def _exceeding(self, store: FigureStore) -> None:
        """A whole that its source prints beside some of a closed dimension's parts, not all: the
        parts it leaves out are unknown, so no sum is checked (see `derived`), but the parts given
        cannot add up to more than the whole (an additive quantity is never negative). With
        `text_breakdowns`, the same rows give the text's breakdowns (`_short`)."""
        figs = store.figures
        for d, dim, rows in self._beside_parts(
                store, "sum(c.lo), sum(c.hi), list(c.fid ORDER BY c.fid)", ("cell", "text"),
                ("total", "cell", "text"), " AND count(DISTINCT c.{c}) = count(*)"):
            for fid, lo, hi, fids in rows:
                whole = figs[fid]
                if store.vocab.quantity_of(whole.measure).signed:
                    continue  # figures that may be negative: some of the parts bound nothing
                if self.p.text_breakdowns and whole.origin == "text" and len(fids) >= 2:
                    self._short(store, d, dim, whole, lo, hi, fids)  # the parts are the text's: same source
                self._whole_at_least(store, d, whole, [figs[i] for i in fids], lo, hi)

    def _whole_at_least(self, store: FigureStore, d: str, whole, parts: list, lo: float, hi: float,
                        named: str | None = None) -> None:
        """Tally, and report when it fails, that `whole` is not less than its `parts` by `d`, which
        add up to [lo, hi] and are not all of its parts (or not all of its period); `named` says
        which parts they are (default: their members)."""
        ok = lo <= whole.hi
        self.tally(whole.dataset, ok, relation=lambda: at_least(
            [whole], parts, f"{self._item(store, whole)} >= {len(parts)} of its parts by {d}"))
        if ok:
            return
        named = named or ", ".join(str(p.coords[d]) for p in parts)
        self._against_parts(store, d, whole, parts, lo, hi, ">=", "exceeding", lambda values: (
            f"its part {d} {named} alone is {values['expected']}" if len(parts) == 1 else
            f"{len(parts)} of its parts by {d} ({named}) already add up to {values['expected']}"))

    def _against_parts(self, store: FigureStore, d: str, whole, parts: list, lo: float, hi: float, relation: str,
                       subject: str, says, **extra) -> None:
        """Report `whole` against some of its parts by `d`, which add up to [lo, hi]: the values
        shown, the places, and a message whose end `says(values)` writes."""
        unit, dec = whole.unit, decimals_of(whole)
        exp = (lo + hi) / 2
        values = self._values(store, whole, len(parts))
        values.update(observed=shown(store, whole.value, unit, dec), expected=shown(store, exp, unit, dec),
                      difference=shown(store, whole.value - exp, unit, dec), **extra)
        self.report(whole.dataset, values,
                    [location(store, whole, "total")] + [location(store, p, "part") for p in parts],
                    subject=f"{subject}:{d}:{whole.measure}@{coords_key(store, whole)}",
                    observed=in_unit(store, whole.value, unit), expected=in_unit(store, exp, unit),
                    tolerance=in_unit(store, (whole.hi - whole.lo) / 2 + (hi - lo) / 2, unit),
                    unit=unit_shown(store, unit), relation=relation,
                    message=f"{source_label(whole)}: the whole of {measure_text(store, whole.measure)} "
                            f"({where(store, whole)}) is printed as {values['observed']}, but " + says(values))

    def _exceeding_sets(self, store: FigureStore) -> None:
        """As `_exceeding`, for the text's parts of which one or more names a set of a closed
        dimension's parts ("States Parties and signatories"): parts that share no member cannot
        add up to more than their whole. (Parts of single members alone are `_exceeding`'s.)"""
        from ..load import MemberSet

        vocab = store.vocab
        texts = [f for f in store.figures if f.origin == "text" and vocab.quantity_of(f.measure).additive
                 and not vocab.quantity_of(f.measure).signed
                 and (not self.p.measures or f.measure in self.p.measures)]
        for d, dim in vocab.dimensions.items():
            if not dim.closed or not any(isinstance(f.coords[d], MemberSet) for f in texts):
                continue  # no part of the text names a set of this dimension's parts
            others = [x for x in store.dims if x != d]
            wholes: dict[tuple, list] = {}
            parts: dict[tuple, list] = {}
            for f in texts:
                m = f.coords[d]
                members = m.members if isinstance(m, MemberSet) else (m,)
                if any(isinstance(f.coords[x], MemberSet) for x in others):
                    continue
                key = (f.dataset, f.source, f.measure, f.period.key(), tuple(f.coords[x] for x in others))
                if m == dim.all:
                    wholes.setdefault(key, []).append(f)
                elif set(members) <= set(dim.parts):
                    parts.setdefault(key, []).append(f)
            for key, given in parts.items():
                if key not in wholes or not any(isinstance(p.coords[d], MemberSet) for p in given):
                    continue
                named = [set(p.coords[d].members if isinstance(p.coords[d], MemberSet) else (p.coords[d],))
                         for p in given]
                if sum(len(n) for n in named) != len(set().union(*named)):
                    continue  # parts that overlap: their sum says nothing of the whole
                lo, hi = sum(p.lo for p in given), sum(p.hi for p in given)
                for whole in wholes[key]:
                    self._whole_at_least(store, d, whole, given, lo, hi)

    def _within_periods(self, store: FigureStore) -> None:
        """A flow's whole and its parts by a closed dimension printed for periods inside the
        whole's (a survey's areas of 2006-2007 and those found in 2007-2013, in a combined figure
        of 2006-2013): the parts are disjoint by the dimension and a flow of a quantity that is
        never negative only grows with its period, so each part is at most the whole's share of its
        member, and parts of different members add up to at most the whole, however their periods
        overlap. Each member is read from the figure that bounds it most: the largest the whole's
        own edition prints, or where it prints none, the largest of another edition of the run.
        One part at least is the whole's own edition's: a whole of one edition against another's
        parts alone, or a part its own edition prints against another's value of it, would be a
        revision, which `agreement` compares like with like. One part at least is printed for a
        shorter period than the whole: parts of its own period alone are `derived`'s sums (which
        `agreement` compares across sources) and `_exceeding`'s bounds, and are not read again."""
        from ..load import MemberSet

        vocab = store.vocab
        flows = {m for m, spec in vocab.measures.items() if spec.type == "flow" and vocab.quantity_of(m).additive
                 and not vocab.quantity_of(m).signed and (not self.p.measures or m in self.p.measures)}
        figs = [f for f in store.figures if f.measure in flows and f.origin in ("cell", "total", "text")
                and not f.period.instant and not any(isinstance(m, MemberSet) for m in f.coords.values())]
        for d, dim in vocab.dimensions.items():
            if not dim.closed:
                continue
            members = set(dim.parts)
            others = [x for x in store.dims if x != d]
            parts: dict[tuple, dict[str, list]] = {}
            for f in figs:
                if f.coords[d] in members and f.lo > -INF:  # a part "less than" some value bounds nothing
                    parts.setdefault((f.measure, tuple(f.coords[x] for x in others)), {}).setdefault(
                        f.coords[d], []).append(f)
            if not parts:
                continue
            measured = {key[0] for key in parts}
            for whole in figs:
                if whole.coords[d] != dim.all or whole.hi == INF or whole.measure not in measured:
                    continue
                by_member = parts.get((whole.measure, tuple(whole.coords[x] for x in others)))
                if not by_member:
                    continue
                chosen = []
                for m in dim.parts:  # the member's part that bounds the whole most, inside its period
                    inside = [p for p in by_member.get(m, ()) if whole.period.contains(p.period)]
                    own = [p for p in inside if p.dataset == whole.dataset]
                    if inside:  # another edition's only for a member its own does not print
                        chosen.append(max(own or inside, key=lambda p: p.lo))
                if not any(p.dataset == whole.dataset for p in chosen):
                    continue
                if all(p.period == whole.period for p in chosen):
                    continue  # parts of its own period: derived's sum, agreement's, or _exceeding's bound
                beside = [p for p in chosen if p.dataset == whole.dataset and p.source == whole.source
                          and p.period == whole.period]
                if beside and sum(p.lo for p in beside) > whole.hi:
                    continue  # the parts printed beside it already exceed it: reported once, there
                named = ", ".join(f"{p.coords[d]} {p.period.label}"
                                  + (f" ({p.edition})" if p.dataset != whole.dataset else "") for p in chosen)
                self._whole_at_least(store, d, whole, chosen, sum(p.lo for p in chosen),
                                     sum(p.hi for p in chosen), named)

    def _short(self, store: FigureStore, d: str, dim, whole, lo: float, hi: float, fids: list[int]) -> None:
        """A whole the text gives with two or more (not all) of its parts by a closed dimension `d`:
        the parts it names are its breakdown, and cannot add up to less than the whole."""
        figs = store.figures
        ok = hi >= whole.lo
        parts = [figs[i] for i in fids]
        self.tally(whole.dataset, ok, relation=lambda: at_least(
            parts, [whole], f"{self._item(store, whole)} <= its {len(parts)} parts by {d} the text gives"))
        if ok:
            return
        given = [str(p.coords[d]) for p in parts]
        missing = ", ".join(m for m in dim.parts if m not in given)
        self._against_parts(store, d, whole, parts, lo, hi, "<=", "short", lambda values: (
            f"its parts by {d} ({', '.join(given)}) add up to {values['expected']}, and it gives no {d} {missing}"),
            missing=missing)

    def _duplicates(self, store: FigureStore) -> None:
        figs = store.figures
        keys = ", ".join(["dataset", "source", "measure", "p_key", *(col(x) for x in store.dims)])
        mfilter, mparams = self._measure_filter("figures")
        rows = store.rows(f"SELECT list(fid ORDER BY fid) FROM figures WHERE origin = 'cell' AND source <> 'text'"
                          f"{mfilter} GROUP BY {keys} HAVING count(*) > 1 ORDER BY min(fid)", mparams)
        for (fids,) in rows:
            first = figs[fids[0]]
            self.tally(first.dataset, False, relation=lambda: Relation.not_linear(
                "a part printed twice (which one counts is not a figure's value)", [figs[i] for i in fids],
                subject=self._item(store, first)))
            rows_text = ", ".join(f"line {figs[i].line}" for i in fids)
            self.report(first.dataset, self._values(store, first, len(fids)),
                        [location(store, figs[i], "duplicate") for i in fids],
                        subject=f"duplicate:{first.measure}@{coords_key(store, first)}",
                        message=f"{source_label(first)}: {measure_text(store, first.measure)} "
                                f"({where(store, first)}) is printed {len(fids)} times ({rows_text}); "
                                f"a part counted twice cannot add up")
