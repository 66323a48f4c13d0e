"""Reading input files without trusting them.

Datasets and rule packs arrive in pull requests and are audited in CI, so a file may be a named
pipe that never delivers a byte, a device that never ends, or a text built to exhaust memory.
Every file an audit reads in Python goes through `read_text`: it opens the file without blocking,
asks the open descriptor what it is, refuses anything that is not a regular file and anything
larger than a limit before reading a byte, then reads. `load_json` adds limits on nesting depth
and on the number of values; YAML has the same limits in `audit.yamlio`.

The limits sit far above what a real report needs (the bundled datasets' largest file is 8 KB and
their deepest nesting 6 levels; a dataset of 20,000 claims is a 7.4 MB claims file of 420,000
values):

| limit | value |
|---|---|
| a YAML or JSON file (descriptor, claims, rule file, pack, baseline) | 32 MiB |
| a CSV table or code list read into memory | 64 MiB |
| nesting of mappings and lists in a YAML or JSON file | 64 levels |
| values in a YAML or JSON file (keys, values and list items, aliases expanded) | 2,000,000 |
| values a YAML file's aliases may add | 10,000 |
"""
from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from .errors import AuditInputError, Problem

MAX_TEXT_BYTES = 32 * 1024 * 1024
MAX_TABLE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 2_000_000
MAX_ALIAS_VALUES = 10_000

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words ("a named pipe (FIFO)"); "a regular file" for one."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((text for test, text in _KINDS if test(mode)), "not a regular file")


def not_regular(path: str | Path) -> str | None:
    """Why a path (symbolic links followed) cannot be read as a regular file, or None if it can."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "does not exist"
    return None if stat.S_ISREG(mode) else f"is {kind_of(mode)}, not a regular file"


def size_text(n: int) -> str:
    """A byte count for people: 32 MiB, 40.2 MiB, 812 bytes."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value.is_integer() else f"{value:.1f} {unit}"
    return f"{n} bytes"


