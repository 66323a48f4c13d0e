"""Spreadsheet resources (`.xlsx`): one sheet, or a range of it, read as the text it shows.

```yaml
- name: clearance_by_region
  path: clearance.xlsx
  dialect: {sheetName: Table 3, range: "B3:F12", headerRows: [1, 2], headerJoin: "_"}
```

- **Which cells**: `dialect.sheetName` or `dialect.sheetNumber` (Frictionless; 1 is the first
  sheet, the default), and `dialect.range` (ours), the block of cells holding the table, header
  included; without one, the sheet's used cells. `headerRows` (Frictionless, within the range,
  default `[1]`) are joined with `headerJoin` (default a space) into each column's name, which
  must be a declared field's; `header: false` says the range has no header and its columns are
  the fields in order.
- **Merged cells**: a header merged across columns (or down rows) names each column under it. In
  the rows below, a text merged down (a region printed once beside its districts) is each row's;
  a number merged is read once, in its first cell, never copied: a figure is printed once.
- **As shown**: a number is read through its cell's number format, as the sheet shows it: 1.645486
  formatted `0.00` was printed `1.65`, and has two decimals (rounded half away from zero, as the
  spreadsheet does). `#,##0` groups thousands, `0%` multiplies by 100 and prints `%`, quoted text
  and currency codes (`[$€-407]`) are printed around the number (declare `bareNumber: false`
  to read those), `General` shows up to 15 significant digits. Dates print as 2018-12-31, or
  March 2015 and 2018 for formats without a day or a month. A formula is read by the value the
  spreadsheet last saved with it (a file that never saved one shows a blank).
- **Where**: a figure's location names the file, the sheet and the cell (`table.xlsx`, row 4,
  `Table 3!C4`); its row is the sheet's row number.

The reader is openpyxl (the `xlsx` extra), imported here alone, when a dataset has a spreadsheet.
It reads the workbook from bytes already read within the input limits, after checking that the
archive does not expand past `MAX_UNPACKED` (a zip bomb is refused before a cell is read).
"""
from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from .errors import AuditInputError, ProblemCollector
from .inputs import MAX_TABLE_BYTES, read_bytes, size_text
from .numbers import NumberFormat
from .readers import TextTable

MAX_UNPACKED = 256 * 1024 * 1024  # bytes a workbook's archive may expand to
MAX_CELLS = 4_000_000  # cells of the range read
INSTALL_HINT = "spreadsheets are read with openpyxl: pip install 'figure-audit[xlsx]' (or pip install openpyxl)"
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # the largest sheet a spreadsheet holds (XFD1048576)


def read_sheet(path: Path, file: str, dialect: dict, display: str, where: str, problems: ProblemCollector,
               line: int | None = None, fmt: str = "xlsx") -> TextTable | None:
    """The sheet (or range) a resource's dialect names, as a `TextTable`; None with a problem
    naming the file and the descriptor's line for what cannot be read. An `.ods` file (`fmt`) is
    read by `audit.ods`, through the same dialect and the same table."""
    if fmt == "ods":
        from .ods import read_ods

        return read_ods(path, file, dialect, display, where, problems, line)
    bad, spec = sheet_dialect(dialect, display, where, problems, line)
    if spec is None:
        return None
    sheet_name, sheet_number, cells, header_rows, join, header = spec
    try:
        data = read_bytes(path, file, MAX_TABLE_BYTES)
    except AuditInputError as exc:
        problems.problems.extend(exc.problems)
        return None
    try:
        import openpyxl
    except ImportError:
        problems.add(file, "cannot read a spreadsheet: the xlsx extra is not installed", hint=INSTALL_HINT)
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if not unpacked_within_limit(archive, file, problems):
                return None
            merged = _merged_cells(archive)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error) as exc:
        problems.add(file, f"not a spreadsheet that can be read: {exc}", hint="save it again as .xlsx")
        return None
    if merged > MAX_CELLS:  # openpyxl makes an object of every merged cell as it loads
        problems.add(file, f"the workbook merges more than {MAX_CELLS:,} cells, the most a spreadsheet may")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of extensions it does not read (data validation...)
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ParseError, TypeError) on a damaged file
        problems.add(file, f"not a spreadsheet that can be read: {type(exc).__name__}: {str(exc)[:200]}",
                     hint="save it again as .xlsx")
        return None
    index = pick_sheet(book.sheetnames, sheet_name, sheet_number, bad)
    if index is None:
        return None
    ws = book[book.sheetnames[index]]
    block = frame(ws.title, (ws.min_row, ws.min_column, ws.max_row, ws.max_column), cells, header_rows, dialect, bad)
    if block is None:
        return None
    top, left, bottom, right = block
    grid = {}
    for row in ws.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right):
        for cell in row:
            if cell.value is not None:
                grid[(cell.row, cell.column)] = shown(cell.value, cell.number_format)
    merges = [(rng.min_row, rng.min_col, rng.max_row, rng.max_col) for rng in ws.merged_cells.ranges]
    return grid_table(file, ws.title, grid, merges, block, header_rows, join, header)


