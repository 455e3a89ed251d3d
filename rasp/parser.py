"""Source text to AST, with Lark; every syntax error becomes a located RaspError."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from lark import Lark, Token, Transformer_NonRecursive, Tree, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from rasplab.rasp import ast
from rasplab.rasp.call_hints import explain, open_call, tokens_before
from rasplab.rasp.errors import RaspError, Span

KEYWORDS = frozenset(
    {"def", "return", "for", "in", "load", "if", "else", "and", "or", "not"}
    | {"round", "indicator", "select", "aggregate", "range", "zip", "len"}
)
"""Words the grammar spells as literals (grammar.lark; the NAME terminal excludes them):
the lexer never reads them as names, so no name can be one."""


@cache
def _lark() -> Lark:
    grammar = resources.files("rasplab.rasp").joinpath("grammar.lark").read_text()
    return Lark(
        grammar,
        parser="lalr",
        # The contextual lexer splits a name at a keyword the parser expects next
        # (`select(indices indices, ...)` read as `indices in dices`); the NAME
        # terminal already excludes the keywords, so the plain lexer is exact.
        lexer="basic",
        start=["start", "expr_only"],
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse(source: str, file: str = "<input>") -> ast.Module:
    """Parse a whole program (statements)."""
    return _to_ast(_parse_tree(source, file, "start"), source, file)


def parse_expr(source: str, file: str = "<input>") -> ast.Expr:
    """Parse one expression, as typed at the REPL or given with `--expr`."""
    return _to_ast(_parse_tree(source, file, "expr_only"), source, file)


def _to_ast(tree: Tree, source: str, file: str):
    try:
        return _ToAst(source, file).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, RaspError):
            raise err.orig_exc from None
        raise


def _parse_tree(source: str, file: str, start: str) -> Tree:
    try:
        return _lark().parse(source, start=start)
    except UnexpectedInput as err:
        raise _syntax_error(err, source, file) from None


def _describe_terminal(name: str) -> str:
    friendly = {"NAME": "a name", "INT": "a number", "FLOAT": "a number", "STRING": "a string"}
    if name in friendly:
        return friendly[name]
    if name == "$END":
        return "end of input"
    try:
        pattern = _lark().get_terminal(name).pattern
    except KeyError:
        return name
    return f"'{pattern.value}'" if pattern.type == "str" else name


def _expected(names: set[str] | frozenset[str] | None) -> str:
    """`expected ',', ')' or an operator`: operators that would merely continue the
    expression so far are summed up, so the token that was missing stands out."""
    if not names:
        return ""
    if {"NAME", "INT"} <= set(names):
        return "expected an expression"
    described = {_describe_terminal(n) for n in names}
    operators = described & _OPERATORS
    described = sorted(described - _OPERATORS) if described - operators else sorted(described)
    if len(described) > 8:
        described = [*described[:8], "..."]
    if operators and len(described) < len(operators | set(described)):
        return "expected " + ", ".join(described) + " or an operator"
    return "expected " + ", ".join(described)


_OPERATORS = frozenset(
    f"'{op}'"
    for op in ["in", "if", "and", "or", "+", "-", "*", "/", "%", "^", "==", "<", "<=", ">", ">="]
)


def _syntax_error(err: UnexpectedInput, source: str, file: str) -> RaspError:
    if isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        line, col = _end_of_code(source)
        span = Span(file, line, col, line, col + 1, source)
        expected = err.expected if isinstance(err, UnexpectedEOF) else err.accepts or err.expected
        hint = _expected(expected)
        if ";" in hint:
            hint += " (statements end with ';')"
        return RaspError("unexpected end of input", span, hint or None)
    line, col = max(1, err.line), max(1, err.column)
    if isinstance(err, UnexpectedToken):
        width = max(1, len(str(err.token)))
        span = Span(file, line, col, line, col + width, source)
        expected = err.accepts or err.expected
        call = open_call(tokens_before(_lark(), source, err.pos_in_stream))
        in_call = explain(str(err.token), set(expected), call)
        if in_call is not None:
            return RaspError(in_call.message, span, in_call.hint)
        hint = _expected(expected)
        if str(err.token) == "!=":
            hint = "'!=' exists only as a select comparison; write not (a == b)"
        return RaspError(f"unexpected {str(err.token)!r}", span, hint or None)
    if isinstance(err, UnexpectedCharacters):
        char = source[err.pos_in_stream] if err.pos_in_stream < len(source) else "?"
        span = Span(file, line, col, line, col + 1, source)
        hint = "strings use double quotes" if char == "'" else _expected(err.allowed)
        return RaspError(f"unexpected character {char!r}", span, hint or None)
    span = Span(file, line, col, line, col + 1, source)
    return RaspError("syntax error", span)


def _end_of_code(source: str) -> tuple[int, int]:
    """Line and column just after the last code character (comments and blank lines
    at the end are skipped), where a missing ';' or '}' belongs."""
    lines = source.split("\n")
    for number in range(len(lines), 0, -1):
        code = _COMMENT.sub("", lines[number - 1]).rstrip()
        if code.strip():
            return number, len(code) + 1
    return 1, 1


_COMMENT = re.compile(r'#[^"\n]*$|#(?=(?:[^"]*"[^"]*")*[^"]*$).*$')


def _op(tree: Tree | Token) -> str:
    token = tree.children[0] if isinstance(tree, Tree) else tree
    return str(token)


@v_args(meta=True)
class _ToAst(Transformer_NonRecursive):
    """Lark parse tree to `rasp.ast`, attaching a span to every node."""

    def __init__(self, source: str, file: str) -> None:
        super().__init__()
        self.source = source
        self.file = file

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column, self.source)

    # statements
    def start(self, meta, stmts):
        return ast.Module(tuple(stmts), span=self._span(meta))

    def expr_only(self, meta, children):
        return children[0]

    def expr_stmt(self, meta, children):
        return ast.ExprStmt(children[0], span=self._span(meta))

    def assign(self, meta, children):
        targets, values = children
        return ast.Assign(targets, values, span=self._span(meta))

    def funcdef(self, meta, children):
        name, params, *body = children
        return ast.FuncDef(str(name), params or (), tuple(body), span=self._span(meta))

    def return_stmt(self, meta, children):
        return ast.Return(children[0], span=self._span(meta))

    def for_stmt(self, meta, children):
        targets, iterable, *body = children
        return ast.For(targets, iterable, tuple(body), span=self._span(meta))

    def load_stmt(self, meta, children):
        return ast.Load(str(children[0])[1:-1], span=self._span(meta))

    def targets(self, meta, children):
        return tuple(str(c) for c in children)

    names = targets

    def exprlist(self, meta, children):
        return tuple(children)

    # expressions
    def in_op(self, meta, children):
        return ast.BinOp("in", children[0], children[1], span=self._span(meta))

    def ternary(self, meta, children):
        then, cond, orelse = children
        return ast.Ternary(then, cond, orelse, span=self._span(meta))

    def binop(self, meta, children):
        left, op, right = children
        return ast.BinOp(_op(op), left, right, span=self._span(meta))

    def unop(self, meta, children):
        op, operand = children
        return ast.UnaryOp(_op(op), operand, span=self._span(meta))

    def index(self, meta, children):
        return ast.Index(children[0], children[1], span=self._span(meta))

    def call(self, meta, children):
        func, args = children
        return ast.Call(func, args or (), span=self._span(meta))

    def int_lit(self, meta, children):
        text = str(children[0])
        if len(text) > 4000:
            raise RaspError(f"a number of {len(text):,} digits is too long", self._span(meta))
        return ast.Num(int(text), span=self._span(meta))

    def float_lit(self, meta, children):
        return ast.Num(float(children[0]), span=self._span(meta))

    def str_lit(self, meta, children):
        return ast.Str(str(children[0])[1:-1], span=self._span(meta))

    def name(self, meta, children):
        return ast.Name(str(children[0]), span=self._span(meta))

    def list_lit(self, meta, children):
        return ast.ListLit(children[0] or (), span=self._span(meta))

    def dict_lit(self, meta, children):
        pairs = [c for c in children if c is not None]
        keys = tuple(k for k, _ in pairs)
        values = tuple(v for _, v in pairs)
        return ast.DictLit(keys, values, span=self._span(meta))

    def pair(self, meta, children):
        return (children[0], children[1])

    def list_comp(self, meta, children):
        element, targets, iterable = children
        return ast.ListComp(element, targets, iterable, span=self._span(meta))

    def dict_comp(self, meta, children):
        key, value, targets, iterable = children
        return ast.DictComp(key, value, targets, iterable, span=self._span(meta))

    def select(self, meta, children):
        keys, queries, op = children
        return ast.Select(keys, queries, _op(op), span=self._span(meta))

    def aggregate(self, meta, children):
        sel, sop, default = children
        return ast.Aggregate(sel, sop, default, span=self._span(meta))

    def builtin_call(self, meta, children):
        name, args = children
        return ast.BuiltinCall(_op(name), args or (), span=self._span(meta))
