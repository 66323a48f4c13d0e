"""balance: a stock at the end of an interval is the stock at its start, less what flowed out,
plus what flowed in.

For every two stock figures S0 (at instant t0) and S1 (at a later instant t1) at the same
coordinates, printed in one dataset or in two (editions of one report: the coordinates that tell
their subject apart are the same), and flows known for the interval from the day after t0 to t1, S1 must be able to meet

    S0 - sum(outflows) + sum(inflows)

by interval arithmetic: every figure stands for the interval of its printed precision, so the
expected closing stock runs from S0.lo - sum(out.hi) + sum(in.lo) to S0.hi - sum(out.lo) +
sum(in.hi); `tolerance` (a share, default 0) widens it by that share of its value. Only
consecutive pairs are checked: each stock instant with the next one for which the flows are
known, not every pair.

A stock or a flow is a printed figure (a table cell, a printed total, a figure of the text) or a
sum of printed parts (the rows of a table); where several stand for one, a table cell is
preferred, then a printed total, then a sum of parts, then the text. The flows of an interval
are figures whose periods tile it exactly (2016, 2017 and 2018 for end 2015 to end 2018; a
figure of 2016-2018 does as well), in any dataset of the run, that dataset of S1 preferred.

Which flows count: the flows are taken at the stock's coordinates, except on the dimensions
`flows_at` fixes (a breakdown only the flows have). Where a flow is not broken down by a dimension
(it is printed only at that dimension's whole, `all`, when the stock is at a member), the whole
stands in for the part with what it proves: the part lies between 0 and the whole, so it is
taken as the interval from 0 to the whole's upper end (flows are taken to be non-negative); but
where the rule says, under `flows_belong_to`, which member a flow printed at the whole belongs to
in full (clearance is of confirmed areas), the stock at that member takes all of it.

A flow measure that no figure gives for the interval makes the pair undecided, and the outcome
names the measure and the period, unless the rule lists it under `optional`: an optional flow
counts as 0 over the days no figure of it covers; an outflow under `partly_known`, printed for
part of the interval only, counts as at least what is printed (so the closing stock can only be
shown too high). Along a closed dimension the rule lists under
`partial` (land released by method: cancelled, reduced, cleared), a flow no figure gives at the
whole is the sum of its parts; the parts listed there count as 0 where no figure gives them (a
report that gives clearance alone released nothing by survey, as far as it says).

A whole and its part (`parts_bound_wholes`, on by default): where an edition prints a part (the
confirmed area) and a later one the whole it lies in (the area of every status), no balance pairs
them, but the whole holds what remains of the part, so S1 >= P0 - outflows + inflows, one-sided.
A part lies inside a whole by declaration only: a closed dimension's part inside its whole, and
members a figure names together (place: [all, border strip]) inside their set; an open
dimension's member is not taken to lie inside its whole (a country's tables may leave a strip out).
"""
from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from ...errors import Problem
from ...expr.agreement import can_meet
from ...kinds.base import param
from ..linear import Bound, Relation
from ..load import MemberSet
from ..model import INF
from ..periods import covers, parse_period
from ..store import FigureStore
from .base import (FigureKind, Value, check_at, check_type, coords_key, decimals_of, fixed_coords, in_unit, matches,
                   measure_text, named, place_of, shown, unit_shown, unknown_measures, value_locations, values_of)

ONE_DAY = datetime.timedelta(days=1)
MAX_TILES = 10000  # search steps for a tiling of one interval


@dataclass
class Flow:
    measure: str
    pieces: list[Value]  # the figures that tile the interval (or part of it, for an optional flow)
    lo: float
    hi: float
    value: float
    at_least: bool = False  # known for part of the interval only: at least this much
    stand_in: tuple[bool, ...] = ()  # per piece: a whole standing in for the part, between 0 and the whole


