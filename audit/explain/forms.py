"""The linear form of every item of a rule: which figures it reads, and the bounds they must meet.

The rule kinds compile their expressions to SQL; here the same expression trees are read as linear
expressions over the figures instead. The rows an aggregate adds up are found with the very
conditions the compiler generates (run on the engine), so both read the same rows. What is not
linear in the figures (a ratio of two figures, a row selected by a figure's value, min and max)
raises `NotLinear`; a missing value raises `Undecided`, as the engine leaves such an item undecided.

Conditions with `or`, `implies` or `not` are disjunctions. An item of such a rule that holds today is
kept holding by the alternative that holds today (its *witness*): a conservative model, so every
correction found satisfies the rule, though a correction that needs the other alternative is not
considered. A failing disjunctive item is not something this model can explain; it is skipped.

One function per kind, in `FORMS`: a new kind adds its linear form here (or none, and its items are
left out, with their figures held at their printed values).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

from ..expr.ast import (Aggregate, Arith, Bool, Claimed, Compare, Count, Expr, Func, InList, Logic, Missing,
                        Neg, Not, Num, Ref, Str, Total, walk)
from ..expr.compiler import Context, NotApplicable, compile_number, ident, sql_literal
from ..kinds.base import group_source, parse_tolerance
from .figures import FigureBook, Item, Lin, NotLinear, Row, Undecided


class FailsNow(NotLinear):
    """A disjunctive condition that does not hold today: no alternative to keep holding."""


FAILS_NOW = "fails now, and no single alternative of its condition can be modelled to repair it"


class Linearizer:
    """Reads an expression tree as a linear expression for one item.

    `outer` is SQL for the single row the item is evaluated on, under the alias the compiler uses
    (`g` for a group, `r` for a table row); `pins` are that row's key values."""

    def __init__(self, run, book: FigureBook, ctx: Context, outer: str | None = None,
                 pins: dict | None = None, row: tuple[str, int] | None = None):
        self.run, self.book, self.ctx = run, book, ctx
        self.outer, self.pins, self.row = outer, pins or {}, row
        self.schema = dataclasses.replace(run.schema, planner=None)  # plain SQL, not the fused scans
        self.figures: set[str] = set()
        self._agg: tuple[str, int] | None = None  # inside an aggregate: the table row being added

    # -- numbers ------------------------------------------------------------------------------
    def number(self, node: Expr) -> Lin:
        out = self._visit(node)
        if not isinstance(out, Lin):
            raise NotLinear("not a number")
        return out

    def _visit(self, node: Expr):
        if isinstance(node, Num):
            if node.unit == "%":
                return Lin.constant(node.value / 100)
            factor = self.run.schema.units.factor(node.unit)
            return Lin.constant(node.value * factor)
        if isinstance(node, Str):
            return node.value
        if isinstance(node, Bool):
            return node.value
        if isinstance(node, Neg):
            return -self.number(node.operand)
        if isinstance(node, Arith):
            return self._arith(node)
        if isinstance(node, Ref):
            return self._ref(node)
        if isinstance(node, Aggregate):
            return self._aggregate(node)
        if isinstance(node, Count):
            return self._count(node)
        if isinstance(node, Total):
            return self._total(node)
        if isinstance(node, Claimed):
            return self._claimed(node)
        if isinstance(node, Func):
            return self._func(node)
        raise NotLinear(f"{type(node).__name__.lower()} is not a number")

    def _arith(self, node: Arith) -> Lin:
        a, b = self.number(node.left), self.number(node.right)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            if a.is_constant:
                a, b = b, a
            if not b.is_constant:
                raise NotLinear("a product of two reported figures")
            out = a.scale(b.const)
            out.err += abs(a.value(self.book.values())) * b.err if b.err else 0.0
            return out
        if not b.is_constant:
            raise NotLinear("a ratio of reported figures")
        if b.const == 0:
            raise Undecided("division by zero")
        return a.scale(1.0 / b.const)

    def _ref(self, node: Ref):
        if self._agg is not None or self.row is not None:
            table, line = self._agg or self.row
            t = self.run.dataset.tables[table]
            if node.table not in (None, table):
                raise NotLinear(f"{node.table}.{node.name} is read outside its table")
            if node.name in t.dimensions and node.name not in t.fields:
                value = t.dimensions[node.name]
                return Lin.constant(float(value)) if isinstance(value, (int, float)) else str(value)
            f = t.fields.get(node.name)
            if f is None:
                raise NotLinear(f"no column {node.name}")
            if not f.numeric or f.type == "year":
                cell = t.row_at(line).cells.get(node.name)
                if cell is None or cell.value is None:
                    raise Undecided(f"{node.name} is missing")
                return Lin.constant(float(cell.value)) if f.numeric else cell.text
            fig = self.book.cell(table, line, node.name)
            self.figures.add(fig.id)
            return Lin.figure(fig)
        if node.table is None and node.name in self.pins:
            value = self.pins[node.name]
            return Lin.constant(float(value)) if isinstance(value, (int, float)) else str(value)
        raise NotLinear(f"{node.name} outside an aggregate")

    def _func(self, node: Func) -> Lin:
        if node.name == "coalesce":  # the first argument that is not missing
            for arg in node.args:
                try:
                    return self.number(arg)
                except Undecided:
                    continue
            raise Undecided("every argument of coalesce is missing")
        raise NotLinear(f"{node.name}(...)")

    # -- aggregates -----------------------------------------------------------------------------
    def _lines(self, node: Expr, table: str) -> list[int]:
        """The lines an aggregate reads for this item, with the compiler's own conditions."""
        compiled = compile_number(node, self.schema, self.ctx)
        agg = compiled.aggregates[-1]
        source = f"{ident(agg.table)} {agg.alias}"
        if self.outer:
            source += f", ({self.outer}) {'r' if self.ctx.row_table else 'g'}"
        sql = f"SELECT DISTINCT {agg.alias}.__line AS line FROM {source} WHERE {' AND '.join(agg.conditions)} ORDER BY 1"
        return [int(r["line"]) for r in self.run.engine.rows(sql)]

    def _selects_by_figure(self, where: Expr | None, table: str) -> bool:
        if where is None:
            return False
        fields = self.run.dataset.tables[table].fields
        return any(isinstance(n, Ref) and n.name in fields and fields[n.name].numeric and fields[n.name].type != "year"
                   for n in walk(where))

    def _table_of(self, node: Aggregate) -> str:
        named = {n.table for n in walk(node.operand) if isinstance(n, Ref) and n.table}
        if len(named) == 1:
            return named.pop()
        if self.ctx.row_table:
            return self.ctx.row_table
        raise NotLinear("an aggregate without its table")

    def _aggregate(self, node: Aggregate) -> Lin:
        if node.func not in ("sum", "mean"):
            raise NotLinear(f"{node.func}(...)")
        table = self._table_of(node)
        self._external(table)
        if self._selects_by_figure(node.where, table):
            raise NotLinear("rows selected by the value of a reported figure")
        lines = self._lines(node, table)
        if not lines:
            raise Undecided("no row to add up")
        total = Lin()
        for line in lines:
            self._agg = (table, line)
            try:
                total = total + self.number(node.operand)
            finally:
                self._agg = None
        return total.scale(1.0 / len(lines)) if node.func == "mean" else total

    def _count(self, node: Count) -> Lin:
        self._external(node.table)
        if self._selects_by_figure(node.where, node.table):
            raise NotLinear("rows counted by the value of a reported figure")
        return Lin.constant(len(self._lines(node, node.table)))

    def _total(self, node: Total) -> Lin:
        table = node.ref.table or self.ctx.row_table
        self._external(table)
        lines = self._lines(node, table)
        if len(lines) != 1:
            raise NotLinear("total(...) of a table without exactly one totals row")
        fig = self.book.cell(table, lines[0], node.ref.name)
        self.figures.add(fig.id)
        return Lin.figure(fig)

    def _claimed(self, node: Claimed) -> Lin:
        # the claims the compiler's claimed() adds up, with its own conditions
        conds = compile_number(node, self.schema, self.ctx).claim_conditions[-1]
        alias = "r" if self.ctx.row_table else "g"
        source = "__claims c" + (f", ({self.outer}) {alias}" if self.outer else "")
        ids = [r["id"] for r in self.run.engine.rows(f"SELECT c.id FROM {source} WHERE {' AND '.join(conds)} "
                                                      f"AND c.value IS NOT NULL ORDER BY c.__line")]
        if not ids:
            raise Undecided(f"no claim of {node.measure}")
        total = Lin()
        for cid in ids:
            fig = self.book.claim(cid)
            self.figures.add(fig.id)
            total = total + Lin.figure(fig)
        return total

    def _external(self, table: str) -> None:
        if self.run.dataset.tables[table].external:
            raise NotLinear(f"{table} is read from its file by the engine (too large to model figure by figure)")

    # -- conditions -----------------------------------------------------------------------------
    def condition(self, node: Expr, witness: bool) -> list[Row]:
        """The rows that must hold for the condition. With `witness`, a disjunction is replaced by
        the alternative that holds today; without it, a disjunction is not linear."""
        return self._cond(node, witness, negate=False)

    def _cond(self, node: Expr, witness: bool, negate: bool) -> list[Row]:
        if isinstance(node, Not):
            return self._cond(node.operand, witness, not negate)
        if isinstance(node, Logic):
            if node.op == "and" and not negate:
                return self._cond(node.left, witness, False) + self._cond(node.right, witness, False)
            # a disjunction: or; implies = (not a) or b; not (a and b) = (not a) or (not b)
            if node.op == "or":
                alts = [(node.left, negate), (node.right, negate)]
            elif node.op == "implies":
                alts = [(node.left, not negate), (node.right, negate)]
            else:
                alts = [(node.left, True), (node.right, True)]
            if negate and node.op in ("or", "implies"):  # not (a or b) = not a and not b
                return (self._cond(node.left, witness, node.op == "or")
                        + self._cond(node.right, witness, True))
            if not witness:
                raise NotLinear(f"a condition with '{node.op}' (a choice between alternatives)")
            return self._witness(alts)
        if isinstance(node, Bool):
            return [] if node.value != negate else [_never()]
        if isinstance(node, Compare) and node.op == "!=":  # exactly the negation of == (intervals cannot meet)
            return self._cond(dataclasses.replace(node, op="=="), witness, not negate)
        if isinstance(node, Compare):
            rows = self._compare(node)
            if isinstance(rows, bool):
                return [] if rows != negate else [_never()]
            if not negate:
                return rows
            alts = [r for row in rows for r in row.negated()]
            if len(alts) == 1:
                return alts
            if not witness:
                raise NotLinear("the negation of an equality (a choice between alternatives)")
            return self._pick(alts)
        if isinstance(node, Missing):
            try:
                self._visit(node.operand)
                missing = False
            except Undecided:
                missing = True
            return [] if (missing != node.negate) != negate else [_never()]
        if isinstance(node, InList):
            x = self._visit(node.operand)
            if isinstance(x, Lin) and not x.is_constant:
                raise NotLinear("a reported figure tested against a list")
            value = x.const if isinstance(x, Lin) else x
            items = [self._visit(i) for i in node.items]
            found = any((i.const if isinstance(i, Lin) else i) == value for i in items)
            return [] if found != negate else [_never()]
        raise NotLinear(f"{type(node).__name__.lower()} as a condition")

    def _witness(self, alts) -> list[Row]:
        for sub, neg in alts:
            try:
                rows = self._cond(sub, True, neg)
            except Undecided:
                continue
            x = self.book.values()
            if all(r.holds(x) for r in rows):
                return rows
        raise FailsNow(FAILS_NOW)

    def _pick(self, rows: list[Row]) -> list[Row]:
        x = self.book.values()
        for r in rows:
            if r.holds(x):
                return [r]
        raise FailsNow(FAILS_NOW)

    def _compare(self, node: Compare) -> list[Row] | bool:
        a, b = self._visit(node.left), self._visit(node.right)
        if not (isinstance(a, Lin) and isinstance(b, Lin)):
            return (a == b) == (node.op == "==")  # text: a constant truth
        diff = a - b
        diff = Lin(diff.terms, diff.const, 0.0)
        tol_const, tol_lin = a.err + b.err, Lin()
        t = node.tolerance
        if t is not None:
            if t.unit == "%":
                tol_lin = self.magnitude(b).scale(t.value / 100)
            else:
                tol_const += t.value * self.run.schema.units.factor(t.unit)
        return relation(diff, node.op, tol_const, tol_lin)

    def magnitude(self, x: Lin) -> Lin:
        """|x| as a linear expression: x itself when it cannot turn negative (its figures keep their sign)."""
        values = self.book.values()
        if x.is_constant:
            return Lin.constant(abs(x.const))
        signs = {(c > 0) == (values[k] >= 0) for k, c in x.terms.items() if values[k] != 0 or c != 0}
        if signs == {True} and x.const >= 0:
            return Lin(x.terms, x.const)
        if signs == {False} and x.const <= 0:
            return -Lin(x.terms, x.const)
        raise NotLinear("a relative tolerance on a figure whose sign can change")


