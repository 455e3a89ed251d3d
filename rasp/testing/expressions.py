"""Drawing s-op and selector expressions that the analyser proves safe.

Each builder writes one kind of operation on operands chosen by type (names in
scope, constants, or smaller expressions); the candidate is analysed, and one
that cannot be proved safe is replaced by a plain name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from rasplab.rasp import ast
from rasplab.rasp.printer import SELECT_OPS
from rasplab.rasp.testing.analyser import Analyser
from rasplab.rasp.testing.values import (
    COMPARISONS,
    Atom,
    SelInfo,
    SOpInfo,
    Unsafe,
    family,
    has_few_values,
    is_any,
    is_arithmetic,
    is_integer,
    is_numeric,
    is_unique,
)


@dataclass
class Scope:
    """Where the generator writes: what the analyser sees, and the names it may read."""

    env: MutableMapping[str, Any]
    names: list[str] = field(default_factory=list)


def literal(value: Atom) -> ast.Expr:
    """The source expression for an atom (a negative number is a negation: the grammar has no
    negative literals)."""
    if isinstance(value, bool):
        return ast.Name(str(value))
    if isinstance(value, str):
        return ast.Str(value)
    if value < 0 or (value == 0 and math.copysign(1.0, value) < 0):
        return ast.UnaryOp("-", ast.Num(-value))
    return ast.Num(value)


def call_expr(name: str, *args: ast.Expr) -> ast.Expr:
    """`name(args...)`."""
    return ast.Call(ast.Name(name), tuple(args))


_TABLE_ATOMS: dict[str, st.SearchStrategy[Atom]] = {
    "int": st.integers(-3, 9),
    "str": st.sampled_from("abcxyz"),
    "bool": st.booleans(),
}


class Expressions:
    """Draws provably safe expressions over the names in `scope`.

    The program generator points `scope` at a function's frame while it writes
    the body, and lists in `functions` the functions defined so far, which
    `_call_again` may call on other s-ops.
    """

    def __init__(
        self, draw: st.DrawFn, analyser: Analyser, globals_: Scope, numerical: bool
    ) -> None:
        self.draw = draw
        self.analyser = analyser
        self.globals = globals_
        self.scope = globals_
        self.functions: list[tuple[str, tuple[str, ...]]] = []
        self.sop_builders: list[Callable[[int], ast.Expr | None]] = [
            self._arith,
            self._compare,
            self._indicator,
            self._logic,
            self._ternary,
            self._mod,
            self._power,
            self._negate,
            self._membership,
            self._round,
            self._lookup,
            self._at,
            self._categorical,
            self._width,
            self._rank,
            self._call_again,
        ]
        if numerical:
            self.sop_builders.append(self._mean)

    # choosing operands

    def _info(self, expr: ast.Expr) -> Any:
        """The analyser's view of a candidate, or None when it is not provably safe."""
        try:
            return self.analyser.eval(expr, self.scope.env)
        except Unsafe:
            return None

    def named(self, want: Callable[[SOpInfo], bool]) -> ast.Name | None:
        """A name in scope whose s-op satisfies `want`, or None when none does."""
        env = self.scope.env
        fits = [n for n in self.scope.names if isinstance(env[n], SOpInfo) and want(env[n])]
        return ast.Name(self.draw(st.sampled_from(fits))) if fits else None

    def _operand(self, depth: int, want: Callable[[SOpInfo], bool]) -> ast.Expr | None:
        """An s-op satisfying `want`: a smaller expression while depth allows, or a name."""
        if depth > 0 and self.draw(st.booleans()):
            expr = self.sop(depth)
            info = self._info(expr)
            if isinstance(info, SOpInfo) and want(info):
                return expr
        return self.named(want)

    def _constant(self, info: SOpInfo) -> ast.Expr:
        """An atom of the same type as the s-op's values, mostly one it can take."""
        if info.values is None:
            assert info.bounds is not None
            lo, hi = info.bounds
            choices: list[Atom] = sorted({lo, hi, round((lo + hi) / 2, 2)})
        elif info.type == "int":
            lo, hi = min(info.values), max(info.values)
            choices = sorted(info.values | {lo - 1, hi + 1})
        else:
            choices = sorted(info.values)
        return literal(self.draw(st.sampled_from(choices)))

    def _partner(self, depth: int, expr: ast.Expr, fits: Callable[[SOpInfo], bool]) -> ast.Expr:
        """A second operand for `expr`: an s-op satisfying `fits`, or a constant like it."""
        if self.draw(st.booleans()):
            other = self._operand(depth, fits)
            if other is not None:
                return other
        return self._constant(self._info(expr))

    def sop(self, depth: int) -> ast.Expr:
        """A provably safe s-op expression: an operation, or a name at depth 0."""
        if depth > 0:
            for _ in range(3):
                expr = self.draw(st.sampled_from(self.sop_builders))(depth - 1)
                if expr is not None and isinstance(self._info(expr), SOpInfo):
                    return expr
        name = self.named(is_any)
        assert name is not None  # the primitives are always in scope
        return name

    def selector(self, depth: int) -> ast.Expr:
        """A provably safe selector expression."""
        if depth > 0:
            for _ in range(3):
                build = self.draw(
                    st.sampled_from(
                        [self._select, self._sel_logic, self._sel_not, self._unique_sel]
                    )
                )
                expr = build(depth - 1)
                if expr is not None and isinstance(self._info(expr), SelInfo):
                    return expr
        env = self.scope.env
        existing = [n for n in self.scope.names if isinstance(env[n], SelInfo)]
        if existing and self.draw(st.booleans()):
            return ast.Name(self.draw(st.sampled_from(existing)))
        return self._select(0)

    # s-op builders: each takes the depth left for its operands, None if it cannot apply

    def _arith(self, depth: int) -> ast.Expr | None:
        left = self._operand(depth, is_arithmetic)
        if left is None:
            return None
        right = self._partner(depth, left, is_arithmetic)
        op = self.draw(st.sampled_from(["+", "-", "*"]))
        return (
            ast.BinOp(op, left, right) if self.draw(st.booleans()) else ast.BinOp(op, right, left)
        )

    def _mod(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, is_integer)
        return value and ast.BinOp("%", value, ast.Num(self.draw(st.integers(2, 4))))

    def _power(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, is_integer)
        return value and ast.BinOp("^", value, ast.Num(self.draw(st.integers(0, 3))))

    def _negate(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, is_arithmetic)
        return value and ast.UnaryOp("-", value)

    def _compare(self, depth: int) -> ast.Expr | None:
        left = self._operand(depth, is_any)
        if left is None:
            return None
        wanted = family(self._info(left))
        right = self._partner(depth, left, lambda i: family(i) == wanted)
        return ast.BinOp(self.draw(st.sampled_from(COMPARISONS)), left, right)

    def _logic(self, depth: int) -> ast.Expr | None:
        left, right = self._operand(depth, is_any), self._operand(depth, is_any)
        op = self.draw(st.sampled_from(["and", "or"]))
        return left and right and ast.BinOp(op, left, right)

    def _ternary(self, depth: int) -> ast.Expr | None:
        cond = self._operand(depth, lambda i: i.type == "bool") or self._compare(depth)
        then = self._operand(depth, is_any)
        if cond is None or then is None:
            return None
        kind = self._info(then).type
        joinable = {kind} if kind in ("str", "bool") else {"int", "float"}
        orelse = self._partner(depth, then, lambda i: i.type in joinable)
        return ast.Ternary(then, cond, orelse)

    def _membership(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, has_few_values)
        if value is None:
            return None
        pool = sorted(self._info(value).values)
        items = self.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        return ast.BinOp("in", value, ast.ListLit(tuple(map(literal, items))))

    def _round(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, is_arithmetic)
        return value and ast.UnaryOp("round", value)

    def _indicator(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, is_any)
        return value and ast.UnaryOp("indicator", value)

    def _lookup(self, depth: int) -> ast.Expr | None:
        """`{key: value, ...}[x]` with a key for every value of x, or `[...][x]`."""
        index = self._operand(depth, has_few_values)
        if index is None:
            return None
        keys = sorted(self._info(index).values)
        atoms = _TABLE_ATOMS[self.draw(st.sampled_from(sorted(_TABLE_ATOMS)))]
        short = self._info(index).type == "int" and min(keys) >= 0 and max(keys) < 8
        as_list = short and self.draw(st.booleans())
        if as_list:
            items = self.draw(st.lists(atoms, min_size=max(keys) + 1, max_size=max(keys) + 1))
            return ast.Index(ast.ListLit(tuple(map(literal, items))), index)
        values = [self.draw(atoms) for _ in keys]
        table = ast.DictLit(tuple(map(literal, keys)), tuple(map(literal, values)))
        return ast.Index(table, index)

    def _at(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, is_any)
        return value and ast.Index(value, literal(self.draw(st.sampled_from([0, -1, 1]))))

    def _categorical(self, depth: int) -> ast.Expr | None:
        """An aggregate whose selector picks at most one key, with a default of the values' type."""
        selector, values = self._unique_sel(depth), self._operand(depth, is_any)
        if values is None or not getattr(self._info(selector), "at_most_one", False):
            return None
        info = self._info(values)
        default = None if info.type == "int" and self.draw(st.booleans()) else self._constant(info)
        return ast.Aggregate(selector, values, default)

    def _mean(self, depth: int) -> ast.Expr | None:
        values = self._operand(depth, is_numeric)
        if values is None:
            return None
        default = self.draw(st.none() | st.integers(-1, 3).map(literal))
        return call_expr("numerical", ast.Aggregate(self.selector(depth), values, default))

    def _width(self, depth: int) -> ast.Expr | None:
        return call_expr("selector_width", self.selector(depth))

    def _rank(self, depth: int) -> ast.Expr | None:
        """The sort idiom: each position's rank by `key`, ties broken by a unique s-op."""
        key, tiebreak = self.named(is_any), self.named(is_unique)
        if key is None or tiebreak is None:
            return None
        order, tie = self.draw(st.sampled_from(["<", ">"])), self.draw(st.sampled_from(["<", ">"]))
        ties = ast.BinOp("and", ast.Select(key, key, "=="), ast.Select(tiebreak, tiebreak, tie))
        return call_expr("selector_width", ast.BinOp("or", ast.Select(key, key, order), ties))

    def _call_again(self, depth: int) -> ast.Expr | None:
        """A defined function on other s-ops (the analyser re-checks its body on them)."""
        if not self.functions or self.scope is not self.globals:
            return None
        fname, params = self.draw(st.sampled_from(self.functions))
        args = [self.named(is_any) for _ in params]
        return None if None in args else call_expr(fname, *args)

    # selector builders

    def _select(self, depth: int) -> ast.Expr:
        keys = self._operand(depth, is_any)
        assert keys is not None  # the primitives are always in scope
        wanted = family(self._info(keys))
        queries = self._partner(depth, keys, lambda i: family(i) == wanted)
        if self.draw(st.booleans()):
            keys, queries = queries, keys
        return ast.Select(keys, queries, self.draw(st.sampled_from(sorted(SELECT_OPS))))

    def _sel_logic(self, depth: int) -> ast.Expr:
        op = self.draw(st.sampled_from(["and", "or"]))
        return ast.BinOp(op, self.selector(depth), self.selector(depth))

    def _sel_not(self, depth: int) -> ast.Expr:
        return ast.UnaryOp("not", self.selector(depth))

    def _unique_sel(self, depth: int) -> ast.Expr | None:
        """`select(u, q, ==)` with u unique, maybe `and` another selector: at most one key."""
        env = self.scope.env
        existing = [
            n for n in self.scope.names if isinstance(env[n], SelInfo) and env[n].at_most_one
        ]
        if existing and self.draw(st.booleans()):
            return ast.Name(self.draw(st.sampled_from(existing)))
        keys = self.named(is_unique)
        assert keys is not None  # indices is always in scope
        queries = self._partner(depth, keys, is_numeric)
        selector: ast.Expr = ast.Select(keys, queries, "==")
        if self.draw(st.integers(0, 3)) == 0:
            selector = ast.BinOp("and", selector, self.selector(depth))
        return selector
