"""The Spark engine: the same compiled SQL, run by Spark SQL (PySpark, local mode).

There is one evaluation path. The kinds compile rules to DuckDB SQL; this engine registers the
very relations DuckDBEngine builds (the same pandas frames: values in base units, `__err`,
`__line`, `__total`, dimension constants, `__claims`, `__h_<table>`) as Spark temporary views,
and `rows(sql)` translates each statement with sqlglot (DuckDB dialect to Spark dialect) and
returns what DuckDB would: a list of dicts of floats, ints, bools, strings, None and lists.

Where sqlglot's translation does not run on Spark, or runs with another meaning, the parsed
statement is rewritten before Spark SQL is generated (`to_spark_sql`, one function per rewrite,
each tested in tests/test_spark_oracle.py, or, for the figure layout, tests/test_spark_oracle_figures.py):

- `list(x ORDER BY k)` (DuckDB's ordered list aggregate; sqlglot drops the ORDER BY): the
  elements are collected with their sort keys and sorted, `NULL` on no rows as in DuckDB; and
  `list(DISTINCT x ORDER BY x)` alike, each distinct value once (a NULL one last, as in DuckDB);
- `min(x, n)` / `max(x, n)` (DuckDB's top-n aggregates, a sorted list of the n least or greatest
  non-null values), with an optional `FILTER (WHERE ...)`: a sorted, sliced `collect_list`;
- `(a, b) IN (SELECT (a, b) ...)`: DuckDB compares a row with a row value; Spark wants the
  subquery to select the columns themselves;
- `... HAVING ... ORDER BY min(x)`, an aggregate the select list lacks (Spark cannot resolve it
  beside a HAVING): the grouped query selects its sort keys, a query around it orders by them;
- `isinf(x)`, which Spark SQL lacks: `abs(x) = double('Infinity')` (the figure layout's intervals).

Spark runs with ANSI mode off, so that a failed cast or a division by zero is NULL, not an
error that breaks the rule. (DuckDB gives +-inf for x / 0 on doubles; the compiled SQL divides
only by `nullif(..., 0)` or by a value it has checked is positive, so that case never arises.)
The session time zone is UTC, one local worker thread, no UI. One SparkSession is started per
process (starting one takes seconds); each engine works in its own `newSession()`, so the
temporary views of two datasets never meet. Every relation is a local relation held by the
driver, and a statement asked for twice by one engine is run once.

Equal, not identical: sums of doubles may differ in the last bits (the order of addition is
the engine's), ties in `list(... ORDER BY k)` are in no promised order on either engine, and
a column the statement does not name (`SELECT count(*) FROM t`) is named differently; the
kinds name every column they read.

The figure layout's Spark engine (`audit.figures.engines.SparkFigures`) runs its store's queries
with the same translation (`to_spark_sql`) and the same process-wide session.

External tables (Parquet, scanned CSV) are read through DuckDB with the same SELECT that
DuckDBEngine uses and handed to Spark in memory: the Spark engine is an oracle for the compiled
SQL, not a way to audit data too large for the driver.
"""
from __future__ import annotations

import os
import shutil
import threading
from decimal import Decimal
from typing import Any

from .dataset import Dataset, Table
from .engine import RowLookup, claims_frame, dataset_frames, external_connection, external_select
from .errors import AuditInputError, Problem

_SESSION = None
_LOCK = threading.Lock()

SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "1g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.execution.arrow.pyspark.enabled": "false",
    "spark.sql.adaptive.enabled": "false",
    # the tables are small and the statements many: planning and code generation, not data,
    # take the time. Interpreted expressions and no broadcast jobs make each statement cheaper.
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    # a query can name a file as a table (parquet.`/path`): the engine reads only the views it registered
    "spark.sql.runSQLOnFiles": "false",
}
# A short-lived driver that runs many small statements: the quick JIT tier alone warms up in
# seconds (the optimising tier pays off only after minutes), and one GC thread is enough.
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

INSTALL_HINT = ("the Spark engine needs PySpark and sqlglot (pip install 'figure-audit[spark]') and a Java runtime, "
                "17 or later, on the PATH or in JAVA_HOME")


class SparkUnavailable(AuditInputError):
    """PySpark, sqlglot or Java is missing, or Spark could not start."""

    def __init__(self, detail: str):
        super().__init__(Problem("--engine spark", f"{INSTALL_HINT}: {detail}"))


class SparkSQLError(RuntimeError):
    """Spark could not run a translated statement (a rule that breaks on Spark only)."""


