"""RASP source text from an AST: the inverse of `rasp.parser`.

`to_source` prints a module, a statement or an expression so that parsing the
text gives back an equal AST (spans aside). Generated programs, rewritten
hypotheses and error messages stay readable because parentheses appear only
where the grammar's precedence and associativity demand them. An AST that no
text can reproduce (a negative number, a string holding a quote) raises
ValueError rather than printing something that parses differently.
"""

from __future__ import annotations

import math
import re

import numpy as np
from rasplab.rasp import ast
from rasplab.rasp.parser import KEYWORDS

# Binding strength, loosest first; each mirrors a rule of grammar.lark.
(
    IN,
    TERNARY,
    LOGIC,
    COMPARISON,
    ADDITIVE,
    MODULO,
    MULTIPLICATIVE,
    POWER,
    UNARY,
    POSTFIX,
    ATOM,
) = range(11)

BINARY_LEVELS: dict[str, int] = {
    "in": IN,
    "and": LOGIC,
    "or": LOGIC,
    "==": COMPARISON,
    "<": COMPARISON,
    "<=": COMPARISON,
    ">": COMPARISON,
    ">=": COMPARISON,
    "+": ADDITIVE,
    "-": ADDITIVE,
    "%": MODULO,
    "*": MULTIPLICATIVE,
    "/": MULTIPLICATIVE,
    "^": POWER,
}
UNARY_OPS = frozenset(["not", "-", "+", "round", "indicator"])
CALL_OPS = frozenset(["round", "indicator"])
SELECT_OPS = frozenset(["==", "!=", "<", "<=", ">", ">="])
BUILTINS = frozenset(["range", "zip", "len"])
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
INDENT = "    "


def to_source(node: ast.Module | ast.Stmt | ast.Expr) -> str:
    """RASP text for a module (one statement per line), a statement or an expression."""
    if isinstance(node, ast.Module):
        return "".join(line + "\n" for stmt in node.body for line in _stmt_lines(stmt))
    if isinstance(node, ast.Stmt):
        return "\n".join(_stmt_lines(node))
    if isinstance(node, ast.Expr):
        return _expr(node)[0]
    raise TypeError(f"to_source takes an ast.Module, ast.Stmt or ast.Expr, not {node!r}")


# ---- statements ----------------------------------------------------------------------


def _stmt_lines(stmt: ast.Stmt) -> list[str]:
    if isinstance(stmt, ast.ExprStmt):
        return [f"{to_source(stmt.expr)};"]
    if isinstance(stmt, ast.Assign):
        return [f"{_names(stmt.targets)} = {_exprs(stmt.values)};"]
    if isinstance(stmt, ast.Return):
        return [f"return {_exprs(stmt.values)};"]
    if isinstance(stmt, ast.Load):
        return [f"load {_string(stmt.path)};"]
    if isinstance(stmt, ast.FuncDef):
        params = ", ".join(_name(p) for p in stmt.params)
        return _block(f"def {_name(stmt.name)}({params})", stmt.body)
    if isinstance(stmt, ast.For):
        return _block(f"for {_names(stmt.targets)} in {to_source(stmt.iterable)}", stmt.body)
    raise TypeError(f"not a RASP statement: {stmt!r}")


def _block(header: str, body: tuple[ast.Stmt, ...]) -> list[str]:
    inner = [INDENT + line for stmt in body for line in _stmt_lines(stmt)]
    return [header + " {", *inner, "}"]


def _names(names: tuple[str, ...]) -> str:
    if not names:
        raise ValueError("a statement needs at least one target name")
    return ", ".join(_name(n) for n in names)


def _exprs(exprs: tuple[ast.Expr, ...]) -> str:
    if not exprs:
        raise ValueError("a statement needs at least one expression")
    return ", ".join(to_source(e) for e in exprs)


# ---- expressions ---------------------------------------------------------------------


def _wrapped(expr: ast.Expr, level: int) -> str:
    """The expression's text, parenthesised when it binds looser than `level`."""
    text, own = _expr(expr)
    return f"({text})" if own < level else text


