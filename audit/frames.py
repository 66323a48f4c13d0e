"""Datasets held in memory: a descriptor given as a Python mapping, and its tables as DataFrames.

`audit.check(descriptor={...}, tables={"name": frame})` audits what a notebook holds without
writing files. Nothing here interprets a value: it turns what memory holds into what the loaders
already read from files, so that one loader (`audit.dataset`, `audit.figures.load`) checks both.

- **The descriptor** (`descriptor_tree`) becomes the tree `audit.yamlio` builds from a YAML file
  (mappings, lists, text, and numbers that keep their written text), without positions: its
  problems name the key path (`resources[0].schema.fields`) instead of a line. Only what YAML can
  hold is taken (mappings with text or number keys, lists and tuples, text, numbers, true/false,
  null, dates), within the nesting and size limits of `audit.inputs`; anything else is a problem
  at its key path. Paths in it are not read: its tables are the frames, its claims are given in
  it (`claims: [{id: ..., ...}]`, what a claims file lists).
- **A table** (`frame_table`) is a pandas or Polars DataFrame, or a mapping of column names to
  lists of values (no library at all), read column by column as a `audit.readers.TextTable` of
  printed text: text stays text; an integer prints as one (`12`); a float with at most 15
  significant digits (7 in a column of 32-bit floats) and no exponent (`0.1 + 0.2` prints `0.3`,
  `12.0` prints `12`), so that a
  float cannot carry the decimals a report printed (`4.10`): give such a column as text
  (`pd.read_csv(..., dtype=str)`) to keep them; a Decimal as written; None, NaN, NaT and pandas'
  NA as a blank cell; a date as `YYYY-MM-DD`; true/false as `true`/`false`. A number is written
  in the decimal mark its field declares (`decimalChar`), as a spreadsheet's number is
  (`audit.spreadsheet.Shown`); a text cell is read as printed, in the declared marks. A pandas frame's
  named index (after `set_index`) is read as its leading columns, as `reset_index()` gives them.
  Rows are numbered from 1 (row N is `df.iloc[N - 1]`), and a finding's location names the
  frame and the row: `<frame contamination>:3`.
"""
from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ProblemCollector
from .inputs import MAX_DEPTH, MAX_VALUES, too_deep, too_many
from .readers import TextTable
from .spreadsheet import Shown
from .yamlio import Node, Number, Seq, Text

DESCRIPTOR = "<descriptor>"


def frame_display(name: str) -> str:
    """How messages and findings name the frame of resource `name`."""
    return f"<frame {name}>"


# -- the descriptor ----------------------------------------------------------------------------

def descriptor_tree(value: Any, display: str = DESCRIPTOR) -> Node:
    """A descriptor given as a mapping, as the tree `audit.yamlio.load_yaml` gives for a file
    (no positions); an `AuditInputError` naming the key path of everything it cannot hold."""
    problems = ProblemCollector()
    if not isinstance(value, Mapping):
        problems.add(display, f"the descriptor must be a mapping of the dataset's keys (name, resources, ...), "
                     f"not {_kind(value)}")
        problems.raise_if_any()
    count = [0]
    tree = _tree(value, "", 0, display, problems, count)
    problems.raise_if_any()
    return tree


def _tree(value: Any, path: str, depth: int, display: str, problems: ProblemCollector, count: list[int]) -> Any:
    count[0] += 1
    if count[0] > MAX_VALUES:
        if count[0] == MAX_VALUES + 1:
            problems.add(display, too_many(), field=path or None)
        return None
    if isinstance(value, (Mapping, list, tuple)) and depth >= MAX_DEPTH:
        problems.add(display, too_deep(), field=path or None)
        return None
    if isinstance(value, Mapping):
        node = Node()
        node.file, node.line, node.column, node.positions, node.value_positions = display, None, None, {}, {}
        for k, v in value.items():
            key = _scalar(k)
            where = f"{path}.{k}" if path else str(k)
            if not isinstance(key, (str, Number)):
                problems.add(display, f"a key must be text or a number, not {_kind(k)}", field=path or None)
                continue
            node[key] = _tree(v, where, depth + 1, display, problems, count)
        return node
    if isinstance(value, (list, tuple)):
        seq = Seq(_tree(v, f"{path}[{i}]", depth + 1, display, problems, count) for i, v in enumerate(value))
        seq.file, seq.line, seq.column, seq.item_positions = display, None, None, []
        return seq
    scalar = _scalar(value)
    if scalar is _REFUSED:
        problems.add(display, f"{_kind(value)} is not a value a descriptor holds (text, a number, true/false, "
                     "null, a date, a list or a mapping)", field=path or None)
        return None
    return scalar


