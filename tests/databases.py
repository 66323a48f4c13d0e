"""Test support: a bundled dataset's tables loaded into a database, and its descriptor pointed at it.

`load_tables` reads each CSV resource as printed (audit.numbers reads its numbers) and writes one
table per resource: a column whose every value is a whole number becomes an integer column, one
of numbers with decimals a numeric column that keeps each value's printed scale (PostgreSQL
`numeric`, DuckDB and SQLite as text, since their decimals have one scale a column and SQLite's
REAL none), anything else text; an empty cell is NULL. The rows keep the file's order.
"""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from audit.numbers import DEFAULT, NumberError, read_number


def columns_of(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    return rows[0], rows[1:]


def column_type(values: list[str]) -> str:
    kinds = set()
    for v in values:
        if not v.strip():
            continue
        try:
            _, decimals, found = read_number(v.strip(), DEFAULT)
        except NumberError:
            return "text"
        if found:
            return "text"
        kinds.add("integer" if decimals == 0 and "." not in v else "decimal")
    return "decimal" if "decimal" in kinds else ("integer" if kinds else "text")


def plain(v: str, kind: str):
    v = v.strip()
    if not v:
        return None
    if kind == "integer":
        return int(read_number(v, DEFAULT)[0])
    if kind == "decimal":
        return v.replace(",", "")
    return v


def tables(folder: Path) -> dict[str, tuple[list[str], list[str], list[list]]]:
    """Each CSV resource of a dataset: (columns, their kinds, rows of plain values)."""
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    out = {}
    for res in meta["resources"]:
        header, rows = columns_of(folder / res["path"])
        kinds = [column_type([r[i] for r in rows]) for i in range(len(header))]
        out[res["name"]] = (header, kinds, [[plain(v, k) for v, k in zip(r, kinds)] for r in rows])
    return out


def load_sqlite(folder: Path, target: Path) -> None:
    import sqlite3

    con = sqlite3.connect(target)
    for name, (header, kinds, rows) in tables(folder).items():
        types = {"integer": "INTEGER", "decimal": "TEXT", "text": "TEXT"}
        con.execute(f'CREATE TABLE "{name}" (' + ", ".join(f'"{h}" {types[k]}' for h, k in zip(header, kinds)) + ")")
        con.executemany(f'INSERT INTO "{name}" VALUES (' + ", ".join("?" * len(header)) + ")", rows)
    con.commit()
    con.close()


def load_duckdb(folder: Path, target: Path) -> None:
    import duckdb

    con = duckdb.connect(str(target))
    for name, (header, kinds, rows) in tables(folder).items():
        types = {"integer": "BIGINT", "decimal": "VARCHAR", "text": "VARCHAR"}
        con.execute(f'CREATE TABLE "{name}" (' + ", ".join(f'"{h}" {types[k]}' for h, k in zip(header, kinds)) + ")")
        con.executemany(f'INSERT INTO "{name}" VALUES (' + ", ".join("?" * len(header)) + ")", rows)
    con.close()


def load_postgres(folder: Path, uri: str, schema: str) -> None:
    """The tables into schema `schema` of a PostgreSQL database, through psql (COPY FROM STDIN)."""
    import subprocess

    sql = [f'DROP SCHEMA IF EXISTS "{schema}" CASCADE;', f'CREATE SCHEMA "{schema}";']
    data = []
    for name, (header, kinds, rows) in tables(folder).items():
        types = {"integer": "bigint", "decimal": "numeric", "text": "text"}
        sql.append(f'CREATE TABLE "{schema}"."{name}" (' +
                   ", ".join(f'"{h}" {types[k]}' for h, k in zip(header, kinds)) + ");")
        data.append((name, header, rows))
    statements = "\n".join(sql)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", uri, "-c", statements], check=True, capture_output=True)
    import io

    for name, header, rows in data:
        buf = io.StringIO()
        w = csv.writer(buf)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
        cols = ", ".join(f'"{h}"' for h in header)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", uri, "-c",
                        f'COPY "{schema}"."{name}" ({cols}) FROM STDIN WITH (FORMAT csv)'],
                       input=buf.getvalue(), text=True, check=True, capture_output=True)


def point_at(folder: Path, target: Path, resource: dict) -> None:
    """Copy the dataset's descriptor (and claims) into `target`, each resource replaced by
    `resource` (its keys: path or database and format) with dialect.table its name."""
    import shutil

    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        res.pop("path", None)
        res.update(resource)
        res["dialect"] = {**(res.get("dialect") or {}), "table": res["name"]}
    for f in folder.iterdir():
        if f.suffix in (".yaml", ".yml", ".md", ".txt") and f.name != "datapackage.yaml":
            shutil.copy(f, target / f.name)
    (target / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True),
                                             encoding="utf-8")
