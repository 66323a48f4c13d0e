"""Peer check: R validate's counts on SBS2000, reproduced exactly with our rule language.

The data and the expected counts come from ../shared/peer/validate-sbs2000/ (EXPECTED.md).
"""
from __future__ import annotations

import re
import shutil

import pytest

from audit.pack import load_pack
from audit.runner import audit_dataset

from .conftest import CASES, SHARED

PEER = SHARED / "peer" / "validate-sbs2000"

DESCRIPTOR = """\
name: sbs2000
profile: business-statistics
resources:
  - name: sbs
    path: SBS2000.csv
    dialect: {delimiter: ";"}
    schema:
      missingValues: ["NA"]
      primaryKey: [id]
      fields:
        - {name: id, type: string}
        - {name: size, type: string}
        - {name: incl.prob, type: number}
        - {name: staff, type: integer, unit: count}
        - {name: turnover, type: number}
        - {name: other.rev, type: number}
        - {name: total.rev, type: number}
        - {name: staff.costs, type: number}
        - {name: total.costs, type: number}
        - {name: profit, type: number}
        - {name: vat, type: number}
"""

RULE_FOR = {
    "total.rev - profit == total.costs": "revenue-minus-profit-is-costs",
    "turnover + other.rev == total.rev": "turnover-plus-other-is-revenue",
    "profit <= 0.6 * total.rev": "profit-at-most-60-percent",
    "if (staff >= 1) then staff.costs >= 1": "staff-have-costs",
}


def expected_counts() -> dict[str, tuple[int, int, int, int]]:
    """The table of EXPECTED.md: rule -> (items, passes, fails, NA)."""
    rows = {}
    for line in (PEER / "EXPECTED.md").read_text().splitlines():
        m = re.match(r"\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|", line)
        if m:
            rows[m.group(1)] = tuple(int(m.group(i)) for i in range(2, 6))
    return rows


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if not PEER.is_dir():
        pytest.fail(f"the peer data is missing: {PEER}")
    folder = tmp_path_factory.mktemp("sbs2000")
    shutil.copy(PEER / "SBS2000.csv", folder / "SBS2000.csv")
    (folder / "datapackage.yaml").write_text(DESCRIPTOR)
    return audit_dataset(folder, pack=load_pack(CASES / "sbs2000-pack"))


def test_counts_match_validate(run):
    expected = expected_counts()
    assert set(expected) == set(RULE_FOR), "EXPECTED.md lists other rules than this test knows"
    results = {r.rule: r for r in run.rules}
    for text, (items, passes, fails, na) in expected.items():
        r = results[RULE_FOR[text]]
        assert (r.items, r.passed, r.failed, r.undecided) == (items, passes, fails, na), text


def test_failing_records_match_validate(run):
    text = (PEER / "EXPECTED.md").read_text()
    listed = re.search(r"Records failing `turnover \+ other.rev == total.rev`: (.*)\.", text).group(1)
    expected = sorted(x.strip() for x in listed.split(","))
    failing = sorted(loc.key["id"] for f in run.findings if f.rule == "turnover-plus-other-is-revenue"
                     for loc in f.locations[:1])
    assert failing == expected
