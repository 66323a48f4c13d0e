"""The Spark engine: the same compiled SQL, run by Spark SQL (PySpark, local mode).

There is one evaluation path. The kinds compile rules to DuckDB SQL; this engine registers the
very relations DuckDBEngine builds (the same pandas frames: values in base units, `__err`,
`__line`, `__total`, dimension constants, `__claims`, `__h_<table>`) as Spark temporary views,
and `rows(sql)` translates each statement with sqlglot (DuckDB dialect to Spark dialect) and
returns what DuckDB would: a list of dicts of floats, ints, bools, strings, None and lists.

Where sqlglot's translation does not run on Spark, or runs with another meaning, the parsed
statement is rewritten before Spark SQL is generated (`to_spark_sql`, one function per rewrite,
each tested in tests/test_spark_oracle.py):

- `list(x ORDER BY k)` (DuckDB's ordered list aggregate; sqlglot drops the ORDER BY): the
  elements are collected with their sort keys and sorted, `NULL` on no rows as in DuckDB;
- `min(x, n)` / `max(x, n)` (DuckDB's top-n aggregates, a sorted list of the n least or greatest
  non-null values), with an optional `FILTER (WHERE ...)`: a sorted, sliced `collect_list`;
- `(a, b) IN (SELECT (a, b) ...)`: DuckDB compares a row with a row value; Spark wants the
  subquery to select the columns themselves.

Spark runs with ANSI mode off (division by zero and overflow give NULL, as the compiled SQL
expects from `nullif`), the session time zone UTC, one local worker thread, and no UI. One
SparkSession is started per process (starting one takes seconds); each engine works in its
own `newSession()`, so the temporary views of two datasets never meet.

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
from .engine import DuckDBEngine, dataset_frames, external_select
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
}
# A short-lived driver that runs many small statements: the quick JIT tier alone warms up in
# seconds (the optimising tier pays off only after minutes), and one GC thread is enough.
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

INSTALL_HINT = ("the Spark engine needs PySpark and sqlglot (pip install 'audit[spark]') and a Java runtime, "
                "17 or later, on the PATH or in JAVA_HOME")


class SparkUnavailable(AuditInputError):
    """PySpark, sqlglot or Java is missing, or Spark could not start."""

    def __init__(self, detail: str):
        super().__init__(Problem("--engine spark", f"{INSTALL_HINT}: {detail}"))


def spark_session():
    """The process's SparkSession (local mode), started on first use."""
    global _SESSION
    with _LOCK:
        if _SESSION is None:
            _SESSION = _start()
        return _SESSION


def _start():
    try:
        import sqlglot  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(f"cannot import {exc.name or exc}") from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkUnavailable("no 'java' on the PATH and JAVA_HOME is not set")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master("local[1]").appName("audit")
    builder = builder.config("spark.driver.extraJavaOptions", os.environ.get("AUDIT_SPARK_JAVA_OPTS", JAVA_OPTIONS))
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: no usable Java
        raise SparkUnavailable(f"Spark did not start ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


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
    """A Spark DataFrame with the same columns, types and NULLs as DuckDB reads from `frame`
    (NaN in a float column is NULL there too)."""
    from pyspark.sql import types as T

    fields = [T.StructField(str(c), _spark_type(frame, c), True) for c in frame.columns]
    columns = [[_python_value(v, f.dataType) for v in frame[c].tolist()] for c, f in zip(frame.columns, fields)]
    rows = list(zip(*columns)) if columns else []
    df = spark.createDataFrame(rows, T.StructType(fields), verifySchema=False)
    # the rows, collected inside the JVM into a local relation: queries scan them in the driver
    # without re-reading the Python data (and the optimizer folds filters over them)
    from pyspark.sql import DataFrame

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
def _sorted_list(value, order, exp):
    """Spark SQL for DuckDB's `list(value ORDER BY order...)`: collect (keys..., value) structs,
    sort them (structs compare field by field), keep the values. DuckDB puts NULL keys last
    unless told otherwise; a struct field `key IS NULL` sorts them where DuckDB does."""
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
    collected = exp.Anonymous(this="collect_list", expressions=[exp.Struct(expressions=fields)])
    return collected, lambda arr: exp.Anonymous(this="transform", expressions=[
        exp.Anonymous(this="array_sort", expressions=[arr]),
        exp.Lambda(this=exp.Dot(this=exp.to_identifier("__e"), expression=exp.to_identifier("__v")),
                   expressions=[exp.to_identifier("__e")])])


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
            collected, finish = _sorted_list(node.this.this, node.this.expressions, exp)
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


def to_spark_sql(sql: str) -> str:
    """Translate one DuckDB statement of the compiled rules to Spark SQL."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = _rewrite_list_aggregates(tree, exp)
    tree = _rewrite_row_in(tree, exp)
    return tree.sql(dialect="spark")


class SparkEngine:
    """Runs compiled rules on Spark SQL, in a session of its own. One engine per dataset."""

    name = "spark"

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.spark = spark_session().newSession()
        for key, value in SPARK_CONF.items():
            if key.startswith("spark.sql."):
                self.spark.conf.set(key, value)
        self.views: list[str] = []
        frames = dataset_frames(dataset)
        for name, table in dataset.tables.items():
            if table.external:
                frames[name] = self._external_frame(table)
                table.row_lookup = DuckDBEngine._lookup(self, name, table)
        for name, frame in frames.items():
            spark_frame(self.spark, frame).createOrReplaceTempView(name)
            self.views.append(name)
        self._cache: dict[str, str] = {}

    @staticmethod
    def _external_frame(table: Table):
        import duckdb

        con = duckdb.connect(":memory:")
        try:
            return con.execute(external_select(table)).df()
        finally:
            con.close()

    def translate(self, sql: str) -> str:
        if sql not in self._cache:
            self._cache[sql] = to_spark_sql(sql)
        return self._cache[sql]

    def rows(self, sql: str) -> list[dict[str, Any]]:
        df = self.spark.sql(self.translate(sql))
        names = df.columns
        return [{n: _plain(v) for n, v in zip(names, row)} for row in df.collect()]

    def close(self) -> None:
        for name in self.views:
            self.spark.catalog.dropTempView(name)
        self.views.clear()
