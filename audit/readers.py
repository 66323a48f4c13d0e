"""A resource's file as rows of printed text, whatever its format: the one place a format is added.

Both dataset layouts (`audit.dataset`, `audit.figures.load`) read their tables through
`read_resource`, which gives a `TextTable`: the header, then each row's cells as the text a
reader of the report saw, with the line (a CSV file's line, a spreadsheet's row number) and, in
a spreadsheet, the cell (`Sheet1!C4`) of each value. What the text means (numbers, periods,
members) is the loaders' business.

- **CSV** (`.csv`, `.tsv`, `.txt`, or `format: csv`): in the resource's `encoding` (Frictionless;
  default UTF-8, or UTF-16/UTF-32 when the file starts with their byte order mark), with its
  `dialect.delimiter`. A file that is not valid UTF-8 and declares no encoding is refused with
  the encoding charset-normalizer guesses and the line to add (`audit.inputs.decode_table`).
- **Spreadsheets** (`.xlsx`, `.xlsm`, or `format: xlsx`): see `audit.spreadsheet`; OpenDocument
  (`.ods`, or `format: ods`): see `audit.ods`.
- **Databases** (a table or one SELECT of a `.sqlite`/`.duckdb` file or of PostgreSQL): see
  `audit.databases`. Each row's values print as the database holds them; locations name the
  table and the row's primary key (`monitor.sqlite!contamination[region=Tovuz].area`).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import AuditInputError, ProblemCollector
from .inputs import MAX_TABLE_BYTES, decode_table, read_bytes, text_encoding

SPREADSHEET_FORMATS = {"xlsx", "xlsm", "ods"}
TEXT_FORMATS = {"csv", "tsv", "txt", ""}


@dataclass
class TextTable:
    """A table as printed: `header` (one text per column) at `header_line`, then `rows` of
    (line, texts). In a spreadsheet, `sheet` and `columns` (the letter of each column) name cells."""

    file: str
    header: list[str]
    header_line: int = 1
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    sheet: str | None = None
    columns: list[str] | None = None
    positional: bool = False  # no header row: the declared fields are the columns, in order
    encoding: str | None = None  # a CSV file's declared encoding
    refs: dict[str, str] = field(default_factory=dict)  # field -> column letter, once `records` matched them
    row_names: dict[int, str] | None = None  # a database's rows: line -> table[key=value, ...]

    def locate(self, problems: ProblemCollector, since: int) -> None:
        """Problems found in a spreadsheet's rows (those from `since` on) name its sheet, and
        their cell where the problem is a field's: `table.xlsx!Sheet1!C4`."""
        if self.sheet is None and self.row_names is None:
            return
        for p in problems.problems[since:]:
            if p.file != self.file:
                continue
            cell = self.cell(p.line, p.field)
            if self.row_names is not None and cell is None and p.line in self.row_names:
                cell = self.row_names[p.line]
            if cell is None and self.sheet is None:
                continue
            p.file = f"{self.file}!{cell or self.sheet}"
            if cell:
                p.line = None

    def cell(self, line: int | None, name: str | None) -> str | None:
        """The spreadsheet cell of a field in a row (`Sheet1!C4`), a database's row and column
        (`contamination[region=Tovuz].area`), None for a CSV file."""
        if line is None:
            return None
        if self.row_names is not None:
            row = self.row_names.get(line)
            return f"{row}.{name}" if row and name else row
        if self.sheet is None or name not in self.refs:
            return None
        return f"{self.sheet}!{self.refs[name]}{line}"


def file_format(res: dict, path: Path) -> str:
    """The format of a resource: its `format`, else its file's extension, lower case."""
    fmt = res.get("format")
    return (fmt if isinstance(fmt, str) else path.suffix.lstrip(".")).lower()