def spark_session():
    """The process's SparkSession (local mode), started on first use."""
    global _SESSION
    with _LOCK:
        if _SESSION is None:
            _SESSION = _start()
        return _SESSION


def stop_session() -> None:
    """Stop the process's SparkSession (the JVM stays; a later engine starts a new session)."""
    global _SESSION
    with _LOCK:
        if _SESSION is not None:
            _SESSION.stop()
            _SESSION = None


_WAREHOUSE: list[str] = []


def _warehouse() -> str:
    """Spark makes its warehouse folder where it starts (an empty spark-warehouse/ in the user's
    working tree, perhaps a dataset repository); the engine stores no table, so one temporary
    folder per process, removed when the process ends."""
    if not _WAREHOUSE:
        import atexit
        import tempfile

        _WAREHOUSE.append(tempfile.mkdtemp(prefix="audit-spark-warehouse-"))
        atexit.register(shutil.rmtree, _WAREHOUSE[0], True)
    return _WAREHOUSE[0]


def _start():
    import warnings

    with warnings.catch_warnings():
        # PySpark warns that it does not yet fully support pandas 3; the engine hands it no pandas
        # objects (rows go in as Python values, come back as Rows)
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        return _start_quietly()


def _start_quietly():
    try:
        import sqlglot  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(f"cannot import {exc.name or exc}") from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkUnavailable("no 'java' on the PATH and JAVA_HOME is not set")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master("local[1]").appName("audit")
    java_options = os.environ.get("AUDIT_SPARK_JAVA_OPTS", JAVA_OPTIONS)
    builder = builder.config("spark.driver.extraJavaOptions",
                             f"{java_options} -Dlog4j2.configurationFile={_log4j_config()}")
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    builder = builder.config("spark.sql.warehouse.dir", _warehouse())
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no usable Java
        raise SparkUnavailable(f"Spark did not start ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    spark.sparkContext.setLogLevel("FATAL")  # errors reach the caller as exceptions
    try:  # PySpark also logs each failed statement, with the JVM's stack, to stderr as JSON
        import logging

        from pyspark.logger import PySparkLogger

        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)
    except ImportError:  # pragma: no cover - older PySpark
        pass
    return spark


