"""The declared schema of each input file kind (audit/schemas.py): every bundled file follows its
declaration, a wrong type or an unknown key anywhere is one problem at its file:line:col with what
was expected (and the closest key), `x-` keys are extensions, and `audit schema` documents each
kind, in words and as JSON Schema an editor can use."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from audit import schemas
from audit.errors import AuditInputError
from audit.figures.load import is_figure_layout
from audit.yamlio import load_yaml

from .conftest import ROOT
from .test_hostile_values import audit_in

PACK_FILES = {"pack.yaml": "pack", "contracts.yaml": "contracts", "measures.yaml": "measures",
              "vocabulary.yaml": "vocabulary", "migrate.yaml": "migrate", "reference.yaml": "reference"}


def bundled_files() -> list[tuple[str, Path]]:
    """Every YAML input of the repository, with its file kind."""
    out = []
    for path in sorted((ROOT / "rules").glob("*/*.yaml")):
        out.append((PACK_FILES.get(path.name, "rules"), path))
    for descriptor in sorted([*(ROOT / "datasets").rglob("datapackage.yaml"),
                              *(ROOT / "tests" / "cases").rglob("datapackage.yaml")]):
        figures = is_figure_layout(load_yaml(descriptor))
        out.append(("figure-descriptor" if figures else "descriptor", descriptor))
        claims = descriptor.parent / "claims.yaml"
        if claims.is_file():
            out.append(("figure-claims" if figures else "claims", claims))
    return out


def test_every_bundled_file_follows_the_declaration_of_its_kind():
    files = bundled_files()
    assert {kind for kind, _ in files} >= set(schemas.KINDS) - {"baseline", "config"}
    wrong = [f"{p}: {problem.render()}" for kind, path in files
             for problem in [*schemas.problems_of(kind, load_yaml(path), str(path))] for p in [path.name]]
    assert not wrong, "\n".join(wrong[:20])


def test_every_declaration_is_valid_json_schema_and_validates_what_the_loader_reads():
    for kind in schemas.KINDS:
        doc = schemas.json_schema(kind)
        jsonschema.Draft202012Validator.check_schema(doc)
        text = json.dumps(doc)
        assert '"date"]' not in text and '"type": "date"' not in text  # our type is text of the format date
    doc = json.loads(json.dumps(schemas.json_schema("figure-descriptor")))
    data = json.loads(json.dumps(load_yaml(ROOT / "datasets" / "figures" / "azerbaijan-2019" / "datapackage.yaml"),
                                 default=str))
    jsonschema.validate(data, doc)


def test_the_json_schema_of_rule_files_knows_each_kind_s_parameters():
    """An editor given `audit schema rules --json` completes and checks each kind's parameters."""
    validator = jsonschema.Draft202012Validator(schemas.json_schema("rules"))
    for kind, path in bundled_files():
        if kind == "rules":
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert not [e.message for e in validator.iter_errors(doc)], path
    bad = {"rules": [{"id": "x", "kind": "totals", "title": "t", "message": "m", "colour": "red"}]}
    assert [e.validator for e in validator.iter_errors(bad)] == ["additionalProperties"]


def copy_dataset(tmp_path: Path, which: str = "azerbaijan-2019", figures: bool = False) -> Path:
    src = ROOT / "datasets" / ("figures" if figures else "") / which
    shutil.copytree(src, tmp_path / "ds")
    return tmp_path / "ds"


def check(work: Path, *extra: str) -> tuple[int, str]:
    code, _out, err = audit_in(work, ["check", "ds", *extra])
    return code, err


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.mark.parametrize("figures", [False, True], ids=["tables", "figures"])
def test_a_misspelt_top_level_key_is_an_error_with_the_key_it_was_meant_to_be(tmp_path, figures):
    """The issue's silent case: `claim:` for `claims:` dropped every claim without a word."""
    ds = copy_dataset(tmp_path, figures=figures)
    path = ds / "datapackage.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nclaims:", "\nclaim:"), encoding="utf-8")
    code, err = check(tmp_path)
    assert code == 2
    assert f"ds/datapackage.yaml:{line_of(path, 'claim:')}:1: claim: unknown key 'claim'" in err
    assert "did you mean 'claims'" in err and "Traceback" not in err


