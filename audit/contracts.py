"""Table contracts of a profile: what tables and columns a dataset may have, and what values.

Structure (unknown tables or columns, missing required columns, units of the wrong dimension,
claims of unknown measures) is bad input: the audit cannot run, exit code 2. Values (ranges,
allowed codes, duplicate keys) are checked with pandera and reported as findings of the
built-in rule `table-contracts`, like any other discrepancy.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path

from . import units
from .dataset import Dataset, _line, bind_claims
from .errors import ProblemCollector, choices_hint
from .expr.compiler import ColumnInfo, Schema
from .findings import Finding, RuleResult
from .kinds.base import cell_location, table_label
from .pack import Pack

RULE_ID = "table-contracts"
RULE_TITLE = "Tables meet the profile's contracts (ranges, codes, unique keys)"


def _pandera():
    """pandera's pandas API, imported on first use. pandera imports PySpark's pandas layer whenever
    PySpark is installed (the spark extra), which takes a tenth of a second and warns about pandas
    versions; the contracts need none of it, so that import is made to fail while pandera loads
    (pandera then treats PySpark as absent, which only concerns pandas-on-Spark frames)."""
    import sys

    if "pandera.pandas" not in sys.modules and "pyspark.pandas" not in sys.modules:
        sys.modules["pyspark.pandas"] = None  # type: ignore[assignment] - `import pyspark.pandas` raises ImportError
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)
                import pandera.pandas
        finally:
            if sys.modules.get("pyspark.pandas", 0) is None:
                del sys.modules["pyspark.pandas"]
    import pandera.pandas as pa

    return pa


def check_structure(ds: Dataset, pack: Pack) -> None:
    """Raise AuditInputError listing every structural mismatch between dataset and profile. A table
    whose descriptor gives no primaryKey is keyed as the profile keys it (the key rows are named
    by): Frictionless allows no missing part in a primaryKey, and a totals row has none. A column the
    profile counts in needs no unit: count is the only one (and Frictionless has no units)."""
    problems = ProblemCollector()
    ds.units = pack.units
    if ds.profile and ds.profile != pack.profile:
        key = "auditProfile" if "auditProfile" in ds.meta else "profile"
        problems.add(ds.descriptor, f"the dataset's profile is '{ds.profile}', the rule pack is for "
                     f"'{pack.profile}'", _line(ds.meta, key) or 1, field=key)
    for name, table in ds.tables.items():
        contract = pack.contracts.get(name)
        if contract is None:
            problems.add(ds.descriptor, f"table '{name}' is not part of profile '{pack.profile}'", table.line, field=name,
                         hint=f"tables of the profile: {', '.join(pack.contracts)}")
            continue
        for cname, f in table.fields.items():
            cc = contract.columns.get(cname)
            if cc is None:
                problems.add(ds.descriptor, f"column '{cname}' of table '{name}' is not part of the profile",
                             f.line, field=f"{name}.{cname}", hint=f"columns: {', '.join(contract.columns)}")
                continue
            numeric = cc.type in ("integer", "number", "year")
            if numeric != f.numeric or (cc.type == "integer" and f.type == "number"):
                problems.add(ds.descriptor, f"column '{name}.{cname}' must be of type {cc.type}, not {f.type}",
                             f.line, field=f"{name}.{cname}.type")
            _bind_field(ds, pack, name, cname, f, cc.dimension, problems)
        for cname, cc in contract.columns.items():
            if cc.required and cname not in table.fields:
                problems.add(ds.descriptor, f"table '{name}' lacks the required column '{cname}'", table.line,
                             field=name)
        for dim in table.dimensions:
            if dim not in contract.dimensions and dim not in contract.columns:
                problems.add(ds.descriptor, f"dimension '{dim}' of table '{name}' is not part of the profile",
                             table.line, field=f"{name}.dimensions")
        if not table.key:
            table.key = [k for k in contract.key if k in table.fields]
    for claim in ds.claims:
        if claim.measure not in pack.measures:
            problems.add(claim.file, f"claim '{claim.id}' measures '{claim.measure}', which the profile does not "
                         "know", claim.line, field="measure", hint="measures are listed in the pack's measures.yaml")
            continue
        want = pack.measures[claim.measure]
        if claim.unit is not None:
            claim.unit_def = _known_unit(pack, claim.unit, claim.file, claim.line, "unit", problems)
            if claim.unit_def is None:
                continue
            claim.unit = claim.unit_def.name
        if not units.compatible(claim.dim, want):
            problems.add(claim.file, f"claim '{claim.id}' is in {claim.unit or 'no unit'}, but '{claim.measure}' is "
                         f"{units.dim_text(want)}", claim.line, field="unit")
    problems.problems += bind_claims(ds, pack.claim_dimensions, pack.claim_period, f"the rule pack {pack.root}")
    problems.raise_if_any()


def _bind_field(ds: Dataset, pack: Pack, table: str, name: str, f, quantity: str | None,
                problems: ProblemCollector) -> None:
    """Give a field its unit as the pack defines it, and check it measures the column's quantity. A
    column of a plain-number quantity (a count) needs no unit: Frictionless has none."""
    system = pack.units
    if quantity in system.numbers and f.unit is None and f.numeric:
        f.unit = system.base[quantity]
    u = None
    if f.unit is not None:
        u = _known_unit(pack, f.unit, ds.descriptor, f.line, f"{table}.{name}.unit", problems)
        if u is None:
            return
    if quantity is not None and f.numeric and (u is None or u.quantity != quantity):
        problems.add(ds.descriptor, f"column '{table}.{name}' is {quantity}: its unit must be one of "
                     f"{', '.join(system.names(quantity))}, not {f.unit or 'none'}", f.line,
                     field=f"{table}.{name}.unit")
        return
    if u is not None:
        f.unit, f.unit_def = u.name, u


def _known_unit(pack: Pack, name: str, file: str, line: int | None, where: str,
                problems: ProblemCollector) -> units.Unit | None:
    """A unit a dataset writes (a field's, a claim's), as the pack defines it; None, with the problem
    added, when the pack declares no such unit."""
    u = pack.units.lookup(name)
    if u is None:
        problems.add(file, f"unknown unit '{name}'", line, field=where,
                     hint=choices_hint(f"units of profile {pack.profile}", pack.units.names(), name))
    return u


def dataset_schema(ds: Dataset, pack: Pack) -> Schema:
    """The names this dataset has, with units, printed decimals and whether a column's values are
    exact (no uncertainty on any row); the profile's as `known`."""
    from .engine import exact_column

    tables = {}
    for name, table in ds.tables.items():
        cols = {}
        for cname, f in table.fields.items():
            decimals = table.decimals(cname)
            cols[cname] = ColumnInfo(f.numeric, f.dim, f.shown_unit, decimals,
                                     exact=f.numeric and exact_column(table, cname))
        for dim, value in table.dimensions.items():
            cols.setdefault(dim, ColumnInfo(isinstance(value, (int, float)), units.NONE, None, kind="dimension"))
        tables[name] = cols
    return Schema(tables, dict(pack.measures), dict(pack.measure_units), known=pack.schema(), units=pack.units,
                  period=pack.claim_period)


