"""Kind `claim`: figures stated in the narrative agree with the tables.

A dataset's claims each say what they measure (a name from the pack's `measures.yaml`), for
which year, region or type, with a qualifier. This kind takes the claims of one measure and
checks each against every source listed in `against` (numeric expressions over the tables),
computed for the claim's year, region and type. A source whose tables cannot be narrowed to
what the claim speaks of, or do not cover all of it, is not used for that claim.

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

from dataclasses import dataclass

from .. import units
from ..dataset import Claim
from ..expr.compiler import CompileError, Context, NotApplicable, compile_number, ident, sql_literal
from .base import (Kind, RunContext, aggregate_locations, claim_location, claimed_locations, focus_text, param, parse_tolerance,
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


def qualifier_condition(claim: Claim, v: str, e: str, about_rel: float) -> tuple[str, str, str]:
    """SQL condition for a claim against a table figure (value v, uncertainty e, base units).

    Returns the condition, the claim's value (or bound) and the tolerance, all SQL."""
    f = claim.factor
    if claim.qualifier == "between":
        low, high = sql_literal(claim.low * f), sql_literal(claim.high * f)
        return f"({v} + {e} >= {low} AND {v} - {e} <= {high})", low, e
    c = sql_literal(claim.value * f)
    ce = sql_literal(claim_uncertainty(claim))
    eps = f"1e-12 * greatest(1, abs({v}))"
    if claim.qualifier in ("exact", "about"):
        tol = f"({e} + {ce}" + (f" + {sql_literal(about_rel)} * abs({c}))" if claim.qualifier == "about" else ")")
        return f"(abs({v} - {c}) <= {tol} + {eps})", c, tol
    bound = {"more_than": f"({v} + {e} > {c})", "at_least": f"({v} + {e} >= {c} - {eps})",
             "up_to": f"({v} - {e} <= {c} + {eps})", "less_than": f"({v} - {e} < {c})"}[claim.qualifier]
    return bound, c, e


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

    def evaluate(self, run: RunContext, result) -> None:
        tol = parse_tolerance(self.p.about)
        about_rel = tol.value / 100 if tol and tol.unit == "%" else 0.1
        claims = [c for c in run.dataset.claims if c.measure == self.p.measure]
        if not claims:
            raise NotApplicable(f"the dataset makes no claim of measure '{self.p.measure}'")
        for claim in claims:
            sources = []
            for expr in self.rule.expressions["against"]:
                try:
                    compiled = compile_number(expr, run.schema, Context(filters=dict(claim.dims)))
                except NotApplicable:
                    continue
                if self._covered(run, compiled):
                    sources.append(compiled)
            if not sources:
                self.tally(result, None)  # no table speaks of what the claim does: undecided
                continue
            cited = [c for c in sources if claim.table in c.tables]
            for compiled in cited or sources:
                x = compiled.value
                cond, cval, ctol = qualifier_condition(claim, x.v, x.e, about_rel)
                row = run.engine.rows(f"SELECT {cond} AS ok, {x.v} AS v, {cval} AS c, {ctol} AS tol")[0]
                self.tally(result, row["ok"])
                if row["ok"] is not False:
                    continue
                unit = claim.unit if claim.unit and claim.unit != "count" else x.unit
                shown = unit if unit != "count" else None
                conv = (lambda b: None if b is None else units.from_base(b, shown))  # noqa: E731
                fv = {"observed": conv(row["c"]), "expected": conv(row["v"]),
                      "difference": conv(row["c"] - row["v"]) if row["v"] is not None else None,
                      "tolerance": conv(row["tol"]), "unit": shown, "relation": RELATION[claim.qualifier],
                      "decimals": max(claim.decimals, x.decimals if shown == x.unit else claim.decimals)}
                source = ", ".join(table_label(run.dataset.tables[t]) for t in sorted(compiled.tables))
                locs = [claim_location(claim)] + aggregate_locations(run, compiled, None, {}, "table")
                locs += [loc for loc in claimed_locations(run, compiled, {}, "claimed")
                         if loc.claim != claim.id and _same_dims(run, loc.claim, claim)]
                values = {"claim": claim.describe_value(), "quote": claim.quote, "locator": claim.locator,
                          "source": source, **focus_text(fv)}
                result.findings.append(self.finding(run, values, locs, fv, subject=claim.id))

    @staticmethod
    def _covered(run: RunContext, compiled) -> bool:
        """Each table must hold every year (region, type) the claim speaks of."""
        for table, dim, values in compiled.coverage:
            sql = (f"SELECT count(DISTINCT {ident(dim)}) AS n FROM {ident(table)} "
                   f"WHERE NOT __total AND {ident(dim)} IN ({', '.join(sql_literal(v) for v in values)})")
            if run.engine.rows(sql)[0]["n"] < len(set(values)):
                return False
        return True


def _same_dims(run: RunContext, claim_id: str, claim: Claim) -> bool:
    other = next(c for c in run.dataset.claims if c.id == claim_id)
    return all(other.dims.get(k) == v for k, v in claim.dims.items() if k in other.dims)
