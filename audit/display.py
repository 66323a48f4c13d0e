"""How human outputs (the terminal, HTML and Markdown reports) show numbers and units.

Machine outputs (JSON, SARIF, JUnit, exports, baselines) keep the stored values and unit codes
(`km2`); the human ones show a unit code of one or two lower-case letters and a power (`km2`,
`m3`) with the power raised (`km²`, `m³`), other codes as written, and a finding's observed, expected and
difference at the precision its message printed them (`1.65 km²` beside a message saying 1.65,
not `1.645486 km2`): a finding carries that precision as `decimals` when its kind knows it, and
a value that is not whole is otherwise shown to two decimals, as messages show it.
"""
from __future__ import annotations

import re

POWERS = {"2": "²", "3": "³"}
_POWER = re.compile(r"([a-z]{1,2})([23])")  # a unit code with a power: letters of a unit of length, then 2 or 3
# such a code right after a number ("1.65 km2"), or as a header's unit in parentheses ("Area (m2)")
_CODE = re.compile(r"(?<=\d) ([a-z]{1,2}[23])\b|(?<=\()([a-z]{1,2}[23])(?=\))")


def _raised(code: str) -> str:
    m = _POWER.fullmatch(code)
    return m.group(1) + POWERS[m.group(2)] if m else code


def count(n: int, word: str, plural: str | None = None) -> str:
    """`n` and the word that agrees with it: 1 row, 2 rows, 1 entry, 3 entries (give `plural`)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def unit(code: str | None) -> str:
    """A unit code as people write it (`km2` -> `km²`); None (a plain number or a count) shows nothing."""
    if not code:
        return ""
    return _raised(code)


def units_in(text: str) -> str:
    """Text with the unit codes that follow a number, or stand in parentheses, as people write them."""
    if "2" not in text and "3" not in text:
        return text
    return _CODE.sub(lambda m: " " + _raised(m.group(1)) if m.group(1) else _raised(m.group(2)), text)


def number(value: float | None, decimals: int | None = None, missing: str = "-") -> str:
    """A value with thousands separators: at `decimals` places when given (more than 0), else whole,
    or to two decimals without trailing zeros; a value that would show as zero but is not gets
    up to six decimals."""
    if value is None:
        return missing
    v = float(value)
    if decimals:
        text = f"{v:,.{decimals}f}"
    elif v.is_integer():
        return f"{v:,.0f}"
    else:
        text = f"{v:,.2f}".rstrip("0").rstrip(".")
    if v != 0 and text.lstrip("-").replace(",", "").strip("0.") == "":
        text = f"{v:,.6f}".rstrip("0").rstrip(".")
    return text


def tolerance(value: float | None, decimals: int | None = None, missing: str = "-") -> str:
    """A tolerance: one decimal finer than the figures it applies to (or than two decimals), no
    trailing zeros."""
    whole = value is None or float(value).is_integer()
    text = number(value, None if whole else (decimals or 2) + 1, missing)
    return text.rstrip("0").rstrip(".") if "." in text else text