def check_values(ds: Dataset, pack: Pack, engine) -> RuleResult:
    """Ranges, allowed codes and unique keys, as findings: as SQL on the engine's tables when it
    holds every table (DuckDBEngine: one aggregate per table), else with pandera on the tables
    held in memory and as SQL on the tables the engine reads from their files.

    pandera (and pandas with it) is imported only on that second path: on the default one the
    contracts need neither, and an audit starts in a fraction of the time."""
    start = time.perf_counter()
    result = RuleResult(RULE_ID, RULE_TITLE, "contract",
                        "error", "passed", file=str(Path(pack.root) / "contracts.yaml"), line=1)
    in_sql = getattr(engine, "contracts_in_sql", False)
    for name, table in ds.tables.items():
        contract = pack.contracts[name]
        if table.external or in_sql:
            _check_external(ds, table, contract, engine, result)
            continue
        pa = _pandera()
        from .engine import table_frame

        columns = {cname: pa.Column(checks=value_checks(pa, cc), nullable=True, required=False)
                   for cname, cc in contract.columns.items() if cname in table.fields}
        key = [k for k in (table.key or contract.key) if k in table.fields]
        schema = pa.DataFrameSchema(columns, unique=key or None, report_duplicates="all")
        frame = table_frame(table)
        data = frame[~frame["__total"]].reset_index(drop=True)
        result.items += len(data)
        failed_rows: set[int] = set()
        try:
            schema.validate(data, lazy=True)
        except pa.errors.SchemaErrors as exc:
            for case in exc.failure_cases.to_dict("records"):
                idx = case.get("index")
                if idx is None or idx != idx:
                    continue
                line = int(data.loc[int(idx), "__line"])
                failed_rows.add(line)
                column = case.get("column")
                check = str(case.get("check"))
                if "unique" in check or "duplicate" in check.lower() or column not in table.fields:
                    locs = [cell_location(ds, table, line, k, "key") for k in key]
                    message = (f"{table_label(table)}: the key {', '.join(key)} = "
                               f"{', '.join(str(table.row_key(table.row_at(line)).get(k)) for k in key)} "
                               "appears more than once")
                else:
                    locs = [cell_location(ds, table, line, column, "value")]
                    message = f"{table_label(table)}: {column} must be {check}, found {locs[0].value}"
                result.findings.append(Finding(RULE_ID, "error", message, locs, dataset=ds.name,
                                                subject=f"{column}:{check}").seal())
        result.failed += len(failed_rows)
        result.passed += len(data) - len(failed_rows)
    unique = {}
    for f in result.findings:
        unique.setdefault(f.fingerprint, f)
    result.findings = list(unique.values())
    result.status = "failed" if result.findings else "passed"
    result.seconds = time.perf_counter() - start
    return result


