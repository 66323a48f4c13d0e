"""The registry of rule kinds: one module per kind, listed here explicitly.

To add a kind: write `audit/kinds/<name>.py` with a `Kind` subclass (its docstring is the user
documentation, its `Params` dataclass declares the parameters), then add it to `KINDS`.
"""
from __future__ import annotations

from .base import Kind
from .change import Change
from .claim import ClaimKind
from .compare import Compare
from .row_check import RowCheck
from .stock_flow import StockFlow
from .totals import Totals

KINDS: dict[str, type[Kind]] = {k.name: k for k in (Totals, RowCheck, Compare, ClaimKind, Change, StockFlow)}

__all__ = ["KINDS", "Kind"]
