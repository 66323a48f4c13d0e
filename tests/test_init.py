"""`audit init FOLDER --profile P`: a draft descriptor for a folder of tables, through the real
entry point, on copies of the bundled datasets' tables (as transcribed, and with the headers the
reports print, taken from the bundled descriptors' field titles)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.cli import main
from audit.errors import AuditInputError
from audit.init import draft_descriptor

from .conftest import ROOT, audit_cli
from .test_cli import match_lines
from .test_hostile_values import audit_in, texts

FIGURES = ROOT / "datasets" / "figures"
PRINTED = ["serbia-2014", "azerbaijan-2019", "croatia-2014"]


def printed_copy(folder: Path, *datasets: str) -> Path:
    """The tables of bundled datasets with the header each report prints (the fields' titles)
    instead of the transcriber's column names."""
    folder.mkdir(exist_ok=True)
    for name in datasets:
        meta = yaml.safe_load((FIGURES / name / "datapackage.yaml").read_text(encoding="utf-8"))
        for res in meta["resources"]:
            titles = [f.get("title", f["name"]) for f in res["schema"]["fields"]]
            lines = (FIGURES / name / res["path"]).read_text(encoding="utf-8").splitlines(keepends=True)
            head = io.StringIO()
            csv.writer(head, lineterminator="\n").writerow(titles)
            (folder / res["path"]).write_text(head.getvalue() + "".join(lines[1:]), encoding="utf-8")
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def fields_of(draft: Path) -> dict[str, dict[str, dict]]:
    doc = yaml.safe_load(draft.read_text(encoding="utf-8"))
    return {r["path"]: {f["name"]: f for f in r["schema"]["fields"]} for r in doc["resources"]}


def test_draft_of_copied_csv_files_validates_and_audits(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    for name in ("serbia-2014", "azerbaijan-2019"):
        for csv_file in (FIGURES / name).glob("*.csv"):
            shutil.copy(csv_file, folder)
    before = digests(folder)
    out = audit_cli("init", str(folder), "--profile", "mine-action")
    assert out.returncode == 0, out.stderr
    assert "wrote" in out.stderr and "datapackage.yaml" in out.stderr
    draft = folder / "datapackage.yaml"
    assert draft.is_file()
    check = audit_cli("check", str(folder), "--format", "json")
    assert check.returncode in (0, 1), check.stderr
    assert "Traceback" not in check.stderr
    fields = fields_of(draft)
    assert fields["table3-mine-clearance-2018.csv"]["areas_cleared"]["measure"] == "areas_released"
    assert fields["contamination-by-municipality-2014.csv"]["locality"]["parent"] == "region"
    assert digests(folder) == {**before, "datapackage.yaml": digests(folder)["datapackage.yaml"]}


def test_printed_headers_map_as_the_bundled_descriptors_do(tmp_path):
    folder = printed_copy(tmp_path / "printed", *PRINTED)
    out = audit_cli("init", str(folder), "--profile", "mine-action")
    assert out.returncode == 0, out.stderr
    fields = fields_of(folder / "datapackage.yaml")
    wrong = []
    for name in PRINTED:
        meta = yaml.safe_load((FIGURES / name / "datapackage.yaml").read_text(encoding="utf-8"))
        for res in meta["resources"]:
            for f in res["schema"]["fields"]:
                drafted = fields[res["path"]][f.get("title", f["name"])]
                for key in ("measure", "unit", "dimension"):
                    if key in drafted and drafted[key] != f.get(key, "count" if key == "unit" else None):
                        wrong.append((res["path"], f["name"], key, drafted[key], f.get(key)))
                for d, member in (drafted.get("at") or {}).items():
                    if d != "period" and (f.get("at") or {}).get(d) != member:
                        wrong.append((res["path"], f["name"], f"at.{d}", member, (f.get("at") or {}).get(d)))
    assert not wrong, wrong
    clearance = fields["table3-mine-clearance-2018.csv"]
    assert clearance["AP mines destroyed"]["measure"] == "devices_destroyed"
    assert clearance["AP mines destroyed"]["at"] == {"device": "anti-personnel", "item": "mines"}
    assert clearance["Area cleared (m2)"]["unit"] == "m2"
    assert fields["table4-five-year-clearance.csv"]["Year"]["dimension"] == "period"
    assert fields["contamination-by-municipality-2014.csv"]["SHAs"]["at"] == {"status": "suspected"}
    # the drafted Azerbaijan tables find what the bundled descriptor finds in them
    check = audit_cli("check", str(folder))
    assert check.returncode == 1, check.stderr
    match_lines(check.stdout, ["*cleared-nothing-found*Jabrayil*", "Rules: * 0 broken"])


def test_every_guess_says_what_it_was_guessed_from(tmp_path):
    folder = printed_copy(tmp_path / "printed", "serbia-2014", "croatia-2014")
    out = audit_cli("init", str(folder), "--profile", "mine-action", "--output", "-")
    assert out.returncode == 0, out.stderr
    assert not (folder / "datapackage.yaml").exists()
    for line in out.stdout.splitlines():
        if "measure:" in line or "dimension:" in line or line.lstrip().startswith(("at:", "totals:")):
            assert "# review: " in line, line
    match_lines(out.stdout, [
        "at: {country: printed}  # review: country is required*folder's name*",
        '*totals: {column: County, labels: [[]Total]}  # review: totals rows guessed from the label "Total"*',
        '*{name: "Suspected mined area", type: number}  # review: not mapped: measure hazardous_area guessed from '
        'header "Suspected mined area" ("mined area"), but no unit is printed*',
        '*at: {period: "2014"}  # review: period "2014" guessed from the file name*',
        '*{name: Village, type: string, dimension: place, parent: Municipality}  # review: *within column '
        '"Municipality"',
        '*{name: SHAs, type: integer, measure: hazardous_areas, at: {status: suspected}}  # review: measure '
        'hazardous_areas guessed from header "SHAs" ("shas"); status "suspected" from "shas"',
        '*{name: "Area (m2)", type: integer, measure: hazardous_area, unit: m2}  # review: *unit m2 from "m2"',
    ])


def test_refuses_to_overwrite_a_descriptor_unless_forced(tmp_path):
    folder = printed_copy(tmp_path / "printed", "serbia-2014")
    draft = folder / "datapackage.yaml"
    draft.write_text("# mine\n", encoding="utf-8")
    out = audit_cli("init", str(folder), "--profile", "mine-action")
    assert out.returncode == 2
    match_lines(out.stderr, ["audit: *datapackage.yaml: already exists: refusing to overwrite it", "  hint: --force*"])
    assert draft.read_text(encoding="utf-8") == "# mine\n"
    assert audit_cli("init", str(folder), "--profile", "mine-action", "--force").returncode == 0
    assert "measure: hazardous_area" in draft.read_text(encoding="utf-8")


@pytest.mark.parametrize("header, unit", [("Area (m2)", "m2"), ("Area km²", "km2"), ("Area (ha)", "ha"),
                                          ("Area, hectares", "ha"), ("Area", None)])
def test_units_are_read_from_headers_through_the_vocabulary(tmp_path, header, unit):
    rows = (FIGURES / "serbia-2014" / "contamination-by-municipality-2014.csv").read_text(encoding="utf-8")
    body = "".join(rows.splitlines(keepends=True)[1:])
    (tmp_path / "areas-2014.csv").write_text(f'Municipality,Village,SHAs,"{header}"\n' + body, encoding="utf-8")
    text, _, _ = draft_descriptor(tmp_path, "mine-action")
    field = next(f for f in yaml.safe_load(text)["resources"][0]["schema"]["fields"] if f["name"] == header)
    assert field.get("unit") == unit
    assert ("measure" in field) == (unit is not None)


def test_periods_in_headers_and_measures_from_the_file_name(tmp_path):
    (tmp_path / "areas-cleared.csv").write_text("Region,Areas cleared 2018,2019\nFizuli,3,4\nAghdam,0,1\n"
                                                "Totals,3,5\n", encoding="utf-8")
    text, _, _ = draft_descriptor(tmp_path, "mine-action")
    fields = {f["name"]: f for f in yaml.safe_load(text)["resources"][0]["schema"]["fields"]}
    assert fields["Areas cleared 2018"]["at"]["period"] == "2018"
    assert fields["2019"]["measure"] == "areas_released" and fields["2019"]["at"]["period"] == "2019"
    assert 'guessed from the file name "areas-cleared"' in text


def test_hostile_headers_stay_in_their_strings(tmp_path, capsys):
    (tmp_path / "t-2014.csv").write_text('Region,"SHAs\n# x: 1\u2028y: {",\'Area: (m2) #\'\nA,1,2\nB,3,4\n',
                                         encoding="utf-8")
    assert main(["init", str(tmp_path), "--profile", "mine-action"]) == 0, capsys.readouterr().err
    doc = yaml.safe_load((tmp_path / "datapackage.yaml").read_text(encoding="utf-8"))
    assert set(doc) == {"name", "auditProfile", "at", "resources"}
    assert [f["name"] for f in doc["resources"][0]["schema"]["fields"]] == ["Region", "SHAs # x: 1 y: {",
                                                                           "'Area: (m2) #'"]
    assert main(["check", str(tmp_path), "--quiet"]) in (0, 1), capsys.readouterr().err


@pytest.mark.parametrize("case, message", [
    ("missing", "*nowhere: no such folder"),
    ("empty", "*empty: no table to describe*"),
    ("profile", "*--profile: no pack of figures for profile 'no-such-profile'"),
    ("tables", "*--profile: the pack of profile 'mine-action-country-chapter' is in the table layout*"),
    ("repeated", '*contamination-by-province-2014.csv:1: the header names the column "Area (km2)" twice'),
    ("malformed", "*bad.csv:2: malformed CSV: *"),
    ("width", "*bad.csv:3: expected 2 values, found 3"),
    ("outside", "*elsewhere.yaml: --output: the draft must be written in the folder of its tables"),
    ("sheet", "*broken.xlsx: not a spreadsheet that can be read*"),
])
def test_bad_input_is_one_message_and_exit_2(tmp_path, capsys, case, message):
    """In-process through the command line's `main` (the entry point's own code; one case below
    runs the installed script), to keep the file fast."""
    folder = tmp_path / {"missing": "nowhere", "empty": "empty"}.get(case, "tables")
    profile = {"profile": "no-such-profile", "tables": "mine-action-country-chapter"}.get(case, "mine-action")
    if case != "missing":
        folder.mkdir()
    if case in ("profile", "tables"):
        printed_copy(folder, "serbia-2014")
    if case == "repeated":
        printed_copy(folder, "tajikistan-2014")
    if case == "malformed":
        (folder / "bad.csv").write_bytes(b'Region,SHAs\n"K"x,4\n')
    if case == "width":
        (folder / "bad.csv").write_text("Region,SHAs\nA,1\nB,2,3\n", encoding="utf-8")
    if case == "outside":
        printed_copy(folder, "serbia-2014")
    if case == "sheet":
        (folder / "broken.xlsx").write_bytes(b"not a zip archive")
    extra = ["--output", str(tmp_path / "elsewhere.yaml")] if case == "outside" else []
    code = main(["init", str(folder), "--profile", profile, *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err
    match_lines(err, ["audit: " + message])
    if case == "profile":
        assert "hint: the profiles audit init can draft for: " in err and "mine-action" in err
    assert not (folder / "datapackage.yaml").exists() and not (tmp_path / "elsewhere.yaml").exists()


def test_a_folder_that_does_not_exist_through_the_installed_script(tmp_path):
    out = audit_cli("init", str(tmp_path / "nowhere"), "--profile", "mine-action")
    assert out.returncode == 2
    assert out.stderr.startswith("audit: ") and "nowhere: no such folder" in out.stderr
    assert "Traceback" not in out.stderr and not out.stdout


def test_a_vocabulary_with_bad_synonyms_is_refused_at_its_line(tmp_path):
    from audit.figures.vocabulary import load_vocabulary

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "mine-action-figures", pack)
    vocab = pack / "vocabulary.yaml"
    text = vocab.read_text(encoding="utf-8")
    vocab.write_text(text.replace("synonyms: [hazardous areas,", "synonyms: [12, hazardous areas,", 1),
                     encoding="utf-8")
    with pytest.raises(AuditInputError) as exc:
        load_vocabulary(vocab)
    (problem,) = exc.value.problems
    assert problem.field == "measures.hazardous_areas.synonyms" and problem.line is not None
    assert "synonyms must be a list of words or phrases" in problem.message
    assert load_vocabulary(ROOT / "rules" / "mine-action-figures" / "vocabulary.yaml") \
        .measures["hazardous_areas"].synonyms[0] == "hazardous areas"


def test_a_workbook_drafts_one_resource_per_sheet_that_audits(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    shutil.copy(ROOT / "datasets" / "spreadsheets" / "azerbaijan-2019" / "azerbaijan-2019.xlsx", tmp_path)
    assert main(["init", str(tmp_path), "--profile", "mine-action"]) == 0, capsys.readouterr().err
    doc = yaml.safe_load((tmp_path / "datapackage.yaml").read_text(encoding="utf-8"))
    sheets = {r["dialect"]["sheetNumber"]: r for r in doc["resources"]}
    assert sorted(sheets) == [1, 2, 3, 4]
    # Table 1's header is merged over two rows below a title: both rows, joined
    assert sheets[1]["dialect"]["headerRows"] == [3, 4]
    cha = next(f for f in sheets[1]["schema"]["fields"] if f["name"] == "cha count")
    assert cha["measure"] == "hazardous_areas" and cha["at"]["status"] == "confirmed"
    assert main(["check", str(tmp_path), "--quiet"]) in (0, 1), capsys.readouterr().err


def test_a_table_that_is_not_utf8_gets_its_encoding_guessed_for_review(tmp_path, capsys):
    rows = (FIGURES / "serbia-2014" / "contamination-by-municipality-2014.csv").read_text(encoding="utf-8")
    (tmp_path / "villages-2014.csv").write_bytes(rows.encode("windows-1250"))
    assert main(["init", str(tmp_path), "--profile", "mine-action"]) == 0, capsys.readouterr().err
    text = (tmp_path / "datapackage.yaml").read_text(encoding="utf-8")
    match_lines(text, ["    encoding: windows-125?  # review: the file is not UTF-8*"])
    assert main(["check", str(tmp_path), "--quiet"]) in (0, 1), capsys.readouterr().err


HEADERS = st.one_of(
    st.sampled_from(["Region", "Village", "SHAs", "CHA area (m2)", "Area, hectares", "Cleared 2018", "2019",
                     "Type of device (code)", "Year", "Operator", "AP mines destroyed", "Area km²", "Total"]),
    texts,
)
CELLS = st.one_of(
    st.sampled_from(["", "0", "4", "1,142,486", "*4.00", "146*", "0,350", "12,5", "2018", "2014", "-", "n/a",
                     "Total", "Totals", "anti-personnel", "AP", "Fizuli", "end 2018", "1e400", "−3"]),
    texts,
)


@given(header=st.lists(HEADERS, min_size=1, max_size=4),
       rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=0, max_size=4))
@settings(max_examples=int(os.environ.get("AUDIT_SWEEP_INIT", 12)), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_table_drafts_a_descriptor_that_loads_or_is_refused_in_one_message(tmp_path_factory, header, rows):
    """Whatever the headers and cells (hostile text, numbers in every print, totals, members),
    init exits 0 or 2 with no traceback, and a draft it writes is valid YAML that `audit check`
    loads (exit 0 or 1, never 2)."""
    work = tmp_path_factory.mktemp("init-any")
    folder = work / "tables-2018"
    folder.mkdir()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row[:len(header)])
    # a lone surrogate is written as its bytes: a file that is not valid UTF-8
    (folder / "table-2018.csv").write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))
    code, _out, err = audit_in(work, ["init", "tables-2018", "--profile", "mine-action"])
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.startswith("audit: ") and "tables-2018" in err, err
        return
    yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    code, _out, err = audit_in(work, ["check", "tables-2018", "--quiet"])
    assert code in (0, 1), err


# A report's table as monitors receive it: a caption above it that prints the period and the unit,
# the table itself starting at B3, a total that does not add up (120,000 + 98,887 is 218,887, not
# 218,987), then an empty row and notes below it. The .ods copy was saved by LibreOffice Calc 7.4
# (`soffice --headless --convert-to ods` of the workbook `sheet_with_notes` writes), committed so
# that the test needs no LibreOffice.
LIBREOFFICE_ODS = ROOT / "tests" / "cases" / "spreadsheets" / "sheet-with-notes.ods"


def sheet_with_notes(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Land release"
    ws["A1"] = "Table 3: Land release in 2018 (m2)"
    ws.append([])
    ws.append(["", "Region", "Cleared", "AP mines destroyed"])
    for row in [("Aghdam", 120000, 3), ("Fuzuli", 98887, 0), ("Total", 218987, 3)]:
        ws.append(["", *row])
    ws.append([])
    ws.append(["", "Source: national authority, 2019."])
    ws.append(["", "* provisional figures"])
    book.save(path)


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_table_inside_a_larger_sheet_drafts_its_range_period_and_unit(tmp_path, capsys, kind):
    if kind == "xlsx":
        sheet_with_notes(tmp_path / "report.xlsx")
    else:
        pytest.importorskip("defusedxml")
        shutil.copy(LIBREOFFICE_ODS, tmp_path / "report.ods")
    assert main(["init", str(tmp_path), "--profile", "mine-action"]) == 0, capsys.readouterr().err
    text = (tmp_path / "datapackage.yaml").read_text(encoding="utf-8")
    (res,) = yaml.safe_load(text)["resources"]
    # the notes are left out of the range; the caption gives the period, and the unit of the column
    # whose header prints none
    assert res["dialect"] == {"sheetNumber": 1, "headerRows": [3], "range": "A1:D6"}
    assert res["at"] == {"period": "2018"}
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert fields["Cleared"]["measure"] == "area_released" and fields["Cleared"]["unit"] == "m2"
    match_lines(text, ['*the range ends above 2 row(s) of notes below the table, such as "Source: national*',
                       '*period "2018" guessed from the caption above the table "Table 3: Land release in 2018 (m2)"*',
                       "*unit m2 from \"m2\" in the caption above the table*"])
    capsys.readouterr()
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    totals = [f for f in findings if f["rule"] == "totals-add-up"]
    assert len(totals) == 1, findings
    # the total's cell, as the sheet numbers it; no finding names a row of the notes
    total = next(loc for loc in totals[0]["locations"] if loc["role"] == "total")
    assert total["file"].endswith(f"report.{kind}") and total["cell"] == "Land release!C6", total
    assert {loc["cell"] for f in findings for loc in f["locations"]} <= {f"Land release!C{r}" for r in (4, 5, 6)}
