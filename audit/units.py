"""Units of measure and their dimensions.

Values are held in the base unit of their dimension (areas in m2), so figures printed in m2, ha
and km2 compare after conversion; a result is shown back in the unit its figures were printed in.
A *dimension* is a mapping from base dimension to exponent, e.g. {"area": 1} for m2 and
{"area": 1, "count": -1} for "m2 per device".
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    name: str
    dimension: str | None
    factor: float  # multiply a value in this unit by factor to get the base unit


UNITS: dict[str, Unit] = {u.name: u for u in (
    Unit("m2", "area", 1.0),
    Unit("ha", "area", 10_000.0),
    Unit("km2", "area", 1_000_000.0),
    Unit("count", "count", 1.0),
    Unit("percent", None, 0.01),
    Unit("%", None, 0.01),
)}
ALIASES = {"m²": "m2", "km²": "km2", "sqm": "m2", "hectare": "ha", "hectares": "ha", "items": "count"}
BASE_UNIT = {"area": "m2", "count": "count"}

Dim = tuple[tuple[str, int], ...]
NONE: Dim = ()


def lookup(name: str) -> Unit | None:
    return UNITS.get(ALIASES.get(name, name))


def dim_of(unit: Unit | None) -> Dim:
    if unit is None or unit.dimension is None:
        return NONE
    return ((unit.dimension, 1),)


def dim_mul(a: Dim, b: Dim, sign: int = 1) -> Dim:
    """Dimension of a product (sign 1) or quotient (sign -1). Counts are plain numbers here:
    an area per device is an area, devices per area is per area."""
    exps: dict[str, int] = {}
    for name, e in a:
        exps[name] = exps.get(name, 0) + e
    for name, e in b:
        exps[name] = exps.get(name, 0) + sign * e
    return tuple(sorted((k, v) for k, v in exps.items() if v and k != "count"))


def dim_text(d: Dim) -> str:
    if not d:
        return "a plain number"
    parts = []
    for name, e in d:
        parts.append(name if e == 1 else f"{name}^{e}")
    return " * ".join(parts)


COUNT: Dim = (("count", 1),)


def compatible(a: Dim, b: Dim) -> bool:
    """Whether two dimensions can be added or compared (a count is also a plain number)."""
    return a == b or {a, b} <= {NONE, COUNT}


def display_unit(d: Dim, preferred: str | None) -> str | None:
    """The unit a value of this dimension is shown in."""
    if preferred and lookup(preferred) and dim_of(lookup(preferred)) == d:
        return lookup(preferred).name
    if len(d) == 1 and d[0][1] == 1:
        return BASE_UNIT.get(d[0][0])
    return None


def from_base(value: float, unit: str | None) -> float:
    u = lookup(unit) if unit else None
    return value / u.factor if u else value
