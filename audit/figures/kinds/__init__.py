"""The kinds of rule over figures: one module per kind, listed here.

To add one: write `audit/figures/kinds/<name>.py` with a `FigureKind` subclass (its docstring is
the user documentation, its `Params` dataclass declares the parameters), then add it to `KINDS`.
"""
from __future__ import annotations

from .additivity import Additivity
from .agreement import Agreement
from .balance import Balance
from .base import FigureKind
from .co_occurrence import CoOccurrence
from .coincidence import Coincidence
from .ratio import Ratio
from .stated import Stated
from .trend import Trend

KINDS: dict[str, type[FigureKind]] = {
    k.name: k for k in (Additivity, Agreement, Balance, CoOccurrence, Coincidence, Ratio, Stated, Trend)
}

__all__ = ["KINDS", "FigureKind"]
