"""Text encodings and number formats of CSV resources, in both layouts, through the real entry
point: a declared encoding is honoured, an undeclared non-UTF-8 file is refused with the encoding
to declare, and Frictionless decimalChar, groupChar and bareNumber read numbers as printed."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.numbers import DEFAULT, NumberError, NumberFormat, number_format, read_number

from .conftest import ROOT, audit_cli

FIGURES = ROOT / "datasets" / "figures" / "azerbaijan-2019"
TABLES = ROOT / "datasets" / "azerbaijan-2019"
TABLE1 = "table1-mined-area-by-type.csv"
TABLE4 = "table4-five-year-clearance.csv"


def findings(folder: Path) -> tuple[int, list[tuple]]:
    """The exit code and the findings of an audit, as (rule, fingerprint, observed, expected)."""
    out = audit_cli("check", str(folder), "--format", "json")
    assert out.returncode in (0, 1), out.stderr
    doc = json.loads(out.stdout)
    return out.returncode, sorted((f["rule"], f["fingerprint"], f["observed"], f["expected"]) for f in doc["findings"])


def refused(folder: Path) -> str:
    out = audit_cli("check", str(folder))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    return out.stderr


def copy(source: Path, tmp_path: Path) -> Path:
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    return folder


def declare(folder: Path, csv_name: str, line: str) -> None:
    """Add `line` (e.g. `encoding: windows-1252`) to the resource of `csv_name` in the descriptor."""
    path = folder / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    needle = f"    path: {csv_name}\n"
    assert needle in text
    path.write_text(text.replace(needle, needle + f"    {line}\n"), encoding="utf-8")


def set_field(folder: Path, field_start: str, extra: str) -> None:
    """Add keys to the first field mapping that starts with `field_start` ({name: x, ...)."""
    path = folder / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    i = text.index(field_start, text.index("table4"))
    end = text.rindex("}", i, text.index("\n", i))
    path.write_text(text[:end] + ", " + extra + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def original_figures():
    return findings(FIGURES)


@pytest.fixture(scope="module")
def original_tables():
    return findings(TABLES)


# -- encodings ------------------------------------------------------------------------------------

def relabel(folder: Path, encoding: str, label: str = "Mines anti-personnel – été") -> None:
    path = folder / TABLE1
    text = path.read_text(encoding="utf-8").replace("Anti-personnel mines", label)
    path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize("source", [FIGURES, TABLES], ids=["figures", "tables"])
def test_a_declared_windows_1252_file_is_read_in_it(tmp_path, source, original_figures, original_tables):
    folder = copy(source, tmp_path)
    relabel(folder, "windows-1252")  # the en dash is 0x96: windows-1252, not latin-1
    declare(folder, TABLE1, "encoding: windows-1252")
    original = original_figures if source == FIGURES else original_tables
    assert findings(folder) == original
    out = audit_cli("check", str(folder))
    assert "Mines anti-personnel – été" in out.stdout


@pytest.mark.parametrize("source", [FIGURES, TABLES], ids=["figures", "tables"])
def test_an_undeclared_latin_1_file_is_refused_with_the_line_to_add(tmp_path, source):
    folder = copy(source, tmp_path)
    relabel(folder, "latin-1", "Mines anti-personnel (été)")
    err = refused(folder)
    assert f"{TABLE1}:2: not UTF-8 text: byte 0xe9 cannot be read, and no encoding is declared" in err
    hint = next(line for line in err.splitlines() if "hint:" in line)
    assert "charset-normalizer" in hint and re.search(r"add `encoding: [\w-]+` to resource 'contamination_by_type'",
                                                      hint), hint


def test_utf_16_with_a_byte_order_mark(tmp_path, original_figures):
    folder = copy(FIGURES, tmp_path)
    relabel(folder, "utf-16")
    declare(folder, TABLE1, "encoding: utf-16")
    assert findings(folder) == original_figures
    # the mark itself says what the file is: undeclared, it is read too
    folder2 = copy(FIGURES, tmp_path / "undeclared")
    relabel(folder2, "utf-16")
    assert findings(folder2) == original_figures


def test_an_encoding_python_does_not_know_names_the_descriptor_line(tmp_path):
    folder = copy(FIGURES, tmp_path)
    declare(folder, TABLE1, "encoding: klingon-8")
    err = refused(folder)
    line = next(i for i, text in enumerate((folder / "datapackage.yaml").read_text().splitlines(), 1)
                if "klingon" in text)
    assert f"datapackage.yaml:{line}: contamination_by_type.encoding: encoding 'klingon-8' is not one Python " \
           "knows" in err
    for name in ("rot13", "base64"):  # codecs that are not text encodings
        other = copy(FIGURES, tmp_path / name)
        declare(other, TABLE1, f"encoding: {name}")
        assert f"encoding '{name}' is not a text encoding" in refused(other)


def test_a_file_not_valid_in_its_declared_encoding(tmp_path):
    folder = copy(TABLES, tmp_path)
    relabel(folder, "latin-1", "Mines (été)")
    declare(folder, TABLE1, "encoding: ascii")
    err = refused(folder)
    assert f"{TABLE1}:2: encoding: not valid ascii text: byte 0xe9 cannot be read" in err


# -- number formats ------------------------------------------------------------------------------

def rewrite(folder: Path, name: str, change) -> None:
    path = folder / name
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_decimal_comma_with_a_semicolon_delimiter(tmp_path, original_figures, original_tables):
    for source, original in ((FIGURES, original_figures), (TABLES, original_tables)):
        folder = copy(source, tmp_path / source.parent.name)
        rewrite(folder, TABLE4, lambda t: t.replace(",", ";").replace(".", ","))
        declare(folder, TABLE4, 'dialect: {delimiter: ";"}')
        set_field(folder, "{name: area_cleared", 'decimalChar: ","')
        assert findings(folder) == original, source


def test_thousands_grouped_by_spaces(tmp_path, original_figures, original_tables):
    def group(text: str, sep: str) -> str:
        return re.sub(r"\d{4,}", lambda m: f"{int(m.group()):,}".replace(",", sep), text)

    for source, original in ((FIGURES, original_figures), (TABLES, original_tables)):
        # thin, narrow no-break and no-break spaces need no declaration
        for sep in ("\u2009", "\u202f", "\u00a0"):
            folder = copy(source, tmp_path / f"{source.parent.name}-{ord(sep)}")
            rewrite(folder, TABLE1, lambda t: group(t, sep))
            assert findings(folder) == original
        # a plain space is read as one only where the field declares it
        folder = copy(source, tmp_path / f"{source.parent.name}-space")
        rewrite(folder, TABLE1, lambda t: group(t, " "))
        err = refused(folder)
        assert "'1 142 486' is not a number: it holds a space" in err and "groupChar" in err
        text = (folder / "datapackage.yaml").read_text(encoding="utf-8")
        (folder / "datapackage.yaml").write_text(text.replace("unit: m2,", "unit: m2, groupChar: ' ',"),
                                                 encoding="utf-8")
        assert findings(folder) == original


def test_bare_number_false_drops_the_text_around_a_number(tmp_path, original_figures, original_tables):
    for source, original in ((FIGURES, original_figures), (TABLES, original_tables)):
        folder = copy(source, tmp_path / source.parent.name)
        descriptor = folder / "datapackage.yaml"  # the bundled field declares it already (for its footnote marks)
        descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(", bareNumber: false}", "}"),
                              encoding="utf-8")
        rewrite(folder, TABLE4, lambda t: re.sub(r"(\d\.\d\d)", r"\1 km²", t))
        err = refused(folder)
        assert "'0.35 km²' is not a number" in err and "bareNumber: false" in err
        set_field(folder, "{name: area_cleared", "bareNumber: false")
        assert findings(folder) == original
    # the footnote mark is still read as one: the 2017 figure keeps its note
    out = audit_cli("check", str(tmp_path / "figures" / "azerbaijan-2019"), "--format", "json")
    assert "*4.00 km²" in out.stdout


@pytest.mark.parametrize("source", [FIGURES, TABLES], ids=["figures", "tables"])
def test_an_ambiguous_decimal_comma_is_refused(tmp_path, source):
    folder = copy(source, tmp_path)
    rewrite(folder, TABLE4, lambda t: t.replace("2018,0.35", '2018,"0,350"'))
    err = refused(folder)
    assert f"{TABLE4}:2: area_cleared: '0,350' is ambiguous: its comma does not group thousands" in err
    assert "decimalChar: ','" in err


def test_number_format_keys_are_checked(tmp_path):
    folder = copy(FIGURES, tmp_path)
    set_field(folder, "{name: area_cleared", 'decimalChar: ",", groupChar: ","')
    assert "groupChar and decimalChar are both ','" in refused(folder)
    folder = copy(TABLES, tmp_path / "t")
    set_field(folder, "{name: area_cleared", "decimalChar: 7")
    assert "area_cleared.decimalChar: expected text, found a number" in refused(folder)
    folder = copy(TABLES, tmp_path / "t2")
    set_field(folder, "{name: area_cleared", "decimalChar: '7'")
    assert "decimalChar must be one character that is not a digit or a sign" in refused(folder)


def test_read_number_examples():
    fr = NumberFormat(decimal=",", group=" ")
    assert read_number("1\u202f234,5", fr) == (1234.5, 1, "")
    assert read_number("1.234,50", NumberFormat(",", ".")) == (1234.5, 2, "")
    assert read_number("€ 1,200", NumberFormat(bare=False)) == (1200.0, 0, "")
    assert read_number("45 %", NumberFormat(bare=False)) == (45.0, 0, "")
    assert read_number("−3.5", DEFAULT) == (-3.5, 1, "")
    assert read_number("2.5[3]", DEFAULT) == (2.5, 1, "[3]")
    for bad, fmt in (("0,350", DEFAULT), ("12,5", DEFAULT), ("1.234,5", NumberFormat(",")), ("1,,5", NumberFormat(group=",")),
                     ("12.5 km2", NumberFormat(bare=False)), ("1 23", DEFAULT), ("1,234 567", DEFAULT)):
        with pytest.raises(NumberError):
            read_number(bad, fmt)
    assert number_format({"groupChar": "\u2009"})[0].group == " "


GROUPS = [None, ",", ".", " ", "\u2009", "\u202f", "\u00a0", "'"]


@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(0, 4), st.sampled_from([".", ","]),
       st.sampled_from(GROUPS), st.booleans(), st.sampled_from(["", "*", "†"]))
def test_printed_numbers_round_trip(n, decimals, decimal, group, declared, mark):
    """A number printed with any decimal mark and thousands separator reads back as its value and
    its decimals, under the declaration that says how it was printed."""
    if group == decimal:
        group = None
    value = n / 10 ** decimals
    digits = f"{abs(value):,.{decimals}f}"
    whole, _, frac = digits.partition(".")
    if group is None and not declared and decimal == ".":
        sep, fmt = ",", DEFAULT  # undeclared: a comma that groups thousands
    elif group is None:
        sep, fmt = "\u2009", NumberFormat(decimal)  # typeset spaces need no declaration
    else:
        sep, fmt = group, NumberFormat(decimal, " " if group.isspace() else group)
    text = ("-" if value < 0 else "") + whole.replace(",", sep) + (decimal + frac if frac else "")
    parsed = read_number(mark + text, fmt)
    assert parsed == (float(f"{value:.{decimals}f}"), decimals, mark)


def test_a_scanned_table_refuses_what_the_engine_would_ignore(tmp_path):
    """A table read by DuckDB (scan: true) is read as UTF-8 with plain numbers: a declared encoding
    or number format it would not honour is refused, not ignored."""
    folder = copy(TABLES, tmp_path)
    declare(folder, TABLE4, "scan: true")
    declare(folder, TABLE4, "encoding: windows-1252")
    assert "a table read by the engine (scan, Parquet) is read as UTF-8, not windows-1252" in refused(folder)
    folder = copy(TABLES, tmp_path / "fmt")
    declare(folder, TABLE4, "scan: true")
    set_field(folder, "{name: area_cleared", 'decimalChar: ","')
    assert "decimalChar, groupChar and bareNumber are read only from tables read into memory" in refused(folder)


def test_a_dialect_declares_the_format_of_every_field(tmp_path, original_figures, original_tables):
    """decimalChar in a resource's dialect holds for each of its fields (a field may still override it)."""
    for source, original in ((FIGURES, original_figures), (TABLES, original_tables)):
        folder = copy(source, tmp_path / source.parent.name)
        rewrite(folder, TABLE4, lambda t: t.replace(",", ";").replace(".", ","))
        declare(folder, TABLE4, 'dialect: {delimiter: ";", decimalChar: ","}')
        assert findings(folder) == original, source