def relation(diff: Lin, op: str, tol: float, tol_lin: Lin | None = None) -> list[Row]:
    """Rows for `diff op 0` with printed-precision allowance `tol` (+ `tol_lin`, a figure-dependent part)."""
    tol_lin = tol_lin or Lin()
    if op == "==":
        return [Row(diff - tol_lin, hi=tol), Row(diff + tol_lin, lo=-tol)]
    if op == "<=":
        return [Row(diff - tol_lin, hi=tol)]
    if op == "<":
        return [Row(diff - tol_lin, hi=tol, strict=True)]
    if op == ">=":
        return [Row(diff + tol_lin, lo=-tol)]
    if op == ">":
        return [Row(diff + tol_lin, lo=-tol, strict=True)]
    if op == "!=":
        raise NotLinear("!= (a choice between alternatives)")
    raise NotLinear(f"operator {op}")


def _never() -> Row:
    return Row(Lin.constant(0.0), lo=1.0)


# -- one function per kind: yields (subject, rows, linear, figures) or raises ------------------
Form = Callable[..., Iterator[Item]]


def _item(kind, subject: str, rows: list[Row], figures: set[str], linear: bool = True) -> Item:
    r = kind.rule
    return Item(r.id, r.severity, r.kind, subject, rows, linear, set(figures))