def _expr(expr: ast.Expr) -> tuple[str, int]:
    """The text of an expression and the binding level of its outermost operator."""
    if isinstance(expr, ast.BinOp):
        return _binop(expr)
    if isinstance(expr, ast.UnaryOp):
        # `round(e)` and `indicator(e)` are primaries, like a call.
        return _unary(expr), ATOM if expr.op in CALL_OPS else UNARY
    if isinstance(expr, ast.Ternary):
        # The condition sits between keywords, so the grammar takes any expression there.
        text = (
            f"{_wrapped(expr.then, TERNARY)} if {to_source(expr.cond)} "
            f"else {_wrapped(expr.orelse, LOGIC)}"
        )
        return text, TERNARY
    if isinstance(expr, ast.Index):
        return f"{_wrapped(expr.target, POSTFIX)}[{to_source(expr.index)}]", POSTFIX
    if isinstance(expr, ast.Call):
        return f"{_wrapped(expr.func, POSTFIX)}({_args(expr.args)})", POSTFIX
    return _atom(expr), ATOM


def _binop(expr: ast.BinOp) -> tuple[str, int]:
    level = BINARY_LEVELS.get(expr.op)
    if level is None:
        hint = " (RASP has '!=' only inside select)" if expr.op == "!=" else ""
        raise ValueError(f"no binary operator {expr.op!r}{hint}")
    # Every binary level is left-associative: an equal-level right operand needs parens.
    text = f"{_wrapped(expr.left, level)} {expr.op} {_wrapped(expr.right, level + 1)}"
    return text, level


def _unary(expr: ast.UnaryOp) -> str:
    if expr.op not in UNARY_OPS:
        raise ValueError(f"no prefix operator {expr.op!r}")
    if expr.op in CALL_OPS:
        return f"{expr.op}({to_source(expr.operand)})"
    operand = _wrapped(expr.operand, UNARY)
    if expr.op == "not":
        return f"not {operand}"
    # `- -x` rather than `--x`, which reads like a decrement.
    return f"{expr.op} {operand}" if operand[0] in "+-" else f"{expr.op}{operand}"


def _atom(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Num):
        return _number(expr.value)
    if isinstance(expr, ast.Str):
        return _string(expr.value)
    if isinstance(expr, ast.Name):
        return _name(expr.id)
    if isinstance(expr, ast.ListLit):
        return f"[{_args(expr.items)}]"
    if isinstance(expr, ast.DictLit):
        if len(expr.keys) != len(expr.values):
            raise ValueError("a dict literal needs as many keys as values")
        pairs = ", ".join(f"{to_source(k)}: {to_source(v)}" for k, v in zip(expr.keys, expr.values))
        return f"{{{pairs}}}"
    if isinstance(expr, ast.ListComp):
        return f"[{to_source(expr.element)} {_comp_tail(expr.targets, expr.iterable)}]"
    if isinstance(expr, ast.DictComp):
        pair = f"{to_source(expr.key)}: {to_source(expr.value)}"
        return f"{{{pair} {_comp_tail(expr.targets, expr.iterable)}}}"
    if isinstance(expr, ast.Select):
        if expr.op not in SELECT_OPS:
            raise ValueError(f"no select comparison {expr.op!r}")
        return f"select({to_source(expr.keys)}, {to_source(expr.queries)}, {expr.op})"
    if isinstance(expr, ast.Aggregate):
        parts = (expr.selector, expr.sop) + (() if expr.default is None else (expr.default,))
        return f"aggregate({_args(parts)})"
    if isinstance(expr, ast.BuiltinCall):
        if expr.name not in BUILTINS:
            raise ValueError(f"no built-in {expr.name!r}")
        return f"{expr.name}({_args(expr.args)})"
    raise TypeError(f"not a RASP expression: {expr!r}")


def _comp_tail(targets: tuple[str, ...], iterable: ast.Expr) -> str:
    # The closing bracket ends the iterable, so any expression fits there, `in` too.
    return f"for {_names(targets)} in {to_source(iterable)}"


def _args(args: tuple[ast.Expr, ...]) -> str:
    return ", ".join(to_source(a) for a in args)


# ---- tokens --------------------------------------------------------------------------


def _name(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name) or name in KEYWORDS:
        raise ValueError(f"{name!r} cannot be written as a RASP name")
    return name


def _string(value: str) -> str:
    if '"' in value or "\n" in value:
        raise ValueError(f"RASP strings have no escapes, so {value!r} cannot be written")
    return f'"{value}"'


def _number(value: int | float) -> str:
    """Digits only: the grammar has no signs, exponents, inf or nan in literals."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not a RASP number literal")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value} is negative: write it as unary minus on {-value}")
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"{value} has no RASP literal")
    if math.copysign(1.0, value) < 0:
        raise ValueError(f"{value} is negative: write it as unary minus on {-value}")
    return np.format_float_positional(value, unique=True, trim="0")
