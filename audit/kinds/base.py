"""What every rule kind shares: the rule's common fields, parameter declaration and validation,
message templates, and turning table rows and claims into finding locations.

A kind declares its parameters once, as a frozen dataclass whose fields carry a `doc`; the rule
loader validates a rule's YAML from that declaration, and `audit explain KIND` prints it.
"""
from __future__ import annotations

import dataclasses
import re
import time
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .. import units
from ..dataset import Claim, Dataset, Table
from ..engine import DuckDBEngine, claim_columns
from ..errors import Problem
from ..expr.ast import Expr, ExprSyntaxError, parse
from ..expr.compiler import AggregateUse, CompileError, Compiled, Focus, NotApplicable, Schema, ident
from ..findings import Finding, Location, RuleResult
from ..yamlio import Node, Text, what_it_is

SEVERITY_LEVELS = ("error", "warning", "info")
MAX_PARTS = 50  # cells an aggregate read that a finding lists (the first ones, by line)
COMMON_KEYS = {"id", "title", "severity", "kind", "message", "rationale", "hint"}


def param(doc: str, default: Any = dataclasses.MISSING, expression: str | None = None):
    """Declare a kind parameter. `expression` is 'condition' or 'number' for rule-language text."""
    meta = {"doc": doc, "expression": expression}
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Rule:
    id: str
    title: str
    severity: str
    kind: str
    message: str
    rationale: str
    hint: str | None
    params: Any
    file: str
    line: int
    node: Node
    expressions: dict[str, Expr] = field(default_factory=dict)  # parsed expression params


@dataclass
class RunContext:
    dataset: Dataset
    engine: DuckDBEngine
    schema: Schema
    max_findings: int = 1000  # per rule: items beyond it are counted, not listed
    memo: dict = field(default_factory=dict)  # answers that hold for the whole run (e.g. a table's values of a dimension)


class Kind:
    """Base of every rule kind. A subclass sets `name`, `Params`, and implements `evaluate`."""

    name: ClassVar[str]
    Params: ClassVar[type]
    placeholders: ClassVar[tuple[str, ...]] = ()

    def __init__(self, rule: Rule):
        self.rule = rule
        self.p = rule.params

    # -- static checks, before any data is read --------------------------------------------------
    def check(self, schema: Schema) -> None:
        """Compile every expression against the profile's schema; raise CompileError on a bad name."""

    # -- evaluation -----------------------------------------------------------------------------
    def evaluate(self, ctx: RunContext, result: RuleResult) -> None:
        raise NotImplementedError

    def run(self, ctx: RunContext) -> RuleResult:
        r = self.rule
        result = RuleResult(r.id, r.title, r.kind, r.severity, "passed", file=r.file, line=r.line,
                            rationale=r.rationale)
        start = time.perf_counter()
        try:
            self.evaluate(ctx, result)
            result.conclude("no item could be decided: values are missing",
                            "nothing in this dataset for the rule to check")
        except NotApplicable as exc:
            result.status, result.reason = "not_applicable", str(exc)
            result.findings.clear()
        except CompileError as exc:
            result.status, result.reason = "broken", f"{exc.message} ({r.file}:{r.line})"
            result.findings.clear()
        except Exception as exc:  # a rule that throws is an error of that rule, not of the run
            result.status, result.reason = "broken", f"{type(exc).__name__}: {exc}"
            result.findings.clear()
        result.seconds = time.perf_counter() - start
        return result

    # -- helpers for subclasses ---------------------------------------------------------------
    def tally(self, result: RuleResult, ok: Any) -> None:
        result.items += 1
        if ok is None:
            result.undecided += 1
        elif ok:
            result.passed += 1
        else:
            result.failed += 1

    def finding(self, ctx: RunContext, values: dict[str, Any], locations: list[Location],
                focus_values: dict[str, Any] | None = None, subject: str = "") -> Finding:
        fv = focus_values or {}
        text = render(self.rule.message, values)
        f = Finding(rule=self.rule.id, severity=self.rule.severity, message=text, locations=locations,
                    observed=fv.get("observed"), expected=fv.get("expected"),
                    difference=fv.get("difference"), tolerance=fv.get("tolerance"), unit=fv.get("unit"),
                    relation=fv.get("relation", "=="), decimals=fv.get("decimals"),
                    dataset=ctx.dataset.name, hint=render(self.rule.hint, values) if self.rule.hint else None,
                    subject=subject)
        return f.seal()


