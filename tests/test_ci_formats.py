"""The CI formats (JUnit XML, SARIF, GitHub workflow commands, Markdown) on the bundled datasets:
valid against the consumers' own schemas, and saying what the run says."""
from __future__ import annotations

import copy
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from audit import __version__
from audit.cli import expand_paths
from audit.findings import Finding, Location, RuleResult, Run
from audit.reporters import REPORTERS
from audit.runner import audit_dataset

from .conftest import ROOT, audit_cli
from .schemas import junit_xsd, sarif_schema

AZ = "datasets/azerbaijan-2019"
TABLE1 = f"{AZ}/table1-mined-area-by-type.csv"
ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+,title=[^:]+::.+")


def render(fmt: str, runs: list[Run], fail_on: str = "error") -> str:
    out = io.StringIO()
    REPORTERS[fmt](runs, out, fail_on=fail_on)
    return out.getvalue()


@pytest.fixture(scope="module")
def az() -> Run:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        return audit_dataset(AZ)


@pytest.fixture(scope="module")
def all_runs() -> list[Run]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        paths = expand_paths(["datasets"])
        assert len(paths) >= 4
        return [audit_dataset(p) for p in paths]


@pytest.fixture(scope="module")
def junit_schema():
    import xmlschema

    return xmlschema.XMLSchema(str(junit_xsd()))


@pytest.fixture(scope="module")
def sarif_validator():
    from jsonschema.validators import validator_for

    schema = sarif_schema()
    cls = validator_for(schema, default=None)
    assert cls is not None, f"no validator for the SARIF schema's $schema {schema.get('$schema')!r}"
    cls.check_schema(schema)
    return cls(schema)


def accepted_copy(run: Run, rule: str = "printed-totals") -> tuple[Run, Finding]:
    run = copy.deepcopy(run)
    [f] = [f for f in run.findings if f.rule == rule]
    f.baseline = "accepted"
    f.baseline_reason = "known"
    return run, f


def odd_run(message: str, rule: str = "odd-rule", file: str = f"{AZ}/table1-mined-area-by-type.csv",
            row: int | None = 4, severity: str = "error") -> Run:
    """A run with one rule and one finding whose text exercises the escaping of every format."""
    loc = Location(file=file, row=row, table="contamination_by_type", column="cha_count",
                   key={"label": "Totals"}, value="17", role="total", label="Table 1, row Totals, CHAs")
    f = Finding(rule=rule, severity=severity, message=message, locations=[loc], dataset="odd").seal()
    result = RuleResult(rule=rule, title="An odd rule", kind="row_check", severity=severity, status="failed",
                        items=1, failed=1, findings=[f], seconds=0.01)
    return Run(dataset="odd", path="datasets/odd", profile="mine-action-country-chapter",
               pack="rules/mine-action", rules=[result], seconds=0.02)


def test_formats_are_registered():
    assert {"junit", "sarif", "github", "markdown"} <= set(REPORTERS)


# --- JUnit XML ------------------------------------------------------------------------------------

def failing_rules(run: Run, fail_on: str) -> set[str]:
    return {f.rule for f in run.failing(fail_on)}


def check_junit_counts(root: ET.Element) -> None:
    """Every count attribute agrees with the elements it counts."""
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counted = {"tests": len(cases),
                   "failures": sum(1 for c in cases if c.find("failure") is not None),
                   "errors": sum(1 for c in cases if c.find("error") is not None),
                   "skipped": sum(1 for c in cases if c.find("skipped") is not None)}
        for key, n in counted.items():
            assert int(suite.get(key)) == n, (suite.get("name"), key)
        for case in cases:
            assert len(case.findall("failure")) <= 1
            outcome = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
            assert len(outcome) <= 1, (case.get("name"), outcome)
        assert float(suite.get("time")) + 0.01 * len(cases) >= sum(float(c.get("time")) for c in cases)
        for key in totals:
            totals[key] += counted[key]
    for key, n in totals.items():
        assert int(root.get(key)) == n


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_junit_is_valid_and_fails_the_rules_that_fail_the_run(az, junit_schema, fail_on):
    text = render("junit", [az], fail_on)
    junit_schema.validate(text)
    root = ET.fromstring(text)
    check_junit_counts(root)
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "azerbaijan-2019"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == [r.rule for r in az.rules]
    assert all(c.get("classname") == "azerbaijan-2019" for c in cases.values())
    failed = {name for name, c in cases.items() if c.find("failure") is not None}
    assert failed == failing_rules(az, fail_on)
    assert int(suite.get("failures")) == len(failing_rules(az, fail_on))
    skipped = {name for name, c in cases.items() if c.find("skipped") is not None}
    assert skipped == {r.rule for r in az.rules if r.status == "not_applicable"}
    assert suite.get("errors") == "0"
    # Findings that do not fail the run are still reported, in system-out.
    for r in az.rules:
        if r.findings and r.rule not in failed:
            out = cases[r.rule].find("system-out")
            assert out is not None and all(f.message in out.text for f in r.findings)


