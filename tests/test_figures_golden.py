"""Golden cases of the figure model: each case of tests/cases/figures has a valid, an invalid and
an undecided variant (a dataset folder, or a folder of editions audited together), run with the
case pack `tests/cases/figures/pack`, or with the case's own `pack/` when it has one (a rule or an
option the shared pack has not: adding a rule there would change every case's outcome). Each
variant's outcome is compared with its `expected.json` (the rules' outcomes and every finding:
rule, numbers, and the file:line of each place); set AUDIT_REGEN=1 to write them after a change
you have reviewed.

    two-periods         a table printing two years side by side, and the text
    subtotals           province > district with subtotal rows and a grand total
    editions            three editions of one report (a revision; a balance across editions)
    text-only-release   land release given only in the narrative: its parts and the stock it leaves
    stated-change|share|ratio|members   relations the text states
    one-way             co_occurrence with `one_way: true`: where things are counted, they cover a
                        surface (a zero count, or a surface, holds whatever the other is, even blank)
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from audit.cli import expand_paths
from audit.figures.pack import load_figure_pack
from audit.figures.run import audit_figures

CASES = Path(__file__).parent / "cases" / "figures"
ROOT = Path(__file__).resolve().parent.parent
VARIANTS = sorted((c.name, v) for c in CASES.iterdir() if c.is_dir() and c.name != "pack"
                  for v in ("valid", "invalid", "undecided"))


def pack_of(case: Path) -> Path:
    """The pack a case runs with: its own, or the shared one."""
    return case / "pack" if (case / "pack" / "pack.yaml").is_file() else CASES / "pack"


def outcome(folder: Path) -> dict:
    cwd = os.getcwd()
    os.chdir(ROOT)  # paths in the outcome are relative to the checkout, wherever the tests run from
    try:
        runs = audit_figures(expand_paths([str(folder.relative_to(ROOT))]), load_figure_pack(pack_of(folder.parent)))
    finally:
        os.chdir(cwd)
    out = {}
    for run in runs:
        out[run.dataset] = {
            "rules": {r.rule: [r.status, r.items, r.passed, r.failed, r.undecided] for r in run.rules},
            "findings": sorted(([f.rule, f.observed, f.expected, [f"{loc.file}:{loc.row} {loc.role}" for loc in f.locations]]
                                for f in run.findings), key=json.dumps),
        }
    return out


@pytest.mark.parametrize("case, variant", VARIANTS, ids=[f"{c}-{v}" for c, v in VARIANTS])
def test_golden_case(case, variant):
    folder = CASES / case / variant
    got = outcome(folder)
    expected_file = folder / "expected.json"
    if os.environ.get("AUDIT_REGEN"):
        expected_file.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert got == json.loads(expected_file.read_text())
    statuses = [s[0] for ds in got.values() for s in ds["rules"].values()]
    findings = [f for ds in got.values() for f in ds["findings"]]
    if variant == "valid":
        assert not findings and "passed" in statuses and "failed" not in statuses
    elif variant == "invalid":
        assert findings and "failed" in statuses
    else:
        assert not findings and "undecided" in statuses


def test_one_way_valid_case_read_both_ways_fails_and_leaves_the_blanks_undecided(tmp_path):
    """What `one_way` changes: read both ways, a zero count beside a surface fails, and a pair with
    one value blank decides nothing."""
    shutil.copytree(CASES / "one-way" / "pack", tmp_path / "pack")
    rules = tmp_path / "pack" / "rules.yaml"
    rules.write_text(rules.read_text().replace("    one_way: true\n", ""))
    (run,) = audit_figures([CASES / "one-way" / "valid"], load_figure_pack(tmp_path / "pack"))
    (r,) = run.rules
    assert [r.status, r.items, r.passed, r.failed, r.undecided] == ["failed", 5, 2, 1, 2]
    assert [loc.row for f in run.findings for loc in f.locations] == [3, 3]  # South: 0 items, 1.5 km2
