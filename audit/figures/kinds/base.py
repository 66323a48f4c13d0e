"""What every kind over figures shares: its rule, its parameters, its outcome per dataset, and
how a figure is shown in a finding.

A kind over figures runs once over the figures of the whole run (`FigureStore`), however many
datasets it holds, and reports each item to the dataset of the figure it is about.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import Problem
from ...findings import Finding, Location, RuleResult
from ...kinds.base import Rule, format_number, render
from ..load import parse_printed
from ..model import INF, Figure, middle
from ..store import FigureStore, col

MAX_FINDINGS = 1000  # per rule and dataset: failed items beyond it are counted, not listed


@dataclass
class Outcome:
    """The tallies and findings of one rule for one dataset."""

    items: int = 0
    passed: int = 0
    failed: int = 0
    undecided: int = 0
    reasons: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    truncated: int = 0


class FigureKind:
    """Base of every kind over figures: a subclass sets `name`, `Params`, `placeholders` and
    implements `evaluate`."""

    name: ClassVar[str]
    Params: ClassVar[type]
    placeholders: ClassVar[tuple[str, ...]] = ()

    def __init__(self, rule: Rule):
        self.rule = rule
        self.p = rule.params
        self.outcomes: dict[str, Outcome] = {}
        # (dataset, ok, Relation or None) of every decided item, when `audit explain` asks (see linear)
        self.relations: list | None = None

    def check(self, vocab) -> list[Problem]:
        """Problems with the rule's parameters against the vocabulary (unknown measures...)."""
        return []

    def evaluate(self, store: FigureStore) -> None:
        raise NotImplementedError

    # -- running ----------------------------------------------------------------------------------
    def run(self, store: FigureStore) -> dict[str, RuleResult]:
        r = self.rule
        self.outcomes = {name: Outcome() for name in store.datasets}
        start = time.perf_counter()
        broken = None
        try:
            self.evaluate(store)
        except Exception as exc:  # noqa: BLE001 - a rule that throws is an error of that rule, not of the run
            broken = f"{type(exc).__name__}: {exc}"
        seconds = (time.perf_counter() - start) / max(1, len(self.outcomes))
        results = {}
        for name, o in self.outcomes.items():
            res = RuleResult(r.id, r.title, r.kind, r.severity, "passed", items=o.items, passed=o.passed,
                             failed=o.failed, undecided=o.undecided, file=r.file, line=r.line, rationale=r.rationale,
                             findings=o.findings, truncated=o.truncated, seconds=seconds)
            if broken:
                res.status, res.reason, res.findings = "broken", broken, []
            else:
                said = "; ".join(o.reasons[:5])
                res.conclude(said or "no item could be decided", said or self.absent_reason(store, name))
            if res.status in ("passed", "failed") and o.undecided and o.reasons:
                res.reason = f"{o.undecided} undecided: " + "; ".join(o.reasons[:5])
            results[name] = res
        return results

    needs: ClassVar[str] = "figures this rule relates"  # what a dataset must print for the rule to apply

    def measures_named(self, vocab) -> list[str]:
        """The measures the rule's parameters name, in the order written (pairs and lists too)."""
        import dataclasses

        out: list[str] = []

        def walk(v):
            if isinstance(v, str):
                if v in vocab.measures and v not in out:
                    out.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x)
        if dataclasses.is_dataclass(self.p):
            for f in dataclasses.fields(self.p):
                walk(getattr(self.p, f.name))
        return out

    def absent_reason(self, store: FigureStore, dataset: str) -> str:
        """Why the rule did not apply: what it needs, and which of the measures it names the
        dataset does not print at all."""
        ds = store.datasets.get(dataset)
        printed = {f.measure for f in ds.figures} if ds is not None else set()
        missing = [m for m in self.measures_named(store.vocab) if m not in printed]
        if missing:
            return f"needs {self.needs}; the dataset prints no {', no '.join(missing)}"
        return f"needs {self.needs}; this dataset prints none such"

    def tally(self, dataset: str, ok: bool | None, reason: str | None = None, relation=None) -> Outcome:
        """Count one item; `relation` (a callable giving its `linear.Relation`) is only called when
        `audit explain` records the relations (an item without one is left out of the model)."""
        o = self.outcomes.setdefault(dataset, Outcome())
        if self.relations is not None and ok is not None:
            self.relations.append((dataset, ok, relation() if relation is not None else None))
        o.items += 1
        if ok is None:
            o.undecided += 1
            if reason:
                o.reasons.append(reason)
        elif ok:
            o.passed += 1
        else:
            o.failed += 1
        return o

    def report(self, dataset: str, values: dict[str, Any], locations: list[Location], subject: str,
               observed: float | None = None, expected: float | None = None, tolerance: float | None = None,
               unit: str | None = None, relation: str = "==", message: str | None = None,
               decimals: int | None = None) -> None:
        """One finding for one dataset; `message` replaces the rule's template for the findings a
        kind words itself (a missing or duplicated part); `decimals`: the precision the message
        printed its values at, for human outputs."""
        o = self.outcomes.setdefault(dataset, Outcome())
        if len(o.findings) >= MAX_FINDINGS:
            o.truncated += 1
            return
        diff = observed - expected if observed is not None and expected is not None else None
        f = Finding(rule=self.rule.id, severity=self.rule.severity, message=message or render(self.rule.message, values),
                    locations=locations, observed=observed, expected=expected, difference=diff, tolerance=tolerance,
                    unit=unit, relation=relation, dataset=dataset, subject=subject, decimals=decimals,
                    hint=render(self.rule.hint, values) if self.rule.hint else None)
        o.findings.append(f.seal())


