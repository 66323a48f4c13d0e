"""The shortcuts the engine takes on large tables give what the general path gives: the key check by
bitmap (contracts._unique_integer_key), the groups of a grouped rule read from the planner's stored
aggregate (base.group_source), the cells of failing groups by a top-n aggregate."""
from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from audit import contracts
from audit.pack import load_pack
from audit.runner import audit_dataset

from .conftest import ROOT

BENCH = ROOT / "bench"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "n2000"
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--rows", "2000", "--seed", "3", "--out", str(folder)],
                   check=True, capture_output=True)
    return folder


def summary(run):
    return [(r.rule, r.status, r.items, r.passed, r.failed, r.undecided, r.truncated,
             sorted((f.fingerprint, f.message, tuple((loc.table, loc.row, loc.column, loc.value) for loc in f.locations))
                    for f in r.findings)) for r in run.rules]


def rewrite_activities(folder, select: str) -> None:
    path = folder / "activities.parquet"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE a AS SELECT * FROM read_parquet('{path}')")
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")


@pytest.mark.parametrize("change,failed", [
    (None, 0),  # unique keys
    ("SELECT * REPLACE (CASE WHEN activity_id IN (5, 9) THEN 7 ELSE activity_id END AS activity_id) FROM a", 3),
    ("SELECT * REPLACE (CASE WHEN activity_id = 5 THEN NULL ELSE activity_id END AS activity_id) FROM a", 0),
    ("SELECT * REPLACE (CASE WHEN activity_id IN (5, 9) THEN NULL ELSE activity_id END AS activity_id) FROM a", 2),
    # a range too wide for a bitmap: grouped
    ("SELECT * REPLACE (CASE WHEN activity_id = 5 THEN 4000000000 ELSE activity_id END AS activity_id) FROM a", 0),
])
def test_key_check_by_bitmap_agrees_with_grouping(small, tmp_path, monkeypatch, change, failed):
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(small, folder)
    if change:
        rewrite_activities(folder, change)
    pack = load_pack(BENCH / "pack")
    fast = audit_dataset(folder, pack=pack)
    monkeypatch.setattr(contracts, "_unique_integer_key", lambda *a: None)
    slow = audit_dataset(folder, pack=pack)
    assert summary(fast) == summary(slow)
    assert fast.rules[0].rule == "table-contracts" and fast.rules[0].failed == failed


def test_a_unique_integer_key_is_checked_without_grouping(small, monkeypatch):
    from audit.engine import DuckDBEngine

    seen = []
    rows = DuckDBEngine.rows

    def spy(self, sql, params=None):
        seen.append(sql)
        return rows(self, sql, params)

    monkeypatch.setattr(DuckDBEngine, "rows", spy)
    run = audit_dataset(small, pack=load_pack(BENCH / "pack"))
    assert run.rules[0].status == "passed"
    assert any("bitstring_agg" in s for s in seen)
    assert not any('GROUP BY "activity_id"' in s for s in seen)


def test_shortcuts_give_the_findings_of_the_unfused_path(small):
    """Groups from the stored aggregates, cells by top-n, comparisons decided early: the same findings
    as every rule run on its own with correlated subqueries (fused=False)."""
    pack = load_pack(BENCH / "pack")
    fused = audit_dataset(small, pack=pack)
    plain = audit_dataset(small, pack=pack, fused=False)
    assert summary(fused) == summary(plain)
    assert sum(r.failed for r in fused.rules) > 0