def sheet_names(path: Path, file: str, fmt: str, problems: ProblemCollector) -> list[str] | None:
    """The names of a workbook's sheets, in order; None with a problem for a file that cannot be
    read (as `read_sheet` would report it)."""
    if fmt == "ods":
        from .ods import sheet_names as ods_sheet_names

        return ods_sheet_names(path, file, problems)
    first = read_sheet(path, file, {"sheetNumber": 1, "header": False}, file, path.name, problems)
    if first is None:  # the checks of size, expansion and merged cells come first
        return None
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(read_bytes(path, file, MAX_TABLE_BYTES)), read_only=True)
        names = list(book.sheetnames)
        book.close()
    return names


def dialect_problems(dialect: dict, display: str, where: str, problems: ProblemCollector, line: int | None):
    """`bad(message, key=None, hint=None)`: a problem of the resource's dialect, at the descriptor's
    line of `key` (of the resource's path without one)."""
    from .dataset import _line

    def bad(message: str, key: str | None = None, hint: str | None = None) -> None:
        problems.add(display, message, (_line(dialect, key) if key else None) or line,
                     field=f"{where}.dialect.{key}" if key else f"{where}.path", hint=hint)

    return bad


def unpacked_within_limit(archive: zipfile.ZipFile, file: str, problems: ProblemCollector) -> bool:
    """Whether the archive's members expand to at most MAX_UNPACKED bytes (as their headers say;
    a reader counts what it inflates too); a problem when not."""
    unpacked = sum(i.file_size for i in archive.infolist())
    if unpacked > MAX_UNPACKED:
        problems.add(file, f"the workbook expands to {size_text(unpacked)}, more than the "
                     f"{size_text(MAX_UNPACKED)} a spreadsheet may")
        return False
    return True


def pick_sheet(names: list[str], sheet_name: str | None, sheet_number: int, bad) -> int | None:
    """The position among the workbook's sheet `names` of the one the dialect names, or None with
    the problem (an unknown name lists the sheets)."""
    if sheet_name is not None:
        if sheet_name not in names:
            bad(f"the workbook has no sheet '{sheet_name}'", "sheetName",
                hint="its sheets: " + ", ".join(repr(n) for n in names[:20]))
            return None
        return names.index(sheet_name)
    if sheet_number > len(names):
        bad(f"sheetNumber {sheet_number}: the workbook has {len(names)} sheet(s)", "sheetNumber")
        return None
    return sheet_number - 1


def frame(title: str, used: tuple[int, int, int, int], cells: tuple[int, int, int, int] | None,
          header_rows: list[int], dialect: dict, bad) -> tuple[int, int, int, int] | None:
    """The block of cells (top, left, bottom, right) a table is read from: the dialect's range
    (`cells`), else the sheet's used cells (`used`, the same four); None with the problem for a
    range outside the sheet, header rows past the table's end, or more than MAX_CELLS cells."""
    if cells is None:
        top, left, bottom, right = used
    else:
        top, left, bottom, right = cells
        if top > used[2] or left > used[3]:
            last = f"{_letters(used[3])}{used[2]}"
            bad(f"range {dialect.get('range')} lies outside the sheet '{title}', whose cells end at {last}", "range")
            return None
    if header_rows and top + header_rows[-1] - 1 > bottom:
        bad(f"headerRows {header_rows}: the table has {bottom - top + 1} row(s) from row {top}", "headerRows")
        return None
    if (bottom - top + 1) * (right - left + 1) > MAX_CELLS:
        bad(f"the range holds more than {MAX_CELLS:,} cells, the most a spreadsheet table may", "range" if cells else None)
        return None
    return top, left, bottom, right


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?"')


def _merged_cells(archive: zipfile.ZipFile) -> int:
    """How many cells the sheets' merged ranges cover, read from their XML before openpyxl is."""
    total = 0
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            for m in _MERGE.finditer(archive.read(info)):
                c1, r1, c2, r2 = m.groups()
                if c2 is not None:
                    total += (abs(int(r2) - int(r1)) + 1) * (abs(_column(c2.decode()) - _column(c1.decode())) + 1)
    return total


def sheet_dialect(dialect: dict, display: str, where: str, problems: ProblemCollector, line: int | None):
    """What a spreadsheet resource's dialect asks for, the same keys in every format: (`bad`, the
    callback that adds a problem of the dialect, and the request or None with its problems added)."""
    bad = dialect_problems(dialect, display, where, problems, line)
    return bad, _dialect(dialect, bad)


