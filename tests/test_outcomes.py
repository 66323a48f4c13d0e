"""Honest outcomes: a rule that decided nothing is not a pass, a claim that matches no figure says
why (with the nearest names the tables hold), and the text report says why rules did not apply."""
from __future__ import annotations

import shutil

import yaml

from audit.runner import audit_dataset

from .conftest import ROOT, audit_cli

DATASET = ROOT / "datasets" / "azerbaijan-2019"


def test_a_rule_that_decided_nothing_is_undecided_not_passed():
    run = audit_dataset(ROOT / "datasets" / "serbia-2014")
    rule = next(r for r in run.rules if r.rule == "claim-confirmed-area")
    assert (rule.status, rule.items, rule.undecided, rule.passed) == ("undecided", 1, 1, 0)
    assert rule.reason == "1 claim matched no figure: claim 'cha-area-2013': year '2013' is in no table"
    assert run.status_counts()["undecided"] == 1
    # a rule with some items decided keeps its outcome, and still says what it could not decide
    partly = next(r for r in run.rules if r.rule == "claim-suspected-area")
    assert partly.status == "passed" and partly.undecided == 1 and "sha-area-2013" in partly.reason


def test_a_misspelt_place_is_named_with_the_nearest_names(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(DATASET, folder)
    path = folder / "claims.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    claim = next(c for c in doc["claims"] if c["id"] == "ap-mined-area-end-2018")
    claim["region"] = "Fuzuli"  # the tables print Fizuli
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    run = audit_dataset(folder)
    rule = next(r for r in run.rules if r.rule == "claim-ap-mined-area")
    assert "claim 'ap-mined-area-end-2018': region 'Fuzuli' is in no table (nearest: Fizuli)" in rule.reason
    assert rule.undecided == 2 and rule.status == "undecided"


def test_the_text_report_says_why_rules_did_not_apply():
    out = audit_cli("check", "datasets/croatia-2014")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Rules that do not apply (24):" in text
    assert "  clearance-year-on-year: the dataset has no table 'clearance_summary'" in text
    assert "Rules: 27 run, 3 passed, 0 failed, 0 undecided, 24 not applicable, 0 broken" in text
    serbia = audit_cli("check", "datasets/serbia-2014").stdout
    assert "Rules that could decide nothing (1):\n  claim-confirmed-area: 1 claim matched no figure" in serbia
