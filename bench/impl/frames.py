"""Reading the dataset's Parquet files into pandas, for the pandas, pandera and Great
Expectations paths. DuckDB decodes the files (pyarrow is not a dependency of the project)."""
from __future__ import annotations

from pathlib import Path

from . import TABLES


def read_frames(folder: str | Path) -> dict:
    import duckdb

    con = duckdb.connect()
    frames = {}
    for name in TABLES:
        path = str(Path(folder) / f"{name}.parquet").replace("'", "''")
        frames[name] = con.execute(f"SELECT * FROM read_parquet('{path}')").df()
    con.close()
    return frames
