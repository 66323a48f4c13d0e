"""Spreadsheet copies of bundled datasets, written with openpyxl as a person would lay them out:
a title row, a header merged across the columns it spans, areas shown with thousands separators,
and values stored with more digits than their number format shows.

    .venv/bin/python -m tests.spreadsheets     # rewrites datasets/spreadsheets/azerbaijan-2019

The bundled copy is committed (its audit is compared with the CSV original's in
tests/test_spreadsheets.py); `table_layout_copy` writes one of a table-layout dataset for a test.
"""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "datasets" / "figures" / "azerbaijan-2019"
TARGET = ROOT / "datasets" / "spreadsheets" / "azerbaijan-2019"
WORKBOOK = "azerbaijan-2019.xlsx"

# sheet title, CSV file, the title printed above the table, the dialect the descriptor gives it
SHEETS = [
    ("Table 1", "table1-mined-area-by-type.csv", "Table 1: Mined area by type (at end 2018)",
     '{sheetName: "Table 1", range: "A3:F7", headerRows: [1, 2], headerJoin: "_"}'),
    ("Table 2", "table2-ap-mined-area-by-region.csv", "Table 2: AP mined area by region (at end 2018)",
     '{sheetName: "Table 2", headerRows: [3]}'),
    ("Table 3", "table3-mine-clearance-2018.csv", "Table 3: Mine clearance in 2018",
     '{sheetNumber: 3, range: "A3:G9"}'),
    ("Table 4", "table4-five-year-clearance.csv", "Table 4: Five-year summary of AP mine clearance (2014-18)",
     '{sheetName: "Table 4", range: "B2:C8"}'),
]
# noise added to a value shown with `decimals` decimals: the sheet stores more than it shows
NOISE = 0.4


def _number(text: str):
    """The number a CSV cell prints (None for text), its decimals and a footnote mark before it."""
    m = re.fullmatch(r"(\*?)(-?\d+)(?:\.(\d+))?", text)
    if not m:
        return None
    mark, whole, frac = m.groups()
    return (float(f"{whole}.{frac}") if frac else int(whole)), len(frac or ""), mark


def _write(ws, top: int, left: int, header: list[str], rows: list[list[str]], merged_header: bool) -> None:
    """A CSV table at (top, left); with `merged_header`, names `a_b` are printed as `a` merged
    over the columns sharing it and `b` below, and the others merged down the two rows."""
    if merged_header:
        spans: dict[str, list[int]] = {}
        for i, name in enumerate(header):
            col = left + i
            if "_" in name:
                group, sub = name.split("_", 1)
                spans.setdefault(group, []).append(col)
                ws.cell(top + 1, col, sub)
            else:
                ws.cell(top, col, name)
                ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        for group, cols in spans.items():
            ws.cell(top, cols[0], group)
            ws.merge_cells(start_row=top, start_column=cols[0], end_row=top, end_column=cols[-1])
        top += 1
    else:
        for i, name in enumerate(header):
            ws.cell(top, left + i, name)
    for r, row in enumerate(rows, top + 1):
        for i, text in enumerate(row):
            if text == "":
                continue
            parsed = _number(text)
            cell = ws.cell(r, left + i)
            if parsed is None:
                cell.value = text
                continue
            value, decimals, mark = parsed
            if decimals:
                cell.value = value + NOISE * 10 ** -decimals  # stored with digits it does not show
                cell.number_format = ("\"*\"" if mark else "") + "0." + "0" * decimals
            else:
                cell.value = value
                cell.number_format = "#,##0" if "area" in header[i] else "General"


def write_workbook(source: Path, path: Path, sheets) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, csv_name, heading, dialect in sheets:
        ws = book.create_sheet(title)
        with open(source / csv_name, encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        top, left = _origin(dialect)
        ws.cell(1, 1, heading)
        _write(ws, top, left, header, rows, "headerRows: [1, 2]" in dialect)
    book.save(path)


def _origin(dialect: str) -> tuple[int, int]:
    """Where a table starts: its range's first cell, or the row of its header."""
    m = re.search(r'range: "([A-Z])(\d+)', dialect)
    if m:
        return int(m.group(2)), ord(m.group(1)) - 64
    rows = re.search(r"headerRows: \[(\d+)\]", dialect)
    return (int(rows.group(1)) if rows else 1), 1


def bundled() -> None:
    """datasets/spreadsheets/azerbaijan-2019: the figure-layout copy, one sheet per table."""
    TARGET.mkdir(parents=True, exist_ok=True)
    write_workbook(SOURCE, TARGET / WORKBOOK, SHEETS)
    shutil.copy(SOURCE / "claims.yaml", TARGET / "claims.yaml")
    text = (SOURCE / "datapackage.yaml").read_text(encoding="utf-8")
    for _title, csv_name, _heading, dialect in SHEETS:
        text = text.replace(f"    path: {csv_name}\n", f"    path: {WORKBOOK}\n    dialect: {dialect}\n")
    head = ("# The Azerbaijan chapter in the figure layout (datasets/figures/azerbaijan-2019), as one workbook:\n"
            "# written by tests/spreadsheets.py; its audit must equal the CSV original's (tests/test_spreadsheets.py).\n")
    (TARGET / "datapackage.yaml").write_text(head + text, encoding="utf-8")


def table_layout_copy(source: Path, target: Path) -> None:
    """A table-layout dataset with each CSV table turned into a sheet of one workbook."""
    shutil.copytree(source, target)
    text = (target / "datapackage.yaml").read_text(encoding="utf-8")
    sheets = []
    for path in sorted(target.glob("*.csv")):
        title = path.stem[:31]
        sheets.append((title, path.name, path.stem, f'{{sheetName: "{title}", range: "A3:Z200"}}'))
        text = text.replace(f"path: {path.name}\n", f"path: tables.xlsx\n    dialect: {{sheetName: \"{title}\", "
                            f"range: \"A3:Z200\"}}\n")
    write_workbook(source, target / "tables.xlsx", sheets)
    for path in target.glob("*.csv"):
        path.unlink()
    (target / "datapackage.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    bundled()
    print(f"wrote {TARGET.relative_to(ROOT)}")
