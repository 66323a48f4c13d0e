"""The scale benchmark's dataset read from Parquet files, a DuckDB file, a SQLite file and PostgreSQL.

    .venv/bin/python bench/databases.py --rows 1000000 --runs 3

Generates the synthetic national database (bench/generate.py) once, loads its three tables into
each database (PostgreSQL: a private server from the machine's packages, as the tests start it,
reached through a Unix socket), writes a copy of the descriptor per source whose resources read
the database table (`scan: true`: streamed into the engine's storage, never into Python), and
times `audit check --format json` on each, process start to exit, the sources interleaved run by
run so that the machine's noise falls on all alike. Every run must give the same findings as the
Parquet run (rule, severity, observed and expected values); the script stops otherwise.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres_server import postgres_server  # noqa: E402

AUDIT = str(Path(sys.executable).parent / "audit")
PACK = str(ROOT / "bench" / "pack")
TABLES = ("hazards", "activities", "regional_totals")


def point(parquet: Path, target: Path, resource: dict) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    meta = yaml.safe_load((parquet / "datapackage.yaml").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        for key in ("path", "format"):
            res.pop(key, None)
        res.update(resource)
        res["scan"] = True
        res["dialect"] = {"table": res["name"]}
    (target / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return target


def load_duckdb(parquet: Path, file: Path) -> None:
    import duckdb

    con = duckdb.connect(str(file))
    for t in TABLES:
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet(?)", [str(parquet / f"{t}.parquet")])
    con.close()


def load_sqlite(parquet: Path, file: Path) -> None:
    import sqlite3

    import duckdb

    src = duckdb.connect()
    con = sqlite3.connect(file)
    for t in TABLES:
        cur = src.execute("SELECT * FROM read_parquet(?)", [str(parquet / f"{t}.parquet")])
        cols = [d[0] for d in cur.description]
        types = ["TEXT" if "VARCHAR" in str(d[1]) else ("REAL" if "DOUBLE" in str(d[1]) else "INTEGER")
                 for d in cur.description]
        con.execute(f"CREATE TABLE {t} (" + ", ".join(f"{c} {ty}" for c, ty in zip(cols, types)) + ")")
        while batch := cur.fetchmany(100_000):
            con.executemany(f"INSERT INTO {t} VALUES ({', '.join('?' * len(cols))})", batch)
    con.commit()
    con.close()


def load_postgres(parquet: Path, uri: str, scratch: Path) -> None:
    import duckdb

    src = duckdb.connect()
    for t in TABLES:
        cur = src.execute(f"DESCRIBE SELECT * FROM read_parquet(?)", [str(parquet / f"{t}.parquet")])
        types = {"VARCHAR": "text", "DOUBLE": "double precision"}
        cols = ", ".join(f"{r[0]} {types.get(r[1], 'bigint')}" for r in cur.fetchall())
        csv = scratch / f"{t}.csv"
        src.execute(f"COPY (SELECT * FROM read_parquet(?)) TO '{csv}' (HEADER false)", [str(parquet / f"{t}.parquet")])
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", uri, "-c", f"CREATE TABLE {t} ({cols})"], check=True)
        with open(csv, "rb") as fh:
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", uri, "-c", f"COPY {t} FROM STDIN (FORMAT csv)"],
                           stdin=fh, check=True)
        csv.unlink()


def audit(folder: Path, *extra: str) -> tuple[float, list]:
    start = time.perf_counter()
    out = subprocess.run([AUDIT, "check", str(folder), "--rules", PACK, "--format", "json", *extra],
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode not in (0, 1):
        sys.exit(f"audit check {folder} failed:\n{out.stderr[-3000:]}")
    doc = json.loads(out.stdout)
    return seconds, sorted((f["rule"], f["severity"], f["observed"], f["expected"]) for f in doc["findings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="activity rows")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="audit-bench-db-") as tmp, postgres_server() as uri:
        tmp = Path(tmp)
        parquet = tmp / "parquet"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--rows", str(args.rows),
                        "--out", str(parquet)], check=True, capture_output=True)
        loads, sources = {}, {"Parquet": (parquet, ())}
        for name, load in (("DuckDB file", lambda: load_duckdb(parquet, point(parquet, tmp / "duckdb",
                                                                             {"path": "n.duckdb"}) / "n.duckdb")),
                           ("SQLite file", lambda: load_sqlite(parquet, point(parquet, tmp / "sqlite",
                                                                              {"path": "n.sqlite"}) / "n.sqlite")),
                           ("PostgreSQL", lambda: load_postgres(parquet, uri, tmp))):
            start = time.perf_counter()
            load()
            loads[name] = time.perf_counter() - start
        sources["DuckDB file"] = (tmp / "duckdb", ())
        sources["SQLite file"] = (tmp / "sqlite", ())
        sources["PostgreSQL"] = (point(parquet, tmp / "postgres", {"format": "postgresql", "database": "bench"}),
                                 ("--database", f"bench={uri}"))
        times: dict[str, list[float]] = {name: [] for name in sources}
        expected = None
        for _ in range(args.runs):
            for name, (folder, extra) in sources.items():
                seconds, findings = audit(folder, *extra)
                if expected is None:
                    expected = findings
                elif findings != expected:
                    sys.exit(f"{name}: the findings differ from the Parquet run's")
                times[name].append(seconds)
        print(f"{args.rows:,} activity rows, {len(expected):,} findings, {args.runs} runs each, interleaved")
        print("| source | median | min | max | loading it (once) |")
        print("|---|---|---|---|---|")
        for name, ts in times.items():
            load = f"{loads[name]:.1f} s" if name in loads else ""
            print(f"| {name} | {statistics.median(ts):.2f} s | {min(ts):.2f} s | {max(ts):.2f} s | {load} |")


if __name__ == "__main__":
    main()
