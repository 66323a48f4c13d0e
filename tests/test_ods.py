"""OpenDocument spreadsheet resources: the bundled .ods copy of Azerbaijan 2019 audits as its CSV
original does, with the same text output as the .xlsx copy; a cell is read as the text it shows,
checked against its value; repeats and merges are read as a spreadsheet lays them out; and a
hostile file is one message naming the file (and sheet and cell), exit 2, within the limits."""
from __future__ import annotations

import io
import re
import shutil
import sys
import time
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.cli import main
from audit.errors import ProblemCollector
from audit.ods import read_ods, shown_number
from audit.readers import records
from audit.spreadsheet import shown

from .conftest import ROOT, audit_cli
from .ods import ODS, cell, ods_bytes, padding, row, workbook_to_ods
from .test_spreadsheets import CSV_COPY, run, same_findings

pytest.importorskip("defusedxml")

BUNDLED = "datasets/spreadsheets/azerbaijan-2019-ods"


def unnamed(doc: dict) -> list[tuple]:
    """`same_findings` but the fingerprint, which includes the dataset's name: the copy has its
    own, since `audit check datasets/spreadsheets` runs it beside the .xlsx copy."""
    return sorted((f[:2] + f[3:] for f in same_findings(doc)), key=repr)


@pytest.fixture(scope="module")
def bundled():
    return run(ROOT / BUNDLED)


def test_the_ods_copy_audits_as_the_csv_original(bundled):
    code, doc = bundled
    csv_code, csv_doc = run(CSV_COPY)
    assert code == csv_code == 1
    assert unnamed(doc) == unnamed(csv_doc)
    assert [(r["id"], r["status"], r["items"]) for r in doc["rules"]] == \
        [(r["id"], r["status"], r["items"]) for r in csv_doc["rules"]]


def test_locations_name_the_file_sheet_and_cell(bundled):
    _, doc = bundled
    cells = [loc for f in doc["findings"] for loc in f["locations"] if loc.get("table")]
    assert cells and all(loc["file"].endswith("azerbaijan-2019.ods") for loc in cells)
    for loc in cells:
        assert int(re.sub(r"[A-Z]+", "", loc["cell"].rsplit("!", 1)[1])) == loc["row"]
    total = next(loc for f in doc["findings"] if f["rule"] == "totals-add-up" for loc in f["locations"]
                 if loc["role"] == "total" and loc["column"] == "cha_count")
    assert total["cell"] == "Table 1!C7" and total["value"] == "17"  # under a header merged over rows 3 and 4


def test_the_text_output_is_the_xlsx_copys_but_for_the_file():
    """What a person reads does not depend on the format the workbook was saved in."""
    ods, xlsx = audit_cli("check", BUNDLED), audit_cli("check", "datasets/spreadsheets/azerbaijan-2019")
    assert ods.returncode == xlsx.returncode == 1, ods.stderr

    def same(text: str) -> str:
        return re.sub(r"\(\d+\.\d+ s\)", "", text.replace("azerbaijan-2019-ods", "azerbaijan-2019")
                      .replace("azerbaijan-2019.ods", "azerbaijan-2019.xlsx"))

    assert "azerbaijan-2019.ods!Table 4!C4" in ods.stdout  # *4.00, stored as 4.0040: the shown text is read
    assert same(ods.stdout) == same(xlsx.stdout)


def test_a_workbook_saved_by_libreoffice_audits_as_the_bundled_copy(bundled, tmp_path):
    """The same workbook as LibreOffice Calc 7.4 saves it (`soffice --headless --convert-to ods` of
    the bundled .xlsx; committed, so that the test needs no LibreOffice): its own styles, settings
    and repeats, and the same findings and outcomes as the copy tests/ods.py writes."""
    copy = tmp_path / "azerbaijan-2019-ods"
    shutil.copytree(ROOT / BUNDLED, copy)
    shutil.copy(ROOT / "tests" / "cases" / "spreadsheets" / "azerbaijan-2019-libreoffice.ods", copy / ODS)
    with zipfile.ZipFile(copy / ODS) as saved:
        assert b"LibreOffice" in saved.read("meta.xml")
    code, doc = run(copy)
    assert code == bundled[0] == 1
    assert unnamed(doc) == unnamed(bundled[1])
    assert [(r["id"], r["status"], r["items"]) for r in doc["rules"]] == \
        [(r["id"], r["status"], r["items"]) for r in bundled[1]["rules"]]


