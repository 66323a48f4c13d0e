"""The embedded execution engine: DuckDB in-process over pandas frames.

This is the thin layer that runs compiled SQL. Each dataset table becomes a relation holding,
for every numeric field, its value in the base unit and its uncertainty (`<field>__err`), plus
`__line` (line in the CSV file) and `__total` (a printed totals row). Table-wide dimensions
(e.g. `year: 2018` for a table "at end 2018") become constant columns. Claims become `__claims`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import units
from .dataset import Cell, Claim, Dataset, Field, Row, Table
from .errors import AuditInputError, Problem


def uncertainty(value: float | None, decimals: int, unit: units.Unit | None, integer_type: bool) -> float:
    """Half the width of the interval a printed figure stands for, in the base unit.

    Counts and integers, and whole numbers in a unit the pack calls exact (the base unit an area
    is recorded in), are exact: they are what was recorded. A figure printed with d decimals, or a
    whole number in a larger unit (4 km2), was rounded. A printed `0` is exactly zero in any unit
    (nothing was there); `0.00` was rounded like any other figure.
    """
    if value is None or (value == 0 and decimals == 0):
        return 0.0
    if integer_type or unit is None or unit.number:
        return 0.0
    if decimals == 0 and unit.exact_whole:
        return 0.0
    return 0.5 * 10 ** (-decimals) * unit.factor


def cell_uncertainty(cell: Cell, f: Field) -> float:
    return uncertainty(cell.value, cell.decimals, f.bound_unit, f.type in ("integer", "year"))


def exact_column(table: Table, name: str) -> bool:
    """Whether the uncertainty (`<name>__err`) of a numeric field is 0 on every row: counts,
    integers, whole numbers in the base unit. The compiler then knows statically that comparisons
    of the column need no allowance for printed precision (see Compiler._compare)."""
    f = table.fields[name]
    if f.type == "year":
        return True
    if table.external:  # one uncertainty for the whole column, from the declared decimals (external_columns)
        return uncertainty(1.0, f.decimals or 0, f.bound_unit, f.type == "integer" or f.decimals is None) == 0
    return all(cell_uncertainty(row.cells[name], f) == 0 for row in table.rows)


def claim_uncertainty(claim: Claim) -> float:
    if claim.value is None:
        return 0.0
    return uncertainty(claim.value, claim.decimals, claim.bound_unit, False)


def external_columns(table: Table, identifiers=()) -> tuple[str, list[tuple[str, str, bool]]]:
    """The source of an external table and its columns in the shape of table_frame, as
    (name, SQL, stored): `stored` is false for the constants (uncertainties, table-wide
    dimensions), which a stored copy of the table need not hold. The `identifiers` (integer
    fields without a unit, stored as integers in the file) are kept as BIGINT: the same values
    as DOUBLE, but joins and groupings on integer keys are several times faster."""
    from .expr.compiler import ident, sql_literal

    if table.external == "database":  # copied into the connection first (`load_external`)
        source = ident(database_copy(table))
        line = "row_number() OVER () + 1"
    elif table.external == "parquet":
        path = sql_literal(str(table.source))
        source = f"read_parquet({path}, file_row_number=true)"
        line = "file_row_number + 2"  # as if written as CSV: line 1 is the header
    else:
        path = sql_literal(str(table.source))
        source = f"read_csv({path}, delim={sql_literal(table.delimiter)}, header=true, auto_detect=true)"
        line = "row_number() OVER () + 1"
    cols = [("__line", f"CAST({line} AS BIGINT)", True)]
    if table.totals_column:
        labels = ", ".join(sql_literal(x) for x in table.totals_labels)
        cols.append(("__total", f"coalesce(CAST({ident(table.totals_column)} AS VARCHAR) IN ({labels}), false)", True))
    else:
        cols.append(("__total", "false", False))
    for name, f in table.fields.items():
        if f.type == "year":
            cols.append((name, f"TRY_CAST({ident(name)} AS BIGINT)", True))
            cols.append((name + "__err", "CAST(0 AS DOUBLE)", False))
        elif f.numeric:
            err = uncertainty(1.0, f.decimals or 0, f.bound_unit, f.type == "integer" or f.decimals is None)
            value = f"CAST({ident(name)} AS BIGINT)" if name in identifiers else \
                f"CAST({ident(name)} AS DOUBLE) * {sql_literal(float(f.factor))}"
            cols.append((name, value, True))
            cols.append((name + "__err", f"CAST({sql_literal(float(err))} AS DOUBLE)", False))
        else:
            cols.append((name, f"CAST({ident(name)} AS VARCHAR)", True))
    for dim, value in table.dimensions.items():
        if dim not in table.fields:
            cols.append((dim, sql_literal(value), False))
    return source, cols


def database_copy(table: Table) -> str:
    """The name of the engine's copy of a database table (`load_external`)."""
    return f"__database_{table.name}"


