"""Tables read by the engine straight from Parquet or CSV (never loaded into Python) give the same
findings as the same tables transcribed as CSV; row-level rules count every row and list the first
failing ones only."""
from __future__ import annotations

import shutil

import duckdb
import yaml

from audit.pack import load_pack
from audit.runner import audit_dataset, met_dataset

from .conftest import CASES, ROOT

PACK = ROOT / "rules" / "mine-action"


def as_parquet(src, dst, scan_csv=False):
    """Copy a dataset, turning each CSV table into Parquet (or a scanned CSV) with declared decimals."""
    shutil.copytree(src, dst)
    desc = yaml.safe_load((dst / "datapackage.yaml").read_text())
    con = duckdb.connect()
    for res in desc["resources"]:
        csv_path = dst / res["path"]
        text = csv_path.read_text().replace("*", "")  # footnote markers have no place in a typed column
        csv_path.write_text(text)
        for f in res["schema"]["fields"]:
            for key in ("decimalChar", "groupChar", "bareNumber"):  # a typed column is not printed
                f.pop(key, None)
            if f["type"] == "number":
                decimals = {len(c.split(".")[1]) for line in text.splitlines()[1:]
                            for c in [line.split(",")[list(x["name"] for x in res["schema"]["fields"]).index(f["name"])]]
                            if "." in c}
                f["decimals"] = max(decimals, default=0)
        if scan_csv:
            res["scan"] = True
            continue
        types = {"integer": "BIGINT", "number": "DOUBLE", "year": "VARCHAR", "string": "VARCHAR"}
        cols = ", ".join(f"'{f['name']}': '{types[f['type']]}'" for f in res["schema"]["fields"])
        out = csv_path.with_suffix(".parquet")
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, columns={{{cols}}})) "
                    f"TO '{out}' (FORMAT parquet)")
        csv_path.unlink()
        res["path"] = out.name
    (dst / "datapackage.yaml").write_text(yaml.safe_dump(desc, sort_keys=False))


def essence(run):
    return sorted((f.rule, f.fingerprint, round(f.observed or 0, 6), round(f.expected or 0, 6),
                   tuple((loc.table, loc.row, loc.column) for loc in f.locations)) for f in run.findings)


def test_parquet_tables_give_the_same_findings(tmp_path):
    pack = load_pack(PACK)
    src = ROOT / "datasets" / "azerbaijan-2019"
    as_parquet(src, tmp_path / "pq")
    as_parquet(src, tmp_path / "scan", scan_csv=True)
    expected = essence(audit_dataset(src, pack=pack))
    assert essence(audit_dataset(tmp_path / "pq", pack=pack)) == expected
    assert essence(audit_dataset(tmp_path / "scan", pack=pack)) == expected


def test_row_rules_count_every_row_and_list_a_capped_number(tmp_path):
    folder = tmp_path / "many"
    shutil.copytree(CASES / "row_check" / "invalid", folder)
    con = duckdb.connect()
    # 5,000 regions, every tenth with areas counted but no area
    con.execute(f"COPY (SELECT 'R' || i AS region, 2 AS count, CASE WHEN i % 10 = 0 THEN 0 ELSE 100 END AS area "
                f"FROM range(5000) t(i)) TO '{folder / 'regions.parquet'}' (FORMAT parquet)")
    desc = yaml.safe_load((folder / "datapackage.yaml").read_text())
    res = desc["resources"][0]
    res["path"] = "regions.parquet"
    res.pop("totals", None)
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(desc, sort_keys=False))
    pack = load_pack(CASES / "pack")
    pack.rules = [k for k in pack.rules if k.rule.kind == "row_check"]
    [_, rule] = audit_dataset(folder, pack=pack).rules
    assert (rule.items, rule.passed, rule.failed) == (5000, 4500, 500)
    assert len(rule.findings) == 500 and rule.truncated == 0
    assert rule.findings[0].locations[0].row == 2  # R0, the first data line


def test_stored_and_viewed_parquet_give_the_same_findings(tmp_path):
    """External tables are copied into DuckDB once per audit; reading the files through views gives
    the same findings, and so does running each rule on its own (no shared scans)."""
    from audit.engine import DuckDBEngine

    pack = load_pack(PACK)
    as_parquet(ROOT / "datasets" / "azerbaijan-2019", tmp_path / "pq")
    stored = essence(audit_dataset(tmp_path / "pq", pack=pack))
    ds = met_dataset(tmp_path / "pq", pack=pack)[0]
    assert essence(audit_dataset(tmp_path / "pq", pack=pack, dataset=ds,
                                 engine=DuckDBEngine(ds, store_external=False))) == stored
    assert essence(audit_dataset(tmp_path / "pq", pack=pack, fused=False)) == stored


def test_contracts_of_a_parquet_table_in_one_pass(tmp_path):
    """Duplicate keys and ranges of a table read by the engine: every row with a repeated key fails,
    and every row out of range, each counted once."""
    folder = tmp_path / "contract"
    shutil.copytree(CASES / "row_check" / "valid", folder)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM (VALUES ('A', 1, 10), ('A', -1, 10), ('B', -3, 5), ('C', 2, 3), ('D', 2, 3)) "
                f"t(region, count, area)) TO '{folder / 'regions.parquet'}' (FORMAT parquet)")
    desc = yaml.safe_load((folder / "datapackage.yaml").read_text())
    desc["resources"][0]["path"] = "regions.parquet"
    desc["resources"][0].pop("totals", None)
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(desc, sort_keys=False))
    pack = load_pack(CASES / "pack")
    pack.rules = []
    [contracts] = audit_dataset(folder, pack=pack).rules
    assert (contracts.items, contracts.failed, contracts.passed) == (5, 3, 2)
    messages = sorted(f.message for f in contracts.findings)
    assert sum("count must be at least 0" in m for m in messages) == 2
    assert sum("appears more than once" in m for m in messages) == 1
    # no duplicate and nothing out of range: the pass counts, nothing more is read
    con.execute(f"COPY (SELECT * FROM (VALUES ('A', 1, 10), ('B', 3, 5)) t(region, count, area)) "
                f"TO '{folder / 'regions.parquet'}' (FORMAT parquet)")
    [contracts] = audit_dataset(folder, pack=pack).rules
    assert (contracts.items, contracts.failed, contracts.status) == (2, 0, "passed")
