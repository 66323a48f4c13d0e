"""Spreadsheet resources: the bundled workbook copy of Azerbaijan 2019 audits as its CSV original
does, its locations name the sheet and the cell, numbers are read as their format shows them,
and a bad workbook or dialect is one message, exit 2."""
from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.spreadsheet import shown

from .conftest import ROOT, audit_cli, check_golden
from .spreadsheets import SHEETS, table_layout_copy, write_workbook
from .test_bundled_datasets import REPORTS, stable_json, stable_text
from .test_cli import match_lines

openpyxl = pytest.importorskip("openpyxl")

CSV_COPY = ROOT / "datasets" / "figures" / "azerbaijan-2019"
BUNDLED = "datasets/spreadsheets/azerbaijan-2019"


def run(path, *args) -> tuple[int, dict]:
    out = audit_cli("check", str(path), "--format", "json", *args)
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, json.loads(out.stdout)


def same_findings(doc: dict) -> list[tuple]:
    """What must not depend on the file format: rule, fingerprint, values, and the message with
    the thousands separators a spreadsheet shows taken out."""
    return sorted((f["rule"], f["severity"], f["fingerprint"], f["observed"], f["expected"], f["difference"],
                   re.sub(r"(?<=\d),(?=\d{3})", "", f["message"]), len(f["locations"])) for f in doc["findings"])


@pytest.fixture(scope="module")
def bundled():
    return run(ROOT / BUNDLED)


def test_the_workbook_audits_as_the_csv_original(bundled):
    code, doc = bundled
    csv_code, csv_doc = run(CSV_COPY)
    assert code == csv_code == 1
    assert same_findings(doc) == same_findings(csv_doc)
    assert [(r["id"], r["status"], r["items"]) for r in doc["rules"]] == \
        [(r["id"], r["status"], r["items"]) for r in csv_doc["rules"]]


def test_locations_name_the_sheet_and_the_cell(bundled):
    _, doc = bundled
    cells = [loc for f in doc["findings"] for loc in f["locations"] if loc.get("table")]
    assert cells and all(loc["file"].endswith("azerbaijan-2019.xlsx") for loc in cells)
    for loc in cells:
        sheet, ref = loc["cell"].rsplit("!", 1)
        assert sheet in {s[0] for s in SHEETS}
        assert int(re.sub(r"[A-Z]+", "", ref)) == loc["row"]  # the row is the sheet's
    total = next(loc for f in doc["findings"] if f["rule"] == "totals-add-up" for loc in f["locations"]
                 if loc["role"] == "total" and loc["column"] == "cha_count")
    assert total["cell"] == "Table 1!C7" and total["value"] == "17"  # the header takes rows 3 and 4 (merged)
    claims = [loc for f in doc["findings"] for loc in f["locations"] if loc.get("claim")]
    assert claims and all("cell" not in loc for loc in claims)


def test_the_json_with_cells_matches_the_schema(bundled):
    import jsonschema

    schema = json.loads((ROOT / "audit" / "schema" / "run.schema.json").read_text())
    jsonschema.validate(bundled[1], schema)


def test_markdown_and_junit_name_the_cell():
    for fmt, place in (("markdown", "azerbaijan-2019.xlsx\\!Table 1\\!C7"), ("junit", "azerbaijan-2019.xlsx!Table 1!C7")):
        out = audit_cli("check", BUNDLED, "--format", fmt)
        assert out.returncode == 1 and place in out.stdout, fmt


def test_the_text_output_names_file_sheet_and_cell():
    out = audit_cli("check", BUNDLED)
    assert out.returncode == 1, out.stderr
    match_lines(out.stdout, [
        "*totals-add-up*printed as 17, but its 2 parts add up to 16*",
        "*row Totals, cha_count = 17  (datasets/spreadsheets/azerbaijan-2019/azerbaijan-2019.xlsx!Table 1!C7)",
        # a value stored as 0.354 with format 0.00 was printed 0.35; *4.00 is the format's literal mark
        "*Table 4*row 2017*area_cleared = [*]4.00 km²*(*azerbaijan-2019.xlsx!Table 4!C4)*",
    ])


