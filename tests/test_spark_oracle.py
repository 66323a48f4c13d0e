"""Oracle: the same compiled rules give the same results on DuckDB and on Spark.

`audit_dataset(..., engine="spark")` runs the SQL the kinds compile (DuckDB dialect) on Spark SQL
in local mode, translated by sqlglot and a few rewrites of its output (audit/spark_engine.py).
Every golden case and every bundled dataset is audited on both engines, which must agree on each
rule's status and counts and on every finding: its rule, message, fingerprint, observed and
expected values (to 9 significant digits) and locations. The SBS2000 peer check must hold on
Spark too, and `audit check --engine spark` must print what the default engine prints.

These tests need PySpark and sqlglot (the test extra installs them) and Java 17 or later. When
either is missing they fail, saying what to install: they never skip.
"""
from __future__ import annotations

import json
import shutil
import time

import pytest

from audit.kinds import KINDS
from audit.pack import load_pack
from audit.runner import audit_dataset

from .conftest import CASES, ROOT
from .test_kinds_golden import CASE_NAMES, pack_for
from .test_peer_sbs2000 import DESCRIPTOR, PEER, RULE_FOR, expected_counts

CLI_DATASET = "azerbaijan-2019"
DATASETS = sorted(p.name for p in (ROOT / "datasets").iterdir() if (p / "datapackage.yaml").is_file())
TIMINGS: dict[str, dict[str, float]] = {}


def _missing_requirement() -> str | None:
    for module in ("pyspark", "sqlglot"):
        try:
            __import__(module)
        except ImportError:
            return (f"{module} is not installed: install the test extra (pip install -e '.[test]') or the "
                    "spark extra (pip install -e '.[spark]')")
    import os

    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        return "Spark needs Java 17 or later: no 'java' on the PATH and JAVA_HOME is not set"
    return None