def focus_columns(focus: Focus | None) -> str:
    if focus is None:
        return "NULL AS __obs, NULL AS __exp, NULL AS __diff, NULL AS __tol"
    return (f"{focus.observed} AS __obs, {focus.expected} AS __exp, {focus.difference} AS __diff, "
            f"{focus.tolerance} AS __tol")


def focus_values(row: dict, focus: Focus | None, system: units.UnitSystem) -> dict[str, Any]:
    """Observed, expected, difference and tolerance of a result row, in the display unit."""
    if focus is None:
        return {}
    unit, exp_unit = focus.unit, focus.expected_unit  # (none for a plain number or a count)
    conv = (lambda v: None if v is None else system.from_base(v, unit))  # noqa: E731
    shown = None if row["__exp"] is None else system.from_base(row["__exp"], exp_unit)
    return {"observed": conv(row["__obs"]), "expected": conv(row["__exp"]), "difference": conv(row["__diff"]),
            "tolerance": conv(row["__tol"]), "unit": unit, "decimals": focus.decimals, "relation": focus.op,
            "expected_text": format_number(shown, exp_unit, focus.expected_decimals)}


def plain(value: Any) -> Any:
    """A key value as a person would write it: 2018, not 2018.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def cell_text(table: Table, row, name: str) -> str:
    """A cell for a message: numbers with thousands separators and their unit, text as printed."""
    cell = row.cells[name]
    f = table.fields[name]
    if cell.value is None:
        return cell.text or "missing"
    if f.numeric and f.type != "year":
        return format_number(cell.value, f.shown_unit, cell.decimals)
    return cell.text


def format_number(value: float | None, unit: str | None = None, decimals: int = 0) -> str:
    if value is None:
        return "missing"
    if float(value).is_integer() and decimals == 0:
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.{max(decimals, 2)}f}".rstrip("0").rstrip(".") if decimals == 0 else f"{value:,.{decimals}f}"
    return f"{text} {unit}" if unit else text


def focus_text(fv: dict[str, Any]) -> dict[str, str]:
    """Message placeholders for a focus: observed, expected, difference, tolerance (with units)."""
    if not fv:
        return {}
    unit, dec = fv.get("unit"), fv.get("decimals", 0)
    out = {}
    for k in ("observed", "expected", "difference"):
        out[k] = format_number(fv.get(k), unit, dec)
    if fv.get("expected_text"):
        out["expected"] = fv["expected_text"]
    tol = fv.get("tolerance")
    out["tolerance"] = format_number(round(tol, 10) if tol is not None else None, unit, max(dec, 0) + 1)
    return out


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:\|([^{}|]*)\|([^{}|]*))?\}")


def _is_one(value: Any) -> bool:
    """Whether a placeholder's value is one (1, 1.0, "1", "-1"): the singular form applies."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return abs(value) == 1
    text = str(value).replace(",", "").strip()
    return text in ("1", "-1", "1.0", "+1")


def render(template: str, values: dict[str, Any]) -> str:
    """Fill `{name}` placeholders, and `{name|singular|plural}` with the word that agrees with the
    value of `name` ("{count} suspected hazardous {count|area|areas}" gives "1 suspected hazardous
    area"); nothing else in a template is interpreted."""
    def sub(m: re.Match) -> str:
        v = values.get(m.group(1))
        if m.group(2) is not None:
            return m.group(2) if v is not None and _is_one(v) else m.group(3)
        return "?" if v is None else str(v)
    return _PLACEHOLDER.sub(sub, template).strip().rstrip(".")


def placeholders(template: str) -> list[str]:
    return [m.group(1) for m in _PLACEHOLDER.finditer(template or "")]


# -- locations --------------------------------------------------------------------------------
def table_label(table: Table) -> str:
    prov = table.provenance.get("table")
    return f"{prov} ({table.name})" if prov else table.name


def _column_parts(table: Table, column: str) -> tuple:
    """What every location of a column shares (its field, unit, label parts, provenance), worked out
    once per table and column (a table is not changed once loaded): a rule lists thousands of cells
    of the same few columns."""
    parts = table.__dict__.setdefault("_location_parts", {})
    found = parts.get(column)
    if found is not None:
        return found
    f = table.fields.get(column)
    unit = f.shown_unit if f else None
    prov = table.provenance.get("document")
    if prov:
        prov = f"{prov}, {table.provenance.get('table', table.title)}"
    shared = (f, unit, f is not None and f.numeric and f.type != "year", table_label(table), f.title if f else column,
              prov)
    parts[column] = shared
    return shared


