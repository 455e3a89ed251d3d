"""The abstract interpreter that proves a generated statement safe before it is kept.

It runs the subset of RASP that the generator writes on the abstract values of
`values`, so every candidate statement is checked on all inputs at once.
"""

from __future__ import annotations

import math
import operator
from collections import ChainMap
from collections.abc import Callable, MutableMapping
from dataclasses import replace
from typing import Any

from rasplab.rasp import ast
from rasplab.rasp.testing.values import (
    COMPARISONS,
    Atom,
    BuiltinFn,
    FuncInfo,
    SelInfo,
    SOpInfo,
    Unsafe,
    family,
    finite,
    floating,
    is_atom,
    join,
    truths,
)


class _Return(Exception):
    """Carries a function's return value out of the statements of its body."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _interval(op: str, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    if op == "+":
        return a[0] + b[0], a[1] + b[1]
    if op == "-":
        return a[0] - b[1], a[1] - b[0]
    products = [x * y for x in a for y in b]
    return min(products), max(products)


def _is_rank(form: tuple[Any, ...]) -> bool:
    """`select(k, k, <) or (select(k, k, ==) and select(u, u, <))` with u unique (either
    `<` may be `>`): a strict total order, so its widths are a permutation of 0..n-1."""
    match form:
        case (
            "or",
            ("select", k1, k2, op1),
            ("and", ("select", k3, k4, "=="), ("select", u1, u2, op2)),
        ):
            same_key = k1 is k2 and k2 is k3 and k3 is k4
            return same_key and u1 is u2 and u1.unique and {op1, op2} <= {"<", ">"}
    return False


_PY_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "%": operator.mod,
    "^": operator.pow,
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "and": lambda x, y: x and y,
    "or": lambda x, y: x or y,
}
_PY_UNARY: dict[str, Callable[[Any], Any]] = {
    "-": operator.neg,
    "+": operator.pos,
    "round": round,
    "not": operator.not_,
    "indicator": lambda x: 1 if x else 0,
}


class Analyser:
    """Runs the subset of RASP that the generator writes on abstract values.

    Atoms, lists and dicts are concrete Python values; s-ops are `SOpInfo`,
    selectors `SelInfo`. A function call runs the body on its arguments and a
    loop runs its body once per item, so both are checked as they are used.
    Anything it cannot prove safe raises `Unsafe`. `nodes` counts the graph
    nodes the interpreter would build, to keep programs within a size.
    """

    def __init__(self, vocab: tuple[Atom, ...], max_len: int) -> None:
        self.max_len = max_len
        self.nodes = 0
        tokens = "tokens_str" if isinstance(vocab[0], str) else "tokens_int"
        self.primitives: dict[str, Any] = {
            tokens: finite(vocab),
            "indices": finite(range(max_len), unique=True),
            "length": finite(range(1, max_len + 1)),
            "True": True,
            "False": False,
            "selector_width": BuiltinFn("selector_width"),
            "numerical": BuiltinFn("numerical"),
        }

    # statements

    def exec(self, stmt: ast.Stmt, env: MutableMapping[str, Any]) -> None:
        if isinstance(stmt, ast.Assign):
            values = [self.eval(v, env) for v in stmt.values]
            if len(values) != len(stmt.targets):
                raise Unsafe("unpacking")
            env.update(zip(stmt.targets, values))
        elif isinstance(stmt, ast.FuncDef):
            env[stmt.name] = FuncInfo(stmt.params, stmt.body, env)
        elif isinstance(stmt, ast.Return):
            values = [self.eval(v, env) for v in stmt.values]
            raise _Return(values[0] if len(values) == 1 else values)
        elif isinstance(stmt, ast.For):
            items = self.eval(stmt.iterable, env)
            if not isinstance(items, list) or len(stmt.targets) != 1:
                raise Unsafe("loops run over a list, with one name")
            for item in items:
                env[stmt.targets[0]] = item
                for inner in stmt.body:
                    self.exec(inner, env)
        else:
            raise Unsafe(f"no analysis for {type(stmt).__name__}")

    def call(self, fn: FuncInfo, args: list[Any]) -> Any:
        if len(args) != len(fn.params):
            raise Unsafe("wrong argument count")
        frame: MutableMapping[str, Any] = ChainMap(dict(zip(fn.params, args)), fn.closure)
        try:
            for stmt in fn.body:
                self.exec(stmt, frame)
        except _Return as done:
            return done.value
        raise Unsafe("function without return")

    # expressions

    def eval(self, expr: ast.Expr, env: MutableMapping[str, Any]) -> Any:
        method = getattr(self, "_" + type(expr).__name__, None)
        if method is None:
            raise Unsafe(f"no analysis for {type(expr).__name__}")
        return method(expr, env)

    def _Num(self, expr: ast.Num, env: MutableMapping[str, Any]) -> Any:
        return expr.value

    def _Str(self, expr: ast.Str, env: MutableMapping[str, Any]) -> Any:
        return expr.value

    def _Name(self, expr: ast.Name, env: MutableMapping[str, Any]) -> Any:
        if expr.id not in env:
            raise Unsafe(f"unknown name {expr.id}")
        return env[expr.id]

    def _ListLit(self, expr: ast.ListLit, env: MutableMapping[str, Any]) -> Any:
        items = [self.eval(item, env) for item in expr.items]
        if not all(is_atom(item) for item in items):
            raise Unsafe("lists hold atoms")
        return items

    def _DictLit(self, expr: ast.DictLit, env: MutableMapping[str, Any]) -> Any:
        keys = [self.eval(k, env) for k in expr.keys]
        values = [self.eval(v, env) for v in expr.values]
        if not all(is_atom(x) for x in keys + values):
            raise Unsafe("dicts map atoms to atoms")
        return dict(zip(keys, values))

    def _UnaryOp(self, expr: ast.UnaryOp, env: MutableMapping[str, Any]) -> Any:
        value = self.eval(expr.operand, env)
        if isinstance(value, SelInfo) and expr.op == "not":
            self.nodes += 1
            return SelInfo(False, ("not", value.form))
        if isinstance(value, SOpInfo):
            self.nodes += 1
            return self._unary_map(expr.op, value)
        if is_atom(value):
            return _PY_UNARY[expr.op](value)
        raise Unsafe(f"{expr.op} of {value!r}")

    def _unary_map(self, op: str, value: SOpInfo) -> SOpInfo:
        if op in ("not", "indicator"):
            return finite(_PY_UNARY[op](t) for t in truths(value))
        if value.type == "str":
            raise Unsafe(f"{op} of strings")
        if value.values is None:
            assert value.bounds is not None
            lo, hi = value.bounds
            if op == "round":  # float error far below 0.5 cannot leave this range
                return finite(range(math.floor(lo), math.ceil(hi) + 1))
            return floating(-hi, -lo) if op == "-" else floating(lo, hi)
        return finite((_PY_UNARY[op](v) for v in value.values), unique=value.unique)

    def _BinOp(self, expr: ast.BinOp, env: MutableMapping[str, Any]) -> Any:
        left, right = self.eval(expr.left, env), self.eval(expr.right, env)
        if expr.op == "in":
            if isinstance(left, SOpInfo) and isinstance(right, list) and left.values is not None:
                self.nodes += 1
                return finite(v in right for v in left.values)
            raise Unsafe("'in' is generated only as an s-op in a list")
        if isinstance(left, SelInfo) and isinstance(right, SelInfo) and expr.op in ("and", "or"):
            self.nodes += 1
            at_most_one = expr.op == "and" and (left.at_most_one or right.at_most_one)
            return SelInfo(at_most_one, (expr.op, left.form, right.form))
        if isinstance(left, SOpInfo) or isinstance(right, SOpInfo):
            self.nodes += 1
            return self._binary_map(expr.op, left, right)
        if is_atom(left) and is_atom(right) and expr.op in _PY_BINARY:
            return _PY_BINARY[expr.op](left, right)
        raise Unsafe(f"{expr.op} of {left!r} and {right!r}")

    def _binary_map(self, op: str, left: Any, right: Any) -> SOpInfo:
        a, b = self._as_sop(left), self._as_sop(right)
        if op in ("and", "or"):
            return finite(_PY_BINARY[op](x, y) for x in truths(a) for y in truths(b))
        if op in COMPARISONS:
            if family(a) != family(b):
                raise Unsafe("comparing strings with numbers")
            if a.values is None or b.values is None:
                return finite([True, False])
            return finite(_PY_BINARY[op](x, y) for x in a.values for y in b.values)
        if op not in ("+", "-", "*", "%", "^") or "str" in (a.type, b.type):
            raise Unsafe(f"no safe {op} here")
        if a.values is None or b.values is None:
            if op not in ("+", "-", "*"):
                raise Unsafe(f"{op} of floats")
            assert a.bounds is not None and b.bounds is not None
            return floating(*_interval(op, a.bounds, b.bounds))
        if op == "%" and 0 in b.values:
            raise Unsafe("modulo by zero")
        if op == "^" and not b.values <= {0, 1, 2, 3}:
            raise Unsafe("large or negative powers")
        values = (_PY_BINARY[op](x, y) for x in a.values for y in b.values)
        return finite(values, unique=_injective(op, left, right))

    def _as_sop(self, value: Any) -> SOpInfo:
        if isinstance(value, SOpInfo):
            return value
        if is_atom(value):
            return finite([value])
        raise Unsafe(f"{value!r} is not an s-op or an atom")

    def _lifted(self, value: Any) -> SOpInfo:
        """An operand of select or aggregate: an atom becomes a constant node."""
        if not isinstance(value, SOpInfo):
            self.nodes += 1
        return self._as_sop(value)

    def _Ternary(self, expr: ast.Ternary, env: MutableMapping[str, Any]) -> Any:
        cond = self.eval(expr.cond, env)
        if not isinstance(cond, SOpInfo):
            if not is_atom(cond):
                raise Unsafe("conditions are s-ops or atoms")
            return self.eval(expr.then if cond else expr.orelse, env)
        then, orelse = self.eval(expr.then, env), self.eval(expr.orelse, env)
        self.nodes += 1
        return join(self._as_sop(then), self._as_sop(orelse))

    def _Index(self, expr: ast.Index, env: MutableMapping[str, Any]) -> Any:
        target, index = self.eval(expr.target, env), self.eval(expr.index, env)
        self.nodes += 1
        if isinstance(target, SOpInfo) and type(index) is int:
            lengths = range(1, self.max_len + 1)
            past_end = any(not -n <= index < n for n in lengths)
            copied = replace(target, unique=False)
            return join(copied, finite([0])) if past_end else copied
        if isinstance(target, (list, dict)) and isinstance(index, SOpInfo):
            if index.values is None:
                raise Unsafe("looking up floats")
            try:
                return finite(target[v] for v in index.values)
            except (KeyError, IndexError, TypeError):
                raise Unsafe("a lookup may miss") from None
        raise Unsafe("indexing is generated only as a lookup or an s-op at a position")

    def _Call(self, expr: ast.Call, env: MutableMapping[str, Any]) -> Any:
        fn = self.eval(expr.func, env)
        args = [self.eval(a, env) for a in expr.args]
        if isinstance(fn, FuncInfo):
            return self.call(fn, args)
        if fn == BuiltinFn("numerical") and len(args) == 1 and isinstance(args[0], SOpInfo):
            # Encoded as one number, so compiled outputs match only within a tolerance.
            if args[0].bounds is None or args[0].type == "bool":
                raise Unsafe("numerical marks numbers")
            return floating(*args[0].bounds)
        if fn == BuiltinFn("selector_width") and len(args) == 1 and isinstance(args[0], SelInfo):
            self.nodes += 1
            if _is_rank(args[0].form):
                return finite(range(self.max_len), unique=True)
            return finite(range(self.max_len + 1))
        raise Unsafe(f"cannot call {fn!r} on {args!r}")

    def _Select(self, expr: ast.Select, env: MutableMapping[str, Any]) -> Any:
        keys = self._lifted(self.eval(expr.keys, env))
        queries = self._lifted(self.eval(expr.queries, env))
        if family(keys) != family(queries):
            raise Unsafe("comparing strings with numbers")
        self.nodes += 1
        return SelInfo(expr.op == "==" and keys.unique, ("select", keys, queries, expr.op))

    def _Aggregate(self, expr: ast.Aggregate, env: MutableMapping[str, Any]) -> Any:
        selector = self.eval(expr.selector, env)
        if not isinstance(selector, SelInfo):
            raise Unsafe("aggregate needs a selector")
        values = self._lifted(self.eval(expr.sop, env))
        default = 0 if expr.default is None else self.eval(expr.default, env)
        fill = self._as_sop(default)
        self.nodes += 1
        if selector.at_most_one:  # the value itself, or the default
            return join(replace(values, unique=False), fill)
        if values.type not in ("int", "float") or fill.type not in ("int", "float"):
            raise Unsafe("a mean needs numbers")
        assert values.bounds is not None and fill.bounds is not None
        return floating(
            min(values.bounds[0], fill.bounds[0]), max(values.bounds[1], fill.bounds[1])
        )


def _injective(op: str, left: Any, right: Any) -> bool:
    """Whether `left op right` keeps a unique int s-op unique (an int atom on one side)."""
    for sop, atom in ((left, right), (right, left)):
        if isinstance(sop, SOpInfo) and sop.unique and sop.type == "int" and type(atom) is int:
            return op in ("+", "-") or (op == "*" and atom != 0)
    return False
