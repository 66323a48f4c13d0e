"""Datasets: a folder holding a descriptor, CSV tables transcribed as printed, and claims.

The descriptor (`datapackage.yaml` or `datapackage.json`) follows the Frictionless Data Package
conventions (`resources`, `schema.fields`, `primaryKey`, `dialect`, `missingValues`) with these
additions, all optional:

- per dataset: `auditProfile` (which rule pack applies; Frictionless reserves `profile` for its own
  package profiles, so a descriptor that used it for ours still loads, but `frictionless validate`
  refuses it), `country`, `year`, `source` (the document), `claims` (path of the claims file);
- per resource: `provenance` (document, table number, title), `totals` (which rows are printed
  totals: `{column: label, labels: [Totals]}`), `dimensions` (constants that hold for the whole
  table, e.g. `{year: 2018}`), `footnotes` (marker, number, text), `hierarchy` (a code list of
  parent/child codes for data in long format);
- per field: `unit` (one of the units the rule pack declares: measures.yaml `quantities`).

A resource's file is a CSV file in its `encoding` or a spreadsheet's sheet (`audit.readers`), and
its numbers are read with the Frictionless `decimalChar`, `groupChar` and `bareNumber` of each
field or of the resource's `dialect` (`audit.numbers`).

Every value keeps the text it was printed with: its decimals decide its precision. An integer
is exact; a value printed with d decimals stands for the interval value +/- 0.5 * 10^-d.
The loader reports every problem it finds, each with file, line and field.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import units
from .databases import database_format, served
from .errors import AuditInputError, Problem, ProblemCollector, did_you_mean
from .inputs import MAX_TABLE_BYTES, load_json, not_regular, read_text
from .numbers import DEFAULT as DEFAULT_FORMAT
from .readers import SPREADSHEET_FORMATS, csv_table, database_rows, file_format, read_resource, records
from . import schemas
from .numbers import FORMAT_KEYS, NumberError, NumberFormat, number_format, read_number
from .yamlio import Node, Number, Seq, Text, load_yaml

DESCRIPTOR_NAMES = ("datapackage.yaml", "datapackage.yml", "datapackage.json")
FIELD_TYPES = {"string", "integer", "number", "year", "boolean"}
NUMERIC_TYPES = {"integer", "number", "year"}
QUALIFIERS = {"exact", "about", "more_than", "at_least", "up_to", "less_than", "between"}
MARKERS = "*†‡§¶#"


def _bound(item) -> units.Unit:
    """The unit of a field or claim as its pack defines it; reading one before the dataset has met
    its pack (contracts.check_structure binds them) is a mistake of the caller."""
    if item.unit_def is None:
        raise RuntimeError(f"the unit '{item.unit}' of '{getattr(item, 'name', None) or item.id}' is read before "
                           "the dataset has met its rule pack (contracts.check_structure binds units)")
    return item.unit_def


class InUnit:
    """What a field or a claim is, given its `unit` (a name) and `unit_def` (the pack's unit, bound)."""
    unit: str | None
    unit_def: units.Unit | None

    @property
    def bound_unit(self) -> units.Unit | None:
        return _bound(self) if self.unit else None

    @property
    def dim(self) -> units.Dim:
        return _bound(self).dim if self.unit else units.NONE

    @property
    def factor(self) -> float:
        return _bound(self).factor if self.unit else 1.0

    @property
    def shown_unit(self) -> str | None:
        """The unit its values are shown in: none for a count (a plain number of things)."""
        return None if not self.unit or _bound(self).number else self.unit


@dataclass
class Field(InUnit):
    name: str
    type: str
    title: str = ""
    unit: str | None = None
    decimals: int | None = None  # declared printed precision (for tables read by the engine)
    missing: frozenset[str] | None = None  # the field's own missingValues (Table Schema v2), else the schema's
    constraints: dict[str, Any] = field(default_factory=dict)  # Frictionless constraints, checked (contracts.py)
    line: int | None = None  # of the field in the descriptor, for messages
    fmt: NumberFormat = DEFAULT_FORMAT  # how its numbers are printed (decimalChar, groupChar, bareNumber)
    # the unit as the rule pack defines it (measures.yaml quantities): set when the dataset meets
    # its pack (contracts.check_structure), as the dataset alone does not know what a unit is
    unit_def: units.Unit | None = field(default=None, repr=False)

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def dim(self) -> units.Dim:
        return units.NONE if self.type == "year" else InUnit.dim.fget(self)

    @property
    def factor(self) -> float:
        return 1.0 if self.type == "year" else InUnit.factor.fget(self)


@dataclass
class Cell:
    text: str
    value: Any = None  # in the field's own unit, None when missing
    decimals: int = 0
    markers: str = ""


@dataclass
class Row:
    line: int
    cells: dict[str, Cell]
    total: bool = False


@dataclass
class Table:
    name: str
    path: str  # as written in the descriptor, relative to the dataset folder
    file: str  # for messages: dataset-folder/path
    title: str
    fields: dict[str, Field]
    rows: list[Row]
    line: int | None = None  # of the resource in the descriptor, for messages
    key: list[str] = field(default_factory=list)
    totals_column: str | None = None
    totals_labels: tuple[str, ...] = ()
    totals_within: list[str] = field(default_factory=list)
    dimensions: dict[str, Any] = field(default_factory=dict)
    footnotes: list[dict] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    hierarchy: dict[str, str] | None = None  # child code -> parent code
    hierarchy_column: str | None = None
    external: str | None = None  # "parquet", "csv" or "database": read by the engine, never loaded into Python
    database: Any = None  # an external database table's `audit.databases.Source`
    source: Path | None = None  # the resolved file of an external table
    delimiter: str = ","
    row_lookup: Any = field(default=None, repr=False)  # set by the engine for external tables
    text: Any = field(default=None, repr=False)  # the `audit.readers.TextTable` read: a spreadsheet names cells

    def cell(self, line: int | None, column: str | None) -> str | None:
        """The spreadsheet cell of a column in the row at `line` (`Sheet1!C4`), a database's table,
        row key and column (`contamination[region=Tovuz].area`); None in a CSV file."""
        if self.text is not None:
            return self.text.cell(line, column)
        if self.database is None or line is None:
            return None
        row = self.row_at(line)
        key = self.row_key(row) if row is not None else {}
        named = ", ".join(f"{k}={v}" for k, v in key.items()) if key else f"row {line - 1}"
        return f"{self.database.what}[{named}]" + (f".{column}" if column else "")

    @property
    def data_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.total]

    @property
    def prints_totals(self) -> bool:
        if self.external:
            return bool(self.totals_column)
        return any(r.total for r in self.rows)

    def row_at(self, line: int) -> Row | None:
        """The row printed at a line of the file (looked up in the engine for external tables)."""
        if self.external:
            return self.row_lookup(line) if self.row_lookup else None
        return next((r for r in self.rows if r.line == line), None)

    def prefetch(self, lines) -> None:
        """Fetch many rows of an external table at once before looking them up one by one."""
        if self.external and self.row_lookup is not None and hasattr(self.row_lookup, "prefetch"):
            self.row_lookup.prefetch(lines)

    def decimals(self, column: str) -> int:
        """The most decimals a column's values were printed with."""
        f = self.fields.get(column)
        if self.external or (f is not None and f.decimals is not None and not self.rows):
            return f.decimals or 0 if f else 0
        return max((r.cells[column].decimals for r in self.rows if column in r.cells), default=0)

    def row_key(self, row: Row) -> dict[str, Any]:
        cols = self.key or [f.name for f in self.fields.values() if not f.numeric][:2]
        return {c: row.cells[c].text for c in cols if c in row.cells}

    def row_label(self, row: Row) -> str:
        key = self.row_key(row)
        return " / ".join(v for v in key.values() if v) or f"line {row.line}"

    def all_columns(self) -> list[str]:
        return list(self.fields) + [d for d in self.dimensions if d not in self.fields]