def test_the_bundled_workbook_reports_are_up_to_date():
    js = audit_cli("check", BUNDLED, "--format", "json")
    check_golden(REPORTS / "spreadsheets" / "azerbaijan-2019.json", stable_json(js.stdout))
    tx = audit_cli("check", BUNDLED)
    check_golden(REPORTS / "spreadsheets" / "azerbaijan-2019.txt", stable_text(tx.stdout))


def test_the_workbook_is_what_the_script_writes(tmp_path):
    """The committed workbook holds the cells tests/spreadsheets.py writes (compared cell by cell: a
    zip records times), with the merged header and the formats the tests rely on."""
    fresh = tmp_path / "fresh.xlsx"
    write_workbook(CSV_COPY, fresh, SHEETS)

    def cells(path):
        book = openpyxl.load_workbook(path)
        return {ws.title: ([(c.coordinate, c.value, c.number_format) for row in ws.iter_rows() for c in row],
                           sorted(str(r) for r in ws.merged_cells.ranges)) for ws in book.worksheets}

    committed = cells(ROOT / BUNDLED / "azerbaijan-2019.xlsx")
    assert committed == cells(fresh), "rerun: .venv/bin/python -m tests.spreadsheets"
    assert list(committed) == [s[0] for s in SHEETS]
    assert {"C3:D3", "E3:F3", "A3:A4"} <= set(committed["Table 1"][1])
    c3 = next(c for c in committed["Table 4"][0] if c[0] == "C3")
    assert c3[1] != 0.35 and c3[2] == "0.00"  # stored with more digits than it shows


def test_a_table_layout_workbook_audits_as_its_csv_original(tmp_path):
    folder = tmp_path / "azerbaijan-2019"
    table_layout_copy(ROOT / "datasets" / "azerbaijan-2019", folder)
    code, doc = run(folder)
    csv_code, csv_doc = run(ROOT / "datasets" / "azerbaijan-2019")
    assert code == csv_code
    assert same_findings(doc) == same_findings(csv_doc)
    cells = [loc for f in doc["findings"] for loc in f["locations"] if loc.get("table")]
    assert cells and all(loc["file"].endswith("tables.xlsx") and "!" in loc["cell"] for loc in cells)


# -- bad workbooks and dialects ---------------------------------------------------------------------

@pytest.fixture
def workbook(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(ROOT / BUNDLED, folder)
    return folder


def refused(folder) -> str:
    out = audit_cli("check", str(folder))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    return out.stderr


def edit(folder, old: str, new: str) -> int:
    path = folder / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new in line)


def test_an_unknown_sheet_lists_the_sheets(workbook):
    line = edit(workbook, 'sheetName: "Table 2"', 'sheetName: "Tabel 2"')
    err = refused(workbook)
    assert f"datapackage.yaml:{line}: contamination_by_region.dialect.sheetName: the workbook has no sheet " \
           "'Tabel 2'" in err
    assert "hint: its sheets: 'Table 1', 'Table 2', 'Table 3', 'Table 4'" in err
    edit(workbook, "sheetNumber: 3", "sheetNumber: 9")
    assert "sheetNumber 9: the workbook has 4 sheet(s)" in refused(workbook)


def test_a_range_outside_the_sheet_or_malformed(workbook):
    line = edit(workbook, 'range: "B2:C8"', 'range: "K20:M30"')
    err = refused(workbook)
    assert f"datapackage.yaml:{line}: clearance_summary.dialect.range: range K20:M30 lies outside the sheet " \
           "'Table 4', whose cells end at C8" in err
    edit(workbook, 'range: "K20:M30"', 'range: "C8:B2"')
    assert "range must be a block of cells such as B3:F12, not 'C8:B2'" in refused(workbook)


