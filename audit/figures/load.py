"""Loading a dataset as figures: the descriptor says what each column of a table is.

```yaml
name: survey-2019
auditProfile: my-profile
edition: {title: Annual survey 2019, published: 2019-06}   # or one text; default: the title
at: {zone: North}                    # coordinates every figure of the dataset shares
claims: claims.yaml
resources:
  - name: by_kind
    path: table1.csv
    at: {period: end 2018}           # coordinates of every figure of this table
    totals: {column: label, labels: [Totals]}   # rows printing a total
    schema:
      fields:
        - {name: label, type: string}                       # descriptive: kept, not checked
        - {name: kind, type: string, dimension: kind}       # a dimension: each row's member
        - {name: red_items, type: integer, measure: items, at: {colour: red}}
        - {name: length_2014, type: number, unit: km, measure: length, at: {period: end 2014}}
```

A column is one of: a **dimension** (`dimension: NAME`, or `dimension: period` for a column of
periods; `parent: COLUMN` where the table prints a hierarchy such as zone > district), a
**measure** at fixed coordinates (`measure: NAME` with `at:`; several columns may hold one
measure for different periods or members side by side), or **descriptive** (neither).

A row is a total when its `totals.column` prints one of `totals.labels` (default Total, Totals),
or when one of its dimension cells does. In a total row a dimension cell that is blank or a total
label rolls up: to the member of its parent column when that cell holds one (a subtotal), else to
the dimension's whole (`all`). Footnote markers printed with a number (`*`, `†`, `[3]`, `(a)`,
superscript digits) are kept as the figure's notes. Frictionless keys keep their meaning
(`missingValues`, `groupChar`, `decimalChar`, `dialect`); ours are `auditProfile`, `edition`,
`at`, `totals`, `dimension`, `parent`, `measure`, `provenance`, `footnotes` and `incomplete` (a
table cut short: its rows are not summed, and a count of members taken from it is a lower bound).
A dataset that prints no table (a press release) has no resources: its figures are its claims.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import schemas
from ..constraints import CellValue, parse_constraints
from ..dataset import (DESCRIBING_KEYS, _check_profile, _inside, _line, _read_descriptor, _relative, _scalar_problem,
                       _number_format, claim_nodes, field_missing, find_descriptor, item_line)
from ..errors import AuditInputError, Problem, ProblemCollector, choices_hint
from ..numbers import DEFAULT as DEFAULT_FORMAT
from ..numbers import NumberError, NumberFormat, read_number
from ..databases import served
from ..readers import read_resource, records
from ..yamlio import Number
from .model import QUALIFIERS, Figure, Statement, interval, last_digit
from .periods import Period, PeriodError
from .periods import parse_period as _parse_period
from .vocabulary import PERIOD, Vocabulary

UNREADABLE = object()  # a period already reported as unreadable
BY_ROW = "by-row"  # a field's measure given by each row's label (not a measure name: those have no '-')
DEFAULT_TOTALS = ("Total", "Totals", "Grand total", "Grand Total", "TOTAL", "TOTALS")
MAX_MEMBER = 200  # characters of a dimension member


class MemberSet(str):
    """Several members a claim names together ("in Aghdam and Aghjabedi"): the figure is the sum
    over them. Shown as 'Aghdam + Aghjabedi'; `members` lists them."""

    members: tuple[str, ...]

    def __new__(cls, members):
        obj = super().__new__(cls, " + ".join(members))
        obj.members = tuple(members)
        return obj

    def __reduce__(self):  # a worker that loads datasets sends them back pickled
        return (MemberSet, (self.members,))
# the keys of the layout, as its declaration (audit.schemas) gives them
_RESOURCE = schemas.FIGURE_DESCRIPTOR["properties"]["resources"]["items"]
DATASET_KEYS = set(schemas.FIGURE_DESCRIPTOR["properties"])
RESOURCE_KEYS = set(_RESOURCE["properties"])
FIELD_KEYS = set(_RESOURCE["properties"]["schema"]["properties"]["fields"]["items"]["properties"])
CLAIM_KEYS = set(schemas.FIGURE_CLAIM_KEYS)
STATEMENTS = ("change", "share", "ratio", "members")  # a claim of a relation between figures (model.Statement)


@dataclass
class Column:
    name: str
    role: str  # dimension, measure, descriptive
    dimension: str | None = None
    parent: str | None = None
    measure: str | None = None
    at: dict[str, Any] = field(default_factory=dict)
    unit: str | None = None
    fmt: NumberFormat = DEFAULT_FORMAT  # how its numbers are printed (decimalChar, groupChar, bareNumber)
    line: int | None = None
    type: str = "string"
    missing: frozenset[str] | None = None  # the field's own missingValues, else the schema's
    constraints: dict[str, Any] = field(default_factory=dict)  # Frictionless constraints (audit.constraints)


@dataclass
class SourceInfo:
    """A table (or the text) a dataset prints: what the figures came from, for messages."""

    name: str
    title: str
    file: str
    measures: set[str] = field(default_factory=set)
    row_dims: set[str] = field(default_factory=set)  # dimensions the table prints a column of (its rows vary along them)
    incomplete: bool = False  # the table as printed is cut: its rows are not all the table's rows


@dataclass
class FigureDataset:
    name: str
    root: Path
    descriptor: str
    edition: str
    meta: dict
    profile: str | None
    figures: list[Figure]
    statements: list[Statement]
    blanks: list[Figure]  # cells of parts left blank: the sums over them are unknown
    links: list[tuple[str, str, str, str]]  # (dimension, child, parent, source): hierarchies printed by tables
    sources: dict[str, SourceInfo]
    # the columns that declare Frictionless constraints: (table, title, file, column, cells, constraints)
    constrained: list[tuple] = field(default_factory=list)


@functools.lru_cache(maxsize=4096)
def _cached_period(value: str, stock: bool | None) -> Period | PeriodError:
    try:
        return _parse_period(value, stock=stock)
    except PeriodError as exc:
        return exc


def parse_period(value: Any, stock: bool | None = None) -> Period:
    """`periods.parse_period`, remembered for the texts a corpus repeats in every edition."""
    if isinstance(value, str) and len(value) <= 100:
        found = _cached_period(value, stock)
        if isinstance(found, PeriodError):
            raise found
        return found
    return _parse_period(value, stock=stock)


def is_figure_layout(meta: Any) -> bool:
    """Whether a descriptor maps its columns onto figures (a field with `measure`), gives the
    coordinates or the edition its figures share (`at`, `edition`: keys of this layout alone), or
    gives its figures in the text alone (claims and no table: the table layout has no such
    dataset)."""
    if not isinstance(meta, dict):
        return False
    if "at" in meta or "edition" in meta or (not meta.get("resources") and meta.get("claims")):
        return True
    resources = meta.get("resources")
    for res in resources if isinstance(resources, list) else []:  # not a list: the loader says so
        schema = res.get("schema") if isinstance(res, dict) else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if isinstance(fields, list) and any(isinstance(f, dict) and "measure" in f for f in fields):
            return True
    return False


def descriptor_of(path: str | Path) -> tuple[Path, Path]:
    path = Path(path)
    if path.is_file():
        return _relative(path.parent), path
    descriptor = find_descriptor(path) if path.is_dir() else None
    if descriptor is None:
        raise AuditInputError(Problem(str(path), "no dataset descriptor found" if path.is_dir() else "no such dataset folder",
                                      hint="a dataset folder holds datapackage.yaml (or .json)"))
    folder = _relative(path)
    return folder, folder / descriptor.name


def load_figures(path: str | Path, vocab: Vocabulary, meta: Any = None, frames: Any = None) -> FigureDataset:
    """Read a dataset in the figure layout. Raises AuditInputError naming file, line and field.
    With `frames` (`audit.frames.Frames`), the dataset is in memory: `path` is how it is shown,
    `meta` its descriptor, its tables the frames and its claims given in `meta`."""
    if frames is None:
        folder, descriptor = descriptor_of(path)
        display = str(descriptor)
    else:
        folder, display = Path(path), str(path)
    if meta is None:
        meta = _read_descriptor(descriptor, display)
    if not isinstance(meta, dict):
        raise AuditInputError(Problem(display, "the descriptor must be a mapping of the dataset's keys (name, resources, ...)",
                                      getattr(meta, "line", None) or 1))
    problems = ProblemCollector()
    schemas.check("figure-descriptor", meta, display, problems)
    if meta.get("name") is not None and (not isinstance(meta.get("name"), str) or not meta.get("name")):
        # optional, as in Frictionless: a dataset without one is named after its folder
        problems.add(display, "name must be text", _line(meta, "name") or _line(meta), field="name")
    _check_profile(meta, display, problems)
    for key in DESCRIBING_KEYS:
        why = _scalar_problem(meta[key]) if meta.get(key) is not None else None
        if why:
            problems.add(display, f"the dataset's {key} must be one text or number, not {why}", _line(meta, key), field=key)
    name = str(meta.get("name") or (folder.resolve().name if frames is None else "dataset"))
    vocab = _with_aliases(vocab, meta.get("aliases"), display, _line(meta, "aliases"), problems)
    edition = _edition(meta, display, problems)
    base = _coordinates(meta.get("at"), vocab, display, _line(meta, "at"), "at", problems)
    for d, dim in vocab.dimensions.items():
        if dim.required and d not in base:
            # figures of two datasets with no such member would be taken for one another's editions
            problems.add(display, f"the dataset must name its {d} under at: (the profile requires it of every "
                         "dataset)", _line(meta, "at") or _line(meta), field=f"at.{d}")
    ds = FigureDataset(name=name, root=folder, descriptor=display, edition=edition or str(meta.get("title") or name),
                       meta={k: meta.get(k) for k in DESCRIBING_KEYS if isinstance(meta.get(k), (str, int, float))},
                       profile=str(meta.get("auditProfile") or meta.get("profile") or "") or None,
                       figures=[], statements=[], blanks=[], links=[], sources={})
    resources = meta.get("resources") or []
    if not isinstance(resources, list):
        problems.add(display, "'resources' must be a list", _line(meta, "resources"), field="resources")
        resources = []
    missing_default = meta.get("missingValues", [""])
    real_root = folder.resolve() if frames is None else None  # once: every path of the descriptor is checked against it
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            problems.add(display, "each resource must be a mapping", item_line(resources, i), field=f"resources[{i}]")
            continue
        _load_table(ds, folder, display, res, i, base, vocab, missing_default, problems, real_root, frames)
    if frames is not None:
        frames.check_unused(display, problems)
        claims = frames.claims(meta, display, problems)
        if claims:
            _load_claims(ds, None, "<claims>", base, vocab, problems, claims)
    elif meta.get("claims"):
        cpath = _inside(folder, meta["claims"], problems, display, _line(meta, "claims"), "claims file", real_root)
        if cpath is not None:
            _load_claims(ds, cpath, str(folder / meta["claims"]), base, vocab, problems)
    problems.raise_if_any()
    return ds


def _with_aliases(vocab: Vocabulary, raw: Any, display: str, line: int | None, problems: ProblemCollector) -> Vocabulary:
    """The vocabulary with the dataset's own spellings of members added (`aliases: {zone:
    {"Northern Zone": north}}`): how one report prints names is the dataset's business, not the
    profile's."""
    if raw is None:
        return vocab
    if not isinstance(raw, dict):
        problems.add(display, "aliases must map dimensions to {spelling: member}", line, field="aliases")
        return vocab
    dims = dict(vocab.dimensions)
    for d, spellings in raw.items():
        if d not in dims:
            problems.add(display, f"unknown dimension '{d}'", _line(raw, d) or line, field=f"aliases.{d}",
                         hint=choices_hint("dimensions", dims, str(d)))
            continue
        if not isinstance(spellings, dict) or any(_scalar_problem(k) or _scalar_problem(v) or isinstance(v, dict)
                                                  for k, v in spellings.items()):
            problems.add(display, f"aliases.{d} must map printed spellings to members (text)", _line(raw, d) or line,
                         field=f"aliases.{d}")
            continue
        extra = {" ".join(_text(k).split()).lower(): _text(v) for k, v in spellings.items()}
        dims[d] = dataclasses.replace(dims[d], aliases={**dims[d].aliases, **extra})
    return dataclasses.replace(vocab, dimensions=dims)


def _edition(meta: dict, display: str, problems: ProblemCollector) -> str | None:
    raw = meta.get("edition")
    if raw is None:
        return None
    if isinstance(raw, dict):
        for k in raw:
            if k not in ("title", "published"):
                problems.add(display, f"unknown key '{k}' in edition", _line(raw, k), field=f"edition.{k}",
                             hint="an edition takes title and published")
        title, published = raw.get("title"), raw.get("published")
        parts = [str(x) for x in (title, published) if isinstance(x, (str, int, float)) and not isinstance(x, bool)]
        return " ".join(parts) or None
    why = _scalar_problem(raw)
    if why:
        problems.add(display, f"edition must be a text or a mapping with title and published, not {why}",
                     _line(meta, "edition"), field="edition")
        return None
    return str(raw)


def _coordinates(raw: Any, vocab: Vocabulary, file: str, line: int | None, where: str,
                 problems: ProblemCollector) -> dict[str, Any]:
    """Coordinates given as `at:` (dimension -> member; `period` -> a period as printed)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(file, f"'{where}' must map dimensions to members", line, field=where)
        return {}
    out: dict[str, Any] = {}
    for dim, member in raw.items():
        dline = _line(raw, dim) or line
        if dim != PERIOD and dim not in vocab.dimensions:
            problems.add(file, f"unknown dimension '{dim}'", dline, field=f"{where}.{dim}",
                         hint=choices_hint("dimensions", [PERIOD, *vocab.dimensions], str(dim)))
            continue
        if dim == PERIOD:
            try:
                parse_period(member.text if isinstance(member, Number) else member)
            except PeriodError as exc:
                problems.add(file, f"period: {exc}", dline, field=f"{where}.{dim}")
                out[dim] = UNREADABLE  # reported once, here: not again for every figure it would date
                continue
            out[dim] = member.text if isinstance(member, Number) else member
            continue
        if isinstance(member, list) and member and not any(_scalar_problem(m, in_list=True) for m in member) \
                and len(member) <= 100 and where == "at":
            # a claim about several members at once ("in Aghdam and Aghjabedi"): the sum over them
            out[dim] = MemberSet(sorted({vocab.dimensions[dim].member(_text(m)) for m in member}))
            continue
        why = _scalar_problem(member)
        if why is None and isinstance(member, str) and len(member) > MAX_MEMBER:
            why = f"longer than {MAX_MEMBER} characters"
        if why:
            problems.add(file, f"{where}.{dim} takes one member, not {why}", dline, field=f"{where}.{dim}")
            continue
        out[dim] = member if dim == PERIOD else vocab.dimensions[dim].member(_text(member))
    return out


def _named(value: Any, names) -> bool:
    """Whether a value from a file is one of `names` (a list or a mapping never is: not a crash)."""
    return isinstance(value, str) and value in names


def _text(value: Any) -> str:
    if isinstance(value, Number):
        return value.text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(res: dict, name: str, vocab: Vocabulary, display: str, problems: ProblemCollector) -> list[Column]:
    schema = res.get("schema") or {}
    raw = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(raw, list) or not raw:
        problems.add(display, "schema.fields must list the table's columns", _line(res, "schema") or _line(res),
                     field=f"{name}.schema.fields")
        return []
    dialect = res.get("dialect")
    base_fmt = _number_format(dialect, DEFAULT_FORMAT, display, f"{name}.dialect", problems) \
        if isinstance(dialect, dict) else DEFAULT_FORMAT
    cols: list[Column] = []
    for f in raw:
        fname = f.get("name") if isinstance(f, dict) else None
        if not isinstance(fname, str) or not fname.strip() or len(fname) > 200:
            problems.add(display, "each field needs a name (text)", _line(f), field=f"{name}.fields")
            continue
        where = f"{name}.{fname}"
        ftype = str(f.get("type", "string"))
        col = Column(fname, "descriptive", line=_line(f), type=ftype,
                     missing=field_missing(f, display, where, problems),
                     constraints=parse_constraints(f, ftype, display, where, problems))
        if "measure" in f and "dimension" in f:
            problems.add(display, f"field '{fname}' is either a measure or a dimension, not both", _line(f, "measure"),
                         field=where)
            continue
        if f.get("measure") == BY_ROW:  # the measure each row's label gives (resource key `rows`)
            col.role, col.measure = "measure", BY_ROW
            col.at = _coordinates(f.get("at"), vocab, display, _line(f, "at"), f"{where}.at", problems)
            col.unit = _text(f["unit"]) if f.get("unit") is not None else None
            col.fmt = _number_format(f, base_fmt, display, where, problems)
        elif "measure" in f:
            m = f.get("measure")
            if not isinstance(m, str) or m not in vocab.measures:
                problems.add(display, f"unknown measure '{m}'", _line(f, "measure"), field=f"{where}.measure",
                             hint=choices_hint("measures", vocab.measures, str(m)))
                continue
            col.role, col.measure = "measure", m
            col.at = _coordinates(f.get("at"), vocab, display, _line(f, "at"), f"{where}.at", problems)
            quantity = vocab.quantity_of(m)
            unit = f.get("unit")
            if unit is None:
                if len(quantity.units) != 1:
                    problems.add(display, f"field '{fname}' needs a unit (one of {', '.join(quantity.units)})",
                                 _line(f), field=f"{where}.unit")
                    continue
                col.unit = quantity.base
            else:
                u = vocab.unit(_text(unit))
                if u is None or u.quantity != quantity.name:
                    what = "an unknown unit" if u is None else f"a unit of {u.quantity}"
                    problems.add(display, f"unit '{unit}' is {what}; {m} is a {quantity.name}, in "
                                 f"{', '.join(quantity.units)}", _line(f, "unit"), field=f"{where}.unit")
                    continue
                col.unit = u.name
            col.fmt = _number_format(f, base_fmt, display, where, problems)
        elif "dimension" in f:
            d = f.get("dimension")
            if d != PERIOD and (not isinstance(d, str) or d not in vocab.dimensions):
                problems.add(display, f"unknown dimension '{d}'", _line(f, "dimension"), field=f"{where}.dimension",
                             hint=choices_hint("dimensions", [PERIOD, *vocab.dimensions], str(d)))
                continue
            col.role, col.dimension = "dimension", d
            if f.get("parent") is not None:
                col.parent = str(f.get("parent"))
        cols.append(col)
    names = {c.name for c in cols}
    for c in cols:
        if c.parent is not None:
            parent = next((p for p in cols if p.name == c.parent), None)
            if parent is None or parent.dimension != c.dimension:
                problems.add(display, f"parent '{c.parent}' of '{c.name}' must be a column of the same dimension",
                             c.line, field=f"{name}.{c.name}.parent")
                c.parent = None
    if len(names) != len(cols):
        problems.add(display, "two fields have one name", _line(schema, "fields"), field=f"{name}.schema.fields")
    return cols


def _cell_value(line: int, printed: str, col: Column, missing: set[str]) -> CellValue | None:
    """A cell as its field's constraints see it: a number (in the field's unit, as printed) for a
    numeric field, else the text; None as the value when missing. None for a numeric cell that is
    not a number (reported where the figure is read, or not a figure at all)."""
    if printed in missing or printed == "":
        return CellValue(line, printed, None)
    if col.type not in ("integer", "number", "year"):
        return CellValue(line, printed, printed)
    parsed = parse_printed(printed, col.fmt)
    return None if parsed is None else CellValue(line, printed, parsed[0])


def parse_printed(text: str, fmt: NumberFormat = DEFAULT_FORMAT) -> tuple[float, int, str] | None:
    """A printed number: its value, its decimals and the footnote markers printed with it
    ('1,142,486', '*4.00', '146†', '2.5[3]', '12³'; see `audit.numbers`). None if not a number."""
    try:
        return read_number(text, fmt)
    except NumberError:
        return None


def rounding(value: float, decimals: int, unit, exact_whole: bool) -> float:
    """Half the width of a printed figure's precision, in the base unit (see model)."""
    if value == 0 and decimals == 0:
        return 0.0
    if decimals == 0 and exact_whole:
        return 0.0
    return 0.5 * 10 ** (-decimals) * unit.factor


def _load_table(ds: FigureDataset, folder: Path, display: str, res: Any, index: int, base: dict, vocab: Vocabulary,
                missing_default: Any, problems: ProblemCollector, real_root: Path | None = None,
                frames: Any = None) -> None:
    where = f"resources[{index}]"
    if not isinstance(res, dict):
        problems.add(display, "each resource must be a mapping", _line(res), field=where)
        return
    name = res.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name):
        problems.add(display, "resource name must be lower case letters, digits and _", _line(res, "name"),
                     field=f"{where}.name")
        return
    if f"table:{name}" in ds.sources:
        problems.add(display, f"two resources are named '{name}'", _line(res, "name"), field=f"{where}.name")
        return
    cols = _columns(res, name, vocab, display, problems)
    at = {**base, **_coordinates(res.get("at"), vocab, display, _line(res, "at"), f"{name}.at", problems)}
    by_row = _rows(res, name, cols, vocab, display, problems)
    totals = res.get("totals") or {}
    if not isinstance(totals, dict):
        problems.add(display, "totals must be a mapping with column and labels", _line(res, "totals"), field=f"{name}.totals")
        totals = {}
    labels = totals.get("labels", list(DEFAULT_TOTALS))
    labels = [labels] if isinstance(labels, str) else labels
    if not isinstance(labels, list) or any(_scalar_problem(x, in_list=True) for x in labels):
        problems.add(display, "totals.labels must be a label or a list of labels (text)", _line(totals, "labels"),
                     field=f"{name}.totals.labels")
        labels = []
    labels = {str(x).strip().lower() for x in labels}
    tcol = totals.get("column")
    if tcol is not None and not _named(tcol, {c.name for c in cols}):
        problems.add(display, f"totals.column '{tcol}' is not a field", _line(totals, "column"), field=f"{name}.totals.column")
        tcol = None
    server = served(res) if frames is None else None
    path = None if server or frames is not None else _inside(folder, res.get("path"), problems, display,
                                                             _line(res, "path") or _line(res), f"{name}: path", real_root)
    title = str(res.get("provenance", {}).get("table") or res.get("title") or name) \
        if isinstance(res.get("provenance", {}), dict) else str(res.get("title") or name)
    file = frames.display(name) if frames is not None else (server or str(folder / str(res.get("path"))))
    src = SourceInfo(name, title, file)
    ds.sources[f"table:{name}"] = src
    if "incomplete" in res:
        if not isinstance(res["incomplete"], bool):
            problems.add(display, f"{name}: incomplete is true (the table is cut: some of its rows are not given) "
                         "or false", _line(res, "incomplete"), field=f"{name}.incomplete")
        src.incomplete = res["incomplete"] is True
    if (path is None and not server and frames is None) or not cols:
        return
    schema = res.get("schema") or {}
    missing = schema.get("missingValues", missing_default) if isinstance(schema, dict) else missing_default
    missing = {str(m).strip() for m in (missing if isinstance(missing, list) else [""])} | {""}
    text = read_resource(path, file, res, display, name, problems, _line(res, "path") or _line(res)) \
        if frames is None else frames.read(name, display, where, problems)
    if text is None:
        return
    since = len(problems.problems)
    deferred: list[tuple] = []
    row_periods: list[str] = []

    def add(measure, coords, value, decimals, unit, printed, line, column, label, notes, period, total) -> None:
        fig = _figure(ds, vocab, measure, coords, period, value, decimals, unit, "exact", False, printed, file, line,
                      column, problems)
        if fig is None:
            return
        fig.source, fig.origin = f"table:{name}", ("total" if total else "cell")
        fig.label, fig.table, fig.table_title, fig.notes = label, name, title, notes
        fig.cell = text.cell(line, column)
        ds.figures.append(fig)
        src.measures.add(measure)

    dims = [c for c in cols if c.role == "dimension"]
    src.row_dims = {c.dimension for c in dims if c.dimension != PERIOD}
    measures = [c for c in cols if c.role == "measure"]
    rows = 0
    constrained = {c.name: (c, []) for c in cols if c.constraints}
    for line, record in records(text, [c.name for c in cols], problems, {c.name: c.fmt for c in cols}):
        rows += 1
        cells = {h: v.strip() for h, v in record.items()}
        total = tcol is not None and cells[tcol].lower() in labels
        total = total or any(cells[c.name].lower() in labels for c in dims)
        for c in cols:  # a field's own missing values (a totals label stays one: it is read above)
            if c.missing is not None and cells[c.name] in c.missing and cells[c.name].lower() not in labels:
                cells[c.name] = ""
        for c, seen in constrained.values():
            seen.append(_cell_value(line, cells[c.name], c, missing))
        coords = dict(at)
        row_period = None
        period_rolled = False
        label = " / ".join(cells[c.name] for c in cols if c.role != "measure" and cells[c.name]) or f"line {line}"
        for c in dims:
            if c.parent is not None:
                continue  # a child column is read with its parent, below
            chain = [c]
            while True:
                child = next((x for x in dims if x.parent == chain[-1].name), None)
                if child is None:
                    break
                chain.append(child)
            member = None
            for x in chain:
                printed = cells[x.name]
                if not printed or printed.lower() in labels:
                    break
                if c.dimension == PERIOD:
                    member = printed
                    continue
                if len(printed) > MAX_MEMBER:
                    problems.add(file, f"a member longer than {MAX_MEMBER} characters", line, field=x.name)
                    break
                new = vocab.dimensions[c.dimension].member(printed)
                if member is not None:
                    ds.links.append((c.dimension, new, member, f"table:{name}"))
                member = new
            if c.dimension == PERIOD:
                row_period = member
                period_rolled = member is None and total
                if member is not None:
                    row_periods.append(member)
                continue
            dim = vocab.dimensions[c.dimension]
            if member is not None and dim.closed and member != dim.all and member not in dim.parts:
                problems.add(file, f"'{member}' is not a member of {c.dimension} ({', '.join((dim.all, *dim.parts))})",
                             line, field=c.name, hint=f"add an alias for it to the vocabulary's {c.dimension}")
                member = None
                continue
            if member is None:
                if not total:  # a blank member in a row of parts: the row does not say where it is
                    problems.add(file, f"row has no {c.dimension} in column '{c.name}'", line, field=c.name,
                                 hint="mark total rows with totals.labels, or fill the cell")
                    member = None
                else:
                    member = vocab.dimensions[c.dimension].all
            if member is not None:
                coords[c.dimension] = member
        for c in measures:
            printed = cells[c.name]
            if printed in missing:
                if not total:  # a part not printed: a sum over it is unknown, not smaller
                    blank = _figure(ds, vocab, c.measure, {**coords, **c.at}, row_period, 0.0, 0, c.unit, "exact",
                                    False, printed, file, line, c.name, problems)
                    if blank is not None:
                        blank.source, blank.origin, blank.label, blank.table = f"table:{name}", "cell", label, name
                        blank.table_title, blank.cell = title, text.cell(line, c.name)
                        ds.blanks.append(blank)
                continue
            try:
                value, decimals, notes = read_number(printed, c.fmt)
            except NumberError as exc:
                problems.add(file, exc.message, line, field=c.name, hint=exc.hint)
                continue
            measure, fixed, unit = c.measure, c.at, c.unit
            if measure == BY_ROW:
                row_key = " ".join(cells[by_row[0]].split()).lower() if by_row else ""
                found = by_row[1].get(row_key) if by_row else None
                if found is None:
                    problems.add(file, f"row '{cells[by_row[0]][:60] if by_row else ''}' is not one of the figures "
                                 f"rows.figures names", line, field=by_row[0] if by_row else c.name,
                                 hint="add it to the resource's rows.figures: {measure: ..., at: ...}")
                    continue
                measure, fixed, unit = found[0], {**c.at, **found[1]}, found[2] or unit
                quantity = vocab.quantity_of(measure)
                u = vocab.unit(unit) if unit else quantity.units[quantity.base] if len(quantity.units) == 1 else None
                if u is None or u.quantity != quantity.name:
                    problems.add(file, f"the row's {measure} is a {quantity.name}: give its unit (one of "
                                 f"{', '.join(quantity.units)}) in rows.figures", line, field=c.name)
                    continue
                unit = u.name
            args = (measure, {**coords, **fixed}, value, decimals, unit, printed, line, c.name, label, notes)
            if period_rolled:
                deferred.append(args)  # a total over the table's periods: known once every row is read
            else:
                add(*args, row_period, total)
    if rows == 0 and not any(p.file == file for p in problems.problems):
        problems.add(file, "the table has no rows", text.header_line + 1)
    for c, seen in constrained.values():
        ds.constrained.append((name, title, file, c.name, [v for v in seen if v is not None], c.constraints))
    if deferred:
        try:
            periods = [parse_period(p) for p in row_periods]
            span = parse_period(f"{min(p.start for p in periods).isoformat()}/{max(p.end for p in periods).isoformat()}")
        except (PeriodError, ValueError):
            span = None
        for args in deferred:
            if span is None or vocab.measures[args[0]].type == "stock":
                problems.add(file, "a total over the table's periods needs periods in the other rows, and a flow "
                             "(a stock is not summed over time)", args[6], field=args[7])
                continue
            add(*args, span, True)
    text.locate(problems, since)


def _rows(res: dict, name: str, cols: list[Column], vocab: Vocabulary, display: str,
          problems: ProblemCollector) -> tuple[str, dict[str, tuple[str, dict, str | None]]] | None:
    """A table of one figure per row, whose label says what it is (a summary box: "Red items",
    "Surface covered"): `byRow: {column: item, figures: {"Red items": {measure: items, at:
    {kind: red}}, ...}}`; the fields whose `measure` is `by-row` hold the rows' values. The key was
    `rows` before Frictionless v2 gave that name to a resource's count of rows: a mapping there is
    still read as `byRow`."""
    key = "byRow" if "byRow" in res or not isinstance(res.get("rows"), dict) else "rows"
    if "byRow" in res and isinstance(res.get("rows"), dict):
        problems.add(display, f"'{name}' has both byRow and rows (the name byRow had before): keep byRow",
                     _line(res, "rows"), field=f"{name}.rows")
    spec = res.get(key)
    wanted = any(c.measure == BY_ROW for c in cols)
    if spec is None:
        if wanted:
            problems.add(display, f"a field of '{name}' takes its measure by row, but the resource has no 'byRow'",
                         _line(res), field=f"{name}.byRow")
        return None
    where = f"{name}.{key}"
    if not isinstance(spec, dict) or not _named(spec.get("column"), {c.name for c in cols}) \
            or not isinstance(spec.get("figures"), dict):
        problems.add(display, f"{key} needs the column naming each row's figure and figures: {{label: {{measure, at}}}}",
                     _line(res, key), field=where)
        return None
    figures: dict[str, tuple[str, dict, str | None]] = {}
    for label, f in spec["figures"].items():
        fline = _line(spec["figures"], label) or _line(res, key)
        if _scalar_problem(label) or not isinstance(f, dict) or not _named(f.get("measure"), vocab.measures):
            problems.add(display, f"{key}.figures.{label}: needs a measure of the vocabulary", fline,
                         field=f"{where}.figures", hint=choices_hint("measures", vocab.measures, str((f or {}).get("measure")
                                                                                                  if isinstance(f, dict) else "")))
            continue
        unknown = [k for k in f if k not in ("measure", "at", "unit")]
        if unknown:
            problems.add(display, f"{key}.figures.{label}: unknown key '{unknown[0]}' (measure, at, unit)", fline,
                         field=f"{where}.figures")
            continue
        at = _coordinates(f.get("at"), vocab, display, fline, f"{where}.figures.at", problems)
        figures[" ".join(_text(label).split()).lower()] = (f["measure"], at,
                                                           _text(f["unit"]) if f.get("unit") is not None else None)
    if not wanted:
        problems.add(display, f"'{name}' has {key} but no field whose measure is {BY_ROW}", _line(res, key), field=where)
    return str(spec["column"]), figures


def _figure(ds: FigureDataset, vocab: Vocabulary, measure: str, coords: dict, row_period: Any, value: float,
            decimals: int, unit_name: str | None, qualifier: str, truncated: bool, printed: str, file: str,
            line: int | None, column: str | None, problems: ProblemCollector,
            low: tuple[float, int] | None = None, high: tuple[float, int] | None = None) -> Figure | None:
    m = vocab.measures[measure]
    quantity = vocab.quantities[m.quantity]
    unit = quantity.units.get(unit_name) if unit_name else quantity.units[quantity.base]
    period_raw = row_period if row_period is not None else coords.get(PERIOD)
    if period_raw is UNREADABLE:
        return None
    if period_raw is None:
        problems.add(file, f"the figure {printed!r} has no period", line, field=column,
                     hint="give the table, the column or the claim a period under at: (e.g. period: end 2018)")
        return None
    try:
        period = period_raw if isinstance(period_raw, Period) else parse_period(period_raw, stock=(m.type == "stock"))
    except PeriodError as exc:
        problems.add(file, f"period: {exc}", line, field=column or PERIOD)
        return None
    full = {d: coords.get(d, dim.all) for d, dim in vocab.dimensions.items()}
    if low is not None and high is not None:
        lo = low[0] * unit.factor - rounding(low[0], low[1], unit, unit.exact_whole)
        hi = high[0] * unit.factor + rounding(high[0], high[1], unit, unit.exact_whole)
    else:
        r = rounding(value, decimals, unit, unit.exact_whole)
        lo, hi = interval(value * unit.factor, r, qualifier, truncated, last_digit(value, decimals, unit.factor))
    return Figure(dataset=ds.name, edition=ds.edition, source="", origin="", measure=measure, coords=full,
                  period=period, lo=lo, hi=hi, printed=printed, unit=unit.name, qualifier=qualifier,
                  file=file, line=line, column=column)


def _load_claims(ds: FigureDataset, path: Path | None, display: str, base: dict, vocab: Vocabulary,
                 problems: ProblemCollector, data: Any = None) -> None:
    ds.sources["text"] = src = SourceInfo("text", "the text", display)
    seen: set[str] = set()
    for _i, line, c in claim_nodes(path, display, "figure-claims", problems, data):
        cid = c.get("id")
        if _scalar_problem(cid) or cid is None:
            problems.add(display, "each claim needs an id (text)", _line(c, "id") or line, field="id")
            continue
        cid = _text(cid)
        if cid in seen:
            problems.add(display, f"claim id '{cid}' is used twice", _line(c, "id"), field="id")
        seen.add(cid)
        m = c.get("measure")
        if not isinstance(m, str) or m not in vocab.measures:
            problems.add(display, f"claim '{cid}': unknown measure '{m}'", _line(c, "measure") or line, field="measure",
                         hint=choices_hint("measures", vocab.measures, str(m)))
            continue
        quote = c.get("quote")
        if not isinstance(quote, str) or not quote.strip():
            problems.add(display, f"claim '{cid}' needs 'quote': the sentence as printed", line, field="quote")
        qualifier = c.get("qualifier", "exact")
        if qualifier not in QUALIFIERS:
            problems.add(display, f"unknown qualifier '{qualifier}' (one of {', '.join(QUALIFIERS)})",
                         _line(c, "qualifier"), field="qualifier")
            continue
        truncated = c.get("rounding", "rounded")
        if truncated not in ("rounded", "truncated"):
            problems.add(display, "rounding is 'rounded' (the default) or 'truncated'", _line(c, "rounding"), field="rounding")
            continue
        kinds = [k for k in STATEMENTS if k in c]
        if len(kinds) > 1:
            problems.add(display, f"claim '{cid}' states one relation, not {' and '.join(kinds)}", line, field=kinds[1])
            continue
        if kinds or "direction" in c:
            st = _statement(ds, c, cid, kinds[0] if kinds else "change", m, qualifier, base, vocab, display, line,
                            problems)
            if st is not None:
                st.quote, st.label = str(quote or ""), str(c.get("locator") or cid)
                ds.statements.append(st)
            continue
        quantity = vocab.quantity_of(m)
        unit = c.get("unit")
        if unit is None and len(quantity.units) != 1:
            problems.add(display, f"claim '{cid}' needs a unit (one of {', '.join(quantity.units)})", line, field="unit")
            continue
        u = vocab.unit(_text(unit)) if unit is not None else quantity.units[quantity.base]
        if u is None or u.quantity != quantity.name:
            what = "an unknown unit" if u is None else f"a unit of {u.quantity}"
            problems.add(display, f"claim '{cid}': unit '{unit}' is {what}; {m} is a {quantity.name}, in "
                         f"{', '.join(quantity.units)}", _line(c, "unit"), field="unit")
            continue
        coords = {**base, **_coordinates(c.get("at"), vocab, display, _line(c, "at"), "at", problems)}
        if "period" in c:
            p = c.get("period")
            if not isinstance(p, dict) and _scalar_problem(p):
                problems.add(display, f"claim '{cid}': period must be one period, not {_scalar_problem(p)}",
                             _line(c, "period"), field="period")
                continue
            coords[PERIOD] = p.text if isinstance(p, Number) else p  # `period: 2013` is the year, as written
        numbers = {}
        keys = ("low", "high") if qualifier == "between" else ("value",)
        for key in keys:
            raw = c.get(key)
            parsed = None
            if isinstance(raw, bool) or raw is None:
                parsed = None
            elif isinstance(raw, Number):
                parsed = parse_printed(raw.text) if math.isfinite(raw) else None
            elif isinstance(raw, (int, float)):
                parsed = (float(raw), 0, "") if math.isfinite(raw) else None
            elif isinstance(raw, str):
                parsed = parse_printed(raw)
            if parsed is None:
                problems.add(display, f"claim '{cid}' needs a finite number as '{key}'"
                             + (f", not {str(raw)[:40]!r}" if raw is not None else ""), _line(c, key) or line, field=key)
                continue
            numbers[key] = parsed
        if len(numbers) != len(keys):
            continue
        if qualifier == "between":
            printed = f"between {_text(c['low'])} and {_text(c['high'])}"
            fig = _figure(ds, vocab, m, coords, None, 0.0, 0, u.name, qualifier, False, printed, display, line, None,
                          problems, low=numbers["low"][:2], high=numbers["high"][:2])
            if fig is not None and fig.lo > fig.hi:
                problems.add(display, f"claim '{cid}': low is above high", _line(c, "low"), field="low")
                continue
        else:
            value, decimals, notes = numbers["value"]
            printed = _text(c["value"])
            fig = _figure(ds, vocab, m, coords, None, value, decimals, u.name, qualifier, truncated == "truncated",
                          printed, display, line, None, problems)
        if fig is None:
            continue
        fig.source, fig.origin, fig.claim = "text", "text", cid
        fig.label = str(c.get("locator") or cid)
        fig.quote = str(quote or "")
        fig.provenance = str(c.get("section") or "")
        ds.figures.append(fig)
        src.measures.add(m)


def _number(raw: Any) -> tuple[float, int, str] | None:
    """A number a claim gives: as YAML read it (keeping its printed decimals) or as text."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, Number):
        return parse_printed(raw.text) if math.isfinite(raw) else None
    if isinstance(raw, (int, float)):
        return (float(raw), 0, "") if math.isfinite(raw) else None
    if isinstance(raw, str):
        return parse_printed(raw)
    return None


def _statement(ds: FigureDataset, c: dict, cid: str, kind: str, measure: str, qualifier: str, base: dict,
               vocab: Vocabulary, display: str, line: int, problems: ProblemCollector) -> Statement | None:
    """A claim of a change, share, ratio or count of members (see model.Statement):

    ```yaml
    change: {from: 2018}                 # this period's figure against the one of 2018
    share: {of: {measure: land_area, at: {...}, period: ...}}   # this figure over another
    ratio: {of: {period: 2018}}          # the same, "double the output of 2018"
    members: place                       # how many members of a dimension have a non-zero figure
    direction: decrease                  # a change's sign: increase or decrease
    ```
    The value is a plain number (`2`, "tenfold": 10), a percentage or another unit of a
    dimensionless quantity of the vocabulary (`unit: "%"`), or, for a change, an amount in a unit
    of the measure ("fell by 5.9 km")."""
    where = f"claim '{cid}'"
    coords = {**base, **_coordinates(c.get("at"), vocab, display, _line(c, "at"), "at", problems)}
    m = vocab.measures[measure]
    period_raw = c.get("period", coords.get(PERIOD))
    if isinstance(period_raw, Number):
        period_raw = period_raw.text
    try:
        period = parse_period(period_raw, stock=(m.type == "stock")) if period_raw is not None else None
    except PeriodError as exc:
        problems.add(display, f"period: {exc}", _line(c, "period") or line, field="period")
        return None
    if period is None:
        problems.add(display, f"{where} has no period", line, field="period")
        return None
    st = Statement(dataset=ds.name, edition=ds.edition, kind=kind, measure=measure, coords={}, period=period,
                   lo=0.0, hi=0.0, qualifier=qualifier, file=display, line=line, claim=cid)
    spec = c.get(kind)
    if kind == "members":
        if not _named(spec, vocab.dimensions):
            problems.add(display, f"{where}: members names a dimension, one of {', '.join(vocab.dimensions)}",
                         _line(c, "members") or line, field="members")
            return None
        st.dimension = str(spec)
    elif kind == "change":
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict) or "from" not in spec:
            problems.add(display, f"{where}: change needs {{from: PERIOD}}, the period it changed from",
                         _line(c, "change") or line, field="change")
            return None
        raw = spec["from"].text if isinstance(spec["from"], Number) else spec["from"]
        try:
            st.other_period = parse_period(raw, stock=(m.type == "stock"))
        except PeriodError as exc:
            problems.add(display, f"change.from: {exc}", _line(spec, "from") or line, field="change.from")
            return None
    else:
        of = spec.get("of") if isinstance(spec, dict) else None
        if not isinstance(of, dict):
            problems.add(display, f"{where}: {kind} needs {{of: {{measure, at, period}}}}: the figure it is a "
                         f"{kind} of", _line(c, kind) or line, field=kind)
            return None
        other = of.get("measure", measure)
        if not _named(other, vocab.measures):
            problems.add(display, f"{where}: unknown measure '{other}'", _line(of, "measure") or line,
                         field=f"{kind}.of.measure", hint=choices_hint("measures", vocab.measures, str(other)))
            return None
        st.other_measure = str(other)
        st.other_coords = {**coords, **_coordinates(of.get("at"), vocab, display, _line(of, "at"), f"{kind}.of.at",
                                                     problems)}
        raw = of.get("period", period_raw)
        raw = raw.text if isinstance(raw, Number) else raw
        try:
            st.other_period = parse_period(raw, stock=(vocab.measures[st.other_measure].type == "stock"))
        except PeriodError as exc:
            problems.add(display, f"{kind}.of.period: {exc}", _line(of, "period") or line, field=f"{kind}.of.period")
            return None
        st.other_coords = {d: st.other_coords.get(d, dim.all) for d, dim in vocab.dimensions.items()}
    st.coords = {d: coords.get(d, dim.all) for d, dim in vocab.dimensions.items()}
    # the stated value and its unit
    unit_raw = c.get("unit")
    factor, exact_whole = 1.0, True
    if unit_raw is not None:
        u = vocab.unit(_text(unit_raw))
        if u is None:
            problems.add(display, f"{where}: unknown unit '{unit_raw}'", _line(c, "unit") or line, field="unit",
                         hint=f"the vocabulary's units: {', '.join(vocab.unit_names())}")
            return None
        if u.quantity == m.quantity and kind == "change":
            st.relative = False
        elif u.quantity == m.quantity:
            problems.add(display, f"{where}: a {kind} is a plain number or a share, not an amount in {u.name}",
                         _line(c, "unit") or line, field="unit")
            return None
        factor, exact_whole, st.unit = u.factor, u.exact_whole, u.name
    keys = ("low", "high") if qualifier == "between" else ("value",)
    parsed = {k: _number(c.get(k)) for k in keys}
    for k, v in parsed.items():
        if v is None:
            problems.add(display, f"{where} needs a finite number as '{k}'", _line(c, k) or line, field=k)
            return None

    def half(value: float, decimals: int) -> float:
        if decimals == 0 and (exact_whole or unit_raw is None):
            return 0.0
        return 0.5 * 10 ** (-decimals) * factor

    if qualifier == "between":
        (lo, dl, _), (hi, dh, _) = parsed["low"], parsed["high"]
        st.lo, st.hi = lo * factor - half(lo, dl), hi * factor + half(hi, dh)
        st.printed = f"between {_text(c['low'])} and {_text(c['high'])}"
    else:
        value, decimals, _ = parsed["value"]
        st.lo, st.hi = interval(value * factor, half(value, decimals), qualifier, c.get("rounding") == "truncated",
                                last_digit(value, decimals, factor))
        st.printed = _text(c["value"])
    direction = c.get("direction")
    if direction not in (None, "increase", "decrease"):
        problems.add(display, f"{where}: direction is increase or decrease", _line(c, "direction") or line,
                     field="direction")
        return None
    if direction is not None and kind != "change":
        problems.add(display, f"{where}: a direction belongs to a change", _line(c, "direction") or line,
                     field="direction")
        return None
    st.direction = direction
    if direction == "decrease":
        st.lo, st.hi = -st.hi, -st.lo
    return st