@dataclass
class Claim(InUnit):
    id: str
    measure: str
    qualifier: str
    unit: str | None
    quote: str
    file: str
    line: int
    value: float | None = None  # in the claim's own unit
    decimals: int = 0
    low: float | None = None
    high: float | None = None
    text: str = ""
    section: str = ""
    locator: str = ""
    footnote: str = ""
    table: str | None = None
    dims: dict[str, list] = field(default_factory=dict)  # the coordinates it is narrowed by: values per dimension
    dim_lines: dict[str, int] = field(default_factory=dict, repr=False)
    raw_dims: dict[str, Any] = field(default_factory=dict, repr=False)  # as written, read again by bind_claims

    unit_def: units.Unit | None = field(default=None, repr=False)  # bound as a Field's is

    def describe_value(self) -> str:
        unit = f" {self.shown_unit}" if self.shown_unit else ""
        q = self.qualifier.replace("_", " ")
        if self.qualifier == "between":
            return f"between {_fmt(self.low)} and {_fmt(self.high)}{unit}"
        prefix = "" if self.qualifier == "exact" else q + " "
        return f"{prefix}{self.text or _fmt(self.value)}{unit}"


@dataclass
class Dataset:
    name: str
    root: Path
    descriptor: str  # display path of the descriptor file
    meta: dict
    tables: dict[str, Table]
    claims: list[Claim]
    claims_file: str | None = None
    # the dimensions a claim may be narrowed by and the one that counts years, from the rule pack
    # (bind_claims); None until a pack meets the dataset
    claim_dimensions: tuple[str, ...] | None = None
    claim_period: str | None = None
    units: units.UnitSystem | None = None  # the rule pack's, once it has met the dataset (check_structure)

    @property
    def profile(self) -> str | None:
        return profile_of(self.meta)


def _fmt(v: float | None) -> str:
    if v is None:
        return "?"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"


