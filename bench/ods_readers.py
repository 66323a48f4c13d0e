"""audit's .ods reader against its .xlsx reader (openpyxl) on one generated sheet: the time to read
every cell as `audit check` reads it (the shown text, merged cells, the table built).

    .venv/bin/python bench/ods_readers.py [ROWS]

The sheet is bench/xlsx_readers.py's: ROWS rows (default 20,000) of a label and five numbers
formatted `0`, `#,##0`, `0.0%`, `0.00`, `#,##0`; the .ods holds each number's value and the text
those formats show, padded as LibreOffice pads a sheet (tests/ods.py). CPU seconds (the machine
is shared), best of three.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit.errors import ProblemCollector  # noqa: E402
from audit.ods import read_ods  # noqa: E402
from audit.spreadsheet import read_sheet, shown  # noqa: E402
from bench.xlsx_readers import generate  # noqa: E402
from tests.ods import cell, ods_bytes, padding, row  # noqa: E402

FORMATS = [None, "0", "#,##0", "0.0%", "0.00", "#,##0"]


def write_ods(path: Path, rows: int) -> None:
    out = [row(*(cell(name) for name in ("region", "count", "area", "share", "cleared", "devices")))]
    for i in range(rows):
        values = [f"region {i}", i % 97, i * 13.7, (i % 100) / 100, i / 7, i * 3]
        out.append(row(*(cell(v) if fmt is None else
                         cell(v, shown(v, fmt).text(), kind="percentage" if "%" in fmt else None)
                         for v, fmt in zip(values, FORMATS))))
    path.write_bytes(ods_bytes([("data", "".join(out) + padding(rows + 1))]))


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, ods = Path(tmp) / "sheet.xlsx", Path(tmp) / "sheet.ods"
        generate(xlsx, rows)
        write_ods(ods, rows)
        cells = (rows + 1) * 6
        for name, fn in (("ods (audit.ods)", lambda: read_ods(ods, "s.ods", {}, "d", "t", ProblemCollector())),
                         ("xlsx (openpyxl)", lambda: read_sheet(xlsx, "s.xlsx", {}, "d", "t", ProblemCollector()))):
            seconds = best(fn)
            print(f"{name}: {seconds:.2f} s CPU, {cells / seconds:,.0f} cells/s")


if __name__ == "__main__":
    main()