_REFUSED = object()


def _scalar(value: Any) -> Any:
    """A scalar as YAML would have read it: text as Text, a number as a Number that keeps its text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = Text(value)
        text.line = text.column = None
        return text
    if isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, bool):
        try:
            number = Number(float(value))
        except OverflowError:  # an integer beyond any float: a number no descriptor means
            return _REFUSED
        number.text = _number_text(value) if _finite(value) else str(value)
        return number
    if type(value).__name__ == "bool_":  # numpy's true/false
        return bool(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value
    return _REFUSED


# -- tables ------------------------------------------------------------------------------------

def frame_table(name: str, frame: Any, problems: ProblemCollector) -> TextTable | None:
    """The rows of a DataFrame (pandas, Polars) or a mapping of column -> values as the printed text
    the loaders read; None with a problem for anything else, or a cell of a type no table prints."""
    display = frame_display(name)
    columns = _columns(frame, display, problems)
    if columns is None:
        return None
    names, values, single = columns
    table = FrameTable(display, names, header_line=0)
    height = len(values[0]) if values else 0
    bad = False
    for r in range(height):
        texts: list = []
        for c, column in enumerate(values):
            value = column[r]
            text = printed(value, 7 if single[c] else 15)
            if text is None:
                problems.add(display, f"the cell holds {_kind(value)}, not text, a number or a date", r + 1,
                             field=names[c])
                bad, text = True, ""
            elif _is_number(value) and _finite(value):
                text = Shown(text)  # written in the decimal mark its field declares, as a spreadsheet's number
            texts.append(text)
        if any(t.strip() for t in texts):  # a row of blanks is skipped, as a blank line of a CSV file
            table.rows.append((r + 1, texts))
    if bad:
        return None
    if not table.rows:
        problems.add(display, "the frame has no rows")
        return None
    return table


class FrameTable(TextTable):
    """A frame's rows as text; its header has no line (problems about columns name the frame alone)."""

    def locate(self, problems: ProblemCollector, since: int) -> None:
        for p in problems.problems[since:]:
            if p.file == self.file and p.line == 0:
                p.line = None


def _columns(frame: Any, display: str, problems: ProblemCollector) -> tuple[list[str], list[list], list[bool]] | None:
    """The column names, each column's values as Python objects, and whether it holds 32-bit floats
    (printed with 7 significant digits, what they hold), without importing a library."""
    library = type(frame).__module__.partition(".")[0]
    if library == "pandas" and hasattr(frame, "iloc") and hasattr(frame, "columns"):
        if any(n is not None for n in frame.index.names):
            frame = frame.reset_index()
        series = [frame.iloc[:, i] for i in range(frame.shape[1])]
        return ([str(c) for c in frame.columns], [s.tolist() for s in series],
                [str(s.dtype).lower() == "float32" for s in series])
    if library == "polars" and hasattr(frame, "get_columns"):
        series = frame.get_columns()
        return ([str(c) for c in frame.columns], [s.to_list() for s in series],
                [str(s.dtype) == "Float32" for s in series])
    if library == "polars" and hasattr(frame, "collect"):
        problems.add(display, "a LazyFrame is a query, not a table", hint="give the frame it computes: .collect()")
        return None
    if isinstance(frame, Mapping):
        names, values = [], []
        for k, v in frame.items():
            if isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or not hasattr(v, "__getitem__"):
                problems.add(display, f"column '{str(k)[:60]}' must be a list of values, not {_kind(v)}", field=str(k))
                return None
            names.append(str(k))
            values.append(list(v))
        if len({len(v) for v in values}) > 1:
            problems.add(display, "the columns have different lengths (" +
                         ", ".join(f"{n}: {len(v)}" for n, v in zip(names, values)) + ")")
            return None
        return names, values, [str(getattr(getattr(v, "dtype", None), "name", "")) == "float32"
                               for v in frame.values()]
    problems.add(display, f"a table is a pandas or Polars DataFrame, or a mapping of column names to lists of "
                 f"values, not {_kind(frame)}")
    return None