def _relative(path: Path) -> Path:
    """Paths under the working directory are shown relative to it, however they were given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def find_descriptor(folder: Path) -> Path | None:
    for name in DESCRIPTOR_NAMES:
        if (folder / name).exists():  # not is_file(): a named pipe here is refused when read, with its name
            return folder / name
    return None


def _inside(root: Path, rel: str, problems: ProblemCollector, file: str, line: int, what: str,
            real_root: Path | None = None) -> Path | None:
    """Resolve a path from a descriptor, refusing anything that leaves the dataset folder.
    `real_root`: the folder resolved, by a caller that checks several paths of one dataset."""
    if not isinstance(rel, str) or not rel.strip():
        problems.add(file, f"{what} must be a relative file path", line)
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", rel):
        problems.add(file, f"{what} '{rel}' is a URL; only files inside the dataset folder are read",
                     line, field="path")
        return None
    candidate = Path(rel)
    resolved = (root / candidate).resolve()
    if candidate.is_absolute() or not resolved.is_relative_to(real_root or root.resolve()):
        problems.add(file, f"{what} '{rel}' leaves the dataset folder", line, field="path",
                     hint="paths in a descriptor must stay inside the dataset folder")
        return None
    reason = not_regular(resolved)  # checked here for the files DuckDB reads too: a named pipe would block it
    if reason:
        problems.add(file, f"{what} '{rel}' {reason}", line, field="path")
        return None
    return resolved


def load_dataset(path: str | Path, read: dict[str, Any] | None = None, frames: Any = None) -> Dataset:
    """Load and validate one dataset folder (or its descriptor file). `read`: descriptors already
    read by the caller, by their display path (a run reads each descriptor once). With `frames`
    (`audit.frames.Frames`) the dataset is in memory: `path` is how it is shown, `read[path]` its
    descriptor, its tables the frames and its claims given in the descriptor."""
    if frames is not None:
        return _load_meta(Path(path), str(path), read[str(path)], frames)
    path = Path(path)
    if path.is_file() and path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise AuditInputError(Problem(str(path), "a file, not a dataset folder or descriptor",
                                      hint="give the folder that holds datapackage.yaml (or the descriptor itself)"))
    if path.is_file():
        folder, descriptor = path.parent, path
    elif path.is_dir():
        folder, descriptor = path, find_descriptor(path)
        if descriptor is None:
            raise AuditInputError(Problem(str(path), "no dataset descriptor found",
                                          hint="a dataset folder holds datapackage.yaml (or .json)"))
    else:
        raise AuditInputError(Problem(str(path), "no such dataset folder"))
    folder = _relative(folder)
    descriptor = folder / descriptor.name
    display = str(descriptor)
    meta = (read or {}).get(display)
    if meta is None:
        meta = _read_descriptor(descriptor, display)
    return _load_meta(folder, display, meta)


def _load_meta(folder: Path, display: str, meta: Any, frames: Any = None) -> Dataset:
    problems = ProblemCollector()
    if not isinstance(meta, dict):
        raise AuditInputError(Problem(display, "the descriptor must be a mapping of the dataset's keys (name, resources, ...)",
                                      getattr(meta, "line", None) or 1))
    schemas.check("descriptor", meta, display, problems)
    if "resources" not in meta:
        problems.add(display, "missing required key 'resources'", _line(meta), field="resources")
    _check_profile(meta, display, problems)
    for key in DESCRIBING_KEYS:
        why = _scalar_problem(meta[key]) if meta.get(key) is not None else None
        if why:
            problems.add(display, f"the dataset's {key} must be one text or number, not {why}",
                         _line(meta, key), field=key)
    resources = meta.get("resources") or []
    if not isinstance(resources, list):
        problems.add(display, "'resources' must be a list", _line(meta, "resources"), field="resources")
        resources = []
    tables: dict[str, Table] = {}
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            problems.add(display, "each resource must be a mapping", item_line(resources, i), field=f"resources[{i}]")
            continue
        table = _load_resource(folder, display, res, i, meta, problems, frames)
        if table is not None:
            if table.name in tables:
                problems.add(display, f"two resources are named '{table.name}'", _line(res, "name"),
                             field=f"resources[{i}].name")
            tables[table.name] = table
    claims: list[Claim] = []
    claims_file = None
    if frames is not None:
        frames.check_unused(display, problems)
        given = frames.claims(meta, display, problems)
        if given:
            claims_file = "<claims>"
            claims = _load_claims(None, claims_file, tables, problems, given)
    elif meta.get("claims"):
        cpath = _inside(folder, meta["claims"], problems, display, _line(meta, "claims"), "claims file")
        if cpath is not None:
            claims_file = str(folder / meta["claims"])
            claims = _load_claims(cpath, claims_file, tables, problems)
    problems.raise_if_any()
    name = meta.get("name") if meta.get("name") is not None else \
        ((folder.resolve().name if frames is None else "") or "dataset")
    return Dataset(name=str(name), root=folder, descriptor=display, meta={k: _plain(v) for k, v in meta.items()},
                   tables=tables, claims=claims, claims_file=claims_file)


# descriptor keys printed in every output (titles, summaries, JSON): one plain value each
DESCRIBING_KEYS = ("name", "title", "description", "country", "year")

FRICTIONLESS_PROFILES = {"data-package", "tabular-data-package", "fiscal-data-package", "data-resource",
                         "tabular-data-resource"}


def _is_frictionless_profile(value: Any) -> bool:
    """Whether a descriptor's `profile` is Frictionless's own (a package profile name or a schema URL)."""
    text = str(value)
    return text in FRICTIONLESS_PROFILES or "://" in text or text.endswith(".json")


def profile_of(meta: dict) -> str | None:
    """The rule pack's profile a descriptor names: `auditProfile`, or (the layout before it) a
    `profile` that is not one of Frictionless's own."""
    if meta.get("auditProfile"):
        return str(meta["auditProfile"])
    legacy = meta.get("profile")
    return str(legacy) if legacy and not _is_frictionless_profile(legacy) else None


def _check_profile(meta: dict, display: str, problems: ProblemCollector) -> None:
    ours, legacy = meta.get("auditProfile"), meta.get("profile")
    if ours is not None and (not isinstance(ours, str) or not ours.strip()):
        problems.add(display, "auditProfile must name a rule pack's profile (text)", _line(meta, "auditProfile"),
                     field="auditProfile")
    if legacy is not None and not isinstance(legacy, str):
        problems.add(display, "profile must be text", _line(meta, "profile"), field="profile")
    elif ours and legacy and not _is_frictionless_profile(legacy) and str(legacy) != str(ours):
        problems.add(display, f"profile '{legacy}' and auditProfile '{ours}' disagree", _line(meta, "profile"),
                     field="profile", hint="auditProfile names the rule pack; profile is Frictionless's own")


