"""A figure: one number a dataset reports, as the kinds reason about it.

Every table cell that holds a measure, every printed total or subtotal, and every figure quoted in
the text is loaded as a `Figure`: what it measures, its coordinates on the profile's dimensions,
its period, the interval its printed value stands for (in the base unit of its quantity), and
where it was printed. Figures of all the datasets of a run live in one table (`FigureSet.frame`),
so that a rule runs once over a whole corpus.

The interval of a printed value: a value printed with d decimals in a unit with factor f stands
for v +- 0.5 * 10^-d * f; a whole number in a unit whose whole numbers are exact (a count, a
length in metres) and a printed `0` stand for themselves. A qualifier of the text widens it:

| qualifier               | interval of "v"                                   |
|-------------------------|---------------------------------------------------|
| exact (none)            | v +- rounding                                     |
| about                   | v +- max(rounding, 10% of v)                      |
| more_than, at_least     | from v - rounding, unbounded above                |
| less_than, up_to        | unbounded below, to v + rounding                  |
| between (low, high)     | low - rounding to high + rounding                 |
| nearly, almost, just_under | from v - close to v + rounding                  |
| just_over               | from v - rounding to v + close                    |

where `close` is one unit of the last non-zero digit printed, at most 10% of v (and at least the
rounding): "just over 156,000" is 156,000 to 157,000, "almost 3" (times) 2.7 to 3, "nearly 4.1"
4.0 to 4.1, "almost 100" 90 to 100. A closeness read as a share of v alone is too wide
for a figure rounded to the thousand and too narrow for a small multiplier.

A whole number in the text that a report got by cutting digits rather than rounding (4.17 printed
as 4.1) is read as rounded, which is what a monitor expects; a claim that knows better says
`rounding: truncated`, and "v" then stands for v to v + 2 x rounding.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ABOUT = 0.10  # "about v": within 10% of v
QUALIFIERS = ("exact", "about", "more_than", "at_least", "less_than", "up_to", "between",
              "nearly", "almost", "just_under", "just_over")
INF = float("inf")


def last_digit(value: float, decimals: int, factor: float = 1.0) -> float:
    """One unit of the last non-zero digit of a figure printed with `decimals` decimals (in the
    base unit of a unit of `factor`): 0.1 for 4.1, 1 for 3, 1,000 for 156,000."""
    if decimals > 0:
        return 10.0 ** -decimals * factor
    whole = int(round(abs(value)))
    step = 1
    while whole and whole % (step * 10) == 0:
        step *= 10
    return step * factor


def interval(value: float, rounding: float, qualifier: str = "exact", truncated: bool = False,
             step: float | None = None) -> tuple[float, float]:
    """The interval (low, high) that a figure printed as `value` stands for, given half the width
    of its printed precision (`rounding`), the text's qualifier, and one unit of its last non-zero
    digit (`step`, see `last_digit`; default twice the rounding, or 1). All in one unit."""
    lo, hi = value - rounding, value + rounding
    if truncated:
        lo, hi = value, value + 2 * rounding
    mag = abs(value)
    if qualifier == "about":
        spread = max(rounding, ABOUT * mag)
        return value - spread, value + spread
    if qualifier in ("more_than", "at_least"):
        return lo, INF
    if qualifier in ("less_than", "up_to"):
        return -INF, hi
    if step is None:
        step = 2 * rounding or 1.0
    close = max(rounding, min(step, ABOUT * mag))
    if qualifier in ("nearly", "almost", "just_under"):
        return min(lo, value - close), hi
    if qualifier == "just_over":
        return lo, max(hi, value + close)
    return lo, hi


@dataclass(slots=True)
class Figure:
    dataset: str
    edition: str
    source: str  # "table:<name>", "text" or "reference:<name>": figures of one source are printed together
    origin: str  # cell, total, text, reference
    measure: str
    coords: dict[str, str]  # dimension -> member; every declared dimension is present
    period: Any  # audit.figures.periods.Period
    lo: float  # interval, in the base unit of the measure's quantity
    hi: float
    printed: str  # the value as printed (with its unit where the text gives one)
    unit: str | None
    qualifier: str = "exact"
    file: str = ""
    line: int | None = None
    column: str | None = None  # the field of a table cell
    cell: str | None = None  # in a spreadsheet, the cell: "Sheet1!C4"
    label: str = ""  # a person's name for where it is: the row as printed, or the claim's locator
    table: str | None = None  # resource name
    table_title: str = ""
    claim: str | None = None  # claim id
    quote: str = ""
    notes: str = ""  # footnote markers printed with the value
    provenance: str = ""

    @property
    def value(self) -> float:
        return middle(self.lo, self.hi)


def middle(lo: float, hi: float) -> float:
    """A single value standing for an interval: its middle, or where one side is open the other."""
    if lo == -INF:
        return hi
    if hi == INF:
        return lo
    return (lo + hi) / 2



@dataclass(slots=True)
class Statement:
    """A figure of the text that is not a measure's value but a relation between figures: a change
    ("a 20% decrease", "fell by 5.9 km"), a share ("2.2% of the whole"), a ratio ("double
    the output of the year before") or a count of members ("in five regions"). The kind
    `stated` computes the relation from the figures it names and compares the two intervals."""

    dataset: str
    edition: str
    kind: str  # change, share, ratio, members
    measure: str
    coords: dict[str, str]
    period: Any
    lo: float  # the stated interval: a plain number (a fraction for % and shares), or the measure's base unit
    hi: float
    relative: bool = True  # change: relative (%, x) or absolute (in the measure's unit)
    other_measure: str | None = None  # share, ratio: the figure it is a share or a ratio of
    other_coords: dict[str, str] | None = None
    other_period: Any = None  # change: the period it changed from; share, ratio: the other figure's period
    dimension: str | None = None  # members: the dimension whose members are counted
    direction: str | None = None  # change: increase or decrease, as the text says it
    printed: str = ""
    unit: str | None = None
    qualifier: str = "exact"
    file: str = ""
    line: int | None = None
    claim: str = ""
    label: str = ""
    quote: str = ""
