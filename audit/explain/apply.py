"""Write a corrected copy of a dataset: the folder copied, with the figures of one correction per group
rewritten where they were printed (the CSV cell, the claim's value). The original is never touched.

Only the records and scalars that change are rewritten; every other byte of the copy is the original's.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Callable

from ..errors import AuditInputError, Problem
from ..inputs import MAX_TABLE_BYTES, kind_of, read_text
from ..outputs import Input, refuse_overwrite
from ..yamlio import Node, load_yaml
from .figures import Figure
from .solve import Correction


def write_corrected(dataset, corrections: list[Correction], out: str | Path) -> Path:
    """Copy the dataset folder to `out` (which must not exist or be empty) and apply the corrections."""
    out = Path(out)
    src = Path(dataset.root)
    refuse_overwrite(out, "the corrected copy", [Input(src, "the dataset folder")], folder=True)
    for table in dataset.tables.values():
        text = getattr(table, "text", None)
        database = table.database is not None or (text is not None and text.row_names is not None)
        if database or (text is not None and (text.sheet is not None or
                                              text.encoding not in (None, "utf-8", "utf-8-sig"))):
            what = ("a database table" if database else "a spreadsheet" if text.sheet is not None
                    else f"a CSV file in {text.encoding}")
            raise AuditInputError(Problem(table.file, f"a corrected copy rewrites UTF-8 CSV tables, and this is {what}",
                                          hint="run audit explain without --write-corrected, and correct it by hand"))
    if (out.exists() or out.is_symlink()) and (not out.is_dir() or any(out.iterdir())):
        raise AuditInputError(Problem(str(out), "the corrected copy needs a new or empty folder; this "
                                                + ("one is not empty" if out.is_dir() else "is not a folder")))
    _copy_folder(src, out)
    cells: dict[str, list[tuple[Figure, float]]] = {}
    claims: list[tuple[Figure, float]] = []
    for correction in corrections:
        for ch in correction.changes:
            if ch.figure.claim is not None:
                claims.append((ch.figure, ch.new))
            else:
                cells.setdefault(ch.figure.table, []).append((ch.figure, ch.new))
    for table_name, changes in cells.items():
        table = dataset.tables[table_name]
        _rewrite_csv(out / table.path, table.delimiter, [(fig.line, fig.column, _with_markers(fig, value, table))
                                                         for fig, value in changes])
    if claims:
        rel = Path(dataset.claims_file).relative_to(src)
        _rewrite_claims(out / rel, claims)
    return out


def _with_markers(fig: Figure, value: float, table):
    cell = table.row_at(fig.line).cells[fig.column]

    def new(old: str) -> str:
        lead = old[: len(old) - len(old.lstrip())]
        return lead + cell.markers + number_text(fig, value, old.strip())
    return new


_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


def write_corrected_figures(root: str | Path, corrections: list[Correction], out: str | Path) -> Path:
    """`write_corrected` for the dataset in the figure layout at `root`: each changed table cell's
    number is rewritten in place (its footnote markers and spacing kept), each changed claim's
    value; CSV files keep their delimiter."""
    from ..dataset import _delimiter, _read_descriptor
    from ..figures.load import descriptor_of
    from ..databases import database_format
    from ..errors import ProblemCollector
    from ..readers import SPREADSHEET_FORMATS, file_format

    out, src = Path(out), Path(root)
    _folder, descriptor = descriptor_of(src)
    meta = _read_descriptor(descriptor, str(descriptor))
    resources = {str(r.get("name")): r for r in meta.get("resources") or [] if isinstance(r, dict)}
    cells: dict[str, list] = {}
    claims: list[tuple[Figure, float]] = []
    for ch in (ch for c in corrections for ch in c.changes):
        if ch.figure.claim is not None:
            claims.append((ch.figure, ch.new))
            continue
        fig = ch.figure.source
        res = resources.get(str(fig.table))
        path = res.get("path") if res else None
        what = None
        if res is None or not isinstance(path, str) or database_format(res, src / path) is not None:
            what = "a database table" if res is not None else "a table the descriptor does not list"
        elif fig.cell is not None or file_format(res, src / path) in SPREADSHEET_FORMATS:
            what = "a spreadsheet"
        elif str(res.get("encoding") or "utf-8").strip().lower() not in ("utf-8", "utf-8-sig", "utf8"):
            what = f"a CSV file in {res.get('encoding')}"
        if what:
            raise AuditInputError(Problem(fig.file, f"a corrected copy rewrites UTF-8 CSV tables, and this is {what}",
                                          hint="run audit explain without --write-corrected, and correct it by hand"))
        cells.setdefault(path, []).append((ch.figure, ch.new, res))
    refuse_overwrite(out, "the corrected copy", [Input(src, "the dataset folder")], folder=True)
    if (out.exists() or out.is_symlink()) and (not out.is_dir() or any(out.iterdir())):
        raise AuditInputError(Problem(str(out), "the corrected copy needs a new or empty folder; this "
                                                + ("one is not empty" if out.is_dir() else "is not a folder")))
    _copy_folder(src, out)
    for path, changes in cells.items():
        res = changes[0][2]
        dialect = res.get("dialect") if isinstance(res.get("dialect"), dict) else {}
        delimiter = _delimiter(dialect, str(descriptor), ProblemCollector())
        _rewrite_csv(out / path, delimiter, [(fig.line, fig.column, _number_replaced(fig, value))
                                             for fig, value, _ in changes])
    if claims:
        file = meta.get("claims")
        rel = Path(file) if isinstance(file, str) else Path(descriptor).relative_to(src)
        _rewrite_claims(out / rel, claims)
    return out


def _number_replaced(fig: Figure, value: float):
    """The cell's text with its number (the first one printed) rewritten, all else kept."""
    def new(old: str) -> str:
        m = _NUMBER.search(old)
        if m is None:
            raise AuditInputError(Problem(fig.location.place, f"no number to rewrite in {old!r}"))
        return old[:m.start()] + number_text(fig, value, m.group()) + old[m.end():]
    return new


