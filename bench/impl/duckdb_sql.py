"""The floor: the checks written by hand in DuckDB SQL, over tables loaded into DuckDB."""
from __future__ import annotations

from pathlib import Path

from . import KEYS, MAX_CHANGE, TABLES

SQL = {
    "nonnegative-activity":
        "SELECT count(*) FROM activities WHERE area_cleared < 0 OR ap_mines < 0 OR av_mines < 0 OR uxo < 0",
    "nonnegative-hazard-area":
        "SELECT count(*) FROM hazards WHERE area < 0",
    "cleared-nothing-found":
        "SELECT count(*) FROM activities WHERE area_cleared > 0 AND NOT (ap_mines + av_mines + uxo > 0)",
    "activity-hazard-exists":
        "SELECT count(*) FROM activities a WHERE NOT EXISTS (SELECT 1 FROM hazards h WHERE h.hazard_id = a.hazard_id)",
    "hazard-not-overcleared":
        "SELECT count(*) FROM hazards h JOIN (SELECT hazard_id, sum(area_cleared) AS s FROM activities "
        "GROUP BY hazard_id) a USING (hazard_id) WHERE a.s > h.area",
    "regional-totals":
        "SELECT count(*) FROM regional_totals t JOIN (SELECT region, year, sum(area_cleared) AS s FROM activities "
        "GROUP BY region, year) a USING (region, year) WHERE t.area_cleared <> a.s",
    "regional-year-on-year":
        "WITH s AS (SELECT region, year, sum(area_cleared) AS v FROM activities GROUP BY region, year), "
        "l AS (SELECT year, v, lag(year) OVER w AS py, lag(v) OVER w AS pv FROM s "
        "      WINDOW w AS (PARTITION BY region ORDER BY year)) "
        f"SELECT count(*) FROM l WHERE year - py = 1 AND pv > 0 AND (v / pv > {1 + MAX_CHANGE} OR v / pv < {1 - MAX_CHANGE})",
}


def load(folder: str | Path):
    import duckdb

    con = duckdb.connect(":memory:")
    for name in TABLES:
        path = str(Path(folder) / f"{name}.parquet").replace("'", "''")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
    return con


def check(con) -> dict[str, int]:
    dup = " + ".join(f"(SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {t} GROUP BY {', '.join(k)} "
                     f"HAVING count(*) > 1))" for t, k in KEYS.items())
    out = {"table-contracts": int(con.execute(f"SELECT {dup}").fetchone()[0])}
    for name, sql in SQL.items():
        out[name] = int(con.execute(sql).fetchone()[0])
    return out