def value_checks(pa, cc) -> list:
    """The pandera checks of a column's range and allowed codes; each check's `error` is the phrase
    a finding prints after "must be" ("at least 0", "one of a, b")."""
    checks = []
    if cc.min is not None:
        checks.append(pa.Check.ge(float(cc.min), error=f"at least {cc.min:g}"))
    if cc.max is not None:
        checks.append(pa.Check.le(float(cc.max), error=f"at most {cc.max:g}"))
    if cc.allowed:
        checks.append(pa.Check.isin(cc.allowed, error="one of " + ", ".join(cc.allowed)))
    return checks


# the pandas dtype a contract's column type is validated as (coerced, so that a count column read
# with a blank cell, float64 in pandas, passes when its values are whole; text is checked, not coerced,
# since pandas would turn a missing value into the text "nan")
_DTYPES = {"integer": "Int64", "year": "Int64", "number": "float64", "boolean": "boolean", "string": str}


def contract_schemas(pack: Pack) -> dict:
    """The pack's table contracts (`contracts.yaml`) as pandera `DataFrameSchema`s, by table, for
    a table as pandas reads it (one column per field, printed totals rows included): each
    column's type, whether it is required, its range (min, max) and allowed codes, with the
    contract's description and dimension (area, count) as the column's metadata; the table's key
    as unique rows, and no column the contract does not list (`strict`: the engine refuses one).
    The table-wide dimensions a descriptor may give (`dimensions: [year]`) are not columns: they
    are the schema's metadata."""
    pa = _pandera()
    schemas = {}
    for name, contract in pack.contracts.items():
        columns = {}
        for cname, cc in contract.columns.items():
            dtype = _DTYPES.get(cc.type, str)
            columns[cname] = pa.Column(dtype, checks=value_checks(pa, cc), nullable=True,
                                       required=cc.required, coerce=dtype is not str, description=cc.description or None,
                                       metadata={"dimension": cc.dimension} if cc.dimension else None)
        schemas[name] = pa.DataFrameSchema(columns, name=name, title=contract.title, strict=True,
                                           unique=list(contract.key) or None, report_duplicates="all",
                                           metadata={"dimensions": list(contract.dimensions)} if contract.dimensions
                                           else None)
    return schemas


