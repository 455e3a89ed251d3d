"""Arbitrary syntactically valid RASP ASTs, for round-trip tests of the printer and parser.

The trees are rarely meaningful programs: names come from `identifiers`, and
any expression may stand where the grammar allows one. Spans are left unset.
"""

from __future__ import annotations

from hypothesis import strategies as st
from rasplab.rasp import ast
from rasplab.rasp.printer import BINARY_LEVELS, BUILTINS, KEYWORDS, SELECT_OPS, UNARY_OPS

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True).filter(
    lambda name: name not in KEYWORDS
)
_name_tuples = st.lists(identifiers, min_size=1, max_size=3).map(tuple)
_strings = st.text(st.characters(exclude_characters='"\n', exclude_categories=["Cs"]), max_size=6)
_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**20),
    st.floats(min_value=0.0, allow_nan=False, allow_infinity=False).map(abs),
)


def ast_exprs(max_leaves: int = 12) -> st.SearchStrategy[ast.Expr]:
    """Any expression the grammar can produce (without spans)."""
    leaves = st.one_of(
        st.builds(ast.Name, identifiers), st.builds(ast.Num, _numbers), st.builds(ast.Str, _strings)
    )
    return st.recursive(leaves, _compound_exprs, max_leaves=max_leaves)


def _compound_exprs(inner: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    # Deferred for its short repr: Hypothesis prints strategies when a test fails, and
    # each recursion level would otherwise repeat the previous one's repr 25 times.
    children = st.deferred(lambda: inner)
    several = st.lists(children, max_size=3).map(tuple)
    pairs = st.lists(st.tuples(children, children), max_size=3)
    return st.one_of(
        st.builds(ast.UnaryOp, st.sampled_from(sorted(UNARY_OPS)), children),
        st.builds(ast.BinOp, st.sampled_from(sorted(BINARY_LEVELS)), children, children),
        st.builds(ast.Ternary, children, children, children),
        st.builds(ast.Index, children, children),
        st.builds(ast.Call, children, several),
        st.builds(ast.BuiltinCall, st.sampled_from(sorted(BUILTINS)), several),
        st.builds(ast.Select, children, children, st.sampled_from(sorted(SELECT_OPS))),
        st.builds(ast.Aggregate, children, children, st.none() | children),
        st.builds(ast.ListLit, several),
        pairs.map(lambda ps: ast.DictLit(tuple(k for k, _ in ps), tuple(v for _, v in ps))),
        st.builds(ast.ListComp, children, _name_tuples, children),
        st.builds(ast.DictComp, children, children, _name_tuples, children),
    )


def ast_statements(depth: int = 2, max_leaves: int = 6) -> st.SearchStrategy[ast.Stmt]:
    """Any statement, with `def` and `for` bodies nested up to `depth` deep."""
    exprs = ast_exprs(max_leaves)
    expr_tuples = st.lists(exprs, min_size=1, max_size=3).map(tuple)
    simple = st.one_of(
        st.builds(ast.ExprStmt, exprs),
        st.builds(ast.Assign, _name_tuples, expr_tuples),
        st.builds(ast.Return, expr_tuples),
        st.builds(ast.Load, _strings),
    )
    if depth == 0:
        return simple
    body = st.lists(ast_statements(depth - 1, max_leaves), max_size=3).map(tuple)
    params = st.lists(identifiers, max_size=3).map(tuple)
    return st.one_of(
        simple,
        st.builds(ast.FuncDef, identifiers, params, body),
        st.builds(ast.For, _name_tuples, exprs, body),
    )


def ast_modules(max_statements: int = 5, depth: int = 2) -> st.SearchStrategy[ast.Module]:
    """Any module: a list of statements."""
    statements = st.lists(ast_statements(depth), max_size=max_statements)
    return statements.map(lambda body: ast.Module(tuple(body)))