def _dialect(dialect: dict, bad):
    """The sheet, range and header a dialect declares, or None (with the problems given to `bad`)."""
    ok = True
    sheet_name, sheet_number = dialect.get("sheetName"), dialect.get("sheetNumber", 1)
    if sheet_name is not None and (not isinstance(sheet_name, str) or not sheet_name or len(sheet_name) > 100):
        bad("sheetName must be a sheet's name (text)", "sheetName")
        ok = False
    if isinstance(sheet_number, bool) or not isinstance(sheet_number, (int, float)) or sheet_number < 1 \
            or not float(sheet_number).is_integer() or sheet_number > 10_000:
        bad("sheetNumber must be a whole number from 1 (the first sheet)", "sheetNumber")
        ok = False
    cells = None
    raw = dialect.get("range")
    if raw is not None:
        m = _RANGE.match(raw) if isinstance(raw, str) else None
        if m:
            left, top, right, bottom = (_column(m.group(1)), int(m.group(2)), _column(m.group(3)), int(m.group(4)))
            if not (1 <= top <= bottom <= MAX_ROW and 1 <= left <= right <= MAX_COLUMN):
                m = None
            else:
                cells = (top, left, bottom, right)
        if not m:
            bad(f"range must be a block of cells such as B3:F12, not {str(raw)[:40]!r}", "range")
            ok = False
    header = dialect.get("header", True)
    if not isinstance(header, bool):
        bad("header must be true or false", "header")
        ok = False
    rows = dialect.get("headerRows", [1])
    if not isinstance(rows, list) or not rows or len(rows) > 10 or any(
            isinstance(r, bool) or not isinstance(r, (int, float)) or not float(r).is_integer() or not 1 <= r <= 100
            for r in rows) or list(rows) != sorted(set(rows)):
        bad("headerRows must list the header's rows within the range, in order (e.g. [1, 2])", "headerRows")
        ok = False
    join = dialect.get("headerJoin", " ")
    if not isinstance(join, str) or len(join) > 10:
        bad("headerJoin must be a short text", "headerJoin")
        ok = False
    if not ok:
        return None
    return (sheet_name, int(sheet_number), cells, [int(r) for r in rows] if header else [], join, header)


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def grid_table(file: str, title: str, grid: dict, merges, block: tuple[int, int, int, int],
               header_rows: list[int], join: str, header: bool) -> TextTable:
    """The table in `block` (top, left, bottom, right) of a sheet named `title`, from its cells
    (`grid`: (row, column) -> the text or `Shown` number the cell shows; empty cells absent) and
    its merged ranges (`merges`: (first row, first column, last row, last column)), whatever the
    file format: headers joined, merged texts spread, merged numbers read once."""
    top, left, bottom, right = block
    merged: dict[tuple[int, int], tuple[int, int, int]] = {}  # cell -> (first row, first column, merge id)
    budget = MAX_CELLS  # merged ranges laid over one another: at most this many of their cells are read
    for n, (min_row, min_col, max_row, max_col) in enumerate(merges):
        rows = range(max(min_row, top), min(max_row, bottom) + 1)
        cols = range(max(min_col, left), min(max_col, right) + 1)
        budget -= len(rows) * len(cols)
        if budget < 0:
            break
        for r in rows:
            for c in cols:
                merged[(r, c)] = (min_row, min_col, n)
    columns = list(range(left, right + 1))
    head_lines = [top + r - 1 for r in header_rows if top + r - 1 <= bottom]
    names = []
    for c in columns:
        parts, last = [], None
        for r in head_lines:
            origin = merged.get((r, c))
            text = _text(grid.get((origin[0], origin[1]) if origin else (r, c)))
            if origin is not None and origin[2] == last:
                continue  # the same merged header again, one row down
            last = origin[2] if origin else None
            if text.strip():
                parts.append(" ".join(text.split()))
        names.append(join.join(parts))
    first = (head_lines[-1] + 1) if head_lines else top
    table = TextTable(file, names if header else [""] * len(columns), head_lines[0] if head_lines else top,
                      sheet=title, columns=[_letters(c) for c in columns], positional=not header)
    for r in range(first, bottom + 1):
        values = []
        for c in columns:
            value = grid.get((r, c))
            origin = merged.get((r, c))
            if value is None and origin is not None and (origin[0], origin[1]) != (r, c):
                first_value = grid.get((origin[0], origin[1]))
                value = first_value if isinstance(first_value, str) else None  # a number is printed once
            values.append(value if value is not None else "")
        if any(_text(v).strip() for v in values):
            table.rows.append((r, values))
    return table