def _read_descriptor(path: Path, display: str):
    """A descriptor as positioned values (`audit.yamlio`). A JSON one is checked as JSON first (its
    errors are JSON's), then read by the YAML loader, of which JSON is a subset, for the lines and
    columns of its keys; where the YAML loader reads it otherwise (an escape YAML 1.1 lacks), the
    JSON values are used, without positions."""
    if path.suffix == ".json":
        doc = load_json(path, display)
        try:
            positioned = load_yaml(path, display)
        except AuditInputError:
            return doc
        return positioned if positioned == doc else doc
    return load_yaml(path, display)


def _line(node: Any, key: str | None = None) -> int | None:
    """The line of a value from YAML (of `key` in a mapping); None for one that keeps no position
    (a number, true/false, null: see `item_line` for those in a list)."""
    if isinstance(node, Node):
        return node.pos(key)[0]
    return getattr(node, "line", None) if isinstance(node, (Seq, Text)) else None


def item_line(items: Any, i: int) -> int | None:
    """The line of the i-th item of a list from YAML (whatever the item is)."""
    return items.item_positions[i][0] if isinstance(items, Seq) and i < len(items.item_positions) else None


RESOURCE_KEYS = set(schemas.TABLE_DESCRIPTOR["properties"]["resources"]["items"]["properties"])


PROVENANCE_KEYS = {"document", "table", "title", "footnote", "page", "section", "url", "note"}


