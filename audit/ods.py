"""OpenDocument spreadsheet resources (`.ods`, or `format: ods`): read as `.xlsx` ones are.

```yaml
- name: clearance_by_region
  path: clearance.ods
  dialect: {sheetName: Table 3, range: "B3:F12", headerRows: [1, 2], headerJoin: "_"}
```

The dialect, the merged cells and the locations are those of `audit.spreadsheet` (the same
functions read them): `sheetName` or `sheetNumber`, `range`, `headerRows`, `headerJoin`,
`header: false`; a header merged across columns names each, a text merged down the rows is each
row's, a number merged is read once; a figure's location is `table.ods!Sheet1!C4`.

- **As shown**: an ODS cell carries its value (`office:value="1.645486"`) and the text the
  spreadsheet showed (`<text:p>1.65</text:p>`). The text is what was printed, so it is what is
  read, with its decimals (`1.65` has two); the value only checks it. A text that cannot be the
  value as some format shows it (`4.1` for a value of 5.3: a file edited by hand, or written by a
  program that does not format) is refused at its cell, since no spreadsheet would show it. The
  decimal mark and the thousands separator are the ones the text's reading agrees with the value
  (`1.234,5` and `1,234.5` both read 1234.5), and the number is then written in the field's, as an
  `.xlsx` number is. A text in scientific notation or a fraction is read as `General` shows the
  value. Dates are written 2018-12-31, March 2015 or 2018, after the parts (day, month, year) of
  the cell's date style; booleans TRUE and FALSE; texts as shown (paragraphs on lines, comments
  left out).
- **Repeated cells**: `table:number-columns-repeated` and `table:number-rows-repeated` are
  expanded within the range read; empty repeats (LibreOffice ends each row with a thousand empty
  cells, and a sheet with a million empty rows) are skipped without being expanded.

The reader is zipfile and a defusedxml parser fed `content.xml` in pieces (the `ods` extra):
no tree of the document is built, only the cells of the range read are kept, and the sheets after
the one read are not parsed. A hostile file ends in one message naming the file (and the sheet and
cell where there is one), within the limits of `.xlsx`: an archive expanding past `MAX_UNPACKED`,
an entity declared or external (refused by defusedxml: an `.ods` file has none), nesting past
`MAX_DEPTH`, a cell repeated or merged past the sheet's last column or row, more than `MAX_CELLS`
cells with values or merged, a cell's text longer than `MAX_CELL_TEXT`.
"""
from __future__ import annotations

import datetime
import io
import math
import re
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

from .errors import AuditInputError, ProblemCollector
from .inputs import MAX_DEPTH, MAX_TABLE_BYTES, read_bytes, size_text
from .readers import TextTable
from .spreadsheet import (MAX_CELLS, MAX_COLUMN, MAX_ROW, MAX_UNPACKED, Shown, _date, _general, _letters,
                          frame, grid_table, pick_sheet, sheet_dialect, unpacked_within_limit)

MAX_CELL_TEXT = 32_767  # characters a cell may show (a spreadsheet program's own limit)
MIMETYPES = {"application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.spreadsheet-template"}
CHUNK = 1 << 20
RESAVE = "save it again as .ods from a spreadsheet program"

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_NUMBER = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_SHEET, _ROW, _CELL, _COVERED = _TABLE + "table", _TABLE + "table-row", _TABLE + "table-cell", _TABLE + "covered-table-cell"
_CALCEXT_TYPE = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_REPEAT, _SPANNED, _ROWS_SPANNED = (_TABLE + "number-columns-repeated", _TABLE + "number-columns-spanned",
                                    _TABLE + "number-rows-spanned")
_PARAGRAPHS = {_TEXT + "p", _TEXT + "h"}
_HIDDEN = {_OFFICE + "annotation", _TEXT + "note-body"}  # text a cell holds but does not show
_DATE_PARTS = {_NUMBER + "day": "d", _NUMBER + "month": "m", _NUMBER + "year": "y"}


