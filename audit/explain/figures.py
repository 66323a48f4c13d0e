"""Reported figures as variables, and what rules say about them as linear constraints.

A *figure* is one number as printed: a table cell (a data row or a printed total) or a claim in
the narrative. Its value is kept in the base unit of its dimension (m2, count), with the half-width
its printed precision allows and the grid it is printed on (one unit of its last decimal), so that
a corrected value can be printed the same way.

A `Lin` is a linear expression over figures, plus the sum of the half-widths of the figures it
reads (constant: a corrected figure keeps its printed precision). A `Row` bounds a `Lin`; a rule
item holds when all its rows do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import Location

# how far a non-strict bound may be missed (floating-point noise, as the engine allows), and how
# far inside a strict bound a value must be; both relative to the magnitudes involved
SLACK = 1e-9
STRICT = 1e-7


class NotLinear(Exception):
    """The item is not linear in the reported figures (a ratio, a disjunction, a text lookup)."""


class Undecided(Exception):
    """A value the item needs is missing: the engine leaves it undecided, and so does the model."""


@dataclass
class Figure:
    id: str
    kind: str  # total | cell | claim
    value: float  # base unit
    err: float  # half-width of printed precision, base unit
    step: float  # one unit of the last printed decimal, base unit
    unit: str | None  # the unit it is printed in (None for plain counts)
    factor: float  # base units per printed unit
    decimals: int
    location: Location
    table: str | None = None
    column: str | None = None
    line: int | None = None
    claim: str | None = None
    source: Any = None  # in the figure layout, the store's figure (where a corrected copy rewrites it)

    def printed(self, value: float | None = None) -> str:
        v = (self.value if value is None else value) / self.factor
        text = f"{v:,.{self.decimals}f}"
        return f"{text} {self.unit}" if self.unit else text

    @property
    def where(self) -> str:
        return self.location.label or self.id


@dataclass
class Lin:
    terms: dict[str, float] = field(default_factory=dict)
    const: float = 0.0
    err: float = 0.0

    @staticmethod
    def constant(value: float, err: float = 0.0) -> "Lin":
        return Lin({}, float(value), float(err))

    @staticmethod
    def figure(fig: Figure) -> "Lin":
        return Lin({fig.id: 1.0}, 0.0, fig.err)

    def __add__(self, other: "Lin") -> "Lin":
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0.0) + v
        return Lin({k: v for k, v in terms.items() if v != 0.0}, self.const + other.const, self.err + other.err)

    def scale(self, c: float) -> "Lin":
        return Lin({k: v * c for k, v in self.terms.items() if v * c != 0.0}, self.const * c, self.err * abs(c))

    def __neg__(self) -> "Lin":
        return self.scale(-1.0)

    def __sub__(self, other: "Lin") -> "Lin":
        return self + (-other)

    def value(self, x: dict[str, float]) -> float:
        return self.const + sum(c * x[k] for k, c in self.terms.items())

    @property
    def is_constant(self) -> bool:
        return not self.terms


@dataclass
class Row:
    """lo <= expr <= hi (a bound may be None); strict bounds exclude their limit."""

    expr: Lin
    lo: float | None = None
    hi: float | None = None
    strict: bool = False

    def scale(self, x: dict[str, float]) -> float:
        return max(1.0, abs(self.expr.const), *(abs(c * x[k]) for k, c in self.expr.terms.items()),
                   abs(self.lo or 0.0), abs(self.hi or 0.0))

    def holds(self, x: dict[str, float]) -> bool:
        v, s = self.expr.value(x), self.scale(x)
        if self.strict:
            return (self.lo is None or v > self.lo + SLACK * s) and (self.hi is None or v < self.hi - SLACK * s)
        return (self.lo is None or v >= self.lo - SLACK * s) and (self.hi is None or v <= self.hi + SLACK * s)

    def negated(self) -> list["Row"]:
        """The rows of which one must hold when this one does not (a disjunction)."""
        out = []
        if self.lo is not None:
            out.append(Row(self.expr, None, self.lo, strict=not self.strict))
        if self.hi is not None:
            out.append(Row(self.expr, self.hi, None, strict=not self.strict))
        return out


@dataclass
class Item:
    """One thing a rule checks (a total, a group, a claim, a pair of years, a row)."""

    rule: str
    severity: str
    kind: str
    subject: str  # a person's description of the item
    rows: list[Row]  # all must hold
    linear: bool = True  # False: the rows are the alternative that holds now (a disjunction's witness)
    figures: set[str] = field(default_factory=set)  # every figure the item reads

    def holds(self, x: dict[str, float]) -> bool:
        return all(r.holds(x) for r in self.rows)

    @property
    def bound(self) -> set[str]:
        """The figures its rows constrain (a witness may read more than it bounds)."""
        return {f for r in self.rows for f in r.expr.terms}


@dataclass
class Skipped:
    """A rule item the model leaves out, and why; its figures are held at their printed values."""

    rule: str
    severity: str
    subject: str
    reason: str
    failing: bool
    figures: set[str] = field(default_factory=set)


class FigureBook:
    """Every figure the items read, created on first use."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.figures: dict[str, Figure] = {}

    def cell(self, table_name: str, line: int, column: str) -> Figure:
        from ..engine import cell_uncertainty
        from ..kinds.base import cell_location

        key = f"{table_name}:{line}:{column}"
        if key in self.figures:
            return self.figures[key]
        table = self.dataset.tables[table_name]
        row = table.row_at(line)
        cell = row.cells.get(column) if row else None
        if cell is None or cell.value is None:
            raise Undecided(f"{table_name} line {line}: {column} is missing")
        f = table.fields[column]
        factor = f.factor
        decimals = cell.decimals
        unit = f.shown_unit
        fig = Figure(key, "total" if row.total else "cell", float(cell.value) * factor, cell_uncertainty(cell, f),
                     10.0 ** (-decimals) * factor, unit, factor, decimals,
                     cell_location(self.dataset, table, line, column), table=table_name, column=column, line=line)
        self.figures[key] = fig
        return fig

    def claim(self, claim_id: str) -> Figure:
        from ..kinds.base import claim_location

        key = f"claim:{claim_id}"
        if key in self.figures:
            return self.figures[key]
        claim = next(c for c in self.dataset.claims if c.id == claim_id)
        if claim.value is None:
            raise Undecided(f"claim {claim_id} gives no single value")
        from ..engine import claim_uncertainty

        fig = Figure(key, "claim", float(claim.value) * claim.factor, claim_uncertainty(claim),
                     10.0 ** (-claim.decimals) * claim.factor, claim.shown_unit, claim.factor, claim.decimals,
                     claim_location(claim), claim=claim_id, line=claim.line)
        self.figures[key] = fig
        return fig

    def values(self) -> dict[str, float]:
        return {k: f.value for k, f in self.figures.items()}

