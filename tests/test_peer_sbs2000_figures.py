"""Peer check on the figure layout: R validate's counts on SBS2000, reproduced with kinds over
figures (`tests/cases/sbs2000-figures-pack`), as `tests/test_peer_sbs2000.py` does on the table layout.

The descriptor below says what each column of the peer CSV is: each record is a member of the
dimension `business` (its id); total revenue is the whole of turnover and other revenue by the
closed dimension `stream`; read a second time (a second resource over the same file), it is the
whole of total costs and profit by the closed dimension `allocation` (one measure per
decomposition, so that each rule counts one item per record). The rules:

- `total.rev - profit == total.costs`: additivity over `revenue_allocated` (costs + profit = total);
- `turnover + other.rev == total.rev`: additivity over `revenue` (turnover + other = total);
- `profit <= 0.6 * total.rev`: ratio profit / revenue, at most 0.6;
- `if (staff >= 1) then staff.costs >= 1`: co_occurrence of staff and staff costs, `one_way: true`.

Matched exactly (items, passes, fails, NA): all four rules, and the records failing the turnover
rule. Printed precision: a whole number of keur would stand for +/- 0.5, which passes five of
validate's fourteen failures of the first rule (differences of 1); the vocabulary declares the
unit `exact` (whole amounts as recorded), and then every count is validate's. Money is `signed`
(profit and other revenue may be negative): a part printed beside its whole without the other part
bounds nothing, as validate decides nothing there.

The conditional rule: validate rewrites `if (P) Q` as `!(P) | (Q)` (pkg/R/parse.R, `replace_if`)
and evaluates it in R's three-valued logic, where `NA | TRUE` is TRUE and `FALSE | NA` is NA. The
one-way co_occurrence is the same implication over figures: a zero first or a non-zero second
passes whatever the other is, even left blank; a non-zero first beside a zero second fails; the
rest is undecided. Hence 60 items, 50 passes (44 records with both printed and >= 1, and six with
staff NA and staff costs >= 1: RET03, RET04, RET05, RET14, RET40, RET43), no fail, and 10 NA
(staff >= 1 with staff costs NA). Read both ways (the default, "both zero or both not"), the six
are undecided: 44 passes and 16 undecided. `staff >= 1` and `staff.costs >= 1` are "non-zero" on
this data only because every printed staff and staff cost is a whole number, zero or positive
(checked below): a staff cost of 0.5, or a negative one, would be non-zero and fail validate's
`>= 1`.
"""
from __future__ import annotations

import json
import re
import shutil

import pytest

from .conftest import CASES, SHARED, audit_cli
from .test_peer_sbs2000 import expected_counts

PEER = SHARED / "peer" / "validate-sbs2000"
PACK = CASES / "sbs2000-figures-pack"

FIELDS = ["id", "size", "incl.prob", "staff", "turnover", "other.rev", "total.rev", "staff.costs", "total.costs",
          "profit", "vat"]
MONEY = "type: number, unit: keur"
BY_STREAM = {  # columns of the first resource: revenue by stream, profit, staff and their costs
    "id": "type: string, dimension: business",
    "staff": "type: integer, measure: staff",
    "turnover": f"{MONEY}, measure: revenue, at: {{stream: turnover}}",
    "other.rev": f"{MONEY}, measure: revenue, at: {{stream: other}}",
    "total.rev": f"{MONEY}, measure: revenue",
    "staff.costs": f"{MONEY}, measure: staff_costs",
    "profit": f"{MONEY}, measure: profit",
}
BY_ALLOCATION = {  # the same file again: revenue by what it went to
    "id": "type: string, dimension: business",
    "total.rev": f"{MONEY}, measure: revenue_allocated",
    "total.costs": f"{MONEY}, measure: revenue_allocated, at: {{allocation: costs}}",
    "profit": f"{MONEY}, measure: revenue_allocated, at: {{allocation: profit}}",
}


def resource(name: str, roles: dict[str, str]) -> str:
    fields = "\n".join(f"        - {{name: {f}, {roles.get(f, 'type: string')}}}" for f in FIELDS)
    return (f"  - name: {name}\n    path: SBS2000.csv\n    dialect: {{delimiter: \";\"}}\n"
            f"    schema:\n      missingValues: [\"NA\"]\n      fields:\n{fields}\n")


DESCRIPTOR = ("name: sbs2000\nauditProfile: business-statistics-figures\ntitle: SBS2000 (R validate)\n"
              "at: {period: 2000}\nresources:\n" + resource("sbs", BY_STREAM) + resource("sbs_allocation", BY_ALLOCATION))

