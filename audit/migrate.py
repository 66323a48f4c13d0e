"""`audit migrate DIR`: a dataset of the table layout rewritten in the figure layout.

What each table, column, dimension and claim measure of an old pack becomes is the business of
the pack that receives the datasets, not of the engine: a pack of figures holds `migrate.yaml`,

```yaml
from:
  old-profile:                       # the auditProfile of the datasets it takes in
    dataset:
      at: {land: country}            # a coordinate of every figure <- a key of the old descriptor
      edition: {title: title, published: year}   # optional: edition fields <- old descriptor keys
    dimensions: {year: period, zone: area}       # old dimension names -> the vocabulary's
    tables:
      by_zone:
        at: {status: final}          # optional: coordinates of every figure of the table
        when:                        # optional: more coordinates where the resource's keys match
          - {match: {title: red}, at: {kind: red}}   # (a search in the text, in any case)
        columns:
          label: {}                                    # descriptive: kept, not a figure
          zone: {dimension: area}                      # a dimension
          district: {dimension: area, parent: zone}    # a level below another column
          red_count: {measure: items, at: {kind: red}} # a measure at coordinates
    claims:
      red_items: {measure: items, at: {kind: red}}     # an old claim measure -> measure and coordinates
```

and the migration follows it:

- **Descriptor.** `auditProfile` becomes the receiving pack's profile; `dataset.at` gives the
  dataset's `at:`, `dataset.edition` its `edition:`. A table's table-wide `dimensions:` become its
  `at:` through `dimensions`, with the mapping's `at` for the table and that of each `when` whose
  patterns are found in the resource's keys (`title`, `provenance.table`: what the source prints
  about the table, where the old layout had no place to say it). Each field gets the
  `measure` + `at`, or `dimension` (+ `parent`), of its column; every other key is kept as written
  (titles, units, provenance, totals, footnotes, notes, primaryKey).
- **Periods.** An old dimension mapped to `period` whose value is a year becomes an instant for
  stocks (`end 2018`) and the year for flows (`2018`), as the vocabulary types the measures: for
  the whole table when its measures are of one type, else in each measure column's `at`. A claim's
  year is read the same way, by its new measure's type; a span (`2014-2018`) stays a span (a flow's
  period only). A claim that gives no year takes the one year the tables give table-wide.
- **Claims.** Each claim's measure becomes the mapping's measure and `at`; its old dimensions
  (`zone: North`, `zone: [North, South]`: the sum over both) become coordinates through `dimensions`; its
  `table:` is dropped (figures are found by their coordinates). Every other key (id, quote,
  locator, section, footnote, note, qualifier, value, low, high, unit) is kept as written, and the
  comments at the top of the descriptor and of the claims file are kept.
- **Files.** Every other file of the folder (the CSVs) is copied unchanged; the input folder is
  never written. The result is loaded as figures before it is put in place: a migration that would
  not load writes nothing.

`audit migrate DIR [--to PACK] [--out OUT]`: PACK is the receiving pack (a folder or a profile;
by default the pack whose migrate.yaml maps from the dataset's profile); OUT must be new or empty
(by default `figures/<name>` beside DIR), and may not lie in the input or in a pack.

Anything the mapping does not cover (a table, a column, a dimension, a claim measure, a key the
figure layout does not take) is an error naming the file and line (exit 2), with nothing written.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import AuditInputError, Problem, ProblemCollector
from .figures.pack import MIGRATE_FILE
from .yamlio import Node, Number, load_yaml

_YEAR = re.compile(r"\d{4}")
_SPAN = re.compile(r"\d{4}\s*[-–]\s*\d{4}")


@dataclass
class ColumnMap:
    role: str  # measure, dimension, descriptive
    measure: str | None = None
    dimension: str | None = None
    parent: str | None = None
    at: dict = field(default_factory=dict)


@dataclass
class TableMap:
    at: dict
    columns: dict[str, ColumnMap]
    when: list[tuple[dict[str, re.Pattern], dict]] = field(default_factory=list)  # (key -> pattern, at)

    def at_of(self, res: Any) -> dict:
        """The table's coordinates: `at`, and the `at` of every `when` whose patterns the resource matches."""
        at = dict(self.at)
        for match, more in self.when:
            if all(p.search(str(_get(res, key) or "")) for key, p in match.items()):
                at.update(more)
        return at


