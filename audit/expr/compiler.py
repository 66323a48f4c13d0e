"""Compile expression trees to SQL over the dataset's tables, with units and printed precision.

Every numeric value compiles to a pair of SQL expressions: its value in the base unit of its
dimension, and its uncertainty (half the width of the interval its printed precision allows).
Sums add uncertainties; two figures disagree only when their intervals cannot meet, i.e. when
|left - right| exceeds the sum of their uncertainties plus any explicit tolerance.

Names are resolved against a `Schema` before any data is read: a name that the schema does not
know is a rule error (`CompileError`), a table or column that the profile knows but this dataset
lacks makes the rule not applicable (`NotApplicable`).
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import units
from ..errors import choices_hint
from .agreement import EPSILON, can_relate
from .ast import (Aggregate, Arith, Bool, Claimed, Compare, Count, Expr, Func, InList, Logic, Missing, Neg,
                  Not, Num, Ref, Str, Total)



class CompileError(Exception):
    """A rule names something that cannot exist, or mixes types or units."""

    def __init__(self, message: str, node: Expr | None = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint
        self.line = node.line if node is not None else 1
        self.column = node.column if node is not None else 1


class NotApplicable(Exception):
    """The dataset lacks a table or column that the rule needs."""


@dataclass
class ColumnInfo:
    numeric: bool
    dim: units.Dim = units.NONE
    unit: str | None = None
    decimals: int = 0
    kind: str = "field"  # field | dimension
    exact: bool = False  # its uncertainty is 0 on every row (counts, integers, whole m2): see Num_.e_zero


def rule_unit(schema: "Schema", name: str, node: Expr | None = None, where: str = "") -> units.Unit:
    """A unit a rule writes (`0.5 km2`, `within 1 ha`, a kind's `tolerance`): one of the pack's
    (measures.yaml quantities), else a CompileError naming the pack's units."""
    u = schema.units.lookup(name)
    if u is None:
        raise CompileError(f"unknown unit '{name}'{where}", node,
                           hint=choices_hint("units of the profile", schema.units.names(), name))
    return u


@dataclass
class Schema:
    """What names exist: tables and their columns, and the measures claims can speak of."""

    tables: dict[str, dict[str, ColumnInfo]]
    measures: dict[str, units.Dim] = field(default_factory=dict)
    measure_units: dict[str, str | None] = field(default_factory=dict)
    known: "Schema | None" = None  # the profile's schema: names it knows but this one lacks are absent
    planner: object | None = None  # fuses aggregates into shared scans when rules run (audit.expr.planner)
    units: units.UnitSystem = field(default_factory=units.UnitSystem)  # the pack's (measures.yaml quantities)
    period: str | None = None  # the column that counts periods (measures.yaml claim_period)

    def column(self, table: str, name: str, node: Expr) -> ColumnInfo:
        if table not in self.tables:
            self._missing(f"table '{table}'", node, table in (self.known.tables if self.known else {}))
        cols = self.tables[table]
        if name not in cols:
            known = self.known.tables.get(table, {}) if self.known else {}
            self._missing(f"column '{name}' of table '{table}'", node, name in known,
                          hint=f"columns of {table}: {', '.join(cols)}")
        return cols[name]

    def has_table(self, table: str, node: Expr) -> None:
        if table not in self.tables:
            self._missing(f"table '{table}'", node, table in (self.known.tables if self.known else {}),
                          hint=f"tables: {', '.join(self.tables)}")

    def _missing(self, what: str, node: Expr, known_elsewhere: bool, hint: str | None = None):
        if known_elsewhere:
            raise NotApplicable(f"the dataset has no {what}")
        raise CompileError(f"unknown {what}", node, hint)


@dataclass
class Num_:
    v: str
    e: str
    dim: units.Dim
    unit: str | None = None
    decimals: int = 0
    literal_zero: bool = False
    literal: bool = False
    # what is known of the uncertainty `e` before any data is read, for cheaper comparisons (_compare):
    # e_safe: it is a finite number >= 0 wherever the value is not missing (never NULL, never NaN);
    # e_zero: it is 0 wherever the value is not missing
    e_safe: bool = False
    e_zero: bool = False


@dataclass
class Bool_:
    sql: str
    focus: "Focus | None" = None


@dataclass
class Str_:
    sql: str


@dataclass
class Focus:
    """The comparison whose values a finding reports (observed, expected, difference, tolerance)."""

    observed: str
    expected: str
    difference: str
    tolerance: str
    unit: str | None
    decimals: int
    expected_unit: str | None = None
    expected_decimals: int = 0
    op: str = "=="


@dataclass
class AggregateUse:
    """An aggregate in a compiled rule: which rows of which table it reads (for provenance)."""

    table: str
    alias: str
    columns: list[str]
    conditions: list[str]


@dataclass
class Context:
    """Where an expression is evaluated.

    - `row_table`: evaluated once per row of that table (alias `r`);
    - `group_keys`: evaluated once per group of those keys (alias `g`);
    - `align`: keys on which aggregates are matched to the current row or group;
    - `filters`: dimension values every aggregate is restricted to (a claim's dimensions);
    - `joined`: ungrouped aggregates are read from their stored table joined once to the query
      (see Compiled.join_sql) rather than by a scalar subquery each, so that many expressions can
      be evaluated side by side in one statement (the claims of a rule).
    """

    row_table: str | None = None
    group_keys: tuple[str, ...] = ()
    align: tuple[str, ...] = ()
    filters: dict[str, list] = field(default_factory=dict)
    rows: str = "data"  # which rows of the row table: data, totals, all
    joined: bool = False


@dataclass
class Compiled:
    value: Any
    row_columns: list[str] = field(default_factory=list)
    aggregates: list[AggregateUse] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)
    coverage: list[tuple[str, str, list]] = field(default_factory=list)
    uses_claims: bool = False
    claimed: list[str] = field(default_factory=list)  # measures read with claimed()
    claim_conditions: list[list[str]] = field(default_factory=list)  # per claimed(): which rows of __claims c
    joins: dict[str, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)  # fused table -> alias

    def join_sql(self, *more: "Compiled") -> str:
        """LEFT JOINs of the fused aggregate tables this expression reads, to put after `FROM ... r|g`."""
        out, seen = [], set()
        for c in (self, *more):
            for name, (alias, outer, keys) in c.joins.items():
                if alias in seen:
                    continue
                seen.add(alias)
                on = " AND ".join(f"{alias}.{ident(k)} = {outer}.{ident(k)}" for k in keys) or "TRUE"
                out.append(f" LEFT JOIN {name} {alias} ON {on}")
        return "".join(out)


