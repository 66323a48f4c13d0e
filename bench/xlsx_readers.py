"""openpyxl against python-calamine on one generated sheet: the time to read every cell.

    .venv/bin/pip install openpyxl python-calamine
    .venv/bin/python bench/xlsx_readers.py [ROWS]

openpyxl is read as audit reads it (every cell's value and number format, merged cells: the
full workbook) and in its read-only mode (values and formats streamed; no merged cells);
calamine gives values alone. The sheet: ROWS rows (default 50,000) of a label and five numbers
with the formats a report uses (`#,##0`, `0.00`, `0.0%`).
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def generate(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("data")
    ws.append(["region", "count", "area", "share", "cleared", "devices"])
    from openpyxl.cell import WriteOnlyCell

    formats = [None, "0", "#,##0", "0.0%", "0.00", "#,##0"]
    for i in range(rows):
        values = [f"region {i}", i % 97, i * 13.7, (i % 100) / 100, i / 7, i * 3]
        row = []
        for v, fmt in zip(values, formats):
            c = WriteOnlyCell(ws, value=v)
            if fmt:
                c.number_format = fmt
            row.append(c)
        ws.append(row)
    book.save(path)


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.xlsx"
        generate(path, rows)
        print(f"{rows:,} rows x 6 columns, {path.stat().st_size / 1e6:.1f} MB")

        def openpyxl_full():
            import openpyxl

            ws = openpyxl.load_workbook(path, data_only=True).active
            return sum(1 for row in ws.iter_rows() for c in row if (c.value, c.number_format))

        def openpyxl_read_only():
            import openpyxl

            ws = openpyxl.load_workbook(path, data_only=True, read_only=True).active
            return sum(1 for row in ws.iter_rows() for c in row if (c.value, c.number_format))

        def calamine():
            from python_calamine import CalamineWorkbook

            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            return sum(len(r) for r in sheet.to_python())

        for name, fn in (("openpyxl (full: formats, merged cells)", openpyxl_full),
                         ("openpyxl read-only (formats, no merged cells)", openpyxl_read_only),
                         ("python-calamine (values only)", calamine)):
            try:
                seconds = best(fn)
            except ImportError as exc:
                print(f"{name}: not installed ({exc.name})")
                continue
            print(f"{name}: {seconds:.2f} s, {rows * 6 / seconds / 1e3:,.0f}k cells/s")


if __name__ == "__main__":
    main()
