"""End to end on the bundled datasets: the reports in reports/ are kept in sync, and the
Azerbaijan run finds exactly the discrepancies of the source, and nothing that holds within
printed precision."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from audit.cli import expand_paths

from .conftest import ROOT, audit_cli, check_golden

DATASETS = sorted(p.name for p in expand_paths([str(ROOT / "datasets")]))
REPORTS = ROOT / "reports"


def stable_json(text: str) -> dict:
    doc = json.loads(text)
    doc["summary"].pop("seconds")
    for r in doc["rules"]:
        r.pop("seconds")
    return doc


def stable_text(text: str) -> str:
    return re.sub(r"\(\d+\.\d+ s\)", "(… s)", text)


def test_all_datasets_are_bundled():
    assert {"azerbaijan-2019", "tajikistan-2014", "croatia-2014", "serbia-2014"} <= set(DATASETS)


@pytest.mark.parametrize("name", DATASETS)
def test_reports_are_up_to_date(name):
    js = audit_cli("check", f"datasets/{name}", "--format", "json")
    assert js.returncode in (0, 1), js.stderr
    check_golden(REPORTS / f"{name}.json", stable_json(js.stdout))
    tx = audit_cli("check", f"datasets/{name}")
    assert tx.returncode == js.returncode
    check_golden(REPORTS / f"{name}.txt", stable_text(tx.stdout))


@pytest.fixture(scope="module")
def azerbaijan():
    out = audit_cli("check", "datasets/azerbaijan-2019", "--format", "json")
    assert out.returncode == 1, out.stderr
    return json.loads(out.stdout)


def where(finding) -> set[tuple]:
    return {(Path(loc["file"]).name, loc["row"], loc.get("column") or loc.get("claim")) for loc in finding["locations"]}


def test_azerbaijan_finds_every_discrepancy_of_the_source(azerbaijan):
    found = {(f["rule"], f["severity"]) for f in azerbaijan["findings"]}
    by_rule: dict[str, list] = {}
    for f in azerbaijan["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    # Table 1 prints 17 CHAs for 6 + 10
    [t1] = by_rule["printed-totals"]
    assert ("table1-mined-area-by-type.csv", 4, "cha_count") in where(t1)
    assert (t1["observed"], t1["expected"]) == (17, 16)
    # "33 mined areas" against 32 in the rows of Table 1; "14 AP mined areas" against 13 in Table 2
    assert [(f["observed"], f["expected"]) for f in by_rule["claim-mined-areas"]] == [(33, 32)]
    assert [(f["observed"], f["expected"]) for f in by_rule["claim-ap-mined-areas"]] == [(14, 13)]
    # counts against areas: Khojavend 0 SHAs with 50,000 m2, Aghjabedi 1 SHA with 0 m2
    assert {f["locations"][0]["key"]["region"] for f in by_rule["sha-area-without-count"]} == {"Khojavend"}
    assert {f["locations"][0]["key"]["region"] for f in by_rule["sha-count-without-area"]} == {"Aghjabedi"}
    # Table 3: area cleared in Aghdam and Aghjabedi from 0 areas cleared
    assert {f["locations"][0]["key"]["region"] for f in by_rule["cleared-area-without-areas"]} == {"Aghdam",
                                                                                                  "Aghjabedi"}
    # Jabrayil: 98,887 m2 cleared with no mine found, and the same figure still recorded as CHA
    assert [f["locations"][0]["key"]["region"] for f in by_rule["cleared-nothing-found"]] == ["Jabrayil"]
    assert [f["locations"][0]["key"]["region"] for f in by_rule["cleared-area-still-recorded"]] == ["Jabrayil"]
    # year on year: the fall of 2015, the jump of 2017, the fall of 2018
    assert sorted(f["message"].rsplit("(", 1)[1] for f in by_rule["clearance-year-on-year"]) == sorted(
        ["-69%)", "+382%)", "-91%)"])
    # stock and flow: 69.9 km2 in 2015 to 1.65 km2 at end 2018
    [sf] = by_rule["ap-estimate-stock-and-flow"]
    assert sf["unit"] == "km2" and sf["observed"] == pytest.approx(1.645486)
    assert len(found) == 10


def test_azerbaijan_flags_nothing_that_holds_within_printed_precision(azerbaijan):
    rules = {r["id"]: r for r in azerbaijan["rules"]}
    # 0.35 km2 (Table 4, 2018) agrees with 353,258 m2 (Table 3)
    assert rules["summary-matches-year-table"]["passed"] == 1 and rules["summary-matches-year-table"]["failed"] == 0
    # "7.69km2" in 2017 agrees with 4.00 km2 plus the footnote's 3.7 km2
    assert rules["claim-area-cleared-with-mine-free"]["passed"] == 1
    # "4.1km2" and "more than 1.6km2" agree with the tables; 11.47 km2 over five years too
    assert rules["claim-mined-area"]["passed"] == 1 and rules["claim-ap-mined-area"]["passed"] >= 1
    assert rules["claim-area-cleared"]["failed"] == 0
    # the AP row of Table 1 equals Table 2
    assert rules["ap-row-matches-region-table"]["failed"] == 0 and rules["ap-row-matches-region-table"]["passed"] == 4


FIGURE_DATASETS = sorted(p.name for p in expand_paths([str(ROOT / "datasets" / "figures")]))


def test_the_figure_layout_datasets_are_bundled():
    assert {"azerbaijan-2019", "liechtenstein-2017"} <= set(FIGURE_DATASETS)


@pytest.mark.parametrize("name", FIGURE_DATASETS)
def test_figure_layout_reports_are_up_to_date(name):
    js = audit_cli("check", f"datasets/figures/{name}", "--format", "json")
    assert js.returncode in (0, 1), js.stderr
    check_golden(REPORTS / "figures" / f"{name}.json", stable_json(js.stdout))
    tx = audit_cli("check", f"datasets/figures/{name}")
    assert tx.returncode == js.returncode
    check_golden(REPORTS / "figures" / f"{name}.txt", stable_text(tx.stdout))