def _load_resource(root: Path, display: str, res: Any, index: int, meta: dict,
                   problems: ProblemCollector, frames: Any = None) -> Table | None:
    where = f"resources[{index}]"
    if not isinstance(res, dict):
        problems.add(display, "each resource must be a mapping", _line(res), field=where)
        return None
    if res.get("type", "table") != "table":
        problems.add(display, f"resource type '{res.get('type')}' is not a table: the engine reads tables",
                     _line(res, "type"), field=f"{where}.type")
        return None
    name = res.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name or ""):
        problems.add(display, "resource name must be lower case letters, digits and _", _line(res, "name"),
                     field=f"{where}.name")
        return None
    schema = res.get("schema") or {}
    raw_fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.add(display, "schema.fields must list the table's columns", _line(res, "schema") or _line(res),
                     field=f"{name}.schema.fields")
        return None
    fields: dict[str, Field] = {}
    dialect = res.get("dialect")
    base_fmt = _number_format(dialect, DEFAULT_FORMAT, display, f"{name}.dialect", problems) \
        if isinstance(dialect, dict) else DEFAULT_FORMAT
    for f in raw_fields:
        fname = f.get("name") if isinstance(f, dict) else None
        if not isinstance(fname, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", fname):
            problems.add(display, "each field needs a name (letters, digits, _ and .)", _line(f), field=f"{name}.fields")
            continue
        ftype = str(f.get("type", "string"))
        if ftype not in FIELD_TYPES:
            problems.add(display, f"unknown type '{ftype}' (one of {', '.join(sorted(FIELD_TYPES))})",
                         _line(f, "type"), field=f"{name}.{fname}.type")
            continue
        unit = f.get("unit")
        if unit is not None:  # which units there are, the rule pack says (contracts.check_structure)
            if not units.is_unit_name(unit):
                problems.add(display, f"'{unit}' is not a unit name", _line(f, "unit"), field=f"{name}.{fname}.unit")
                continue
            if ftype not in NUMERIC_TYPES:
                problems.add(display, f"a unit is given for the non-numeric field '{fname}'",
                             _line(f, "unit"), field=f"{name}.{fname}.unit")
                continue
            unit = str(unit).strip()
        decimals = f.get("decimals")
        if decimals is not None and (not isinstance(decimals, float) or not float(decimals).is_integer()
                                     or decimals < 0):
            problems.add(display, "decimals must be a whole number", _line(f, "decimals"),
                         field=f"{name}.{fname}.decimals")
            decimals = None
        fields[fname] = Field(fname, ftype, str(f.get("title", fname)), unit,
                              int(decimals) if decimals is not None else None,
                              field_missing(f, display, f"{name}.{fname}", problems),
                              field_constraints(f, ftype, display, f"{name}.{fname}", problems), line=_line(f),
                              fmt=_number_format(f, base_fmt, display, f"{name}.{fname}", problems))
    path_text = res.get("path")
    server = served(res) if frames is None else None
    if frames is not None:
        file_display = frames.display(name)
    else:
        file_display = server or (str(root / str(path_text)) if path_text else display)
    csv_path = None if server or frames is not None else _inside(root, path_text, problems, display,
                                                                 _line(res, "path") or _line(res), f"{name}: path")
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        problems.add(display, "primaryKey is a field name or a list of field names", _line(schema, "primaryKey"),
                     field=f"{name}.schema.primaryKey")
        key = []
    for k in key:
        if k not in fields:
            problems.add(display, f"primaryKey names unknown field '{k}'", _line(schema, "primaryKey"),
                         field=f"{name}.schema.primaryKey")
    totals = res.get("totals") or {}
    totals_column = totals.get("column") if isinstance(totals, dict) else None
    if totals and totals_column not in fields:
        problems.add(display, f"totals.column '{totals_column}' is not a field", _line(totals, "column") or _line(res, "totals"),
                     field=f"{name}.totals.column")
        totals_column = None
    labels = _totals_labels(totals, display, name, problems) if totals_column else ()
    prov = res.get("provenance") or {}
    if not isinstance(prov, dict):
        problems.add(display, "provenance must be a mapping", _line(res, "provenance"), field=f"{name}.provenance")
    else:
        for pkey in prov:
            if pkey not in PROVENANCE_KEYS:
                problems.add(display, f"unknown provenance key '{pkey}'", _line(prov, pkey) or _line(res, "provenance"),
                             field=f"{name}.provenance.{pkey}",
                             hint=f"provenance takes {', '.join(sorted(PROVENANCE_KEYS))}; quote a value with a comma")
    footnotes = list(res.get("footnotes") or [])
    markers = {str(fn.get("marker")) for fn in footnotes if isinstance(fn, dict) and fn.get("marker")}
    dimensions = {}
    dims_spec = res.get("dimensions") or {}
    if not isinstance(dims_spec, dict):
        problems.add(display, "dimensions must be a mapping of names to values", _line(res, "dimensions"),
                     field=f"{name}.dimensions")
        dims_spec = {}
    for dk, dv in dims_spec.items():
        why = _scalar_problem(dv)
        if why is not None:
            problems.add(display, f"a table-wide dimension takes one value; {str(dv)[:40]!r} is {why}",
                         _line(dims_spec, dk), field=f"{name}.dimensions.{dk}")
            continue
        dimensions[str(dk)] = _plain(dv)
    table = Table(name=name, path=str(path_text), file=file_display, title=str(res.get("title", name)),
                  fields=fields, rows=[], key=key, totals_column=totals_column, totals_labels=labels,
                  totals_within=[str(w) for w in (totals.get("within") or [])] if totals_column else [],
                  dimensions=dimensions, footnotes=footnotes, provenance=dict(res.get("provenance") or {}),
                  line=_line(res))
    hierarchy = res.get("hierarchy")
    if hierarchy and frames is not None:
        from .frames import refuse_path

        refuse_path(display, f"{name}.hierarchy", "the hierarchy's code list", problems)
    elif hierarchy:
        _load_hierarchy(root, display, name, hierarchy, table, problems)
    if frames is not None:
        table.text = frames.read(name, display, f"resources[{index}]", problems)
        if table.text is not None:
            _read_rows(table, table.file, schema.get("missingValues", meta.get("missingValues", [""])), markers, problems)
        if "totals" not in res:
            _default_totals(table)
        return table
    if csv_path is None and not server:
        return None
    fmt = "postgresql" if server else file_format(res, csv_path)
    if res.get("scan") and fmt in SPREADSHEET_FORMATS:
        problems.add(display, f"{name}: a spreadsheet is read into memory, not scanned; remove 'scan'",
                     _line(res, "scan"), field=f"{name}.scan")
        return None
    kind = database_format(res, csv_path)
    if kind is not None and res.get("scan"):
        return _database_table(kind, csv_path, file_display, res, display, table, fields, problems)
    if fmt == "parquet" or res.get("scan"):
        table.external = "parquet" if fmt == "parquet" else "csv"
        table.source = csv_path
        table.delimiter = _delimiter(res.get("dialect") or {}, display, problems)
        encoding = res.get("encoding")
        if isinstance(encoding, str) and encoding.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
            problems.add(display, f"{name}: a table read by the engine (scan, Parquet) is read as UTF-8, not "
                         f"{encoding[:40]}", _line(res, "encoding"), field=f"{name}.encoding",
                         hint="convert the file to UTF-8, or leave out scan: true")
        if any(f.fmt != DEFAULT_FORMAT for f in fields.values()):
            problems.add(display, f"{name}: a table read by the engine (scan, Parquet) prints plain numbers; "
                         "decimalChar, groupChar and bareNumber are read only from tables read into memory",
                         _line(res, "schema"), field=f"{name}.schema.fields",
                         hint="leave out scan: true, or write the numbers plainly")
        _check_external_columns(table, display, _line(res, "path"), problems)
        for fname, f in fields.items():
            if f.constraints:
                problems.add(display, f"constraints of '{fname}' are not checked on a table the engine reads from "
                             "its file (scan, parquet)", _line(res, "schema"), field=f"{name}.{fname}.constraints",
                             hint="drop them, or read the table as CSV without scan to have them checked")
        return table
    _read_table(csv_path, file_display, table, res, display, _line(res, "path"),
                schema.get("missingValues", meta.get("missingValues", [""])), markers, problems)
    if "totals" not in res:
        _default_totals(table)
    return table


def _database_table(kind: str, path: Path | None, file: str, res: dict, display: str, table: Table,
                    fields: dict, problems: ProblemCollector) -> Table | None:
    """A database table the engine reads (`scan: true`): streamed into its storage when it starts,
    never into Python. Its columns are checked here, from the first row."""
    read = database_rows(kind, path, file, res, display, table.name, problems, _line(res), 0)
    if read is None:
        return None
    source, names, _ = read
    table.external, table.database, table.file = "database", source, source.display
    if any(f.fmt != DEFAULT_FORMAT for f in fields.values()) or any(f.constraints for f in fields.values()):
        problems.add(display, f"{table.name}: a database table read by the engine holds plain values: "
                     "decimalChar, groupChar, bareNumber and constraints are read only from tables read into memory",
                     _line(res, "schema"), field=f"{table.name}.schema.fields", hint="leave out scan: true")
    _check_columns(table, names, problems)
    return table


def _check_external_columns(table: Table, display: str, line: int | None, problems: ProblemCollector) -> None:
    """A table read by the engine: its columns must be the declared fields (types are cast on read)."""
    import duckdb

    from . import sandbox
    from .expr.compiler import sql_literal

    reader = "read_parquet" if table.external == "parquet" else "read_csv_auto"
    extra = "" if table.external == "parquet" else f", delim={sql_literal(table.delimiter)}, header=true"
    try:
        con = sandbox.connect([table.source])
        names = [r[0] for r in con.execute(
            f"DESCRIBE SELECT * FROM {reader}({sql_literal(str(table.source))}{extra})").fetchall()]
        con.close()
    except duckdb.Error as exc:
        problems.add(table.file, f"cannot read the {table.external} file: {str(exc).splitlines()[0]}", line)
        return
    _check_columns(table, names, problems)


def _check_columns(table: Table, names: list[str], problems: ProblemCollector) -> None:
    """The columns of a table read by the engine are its declared fields (types are cast on read)."""
    for name in names:
        if name not in table.fields:
            problems.add(table.file, f"column '{name}' is not declared in the descriptor's schema", field=name)
    for name in table.fields:
        if name not in names:
            problems.add(table.file, f"declared field '{name}' has no column in the file", field=name)


def _load_hierarchy(root: Path, display: str, name: str, spec: Any, table: Table,
                    problems: ProblemCollector) -> None:
    if not isinstance(spec, dict) or "column" not in spec or "codelist" not in spec:
        problems.add(display, "hierarchy needs 'column' and 'codelist'", _line(spec), field=f"{name}.hierarchy")
        return
    if spec["column"] not in table.fields:
        problems.add(display, f"hierarchy column '{spec['column']}' is not a field", _line(spec, "column"),
                     field=f"{name}.hierarchy.column")
        return
    path = _inside(root, spec["codelist"], problems, display, _line(spec, "codelist"), f"{name}: codelist")
    if path is None:
        return
    parents: dict[str, str] = {}
    try:
        text = read_text(path, str(root / spec["codelist"]), MAX_TABLE_BYTES)
    except AuditInputError as exc:
        problems.problems.extend(exc.problems)
        return
    reader = csv.DictReader(text.splitlines(keepends=True))
    if not reader.fieldnames or not {"code", "parent"} <= set(reader.fieldnames):
        problems.add(str(root / spec["codelist"]), "a code list needs the columns code,parent", 1)
        return
    for rec in reader:
        if rec.get("parent"):
            parents[rec["code"].strip()] = rec["parent"].strip()
    table.hierarchy = parents
    table.hierarchy_column = spec["column"]


def _plain(value: Any) -> Any:
    if isinstance(value, Number):
        return int(value) if value.is_integer_text else float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_number(text: str, markers: set[str] | str = MARKERS,
                 fmt: NumberFormat = DEFAULT_FORMAT) -> tuple[float, int, str] | None:
    """Parse a printed number: '1,142,486', '4.00', '*4.00', '146*'. Returns value, decimals, markers."""
    try:
        value, decimals, found = read_number(text, fmt)
    except NumberError:
        return None
    return None if any(ch not in markers for ch in found) else (value, decimals, found)


def _number_format(spec: dict, base: NumberFormat, display: str, where: str,
                   problems: ProblemCollector) -> NumberFormat:
    """The number format a field or a dialect declares (decimalChar, groupChar, bareNumber) over `base`."""
    if not any(k in spec for k in FORMAT_KEYS):
        return base
    fmt, wrong = number_format(spec, base)
    for key, message in wrong:
        problems.add(display, message, _line(spec, key), field=f"{where}.{key}")
    return fmt


_LARGE_TABLE_HINT = "a larger table is read by the engine, not into memory: give its resource 'scan: true', or a Parquet file"


def _default_totals(table: Table) -> None:
    """A table whose resource says nothing of totals (one written by `frictionless describe`):
    its totals rows are those whose first text column holding Total or Totals says so there."""
    labels = ("Total", "Totals")
    for fname, f in table.fields.items():
        if f.type != "string":
            continue
        rows = [r for r in table.rows if r.cells[fname].text in labels]
        if rows:
            table.totals_column, table.totals_labels = fname, labels
            for r in rows:
                r.total = True
                r.cells[fname] = Cell(text=r.cells[fname].text)
            return


def _totals_labels(totals: dict, display: str, name: str, problems: ProblemCollector) -> tuple[str, ...]:
    """The labels that mark a printed totals row: a list of them, or one (default Total, Totals)."""
    labels = totals.get("labels")
    if labels is None:
        return ("Total", "Totals")
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list) or not labels or any(_scalar_problem(x, in_list=True) for x in labels):
        problems.add(display, "totals.labels must be a label or a list of labels (text)", _line(totals, "labels"),
                     field=f"{name}.totals.labels")
        return ()
    return tuple(str(x) for x in labels)


