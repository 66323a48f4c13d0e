"""The notebook API: datasets held in memory (DataFrames and a descriptor dict) audited as their
files are, the findings DataFrame, the HTML a notebook shows, and the contracts as pandera schemas."""
from __future__ import annotations

import csv
import datetime
import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import yaml

import audit
from audit import export
from audit.errors import AuditInputError, ProblemCollector
from audit.frames import frame_table, printed

from .conftest import ROOT

FIGURES = ROOT / "datasets" / "figures" / "azerbaijan-2019"
TABLES = ROOT / "datasets" / "azerbaijan-2019"
CROATIA = ROOT / "datasets" / "figures" / "croatia-2014"


def descriptor(folder: Path) -> dict:
    """A bundled descriptor as a plain dict, its claims file's claims given in it."""
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    if isinstance(meta.get("claims"), str):
        meta["claims"] = yaml.safe_load((folder / meta["claims"]).read_text(encoding="utf-8"))["claims"]
    return meta


def frames(folder: Path, read=pd.read_csv) -> dict:
    return {r["name"]: read(folder / r["path"]) for r in descriptor(folder)["resources"]}


def findings(result) -> list[tuple]:
    return sorted((f.rule, f.severity, f.message, f.observed, f.expected, f.fingerprint)
                  for run in result.runs for f in run.findings)


def outcomes(result) -> list[tuple]:
    return [(r.rule, r.status, r.items, r.passed, r.failed, r.undecided) for run in result.runs for r in run.rules]


@pytest.fixture(scope="module")
def from_files() -> dict:
    return {folder: audit.check(folder) for folder in (FIGURES, TABLES)}


@pytest.mark.parametrize("folder", [FIGURES, TABLES], ids=["figure-layout", "table-layout"])
def test_dataframes_give_the_findings_of_the_csv_files(folder, from_files):
    expected = findings(from_files[folder])
    result = audit.check(descriptor=descriptor(folder), tables=frames(folder))
    assert findings(result) == expected and len(expected) >= 13
    assert outcomes(result) == outcomes(from_files[folder])  # every rule: status, items passed, failed, undecided
    df = result.findings
    cells = df[df["file"].str.startswith("<frame ", na=False)]
    assert set(cells["file"]) >= {"<frame contamination_by_type>", "<frame contamination_by_region>"}
    # the total of cha_count, line 4 of table1's CSV file, is the frame's third row
    total = df[(df["file"] == "<frame contamination_by_type>") & (df["role"] == "total")]
    assert set(total["row"]) == {3} and set(total["column"]) == {"cha_count"}
    assert set(total["value"]) == {"17"}


def test_a_corrected_frame_loses_its_finding(from_files):
    tables = frames(FIGURES)
    tables["contamination_by_type"].loc[2, "cha_count"] = 16  # the printed total 17 was one too many
    result = audit.check(descriptor=descriptor(FIGURES), tables=tables)
    rules = {f.rule for f in result.runs[0].findings}
    assert "totals-add-up" in {f.rule for f in from_files[FIGURES].runs[0].findings}
    assert not any(f.rule == "totals-add-up" and "number of hazardous areas (status confirmed" in f.message
                   for f in result.runs[0].findings)
    assert len(findings(result)) < len(findings(from_files[FIGURES])) and rules