def cell_location(ds: Dataset, table: Table, line: int, column: str, role: str | None = None) -> Location:
    f, unit, in_unit, label_table, title, prov = _column_parts(table, column)
    row = table.row_at(line)
    cell = row.cells.get(column) if row else None
    if cell is None and column in table.dimensions:
        value = str(table.dimensions[column])
    else:
        value = cell.text if cell is not None else None
    if cell is not None and cell.value is not None and in_unit:
        value = cell.markers + format_number(cell.value, None, cell.decimals)
    label = f"{label_table}, row {table.row_label(row) if row else line}, {title}"
    if cell is not None and cell.markers:
        notes = [fn for fn in table.footnotes if isinstance(fn, dict) and str(fn.get("marker")) in cell.markers]
        if notes:
            prov = (prov or "") + "; footnote: " + " ".join(str(n.get("text", "")) for n in notes)
    return Location(file=table.file, row=line, table=table.name, column=column,
                    key=table.row_key(row) if row else {}, value=(value + (f" {unit}" if unit and value else "")) if value else value,
                    role=role, label=label, provenance=prov, cell=table.cell(line, column))


def claim_location(claim: Claim, role: str = "claim") -> Location:
    where = claim.section + (": " if claim.section and claim.locator else "") + claim.locator
    return Location(file=claim.file, row=claim.line, claim=claim.id, value=claim.describe_value(), role=role,
                    label=where or claim.id, provenance=claim.quote)


def claimed_locations(ctx: RunContext, compiled: Compiled, keys: dict[str, Any], role: str,
                      limit: int = MAX_PARTS) -> list[Location]:
    """The claims that claimed(...) read for one item, matched on the item's dimensions (the
    first `limit` of them, as for the cells of an aggregate)."""
    out = []
    if not compiled.claimed:
        return out
    for claim in ctx.dataset.claims:
        if claim.measure not in compiled.claimed:
            continue
        if all(plain(v) in [plain(x) for x in claim.dims.get(k, [])] for k, v in keys.items()):
            out.append(claim_location(claim, role))
            if len(out) >= limit:
                break
    return out


def aggregate_locations(ctx: RunContext, compiled: Compiled, outer_sql: str | None, outer_keys: dict[str, Any],
                        role: str, alias: str = "g") -> list[Location]:
    """The cells the aggregates of a compiled rule read for one item (a row or a group).

    `outer_sql` selects the item's source (the row, or the groups) under `alias`; `outer_keys`
    pins the item by its key values.
    """
    locs: list[Location] = []
    for agg in compiled.aggregates:
        locs.extend(_aggregate_cells(ctx, agg, outer_sql, outer_keys, role, alias))
    return locs


def _without_keys(cond: str, alias: str, keys) -> str:
    for k in keys:
        cond = cond.replace(f"{alias}.{ident(k)}", "")
    return cond


def _aggregate_cells(ctx: RunContext, agg: AggregateUse, outer_sql: str | None, outer_keys: dict[str, Any],
                     role: str, alias: str) -> list[Location]:
    from ..expr.compiler import sql_literal
    if agg.table not in ctx.dataset.tables:
        return []
    table = ctx.dataset.tables[agg.table]
    conds = list(agg.conditions)
    source = f"{ident(agg.table)} {agg.alias}"
    if outer_sql and outer_keys and all(v is not None for v in outer_keys.values()) and \
            not any(f"{alias}." in _without_keys(c, alias, outer_keys) for c in conds):
        # the item is pinned by its keys: put their values in place of the outer references
        for k, v in outer_keys.items():
            conds = [c.replace(f"{alias}.{ident(k)}", sql_literal(v)) for c in conds]
    elif outer_sql:
        conds += [f"{alias}.{ident(k)} = {sql_literal(v)}" for k, v in outer_keys.items() if v is not None]
        source += f", ({outer_sql}) {alias}"
    sql = (f"SELECT DISTINCT {agg.alias}.__line AS line FROM {source} WHERE {' AND '.join(conds)} ORDER BY 1 "
           f"LIMIT {MAX_PARTS}")
    lines = [r["line"] for r in ctx.engine.rows(sql)]
    table.prefetch(lines)
    cols = [c for c in agg.columns if c in table.fields and table.fields[c].numeric] or agg.columns
    return [cell_location(ctx.dataset, table, line, c, role) for line in lines for c in cols
            if c in table.fields]