@pytest.mark.parametrize("kind, file, old, new, message", [
    ("descriptor", "ds/datapackage.yaml", "dimensions: {year: 2018}", "dimensions: [2018]",
     "contamination_by_type.dimensions: expected a mapping, found a list"),
    ("claims", "ds/claims.yaml", "measure: mined_areas", "measure: [mined_areas]", "expected text, found a list"),
    ("contracts", "pack/contracts.yaml", "min: 0", "min: zero", "expected a number, found text"),
    ("measures", "pack/measures.yaml", "dimension: count", "dimension: {a: 1}", "expected text, found a mapping"),
    ("rules", "pack/totals.yaml", "severity: error", "severity: [error]", "expected text, found a list"),
    ("pack", "pack/pack.yaml", "title:", "title: [1]\nx-old-title:", "expected text or a number, found a list"),
])
def test_a_value_of_the_wrong_type_is_refused_at_its_line_in_every_table_layout_file(tmp_path, kind, file, old, new,
                                                                                       message):
    copy_dataset(tmp_path)
    shutil.copytree(ROOT / "rules" / "mine-action", tmp_path / "pack")
    path = tmp_path / file
    text = path.read_text(encoding="utf-8")
    assert old in text, (kind, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = line_of(path, new.splitlines()[0])
    code, err = check(tmp_path, "--rules", "pack")
    assert code == 2, err
    assert f"{file}:{line}:" in err and message in err, err
    assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("file, old, new, message", [
    ("ds/datapackage.yaml", "published: 2019", "published: [2019]", "edition.published"),
    ("ds/claims.yaml", "  locator: may cover", "  locator: {a: 1}\n  x-old-locator: may cover",
     "expected text or a number, found a mapping"),
    ("pack/vocabulary.yaml", "additive: false", "additive: maybe", "expected true or false, found text"),
    ("pack/reference.yaml", "unit: km2", "unit: 2", "expected text, found a number"),
    ("pack/migrate.yaml", "dimension: place}", "dimension: [place]}", "expected text, found a list"),
])
def test_a_value_of_the_wrong_type_is_refused_at_its_line_in_every_figure_layout_file(tmp_path, file, old, new,
                                                                                        message):
    copy_dataset(tmp_path, figures=True)
    shutil.copytree(ROOT / "rules" / "mine-action-figures", tmp_path / "pack")
    path = tmp_path / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = line_of(path, new.splitlines()[0])
    argv = ["check", "ds", "--rules", "pack"]
    if file.endswith("migrate.yaml"):
        argv = ["migrate", str(ROOT / "datasets" / "azerbaijan-2019"), "--to", "pack", "--out", "out"]
    code, _out, err = audit_in(tmp_path, argv)
    assert code == 2, err
    assert f"{file}:{line}:" in err and message in err, err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_extension_keys_are_kept_and_not_read_anywhere(tmp_path):
    ds = copy_dataset(tmp_path, figures=True)
    path = ds / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nresources:", "\nx-reviewed-by: a monitor\nresources:", 1)
    text = text.replace("    path: ", "    x-checked: {on: 2026-12-01, by: [a, b]}\n    path: ", 1)
    path.write_text(text, encoding="utf-8")
    before, _o, _e = audit_in(ROOT, ["check", "datasets/figures/azerbaijan-2019"])
    code, err = check(tmp_path)
    assert code == before == 1 and err == ""


def test_a_comma_in_a_flow_mapping_is_named_as_the_likely_cause(tmp_path):
    copy_dataset(tmp_path)
    shutil.copytree(ROOT / "rules" / "mine-action", tmp_path / "pack")
    path = tmp_path / "pack" / "measures.yaml"
    text = path.read_text(encoding="utf-8")
    old = 'description: "number of mined areas (CHAs and SHAs), all device types"'
    assert old in text
    path.write_text(text.replace(old, "description: number of mined areas (CHAs and SHAs), all device types"),
                    encoding="utf-8")
    code, err = check(tmp_path, "--rules", "pack")
    assert code == 2
    assert f"pack/measures.yaml:{line_of(path, 'all device types')}:" in err
    assert "unknown key 'all device types'" in err and "a comma ends a value" in err


def test_unknown_keys_and_the_loader_s_own_problems_are_reported_in_one_run(tmp_path):
    ds = copy_dataset(tmp_path)
    path = ds / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nclaims:", "\nclaim:").replace("type: integer, unit: m2, title: CHA area", "type: numbr, unit: m2, title: CHA area", 1)
    path.write_text(text, encoding="utf-8")
    code, err = check(tmp_path)
    assert code == 2 and "unknown key 'claim'" in err and "unknown type 'numbr'" in err


def test_a_unit_the_pack_does_not_declare_is_refused_at_its_line_with_the_pack_s_units(tmp_path):
    ds = copy_dataset(tmp_path)
    path = ds / "datapackage.yaml"
    text = path.read_text(encoding="utf-8").replace("unit: m2, title: CHA area", "unit: kmm2, title: CHA area", 1)
    path.write_text(text, encoding="utf-8")
    code, err = check(tmp_path)
    line = line_of(path, "unit: kmm2")
    assert code == 2 and f"datapackage.yaml:{line}:" in err and "unknown unit 'kmm2'" in err, err
    assert "did you mean 'km2'?" in err and "units of profile mine-action-country-chapter: count, ha, km2, m2" in err


def test_every_problem_of_a_file_is_reported_at_once_in_the_order_of_the_file():
    data = load_yaml(ROOT / "rules" / "mine-action" / "contracts.yaml")
    data["tables"]["contamination_by_type"]["title"] = [1]
    data["tables"]["contamination_by_type"]["colour"] = "red"
    found = schemas.problems_of("contracts", data, "contracts.yaml")
    assert [p.message for p in found] == ["unknown key 'colour'", "expected text or a number, found a list"] or \
        [p.message for p in found] == ["expected text or a number, found a list", "unknown key 'colour'"]
    assert all(p.file == "contracts.yaml" and p.line for p in found)
    with pytest.raises(AuditInputError):
        schemas.require("contracts", data, "contracts.yaml")


def test_non_finite_and_huge_numbers_are_not_numbers():
    for value in (float("inf"), float("nan"), float("-inf")):
        [p] = schemas.problems_of("baseline", {"entries": [{"observed": value}]}, "b.yaml")
        assert p.field == "entries[0].observed" and "not a finite number" in p.message


def test_audit_schema_lists_and_documents_every_kind():
    code, out, err = audit_in(ROOT, ["schema"])
    assert code == 0 and all(kind in out for kind in schemas.KINDS)
    code, out, err = audit_in(ROOT, ["schema", "figure-descriptor"])
    assert code == 0 and "resources: a list" in out and "byRow: a mapping" in out and "x-" in out
    code, out, err = audit_in(ROOT, ["schema", "claims", "--json"])
    jsonschema.Draft202012Validator.check_schema(json.loads(out))
    code, out, err = audit_in(ROOT, ["schema", "descriptr"])
    assert code == 2 and "did you mean 'descriptor'" in err


@pytest.mark.parametrize("figures", [False, True], ids=["tables", "figures"])
def test_a_descriptor_without_a_profile_is_named_where_the_profile_belongs(tmp_path, figures):
    ds = copy_dataset(tmp_path, figures=figures)
    path = ds / "datapackage.yaml"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.startswith("auditProfile:")), encoding="utf-8")
    code, err = check(tmp_path)
    assert code == 2 and err.startswith("audit: ds/datapackage.yaml:1: the dataset names no profile"), err
    path.write_text("auditProfile: no-such-profile\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    code, err = check(tmp_path)
    assert code == 2 and err.startswith("audit: ds/datapackage.yaml:1: no rule pack for profile 'no-such-profile'")


def test_a_json_descriptor_is_placed_at_its_line_and_column_too(tmp_path):
    ds = copy_dataset(tmp_path)
    doc = yaml.safe_load((ds / "datapackage.yaml").read_text(encoding="utf-8"))
    doc["resources"][1]["titel"] = "x"
    (ds / "datapackage.yaml").unlink()
    (ds / "datapackage.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    code, err = check(tmp_path)
    line = line_of(ds / "datapackage.json", '"titel"')
    assert code == 2 and f"ds/datapackage.json:{line}:7: contamination_by_region.titel: unknown key 'titel'" in err, err
