"""Golden cases per rule kind: a tiny dataset, the kind's rule file, the expected outcome.

Each kind has a valid case (the rule passes), an invalid one (it fails with findings) and an
undecided one (values are missing: items are neither passed nor failed). Regenerate the
expected files with AUDIT_REGEN=1 and review the diff.
"""
from __future__ import annotations

import pytest

from audit.kinds import KINDS
from audit.pack import load_pack
from audit.runner import audit_dataset

from .conftest import CASES, check_golden, flatten

CASE_NAMES = ("valid", "invalid", "undecided")


def pack_for(kind: str):
    pack = load_pack(CASES / "pack")
    pack.rules = [k for k in pack.rules if k.rule.kind == kind]
    assert pack.rules, f"the test pack has no rule of kind {kind}"
    return pack


@pytest.mark.parametrize("case", CASE_NAMES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_golden_case(kind, case):
    folder = CASES / kind / case
    run = audit_dataset(folder, pack=pack_for(kind))
    view = flatten(run)
    check_golden(folder / "expected.json", view)
    outcomes = [r for r in view["rules"] if r["id"] != "table-contracts"]
    assert all(r["status"] != "broken" for r in outcomes)
    if case == "valid":
        assert all(r["status"] == "passed" and r["failed"] == 0 and r["passed"] > 0 for r in outcomes)
    elif case == "invalid":
        assert any(r["status"] == "failed" for r in outcomes) and view["findings"]
    else:
        assert any(r["undecided"] > 0 for r in outcomes)
        assert not view["findings"]


def test_every_kind_has_golden_cases():
    for kind in KINDS:
        for case in CASE_NAMES:
            assert (CASES / kind / case / "datapackage.yaml").is_file(), f"missing golden case {kind}/{case}"