def load_external(con, table: Table) -> None:
    """Before the connection is locked: what an external table's SELECT reads that is not a file,
    a database's rows, streamed into the engine's own storage (`audit.databases.load_into`)."""
    if table.external == "database":
        from .databases import DatabaseError, load_into

        try:
            load_into(con, table.database, database_copy(table))
        except DatabaseError as exc:
            raise AuditInputError(Problem(table.database.display, f"{table.database.what}: {exc}")) from None


def external_connection(table: Table):
    """A locked DuckDB connection that can run `external_select(table)` and nothing else."""
    import duckdb

    from . import sandbox

    if table.external != "database":
        return sandbox.connect([table.source])
    con = duckdb.connect(":memory:")
    load_external(con, table)
    sandbox.lock(con)
    return con


def external_select(table: Table) -> str:
    """SQL reading an external table straight from its file, in the same shape as table_frame."""
    from .expr.compiler import ident

    source, cols = external_columns(table)
    return f"SELECT {', '.join(f'{sql} AS {ident(name)}' for name, sql, _ in cols)} FROM {source}"


INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}


def stored_external(table: Table, stored_name: str, types: dict[str, str] | None = None) -> tuple[str, str]:
    """SQL to copy an external table into the engine's storage once (the values it reads, cast and
    in base units), and SQL of the view giving it the shape of table_frame (plus the constants).
    `types`: the file's column types (DuckDB's names), to keep integer identifiers as integers."""
    from .expr.compiler import ident

    identifiers = {name for name, f in table.fields.items()
                   if f.type == "integer" and not f.unit and (types or {}).get(name) in INTEGER_TYPES}
    source, cols = external_columns(table, identifiers)
    copy = f"SELECT {', '.join(f'{sql} AS {ident(name)}' for name, sql, stored in cols if stored)} FROM {source}"
    view = ", ".join(ident(name) if stored else f"{sql} AS {ident(name)}" for name, sql, stored in cols)
    return copy, f"SELECT {view} FROM {ident(stored_name)}"


def table_frame(table: Table):
    import pandas as pd

    data: dict[str, list[Any]] = {"__line": [], "__total": []}
    for name, f in table.fields.items():
        data[name] = []
        if f.numeric:
            data[name + "__err"] = []
    for row in table.rows:
        data["__line"].append(row.line)
        data["__total"].append(row.total)
        for name, f in table.fields.items():
            cell = row.cells[name]
            if f.numeric:
                data[name].append(None if cell.value is None else cell.value * f.factor)
                data[name + "__err"].append(cell_uncertainty(cell, f))
            else:
                data[name].append(cell.value)
    frame = pd.DataFrame(data)
    for name, f in table.fields.items():
        if f.type == "year":
            frame[name] = frame[name].astype("Int64")
            frame[name + "__err"] = frame[name + "__err"].astype("float64")
        elif f.numeric:
            frame[name] = frame[name].astype("float64")
            frame[name + "__err"] = frame[name + "__err"].astype("float64")
        elif f.type == "string":
            frame[name] = frame[name].astype("object")
    for dim, value in table.dimensions.items():
        if dim not in frame.columns:
            frame[dim] = value
    return frame