LOG4J = """\
# written by audit.spark_engine. Warnings while Spark starts (the level a shell starts at, so that
# Spark does not announce it), none after: the engine lowers the level once started, and errors
# reach Python as exceptions.
rootLogger.level = warn
logger.hadoop.name = org.apache.hadoop.util.NativeCodeLoader
logger.hadoop.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _log4j_config() -> str:
    """A log4j2 configuration for the driver: without it Spark prints its start-up chatter.

    Kept in the user's private cache folder, not under a fixed name in the shared temporary
    directory, where another user could plant a link (which writing would follow) or a named pipe
    (which reading would wait on), or their own configuration. Without a private folder, a new
    file made by mkstemp (owned by the user, never an existing name)."""
    import stat
    import tempfile

    from .inputs import private_cache_dir

    folder = private_cache_dir()
    if folder is not None:
        path = folder / "spark-log4j2.properties"
        try:
            if stat.S_ISREG(os.lstat(path).st_mode) and path.read_text(encoding="utf-8") == LOG4J:
                return str(path)
        except OSError:
            pass
        try:
            return _written(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600),
                            str(path))
        except OSError:
            pass
    return _written(*tempfile.mkstemp(prefix="audit-spark-log4j2-", suffix=".properties"))


def _written(fd: int, path: str) -> str:
    """Write the log4j2 configuration to an open file descriptor; return its path."""
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(LOG4J)
    return path


# -- frames to Spark -------------------------------------------------------------------------------
def _spark_type(frame, column):
    from pyspark.sql import types as T

    dtype = frame[column].dtype
    if dtype.kind == "f":
        return T.DoubleType()
    if dtype.kind in "iu":
        return T.LongType()
    if dtype.kind == "b" or str(dtype) == "boolean":
        return T.BooleanType()
    values = [v for v in frame[column].tolist() if v is not None and v == v]
    if values and all(isinstance(v, bool) for v in values):
        return T.BooleanType()
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return T.LongType()
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return T.DoubleType()
    return T.StringType()


def _python_value(v, spark_type):
    from pyspark.sql import types as T

    if v is None or v is _NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(spark_type, T.DoubleType):
        return float(v)
    if isinstance(spark_type, T.LongType):
        return int(v)
    if isinstance(spark_type, T.BooleanType):
        return bool(v)
    return str(v)


try:  # pandas' missing value, compared by identity
    from pandas import NA as _NA
except ImportError:  # pragma: no cover
    _NA = object()


def spark_frame(spark, frame):
    """A Spark relation with the same columns, types and NULLs as DuckDB reads from `frame`
    (NaN in a float column is NULL there too)."""
    from pyspark.sql import types as T

    fields = [T.StructField(str(c), _spark_type(frame, c), True) for c in frame.columns]
    columns = [[_python_value(v, f.dataType) for v in frame[c].tolist()] for c, f in zip(frame.columns, fields)]
    return _relation(spark, fields, list(zip(*columns)) if columns else [])


def _duckdb_type(name: str):
    from pyspark.sql import types as T

    name = name.upper()
    if name in ("DOUBLE", "FLOAT", "REAL") or name.startswith("DECIMAL"):
        return T.DoubleType()
    if name.endswith("INT") or name in ("INTEGER", "HUGEINT", "UHUGEINT"):
        return T.LongType()
    if name == "BOOLEAN":
        return T.BooleanType()
    return T.StringType()


def external_relation(spark, table: Table):
    """An external table (Parquet, scanned CSV) as DuckDBEngine reads it, by the same SELECT, with
    the types DuckDB gives its columns."""
    from pyspark.sql import types as T

    con = external_connection(table)
    try:
        cur = con.execute(external_select(table))
        fields = [T.StructField(d[0], _duckdb_type(str(d[1])), True) for d in cur.description]
        rows = [tuple(_python_value(v, f.dataType) for v, f in zip(rec, fields)) for rec in cur.fetchall()]
    finally:
        con.close()
    return _relation(spark, fields, rows)


def _relation(spark, fields, rows):
    from pyspark.sql import types as T

    return local_relation(spark.createDataFrame(rows, T.StructType(fields), verifySchema=False))


def local_relation(df):
    """The DataFrame's rows, collected inside the JVM into a local relation: queries scan them in
    the driver without recomputing the source (Python rows or a query), and the optimizer folds
    filters and projections over them."""
    from pyspark.sql import DataFrame

    spark = df.sparkSession
    jdf = spark._jsparkSession.createDataFrame(df._jdf.collectAsList(), df._jdf.schema())
    return DataFrame(jdf, spark)


# -- results back to Python ------------------------------------------------------------------------
def _plain(v):
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if hasattr(v, "asDict"):  # a struct
        return {k: _plain(x) for k, x in v.asDict().items()}
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


# -- DuckDB SQL to Spark SQL -----------------------------------------------------------------------
def _sorted_list(value, order, exp, collect="collect_list"):
    """Spark SQL for DuckDB's `list(value ORDER BY order...)`: collect (keys..., value) structs,
    sort them (structs compare field by field), keep the values. DuckDB puts NULL keys last
    unless told otherwise; a struct field `key IS NULL` sorts them where DuckDB does. With
    `collect_set`, each distinct struct once (a NULL value is kept: the struct holding it is not NULL)."""
    fields = []
    for i, o in enumerate(order):
        if o.args.get("desc"):
            raise ValueError("list(... ORDER BY ... DESC) has no Spark translation here")
        key = o.this
        nulls_first = bool(o.args.get("nulls_first"))
        flag = exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())) if nulls_first else \
            exp.Is(this=key.copy(), expression=exp.Null())
        fields += [exp.alias_(flag, f"__n{i}"), exp.alias_(key.copy(), f"__k{i}")]
    fields.append(exp.alias_(value.copy(), "__v"))
    collected = exp.Anonymous(this=collect, expressions=[exp.Struct(expressions=fields)])
    return collected, lambda arr: exp.Anonymous(this="transform", expressions=[
        exp.Anonymous(this="array_sort", expressions=[arr]),
        exp.Lambda(this=exp.Dot(this=exp.to_identifier("__e"), expression=exp.to_identifier("__v")),
                   expressions=[exp.to_identifier("__e")])])


def _distinct_value(distinct, order, exp):
    """The value of `list(DISTINCT value ORDER BY value)`, whose distinct (key, value) structs are
    its distinct values; ordered by anything else, distinct values are not distinct structs."""
    values = distinct.expressions
    if len(values) != 1 or any(o.this != values[0] for o in order):
        raise ValueError("list(DISTINCT x ORDER BY y) has a Spark translation only when y is x")
    return values[0]


def _empty_to_null(arr, exp):
    """DuckDB's list aggregates give NULL over no rows, Spark's collect_list an empty array."""
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=exp.Anonymous(this="size", expressions=[arr.copy()]),
                                            expression=exp.Literal.number(0)), true=exp.Null())],
                    default=arr)


def _rewrite_list_aggregates(tree, exp):
    """`list(x ORDER BY k)` and the top-n `min(x, n)` / `max(x, n)`, with or without FILTER."""
    def build(node, filt):
        # returns the replacement of `node` (an aggregate), with `filt` (a Where or None) applied to
        # the inner collect_list
        def with_filter(agg):
            return exp.Filter(this=agg, expression=filt.copy()) if filt is not None else agg

        if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
            value, order, collect = node.this.this, node.this.expressions, "collect_list"
            if isinstance(value, exp.Distinct):
                value, collect = _distinct_value(value, order, exp), "collect_set"
            collected, finish = _sorted_list(value, order, exp, collect)
            return _empty_to_null(finish(with_filter(collected)), exp)
        if isinstance(node, (exp.Min, exp.Max)) and node.args.get("count") is not None:
            collected = exp.Anonymous(this="collect_list", expressions=[node.this.copy()])
            arr = exp.Anonymous(this="array_sort", expressions=[with_filter(collected)])
            if isinstance(node, exp.Max):
                arr = exp.Anonymous(this="reverse", expressions=[arr])
            sliced = exp.Anonymous(this="slice", expressions=[arr, exp.Literal.number(1), node.args["count"].copy()])
            return _empty_to_null(sliced, exp)
        return None

    def visit(node):
        if isinstance(node, exp.Filter):
            new = build(node.this, node.expression)
            return new if new is not None else node
        if isinstance(node.parent, exp.Filter):
            return node  # handled with its FILTER
        new = build(node, None)
        return new if new is not None else node

    return tree.transform(visit, copy=False)


def _rewrite_row_in(tree, exp):
    """`(a, b) IN (SELECT (a, b) FROM ...)`: the subquery selects a, b."""
    for node in list(tree.find_all(exp.In)):
        query = node.args.get("query")
        if not isinstance(node.this, exp.Tuple) or query is None:
            continue
        select = query.this if isinstance(query, exp.Subquery) else query
        if isinstance(select, exp.Select) and len(select.expressions) == 1 and \
                isinstance(select.expressions[0], exp.Tuple):
            select.set("expressions", [e.copy() for e in select.expressions[0].expressions])
    return tree


def _rewrite_having_order(tree, exp):
    """`SELECT ... GROUP BY ... HAVING ... ORDER BY min(x)`: Spark cannot resolve an aggregate in
    ORDER BY that the select list lacks once there is a HAVING. The grouped query selects its
    sort keys too (`__o<i>`), in a subquery the outer query orders by and leaves them out of."""
    for select in reversed(list(tree.find_all(exp.Select))):  # the innermost first: an outer one copies it
        order = select.args.get("order")
        if select.args.get("having") is None or order is None or select.args.get("distinct") \
                or not any(o.find(exp.AggFunc) for o in order.expressions):
            continue
        inner = select.copy()
        inner.set("order", None)
        inner.set("limit", None)
        names = []
        for i, e in enumerate(inner.expressions):
            if not isinstance(e, (exp.Alias, exp.Column)) or isinstance(e.this, exp.Star) or e.alias_or_name in names:
                e.replace(exp.alias_(e.copy(), f"__c{i}"))
                names.append(f"__c{i}")
            else:
                names.append(e.alias_or_name)
        keys = []
        for i, o in enumerate(order.expressions):
            inner.select(exp.alias_(o.this.copy(), f"__o{i}"), copy=False)
            keys.append(exp.Ordered(this=exp.column(f"__o{i}"), desc=o.args.get("desc"),
                                    nulls_first=o.args.get("nulls_first")))
        outer = exp.select(*[exp.column(n) for n in names]).from_(exp.Subquery(this=inner, alias=exp.TableAlias(
            this=exp.to_identifier("__q")))).order_by(*keys)
        if select.args.get("limit") is not None:
            outer.set("limit", select.args["limit"].copy())
        if select is tree:
            tree = outer
        else:
            select.replace(outer)
    return tree


def _rewrite_isinf(tree, exp):
    """`isinf(x)` (DuckDB; Spark SQL has no such function): `abs(x) = double('Infinity')`, NULL
    for a NULL x as in DuckDB. The figure layout's open intervals ("more than 4") end at infinity."""
    infinity = exp.Cast(this=exp.Literal.string("Infinity"), to=exp.DataType.build("double"))

    def visit(node):
        if isinstance(node, exp.IsInf):
            return exp.Paren(this=exp.EQ(this=exp.Abs(this=node.this), expression=infinity.copy()))
        return node

    return tree.transform(visit, copy=False)