def _get(node: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


@dataclass
class Mapping:
    file: str
    old_profile: str
    new_profile: str
    dataset_at: dict[str, str]  # new dimension -> old descriptor key
    edition: dict[str, str]  # edition field -> old descriptor key
    dimensions: dict[str, str]  # old dimension -> new dimension (or period)
    tables: dict[str, TableMap]
    claims: dict[str, tuple[str, dict]]  # old measure -> (new measure, at)


def _line(node: Any, key: str | None = None) -> int | None:
    if isinstance(node, Node):
        return node.pos(key)[0]
    return getattr(node, "line", None) or None


def _plain(value: Any) -> Any:
    """A mapping value as written: a number keeps its text."""
    if isinstance(value, Number):
        return value.text
    return value


def load_mapping(pack_dir: Path, old_profile: str, vocab) -> Mapping:
    """The migration of `old_profile` a figure pack states, checked against its vocabulary."""
    from .figures.vocabulary import PERIOD

    path = pack_dir / MIGRATE_FILE
    display = str(path)
    data = load_yaml(path, display, kind="migrate")
    problems = ProblemCollector()
    meta = load_yaml(pack_dir / "pack.yaml", kind="pack")
    froms = data.get("from") if isinstance(data, dict) else None
    if not isinstance(froms, dict):
        raise AuditInputError(Problem(display, "a migration file maps old profiles under 'from'", 1))
    spec = froms.get(old_profile)
    if not isinstance(spec, dict):
        raise AuditInputError(Problem(display, f"no migration from profile '{old_profile}'", _line(froms),
                                      hint="migrations from: " + ", ".join(map(str, froms))))

    def dims_of(raw: Any, where: str, line: int | None, allow_period: bool = True) -> dict:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            problems.add(display, f"'{where}' must map dimensions to members", line, field=where)
            return {}
        out = {}
        for d, member in raw.items():
            if d not in vocab.dimensions and not (allow_period and d == PERIOD):
                problems.add(display, f"unknown dimension '{d}'", _line(raw, d) or line, field=f"{where}.{d}",
                             hint="the dimensions: " + ", ".join(sorted(vocab.dimensions)))
                continue
            out[str(d)] = _plain(member)
        return out

    def measure_ok(m: Any, where: str, line: int | None) -> bool:
        if not isinstance(m, str) or m not in vocab.measures:
            problems.add(display, f"unknown measure '{m}'", line, field=where,
                         hint="the measures: " + ", ".join(sorted(vocab.measures)))
            return False
        return True

    for key in spec:
        if key not in ("dataset", "dimensions", "tables", "claims"):
            problems.add(display, f"unknown key '{key}'", _line(spec, key), field=str(key),
                         hint="a migration takes dataset, dimensions, tables and claims")
    ds = spec.get("dataset") or {}
    dataset_at = {str(k): str(v) for k, v in (ds.get("at") or {}).items()} if isinstance(ds, dict) else {}
    for d in dataset_at:
        if d not in vocab.dimensions:
            problems.add(display, f"unknown dimension '{d}'", _line(ds.get("at"), d), field=f"dataset.at.{d}")
    edition = {str(k): str(v) for k, v in (ds.get("edition") or {}).items()} if isinstance(ds, dict) else {}
    dimensions = {}
    for old, new in (spec.get("dimensions") or {}).items():
        if new != PERIOD and new not in vocab.dimensions:
            problems.add(display, f"unknown dimension '{new}'", _line(spec.get("dimensions"), old),
                         field=f"dimensions.{old}")
            continue
        dimensions[str(old)] = str(new)
    tables: dict[str, TableMap] = {}
    for tname, tspec in (spec.get("tables") or {}).items():
        if not isinstance(tspec, dict):
            problems.add(display, "a table maps its columns under 'columns'", _line(spec.get("tables"), tname),
                         field=f"tables.{tname}")
            continue
        cols: dict[str, ColumnMap] = {}
        for cname, cspec in (tspec.get("columns") or {}).items():
            where = f"tables.{tname}.columns.{cname}"
            line = _line(tspec.get("columns"), cname)
            cspec = cspec or {}
            if not isinstance(cspec, dict) or ("measure" in cspec and "dimension" in cspec):
                problems.add(display, "a column is {} (descriptive), {measure:, at:} or {dimension:}", line, field=where)
                continue
            if "measure" in cspec:
                if measure_ok(cspec["measure"], where + ".measure", line):
                    cols[str(cname)] = ColumnMap("measure", measure=str(cspec["measure"]),
                                                 at=dims_of(cspec.get("at"), where + ".at", line))
            elif "dimension" in cspec:
                d = cspec["dimension"]
                if d != PERIOD and d not in vocab.dimensions:
                    problems.add(display, f"unknown dimension '{d}'", line, field=where + ".dimension")
                    continue
                cols[str(cname)] = ColumnMap("dimension", dimension=str(d),
                                             parent=str(cspec["parent"]) if cspec.get("parent") else None)
            else:
                cols[str(cname)] = ColumnMap("descriptive")
        when = []
        for i, w in enumerate(tspec.get("when") or []):
            where = f"tables.{tname}.when[{i}]"
            match = w.get("match") if isinstance(w, dict) else None
            if not isinstance(match, dict) or not match or not isinstance(w.get("at"), dict):
                problems.add(display, "a 'when' takes match: {KEY: PATTERN} and at: {DIMENSION: MEMBER}", _line(w),
                             field=where)
                continue
            patterns = {}
            for key, pattern in match.items():
                try:
                    patterns[str(key)] = re.compile(str(pattern), re.IGNORECASE)
                except re.error as exc:
                    problems.add(display, f"pattern {str(pattern)[:60]!r}: {exc}", _line(match, key),
                                 field=f"{where}.match.{key}")
            when.append((patterns, dims_of(w.get("at"), where + ".at", _line(w, "at"))))
        tables[str(tname)] = TableMap(dims_of(tspec.get("at"), f"tables.{tname}.at", _line(tspec, "at")), cols, when)
    claims: dict[str, tuple[str, dict]] = {}
    for old, cspec in (spec.get("claims") or {}).items():
        where, line = f"claims.{old}", _line(spec.get("claims"), old)
        if not isinstance(cspec, dict) or not measure_ok(cspec.get("measure"), where, line):
            continue
        at = dims_of(cspec.get("at"), where + ".at", line, allow_period=False)
        members = cspec.get("members")
        if members is not None:  # the old measure was a count of members of a dimension: a statement
            if members not in vocab.dimensions:
                problems.add(display, f"{where}.members names '{members}', not a dimension of the vocabulary",
                             _line(cspec, "members") or line, field=f"{where}.members")
                continue
            at = {**at, "__members__": str(members)}
        claims[str(old)] = (str(cspec["measure"]), at)
    problems.raise_if_any()
    return Mapping(display, old_profile, str(meta.get("profile")), dataset_at, edition, dimensions, tables, claims)


def find_target(old_profile: str | None, to: str | None) -> Path:
    """The figure pack that takes datasets of `old_profile`: `to` (a pack folder, or a profile
    name), else the pack under the rules folders whose migrate.yaml maps from it."""
    from .figures.pack import is_figure_pack
    from .pack import PACK_FILE, default_rules_dirs, find_pack

    if to is not None:
        pack = Path(to) if (Path(to) / PACK_FILE).is_file() else find_pack(to, None)
        if not is_figure_pack(pack) or not (pack / MIGRATE_FILE).is_file():
            raise AuditInputError(Problem(str(pack), f"not a pack of figures with {MIGRATE_FILE}",
                                          hint="--to names a pack with vocabulary.yaml and migrate.yaml"))
        return pack
    if old_profile is None:
        raise AuditInputError(Problem("--to", "the dataset names no profile, so no migration can be chosen"))
    for base in default_rules_dirs():
        for sub in sorted(p.parent for p in base.glob(f"*/{MIGRATE_FILE}")):
            data = load_yaml(sub / MIGRATE_FILE)
            if is_figure_pack(sub) and isinstance(data, dict) and isinstance(data.get("from"), dict) \
                    and old_profile in data["from"]:
                return _shown(sub)
    raise AuditInputError(Problem(" or ".join(map(str, default_rules_dirs())),
                                  f"no pack of figures migrates datasets of profile '{old_profile}'",
                                  hint=f"give --to PACK, a pack whose {MIGRATE_FILE} maps from it"))


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def default_out(src: Path) -> Path:
    """Where a migrated dataset goes by default: `figures/<name>` beside the input folder."""
    src = Path(src)
    folder = src.parent if src.is_file() else src
    return folder.parent / "figures" / folder.name


def migrate(src: str | Path, out: str | Path | None = None, to: str | None = None) -> tuple[Path, Mapping]:
    """Migrate the table-layout dataset at `src` into a new folder `out`. Raises AuditInputError
    (file, line, field) for what cannot be mapped; nothing is written then."""
    from .dataset import load_dataset
    from .figures.load import load_figures
    from .figures.pack import VOCABULARY_FILE
    from .figures.vocabulary import load_vocabulary
    from .outputs import Input, refuse_overwrite

    dataset = load_dataset(src)
    root = Path(dataset.root)
    out = Path(out) if out is not None else default_out(Path(src))
    pack = find_target(dataset.profile, to)
    refuse_overwrite(out, "the migrated dataset", [Input(root, "the dataset folder"), Input(pack, "the rule pack")],
                     folder=True)
    if (out.exists() or out.is_symlink()) and (not out.is_dir() or any(out.iterdir())):
        raise AuditInputError(Problem(str(out), "the migrated dataset needs a new or empty folder; this "
                                      + ("one is not empty" if out.is_dir() else "is not a folder"),
                                      hint="give --out a new folder, or remove this one"))
    vocab = load_vocabulary(pack / VOCABULARY_FILE)
    mapping = load_mapping(pack, str(dataset.profile), vocab)
    problems = ProblemCollector()
    meta = load_yaml(Path(dataset.descriptor), dataset.descriptor)
    years = _table_years(meta, mapping)
    new_meta = _descriptor(meta, dataset.descriptor, mapping, vocab, problems)
    claims_text = None
    if dataset.claims_file:
        claims_text = _claims(Path(dataset.claims_file), mapping, vocab, years, problems)
    problems.raise_if_any()
    header = _header(Path(dataset.descriptor))
    descriptor_text = header + dump_yaml(new_meta)
    # written beside the output, loaded as figures, then put in place: a migration that does not load writes nothing
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        from .explain.apply import _copy_folder

        _copy_folder(root, staging)
        descriptor_name = Path(dataset.descriptor).name
        if descriptor_name.endswith(".json"):
            (staging / descriptor_name).unlink()
            descriptor_name = "datapackage.yaml"
        (staging / descriptor_name).write_text(descriptor_text, encoding="utf-8")
        if claims_text is not None:
            (staging / Path(dataset.claims_file).relative_to(root)).write_text(claims_text, encoding="utf-8")
        try:
            load_figures(staging, vocab)
        except AuditInputError as exc:
            raise AuditInputError([Problem(p.file.replace(str(staging), str(out)), p.message, p.line, p.column,
                                           p.field, (p.hint + "; " if p.hint else "")
                                           + "the migrated dataset would not load: nothing was written")
                                   for p in exc.problems]) from None
        if out.is_dir():
            out.rmdir()  # empty, checked above
        os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return out, mapping


def _header(path: Path) -> str:
    """The comment lines at the top of a YAML file."""
    lines = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("#") or (not line.strip() and lines):
            lines.append(line)
            continue
        break
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _table_years(meta: Any, mapping: Mapping) -> set[str]:
    """The values the tables give table-wide for the old dimension that becomes the period."""
    from .figures.vocabulary import PERIOD

    found = set()
    for res in meta.get("resources") or []:
        for dim, value in ((res or {}).get("dimensions") or {}).items():
            if mapping.dimensions.get(dim) == PERIOD:
                found.add(str(_plain(value)))
    return found


def _period(value: Any, kind: str) -> str | None:
    """A printed year (or span of years) as the period of a stock (an instant) or a flow."""
    text = str(_plain(value)).strip()
    if _YEAR.fullmatch(text):
        return f"end {text}" if kind == "stock" else text
    if _SPAN.fullmatch(text):
        return None if kind == "stock" else re.sub(r"\s*[-–]\s*", "-", text)
    return text


def _descriptor(meta: Any, display: str, m: Mapping, vocab, problems: ProblemCollector) -> dict:
    from .figures.load import DATASET_KEYS

    out: dict = {}
    at = {}
    for dim, key in m.dataset_at.items():
        if meta.get(key) is not None:
            at[dim] = _plain(meta[key])
    edition = {k: _plain(meta[v]) for k, v in m.edition.items() if meta.get(v) is not None}
    for key, value in meta.items():
        if key in ("auditProfile", "profile"):
            if key == "profile" and "auditProfile" in meta:
                continue
            out["auditProfile"] = m.new_profile
            if edition:
                out["edition"] = edition
            if at:
                out["at"] = at
            continue
        if key not in DATASET_KEYS:
            problems.add(display, f"key '{key}' has no place in the figure layout", _line(meta, key), field=str(key),
                         hint="the figure layout takes " + ", ".join(sorted(DATASET_KEYS)))
            continue
        if key == "resources":
            out[key] = [_resource(res, display, m, vocab, problems) for res in value]
            continue
        out[key] = value
    return out


def _resource(res: Node, display: str, m: Mapping, vocab, problems: ProblemCollector) -> dict:
    from .figures.load import RESOURCE_KEYS
    from .figures.vocabulary import PERIOD

    name = str(res.get("name"))
    tmap = m.tables.get(name)
    if tmap is None:
        problems.add(display, f"table '{name}' has no mapping to figures", _line(res, "name"), field=f"{name}",
                     hint=f"{m.file} maps the tables " + ", ".join(m.tables))
        return dict(res)
    fields = (res.get("schema") or {}).get("fields") or []
    present = {str(f.get("name")) for f in fields if isinstance(f, dict)}
    kinds = {vocab.measures[c.measure].type for n, c in tmap.columns.items() if c.role == "measure" and n in present}
    table_at = tmap.at_of(res)
    column_period = None
    for dim, value in (res.get("dimensions") or {}).items():
        new = m.dimensions.get(str(dim))
        if new is None:
            problems.add(display, f"table-wide dimension '{dim}' has no mapping to figures",
                         _line(res.get("dimensions"), dim), field=f"{name}.dimensions.{dim}",
                         hint=f"{m.file} maps the dimensions " + ", ".join(m.dimensions))
            continue
        if new == PERIOD:
            if len(kinds) > 1:
                column_period = value  # stocks and flows in one table: each measure column gets its own period
                continue
            period = _period(value, next(iter(kinds), "other"))
            if period is None:
                problems.add(display, f"{value} is a span, and a stock is observed at an instant",
                             _line(res.get("dimensions"), dim), field=f"{name}.dimensions.{dim}")
                continue
            table_at[PERIOD] = period
        else:
            table_at[new] = _plain(value)
    new_res: dict = {}
    placed = False
    for key, value in res.items():
        if key == "dimensions" or (key in ("totals", "schema") and not placed):
            if table_at and not placed:
                new_res["at"] = {PERIOD: table_at.pop(PERIOD), **table_at} if PERIOD in table_at else table_at
            placed = True
            if key == "dimensions":
                continue
        if key not in RESOURCE_KEYS:
            problems.add(display, f"resource key '{key}' has no place in the figure layout", _line(res, key),
                         field=f"{name}.{key}", hint="the figure layout takes " + ", ".join(sorted(RESOURCE_KEYS)))
            continue
        if key == "schema":
            schema = {}
            for skey, svalue in value.items():
                schema[skey] = [_field(f, name, display, tmap, vocab, column_period, present, problems)
                                for f in svalue] if skey == "fields" else svalue
            new_res[key] = schema
            continue
        new_res[key] = value
    if not placed and table_at:
        new_res["at"] = table_at
    return new_res


def _field(f: Node, table: str, display: str, tmap: TableMap, vocab, column_period: Any, present: set,
           problems: ProblemCollector) -> dict:
    from .figures.load import FIELD_KEYS
    from .figures.vocabulary import PERIOD

    fname = str(f.get("name"))
    cmap = tmap.columns.get(fname)
    if cmap is None:
        problems.add(display, f"column '{fname}' of table '{table}' has no mapping to figures", _line(f, "name"),
                     field=f"{table}.{fname}", hint="the mapped columns: " + ", ".join(tmap.columns))
        return dict(f)
    new = {}
    for key, value in f.items():
        if key not in FIELD_KEYS:
            problems.add(display, f"field key '{key}' has no place in the figure layout", _line(f, key),
                         field=f"{table}.{fname}.{key}")
            continue
        new[key] = value
    if cmap.role == "dimension":
        new["dimension"] = cmap.dimension
        if cmap.parent:
            if cmap.parent not in present:
                problems.add(display, f"column '{fname}' is a level below '{cmap.parent}', which the table does "
                             "not print", _line(f, "name"), field=f"{table}.{fname}")
            new["parent"] = cmap.parent
    elif cmap.role == "measure":
        new["measure"] = cmap.measure
        at = dict(cmap.at)
        if column_period is not None:
            period = _period(column_period, vocab.measures[cmap.measure].type)
            if period is None:
                problems.add(display, f"{column_period} is a span, and a stock is observed at an instant",
                             _line(f, "name"), field=f"{table}.{fname}")
            else:
                at = {PERIOD: period, **at}
        if at:
            new["at"] = at
    return new


def _claims(path: Path, m: Mapping, vocab, years: set[str], problems: ProblemCollector) -> str:
    from .figures.load import CLAIM_KEYS as FIGURE_CLAIM_KEYS
    from .figures.vocabulary import PERIOD

    display = str(path)
    data = load_yaml(path, display, kind="claims")
    items = data.get("claims") if isinstance(data, dict) else data
    period_dims = [old for old, new in m.dimensions.items() if new == PERIOD]
    out_items = []
    for c in items:
        old = str(c.get("measure"))
        target = m.claims.get(old)
        cid = str(_plain(c.get("id")))
        if target is None:
            problems.add(display, f"claim '{cid}': measure '{old}' has no mapping to figures", _line(c, "measure"),
                         field="measure", hint=f"{m.file} maps the claim measures " + ", ".join(m.claims))
            continue
        measure, at = target[0], dict(target[1])
        members = at.pop("__members__", None)
        kind = vocab.measures[measure].type
        new: dict = {"members": members} if members else {}
        period = None
        given = False
        for key, value in c.items():
            if key == "measure":
                new[key] = measure
                continue
            if key == "table":
                continue  # figures are found by their coordinates
            if key in m.dimensions:
                dim = m.dimensions[key]
                values = list(value) if isinstance(value, list) else [value]
                if dim == PERIOD:
                    given = True
                    if len(values) != 1:
                        problems.add(display, f"claim '{cid}': {key} gives several periods; a figure has one",
                                     _line(c, key), field=key)
                        continue
                    period = _period(values[0], kind)
                    if period is None:
                        problems.add(display, f"claim '{cid}': {values[0]} is a span, and {measure} is a stock, "
                                     "observed at an instant", _line(c, key), field=key)
                    continue
                member = [_plain(v) for v in values] if isinstance(value, list) else _plain(value)
                if dim in at and at[dim] != member:
                    problems.add(display, f"claim '{cid}': {key} {member} contradicts the mapping's {dim} {at[dim]}",
                                 _line(c, key), field=key)
                    continue
                at[dim] = member
                continue
            if key not in FIGURE_CLAIM_KEYS:
                problems.add(display, f"claim '{cid}': the claims' key '{key}' has no mapping to figures",
                             _line(c, key), field=key, hint=f"{m.file} maps the dimensions " + ", ".join(m.dimensions))
                continue
            new[key] = value
        if not given and period_dims:
            if len(years) == 1:
                period = _period(next(iter(years)), kind)
            else:
                problems.add(display, f"claim '{cid}' gives no {period_dims[0]}, and the tables give "
                             + ("none" if not years else "several: " + ", ".join(sorted(years))),
                             _line(c), field=period_dims[0])
        if period is not None:
            new[PERIOD] = period
        if at:
            new["at"] = at
        out_items.append(new)
    body = {"claims": out_items} if isinstance(data, dict) else out_items
    if isinstance(data, dict):
        body = {**{k: v for k, v in data.items() if k != "claims"}, "claims": out_items}
    return _header(path) + dump_yaml(body)


# --- writing YAML that keeps what was written (numbers as printed, strings as strings) ---

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .()/+'&-]*[A-Za-z0-9_.)']|[A-Za-z_]")
_PLAIN_BLOCK = re.compile(r"[A-Za-z_(][^\n#:\[\]{}]*")


