"""`audit lint RULES [--dataset PATH]`: check a rule pack before any data is audited with it.

What it reports, each with the rule ids and their file:line:
- the pack's load errors (unknown tables, columns, measures or kinds, duplicate ids, bad expressions);
- with a dataset: rules that cannot run on it (a table or column it lacks) and its structural problems;
- messages and hints that quote a placeholder the rule's items do not have;
- rules that can never fail, or never pass, given the ranges the contracts allow;
- sets of linear rules that contradict each other (no data can meet them all) and rules that the
  others make redundant, in the manner of R's validatetools.

A pack of rules over figures (with vocabulary.yaml) is linted by `audit.figures.lint`.

The last two read conditions as formulas over variables: the columns of the row for `row_check`
rules of one table, and each distinct aggregate (e.g. `sum(regions.area)`) for `compare` rules
with the same `by`. Comparisons of linear expressions are atoms; `and`, `or`, `implies` and `not`
combine them. A formula is satisfiable when one of its disjuncts is, which a small mixed-integer
feasibility program decides (integer columns stay integers; strict bounds keep a margin). Lint
reads the comparisons exactly, without the allowance for printed precision that data gets.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

from . import units
from .errors import AuditInputError, Problem
from .expr.ast import Aggregate, Arith, Bool, Claimed, Compare, Count, Expr, Logic, Neg, Not, Num, Ref, Total, walk

MAX_DISJUNCTS = 256
MARGIN = 1e-4  # how far inside a strict bound a value must be (above the solver's feasibility tolerance)


@dataclass
class Issue:
    severity: str  # error | warning
    code: str
    message: str
    rules: list[str]
    file: str
    line: int | None = None
    column: int | None = None
    others: list[str] = field(default_factory=list)  # file:line of the other rules involved

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class LintReport:
    pack: str
    dataset: str | None
    rules: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


# -- formulas ---------------------------------------------------------------------------------
class Opaque(Exception):
    """Not something lint can read as a linear formula."""


@dataclass(frozen=True)
class Atom:
    terms: tuple[tuple[object, float], ...]  # (variable, coefficient)
    op: str  # <=, <, ==
    const: float  # terms op const


def _lin(node: Expr, var, system: units.UnitSystem) -> dict:
    """A linear expression as {variable or 1: coefficient}; `var` names a Ref or an aggregate."""
    if isinstance(node, Num):
        if node.unit == "%":
            return {1: node.value / 100}
        return {1: node.value * system.factor(node.unit)}
    if isinstance(node, Neg):
        return {k: -v for k, v in _lin(node.operand, var, system).items()}
    if isinstance(node, Arith):
        a, b = _lin(node.left, var, system), _lin(node.right, var, system)
        if node.op in "+-":
            sign = 1.0 if node.op == "+" else -1.0
            out = dict(a)
            for k, v in b.items():
                out[k] = out.get(k, 0.0) + sign * v
            return out
        if node.op == "*":
            if set(a) <= {1}:
                a, b = b, a
            if not set(b) <= {1}:
                raise Opaque("a product of two variables")
            return {k: v * b.get(1, 0.0) for k, v in a.items()}
        if not set(b) <= {1} or not b.get(1):
            raise Opaque("a division by a variable")
        return {k: v / b[1] for k, v in a.items()}
    v = var(node)
    if v is None:
        raise Opaque(type(node).__name__)
    return {v: 1.0}


def _atoms(node: Compare, var, system: units.UnitSystem) -> list[list[Atom]]:
    """The DNF of one comparison (a list of conjunctions); an absolute `within` widens it."""
    t = 0.0
    if node.tolerance is not None:
        if node.tolerance.unit == "%":
            raise Opaque("a relative tolerance")
        t = node.tolerance.value * system.factor(node.tolerance.unit)
    d = _lin(node.left, var, system)
    for k, v in _lin(node.right, var, system).items():
        d[k] = d.get(k, 0.0) - v
    const = -d.pop(1, 0.0)  # d = terms - const
    terms = tuple(sorted(((k, v) for k, v in d.items() if v != 0), key=lambda kv: repr(kv[0])))
    neg = tuple((k, -v) for k, v in terms)
    op = node.op
    if op == "==":
        return [[Atom(terms, "==", const)]] if t == 0 else [[Atom(terms, "<=", const + t), Atom(neg, "<=", t - const)]]
    if op == "!=":  # |d| > t
        return [[Atom(terms, "<", const - t)], [Atom(neg, "<", -const - t)]]
    if op in ("<=", "<"):  # d <= t
        return [[Atom(terms, op, const + t)]]
    return [[Atom(neg, "<=" if op == ">=" else "<", t - const)]]  # d >= -t


def dnf(node: Expr, var, negate: bool = False, system: units.UnitSystem | None = None) -> list[list[Atom]]:
    """Disjunctive normal form: a list of conjunctions of atoms (Opaque if the condition is not linear).
    `system`: the pack's units, which literals with a unit are converted by."""
    system = system if system is not None else units.UnitSystem()
    if isinstance(node, Not):
        return dnf(node.operand, var, not negate, system)
    if isinstance(node, Bool):
        return [[]] if node.value != negate else []
    if isinstance(node, Compare):
        if not negate:
            return _atoms(node, var, system)
        if node.tolerance is not None and node.tolerance.value != 0 and node.op not in ("==", "!="):
            raise Opaque("the negation of a one-sided comparison with a tolerance")
        flipped = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[node.op]
        return _atoms(dataclasses.replace(node, op=flipped), var, system)
    if isinstance(node, Logic):
        a, b = node.left, node.right
        if node.op == "implies":  # (not a) or b
            return dnf(Logic("or", Not(a), b), var, negate, system)
        conj = (node.op == "and") != negate
        da, db = dnf(a, var, negate, system), dnf(b, var, negate, system)
        if conj:
            if len(da) * len(db) > MAX_DISJUNCTS:
                raise Opaque("too many alternatives")
            return [x + y for x, y in product(da, db)]
        return da + db
    raise Opaque(type(node).__name__)


