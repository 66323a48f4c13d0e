"""Comparisons whose outcome the sign of the difference decides are answered before the full test
(Compiler._decided_first): the two forms must give the same result on every value, missing, NaN
and infinite ones included."""
from __future__ import annotations

import itertools

import duckdb
import pytest

from audit import units
from audit.expr.ast import parse
from audit.expr.compiler import ColumnInfo, Compiler, Context, Schema, compile_condition

VALUES = [None, 0.0, -0.0, 1e-13, -1e-13, 1e-12, -1e-12, 1.0000001e-12, -1.0000001e-12, 0.5, -0.5, 1.0, -1.0,
          1.0 + 1e-12, 1.0 - 1e-16, 3.0, -3.0, 1e15, 1e15 + 0.125, -1e15, 1e299, 1e300, -1e300, 1.7e308, -1.7e308,
          float("inf"), float("-inf"), float("nan")]
ERRORS = [0.0, 0.25]
CONDITIONS = ["x {op} y", "x {op} 0", "0 {op} y", "-x {op} 0", "x {op} 0 m2", "x {op} 1", "x + y {op} 0", "x {op} y within 0.5",
              "x {op} y within 0", "x {op} y within 5%", "x {op} y within 0.5 ha"]


UNITS = units.UnitSystem.from_mapping({"area": {"units": {"m2": 1, "ha": 10000}, "exact": ["m2"]},
                                       "count": {"units": {"count": 1}, "number": True}})


def schema(exact: bool, dim=units.NONE, unit=None) -> Schema:
    return Schema({"t": {c: ColumnInfo(True, dim, unit, exact=exact) for c in ("x", "y")}}, units=UNITS)


def both_forms(text: str, s: Schema, monkeypatch) -> tuple[str, str]:
    fast = compile_condition(parse(text), s, Context(row_table="t")).value.sql
    with monkeypatch.context() as m:
        m.setattr(Compiler, "_decided_first", staticmethod(lambda sql, node, a, b: sql))
        full = compile_condition(parse(text), s, Context(row_table="t")).value.sql
    return fast, full


INTEGERS = [None, 0, 1, -1, 2, -3, 10**15, -10**15, 2**52 + 1, -2**52 - 1]


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize("exact,type_", [(True, "DOUBLE"), (False, "DOUBLE"), (True, "BIGINT")])
def test_early_decision_agrees_with_the_full_test(op, exact, type_, monkeypatch):
    con = duckdb.connect()
    errors = [0.0] if exact else ERRORS
    values = VALUES if type_ == "DOUBLE" else INTEGERS
    rows = [(x, y, ex, ey) for x, y in itertools.product(values, values) for ex in errors for ey in errors]
    con.execute(f"CREATE TABLE t (x {type_}, y {type_}, x__err DOUBLE, y__err DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    changed = 0
    for template in CONDITIONS:
        text = template.format(op=op)
        dim, unit = (UNITS.lookup("m2").dim, "m2") if "ha" in text or "m2" in text else (units.NONE, None)
        fast, full = both_forms(text, schema(exact, dim, unit), monkeypatch)
        changed += fast != full
        differ = con.execute(f"SELECT x, y, x__err, y__err, {fast} AS fast, {full} AS full FROM t r "
                             f"WHERE ({fast}) IS DISTINCT FROM ({full})").fetchall()
        assert not differ, (text, differ[:5])
    assert changed or (op in ('<', '>') and not exact)  # the early form is used (strict tests: if exact)


def test_only_known_uncertainties_are_decided_early():
    """A division's uncertainty can be missing where its value is not: no early answer."""
    s = schema(True)
    sql = compile_condition(parse("x / y >= 1"), s, Context(row_table="t")).value.sql
    assert not sql.startswith("(CASE WHEN")
    sql = compile_condition(parse("x >= 0"), s, Context(row_table="t")).value.sql
    assert sql.startswith("(CASE WHEN r.\"x\" >= 0 THEN TRUE")
    # strict tests are decided early only with no allowance at all
    sql = compile_condition(parse("x > 0"), schema(False), Context(row_table="t")).value.sql
    assert not sql.startswith("(CASE WHEN")