# -- showing figures ------------------------------------------------------------------------------
def decimals_of(fig: Figure) -> int:
    parsed = parse_printed(fig.printed.split(" and ")[-1]) if fig.printed else None
    return parsed[1] if parsed else 0


def in_unit(store: FigureStore, value: float | None, unit: str | None) -> float | None:
    if value is None or unit is None or value in (INF, -INF):
        return value
    u = store.vocab.unit(unit)
    return value / u.factor if u else value


def shown(store: FigureStore, value: float | None, unit: str | None, decimals: int = 0) -> str:
    """A value in the base unit, shown in `unit` (a count shows no unit)."""
    if value in (INF, -INF):
        return "unbounded"
    v = in_unit(store, value, unit)
    if v is not None and decimals == 0 and not float(v).is_integer():
        decimals = 2
    text = format_number(v, None, decimals)
    return f"{text} {unit}" if unit and not _is_count(store, unit) else text


def _is_count(store: FigureStore, unit: str) -> bool:
    u = store.vocab.unit(unit)
    return bool(u and store.vocab.quantities[u.quantity].number)


def unit_shown(store: FigureStore, unit: str | None) -> str | None:
    """The unit a finding's numbers are in (none for a count)."""
    return None if unit is None or _is_count(store, unit) else unit


def printed(store: FigureStore, fig: Figure) -> str:
    unit = "" if _is_count(store, fig.unit or "") or not fig.unit else f" {fig.unit}"
    q = "" if fig.qualifier in ("exact", "between") else fig.qualifier.replace("_", " ") + " "
    return f"{q}{fig.printed}{unit}"


def where(store: FigureStore, fig: Figure) -> str:
    """The coordinates that tell a figure apart, for a message: its members other than the wholes
    and than those every figure of the run shares (the country of a run of one country), and its
    period."""
    parts = [f"{d} {m}" for d, m in fig.coords.items()
             if m != store.vocab.dimensions[d].all and store.shared.get(d) != m]
    return (", ".join(parts) + ", " if parts else "") + fig.period.label


def coords_key(store: FigureStore, item) -> str:
    """What identifies a figure's (or coordinates') place in a finding's fingerprint: every member
    but the wholes (and a figure's period), whatever else the run holds."""
    coords = item if isinstance(item, dict) else item.coords
    parts = [f"{d} {m}" for d, m in coords.items() if m != store.vocab.dimensions[d].all]
    if isinstance(item, dict):
        return ", ".join(parts) or "all"
    return (", ".join(parts) + ", " if parts else "") + item.period.label


def source_label(fig: Figure) -> str:
    if fig.source == "text":
        return "the text"
    if fig.origin == "reference":
        return f"the pack's reference data ({fig.quote})"
    return f"{fig.table_title} ({fig.table})" if fig.table_title and fig.table_title != fig.table else str(fig.table)