def check_constraints(ds: Dataset) -> RuleResult | None:
    """The fields' own Frictionless constraints (audit.constraints) as the built-in rule
    `field-constraints`, over every row of each table held in memory; None when the dataset
    declares none (tables read by the engine from their files cannot declare any: dataset.py)."""
    from . import constraints

    start = time.perf_counter()
    columns, tables = [], {}
    for table in ds.tables.values():
        for fname, f in table.fields.items():
            if f.constraints:
                cells = [constraints.CellValue(row.line, row.cells[fname].text, row.cells[fname].value)
                         for row in table.rows]
                columns.append((f"{table.name}.{fname}", cells, f.constraints))
                tables[f"{table.name}.{fname}"] = (table, fname)
    if not columns:
        return None

    def finding(column: str, v, cell) -> Finding:
        table, fname = tables[column]
        loc = cell_location(ds, table, v.line, fname, "value")
        found = f"found {loc.value}" if cell.value is not None else "the cell is empty"
        return Finding(constraints.RULE_ID, "error", f"{table_label(table)}: {fname} must be {v.message}, {found}",
                       [loc], dataset=ds.name, subject=f"{fname}:{v.constraint}").seal()

    result = constraints.rule_result(columns, finding, ds.descriptor)
    result.seconds = time.perf_counter() - start
    return result


BITMAP_MAX_RANGE = 1 << 28  # bits of a key bitmap (32 MB per thread): beyond it, the key is grouped


def _unique_integer_key(engine, table, key: list[str], bad_rows: str | None) -> dict | None:
    """The counts of the key check without grouping, when a single-column integer key of a large table
    (one the engine stores: Parquet, CSV) turns out to be unique; None otherwise (the caller groups).

    Grouping 10M rows by their key is the costliest query of an audit (a hash table of 10M
    entries); a bitmap of the key's range answers "are they all distinct?" in one pass that
    hashes nothing (DuckDB's `bitstring_agg`, 15x faster at 10M rows): the number of bits set is
    the number of distinct values. Unique (distinct values = non-missing values, at most one
    missing key) means no row fails for its key; otherwise the exact grouping runs as before."""
    if len(key) != 1 or not table.external or getattr(engine, "name", None) != "duckdb":
        return None
    from .expr.compiler import ident

    t, k = ident(table.name), ident(key[0])
    bad = f", count(*) FILTER (WHERE {bad_rows}) AS b" if bad_rows else ""
    stats = engine.rows(f"SELECT count(*) AS n, count({k}) AS nn, min({k}) AS lo, max({k}) AS hi{bad} "
                        f"FROM {t} WHERE NOT __total")[0]
    lo, hi, n, nn = stats["lo"], stats["hi"], int(stats["n"]), int(stats["nn"])
    if n - nn > 1:
        return None  # two rows without a key: they repeat it (as pandas' duplicated has it)
    if nn and not (isinstance(lo, int) and isinstance(hi, int) and not isinstance(lo, bool)):
        return None  # not an integer column
    if nn and hi - lo + 1 > BITMAP_MAX_RANGE:
        return None
    if nn:
        [row] = engine.rows(f"SELECT bit_count(bitstring_agg({k}, {lo}, {hi})) AS d FROM {t} "
                            f"WHERE NOT __total AND {k} IS NOT NULL")
        if int(row["d"]) != nn:
            return None  # repeated keys: grouped, to count and list them
    return {"n": n, "failed": int(stats.get("b") or 0), "dup_groups": 0}


