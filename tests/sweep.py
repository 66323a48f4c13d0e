"""The sweep of issue 13: whatever a pull request does to any key of any input file, the audit
says so in one message at the file and line, or audits; it never crashes.

Every YAML input a run reads is swept: the descriptor and claims of a dataset in the table layout
and in the figure layout, every file of both rule packs (rules, measures, contracts, vocabulary,
pack.yaml, migrate.yaml, reference.yaml) and a baseline. An example picks one file, one place in
it (any key or item at any depth, found by walking the file as it is) and one change: the value
replaced by one of every YAML type (null, booleans, huge, non-finite and negative numbers, dates,
long and hostile text, nested lists and mappings), the key deleted, the key misspelt, or an
unknown key added beside it. The copy is then audited in-process through the command line's
`main`.

Every run exits 0, 1 or 2 with no traceback and no internal error, and every refusal (exit 2)
names a file with a line (`file:line`). The examples are split over the test files
`test_sweep_every_key_*.py` (each draws its own, so the workers run them side by side);
`AUDIT_SWEEP_KEYS` sets the number of examples of each (CI runs the default).
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.utils.conventions import not_set
from hypothesis import strategies as st

from .conftest import ROOT
from .test_hostile_values import audit_in, texts

# CI runs the same examples every time; a run with AUDIT_SWEEP_KEYS draws new ones
EXAMPLES = int(os.environ.get("AUDIT_SWEEP_KEYS", 1250))  # each of the four files: 5,000 in all
FIXED = "AUDIT_SWEEP_KEYS" not in os.environ
TALLY = os.environ.get("AUDIT_SWEEP_TALLY")  # a file to count outcomes in instead of asserting

# (dataset, pack) of each layout, and the files an example may change (relative to the work folder)
LAYOUTS = {
    "tables": (ROOT / "datasets" / "azerbaijan-2019", ROOT / "rules" / "mine-action"),
    "figures": (ROOT / "datasets" / "figures" / "azerbaijan-2019", ROOT / "rules" / "mine-action-figures"),
}


def _files() -> list[tuple[str, str]]:
    out = []
    for layout, (dataset, pack) in LAYOUTS.items():
        out += [(layout, f"ds/{p.name}") for p in sorted(dataset.glob("*.yaml"))]
        out += [(layout, f"pack/{p.name}") for p in sorted(pack.glob("*.yaml"))]
    out.append(("tables", "baseline.yaml"))
    return out


FILES = _files()

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([10**400, -1, 0, 2**63, 1e308]),
    st.floats(), st.dates(min_value=datetime.date(1, 1, 1)), texts,
    st.sampled_from(["", " ", "null", "yes", "1e400", "0,350", "a.b", "[", "{x}", "$x", "*", "%"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=6)
CHANGES = ["set", "set", "set", "delete", "misspell", "add"]

# a refusal names a file and a line in it (`datasets/x/claims.yaml:12`, `baseline.yaml:3:5`)
AT_LINE = re.compile(r"[\w./+-]+\.(?:ya?ml|json|csv):\d+")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One work folder per layout (the dataset as `ds`, the pack as `pack`), and a baseline of
    the table layout's findings with a reason for each."""
    root = tmp_path_factory.mktemp("sweep")
    for layout, (dataset, pack) in LAYOUTS.items():
        shutil.copytree(dataset, root / layout / "ds")
        shutil.copytree(pack, root / layout / "pack")
    work = root / "tables"
    code, _out, err = audit_in(work, ["baseline", "create", "ds", "--rules", "pack", "-o", "baseline.yaml"])
    assert code == 0, err
    doc = yaml.safe_load((work / "baseline.yaml").read_text(encoding="utf-8"))
    entries = doc["entries"] if isinstance(doc, dict) else doc
    for e in entries:
        e["reason"] = "accepted while the sweep runs"
    (work / "baseline.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return root


def places(doc, path=()) -> list[tuple]:
    """Every key and item of a document, as paths from the top (the top itself is ())."""
    out = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += places(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += places(v, path + (i,))
    return out


def change(doc, path: tuple, how: str, value, top_value):
    """The document with one change at `path`: at the top, whatever the change, the whole document
    is replaced; an item of a list has no key to misspell, so it is deleted instead."""
    if not path:
        return top_value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "set":
        parent[last] = value
    elif how == "delete" or (how == "misspell" and isinstance(parent, list)):
        del parent[last]
    elif how == "misspell":
        parent[f"{last}s" if not str(last).endswith("s") else str(last)[:-1]] = parent.pop(last)
    elif how == "add":
        if isinstance(parent, dict):
            parent["unknownKey"] = value
        else:
            parent.append(value)
    return doc


def sweep(part: int):
    """The test of one part of the sweep: with no AUDIT_SWEEP_KEYS, its examples come from a seed of
    its own (the same ones every run: a red run is a regression, not a new draw)."""
    @given(file=st.sampled_from(FILES), where=st.integers(0, 10**6), how=st.sampled_from(CHANGES), value=values,
           top=st.one_of(scalars, st.lists(scalars, max_size=2)))
    @settings(max_examples=EXAMPLES, deadline=None, database=None if FIXED else not_set,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    def test(template, tmp_path_factory, file, where, how, value, top):
        audit_one_change(template, tmp_path_factory, file, where, how, value, top)
    return seed(13_000 + part)(test) if FIXED else test


def audit_one_change(template, tmp_path_factory, file, where, how, value, top):
    layout, name = file
    work = tmp_path_factory.mktemp("key")
    for part in ("ds", "pack"):
        shutil.copytree(template / layout / part, work / part)
    if (template / layout / "baseline.yaml").exists():
        shutil.copy(template / layout / "baseline.yaml", work / "baseline.yaml")
    path = work / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    spots = places(doc)
    doc = change(doc, spots[where % len(spots)], how, value, top)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    argv = ["check", "ds", "--rules", "pack", "--format", "json", "--output", "report.json"]
    if name == "baseline.yaml":
        argv += ["--baseline", "baseline.yaml"]
    if name == "pack/migrate.yaml":  # read by `audit migrate` only: it rewrites a table-layout dataset with it
        argv = ["migrate", str(LAYOUTS["tables"][0]), "--to", "pack", "--out", "migrated"]
    code, stdout, stderr = audit_in(work, argv)
    shutil.rmtree(work)
    if TALLY:  # counting, not asserting: one outcome per line (the closing note's before and after)
        with open(TALLY, "a", encoding="utf-8") as out:
            result = outcome(code, stdout, stderr)
            detail = "" if result.startswith("exit-") else f"\t{name}\t{how}\t{stderr[:400]!r}"
            out.write(result + detail + "\n")
        return
    assert code in (0, 1, 2), (code, stderr)
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    if code == 2 and "broken" not in stdout + stderr:
        assert stderr.startswith("audit: ") and AT_LINE.search(stderr), stderr


def outcome(code, stdout: str, stderr: str) -> str:
    """What a run of the sweep came to: crash, wrong exit code, a refusal with no line, or its exit code."""
    if "Traceback" in stderr or "internal error" in stderr:
        return "crash"
    if code not in (0, 1, 2):
        return "wrong-exit-code"
    if code == 2 and "broken" in stdout + stderr:
        return "rules-broke"
    if code == 2 and not (stderr.startswith("audit: ") and AT_LINE.search(stderr)):
        return "refused-without-line"
    return f"exit-{code}"
