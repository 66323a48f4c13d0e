"""No dataset value runs as SQL: values that reach SQL are typed by the loaders, written by one
function, and the engines refuse file access, extensions and foreign tables whatever they are sent."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.dataset import load_dataset
from audit.engine import DuckDBEngine
from audit.runner import met_dataset
from audit.expr.compiler import UnsafeLiteral, sql_literal

from .conftest import ROOT, audit_cli

DATASET = ROOT / "datasets" / "azerbaijan-2019"
PACK = ROOT / "rules" / "mine-action"
INJECTION = "a'][1]); COPY (SELECT 42 AS pwned) TO $$PWNED.csv$$; --\""


@pytest.fixture
def dataset(tmp_path) -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(DATASET, folder)
    return folder


def set_claim_key(folder: Path, claim_id: str, key: str, value) -> int:
    """Give one claim a key with a YAML value; returns the line of the claim in the file."""
    path = folder / "claims.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for c in doc["claims"]:
        if c["id"] == claim_id:
            c[key] = value
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if f"id: {claim_id}" in line)


def test_nested_list_in_a_claim_cannot_run_sql(dataset, tmp_path):
    """The issue's attack: a claim's region as a nested list reached SQL through repr() and DuckDB
    wrote PWNED.csv into the working directory. Now a load error at the claim's line."""
    set_claim_key(dataset, "ap-mined-areas-end-2018", "region", [[INJECTION]])
    out = audit_cli("check", str(dataset), "--rules", str(PACK), "--fail-on", "never", cwd=tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "claims.yaml:" in out.stderr and "region" in out.stderr and "nested list" in out.stderr
    assert not list(tmp_path.rglob("PWNED*")) and not (ROOT / "PWNED.csv").exists()


@pytest.mark.parametrize("key,value,why", [
    ("region", {"a": 1}, "a mapping"),
    ("type", [["x"]], "a nested list"),
    ("year", "2015-03", "not a whole year"),
    ("year", 2018.5, "not a whole year"),
    ("year", [2018, [2017]], "a nested list"),
    ("region", float("inf"), "not a finite number"),
])
def test_claim_dimensions_must_be_plain_values(dataset, key, value, why):
    line = set_claim_key(dataset, "ap-mined-areas-end-2018", key, value)
    out = audit_cli("check", str(dataset), "--rules", str(PACK))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert why in out.stderr and (f".{key}" in out.stderr or f": {key}:" in out.stderr)
    reported = int(out.stderr.split("claims.yaml:")[1].split(":")[0])
    assert line <= reported <= line + 12  # at the claim's key, not at the top of the file


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_claim_values_must_be_finite(dataset, value):
    set_claim_key(dataset, "ap-mined-areas-end-2018", "value", value)
    out = audit_cli("check", str(dataset), "--rules", str(PACK))
    assert out.returncode == 2 and "not a finite number" in out.stderr and "Traceback" not in out.stderr


def test_table_wide_dimension_must_be_one_value(dataset):
    path = dataset / "datapackage.yaml"
    text = path.read_text()
    assert "dimensions: {year: 2018}" in text
    path.write_text(text.replace("dimensions: {year: 2018}", "dimensions: {year: [2018, \"x'); --\"]}", 1))
    out = audit_cli("check", str(dataset), "--rules", str(PACK))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "datapackage.yaml:17:" in out.stderr and "dimensions.year" in out.stderr
    assert "takes one value" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("delimiter", ["'", "ab", 7, "\n"])
def test_scanned_csv_delimiter_is_one_safe_character(dataset, delimiter):
    path = dataset / "datapackage.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["resources"][0]["scan"] = True
    doc["resources"][0]["dialect"] = {"delimiter": delimiter}
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    out = audit_cli("check", str(dataset), "--rules", str(PACK))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "dialect.delimiter" in out.stderr and "Traceback" not in out.stderr


# -- the one function that writes values as SQL ---------------------------------------------------------

@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_any_text_is_one_sql_string(text):
    con = duckdb.connect()
    assert con.execute(f"SELECT {sql_literal(text)}").fetchall() == [(text,)]


@given(st.one_of(st.integers(min_value=-2**62, max_value=2**62), st.floats(allow_nan=False, allow_infinity=False),
                 st.booleans(), st.none()))
@settings(max_examples=300, deadline=None)
def test_scalars_round_trip(value):
    con = duckdb.connect()
    [(back,)] = con.execute(f"SELECT {sql_literal(value)}").fetchall()
    assert back == value and type(back) in (type(value), int, float)  # 5.0 is written 5: an int back


@pytest.mark.parametrize("value", [["a"], {"a": 1}, ("a",), object(), float("nan"), float("inf"), b"x", {1}])
def test_anything_else_is_refused(value):
    with pytest.raises(UnsafeLiteral):
        sql_literal(value)


# -- the engines themselves ------------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "COPY (SELECT 42 AS pwned) TO '{out}'",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('{dataset}/table1-mined-area-by-type.csv')",
    "ATTACH '{out}.duckdb'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "RESET lock_configuration",
])
def test_duckdb_engine_refuses_files_extensions_and_settings(dataset, tmp_path, sql):
    out = tmp_path / "PWNED.csv"
    engine = DuckDBEngine(met_dataset(dataset)[0])
    try:
        with pytest.raises(duckdb.Error):
            engine.rows(sql.format(out=out, dataset=dataset))
        assert engine.rows('SELECT count(*) AS n FROM "contamination_by_type"')[0]["n"] == 3
    finally:
        engine.close()
    assert not list(tmp_path.glob("PWNED*"))