def test_polars_frames_need_no_pandas():
    pytest.importorskip("polars")
    code = (
        "import sys; sys.modules['pandas'] = None\n"  # any import of pandas fails
        "import json, polars as pl, yaml, audit\n"
        "from pathlib import Path\n"
        f"folder = Path({str(CROATIA)!r})\n"
        "meta = yaml.safe_load((folder / 'datapackage.yaml').read_text())\n"
        "meta['claims'] = yaml.safe_load((folder / meta['claims']).read_text())['claims']\n"
        "df = pl.read_csv(folder / 'contamination-by-county-2014.csv')\n"
        "df = df.with_columns(pl.when(pl.col('region') == 'Total').then(pl.col('sha_area') + 1)"
        ".otherwise(pl.col('sha_area')).alias('sha_area'))\n"
        "run = audit.check(descriptor=meta, tables={'contamination_by_region': df}).runs[0]\n"
        "print(json.dumps(sorted(f.fingerprint for f in run.findings)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    expected = audit.check(descriptor=descriptor(CROATIA), tables=_hostile_croatia("Karlovac")).runs[0].findings
    assert json.loads(out.stdout) == sorted(f.fingerprint for f in expected) and len(expected) == 1


def test_a_mapping_of_columns_and_an_indexed_frame_are_tables_too():
    meta = descriptor(CROATIA)
    df = _hostile_croatia("Karlovac")["contamination_by_region"]  # its printed total one too many
    expected = findings(audit.check(descriptor=meta, tables={"contamination_by_region": df}))
    assert [f[0] for f in expected] == ["totals-add-up"]
    columns = {c: df[c].tolist() for c in df.columns}
    assert findings(audit.check(descriptor=meta, tables={"contamination_by_region": columns})) == expected
    indexed = df.set_index("region")  # a named index is read as the leading column, as reset_index() gives it
    assert findings(audit.check(descriptor=meta, tables={"contamination_by_region": indexed})) == expected
    with pytest.raises(AuditInputError, match="region: declared field 'region' has no column"):
        audit.check(descriptor=meta, tables={"contamination_by_region": df.drop(columns="region")})


def test_numbers_of_a_frame_follow_the_decimal_mark_the_descriptor_declares():
    meta = descriptor(CROATIA)
    tables = _hostile_croatia("Karlovac")  # floats: their text has no decimal mark of its own
    expected = findings(audit.check(descriptor=meta, tables=tables))
    for f in meta["resources"][0]["schema"]["fields"][1:]:
        f["decimalChar"], f["groupChar"] = ",", "."
    assert findings(audit.check(descriptor=meta, tables=tables)) == expected and len(expected) == 1
    text = tables["contamination_by_region"].astype({"sha_area": str})  # text is read as printed, in the declared marks
    text.loc[:, "sha_area"] = text["sha_area"].str.replace(".", ",", regex=False)
    assert findings(audit.check(descriptor=meta, tables={"contamination_by_region": text})) == expected


def test_cells_print_as_a_report_prints_them():
    assert [printed(v) for v in (12, 12.0, 0.1 + 0.2, 4.1, 2445446.0, 1e-05, 1.5e16)] == \
        ["12", "12", "0.3", "4.1", "2445446", "0.00001", "15000000000000000"]
    assert [printed(v) for v in (None, float("nan"), pd.NA, pd.NaT)] == ["", "", "", ""]
    assert printed(Decimal("4.10")) == "4.10" and printed("*4.00") == "*4.00" and printed(True) == "true"
    assert printed(datetime.date(2018, 12, 31)) == "2018-12-31" == printed(pd.Timestamp("2018-12-31"))
    assert printed(object()) is None and printed([1]) is None
    single = pd.DataFrame({"area": pd.array([4.1, 0.35, None], dtype="Float32").astype("float32"), "n": [1, 2, 3]})
    table = frame_table("t", single, ProblemCollector())
    rows = [(line, [cell if isinstance(cell, str) else cell.text() for cell in cells]) for line, cells in table.rows]
    assert table.header == ["area", "n"] and rows == [(1, ["4.1", "1"]), (2, ["0.35", "2"]), (3, ["", "3"])]


def test_a_bad_descriptor_dict_names_the_key_path():
    meta = descriptor(CROATIA)
    meta["resources"][0]["schema"]["fields"][1]["unit"] = "furlong"
    meta["resources"][0]["schmea"] = {}
    with pytest.raises(AuditInputError) as exc:
        audit.check(descriptor=meta, tables=frames(CROATIA))
    text = str(exc.value)
    assert "<descriptor>: contamination_by_region.schmea: unknown key 'schmea'" in text
    assert "<descriptor>: contamination_by_region.sha_area.unit: unit 'furlong' is an unknown unit" in text
    shown = exc.value._render_traceback_()  # what Jupyter prints instead of a traceback
    assert shown[0].startswith("AuditInputError: the audit cannot run") and "\n".join(shown[1:]) == text
    meta = descriptor(CROATIA)
    meta["resources"][0]["notes"] = [{"text": object()}]
    with pytest.raises(AuditInputError, match=r"^<descriptor>: resources\[0\]\.notes\[0\]\.text: a value of type "
                       "'object' is not a value a descriptor holds"):
        audit.check(descriptor=meta, tables=frames(CROATIA))
    with pytest.raises(AuditInputError, match="the descriptor must be a mapping"):
        audit.check(descriptor=[meta], tables=frames(CROATIA))
    meta = descriptor(CROATIA)
    meta["resources"][0]["schema"]["fields"][1]["unit"] = "km2"  # as given: nothing wrong
    assert not audit.check(descriptor=meta, tables=frames(CROATIA)).runs[0].findings


@pytest.mark.parametrize("resources", [5, [{"name": "a", "schema": 5}]], ids=["resources", "schema"])
def test_a_descriptor_of_the_wrong_shape_is_bad_input_not_a_crash(resources, tmp_path):
    with pytest.raises(AuditInputError, match="expected a list|expected a mapping"):
        audit.check(descriptor={"name": "x", "resources": resources}, tables={})
    (tmp_path / "datapackage.yaml").write_text(yaml.safe_dump({"name": "x", "resources": resources}))
    with pytest.raises(AuditInputError, match="expected a list|expected a mapping"):
        audit.check(tmp_path)


def test_bad_frames_name_the_frame_row_and_column():
    tables = frames(CROATIA)
    df = tables["contamination_by_region"].astype({"sha_area": object})
    df.loc[2, "sha_area"] = "45,24 km2"
    tables["contamination_by_region"] = df
    tables["contamination_by_regoin"] = df
    meta = descriptor(CROATIA)
    with pytest.raises(AuditInputError) as exc:
        audit.check(descriptor=meta, tables=tables)
    lines = str(exc.value).splitlines()
    assert any(line.startswith("<frame contamination_by_region>:3: sha_area: ") for line in lines)
    assert any("tables['contamination_by_regoin'] is not a resource of the descriptor" in line for line in lines)
    with pytest.raises(AuditInputError, match=r"resources\[0\].name: resource 'contamination_by_region' has no table"):
        audit.check(descriptor=meta, tables={})
    meta["claims"] = "claims.yaml"
    with pytest.raises(AuditInputError, match="claims: a dataset in memory reads no file"):
        audit.check(descriptor=meta, tables=frames(CROATIA))
    with pytest.raises(AuditInputError, match="not both"):
        audit.check(CROATIA, descriptor=meta, tables={})


def _hostile_croatia(name: str) -> dict:
    """Croatia's table with one county renamed `name` and its total one too many (a finding names the row)."""
    df = pd.read_csv(CROATIA / "contamination-by-county-2014.csv")
    df.loc[1, "region"] = name
    df.loc[df["region"] == "Total", "sha_area"] += 1
    return {"contamination_by_region": df}


def test_findings_dataframe_holds_plain_values_and_the_csv_export_neutralises_them(tmp_path):
    meta = descriptor(CROATIA)
    meta.pop("claims")
    result = audit.check(descriptor=meta, tables=_hostile_croatia("=HYPERLINK(\"http://x\")"))
    df = result.findings
    assert set(df["relation"]) == {"=="} and set(df["role"]) == {"total", "part"}
    hostile = df[df["label"].str.contains("=HYPERLINK", regex=False)]
    assert len(hostile) == 1 and hostile["label"].iloc[0].endswith('row =HYPERLINK("http://x"), sha_area')
    assert df["observed"].dtype == "float64" and df["row"].dtype == "Int64"
    out = tmp_path / "findings.csv"
    export.write(result.runs, out)
    with out.open(encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    assert {rec["relation"] for rec in records} == {"'=="}  # what a spreadsheet would run is neutralised there only


def test_notebook_html_lists_findings_by_rule_and_escapes_values():
    meta = descriptor(CROATIA)
    meta.pop("claims")
    page = audit.check(descriptor=meta, tables=_hostile_croatia("<script>alert(1)</script>"))._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<code>totals-add-up</code>" in page and "A printed total equals the sum of its parts" in page
    assert "<code>&lt;frame contamination_by_region&gt;:" in page
    clean = audit.check(CROATIA)._repr_html_()
    assert "no findings" in clean and "totals-add-up" not in clean


def test_contracts_as_pandera_schemas():
    if importlib.util.find_spec("pandera") is None:
        pytest.skip("pandera is not installed (the pandera extra)")
    from audit.contracts import _pandera

    pa = _pandera()
    schemas = audit.contract_schemas(ROOT / "rules" / "mine-action")
    assert {"contamination_by_type", "contamination_by_region", "clearance_by_region"} <= set(schemas)
    schema = schemas["contamination_by_type"]
    assert schema.columns["label"].required and not schema.columns["type"].required
    assert schema.columns["cha_area"].metadata == {"dimension": "area"} and schema.metadata == {"dimensions": ["year"]}
    good = pd.read_csv(TABLES / "table1-mined-area-by-type.csv")
    schema.validate(good)
    bad = good.astype({"cha_count": float, "type": object})
    bad.loc[0, "sha_area"] = -5
    bad.loc[1, "type"] = "landmine"
    bad.loc[2, "label"] = "Anti-vehicle mines"
    bad.loc[0, "cha_count"] = 1.5
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        schema.validate(bad, lazy=True)
    cases = exc.value.failure_cases
    failed = {(c, str(k)) for c, k in zip(cases["column"], cases["check"])}
    assert ("sha_area", "at least 0") in failed and ("type", "one of anti-personnel, anti-vehicle, mixed, unknown") \
        in failed
    assert any(c == "label" and "unique" in k for c, k in failed)
    assert any(c == "cha_count" and "Int64" in k for c, k in failed)
    with pytest.raises((pa.errors.SchemaError, pa.errors.SchemaErrors), match="column 'extra' not in DataFrameSchema"):
        schema.validate(good.assign(extra=1))


def test_contract_schemas_of_a_profile_and_of_no_pack():
    assert set(audit.contract_schemas("mine-action-country-chapter")) == \
        set(audit.contract_schemas(ROOT / "rules" / "mine-action"))
    with pytest.raises(AuditInputError, match="no rule pack for profile 'no-such-profile'"):
        audit.contract_schemas("no-such-profile")
    with pytest.raises(AuditInputError, match="mine-action-figures: a pack of figures .* has no table contracts"):
        audit.contract_schemas(ROOT / "rules" / "mine-action-figures")