class Balance(FigureKind):
    """The closing stock equals the opening stock less the outflows plus the inflows of the
    interval between them, within printed precision (interval arithmetic)."""

    name = "balance"
    needs = "the stock at two dates and what flowed out and in between them"
    placeholders = ("stock", "start", "end", "opening", "closing", "expected", "difference", "outflow", "inflow",
                    "at")

    @dataclass(frozen=True)
    class Params:
        stock: str = param("the stock measure (type stock)")
        outflows: list[str] = param("flow measures that take from the stock", [])
        inflows: list[str] = param("flow measures that add to the stock", [])
        optional: list[str] = param("flows that count as 0 where no figure gives them", [])
        at: dict = param("fixed coordinates of the stocks: {dimension: member}", {})
        flows_at: dict = param("fixed coordinates of the flows, where they differ from the stock's", {})
        flows_belong_to: dict = param("where a flow is printed only at a dimension's whole, the member it all "
                                      "belongs to: {dimension: member} (land is cleared from confirmed areas)", {})
        partly_known: list[str] = param("outflows that, printed for part of the interval only, count as at least "
                                        "what is printed (the closing stock can then only be shown too high)", [])
        partial: dict = param("closed dimensions along which a flow no figure gives at its whole is the sum of its "
                              "parts: {dimension: [parts that count 0 where no figure gives them]}", {})
        tolerance: float = param("a relative allowance on the expected closing stock (0: printed precision only)",
                                 0.0)
        parts_bound_wholes: bool = param("a closing stock at a whole (a closed dimension's all, or members "
                                         "named together) is at least an opening part of it less what flowed "
                                         "out of the part (one-sided; the rule's message is replaced)", True)

    def check(self, vocab):
        p, f, ln = self.p, self.rule.file, self.rule.line
        out = unknown_measures(vocab, [p.stock], f, ln, "stock")
        out += unknown_measures(vocab, p.outflows, f, ln, "outflows")
        out += unknown_measures(vocab, p.inflows, f, ln, "inflows")
        out += check_type(vocab, p.stock, "stock", f, ln, "stock")
        for key, names in (("outflows", p.outflows), ("inflows", p.inflows)):
            for m in names:
                out += check_type(vocab, m, "flow", f, ln, key)
        for m in p.partly_known:
            if m not in p.outflows:
                out.append(Problem(f, f"partly_known names '{m}', which is not an outflow", ln, field="partly_known"))
        for m in p.optional:
            if m not in p.outflows and m not in p.inflows:
                out.append(Problem(f, f"optional names '{m}', which is neither an outflow nor an inflow", ln,
                                   field="optional"))
        if not p.outflows and not p.inflows:
            out.append(Problem(f, "a balance needs at least one outflow or inflow", ln, field="outflows"))
        out += check_at(vocab, p.at, f, ln, "at") + check_at(vocab, p.flows_at, f, ln, "flows_at")
        out += check_at(vocab, p.flows_belong_to, f, ln, "flows_belong_to")
        for d, parts in (p.partial or {}).items():
            dim = vocab.dimensions.get(str(d))
            if dim is None or not dim.closed:
                out.append(Problem(f, f"partial names '{d}', which is not a dimension with parts", ln, field="partial",
                                   hint="partial: {dimension: [parts that may be missing]}, for a dimension whose "
                                        "parts the vocabulary declares"))
                continue
            for part in parts if isinstance(parts, list) else [parts]:
                if dim.member(str(part)) not in dim.parts:
                    out.append(Problem(f, f"partial: '{part}' is not a part of {d} ({', '.join(dim.parts)})", ln,
                                       field="partial"))
        if p.tolerance < 0:
            out.append(Problem(f, "the tolerance is a share, at least 0", ln, field="tolerance"))
        return out

    def evaluate(self, store: FigureStore) -> None:
        p = self.p
        self._group_memo: dict = {}
        at = fixed_coords(store, p.at)
        flows_at = fixed_coords(store, p.flows_at)
        # each flow measure's values by their coordinates: a stock's flows are looked up, not searched
        flows: dict[str, dict[tuple, list]] = {}
        for m in [*p.outflows, *p.inflows]:
            index = flows.setdefault(m, {})
            for v in values_of(store, m):
                if not v.period.instant:
                    index.setdefault(tuple(v.coords[d] for d in store.dims), []).append(v)
        # the stock series: one value per coordinates and instant (the best printed, else a sum)
        series: dict[tuple, dict] = {}
        for v in values_of(store, p.stock):
            if not v.period.instant or not matches(v.coords, at):
                continue
            key = tuple(v.coords[d] for d in store.dims)
            best = series.setdefault(key, {})
            cur = best.get(v.period.end)
            if cur is None or v.rank < cur.rank:
                best[v.period.end] = v
        for key in sorted(series):
            instants = sorted(series[key])
            for i, t0 in enumerate(instants):
                s0 = series[key][t0]
                first_missing = None
                for t1 in instants[i + 1:]:
                    s1 = series[key][t1]
                    known, missing = self._flows(store, s0, s1, flows, flows_at)
                    if missing is None:
                        self._check(store, s0, s1, known)
                        break
                    first_missing = first_missing or (s1, missing)
                else:
                    if first_missing:
                        s1, why = first_missing
                        self.tally(s1.dataset, None, f"{named(store, p.stock, s1.coords)} "
                                                     f"from {s0.period.label} to {s1.period.label}: {why}")
        if p.parts_bound_wholes:
            self._parts_to_wholes(store, series, flows, flows_at)

    def _parts_to_wholes(self, store, series: dict, flows: dict, flows_at: dict) -> None:
        """A whole stock S1 and a part of it printed earlier, P0: the part at the closing instant is
        P0 less what flowed out of it plus what flowed in, and the whole holds that part, so S1 is
        at least P0 - outflows + inflows (the whole's other members are not negative). One-sided;
        each part at its latest instant before S1 whose flows are known. Left to the other checks:
        a whole printed before S1 too (its own balance pairs it) and a part printed at S1's instant
        too (its own balance, and the whole's parts). Of the pairs left, one item per closing whole
        and per opening part, the tightest bound, so that one shortfall is one finding. A part is
        inside a whole by declaration only (`_inside`): a place a table prints need not lie inside
        the whole its editions print (a country's figures may leave out a border strip)."""
        dims = store.dims
        # what a member may lie inside: its closed dimension's whole and the sets the stocks name
        # (few); a part names few members below a whole, so the wholes are looked up from the parts
        sets = [sorted({k[i] for k in series if isinstance(k[i], MemberSet)}) for i in range(len(dims))]
        above: dict = {}  # (dimension, member) -> the member and what it lies inside
        pairs = []
        for pkey in series:
            choices = []
            for i, (d, m) in enumerate(zip(dims, pkey)):
                if (d, m) not in above:
                    dim = store.vocab.dimensions[d]
                    above[d, m] = [m, *(w for w in ([dim.all] if dim.closed else []) + sets[i]
                                        if _inside(store, d, m, w))]
                choices.append(above[d, m])
            pairs.extend((wkey, pkey) for wkey in itertools.product(*choices) if wkey != pkey and wkey in series)
        candidates = []
        for wkey, pkey in sorted(pairs):
            whole, part = series[wkey], series[pkey]
            for t1 in sorted(whole):
                # the part's own balance decides where it is printed at the closing too, and the
                # whole's own balance where the whole is printed before (each pair reported once)
                if t1 in part or any(t < t1 for t in whole):
                    continue
                for t0 in sorted((t for t in part if t < t1), reverse=True):  # the latest with its flows known
                    known, missing = self._flows(store, part[t0], whole[t1], flows, flows_at)
                    if missing is None:
                        least, allowance = self._least(part[t0], known)
                        if least > -INF:  # an outflow known only in part bounds nothing: not an item
                            candidates.append((whole[t1].hi - least + allowance, wkey, t1, pkey, t0, known))
                        break
        # one item per closing whole and per opening part: the tightest bound of each
        wholes_done, parts_done = set(), set()
        for _margin, wkey, t1, pkey, t0, known in sorted(candidates, key=lambda c: c[:5]):
            if (wkey, t1) in wholes_done or (pkey, t0, t1) in parts_done:
                continue
            wholes_done.add((wkey, t1))
            parts_done.add((pkey, t0, t1))
            self._check_part(store, series[pkey][t0], series[wkey][t1], known)

    def _least(self, p0: Value, known: list[Flow]) -> tuple[float, float]:
        """The least the part can hold at the closing (P0.lo - outflows.hi + inflows.lo), and the
        tolerance's allowance on it."""
        least = p0.lo - sum(f.hi for f in known if f.measure in self.p.outflows) \
            + sum(f.lo for f in known if f.measure in self.p.inflows)
        expected = p0.value - sum(f.value for f in known if f.measure in self.p.outflows) \
            + sum(f.value for f in known if f.measure in self.p.inflows)
        return least, (self.p.tolerance * abs(expected) if expected not in (INF, -INF) else 0.0)

    def _check_part(self, store, p0: Value, s1: Value, known: list[Flow]) -> None:
        out = [f for f in known if f.measure in self.p.outflows]
        inn = [f for f in known if f.measure in self.p.inflows]
        least, allowance = self._least(p0, known)
        ok = s1.hi >= least - allowance
        self.tally(s1.dataset, ok, relation=lambda: self._at_least_part(store, p0, s1, out, inn, allowance))
        if ok:
            return
        unit, dec = _unit_and_decimals(store, p0, s1)
        least_shown = shown(store, least, unit, dec)
        values = {"stock": named(store, self.p.stock, s1.coords), "at": place_of(store, s1.coords),
                  "start": p0.period.label, "end": s1.period.label, "opening": shown(store, p0.value, unit, dec),
                  "closing": shown(store, s1.value, unit, dec), "expected": least_shown,
                  "difference": shown(store, s1.value - least, unit, dec),
                  "outflow": shown(store, sum(f.hi for f in out), unit, dec),
                  "inflow": shown(store, sum(f.lo for f in inn), unit, dec)}
        locs = _locations(store, p0, s1, out, inn)
        self.report(s1.dataset, values, locs, relation=">=",
                    subject=f"balance-part:{self.p.stock}@{coords_key(store, p0.coords)}:{p0.period.key()}:"
                            f"{coords_key(store, s1.coords)}:{s1.period.key()}",
                    observed=in_unit(store, s1.value, unit), expected=in_unit(store, least, unit),
                    tolerance=in_unit(store, (s1.hi - s1.lo) / 2 + allowance, unit), unit=unit_shown(store, unit),
                    decimals=dec or None,
                    message=f"{values['stock']} is {values['closing']} ({values['end']}), less than what remains of "
                            f"its part {named(store, self.p.stock, p0.coords)}: {values['opening']} "
                            f"({values['start']}, at least {shown(store, p0.lo, unit, dec)} at its printed "
                            f"precision), less at most {values['outflow']} that flowed out of it since"
                            + (f" and plus at least {values['inflow']} that flowed in" if inn else "")
                            + f", leaves at least {least_shown}")

    def _at_least_part(self, store, p0: Value, s1: Value, out: list[Flow], inn: list[Flow], allowance: float):
        """S1 - P0 + outflows - inflows >= -allowance: the first bound of the balance of P0 to S1."""
        full = self._relation(store, p0, s1, out, inn, allowance)
        if not full.linear:
            return full
        return Relation(full.bounds[:1], subject=f"{named(store, self.p.stock, s1.coords)} ({s1.period.label}) at "
                                                 f"least its part {named(store, self.p.stock, p0.coords)} "
                                                 f"({p0.period.label}) less its outflows")

    # -- the flows of an interval -------------------------------------------------------------------
    def _flows(self, store, s0: Value, s1: Value, flows: dict, flows_at: dict) -> tuple[list[Flow], str | None]:
        start, end = s0.period.end + ONE_DAY, s1.period.end
        whole = parse_period({"start": start, "end": end})
        want = dict(s0.coords)
        want.update(flows_at)
        out: list[Flow] = []
        for m, index in flows.items():
            pieces, best = self._pieces(store, index, want, start, end, s1, m in self.p.optional)
            if pieces is None:
                pieces = self._from_parts(store, index, want, start, end, s1)
            if pieces is None and best and m in self.p.partly_known and m in self.p.outflows:
                pieces = self._greedy(best)  # at least these: what the rest of the interval took is unknown
                lo = sum(min(0.0, v.lo) if part else v.lo for v, part in pieces)
                out.append(Flow(m, [v for v, _ in pieces], lo, INF, sum(v.value for v, _ in pieces), at_least=True,
                                stand_in=tuple(part for _, part in pieces)))
                continue
            if pieces is None:
                return out, (f"no figure of {named(store, m, want)} for {whole.label}"
                             + (f" (only for {', '.join(sorted(best[k][1].period.label for k in best))})"
                                if best else ""))
            lo = sum(min(0.0, v.lo) if part else v.lo for v, part in pieces)
            hi = sum(v.hi for v, _ in pieces)
            out.append(Flow(m, [v for v, _ in pieces], lo, hi, sum(v.value for v, _ in pieces),
                            stand_in=tuple(part for _, part in pieces)))
        return out, None

    def _pieces(self, store, index: dict, want: dict, start, end, s1: Value, optional: bool) -> tuple:
        """The figures of one flow at `want` that tile start..end (None if they do not), and the
        candidates met (for the message). A flow is at the stock's coordinates, or coarser (at the
        whole) on some dimensions."""
        wholes = [store.vocab.dimensions[d].all for d in store.dims]
        belongs = fixed_coords(store, self.p.flows_belong_to)
        patterns = list(itertools.product(*[{want[d], wholes[i]} for i, d in enumerate(store.dims)]))
        best: dict[tuple, tuple] = {}
        for v in (v for pattern in patterns for v in index.get(pattern, ())):
            if v.period.start < start or v.period.end > end:
                continue
            coarser = 0
            for d in store.dims:
                if v.coords[d] == want[d]:
                    continue
                if v.coords[d] == store.vocab.dimensions[d].all:
                    if belongs.get(d) != want[d]:
                        coarser += 1  # the whole stands in for the part: between 0 and the whole
                    continue
                break
            else:
                score = (coarser, v.dataset != s1.dataset, v.rank)
                k = (v.period.start, v.period.end)
                if k not in best or score < best[k][0]:
                    best[k] = (score, v, coarser > 0)
        pieces = self._tile(start, end, best)
        if pieces is None and optional:
            pieces = self._greedy(best)
        return pieces, best

    def _from_parts(self, store, index: dict, want: dict, start, end, s1: Value, done: frozenset = frozenset()
                    ) -> list | None:
        """A flow no figure gives at its whole along a dimension of `partial`, as the sum of its
        parts there (each part in turn given, or made of its parts along the other dimensions of
        `partial`): each part must be given, but for those `partial` lists, which count 0 where no
        figure gives them. None if some other part is missing too, or none is given."""
        for d, may_miss in self.p.partial.items():
            dim = store.vocab.dimensions[d]
            if d in done or want.get(d) != dim.all:
                continue
            may_miss = {dim.member(str(x)) for x in (may_miss if isinstance(may_miss, list) else [may_miss])}
            # a figure of several parts together ("released by clearance and technical survey")
            # stands for them: tried first, the largest first, then each part on its own
            for group in [*self._groups(store, index, d), None]:
                covered: list = []
                if group is not None:
                    covered, _best = self._pieces(store, index, {**want, d: group}, start, end, s1, False)
                    if covered is None:
                        continue
                found = self._parts(store, index, want, start, end, s1, done, d, may_miss,
                                    [p for p in dim.parts if group is None or p not in group.members])
                if found is not None and (found[1] or covered):
                    return covered + found[0]
        return None

    def _groups(self, store, index: dict, d: str) -> list:
        """The figures' members of `d` that are several of its parts together, the largest first
        (worked out once per flow measure and dimension: every interval of every stock asks)."""
        memo = self._group_memo  # reset by each evaluate: the indexes live as long as it does
        key = (id(index), d)
        if key not in memo:
            i, parts = store.dims.index(d), set(store.vocab.dimensions[d].parts)
            memo[key] = sorted({k[i] for k in index if isinstance(k[i], MemberSet) and set(k[i].members) <= parts},
                               key=lambda g: (-len(g.members), g))
        return memo[key]

    def _parts(self, store, index: dict, want: dict, start, end, s1: Value, done: frozenset, d: str,
               may_miss: set, parts: list[str]) -> tuple[list, bool] | None:
        """The pieces of `parts` of `d`, each given or made of its parts along another dimension of
        `partial` (those in `may_miss` count 0 where no figure gives them), and whether any is
        given; None if one is missing."""
        pieces, given = [], False
        for part in parts:
            at_part = {**want, d: part}
            found, _best = self._pieces(store, index, at_part, start, end, s1, False)
            if found is None:
                found = self._from_parts(store, index, at_part, start, end, s1, done | {d})
            if found is None and part in may_miss:
                found, _best = self._pieces(store, index, at_part, start, end, s1, True)
            if found is None:
                return None
            pieces.extend(found)
            given = given or bool(found)
        return pieces, given

    @staticmethod
    def _tile(start, end, best: dict) -> list | None:
        """Figures whose periods tile start..end exactly (the longest pieces tried first)."""
        by_start: dict = {}
        for (s, e), (_score, v, part) in best.items():
            by_start.setdefault(s, []).append((e, v, part))
        for s in by_start:
            by_start[s].sort(key=lambda x: x[0], reverse=True)
        steps = [0]

        def walk(day) -> list | None:
            if day == end + ONE_DAY:
                return []
            for e, v, part in by_start.get(day, []):
                steps[0] += 1
                if steps[0] > MAX_TILES:
                    return None
                rest = walk(e + ONE_DAY)
                if rest is not None:
                    return [(v, part), *rest]
            return None

        found = walk(start)
        if found is not None:
            assert covers(parse_period({"start": start, "end": end}), [v.period for v, _ in found])
        return found

    @staticmethod
    def _greedy(best: dict) -> list:
        """For an optional flow: the figures that do not overlap, earliest first (the rest counts 0)."""
        out, last = [], None
        for (s, e), (_score, v, part) in sorted(best.items()):
            if last is None or s > last:
                out.append((v, part))
                last = e
        return out

    # -- one pair -----------------------------------------------------------------------------------
    def _relation(self, store, s0: Value, s1: Value, out: list[Flow], inn: list[Flow], allowance: float) -> Relation:
        """S1 - S0 + outflows - inflows can meet [-allowance, allowance] (the allowance a share of
        the expected stock at the printed figures, held constant), as two bounds: the greatest value
        reaches -allowance, the least allowance. A whole standing in for a part (between 0 and the
        whole) counts on the side where it reaches the whole, and as 0 on the other."""
        subject = f"{named(store, self.p.stock, s0.coords)} from {s0.period.label} to {s1.period.label}"
        stocks = [(fig, 1.0) for fig in s1.figs] + [(fig, -1.0) for fig in s0.figs]
        above, below, open_above = list(stocks), list(stocks), False
        for sign, flows in ((1.0, out), (-1.0, inn)):
            for f in flows:
                open_above = open_above or f.at_least
                for v, part in zip(f.pieces, f.stand_in or (False,) * len(f.pieces)):
                    if part and v.lo < 0:
                        return Relation.not_linear(f"{measure_text(store, f.measure)} may be negative",
                                                   [fig for fig, _ in stocks], subject=subject)
                    terms = [(fig, sign) for fig in v.figs]
                    # a stand-in reaches its whole where the sum is greatest for an outflow, least for an inflow
                    if sign > 0 or not part:
                        above.extend(terms)
                    if sign < 0 or not part:
                        below.extend(terms)
        return Relation((Bound(tuple(above), -allowance, INF, add=(0.0, INF if open_above else 0.0)),
                         Bound(tuple(below), -INF, allowance)), subject=subject)

    def _check(self, store, s0: Value, s1: Value, known: list[Flow]) -> None:
        out = [f for f in known if f.measure in self.p.outflows]
        inn = [f for f in known if f.measure in self.p.inflows]
        lo = s0.lo - sum(f.hi for f in out) + sum(f.lo for f in inn)
        hi = s0.hi - sum(f.lo for f in out) + sum(f.hi for f in inn)
        expected = s0.value - sum(f.value for f in out) + sum(f.value for f in inn)
        allowance = self.p.tolerance * abs(expected) if expected not in (INF, -INF) else 0.0
        ok = can_meet(s1.lo, s1.hi, lo - allowance, hi + allowance)
        self.tally(s1.dataset, ok, relation=lambda: self._relation(store, s0, s1, out, inn, allowance))
        if ok:
            return
        unit, dec = _unit_and_decimals(store, s0, s1)
        values = {"stock": named(store, self.p.stock, s0.coords),
                  "at": place_of(store, s0.coords), "start": s0.period.label, "end": s1.period.label,
                  "opening": shown(store, s0.value, unit, dec), "closing": shown(store, s1.value, unit, dec),
                  "expected": shown(store, expected, unit, dec),
                  "difference": shown(store, s1.value - expected, unit, dec),
                  "outflow": ("at least " if any(f.at_least for f in out) else "")
                  + shown(store, sum(f.value for f in out), unit, dec),
                  "inflow": shown(store, sum(f.value for f in inn), unit, dec)}
        locs = _locations(store, s0, s1, out, inn)
        # one-sided where an outflow is known only in part: the allowance is then what lies above
        tol = ((hi - lo) / 2 if lo > -INF else hi - expected) + (s1.hi - s1.lo) / 2 + allowance
        self.report(s1.dataset, values, locs,
                    subject=f"balance:{self.p.stock}@{coords_key(store, s0.coords)}:{s0.period.key()}:{s1.period.key()}",
                    observed=in_unit(store, s1.value, unit), expected=in_unit(store, expected, unit),
                    tolerance=in_unit(store, tol, unit), unit=unit_shown(store, unit), decimals=dec or None)