def printed(value: Any, digits: int = 15) -> str | None:
    """A cell as a report prints it (see the module's docstring); None for a value no table holds.
    `digits`: the significant digits of a float (15 for a double, 7 for a 32-bit float)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, (numbers.Real, Decimal)):
        if isinstance(value, float) and math.isnan(value):
            return ""
        return _number_text(value, digits) if _finite(value) else str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, bool) \
        and type(value).__name__ != "bool_"


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(value)
    except (TypeError, ValueError, OverflowError):
        return False


def _number_text(value: Any, digits: int = 15) -> str:
    """A finite number in plain notation: an integer as its digits, a Decimal as written, a float
    with at most `digits` significant digits (15: what a double holds without noise)."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    try:
        return format(Decimal(format(float(value), f".{digits}g")), "f")
    except InvalidOperation:  # pragma: no cover - a finite float always reads as a Decimal
        return repr(float(value))


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    module = type(value).__module__.partition(".")[0]
    return f"a value of type '{'' if module == 'builtins' else module + '.'}{type(value).__name__}'"


class Frames:
    """The tables of a dataset in memory, by resource name; each read once, when its resource is."""

    def __init__(self, tables: Mapping[str, Any] | None):
        problems = ProblemCollector()
        if tables is not None and not isinstance(tables, Mapping):
            problems.add("tables", f"tables must map resource names to DataFrames, not {_kind(tables)}")
            problems.raise_if_any()
        self.tables = {str(k): v for k, v in (tables or {}).items()}
        self.used: set[str] = set()

    def display(self, name: str) -> str:
        return frame_display(name)

    def read(self, name: str, display: str, where: str, problems: ProblemCollector) -> TextTable | None:
        """The frame of resource `name` (declared at `where` of the descriptor) as text, or None
        with a problem."""
        self.used.add(name)
        if name not in self.tables:
            problems.add(display, f"resource '{name}' has no table: tables has no frame of that name",
                         field=f"{where}.name", hint=f"pass tables={{'{name}': frame, ...}}")
            return None
        return frame_table(name, self.tables[name], problems)

    def check_unused(self, display: str, problems: ProblemCollector) -> None:
        """A frame no resource declares: a misspelt name would otherwise go unaudited."""
        for name in self.tables:
            if name not in self.used:
                problems.add(display, f"tables['{name[:60]}'] is not a resource of the descriptor",
                             field="resources", hint="each frame needs a resource of its name, with its schema")

    @staticmethod
    def claims(meta: Mapping, display: str, problems: ProblemCollector) -> Any:
        """The claims a descriptor in memory gives (a list, or a mapping with `claims`, as a claims
        file holds them); None with a problem for a path (a dataset in memory reads no file)."""
        raw = meta.get("claims")
        if isinstance(raw, str):
            problems.add(display, "a dataset in memory reads no file: give the claims themselves, a list of "
                         "mappings as a claims file holds them", field="claims")
            return None
        return raw


def refuse_path(display: str, where: str, what: str, problems: ProblemCollector) -> None:
    """A key of a descriptor in memory that names a file to read (a hierarchy's code list)."""
    problems.add(display, f"a dataset in memory reads no file: {what} cannot be read", field=where)
