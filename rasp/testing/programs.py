"""Random well-formed RASP programs: the `programs()` strategy and what it guarantees.

A program is written one statement at a time; the analyser checks each
statement on every input at once, and only statements it proves safe, within
the node budget, are kept.
"""

from __future__ import annotations

import itertools
from collections import ChainMap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from rasplab.rasp import ast
from rasplab.rasp.printer import to_source
from rasplab.rasp.testing.analyser import Analyser
from rasplab.rasp.testing.expressions import Expressions, Scope, call_expr, literal
from rasplab.rasp.testing.values import (
    COMPARISONS,
    Atom,
    FuncInfo,
    SelInfo,
    SOpInfo,
    Unsafe,
    has_few_values,
    is_integer,
)


@dataclass(frozen=True)
class GeneratedProgram:
    """A random well-formed RASP program and the domain its guarantees hold on.

    For every input of 1 to `max_len` tokens from `vocab`:

    1. `Session().exec(source)` succeeds, binds `output` to an s-op, and
       evaluating it (alone or in batches) raises no error;
    2. every s-op's values are of one type: all ints, all bools, all strings,
       or numbers (ints mixed with floats: a `numerical(...)` mean and
       arithmetic on it); `numeric` is true when the output is such a number,
       so compare it within a tolerance (round and comparisons give exact
       ints and bools again);
    3. every categorical aggregate (any aggregate not wrapped in `numerical`)
       selects at most one key per query: its selector is `select(u, q, ==)`,
       possibly `and`-ed with another selector, where `u` holds distinct values
       at all positions: `indices`, a rank
       `selector_width(select(k, k, <) or (select(k, k, ==) and select(u, u, <)))`
       (either `<` may be `>`), or such an s-op moved by an injective map
       (`u + c`, `u - c`, `c - u`, `u * c` for an int c != 0, `-u`); its
       default has the values' type;
    4. every mean is `numerical(aggregate(sel, values[, default]))` over int or
       float values, never bools or strings;
    5. there is no division; `%` only by a constant 2..4; `^` only by 0..3;
       every lookup (`{...}[x]`, `[...][x]`) has an entry for every value `x`
       can take; no number exceeds 10**6 in size, and every s-op that is not
       numeric takes at most `VALUE_CAP` distinct values;
    6. replacing any s-op node's values by that node's values on another input
       of the same length (an interchange intervention) still evaluates without
       error. Selector nodes carry no such promise: a rank's selects must agree.

    The program reads `tokens_int` (an int vocab) or `tokens_str` (a string
    vocab), `indices` and `length`, and defines `v1, v2, ...` (s-ops),
    `s1, ...` (selectors), `f1, ...` (functions, each called where defined and
    maybe later) and `k1, ...` (loop variables).
    """

    source: str
    output: str
    vocab: tuple[Atom, ...]
    max_len: int
    numeric: bool


def inputs(vocab: Sequence[Atom], max_len: int, min_len: int = 1) -> st.SearchStrategy[list[Atom]]:
    """Token lists over `vocab` of `min_len` to `max_len` tokens."""
    if min_len < 1 or max_len < min_len:
        raise ValueError("inputs need 1 <= min_len <= max_len")
    return st.lists(st.sampled_from(tuple(vocab)), min_size=min_len, max_size=max_len)


vocabs = st.one_of(
    st.lists(st.integers(-2, 9), min_size=1, max_size=5, unique=True),
    st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5, unique=True),
).map(lambda tokens: tuple(sorted(tokens)))


def programs(
    vocab: Sequence[Atom] | None = None,
    max_len: int = 5,
    max_nodes: int = 12,
    numerical: bool = True,
) -> st.SearchStrategy[GeneratedProgram]:
    """Well-formed RASP programs over `vocab` (drawn when None) and inputs up to `max_len`.

    `max_nodes` bounds the graph nodes the program builds (an unrolled loop or
    a called function counts each time); `numerical=False` leaves out means.
    See `GeneratedProgram` for what every drawn program guarantees.
    """
    if max_len < 1 or max_nodes < 1:
        raise ValueError("programs need max_len >= 1 and max_nodes >= 1")
    if vocab is None:
        return vocabs.flatmap(lambda drawn: programs(drawn, max_len, max_nodes, numerical))
    fixed = tuple(sorted(set(vocab)))
    if not fixed or not (
        all(type(t) is int for t in fixed)
        or all(isinstance(t, str) and '"' not in t and "\n" not in t for t in fixed)
    ):
        raise ValueError("a vocab is non-empty, all ints or all strings without '\"' or newlines")

    @st.composite
    def draw_program(draw: st.DrawFn) -> GeneratedProgram:
        return _Generator(draw, fixed, max_len, max_nodes, numerical).program()

    return draw_program()