# Spark SQL functions that call into the JVM: no compiled rule uses them, and none may run
JVM_FUNCTIONS = {"reflect", "java_method", "try_reflect"}


def _guard(tree, exp, views) -> None:
    """Refuse a statement that is not a query, or that reads anything but the engine's own views:
    the Spark engine reads only the tables it was given (a file path as a table, a table-valued
    function, a qualified name or a JVM call is a SparkSQLError, never run)."""
    if not isinstance(tree, exp.Query):
        raise SparkSQLError(f"only queries run on the Spark engine, not {type(tree).__name__}")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or table.args.get("db") or table.args.get("catalog") \
                or (views is not None and table.name not in views and table.name not in ctes):
            raise SparkSQLError(f"the Spark engine reads only the dataset's tables, not {table.sql()[:80]}")
    for func in tree.find_all(exp.Anonymous):
        if str(func.name).lower() in JVM_FUNCTIONS:
            raise SparkSQLError(f"function {func.name} is not allowed")


def to_spark_sql(sql: str, views=None) -> str:
    """Translate one DuckDB statement of the compiled rules to Spark SQL. With `views`, the
    statement may read only those relations (see _guard)."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    _guard(tree, exp, views)
    tree = _rewrite_list_aggregates(tree, exp)
    tree = _rewrite_row_in(tree, exp)
    tree = _rewrite_having_order(tree, exp)
    tree = _rewrite_isinf(tree, exp)
    return tree.sql(dialect="spark")


class SparkEngine:
    """Runs compiled rules on Spark SQL, in a session of its own. One engine per dataset."""

    name = "spark"

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.spark = spark_session().newSession()
        for key, value in SPARK_CONF.items():  # a new session starts from the SparkConf; to be sure
            if key.startswith("spark.sql.") and self.spark.conf.isModifiable(key):
                self.spark.conf.set(key, value)
        self.views: list[str] = []
        self._cache: dict[str, str] = {}
        self._results: dict[str, tuple[list[tuple], list[str]]] = {}
        for name, table in dataset.tables.items():
            if table.external:
                self._register(name, external_relation(self.spark, table))
                table.row_lookup = RowLookup(self, name, table)
        for name, frame in dataset_frames(dataset).items():
            self._register(name, spark_frame(self.spark, frame))

    def refresh_claims(self, dataset) -> None:
        """`__claims` again, once the rule pack has said what the claims' dimensions are (bind_claims)."""
        self._register("__claims", spark_frame(self.spark, claims_frame(dataset)))
        self._results.clear()

    def _register(self, name: str, df) -> None:
        df.createOrReplaceTempView(name)
        if name not in self.views:
            self.views.append(name)

    def translate(self, sql: str) -> str:
        if sql not in self._cache:
            self._cache[sql] = to_spark_sql(sql, set(self.views))
        return self._cache[sql]

    def _run(self, sql: str, action):
        """`action` applied to the statement's DataFrame. Errors of sqlglot and Spark become a
        SparkSQLError of one line (Spark's carry the whole plan and the JVM's stack)."""
        spark_sql = None
        try:
            spark_sql = self.translate(sql)
            return action(self.spark.sql(spark_sql))
        except Exception as exc:
            if type(exc).__module__.startswith(("pyspark", "py4j", "sqlglot")):
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise SparkSQLError(f"{first} (Spark SQL: {spark_sql or 'not translated'})") from None
            raise

    def materialize(self, name: str, sql: str) -> None:
        """Store a query's result under a name (the planner's shared aggregates), as DuckDBEngine does."""
        if name in self.views:
            self._results.clear()
        self._register(name, self._run(sql, local_relation))

    def rows(self, sql: str) -> list[dict[str, Any]]:
        # The relations of an engine do not change (materialize adds new names; replacing one
        # clears this memo), so a statement asked for again (a coverage check, the locations of
        # an aggregate read by several rules) is answered from the first run: a Spark statement
        # costs a job or more, a DuckDB one microseconds.
        if sql not in self._results:
            self._results[sql] = self._run(sql, lambda df: (
                [tuple(_plain(v) for v in row) for row in df.collect()], df.columns))
        records, names = self._results[sql]
        return [{n: list(v) if isinstance(v, list) else v for n, v in zip(names, rec)} for rec in records]

    def close(self) -> None:
        for name in self.views:
            self.spark.catalog.dropTempView(name)
        self.views.clear()
