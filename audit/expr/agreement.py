"""When two printed figures agree: the one definition, as SQL.

A printed figure stands for an interval: its value v and a half-width e (printed precision, in
the base unit of its dimension). Two figures a and b *can meet* when their intervals overlap:
|a - b| <= ea + eb, plus any tolerance a rule adds. The other relations are read the same way:
a can be below b when a - b < ea + eb, at most b when a - b <= ea + eb, and so on. A relative
allowance of 1e-12 * max(1, |a|, |b|) absorbs floating-point noise: it widens the tests that
include their bound and narrows the strict ones, so that 0 > 0 stays false.

Every kind that compares figures (the rule language's comparisons, printed totals, claims
against tables) builds its condition here; the kinds differ only in which figures they compare.
"""
from __future__ import annotations

EPSILON = "1e-12"
OPERATORS = ("==", "!=", "<", "<=", ">", ">=")


def allowance(left: str, right: str) -> str:
    """The floating-point allowance for comparing the SQL values `left` and `right`."""
    return f"({EPSILON} * greatest(1, abs({left}), abs({right})))"


def can_relate(op: str, left: str, right: str, tol: str) -> str:
    """SQL: whether the figure `left` can stand in relation `op` to the figure `right`, given the
    sum `tol` of their half-widths (and any tolerance). All operands are SQL of numbers in one base
    unit; a missing operand gives NULL (undecided)."""
    eps = allowance(left, right)
    diff = f"({left} - {right})"
    return {
        "==": f"(abs({diff}) <= {tol} + {eps})",
        "!=": f"(abs({diff}) > {tol} + {eps})",
        "<": f"({diff} < {tol} - {eps})",
        "<=": f"({diff} <= {tol} + {eps})",
        ">": f"({diff} > -({tol}) + {eps})",
        ">=": f"({diff} >= -({tol}) - {eps})",
    }[op]


def can_meet(a_lo: float, a_hi: float, b_lo: float, b_hi: float) -> bool:
    """Whether two figures given as intervals can stand for the same quantity: the same test as
    `can_relate('==', ...)` (|a - b| <= ea + eb), written on the intervals' ends, which also holds
    for open-ended figures of the text ("more than 70,000": 70,000 to infinity)."""
    eps = 1e-12 * max(1.0, *(abs(x) for x in (a_lo, a_hi, b_lo, b_hi) if x not in (float("inf"), float("-inf"))))
    return a_lo <= b_hi + eps and b_lo <= a_hi + eps


def can_meet_sql(a: str, b: str) -> str:
    """SQL of `can_meet` for two relations `a` and `b` with columns lo and hi (NULL: undecided)."""
    finite = (f"greatest(1, {' , '.join(f'CASE WHEN isinf({x}) THEN 0 ELSE abs({x}) END' for x in (f'{a}.lo', f'{a}.hi', f'{b}.lo', f'{b}.hi'))})")
    eps = f"({EPSILON} * {finite})"
    return f"({a}.lo <= {b}.hi + {eps} AND {b}.lo <= {a}.hi + {eps})"