# -- parameter validation -----------------------------------------------------------------------
def validate_params(kind: type[Kind], node: Node, file: str) -> tuple[Any, dict[str, Expr], list[Problem]]:
    """Build a kind's Params from a rule's YAML mapping; report unknown keys, missing and bad values."""
    problems: list[Problem] = []
    hints = typing.get_type_hints(kind.Params)
    fields = {f.name.rstrip("_"): f for f in dataclasses.fields(kind.Params)}
    values: dict[str, Any] = {}
    exprs: dict[str, Expr] = {}
    for key in node:
        if key in COMMON_KEYS:
            continue
        line, col = node.pos(key)
        if key not in fields:
            problems.append(Problem(file, f"unknown parameter '{key}' for kind '{kind.name}'", line, col, field=key,
                                    hint=f"{kind.name} takes: {', '.join(fields) or 'no parameters'}"))
            continue
        raw = node[key]
        f = fields[key]
        ok, value = _coerce(raw, hints[f.name])
        if not ok:
            problems.append(Problem(file, f"expected {_type_text(hints[f.name])}, found {what_it_is(raw)}",
                                    line, col, field=key))
            continue
        values[f.name] = value
        kind_of_expr = f.metadata.get("expression")
        if kind_of_expr:
            texts = value if isinstance(value, list) else [value]
            parsed = []
            for i, text in enumerate(texts):
                try:
                    parsed.append(parse(str(text)))
                except ExprSyntaxError as exc:
                    problems.append(expr_problem(file, raw[i] if isinstance(raw, list) else raw, node, key,
                                                 exc.message, exc.line, exc.column))
            if len(parsed) == len(texts):
                exprs[key] = parsed if isinstance(value, list) else parsed[0]
    for name, f in fields.items():
        if f.name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            problems.append(Problem(file, f"kind '{kind.name}' needs the parameter '{name}' ({f.metadata['doc']})",
                                    node.line, node.column, field=name))
    if problems:
        return None, exprs, problems
    return kind.Params(**values), exprs, problems


def expr_problem(file: str, raw: Any, node: Node, key: str, message: str, line: int, column: int,
                 hint: str | None = None) -> Problem:
    """A problem inside an expression, placed at its file:line:col when the text is a plain scalar."""
    text = str(raw)
    if isinstance(raw, Text):
        base_line, base_col = raw.line, raw.column
        quoted = raw.style in ("'", '"')
        block = raw.style in ("|", ">")
    else:
        base_line, base_col = node.value_pos(key)[:2]
        quoted = block = False
    src_lines = text.splitlines() or [text]
    excerpt = src_lines[line - 1] if 0 < line <= len(src_lines) else text
    if block:
        file_line, file_col = base_line + line, column
    elif line == 1:
        file_line, file_col = base_line, base_col + column - 1 + (1 if quoted else 0)
    else:
        file_line, file_col = base_line + line - 1, column
    return Problem(file, message, file_line, file_col, field=key, excerpt=excerpt, caret=column - 1, hint=hint)