def _delimiter(dialect: Any, display: str, problems: ProblemCollector) -> str:
    """The field delimiter a resource's `dialect` declares: one character, not a quote or a line break."""
    if not isinstance(dialect, dict) or "delimiter" not in dialect:
        return ","
    value = dialect["delimiter"]
    if not isinstance(value, str) or len(value) != 1 or value in "\"'\r\n":
        problems.add(display, f"dialect.delimiter must be one character other than a quote or a line break, "
                              f"not {str(value)[:20]!r}", _line(dialect, "delimiter"), field="dialect.delimiter")
        return ","
    return value


def _read_table(path: Path, file: str, table: Table, res: dict, display: str, line: int | None, missing: list,
                markers: set[str], problems: ProblemCollector) -> None:
    """The rows of a table's file (CSV in its encoding, or a spreadsheet's sheet: `audit.readers`)."""
    text = read_resource(path, file, res, display, table.name, problems, line, hint=_LARGE_TABLE_HINT)
    if text is None:
        return
    table.text = text
    _read_rows(table, file, missing, markers, problems)


def _read_rows(table: Table, file: str, missing: list, markers: set[str], problems: ProblemCollector) -> None:
    """The rows of the `TextTable` read for a table (from its file, or a frame: `audit.frames`)."""
    missing_values = {str(m) for m in (missing or [""])} | {""}
    text = table.text
    since = len(problems.problems)
    formats = {f.name: f.fmt for f in table.fields.values()}
    for line, record in records(text, list(table.fields), problems, formats):
        cells: dict[str, Cell] = {}
        total = bool(table.totals_column) and record[table.totals_column].strip() in table.totals_labels
        for fname, raw in record.items():
            if total and fname == table.totals_column:
                cells[fname] = Cell(text=raw.strip())  # the label of a totals row, even in a year column
                continue
            f = table.fields[fname]
            cells[fname] = _parse_cell(raw, f, markers, missing_values if f.missing is None else f.missing,
                                       file, line, problems)
        table.rows.append(Row(line=line, cells=cells, total=total))
    if not table.rows and not any(p.file == file for p in problems.problems):
        problems.add(file, "the table has no rows", text.header_line + 1)
    text.locate(problems, since)


