"""The engines the figure store's queries run on, behind one declared interface (`FigureEngine`).

The store (`audit.figures.store`) builds its tables (`figures`, `blanks`, `anc`, `derived`,
`derived_incomplete` and their coded twins) in an in-process DuckDB connection, from Python values
(bound or scanned, never SQL text); the kinds then ask questions of those tables through
`FigureStore.rows`, which is `engine.rows`. The engine is chosen by name, as the table layout's is
(`engine=`, `--engine duckdb|spark`):

- `duckdb` (the default): the store's own connection. Nothing is copied and nothing translated;
  `rows` is `execute(sql, params).fetchall()`, as it was before there was a choice.
- `spark`: the tables DuckDB built are handed to Spark as temporary views, each collected once
  into a local relation in the driver when a query first reads it, and every query of the kinds
  runs on Spark SQL, translated from DuckDB's dialect by sqlglot and the rewrites of
  `audit.spark_engine.to_spark_sql` (the table layout's translation, its guard that lets a query
  read only the store's tables, and its one SparkSession per process; each store has a session of
  its own). Parameters stay parameters: a `?` of DuckDB is a `?` of Spark SQL, bound by
  `spark.sql(query, args=[...])`, never written into the text.

What Spark checks, and what it does not: the tables are built by DuckDB on either engine (the sums
of parts in `derived` included), since they are made of Python values loaded in bulk and of DuckDB
statements (`CREATE`, `INSERT`, `ALTER`) a temporary view cannot take. Spark answers every question
a rule asks of them: the joins, groupings, tolerances and list aggregates of every kind. It is an
oracle for the kinds' SQL and a second engine for their queries, not a way to audit more figures
than one machine's DuckDB holds.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

FIGURE_ENGINES = ("duckdb", "spark")


@runtime_checkable
class FigureEngine(Protocol):
    """What the store and the kinds ask of an engine: rows of a DuckDB-dialect query, with its `?`
    parameters bound, as tuples of Python values (floats, ints, bools, strings, dates, lists, None)."""

    name: str

    def rows(self, sql: str, params: list | None = None) -> list[tuple]: ...

    def close(self) -> None: ...


class DuckDBFigures:
    """The store's own DuckDB connection answers (the default engine)."""

    name = "duckdb"

    def __init__(self, con):
        self.con = con

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def close(self) -> None:
        self.con.close()


def figure_engine(name: str, con) -> FigureEngine:
    """The engine named `name` over the tables of the DuckDB connection `con` (the store's). When
    there is none (an unknown name, no PySpark, no Java), `con` is closed: the store is not made."""
    try:
        if name == "duckdb":
            return DuckDBFigures(con)
        if name == "spark":
            from ..extras import need

            for module in ("pyspark", "sqlglot"):
                need(module, "audit check --engine spark")
            return SparkFigures(con)
        raise ValueError(f"unknown engine '{name}' (one of {', '.join(FIGURE_ENGINES)})")
    except BaseException:
        con.close()
        raise


def _spark_type(duckdb_type: str):
    """The Spark type of a column DuckDB types `duckdb_type` (the store's: numbers, text, dates,
    booleans and lists of them)."""
    from pyspark.sql import types as T

    name = duckdb_type.upper()
    if name.endswith("[]"):
        return T.ArrayType(_spark_type(name[:-2]), True)
    if name == "DATE":
        return T.DateType()
    from ..spark_engine import _duckdb_type

    return _duckdb_type(name)


def _bound(value):
    """A parameter as Spark SQL binds it. A list holding NULL cannot be bound (Spark takes no NULL
    literal in an array argument, PySpark 4.3) and is refused rather than written as text: the
    kinds bind lists of a pack's names only."""
    if isinstance(value, (list, tuple)):
        if any(v is None for v in value):
            from ..spark_engine import SparkSQLError

            raise SparkSQLError("a list parameter holding NULL cannot be bound on Spark")
        return list(value)
    return value


class SparkFigures:
    """The store's tables as Spark temporary views, in a session of their own; queries translated."""

    name = "spark"

    def __init__(self, con):
        from ..spark_engine import SPARK_CONF, spark_session

        self.con = con
        self.spark = spark_session().newSession()
        for key, value in SPARK_CONF.items():
            if key.startswith("spark.sql.") and self.spark.conf.isModifiable(key):
                self.spark.conf.set(key, value)
        # the store's tables, each handed over when a query first reads it (the kinds read half of
        # them, and each costs Spark a job)
        self.tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        self.views: list[str] = []
        self._translated: dict[str, tuple[str, set]] = {}
        self._results: dict[tuple, list[tuple]] = {}

    def _hand_over(self, table: str) -> None:
        """A table of the store as a temporary view of the same name, its rows in the driver."""
        from pyspark.sql import types as T

        from ..spark_engine import _relation

        # the store's table names are its own identifiers (never a dataset's); quoted all the same
        cur = self.con.execute(f'SELECT * FROM "{table}"')
        fields = [T.StructField(d[0], _spark_type(str(d[1])), True) for d in cur.description]
        _relation(self.spark, fields, cur.fetchall()).createOrReplaceTempView(table)
        self.views.append(table)

    def translate(self, sql: str) -> str:
        return self._translation(sql)[0]

    def _translation(self, sql: str) -> tuple[str, set]:
        """The Spark SQL of a statement (which may read only the store's tables), and the tables it reads."""
        if sql not in self._translated:
            import sqlglot
            from sqlglot import exp

            from ..spark_engine import to_spark_sql

            spark_sql = to_spark_sql(sql, self.tables)
            read = {t.name for t in sqlglot.parse_one(spark_sql, read="spark").find_all(exp.Table)} & self.tables
            self._translated[sql] = spark_sql, read
        return self._translated[sql]

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        # the views do not change once made: a question asked twice (the kinds share some) runs once
        key = (sql, repr(params))
        if key not in self._results:
            self._results[key] = self._run(sql, params or [])
        return [tuple(list(v) if isinstance(v, list) else v for v in row) for row in self._results[key]]

    def _run(self, sql: str, params: list) -> list[tuple]:
        from ..spark_engine import SparkSQLError, _plain

        spark_sql = None
        try:
            spark_sql, read = self._translation(sql)
            for table in sorted(read - set(self.views)):
                self._hand_over(table)
            df = self.spark.sql(spark_sql, args=[_bound(p) for p in params]) if params else self.spark.sql(spark_sql)
            return [tuple(_plain(v) for v in row) for row in df.collect()]
        except Exception as exc:
            if type(exc).__module__.startswith(("pyspark", "py4j", "sqlglot")):
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise SparkSQLError(f"{first} (Spark SQL: {spark_sql or 'not translated'})") from None
            raise

    def close(self) -> None:
        for name in self.views:
            self.spark.catalog.dropTempView(name)
        self.views.clear()
        self.con.close()