def test_a_corrupt_workbook(workbook):
    (workbook / "azerbaijan-2019.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    err = refused(workbook)
    assert "azerbaijan-2019.xlsx: not a spreadsheet that can be read" in err
    # a zip archive that is no workbook
    with zipfile.ZipFile(workbook / "azerbaijan-2019.xlsx", "w") as z:
        z.writestr("hello.txt", "hello")
    assert "not a spreadsheet that can be read" in refused(workbook)


def test_a_cell_that_is_not_a_number_names_sheet_cell_and_field(workbook):
    path = workbook / "azerbaijan-2019.xlsx"
    book = openpyxl.load_workbook(path)
    book["Table 2"]["C5"] = "n/a\u202e[bold]"
    book.save(path)
    before = path.read_bytes()
    err = refused(workbook)
    assert "azerbaijan-2019.xlsx!Table 2!C5: cha_area: 'n/a" in err and "is not a number" in err
    assert "\u202e" not in err  # a bidi override from the sheet is shown, not sent to the terminal
    assert path.read_bytes() == before  # inputs are never modified


def test_without_openpyxl_the_message_names_the_extra(workbook):
    """The reader is imported only for a spreadsheet; when it is missing, one message says which
    extra to install (the entry point run with openpyxl hidden)."""
    code = ("import sys; sys.modules['openpyxl'] = None; sys.argv = ['audit', 'check', sys.argv[1]]; "
            "from audit.cli import entry; entry()")
    out = subprocess.run([sys.executable, "-c", code, str(workbook)], capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "cannot read a spreadsheet: the xlsx extra is not installed" in out.stderr
    assert "pip install 'figure-audit[xlsx]'" in out.stderr
    # and a CSV dataset never imports it
    check = ("import sys; sys.argv = ['audit', 'check', 'datasets/figures/azerbaijan-2019', '--fail-on', 'never']; "
             "from audit.cli import main; code = main(); assert 'openpyxl' not in sys.modules; sys.exit(code)")
    assert subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, timeout=120).returncode == 0


def test_merged_headers_and_header_false(tmp_path):
    """A header merged across two columns names each; `header: false` maps the columns in order."""
    folder = tmp_path / "ds"
    shutil.copytree(ROOT / BUNDLED, folder)
    path = folder / "azerbaijan-2019.xlsx"
    book = openpyxl.load_workbook(path)
    ws = book["Table 2"]
    ws.delete_rows(3)  # the header row goes: the fields are the columns, in order
    book.save(path)
    edit(folder, '{sheetName: "Table 2", headerRows: [3]}', '{sheetName: "Table 2", range: "A3:E9", header: false}')
    code, doc = run(folder)
    _, original = run(ROOT / BUNDLED)
    assert same_findings(doc) == same_findings(original)


@pytest.mark.parametrize("value, fmt, text", [
    (1.645486, "0.00", "1.65"),
    (1.645486, "General", "1.645486"),
    (0.1 + 0.2, "General", "0.3"),
    (2.5, "0", "3"),  # half away from zero, as a spreadsheet rounds
    (1234567.891, "#,##0.00", "1,234,567.89"),
    (0.1234, "0.0%", "12.3%"),
    (2.5, "0.##", "2.5"),
    (2, "0.##", "2"),
    (1234, "[$€-407]#,##0", "€1,234"),
    (-3.2, "0.0;(0.0)", "(3.2)"),
    (-3.2, "0.0", "-3.2"),
    (3.14159, '0.0" km²"', "3.1 km²"),
    (1500000, "#,##0,", "1,500"),
    (4.0004, '"*"0.00', "*4.00"),
    (12, "@", "12"),
])
def test_numbers_are_read_as_their_format_shows_them(value, fmt, text):
    result = shown(value, fmt)
    assert (result if isinstance(result, str) else result.text()) == text


def test_dates_and_other_values_as_shown():
    assert shown(datetime.datetime(2018, 12, 31), "yyyy-mm-dd") == "2018-12-31"
    assert shown(datetime.datetime(2015, 3, 1), "mmmm yyyy") == "March 2015"
    assert shown(datetime.datetime(2018, 1, 1), "yyyy") == "2018"
    assert shown(True, "General") == "TRUE"
    assert shown("Fizuli", "General") == "Fizuli"


@pytest.mark.parametrize("dialect", [
    "{sheetName: [a, b]}", "{sheetName: 3}", "{sheetNumber: true}", "{sheetNumber: 0}", "{sheetNumber: 1.5}",
    "{range: 12}", '{range: "A1:XFE2"}', '{range: "A0:B2"}', "{headerRows: [2, 1]}", "{headerRows: 'one'}",
    "{header: maybe}", "{headerJoin: {a: 1}}", "[1, 2]", '{sheetName: "Table 1", headerRows: [9]}',
])
def test_hostile_dialects_are_one_message(workbook, dialect):
    edit(workbook, '{sheetName: "Table 2", headerRows: [3]}', dialect)
    err = refused(workbook)
    assert "datapackage.yaml" in err or "azerbaijan-2019.xlsx" in err


def test_merged_cells_below_the_header(tmp_path):
    """A text merged down the rows is each row's; a number merged is read once, in its first cell."""
    from audit.errors import ProblemCollector
    from audit.readers import records
    from audit.spreadsheet import read_sheet

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    ws.append(["region", "district", "area"])
    ws.append(["North", "A", 10])
    ws.append([None, "B", None])
    ws.append(["South", "C", 1.2345])
    ws.merge_cells("A2:A3")
    ws.merge_cells("C2:C3")
    ws["C4"].number_format = "0.0"
    path = tmp_path / "t.xlsx"
    book.save(path)
    problems = ProblemCollector()
    table = read_sheet(path, "t.xlsx", {}, "datapackage.yaml", "t", problems)
    rows = list(records(table, ["region", "district", "area"], problems))
    assert not problems.problems
    assert rows == [(2, {"region": "North", "district": "A", "area": "10"}),
                    (3, {"region": "North", "district": "B", "area": ""}),
                    (4, {"region": "South", "district": "C", "area": "1.2"})]
    assert table.cell(4, "area") == "Data!C4"


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(0, 5), st.booleans())
def test_a_number_reads_back_as_its_format_shows_it(n, decimals, grouped):
    """What a cell shows, read by the number reader, is the value rounded half away from zero to
    the format's decimals, with those decimals."""
    from decimal import ROUND_HALF_UP, Decimal

    from audit.numbers import read_number

    value = n / 997  # digits beyond any format
    fmt = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
    text = shown(value, fmt).text()
    expected = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert read_number(text) == (float(expected), decimals, "")