def read_ods(path: Path, file: str, dialect: dict, display: str, where: str, problems: ProblemCollector,
             line: int | None = None) -> TextTable | None:
    """The sheet (or range) a resource's dialect names in an `.ods` file, as a `TextTable`; None
    with the problem (see the module documentation)."""
    bad, spec = sheet_dialect(dialect, display, where, problems, line)
    if spec is None:
        return None
    sheet_name, sheet_number, cells, header_rows, join, header = spec
    sheet = _Sheets(sheet_name, sheet_number, cells)
    if not _read_book(path, file, sheet, problems):
        return None
    if sheet.title is None:
        pick_sheet(sheet.names, sheet_name, sheet_number, bad)
        return None
    block = frame(sheet.title, sheet.used or (1, 1, 1, 1), cells, header_rows, dialect, bad)
    if block is None:
        return None
    return grid_table(file, sheet.title, sheet.grid, sheet.merges, block, header_rows, join, header)


def sheet_names(path: Path, file: str, problems: ProblemCollector) -> list[str] | None:
    """The names of the sheets of an `.ods` file, in order; None with the problem for a file that
    cannot be read."""
    sheet = _Sheets(None, 0, None)  # sheet 0 is none: every sheet is seen, none read
    return sheet.names if _read_book(path, file, sheet, problems) else None


def _read_book(path: Path, file: str, sheet: "_Sheets", problems: ProblemCollector) -> bool:
    """Parse the file's styles and content into `sheet`; False with the problem for a file that
    cannot be read, is not a spreadsheet, is too large unpacked, damaged, or declares XML entities."""
    from .extras import need

    try:
        data = read_bytes(path, file, MAX_TABLE_BYTES)
        xml = need("defusedxml.ElementTree", f"{file}: an OpenDocument spreadsheet", "ods")
    except AuditInputError as exc:
        problems.problems.extend(exc.problems)
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if not unpacked_within_limit(archive, file, problems) or not _is_spreadsheet(archive, file, problems):
                return False
            for member in ("styles.xml", "content.xml"):
                if member in archive.namelist():
                    _parse(archive, member, sheet, xml)
    except _Refused as exc:
        problems.add(f"{file}!{exc.where}" if exc.where else file, exc.message, hint=exc.hint)
        return False
    except (xml.EntitiesForbidden, xml.ExternalReferenceForbidden, xml.DTDForbidden) as exc:
        problems.add(file, f"{sheet.member} declares an XML entity or refers to an external one ({exc}): an "
                     ".ods file has none, and one can expand without end or read another file",
                     hint=RESAVE)
        return False
    except (ParseError, ExpatError) as exc:
        problems.add(file, f"not a spreadsheet that can be read: {sheet.member}: {exc}", hint=RESAVE)
        return False
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, zlib.error,
            NotImplementedError, RuntimeError) as exc:  # a damaged archive, an unknown compression, an encrypted member
        problems.add(file, f"not a spreadsheet that can be read: {type(exc).__name__}: {str(exc)[:200]}", hint=RESAVE)
        return False
    return True


def _is_spreadsheet(archive: zipfile.ZipFile, file: str, problems: ProblemCollector) -> bool:
    names = set(archive.namelist())
    if "mimetype" in names and archive.getinfo("mimetype").file_size <= 200:
        kind = archive.read("mimetype").decode("ascii", "replace").strip()
        if kind not in MIMETYPES:
            problems.add(file, f"not an OpenDocument spreadsheet: its mimetype is '{kind[:80]}'", hint=RESAVE)
            return False
    if "META-INF/manifest.xml" in names and archive.getinfo("META-INF/manifest.xml").file_size <= 1 << 20 \
            and b"encryption-data" in archive.read("META-INF/manifest.xml"):
        problems.add(file, "the spreadsheet is encrypted (saved with a password)", hint="save it again without one")
        return False
    if "content.xml" not in names:
        problems.add(file, "not a spreadsheet that can be read: the archive has no content.xml", hint=RESAVE)
        return False
    return True