class Space:
    """Variables with the bounds and integrality the contracts give them."""

    def __init__(self):
        self.bounds: dict[object, tuple[float | None, float | None, bool]] = {}

    def satisfiable(self, conjunction: list[Atom]) -> bool:
        from .extras import need

        optimize = need("scipy.optimize", "audit lint")
        np = need("numpy", "audit lint", "explain")
        Bounds, LinearConstraint, milp = optimize.Bounds, optimize.LinearConstraint, optimize.milp

        variables = sorted({k for a in conjunction for k, _ in a.terms}, key=repr)
        for a in conjunction:
            if not a.terms:  # a constant comparison
                ok = {"<=": 0 <= a.const, "<": 0 < a.const, "==": a.const == 0}[a.op]
                if not ok:
                    return False
        if not variables:
            return True
        index = {v: i for i, v in enumerate(variables)}
        rows, lo, hi = [], [], []
        for a in conjunction:
            if not a.terms:
                continue
            row = np.zeros(len(variables))
            for k, c in a.terms:
                row[index[k]] += c
            margin = max(MARGIN, 1e-9 * abs(a.const)) if a.op == "<" else 0.0
            rows.append(row)
            lo.append(a.const if a.op == "==" else -np.inf)
            hi.append(a.const - margin)
        bounds = [self.bounds.get(v, (None, None, False)) for v in variables]
        res = milp(c=np.zeros(len(variables)), constraints=LinearConstraint(np.array(rows), lo, hi),
                   integrality=np.array([1 if b[2] else 0 for b in bounds]),
                   bounds=Bounds([-np.inf if b[0] is None else b[0] for b in bounds],
                                 [np.inf if b[1] is None else b[1] for b in bounds]))
        return res.status == 0

    def sat(self, formula: list[list[Atom]]) -> bool:
        return any(self.satisfiable(c) for c in formula)


def conjoin(*formulas: list[list[Atom]]) -> list[list[Atom]]:
    out: list[list[Atom]] = [[]]
    for f in formulas:
        out = [x + y for x, y in product(out, f)]
        if len(out) > MAX_DISJUNCTS:
            raise Opaque("too many alternatives")
    return out


@dataclass
class Statement:
    """One rule (or one column variant of it) as a formula, with its negation."""

    rule: str
    file: str
    line: int
    holds: list[list[Atom]]
    fails: list[list[Atom]]
    label: str


# -- the linter -------------------------------------------------------------------------------
def lint_pack(rules_dir: str | Path, dataset: str | Path | None = None) -> LintReport:
    from .pack import PACK_FILE, load_pack

    folder = Path(rules_dir)
    if not (folder / PACK_FILE).is_file():
        raise AuditInputError(Problem(str(folder), "not a rule pack: no pack.yaml"))
    from .figures.pack import is_figure_pack

    if is_figure_pack(folder):  # rules over figures: audit/figures/lint.py
        from .figures.lint import lint_figure_pack

        return lint_figure_pack(folder, dataset)
    report = LintReport(str(folder), str(dataset) if dataset else None)
    try:
        pack = load_pack(folder)
    except AuditInputError as exc:
        for p in exc.problems:
            report.issues.append(Issue("error", "load", p.message + (f" ({p.hint})" if p.hint else ""), [],
                                       p.file, p.line, p.column))
        return report
    report.rules = len(pack.rules)
    report.pack = str(pack.root)
    schema = pack.schema()
    for kind in pack.rules:
        _check_placeholders(report, kind, schema)  # against the profile: a message is written for every dataset
    if dataset is not None:
        data_schema = _dataset_schema(report, pack, dataset)
        for kind in pack.rules if data_schema is not None else []:
            _check_rule(report, kind, data_schema)
    _check_logic(report, pack)
    report.issues.sort(key=lambda i: (i.file, i.line or 0, i.code))
    return report


