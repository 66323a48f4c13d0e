"""`audit migrate DIR`: a dataset of the table layout rewritten in the figure layout, as the
receiving pack's migrate.yaml maps it (audit/migrate.py)."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import ROOT, audit_cli

LEGACY = ["azerbaijan-2019", "croatia-2014", "serbia-2014", "tajikistan-2014"]


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def findings(path: Path) -> list[tuple]:
    r = audit_cli("check", str(path), "--format", "json", "--fail-on", "never")
    assert r.returncode == 0, r.stderr
    return sorted((f["rule"], str(f.get("observed")), str(f.get("expected"))) for f in json.loads(r.stdout)["findings"])


def migrate(src: Path, out: Path, *more: str):
    return audit_cli("migrate", str(src), "--out", str(out), *more)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> dict[str, Path]:
    """Every bundled table-layout dataset migrated once; the inputs hashed before and after."""
    base = tmp_path_factory.mktemp("migrated")
    before = {name: hashes(ROOT / "datasets" / name) for name in LEGACY}
    out = {}
    for name in LEGACY:
        r = migrate(ROOT / "datasets" / name, base / name)
        assert r.returncode == 0, r.stderr
        out[name] = base / name
    after = {name: hashes(ROOT / "datasets" / name) for name in LEGACY}
    assert before == after, "audit migrate changed its input"
    return out


def test_azerbaijan_migrated_reports_what_the_hand_conversion_reports(migrated):
    got = findings(migrated["azerbaijan-2019"])
    assert got == findings(ROOT / "datasets" / "figures" / "azerbaijan-2019")
    assert len(got) == 14


@pytest.mark.parametrize("name", ["croatia-2014", "serbia-2014", "tajikistan-2014"])
def test_2014_datasets_migrate_and_audit_without_input_errors(migrated, name):
    out = migrated[name]
    r = audit_cli("check", str(out), "--fail-on", "never")
    assert r.returncode == 0, r.stderr
    assert "profile mine-action)" in r.stdout
    # the CSVs are copied unchanged, the comments at the top are kept
    src = ROOT / "datasets" / name
    for csv in src.glob("*.csv"):
        assert (out / csv.name).read_bytes() == csv.read_bytes()
    for name_ in ("datapackage.yaml", "claims.yaml"):
        first = (src / name_).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#") and (out / name_).read_text(encoding="utf-8").splitlines()[0] == first


def test_the_committed_2014_datasets_are_what_the_command_writes(migrated):
    for name in ("croatia-2014", "serbia-2014", "tajikistan-2014"):
        assert hashes(migrated[name]) == hashes(ROOT / "datasets" / "figures" / name), name


def test_claims_keep_quote_locator_section_footnote(migrated):
    from audit.yamlio import load_yaml

    for name in LEGACY:
        old = load_yaml(ROOT / "datasets" / name / "claims.yaml")["claims"]
        new = load_yaml(migrated[name] / "claims.yaml")["claims"]
        assert [c["id"] for c in old] == [c["id"] for c in new]
        for a, b in zip(old, new):
            for key in ("quote", "locator", "section", "footnote", "value", "low", "high", "unit", "qualifier"):
                assert (str(a.get(key)) if key in a else None) == (str(b.get(key)) if key in b else None), (a["id"], key)
            assert "period" in b and "year" not in b and "table" not in b


def test_periods_follow_the_vocabulary_stock_or_flow(migrated):
    from audit.yamlio import load_yaml

    meta = load_yaml(migrated["azerbaijan-2019"] / "datapackage.yaml")
    at = {r["name"]: dict(r.get("at") or {}) for r in meta["resources"]}
    assert at["contamination_by_type"] == {"period": "end 2018"}
    assert at["contamination_by_region"] == {"period": "end 2018", "device": "anti-personnel"}
    assert at["clearance_by_region"] == {"period": "2018"}
    claims = {c["id"]: c for c in load_yaml(migrated["azerbaijan-2019"] / "claims.yaml")["claims"]}
    assert claims["ap-mined-area-2015-assessment"]["period"] == "end 2015"
    assert claims["area-cleared-2014-2018"]["period"] == "2014-2018"
    assert claims["ap-mines-2018-aghdam-aghjabedi"]["at"]["place"] == ["Aghdam", "Aghjabedi"]
    # a table whose title does not say anti-personnel covers every device
    meta = load_yaml(migrated["croatia-2014"] / "datapackage.yaml")
    assert dict(meta["resources"][0]["at"]) == {"period": "end 2014"}


def _copy(tmp_path: Path) -> Path:
    src = tmp_path / "in" / "ds"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", src)
    return src


def test_a_column_with_no_mapping_is_exit_2_at_the_descriptor_line(tmp_path):
    src = _copy(tmp_path)
    desc = src / "datapackage.yaml"
    lines = desc.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "{name: area_cleared, type: number, unit: km2" in line)
    lines.insert(at + 1, "        - {name: remarks, type: string, title: Remarks}\n")
    desc.write_text("".join(lines), encoding="utf-8")
    table = src / "table4-five-year-clearance.csv"
    rows = table.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join(f"{r},{'remarks' if i == 0 else ''}" for i, r in enumerate(rows)) + "\n",
                     encoding="utf-8")
    before = hashes(src)
    out = tmp_path / "out"
    r = migrate(src, out)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{desc}:{at + 2}:" in r.stderr or f"datapackage.yaml:{at + 2}:" in r.stderr, r.stderr
    assert "column 'remarks' of table 'clearance_summary' has no mapping" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists(), "nothing is written when something cannot be mapped"
    assert hashes(src) == before


def test_a_claim_measure_with_no_mapping_is_exit_2_at_the_claims_line(tmp_path):
    src = _copy(tmp_path)
    claims = src / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("measure: mined_area_added", "measure: mined_area_invented"), encoding="utf-8")
    line = next(i + 1 for i, s in enumerate(text.splitlines()) if "measure: mined_area_added" in s)
    r = migrate(src, tmp_path / "out")
    assert r.returncode == 2
    assert f"claims.yaml:{line}:" in r.stderr and "'mined_area_invented' has no mapping" in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


def test_an_unmapped_table_is_exit_2(tmp_path):
    src = _copy(tmp_path)
    desc = src / "datapackage.yaml"
    text = desc.read_text(encoding="utf-8").replace("name: clearance_summary", "name: clearance_overview")
    desc.write_text(text, encoding="utf-8")
    claims = src / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("table: clearance_summary", "table: clearance_overview"),
                      encoding="utf-8")
    r = migrate(src, tmp_path / "out", "--to", str(ROOT / "rules" / "mine-action-figures"))
    # the table layout's own loader accepts a table the profile does not know; the mapping does not
    assert r.returncode == 2
    assert "table 'clearance_overview' has no mapping to figures" in r.stderr, r.stderr


def test_refuses_to_overwrite_or_to_write_into_the_input(tmp_path):
    src = _copy(tmp_path)
    before = hashes(src)
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine", encoding="utf-8")
    r = migrate(src, full)
    assert r.returncode == 2 and "not empty" in r.stderr
    assert (full / "keep.txt").read_text(encoding="utf-8") == "mine"
    r = migrate(src, src / "figures")
    assert r.returncode == 2 and "refusing to write" in r.stderr
    assert hashes(src) == before


def test_default_out_is_figures_beside_the_input(tmp_path):
    src = _copy(tmp_path)
    r = audit_cli("migrate", str(src))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "in" / "figures" / "ds" / "datapackage.yaml").is_file()
    r = audit_cli("migrate", str(src))
    assert r.returncode == 2 and "not empty" in r.stderr


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=12), st.lists(st.text(max_size=6), max_size=3),
                                                     st.dictionaries(st.text(max_size=5), st.text(max_size=6), max_size=2)),
                       max_size=4))
def test_the_yaml_migrate_writes_reads_back_as_the_same_data_whatever_the_text(data):
    """Any text a migrated dataset carries (a label with DEL, C1 controls, line separators, quotes,
    ': ' or ' #') is written so that YAML reads back exactly that text."""
    import yaml

    from audit.migrate import dump_yaml

    assert yaml.safe_load(dump_yaml(data)) == (data or None)