def _single(c: Claim, dim: str):
    values = c.dims.get(dim) or []
    return values[0] if len(values) == 1 else None


def claim_columns(dataset: Dataset) -> list[tuple[str, str]]:
    """The dimensions of `__claims`, each with its DuckDB type: those the rule pack declares (once
    `bind_claims` has read them), else those the claims use. The period holds whole years (BIGINT);
    another dimension holds text, or whole numbers when a pack has not said and every value is one.
    A claim given several values of a dimension has none there: only claims of one value join by it."""
    dims = dataset.claim_dimensions
    if dims is None:
        dims = tuple(dict.fromkeys(k for c in dataset.claims for k in c.dims))

    def whole(d: str) -> bool:
        if d == dataset.claim_period:
            return True
        values = [_single(c, d) for c in dataset.claims]
        return dataset.claim_dimensions is None and any(v is not None for v in values) and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values)

    return [(d, "BIGINT" if whole(d) else "VARCHAR") for d in dims]


def claim_values(dataset: Dataset) -> list[tuple[str, str, list]]:
    """Each dimension column of `__claims`: name, type and the claims' values."""
    out = []
    for d, t in claim_columns(dataset):
        values = [_single(c, d) for c in dataset.claims]
        out.append((d, t, [None if v is None else int(v) if t == "BIGINT" else str(v) for v in values]))
    return out


def claims_frame(dataset: Dataset):
    import pandas as pd

    claims = dataset.claims
    frame = {
        "id": [c.id for c in claims],
        "measure": [c.measure for c in claims],
        "value": pd.Series([None if c.value is None else c.value * c.factor for c in claims], dtype="float64"),
        "value__err": pd.Series([claim_uncertainty(c) for c in claims], dtype="float64"),
    }
    for d, t, values in claim_values(dataset):
        frame[d] = pd.Series(values, dtype="Int64" if t == "BIGINT" else "object")
    frame["__line"] = [c.line for c in claims]
    return pd.DataFrame(frame)


def dataset_frames(dataset: Dataset) -> dict[str, Any]:
    """The relations every engine registers from pandas, by name: the tables held in memory (not the
    external ones, which the engine reads from their files), their hierarchy code lists
    (`__h_<table>`: code, parent) and `__claims`."""
    import pandas as pd

    frames = {name: table_frame(table) for name, table in dataset.tables.items() if not table.external}
    for name, table in dataset.tables.items():
        if table.hierarchy is not None:
            frames[f"__h_{name}"] = pd.DataFrame({"code": list(table.hierarchy),
                                                  "parent": list(table.hierarchy.values())})
    frames["__claims"] = claims_frame(dataset)
    return frames