class _Refused(Exception):
    def __init__(self, message: str, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.where, self.hint = message, where, hint


class _Done(Exception):
    """The sheet read has ended: the rest of the document is not parsed."""


def _parse(archive: zipfile.ZipFile, member: str, target: _Sheets, xml) -> None:
    """`member` fed, a piece at a time, to the expat parser of a `DefusedXMLParser` (which refuses
    entity declarations and external references), counting the bytes inflated (an archive's
    headers may understate them). Its element and text events go to `target` straight from expat:
    ElementTree's own handlers, in Python, would make each of a sheet's cells cost five times as
    much, and a file of ten million empty cells a minute and a half."""
    target.member = member
    expat = xml.DefusedXMLParser().parser  # the attribute defusedxml itself installs its handlers on
    expat.ordered_attributes = False
    expat.StartElementHandler, expat.EndElementHandler = target.start, target.end
    expat.CharacterDataHandler = target.data
    inflated = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                inflated += len(chunk)
                if inflated > MAX_UNPACKED:
                    raise _Refused(f"{member} expands to more than the {size_text(MAX_UNPACKED)} a spreadsheet may")
                expat.Parse(chunk, False)
        expat.Parse(b"", True)
    except _Done:
        pass


def _count(attrib: dict, key: str, sheet: _Sheets, col: int) -> int:
    """A repeat or span count (`key`, an attribute of the table namespace): a whole number from 1
    (one too large to matter is capped)."""
    value = attrib.get(_TABLE + key)
    if value is None:
        return 1
    value = value.strip()
    if not value.isdigit() or not value.isascii() or int(value[:12]) < 1:
        raise _Refused(f"table:{key} must be a whole number from 1, not '{value[:20]}'", sheet._where(col), RESAVE)
    return int(value[:12]) if len(value) <= 12 else 10 ** 12


class _Sheets:
    """The parser's target: keeps the date styles, the names of the sheets, and of the sheet the
    dialect names, the cells (with values) and merged ranges that meet the range read, and the
    extent of its used cells. Everything else is seen once and dropped."""

    def __init__(self, sheet_name: str | None, sheet_number: int, cells):
        self.sheet_name, self.sheet_number, self.cells = sheet_name, sheet_number, cells
        self.member = "content.xml"
        self.names: list[str] = []
        self.title: str | None = None  # the sheet read, once it starts
        self.reading = False
        self.grid: dict[tuple[int, int], str | Shown] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.used: tuple[int, int, int, int] | None = None
        self.stored = self.merged = 0
        self.depth = self.sheet_depth = 0
        self.row = 0  # rows of the sheet before the current one
        self.row_repeat = 1
        self.col = 0  # columns of the row before the current cell
        self.runs: list[tuple[int, int, str | Shown | None, int, int]] = []  # column, repeat, value, spans
        self.cell: dict | None = None
        self.covered = False
        self.cell_depth = self.paragraph_depth = self.hidden_depth = 0
        self.text: list[str] = []
        self.length = self.paragraphs = 0
        self.cell_styles: dict[str, str] = {}  # cell style -> its data style
        self.date_styles: dict[str, str] = {}  # data style -> the parts it shows ("dmy")
        self.date_style: str | None = None

    # -- the parser's callbacks --------------------------------------------------------------------

    def start(self, tag: str, attrib: dict) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(f"{self.member} nests elements more than {MAX_DEPTH} deep", self.title, RESAVE)
        if self.cell is not None:
            self._cell_content(tag, attrib)
        elif self.reading:
            if tag == _ROW:
                self.row_repeat = _count(attrib, "number-rows-repeated", self, 1)
                self.col, self.runs = 0, []
            elif tag in (_CELL, _COVERED):
                self.cell, self.covered, self.cell_depth = attrib, tag == _COVERED, self.depth
                self.text, self.length, self.paragraphs = [], 0, 0
        elif tag == _SHEET:
            name = attrib.get(_TABLE + "name", f"Sheet{len(self.names) + 1}")
            self.names.append(name)
            if name == self.sheet_name if self.sheet_name is not None else len(self.names) == self.sheet_number:
                self.title, self.reading, self.sheet_depth = name, True, self.depth
        elif tag == _STYLE + "style" and attrib.get(_STYLE + "data-style-name"):
            self.cell_styles[attrib.get(_STYLE + "name", "")] = attrib[_STYLE + "data-style-name"]
        elif tag == _NUMBER + "date-style":
            self.date_style = attrib.get(_STYLE + "name", "")
            self.date_styles[self.date_style] = ""
        elif self.date_style is not None and tag in _DATE_PARTS:
            self.date_styles[self.date_style] += _DATE_PARTS[tag]

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.cell is not None:
            if depth == self.cell_depth:
                self._end_cell()
            elif depth == self.hidden_depth:
                self.hidden_depth = 0
            elif depth == self.paragraph_depth:
                self.paragraph_depth = 0
        elif self.reading:
            if tag == _ROW:
                self._end_row()
            elif tag == _SHEET and depth == self.sheet_depth:
                raise _Done
        elif tag == _NUMBER + "date-style":
            self.date_style = None

    def data(self, text: str) -> None:
        if self.paragraph_depth and not self.hidden_depth:
            if "  " in text or "\n" in text or "\t" in text or "\r" in text:
                text = re.sub(r"[ \t\r\n]+", " ", text)  # white space in a paragraph shows as one space
            if not self.text or self.text[-1].endswith(("\n", " ")):
                text = text.lstrip(" ")
            self._add(text)

    def close(self) -> None:
        return None

    # -- a cell's text -----------------------------------------------------------------------------

    def _cell_content(self, tag: str, attrib: dict) -> None:
        if self.covered or self.hidden_depth:
            return
        if tag in _HIDDEN or tag.startswith(_DRAW):
            self.hidden_depth = self.depth
        elif tag in _PARAGRAPHS and self.depth == self.cell_depth + 1:
            if self.paragraphs:
                self._add("\n")
            self.paragraphs += 1
            self.paragraph_depth = self.depth
        elif self.paragraph_depth:
            if tag == _TEXT + "s":
                count = attrib.get(_TEXT + "c", "1")
                self._add(" " * (min(int(count[:6]), MAX_CELL_TEXT + 1) if count.isdigit() else 1))
            elif tag == _TEXT + "tab":
                self._add("\t")
            elif tag == _TEXT + "line-break":
                self._add("\n")

    def _add(self, text: str) -> None:
        self.length += len(text)
        if self.length > MAX_CELL_TEXT:
            raise _Refused(f"the cell shows more than {MAX_CELL_TEXT:,} characters, the most a spreadsheet cell may",
                           self._where(self.col + 1))
        self.text.append(text)

    def _where(self, col: int, row: int | None = None) -> str:
        return f"{self.title}!{_letters(col)}{row or self.row + 1}"

    # -- cells and rows ----------------------------------------------------------------------------

    def _end_cell(self) -> None:
        attrib, self.cell = self.cell, None
        if not attrib and not self.paragraphs:
            self.col += 1  # the commonest cell: empty, once
            return
        self.paragraph_depth = self.hidden_depth = 0
        first = self.col + 1
        repeat = _count(attrib, "number-columns-repeated", self, first) if _REPEAT in attrib else 1
        self.col += repeat
        if self.covered:
            return
        spans = (_count(attrib, "number-columns-spanned", self, first), _count(attrib, "number-rows-spanned", self, first)) \
            if _SPANNED in attrib or _ROWS_SPANNED in attrib else (1, 1)
        value = self._value(attrib, "".join(self.text) if self.paragraphs else None, first)
        if value is None and spans == (1, 1):
            return  # an empty cell, however often repeated, takes no room
        if self.col + spans[0] - 1 > MAX_COLUMN:
            raise _Refused(f"the row's cells run past column {_letters(MAX_COLUMN)}, the last a sheet has "
                           f"(a cell repeated {repeat:,} times, spanning {spans[0]:,} columns)", self._where(first),
                           RESAVE)
        self.runs.append((first, repeat, value, *spans))

    def _end_row(self) -> None:
        top, repeat, self.row = self.row + 1, self.row_repeat, self.row + self.row_repeat
        if not self.runs:
            return
        if any(self.row + down - 1 > MAX_ROW for _, _, _, _, down in self.runs):
            raise _Refused(f"the sheet's rows run past row {MAX_ROW:,}, the last a sheet has (a row repeated "
                           f"{repeat:,} times)", self._where(self.runs[0][0], top), RESAVE)
        rows = self._within(top, self.row, 0)
        for first, count, value, cols, down in self.runs:
            last = first + count - 1
            self._use(top, first, self.row + down - 1, last + cols - 1)
            if value is not None:
                columns = self._within(first, last, 1)
                self.stored += len(rows) * len(columns)
                if self.stored > MAX_CELLS:
                    raise _Refused(f"the sheet has more than {MAX_CELLS:,} cells with values in the range read, the "
                                   "most a spreadsheet table may", self._where(first, top),
                                   "give the resource's dialect the range of the table")
                for r in rows:
                    for c in columns:
                        self.grid[(r, c)] = value
            if cols > 1 or down > 1:
                self.merged += repeat * count * cols * down
                if self.merged > MAX_CELLS:
                    raise _Refused(f"the sheet merges more than {MAX_CELLS:,} cells, the most a spreadsheet may",
                                   self._where(first, top), RESAVE)
                for r in range(top, self.row + 1):
                    for c in range(first, last + 1):
                        if self._meets(r, c, r + down - 1, c + cols - 1):
                            self.merges.append((r, c, r + down - 1, c + cols - 1))

    def _within(self, first: int, last: int, axis: int) -> range:
        """The rows (axis 0) or columns (1) from first to last that the range read holds."""
        if self.cells is None:
            return range(first, last + 1)
        low, high = (self.cells[0], self.cells[2]) if axis == 0 else (self.cells[1], self.cells[3])
        return range(max(first, low), min(last, high) + 1)

    def _meets(self, top: int, left: int, bottom: int, right: int) -> bool:
        if self.cells is None:
            return True
        t, l, b, r = self.cells
        return top <= b and bottom >= t and left <= r and right >= l

    def _use(self, top: int, left: int, bottom: int, right: int) -> None:
        if self.used is None:
            self.used = (top, left, bottom, right)
        else:
            t, l, b, r = self.used
            self.used = (min(t, top), min(l, left), max(b, bottom), max(r, right))

    # -- what a cell shows -------------------------------------------------------------------------

    def _value(self, attrib: dict, text: str | None, col: int) -> str | Shown | None:
        kind = attrib.get(_OFFICE + "value-type")
        if attrib.get(_CALCEXT_TYPE) == "error":
            return text or None  # `#DIV/0!` beside a value of 0: a formula's error, shown as such
        if kind in ("float", "percentage", "currency"):
            raw = attrib.get(_OFFICE + "value")
            if raw is None:
                return text or None
            try:
                value = float(raw[:400])
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise _Refused(f"the cell's value '{raw[:40]}' is not a number", self._where(col), RESAVE)
            result = shown_number(value, text, kind == "percentage")
            if result is None:
                raise _Refused(f"the cell shows '{text[:60]}' but holds {raw[:40]}: its text is not its value as a "
                               "format shows it", self._where(col), RESAVE)
            return result
        if kind == "date":
            day = _iso_date(attrib.get(_OFFICE + "date-value", ""))
            if day is None:
                return text or None
            style = self.cell_styles.get(attrib.get(_TABLE + "style-name", ""), "")
            return _date(day, self.date_styles.get(style, ""))
        if kind == "boolean":
            return "TRUE" if attrib.get(_OFFICE + "boolean-value", "").strip().lower() in ("true", "1") else "FALSE"
        if text is None and kind == "string":
            text = attrib.get(_OFFICE + "string-value")
        return text or None


def _iso_date(raw: str) -> datetime.datetime | None:
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d)(?:[.,]\d+)?)?", raw.strip())
    if not m:
        return None
    try:
        return datetime.datetime(*(int(g) for g in m.groups() if g is not None))
    except ValueError:
        return None