def _inside(store, d: str, member: str, whole: str) -> bool:
    """Whether `member` of dimension `d` lies inside `whole` by declaration: a part of a closed
    dimension inside its whole (all), members named together (a MemberSet) inside their set, and
    so on down (a part of the whole a set names). An open dimension's members are not taken to
    lie inside its whole: what a report's whole leaves out is its own."""
    dim = store.vocab.dimensions[d]

    def spans(m: str) -> set:
        names = set(m.members) if isinstance(m, MemberSet) else {m}
        if dim.closed and dim.all in names:
            names |= set(dim.parts)
        return names

    inner = set(member.members) if isinstance(member, MemberSet) else {member}
    return member != whole and inner <= spans(whole)


def _unit_and_decimals(store, s0: Value, s1: Value) -> tuple:
    """The unit a pair of stocks is shown in, and the decimals (at least 2 for a unit that is not
    exact in whole numbers, 0 otherwise)."""
    unit = s0.unit() or s1.unit()
    u = store.vocab.unit(unit) if unit else None
    return unit, (max(2, decimals_of(s0.figs[0])) if u and not u.exact_whole else 0)


def _locations(store, s0: Value, s1: Value, out: list[Flow], inn: list[Flow]) -> list:
    """Where the two stocks and the flows between them were printed."""
    locs = value_locations(store, s0, "stock") + value_locations(store, s1, "stock")
    for role, group in (("outflow", out), ("inflow", inn)):
        for f in group:
            for v in f.pieces:
                locs.extend(value_locations(store, v, role, 10))
    return locs
