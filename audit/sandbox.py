"""DuckDB connections that refuse what an audit never needs.

Rules and datasets come from untrusted pull requests. No dataset value becomes SQL text except
through `expr.compiler.sql_literal`, which writes only scalars of checked types; this module is the
second wall, in case a path around it is ever opened: every connection the engine runs SQL on
can read no file but the dataset's own resource files, write none, install or load no extension,
and cannot change these settings again (`lock_configuration`).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# applied in this order: allowed_paths can only be set while external access is still enabled
_LOCKDOWN = (
    ("autoinstall_known_extensions", "false"),
    ("autoload_known_extensions", "false"),
    ("allow_community_extensions", "false"),
    ("enable_external_access", "false"),
    ("lock_configuration", "true"),
)


def connect(readable: Iterable[Path | str] = ()):
    """An in-memory DuckDB connection that can read only the files in `readable`.

    Pass nothing for a connection that touches no file at all. DuckDB still spills to its own
    temporary directory beyond its memory limit (that is not external access).
    """
    import duckdb

    con = duckdb.connect(":memory:")
    lock(con, readable)
    return con


def lock(con, readable: Iterable[Path | str] = ()) -> None:
    """Restrict an open connection as `connect` does; nothing can undo it afterwards."""
    paths = sorted({str(Path(p).resolve()) for p in readable})
    if paths:
        con.execute("SET allowed_paths = ?", [paths])
    for name, value in _LOCKDOWN:
        con.execute(f"SET {name} = {value}")
