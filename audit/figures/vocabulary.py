"""A profile's vocabulary, read from its pack's `vocabulary.yaml`: the only place where the words
of a domain (its quantities and units, its measures, its dimensions and their members) are written.
The engine reads them as data; no measure, dimension or unit is named in `audit/`.

```yaml
quantities:                 # kinds of quantity, each with its units and their conversions
  length:
    units: {m: 1, km: 1000}  # factor to the first (base) unit
    aliases: {metres: m}
    exact: [m]              # whole numbers in these units were recorded, not rounded
  count: {units: {count: 1}, exact: [count], number: true}   # a plain number of things
  share: {units: {"%": 0.01}, additive: false}               # shares do not add up
  change: {units: {n: 1}, signed: true}     # figures may be negative: some parts bound nothing
measures:                   # what a figure can measure
  length: {quantity: length, type: stock, description: ...}  # observed at instants
  # synonyms: the words and phrases tables print for it in headers (what `audit init` matches)
  built: {quantity: length, type: flow, synonyms: [length built, built]}
dimensions:                 # the coordinates of a figure (the period is always one of them)
  colour:
    all: all                # the member that stands for the whole
    parts: [red, blue]      # a closed dimension: these add up to the whole
    aliases: {r: red}
    synonyms: [colour, color]  # header words naming the dimension (for `audit init`)
  zone: {all: all}          # an open dimension: its members are what the tables print
  land: {all: world, required: true}   # every dataset names its own, under `at:`
```

A figure that names no member of a dimension is at its `all` member. Members that tables print
in a hierarchy (a district within a zone) are linked by the tables' parent columns.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AuditInputError, ProblemCollector
from ..units import is_unit_name
from ..yamlio import Node, Number, load_yaml

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
PERIOD = "period"  # the one dimension every figure has; the engine knows time, not a domain
MEASURE_TYPES = ("stock", "flow", "other")


@dataclass(frozen=True)
class Unit:
    name: str
    quantity: str
    factor: float  # a value in this unit times factor is in the quantity's base unit
    exact_whole: bool  # a whole number printed in this unit is exact (recorded, not rounded)


@dataclass
class Quantity:
    name: str
    units: dict[str, Unit]
    base: str
    number: bool = False  # a plain number of things: compares with unitless numbers
    additive: bool = True  # figures of it can be summed (areas, counts), unlike shares or ratios
    signed: bool = False  # figures of it may be negative: a whole may be less than some of its parts


@dataclass
class Measure:
    name: str
    quantity: str
    type: str = "other"  # stock (at instants), flow (over periods) or other
    description: str = ""
    synonyms: tuple[str, ...] = ()  # words and phrases a table's header prints for it (audit init)


@dataclass
class Dimension:
    name: str
    all: str = "all"
    parts: tuple[str, ...] = ()  # closed dimension: the members that add up to `all`
    aliases: dict[str, str] = field(default_factory=dict)  # printed spelling (lower case) -> member
    description: str = ""
    required: bool = False  # every dataset gives its member in its own `at:` (the country it reports on)
    synonyms: tuple[str, ...] = ()  # words and phrases a table's header prints for it (audit init)

    @property
    def closed(self) -> bool:
        return bool(self.parts)

    def member(self, printed: str) -> str:
        """The member a printed name stands for: an alias, a part spelt in another case, or itself."""
        text = " ".join(str(printed).split())
        low = text.lower()
        if low in self.aliases:
            return self.aliases[low]
        if low == self.all.lower():
            return self.all
        for p in self.parts:
            if p.lower() == low:
                return p
        return text


@dataclass
class Vocabulary:
    file: str
    quantities: dict[str, Quantity]
    measures: dict[str, Measure]
    dimensions: dict[str, Dimension]
    units: dict[str, Unit]  # every unit and alias (as written) -> unit

    def unit(self, name: str) -> Unit | None:
        return self.units.get(str(name).strip())

    def unit_names(self) -> list[str]:
        return sorted({u.name for u in self.units.values()})

    def quantity_of(self, measure: str) -> Quantity:
        return self.quantities[self.measures[measure].quantity]


def _pos(node: Any, key: str | None = None) -> int | None:
    if isinstance(node, Node):
        return node.pos(key)[0]
    return getattr(node, "line", None) or None


def load_vocabulary(path: Path, display: str | None = None) -> Vocabulary:
    """Read and check a vocabulary file. Raises AuditInputError naming file, line and field."""
    display = display or str(path)
    data = load_yaml(path, display, kind="vocabulary")
    problems = ProblemCollector()
    if not isinstance(data, dict):
        raise AuditInputError(problems.add(display, "a vocabulary must be a mapping with quantities, measures "
                                           "and dimensions", 1) or problems.problems)
    for key in data:
        if key not in ("quantities", "measures", "dimensions", "description"):
            problems.add(display, f"unknown key '{key}'", _pos(data, key), field=str(key),
                         hint="a vocabulary takes quantities, measures, dimensions and description")
    quantities, units = quantities_and_units(data.get("quantities"), display, problems)
    measures = _measures(data.get("measures"), quantities, display, problems)
    dimensions = _dimensions(data.get("dimensions"), display, problems)
    problems.raise_if_any()
    return Vocabulary(display, quantities, measures, dimensions, units)


def quantities_and_units(raw: Any, display: str, problems: ProblemCollector) -> tuple[dict[str, Quantity], dict[str, Unit]]:
    """A `quantities:` mapping (of a vocabulary, or of a table-layout pack's measures.yaml): its
    quantities, and every unit name and alias (as written) -> its unit."""
    quantities = _quantities(raw, display, problems)
    units: dict[str, Unit] = {}
    for q in quantities.values():
        for name, u in q.units.items():
            if name in units:
                problems.add(display, f"unit '{name}' belongs to two quantities ({units[name].quantity}, {q.name})",
                             _pos(raw), field=f"quantities.{q.name}.units")
            units[name] = u
    raw_quantities = raw if isinstance(raw, dict) else {}
    for q, spec in raw_quantities.items():  # (not a mapping: reported by _quantities)
        aliases = spec.get("aliases", {}) if isinstance(spec, dict) else {}
        if not isinstance(aliases, dict):
            problems.add(display, "aliases must map a spelling to a unit", _pos(spec, "aliases"),
                         field=f"quantities.{q}.aliases")
            continue
        for alias, target in aliases.items():
            if str(target) not in quantities.get(str(q), Quantity(q, {}, "")).units:
                problems.add(display, f"alias '{alias}' names '{target}', not a unit of {q}", _pos(aliases, alias),
                             field=f"quantities.{q}.aliases")
            elif str(alias) not in units:
                units[str(alias)] = units[str(target)]
    return quantities, units


def _mapping(value: Any, display: str, where: str, line: int | None, problems: ProblemCollector) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(display, f"'{where}' must be a mapping", line, field=where)
        return {}
    return value


def _name(key: Any, display: str, where: str, line: int | None, problems: ProblemCollector) -> bool:
    if not isinstance(key, str) or not NAME.match(key):
        problems.add(display, f"'{key}' is not a valid name: lower-case letters, digits and _, starting with a "
                     "letter, at most 63 characters", line, field=where)
        return False
    return True


def _quantities(raw: Any, display: str, problems: ProblemCollector) -> dict[str, Quantity]:
    out: dict[str, Quantity] = {}
    for name, spec in _mapping(raw, display, "quantities", 1, problems).items():
        line = _pos(raw, name)
        if not _name(name, display, "quantities", line, problems):
            continue
        spec = _mapping(spec, display, f"quantities.{name}", line, problems)
        for key in spec:
            if key not in ("units", "aliases", "exact", "number", "additive", "signed", "description"):
                problems.add(display, f"unknown key '{key}' in quantity '{name}'", _pos(spec, key),
                             field=f"quantities.{name}.{key}",
                             hint="a quantity takes units, aliases, exact, number, additive, signed and description")
        units_raw = _mapping(spec.get("units"), display, f"quantities.{name}.units", _pos(spec, "units"), problems)
        if not units_raw:
            problems.add(display, f"quantity '{name}' needs at least one unit", line, field=f"quantities.{name}.units")
            continue
        exact = spec.get("exact", [])
        if isinstance(exact, str):
            exact = [exact]
        if not isinstance(exact, list):
            problems.add(display, "exact must be a list of units", _pos(spec, "exact"), field=f"quantities.{name}.exact")
            exact = []
        units: dict[str, Unit] = {}
        for uname, factor in units_raw.items():
            uline = _pos(units_raw, uname)
            if not is_unit_name(uname):
                problems.add(display, f"'{uname}' is not a unit name (up to 32 characters, no quotes or newlines)",
                             uline, field=f"quantities.{name}.units")
                continue
            if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor) \
                    or factor <= 0:
                problems.add(display, f"unit '{uname}': the factor must be a positive finite number", uline,
                             field=f"quantities.{name}.units.{uname}")
                continue
            units[uname] = Unit(uname, name, float(factor), uname in [str(e) for e in exact])
        for e in exact:
            if str(e) not in units_raw:
                problems.add(display, f"exact names '{e}', not a unit of {name}", _pos(spec, "exact"),
                             field=f"quantities.{name}.exact")
        for flag in ("number", "additive", "signed"):
            if flag in spec and not isinstance(spec[flag], bool):
                problems.add(display, f"'{flag}' must be true or false", _pos(spec, flag), field=f"quantities.{name}.{flag}")
        if units:
            out[name] = Quantity(name, units, next(iter(units)), number=spec.get("number") is True,
                                 additive=spec.get("additive", True) is not False,
                                 signed=spec.get("signed") is True)
    return out


def _measures(raw: Any, quantities: dict[str, Quantity], display: str, problems: ProblemCollector) -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for name, spec in _mapping(raw, display, "measures", 1, problems).items():
        line = _pos(raw, name)
        if not _name(name, display, "measures", line, problems):
            continue
        spec = _mapping(spec, display, f"measures.{name}", line, problems)
        for key in spec:
            if key not in ("quantity", "type", "description", "synonyms"):
                problems.add(display, f"unknown key '{key}' in measure '{name}'", _pos(spec, key),
                             field=f"measures.{name}.{key}",
                             hint="a measure takes quantity, type, description and synonyms")
        q = spec.get("quantity")
        if str(q) not in quantities:
            problems.add(display, f"measure '{name}' needs a quantity, one of {', '.join(sorted(quantities)) or '(none)'}",
                         _pos(spec, "quantity") or line, field=f"measures.{name}.quantity")
            continue
        mtype = str(spec.get("type", "other"))
        if mtype not in MEASURE_TYPES:
            problems.add(display, f"measure type '{mtype}' is not one of {', '.join(MEASURE_TYPES)}",
                         _pos(spec, "type"), field=f"measures.{name}.type")
            continue
        synonyms = _synonyms(spec, display, f"measures.{name}", problems)
        out[name] = Measure(name, str(q), mtype, str(spec.get("description", "")), synonyms)
    return out


def _dimensions(raw: Any, display: str, problems: ProblemCollector) -> dict[str, Dimension]:
    out: dict[str, Dimension] = {}
    for name, spec in _mapping(raw, display, "dimensions", 1, problems).items():
        line = _pos(raw, name)
        if not _name(name, display, "dimensions", line, problems):
            continue
        if name == PERIOD:
            problems.add(display, "'period' is every figure's own dimension; it is not declared", line,
                         field="dimensions.period")
            continue
        spec = _mapping(spec, display, f"dimensions.{name}", line, problems)
        for key in spec:
            if key not in ("all", "parts", "aliases", "description", "required", "synonyms"):
                problems.add(display, f"unknown key '{key}' in dimension '{name}'", _pos(spec, key),
                             field=f"dimensions.{name}.{key}",
                             hint="a dimension takes all, parts, aliases, required, description and synonyms")
        if "required" in spec and not isinstance(spec["required"], bool):
            problems.add(display, "'required' must be true or false", _pos(spec, "required"),
                         field=f"dimensions.{name}.required")
        whole = spec.get("all", "all")
        parts = spec.get("parts", [])
        if not isinstance(whole, str) or not whole.strip() or len(whole) > 200:
            problems.add(display, "'all' must be a member name (text)", _pos(spec, "all"), field=f"dimensions.{name}.all")
            continue
        if not isinstance(parts, list) or any(not isinstance(p, str) or not p.strip() for p in parts):
            problems.add(display, "'parts' must be a list of member names (text)", _pos(spec, "parts"),
                         field=f"dimensions.{name}.parts")
            continue
        if len(set(parts)) != len(parts) or whole in parts:
            problems.add(display, "'parts' must name distinct members, other than the whole", _pos(spec, "parts"),
                         field=f"dimensions.{name}.parts")
            continue
        aliases_raw = _mapping(spec.get("aliases"), display, f"dimensions.{name}.aliases", _pos(spec, "aliases"), problems)
        aliases: dict[str, str] = {}
        for spelling, member in aliases_raw.items():
            if isinstance(member, (Number, bool)) or not isinstance(member, str) or not isinstance(spelling, str):
                problems.add(display, "an alias maps a spelling (text) to a member (text)", _pos(aliases_raw, spelling),
                             field=f"dimensions.{name}.aliases")
                continue
            aliases[" ".join(spelling.split()).lower()] = member
        out[name] = Dimension(name, whole, tuple(parts), aliases, str(spec.get("description", "")),
                              spec.get("required") is True, _synonyms(spec, display, f"dimensions.{name}", problems))
    return out


MAX_SYNONYM = 100  # characters of one synonym


def _synonyms(spec: dict, display: str, where: str, problems: ProblemCollector) -> tuple[str, ...]:
    """`synonyms: [word, "a phrase", ...]`: how headers print a measure or a dimension. Only
    `audit init` reads them, to guess which column is which; an audit never does."""
    raw = spec.get("synonyms")
    if raw is None:
        return ()
    if not isinstance(raw, list) or any(isinstance(s, (Number, bool)) or not isinstance(s, str) or not s.strip()
                                        or len(s) > MAX_SYNONYM for s in raw):
        problems.add(display, f"synonyms must be a list of words or phrases (text, up to {MAX_SYNONYM} characters)",
                     _pos(spec, "synonyms"), field=f"{where}.synonyms")
        return ()
    return tuple(" ".join(s.split()) for s in raw)
