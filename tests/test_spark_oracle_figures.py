"""Oracle for the figure layout: the kinds' queries give the same results on DuckDB and on Spark.

`audit_figures(..., engine="spark")` builds the figure store in DuckDB as always and hands its tables
to Spark as temporary views; every query a kind asks of them runs on Spark SQL, translated by
sqlglot and the rewrites of audit/spark_engine.py (audit/figures/engines.py). Every golden case of
the figure model (tests/cases/figures), the bundled figure datasets (datasets/figures, one run) and
the corpus (datasets/corpus: every collection in one run, as `audit check datasets/corpus` audits
it) are audited on both engines, which must agree on each rule's status and counts and on every
finding: rule, message, fingerprint, observed and expected values (to 9 significant digits) and
locations. The SBS2000 peer case over figures must keep validate's counts on Spark, and
`audit check DATASET --engine spark` must print what the default engine prints.

Like tests/test_spark_oracle.py, these tests need PySpark, sqlglot and Java 17 or later, and fail
(never skip) when one is missing. One SparkSession serves the module; `pytest -s` prints the
time each audit took on each engine.
"""
from __future__ import annotations

import json
import shutil
import time

import pytest

from audit.cli import expand_paths
from audit.figures.pack import load_figure_pack
from audit.figures.run import audit_figures, figure_paths

from .conftest import CASES, ROOT
from .test_peer_sbs2000 import expected_counts
from .test_peer_sbs2000_figures import DESCRIPTOR, PACK, PEER, RULE_FOR
from .test_spark_oracle import assert_same, module_session, sig

FIGURE_CASES = CASES / "figures"
VARIANTS = sorted((c.name, v) for c in FIGURE_CASES.iterdir() if c.is_dir() and c.name != "pack"
                  for v in ("valid", "invalid", "undecided"))
CLI_DATASET = "datasets/figures/azerbaijan-2019"
TIMINGS: dict[str, dict[str, float]] = {}


@pytest.fixture(scope="module")
def spark():
    yield from module_session(TIMINGS, "Spark oracle (figures) timings")


def both(label: str, audit) -> tuple[list, list]:
    """`audit(engine)` (a list of runs) on DuckDB, then on Spark, timed."""
    start = time.perf_counter()
    duck = audit("duckdb")
    mid = time.perf_counter()
    spark_runs = audit("spark")
    TIMINGS[label] = {"duckdb": mid - start, "spark": time.perf_counter() - mid}
    return duck, spark_runs


def assert_all_same(label: str, duck: list, spark_runs: list) -> None:
    assert [r.dataset for r in spark_runs] == [r.dataset for r in duck], f"{label}: other datasets on Spark"
    for a, b in zip(duck, spark_runs):
        assert_same(f"{label}: {a.dataset}", a, b)


# -- the golden cases, the bundled datasets, the corpus --------------------------------------------
@pytest.mark.parametrize("case, variant", VARIANTS, ids=[f"{c}-{v}" for c, v in VARIANTS])
def test_figure_golden_case_same_on_spark(spark, case, variant):
    folders = expand_paths([str(FIGURE_CASES / case / variant)])
    pack = load_figure_pack(FIGURE_CASES / "pack")
    duck, spark_runs = both(f"{case}/{variant}", lambda engine: audit_figures(folders, pack, engine=engine))
    assert_all_same(f"{case}/{variant}", duck, spark_runs)


@pytest.mark.parametrize("where", ["datasets/figures", "datasets/corpus"])
def test_bundled_figure_datasets_same_on_spark(spark, where):
    """Every dataset under `where` in one run (one store per pack, as `audit check` builds it)."""
    folders = expand_paths([str(ROOT / where)])

    def audit(engine):
        rest, runs = figure_paths(folders, None, engine=engine)
        assert not rest, f"{where}: not in the figure layout: {rest}"
        return runs
    duck, spark_runs = both(f"{where} ({len(folders)} datasets, one run)", audit)
    assert len(duck) == len(folders)
    assert any(f for r in duck for f in r.findings), f"{where}: nothing found to compare"
    assert_all_same(where, duck, spark_runs)


def test_every_figure_kind_is_compared():
    """The corpus's pack has a rule of every kind over figures, and each checks items there: the
    oracle above compares every kind's queries (tests/cases/figures covers four of them)."""
    from audit.figures.kinds import KINDS

    pack = load_figure_pack(ROOT / "rules" / "mine-action-figures")
    _rest, runs = figure_paths(expand_paths([str(ROOT / "datasets" / "corpus")]), None)
    checked = {r.rule for run in runs for r in run.rules if r.items}
    assert {k.name for k in pack.rules if k.rule.id in checked} == set(KINDS)


