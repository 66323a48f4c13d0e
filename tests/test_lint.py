"""`audit lint`: a rule pack checked without data, and against a dataset's schema."""
from __future__ import annotations

import json
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.lint import lint_pack

from .conftest import CASES, ROOT, audit_cli

LINT = CASES / "lint"
FLAWED = LINT / "flawed-pack"
ROWS = (FLAWED / "rows.yaml").relative_to(ROOT)  # files are named relative to the working folder


def found(report) -> set[tuple]:
    return {(i.severity, i.code, tuple(i.rules), i.line) for i in report.issues}


def test_every_planted_flaw_is_found_at_its_rule():
    report = lint_pack(FLAWED)
    assert found(report) == {
        ("warning", "never-fails", ("area-not-negative",), 2),  # the contract already says min: 0
        ("error", "never-passes", ("negative-count",), 9),
        ("warning", "redundant", ("area-at-most-5", "area-at-most-3"), 16),
        ("error", "placeholder", ("area-at-most-3",), 28),  # {released} is a column of another table
        ("error", "contradiction", ("series-area-small", "series-released-large"), 37),
        ("warning", "never-fails", ("regions-equal-themselves",), 2),
    }
    contradiction = next(i for i in report.issues if i.code == "contradiction")
    assert contradiction.others == [f"{ROWS}:44"]
    # count-needs-area (an implication that can pass and fail) draws nothing
    assert not any("count-needs-area" in i.rules for i in report.issues)


def test_cli_text_and_json_and_exit_codes():
    out = audit_cli("lint", str(FLAWED))
    assert out.returncode == 1, out.stderr
    assert f"{ROWS}:37: error: contradiction: no values can meet these rules together" in out.stdout
    assert f"    see {ROWS}:44" in out.stdout
    assert out.stdout.rstrip().endswith("flawed-pack: 8 rules, 3 errors, 3 warnings")
    doc = json.loads(audit_cli("lint", str(FLAWED), "--format", "json").stdout)
    assert {i["code"] for i in doc["issues"]} == {"never-fails", "never-passes", "redundant", "placeholder",
                                                  "contradiction"}
    clean = audit_cli("lint", "rules/mine-action")
    assert clean.returncode == 0 and clean.stdout.strip() == "rules/mine-action: 26 rules, 0 errors, 0 warnings"


def test_load_errors_are_listed_with_their_positions():
    out = audit_cli("lint", str(LINT / "broken-pack"))
    assert out.returncode == 1
    path = (LINT / "broken-pack" / "rules.yaml").relative_to(ROOT)
    assert f"{path}:13:13: error: load: unknown column 'arae' of table 'regions'" in out.stdout
    assert "Traceback" not in out.stderr


def test_duplicate_ids_are_named(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    for name in ("pack.yaml", "contracts.yaml", "measures.yaml"):
        (pack / name).write_text((FLAWED / name).read_text())
    (pack / "rules.yaml").write_text(textwrap.dedent("""\
        rules:
          - {id: same, title: One, kind: row_check, table: regions, assert: count >= 0, message: "{region}"}
          - {id: same, title: Two, kind: row_check, table: regions, assert: area >= 0, message: "{region}"}
        """))
    report = lint_pack(pack)
    [issue] = report.issues
    assert issue.code == "load" and "rule id 'same' is also used in" in issue.message and issue.line == 3


def test_against_a_dataset():
    clean = audit_cli("lint", "rules/mine-action", "--dataset", "datasets/azerbaijan-2019")
    assert clean.returncode == 0 and "0 errors, 0 warnings" in clean.stdout
    croatia = lint_pack(ROOT / "rules" / "mine-action", ROOT / "datasets" / "croatia-2014")
    assert not croatia.errors
    gaps = {i.rules[0] for i in croatia.issues if i.code == "not-applicable"}
    assert "ap-row-matches-region-table" in gaps  # Croatia's chapter has no by-type table
    assert all("does not apply" in i.message for i in croatia.issues)


def test_aggregate_rules_that_contradict():
    report = lint_pack(CASES / "explain" / "contradiction-pack")
    [issue] = report.issues
    assert issue.code == "contradiction" and set(issue.rules) == {"area-at-most-1", "area-at-least-2"}


def test_bad_input_exits_2(tmp_path):
    out = audit_cli("lint", str(tmp_path))
    assert out.returncode == 2 and "not a rule pack" in out.stderr
    out = audit_cli("lint", "rules/mine-action", "--dataset", str(tmp_path / "nowhere"))
    assert out.returncode == 2 and "no such dataset folder" in out.stderr and "Traceback" not in out.stderr


@settings(max_examples=25, deadline=None)
@given(low=st.integers(-5, 5), high=st.integers(-5, 5), loose=st.integers(0, 3))
def test_bounds_contradict_exactly_when_they_cross(tmp_path_factory, low, high, loose):
    """x >= low and x <= high contradict iff low > high; x <= high + loose is then redundant iff they do not."""
    pack = tmp_path_factory.mktemp("pack")
    for name in ("pack.yaml", "contracts.yaml", "measures.yaml"):
        (pack / name).write_text((FLAWED / name).read_text())
    (pack / "rules.yaml").write_text(textwrap.dedent(f"""\
        rules:
          - {{id: at-least, title: a, kind: row_check, table: long, assert: value >= {low} ha, message: "{{code}}"}}
          - {{id: at-most, title: b, kind: row_check, table: long, assert: value <= {high} ha, message: "{{code}}"}}
          - {{id: looser, title: c, kind: row_check, table: long, assert: value <= {high + loose} ha, message: "{{code}}"}}
        """))
    codes = {(i.code, i.rules[0]) for i in lint_pack(pack).issues}
    if low > high:
        assert ("contradiction", "at-least") in codes
    else:
        assert not any(c == "contradiction" for c, _ in codes)
        assert ("redundant", "looser") in codes


def test_an_absolute_tolerance_widens_an_equality(tmp_path):
    """value == 1 ha within 0.5 ha allows up to 1.5 ha: at least 1.4 ha is compatible, at least 1.6 ha is not."""
    for bound, contradicts in (("1.4", False), ("1.6", True)):
        pack = tmp_path / bound
        pack.mkdir()
        for name in ("pack.yaml", "contracts.yaml", "measures.yaml"):
            (pack / name).write_text((FLAWED / name).read_text())
        (pack / "rules.yaml").write_text(textwrap.dedent(f"""\
            rules:
              - {{id: about-one, title: a, kind: row_check, table: long, assert: value == 1 ha within 0.5 ha, message: "{{code}}"}}
              - {{id: at-least, title: b, kind: row_check, table: long, assert: value >= {bound} ha, message: "{{code}}"}}
            """))
        codes = {i.code for i in lint_pack(pack).issues}
        assert ("contradiction" in codes) == contradicts, (bound, codes)
