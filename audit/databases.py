"""Resources held in a database: a table or one SELECT of a DuckDB file, a SQLite file or PostgreSQL.

A resource names its database and what to read in its `dialect`:

    - name: contamination
      path: monitor.sqlite          # a SQLite (.sqlite, .sqlite3) or DuckDB (.duckdb) file in the dataset folder
      dialect: {table: contamination}

    - name: contamination
      format: postgresql
      database: monitor             # a connection the user names: --database monitor=postgresql://...
      dialect: {query: "SELECT region, area FROM survey.contamination WHERE year = 2019"}

Every database is read through a DuckDB connection of its own: a DuckDB file is attached read-only;
SQLite and PostgreSQL rows arrive as an Arrow stream from their ADBC driver (the `sqlite` and
`postgres` extras; no pandas, no pyarrow, no row-by-row Python) and DuckDB scans it. Then the
connection is locked (`audit.sandbox`) before any SQL of the dataset's runs: a view in a hostile
DuckDB file cannot read another file.

What is hostile here, and what is done about it:
- the connection string never comes from a dataset: a dataset names a connection, the user gives
  it (`--database NAME=URI`, or the environment variable `AUDIT_DATABASE_NAME`), and no output
  prints it;
- a `table` is looked up in the database's catalogue before its name, quoted, becomes SQL text;
- a `query` must parse as exactly one SELECT statement (DuckDB's parser, PostgreSQL's grammar);
  PostgreSQL runs it in a read-only session, a SQLite file is opened read-only, a DuckDB file is
  attached read-only inside the sandbox. Give the connection a role that may only read what the
  audit needs: a SELECT can still read any table the role can;
- a read that does not end (a recursive view or query in a hostile file) is stopped after
  `STATEMENT_TIMEOUT_MS`, with one message: PostgreSQL by its statement timeout, DuckDB by
  interrupting the connection, SQLite by a first run of the same SELECT through the standard
  library's `sqlite3`, whose progress handler can stop it (the ADBC driver cannot be cancelled).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ProblemCollector

FILE_FORMATS = {".sqlite": "sqlite", ".sqlite3": "sqlite", ".duckdb": "duckdb", ".ddb": "duckdb"}
FORMATS = {"sqlite", "duckdb", "postgresql"}
CONNECTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
ENVIRONMENT_PREFIX = "AUDIT_DATABASE_"
STATEMENT_TIMEOUT_MS = 300_000  # five minutes for one read of a database, of any kind

# connections given on the command line or to audit.check() (name -> URI); the environment is read too
_CONNECTIONS: dict[str, str] = {}


def use_connections(connections: dict[str, str]) -> None:
    """The connections a run may open, by the names datasets give them (`--database NAME=URI`)."""
    _CONNECTIONS.clear()
    _CONNECTIONS.update(connections)


def connection_uri(name: str) -> str | None:
    return _CONNECTIONS.get(name) or os.environ.get(ENVIRONMENT_PREFIX + name.upper()) or None


def database_format(res: dict, path: Path | None) -> str | None:
    """The database a resource is read from (sqlite, duckdb, postgresql), or None for a file of rows."""
    fmt = res.get("format")
    if isinstance(fmt, str) and fmt.strip().lower() in FORMATS:
        return fmt.strip().lower()
    if res.get("database") is not None:
        return "postgresql"
    if path is not None and not isinstance(fmt, str):
        return FILE_FORMATS.get(path.suffix.lower())
    return None


def served(res: dict) -> str | None:
    """The place outputs name for a resource read from a database server (`postgresql:NAME`), which
    has no path; None for a resource with a file."""
    fmt = res.get("format")
    if res.get("database") is None and not (isinstance(fmt, str) and fmt.strip().lower() == "postgresql"):
        return None
    name = res.get("database")
    return f"postgresql:{name if isinstance(name, str) and CONNECTION_NAME.fullmatch(name) else '?'}"


@dataclass
class Source:
    """What to read: `kind`, its file (`path`) or connection (`connection`), and a `table` or a `query`."""

    kind: str
    display: str  # how outputs name it: the file as given, or postgresql:NAME
    path: Path | None = None
    connection: str | None = None
    table: str | None = None
    query: str | None = None

    @property
    def what(self) -> str:
        """The name locations give the rows: the table's, or `query`."""
        return self.table if self.table is not None else "query"


