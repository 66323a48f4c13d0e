"""Baselines: accepted findings pass, changed values are new again, stale and expired entries,
entries without a reason; and fingerprints that survive moved rows, whitespace and unrelated rows."""
from __future__ import annotations

import datetime as dt
import io
import random
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.baseline import apply_baseline, load_baseline, write_baseline
from audit.errors import AuditInputError
from audit.pack import load_pack
from audit.runner import audit_dataset

from .conftest import ROOT

DATASET = ROOT / "datasets" / "azerbaijan-2019"
PACK = load_pack(ROOT / "rules" / "mine-action")


def baseline_file(tmp_path, runs, reason="known and explained", **extra):
    buf = io.StringIO()
    write_baseline(runs, buf)
    doc = yaml.safe_load(buf.getvalue())
    for e in doc["entries"]:
        e["reason"] = reason
        e.update(extra)
    path = tmp_path / "audit-baseline.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_accepted_findings_do_not_fail_and_changed_values_are_new(tmp_path):
    run = audit_dataset(DATASET, pack=PACK)
    entries = load_baseline(baseline_file(tmp_path, [run]))
    apply_baseline([run], entries)
    assert all(f.accepted for f in run.findings) and not run.fails("error") and not run.stale
    # the printed total of Table 1 changes from 17 to 18: the same discrepancy with other values
    copy = tmp_path / "ds"
    shutil.copytree(DATASET, copy)
    t1 = copy / "table1-mined-area-by-type.csv"
    t1.write_text(t1.read_text().replace("Totals,,17,", "Totals,,18,"))
    changed = audit_dataset(copy, pack=PACK)
    apply_baseline([changed], entries)
    new = [f for f in changed.findings if not f.accepted]
    assert [f.rule for f in new] == ["printed-totals"] and changed.fails("error")
    assert [e["rule"] for e in changed.stale] == ["printed-totals"]


def test_expired_entries_fail_the_run(tmp_path):
    run = audit_dataset(DATASET, pack=PACK)
    path = baseline_file(tmp_path, [run], expires="2001-02-03")
    apply_baseline([run], load_baseline(path), today=dt.date(2026, 1, 1))
    assert len(run.expired) == len(run.findings) and run.fails("error")
    assert not any(f.accepted for f in run.findings)


def test_an_entry_without_a_reason_is_an_error(tmp_path):
    run = audit_dataset(DATASET, pack=PACK)
    path = baseline_file(tmp_path, [run], reason="")
    with pytest.raises(AuditInputError) as exc:
        load_baseline(path)
    assert all(p.field == "reason" and p.line for p in exc.value.problems)
    assert len(exc.value.problems) == len(run.findings)


def test_a_bad_date_is_named(tmp_path):
    run = audit_dataset(DATASET, pack=PACK)
    path = baseline_file(tmp_path, [run], expires="next spring")
    with pytest.raises(AuditInputError) as exc:
        load_baseline(path)
    assert "is not a date" in str(exc.value)


def test_recreating_a_baseline_keeps_reasons(tmp_path):
    run = audit_dataset(DATASET, pack=PACK)
    path = baseline_file(tmp_path, [run], reason="kept")
    buf = io.StringIO()
    write_baseline([run], buf, load_baseline(path))
    assert {e["reason"] for e in yaml.safe_load(buf.getvalue())["entries"]} == {"kept"}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), pad=st.sampled_from(["", " ", "  "]), extra_rows=st.integers(0, 2))
def test_fingerprints_survive_moves_whitespace_and_unrelated_rows(tmp_path_factory, seed, pad, extra_rows):
    folder = tmp_path_factory.mktemp("edit") / "azerbaijan-2019"
    shutil.copytree(DATASET, folder)
    rng = random.Random(seed)
    for csv_file in folder.glob("*.csv"):
        lines = csv_file.read_text().splitlines()
        body = [",".join(pad + cell + pad for cell in line.split(",")) for line in lines[1:]]
        if csv_file.name.startswith("table2"):
            body += [f"{pad}Newregion{i}{pad},0,0,0,0" for i in range(extra_rows)]  # consistent, unrelated
        rng.shuffle(body)
        csv_file.write_text("\n".join([lines[0]] + body) + "\n")
    before = audit_dataset(DATASET, pack=PACK)
    after = audit_dataset(folder, pack=PACK)
    assert sorted(f.fingerprint for f in before.findings) == sorted(f.fingerprint for f in after.findings)