def read_bytes(path: str | Path, display: str, limit: int = MAX_TEXT_BYTES, hint: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is an `AuditInputError`.

    The file is opened with O_NONBLOCK, so that opening a named pipe returns at once, and checked
    with fstat on the open descriptor (not on the name, which could change in between)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise AuditInputError(Problem(display, f"cannot read file: {exc.strerror}")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AuditInputError(Problem(display, f"cannot read file: it is {kind_of(info.st_mode)}, not a regular file"))
        if info.st_size > limit:
            raise AuditInputError(Problem(display, _too_big(size_text(info.st_size), limit), hint=hint))
        data = _read_all(fd, limit + 1)
    except OSError as exc:
        raise AuditInputError(Problem(display, f"cannot read file: {exc.strerror}")) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew after fstat
        raise AuditInputError(Problem(display, _too_big(f"over {size_text(limit)}", limit), hint=hint))
    return data


def _too_big(size: str, limit: int) -> str:
    return f"the file is {size}, more than the {size_text(limit)} an input file of this kind may be"


def _read_all(fd: int, most: int) -> bytes:
    parts, total = [], 0
    while total < most:
        chunk = os.read(fd, min(most - total, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def read_text(path: str | Path, display: str, limit: int = MAX_TEXT_BYTES, encoding: str = "utf-8",
              hint: str | None = None) -> str:
    """The text of a regular file of at most `limit` bytes (see `read_bytes`), decoded."""
    data = read_bytes(path, display, limit, hint)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start, encoding)
        raise AuditInputError(Problem(display, f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be read",
                                      line)) from None


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
         (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig"))


def text_encoding(name: Any) -> str | None:
    """Why a declared encoding name cannot be used (None when Python knows it as a text encoding)."""
    import codecs

    if not isinstance(name, str) or not name.strip() or len(name) > 40:
        return "encoding must name a text encoding (e.g. windows-1252, latin-1, utf-16)"
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        return f"encoding '{name}' is not one Python knows"
    if not getattr(info, "_is_text_encoding", True):
        return f"encoding '{name}' is not a text encoding"
    return None


def decode_table(data: bytes, display: str, encoding: str | None, where: str = "its resource") -> str:
    """The text of a table's file: in its declared `encoding`, else UTF-8 (or what a byte order
    mark says: UTF-16 and UTF-32 files carry one). A file that is not valid in it is an
    `AuditInputError` at the line of the first bad byte; an undeclared one is then guessed with
    charset-normalizer, and the hint names the descriptor line to add."""
    declared = encoding is not None
    if encoding is None:
        encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeError as exc:
        start = getattr(exc, "start", 0)
        line = _line_of(data, start, encoding)
        byte = f"byte 0x{data[start]:02x}" if start < len(data) else "the last bytes"
        if declared:
            raise AuditInputError(Problem(display, f"not valid {encoding} text: {byte} cannot be read", line,
                                          field="encoding",
                                          hint="the descriptor declares this encoding for the file; correct it")) from None
        guess = _guess_encoding(data)
        hint = (f"it reads as {guess} (charset-normalizer's guess: a short file may read as several; check its "
                f"text): add `encoding: {guess}` to {where} in the descriptor" if guess else
                f"declare its encoding with `encoding: NAME` in {where} in the descriptor")
        raise AuditInputError(Problem(display, f"not UTF-8 text: {byte} cannot be read, and no encoding is declared",
                                      line, hint=hint)) from None
    return text[1:] if text.startswith("\ufeff") else text


def _line_of(data: bytes, start: int, encoding: str) -> int:
    """The line of the byte at `start`: the newlines of the text before it, decoded."""
    return data[:start].decode(encoding, errors="replace").count("\n") + 1


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess at a file's encoding (imported here alone: the error path)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    best = from_bytes(data[:1 << 20]).best()
    if best is None:
        return None
    import codecs

    return codecs.lookup(best.encoding).name.replace("cp125", "windows-125")


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{},]')


def load_json(path: str | Path, display: str) -> Any:
    """Load a JSON file within the size, depth and value limits; errors name file:line:col."""
    text = read_text(path, display)
    _check_json_shape(text, display)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuditInputError(Problem(display, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise AuditInputError(Problem(display, f"invalid JSON: {exc}")) from None


def _check_json_shape(text: str, display: str) -> None:
    """Nesting depth and number of values, counted on the text before json (which recurses) reads it."""
    if text.count("[") + text.count("{") <= MAX_DEPTH and text.count(",") < MAX_VALUES:
        return
    depth = values = 0
    for m in _JSON_TOKEN.finditer(text):
        ch = m.group()[0]
        if ch in "[{":
            depth += 1
            values += 1
            if depth > MAX_DEPTH:
                _json_fail(text, display, m.start(), too_deep())
        elif ch in "]}":
            depth -= 1
        elif ch == ",":
            values += 1
            if values > MAX_VALUES:
                _json_fail(text, display, m.start(), too_many())


def _json_fail(text: str, display: str, pos: int, message: str) -> None:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    raise AuditInputError(Problem(display, message, line, column))


def too_deep() -> str:
    """The message for mappings and lists nested beyond `MAX_DEPTH`."""
    return f"mappings and lists nest more than {MAX_DEPTH} levels deep here, the most an input file may nest"


def too_many() -> str:
    """The message for a file of more than `MAX_VALUES` values."""
    return f"the file holds more than {MAX_VALUES:,} values by here, the most an input file may hold"


def private_cache_dir() -> Path | None:
    """The user's own cache folder for audit ($XDG_CACHE_HOME/audit, else ~/.cache/audit), made
    with mode 0700 if missing; None where it cannot be written or is not the user's (a read-only
    home, a sandbox, a folder someone else made). What is kept there is trusted (the grammar's
    parser is a pickle), so it is never the shared temporary directory."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "audit"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not os.access(folder, os.W_OK) or folder.stat().st_uid != os.getuid():
            return None
    except (OSError, AttributeError):  # no home, read-only, or no getuid (Windows: no owner check)
        return None
    return folder