def test_scanned_tables_still_read_after_the_lockdown(dataset):
    """Scanned CSV resources are read by DuckDB itself (copied at start, or by views that may open
    only their own files): the same findings as the tables held in memory."""
    from audit.runner import audit_dataset

    def essence(run):
        return sorted((f.rule, f.message) for f in run.findings)

    in_memory = essence(audit_dataset(dataset, rules_dir=PACK))
    desc = dataset / "datapackage.yaml"
    desc.write_text(desc.read_text().replace("    dimensions: {year: 2018}\n", "    dimensions: {year: 2018}\n    scan: true\n"))
    assert load_dataset(dataset).tables["contamination_by_type"].external == "csv"
    assert essence(audit_dataset(dataset, rules_dir=PACK)) == in_memory
    ds = met_dataset(dataset)[0]
    viewed = audit_dataset(dataset, rules_dir=PACK, dataset=ds, engine=DuckDBEngine(ds, store_external=False))
    assert essence(viewed) == in_memory and in_memory


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_parquet('/etc/passwd')",
    "SELECT reflect('java.lang.Runtime', 'getRuntime') AS x FROM t",
    "SELECT * FROM other_table",
    "SELECT * FROM db.t",
])
def test_spark_translation_reads_only_the_registered_views(sql):
    pytest.importorskip("sqlglot")
    from audit.spark_engine import SparkSQLError, to_spark_sql

    with pytest.raises(SparkSQLError):
        to_spark_sql(sql, views={"t"})
    assert "FROM t" in to_spark_sql("SELECT a FROM t", views={"t"})


# -- many claims: the work grows with what they speak of, not with their number ---------------------------

def count_statements(folder: Path, monkeypatch) -> tuple[int, object]:
    from audit.runner import audit_dataset
    counted = {"n": 0}
    rows, materialize = DuckDBEngine.rows, DuckDBEngine.materialize

    def counting_rows(self, sql, params=None):
        counted["n"] += 1
        return rows(self, sql, params)

    def counting_materialize(self, name, sql):
        counted["n"] += 1
        return materialize(self, name, sql)

    monkeypatch.setattr(DuckDBEngine, "rows", counting_rows)
    monkeypatch.setattr(DuckDBEngine, "materialize", counting_materialize)
    run = audit_dataset(folder, rules_dir=PACK)
    monkeypatch.undo()
    return counted["n"], run


def test_statements_do_not_grow_with_the_number_of_claims(tmp_path, monkeypatch):
    """The issue measured 2,000 claims at 107 s (a statement or more per claim and source). The
    claims of one set of coordinates now share their source figures, aggregates are computed a few
    hundred at a time, and the comparisons run a thousand claims per statement."""
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import claims as bench_claims
    finally:
        sys.path.remove(str(ROOT / "bench"))
    small, small_run = count_statements(bench_claims.write_dataset(tmp_path, 130), monkeypatch)
    large, large_run = count_statements(bench_claims.write_dataset(tmp_path, 1300), monkeypatch)
    assert large <= small + 40, (small, large)
    claim_rules = [r for r in large_run.rules if r.kind == "claim"]
    assert sum(r.items for r in claim_rules) > 10 * sum(r.items for r in small_run.rules if r.kind == "claim") * 0.9
    # the claims both datasets share are decided alike, and every failing copy is reported
    small_failing = {(f.rule, f.subject) for f in small_run.findings if f.rule in {r.rule for r in claim_rules}}
    large_failing = {(f.rule, f.subject) for f in large_run.findings}
    assert small_failing and small_failing <= large_failing
    failing_rules = {rule for rule, _ in small_failing}
    assert sum(1 for rule, _ in large_failing if rule in failing_rules) >= 9 * len(small_failing)