_RUN = re.compile(r"[0-9](?:[0-9.,'’\u00a0\u202f\u2009 ]*[0-9])?")
_MINUS = ("-", "\u2212")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_PLAIN = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,15})(?:\.([0-9]{1,15}))?(%?)")


def shown_number(value: float, text: str | None, percent: bool = False) -> str | Shown | None:
    """A number cell as it shows: its text read as a number with the decimals it shows, when some
    reading of its marks (decimal point or comma, thousands separators) is the value rounded to
    them (the value times 100 for a percentage; a thousandth or a millionth of it for a format that
    scales); None when none is. A text without digits is a format's text alone; one in scientific
    notation or a fraction is read as `General` shows the value."""
    if not text or not any(ch.isdigit() for ch in text):
        return (text or "").strip() or Shown(_general(value * 100 if percent else value), suffix="%" if percent else "")
    plain = _PLAIN.fullmatch(text)
    if plain:  # the commonest texts (`-1234.5`, `1,234`, `12.5%`): one reading
        sign, whole, frac, mark = plain.groups()
        digits = sign + whole.replace(",", "") + ("." + frac if frac is not None else "")
        target = value * 100 if mark else value
        if abs(float(digits) - target) <= 0.5000001 * 10.0 ** -len(frac or "") + abs(target) * 1e-12:
            return Shown(digits, suffix=mark, grouped="," in whole)
    if re.search(r"[0-9][eE][+-]?[0-9]|[0-9]/[0-9]", text):
        return Shown(_general(value))
    target = value * 100 if percent else value
    readings = [(m, m.start() > 0 and text[m.start() - 1] in _MINUS, digits, decimals, grouped)
                for m in _RUN.finditer(text) for digits, decimals, grouped in _readings(m.group())]
    for scale in (1, 1000, 1_000_000):
        aim = target / scale
        for m, negative, digits, decimals, grouped in readings:
            number, room = float(digits), 0.5000001 * 10.0 ** -decimals + abs(aim) * 1e-12
            if abs((-number if negative else number) - aim) <= room or not negative and aim < 0 \
                    and abs(number + aim) <= room:
                prefix = text[:m.start() - 1 if negative else m.start()]
                return Shown(("-" if negative else "") + digits, prefix.lstrip(), text[m.end():].rstrip(), grouped)
    return None


def _readings(run: str) -> list[tuple[str, int, bool]]:
    """The numbers a run of digits and marks can be read as: (digits, decimals, grouped). A whole
    number when its marks are one thousands separator, grouping by three; a decimal at its one
    point or comma when the whole part's marks are another such separator."""
    out = []
    whole = _grouped(run)
    if whole is not None:
        out.append((whole, 0, whole != run))
    for point in ".,":
        head, sep, frac = run.rpartition(point)
        if sep and frac.isdigit() and point not in head:
            digits = _grouped(head)
            if digits is not None:
                out.append((f"{digits}.{frac}", len(frac), digits != head))
    return out


def _grouped(run: str) -> str | None:
    """The digits of a whole number written with at most one thousands separator, None when its
    marks do not group by three (`1,234,567`, `1 234`, `12`; not `1,23` or `1,234.567,8`)."""
    if run.isdigit():
        return run
    marks = set(run.translate(_NO_DIGITS))
    if len(marks) != 1:
        return None
    first, *rest = run.split(marks.pop())
    if not 1 <= len(first) <= 3 or not first.isdigit() or any(len(g) != 3 or not g.isdigit() for g in rest):
        return None
    return first + "".join(rest)