def test_junit_failure_lists_each_finding_with_its_places(az):
    root = ET.fromstring(render("junit", [az]))
    assert root.find("testsuite").get("failures") == "7"
    case = root.find(".//testcase[@name='printed-totals']")
    failure = case.find("failure")
    assert failure.get("message") == ("Table 1 (contamination_by_type): the printed total of CHAs is 17, but its "
                                      f"2 rows add up to 16 ({TABLE1}:4)")
    assert failure.get("type") == "error"
    assert "the printed total of CHAs is 17, but its 2 rows add up to 16" in failure.text
    assert f"{TABLE1}:4 cha_count = 17" in failure.text
    assert f"{TABLE1}:2 cha_count = 6" in failure.text
    two = root.find(".//testcase[@name='cleared-area-without-areas']/failure")
    assert two.get("message").startswith("2 findings: Aghdam") and " | Aghjabedi" in two.get("message")
    assert "Aghdam" in two.text and "Aghjabedi" in two.text
    # With fail_on=error the warnings pass, listed in system-out.
    warn = root.find(".//testcase[@name='clearance-year-on-year']")
    assert warn.find("failure") is None and "-69%" in warn.find("system-out").text


def test_junit_all_datasets(all_runs, junit_schema):
    text = render("junit", all_runs)
    junit_schema.validate(text)
    root = ET.fromstring(text)
    check_junit_counts(root)
    assert [s.get("name") for s in root.findall("testsuite")] == [r.dataset for r in all_runs]
    assert int(root.get("failures")) == sum(len(failing_rules(r, "error")) for r in all_runs)


def test_junit_accepted_finding_does_not_fail(az, junit_schema):
    run, f = accepted_copy(az)
    text = render("junit", [run])
    junit_schema.validate(text)
    root = ET.fromstring(text)
    check_junit_counts(root)
    case = root.find(".//testcase[@name='printed-totals']")
    assert case.find("failure") is None
    out = case.find("system-out").text
    assert f.message in out and "accepted" in out and "known" in out
    assert int(root.get("failures")) == len(failing_rules(az, "error")) - 1


def test_junit_broken_rule_is_an_error_and_text_is_escaped(az, junit_schema):
    run = copy.deepcopy(az)
    broken = next(r for r in run.rules if r.rule == "low-mine-density")
    broken.status, broken.reason = "broken", 'Binder Error: column "x" <not> found & \x01 gone'
    odd = odd_run('a <b> & "c" \x00 ]]> end')
    text = render("junit", [run, odd])
    junit_schema.validate(text)
    root = ET.fromstring(text)
    check_junit_counts(root)
    error = root.find(".//testcase[@name='low-mine-density']/error")
    assert error.get("message").startswith('Binder Error: column "x" <not> found & \\x01')
    assert root.find(".//testsuite[@name='azerbaijan-2019']").get("errors") == "1"
    failure = root.find(".//testsuite[@name='odd']/testcase/failure")
    assert 'a <b> & "c" \\x00 ]]> end' in failure.text


def test_junit_baseline_entries(az, junit_schema):
    run = copy.deepcopy(az)
    run.expired = [{"fingerprint": "ffff0000ffff0000", "rule": "printed-totals", "dataset": run.dataset,
                    "reason": "until the 2020 edition", "expires": "2020-01-01"}]
    run.stale = [{"fingerprint": "eeee0000eeee0000", "rule": "claim-mined-area", "dataset": run.dataset,
                  "reason": "fixed"}]
    text = render("junit", [run])
    junit_schema.validate(text)
    root = ET.fromstring(text)
    check_junit_counts(root)
    case = root.find(".//testcase[@name='(baseline)']")
    assert "ffff0000ffff0000" in case.find("failure").text
    assert "eeee0000eeee0000" in case.find("system-out").text
    never = ET.fromstring(render("junit", [run], fail_on="never"))
    assert never.get("failures") == "0"


# --- SARIF ----------------------------------------------------------------------------------------

def test_sarif_schema_is_the_one_it_declares(sarif_validator):
    schema = sarif_validator.schema
    assert "2.1.0" in schema.get("title", "") and schema["properties"]["version"]["enum"] == ["2.1.0"]


