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
from .dataset import Cell, Claim, Dataset, Field, Table


def uncertainty(value: float | None, decimals: int, unit: str | None, integer_type: bool) -> float:
    """Half the width of the interval a printed figure stands for, in the base unit.

    Counts and integers in the base unit (m2) are exact: they are what was recorded. A figure
    printed with d decimals, or a whole number in a larger unit (4 km2), was rounded.
    """
    if value is None:
        return 0.0
    u = units.lookup(unit) if unit else None
    if integer_type or u is None or u.dimension == "count":
        return 0.0
    if decimals == 0 and u.factor == 1.0:
        return 0.0
    return 0.5 * 10 ** (-decimals) * u.factor


def cell_uncertainty(cell: Cell, f: Field) -> float:
    return uncertainty(cell.value, cell.decimals, f.unit, f.type in ("integer", "year"))


def claim_uncertainty(claim: Claim) -> float:
    if claim.value is None:
        return 0.0
    return uncertainty(claim.value, claim.decimals, claim.unit, False)


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


def claims_frame(claims: list[Claim]):
    import pandas as pd

    def single(c: Claim, dim: str):
        values = c.dims.get(dim) or []
        return values[0] if len(values) == 1 else None

    return pd.DataFrame({
        "id": [c.id for c in claims],
        "measure": [c.measure for c in claims],
        "value": pd.Series([None if c.value is None else c.value * c.factor for c in claims], dtype="float64"),
        "value__err": pd.Series([claim_uncertainty(c) for c in claims], dtype="float64"),
        "year": pd.Series([single(c, "year") for c in claims], dtype="Int64"),
        "region": pd.Series([single(c, "region") for c in claims], dtype="object"),
        "__line": [c.line for c in claims],
    })


class DuckDBEngine:
    """Runs compiled rules in-process. One connection per dataset."""

    name = "duckdb"

    def __init__(self, dataset: Dataset):
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.dataset = dataset
        frames = {name: table_frame(table) for name, table in dataset.tables.items()}
        for name, table in dataset.tables.items():
            if table.hierarchy is not None:
                import pandas as pd

                frames[f"__h_{name}"] = pd.DataFrame({"code": list(table.hierarchy),
                                                      "parent": list(table.hierarchy.values())})
        frames["__claims"] = claims_frame(dataset.claims)
        for name, frame in frames.items():
            # copied into DuckDB's own storage once: queries on native tables start faster
            self.con.register("__frame", frame)
            self.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM __frame')
            self.con.unregister("__frame")

    def rows(self, sql: str) -> list[dict[str, Any]]:
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        return [{n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r)} for r in cur.fetchall()]

    def close(self) -> None:
        self.con.close()