def _coerce(raw: Any, hint: Any) -> tuple[bool, Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for a in args:
            if a is type(None):
                if raw is None:
                    return True, None
                continue
            ok, v = _coerce(raw, a)
            if ok:
                return True, v
        return False, None
    if origin is list:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            return False, None
        out = []
        for item in raw:
            ok, v = _coerce(item, args[0] if args else Any)
            if not ok:
                return False, None
            out.append(v)
        return True, out
    if origin is dict or hint is dict:
        return (True, dict(raw)) if isinstance(raw, dict) else (False, None)
    if hint is list:
        return (True, [raw] if isinstance(raw, str) else list(raw)) if isinstance(raw, (list, str)) else (False, None)
    if hint is str:
        return (True, raw) if isinstance(raw, str) else (True, raw.text) if hasattr(raw, "text") else (False, None)
    if hint is float:
        return (True, float(raw)) if isinstance(raw, float) else (False, None)
    if hint is int:
        return (True, int(raw)) if isinstance(raw, float) and float(raw).is_integer() else (False, None)
    if hint is bool:
        return (True, raw) if isinstance(raw, bool) else (False, None)
    return True, raw


def _type_text(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is list or hint is list:
        return "a list"
    if origin is dict or hint is dict:
        return "a mapping"
    if hint is str:
        return "text"
    if hint in (float, int):
        return "a number"
    if hint is bool:
        return "true or false"
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args:
        return " or ".join(_type_text(a) for a in args)
    return str(hint)


def period_column(by: str | None, schema) -> str:
    """The period a series runs over: `by` as the rule gives it, else the pack's (claim_period)."""
    if by is not None:
        return by
    if schema.period is None:
        raise CompileError("give 'by', the column that counts periods: the profile declares none "
                           "(measures.yaml claim_period)")
    return schema.period


def parse_tolerance(text: str | None):
    """'5%' or '0.01 km2' or '1e-8' into a Tolerance node (None when empty). The unit is any word:
    the compiler refuses one the pack does not declare (Compiler._unit, tolerance_factor)."""
    from ..expr.ast import Tolerance
    if text is None or str(text).strip() == "":
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(%|[A-Za-z][A-Za-z0-9_²³]*)?\s*", str(text))
    if not m:
        raise CompileError(f"'{text}' is not a tolerance; write a number, with % or a unit of the profile "
                           "after it: 5%, 1e-8, 0.5 <unit>")
    return Tolerance(float(m.group(1)), m.group(2))


def group_source(ctx: RunContext, compiled: list[Compiled], keys: list[str] | tuple[str, ...]) -> str:
    """SQL for the groups a grouped rule is evaluated over: every key combination found in the
    tables the rule aggregates (data rows only). With no keys there is a single group."""
    if not keys:
        return "SELECT 1 AS __one"
    cols = ", ".join(ident(k) for k in keys)
    parts = []
    planner = ctx.schema.planner
    for table in sorted({t for c in compiled for t in c.tables}):
        if table in ctx.dataset.tables and all(k in ctx.schema.tables[table] for k in keys):
            # the planner's stored aggregate of the table by the same keys already holds its groups
            stored = planner.groups_of(table, tuple(keys)) if hasattr(planner, "groups_of") else None
            parts.append(f"SELECT {cols} FROM {stored}" if stored else
                         f"SELECT DISTINCT {cols} FROM {ident(table)} WHERE NOT __total")
    claim_dims = {d for d, _ in claim_columns(ctx.dataset)}
    if any(c.uses_claims for c in compiled) and all(k in claim_dims for k in keys):
        parts.append(f"SELECT DISTINCT {cols} FROM __claims WHERE "
                     + " AND ".join(f"{ident(k)} IS NOT NULL" for k in keys))
    if not parts:
        raise NotApplicable(f"no table of this dataset has the columns {', '.join(keys)}")
    return " UNION ".join(parts)


def aggregate_locations_many(ctx: RunContext, compiled: Compiled, keys: list[str], items: list[dict[str, Any]],
                             role: str, alias: str = "g") -> list[list[Location]]:
    """The cells the aggregates read for many groups at once: one query per aggregate, not per item
    (a large table is scanned once however many groups failed)."""
    from ..expr.compiler import sql_literal

    out: list[list[Location]] = [[] for _ in items]
    if not items:
        return out
    if not keys:
        shared = aggregate_locations(ctx, compiled, None, {}, role)
        return [list(shared) for _ in items]
    values = ", ".join("(" + ", ".join([str(i)] + [sql_literal(it[k]) for k in keys]) + ")"
                       for i, it in enumerate(items))
    columns = ", ".join(["__item"] + [ident(k) for k in keys])
    for agg in compiled.aggregates:
        if agg.table not in ctx.dataset.tables:
            continue
        table = ctx.dataset.tables[agg.table]
        # the first MAX_PARTS lines of each item: a top-n aggregate (a sorted list per item), which sorts
        # nothing but those few lines, where a row_number() window would sort every matching row
        sql = (f"SELECT {alias}.__item AS item, min({agg.alias}.__line, {MAX_PARTS}) AS lines "
               f"FROM {ident(agg.table)} {agg.alias} JOIN (VALUES {values}) {alias}({columns}) "
               f"ON {' AND '.join(agg.conditions)} GROUP BY {alias}.__item")
        found = {r["item"]: r["lines"] or [] for r in ctx.engine.rows(sql)}
        table.prefetch([line for lines in found.values() for line in lines])
        cols = [c for c in agg.columns if c in table.fields and table.fields[c].numeric] or agg.columns
        cols = [c for c in cols if c in table.fields]
        for item in sorted(found):
            out[item].extend(cell_location(ctx.dataset, table, line, c, role) for line in found[item] for c in cols)
    return out