def check_sarif(runs: list[Run], validator) -> dict:
    doc = json.loads(render("sarif", runs))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    assert doc["version"] == "2.1.0"
    [sarif_run] = doc["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "audit" and driver["version"] == __version__
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(dict.fromkeys(r.rule for run in runs for r in run.rules))
    findings = [f for run in runs for f in run.findings]
    results = sarif_run["results"]
    assert len(results) == len(findings)
    level = {"error": "error", "warning": "warning", "info": "note"}
    for f, res in zip(findings, results):
        assert res["ruleId"] == f.rule and rules[res["ruleIndex"]]["id"] == f.rule
        assert res["level"] == level[f.severity]
        assert res["message"]["text"] == f.message
        assert res["partialFingerprints"] == {"auditFinding/v1": f.fingerprint}
        assert len(res["locations"]) == len(f.locations)
        first = res["locations"][0]["physicalLocation"]
        assert first["artifactLocation"]["uri"] == f.locations[0].file
        assert first["region"]["startLine"] == f.locations[0].row
        for loc in res["locations"]:
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert "\\" not in uri and not uri.startswith("/") and ":" not in uri
    return doc


def test_sarif_azerbaijan(az, sarif_validator):
    doc = check_sarif([az], sarif_validator)
    sarif_run = doc["runs"][0]
    rules = {r["id"]: r for r in sarif_run["tool"]["driver"]["rules"]}
    totals = rules["printed-totals"]
    assert totals["shortDescription"]["text"] == "Printed totals equal the sum of their rows"
    assert totals["defaultConfiguration"]["level"] == "error"
    assert rules["clearance-year-on-year"]["defaultConfiguration"]["level"] == "warning"
    [res] = [r for r in sarif_run["results"] if r["ruleId"] == "printed-totals"]
    assert res["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": TABLE1}, "region": {"startLine": 4}}
    assert "suppressions" not in res
    assert sarif_run["invocations"][0]["executionSuccessful"] is True


def test_sarif_all_datasets(all_runs, sarif_validator):
    check_sarif(all_runs, sarif_validator)


def test_sarif_accepted_finding_is_suppressed(az, sarif_validator):
    run, f = accepted_copy(az)
    doc = check_sarif([run], sarif_validator)
    results = doc["runs"][0]["results"]
    [res] = [r for r in results if r["partialFingerprints"]["auditFinding/v1"] == f.fingerprint]
    assert res["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "known"}]
    assert sum("suppressions" in r for r in results) == 1


def test_sarif_location_without_row_and_broken_rule(az, sarif_validator):
    run = copy.deepcopy(az)
    broken = next(r for r in run.rules if r.rule == "low-mine-density")
    broken.status, broken.reason = "broken", "Binder Error"
    odd = odd_run("no line", file=f"{AZ}/datapackage.yaml", row=None)
    doc = json.loads(render("sarif", [run, odd]))
    assert not list(sarif_validator.iter_errors(doc))
    res = doc["runs"][0]["results"][-1]
    assert res["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": f"{AZ}/datapackage.yaml"}}
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["associatedRule"]["id"] == "low-mine-density" and "Binder Error" in note["message"]["text"]


# --- GitHub workflow commands ---------------------------------------------------------------------

def test_github_annotations_point_at_the_reported_figure(az):
    lines = render("github", [az]).splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == len(az.findings)
    for line in annotations:
        assert ANNOTATION.match(line), line
    assert lines[:len(annotations)] == annotations  # annotations first, then the summary
    assert lines[len(annotations):] == [
        "audit azerbaijan-2019: 8 errors, 5 warnings, 0 info; rules: 13 passed, 10 failed, 0 undecided, "
        "4 not applicable, 0 broken; fails (fail on error)"]
    assert (f"::error file={TABLE1},line=4,title=printed-totals::Table 1 (contamination_by_type): "
            "the printed total of CHAs is 17, but its 2 rows add up to 16") in annotations
    assert f"::error file={AZ}/claims.yaml,line=24,title=claim-mined-areas::The text says 33 mined areas" \
        in "\n".join(annotations)
    kinds = {line.split(" ", 1)[0] for line in annotations}
    assert kinds == {"::error", "::warning"}
    # The % of a message is escaped.
    assert any(line.endswith("(-69%25)") for line in annotations)


def test_github_all_datasets_one_summary_each(all_runs):
    lines = render("github", all_runs).splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == sum(len(r.findings) for r in all_runs)
    for line in annotations:
        assert ANNOTATION.match(line), line
    summaries = lines[len(annotations):]
    assert [s.split(":", 1)[0] for s in summaries] == [f"audit {r.dataset}" for r in all_runs]


def test_github_escaping():
    run = odd_run("50% of 1,000: done\r\nnext line", rule="odd:rule,x",
                  file="datasets/we,ird:name/t.csv", row=7, severity="info")
    [line, summary] = render("github", [run]).splitlines()
    assert line == ("::notice file=datasets/we%2Cird%3Aname/t.csv,line=7,title=odd%3Arule%2Cx::"
                    "50%25 of 1,000: done%0D%0Anext line")
    assert ANNOTATION.match(line)
    assert summary.startswith("audit odd: 0 errors, 0 warnings, 1 info")


