"""What one item of a rule over figures says about the figures it reads, as linear bounds.

A kind decides each item with interval arithmetic; the same decision, written as data, is a
`Relation`: a conjunction of `Bound`s, each over a weighted sum of printed figures. A bound
`sum c_i F_i + add` *meets* `[lo, hi]` when some value of every figure's interval puts the sum
inside it (two figures agree, a total can equal its parts), and lies *within* it when every
value does (a figure is certainly above zero). Kinds give the relation of each item they tally
(`FigureKind.tally(..., relation=...)`), lazily: only `audit explain` asks for it, and reads it
as the constraints of its mixed-integer program (audit/explain/over_figures.py).

An item whose decision is not linear in the figures (a ratio of two figures, a choice between
alternatives) says why with `Relation.not_linear`; where it holds, it may give the alternative
that holds today (`witness`): a correction found keeps that alternative, a conservative model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import INF, Figure


@dataclass(frozen=True)
class Bound:
    terms: tuple[tuple[Figure, float], ...]
    lo: float = -INF
    hi: float = INF
    within: bool = False  # every value of the intervals (else: some value)
    strict: bool = False
    add: tuple[float, float] = (0.0, 0.0)  # a constant interval added to the sum

    def span(self) -> tuple[float, float]:
        """The interval of the sum at the printed figures."""
        lo, hi = self.add
        for f, c in self.terms:
            a, b = (c * f.lo, c * f.hi) if c >= 0 else (c * f.hi, c * f.lo)
            lo, hi = lo + a, hi + b
        return lo, hi

    def holds(self) -> bool:
        smin, smax = self.span()
        if self.within:
            smin, smax = smax, smin  # every value: the least must clear lo, the greatest hi
        if self.strict:
            return (self.lo == -INF or smax > self.lo) and (self.hi == INF or smin < self.hi)
        return (self.lo == -INF or smax >= self.lo) and (self.hi == INF or smin <= self.hi)


@dataclass(frozen=True)
class Relation:
    bounds: tuple[Bound, ...] = ()
    linear: bool = True  # False: `bounds` are the alternative that holds today (a witness), or none
    reason: str | None = None  # why it is not linear
    figures: tuple[Figure, ...] = field(default=())  # every figure read (those of the bounds are added)
    subject: str = ""  # a person's description of the item

    @staticmethod
    def not_linear(reason: str, figures, witness: tuple[Bound, ...] = (), subject: str = "") -> "Relation":
        return Relation(tuple(witness), False, reason, tuple(figures), subject)

    def read(self) -> list[Figure]:
        out = {id(f): f for f in self.figures}
        for b in self.bounds:
            for f, _ in b.terms:
                out.setdefault(id(f), f)
        return list(out.values())


def equal(a: list[Figure], b: list[Figure], subject: str = "") -> Relation:
    """The sum of `a` can meet the sum of `b` (two figures agree; a total and its parts)."""
    return Relation((Bound(_terms(a, b), 0.0, 0.0),), subject=subject)


def at_least(a: list[Figure], b: list[Figure], subject: str = "") -> Relation:
    """The sum of `a` can be at least the sum of `b` (a whole and some of its parts)."""
    return Relation((Bound(_terms(a, b), 0.0, INF),), subject=subject)


def _terms(a: list[Figure], b: list[Figure]) -> tuple[tuple[Figure, float], ...]:
    return tuple([(f, 1.0) for f in a] + [(f, -1.0) for f in b])


def sign_kept(fig: Figure) -> Bound | None:
    """The bound that keeps a figure on the side of zero it is on (None when it may be zero)."""
    if fig.lo > 0:
        return Bound(((fig, 1.0),), 0.0, INF, within=True, strict=True)
    if fig.hi < 0:
        return Bound(((fig, 1.0),), -INF, 0.0, within=True, strict=True)
    if fig.lo == fig.hi == 0:
        return Bound(((fig, 1.0),), 0.0, 0.0, within=True)
    return None


def ratio_meets(num: list[Figure], den: list[Figure], lo: float, hi: float, subject: str = "") -> Relation:
    """The sum of `num` over the sum of `den` can meet [lo, hi], the denominator certainly above
    zero: num.lo <= hi x den.hi and num.hi >= lo x den.lo, bounds linear in the figures."""
    n = tuple((f, 1.0) for f in num)
    bounds = [Bound(tuple((f, 1.0) for f in den), 0.0, INF, within=True, strict=True)]
    if hi < INF:
        bounds.append(Bound(n + tuple((f, -hi) for f in den), -INF, 0.0))
    if lo > -INF:
        bounds.append(Bound(n + tuple((f, -lo) for f in den), 0.0, INF))
    return Relation(tuple(bounds), subject=subject)