def csv_records(text: str, display: str, declared: list[str], delimiter: str, problems: ProblemCollector):
    """The rows of a CSV text, as (line, {column: text as written}), once its header is checked
    against the declared columns (see `audit.readers.records`)."""
    table = csv_table(text, display, delimiter, problems)
    if table is not None:
        yield from records(table, declared, problems)


def field_missing(f: dict, display: str, where: str, problems: ProblemCollector) -> frozenset[str] | None:
    """A field's own `missingValues` (Table Schema v2: they replace the schema's for that field), or
    None. A totals label is read as one before any missing value (a totals row of a year column
    prints `Total`, which Frictionless can only read as a missing year)."""
    values = f.get("missingValues")
    if values is None:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        problems.add(display, "missingValues must be a list of texts", _line(f, "missingValues"),
                     field=f"{where}.missingValues")
        return None
    return frozenset(v.strip() for v in values) | {""}


def field_constraints(f: dict, ftype: str, display: str, where: str, problems: ProblemCollector) -> dict[str, Any]:
    """A field's Frictionless `constraints`, validated (see audit.constraints)."""
    from .constraints import parse_constraints

    return parse_constraints(f, ftype, display, where, problems)


def _parse_cell(raw: str, f: Field, markers: set[str], missing: set[str], display: str, line: int,
                problems: ProblemCollector) -> Cell:
    text = raw.strip()
    if text in missing:
        return Cell(text=text)
    if f.type == "string":
        return Cell(text=text, value=text)
    if f.type == "boolean":
        low = text.lower()
        if low not in {"true", "false", "yes", "no"}:
            problems.add(display, f"'{text}' is not a boolean", line, field=f.name)
            return Cell(text=text)
        return Cell(text=text, value=low in {"true", "yes"})
    try:
        value, decimals, found = read_number(text, f.fmt)
    except NumberError as exc:
        problems.add(display, exc.message, line, field=f.name, hint=exc.hint)
        return Cell(text=text)
    if any(ch not in markers for ch in found):
        problems.add(display, f"'{text}' is not a number", line, field=f.name,
                     hint="declare the footnote marker in the resource's footnotes")
        return Cell(text=text)
    if f.type in ("integer", "year") and decimals:
        problems.add(display, f"'{text}' is not an integer", line, field=f.name)
        return Cell(text=text)
    return Cell(text=text, value=value, decimals=decimals, markers=found)


def _scalar_problem(value: Any, in_list: bool = False) -> str | None:
    """Why a value cannot be one plain value (None when it can): only text and finite numbers
    are; a boolean, a list (`in_list`: one inside a list), a mapping, a date or a non-finite
    number is not."""
    if isinstance(value, bool):
        return "a boolean (YAML reads yes, no, on and off as booleans: quote a name that is one)"
    if isinstance(value, str):
        return None
    if isinstance(value, (int, float)):
        return None if math.isfinite(value) else "a number that is not finite"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a nested list" if in_list else "a list"
    return f"a value of type {type(value).__name__}"


def _dims(raw: Any, key: str, period: bool = False) -> list:
    """The values a claim gives for one dimension (a value or a list of values; for the `period`,
    whole years, or a span of years `2016-2018`). Raises ValueError saying what is wrong with a
    value that cannot be one."""
    if raw is None:
        return []
    if period and isinstance(raw, str) and re.fullmatch(r"\d{4}\s*[-–]\s*\d{4}", raw):
        a, b = (int(x) for x in re.split(r"\s*[-–]\s*", raw))
        if b - a > 1000:
            raise ValueError(f"the span {raw!s} is longer than 1000 years")
        return list(range(a, b + 1))
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        why = _scalar_problem(item, in_list=isinstance(raw, list))
        if why is None and period and not (isinstance(item, (int, float)) and not isinstance(item, bool)
                                           and float(item).is_integer()):
            why = "not a whole year"
        if why is None and period and not 1 <= item <= 9999:
            why = "not a year from 1 to 9999"
        if why is not None:
            raise ValueError(f"{key} must be a value or a list of values; {str(item)[:40]!r} is {why}")
        out.append(int(item) if period else _plain(item))
    return out