def location(store: FigureStore, fig: Figure, role: str) -> Location:
    key = {d: m for d, m in fig.coords.items() if m != store.vocab.dimensions[d].all}
    key["period"] = fig.period.label
    if fig.source == "text" or fig.origin == "reference":
        label = fig.label
        prov = fig.quote or None
    else:
        label = f"{source_label(fig)}, row {fig.label}, {fig.column}"
        prov = fig.provenance or None
    if fig.edition and len(store.datasets) > 1 and fig.origin != "reference":
        label = f"{fig.edition}: {label}"
    return Location(file=fig.file, row=fig.line, table=fig.table, claim=fig.claim, column=fig.column, key=key,
                    value=printed(store, fig), role=role, label=label, provenance=prov, cell=fig.cell)


def measure_text(store: FigureStore, measure: str) -> str:
    m = store.vocab.measures[measure]
    return m.description or measure.replace("_", " ")


def unknown_measures(vocab, names, file: str, line: int, key: str) -> list[Problem]:
    return [Problem(file, f"unknown measure '{n}'", line, field=key,
                    hint=f"the vocabulary's measures: {', '.join(sorted(vocab.measures))}")
            for n in names if n not in vocab.measures]


# -- helpers the kinds over periods and ratios share ---------------------------------------------
ORIGIN_RANK = {"cell": 0, "total": 1, "derived": 2, "text": 3, "reference": 4}
_AMOUNT = re.compile(r"\s*([+-]?[0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*(.*?)\s*")


@dataclass(frozen=True, slots=True)
class Value:
    """A figure as a kind over periods uses it: a printed figure, or a sum of printed parts
    (`derived`); `figs` are the figures it stands on (one, or the parts)."""

    dataset: str
    source: str
    measure: str
    period: Any  # Period
    coords: dict[str, str]
    lo: float
    hi: float
    figs: list[Figure]
    origin: str  # cell, total, text or derived

    @property
    def value(self) -> float:
        return middle(self.lo, self.hi)

    @property
    def rank(self) -> tuple:
        return (ORIGIN_RANK.get(self.origin, 9), len(self.figs), self.figs[0].line or 0 if self.figs else 0)

    @property
    def exact(self) -> bool:
        return self.lo == self.hi

    def unit(self) -> str | None:
        return self.figs[0].unit if self.figs else None


def values_of(store: FigureStore, measure: str, derived: bool = True) -> list[Value]:
    """Every printed figure of `measure` and (with `derived`) every sum of printed parts of it;
    worked out once per run (the store does not change once built, and no kind changes a Value)."""
    key = ("values_of", measure, derived)
    if key not in store.memo:
        store.memo[key] = _values_of(store, measure, derived)
    return store.memo[key]


def _values_of(store: FigureStore, measure: str, derived: bool) -> list[Value]:
    from ..load import parse_period  # remembered per text: a corpus repeats its periods

    figs = store.figures
    out = [Value(f.dataset, f.source, f.measure, f.period, f.coords, f.lo, f.hi, [f], f.origin)  # coords: read only
           for (fid,) in store.rows("SELECT fid FROM figures WHERE measure = ? AND origin <> 'reference' ORDER BY fid",
                                    [measure])
           for f in [figs[fid]]]
    if derived:
        names = ", ".join(col(d) for d in store.dims)
        for row in store.rows(f"SELECT dataset, source, p_key, {names}, lo, hi, fids FROM derived WHERE measure = ? "
                              f"ORDER BY dataset, source, p_key", [measure]):
            coords = dict(zip(store.dims, row[3:3 + len(store.dims)]))
            lo, hi, fids = row[3 + len(store.dims):]
            out.append(Value(row[0], row[1], measure, parse_period(row[2]), coords, lo, hi, [figs[i] for i in fids],
                             "derived"))
    return out


def matches(coords: dict[str, str], fixed: dict[str, str]) -> bool:
    """Whether coordinates are at every member `fixed` names."""
    return all(coords.get(d) == m for d, m in fixed.items())