def test_github_accepted_finding_is_not_annotated(az):
    run, f = accepted_copy(az)
    out = render("github", [run])
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == len(az.findings) - 1
    assert not any("title=printed-totals" in line for line in annotations)
    assert "(1 accepted by the baseline)" in out


def test_github_baseline_entries_and_broken_rules(az):
    run = copy.deepcopy(az)
    broken = next(r for r in run.rules if r.rule == "low-mine-density")
    broken.status, broken.reason = "broken", "Binder Error: no column x"
    run.expired = [{"fingerprint": "ffff0000ffff0000", "rule": "printed-totals", "dataset": run.dataset,
                    "reason": "until 2020"}]
    run.stale = [{"fingerprint": "eeee0000eeee0000", "rule": "claim-mined-area", "dataset": run.dataset,
                  "reason": "fixed"}]
    lines = render("github", [run]).splitlines()
    assert any(re.match(r"^::error file=rules/mine-action/[^,]+\.yaml,line=\d+,title=low-mine-density \(broken\)::"
                        r".*Binder Error: no column x$", line) for line in lines)
    assert any(line.startswith("::error title=expired baseline entry::") and "ffff0000ffff0000" in line
               for line in lines)
    assert any(line.startswith("::notice title=stale baseline entry::") and "eeee0000eeee0000" in line
               for line in lines)


# --- Markdown -------------------------------------------------------------------------------------

def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, split on unescaped pipes."""
    assert row.startswith("| ") and row.endswith(" |"), row
    return [c.strip() for c in re.split(r"(?<!\\)\|", row[1:-1])]


def findings_table(md: str, dataset: str) -> list[list[str]]:
    section = md.split(f"## {dataset}", 1)[1].split("\n## ", 1)[0]
    table = section.split("| severity | rule | message | where |\n|---|---|---|---|\n", 1)[1].split("\n\n", 1)[0]
    return [cells(row) for row in table.splitlines()]


def test_markdown_azerbaijan(az):
    md = render("markdown", [az])
    assert "## azerbaijan-2019: Clearing the Mines 2019: Azerbaijan" in md
    assert "| 8 | 5 | 0 | 0 | 13 | 10 | 0 | 4 | 0 |" in md
    rows = findings_table(md, "azerbaijan-2019")
    assert len(rows) == len(az.findings)
    assert all(len(r) == 4 for r in rows)
    [totals] = [r for r in rows if r[1] == "printed-totals"]
    assert totals[0].endswith("error") and totals[3] == f"{TABLE1}:4"
    assert "the printed total of CHAs is 17" in totals[2]
    assert "Stale" not in md and "Expired" not in md


def test_markdown_all_datasets(all_runs):
    md = render("markdown", all_runs)
    for run in all_runs:
        assert re.search(rf"^## {re.escape(run.dataset)}\b", md, re.M)
        if run.findings:
            assert len(findings_table(md, run.dataset)) == len(run.findings)


def test_markdown_escapes_cells():
    run = odd_run("a | b\nc <script> *not bold*")
    md = render("markdown", [run])
    [row] = findings_table(md, "odd")
    assert len(row) == 4
    assert row[2] == r"a \| b<br>c &lt;script&gt; \*not bold\*"


def test_markdown_accepted_stale_expired(az):
    run, f = accepted_copy(az)
    run.expired = [{"fingerprint": "ffff0000ffff0000", "rule": "printed-totals", "dataset": run.dataset,
                    "reason": "until 2020 | then fix", "expires": "2020-01-01"}]
    run.stale = [{"fingerprint": "eeee0000eeee0000", "rule": "claim-mined-area", "dataset": run.dataset,
                  "reason": "fixed"}]
    md = render("markdown", [run])
    [totals] = [r for r in findings_table(md, "azerbaijan-2019") if r[1] == "printed-totals"]
    assert "accepted" in totals[0] and "known" in totals[2]
    expired = md.split("### Expired baseline entries", 1)[1].split("###", 1)[0]
    assert "ffff0000ffff0000" in expired and r"until 2020 \| then fix" in expired and "2020-01-01" in expired
    stale = md.split("### Stale baseline entries", 1)[1]
    assert "eeee0000eeee0000" in stale and "claim-mined-area" in stale


# --- through the CLI ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["junit", "sarif", "github", "markdown"])
def test_cli_formats(fmt):
    out = audit_cli("check", AZ, "--format", fmt)
    assert out.returncode == 1, out.stderr
    assert out.stdout.strip()