def test_peer_sbs2000_figures_on_spark(spark, tmp_path):
    """R validate's counts on SBS2000, over figures, on Spark too."""
    if not PEER.is_dir():
        pytest.fail(f"the peer data is missing: {PEER}")
    shutil.copy(PEER / "SBS2000.csv", tmp_path / "SBS2000.csv")
    (tmp_path / "datapackage.yaml").write_text(DESCRIPTOR)
    pack = load_figure_pack(PACK)
    duck, spark_runs = both("sbs2000 peer (figures)", lambda engine: audit_figures([tmp_path], pack, engine=engine))
    results = {r.rule: r for r in spark_runs[0].rules}
    for text, (items, passes, fails, na) in expected_counts().items():
        r = results[RULE_FOR[text]]
        assert (r.items, r.passed, r.failed, r.undecided) == (items, passes, fails, na), text
    assert_all_same("sbs2000 peer (figures)", duck, spark_runs)


# -- the command line ------------------------------------------------------------------------------
def _cli_json(capsys, *args: str) -> tuple[int, dict]:
    from audit.cli import main

    code = main(["check", CLI_DATASET, "--format", "json", *args])
    doc = json.loads(capsys.readouterr().out)

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "seconds"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return sig(node) if isinstance(node, float) else node
    return code, strip(doc)


def test_cli_engine_spark_figures(spark, capsys, monkeypatch):
    """`audit check datasets/figures/azerbaijan-2019 --engine spark --format json`: the whole report
    is the default engine's (in this process, to reuse the module's session)."""
    monkeypatch.chdir(ROOT)
    start = time.perf_counter()
    code_duck, duck = _cli_json(capsys)
    mid = time.perf_counter()
    code_spark, spark_doc = _cli_json(capsys, "--engine", "spark")
    TIMINGS[f"{CLI_DATASET} (audit check)"] = {"duckdb": mid - start, "spark": time.perf_counter() - mid}
    assert code_spark == code_duck == 1
    assert duck["findings"], "the default engine found nothing to compare"
    assert spark_doc == duck