def module_session(timings: dict[str, dict[str, float]], title: str):
    """One local SparkSession for a whole test module (starting one takes seconds): its start and
    the `timings` the module records are printed under `title` when it ends. A missing requirement
    fails the module, saying what to install."""
    problem = _missing_requirement()
    if problem:
        pytest.fail(f"the Spark oracle cannot run: {problem}", pytrace=False)
    from audit.spark_engine import spark_session, stop_session

    start = time.perf_counter()
    session = spark_session()
    timings["session start"] = {"spark": time.perf_counter() - start}
    yield session
    stop_session()
    lines = [f"  {name}: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()) for name, t in timings.items()]
    print(f"\n{title}:\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def spark():
    yield from module_session(TIMINGS, "Spark oracle timings")


def sig(v):
    return None if v is None else float(f"{float(v):.9g}")


def view(run) -> dict:
    """What must be equal on both engines."""
    return {
        "rules": [{"id": r.rule, "status": r.status, "items": r.items, "passed": r.passed, "failed": r.failed,
                   "undecided": r.undecided, "truncated": getattr(r, "truncated", 0),
                   "reason": r.reason if r.status != "broken" else "(broken)"} for r in run.rules],
        "findings": [{"rule": f.rule, "message": f.message, "fingerprint": f.fingerprint,
                      "observed": sig(f.observed), "expected": sig(f.expected),
                      "difference": sig(f.difference), "tolerance": sig(f.tolerance), "unit": f.unit,
                      "locations": [loc.to_dict() for loc in f.locations]} for f in run.findings],
    }


def assert_same(label: str, duck, spark_run) -> None:
    broken = {r.rule: r.reason for r in spark_run.rules if r.status == "broken"}
    duck_broken = {r.rule: r.reason for r in duck.rules if r.status == "broken"}
    assert broken.keys() == duck_broken.keys(), f"{label}: rules broken on Spark: {broken}; on DuckDB: {duck_broken}"
    a, b = view(duck), view(spark_run)
    assert b["rules"] == a["rules"], f"{label}: rule outcomes differ"
    assert len(b["findings"]) == len(a["findings"]), f"{label}: {len(a['findings'])} findings on DuckDB, " \
                                                     f"{len(b['findings'])} on Spark"
    for fa, fb in zip(a["findings"], b["findings"]):
        assert fb == fa, f"{label}: finding {fa['rule']} {fa['fingerprint']} differs"


def both(label: str, path, **kw):
    start = time.perf_counter()
    duck = audit_dataset(path, engine="duckdb", **kw)
    mid = time.perf_counter()
    spark_run = audit_dataset(path, engine="spark", **kw)
    TIMINGS[label] = {"duckdb": mid - start, "spark": time.perf_counter() - mid}
    return duck, spark_run


# -- the golden cases and the bundled datasets -----------------------------------------------------
@pytest.mark.parametrize("case", CASE_NAMES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_golden_case_same_on_spark(spark, kind, case):
    duck, spark_run = both(f"{kind}/{case}", CASES / kind / case, pack=pack_for(kind))
    assert_same(f"{kind}/{case}", duck, spark_run)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_golden_cases_unfused_same_on_spark(spark, kind):
    """Without the planner every aggregate is a correlated subquery: the other shape of the SQL."""
    for case in CASE_NAMES:
        duck, spark_run = both(f"{kind}/{case} unfused", CASES / kind / case, pack=pack_for(kind), fused=False)
        assert_same(f"{kind}/{case} unfused", duck, spark_run)


@pytest.mark.parametrize("name", [d for d in DATASETS if d != CLI_DATASET])
def test_bundled_dataset_same_on_spark(spark, name):
    """Every bundled dataset; the CLI test below covers azerbaijan-2019 (the largest, and a Spark
    audit of it takes the longest), comparing its whole JSON report."""
    duck, spark_run = both(name, ROOT / "datasets" / name)
    assert any(r.items for r in duck.rules), f"{name}: no rule checked anything"
    assert_same(name, duck, spark_run)


def test_peer_sbs2000_on_spark(spark, tmp_path):
    """R validate's pass/fail/NA counts on SBS2000 (columns such as total.rev) on Spark too."""
    if not PEER.is_dir():
        pytest.fail(f"the peer data is missing: {PEER}")
    shutil.copy(PEER / "SBS2000.csv", tmp_path / "SBS2000.csv")
    (tmp_path / "datapackage.yaml").write_text(DESCRIPTOR)
    duck, run = both("sbs2000 peer", tmp_path, pack=load_pack(CASES / "sbs2000-pack"))
    results = {r.rule: r for r in run.rules}
    for text, (items, passes, fails, na) in expected_counts().items():
        r = results[RULE_FOR[text]]
        assert (r.items, r.passed, r.failed, r.undecided) == (items, passes, fails, na), text
    assert_same("sbs2000 peer", duck, run)


@pytest.mark.parametrize("fmt", ["parquet", "scanned csv"])
def test_external_table_same_on_spark(spark, tmp_path, fmt):
    """A table read from its file by DuckDB's SELECT (handed to Spark in memory): its contract
    check (a key that repeats) and a row rule over 300 rows, failing rows looked up by line."""
    import duckdb
    import yaml

    folder = tmp_path / "many"
    shutil.copytree(CASES / "row_check" / "invalid", folder)
    path = "regions.parquet" if fmt == "parquet" else "regions.csv"
    options = "(FORMAT parquet)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
    con = duckdb.connect()
    # 300 rows, every tenth with areas counted but no area; ten regions appear twice
    con.execute(f"COPY (SELECT 'R' || (i % 290) AS region, 2 AS count, CASE WHEN i % 10 = 0 THEN 0 ELSE 100 END "
                f"AS area FROM range(300) t(i)) TO '{folder / path}' {options}")
    con.close()
    desc = yaml.safe_load((folder / "datapackage.yaml").read_text())
    desc["resources"][0]["path"] = path
    desc["resources"][0].pop("totals", None)
    if fmt != "parquet":
        desc["resources"][0]["scan"] = True
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(desc, sort_keys=False))
    duck, run = both(f"{fmt} table", folder, pack=pack_for("row_check"))
    assert run.rules[1].failed == 30 and run.rules[0].failed > 0
    assert_same(f"{fmt} table", duck, run)


# -- the command line ------------------------------------------------------------------------------
def _cli_json(capsys, *args: str) -> tuple[int, dict]:
    from audit.cli import main

    code = main(["check", f"datasets/{CLI_DATASET}", "--format", "json", *args])
    out = capsys.readouterr().out
    doc = json.loads(out)

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "seconds"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return sig(node) if isinstance(node, float) else node
    return code, strip(doc)


def test_cli_engine_spark_same_findings(spark, capsys, monkeypatch):
    """`audit check datasets/azerbaijan-2019 --engine spark --format json` (the same entry point as
    the console script, in this process so that it reuses the module's Spark session)."""
    monkeypatch.chdir(ROOT)
    start = time.perf_counter()
    code_duck, duck = _cli_json(capsys)
    mid = time.perf_counter()
    code_spark, spark_doc = _cli_json(capsys, "--engine", "spark")
    TIMINGS[f"{CLI_DATASET} (audit check)"] = {"duckdb": mid - start, "spark": time.perf_counter() - mid}
    assert code_spark == code_duck == 1
    assert duck["findings"], "the default engine found nothing to compare"
    assert spark_doc["rules"] == duck["rules"]
    assert len(spark_doc["findings"]) == len(duck["findings"])
    for a, b in zip(duck["findings"], spark_doc["findings"]):
        assert b == a, f"finding {a['rule']} {a['fingerprint']} differs"
    assert spark_doc["summary"] == duck["summary"]
    assert spark_doc["dataset"] == duck["dataset"]


def test_cli_engine_spark_unavailable(capsys, monkeypatch):
    """Without PySpark or Java, --engine spark is bad input: exit 2 and what to install."""
    import audit.spark_engine as se
    from audit.cli import main

    def unavailable():
        raise se.SparkUnavailable("cannot import pyspark")
    monkeypatch.setattr(se, "_SESSION", None)
    monkeypatch.setattr(se, "_start", unavailable)
    monkeypatch.chdir(ROOT)
    assert main(["check", "datasets/croatia-2014", "--engine", "spark"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'figure-audit[spark]'" in err and "Java" in err and "Traceback" not in err


def test_missing_pyspark_is_reported(monkeypatch):
    import sys

    import audit.spark_engine as se
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(se.SparkUnavailable, match="pip install 'figure-audit\\[spark\\]'"):
        se._start()


def test_cli_rejects_unknown_engine(capsys):
    from audit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", "datasets/croatia-2014", "--engine", "polars"])
    assert exc.value.code == 2
    assert "invalid choice: 'polars'" in capsys.readouterr().err


# -- the SQL constructs and their rewrites ---------------------------------------------------------
# Small relations made by the same SQL on both engines (VALUES, translated like any statement).
FIXTURES = {
    "k": "SELECT * FROM (VALUES (1, 'a', CAST(2.5 AS DOUBLE), NULL, TRUE), (2, 'a', NULL, 3, FALSE), "
         "(3, NULL, CAST(1.0 AS DOUBLE), 3, TRUE), (4, 'b', CAST(-4.0 AS DOUBLE), NULL, NULL), "
         "(5, NULL, CAST(7.5 AS DOUBLE), 1, FALSE)) v(id, grp, x, y, flag)",
    "dotted": "SELECT * FROM (VALUES (1, CAST(10.0 AS DOUBLE), CAST(4.0 AS DOUBLE)), "
              "(2, CAST(5.0 AS DOUBLE), NULL)) v(id, \"total.rev\", \"total.costs\")",
    "periods": "SELECT * FROM (VALUES ('n', 2016, CAST(1.0 AS DOUBLE)), ('n', 2017, CAST(2.0 AS DOUBLE)), "
               "('n', 2019, CAST(3.0 AS DOUBLE)), ('s', 2017, NULL), ('s', 2018, CAST(5.0 AS DOUBLE))) "
               "v(region, period, v)",
}

CONSTRUCTS = {
    "correlated scalar subquery with aggregates, empty groups": (
        "SELECT o.id, (SELECT CASE WHEN count(*) > count(i.x) THEN NULL ELSE sum(i.x) END FROM k i "
        "WHERE i.grp = o.grp) AS s, (SELECT coalesce(sum(i.x), 0) FROM k i WHERE i.grp = o.grp) AS e, "
        "(SELECT count(*) FROM k i WHERE i.grp = o.grp AND i.flag) AS n FROM k o ORDER BY o.id"),
    "non-aggregated correlated scalar subquery (the planner's lookups)": (
        "SELECT o.id, (SELECT z.x FROM k z WHERE z.id = o.y) AS looked_up FROM k o ORDER BY o.id"),
    "LATERAL with IS NOT DISTINCT FROM and an ordered list": (
        "SELECT t.id, s.n, s.v, s.lines FROM (SELECT id, grp FROM k WHERE flag) t, LATERAL (SELECT count(*) AS n, "
        "sum(d.x) AS v, list(d.id ORDER BY d.id) AS lines FROM k d WHERE d.id <> t.id "
        "AND d.grp IS NOT DISTINCT FROM t.grp) s ORDER BY t.id"),
    # (ties are in no promised order on either engine: the compiled SQL orders by a unique __line)
    "list ORDER BY other columns, NULL keys last unless NULLS FIRST, NULL elements kept": (
        "SELECT list(id ORDER BY y, id) AS a, list(x ORDER BY y NULLS FIRST, id) AS b, "
        "list(grp ORDER BY flag, id) AS c FROM k"),
    "list over no rows is NULL": "SELECT list(id ORDER BY id) AS a FROM k WHERE id > 99",
    "top-n min and max with FILTER": (
        "SELECT count(*) FILTER (WHERE flag) AS n, min(id, 2) FILTER (WHERE NOT flag) AS lo, max(id, 2) AS hi, "
        "min(id, 3) FILTER (WHERE id > 99) AS none FROM k"),
    "first, greatest, abs, casts and literals": (
        "SELECT first(x) AS f, greatest(1, abs(min(x)), abs(max(x))) AS g, CAST(4099999.9999999995 AS DOUBLE) AS c, "
        "1 + 0.5 AS d, 1e-12 * greatest(1, abs(-3)) AS eps, 7 / 2 AS q, CAST(0.1 AS DOUBLE) * abs(4400000) AS p "
        "FROM k WHERE id < 3"),
    "division by nullif and NULL booleans": (
        "SELECT id, x / nullif(y - 3, 0) AS r, (x > 0) AS pos, NOT flag AS nf, "
        "CASE WHEN x IS NULL THEN NULL ELSE abs(x) <= 2 END AS ok FROM k ORDER BY id"),
    "count DISTINCT with NULLs, IN lists": (
        "SELECT count(DISTINCT grp) AS g, count(DISTINCT y) AS y, count(*) FILTER (WHERE grp IN ('a', 'b')) AS n FROM k"),
    "window lag over a named window with PARTITION BY": (
        "SELECT region, period, v, prev_period, pv, CASE WHEN v IS NULL OR pv IS NULL OR period - prev_period <> 1 "
        "THEN NULL ELSE v / pv > 1 + 0.5 END AS jump FROM (SELECT region, period, v, lag(period) OVER w AS prev_period, "
        "lag(v) OVER w AS pv FROM (SELECT * FROM periods) WINDOW w AS (PARTITION BY region ORDER BY period)) "
        "WHERE prev_period IS NOT NULL ORDER BY region, period"),
    "quoted identifiers with dots": (
        "SELECT r.id, r.\"total.rev\" - r.\"total.costs\" AS profit FROM dotted r ORDER BY r.id"),
    "row value IN a subquery": (
        "SELECT id FROM k WHERE (grp, y) IN (SELECT (grp, y) FROM k GROUP BY grp, y HAVING count(*) > 1) "
        "OR id = 1 ORDER BY id"),
    "ORDER BY puts NULLs last, UNION, DISTINCT": (
        "SELECT y FROM k UNION SELECT y + 10 FROM k ORDER BY 1"),
}


@pytest.fixture(scope="module")
def engines(spark):
    from audit.engine import DuckDBEngine
    from audit.spark_engine import SparkEngine

    from audit.runner import met_dataset

    ds = met_dataset(CASES / "totals" / "valid", rules_dir=CASES / "pack")[0]
    duck, sp = DuckDBEngine(ds), SparkEngine(ds)
    for name, sql in FIXTURES.items():
        duck.materialize(name, sql)
        sp.materialize(name, sql)
    yield duck, sp
    duck.close()
    sp.close()


def typed(rows):
    def one(v):
        if isinstance(v, list):
            return [one(x) for x in v]
        return (type(v).__name__, sig(v) if isinstance(v, float) else v)
    return [{k: one(v) for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("label", list(CONSTRUCTS))
def test_sql_construct_same_on_spark(engines, label):
    """Values, Python types, NULLs and row order (where the statement orders) agree."""
    duck, sp = engines
    sql = CONSTRUCTS[label]
    expected = typed(duck.rows(sql))
    assert typed(sp.rows(sql)) == expected, f"{label}\nSpark SQL: {sp.translate(sql)}"


def test_rewrites(spark):
    """The rewrites of sqlglot's output, as Spark SQL text."""
    from audit.spark_engine import to_spark_sql

    ordered = to_spark_sql("SELECT list(d.__line ORDER BY d.__line) AS lines FROM t d")
    assert "ARRAY_SORT(COLLECT_LIST(STRUCT(" in ordered.upper() and "TRANSFORM(" in ordered.upper()
    assert "SIZE(" in ordered.upper()  # NULL, not [], over no rows
    topn = to_spark_sql("SELECT min(__line, 5) FILTER (WHERE NOT __ok) AS lines FROM t").upper()
    assert "SLICE(ARRAY_SORT(COLLECT_LIST(__LINE) FILTER(WHERE NOT __OK)), 1, 5)" in topn
    assert "REVERSE(ARRAY_SORT(" in to_spark_sql("SELECT max(x, 2) FROM t").upper()
    row_in = to_spark_sql("SELECT 1 FROM t WHERE (a, b) IN (SELECT (a, b) FROM t)")
    assert "IN (SELECT a, b FROM t)" in row_in
    assert to_spark_sql('SELECT t."total.rev" FROM t') == "SELECT t.`total.rev` FROM t"
    with pytest.raises(ValueError, match="DESC"):
        to_spark_sql("SELECT list(x ORDER BY y DESC) FROM t")
