"""Fused execution gives exactly the findings of rule-by-rule execution, with fewer scans."""
from __future__ import annotations

import pytest

from audit.cli import expand_paths
from audit.engine import DuckDBEngine
from audit.contracts import dataset_schema
from audit.expr.planner import Planner
from audit.kinds import KINDS
from audit.pack import load_pack
from audit.runner import audit_dataset, met_dataset, prepare

from .conftest import CASES, ROOT

CASE_DIRS = [(kind, CASES / kind / case) for kind in sorted(KINDS) for case in ("valid", "invalid", "undecided")]


def essence(run):
    rules = [(r.rule, r.status, r.items, r.passed, r.failed, r.undecided) for r in run.rules]
    findings = sorted((f.rule, f.fingerprint, f.message, f.observed, f.expected,
                       tuple((loc.file, loc.row, loc.column) for loc in f.locations)) for f in run.findings)
    return rules, findings


@pytest.mark.parametrize("folder", expand_paths([str(ROOT / "datasets")]), ids=lambda p: p.name)
def test_bundled_datasets_fused_and_plain_agree(folder):
    pack = load_pack(ROOT / "rules" / "mine-action")
    assert essence(audit_dataset(folder, pack=pack, fused=True)) == essence(audit_dataset(folder, pack=pack,
                                                                                          fused=False))


@pytest.mark.parametrize("kind,folder", CASE_DIRS, ids=lambda x: getattr(x, "name", x))
def test_golden_cases_fused_and_plain_agree(kind, folder):
    pack = load_pack(CASES / "pack")
    pack.rules = [k for k in pack.rules if k.rule.kind == kind]
    assert essence(audit_dataset(folder, pack=pack, fused=True)) == essence(audit_dataset(folder, pack=pack,
                                                                                          fused=False))


def test_one_scan_per_table_and_grouping():
    ds, pack = met_dataset(ROOT / "datasets" / "azerbaijan-2019")
    engine = DuckDBEngine(ds)
    schema = dataset_schema(ds, pack)
    schema.planner = Planner(engine)
    prepare(pack, schema)
    groups = [g for versions in schema.planner.groups.values() for g in versions]
    aggregates = sum(len(g.columns) for g in groups)
    # every (table, grouping) is scanned once, however many rules and aggregates read it
    assert schema.planner.queries == len(groups) == len({(g.table, g.keys, g.filters) for g in groups})
    assert aggregates > len(groups)
    engine.close()


def test_row_rules_of_a_table_share_one_pass(tmp_path):
    """The row_check rules of one table (with the same joins) are counted in one query, and their first
    failing rows read by one more; the findings are those of rule-by-rule execution."""
    from audit.kinds.base import RunContext

    from .test_large_inputs import as_parquet

    as_parquet(ROOT / "datasets" / "azerbaijan-2019", tmp_path / "pq")
    ds, pack = met_dataset(tmp_path / "pq")
    rows = [k for k in pack.rules if k.rule.kind == "row_check"]
    assert len(rows) > 1
    engine = DuckDBEngine(ds)
    schema = dataset_schema(ds, pack)
    schema.planner = Planner(engine)
    prepare(pack, schema)
    ctx = RunContext(ds, engine, schema)
    for kind in rows:
        kind.plan_scan(ctx)
    scans = schema.planner.scans
    registered = sum(len(s["items"]) for s in scans.values())
    assert registered > len(scans)  # at least two rules share a pass
    before = schema.planner.queries
    results = [kind.run(ctx) for kind in rows]
    assert schema.planner.queries - before == len(scans)
    assert all(s["results"] for s in scans.values())  # the shared passes ran (no rule fell back to its own)
    assert all(r.status in ("passed", "failed", "not_applicable") for r in results)
    engine.close()
    assert essence(audit_dataset(tmp_path / "pq", pack=pack)) == essence(audit_dataset(tmp_path / "pq", pack=pack,
                                                                                       fused=False))