def read_resource(path: Path, file: str, res: dict, display: str, where: str, problems: ProblemCollector,
                  line: int | None = None, hint: str | None = None) -> TextTable | None:
    """The file of resource `res` (named `where`, declared at `display`:`line`) as a `TextTable`,
    or None with the problems added: an unknown format or encoding, a sheet or range the file
    lacks, bytes not valid in the encoding, malformed CSV."""
    from .dataset import _delimiter, _line

    from .databases import database_format

    kind = database_format(res, path)
    if kind is not None:
        return read_database(kind, path, file, res, display, where, problems, line)
    fmt = file_format(res, path)
    dialect = res.get("dialect") if isinstance(res.get("dialect"), dict) else {}
    if res.get("dialect") is not None and not isinstance(res.get("dialect"), dict):
        problems.add(display, "dialect must be a mapping (delimiter, sheetName, range...)",
                     _line(res, "dialect") or line, field=f"{where}.dialect")
        return None
    if fmt in SPREADSHEET_FORMATS:
        from .spreadsheet import read_sheet

        if res.get("encoding") is not None:
            problems.add(display, "a spreadsheet has no text encoding; remove 'encoding'",
                         _line(res, "encoding"), field=f"{where}.encoding")
        return read_sheet(path, file, dialect, display, where, problems, line, fmt)
    if fmt not in TEXT_FORMATS:
        problems.add(display, f"format '{fmt[:20]}' cannot be read", _line(res, "format") or line,
                     field=f"{where}.format", hint="resources are CSV files, spreadsheets (.xlsx with the xlsx "
                     "extra, .ods with the ods extra), Parquet files or databases (sqlite, duckdb, postgresql)")
        return None
    encoding = res.get("encoding")
    if encoding is not None:
        why = text_encoding(encoding)
        if why:
            problems.add(display, why, _line(res, "encoding") or line, field=f"{where}.encoding",
                         hint="name it as Python's codecs do: windows-1252, latin-1, utf-16, iso-8859-15...")
            return None
        encoding = encoding.strip()
    delimiter = _delimiter(dialect, display, problems)
    try:
        text = decode_table(read_bytes(path, file, MAX_TABLE_BYTES, hint), file, encoding,
                            f"resource '{where}'")
    except AuditInputError as exc:
        problems.problems.extend(exc.problems)
        return None
    table = csv_table(text, file, delimiter, problems)
    if table is not None:
        table.encoding = encoding
    return table


MAX_DATABASE_ROWS = 1_000_000  # rows of a database resource read into memory


def database_rows(kind: str, path: Path | None, file: str, res: dict, display: str, where: str,
                  problems: ProblemCollector, line: int | None, limit: int):
    """The `audit.databases.Source` a database resource declares, its column names and at most
    `limit` + 1 rows as text; None with the problems added (a bad declaration, a database that
    cannot be read). Both the in-memory path and the engine's scan call it."""
    from .databases import DatabaseError, source_of, text_rows
    from .dataset import _line

    if res.get("encoding") is not None:
        problems.add(display, "a database resource has no text encoding; remove 'encoding'", _line(res, "encoding"),
                     field=f"{where}.encoding")
    source = source_of(res, kind, path, file, display, where, problems, line)
    if source is None:
        return None
    try:
        names, rows = text_rows(source, limit)
    except DatabaseError as exc:
        problems.add(display, f"resource '{where}': cannot read {source.display}: {exc}", _line(res, "dialect") or line,
                     field=f"{where}.dialect")
        return None
    return source, names, rows


