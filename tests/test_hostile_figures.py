"""Property: whatever values a pull request puts in a dataset of the figure layout (any key of a
claim, of the descriptor, of a resource, of a field, or a table's cell), the audit exits 0, 1 or 2
without a traceback, an input refused at exit 2 is named with its file, and no file but the named
output is written. The dataset is a copy of datasets/figures/azerbaijan-2019, audited in-process
through the command line's `main` in every output format.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT
from .test_hostile_values import FORMATS, audit_in, snapshot, values

DATASET = ROOT / "datasets" / "figures" / "azerbaijan-2019"
PACK = ROOT / "rules" / "mine-action-figures"
CLAIM_KEYS = ["id", "measure", "value", "low", "high", "unit", "qualifier", "rounding", "period", "at", "quote",
              "locator", "change", "share", "ratio", "members", "direction", "unknown_key"]
DATASET_KEYS = ["name", "title", "edition", "at", "aliases", "claims", "auditProfile", "country"]
RESOURCE_KEYS = ["name", "path", "title", "at", "totals", "rows", "footnotes", "provenance", "dialect", "incomplete"]
FIELD_KEYS = ["name", "type", "unit", "measure", "dimension", "parent", "at", "groupChar", "decimalChar"]


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, doc) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def put(folder: Path, target: str, index: int, key: str, value) -> None:
    if target == "claim":
        doc = _load(folder / "claims.yaml")
        doc["claims"][index % len(doc["claims"])][key] = value
        _dump(folder / "claims.yaml", doc)
        return
    if target == "cell":  # a table cell: the value as text, written with the csv module
        tables = sorted(folder.glob("*.csv"))
        path = tables[index % len(tables)]
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        row = rows[1 + index % (len(rows) - 1)]
        row[index % len(row)] = str(value)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        return
    doc = _load(folder / "datapackage.yaml")
    res = doc["resources"][index % len(doc["resources"])]
    if target == "dataset":
        doc[key] = value
    elif target == "resource":
        res[key] = value
    else:
        fields = res["schema"]["fields"]
        fields[index % len(fields)][key] = value
    _dump(folder / "datapackage.yaml", doc)


@given(target=st.sampled_from(["claim", "dataset", "resource", "field", "cell"]), index=st.integers(0, 40),
       claim_key=st.sampled_from(CLAIM_KEYS), dataset_key=st.sampled_from(DATASET_KEYS),
       resource_key=st.sampled_from(RESOURCE_KEYS), field_key=st.sampled_from(FIELD_KEYS),
       value=values, fmt=st.sampled_from(FORMATS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
def test_hostile_values_in_the_figure_layout(tmp_path_factory, target, index, claim_key, dataset_key,
                                             resource_key, field_key, value, fmt):
    work = tmp_path_factory.mktemp("hostile-figures")
    shutil.copytree(DATASET, work / "ds")
    key = {"claim": claim_key, "dataset": dataset_key, "resource": resource_key, "field": field_key}.get(target, "")
    put(work / "ds", target, index, key, value)
    before = snapshot(work)
    code, stdout, stderr = audit_in(work, ["check", "ds", "--rules", str(PACK), "--format", fmt,
                                           "--output", "report.out"])
    assert code in (0, 1, 2), (code, stderr)
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    after = snapshot(work)
    assert set(after) - set(before) <= {"report.out"}
    assert {k: v for k, v in after.items() if k in before} == before
    if code == 2:
        assert (stderr.startswith("audit: ") and "ds" in stderr) or "broken" in stdout + stderr, stderr


def _param_keys() -> list[str]:
    import dataclasses

    from audit.figures.kinds import KINDS

    keys = {"id", "title", "kind", "severity", "message", "hint", "rationale", "unknown_key"}
    for kind in KINDS.values():
        keys |= {f.name.rstrip("_") for f in dataclasses.fields(kind.Params)}
    return sorted(keys)


RULE_KEYS = _param_keys()
VOCABULARY_PLACES = ["quantity", "measure", "dimension", "top"]
QUANTITY_KEYS = ["units", "aliases", "exact", "number", "additive", "description"]
MEASURE_KEYS = ["quantity", "type", "description", "synonyms"]
DIMENSION_KEYS = ["all", "parts", "aliases", "required", "description", "synonyms"]


def put_in_pack(pack: Path, target: str, index: int, key: str, value) -> None:
    if target == "rule":
        doc = _load(pack / "rules.yaml")
        rules = doc["rules"]
        rules[index % len(rules)][key] = value
        _dump(pack / "rules.yaml", doc)
        return
    doc = _load(pack / "vocabulary.yaml")
    if target == "top":
        doc[key] = value
    else:
        section = {"quantity": "quantities", "measure": "measures", "dimension": "dimensions"}[target]
        names = sorted(doc[section])
        entry = doc[section][names[index % len(names)]]
        if isinstance(entry, dict):
            entry[key] = value
        else:
            doc[section][names[index % len(names)]] = value
    _dump(pack / "vocabulary.yaml", doc)


@given(target=st.sampled_from(["rule", "rule", *VOCABULARY_PLACES]), index=st.integers(0, 40),
       rule_key=st.sampled_from(RULE_KEYS), quantity_key=st.sampled_from(QUANTITY_KEYS),
       measure_key=st.sampled_from(MEASURE_KEYS), dimension_key=st.sampled_from(DIMENSION_KEYS),
       top_key=st.sampled_from(["quantities", "measures", "dimensions", "description", "unknown_key"]),
       value=values)
@settings(max_examples=int(os.environ.get("AUDIT_SWEEP", 150)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
def test_hostile_values_in_a_pack_of_figures(tmp_path_factory, target, index, rule_key, quantity_key, measure_key,
                                             dimension_key, top_key, value):
    """Any value at any parameter of any rule, or at any key of the vocabulary: exit 0, 1 or 2,
    no traceback and no internal error; a pack refused names its file."""
    work = tmp_path_factory.mktemp("hostile-pack")
    shutil.copytree(DATASET, work / "ds")
    shutil.copytree(PACK, work / "pack")
    key = {"rule": rule_key, "quantity": quantity_key, "measure": measure_key, "dimension": dimension_key,
           "top": top_key}[target]
    put_in_pack(work / "pack", target, index, key, value)
    code, stdout, stderr = audit_in(work, ["check", "ds", "--rules", "pack", "--format", "json"])
    assert code in (0, 1, 2), (code, stderr)
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    if code == 2:
        assert stderr.startswith("audit: ") and ("pack" in stderr or "ds" in stderr) or "broken" in stdout + stderr, \
            stderr