def totals_form(kind, run, book: FigureBook, skip) -> Iterator[Item]:
    ds = run.dataset
    p = kind.p
    tables = [ds.tables[t] for t in p.tables if t in ds.tables] if p.tables else list(ds.tables.values())
    for table in tables:
        if table.external or not (table.prints_totals or table.hierarchy is not None):
            continue
        for column, f in table.fields.items():
            if not f.numeric or f.type == "year" or (p.columns and column not in p.columns):
                continue
            sqls = ([kind._wide_sql(table, column)] if table.prints_totals else []) + \
                   ([kind._hierarchy_sql(table, column)] if table.hierarchy is not None else [])
            for sql in sqls:
                for rec in run.engine.rows(sql):
                    if rec["ok"] is None:
                        continue
                    total = book.cell(table.name, rec["__line"], column)
                    parts = [book.cell(table.name, line, column) for line in rec["lines"]]
                    expr = Lin.figure(total) - sum((Lin.figure(x) for x in parts), Lin())
                    label = table.row_label(table.row_at(rec["__line"]))
                    subject = f"{table.name}: {label} {f.title or column} = sum of {len(parts)} rows"
                    yield _item(kind, subject, relation(Lin(expr.terms, expr.const), "==", expr.err),
                                {total.id, *(x.id for x in parts)})


