"""Database resources: a bundled dataset loaded into SQLite, DuckDB and a real PostgreSQL server
audits as its CSV files do (the same findings, rule outcomes and values), its locations name the
table and the row's key, and what a hostile descriptor or database tries is one message, exit 2."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from . import databases
from .conftest import ROOT, audit_cli
from .limits_support import refused, run_cli
from .postgres_server import postgres_server
from .test_spreadsheets import same_findings

pytest.importorskip("adbc_driver_sqlite")

FIGURES = ROOT / "datasets" / "figures" / "azerbaijan-2019"  # the figure model
TABLES = ROOT / "datasets" / "azerbaijan-2019"  # the table layout (its tables declare primary keys)
LOADERS = {"sqlite": (databases.load_sqlite, "monitor.sqlite"), "duckdb": (databases.load_duckdb, "monitor.duckdb")}


def run(path, *args) -> tuple[int, dict]:
    out = audit_cli("check", str(path), "--format", "json", *args)
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, json.loads(out.stdout)


def outcomes(doc: dict) -> list[tuple]:
    return [(r["id"], r["status"], r["items"]) for r in doc["rules"]]


def in_file_database(src, tmp_path, kind: str):
    load, name = LOADERS[kind]
    target = tmp_path / f"{src.name}-{kind}"
    target.mkdir()
    load(src, target / name)
    databases.point_at(src, target, {"path": name})
    return target


@pytest.fixture(scope="module")
def csv_runs():
    return {src: run(src) for src in (FIGURES, TABLES)}


@pytest.mark.parametrize("kind", sorted(LOADERS))
@pytest.mark.parametrize("src", [FIGURES, TABLES], ids=["figures", "tables"])
def test_a_database_file_audits_as_the_csv_files(src, kind, tmp_path, csv_runs):
    code, doc = run(in_file_database(src, tmp_path, kind))
    csv_code, csv_doc = csv_runs[src]
    assert code == csv_code == 1
    assert doc["findings"], "the dataset has findings to compare"
    assert same_findings(doc) == same_findings(csv_doc)
    assert outcomes(doc) == outcomes(csv_doc)


def scanned(folder) -> None:
    """Have the engine read the copy's tables (scan: true), but those a scan cannot read."""
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        if not any(k in f for f in res["schema"]["fields"] for k in ("constraints", "decimalChar", "groupChar", "bareNumber")):
            res["scan"] = True
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


def test_a_database_table_the_engine_scans_audits_as_the_csv_files(tmp_path, csv_runs):
    """scan: true: the rows are streamed into the engine's storage, never into Python."""
    folder = in_file_database(TABLES, tmp_path, "duckdb")
    scanned(folder)
    code, doc = run(folder)
    assert sum("scan" in r for r in yaml.safe_load((folder / "datapackage.yaml").read_text())["resources"]) >= 2
    assert (code, same_findings(doc), outcomes(doc)) == (csv_runs[TABLES][0], same_findings(csv_runs[TABLES][1]),
                                                        outcomes(csv_runs[TABLES][1]))
    text = audit_cli("check", str(folder)).stdout
    assert "monitor.duckdb!contamination_by_region[region=Aghjabedi].sha_area" in text


def test_locations_name_the_table_and_the_key(tmp_path):
    _, doc = run(in_file_database(TABLES, tmp_path, "sqlite"))
    text = audit_cli("check", str(tmp_path / "azerbaijan-2019-sqlite")).stdout
    places = [loc for f in doc["findings"] for loc in f["locations"] if loc.get("table")]
    assert places and all(loc["file"].endswith("monitor.sqlite") for loc in places)
    assert all(loc["cell"].startswith(loc["table"] + "[") for loc in places)
    # the table declares primaryKey [label]: the row is named by it, as is the column
    assert "monitor.sqlite!contamination_by_type[label=Anti-personnel mines].cha_count" in text


def test_a_table_without_a_key_names_its_rows_by_number(tmp_path):
    text = audit_cli("check", str(in_file_database(FIGURES, tmp_path, "duckdb"))).stdout
    assert "monitor.duckdb!contamination_by_type[row 3].cha_count" in text  # the Totals row, third in the table


def with_dialect(folder, **dialect) -> None:
    """Give every resource of the copy at `folder` this dialect."""
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        res["dialect"] = dict(dialect)
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


def test_a_query_is_one_select(tmp_path):
    folder = in_file_database(FIGURES, tmp_path, "sqlite")
    for query, says in [("DELETE FROM contamination_by_type", "must be one SELECT statement"),
                        ("SELECT 1; DROP TABLE contamination_by_type", "must be one SELECT statement"),
                        ("SELEC * FROM x", "cannot be read as SQL")]:
        with_dialect(folder, query=query)
        err = refused(audit_cli("check", str(folder)))
        assert says in err and "datapackage.yaml:" in err and ".dialect.query" in err, err