def source_of(res: dict, kind: str, path: Path | None, file: str, display: str, where: str,
              problems: ProblemCollector, line: int | None) -> Source | None:
    """The `Source` a database resource declares, or None with the problems added."""
    from .dataset import _line

    dialect = res.get("dialect") if isinstance(res.get("dialect"), dict) else {}
    unknown = sorted(str(k) for k in dialect if k not in ("table", "query"))
    for key in unknown:
        problems.add(display, f"a database resource's dialect takes 'table' or 'query', not '{key[:40]}'",
                     _line(dialect, key) or line, field=f"{where}.dialect.{key[:40]}")
    table, query = dialect.get("table"), dialect.get("query")
    if (table is None) == (query is None):
        problems.add(display, f"resource '{where}' is read from a database: its dialect names a table or a query "
                     "(one of them)", _line(res, "dialect") or line, field=f"{where}.dialect",
                     hint="dialect: {table: NAME} or dialect: {query: \"SELECT ...\"}")
        return None
    for key, value in (("table", table), ("query", query)):
        if value is not None and (not isinstance(value, str) or not value.strip() or "\x00" in value):
            problems.add(display, f"dialect.{key} must be text", _line(dialect, key), field=f"{where}.dialect.{key}")
            return None
    if unknown:
        return None
    if query is not None and not _one_select(query, display, where, _line(dialect, "query"), problems):
        return None
    if kind == "postgresql":
        name = res.get("database")
        if not isinstance(name, str) or not CONNECTION_NAME.fullmatch(name):
            problems.add(display, "database names a connection: a letter, then letters, digits or _ "
                         "(the connection itself is given by whoever runs the audit)",
                         _line(res, "database") or line, field=f"{where}.database")
            return None
        if path is not None or res.get("path") is not None:
            problems.add(display, "a PostgreSQL resource has a database, not a path", _line(res, "path"),
                         field=f"{where}.path")
            return None
        if connection_uri(name) is None:
            problems.add(display, f"resource '{where}' reads database '{name}', and no connection was given for it",
                         _line(res, "database") or line, field=f"{where}.database",
                         hint=f"pass --database {name}=postgresql://USER@HOST/DB, or set "
                         f"{ENVIRONMENT_PREFIX}{name.upper()}")
            return None
        return Source(kind, f"postgresql:{name}", connection=name, table=table, query=query)
    if path is None:
        return None
    return Source(kind, file, path=path, table=table, query=query)


def _one_select(query: str, display: str, where: str, line: int | None, problems: ProblemCollector) -> bool:
    import duckdb

    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        problems.add(display, f"dialect.query cannot be read as SQL: {str(exc).splitlines()[0][:200]}", line,
                     field=f"{where}.dialect.query")
        return False
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        problems.add(display, "dialect.query must be one SELECT statement", line, field=f"{where}.dialect.query",
                     hint="a resource only reads: write the rows it holds as one SELECT")
        return False
    return True


def quote(name: str) -> str:
    """An identifier the catalogue was asked about, as SQL text."""
    return '"' + name.replace('"', '""') + '"'


class DatabaseError(Exception):
    """A database that could not be opened or read; the message is safe to print (no connection string)."""