def compare_form(kind, run, book: FigureBook, skip) -> Iterator[Item]:
    ctx = kind.context()
    for column, node in kind.variants():
        try:
            compiled = compile_number(node.left, run.schema, ctx)
            compiled_r = compile_number(node.right, run.schema, ctx)
            groups = group_source(run, [compiled, compiled_r], kind.p.by)
        except NotApplicable:
            continue
        for pins in run.engine.rows(groups):
            pins = {k: v for k, v in pins.items() if k in kind.p.by}
            outer = _outer_group(pins)
            subject = (f"{column} " if column else "") + ", ".join(f"{k} {_plain(v)}" for k, v in pins.items())
            yield from _condition_item(kind, run, book, ctx, outer, pins, node, subject.strip() or kind.rule.title, skip)


def claim_form(kind, run, book: FigureBook, skip) -> Iterator[Item]:
    from ..kinds.claim import ClaimKind

    tol = parse_tolerance(kind.p.about)
    about = tol.value / 100 if tol and tol.unit == "%" else 0.1
    for claim in [c for c in run.dataset.claims if c.measure == kind.p.measure]:
        sources = []
        for expr in kind.rule.expressions["against"]:
            ctx = Context(filters=dict(claim.dims))
            try:
                compiled = compile_number(expr, run.schema, ctx)
            except NotApplicable:
                continue
            if ClaimKind._covered(run, compiled):
                sources.append((expr, compiled, ctx))
        cited = [s for s in sources if claim.table in s[1].tables]
        for expr, compiled, ctx in cited or sources:
            subject = f"the text's {claim.describe_value()} ({claim.id}) against {', '.join(sorted(compiled.tables))}"
            lin = Linearizer(run, book, ctx)
            try:
                t = lin.number(expr)
                rows = _qualifier_rows(claim, t, book, about, lin)
            except Undecided:
                continue
            except NotLinear as exc:
                skip(kind, subject, str(exc), lin.figures)
                continue
            figures = lin.figures | ({f"claim:{claim.id}"} if claim.qualifier != "between" else set())
            yield _item(kind, subject, rows, figures)