@dataclass(frozen=True)
class Shown:
    """A number as its cell shows it: the digits already rounded to the format's decimals, the
    text printed before and after, and whether the format groups thousands. Written out by
    `text`, in the decimal mark and thousands separator of the field that reads it."""

    digits: str  # "-1234.50"
    prefix: str = ""
    suffix: str = ""
    grouped: bool = False

    def text(self, fmt: NumberFormat | None = None) -> str:
        decimal = fmt.decimal if fmt else "."
        group = fmt.group if fmt and fmt.group is not None else ("," if decimal != "," else None)
        sign, digits = ("-", self.digits[1:]) if self.digits.startswith("-") else ("", self.digits)
        whole, _, frac = digits.partition(".")
        if self.grouped and group:
            whole = f"{int(whole):,}".replace(",", group)
        return f"{self.prefix}{sign}{whole}{decimal + frac if frac else ''}{self.suffix}"

    def strip(self) -> str:
        return self.text().strip()


def _text(value) -> str:
    return value.text() if isinstance(value, Shown) else (value or "")


def shown(value, number_format: str | None) -> str | Shown:
    """A cell's value as the sheet shows it (see the module documentation)."""
    fmt = number_format or "General"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return _date(value, fmt)
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    if isinstance(value, (int, float)):
        return _number(value, fmt)
    return str(value)


def _date(value, fmt: str) -> str:
    codes = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt).lower()
    day = value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(value, datetime.datetime) and value.time() != datetime.time(0):
        return value.isoformat(sep=" ")
    if "d" in codes or "m" not in codes and "y" not in codes:
        return day.isoformat()
    if "m" in codes:
        return day.strftime("%B %Y")
    return str(day.year)


def _general(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


def _sections(fmt: str) -> list[str]:
    out, part, quoted, bracket = [], "", False, False
    for ch in fmt:
        if ch == '"' and not bracket:
            quoted = not quoted
        elif ch == "[" and not quoted:
            bracket = True
        elif ch == "]" and not quoted:
            bracket = False
        if ch == ";" and not quoted and not bracket:
            out.append(part)
            part = ""
        else:
            part += ch
    return out + [part]


def _number(value: float, fmt: str) -> str | Shown:
    sections = _sections(fmt)
    section = sections[0]
    negative_own = False
    if value < 0 and len(sections) > 1 and sections[1].strip():
        section, negative_own = sections[1], True
    elif value == 0 and len(sections) > 2 and sections[2].strip():
        section = sections[2]
    if section.strip().lower() in ("general", "") or "@" in section:
        return Shown(_general(value))
    prefix, suffix, whole, frac = "", "", "", ""
    seen_number = seen_point = grouped = False
    scale = percent = 0
    i = 0
    while i < len(section):
        ch = section[i]
        lit = None
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            lit, i = section[i + 1:end], end
        elif ch == "\\" and i + 1 < len(section):
            lit, i = section[i + 1], i + 1
        elif ch == "_" and i + 1 < len(section):
            lit, i = " ", i + 1
        elif ch == "*" and i + 1 < len(section):
            lit, i = "", i + 1
        elif ch == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            inner = section[i + 1:end]
            lit = inner[1:].split("-")[0] if inner.startswith("$") else ""
            i = end
        elif ch in "0#?":
            seen_number = True
            if seen_point:
                frac += ch
            else:
                whole += ch
        elif ch == "." and seen_number or ch == "." and section[i + 1:i + 2] in ("0", "#", "?"):
            seen_point = seen_number = True
        elif ch == "," and seen_number and not seen_point:
            rest = section[i + 1:]
            if re.match(r"[0#?]", rest):
                grouped = True
            else:
                scale += 1
        elif ch == "%":
            percent += 1
            lit = "%"
        elif ch in "Ee" and seen_number and section[i + 1:i + 2] in ("+", "-"):
            return Shown(_general(value))  # scientific notation: shown as General
        else:
            lit = ch
        if lit is not None:
            if seen_number:
                suffix += lit
            else:
                prefix += lit
        i += 1
    if not seen_number:
        return (prefix + suffix).strip() or _general(value)  # a format of text alone
    try:
        number = Decimal(repr(float(value))) * (Decimal(100) ** percent) / (Decimal(1000) ** scale)
        if negative_own:
            number = abs(number)
        most = len(frac)
        rounded = number.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, OverflowError):
        return Shown(_general(value))
    text = f"{rounded:f}"
    least = len(frac.rstrip("#?"))
    if "." in text:
        head, tail = text.split(".")
        while len(tail) > least and tail.endswith("0"):
            tail = tail[:-1]
        text = head + ("." + tail if tail else "")
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    head, _, tail = text.partition(".")
    head = head.zfill(whole.count("0")) if whole.count("0") else (head if head != "0" or not tail else "0")
    digits = sign + head + ("." + tail if tail else "")
    if float(digits) == 0:
        digits = digits.lstrip("-")
    return Shown(digits, prefix, suffix.rstrip(), grouped)
