"""Export to CSV and Parquet (formula cells neutralised), and the Python API for notebooks."""
from __future__ import annotations

import csv

import duckdb
import pandas as pd

import audit
from audit.export import neutralise
from audit.findings import Finding, Location, RuleResult, Run
from audit import export

from .conftest import ROOT, audit_cli


def test_export_csv_has_one_row_per_finding_and_location(tmp_path):
    out = tmp_path / "findings.csv"
    res = audit_cli("export", "datasets", "-o", str(out))
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(out)
    assert df["fingerprint"].nunique() == 13
    one = df[df["rule"] == "printed-totals"]
    assert list(one["location"]) == [1, 2, 3]
    assert list(one["role"]) == ["total", "part", "part"]
    assert list(one["row"]) == [4, 2, 3] and set(one["column"]) == {"cha_count"}
    assert one["observed"].iloc[0] == 17 and one["expected"].iloc[0] == 16


def test_export_parquet_keeps_types(tmp_path):
    out = tmp_path / "findings.parquet"
    assert audit_cli("export", "datasets/azerbaijan-2019", "-o", str(out)).returncode == 0
    df = duckdb.sql(f"SELECT * FROM '{out}'").df()
    assert str(df["observed"].dtype) == "float64" and len(df) > 13
    assert set(df["severity"]) == {"error", "warning"}


def test_formula_cells_are_neutralised(tmp_path):
    for text in ("=1+2", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\r=x"):
        assert neutralise(text) == "'" + text
    assert neutralise("Fizuli") == "Fizuli" and neutralise(-3.5) == -3.5
    f = Finding("r", "error", "=HYPERLINK(\"http://x\")", [Location(file="a.csv", row=2, table="t",
                                                                     value="@evil", key={"region": "+1"})]).seal()
    run = Run("ds", "p", None, "pack", [RuleResult("r", "t", "row_check", "error", "failed", findings=[f])])
    path = tmp_path / "x.csv"
    export.write([run], path)
    with path.open() as fh:
        rec = next(csv.DictReader(fh))
    assert rec["message"].startswith("'=") and rec["value"] == "'@evil"
    assert not any(v.startswith(("=", "+", "-", "@")) for v in rec.values())


def test_export_rejects_other_suffixes(tmp_path):
    res = audit_cli("export", "datasets", "-o", str(tmp_path / "f.xlsx"))
    assert res.returncode == 2 and "must end in .csv or .parquet" in res.stderr


def test_python_api_returns_findings_as_a_dataframe():
    result = audit.check(ROOT / "datasets" / "azerbaijan-2019")
    df = result.findings
    assert isinstance(df, pd.DataFrame) and df["fingerprint"].nunique() == 13
    summary = result.summary()
    assert summary.loc[0, "error"] == 8 and summary.loc[0, "warning"] == 5
    assert result.failed("error") and not result.failed("never")
    page = result._repr_html_()
    assert "<table>" in page and "azerbaijan-2019" in page


def test_importing_audit_stays_light():
    import subprocess
    import sys
    code = "import sys, audit; print(any(m in sys.modules for m in ('pandas', 'duckdb', 'pandera')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"