def test_the_ods_is_what_the_script_writes(tmp_path):
    """The committed file is tests/ods.py's copy of the bundled workbook (rerun it if this fails)."""
    fresh = tmp_path / ODS
    workbook_to_ods(ROOT / "datasets" / "spreadsheets" / "azerbaijan-2019" / "azerbaijan-2019.xlsx", fresh)
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(ROOT / BUNDLED / ODS) as b:
        assert a.read("content.xml") == b.read("content.xml"), "rerun: .venv/bin/python -m tests.ods"
        assert b.namelist()[0] == "mimetype" and b.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    content = zipfile.ZipFile(ROOT / BUNDLED / ODS).read("content.xml").decode()
    assert 'table:number-columns-repeated="1018"' in content and 'number-rows-repeated="1048568"' in content
    assert "<table:covered-table-cell/>" in content


# -- reading one sheet ------------------------------------------------------------------------------

def read(tmp_path, sheets, dialect=None, styles="", **kw):
    """An .ods of `sheets` read as a resource: (table, problems)."""
    path = tmp_path / "t.ods"
    path.write_bytes(ods_bytes(sheets, styles, **kw) if isinstance(sheets, list) else sheets)
    problems = ProblemCollector()
    return read_ods(path, "t.ods", dialect or {}, "datapackage.yaml", "t", problems), problems.problems


def rows_of(table, fields, problems):
    out = list(records(table, fields, problems))
    assert not problems
    return out


def test_repeats_are_expanded_and_trailing_empty_ones_ignored(tmp_path):
    sheet = (row(cell("region"), cell("a"), cell("b"), cell("c"))
             + row(cell("North"), cell(7, "7", repeat=3))  # one value shown in three cells
             + row(cell("South"), cell(1.25, "1.3"), cell(), cell(2, "2"), repeat=2)
             + padding(4))
    table, problems = read(tmp_path, [("S", sheet)])
    assert rows_of(table, ["region", "a", "b", "c"], problems) == [
        (2, {"region": "North", "a": "7", "b": "7", "c": "7"}),
        (3, {"region": "South", "a": "1.3", "b": "", "c": "2"}),
        (4, {"region": "South", "a": "1.3", "b": "", "c": "2"})]
    assert table.header == ["region", "a", "b", "c"] and table.cell(4, "c") == "S!D4"


def test_merged_cells_as_in_xlsx(tmp_path):
    """A header merged across columns names each; a text merged down is each row's; a number merged
    down is read once, in its first cell."""
    covered = "<table:covered-table-cell/>"
    sheet = (row(cell("region", span=(1, 2)), cell("area", span=(2, 1)), covered)
             + row(covered, cell("cha"), cell("sha"))
             + row(cell("North", span=(1, 2)), cell(10, "10", span=(1, 2)), cell(3, "3"))
             + row(covered, covered, cell(4, "4")))
    table, problems = read(tmp_path, [("S", sheet)], {"headerRows": [1, 2], "headerJoin": "_"})
    assert rows_of(table, ["region", "area_cha", "area_sha"], problems) == [
        (3, {"region": "North", "area_cha": "10", "area_sha": "3"}),
        (4, {"region": "North", "area_cha": "", "area_sha": "4"})]


def test_the_dialect_is_read_as_for_xlsx(tmp_path):
    sheets = [("Title", row(cell("x"))),
              ("Data", row(cell("heading")) + row() + row(cell(), cell("k"), cell("v"))
               + row(cell(), cell("a"), cell(1234.5, "1.234,50")) + padding(4))]
    table, problems = read(tmp_path, sheets, {"sheetName": "Data", "range": "B3:C4"})
    assert rows_of(table, ["k", "v"], problems) == [(4, {"k": "a", "v": "1,234.50"})]  # the decimal comma read
    table, problems = read(tmp_path, sheets, {"sheetNumber": 2, "headerRows": [3]})
    assert rows_of(table, ["k", "v"], problems) == [(4, {"k": "a", "v": "1,234.50"})]
    for dialect, message in (({"sheetName": "Daten"}, "the workbook has no sheet 'Daten'"),
                             ({"sheetNumber": 3}, "sheetNumber 3: the workbook has 2 sheet(s)"),
                             ({"sheetName": "Data", "range": "E9:F12"},
                              "range E9:F12 lies outside the sheet 'Data', whose cells end at C4"),
                             ({"range": "B2:A1"}, "range must be a block of cells")):
        table, problems = read(tmp_path, sheets, dialect)
        assert table is None and len(problems) == 1 and message in problems[0].message, problems
    _, problems = read(tmp_path, sheets, {"sheetName": "Daten"})
    assert problems[0].hint == "its sheets: 'Title', 'Data'"