def test_cli_engine_spark_unavailable_figures(capsys, monkeypatch):
    """Without PySpark or Java, --engine spark on a figure dataset is bad input: exit 2, what to install."""
    import audit.spark_engine as se
    from audit.cli import main

    def unavailable():
        raise se.SparkUnavailable("cannot import pyspark")
    monkeypatch.setattr(se, "_SESSION", None)
    monkeypatch.setattr(se, "_start", unavailable)
    monkeypatch.chdir(ROOT)
    assert main(["check", CLI_DATASET, "--engine", "spark"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'figure-audit[spark]'" in err and "Traceback" not in err


def test_cli_missing_pyspark_figures(capsys, monkeypatch):
    """Without PySpark installed: one line naming the extra, exit 2 (as on the table layout)."""
    import sys

    from audit.cli import main

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.chdir(ROOT)
    assert main(["check", CLI_DATASET, "--engine", "spark"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pip install 'figure-audit[spark]'" in err, err


# -- the interface and the rewrites it needed ------------------------------------------------------
def test_engine_interface():
    from audit.figures.engines import FIGURE_ENGINES, DuckDBFigures, FigureEngine, SparkFigures, figure_engine
    from audit.figures.store import FigureStore

    assert FIGURE_ENGINES == ("duckdb", "spark")
    for cls in (DuckDBFigures, SparkFigures):
        assert {"name", "rows", "close"} <= set(dir(cls))
    pack = load_figure_pack(FIGURE_CASES / "pack")
    from audit.figures.run import load_all

    datasets, _ = load_all(expand_paths([str(FIGURE_CASES / "subtotals" / "valid")]), pack, {})
    store = FigureStore(datasets, pack.vocabulary)
    try:
        assert isinstance(store.engine, FigureEngine) and store.engine.name == "duckdb"
        assert store.engine.con is store.con  # the default engine is the store's own connection: nothing copied
        assert store.rows("SELECT count(*) FROM figures WHERE measure = ?", [store.figures[0].measure])[0][0] > 0
    finally:
        store.close()
    import duckdb

    con = duckdb.connect(":memory:")
    with pytest.raises(ValueError, match="unknown engine 'polars'"):
        figure_engine("polars", con)
    with pytest.raises(duckdb.ConnectionException):  # closed: a store that is not made keeps nothing open
        con.execute("SELECT 1")


# Small tables made in DuckDB, read on both engines as the store's are (engines.SparkFigures)
TABLES = ("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a', CAST(2.5 AS DOUBLE), 1), "
          "(2, 'a', CAST('inf' AS DOUBLE), 1), (3, 'b', CAST('-inf' AS DOUBLE), 2), (4, NULL, NULL, 2), "
          "(5, 'b', CAST(1.0 AS DOUBLE), 2), (6, 'it''s', CAST(0.0 AS DOUBLE), 3)) v(fid, k, x, g)")

QUERIES = {
    "isinf, NULL for NULL": ("SELECT fid, isinf(x) AS i, CASE WHEN isinf(x) THEN 0 ELSE abs(x) END AS a FROM t "
                             "ORDER BY fid", []),
    "list DISTINCT ordered by itself, NULL last": (
        "SELECT g, list(DISTINCT k ORDER BY k) AS ks FROM t GROUP BY g ORDER BY g", []),
    "list DISTINCT with FILTER, over no rows NULL": (
        "SELECT list(DISTINCT k ORDER BY k) FILTER (WHERE fid > 1) AS some, "
        "list(DISTINCT k ORDER BY k) FILTER (WHERE fid > 99) AS none FROM t", []),
    "HAVING beside ORDER BY an aggregate not selected": (
        "SELECT list(fid ORDER BY fid) FROM t GROUP BY g HAVING count(*) > 1 ORDER BY min(fid) DESC", []),
    "HAVING, ORDER BY an unselected aggregate, two columns of one name, LIMIT": (
        "SELECT a.g, b.g, count(*) AS n FROM t a JOIN t b ON a.g = b.g GROUP BY a.g, b.g HAVING count(*) > 1 "
        "ORDER BY max(a.fid) LIMIT 2", []),
    "bound parameters: text with a quote, numbers, a list, an empty list": (
        "SELECT fid FROM t WHERE (k = ? OR fid = ? OR x = ? OR list_contains(?, k) OR list_contains(?, k)) "
        "ORDER BY fid", ["it's", 4, 2.5, ["b"], []]),
}


@pytest.fixture(scope="module")
def figure_engines(spark):
    import duckdb

    from audit.figures.engines import DuckDBFigures, SparkFigures

    def made():
        con = duckdb.connect(":memory:")
        con.execute(TABLES)
        return con
    duck, sp = DuckDBFigures(made()), SparkFigures(made())
    yield duck, sp
    duck.close()
    sp.close()


def _typed(rows):
    def one(v):
        if isinstance(v, list):
            return [one(x) for x in v]
        return (type(v).__name__, sig(v) if isinstance(v, float) else v)
    return [tuple(one(v) for v in r) for r in rows]


@pytest.mark.parametrize("label", list(QUERIES))
def test_figure_query_same_on_spark(figure_engines, label):
    duck, sp = figure_engines
    sql, params = QUERIES[label]
    expected = _typed(duck.rows(sql, params))
    assert expected, f"{label}: nothing to compare"
    assert _typed(sp.rows(sql, params)) == expected, f"{label}\nSpark SQL: {sp.translate(sql)}"


def test_parameters_stay_parameters(figure_engines):
    """A value bound with ? is never SQL text on Spark: the translation keeps the marker."""
    _duck, sp = figure_engines
    from audit.spark_engine import SparkSQLError

    hostile = "x') OR 1=1 --"
    assert sp.rows("SELECT fid FROM t WHERE k = ?", [hostile]) == []
    assert "?" in sp.translate("SELECT fid FROM t WHERE k = ?") and hostile not in sp.translate(
        "SELECT fid FROM t WHERE k = ?")
    with pytest.raises(SparkSQLError, match="NULL cannot be bound"):  # Spark binds no NULL in an array
        sp.rows("SELECT fid FROM t WHERE list_contains(?, k)", [[None, "a"]])


def test_spark_reads_only_the_store(figure_engines):
    from audit.spark_engine import SparkSQLError

    _duck, sp = figure_engines
    for sql in ("SELECT * FROM parquet.`/etc/passwd`", "SELECT * FROM elsewhere", "DROP TABLE t"):
        with pytest.raises(SparkSQLError):
            sp.rows(sql)


def test_figure_rewrites():
    """The rewrites the figure layout's queries need, as Spark SQL text."""
    from audit.spark_engine import to_spark_sql

    assert "ABS(x) = CAST('Infinity' AS DOUBLE)" in to_spark_sql("SELECT isinf(x) FROM t")
    distinct = to_spark_sql("SELECT list(DISTINCT c.k ORDER BY c.k) FROM t c").upper()
    assert "ARRAY_SORT(COLLECT_SET(STRUCT(" in distinct and "SIZE(" in distinct
    with pytest.raises(ValueError, match="DISTINCT"):
        to_spark_sql("SELECT list(DISTINCT k ORDER BY fid) FROM t")
    having = to_spark_sql("SELECT list(fid) FROM t GROUP BY g HAVING count(*) > 1 ORDER BY min(fid)")
    assert having.startswith("SELECT __c0 FROM (SELECT ") and "MIN(fid) AS __o0" in having
    assert having.endswith(") AS __q ORDER BY __o0 NULLS LAST")
    nested = to_spark_sql("SELECT * FROM (SELECT list(fid) AS l FROM t GROUP BY g HAVING count(*) > 1 "
                          "ORDER BY min(fid)) s JOIN (SELECT g FROM t GROUP BY g HAVING count(*) > 0 ORDER BY max(x)) u "
                          "ON true")
    assert nested.count("__q") == 2 and "MAX(x) AS __o0" in nested
    plain = "SELECT g, min(fid) AS m FROM t GROUP BY g ORDER BY min(fid)"  # no HAVING: left as it is
    assert "__q" not in to_spark_sql(plain)

