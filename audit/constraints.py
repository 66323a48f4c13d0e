"""Frictionless field constraints, honoured as contracts.

A field of a descriptor may carry Frictionless's `constraints`:

```yaml
- {name: cha_count, type: integer, unit: count, constraints: {required: true, minimum: 0}}
- {name: type, type: string, constraints: {enum: [anti-personnel, anti-vehicle]}}
- {name: code, type: string, constraints: {pattern: "[A-Z]{2}-[0-9]+", minLength: 4, maxLength: 12}}
```

`required`, `unique`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `enum`,
`pattern`, `minLength` and `maxLength` mean what they mean to `frictionless validate`: every row
of the table is checked (totals rows too: a printed total is a printed figure), numbers in the
field's own unit, as printed; a pattern matches the whole cell (RE2, run by DuckDB: linear in the
text, whatever the pattern). A cell that breaks one is a finding of the built-in rule
`field-constraints`, naming the file, line and field; a constraint that is itself malformed (an
unknown key, a minimum on a text field, a pattern that is not a regular expression) is bad input
(exit code 2), at the descriptor's line. Datasets that declare no constraint have no such rule.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .errors import ProblemCollector

RULE_ID = "field-constraints"
TITLE = "Cells meet the constraints their descriptor declares (Frictionless constraints)"

NUMERIC = {"integer", "number", "year"}
BOUNDS = {"minimum": ("at least", lambda v, b: v >= b), "maximum": ("at most", lambda v, b: v <= b),
          "exclusiveMinimum": ("more than", lambda v, b: v > b), "exclusiveMaximum": ("less than", lambda v, b: v < b)}
LENGTHS = {"minLength": ("at least", lambda n, b: n >= b), "maxLength": ("at most", lambda n, b: n <= b)}
KEYS = ("required", "unique", *BOUNDS, "enum", "pattern", *LENGTHS)
MAX_ENUM = 10_000  # values of one enum
MAX_PATTERN = 1_000  # characters of one pattern


@dataclass(frozen=True)
class CellValue:
    """One cell as a constraint sees it: its line, the text printed, and its value (a number in
    the field's unit, or the text; None when the cell is missing)."""

    line: int
    text: str
    value: Any


@dataclass(frozen=True)
class Violation:
    line: int
    constraint: str
    message: str  # what the cell must be, e.g. "at least 0"


def _line(node: Any, key: str | None = None) -> int | None:
    from .dataset import _line as line_of

    return line_of(node, key)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def parse_constraints(f: dict, ftype: str, display: str, where: str, problems: ProblemCollector) -> dict[str, Any]:
    """The field's `constraints`, each checked for its form and for the field's type; every
    malformed one is a problem at its line (and left out)."""
    raw = f.get("constraints") if isinstance(f, dict) else None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(display, "constraints must be a mapping (e.g. {required: true, minimum: 0})",
                     _line(f, "constraints"), field=f"{where}.constraints")
        return {}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        at, name = _line(raw, key) or _line(f, "constraints"), f"{where}.constraints.{key}"

        def bad(message: str, hint: str | None = None) -> None:
            problems.add(display, message, at, field=name, hint=hint)

        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            bad(f"unknown constraint '{key}'", f"did you mean '{close[0]}'?" if close else
                "constraints: " + ", ".join(KEYS))
        elif key in ("required", "unique"):
            if not isinstance(value, bool):
                bad(f"{key} must be true or false")
            elif value:
                out[key] = True
        elif key in BOUNDS:
            if ftype not in NUMERIC:
                bad(f"{key} applies to numbers and years; '{where}' is of type {ftype}")
            elif not _number(value):
                bad(f"{key} must be a number")
            else:
                out[key] = float(value)
        elif key in LENGTHS:
            if ftype != "string":
                bad(f"{key} applies to text; '{where}' is of type {ftype}")
            elif not _number(value) or not float(value).is_integer() or value < 0:
                bad(f"{key} must be a whole number, 0 or more")
            else:
                out[key] = int(value)
        elif key == "enum":
            want = _number if ftype in NUMERIC else (lambda v: isinstance(v, str))
            if not isinstance(value, list) or not value or len(value) > MAX_ENUM:
                bad(f"enum must list the values allowed (1 to {MAX_ENUM})")
            elif not all(want(v) for v in value):
                bad(f"enum of the {ftype} field '{where}' must list {'numbers' if ftype in NUMERIC else 'texts'}")
            else:
                out[key] = tuple(float(v) for v in value) if ftype in NUMERIC else tuple(value)
        elif key == "pattern":
            if ftype != "string":
                bad(f"pattern applies to text; '{where}' is of type {ftype}")
            elif not isinstance(value, str) or len(value) > MAX_PATTERN:
                bad(f"pattern must be a regular expression (text, at most {MAX_PATTERN} characters)")
            else:
                why = _pattern_problem(value)
                if why:
                    bad(f"pattern is not a regular expression: {why}")
                else:
                    out[key] = value
    for low, high in (("minimum", "maximum"), ("minLength", "maxLength")):
        if low in out and high in out and out[low] > out[high]:
            problems.add(display, f"{low} is above {high}: no cell can meet both", _line(raw, low),
                         field=f"{where}.constraints.{low}")
    return out


def _pattern_problem(pattern: str) -> str | None:
    """Why DuckDB's regular expressions (RE2) refuse `pattern`, or None."""
    from . import sandbox

    con = sandbox.connect()
    try:
        con.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
    except Exception as exc:  # noqa: BLE001 - duckdb.Error: RE2's message names the fault
        return str(exc).splitlines()[0][:200]
    finally:
        con.close()
    return None


def _full_matches(texts: list[str], pattern: str) -> list[bool]:
    """Whether each text matches the whole pattern, by RE2 (linear time: a hostile pattern cannot
    stall the audit as a backtracking engine would)."""
    from . import sandbox

    con = sandbox.connect()
    try:
        rows = con.execute("SELECT regexp_full_match(t, ?) FROM (SELECT unnest(?::VARCHAR[]) AS t, "
                           "generate_subscripts(?::VARCHAR[], 1) AS i) ORDER BY i", [pattern, texts, texts]).fetchall()
    finally:
        con.close()
    return [bool(r[0]) for r in rows]


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check(cells: list[CellValue], constraints: dict[str, Any]) -> list[Violation]:
    """The cells of one column that break its constraints, in order of line (one violation per
    cell and constraint)."""
    out: list[Violation] = []
    present = [c for c in cells if c.value is not None]
    if constraints.get("required"):
        out += [Violation(c.line, "required", "filled (required)") for c in cells if c.value is None]
    if constraints.get("unique"):
        first: dict[Any, int] = {}
        for c in present:
            if c.value in first:
                out.append(Violation(c.line, "unique", f"unique (unique: line {first[c.value]} holds the same value)"))
            else:
                first[c.value] = c.line
    numbers = [c for c in present if isinstance(c.value, (int, float))]
    for key, (words, ok) in BOUNDS.items():
        if key in constraints:
            out += [Violation(c.line, key, f"{words} {_shown(constraints[key])} ({key})")
                    for c in numbers if not ok(c.value, constraints[key])]
    texts = [c for c in present if isinstance(c.value, str)]
    for key, (words, ok) in LENGTHS.items():
        if key in constraints:
            out += [Violation(c.line, key, f"{words} {constraints[key]} characters long ({key})")
                    for c in texts if not ok(len(c.value), constraints[key])]
    if "enum" in constraints:
        allowed = set(constraints["enum"])
        shown = ", ".join(_shown(v) for v in constraints["enum"][:10]) + (", ..." if len(allowed) > 10 else "")
        out += [Violation(c.line, "enum", f"one of {shown} (enum)") for c in present if c.value not in allowed]
    if "pattern" in constraints and texts:
        matched = _full_matches([c.value for c in texts], constraints["pattern"])
        out += [Violation(c.line, "pattern", f"a full match of {constraints['pattern']!r} (pattern)")
                for c, ok in zip(texts, matched) if not ok]
    return sorted(out, key=lambda v: (v.line, KEYS.index(v.constraint)))


def rule_result(columns: Iterable[tuple[str, list[CellValue], dict[str, Any]]], make_finding: Callable,
                file: str, cap: int = 1000):
    """The run's `field-constraints` rule over the constrained columns (name, cells, constraints)
    of one dataset: a RuleResult whose items are the cells checked. `make_finding(column, violation,
    cell)` builds each finding (the layouts locate cells their own way); at most `cap` are listed."""
    from .findings import RuleResult

    result = RuleResult(RULE_ID, TITLE, "constraints", "error", "passed", file=file, line=1)
    failed: set[tuple[str, int]] = set()
    for column, cells, constraints in columns:
        by_line = {c.line: c for c in cells}
        result.items += len(cells)
        for v in check(cells, constraints):
            failed.add((column, v.line))
            if len(result.findings) < cap:
                result.findings.append(make_finding(column, v, by_line[v.line]))
            else:
                result.truncated += 1
    result.failed = len(failed)
    result.passed = result.items - result.failed
    result.status = "failed" if failed else "passed"
    return result
