"""The expression tree of the rule language, and its parser.

`parse(text)` turns an expression such as `cha_count == 0 implies cha_area == 0` into a tree of
frozen dataclasses. Nothing in an expression is ever evaluated as Python: the tree is compiled to
SQL by `audit.expr.compiler`. Syntax errors carry the line and column inside the expression.

An expression is at most `MAX_LENGTH` characters long, nests at most `MAX_DEPTH` levels
(operators, function calls and aggregates inside each other: `not not x` nests 3, a sum of n terms
n) and at most `MAX_PRODUCTS` products or quotients inside each other (the compiled uncertainty of
a product holds each factor twice, so it doubles with every product nested), checked on lark's
parse tree before anything walks it recursively. The bundled rules are at most 135 characters
long, nest at most 5 levels and 1 product or quotient.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

MAX_LENGTH = 10_000
MAX_DEPTH = 32
MAX_PRODUCTS = 5


@dataclass(frozen=True)
class Expr:
    line: int = field(default=1, compare=False, kw_only=True)
    column: int = field(default=1, compare=False, kw_only=True)


@dataclass(frozen=True)
class Num(Expr):
    value: float
    text: str
    unit: str | None = None


@dataclass(frozen=True)
class Str(Expr):
    value: str


@dataclass(frozen=True)
class Bool(Expr):
    value: bool


@dataclass(frozen=True)
class Ref(Expr):
    table: str | None
    name: str


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Tolerance(Expr):
    value: float
    unit: str | None  # None: absolute in the compared unit; "%": relative


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr
    tolerance: Tolerance | None = None


@dataclass(frozen=True)
class Logic(Expr):
    op: str  # and, or, implies
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True)
class Missing(Expr):
    operand: Expr
    negate: bool = False


@dataclass(frozen=True)
class InList(Expr):
    operand: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Aggregate(Expr):
    func: str  # sum, mean, min, max
    operand: Expr
    where: Expr | None = None


@dataclass(frozen=True)
class Count(Expr):
    table: str
    where: Expr | None = None


@dataclass(frozen=True)
class Total(Expr):
    ref: Ref


@dataclass(frozen=True)
class Claimed(Expr):
    measure: str


@dataclass(frozen=True)
class Func(Expr):
    name: str  # abs, coalesce
    args: tuple[Expr, ...]


class ExprSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _name(tok) -> str:
    text = str(tok)
    return text[1:-1] if text.startswith("`") else text


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark, Transformer, v_args

    def pos(meta_or_tok):
        return {"line": getattr(meta_or_tok, "line", 1) or 1, "column": getattr(meta_or_tok, "column", 1) or 1}

    @v_args(meta=True)
    class Build(Transformer):
        def number(self, meta, items):
            tok = items[0]
            unit = str(items[1]) if len(items) > 1 else None
            return Num(float(tok), str(tok), unit, **pos(tok))

        def string(self, meta, items):
            return Str(str(items[0])[1:-1], **pos(items[0]))

        def true(self, meta, items):
            return Bool(True, **pos(meta))

        def false(self, meta, items):
            return Bool(False, **pos(meta))

        def ref(self, meta, items):
            if len(items) == 2:
                return Ref(_name(items[0]), _name(items[1]), **pos(items[0]))
            return Ref(None, _name(items[0]), **pos(items[0]))

        def neg(self, meta, items):
            return Neg(items[0], **pos(meta))

        def arith(self, meta, items):
            return Arith(str(items[1]), items[0], items[2], **pos(items[1]))

        def tolerance(self, meta, items):
            return Tolerance(float(items[0]), str(items[1]) if len(items) > 1 else None, **pos(meta))

        def compare(self, meta, items):
            op = "==" if str(items[1]) == "=" else str(items[1])
            tol = items[3] if len(items) > 3 else None
            return Compare(op, items[0], items[2], tol, **pos(items[1]))

        def implies(self, meta, items):
            return Logic("implies", items[0], items[1], **pos(meta))

        def or_(self, meta, items):
            return Logic("or", items[0], items[1], **pos(meta))

        def and_(self, meta, items):
            return Logic("and", items[0], items[1], **pos(meta))

        def not_(self, meta, items):
            return Not(items[0], **pos(meta))

        def is_missing(self, meta, items):
            return Missing(items[0], False, **pos(meta))

        def is_present(self, meta, items):
            return Missing(items[0], True, **pos(meta))

        def in_list(self, meta, items):
            return InList(items[0], tuple(items[1:]), **pos(meta))

        def where(self, meta, items):
            return items[0]

        def aggregate(self, meta, items):
            return Aggregate(str(items[0]), items[1], items[2] if len(items) > 2 else None, **pos(items[0]))

        def count(self, meta, items):
            return Count(_name(items[1]), items[2] if len(items) > 2 else None, **pos(items[0]))

        def total(self, meta, items):
            return Total(items[1], **pos(items[0]))

        def claimed(self, meta, items):
            return Claimed(str(items[1])[1:-1], **pos(items[0]))

        def func(self, meta, items):
            return Func(str(items[0]), tuple(items[1:]), **pos(items[0]))

    grammar = (Path(__file__).parent / "grammar.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True, cache=_cache_file(grammar)), Build()


def _cache_file(grammar: str) -> str | bool:
    """Where the built parser is kept between runs (building the LALR tables takes a fifth of a
    second; loading them, a few milliseconds): a file in the user's cache directory
    ($XDG_CACHE_HOME/audit, else ~/.cache/audit), not lark's default of a file in the shared temporary
    directory, since the cache is a pickle and another user could leave one there to be loaded.
    lark checks the file against a digest of the grammar, its options and its version, and builds the
    parser again (and tries to save it) when it does not match or cannot be read. Where nothing can be
    written (a read-only home, a sandbox), the parser is built on every start as before: False. So is
    it when the cache's name is taken by anything but a regular file (a named pipe, a link, a folder)."""
    import hashlib
    import os
    import stat
    import sys

    from ..inputs import private_cache_dir

    folder = private_cache_dir()
    if folder is None:
        return False
    digest = hashlib.sha256(grammar.encode()).hexdigest()[:16]
    cache = folder / f"grammar-{digest}-py{sys.version_info[0]}{sys.version_info[1]}.lark"
    try:
        mode = os.lstat(cache).st_mode
    except FileNotFoundError:
        return str(cache)
    except OSError:
        return False
    # lark opens the cache to read it, then to write it: a named pipe there would block both forever
    return str(cache) if stat.S_ISREG(mode) else False


