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