def _scalar(value: Any, flow: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Number):
        return value.text
    if isinstance(value, (int, float)):
        return repr(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    text = str(value)
    pattern = _PLAIN if flow else _PLAIN_BLOCK
    if pattern.fullmatch(text) and text == text.strip() and " #" not in text and ": " not in text:
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    # JSON's double-quoted form is YAML's, but for the characters YAML does not allow unescaped
    # (DEL, C1 controls, non-characters): those are written as YAML escapes
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _is_flat(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_flat(v) and not isinstance(v, dict) or
                   (isinstance(v, dict) and all(not isinstance(x, (dict, list)) for x in v.values()))
                   for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return True


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k, True)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value, True)


def dump_yaml(value: Any, indent: int = 0, parent: str = "") -> str:
    """Block YAML, with short flat mappings (and every schema field) in flow style."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            key = _scalar(k, False)
            if isinstance(v, (dict, list)) and not v:
                lines.append(f"{pad}{key}: {'{}' if isinstance(v, dict) else '[]'}")
            elif isinstance(v, dict) and _is_flat(v) and len(_flow(v)) + indent + len(key) < 100:
                lines.append(f"{pad}{key}: {_flow(v)}")
            elif isinstance(v, list) and _is_flat(v) and len(_flow(v)) + indent + len(key) < 100:
                lines.append(f"{pad}{key}: {_flow(v)}")
            elif isinstance(v, (dict, list)):
                lines.append(f"{pad}{key}:")
                lines.append(dump_yaml(v, indent + 2, str(k)).rstrip("\n"))
            else:
                lines.append(f"{pad}{key}: {_scalar(v, False)}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict) and (parent == "fields" and _is_flat(v)):
                lines.append(f"{pad}- {_flow(v)}")
            elif isinstance(v, dict) and v:
                inner = dump_yaml(v, indent + 2, parent).rstrip("\n").splitlines()
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            elif isinstance(v, list) and v:
                lines.append(f"{pad}- {_flow(v)}")
            else:
                lines.append(f"{pad}- {_scalar(v, False) if not isinstance(v, (dict, list)) else _flow(v)}")
    else:
        lines.append(pad + _scalar(value, False))
    return "\n".join(lines) + "\n"