def load_into(con, source: Source, name: str, limit: int | None = None) -> None:
    """Copy the rows `source` names into table `name` of the DuckDB connection `con` (at most
    `limit` of them, when given, plus one to tell that there were more), streamed as Arrow. The
    database is opened elsewhere (its own connection, locked for a DuckDB file): `con` only
    scans the stream, and the caller locks it as it would otherwise."""
    import duckdb

    import threading

    keep = []  # what must stay open until the stream is read
    stopped = threading.Event()

    def stop() -> None:  # DuckDB checks for an interrupt as it works: a recursive view ends here
        stopped.set()
        for c in (con, *(k for k in keep if isinstance(k, duckdb.DuckDBPyConnection))):
            c.interrupt()

    timer = threading.Timer(STATEMENT_TIMEOUT_MS / 1000, stop)
    timer.daemon = True
    timer.start()
    try:
        stream = _duckdb_stream(source, limit, keep) if source.kind == "duckdb" else _adbc_stream(source, limit, keep)
        con.from_arrow(stream).create(name)
    except duckdb.Error as exc:
        raise (_overtime() if stopped.is_set() else DatabaseError(_first_line(exc))) from None
    finally:
        timer.cancel()
        for thing in reversed(keep):
            thing.close()


def _overtime() -> "DatabaseError":
    return DatabaseError(f"reading it took longer than {STATEMENT_TIMEOUT_MS / 1000:g} s and was stopped (a view or "
                         "query that does not end?)")


def _sqlite_uri(path: Path) -> str:
    """The URI opening a SQLite file read-only: its path escaped, so that a `?` or `#` in a file's
    name is not read as the URI's options."""
    from urllib.parse import quote as uri_quote

    return f"file:{uri_quote(str(path))}?mode=ro"


def _sqlite_has_table(path: Path, table: str) -> None:
    """DatabaseError unless the SQLite file has a table or view of that name."""
    import sqlite3

    con = sqlite3.connect(_sqlite_uri(path), uri=True)
    try:
        found = con.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
                            [table]).fetchall()
    except sqlite3.Error as exc:
        raise DatabaseError(_first_line(exc)) from None
    finally:
        con.close()
    if not found:
        raise DatabaseError(f"the database has no table '{table[:80]}'")


def _sqlite_ends(path: Path, select: str) -> None:
    """Run `select` on the SQLite file through the standard library, whose progress handler can
    stop it, counting its rows: DatabaseError if it runs past the time a read may take. The
    rows are then read through ADBC, which has no way to stop a statement."""
    import sqlite3
    import time

    deadline = time.monotonic() + STATEMENT_TIMEOUT_MS / 1000
    con = sqlite3.connect(_sqlite_uri(path), uri=True)
    try:
        con.execute("PRAGMA trusted_schema = OFF")
        con.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        con.execute(f"SELECT count(*) FROM ({select})").fetchall()
    except sqlite3.Error as exc:
        if time.monotonic() > deadline:
            raise _overtime() from None
        raise DatabaseError(_first_line(exc)) from None
    finally:
        con.close()


class _Capsule:
    """An Arrow C stream already exported, offered to another DuckDB connection to scan."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __arrow_c_stream__(self, requested_schema=None):
        return self.capsule


def _duckdb_stream(source: Source, limit: int | None, keep: list):
    """The rows of a DuckDB file: attached read-only to a connection of its own, locked before
    anything of the file is read (a view in it cannot read another file)."""
    import duckdb

    from . import sandbox

    own = duckdb.connect(":memory:")
    keep.append(own)
    own.execute("ATTACH ? AS __source (READ_ONLY)", [str(source.path)])
    sandbox.lock(own, [])
    if source.table is not None:
        schema, table = _split(source.table)
        found = own.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '__source' "
                            "AND table_name = ? AND schema_name = coalesce(?, 'main') UNION ALL "
                            "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = '__source' "
                            "AND view_name = ? AND schema_name = coalesce(?, 'main')",
                            [table, schema, table, schema]).fetchall()
        if not found:
            raise DatabaseError(f"the database has no table '{source.table[:80]}'")
        select = f"SELECT * FROM __source.{quote(found[0][0])}.{quote(found[0][1])}"
    else:
        own.execute("USE __source")
        select = source.query or ""
    if limit is not None:
        select = f"SELECT * FROM ({select}) LIMIT {int(limit) + 1}"
    return _Capsule(own.sql(select).__arrow_c_stream__())


def _split(table: str) -> tuple[str | None, str]:
    """`schema.table` or `table`: a dot is a schema's only where the name has one."""
    schema, dot, rest = table.partition(".")
    return (schema, rest) if dot and schema and rest else (None, table)


