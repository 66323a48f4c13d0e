"""Kind `claim`: figures stated in the narrative agree with the tables.

A dataset's claims each say what they measure (a name from the pack's `measures.yaml`), with a
qualifier, narrowed by the dimensions the pack declares there (`claim_dimensions`: in the mine
action pack a year, region or type of device). This kind takes the claims of one measure and
checks each against every source listed in `against` (numeric expressions over the tables),
computed for the values of each dimension the claim gives. A source whose tables cannot be
narrowed to what the claim speaks of, or do not cover all of it, is not used for that claim.

When the claim cites a table ("see Table 2"), only the sources reading that table are used, if any.

Qualifiers, with t the table's figure and c the claim's, both as intervals of printed precision:
exact (they can meet), about (within `about` of c), more_than (t can exceed c), at_least,
up_to, less_than, between (t can fall between low and high).

Example::

    - id: claimed-area-cleared
      kind: claim
      measure: area_cleared
      against: [sum(clearance_by_region.area_cleared), sum(clearance_summary.area_cleared)]
      message: "The text says {claim} was cleared; {source} gives {expected}"

Message placeholders: `claim` (value with qualifier and unit), `quote`, `locator`, `source` (the
table the figure comes from), `observed` (the claim), `expected`, `difference`, `tolerance`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from .. import units
from ..dataset import Claim
from ..expr.agreement import can_relate
from ..expr.compiler import CompileError, Context, NotApplicable, compile_number, ident, sql_literal
from .base import (MAX_PARTS, Kind, RunContext, aggregate_locations, claim_location, claimed_locations, focus_text, param, parse_tolerance,
                   table_label)
from ..engine import claim_uncertainty


# how the claim (observed) relates to the table's figure (expected) under each qualifier
RELATION = {"exact": "==", "about": "==", "more_than": "<", "at_least": "<=", "up_to": ">=", "less_than": ">",
            "between": "between"}


@dataclass(frozen=True)
class ClaimParams:
    measure: str = param("which claims: those of this measure (see measures.yaml)")
    against: list[str] = param("the figures each claim is checked against", expression="number")
    about: str = param("how far an 'about' claim may be from its figure", "10%")


def qualifier_condition(qualifier: str, v: str, e: str, c: str, ce: str, high: str,
                        about_rel: float) -> tuple[str, str, str]:
    """SQL condition for a claim against a table figure, all operands SQL in base units: the figure
    (value v, uncertainty e), the claim (value c or, for 'between', the low bound, uncertainty ce,
    and the high bound).

    Returns the condition, the claim's value (or bound) and the tolerance, all SQL."""
    if qualifier == "between":
        return f"({can_relate('>=', v, c, e)} AND {can_relate('<=', v, high, e)})", c, e
    if qualifier in ("exact", "about"):
        tol = f"({e} + {ce}" + (f" + {sql_literal(about_rel)} * abs({c}))" if qualifier == "about" else ")")
        return can_relate("==", v, c, tol), c, tol
    # the claim gives a bound (its own rounding is part of the wording: "more than 1.6" is read as
    # printed); the table's figure v can lie anywhere in its interval
    op = {"more_than": ">", "at_least": ">=", "up_to": "<=", "less_than": "<"}[qualifier]
    return can_relate(op, v, c, e), c, e


def claim_operands(claim: Claim) -> tuple[float | None, float, float | None]:
    """The claim's value (or low bound), its uncertainty and its high bound, in base units."""
    f = claim.factor
    if claim.qualifier == "between":
        return claim.low * f, 0.0, claim.high * f
    return claim.value * f, claim_uncertainty(claim), None