def _dataset_schema(report: LintReport, pack, dataset):
    from .contracts import check_structure, dataset_schema
    from .dataset import load_dataset

    ds = load_dataset(dataset)  # a dataset that cannot be read is bad input (exit 2)
    try:
        check_structure(ds, pack)
    except AuditInputError as exc:
        for p in exc.problems:
            report.issues.append(Issue("error", "dataset", p.message, [], p.file, p.line, p.column))
        return None
    return dataset_schema(ds, pack)


def _check_rule(report: LintReport, kind, schema) -> None:
    """A rule against a dataset's own tables: what it lacks makes the rule (or a table of it) not apply."""
    from .expr.compiler import CompileError, NotApplicable, compile_condition

    r = kind.rule
    tables = kind.p.table if r.kind == "row_check" else [None]  # a row check's tables apply one by one
    for table in tables:
        try:
            if table is None:
                kind.check(schema)
            else:
                for key in ("assert", "where"):
                    if key in r.expressions:
                        compile_condition(r.expressions[key], schema, kind.context(table))
        except CompileError as exc:
            report.issues.append(Issue("error", "compile", exc.message, [r.id], r.file, r.line))
        except NotApplicable as exc:
            on = f" on {table}" if table else ""
            report.issues.append(Issue("warning", "not-applicable", f"does not apply{on} to this dataset: {exc}",
                                       [r.id], r.file, r.line))


def _check_placeholders(report: LintReport, kind, schema) -> None:
    """Every {name} in the message and hint must be something this rule's items provide."""
    from .kinds.base import placeholders

    r = kind.rule
    allowed = set(kind.placeholders)
    p = kind.p
    if r.kind == "row_check":
        for t in p.table:
            allowed |= set(schema.tables.get(t, {}))
    for key in ("by", "within"):
        value = getattr(p, key, None)
        if isinstance(value, list):
            allowed |= set(value)
        elif isinstance(value, str):
            allowed.add(value)
    for where, text in (("message", r.message), ("hint", r.hint or "")):
        for name in placeholders(text):
            if name not in allowed:
                line, col = r.node.pos(where)
                report.issues.append(Issue(
                    "error", "placeholder",
                    f"the {where} quotes {{{name}}}, which no item of this rule has "
                    f"(it has: {', '.join(sorted(allowed))})", [r.id], r.file, line, col))


def _statements(pack) -> dict[tuple, list[Statement]]:
    """The rules lint can read as formulas, grouped by what their variables range over."""
    groups: dict[tuple, list[Statement]] = {}
    for kind in pack.rules:
        r = kind.rule
        try:
            if r.kind == "row_check":
                for table in kind.p.table:
                    var = _column_var(pack, table)
                    cond = r.expressions["assert"]
                    if _has_aggregate(cond) or ("where" in r.expressions and _has_aggregate(r.expressions["where"])):
                        continue
                    where = r.expressions.get("where")
                    holds = dnf(Logic("implies", where, cond) if where is not None else cond, var, system=pack.units)
                    fails = dnf(Logic("and", where, Not(cond)) if where is not None else Not(cond), var, system=pack.units)
                    groups.setdefault(("row", table), []).append(Statement(r.id, r.file, r.line, holds, fails,
                                                                          f"{r.id} on {table}"))
            elif r.kind == "compare":
                for column, node in kind.variants():
                    var = _aggregate_var
                    holds, fails = dnf(node, var, system=pack.units), dnf(node, var, negate=True, system=pack.units)
                    label = r.id + (f" ({column})" if column else "")
                    groups.setdefault(("compare", tuple(kind.p.by)), []).append(
                        Statement(r.id, r.file, r.line, holds, fails, label))
        except Opaque:
            continue
    return groups


def _column_var(pack, table: str):
    def var(node):
        if isinstance(node, Ref) and node.table in (None, table):
            contract = pack.contracts.get(table)
            col = contract.columns.get(node.name) if contract else None
            if col is not None and col.type in ("integer", "number", "year"):
                return (table, node.name)
        return None
    return var


def _aggregate_var(node):
    if isinstance(node, Aggregate) and node.func == "sum":
        return node
    if isinstance(node, (Count, Total, Claimed)):
        return node
    return None


def _has_aggregate(node: Expr) -> bool:
    return any(isinstance(n, (Aggregate, Count, Total, Claimed)) for n in walk(node))