def parse(text: str) -> Expr:
    """Parse an expression; raise `ExprSyntaxError` with line and column on bad syntax."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    if len(text) > MAX_LENGTH:
        line = text.count("\n", 0, MAX_LENGTH) + 1
        raise ExprSyntaxError(f"the expression is {len(text):,} characters long, more than the {MAX_LENGTH:,} "
                              "an expression may be", line, MAX_LENGTH - text.rfind("\n", 0, MAX_LENGTH))
    parser, build = _parser()
    try:
        tree = parser.parse(text)
    except UnexpectedToken as exc:
        got = "the end of the expression" if exc.token.type == "$END" else f"'{exc.token}'"
        expected = sorted(_describe(t) for t in exc.expected)[:8]
        raise ExprSyntaxError(f"unexpected {got}; expected {', '.join(expected)}",
                              exc.line if exc.line > 0 else 1, exc.column if exc.column > 0 else len(text) + 1) from None
    except UnexpectedCharacters as exc:
        raise ExprSyntaxError(f"unexpected character '{text[exc.pos_in_stream]}'", exc.line, exc.column) from None
    except UnexpectedEOF:
        raise ExprSyntaxError("the expression ends too early", 1, len(text) + 1) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise ExprSyntaxError(str(exc).splitlines()[0], getattr(exc, "line", 1), getattr(exc, "column", 1)) from None
    _check_depth(tree)
    return build.transform(tree)


def _check_depth(tree) -> None:
    """Refuse a parse tree that nests more than MAX_DEPTH levels, or more than MAX_PRODUCTS products
    and quotients inside each other, at the first node past the limit. The tree is walked without
    recursion: lark's Transformer, the compiler and every walk of the tree recurse."""
    from lark import Token, Tree

    deepest = most = 0
    first = first_product = None
    stack = [(tree, 1, 0)]
    while stack:
        node, depth, products = stack.pop()
        op = next((c for c in node.children if isinstance(c, Token) and c.type in ("ADD", "MUL", "CMP")), None)
        products += op is not None and op.type == "MUL"
        deepest, most = max(deepest, depth), max(most, products)
        if depth == MAX_DEPTH + 1 and first is None:
            first = op or node.meta
        if products == MAX_PRODUCTS + 1 and first_product is None:
            first_product = op
        stack.extend((child, depth + 1, products) for child in reversed(node.children) if isinstance(child, Tree))
    if first is not None:
        raise ExprSyntaxError(f"the expression nests {deepest:,} levels deep, more than the {MAX_DEPTH} an "
                              "expression may nest", getattr(first, "line", 1) or 1, getattr(first, "column", 1) or 1)
    if first_product is not None:
        raise ExprSyntaxError(f"the expression nests {most:,} products or quotients inside each other, more than "
                              f"the {MAX_PRODUCTS} an expression may nest", first_product.line, first_product.column)


_TOKEN_TEXT = {"CMP": "a comparison", "ADD": "+ or -", "MUL": "* or /", "NAME": "a column",
               "NUMBER": "a number", "STRING": "a 'text'", "UNIT": "a unit", "LPAR": "(", "RPAR": ")",
               "AGG": "sum(...)", "FUNC": "a function", "COMMA": ",", "DOT": "."}


def _describe(token_type: str) -> str:
    if token_type in _TOKEN_TEXT:
        return _TOKEN_TEXT[token_type]
    return token_type.lower().lstrip("_")


def substitute(expr: Expr, name: str, replacement: str) -> Expr:
    """Replace a placeholder column name (e.g. `$column`) everywhere in a tree."""
    if isinstance(expr, Ref):
        return replace(expr, name=replacement) if expr.name == name else expr
    changes = {}
    for f in expr.__dataclass_fields__:
        v = getattr(expr, f)
        if isinstance(v, Expr):
            changes[f] = substitute(v, name, replacement)
        elif isinstance(v, tuple) and v and isinstance(v[0], Expr):
            changes[f] = tuple(substitute(x, name, replacement) for x in v)
    return replace(expr, **changes) if changes else expr


def walk(expr: Expr):
    """Every node of a tree, depth first."""
    yield expr
    for f in expr.__dataclass_fields__:
        v = getattr(expr, f)
        if isinstance(v, Expr):
            yield from walk(v)
        elif isinstance(v, tuple):
            for x in v:
                if isinstance(x, Expr):
                    yield from walk(x)
