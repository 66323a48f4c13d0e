"""Targeted regressions on evaluation semantics, on copies of the golden cases."""
from __future__ import annotations

import shutil

from audit.pack import load_pack
from audit.runner import audit_dataset

from .conftest import CASES


def run_case(tmp_path, kind: str, case: str, edits: dict[str, tuple[str, str]]):
    folder = tmp_path / case
    shutil.copytree(CASES / kind / case, folder)
    for name, (old, new) in edits.items():
        path = folder / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    pack = load_pack(CASES / "pack")
    pack.rules = [k for k in pack.rules if k.rule.kind == kind]
    return {r.rule: r for r in audit_dataset(folder, pack=pack).rules}


def test_a_failing_decimal_claim_is_a_finding_not_a_broken_rule(tmp_path):
    rules = run_case(tmp_path, "claim", "valid", {"regions.csv": ("North,14,1712530", "North,14,712530"),
                                                  "claims.yaml": ("", "")})
    r = rules["claimed-area"]
    assert r.status == "failed" and r.findings, r.reason
    assert any("4.1 km2" in f.message for f in r.findings)


def test_a_missing_cell_makes_a_sum_undecided_not_partial(tmp_path):
    rules = run_case(tmp_path, "compare", "valid", {"regions.csv": ("North,14,185.2", "North,14,")})
    r = rules["regions-match-series"]
    assert (r.failed, r.undecided) == (0, 1) and not r.findings


def test_contract_violations_are_findings_with_their_cells(tmp_path):
    folder = tmp_path / "contract"
    shutil.copytree(CASES / "row_check" / "valid", folder)
    path = folder / "regions.csv"
    lines = path.read_text().splitlines()
    first = lines[1].split(",")
    lines.insert(2, ",".join([first[0], "-3", first[2]]))  # a duplicate key with a negative count
    path.write_text("\n".join(lines) + "\n")
    pack = load_pack(CASES / "pack")
    pack.rules = []
    [contracts] = audit_dataset(folder, pack=pack).rules
    assert contracts.status == "failed"
    messages = sorted(f.message for f in contracts.findings)
    assert any("count must be at least 0, found -3" in m for m in messages)
    assert any("appears more than once" in m for m in messages)
    assert all(loc.row in (2, 3) for f in contracts.findings for loc in f.locations)


def test_a_printed_zero_is_exactly_zero(tmp_path):
    """A `0` in a km2 column stands for nothing, not for anything up to 0.5 km2: a printed total
    0.7 km2 above its rows is then a finding (with +-0.5 km2 for the zero it passed). A printed
    `0.00` is still rounded."""
    table = "region,count,area\nNorth,1,0.33\nSouth,2,0.33\nEast,3,0.33\nTotal,6,1.00\n"
    zero = "region,count,area\nNorth,0,0\nSouth,2,2\nEast,0,0\nTotal,2,2.7\n"
    rules = run_case(tmp_path, "totals", "valid", {"regions.csv": (table, zero)})
    failed = rules["totals"]
    assert failed.status == "failed", failed.reason
    [finding] = [f for f in failed.findings if f.observed is not None and abs(f.observed - 2.7) < 1e-9]
    assert abs(finding.tolerance - 0.55) < 1e-9  # the total's 0.05 and the 2's 0.5; the zeros add nothing
    rounded = "region,count,area\nNorth,0,0.00\nSouth,2,2.00\nEast,0,0.00\nTotal,2,2.01\n"
    rules = run_case(tmp_path / "rounded", "totals", "valid", {"regions.csv": (table, rounded)})
    assert rules["totals"].status == "passed"  # 0.00 + 2.00 + 0.00 can be 2.01 (each +-0.005)