RULE_FOR = {
    "total.rev - profit == total.costs": "revenue-is-costs-plus-profit",
    "turnover + other.rev == total.rev": "revenue-is-turnover-plus-other",
    "profit <= 0.6 * total.rev": "profit-at-most-60-percent",
    "if (staff >= 1) then staff.costs >= 1": "staff-have-costs",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not PEER.is_dir():
        pytest.fail(f"the peer data is missing: {PEER}")
    folder = tmp_path_factory.mktemp("sbs2000-figures")
    shutil.copy(PEER / "SBS2000.csv", folder / "SBS2000.csv")
    (folder / "datapackage.yaml").write_text(DESCRIPTOR)
    proc = audit_cli("check", str(folder), "--rules", str(PACK), "--format", "json")
    assert proc.returncode == 1, proc.stderr  # rules fail: the data has errors
    return json.loads(proc.stdout)


def audit_with(tmp_path, pack):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(PEER / "SBS2000.csv", folder / "SBS2000.csv")
    (folder / "datapackage.yaml").write_text(DESCRIPTOR)
    return json.loads(audit_cli("check", str(folder), "--rules", str(pack), "--format", "json").stdout)


def test_counts_match_validate(report):
    expected = expected_counts()
    assert set(expected) == set(RULE_FOR), "EXPECTED.md lists other rules than this test knows"
    results = {r["id"]: r for r in report["rules"]}
    for text, (items, passes, fails, na) in expected.items():
        r = results[RULE_FOR[text]]
        got = (r["items"], r["passed"], r["failed"], r["undecided"])
        assert got == (items, passes, fails, na), text


def test_each_rule_status(report):
    status = {r["id"]: r["status"] for r in report["rules"]}
    assert status == {"revenue-is-costs-plus-profit": "failed", "revenue-is-turnover-plus-other": "failed",
                      "profit-at-most-60-percent": "failed", "staff-have-costs": "passed"}


def test_failing_records_match_validate(report):
    text = (PEER / "EXPECTED.md").read_text()
    listed = re.search(r"Records failing `turnover \+ other.rev == total.rev`: (.*)\.", text).group(1)
    expected = sorted(x.strip() for x in listed.split(","))
    failing = sorted(f["locations"][0]["key"]["business"] for f in report["findings"]
                     if f["rule"] == RULE_FOR["turnover + other.rev == total.rev"])
    assert failing == expected


def test_printed_precision_would_pass_differences_of_one(tmp_path, report):
    """Without `exact: [keur]`, a whole number stands for +/- 0.5: five failures of the first rule
    (a difference of 1) pass. The vocabulary's exact unit is what makes the counts validate's."""
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    vocab = pack / "vocabulary.yaml"
    vocab.write_text(re.sub(r"\n\s*exact: \[keur\].*", "", vocab.read_text()))
    rounded = audit_with(tmp_path, pack)
    r = next(r for r in rounded["rules"] if r["id"] == "revenue-is-costs-plus-profit")
    assert (r["items"], r["passed"], r["failed"], r["undecided"]) == (60, 44, 9, 7)


def test_read_both_ways_the_records_with_staff_left_blank_are_undecided(tmp_path):
    """Without `one_way`, the pair is "both zero or both not": the six records with staff NA and
    staff costs printed are undecided, where validate passes them (`NA | TRUE` is TRUE)."""
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    rules = pack / "rules.yaml"
    rules.write_text(re.sub(r"\n\s*one_way: true.*", "", rules.read_text()))
    rule = RULE_FOR["if (staff >= 1) then staff.costs >= 1"]
    r = next(r for r in audit_with(tmp_path, pack)["rules"] if r["id"] == rule)
    assert (r["items"], r["passed"], r["failed"], r["undecided"]) == (60, 44, 0, 16)


def test_non_zero_is_at_least_one_on_this_data():
    """The one-way pair reads "non-zero" where validate reads `>= 1`: the same on this data, whose
    staff and staff costs are all whole numbers, zero or positive, where printed."""
    lines = (PEER / "SBS2000.csv").read_text().splitlines()
    head = [h.strip('"') for h in lines[0].split(";")]
    for line in lines[1:]:
        row = dict(zip(head, (c.strip('"') for c in line.split(";"))))
        for field in ("staff", "staff.costs"):
            if row[field] != "NA":
                assert float(row[field]) == int(float(row[field])) >= 0, (row["id"], field)