@pytest.mark.parametrize("value, text, percent, printed", [
    (1.645486, "1.65", False, "1.65"),  # two decimals shown: the value's other digits were not printed
    (1234567.891, "1,234,567.89", False, "1,234,567.89"),
    (1234567.891, "1.234.567,89", False, "1,234,567.89"),
    (1234.5, "1 234,5", False, "1,234.5"),
    (0.1234, "12.3%", True, "12.3%"),
    (-3.2, "(3.2)", False, "(3.2)"),
    (-3.2, "-3.2", False, "-3.2"),
    (1234, "€1,234", False, "€1,234"),
    (1500000, "1,500", False, "1,500"),  # a format scaled by a thousand
    (4.0004, "*4.00", False, "*4.00"),
    (123000, "1.23E+05", False, "123000"),  # scientific notation: read as General shows it
    (0, "-", False, "-"),  # a format that shows text alone
    (2.5, None, False, "2.5"),  # no text written: General
])
def test_a_number_is_read_as_its_text_shows_it(value, text, percent, printed):
    result = shown_number(value, text, percent)
    assert (result if isinstance(result, str) else result.text()) == printed


@pytest.mark.parametrize("value, text", [(5.3, "4.1"), (1.5, "1.6"), (1234, "12,3"), (-3.2, "3.3"), (12, "n 13")])
def test_a_text_that_is_not_its_value_shown_is_not_read(value, text):
    assert shown_number(value, text) is None


def test_a_text_that_disagrees_with_its_value_names_the_cell(tmp_path):
    sheet = row(cell("a")) + row(cell(5.3, "4.1"))
    table, problems = read(tmp_path, [("S", sheet)])
    assert table is None and len(problems) == 1
    assert problems[0].file == "t.ods!S!A2" and "shows '4.1' but holds 5.3" in problems[0].message


def test_dates_booleans_and_texts_as_shown(tmp_path):
    styles = ('<number:date-style style:name="N1"><number:month number:style="long"/><number:text> </number:text>'
              '<number:year/></number:date-style>'
              '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>')
    note = ('<table:table-cell office:value-type="string"><office:annotation><text:p>a comment</text:p>'
            '</office:annotation><text:p>Fizuli<text:s text:c="2"/>district</text:p><text:p>west</text:p>'
            '</table:table-cell>')
    boolean = '<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>WAHR</text:p>' \
              '</table:table-cell>'
    sheet = row(cell("a"), cell("b"), cell("c"), cell("d")) + row(
        cell("2015-03-01", "03/15", kind="date", style="ce1"), cell("2018-12-31", "31.12.18", kind="date"),
        boolean, note)
    table, problems = read(tmp_path, [("S", sheet)], styles=styles)
    assert rows_of(table, list("abcd"), problems) == [
        (2, {"a": "March 2015", "b": "2018-12-31", "c": "TRUE", "d": "Fizuli  district\nwest"})]


# -- hostile files: one message, bounded --------------------------------------------------------------

def one_problem(tmp_path, sheets, *words, **kw) -> str:
    start = time.perf_counter()
    table, problems = read(tmp_path, sheets, **kw)
    assert time.perf_counter() - start < 5
    assert table is None and len(problems) == 1, problems
    text = problems[0].render()
    assert all(w in text for w in words), text
    return text


def test_a_huge_repeat_of_an_empty_cell_or_row_costs_nothing(tmp_path):
    sheet = (row(cell("a")) + row(cell(1, "1"), cell(repeat=1_000_000_000), pad=False)
             + row(cell(repeat=16384), repeat=1_000_000_000, pad=False))
    start = time.perf_counter()
    table, problems = read(tmp_path, [("S", sheet)])
    assert time.perf_counter() - start < 2
    assert rows_of(table, ["a"], problems) == [(2, {"a": "1"})]


@pytest.mark.parametrize("sheet, words", [
    (row(cell(1, "1", repeat=1_000_000_000), pad=False), ["t.ods!S!A1", "past column XFD", "1,000,000,000 times"]),
    (row(cell(repeat=16384), cell(1, "1"), pad=False), ["t.ods!S!XFE1", "past column XFD"]),
    (row(cell(), repeat=2_000_000, pad=False) + row(cell("x")), ["t.ods!S!A2000001", "past row 1,048,576"]),
    (row(cell("x"), repeat=2_000_000, pad=False), ["t.ods!S!A1", "past row 1,048,576", "2,000,000 times"]),
    (row(cell(1, "1", repeat=16384), repeat=1000, pad=False), ["t.ods!S!A1", "more than 4,000,000 cells"]),
    (row(cell("x", span=(1_000_000_000, 1))), ["t.ods!S!A1", "past column XFD"]),
    (row(cell("x", span=(2, 2)), repeat=2_000_000, pad=False), ["past row"]),
    (row(cell("x", span=(3000, 3000))), ["t.ods!S!A1", "merges more than 4,000,000 cells"]),
    (row('<table:table-cell table:number-columns-repeated="-5"/>'), ["t.ods!S!A1", "must be a whole number from 1, not '-5'"]),
    (row(cell(5.3, "4.1")), ["t.ods!S!A1", "shows '4.1' but holds 5.3"]),
    (row('<table:table-cell office:value-type="float" office:value="1e999"><text:p>1</text:p></table:table-cell>'),
     ["t.ods!S!A1", "'1e999' is not a number"]),
    (row('<table:table-cell><text:p><text:s text:c="999999999"/></text:p></table:table-cell>'),
     ["t.ods!S!A1", "more than 32,767 characters"]),
    (row("<table:table-cell><text:p>" + "<text:span>" * 100 + "x" + "</text:span>" * 100 + "</text:p></table:table-cell>"),
     ["t.ods", "nests elements more than 64 deep"]),
], ids=["columns-repeated", "past-last-column", "rows-repeated-then-value", "value-rows-repeated", "too-many-cells",
        "spanned-columns", "spanned-rows-repeated", "merged-area", "negative-repeat", "text-not-value",
        "infinite-value", "text-spaces", "deep-nesting"])
