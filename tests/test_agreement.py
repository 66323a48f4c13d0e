"""The one definition of "two printed figures agree" (audit/expr/agreement.py), checked against
interval arithmetic, and the kinds that compare figures built from it."""
from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.expr.agreement import OPERATORS, can_relate
from audit.expr.compiler import sql_literal
from audit.kinds.claim import qualifier_condition

values = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
widths = st.floats(min_value=0, max_value=1e6, allow_nan=False)
SLACK = 1e-6  # cases this close to a bound are left out: the 1e-12 allowance decides them


def expected(op: str, a: float, ea: float, b: float, eb: float) -> bool:
    """Interval reading: some x in [a - ea, a + ea] and y in [b - eb, b + eb] stand in relation op
    (for !=, no x and y are equal: the intervals are apart)."""
    lo, hi = (a - ea) - (b + eb), (a + ea) - (b - eb)  # the range of x - y
    return {"==": lo <= 0 <= hi, "!=": lo > 0 or hi < 0, "<": lo < 0, "<=": lo <= 0,
            ">": hi > 0, ">=": hi >= 0}[op]


def near_a_bound(a, ea, b, eb) -> bool:
    lo, hi = (a - ea) - (b + eb), (a + ea) - (b - eb)
    return min(abs(lo), abs(hi)) < SLACK * max(1.0, abs(a), abs(b))


@given(op=st.sampled_from(OPERATORS), a=values, ea=widths, b=values, eb=widths)
@settings(max_examples=400, deadline=None)
def test_can_relate_is_interval_arithmetic(op, a, ea, b, eb):
    if near_a_bound(a, ea, b, eb):
        return
    sql = can_relate(op, sql_literal(a), sql_literal(b), f"({sql_literal(ea)} + {sql_literal(eb)})")
    [(got,)] = duckdb.connect().execute(f"SELECT {sql}").fetchall()
    assert got == expected(op, a, ea, b, eb), (op, a, ea, b, eb)


def test_a_missing_figure_is_undecided():
    con = duckdb.connect()
    for op in OPERATORS:
        assert con.execute(f"SELECT {can_relate(op, 'NULL::DOUBLE', '1', '0')}").fetchone() == (None,)


@pytest.mark.parametrize("qualifier,op", [("exact", "=="), ("more_than", ">"), ("at_least", ">="),
                                          ("up_to", "<="), ("less_than", "<")])
def test_claim_qualifiers_are_the_same_relations(qualifier, op):
    """A claim 'more than c' holds when the table's figure can exceed c: the same test as the rule
    language's `>`, not a second copy of it."""
    cond, _, _ = qualifier_condition(qualifier, "k.v", "k.e", "k.c", "k.ce", "k.hi", 0.1)
    tol = "(k.e + k.ce)" if qualifier == "exact" else "k.e"
    assert cond == can_relate(op, "k.v", "k.c", tol)