class _Generator:
    """Draws statements one at a time and keeps those the analyser proves safe and
    that fit the node budget; `Expressions` writes the expressions inside them."""

    def __init__(
        self,
        draw: st.DrawFn,
        vocab: tuple[Atom, ...],
        max_len: int,
        max_nodes: int,
        numerical: bool,
    ) -> None:
        self.draw = draw
        self.vocab = vocab
        self.max_len = max_len
        self.max_nodes = max_nodes
        self.analyser = Analyser(vocab, max_len)
        self.primitives = [n for n, v in self.analyser.primitives.items() if isinstance(v, SOpInfo)]
        self.globals = Scope(dict(self.analyser.primitives), list(self.primitives))
        self.exprs = Expressions(draw, self.analyser, self.globals, numerical)
        self.counter = itertools.count(1)

    def program(self) -> GeneratedProgram:
        target = self.draw(st.integers(1, self.max_nodes))
        used, output = 0, None
        statements: list[ast.Stmt] = []
        kinds = [self._sop_statement] * 4 + [
            self._selector_statement,
            self._function_statement,
            self._loop_statement,
        ]
        for _ in range(4 * self.max_nodes):
            if used >= target:
                break
            kind = self.draw(st.sampled_from(kinds)) if output else self._sop_statement
            new, name = kind()
            cost = self._commit(new, self.max_nodes - used)
            if cost is None:
                continue
            statements += new
            used += cost
            output = name or output
        if output is None:  # nothing fitted: the smallest program there is
            new, output = (
                [ast.Assign(("v1",), (ast.BinOp("+", ast.Name("indices"), ast.Num(1)),))],
                "v1",
            )
            self._commit(new, self.max_nodes)
            statements = new
        info = self.globals.env[output]
        source = to_source(ast.Module(tuple(statements)))
        return GeneratedProgram(source, output, self.vocab, self.max_len, info.type == "float")

    def _commit(self, statements: list[ast.Stmt], budget: int) -> int | None:
        """Run new statements in the analyser; keep them if safe and within budget."""
        layer: dict[str, Any] = {}
        self.analyser.nodes = 0
        try:
            for stmt in statements:
                self.analyser.exec(stmt, ChainMap(layer, self.globals.env))
        except Unsafe:
            return None
        if self.analyser.nodes > budget:
            return None
        self.globals.env.update(layer)
        for name, value in layer.items():
            if isinstance(value, (SOpInfo, SelInfo)) and name not in self.globals.names:
                self.globals.names.append(name)
            if isinstance(value, FuncInfo):
                self.exprs.functions.append((name, value.params))
        return self.analyser.nodes

    def _fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    # statements: each returns the new statements and the s-op name they define

    def _sop_statement(self) -> tuple[list[ast.Stmt], str | None]:
        name = self._fresh("v")
        expr = self.exprs.sop(self.draw(st.integers(1, 2)))
        return [ast.Assign((name,), (expr,))], name

    def _selector_statement(self) -> tuple[list[ast.Stmt], str | None]:
        name = self._fresh("s")
        return [ast.Assign((name,), (self.exprs.selector(1),))], None

    def _function_statement(self) -> tuple[list[ast.Stmt], str | None]:
        """`def f(x, ...) { [t = ...;] return ...; }` written for, then called on, some s-ops."""
        candidates = [n for n in self.globals.names if isinstance(self.globals.env[n], SOpInfo)]
        args = self.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
        fname, params = self._fresh("f"), tuple(self._fresh("x") for _ in args)
        frame = {p: self.globals.env[a] for p, a in zip(params, args)}
        self.exprs.scope = Scope(ChainMap(frame, self.globals.env), [*self.primitives, *params])
        body: list[ast.Stmt] = []
        try:
            if self.draw(st.booleans()):
                local = self._fresh("t")
                body.append(ast.Assign((local,), (self.exprs.sop(1),)))
                self.analyser.exec(body[-1], self.exprs.scope.env)
                self.exprs.scope.names.append(local)
            body.append(ast.Return((self.exprs.sop(2),)))
        finally:
            self.exprs.scope = self.globals
        result = self._fresh("v")
        invoke = call_expr(fname, *(ast.Name(a) for a in args))
        return [ast.FuncDef(fname, params, tuple(body)), ast.Assign((result,), (invoke,))], result

    def _loop_statement(self) -> tuple[list[ast.Stmt], str | None]:
        """`v = u; for k in [...] { v = v + indicator(x op k); }`: counts matches."""
        seq = self.exprs.named(lambda i: i.type in ("int", "str") and has_few_values(i))
        start = self.exprs.named(is_integer)
        if seq is None or start is None:
            return [], None
        info = self.globals.env[seq.id]
        items = self.draw(
            st.lists(st.sampled_from(sorted(info.values)), min_size=1, max_size=3, unique=True)
        )
        acc, var = self._fresh("v"), self._fresh("k")
        test = ast.BinOp(self.draw(st.sampled_from(COMPARISONS)), seq, ast.Name(var))
        update = ast.BinOp("+", ast.Name(acc), ast.UnaryOp("indicator", test))
        loop = ast.For(
            (var,), ast.ListLit(tuple(map(literal, items))), (ast.Assign((acc,), (update,)),)
        )
        return [ast.Assign((acc,), (start,)), loop], acc