def bind_claims(ds: Dataset, dimensions: list[str] | tuple[str, ...], period: str | None,
                source: str = "the rule pack") -> list[Problem]:
    """Read the claims' dimensions as the rule pack declares them: each key a claim is narrowed by
    must be one of `dimensions`, and the values of the `period` are whole years (a span `2016-2018`
    stands for each year in it). Returns the problems, each at the claim's key."""
    found: list[Problem] = []
    for claim in ds.claims:
        for key, raw in claim.raw_dims.items():
            line = claim.dim_lines.get(key) or claim.line
            if key not in dimensions:
                near = did_you_mean(key, [*dimensions, *(k for k in CLAIM_KEYS if k not in claim.raw_dims)])
                found.append(Problem(claim.file, f"claim '{claim.id}' is narrowed by '{key}', which is not a "
                                     f"dimension claims may have", line, field=key,
                                     hint=(near + " " if near else "") + f"the dimensions {source} declares: "
                                     f"{', '.join(dimensions) or '(none)'}"))
                continue
            try:
                claim.dims[key] = _dims(raw, key, period=key == period)
            except ValueError as exc:
                found.append(Problem(claim.file, f"claim '{claim.id}': {exc}", line, field=key))
    if not found:
        ds.claim_dimensions, ds.claim_period = tuple(dimensions), period
    return found


CLAIM_KEYS = set(schemas.TABLE_CLAIM["properties"])


def claim_nodes(path: Path | None, display: str, kind: str, problems: ProblemCollector, data: Any = None):
    """The claims of a claims file, as (index, line, mapping); none, with the problems added, when
    the file does not follow the declaration of its `kind` (`audit.schemas`: "claims" or
    "figure-claims"). `data`: the claims already read (a descriptor in memory gives them:
    `audit.frames`), instead of the file at `path`."""
    if path is not None:
        try:
            data = load_yaml(path, display)
        except AuditInputError as exc:
            problems.problems.extend(exc.problems)
            return
    items = data.get("claims") if isinstance(data, dict) else data
    if not isinstance(items, list):
        problems.add(display, "the claims file must hold a list under 'claims'", _line(data) or 1)
        return
    found = schemas.problems_of(kind, data, display)
    if found:
        problems.problems.extend(found)
        return
    for i, c in enumerate(items):
        line = _line(c) or (i + 1 if path is None else 1)  # in memory: the claim's place in the list
        yield i, line, c


def _load_claims(path: Path | None, display: str, tables: dict[str, Table], problems: ProblemCollector,
                 data: Any = None) -> list[Claim]:
    claims: list[Claim] = []
    seen: set[str] = set()
    for i, line, c in claim_nodes(path, display, "claims", problems, data):
        cid = str(c.get("id", f"claim-{i + 1}"))
        if cid in seen:
            problems.add(display, f"claim id '{cid}' is used twice", _line(c, "id"), field="id")
        seen.add(cid)
        for req in ("measure", "quote"):
            if not c.get(req):
                problems.add(display, f"claim '{cid}' needs '{req}'", line, field=req)
        qualifier = str(c.get("qualifier", "exact"))
        if qualifier not in QUALIFIERS:
            problems.add(display, f"unknown qualifier '{qualifier}' (one of {', '.join(sorted(QUALIFIERS))})",
                         _line(c, "qualifier"), field="qualifier")
            continue
        unit = c.get("unit")
        if unit is not None and not units.is_unit_name(unit):
            problems.add(display, f"'{unit}' is not a unit name", _line(c, "unit"), field="unit")
            continue
        claim = Claim(id=cid, measure=str(c.get("measure", "")), qualifier=qualifier,
                      unit=str(unit).strip() if unit else None,
                      quote=str(c.get("quote", "")), file=display, line=line,
                      section=str(c.get("section", "")), locator=str(c.get("locator", "")),
                      footnote=str(c.get("footnote", "")))
        if qualifier == "between":
            bounds = [c.get(bound) for bound in ("low", "high")]
            for bound, b in zip(("low", "high"), bounds):
                if not isinstance(b, float) or not math.isfinite(b):
                    problems.add(display, f"a 'between' claim needs a finite number as '{bound}'",
                                 _line(c, bound) or line, field=bound)
            if not all(isinstance(b, float) and math.isfinite(b) for b in bounds):
                continue
            claim.low, claim.high = float(bounds[0]), float(bounds[1])
        else:
            value = c.get("value")
            if isinstance(value, str):
                parsed = parse_number(value)
                if parsed is None:
                    problems.add(display, f"'{value}' is not a number", _line(c, "value"), field="value")
                    continue
                claim.value, claim.decimals, _ = parsed
                claim.text = value.strip()
            elif isinstance(value, Number) and not math.isfinite(value):
                problems.add(display, f"claim '{cid}': value {value.text} is not a finite number", _line(c, "value"),
                             field="value")
                continue
            elif isinstance(value, Number):
                claim.value = float(value)
                claim.text = value.text
                claim.decimals = len(value.text.split(".")[1]) if "." in value.text else 0
            else:
                problems.add(display, f"claim '{cid}' needs a numeric 'value'", line, field="value")
                continue
        tname = c.get("table")
        if tname is not None and str(tname) not in tables:
            problems.add(display, f"claim '{cid}' names unknown table '{tname}'", _line(c, "table"), field="table")
        claim.table = str(tname) if tname is not None else None
        bad = False
        for dim in c:  # every other key is a dimension the claim is narrowed by (bind_claims checks its name)
            dim = str(dim)
            if dim in CLAIM_KEYS or dim.startswith(schemas.EXTENSION_PREFIX):
                continue
            try:
                claim.dims[dim] = _dims(c[dim], dim)
            except ValueError as exc:
                problems.add(display, f"claim '{cid}': {exc}", _line(c, dim), field=dim)
                bad = True
            claim.raw_dims[dim], claim.dim_lines[dim] = c[dim], _line(c, dim) or line
        if not bad:
            claims.append(claim)
    return claims