def test_a_query_reads_rows(tmp_path):
    """A SELECT of the database gives the resource its rows: here each table as itself."""
    folder = in_file_database(FIGURES, tmp_path, "sqlite")
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        res["dialect"] = {"query": f'SELECT * FROM "{res["name"]}"'}
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    _, doc = run(folder)
    assert same_findings(doc) == same_findings(run(FIGURES)[1])
    assert "query[row 3]" in audit_cli("check", str(folder)).stdout


def test_a_table_the_database_lacks_is_named(tmp_path):
    folder = in_file_database(FIGURES, tmp_path, "duckdb")
    with_dialect(folder, table='nothing"; DROP TABLE x; --')
    err = refused(audit_cli("check", str(folder)))
    assert "the database has no table 'nothing\"; DROP TABLE x; --'" in err, err
    assert "datapackage.yaml:" in err


def test_a_view_of_a_hostile_duckdb_file_reads_no_other_file(tmp_path):
    import duckdb

    folder = in_file_database(FIGURES, tmp_path, "duckdb")
    secret = tmp_path / "secret.csv"
    secret.write_text("a\nthe secret\n", encoding="utf-8")
    con = duckdb.connect(str(folder / "monitor.duckdb"))
    con.execute(f"CREATE VIEW leak AS SELECT * FROM read_csv('{secret}')")
    con.close()
    with_dialect(folder, table="leak")
    err = refused(audit_cli("check", str(folder)))
    assert "file system operations are disabled" in err and "the secret" not in err, err
    with_dialect(folder, query=f"SELECT * FROM read_csv('{secret}')")
    err = refused(audit_cli("check", str(folder)))
    assert "file system operations are disabled" in err and "the secret" not in err, err


def test_the_database_file_is_not_changed(tmp_path):
    folder = in_file_database(FIGURES, tmp_path, "sqlite")
    before = (folder / "monitor.sqlite").read_bytes()
    run(folder)
    assert (folder / "monitor.sqlite").read_bytes() == before


def test_a_database_file_outside_the_folder_is_refused(tmp_path):
    folder = in_file_database(FIGURES, tmp_path, "sqlite")
    shutil.move(folder / "monitor.sqlite", tmp_path / "monitor.sqlite")
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    meta["resources"][0]["path"] = "../monitor.sqlite"
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    assert "leaves the dataset folder" in refused(audit_cli("check", str(folder)))


def test_a_dialect_names_a_table_or_a_query(tmp_path):
    folder = in_file_database(FIGURES, tmp_path, "sqlite")
    with_dialect(folder, table="contamination_by_type", query="SELECT 1")
    assert "names a table or a query (one of them)" in refused(audit_cli("check", str(folder)))
    with_dialect(folder, sheetName="Table 1")
    assert "takes 'table' or 'query', not 'sheetName'" in refused(audit_cli("check", str(folder)))


# PostgreSQL: a real server of the machine's packages (tests/postgres_server.py)

@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as uri:
        yield uri