def _typed(value: Any) -> str | None:
    """The DuckDB type of a table-wide constant, as pandas would have inferred it (None: let DuckDB)."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, str):
        return "VARCHAR"
    return None


def table_columns(table: Table) -> list[tuple[str, str | None, list]]:
    """A table held in memory as typed columns (name, DuckDB type, values): the relation of
    table_frame, built without pandas (DuckDBEngine registers these; the Spark engine the frames)."""
    rows = table.rows
    cols: list[tuple[str, str | None, list]] = [("__line", "BIGINT", [r.line for r in rows]),
                                                ("__total", "BOOLEAN", [bool(r.total) for r in rows])]
    for name, f in table.fields.items():
        cells = [r.cells[name] for r in rows]
        if f.type == "year":
            cols.append((name, "BIGINT", [None if c.value is None else int(c.value) for c in cells]))
            cols.append((name + "__err", "DOUBLE", [float(cell_uncertainty(c, f)) for c in cells]))
        elif f.numeric:
            cols.append((name, "DOUBLE", [None if c.value is None else float(c.value * f.factor) for c in cells]))
            cols.append((name + "__err", "DOUBLE", [float(cell_uncertainty(c, f)) for c in cells]))
        elif f.type == "boolean":
            cols.append((name, "BOOLEAN", [c.value for c in cells]))
        else:
            cols.append((name, "VARCHAR", [None if c.value is None else str(c.value) for c in cells]))
    for dim, value in table.dimensions.items():
        if dim not in table.fields:
            cols.append((dim, _typed(value), [value] * len(rows)))
    return cols


def dataset_columns(dataset: Dataset) -> dict[str, list[tuple[str, str | None, list]]]:
    """The relations of dataset_frames, as typed columns (see table_columns)."""
    out = {name: table_columns(table) for name, table in dataset.tables.items() if not table.external}
    for name, table in dataset.tables.items():
        if table.hierarchy is not None:
            out[f"__h_{name}"] = [("code", "VARCHAR", [str(x) for x in table.hierarchy]),
                                  ("parent", "VARCHAR", [None if x is None else str(x) for x in table.hierarchy.values()])]
    out["__claims"] = claims_columns(dataset)
    return out


def claims_columns(dataset: Dataset) -> list[tuple[str, str | None, list]]:
    """`__claims` as typed columns: id, measure, value and its uncertainty, a column per dimension
    (claim_columns), the line."""
    claims = dataset.claims
    return [
        ("id", "VARCHAR", [c.id for c in claims]),
        ("measure", "VARCHAR", [c.measure for c in claims]),
        ("value", "DOUBLE", [None if c.value is None else float(c.value * c.factor) for c in claims]),
        ("value__err", "DOUBLE", [float(claim_uncertainty(c)) for c in claims]),
        *claim_values(dataset),
        ("__line", "BIGINT", [c.line for c in claims]),
    ]


class RowLookup:
    """Rows of an external table by line, fetched from the engine in batches and cached."""

    def __init__(self, engine, name: str, table: Table):
        self.engine, self.name, self.table = engine, name, table
        self.cache: dict[int, Row] = {}
        # per field: name, whether it is a number in a unit (converted back from the base unit),
        # the unit's factor and the declared decimals
        self._fields = [(fname, f.numeric and f.type != "year", f.factor, f.decimals or 0, f".{f.decimals or 0}f")
                        for fname, f in table.fields.items()]

    def __call__(self, line: int) -> Row | None:
        if line not in self.cache:
            self.prefetch([line])
        return self.cache.get(line)

    def prefetch(self, lines) -> None:
        wanted = sorted({int(x) for x in lines} - set(self.cache))
        for i in range(0, len(wanted), 1000):
            chunk = ", ".join(str(x) for x in wanted[i:i + 1000])
            for rec in self.engine.rows(f'SELECT * FROM "{self.name}" WHERE __line IN ({chunk})'):
                self.remember(rec)

    def remember(self, rec: dict) -> None:
        """Cache a row read by another query (a rule's scan that returned its failing rows whole)."""
        line = int(rec["__line"])
        if line not in self.cache:
            self.cache[line] = self._row(rec)

    def _row(self, rec: dict) -> Row:
        cells = {}
        get = rec.get
        for fname, in_unit, factor, decimals, fmt in self._fields:
            value = get(fname)
            if value is None:
                cells[fname] = Cell("", None)
            elif in_unit:
                value = value / factor  # a float
                text = format(value, fmt) if decimals or not value.is_integer() else str(int(value))
                cells[fname] = Cell(text, value, decimals)
            else:
                cells[fname] = Cell(str(value), value)
        return Row(line=int(rec["__line"]), cells=cells, total=bool(get("__total")))


class DuckDBRowLookup(RowLookup):
    """The same, with every missing line fetched by one semi-join (one scan, however many lines)."""

    def prefetch(self, lines) -> None:
        wanted = sorted({int(x) for x in lines} - set(self.cache))
        if not wanted:
            return
        from .expr.compiler import ident

        cols = ", ".join(f"r.{ident(c)}" for c in ["__line", "__total", *self.table.fields])
        for rec in self.engine.rows(f'SELECT {cols} FROM "{self.name}" r SEMI JOIN (SELECT unnest(?::BIGINT[]) AS line) w '
                                    f'ON r.__line = w.line', [wanted]):
            self.remember(rec)


class DuckDBEngine:
    """Runs compiled rules in-process. One connection per dataset.

    External tables (Parquet, scanned CSV) are copied into DuckDB's own storage once, when the
    engine starts (the values the rules read, cast and in base units; DuckDB spills to disk
    beyond its memory limit), and every rule reads that copy: a Parquet file is decoded once per
    audit, not once per query. `store_external=False` reads the files through views instead
    (nothing held, every query decodes the file again).
    """

    name = "duckdb"
    # the row_check rules of a table share one pass over it, and one read of their failing rows
    # (Planner.row_scan: DuckDB SQL with a list parameter, so not offered by the Spark engine)
    fused_row_scans = True
    # every table is a DuckDB table: the contracts are checked as SQL too (audit.contracts)
    contracts_in_sql = True

    def __init__(self, dataset: Dataset, store_external: bool = True):
        import duckdb

        from . import sandbox

        self.con = duckdb.connect(":memory:")
        self.dataset = dataset
        read_later = []
        for name, table in dataset.tables.items():
            if not table.external:
                continue
            load_external(self.con, table)
            if store_external or table.external != "parquet":
                # CSV has no row numbers to scan by: always stored
                stored = f"__stored_{name}"
                source = external_columns(table)[0]
                types = {r[0]: r[1] for r in self.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
                copy, view = stored_external(table, stored, types)
                self.con.execute(f'CREATE TABLE "{stored}" AS {copy}')
                self.con.execute(f'CREATE VIEW "{name}" AS {view}')
            else:
                self.con.execute(f'CREATE VIEW "{name}" AS {external_select(table)}')
                read_later.append(table.source)
            table.row_lookup = self._lookup(name, table)
        # before any rule runs: no file but the views' own can be read again, none written
        sandbox.lock(self.con, read_later)
        for name, columns in dataset_columns(dataset).items():
            self._store(name, columns)

    def _store(self, name: str, columns: list[tuple[str, str | None, list]]) -> None:
        """A relation held in memory, copied into DuckDB's own storage from Python lists (one list
        parameter per column, unnested side by side): no pandas on the way."""
        from .expr.compiler import ident

        select = ", ".join(f"unnest(?::{t}[]) AS {ident(c)}" if t else f"unnest(?) AS {ident(c)}"
                           for c, t, _ in columns)
        self.con.execute(f"CREATE OR REPLACE TABLE {ident(name)} AS SELECT {select}", [v for _, _, v in columns])

    def refresh_claims(self, dataset: Dataset) -> None:
        """`__claims` again, once the rule pack has said what the claims' dimensions are (bind_claims)."""
        self._store("__claims", claims_columns(dataset))

    def _lookup(self, name: str, table: Table):
        return DuckDBRowLookup(self, name, table)

    def materialize(self, name: str, sql: str) -> None:
        """Store a query's result under a name (the planner's shared aggregates)."""
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')

    def rows(self, sql: str, params: list | None = None) -> list[dict[str, Any]]:
        """The result of a query as dicts; `params` fill its `?` (a long list of lines as one value)."""
        cur = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        decimals = [i for i, d in enumerate(cur.description) if str(d[1]).startswith("DECIMAL")]
        if not decimals:  # only a DECIMAL column gives Decimal values
            return [dict(zip(names, r)) for r in rows]
        return [{n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r)} for r in rows]

    def close(self) -> None:
        self.con.close()