class ClaimKind(Kind):
    name = "claim"
    Params = ClaimParams
    placeholders = ("claim", "quote", "locator", "source", "observed", "expected", "difference", "tolerance")

    def check(self, schema) -> None:
        if schema.measures and self.p.measure not in schema.measures:
            raise CompileError(f"unknown measure '{self.p.measure}'",
                               hint="measures are declared in the rule pack's measures.yaml")
        for expr in self.rule.expressions["against"]:
            out = compile_number(expr, schema, Context())
            want = schema.measures.get(self.p.measure)
            if want is not None and not units.compatible(out.value.dim, want):
                raise CompileError(f"measure '{self.p.measure}' is {units.dim_text(want)}, but this figure is "
                                   f"{units.dim_text(out.value.dim)}", expr)

    SOURCES_PER_STATEMENT = 10  # figures computed side by side (wider statements plan slower)
    CLAIMS_PER_STATEMENT = 1000  # claims compared with their figures in one statement
    MAX_NOTES = 5  # undecided claims a rule's reason names

    def evaluate(self, run: RunContext, result) -> None:
        claims = [c for c in run.dataset.claims if c.measure == self.p.measure]
        if not claims:
            raise NotApplicable(f"the dataset makes no claim of measure '{self.p.measure}'")
        items = self._items(run, claims, result)
        figures = self._figures(run, {id(compiled): compiled for _, compiled in items})
        by_id = run.memo.setdefault("claims_by_id", {c.id: c for c in run.dataset.claims})
        cells: dict[int, list] = {}  # per source: the cells it read (the same for every claim)
        for (claim, compiled), row in zip(items, self._compare(run, items, figures)):
            self.tally(result, row["ok"])
            if row["ok"] is not False:
                continue
            if len(result.findings) >= run.max_findings:
                result.truncated += 1
                continue
            result.findings.append(self._finding(run, claim, compiled, row, by_id, cells))

    def _items(self, run: RunContext, claims: list[Claim], result) -> list[tuple]:
        """Each claim with each source that covers it. Claims that speak of the same coordinates
        share one compiled source; the planner defers the aggregates they ask for, then computes
        them together (a few scans)."""
        planner = run.schema.planner
        if planner is not None:
            planner.deferred = True
        compiled_for: dict[tuple, list] = {}
        items, unmatched = [], []
        try:
            for claim in claims:
                coords = tuple(sorted((k, tuple(v)) for k, v in claim.dims.items()))
                if coords not in compiled_for:
                    compiled_for[coords] = self._sources(run, claim)
                sources = compiled_for[coords]
                if not sources:
                    self.tally(result, None)  # no table speaks of what the claim does: undecided
                    unmatched.append(claim)
                    continue
                cited = [c for c in sources if claim.table in c.tables]
                items += [(claim, compiled) for compiled in cited or sources]
        finally:
            if planner is not None:
                planner.flush()
        if unmatched:
            result.reason = self._why_undecided(run, unmatched)
        return items

    def _why_undecided(self, run: RunContext, claims: list[Claim]) -> str:
        """Why claims were left undecided, with the nearest names a table holds for a value that no
        table holds (a place spelt otherwise than in the tables)."""
        notes = []
        for claim in claims[:self.MAX_NOTES]:
            missing = []
            for dim, values in claim.dims.items():
                known = set()
                for name, table in run.dataset.tables.items():
                    if dim in table.all_columns():
                        known |= self._values(run, name, dim)
                for v in values:
                    if _key(v) not in known:
                        near = [] if isinstance(v, (int, float)) else \
                            difflib.get_close_matches(_key(v), sorted(known), n=3, cutoff=0.6)
                        missing.append(f"{dim} {_key(v)!r} is in no table"
                                       + (f" (nearest: {', '.join(near)})" if near else ""))
            notes.append(f"claim '{claim.id}': " + ("; ".join(missing) if missing else
                                                    "no source in 'against' holds all of what it speaks of"))
        more = len(claims) - len(notes)
        return (f"{len(claims)} claim{'s' if len(claims) != 1 else ''} matched no figure: " + "; ".join(notes)
                + (f"; and {more} more" if more > 0 else ""))

    @staticmethod
    def _values(run: RunContext, table: str, dim: str) -> set[str]:
        """A table's values of a dimension (data rows), as text; read once per run."""
        known = run.memo.setdefault("dimension_values", {})
        if (table, dim) not in known:
            sql = f"SELECT DISTINCT {ident(dim)} AS v FROM {ident(table)} WHERE NOT __total"
            known[(table, dim)] = {_key(r["v"]) for r in run.engine.rows(sql)}
        return known[(table, dim)]

    def _sources(self, run: RunContext, claim: Claim) -> list:
        sources = []
        for expr in self.rule.expressions["against"]:
            try:
                compiled = compile_number(expr, run.schema, Context(filters=dict(claim.dims), joined=True))
            except NotApplicable:
                continue
            if self._covered(run, compiled):
                sources.append(compiled)
        return sources

    def _figures(self, run: RunContext, compiled: dict[int, object]) -> dict[int, tuple]:
        """The value and uncertainty of each source figure, a few sources per statement."""
        out = {}
        keys = list(compiled)
        for start in range(0, len(keys), self.SOURCES_PER_STATEMENT):
            chunk = [compiled[k] for k in keys[start:start + self.SOURCES_PER_STATEMENT]]
            cols = [f"{c.value.v} AS v{i}, {c.value.e} AS e{i}" for i, c in enumerate(chunk)]
            [rec] = run.engine.rows(f"SELECT {', '.join(cols)} FROM (SELECT 1 AS __one) g"
                                    f"{chunk[0].join_sql(*chunk[1:])}")
            for i, key in enumerate(keys[start:start + self.SOURCES_PER_STATEMENT]):
                out[key] = (rec[f"v{i}"], rec[f"e{i}"])
        return out

    def _compare(self, run: RunContext, items: list[tuple], figures: dict[int, tuple]) -> list[dict]:
        """Every claim against its figure under its qualifier: one statement per qualifier (and
        thousand claims), the operands given as a table of typed values."""
        tol = parse_tolerance(self.p.about)
        about_rel = tol.value / 100 if tol and tol.unit == "%" else 0.1
        rows: list[dict] = [{} for _ in items]
        by_qualifier: dict[str, list[int]] = {}
        for i, (claim, _) in enumerate(items):
            by_qualifier.setdefault(claim.qualifier, []).append(i)
        for qualifier, members in by_qualifier.items():
            cond, cval, ctol = qualifier_condition(qualifier, "k.v", "k.e", "k.c", "k.ce", "k.hi", about_rel)
            for start in range(0, len(members), self.CLAIMS_PER_STATEMENT):
                chunk = members[start:start + self.CLAIMS_PER_STATEMENT]
                values = []
                for i in chunk:
                    claim, compiled = items[i]
                    v, e = figures[id(compiled)]
                    c, ce, hi = claim_operands(claim)
                    values.append(f"({i}, " + ", ".join(f"CAST({sql_literal(x)} AS DOUBLE)"
                                                        for x in (v, e, c, ce, hi)) + ")")
                sql = (f"SELECT k.i AS i, {cond} AS ok, k.v AS v, {cval} AS c, {ctol} AS tol "
                       f"FROM (VALUES {', '.join(values)}) AS k(i, v, e, c, ce, hi)")
                for rec in run.engine.rows(sql):
                    rows[rec["i"]] = rec
        return rows

    def _finding(self, run: RunContext, claim: Claim, compiled, row: dict, by_id: dict, cells: dict):
        x = compiled.value
        shown = claim.shown_unit or x.unit
        conv = (lambda b: None if b is None else run.schema.units.from_base(b, shown))  # noqa: E731
        fv = {"observed": conv(row["c"]), "expected": conv(row["v"]),
              "difference": conv(row["c"] - row["v"]) if row["v"] is not None else None,
              "tolerance": conv(row["tol"]), "unit": shown, "relation": RELATION[claim.qualifier],
              "decimals": max(claim.decimals, x.decimals if shown == x.unit else claim.decimals)}
        source = ", ".join(table_label(run.dataset.tables[t]) for t in sorted(compiled.tables))
        if id(compiled) not in cells:  # the same places for every claim of the same coordinates
            cells[id(compiled)] = (aggregate_locations(run, compiled, None, {}, "table"),
                                   claimed_locations(run, compiled, {}, "claimed", limit=len(run.dataset.claims)))
        read, claimed = cells[id(compiled)]
        coords = (id(compiled), tuple(sorted((k, tuple(v)) for k, v in claim.dims.items())))
        if coords not in cells:  # the claims read that speak of the same coordinates (one more: itself)
            cells[coords] = [loc for loc in claimed if _same_dims(by_id[loc.claim], claim)][:MAX_PARTS + 1]
        locs = [claim_location(claim)] + list(read)
        locs += [loc for loc in cells[coords] if loc.claim != claim.id][:MAX_PARTS]
        values = {"claim": claim.describe_value(), "quote": claim.quote, "locator": claim.locator,
                  "source": source, **focus_text(fv)}
        return self.finding(run, values, locs, fv, subject=claim.id)

    @staticmethod
    def _covered(run: RunContext, compiled) -> bool:
        """Each table must hold every value of each dimension the claim speaks of. A table's values
        of a dimension are read once per run."""
        for table, dim, values in compiled.coverage:
            if not {_key(v) for v in values} <= ClaimKind._values(run, table, dim):
                return False
        return True


def _key(value) -> str:
    """A dimension value as the text it compares by (2018, 2018.0 and '2018' alike)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _same_dims(other: Claim, claim: Claim) -> bool:
    return all(other.dims.get(k) == v for k, v in claim.dims.items() if k in other.dims)
