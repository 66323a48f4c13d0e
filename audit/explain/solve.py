"""The smallest corrections: a mixed-integer program per group of connected discrepancies.

Fellegi-Holt, across tables and narrative: find the set of figures of least total weight whose
correction makes every modelled rule item hold, changing only figures that a failing item reads.

For figures x_i with printed values x0_i, grid steps s_i (one unit of the last printed decimal) and
weights w_i, the program has an integer k_i (x_i = s_i k_i: a correction prints like the original)
and a binary z_i (the figure changes) per figure:

    minimise   sum w_i z_i
    subject to lo <= a . x + c <= hi        for every row of every item (tolerances included)
               |k_i - k0_i| <= M_i z_i      (a figure moves only if it is counted as changed)
               k_i keeps the sign of k0_i

Solved with SciPy's `milp` (HiGHS). Every set of equal weight is found by cutting off each set
found (sum of its z <= |set| - 1) and solving again, until the weight rises: that set is the next
best. Each set's values are then polished (the least relative change that works), checked against
every item exactly, and given the range each figure may take with the others of the set free.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .figures import SLACK, STRICT, Figure, Item

MAX_SETS = 20  # equal-weight sets listed per group before saying there are more


@dataclass
class Change:
    figure: Figure
    new: float  # base unit
    low: float | None  # the range the figure may take (with the other changes of its set free)
    high: float | None


@dataclass
class Correction:
    weight: float
    changes: list[Change]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(c.figure.id for c in self.changes)


@dataclass
class Group:
    targets: list[Item]
    items: list[Item]  # every item of the model: the targets and the items that hold and must keep holding
    free: list[str]
    fixed: dict[str, str] = field(default_factory=dict)  # figure -> why it may not change
    best: list[Correction] = field(default_factory=list)
    next_best: Correction | None = None
    more: bool = False  # more sets of the best weight exist than are listed
    problem: str | None = None  # why no correction exists

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(t.rule for t in self.targets))


class Model:
    """The program of one group."""

    def __init__(self, group: Group, figures: dict[str, Figure], weights: dict[str, float]):
        from ..extras import need

        need("scipy.optimize", "audit explain")
        np = need("numpy", "audit explain", "explain")
        self.np = np
        self.group, self.figures = group, figures
        self.free = [f for f in group.free if f not in group.fixed]
        self.index = {f: i for i, f in enumerate(self.free)}
        self.x0 = {k: f.value for k, f in figures.items()}
        self.w = np.array([weights[f] for f in self.free], dtype=float)
        self.step = np.array([figures[f].step for f in self.free], dtype=float)
        self.k0 = np.array([round(figures[f].value / figures[f].step) for f in self.free], dtype=float)
        magnitudes = [abs(figures[f].value) for it in group.items for f in it.figures if f in figures]
        for it in group.items:
            for r in it.rows:
                magnitudes += [abs(r.lo or 0.0), abs(r.hi or 0.0), abs(r.expr.const)]
        bound = 10.0 * max([1.0, *magnitudes])
        self.M = np.array([math.ceil(bound / s) + abs(k) for s, k in zip(self.step, self.k0)], dtype=float)
        self.rows = self._rows()
        self.cuts: list[frozenset[str]] = []

    def _rows(self):
        """Each row as (coefficients on k, lower, upper), scaled to unit size."""
        np = self.np
        out = []
        for item in self.group.items:
            for r in item.rows:
                a = np.zeros(len(self.free))
                c = r.expr.const
                for f, coef in r.expr.terms.items():
                    if f in self.index:
                        a[self.index[f]] += coef * self.step[self.index[f]]
                    else:
                        c += coef * self.x0[f]
                scale = r.scale(self.x0)
                room = (STRICT if r.strict else -SLACK) * scale
                lo = -np.inf if r.lo is None else r.lo - c + room
                hi = np.inf if r.hi is None else r.hi - c - room
                norm = np.abs(a).max() if a.any() else 1.0
                if not a.any():
                    if lo > 1e-12 or hi < -1e-12:
                        out.append((a, 1.0, 0.0))  # a row no figure of the group can repair: infeasible
                    continue
                if r.strict:  # at least 1e-4 of a grid step inside: above the solver's feasibility tolerance
                    lo, hi = lo + max(0.0, 1e-4 * norm - room), hi - max(0.0, 1e-4 * norm - room)
                out.append((a / norm, lo / norm, hi / norm))
        return out

    # -- programs ---------------------------------------------------------------------------------
    def _program(self, objective, coupling, k_bounds, y_bounds, y_integer: bool, cuts=()):
        """min objective . (k, y) over the rows, with |k_i - k0_i| <= coupling_i * y_i and a cut
        (sum of y over a set <= its size - 1) per set in `cuts`. Returns the solution or None."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        np = self.np
        n = len(self.free)
        A, lo, hi = [], [], []
        for a, l, h in self.rows:
            A.append(np.concatenate([a, np.zeros(n)]))
            lo.append(l)
            hi.append(h)
        for i in range(n):  # k_i - k0_i <= c_i y_i and k0_i - k_i <= c_i y_i
            for sign in (-1.0, 1.0):
                row = np.zeros(2 * n)
                row[i], row[n + i] = 1.0, sign * coupling[i]
                A.append(row)
                lo.append(-np.inf if sign < 0 else self.k0[i])
                hi.append(self.k0[i] if sign < 0 else np.inf)
        for cut in cuts:
            row = np.zeros(2 * n)
            for f in cut:
                row[n + self.index[f]] = 1.0
            A.append(row)
            lo.append(-np.inf)
            hi.append(len(cut) - 1)
        (klo, khi), (ylo, yhi) = k_bounds, y_bounds
        res = milp(c=np.asarray(objective, dtype=float), constraints=LinearConstraint(np.array(A), lo, hi),
                   integrality=np.concatenate([np.ones(n), np.full(n, 1.0 if y_integer else 0.0)]),
                   bounds=Bounds(np.concatenate([klo, ylo]), np.concatenate([khi, yhi])),
                   options={"time_limit": 30.0})
        if res.status != 0 or res.x is None:
            return None
        return res.x

    def _solve(self, objective):
        """Binary z_i says figure i changes (big-M coupling); every set found so far is cut off."""
        np = self.np
        n = len(self.free)
        k_bounds = (np.where(self.k0 >= 0, 0.0, -self.M), np.where(self.k0 >= 0, self.M, 0.0))
        return self._program(objective, self.M, k_bounds, (np.zeros(n), np.ones(n)), True, self.cuts)

    def best_support(self) -> tuple[frozenset[str], float] | None:
        np = self.np
        x = self._solve(np.concatenate([np.zeros(len(self.free)), self.w]))
        if x is None:
            return None
        n = len(self.free)
        k = np.round(x[:n])
        support = frozenset(f for f, i in self.index.items() if x[n + i] > 0.5 or k[i] != self.k0[i])
        return support, float(sum(self.w[self.index[f]] for f in support))

    def polish(self, support: frozenset[str]) -> Correction | None:
        """The least relative change within a support that makes every item hold; None if none does."""
        np = self.np
        n = len(self.free)
        if not support:
            return None
        rel = np.array([max(abs(k), 1.0) for k in self.k0])
        res = self._solve_u(np.concatenate([np.zeros(n), 1.0 / rel]), support)
        if res is None:
            return None
        k = np.round(res[:n])
        x = dict(self.x0)
        for f, i in self.index.items():
            x[f] = k[i] * self.step[i]
        if not all(item.holds(x) for item in self.group.items):
            return None
        changes = []
        for f in sorted(support, key=lambda f: self.figures[f].location.label or f):
            i = self.index[f]
            if k[i] == self.k0[i]:
                continue
            low, high = self._range(support, i)
            changes.append(Change(self.figures[f], x[f], low, high))
        if not changes:
            return None
        return Correction(float(sum(self.w[self.index[c.figure.id]] for c in changes)), changes)

    def _solve_u(self, objective, support):
        """min objective . (k, u) with u_i >= |k_i - k0_i|, only the figures of `support` free."""
        np = self.np
        n = len(self.free)
        free = np.array([f in support for f in self.free])
        up = self.k0 >= 0
        klo = np.where(free, np.where(up, 0.0, -np.inf), self.k0)
        khi = np.where(free, np.where(up, np.inf, 0.0), self.k0)
        return self._program(objective, np.ones(n), (klo, khi), (np.zeros(n), np.full(n, np.inf)), False)

    def _range(self, support: frozenset[str], i: int) -> tuple[float | None, float | None]:
        """The least and greatest value figure i may take, with the rest of its set free."""
        np = self.np
        n = len(self.free)
        out = []
        for sign in (1.0, -1.0):
            objective = np.zeros(2 * n)
            objective[i] = sign
            res = self._solve_u(objective, support)
            if res is None:  # unbounded that way
                out.append(None)
            else:
                out.append(float(round(res[i]) * self.step[i]))
        low, high = out
        return low, high


def solve_group(group: Group, figures: dict[str, Figure], weights: dict[str, float]) -> Group:
    if not [f for f in group.free if f not in group.fixed]:
        group.problem = "every figure these rules read is held fixed by a rule the model cannot represent"
        return group
    model = Model(group, figures, weights)
    best_weight = None
    while True:
        found = model.best_support()
        if found is None:
            if best_weight is None:
                group.problem = ("no correction of the figures these failing rules read makes every rule hold: "
                                 "the rules contradict each other on them, or a figure no failing rule reads "
                                 "would have to change too")
            break
        support, _ = found
        model.cuts.append(support)
        correction = model.polish(support)
        if correction is None:  # the solver's tolerance let a figure move without counting it: skip the set
            continue
        if best_weight is None:
            best_weight = correction.weight
        if correction.weight > best_weight + 1e-9:
            group.next_best = correction
            break
        if any(c.ids <= correction.ids for c in group.best):
            continue
        group.best.append(correction)
        if len(group.best) >= MAX_SETS:
            group.more = True
            break
    group.best.sort(key=lambda c: [(ch.figure.where, ch.figure.id) for ch in c.changes])
    return group