def read_database(kind: str, path: Path | None, file: str, res: dict, display: str, where: str,
                  problems: ProblemCollector, line: int | None) -> TextTable | None:
    """A database resource's rows as text (`database_rows`), each row named by the table and its
    primary key (`schema.primaryKey`, when the resource declares one) or its number."""
    from .dataset import _line

    read = database_rows(kind, path, file, res, display, where, problems, line, MAX_DATABASE_ROWS)
    if read is None:
        return None
    source, names, rows = read
    if len(rows) > MAX_DATABASE_ROWS:
        problems.add(display, f"resource '{where}': {source.display} holds more than {MAX_DATABASE_ROWS:,} rows "
                     "to read into memory", _line(res, "dialect") or line, field=f"{where}.dialect",
                     hint="a larger table is read by the engine: give the resource 'scan: true' (table layout)")
        return None
    if not rows:
        problems.add(source.display, f"{source.what}: the table has no rows")
        return None
    table = TextTable(source.display, names, header_line=1, rows=[(i + 2, r) for i, r in enumerate(rows)])
    schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
    key = schema.get("primaryKey")
    key = [key] if isinstance(key, str) else key
    if isinstance(key, list) and key and all(isinstance(k, str) and k in names for k in key):
        at = [names.index(k) for k in key]
        table.row_names = {ln: f"{source.what}[" + ", ".join(f"{k}={r[i]}" for k, i in zip(key, at)) + "]"
                           for ln, r in table.rows}
    else:
        table.row_names = {ln: f"{source.what}[row {ln - 1}]" for ln, _ in table.rows}
    return table


def csv_table(text: str, file: str, delimiter: str, problems: ProblemCollector) -> TextTable | None:
    """A CSV text as a `TextTable`: each record with the line it starts on; blank lines skipped,
    malformed CSV a problem at its line (the rows before it are kept)."""
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.add(file, "the file is empty", 1)
        return None
    except csv.Error as exc:
        problems.add(file, f"malformed CSV: {exc}", 1)
        return None
    table = TextTable(file, header)
    start = 2
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return table
        except csv.Error as exc:
            problems.add(file, f"malformed CSV: {exc}", reader.line_num)
            return table
        line, start = start, reader.line_num + 1
        if any(c.strip() for c in record):
            table.rows.append((line, record))


def records(table: TextTable, declared: list[str], problems: ProblemCollector,
            formats: dict | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a table as (line, {field: text as printed}), once its header is checked against
    the declared fields (an undeclared, missing or repeated column stops the table; a spreadsheet's
    column with neither header nor values is left out). A row of the wrong width is a problem at
    its line. A spreadsheet's number is written in its field's decimal mark and thousands
    separator (`formats`: field -> `audit.numbers.NumberFormat`)."""
    formats = formats or {}
    file, hl = table.file, table.header_line
    if table.positional:
        header = list(declared)
        width = len(table.header)
        if width < len(declared):
            problems.add(file, f"the range has {width} columns, and the descriptor declares {len(declared)} fields",
                         hl)
            return
        keep = list(range(len(declared)))
        extra = [i for i in range(len(declared), width) if any(i < len(r) and r[i].strip() for _, r in table.rows)]
        if extra:
            problems.add(file, f"the range has values in {len(extra)} more column(s) than the declared fields", hl)
            return
    else:
        header = [" ".join(h.split()) for h in table.header]
        keep = [i for i, h in enumerate(header)
                if h or table.sheet is None or any(i < len(r) and r[i].strip() for _, r in table.rows)]
        header = [header[i] for i in keep]
        unknown = [h for h in header if h not in declared]
        hint = ("the header is the range's first row (or its headerRows): give the resource's dialect the range "
                "of the table" if table.sheet is not None else None)
        for h, i in zip(header, keep):
            if not h:
                where = table.columns[i] if table.columns else str(i + 1)
                problems.add(file, f"column {where} has values but no header", hl, hint=hint)
            elif h in unknown:
                problems.add(file, f"column '{h}' is not declared in the descriptor's schema", hl, field=h, hint=hint)
        for name in declared:
            if name not in header:
                problems.add(file, f"declared field '{name}' has no column in the file", hl, field=name)
        if len(set(header)) != len(header):
            problems.add(file, "the header repeats a column name", hl)
        if unknown or len(set(header)) != len(header) or any(name not in header for name in declared):
            return
    if table.columns is not None:
        table.refs = {name: table.columns[i] for name, i in zip(header, keep)}
    width = len(table.header)
    for line, record in table.rows:
        if len(record) != width:
            problems.add(file, f"expected {width} values, found {len(record)}", line)
            continue
        yield line, {name: record[i] if isinstance(record[i], str) else record[i].text(formats.get(name))
                     for name, i in zip(header, keep)}