def _copy_folder(src: Path, out: Path) -> None:
    """Copy a dataset folder's folders and regular files, having checked all of them first.

    Anything else is refused by name: a named pipe would block the copy, a device (or a link to
    one) would never end it, and a link to a folder could copy the whole disk. A link to a regular
    file inside the folder is copied as that file's content, so that rewriting it cannot reach the
    original."""
    plan: list[tuple[Path, Path]] = []
    for folder, dirs, files in os.walk(src):  # links to folders are listed in dirs and not entered
        for name in sorted(dirs) + sorted(files):
            path = Path(folder) / name
            why = _uncopyable(path, src.resolve())
            if why:
                raise AuditInputError(Problem(str(path), f"cannot copy the dataset: {why}",
                                              hint="a corrected copy holds only folders and regular files"))
            if not path.is_dir():
                plan.append((path, out / path.relative_to(src)))
    for folder, dirs, _ in os.walk(src):
        (out / Path(folder).relative_to(src)).mkdir(parents=True, exist_ok=True)
    for path, copy in plan:
        shutil.copyfile(path, copy)
        shutil.copymode(path, copy)


def _uncopyable(path: Path, root: Path) -> str | None:
    """Why a folder's entry cannot go into a corrected copy, or None."""
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    if not stat.S_ISLNK(mode):
        return f"it is {kind_of(mode)}"
    target = path.resolve()
    if not target.is_relative_to(root):
        return "it is a link to outside the dataset folder"
    if not target.exists():
        return "it is a link to nothing"
    mode = os.stat(target).st_mode
    return None if stat.S_ISREG(mode) else f"it is a link to {kind_of(mode)}"


def number_text(fig: Figure, value: float, like: str) -> str:
    """The new value printed like the original: same decimals, thousands separators if it had them."""
    v = value / fig.factor
    text = f"{v:,.{fig.decimals}f}" if "," in like else f"{v:.{fig.decimals}f}"
    return text


def _rewrite_csv(path: Path, delimiter: str, changes: list[tuple[int, str, Callable[[str], str]]]) -> None:
    """Rewrite the cells (line, column) of a CSV file, each as `new(old text)` gives it; every other
    record is kept byte for byte, and the records rewritten keep the file's delimiter."""
    raw = read_text(path, str(path), MAX_TABLE_BYTES, "utf-8-sig")
    lines = raw.splitlines(keepends=True)
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    header = [h.strip() for h in header]
    for line, column, new in changes:
        if column not in header:
            raise AuditInputError(Problem(str(path), f"no column '{column}' in the header to rewrite", 1))
        i = line - 1
        record = next(csv.reader([lines[i]], delimiter=delimiter))
        col = header.index(column)
        record[col] = new(record[col])
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(record)
        ending = lines[i][len(lines[i].rstrip("\r\n")):]
        lines[i] = buf.getvalue() + ending
    path.write_text("".join(lines), encoding="utf-8")


def _rewrite_claims(path: Path, changes: list[tuple[Figure, float]]) -> None:
    doc = load_yaml(path)
    items = doc.get("claims") if isinstance(doc, Node) else doc
    by_id = {str(c.get("id")): c for c in items if isinstance(c, Node)}
    lines = read_text(path, str(path)).splitlines(keepends=True)
    for fig, value in changes:
        node = by_id[fig.claim]
        line, col, style = node.value_pos("value")
        text = lines[line - 1]
        start = col - 1
        if style in ("'", '"'):
            end = text.index(style, start + 1) + 1
            old = text[start + 1:end - 1]
            new = style + number_text(fig, value, old) + style
        else:
            end = start
            while end < len(text) and text[end] not in "\r\n" and text[end:end + 2] != " #" and text[end] not in ",}":
                end += 1
            old = text[start:end].strip()
            new = number_text(fig, value, old)
            if "," in new:
                new = f'"{new}"'
        lines[line - 1] = text[:start] + new + text[end:]
    path.write_text("".join(lines), encoding="utf-8")