def test_hostile_sheets_are_one_message(tmp_path, sheet, words):
    one_problem(tmp_path, [("S", sheet)], *words)


BILLION_LAUGHS = ('<!DOCTYPE office:document-content [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>")


def test_entities_are_refused_unexpanded(tmp_path):
    text = one_problem(tmp_path, [("S", row(cell("&j;")))], "t.ods", "content.xml declares an XML entity",
                       prolog=BILLION_LAUGHS)
    assert "aaaa" not in text
    external = '<!DOCTYPE office:document-content [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    text = one_problem(tmp_path, [("S", row(cell("&e;")))], "declares an XML entity", prolog=external)
    assert "root:" not in text


def test_a_zip_bomb_is_refused_before_it_is_parsed(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        with z.open("content.xml", "w", force_zip64=True) as f:
            for _ in range(260):
                f.write(b" " * (1 << 20))
    one_problem(tmp_path, out.getvalue(), "t.ods", "expands to 260.0 MiB, more than the 256 MiB")


@pytest.mark.parametrize("data, words", [
    (b"PK\x03\x04 not an archive", ["not a spreadsheet that can be read"]),
    (ods_bytes([("S", "")], mimetype="application/vnd.oasis.opendocument.text"),
     ["not an OpenDocument spreadsheet: its mimetype is 'application/vnd.oasis.opendocument.text'"]),
    (ods_bytes([("S", "<table:table-row><table:table-cell></table:table-row>")]),
     ["not a spreadsheet that can be read: content.xml: mismatched tag: line 2"]),
], ids=["not-a-zip", "text-document", "malformed-xml"])
def test_files_that_are_no_spreadsheet(tmp_path, data, words):
    one_problem(tmp_path, data, *words)


def test_an_encrypted_file_says_so(tmp_path):
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(ods_bytes([("S", row(cell("x")))]))) as src, zipfile.ZipFile(data, "w") as z:
        for name in src.namelist():
            text = src.read(name)
            z.writestr(name, text.replace(b'media-type="text/xml"/>', b'media-type="text/xml">'
                                          b'<manifest:encryption-data/></manifest:file-entry>'))
    one_problem(tmp_path, data.getvalue(), "the spreadsheet is encrypted", "without one")


def test_a_hostile_file_stops_the_audit_with_exit_2(tmp_path, capsys):
    """End to end: the audit names the file, sheet and cell, exits 2, and prints no traceback."""
    folder = tmp_path / "ds"
    shutil.copytree(ROOT / BUNDLED, folder)
    path = folder / ODS
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["content.xml"] = members["content.xml"].replace(
        b'<table:table-cell table:number-columns-repeated="1018"/>',
        b'<table:table-cell table:number-columns-repeated="1000000000" office:value-type="float" office:value="1">'
        b"<text:p>1</text:p></table:table-cell>", 1)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert main(["check", str(folder)]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err
    assert "azerbaijan-2019.ods!Table 1!G1: the row's cells run past column XFD" in out.err


def test_without_defusedxml_the_message_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "defusedxml", None)
    monkeypatch.setitem(sys.modules, "defusedxml.ElementTree", None)
    table, problems = read(tmp_path, [("S", row(cell("a")))])
    assert table is None and len(problems) == 1
    assert "needs defusedxml, which is not installed: pip install 'figure-audit[ods]'" in problems[0].render()


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(0, 5), st.booleans(), st.booleans())
def test_every_shown_number_reads_back_in_either_locale(n, decimals, grouped, comma):
    """What a spreadsheet shows for a value (the .xlsx reader's rendering of `0.00`, `#,##0.0`...),
    written with a decimal point or a decimal comma, reads back as that text."""
    value = n / 997  # digits beyond any format
    text = shown(value, ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")).text()
    local = text.translate(str.maketrans(",.", ".,")) if comma else text
    assert shown_number(value, local).text() == text
