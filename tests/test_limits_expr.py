"""Rule expressions are bounded before anything walks them: at most 10,000 characters, 32 levels of
nesting and 5 products or quotients inside each other. Past a limit, the rule file gets an error at
file:line:col with the text underlined (exit 2), never a RecursionError; at the limits, check, lint
and explain run."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.expr.ast import MAX_DEPTH, MAX_LENGTH, MAX_PRODUCTS, Expr, ExprSyntaxError, parse

from .limits_support import GiB, refused, run_cli  # noqa: F401

RULE = "    assert: cha_count > 0 implies cha_area > 0\n"


def with_assert(pack, text: str):
    path = pack / "counts-and-areas.yaml"
    source = path.read_text()
    assert RULE in source
    path.write_text(source.replace(RULE, f"    assert: {text}\n", 1))
    return path, source[:source.index(RULE)].count("\n") + 1


def underlined(err: str, column: int, text: str) -> bool:
    """Whether the excerpt under the message is the rule's line `assert: <text>` (cut to a window
    around the caret, `…` where cut) with the caret under the character at `column` of `text`."""
    from audit.errors import _window

    lines = err.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "^")
    excerpt, caret = lines[at - 1][4:], lines[at].index("^") - 4
    source = "    assert: " + text
    index = len("    assert: ") + column - 1
    window, expected = _window(source, index)
    return (excerpt, caret) == (window, expected) and window[expected] == source[index]


def test_a_thousand_nested_nots_are_an_error_at_the_first_level_past_the_limit(dataset, pack):
    text = "not " * 1000 + "cha_count >= 0"
    path, line = with_assert(pack, text)
    err = refused(run_cli("check", str(dataset), "--rules", str(pack)))
    column = 4 * MAX_DEPTH + 1  # the 33rd not
    assert f"{path}:{line}:{len('    assert: ') + column}: assert: the expression nests 1,002 levels deep, " \
           f"more than the {MAX_DEPTH} an expression may nest" in err
    assert underlined(err, column, text)


def test_a_sum_of_a_thousand_terms_is_an_error_at_the_operator_past_the_limit(dataset, pack):
    text = " + ".join(["a"] * 1000) + " >= 0"  # 4,000 characters: within the length limit
    path, line = with_assert(pack, text)
    err = refused(run_cli("check", str(dataset), "--rules", str(pack)))
    # the sum nests to the left: the comparison is level 1, the last + level 2, the j-th + level 1001 - j
    j = 1001 - (MAX_DEPTH + 1)
    column = (j - 1) * len("a + ") + len("a ") + 1
    assert f"{path}:{line}:{len('    assert: ') + column}: assert: the expression nests 1,001 levels deep" in err
    assert underlined(err, column, text)


def test_products_nested_past_the_limit_are_an_error(dataset, pack):
    text = " * ".join(["cha_count"] * (MAX_PRODUCTS + 2)) + " >= 0"
    path, line = with_assert(pack, text)
    err = refused(run_cli("check", str(dataset), "--rules", str(pack)))
    assert f"{path}:{line}:{len('    assert: cha_count ') + 1}: assert: the expression nests {MAX_PRODUCTS + 1} " \
           f"products or quotients inside each other, more than the {MAX_PRODUCTS}" in err


def test_an_expression_longer_than_the_limit_is_an_error_where_it_passes_it(dataset, pack):
    text = "cha_count >= 0" + " or cha_count >= 0" * (MAX_LENGTH // 18)
    path, line = with_assert(pack, text)
    err = refused(run_cli("check", str(dataset), "--rules", str(pack)))
    assert f"{path}:{line}:{len('    assert: ') + MAX_LENGTH + 1}: assert: the expression is {len(text):,} " \
           f"characters long, more than the {MAX_LENGTH:,} an expression may be" in err


@pytest.mark.parametrize("text", [
    "not " * 1000 + "a > 0",
    " + ".join(["a"] * 1000) + " > 0",
    " - ".join(["a"] * 1000) + " > 0",
    "-" * 1000 + "a > 0",
    "abs(" * 1000 + "a" + ")" * 1000 + " > 0",
    "coalesce(" * 600 + "a" + ", 0)" * 600 + " > 0",
    " and ".join(["a > 0"] * 1000),
    " implies ".join(["a > 0"] * 700),
    "sum(t.a where " * 500 + "a > 0" + ")" * 500 + " > 0",
])
def test_deep_expressions_are_syntax_errors_not_recursion_errors(text):
    assert len(text) <= MAX_LENGTH
    with pytest.raises(ExprSyntaxError, match="levels deep"):
        parse(text)


def test_parentheses_alone_do_not_nest():
    assert parse("(" * 1000 + "a" + ")" * 1000 + " > 0").op == ">"


# -- at the limits, every command runs -------------------------------------------------------------
AT_THE_LIMIT = {
    "nots": "not " * (MAX_DEPTH - 2) + "cha_count >= 0",
    "sum": " + ".join(["cha_count"] * (MAX_DEPTH - 1)) + " >= 0",
    "abs": "abs(" * (MAX_DEPTH - 2) + "cha_count" + ")" * (MAX_DEPTH - 2) + " >= 0",
    "and": " and ".join(["cha_count >= 0"] * (MAX_DEPTH - 1)),
    "implies": " implies ".join(["cha_count >= 0"] * (MAX_DEPTH - 1)),
    "neg": "-" * (MAX_DEPTH - 2) + "cha_count <= 1000000",
    "coalesce": "coalesce(" * (MAX_DEPTH - 2) + "cha_count" + ", 0)" * (MAX_DEPTH - 2) + " >= 0",
    "products": " * ".join(["cha_count"] * (MAX_PRODUCTS + 1)) + " >= 0",
    "quotients": "cha_count / (" * MAX_PRODUCTS + "cha_count" + ")" * MAX_PRODUCTS + " >= 0",
}


def test_rules_at_the_limits_run_in_check_lint_and_explain(dataset, pack):
    """Each product nested doubles the compiled uncertainty (each factor appears twice in it): 10
    nested quotients took 150 s to check, 48 nested products ran the machine out of memory while
    compiling; 5 cost no more than any rule."""
    rules = ["rules:"]
    for name, text in AT_THE_LIMIT.items():
        parse(text)
        rules += [f"  - id: limit-{name}", f"    title: at the limit, {name}", "    kind: row_check",
                  "    table: contamination_by_type", f'    assert: "{text}"', '    message: "{label}"']
    aggregate = "sum(contamination_by_type.cha_count where type = 'anti-personnel')"
    rules += ["  - id: limit-compare", "    title: a deep sum of aggregates that fails", "    kind: compare",
              f'    left: "{" + ".join([aggregate] * (MAX_DEPTH - 3))}"',
              '    right: "sum(contamination_by_region.cha_count) + 1"', '    message: "{observed} {expected}"']
    (pack / "at-the-limits.yaml").write_text("\n".join(rules) + "\n")
    for command in (["check", str(dataset), "--rules", str(pack)], ["lint", str(pack), "--dataset", str(dataset)],
                    ["explain", str(dataset), "--rules", str(pack)]):
        out = run_cli(*command, timeout=120, memory=3 * GiB)
        assert out.returncode in (0, 1), out.stderr[-3000:]
        assert "Traceback" not in out.stderr
    out = run_cli("check", str(dataset), "--rules", str(pack), "--format", "json", timeout=120, memory=3 * GiB)
    status = {r["id"]: r["status"] for r in json.loads(out.stdout)["rules"]}
    assert all(status[f"limit-{name}"] in ("passed", "failed") for name in [*AT_THE_LIMIT, "compare"]), status


# -- the limits, on random trees -------------------------------------------------------------------
def unary(inner):
    return st.tuples(st.sampled_from(["not", "neg", "abs"]), inner)


def binary(inner):
    return st.tuples(st.sampled_from(["+", "-", "*", "/", "==", "<", "and", "or", "implies", "coalesce"]), inner, inner)


trees = st.recursive(st.sampled_from([("a",), ("1",)]), lambda inner: st.one_of(unary(inner), binary(inner)),
                     max_leaves=40)


@st.composite
def deep_trees(draw):
    """A random tree inside a random number of random operators, to reach past the limits."""
    tree = draw(trees)
    for _ in range(draw(st.integers(0, MAX_DEPTH + 8))):
        op = draw(st.sampled_from(["not", "neg", "abs", "*", "/", "+", "and", "coalesce"]))
        if op in ("not", "neg", "abs"):
            tree = (op, tree)
        else:
            tree = (op, tree, ("a",)) if draw(st.booleans()) else (op, ("1",), tree)
    return tree


def render(tree) -> str:
    op, *args = tree
    if not args:
        return op
    parts = [f"({render(a)})" for a in args]
    if op == "coalesce":
        return f"coalesce({parts[0]}, {parts[1]})"
    if len(args) == 1:
        return {"not": "not ", "neg": "-", "abs": "abs"}[op] + parts[0]
    return f"{parts[0]} {op} {parts[1]}"


def measure(tree) -> tuple[int, int]:
    """Levels and nested products of a tree, as the limits count them."""
    op, *args = tree
    if not args:
        return 1, 0
    inner = [measure(a) for a in args]
    return 1 + max(d for d, _ in inner), max(p for _, p in inner) + (op in ("*", "/"))


def ast_depth(expr: Expr) -> int:
    children = [v for f in expr.__dataclass_fields__ for v in (getattr(expr, f) if isinstance(getattr(expr, f), tuple)
                                                               else (getattr(expr, f),)) if isinstance(v, Expr)]
    return 1 + max((ast_depth(c) for c in children), default=0)


@settings(max_examples=300, deadline=None)
@given(tree=deep_trees())
def test_an_expression_parses_exactly_when_it_is_within_the_limits(tree):
    text = render(tree)
    depth, products = measure(tree)
    within = depth <= MAX_DEPTH and products <= MAX_PRODUCTS and len(text) <= MAX_LENGTH
    try:
        expr = parse(text)
    except ExprSyntaxError as exc:
        assert not within, exc.message
        assert "levels deep" in exc.message or "products or quotients" in exc.message or "characters" in exc.message
        return
    assert within
    assert ast_depth(expr) == depth  # the documented count is the depth of the tree the compiler walks
