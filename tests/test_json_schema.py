"""Every JSON run validates against the documented schema, for one dataset and for several."""
from __future__ import annotations

import json

import jsonschema

from .conftest import ROOT, audit_cli

SCHEMA = json.loads((ROOT / "audit" / "schema" / "run.schema.json").read_text())


def test_single_run_matches_schema():
    out = audit_cli("check", "datasets/azerbaijan-2019", "--format", "json")
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["findings"] and all(f["locations"] for f in doc["findings"])


def test_many_runs_match_schema():
    out = audit_cli("check", "datasets", "--format", "json")
    jsonschema.validate(json.loads(out.stdout), SCHEMA)


def test_schema_rejects_a_finding_without_locations():
    out = audit_cli("check", "datasets/azerbaijan-2019", "--format", "json")
    doc = json.loads(out.stdout)
    doc["findings"][0]["locations"] = []
    try:
        jsonschema.validate(doc, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted a finding with no location")


def test_run_with_a_baseline_matches_schema(tmp_path):
    base = tmp_path / "b.yaml"
    assert audit_cli("baseline", "create", "datasets/azerbaijan-2019", "-o", str(base)).returncode == 0
    text = base.read_text().replace("reason: ''", "reason: known")
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("- fingerprint"))
    lines[i] = "- fingerprint: 0000000000000000"  # an entry no finding matches: stale
    base.write_text("\n".join(lines) + "\n")
    out = audit_cli("check", "datasets/azerbaijan-2019", "--baseline", str(base), "--format", "json")
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["baseline"]["accepted"] == 12 and len(doc["baseline"]["stale"]) == 1
    assert out.returncode == 1  # the finding of the altered entry is no longer accepted


def test_run_with_explanations_matches_schema():
    out = audit_cli("check", "datasets/azerbaijan-2019", "--explain", "--format", "json")
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert any("explanation" in f for f in doc["findings"])
    doc["findings"][0].setdefault("explanation", {})["best"] = "not a list"
    try:
        jsonschema.validate(doc, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted a malformed explanation")