def fixed_coords(store: FigureStore, at: dict) -> dict[str, str]:
    """A rule's `at` as members of the vocabulary (aliases read, `all` for the whole)."""
    vocab = store.vocab
    return {str(d): vocab.dimensions[str(d)].member(str(m)) for d, m in (at or {}).items()}


def check_at(vocab, at: dict | None, file: str, line: int, key: str = "at") -> list[Problem]:
    out = []
    for d in (at or {}):
        if str(d) not in vocab.dimensions:
            out.append(Problem(file, f"unknown dimension '{d}' in '{key}'", line, field=key,
                               hint=f"the vocabulary's dimensions: {', '.join(sorted(vocab.dimensions))}"))
    return out


def check_dims(vocab, names, file: str, line: int, key: str) -> list[Problem]:
    return [Problem(file, f"unknown dimension '{d}'", line, field=key,
                    hint=f"the vocabulary's dimensions: {', '.join(sorted(vocab.dimensions))}")
            for d in names or [] if d not in vocab.dimensions]


def check_type(vocab, measure: str, mtype: str, file: str, line: int, key: str) -> list[Problem]:
    if measure in vocab.measures and vocab.measures[measure].type != mtype:
        return [Problem(file, f"measure '{measure}' is a {vocab.measures[measure].type}, not a {mtype}", line,
                        field=key)]
    return []


def parse_amount(vocab, raw: Any, quantity: str) -> float:
    """A number, or a number and a unit the vocabulary gives `quantity` ('5 <unit>', '1,000
    <unit>'), in the quantity's base unit. Raises ValueError saying why. Nothing is evaluated:
    the text is a number and a unit."""
    if isinstance(raw, bool):
        raise ValueError("true or false is not an amount")
    if isinstance(raw, (int, float)):
        return float(raw)
    m = _AMOUNT.fullmatch(str(raw))
    if not m:
        raise ValueError(f"'{raw}' is not a number with an optional unit of the vocabulary, e.g. '5 <unit>'")
    number = float(m.group(1).replace(",", ""))
    if not m.group(2):
        return number
    unit = vocab.unit(m.group(2))
    if unit is None or unit.quantity != quantity:
        units = ", ".join(sorted(vocab.quantities[quantity].units)) if quantity in vocab.quantities else ""
        raise ValueError(f"'{m.group(2)}' is not a unit of {quantity} ({units})")
    return number * unit.factor


def check_amount(vocab, raw: Any, measure: str, file: str, line: int, key: str) -> list[Problem]:
    if raw is None or measure not in vocab.measures:
        return []
    try:
        parse_amount(vocab, raw, vocab.measures[measure].quantity)
    except ValueError as exc:
        return [Problem(file, str(exc), line, field=key)]
    return []


def value_locations(store: FigureStore, v: Value, role: str, limit: int = 50) -> list[Location]:
    return [location(store, f, role) for f in v.figs[:limit]]


def value_shown(store: FigureStore, v: Value, unit: str | None = None) -> str:
    """A value as printed (one figure) or as the sum it is (parts), in `unit` or its own."""
    if len(v.figs) == 1 and v.origin != "derived" and unit in (None, v.unit()):
        fig = v.figs[0]
        if fig.qualifier != "exact":
            return printed(store, fig)
        return shown(store, v.value, fig.unit, decimals_of(fig))
    return shown(store, v.value, unit or v.unit(), 0)


def named(store: FigureStore, measure: str, coords: dict[str, str]) -> str:
    """A measure and the members that tell its coordinates apart: "length built (zone North)",
    or the measure alone at the whole."""
    place = place_of(store, coords)
    return measure_text(store, measure) + ("" if place == "all" else f" ({place})")


def place_of(store: FigureStore, coords: dict[str, str], skip=()) -> str:
    """The members that tell coordinates apart from the whole (`all` members left out)."""
    parts = [f"{d} {m}" for d, m in coords.items()
             if d not in skip and m != store.vocab.dimensions[d].all]
    return ", ".join(parts) or "all"


def value_source(v: Value) -> str:
    base = source_label(v.figs[0]) if v.figs else v.source
    return base + (f" (the sum of {len(v.figs)} figures)" if v.origin == "derived" else "")
