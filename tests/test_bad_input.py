"""Bad input gets one clear message naming file, line and field, exit code 2, no traceback;
and inputs are never modified."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from .conftest import ROOT, audit_cli

DATASET = ROOT / "datasets" / "azerbaijan-2019"
PACK = ROOT / "rules" / "mine-action"



def run_bad(*args: str) -> str:
    out = audit_cli("check", *args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""
    return out.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_broken_yaml_in_a_rule_file(dataset, pack):
    edit(pack / "totals.yaml", "    kind: totals\n", "    kind: [totals\n")
    err = run_bad(str(dataset), "--rules", str(pack))
    assert f"{pack / 'totals.yaml'}:" in err and "invalid YAML" in err


def test_unknown_column_in_a_rule_names_its_position(dataset, pack):
    edit(pack / "counts-and-areas.yaml", "assert: cha_count > 0 implies cha_area > 0",
         "assert: cha_count > 0 implies cha_areaa > 0")
    err = run_bad(str(dataset), "--rules", str(pack))
    lines = (pack / "counts-and-areas.yaml").read_text().splitlines()
    line_no = next(i for i, line in enumerate(lines, 1) if "cha_areaa" in line)
    col = lines[line_no - 1].index("cha_areaa") + 1
    assert f"counts-and-areas.yaml:{line_no}:{col}: assert: unknown column 'cha_areaa'" in err
    assert "^" in err  # the offending text is underlined


def test_syntax_error_in_an_expression(dataset, pack):
    edit(pack / "clearance-yield.yaml", "assert: ap_mines + av_mines > 0", "assert: ap_mines + > 0")
    err = run_bad(str(dataset), "--rules", str(pack))
    assert "clearance-yield.yaml:" in err and "unexpected '>'" in err


def test_wrong_units_in_a_rule(dataset, pack):
    edit(pack / "clearance-yield.yaml", "where: area_cleared >= 1 ha", "where: area_cleared >= ap_mines")
    err = run_bad(str(dataset), "--rules", str(pack))
    assert "cannot compare area and a plain number (or count)" in err and "clearance-yield.yaml:" in err


def test_unknown_parameter_and_kind(dataset, pack):
    edit(pack / "totals.yaml", "    kind: totals\n", "    kind: totals\n    colums: [a]\n")
    err = run_bad(str(dataset), "--rules", str(pack))
    assert "totals.yaml:" in err and "unknown parameter 'colums'" in err


@pytest.mark.parametrize("old,new,message", [
    ("    kind: totals\n", "    kind: total\n", "unknown rule kind 'total'"),
    ("    severity: error\n", "    severity: fatal\n", "unknown severity 'fatal'"),
    ("  - id: printed-totals\n", "  - id: Printed_Totals\n", "must be lower case letters"),
    ("message: \"{table}:", "message: \"{tabel}:", "the message names '{tabel}'"),
])
def test_a_bad_rule_key_is_named_at_its_line_and_column(dataset, pack, old, new, message):
    edit(pack / "totals.yaml", old, new)
    err = run_bad(str(dataset), "--rules", str(pack))
    assert message in err
    lines = (pack / "totals.yaml").read_text().splitlines()
    needle = new.strip().split(":")[0].strip("- ")
    line_no = next(i for i, line in enumerate(lines, 1) if line.strip().lstrip("- ").startswith(needle))
    assert f"totals.yaml:{line_no}:" in err


def test_malformed_csv(dataset):
    edit(dataset / "table2-ap-mined-area-by-region.csv", "Fizuli,3,815462,2,85000", "Fizuli,3,815462,2")
    edit(dataset / "table3-mine-clearance-2018.csv", "Fizuli,ANAMA,3,238396", "Fizuli,ANAMA,three,238396")
    err = run_bad(str(dataset))
    # every problem is reported, not just the first
    assert "table2-ap-mined-area-by-region.csv:3: expected 5 values, found 4" in err
    assert "table3-mine-clearance-2018.csv:2: areas_cleared: 'three' is not a number" in err


def test_unterminated_quote_in_csv(dataset):
    edit(dataset / "table4-five-year-clearance.csv", "2016,0.83", '2016,"0.83')
    err = run_bad(str(dataset))
    assert "table4-five-year-clearance.csv" in err and ("malformed CSV" in err or "not a number" in err)


def test_path_leaving_the_dataset_folder(dataset):
    edit(dataset / "datapackage.yaml", "path: table3-mine-clearance-2018.csv",
         "path: ../../../etc/passwd")
    err = run_bad(str(dataset))
    assert "datapackage.yaml:" in err and "leaves the dataset folder" in err


def test_wrong_unit_in_the_descriptor(dataset):
    edit(dataset / "datapackage.yaml", "{name: cha_area, type: integer, unit: m2, title: CHA area (m2)}",
         "{name: cha_area, type: integer, unit: count, title: CHA area (m2)}")
    err = run_bad(str(dataset))
    assert "cha_area" in err and "is area: its unit must be one of m2, ha, km2, not count" in err


def test_claim_with_unknown_measure_and_unit_of_wrong_dimension(dataset):
    edit(dataset / "claims.yaml", "measure: mined_areas\n", "measure: mined_aeras\n")
    edit(dataset / "claims.yaml", "    value: \"4.1\"\n    unit: km2", "    value: \"4.1\"\n    unit: count")
    err = run_bad(str(dataset))
    assert "claims.yaml:" in err and "'mined_aeras', which the profile does not know" in err
    assert "is in count, but 'mined_area' is area" in err


def test_broken_descriptor_yaml(dataset):
    (dataset / "datapackage.yaml").write_text("name: x\nresources:\n  - name: a\n   path: b\n")
    err = run_bad(str(dataset))
    assert "datapackage.yaml:4" in err and "invalid YAML" in err


def test_inputs_are_never_modified():
    def digest() -> dict:
        return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DATASET.rglob("*")) if p.is_file()}
    before = digest()
    audit_cli("check", str(DATASET), "--format", "json")
    assert digest() == before


def test_misspelt_descriptor_key_is_named_with_a_suggestion(dataset):
    edit(dataset / "datapackage.yaml", "    totals: {column: region, labels: [Totals]}\n    schema:",
         "    total: {column: region, labels: [Totals]}\n    schema:")
    err = run_bad(str(dataset))
    assert "contamination_by_region.total: unknown key 'total'" in err and "did you mean 'totals'" in err


def test_a_provenance_value_with_an_unquoted_comma_is_named(dataset):
    edit(dataset / "datapackage.yaml", 'provenance: {document: "Clearing the Mines 2019, Azerbaijan", table: Table 2}',
         "provenance: {document: Clearing the Mines 2019, Azerbaijan, table: Table 2}")
    err = run_bad(str(dataset))
    assert "unknown key 'Azerbaijan'" in err and "a comma ends a value" in err


def test_a_long_excerpt_is_cut_around_the_caret():
    """An error quotes at most 120 characters of the offending line, with the caret still under the
    character it points at (a 10,000-character expression is not printed whole)."""
    from audit.errors import EXCERPT_WIDTH, Problem

    line = "".join(chr(ord("a") + i % 26) for i in range(10_000))
    for caret in (0, 5, 4_321, 9_999):
        text = Problem("rules.yaml", "bad", 3, caret + 1, excerpt=line, caret=caret).render()
        excerpt, marker = text.splitlines()[1][4:], text.splitlines()[2][4:]
        assert len(excerpt) <= EXCERPT_WIDTH + 2
        assert excerpt[marker.index("^")] == line[caret]
        assert excerpt.strip("…") in line


def test_the_profile_is_named_by_audit_profile_and_frictionless_profile_is_left_to_frictionless(dataset):
    """Frictionless reserves `profile` for its package profiles: the rule pack's is `auditProfile`.
    A descriptor of the layout before it (`profile: mine-action-country-chapter`) still audits; one
    whose `profile` is Frictionless's own is read by its auditProfile; a disagreement is refused."""
    from audit.dataset import load_dataset

    path = dataset / "datapackage.yaml"
    text = path.read_text()
    assert "auditProfile: mine-action-country-chapter\n" in text
    assert load_dataset(dataset).profile == "mine-action-country-chapter"
    path.write_text(text.replace("auditProfile: mine-action-country-chapter\n",
                                 "profile: mine-action-country-chapter\n"))
    assert load_dataset(dataset).profile == "mine-action-country-chapter"
    assert audit_cli("check", str(dataset), "--fail-on", "never").returncode == 0
    path.write_text(text.replace("auditProfile: mine-action-country-chapter\n",
                                 "profile: tabular-data-package\nauditProfile: mine-action-country-chapter\n"))
    assert load_dataset(dataset).profile == "mine-action-country-chapter"
    path.write_text(text.replace("auditProfile: mine-action-country-chapter\n",
                                 "profile: other-pack\nauditProfile: mine-action-country-chapter\n"))
    err = run_bad(str(dataset))
    assert "datapackage.yaml:4: profile: profile 'other-pack' and auditProfile 'mine-action-country-chapter' " \
           "disagree" in err
    path.write_text(text.replace("auditProfile: mine-action-country-chapter\n", "profile: data-package\n"))
    err = run_bad(str(dataset))
    assert "the dataset names no profile, so no rule pack can be chosen" in err and "auditProfile" in err


def test_rules_of_a_folder_without_packs_is_an_error(tmp_path):
    """`audit rules --rules DIR` printed nothing and exited 0 when DIR held no pack."""
    out = audit_cli("rules", "--rules", str(tmp_path / "nonexistent"))
    assert out.returncode == 2 and "no rule pack here" in out.stderr and "Traceback" not in out.stderr
    assert audit_cli("rules").returncode == 0


def test_a_table_given_for_a_dataset_says_so(dataset):
    """A CSV path where a dataset folder belongs was read as a descriptor ('must be a mapping')."""
    err = run_bad(str(dataset / "table1-mined-area-by-type.csv"))
    assert "a file, not a dataset folder or descriptor" in err and "datapackage.yaml" in err