def _space(pack) -> Space:
    """Bounds from the contracts: a column's min and max; a sum of a column that is never negative is not."""
    space = Space()
    for tname, contract in pack.contracts.items():
        for cname, col in contract.columns.items():
            if col.type in ("integer", "number", "year"):
                space.bounds[(tname, cname)] = (col.min, col.max, col.type in ("integer", "year"))
    return space


def _aggregate_bounds(space: Space, pack, statements: list[Statement]) -> None:
    for st in statements:
        for conj in st.holds + st.fails:
            for atom in conj:
                for v, _ in atom.terms:
                    if isinstance(v, Count):
                        space.bounds[v] = (0.0, None, True)
                    elif isinstance(v, Aggregate):
                        refs = [n for n in walk(v.operand) if isinstance(n, Ref)]
                        cols = [pack.contracts[n.table].columns.get(n.name) if n.table in pack.contracts else None
                                for n in refs]
                        subtracts = any(isinstance(n, Neg) or (isinstance(n, Arith) and n.op == "-")
                                        for n in walk(v.operand))
                        if cols and not subtracts and all(c is not None and c.min is not None and c.min >= 0
                                                          for c in cols):
                            space.bounds[v] = (0.0, None, all(c.type == "integer" for c in cols))


def _check_logic(report: LintReport, pack) -> None:
    space = _space(pack)
    for key, statements in _statements(pack).items():
        _aggregate_bounds(space, pack, statements)
        live = []
        for st in statements:
            if not space.sat(st.holds):
                report.issues.append(Issue("error", "never-passes", f"{st.label} can never pass: no values the "
                                           f"contracts allow meet it", [st.rule], st.file, st.line))
            elif not space.sat(st.fails):
                report.issues.append(Issue("warning", "never-fails", f"{st.label} can never fail: every value the "
                                           f"contracts allow meets it", [st.rule], st.file, st.line))
            else:
                live.append(st)
        if not _contradictions(report, space, live):  # once they contradict, each is "implied": say nothing
            _redundancies(report, space, live)


def _all_hold(space: Space, statements: list[Statement]) -> bool:
    try:
        return space.sat(conjoin(*(s.holds for s in statements)))
    except Opaque:
        return True  # too large to decide: say nothing


def _contradictions(report: LintReport, space: Space, statements: list[Statement]) -> bool:
    if len(statements) < 2 or _all_hold(space, statements):
        return False
    core = list(statements)  # deletion filter: drop each rule the rest still contradict without
    for st in list(core):
        rest = [s for s in core if s is not st]
        if not _all_hold(space, rest):
            core = rest
    first, others = core[0], core[1:]
    report.issues.append(Issue(
        "error", "contradiction",
        "no values can meet these rules together: " + ", ".join(s.label for s in core),
        [s.rule for s in core], first.file, first.line, others=[f"{s.file}:{s.line}" for s in others]))
    return True


def _redundancies(report: LintReport, space: Space, statements: list[Statement]) -> None:
    for st in statements:
        others = [s for s in statements if s is not st]
        if not others:
            continue
        try:
            if space.sat(conjoin(*(s.holds for s in others), st.fails)):
                continue
            implied_by = list(others)
            for o in list(implied_by):
                rest = [s for s in implied_by if s is not o]
                if rest and not space.sat(conjoin(*(s.holds for s in rest), st.fails)):
                    implied_by = rest
        except Opaque:
            continue
        report.issues.append(Issue(
            "warning", "redundant",
            f"{st.label} is implied by " + ", ".join(s.label for s in implied_by) + ": it can only fail where they do",
            [st.rule] + [s.rule for s in implied_by], st.file, st.line,
            others=[f"{s.file}:{s.line}" for s in implied_by]))


# -- output -----------------------------------------------------------------------------------
def render_text(report: LintReport) -> str:
    """The issues for a terminal; each line through `audit.escape.terminal` (they quote the pack)."""
    from .escape import terminal

    out = []
    for i in report.issues:
        where = i.file + (f":{i.line}" if i.line else "") + (f":{i.column}" if i.column else "")
        rules = f" [{', '.join(i.rules)}]" if i.rules else ""
        out.append(f"{where}: {i.severity}: {i.code}: {i.message}{rules}")
        for other in i.others:
            out.append(f"    see {other}")
    errors, warnings = len(report.errors), len(report.issues) - len(report.errors)
    target = f" against {report.dataset}" if report.dataset else ""
    out.append(f"{report.pack}{target}: {report.rules} rules, {errors} errors, {warnings} warnings")
    return "\n".join(terminal(line) for line in out) + "\n"


def render_json(report: LintReport) -> str:
    return json.dumps({"pack": report.pack, "dataset": report.dataset, "rules": report.rules,
                       "issues": [i.to_dict() for i in report.issues]}, indent=2) + "\n"