def test_a_workbook_that_merges_a_whole_sheet_is_refused_before_it_is_loaded(workbook):
    """openpyxl makes an object of every merged cell: a merge of the whole sheet would take hours."""
    path = workbook / "azerbaijan-2019.xlsx"
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(name for name, data in members.items() if name.startswith("xl/worksheets/") and b"mergeCell " in data)
    members[sheet] = re.sub(rb'<mergeCell ref="[^"]+"', b'<mergeCell ref="A1:XFD1048576"', members[sheet], count=1)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert "merges more than 4,000,000 cells" in refused(workbook)


def test_a_hostile_sheet_name_stays_text(workbook):
    """A sheet name is data: a bidi override in it is shown, never obeyed, and markup is kept literal."""
    path = workbook / "azerbaijan-2019.xlsx"
    book = openpyxl.load_workbook(path)
    name = "T\u202e1 <b>x<b> %0A"
    book["Table 1"].title = name
    book.save(path)
    edit(workbook, 'sheetName: "Table 1"', 'sheetName: "T\\u202e1 <b>x<b> %0A"')
    out = audit_cli("check", str(workbook))
    assert out.returncode == 1, out.stderr
    assert "\u202e" not in out.stdout and "1 <b>x<b> %0A!C7" in out.stdout
    _, doc = run(workbook)
    assert any(loc.get("cell") == f"{name}!C7" for f in doc["findings"] for loc in f["locations"])
