"""Export findings as a table, one row per finding and location, for pandas or a spreadsheet.

`audit export PATH... -o findings.csv` (or `.parquet`). In the CSV file, every text cell that a
spreadsheet would run as a formula (`audit.escape.spreadsheet_cell`: it begins with `=`, `+`, `-`,
`@`, a tab or a carriage return, or holds a line that does) is prefixed with `'`, and every text
cell is quoted, so that a carriage return cannot end a record; numbers stay numbers. The
DataFrame (`frame`, `audit.check().findings`) and the Parquet file keep the plain values.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from .escape import spreadsheet_cell
from .findings import Run

COLUMNS = ["dataset", "rule", "severity", "message", "observed", "expected", "difference", "tolerance", "unit",
           "relation", "fingerprint", "baseline", "location", "role", "table", "claim", "file", "row", "column",
           "key", "value", "label", "provenance"]
neutralise = spreadsheet_cell  # the name this module exported before audit.escape


def rows(runs: list[Run]) -> list[dict[str, Any]]:
    """One record per finding and location, plain values (nothing neutralised)."""
    import json

    out = []
    for run in runs:
        for f in run.findings:
            locations = f.locations or [None]
            for i, loc in enumerate(locations, 1):
                rec = {"dataset": run.dataset, "rule": f.rule, "severity": f.severity, "message": f.message,
                       "observed": f.observed, "expected": f.expected, "difference": f.difference,
                       "tolerance": f.tolerance, "unit": f.unit, "relation": f.relation,
                       "fingerprint": f.fingerprint, "baseline": f.baseline, "location": i}
                if loc is not None:
                    rec.update(role=loc.role, table=loc.table, claim=loc.claim, file=loc.file, row=loc.row,
                               column=loc.column, key=json.dumps(loc.key, ensure_ascii=False) if loc.key else None,
                               value=loc.value, label=loc.label, provenance=loc.provenance)
                out.append({c: rec.get(c) for c in COLUMNS})
    return out


def frame(runs: list[Run], purpose: str = "audit.check().findings"):
    from .extras import need

    pd = need("pandas", purpose)

    df = pd.DataFrame(rows(runs), columns=COLUMNS)
    for c in ("observed", "expected", "difference", "tolerance"):
        df[c] = df[c].astype("float64")
    df["row"] = df["row"].astype("Int64")
    df["location"] = df["location"].astype("Int64")
    return df


def write(runs: list[Run], path: Path) -> int:
    """Write CSV or Parquet (by the file's suffix); returns the number of rows."""
    df = frame(runs, "audit export")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _spreadsheet_cells(df).to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC)
    elif suffix == ".parquet":
        import duckdb

        con = duckdb.connect()
        con.register("findings", df)
        con.execute(f"COPY findings TO '{_sql_path(path)}' (FORMAT parquet)")
        con.close()
    else:
        raise ValueError(f"unknown export format '{path.suffix}': use .csv or .parquet")
    return len(df)


def _spreadsheet_cells(df):
    """A copy of `df` with every cell that can hold text through `spreadsheet_cell` (numeric
    columns hold only numbers and are left as they are)."""
    from pandas.api.types import is_numeric_dtype

    out = df.copy()
    for c in out.columns:
        if not is_numeric_dtype(out[c].dtype):
            out[c] = out[c].map(spreadsheet_cell)
    return out


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
