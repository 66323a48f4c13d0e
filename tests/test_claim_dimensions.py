"""The dimensions a claim may be narrowed by are the rule pack's data (`claim_dimensions` and
`claim_period` of measures.yaml), not words of the engine: a pack that declares `district` narrows
claims by district, a claim narrowed by a key the pack does not declare is refused at its line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.dataset import load_dataset
from audit.errors import AuditInputError
from audit.pack import load_pack
from audit.runner import audit_dataset

from .conftest import CASES, ROOT

CLAIMS = """claims:
  - id: upland-areas
    quote: "25 mined areas remained in the upland districts."
    measure: count
    value: 25
    unit: count
    year: 2020
    district: Upland
  - id: lowland-areas
    quote: "9 mined areas remained in the lowland districts."
    measure: count
    value: 9
    unit: count
    year: 2020
    {key}: Lowland
"""


def district_case(tmp_path: Path, key: str = "district") -> tuple[Path, Path]:
    """A copy of the golden cases' pack whose regions lie in districts, and claims by district."""
    pack = tmp_path / "pack"
    shutil.copytree(CASES / "pack", pack)
    for other in pack.glob("*.yaml"):
        if other.name not in ("pack.yaml", "contracts.yaml", "measures.yaml", "claim.yaml"):
            other.unlink()
    contracts = pack / "contracts.yaml"
    contracts.write_text(contracts.read_text().replace(
        "      region: {type: string, required: true}\n",
        "      region: {type: string, required: true}\n      district: {type: string}\n", 1))
    with (pack / "measures.yaml").open("a") as f:
        f.write("# claims speak of a year and of a district\nclaim_dimensions: [year, district]\n")
    ds = tmp_path / "ds"
    shutil.copytree(CASES / "claim" / "valid", ds)
    (ds / "regions.csv").write_text("region,district,count,area\nNorth,Upland,14,1712530\nSouth,Upland,11,1508906\n"
                                    "East,Lowland,8,922730\nTotal,,33,4144166\n")
    desc = ds / "datapackage.yaml"
    desc.write_text(desc.read_text().replace(
        "        - {name: region, type: string, title: Region}\n",
        "        - {name: region, type: string, title: Region}\n        - {name: district, type: string}\n", 1))
    (ds / "claims.yaml").write_text(CLAIMS.format(key=key))
    return pack, ds


def test_a_pack_that_declares_district_narrows_claims_by_it(tmp_path):
    pack, ds = district_case(tmp_path)
    assert load_pack(pack).claim_dimensions == ["year", "district"]
    run = audit_dataset(ds, pack=load_pack(pack))
    [count] = [r for r in run.rules if r.rule == "claimed-count"]
    assert (count.status, count.passed, count.failed) == ("failed", 1, 1)
    [finding] = count.findings
    assert finding.locations[0].claim == "lowland-areas" and (finding.observed, finding.expected) == (9, 8)


@pytest.mark.parametrize("key,near", [("region", None), ("distrcit", "did you mean 'district'?"),
                                     ("qualifer", "did you mean 'qualifier'?")])
def test_a_dimension_the_pack_does_not_declare_is_refused_at_its_line(tmp_path, key, near):
    pack, ds = district_case(tmp_path, key)
    line = next(i for i, text in enumerate((ds / "claims.yaml").read_text().splitlines(), 1)
                if text.strip().startswith(f"{key}:"))
    with pytest.raises(AuditInputError) as err:
        audit_dataset(ds, pack=load_pack(pack))
    [problem] = err.value.problems
    assert problem.file.endswith("claims.yaml") and problem.line == line and problem.field == key
    assert f"'{key}'" in problem.message and "lowland-areas" in problem.message
    assert problem.hint.endswith("declares: year, district")
    assert near is None or near in problem.hint


def test_a_pack_must_declare_dimensions_its_contracts_know(tmp_path):
    pack, _ = district_case(tmp_path)
    text = (pack / "measures.yaml").read_text()
    (pack / "measures.yaml").write_text(text.replace("claim_dimensions: [year, district]",
                                                     "claim_dimensions: [year, distric]\nclaim_period: yaer"))
    with pytest.raises(AuditInputError) as err:
        load_pack(pack)
    messages = [(p.field, p.message, p.hint) for p in err.value.problems]
    assert any(f == "claim_dimensions" and "'distric'" in m and "did you mean 'district'" in h for f, m, h in messages)
    assert any(f == "claim_period" and "'yaer'" in m and "did you mean 'year'" in h for f, m, h in messages)


def test_without_a_declaration_the_contracts_give_the_dimensions_and_the_period():
    pack = load_pack(CASES / "pack")
    assert {"year", "region", "code"} <= set(pack.claim_dimensions)
    assert not {"count", "area", "value"} & set(pack.claim_dimensions)  # measured quantities, a claim's own key
    assert pack.claim_period == "year"  # the one column the contracts type `year`


def test_the_mine_action_pack_declares_year_region_and_type(tmp_path):
    pack = load_pack(ROOT / "rules" / "mine-action")
    assert (pack.claim_dimensions, pack.claim_period) == (["year", "region", "type"], "year")
    ds = tmp_path / "ds"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", ds)
    claims = ds / "claims.yaml"
    claims.write_text(claims.read_text().replace("    year: 2014-2018\n", "    year: 2014-2018\n    district: Tartar\n", 1))
    with pytest.raises(AuditInputError) as err:
        audit_dataset(ds, pack=pack)
    [problem] = err.value.problems
    assert problem.field == "district" and problem.hint.endswith("declares: year, region, type")
    bound = load_dataset(ROOT / "datasets" / "azerbaijan-2019")
    audit_dataset(bound.root, pack=pack, dataset=bound)
    assert bound.claim_period == "year" and [2014, 2015, 2016, 2017, 2018] in [c.dims.get("year") for c in bound.claims]
