"""Frictionless both ways: every bundled descriptor passes `frictionless validate` (v5, in-process,
no network), a package written by `frictionless describe` audits once a profile is named, and a
field's `constraints` are contracts the audit checks as `frictionless validate` does."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from audit.cli import main

from .conftest import ROOT

frictionless = pytest.importorskip("frictionless")

# A spreadsheet resource that reads a cell range of its sheet (`dialect: {range: "A3:F7"}`, the
# engine's) has no equivalent in Frictionless 5, which reads a sheet from its first row: those
# descriptors are left out, and only those.
SHEET_RANGES = ROOT / "datasets" / "spreadsheets"
DESCRIPTORS = sorted(p.relative_to(ROOT) for folder in ("datasets", "tests/cases/frictionless")
                     for p in (ROOT / folder).rglob("datapackage.*") if not p.is_relative_to(SHEET_RANGES))
DESCRIBED = ROOT / "tests" / "cases" / "frictionless" / "described-serbia-2014"


@pytest.fixture
def offline(monkeypatch):
    """No socket can connect: a descriptor that made frictionless fetch a profile would fail."""
    def refuse(*args, **kwargs):
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def validate(descriptor: Path):
    """`frictionless validate` of one descriptor, from its folder (its paths are relative)."""
    cwd = os.getcwd()
    os.chdir(descriptor.parent)
    try:
        return frictionless.validate(descriptor.name)
    finally:
        os.chdir(cwd)


def errors(report) -> list[list]:
    return report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"]) + \
        [[None, None, None, e.type, e.note] for e in report.errors]


def test_there_are_descriptors_to_validate():
    assert len(DESCRIPTORS) > 90


@pytest.mark.parametrize("descriptor", DESCRIPTORS, ids=str)
def test_every_bundled_descriptor_passes_frictionless_validate(descriptor, offline):
    report = validate(ROOT / descriptor)
    assert report.valid, errors(report)


def _check(*argv: str, capsys) -> tuple[int, dict | str]:
    code = main(["check", *argv, "--format", "json", "--fail-on", "never"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code != 2 else out.err)


def test_a_described_package_audits_once_a_profile_is_named(monkeypatch, capsys, offline):
    """The descriptor is `frictionless describe --type package` of a copy of datasets/serbia-2014
    as written, plus the area's unit (Frictionless has no word for one: the only key added)."""
    monkeypatch.chdir(ROOT)
    code, err = _check(str(DESCRIBED), capsys=capsys)
    assert code == 2 and "names no profile" in err and "--profile" in err
    code, doc = _check(str(DESCRIBED), "--profile", "mine-action-country-chapter", capsys=capsys)
    assert code == 0, doc
    code, original = _check("datasets/serbia-2014", capsys=capsys)
    assert doc["dataset"]["profile"] == original["dataset"]["profile"]

    def tables_only(run: dict) -> dict:  # the described package has no claims file
        return {r["id"]: (r["status"], r["items"], r["failed"]) for r in run["rules"] if r["kind"] != "claim"}

    assert tables_only(doc) == tables_only(original)
    assert tables_only(doc)["printed-totals"][0] == "passed"  # the Total row was read as the printed total


def test_the_described_package_is_what_describe_writes(offline):
    """Every key of the committed descriptor but `unit` is what `frictionless describe` writes
    today for the same CSV (a check that the case stays a described package)."""
    import yaml

    described = frictionless.describe(str(DESCRIBED / "contamination_by_region.csv"), type="package")
    ours = yaml.safe_load((DESCRIBED / "datapackage.yaml").read_text())
    for field in ours["resources"][0]["schema"]["fields"]:
        field.pop("unit", None)
    theirs = described.to_dict()
    theirs["resources"][0]["path"] = "contamination_by_region.csv"
    assert ours == theirs


CONSTRAINTS = {  # field: constraints, over datasets/azerbaijan-2019 (both layouts)
    "type": '{enum: [AP, AV], pattern: "A[PV]", maxLength: 2}',
    "cha_count": "{maximum: 10, required: true, unique: true}",
}


def _constrained(tmp_path: Path, layout: str) -> Path:
    src = ROOT / "datasets" / ("figures/azerbaijan-2019" if layout == "figures" else "azerbaijan-2019")
    dst = tmp_path / layout
    shutil.copytree(src, dst)
    text = (dst / "datapackage.yaml").read_text()
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if "table1-mined-area-by-type.csv" in line)
    for name, cons in CONSTRAINTS.items():
        i = next(i for i in range(start, len(lines)) if f"{{name: {name}," in lines[i])
        lines[i] = lines[i][:lines[i].rindex("}")] + f", constraints: {cons}}}"
    (dst / "datapackage.yaml").write_text("\n".join(lines))
    return dst


@pytest.mark.parametrize("layout", ["tables", "figures"])
def test_constraints_find_what_frictionless_validate_finds(layout, tmp_path, monkeypatch, capsys, offline):
    folder = _constrained(tmp_path, layout)
    report = validate(folder / "datapackage.yaml")
    theirs = sorted((e[1], e[2], e[3].split('"')[1]) for e in report.flatten(["type", "rowNumber", "fieldName", "note"])
                    if e[0] == "constraint-error")
    monkeypatch.chdir(tmp_path)
    code, doc = _check(layout, capsys=capsys)
    assert code == 0, doc
    found = [f for f in doc["findings"] if f["rule"] == "field-constraints"]
    ours = sorted((f["locations"][0]["row"], f["locations"][0]["column"], re.findall(r"\((\w+)[:)]", f["message"])[-1])
                  for f in found)
    assert ours == theirs and len(ours) == 7
    assert all(f["locations"][0]["file"].endswith("table1-mined-area-by-type.csv") for f in found)
    assert any("cha_count must be at most 10 (maximum), found 17" in f["message"] for f in found)
    rule = next(r for r in doc["rules"] if r["id"] == "field-constraints")
    assert rule["status"] == "failed"


@pytest.mark.parametrize("layout", ["tables", "figures"])
@pytest.mark.parametrize("constraint, message", [
    ("{maximum: ten}", "constraints.maximum: expected a number, found text"),
    ("{minLength: 2}", "minLength applies to text"),
    ("{colour: red}", "unknown key 'colour'"),
    ("{pattern: '('}", None),
    ("[required]", "constraints: expected a mapping, found a list"),
    ("{minimum: 5, maximum: 1}", "minimum is above maximum"),
    ("{required: yes please}", "constraints.required: expected true or false, found text"),
])
def test_a_malformed_constraint_is_bad_input(layout, constraint, message, tmp_path, monkeypatch, capsys):
    folder = _constrained(tmp_path, layout)
    path = folder / "datapackage.yaml"
    text = path.read_text()
    field = "type" if "pattern" in constraint else "cha_count"
    path.write_text(text.replace(f"constraints: {CONSTRAINTS[field]}", f"constraints: {constraint}", 1))
    monkeypatch.chdir(tmp_path)
    code, err = _check(layout, capsys=capsys)
    assert code == 2
    line = next(i for i, x in enumerate(path.read_text().split("\n"), 1) if f"constraints: {constraint}" in x)
    assert re.search(rf"{layout}/datapackage.yaml:{line}(:\d+)?: contamination_by_type\.{field}\.constraints", err), err
    assert (message or "pattern is not a regular expression") in err
    assert "Traceback" not in err