def _qualifier_rows(claim, t: Lin, book: FigureBook, about: float, lin: Linearizer) -> list[Row]:
    err = t.err
    t = Lin(t.terms, t.const)
    if claim.qualifier == "between":
        return [Row(t, lo=claim.low * claim.factor - err), Row(t, hi=claim.high * claim.factor + err)]
    fig = book.claim(claim.id)
    c = Lin.figure(fig)
    diff = t - Lin(c.terms, c.const)
    if claim.qualifier in ("exact", "about"):
        extra = lin.magnitude(Lin(c.terms, c.const)).scale(about) if claim.qualifier == "about" else Lin()
        return relation(diff, "==", err + fig.err, extra)
    # more_than: t + e > c; at_least: t + e >= c; up_to: t - e <= c; less_than: t - e < c
    op = {"more_than": ">", "at_least": ">=", "up_to": "<=", "less_than": "<"}[claim.qualifier]
    return relation(diff, op, err)


def row_check_form(kind, run, book: FigureBook, skip) -> Iterator[Item]:
    p = kind.p
    for table_name in p.table:
        table = run.dataset.tables.get(table_name)
        if table is None or table.external:
            continue
        ctx = kind.context(table_name)
        rows = {"data": table.data_rows, "totals": [r for r in table.rows if r.total], "all": table.rows}[p.rows]
        for row in rows:
            outer = f"SELECT * FROM {ident(table_name)} WHERE __line = {row.line}"
            pins = {k: row.cells[k].value if k in row.cells else table.dimensions.get(k) for k in p.by}
            label = f"{table_name}: {table.row_label(row)}"
            where_rows: list[Row] = []
            where_figs: set[str] = set()
            if "where" in kind.rule.expressions:
                lin = Linearizer(run, book, ctx, outer, pins, row=(table_name, row.line))
                try:
                    where_rows = lin.condition(kind.rule.expressions["where"], witness=True)
                except Undecided:
                    continue  # the engine does not check the row
                except NotLinear as exc:
                    skip(kind, label, str(exc), lin.figures)
                    continue
                where_figs = lin.figures
                if not all(r.holds(book.values()) for r in where_rows):
                    # not checked today; keep it unchecked (its witness is the negation)
                    lin = Linearizer(run, book, ctx, outer, pins, row=(table_name, row.line))
                    try:
                        kept = lin.condition(Not(kind.rule.expressions["where"]), witness=True)
                    except (NotLinear, Undecided) as exc:
                        skip(kind, label, str(exc), where_figs)
                        continue
                    yield _item(kind, label + " (not checked: outside 'where')", kept, lin.figures, linear=False)
                    continue
            yield from _condition_item(kind, run, book, ctx, outer, pins, kind.rule.expressions["assert"], label,
                                       skip, row=(table_name, row.line), extra=(where_rows, where_figs))


