"""Write a corrected copy of a dataset: the folder copied, with the figures of one correction per group
rewritten where they were printed (the CSV cell, the claim's value). The original is never touched.

Only the records and scalars that change are rewritten; every other byte of the copy is the original's.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import stat
from pathlib import Path

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
        _rewrite_csv(out / table.path, table.delimiter, table, changes)
    if claims:
        rel = Path(dataset.claims_file).relative_to(src)
        _rewrite_claims(out / rel, claims)
    return out


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


def _rewrite_csv(path: Path, delimiter: str, table, changes: list[tuple[Figure, float]]) -> None:
    raw = read_text(path, str(path), MAX_TABLE_BYTES, "utf-8-sig")
    lines = raw.splitlines(keepends=True)
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    header = [h.strip() for h in header]
    for fig, value in changes:
        i = fig.line - 1
        record = next(csv.reader([lines[i]], delimiter=delimiter))
        col = header.index(fig.column)
        old = record[col]
        cell = table.row_at(fig.line).cells[fig.column]
        stripped = old.strip()
        lead = old[: len(old) - len(old.lstrip())]
        record[col] = lead + cell.markers + number_text(fig, value, stripped)
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
