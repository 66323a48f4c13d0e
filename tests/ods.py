"""OpenDocument spreadsheets for the tests, written as LibreOffice writes them: `mimetype` first
and stored, each cell's value (`office:value`) beside the text it shows (`<text:p>`), number
formats as data styles, merged cells as spanned and covered cells, and every row padded with
repeated empty cells to column 1024 and the sheet with repeated empty rows to row 1,048,576.

    .venv/bin/python -m tests.ods     # rewrites datasets/spreadsheets/azerbaijan-2019-ods

The bundled copy is the bundled workbook (datasets/spreadsheets/azerbaijan-2019) cell for cell:
the same values, the text each cell shows in it (`audit.spreadsheet.shown`, which reads an `.xlsx`
number format as a spreadsheet shows it), the same merges. `ods_bytes` builds a small file from
the XML of its sheets, for the hostile cases of tests/test_ods.py.
"""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "datasets" / "spreadsheets" / "azerbaijan-2019"
TARGET = ROOT / "datasets" / "spreadsheets" / "azerbaijan-2019-ods"
XLSX, ODS = "azerbaijan-2019.xlsx", "azerbaijan-2019.ods"
COLUMNS, ROWS = 1024, 1_048_576  # where LibreOffice's padding of a sheet ends

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3"')
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '</manifest:manifest>')
MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def ods_bytes(sheets: list[tuple[str, str]], styles: str = "", mimetype: str = MIMETYPE,
              prolog: str = "") -> bytes:
    """An .ods file of `sheets` (name, the XML of its rows), with automatic `styles` (XML) and
    anything before the root element (`prolog`: a DOCTYPE, for the hostile cases)."""
    tables = "".join(f"<table:table table:name={quoteattr(name)}>{rows}</table:table>" for name, rows in sheets)
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<office:document-content {NAMESPACES}>'
               f"<office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, text in (("META-INF/manifest.xml", MANIFEST), ("content.xml", content),
                           ("styles.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {NAMESPACES}/>')):
            z.writestr(zipfile.ZipInfo(name), text, compress_type=zipfile.ZIP_DEFLATED)  # no dates: the same bytes
    return out.getvalue()


def cell(value=None, text: str | None = None, repeat: int = 1, style: str | None = None, span=(1, 1),
         kind: str | None = None) -> str:
    """One `table:table-cell`: a number with the text it shows, a text, or an empty cell."""
    attrs = ""
    if repeat > 1:
        attrs += f' table:number-columns-repeated="{repeat}"'
    if span != (1, 1):
        attrs += f' table:number-columns-spanned="{span[0]}" table:number-rows-spanned="{span[1]}"'
    if style:
        attrs += f' table:style-name="{style}"'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        attrs += f' office:value-type="{kind or "float"}" office:value="{value!r}"'
    elif kind == "date":
        attrs += f' office:value-type="date" office:date-value="{value}"'
    elif value is not None or text is not None:
        attrs += ' office:value-type="string"'
        text = value if text is None else text
    if text is None:
        return f"<table:table-cell{attrs}/>"
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(text).split("\n"))
    return f"<table:table-cell{attrs}>{paragraphs}</table:table-cell>"


def row(*cells: str, repeat: int = 1, pad: bool = True) -> str:
    """A `table:table-row`, padded as LibreOffice pads it with empty cells to column 1024."""
    count = sum(int(m.group(1) or 1) for m in re.finditer(
        r'<table:(?:covered-)?table-cell(?: table:number-columns-repeated="(\d+)")?', "".join(cells)))
    tail = cell(repeat=COLUMNS - count) if pad and count < COLUMNS else ""
    attrs = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attrs}>{''.join(cells)}{tail}</table:table-row>"


def padding(rows: int) -> str:
    """The empty rows LibreOffice writes after a sheet's last, to row 1,048,576."""
    return row(cell(repeat=COLUMNS), repeat=ROWS - rows, pad=False)