def _adbc_stream(source: Source, limit: int | None, keep: list):
    """The rows of a SQLite file or a PostgreSQL database as an Arrow C stream, read by ADBC."""
    from .extras import need

    if source.kind == "sqlite":
        driver = need("adbc_driver_sqlite", f"{source.display}: a SQLite resource", "sqlite")
        uri = _sqlite_uri(source.path)
    else:
        driver = need("adbc_driver_postgresql", f"{source.display}: a PostgreSQL resource", "postgres")
        uri = connection_uri(source.connection or "") or ""
    import adbc_driver_manager as adbc

    try:
        db = driver.connect(uri)
        keep.append(db)
        conn = adbc.AdbcConnection(db)
        keep.append(conn)
        if source.kind == "postgresql":
            for setting in ("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
                            f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}"):
                _execute(conn, setting, adbc)
        else:
            _execute(conn, "PRAGMA trusted_schema = OFF", adbc)
        if source.table is not None and source.kind == "sqlite":
            # looked up in the catalogue through sqlite3: ADBC's table schema runs a view to read
            # its columns, and a view that does not end would never return
            _sqlite_has_table(source.path, source.table)
            select = "SELECT * FROM " + quote(source.table)  # an attached schema cannot be named
        elif source.table is not None:
            schema, table = _split(source.table)
            try:
                conn.get_table_schema(None, schema, table)
            except adbc.Error:
                raise DatabaseError(f"the database has no table '{source.table[:80]}'") from None
            select = "SELECT * FROM " + (f"{quote(schema)}." if schema else "") + quote(table)
        else:
            select = source.query or ""
        if limit is not None:
            select = f"SELECT * FROM ({select}) AS rows LIMIT {int(limit) + 1}"
        if source.kind == "sqlite":
            _sqlite_ends(source.path, select)
        return _execute(conn, select, adbc, keep)
    except adbc.Error as exc:
        raise DatabaseError(_first_line(exc)) from None


def _execute(conn, sql: str, adbc, keep: list | None = None):
    """Run `sql`: its rows as an Arrow stream, or (keep None: a setting) nothing."""
    statement = adbc.AdbcStatement(conn)
    statement.set_sql_query(sql)
    if keep is None:
        statement.execute_update()
        statement.close()
        return None
    keep.append(statement)
    stream, _ = statement.execute_query()
    return stream


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def text_rows(source: Source, limit: int) -> tuple[list[str], list[list[str]]]:
    """The column names and each row's values as text (NULL as empty), at most `limit` + 1 rows:
    the in-memory path, where the loaders read the rows as a CSV file's. Numbers print as the
    database holds them: an integer plainly, a PostgreSQL numeric and a DuckDB decimal with their
    scale (1.50 stays 1.50, its printed precision), a float at its shortest."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        load_into(con, source, "__rows", limit)
        from . import sandbox

        sandbox.lock(con)
        names = [r[0] for r in con.execute("DESCRIBE __rows").fetchall()]
        texts = ", ".join(f"coalesce(CAST({quote(n)} AS VARCHAR), '')" for n in names)
        rows = [list(r) for r in con.execute(f"SELECT {texts} FROM __rows").fetchall()]
    except duckdb.Error as exc:
        raise DatabaseError(_first_line(exc)) from None
    finally:
        con.close()
    return names, rows
