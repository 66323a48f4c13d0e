"""Reading a number as printed: its value, its decimals and the marks printed beside it.

One reader for both dataset layouts (`audit.dataset` and `audit.figures.load`) and every file
format (a CSV cell, a spreadsheet cell shown through its number format, a claim's text). How a
column prints its numbers is declared with the Frictionless field keys, on a field or, for every
field of a resource, in its `dialect`:

- `decimalChar` (default `.`): the decimal mark;
- `groupChar`: the thousands separator. Undeclared, a comma is read as one only where it groups
  digits by three (`1,142,486`); so is a thin space (U+2009), a narrow no-break space (U+202F)
  or a no-break space (U+00A0), as typeset reports print them. Declared as a space, any of the
  four spaces is read as it;
- `bareNumber` (default true): false allows text before and after the number (`€ 1,200`,
  `45 %`, `12.5 ha`), which is dropped; footnote marks are kept either way.

A comma that cannot group thousands (`0,350`, `12,5`) in a column that declares neither
separator is refused: it is a decimal comma or a misprint, and reading it either way would
guess. The message says which declaration settles it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

SPACES = "\u2009\u202f\u00a0"  # thin, narrow no-break and no-break space: thousands separators in print
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
MARK = r"(?:[*†‡§¶#%s]+|\[\w{1,4}\]|\((?:[a-z]|[ivx]{1,4}|\d{1,2})\))" % SUPERSCRIPTS
_MARKS = re.compile(MARK)
_BARE = re.compile(r"^(?P<pre>(?:%s\s*)*)(?P<num>[-+−]?[\d.,'\s]*\d[\d.,'\s]*?)(?P<post>(?:\s*%s)*)$" % (MARK, MARK))
# with bareNumber false: any text without digits around the number (marks may hold digits: [3])
_LOOSE = re.compile(r"^(?P<pre>(?:%s|[^\d+\-−])*?)\s*(?P<num>[-+−]?\d(?:[\d.,'\s]*\d)?)(?P<post>(?:%s|\D)*)$"
                    % (MARK, MARK))
_UNIT_POWER = re.compile(r"[^\W\d_]+[¹²³]")
_GROUPED = re.compile(r"[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")


class NumberError(ValueError):
    """A printed text that is not a number of its column: `message` says why, `hint` what to declare."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class NumberFormat:
    """How a column prints its numbers (the Frictionless keys; `group` None: not declared)."""

    decimal: str = "."
    group: str | None = None
    bare: bool = True

    @property
    def declared(self) -> bool:
        return self.decimal != "." or self.group is not None


DEFAULT = NumberFormat()


def read_number(text: str, fmt: NumberFormat = DEFAULT) -> tuple[float, int, str]:
    """The value, the decimals and the footnote marks of a printed number ('1,142,486', '*4.00',
    '146†', '2.5[3]', '1 234,5' with decimalChar ','). Raises `NumberError` saying why not."""
    text = text.strip()
    if text.isdigit() and text.isascii():  # most cells: a plain whole number
        return float(text), 0, ""
    m = _BARE.match(text) or (None if fmt.bare else _LOOSE.match(text))
    if not m:
        hint = ("declare bareNumber: false for a column that prints text around its numbers"
                if fmt.bare and _LOOSE.match(text) else None)
        raise NumberError(f"'{text[:60]}' is not a number", hint)
    num = m.group("num").replace("−", "-")
    around = m.group("pre") + m.group("post")
    if not fmt.bare:  # a power of a unit (km², m³) is text, not a footnote mark
        around = _UNIT_POWER.sub("", around)
    marks = "".join(_MARKS.findall(around))
    digits = _digits(num, text, fmt)
    try:
        value = float(digits)
    except ValueError:
        raise NumberError(f"'{text[:60]}' is not a number") from None
    if not math.isfinite(value):
        raise NumberError(f"'{text[:60]}' is not a finite number")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return value, decimals, marks


def _digits(num: str, text: str, fmt: NumberFormat) -> str:
    """The number as Python reads it (`-1234.5`), its separators checked against the format."""
    shown = text[:60]
    spaces = [ch for ch in num if ch.isspace()]
    if fmt.group is not None and fmt.group.isspace():
        num = "".join(" " if ch.isspace() else ch for ch in num)
    elif spaces:
        if any(ch not in SPACES for ch in spaces):
            raise NumberError(f"'{shown}' is not a number: it holds a space",
                              "declare groupChar: ' ' for a column that groups thousands with spaces")
        if fmt.group is not None and fmt.group != " ":
            if fmt.group in num:
                raise NumberError(f"'{shown}' mixes two thousands separators")
        num = "".join(" " if ch.isspace() else ch for ch in num)
        if not re.fullmatch(r"[-+]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?", num):
            raise NumberError(f"'{shown}' is not a number: its spaces do not group digits by three")
    group = fmt.group if fmt.group is not None else ("," if fmt.decimal != "," else None)
    if " " in num:
        if group not in (None, " ") and group in num:
            raise NumberError(f"'{shown}' mixes two thousands separators")
        num = num.replace(" ", "")
    if fmt.group is None and group == "," and "," in num:
        if not _GROUPED.fullmatch(num):
            raise NumberError(f"'{shown}' is ambiguous: its comma does not group thousands, so it may be a "
                              "decimal comma", "declare the column's decimalChar: ',' (or its groupChar) in "
                              "the descriptor")
    if group:
        if re.search(r"(^|[^\d])%s|%s($|[^\d])" % (re.escape(group), re.escape(group)), num):
            raise NumberError(f"'{shown}' is not a number: a thousands separator stands beside no digit")
        num = num.replace(group, "")
    if fmt.decimal != ".":
        if "." in num:
            raise NumberError(f"'{shown}' is not a number of this column: it prints '.', and its decimal "
                              f"mark is '{fmt.decimal}'", "declare groupChar: '.' if it groups thousands")
        num = num.replace(fmt.decimal, ".")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", num):
        raise NumberError(f"'{shown}' is not a number")
    return num


def parse(text: str, fmt: NumberFormat = DEFAULT) -> tuple[float, int, str] | None:
    """`read_number`, or None for a text that is not a number."""
    try:
        return read_number(text, fmt)
    except NumberError:
        return None


FORMAT_KEYS = ("decimalChar", "groupChar", "bareNumber")


def number_format(spec: dict, base: NumberFormat = DEFAULT) -> tuple[NumberFormat, list[tuple[str, str]]]:
    """The format a field (or a resource's dialect) declares over `base`, and the problems of its
    keys as (key, message)."""
    problems: list[tuple[str, str]] = []
    decimal, group, bare = base.decimal, base.group, base.bare
    for key in ("decimalChar", "groupChar"):
        if key not in spec:
            continue
        value = spec[key]
        if not isinstance(value, str) or len(value) != 1 or value.isdigit() or value in "+-−":
            problems.append((key, f"{key} must be one character that is not a digit or a sign"))
            continue
        if key == "decimalChar":
            decimal = value
        else:
            group = " " if value.isspace() else value
    if "bareNumber" in spec:
        if not isinstance(spec["bareNumber"], bool):
            problems.append(("bareNumber", "bareNumber must be true or false"))
        else:
            bare = spec["bareNumber"]
    if group is not None and group == decimal:
        problems.append(("groupChar", f"groupChar and decimalChar are both '{decimal}'"))
        group = base.group
    return NumberFormat(decimal, group, bare), problems