def _data_style(fmt: str, n: int) -> str | None:
    """An ODS number style for the simple `.xlsx` formats of the bundled workbook (`0.00`,
    `#,##0`, `"*"0.00`), None for General."""
    m = re.fullmatch(r'(?:"([^"]*)")?([#,0]+?)(?:\.(0+))?', fmt)
    if fmt == "General" or not m:
        return None
    mark, whole, frac = m.groups()
    grouping = ' number:grouping="true"' if "," in whole else ""
    text = f"<number:text>{escape(mark)}</number:text>" if mark else ""
    return (f'<number:number-style style:name="N{n}">{text}<number:number number:decimal-places="{len(frac or "")}" '
            f'number:min-decimal-places="{len(frac or "")}" number:min-integer-digits="1"{grouping}/>'
            f'</number:number-style><style:style style:name="ce{n}" style:family="table-cell" '
            f'style:parent-style-name="Default" style:data-style-name="N{n}"/>')


def workbook_to_ods(xlsx: Path, ods: Path) -> None:
    """The sheets of an `.xlsx` workbook as an `.ods` file, each cell with the text it shows."""
    import openpyxl

    from audit.spreadsheet import shown

    book = openpyxl.load_workbook(xlsx)
    styles, names, sheets = [], {}, []
    for ws in book.worksheets:
        origins = {(r.min_row, r.min_col): (r.max_col - r.min_col + 1, r.max_row - r.min_row + 1)
                   for r in ws.merged_cells.ranges}
        covered = {(r, c) for rng in ws.merged_cells.ranges for r in range(rng.min_row, rng.max_row + 1)
                   for c in range(rng.min_col, rng.max_col + 1)} - set(origins)
        rows = []
        for r in range(1, ws.max_row + 1):
            cells = []
            for c in range(1, ws.max_column + 1):
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                xl = ws.cell(r, c)
                value, style = xl.value, None
                text = None
                if isinstance(value, (int, float)):
                    if xl.number_format not in names:
                        made = _data_style(xl.number_format, len(names) + 1)
                        names[xl.number_format] = f"ce{len(names) + 1}" if made else None
                        styles.append(made or "")
                    style = names[xl.number_format]
                    text = shown(value, xl.number_format).text()
                cells.append(cell(value, text, style=style, span=origins.get((r, c), (1, 1))))
            rows.append(row(*cells))
        sheets.append((ws.title, "".join(rows) + padding(ws.max_row)))
    ods.write_bytes(ods_bytes(sheets, "".join(styles)))


def bundled() -> None:
    """datasets/spreadsheets/azerbaijan-2019-ods: the bundled workbook's copy as an .ods file."""
    TARGET.mkdir(parents=True, exist_ok=True)
    workbook_to_ods(SOURCE / XLSX, TARGET / ODS)
    shutil.copy(SOURCE / "claims.yaml", TARGET / "claims.yaml")
    text = (SOURCE / "datapackage.yaml").read_text(encoding="utf-8")
    text = re.sub(r"\A(#[^\n]*\n)+", "", text).replace(f"path: {XLSX}", f"path: {ODS}")
    head = ("# The Azerbaijan chapter in the figure layout (datasets/figures/azerbaijan-2019), as one OpenDocument\n"
            "# spreadsheet: the workbook of datasets/spreadsheets/azerbaijan-2019 cell for cell, written by\n"
            "# tests/ods.py; its audit must equal the CSV original's (tests/test_ods.py).\n")
    # its own name: `audit check datasets/spreadsheets` runs both copies, and a run's datasets are told apart by name
    text = re.sub(r"^name: (.+)$", r"name: \1-ods", text, count=1, flags=re.M)
    (TARGET / "datapackage.yaml").write_text(head + text, encoding="utf-8")


if __name__ == "__main__":
    bundled()
    print(f"wrote {TARGET.relative_to(ROOT)}")