def _check_external(ds: Dataset, table, contract, engine, result: RuleResult, cap: int = 1000) -> None:
    """The same contract, checked by the engine: ranges, codes and unique keys as SQL, counting every
    failing row and listing the first `cap`. Rows whose keys are equal, missing parts included (as
    pandas' `duplicated` has it), all fail."""
    from .expr.compiler import ident, sql_literal

    t = ident(table.name)
    checks = []
    for cname, cc in contract.columns.items():
        if cname not in table.fields:
            continue
        c = ident(cname)
        if cc.min is not None:
            checks.append((cname, f"at least {cc.min:g}", f"{c} < {sql_literal(float(cc.min))}"))
        if cc.max is not None:
            checks.append((cname, f"at most {cc.max:g}", f"{c} > {sql_literal(float(cc.max))}"))
        if cc.allowed:
            checks.append((cname, "one of " + ", ".join(cc.allowed),
                           f"{c} NOT IN ({', '.join(sql_literal(a) for a in cc.allowed)})"))
    bad_rows = " OR ".join(f"coalesce({cond}, false)" for _, _, cond in checks) or "false"
    key = [k for k in (table.key or contract.key) if k in table.fields]
    dup_groups = 0
    # a unique integer key is known without grouping (a bitmap); otherwise the rows are grouped by key
    counts = _unique_integer_key(engine, table, key, bad_rows if checks else None) if key else None
    if counts is None and key:
        # one pass: the rows of each key, and how many of them break a range or code; a row fails when
        # its key is repeated or when it is bad
        cols = ", ".join(ident(k) for k in key)
        bad = f", count(*) FILTER (WHERE {bad_rows}) AS b" if checks else ""
        counts = engine.rows(
            f"SELECT coalesce(sum(c), 0) AS n, coalesce(sum(CASE WHEN c > 1 THEN c ELSE {'b' if checks else '0'} END), 0) "
            f"AS failed, count(*) FILTER (WHERE c > 1) AS dup_groups "
            f"FROM (SELECT count(*) AS c{bad} FROM {t} WHERE NOT __total GROUP BY {cols})")[0]
        dup_groups = counts["dup_groups"]
    elif counts is None:
        counts = engine.rows(f"SELECT count(*) AS n, count(*) FILTER (WHERE {bad_rows}) AS failed "
                             f"FROM {t} WHERE NOT __total")[0]
    n, failed = int(counts["n"]), int(counts["failed"])
    result.items += n
    result.failed += failed
    result.passed += n - failed
    shown = 0
    for cname, what, cond in (checks if failed else []):
        for row in engine.rows(f"SELECT __line FROM {t} WHERE NOT __total AND {cond} ORDER BY __line "
                               f"LIMIT {cap - shown}"):
            loc = cell_location(ds, table, row["__line"], cname, "value")
            result.findings.append(Finding(RULE_ID, "error", f"{table_label(table)}: {cname} must be {what}, found "
                                           f"{loc.value}", [loc], dataset=ds.name, subject=f"{cname}:{what}").seal())
            shown += 1
    if key and dup_groups and shown < cap:
        cols = ", ".join(ident(k) for k in key)
        for row in engine.rows(f"SELECT min(__line) AS line, {cols} FROM {t} WHERE NOT __total GROUP BY {cols} "
                               f"HAVING count(*) > 1 ORDER BY 1 LIMIT {cap - shown}"):
            locs = [cell_location(ds, table, row["line"], k, "key") for k in key]
            values = ", ".join(str(row[k]) for k in key)
            result.findings.append(Finding(RULE_ID, "error", f"{table_label(table)}: the key {', '.join(key)} = "
                                           f"{values} appears more than once", locs, dataset=ds.name,
                                           subject=f"{','.join(key)}:unique").seal())
            shown += 1
    result.truncated += max(0, failed - shown)