class UnsafeLiteral(TypeError):
    """A value of a type no loader admits reached SQL: a bug of the engine, never run."""


def sql_literal(value: Any) -> str:
    """The SQL text of one scalar value: the only place a value becomes SQL.

    Only the types the loaders check values to be are written: None, bool, int, a finite float or
    Decimal, str (quotes doubled: DuckDB and Spark read nothing else specially inside '...'), date
    and datetime. Anything else (a list, a mapping, an object whose repr could be anything) raises
    UnsafeLiteral, so a loader that forgot a check fails loudly instead of writing SQL from data.
    """
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + str.replace(value, "'", "''") + "'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            raise UnsafeLiteral(f"a number that is not finite cannot be written as SQL: {number}")
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return f"CAST({float.__repr__(number)} AS DOUBLE)"  # a bare 4099999.9999999995 would be read as DECIMAL
    if isinstance(value, datetime.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
    raise UnsafeLiteral(f"a value of type {type(value).__name__} cannot be written as SQL")


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Compiler:
    """Compiles one expression in one context. Use `compile_expr`."""

    def __init__(self, schema: Schema, ctx: Context):
        self.schema, self.ctx = schema, ctx
        self.result = Compiled(None)
        self._agg_alias: str | None = None
        self._agg_table: str | None = None
        self._n = 0

    # -- entry points -------------------------------------------------------------------------
    def boolean(self, expr: Expr) -> Bool_:
        out = self.visit(expr)
        if not isinstance(out, Bool_):
            raise CompileError("this expression must be a condition (true or false), not a value", expr)
        return out

    def number(self, expr: Expr) -> Num_:
        out = self.visit(expr)
        if not isinstance(out, Num_):
            raise CompileError("this expression must be a number", expr)
        return out

    def visit(self, node: Expr):
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node)

    # -- leaves -------------------------------------------------------------------------------
    def _num(self, node: Num):
        exact = {"e_safe": True, "e_zero": True}
        if node.unit == "%":
            return Num_(sql_literal(node.value / 100), "0", units.NONE, literal=True, **exact)
        if node.unit:
            u = self._unit(node.unit, node)
            return Num_(sql_literal(node.value * u.factor), "0", u.dim, u.name,
                        decimals=len(node.text.split(".")[1]) if "." in node.text else 0, **exact)
        return Num_(sql_literal(node.value), "0", units.NONE, literal=True, literal_zero=node.value == 0,
                    decimals=len(node.text.split(".")[1]) if "." in node.text else 0, **exact)

    def _unit(self, name: str, node: Expr) -> units.Unit:
        return rule_unit(self.schema, name, node)

    def _unit_example(self, dim: units.Dim, number: str) -> str | None:
        names = [n for n in self.schema.units.names() if self.schema.units.lookup(n).dim == dim]
        return f"e.g. {', '.join(f'{number} {n}' for n in names[:3])}" if names else None

    def _str(self, node: Str):
        return Str_(sql_literal(node.value))

    def _bool(self, node: Bool):
        return Bool_("TRUE" if node.value else "FALSE")

    def _ref(self, node: Ref):
        if self._agg_alias is not None:
            table = node.table or self._agg_table
            if table != self._agg_table:
                raise CompileError(f"inside an aggregate over '{self._agg_table}' only its columns can be used",
                                   node)
            alias = self._agg_alias
        elif self.ctx.row_table is not None:
            table = node.table or self.ctx.row_table
            if table != self.ctx.row_table:
                self.schema.column(table, node.name, node)
                raise CompileError(f"'{table}.{node.name}' belongs to another table; use an aggregate such "
                                   f"as sum({table}.{node.name}) with 'by' to align it", node)
            alias = "r"
            if node.name not in self.result.row_columns:
                self.result.row_columns.append(node.name)
        elif node.table is None and node.name in self.ctx.group_keys:
            return Str_(f"g.{ident(node.name)}")
        else:
            where = f"{node.table}.{node.name}" if node.table else node.name
            raise CompileError(f"'{where}' is not inside an aggregate; over a whole table use sum(...), "
                               f"count(...), min(...) or max(...)", node)
        info = self.schema.column(table, node.name, node)
        col = f"{alias}.{ident(node.name)}"
        if not info.numeric:
            return Str_(col)
        err = f"{alias}.{ident(node.name + '__err')}" if info.kind == "field" else "0"
        # a column's uncertainty is a finite number >= 0 on every row (engine.uncertainty)
        return Num_(col, err, info.dim, info.unit, info.decimals, e_safe=True,
                    e_zero=info.exact or info.kind != "field")

    # -- arithmetic ---------------------------------------------------------------------------
    def _neg(self, node: Neg):
        x = self.number(node.operand)
        return Num_(f"(-{x.v})", x.e, x.dim, x.unit, x.decimals, x.literal_zero, x.literal, x.e_safe, x.e_zero)

    def _arith(self, node: Arith):
        a, b = self.number(node.left), self.number(node.right)
        unit = a.unit or b.unit
        decimals = max(a.decimals, b.decimals)
        if node.op in "+-":
            dim = self._same_dim(a, b, node, "add" if node.op == "+" else "subtract")
            return Num_(f"({a.v} {node.op} {b.v})", f"({a.e} + {b.e})", dim, unit, decimals,
                        e_safe=a.e_safe and b.e_safe, e_zero=a.e_zero and b.e_zero)
        if node.op == "*":
            dim = units.dim_mul(a.dim, b.dim)
            return Num_(f"({a.v} * {b.v})", f"(abs({a.v}) * {b.e} + abs({b.v}) * {a.e} + {a.e} * {b.e})",
                        dim, self.schema.units.display_unit(dim, unit), decimals)
        dim = units.dim_mul(a.dim, b.dim, -1)
        err = (f"((abs({a.v}) * {b.e} + abs({b.v}) * {a.e}) / "
               f"nullif(abs({b.v}) * greatest(abs({b.v}) - {b.e}, 0), 0))")
        return Num_(f"({a.v} / nullif({b.v}, 0))", err, dim, self.schema.units.display_unit(dim, a.unit), decimals)

    def _same_dim(self, a: Num_, b: Num_, node: Expr, verb: str) -> units.Dim:
        if units.compatible(a.dim, b.dim):
            return a.dim if a.dim else b.dim
        for x, y in ((a, b), (b, a)):
            if x.literal and x.dim == units.NONE:
                if x.literal_zero:
                    return y.dim
                raise CompileError(f"cannot {verb} a plain number and {units.dim_text(y.dim)}: "
                                   f"give the number a unit", node, hint=self._unit_example(y.dim, "1"))
        raise CompileError(f"cannot {verb} {units.dim_text(a.dim)} and {units.dim_text(b.dim)}", node)

    # -- conditions ---------------------------------------------------------------------------
    def _compare(self, node: Compare):
        a, b = self.visit(node.left), self.visit(node.right)
        if isinstance(a, Bool_) or isinstance(b, Bool_):
            raise CompileError("cannot compare conditions; combine them with and, or, implies", node)
        if isinstance(a, Str_) or isinstance(b, Str_):
            if not (isinstance(a, Str_) and isinstance(b, Str_)):
                raise CompileError("cannot compare text with a number", node)
            if node.op not in ("==", "!="):
                raise CompileError("text can only be compared with == or !=", node)
            op = "=" if node.op == "==" else "<>"
            return Bool_(f"({a.sql} {op} {b.sql})")
        self._same_dim(a, b, node, "compare")
        tol = f"({a.e} + {b.e})"
        if node.tolerance is not None:
            t = node.tolerance
            if t.unit == "%":
                tol += f" + {sql_literal(t.value / 100)} * abs({b.v})"
            elif t.unit:
                u = self._unit(t.unit, t)
                dim = a.dim or b.dim
                if u.dim != dim:
                    raise CompileError(f"a tolerance in {u.name} for {units.dim_text(dim)}", t)
                tol += f" + {sql_literal(t.value * u.factor)}"
            else:
                if (a.dim or b.dim) != units.NONE and t.value != 0:
                    raise CompileError("give the tolerance a unit (or %)", t,
                                       hint=self._unit_example(a.dim or b.dim, "within 0.01"))
                tol += f" + {sql_literal(t.value)}"
        diff = f"({a.v} - {b.v})"
        sql = self._decided_first(can_relate(node.op, a.v, b.v, tol), node, a, b)
        a_unit = a.unit or self.schema.units.display_unit(a.dim or b.dim, None)
        b_unit = b.unit or a_unit
        focus = Focus(a.v, b.v, diff, tol, a_unit, a.decimals if a.unit or not b.unit else b.decimals,
                      b_unit, b.decimals if b.unit or not a.unit else a.decimals, node.op)
        return Bool_(sql, focus)

    @staticmethod
    def _decided_first(sql: str, node: Compare, a: Num_, b: Num_) -> str:
        """The same comparison, with the rows whose outcome the difference d = a - b alone decides
        answered first, and the full test (uncertainties and the 1e-12 allowance: abs, greatest and
        a product per row) only for the others: on a large table, nearly every row is decided by one
        subtraction and one or two tests.

        Only when both uncertainties are known to be finite numbers >= 0 wherever the values are
        present (Num_.e_safe) and any tolerance is a constant: the total allowance `tol + eps` is
        then > 0 whenever d is a number, so d = 0 meets ==, <=, >= and fails !=; d <= 0 meets <=;
        d >= 0 meets >= (NaN included: DuckDB orders NaN above every number, as the full test does).
        With no allowance but eps (both uncertainties 0, no tolerance), d >= 0 fails < and d <= 0
        fails >; and when one side is the literal 0, eps = 1e-12 * greatest(1, |d|) is below |d|
        for every finite |d| above 1e-12, so 1e-12 < d < 1e300 meets > (and >=, !=, fails <, <=, ==)
        and -1e300 < d < -1e-12 the reverse. A missing value leaves every early test NULL, and the
        full test gives NULL as before. tests/test_compare_fast.py checks that the two forms agree
        on a grid of values including NULL, NaN, +-inf, -0 and values near the bounds."""
        t = node.tolerance
        if not (a.e_safe and b.e_safe) or (t is not None and t.unit == "%"):
            return sql
        no_allowance = a.e_zero and b.e_zero and (t is None or t.value == 0)
        d = a.v if b.v == "0" else f"({a.v} - {b.v})"
        early = {"==": [(f"{d} = 0", "TRUE")], "!=": [(f"{d} = 0", "FALSE")], "<=": [(f"{d} <= 0", "TRUE")],
                 ">=": [(f"{d} >= 0", "TRUE")], "<": [], ">": []}
        if no_allowance:
            early["<"].append((f"{d} >= 0", "FALSE"))
            early[">"].append((f"{d} <= 0", "FALSE"))
            if "0" in (a.v, b.v):
                above = f"{d} > {EPSILON} AND {d} < 1e300"
                below = f"{d} < -{EPSILON} AND {d} > -1e300"
                early[">"].append((above, "TRUE"))
                early["<"].append((below, "TRUE"))
                early[">="].append((below, "FALSE"))
                early["<="].append((above, "FALSE"))
                early["=="].append((f"abs({d}) > {EPSILON} AND abs({d}) < 1e300", "FALSE"))
                early["!="].append((f"abs({d}) > {EPSILON} AND abs({d}) < 1e300", "TRUE"))
        if not early[node.op]:
            return sql
        whens = " ".join(f"WHEN {test} THEN {outcome}" for test, outcome in early[node.op])
        return f"(CASE {whens} ELSE {sql} END)"

    def _logic(self, node: Logic):
        a, b = self.boolean(node.left), self.boolean(node.right)
        if node.op == "implies":
            return Bool_(f"((NOT {a.sql}) OR {b.sql})", b.focus)
        return Bool_(f"({a.sql} {node.op.upper()} {b.sql})", a.focus if node.op == "and" and not b.focus else None)

    def _not(self, node: Not):
        return Bool_(f"(NOT {self.boolean(node.operand).sql})")

    def _missing(self, node: Missing):
        x = self.visit(node.operand)
        sql = x.v if isinstance(x, Num_) else x.sql
        return Bool_(f"({sql} IS {'NOT ' if node.negate else ''}NULL)")

    def _inlist(self, node: InList):
        x = self.visit(node.operand)
        items = [self.visit(i) for i in node.items]
        if isinstance(x, Str_):
            if not all(isinstance(i, Str_) for i in items):
                raise CompileError("a text value can only be in a list of 'texts'", node)
            return Bool_(f"({x.sql} IN ({', '.join(i.sql for i in items)}))")
        if isinstance(x, Num_) and all(isinstance(i, Num_) for i in items):
            return Bool_(f"({x.v} IN ({', '.join(i.v for i in items)}))")
        raise CompileError("'in' needs a value and a list of values of the same type", node)

    # -- functions ----------------------------------------------------------------------------
    def _func(self, node: Func):
        args = [self.number(a) for a in node.args]
        if node.name == "abs":
            if len(args) != 1:
                raise CompileError("abs takes one value", node)
            x = args[0]
            return Num_(f"abs({x.v})", x.e, x.dim, x.unit, x.decimals, e_safe=x.e_safe, e_zero=x.e_zero)
        first = args[0]
        for other in args[1:]:
            self._same_dim(first, other, node, "combine")
        value = "coalesce(" + ", ".join(a.v for a in args) + ")"
        err = "CASE " + " ".join(f"WHEN {a.v} IS NOT NULL THEN {a.e}" for a in args) + " ELSE 0 END"
        dim = next((a.dim for a in args if a.dim), units.NONE)
        return Num_(value, err, dim, next((a.unit for a in args if a.unit), None),
                    max(a.decimals for a in args), e_safe=all(a.e_safe for a in args),
                    e_zero=all(a.e_zero for a in args))

    def _conditions(self, table: str, alias: str, node: Expr) -> list[str]:
        conds = []
        cols = self.schema.tables[table]
        outer = "r" if self.ctx.row_table is not None else "g"
        for key in self.ctx.align:
            if key not in cols:
                raise NotApplicable(f"table '{table}' has no '{key}' to align its rows by")
            conds.append(f"{alias}.{ident(key)} = {outer}.{ident(key)}")
        for dim, values in self.ctx.filters.items():
            if dim not in cols:
                raise NotApplicable(f"table '{table}' has no '{dim}' to select the claim's {dim} by")
            conds.append(f"{alias}.{ident(dim)} IN ({', '.join(sql_literal(v) for v in values)})")
            self.result.coverage.append((table, dim, list(values)))
        return conds

    @property
    def fused(self) -> bool:
        return self.schema.planner is not None

    def _enter_aggregate(self, table: str, node: Expr) -> str:
        if self._agg_alias is not None:
            raise CompileError("aggregates cannot be nested", node)
        self.schema.has_table(table, node)
        self._n += 1
        self.result.tables.add(table)
        if self.fused:  # one alias for every aggregate, so that the same aggregate reads the same everywhere
            from .planner import Planner
            return Planner.ALIAS
        return f"a{self._n}_{id(self) % 997}"

    def _lookup(self, table: str, func: str, value: str, err: str, where: str | None, x: "Num_ | None",
                node: Expr) -> "Num_":
        """An aggregate computed by the planner's shared scan, looked up for the current row or group."""
        from .planner import Planner

        t = Planner.ALIAS
        cols = self.schema.tables[table]
        outer = "r" if self.ctx.row_table is not None else "g"
        for key in self.ctx.align:
            if key not in cols:
                raise NotApplicable(f"table '{table}' has no '{key}' to align its rows by")
        filters = []
        for d, values in self.ctx.filters.items():
            if d not in cols:
                raise NotApplicable(f"table '{table}' has no '{d}' to select the claim's {d} by")
            filters.append(f"{t}.{ident(d)} IN ({', '.join(sql_literal(v) for v in values)})")
        exact = x is None or x.e_zero
        name, p = self.schema.planner.aggregate(table, tuple(self.ctx.align), tuple(filters), func, value, err, where,
                                                exact=exact)
        # the uncertainty of a sum, mean, min or max of finite uncertainties >= 0 is one too (and 0 for 0)
        known = {"e_safe": x is None or x.e_safe, "e_zero": exact}
        if self.ctx.align or self.ctx.joined:
            # aligned: the stored groups are joined to the rows or groups once (see Compiled.joins)
            z = self.result.joins.setdefault(name, (f"z{name}", outer, tuple(self.ctx.align)))[0]
            if func in ("count", "count_distinct"):
                return Num_(f"coalesce({z}.{p}_v, 0)", "0", units.NONE, None, **known)
            return Num_(f"(CASE WHEN {z}.{p}_n > {z}.{p}_c THEN NULL ELSE {z}.{p}_v END)", f"coalesce({z}.{p}_e, 0)",
                        x.dim, x.unit, x.decimals, **known)
        src = f"FROM {name} z"
        if func in ("count", "count_distinct"):
            return Num_(f"coalesce((SELECT z.{p}_v {src}), 0)", "0", units.NONE, None, **known)
        value_sql = f"(SELECT CASE WHEN z.{p}_n > z.{p}_c THEN NULL ELSE z.{p}_v END {src})"
        err_sql = f"coalesce((SELECT z.{p}_e {src}), 0)"
        return Num_(value_sql, err_sql, x.dim, x.unit, x.decimals, **known)

    def _aggregate(self, node: Aggregate):
        table = self._single_table(node.operand, node)
        alias = self._enter_aggregate(table, node)
        self._agg_alias, self._agg_table = alias, table
        try:
            x = self.visit(node.operand) if node.func == "count_distinct" else self.number(node.operand)
            where = self.boolean(node.where).sql if node.where is not None else None
            cols = sorted({n.name for n in _refs(node.operand)} | ({n.name for n in _refs(node.where)}
                                                                      if node.where else set()))
        finally:
            self._agg_alias = self._agg_table = None
        conds = [f"NOT {alias}.__total"] + ([where] if where else []) + self._conditions(table, alias, node)
        self.result.aggregates.append(AggregateUse(table, alias, [c for c in cols], conds))
        if self.fused:
            v = x.v if isinstance(x, Num_) else x.sql
            e = x.e if isinstance(x, Num_) else "0"
            return self._lookup(table, node.func, v, e, where, x if isinstance(x, Num_) else None, node)
        src = f"FROM {ident(table)} {alias} WHERE {' AND '.join(conds)}"
        if node.func == "count_distinct":
            return Num_(f"(SELECT count(DISTINCT {x.v if isinstance(x, Num_) else x.sql}) {src})", "0",
                        units.NONE, None, e_safe=True, e_zero=True)
        fn = {"sum": "sum", "mean": "avg", "min": "min", "max": "max"}[node.func]
        err_fn = "sum" if node.func == "sum" else "max" if node.func in ("min", "max") else "avg"
        # a missing value among the rows leaves the aggregate undecided, not a partial sum
        value = f"(SELECT CASE WHEN count(*) > count({x.v}) THEN NULL ELSE {fn}({x.v}) END {src})"
        err = f"(SELECT coalesce({err_fn}({x.e}), 0) {src})"
        return Num_(value, err, x.dim, x.unit, x.decimals, e_safe=x.e_safe, e_zero=x.e_zero)

    def _count(self, node: Count):
        alias = self._enter_aggregate(node.table, node)
        self._agg_alias, self._agg_table = alias, node.table
        try:
            where = self.boolean(node.where).sql if node.where is not None else None
            cols = sorted({n.name for n in _refs(node.where)}) if node.where else []
        finally:
            self._agg_alias = self._agg_table = None
        conds = [f"NOT {alias}.__total"] + ([where] if where else []) + self._conditions(node.table, alias, node)
        self.result.aggregates.append(AggregateUse(node.table, alias, cols, conds))
        if self.fused:
            return self._lookup(node.table, "count", "1", "0", where, None, node)
        return Num_(f"(SELECT count(*) FROM {ident(node.table)} {alias} WHERE {' AND '.join(conds)})", "0",
                    units.NONE, None, e_safe=True, e_zero=True)

    def _total(self, node: Total):
        table = node.ref.table or self.ctx.row_table
        if table is None:
            raise CompileError("total(...) needs a table: total(table.column)", node)
        alias = self._enter_aggregate(table, node)
        self._agg_alias, self._agg_table = alias, table
        try:
            x = self.number(node.ref)
        finally:
            self._agg_alias = self._agg_table = None
        conds = [f"{alias}.__total"] + self._conditions(table, alias, node)
        self.result.aggregates.append(AggregateUse(table, alias, [node.ref.name], conds))
        src = f"FROM {ident(table)} {alias} WHERE {' AND '.join(conds)}"
        return Num_(f"(SELECT first({x.v}) {src})", f"(SELECT first({x.e}) {src})", x.dim, x.unit, x.decimals)

    def _claimed(self, node: Claimed):
        if node.measure not in self.schema.measures:
            raise CompileError(f"unknown measure '{node.measure}'", node,
                               hint="measures are declared in the rule pack's measures.yaml")
        dim = self.schema.measures[node.measure]
        self.result.uses_claims = True
        self.result.claimed.append(node.measure)
        conds = [f"c.measure = {sql_literal(node.measure)}"]
        outer = "r" if self.ctx.row_table is not None else "g"
        for key in self.ctx.align:
            conds.append(f"c.{ident(key)} = {outer}.{ident(key)}")
        for d, values in self.ctx.filters.items():
            conds.append(f"c.{ident(d)} IN ({', '.join(sql_literal(v) for v in values)})")
        self.result.claim_conditions.append(conds)
        src = f"FROM __claims c WHERE {' AND '.join(conds)}"
        unit = self.schema.measure_units.get(node.measure)
        return Num_(f"(SELECT sum(c.value) {src})", f"(SELECT sum(c.value__err) {src})", dim, unit, 0)

    def _single_table(self, expr: Expr, node: Expr) -> str:
        tables = {r.table for r in _refs(expr)}
        named = {t for t in tables if t}
        if len(named) > 1:
            raise CompileError(f"one aggregate reads one table; this one names {', '.join(sorted(named))}", node)
        if named:
            return named.pop()
        if self.ctx.row_table:
            return self.ctx.row_table
        raise CompileError("name the table inside the aggregate, e.g. sum(table.column)", node)


def _refs(expr: Expr | None):
    from .ast import walk
    if expr is None:
        return []
    return [n for n in walk(expr) if isinstance(n, Ref)]


def compile_condition(expr: Expr, schema: Schema, ctx: Context) -> Compiled:
    c = Compiler(schema, ctx)
    c.result.value = c.boolean(expr)
    if ctx.row_table:
        c.schema.has_table(ctx.row_table, expr)
        c.result.tables.add(ctx.row_table)
    return c.result


def compile_number(expr: Expr, schema: Schema, ctx: Context) -> Compiled:
    c = Compiler(schema, ctx)
    c.result.value = c.number(expr)
    return c.result