def _condition_item(kind, run, book, ctx, outer, pins, node, subject, skip, row=None, extra=((), ())):
    """An item whose rows are a condition: linear when it is a conjunction, else its witness if it holds."""
    lin = Linearizer(run, book, ctx, outer, pins, row=row)
    try:
        rows = lin.condition(node, witness=False)
        linear = True
    except Undecided:
        return
    except NotLinear as exc:
        lin2 = Linearizer(run, book, ctx, outer, pins, row=row)
        try:
            rows = lin2.condition(node, witness=True)
            lin, linear = lin2, False
        except Undecided:
            return
        except NotLinear as exc2:  # fails today, or cannot be modelled at all
            skip(kind, subject, str(exc), lin.figures | lin2.figures, failing=isinstance(exc2, FailsNow))
            return
    rows = list(extra[0]) + rows
    yield _item(kind, subject, rows, lin.figures | set(extra[1]), linear=linear and not extra[0])


def change_form(kind, run, book: FigureBook, skip) -> Iterator[Item]:
    limit = parse_tolerance(kind.p.max_change).value / 100
    ctx = kind.context()
    keys = [*kind.p.within, kind.p.by]
    compiled = compile_number(kind.rule.expressions["series"], run.schema, ctx)
    series: dict[tuple, dict] = {}
    for pins in run.engine.rows(group_source(run, [compiled], keys)):
        pins = {k: pins[k] for k in keys}
        if pins[kind.p.by] is None:
            continue
        lin = Linearizer(run, book, ctx, _outer_group(pins), pins)
        try:
            value = lin.number(kind.rule.expressions["series"])
        except Undecided:
            value = None
        except NotLinear as exc:
            skip(kind, ", ".join(f"{k} {_plain(v)}" for k, v in pins.items()), str(exc), lin.figures)
            value = None
        within = tuple(pins[k] for k in kind.p.within)
        series.setdefault(within, {})[int(pins[kind.p.by])] = (value, lin.figures)
    x = book.values()
    for within, periods in series.items():
        ordered = sorted(periods)
        for prev, period in zip(ordered, ordered[1:]):
            (pv, pfigs), (v, figs) = periods[prev], periods[period]
            if pv is None or v is None or period - prev != 1 or pv.value(x) - pv.err <= 0:
                continue
            subject = " ".join(str(_plain(w)) for w in within) + f" {prev} to {period}".strip()
            # the closest values the printed figures allow stay within the limit:
            # (v - e) <= (1 + L)(pv + pe) and (v + e) >= (1 - L)(pv - pe), and pv - pe > 0
            v0, p0 = Lin(v.terms, v.const), Lin(pv.terms, pv.const)
            rows = [Row(v0 - p0.scale(1 + limit), hi=v.err + (1 + limit) * pv.err),
                    Row(v0 - p0.scale(1 - limit), lo=-v.err - (1 - limit) * pv.err),
                    Row(p0, lo=pv.err, strict=True)]
            yield _item(kind, subject.strip(), rows, pfigs | figs)