def served_copy(src, tmp_path, uri, schema="monitor"):
    databases.load_postgres(src, uri, schema)
    target = tmp_path / f"{src.name}-pg"
    target.mkdir()
    databases.point_at(src, target, {"format": "postgresql", "database": "national"})
    meta = yaml.safe_load((target / "datapackage.yaml").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        res["dialect"] = {"table": f"{schema}.{res['name']}"}
    (target / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return target


@pytest.mark.parametrize("src", [FIGURES, TABLES], ids=["figures", "tables"])
def test_postgresql_audits_as_the_csv_files(src, tmp_path, postgres, csv_runs):
    folder = served_copy(src, tmp_path, postgres)
    code, doc = run(folder, "--database", f"national={postgres}")
    csv_code, csv_doc = csv_runs[src]
    assert code == csv_code == 1
    assert same_findings(doc) == same_findings(csv_doc)
    assert outcomes(doc) == outcomes(csv_doc)
    places = {loc["file"] for f in doc["findings"] for loc in f["locations"] if loc.get("table")}
    assert places == {"postgresql:national"}  # the connection's name, never its URI
    assert postgres not in json.dumps(doc)


def test_postgresql_table_the_engine_scans(tmp_path, postgres, csv_runs):
    folder = served_copy(TABLES, tmp_path, postgres, schema="scanned")
    scanned(folder)
    code, doc = run(folder, "--database", f"national={postgres}")
    assert (code, same_findings(doc), outcomes(doc)) == (csv_runs[TABLES][0], same_findings(csv_runs[TABLES][1]),
                                                        outcomes(csv_runs[TABLES][1]))
    cells = {loc.get("cell") for f in doc["findings"] for loc in f["locations"]}
    assert "scanned.contamination_by_region[region=Aghjabedi].sha_area" in cells


def test_postgresql_connection_from_the_environment(tmp_path, postgres):
    folder = served_copy(FIGURES, tmp_path, postgres)
    err = refused(run_cli("check", str(folder), env={"AUDIT_DATABASE_NATIONAL": ""}))
    assert "no connection was given for it" in err and "AUDIT_DATABASE_NATIONAL" in err
    done = run_cli("check", str(folder), "--format", "json", env={"AUDIT_DATABASE_NATIONAL": postgres})
    assert done.returncode == 1 and json.loads(done.stdout)["findings"], done.stderr


def test_postgresql_runs_a_query_read_only(tmp_path, postgres):
    folder = served_copy(FIGURES, tmp_path, postgres)
    subprocess.run(["psql", "-q", postgres, "-c", "CREATE SEQUENCE IF NOT EXISTS monitor.s"], check=True,
                   capture_output=True)
    with_dialect(folder, query="SELECT nextval('monitor.s') AS n")
    err = refused(audit_cli("check", str(folder), "--database", f"national={postgres}"))
    assert "read-only transaction" in err, err
    with_dialect(folder, table="monitor.no_such_table")
    err = refused(audit_cli("check", str(folder), "--database", f"national={postgres}"))
    assert "the database has no table 'monitor.no_such_table'" in err


def test_a_bad_database_option_is_refused():
    err = refused(audit_cli("check", str(FIGURES), "--database", "no uri"))
    assert "is not NAME=URI" in err


def test_sarif_names_the_table_and_key_as_a_logical_location(tmp_path):
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    from .schemas import sarif_schema

    folder = in_file_database(TABLES, tmp_path, "sqlite")
    out = audit_cli("check", str(folder), "--format", "sarif")
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    schema = sarif_schema()
    errors = list(validator_for(schema)(schema, format_checker=FormatChecker()).iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]
    names = {lg["fullyQualifiedName"] for r in doc["runs"][0]["results"] for loc in r["locations"]
             for lg in loc.get("logicalLocations", [])}
    assert "contamination_by_type[label=Anti-personnel mines].cha_count" in names


def test_explain_reads_a_database_and_will_not_rewrite_it(tmp_path):
    folder = in_file_database(TABLES, tmp_path, "sqlite")
    out = audit_cli("explain", str(folder), "--format", "json")
    assert out.returncode in (0, 1), out.stderr
    assert json.loads(out.stdout)
    err = refused(audit_cli("explain", str(folder), "--write-corrected", str(tmp_path / "fixed")))
    assert "rewrites UTF-8 CSV tables, and this is a database table" in err
    assert not (tmp_path / "fixed").exists()


def test_the_python_api_takes_the_connections(tmp_path, postgres, csv_runs):
    import audit

    folder = served_copy(FIGURES, tmp_path, postgres, schema="api")
    result = audit.check(folder, databases={"national": postgres})
    assert sorted(f.rule for r in result.runs for f in r.findings) == \
        sorted(f["rule"] for f in csv_runs[FIGURES][1]["findings"])
    from audit.errors import AuditInputError

    with pytest.raises(AuditInputError, match="no connection was given for it"):
        audit.check(folder)  # the connections of one call are not kept for the next


@pytest.mark.parametrize("scan", [False, True], ids=["in-memory", "scanned"])
def test_a_database_resource_has_no_text_encoding(tmp_path, scan):
    folder = in_file_database(TABLES, tmp_path, "sqlite")
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    meta["resources"][0].update({"encoding": "windows-1252", **({"scan": True} if scan else {})})
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    err = refused(audit_cli("check", str(folder)))
    assert "a database resource has no text encoding; remove 'encoding'" in err and ".encoding" in err, err


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
@pytest.mark.parametrize("how", ["query", "view"])
def test_a_read_that_does_not_end_is_stopped_with_one_message(tmp_path, kind, how, monkeypatch, capsys):
    """A recursive query, or a view the hostile file defines, that never ends: stopped after the
    time a read may take (here 1 s), exit 2 at the resource's line."""
    from audit import databases as dbs
    from audit.cli import main

    folder = in_file_database(FIGURES, tmp_path, kind)
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) AS x FROM c"
    if how == "view":
        if kind == "sqlite":
            import sqlite3

            with sqlite3.connect(folder / "monitor.sqlite") as con:
                con.execute(f"CREATE VIEW endless AS {endless}")
        else:
            import duckdb

            with duckdb.connect(str(folder / "monitor.duckdb")) as con:
                con.execute(f"CREATE VIEW endless AS {endless}")
        with_dialect(folder, table="endless")
    else:
        with_dialect(folder, query=endless)
    monkeypatch.setattr(dbs, "STATEMENT_TIMEOUT_MS", 1000)
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "took longer than 1 s and was stopped" in err and "datapackage.yaml:" in err, err
    assert "Traceback" not in err


def test_a_sqlite_file_whose_name_reads_as_uri_options_is_opened_as_named(tmp_path):
    folder = in_file_database(FIGURES, tmp_path, "sqlite")
    (folder / "monitor.sqlite").rename(folder / "m?mode=rwc#x.sqlite")
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        res["path"] = "m?mode=rwc#x.sqlite"
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    _, doc = run(folder)
    assert same_findings(doc) == same_findings(run(FIGURES)[1])
