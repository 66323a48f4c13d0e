"""The CI formats, `audit baseline create` and `audit check --baseline` on a dataset in the figure
layout (Azerbaijan 2019, `rules/mine-action-figures`), through the command line."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import yaml

from audit.cli import audit_paths
from audit.display import units_in
from audit.escape import github_message, markdown_cell

from .conftest import ROOT, audit_cli
from .schemas import junit_xsd, sarif_schema

AZ = "datasets/figures/azerbaijan-2019"
TABLE1 = f"{AZ}/table1-mined-area-by-type.csv"


@pytest.fixture(scope="module")
def run():
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        [run] = audit_paths([AZ], None)
    assert run.pack == "rules/mine-action-figures" and len(run.findings) == 14
    return run


def check(*args: str):
    out = audit_cli("check", AZ, *args)
    assert out.returncode == 1, out.stderr  # the dataset's errors fail the run
    return out.stdout


def test_sarif(run):
    from jsonschema.validators import validator_for

    doc = json.loads(check("--format", "sarif"))
    schema = sarif_schema()
    validator_for(schema)(schema).validate(doc)
    results = doc["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == [f.message for f in run.findings]
    assert {r["ruleId"] for r in results} == {f.rule for f in run.findings}
    total = next(r for r in results if r["ruleId"] == "totals-add-up")
    first = total["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == TABLE1 and first["region"]["startLine"] == 4
    assert total["level"] == "error" and total["partialFingerprints"]["auditFinding/v1"] == run.findings[0].fingerprint
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["totals-add-up"]["properties"]["source"] == "rules/mine-action-figures/rules.yaml:2"


def test_junit(run):
    import xmlschema

    text = check("--format", "junit")
    xmlschema.XMLSchema(str(junit_xsd())).validate(text)
    suite = ET.fromstring(text).find("testsuite")
    assert suite.get("name") == "azerbaijan-2019" and suite.get("tests") == str(len(run.rules))
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {r.rule for r in run.rules}
    failure = cases["totals-add-up"].find("failure")
    assert failure is not None and f"at {TABLE1}:4 cha_count = 17" in failure.text
    failed = {r.rule for r in run.rules if r.status == "failed" and r.severity == "error"}
    assert {n for n, c in cases.items() if c.find("failure") is not None} == failed
    for f in run.findings:
        if f.severity == "error":
            assert f.message in text


def test_github(run):
    lines = check("--format", "github").splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == len(run.findings)
    assert annotations[0] == (f"::error file={TABLE1},line=4,title=totals-add-up::"
                              f"{github_message(run.findings[0].message)}")
    for f in run.findings:
        level = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
        assert any(a.startswith(f"::{level} file=") and a.endswith("::" + github_message(f.message))
                   for a in annotations), f.message


def test_markdown(run):
    text = check("--format", "markdown")
    assert "pack rules/mine-action-figures" in text and "### Findings (14)" in text
    for f in run.findings:
        assert markdown_cell(units_in(f.message)) in text, f.message
    assert f"| {TABLE1}:4 |" in text


def test_baseline_create_and_check(run, tmp_path):
    path = tmp_path / "audit-baseline.yaml"
    out = audit_cli("baseline", "create", AZ, "-o", str(path))
    assert out.returncode == 0, out.stderr
    assert f"wrote {len(run.findings)} entries" in out.stderr
    doc = yaml.safe_load(path.read_text())
    assert {e["fingerprint"] for e in doc["entries"]} == {f.fingerprint for f in run.findings}
    assert f"{TABLE1}:4 cha_count" in doc["entries"][0]["where"]
    # without reasons the baseline is refused; with them every finding is accepted
    refused = audit_cli("check", AZ, "--baseline", str(path))
    assert refused.returncode == 2 and "has no reason" in refused.stderr
    for e in doc["entries"]:
        e["reason"] = "known"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    accepted = audit_cli("check", AZ, "--baseline", str(path), "--format", "json")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    findings = json.loads(accepted.stdout)["findings"]
    assert len(findings) == len(run.findings) and all(f["baseline"] == "accepted" for f in findings)
    # one entry less: that finding is new and fails the run again
    doc["entries"] = [e for e in doc["entries"] if e["rule"] != "totals-add-up"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    new = audit_cli("check", AZ, "--baseline", str(path), "--format", "github")
    assert new.returncode == 1
    assert [a for a in new.stdout.splitlines() if a.startswith("::error")] == [
        f"::error file={TABLE1},line=4,title=totals-add-up::{github_message(run.findings[0].message)}"]