def stock_flow_form(kind, run, book: FigureBook, skip) -> Iterator[Item]:
    p = kind.p
    ctx = kind.context()
    tol = parse_tolerance(p.tolerance)
    observations: dict[int, tuple[Lin, set[str]]] = {}
    for claim in run.dataset.claims:
        years = claim.dims.get(p.by) or []
        if claim.measure == p.stock_measure and len(years) == 1 and claim.value is not None:
            fig = book.claim(claim.id)
            observations[int(years[0])] = (Lin.figure(fig), {fig.id})

    def series(key: str) -> dict[int, tuple[Lin | None, set[str]]]:
        if key not in kind.rule.expressions:
            return {}
        expr = kind.rule.expressions[key]
        try:
            compiled = compile_number(expr, run.schema, ctx)
            groups = run.engine.rows(group_source(run, [compiled], [p.by]))
        except NotApplicable:
            return {}
        out = {}
        for g in groups:
            if g[p.by] is None:
                continue
            pins = {p.by: g[p.by]}
            lin = Linearizer(run, book, ctx, _outer_group(pins), pins)
            try:
                out[int(g[p.by])] = (lin.number(expr), lin.figures)
            except Undecided:
                out[int(g[p.by])] = (None, lin.figures)
            except NotLinear as exc:
                skip(kind, f"{key} {g[p.by]}", str(exc), lin.figures)
                raise
        return out

    try:
        stock, outflow, inflow = series("stock"), series("outflow"), series("inflow")
    except NotLinear:
        return
    for period, (value, figs) in stock.items():
        if value is not None:
            observations[period] = (value, figs)
    periods = sorted(observations)
    lin = Linearizer(run, book, ctx)
    for earlier, later in zip(periods, periods[1:]):
        (s0, f0), (s1, f1) = observations[earlier], observations[later]
        first = earlier if p.flows_from == "start" else earlier + 1
        span = range(first, later + 1)
        flows = [outflow.get(q, (None, set())) for q in span]
        if any(v is None for v, _ in flows):
            continue
        out = sum((v for v, _ in flows), Lin())
        inn = sum((inflow[q][0] for q in span if q in inflow and inflow[q][0] is not None), Lin())
        figures = f0 | f1 | {f for _, fs in flows for f in fs} | {f for q in span if q in inflow for f in inflow[q][1]}
        allowance = s0.err + s1.err + out.err + inn.err
        try:
            extra = lin.magnitude(Lin(s0.terms, s0.const)).scale(tol.value / 100) if tol.unit == "%" else Lin()
        except NotLinear as exc:
            skip(kind, f"{earlier} to {later}", str(exc), figures)
            continue
        if tol.unit != "%":
            allowance += tol.value * run.schema.units.factor(tol.unit)
        gap = Lin(s1.terms, s1.const) - Lin(s0.terms, s0.const) + Lin(out.terms, out.const) - Lin(inn.terms, inn.const)
        rows = [Row(gap + extra, lo=-allowance)]
        if p.direction == "both":
            rows.append(Row(gap - extra, hi=allowance))
        yield _item(kind, f"stock {earlier} to {later}", rows, figures)


def _outer_group(pins: dict) -> str:
    if not pins:
        return "SELECT 1 AS __one"
    return "SELECT " + ", ".join(f"{sql_literal(v)} AS {ident(k)}" for k, v in pins.items())


def _plain(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


FORMS: dict[str, Form] = {
    "totals": totals_form,
    "compare": compare_form,
    "claim": claim_form,
    "row_check": row_check_form,
    "change": change_form,
    "stock_flow": stock_flow_form,
}
