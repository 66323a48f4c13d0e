"""Units of measure of the table layout, as a rule pack declares them.

The engine knows no unit. A pack's measures.yaml declares its quantities (`quantities:`, the
format of a figure-layout vocabulary: each quantity with its units and their factors to its base
unit, aliases, the units whose whole numbers are exact, whether it is a plain number of things),
and a `UnitSystem` is made from them. Values are held in the base unit of their quantity, so
figures printed in two units of one quantity compare after conversion; a result is shown back in
the unit its figures were printed in.

A *dimension* (`Dim`) is a mapping from quantity to exponent, e.g. (("area", 1),) for a unit of
area and (("area", 1), ("length", -1)) for area per length. A quantity declared `number: true`
(a count of things) is a plain number: its dimension is empty, so a count compares with a literal
and an area per device is an area. `%` is the one unit every system has: a hundredth, a plain
number (the rule grammar also reads `within 5%` as a relative tolerance).
"""
from __future__ import annotations

from dataclasses import dataclass, field

Dim = tuple[tuple[str, int], ...]
NONE: Dim = ()
PERCENT = "%"


def is_unit_name(value) -> bool:
    """Whether a value can name a unit (up to 32 characters, no quotes, tabs or newlines): in a
    pack's quantities, a descriptor's field or a claim. Which names are units, the pack says."""
    return isinstance(value, str) and 0 < len(value.strip()) <= 32 and not any(c in value for c in "\n\r\t'\"")


@dataclass(frozen=True)
class Unit:
    name: str
    quantity: str | None  # None: a plain number (%)
    factor: float  # multiply a value in this unit by factor to get the base unit
    dim: Dim = NONE
    exact_whole: bool = False  # a whole number printed in this unit was recorded, not rounded
    number: bool = False  # a unit of a count of things: every value printed in it is exact


@dataclass
class UnitSystem:
    """The units of one pack: every name and alias (as written) -> its unit."""
    units: dict[str, Unit] = field(default_factory=dict)
    base: dict[str, str] = field(default_factory=dict)  # quantity -> its base unit
    numbers: frozenset[str] = frozenset()  # quantities that are plain numbers of things

    def __post_init__(self) -> None:
        self.units.setdefault(PERCENT, Unit(PERCENT, None, 0.01))

    @classmethod
    def from_quantities(cls, quantities: dict, units: dict) -> UnitSystem:
        """From a vocabulary's quantities (figures/vocabulary.Quantity) and its unit names and
        aliases (name -> figures/vocabulary.Unit)."""
        numbers = frozenset(q.name for q in quantities.values() if q.number)
        out = {}
        for written, u in units.items():
            number = u.quantity in numbers
            out[written] = Unit(u.name, u.quantity, u.factor, NONE if number else ((u.quantity, 1),),
                                u.exact_whole, number)
        return cls(out, {q.name: q.base for q in quantities.values()}, numbers)

    @classmethod
    def from_mapping(cls, quantities: dict, file: str = "quantities") -> UnitSystem:
        """From a `quantities:` mapping as a pack writes it; raises AuditInputError if it is wrong."""
        from .errors import ProblemCollector
        from .figures.vocabulary import quantities_and_units

        problems = ProblemCollector()
        system = cls.from_quantities(*quantities_and_units(quantities, file, problems))
        problems.raise_if_any()
        return system

    def lookup(self, name: str | None) -> Unit | None:
        return self.units.get(str(name).strip()) if name is not None else None

    def names(self, quantity: str | None = None) -> list[str]:
        """The units (not their aliases) of a quantity, or of every quantity, base units first."""
        seen = {u.name: u for u in self.units.values() if u.quantity is not None}
        return [n for n, u in seen.items() if quantity is None or u.quantity == quantity]

    def quantity_dim(self, quantity: str) -> Dim:
        return NONE if quantity in self.numbers else ((quantity, 1),)

    def display_unit(self, d: Dim, preferred: str | None) -> str | None:
        """The unit a value of this dimension is shown in: the preferred one if it fits, else the
        base unit of its quantity; None for a plain number or a compound dimension."""
        u = self.lookup(preferred) if preferred else None
        if u is not None and u.dim == d and (d or u.quantity is not None):
            return u.name
        if len(d) == 1 and d[0][1] == 1:
            return self.base.get(d[0][0])
        return None

    def factor(self, unit: str | None) -> float:
        u = self.lookup(unit) if unit else None
        return u.factor if u else 1.0

    def from_base(self, value: float, unit: str | None) -> float:
        return value / self.factor(unit)


def dim_mul(a: Dim, b: Dim, sign: int = 1) -> Dim:
    """Dimension of a product (sign 1) or quotient (sign -1)."""
    exps: dict[str, int] = {}
    for name, e in a:
        exps[name] = exps.get(name, 0) + e
    for name, e in b:
        exps[name] = exps.get(name, 0) + sign * e
    return tuple(sorted((k, v) for k, v in exps.items() if v))


def dim_text(d: Dim) -> str:
    if not d:
        return "a plain number (or count)"
    return " * ".join(name if e == 1 else f"{name}^{e}" for name, e in d)


def compatible(a: Dim, b: Dim) -> bool:
    """Whether two dimensions can be added or compared."""
    return a == b
