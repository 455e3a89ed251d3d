"""Hypothesis strategies for RASP, for this project's tests and for users' own.

Two families, for two kinds of test:

* syntax: `ast_exprs()`, `ast_statements()` and `ast_modules()` draw arbitrary
  syntactically valid ASTs (rarely meaningful; names from `identifiers`), for
  round-trip tests of the printer and the parser;
* programs: `programs()` draws `GeneratedProgram`s, well-formed RASP source
  that evaluates without error on every input over a vocabulary up to a
  length, for the interpreter's properties and the compiler's differential
  tests; `inputs()` draws inputs to run them on, `vocabs` small vocabularies.

Programs are safe by construction: a small abstract interpreter follows every
s-op's possible values (a finite set, or bounds for floats) and which s-ops
hold distinct values at every position, and the generator keeps only
statements it proves safe. `GeneratedProgram` lists the guarantees.

Importing this module imports Hypothesis, which only the tests depend on.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections import ChainMap
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st
from rasplab.rasp import ast
from rasplab.rasp.printer import BINARY_LEVELS, BUILTINS, KEYWORDS, SELECT_OPS, UNARY_OPS, to_source

Atom = int | float | str | bool

# ---- syntax: arbitrary ASTs ----------------------------------------------------------

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


# ---- the abstract values of a generated program -------------------------------------

VALUE_CAP = 64  # the most distinct values any categorical s-op may take
MAGNITUDE_CAP = 10**6  # every number stays within +-this, far inside int64 and float precision


class _Unsafe(Exception):
    """The analysis cannot prove that a construct evaluates on every input."""


@dataclass(frozen=True, eq=False)
class _SOpInfo:
    """What an s-op can hold at any position of any input.

    `type` is "int", "bool", "str" or "float" (numbers that may be floats: ints
    mixed with floats); `values` is every possible value (None for "float",
    which keeps only `bounds`); `unique` says the positions of every input hold
    distinct values, which makes `select(this, q, ==)` pick at most one key.
    Identity matters: the rank idiom needs both selects to read the same s-op.
    """

    type: str
    values: frozenset[Atom] | None
    bounds: tuple[float, float] | None
    unique: bool = False


@dataclass(frozen=True, eq=False)
class _SelInfo:
    """A selector: whether each query selects at most one key, and its structure
    (nested tuples of op names and the s-ops read), to recognise a rank."""

    at_most_one: bool
    form: tuple[Any, ...]


@dataclass(frozen=True, eq=False)
class _FuncInfo:
    params: tuple[str, ...]
    body: tuple[ast.Stmt, ...]
    closure: MutableMapping[str, Any]


@dataclass(frozen=True)
class _BuiltinFn:
    name: str


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _kind(values: list[Atom]) -> str:
    """The type of a sequence holding these values, refusing mixes the REPL treats specially."""
    kinds = {type(v) for v in values}
    if kinds in ({bool}, {str}, {int}):
        return next(iter(kinds)).__name__
    if kinds <= {int, float}:
        return "float"
    raise _Unsafe(f"mixed values {values!r}")


def _family(info: _SOpInfo) -> str:
    return "str" if info.type == "str" else "number"


def _floating(lo: float, hi: float) -> _SOpInfo:
    if not (abs(lo) <= MAGNITUDE_CAP and abs(hi) <= MAGNITUDE_CAP):
        raise _Unsafe("numbers grow too large")
    return _SOpInfo("float", None, (lo, hi))


def _finite(values: Iterable[Atom], unique: bool = False) -> _SOpInfo:
    listed = list(values)
    if not listed or any(not _is_atom(v) for v in listed):
        raise _Unsafe("not a sequence of atoms")
    kind = _kind(listed)
    if kind == "float":
        return _floating(min(listed), max(listed))
    distinct = frozenset(listed)
    if len(distinct) > VALUE_CAP:
        raise _Unsafe("too many distinct values")
    if kind == "str":
        return _SOpInfo(kind, distinct, None)
    lo, hi = min(distinct), max(distinct)
    if max(abs(lo), abs(hi)) > MAGNITUDE_CAP:
        raise _Unsafe("numbers grow too large")
    return _SOpInfo(kind, distinct, (lo, hi), unique)


def _is_atom(value: Any) -> bool:
    return type(value) in (int, float, str, bool)


def _truths(info: _SOpInfo) -> set[bool]:
    return {True, False} if info.values is None else {bool(v) for v in info.values}


def _join(a: _SOpInfo, b: _SOpInfo) -> _SOpInfo:
    """The values of a sequence whose positions come from either s-op."""
    if a.values is not None and b.values is not None:
        if a.type != b.type and {a.type, b.type} != {"int", "float"}:
            raise _Unsafe(f"{a.type} mixed with {b.type}")
        return _finite(itertools.chain(a.values, b.values))
    if {a.type, b.type} <= {"int", "float"}:
        assert a.bounds is not None and b.bounds is not None
        return _floating(min(a.bounds[0], b.bounds[0]), max(a.bounds[1], b.bounds[1]))
    raise _Unsafe(f"{a.type} mixed with {b.type}")


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
_COMPARISONS = ("==", "<", "<=", ">", ">=")


class _Analyzer:
    """Runs the subset of RASP that the generator writes on abstract values.

    Atoms, lists and dicts are concrete Python values; s-ops are `_SOpInfo`,
    selectors `_SelInfo`. A function call runs the body on its arguments and a
    loop runs its body once per item, so both are checked as they are used.
    Anything it cannot prove safe raises `_Unsafe`. `nodes` counts the graph
    nodes the interpreter would build, to keep programs within a size.
    """

    def __init__(self, vocab: tuple[Atom, ...], max_len: int) -> None:
        self.max_len = max_len
        self.nodes = 0
        tokens = "tokens_str" if isinstance(vocab[0], str) else "tokens_int"
        self.primitives: dict[str, Any] = {
            tokens: _finite(vocab),
            "indices": _finite(range(max_len), unique=True),
            "length": _finite(range(1, max_len + 1)),
            "True": True,
            "False": False,
            "selector_width": _BuiltinFn("selector_width"),
            "numerical": _BuiltinFn("numerical"),
        }

    # statements

    def exec(self, stmt: ast.Stmt, env: MutableMapping[str, Any]) -> None:
        if isinstance(stmt, ast.Assign):
            values = [self.eval(v, env) for v in stmt.values]
            if len(values) != len(stmt.targets):
                raise _Unsafe("unpacking")
            env.update(zip(stmt.targets, values))
        elif isinstance(stmt, ast.FuncDef):
            env[stmt.name] = _FuncInfo(stmt.params, stmt.body, env)
        elif isinstance(stmt, ast.Return):
            values = [self.eval(v, env) for v in stmt.values]
            raise _Return(values[0] if len(values) == 1 else values)
        elif isinstance(stmt, ast.For):
            items = self.eval(stmt.iterable, env)
            if not isinstance(items, list) or len(stmt.targets) != 1:
                raise _Unsafe("loops run over a list, with one name")
            for item in items:
                env[stmt.targets[0]] = item
                for inner in stmt.body:
                    self.exec(inner, env)
        else:
            raise _Unsafe(f"no analysis for {type(stmt).__name__}")

    def call(self, fn: _FuncInfo, args: list[Any]) -> Any:
        if len(args) != len(fn.params):
            raise _Unsafe("wrong argument count")
        frame: MutableMapping[str, Any] = ChainMap(dict(zip(fn.params, args)), fn.closure)
        try:
            for stmt in fn.body:
                self.exec(stmt, frame)
        except _Return as done:
            return done.value
        raise _Unsafe("function without return")

    # expressions

    def eval(self, expr: ast.Expr, env: MutableMapping[str, Any]) -> Any:
        method = getattr(self, "_" + type(expr).__name__, None)
        if method is None:
            raise _Unsafe(f"no analysis for {type(expr).__name__}")
        return method(expr, env)

    def _Num(self, expr: ast.Num, env: MutableMapping[str, Any]) -> Any:
        return expr.value

    def _Str(self, expr: ast.Str, env: MutableMapping[str, Any]) -> Any:
        return expr.value

    def _Name(self, expr: ast.Name, env: MutableMapping[str, Any]) -> Any:
        if expr.id not in env:
            raise _Unsafe(f"unknown name {expr.id}")
        return env[expr.id]

    def _ListLit(self, expr: ast.ListLit, env: MutableMapping[str, Any]) -> Any:
        items = [self.eval(item, env) for item in expr.items]
        if not all(_is_atom(item) for item in items):
            raise _Unsafe("lists hold atoms")
        return items

    def _DictLit(self, expr: ast.DictLit, env: MutableMapping[str, Any]) -> Any:
        keys = [self.eval(k, env) for k in expr.keys]
        values = [self.eval(v, env) for v in expr.values]
        if not all(_is_atom(x) for x in keys + values):
            raise _Unsafe("dicts map atoms to atoms")
        return dict(zip(keys, values))

    def _UnaryOp(self, expr: ast.UnaryOp, env: MutableMapping[str, Any]) -> Any:
        value = self.eval(expr.operand, env)
        if isinstance(value, _SelInfo) and expr.op == "not":
            self.nodes += 1
            return _SelInfo(False, ("not", value.form))
        if isinstance(value, _SOpInfo):
            self.nodes += 1
            return self._unary_map(expr.op, value)
        if _is_atom(value):
            return _PY_UNARY[expr.op](value)
        raise _Unsafe(f"{expr.op} of {value!r}")

    def _unary_map(self, op: str, value: _SOpInfo) -> _SOpInfo:
        if op in ("not", "indicator"):
            return _finite(_PY_UNARY[op](t) for t in _truths(value))
        if value.type == "str":
            raise _Unsafe(f"{op} of strings")
        if value.values is None:
            assert value.bounds is not None
            lo, hi = value.bounds
            if op == "round":  # float error far below 0.5 cannot leave this range
                return _finite(range(math.floor(lo), math.ceil(hi) + 1))
            return _floating(-hi, -lo) if op == "-" else _floating(lo, hi)
        return _finite((_PY_UNARY[op](v) for v in value.values), unique=value.unique)

    def _BinOp(self, expr: ast.BinOp, env: MutableMapping[str, Any]) -> Any:
        left, right = self.eval(expr.left, env), self.eval(expr.right, env)
        if expr.op == "in":
            if isinstance(left, _SOpInfo) and isinstance(right, list) and left.values is not None:
                self.nodes += 1
                return _finite(v in right for v in left.values)
            raise _Unsafe("'in' is generated only as an s-op in a list")
        if isinstance(left, _SelInfo) and isinstance(right, _SelInfo) and expr.op in ("and", "or"):
            self.nodes += 1
            at_most_one = expr.op == "and" and (left.at_most_one or right.at_most_one)
            return _SelInfo(at_most_one, (expr.op, left.form, right.form))
        if isinstance(left, _SOpInfo) or isinstance(right, _SOpInfo):
            self.nodes += 1
            return self._binary_map(expr.op, left, right)
        if _is_atom(left) and _is_atom(right) and expr.op in _PY_BINARY:
            return _PY_BINARY[expr.op](left, right)
        raise _Unsafe(f"{expr.op} of {left!r} and {right!r}")

    def _binary_map(self, op: str, left: Any, right: Any) -> _SOpInfo:
        a, b = self._as_sop(left), self._as_sop(right)
        if op in ("and", "or"):
            return _finite(_PY_BINARY[op](x, y) for x in _truths(a) for y in _truths(b))
        if op in _COMPARISONS:
            if _family(a) != _family(b):
                raise _Unsafe("comparing strings with numbers")
            if a.values is None or b.values is None:
                return _finite([True, False])
            return _finite(_PY_BINARY[op](x, y) for x in a.values for y in b.values)
        if op not in ("+", "-", "*", "%", "^") or "str" in (a.type, b.type):
            raise _Unsafe(f"no safe {op} here")
        if a.values is None or b.values is None:
            if op not in ("+", "-", "*"):
                raise _Unsafe(f"{op} of floats")
            assert a.bounds is not None and b.bounds is not None
            return _floating(*_interval(op, a.bounds, b.bounds))
        if op == "%" and 0 in b.values:
            raise _Unsafe("modulo by zero")
        if op == "^" and not b.values <= {0, 1, 2, 3}:
            raise _Unsafe("large or negative powers")
        values = (_PY_BINARY[op](x, y) for x in a.values for y in b.values)
        return _finite(values, unique=_injective(op, left, right))

    def _as_sop(self, value: Any) -> _SOpInfo:
        if isinstance(value, _SOpInfo):
            return value
        if _is_atom(value):
            return _finite([value])
        raise _Unsafe(f"{value!r} is not an s-op or an atom")

    def _lifted(self, value: Any) -> _SOpInfo:
        """An operand of select or aggregate: an atom becomes a constant node."""
        if not isinstance(value, _SOpInfo):
            self.nodes += 1
        return self._as_sop(value)

    def _Ternary(self, expr: ast.Ternary, env: MutableMapping[str, Any]) -> Any:
        cond = self.eval(expr.cond, env)
        if not isinstance(cond, _SOpInfo):
            if not _is_atom(cond):
                raise _Unsafe("conditions are s-ops or atoms")
            return self.eval(expr.then if cond else expr.orelse, env)
        then, orelse = self.eval(expr.then, env), self.eval(expr.orelse, env)
        self.nodes += 1
        return _join(self._as_sop(then), self._as_sop(orelse))

    def _Index(self, expr: ast.Index, env: MutableMapping[str, Any]) -> Any:
        target, index = self.eval(expr.target, env), self.eval(expr.index, env)
        self.nodes += 1
        if isinstance(target, _SOpInfo) and type(index) is int:
            lengths = range(1, self.max_len + 1)
            past_end = any(not -n <= index < n for n in lengths)
            copied = replace(target, unique=False)
            return _join(copied, _finite([0])) if past_end else copied
        if isinstance(target, (list, dict)) and isinstance(index, _SOpInfo):
            if index.values is None:
                raise _Unsafe("looking up floats")
            try:
                return _finite(target[v] for v in index.values)
            except (KeyError, IndexError, TypeError):
                raise _Unsafe("a lookup may miss") from None
        raise _Unsafe("indexing is generated only as a lookup or an s-op at a position")

    def _Call(self, expr: ast.Call, env: MutableMapping[str, Any]) -> Any:
        fn = self.eval(expr.func, env)
        args = [self.eval(a, env) for a in expr.args]
        if isinstance(fn, _FuncInfo):
            return self.call(fn, args)
        if fn == _BuiltinFn("numerical") and len(args) == 1 and isinstance(args[0], _SOpInfo):
            # Encoded as one number, so compiled outputs match only within a tolerance.
            if args[0].bounds is None or args[0].type == "bool":
                raise _Unsafe("numerical marks numbers")
            return _floating(*args[0].bounds)
        if fn == _BuiltinFn("selector_width") and len(args) == 1 and isinstance(args[0], _SelInfo):
            self.nodes += 1
            if _is_rank(args[0].form):
                return _finite(range(self.max_len), unique=True)
            return _finite(range(self.max_len + 1))
        raise _Unsafe(f"cannot call {fn!r} on {args!r}")

    def _Select(self, expr: ast.Select, env: MutableMapping[str, Any]) -> Any:
        keys = self._lifted(self.eval(expr.keys, env))
        queries = self._lifted(self.eval(expr.queries, env))
        if _family(keys) != _family(queries):
            raise _Unsafe("comparing strings with numbers")
        self.nodes += 1
        return _SelInfo(expr.op == "==" and keys.unique, ("select", keys, queries, expr.op))

    def _Aggregate(self, expr: ast.Aggregate, env: MutableMapping[str, Any]) -> Any:
        selector = self.eval(expr.selector, env)
        if not isinstance(selector, _SelInfo):
            raise _Unsafe("aggregate needs a selector")
        values = self._lifted(self.eval(expr.sop, env))
        default = 0 if expr.default is None else self.eval(expr.default, env)
        fill = self._as_sop(default)
        self.nodes += 1
        if selector.at_most_one:  # the value itself, or the default
            return _join(replace(values, unique=False), fill)
        if values.type not in ("int", "float") or fill.type not in ("int", "float"):
            raise _Unsafe("a mean needs numbers")
        assert values.bounds is not None and fill.bounds is not None
        return _floating(
            min(values.bounds[0], fill.bounds[0]), max(values.bounds[1], fill.bounds[1])
        )


def _injective(op: str, left: Any, right: Any) -> bool:
    """Whether `left op right` keeps a unique int s-op unique (an int atom on one side)."""
    for sop, atom in ((left, right), (right, left)):
        if isinstance(sop, _SOpInfo) and sop.unique and sop.type == "int" and type(atom) is int:
            return op in ("+", "-") or (op == "*" and atom != 0)
    return False


# ---- programs ------------------------------------------------------------------------


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


@dataclass
class _Scope:
    """Where the generator writes: what the analyzer sees, and the names it may read."""

    env: MutableMapping[str, Any]
    names: list[str] = field(default_factory=list)


def _literal(value: Atom) -> ast.Expr:
    if isinstance(value, bool):
        return ast.Name(str(value))
    if isinstance(value, str):
        return ast.Str(value)
    if value < 0 or (value == 0 and math.copysign(1.0, value) < 0):
        return ast.UnaryOp("-", ast.Num(-value))
    return ast.Num(value)


def _call(name: str, *args: ast.Expr) -> ast.Expr:
    return ast.Call(ast.Name(name), tuple(args))


def _any(info: _SOpInfo) -> bool:
    return True


def _numeric(info: _SOpInfo) -> bool:
    return info.type in ("int", "float")


def _arithmetic(info: _SOpInfo) -> bool:
    """Numbers and bools, which Python's arithmetic reads as 0 and 1."""
    return info.type != "str"


def _integer(info: _SOpInfo) -> bool:
    return info.type == "int"


def _unique(info: _SOpInfo) -> bool:
    return info.unique


def _few_values(info: _SOpInfo) -> bool:
    return info.values is not None and len(info.values) <= 6


_TABLE_ATOMS: dict[str, st.SearchStrategy[Atom]] = {
    "int": st.integers(-3, 9),
    "str": st.sampled_from("abcxyz"),
    "bool": st.booleans(),
}


class _Generator:
    """Draws statements one at a time and keeps those the analyzer proves safe.

    Expressions are built bottom-up with operands chosen by type (names already
    defined, constants, or smaller expressions); each candidate is analysed, and
    one that cannot be proved safe is replaced by a plain name.
    """

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
        self.analyzer = _Analyzer(vocab, max_len)
        self.primitives = [
            n for n, v in self.analyzer.primitives.items() if isinstance(v, _SOpInfo)
        ]
        self.globals = _Scope(dict(self.analyzer.primitives), list(self.primitives))
        self.scope = self.globals
        self.functions: list[tuple[str, tuple[str, ...]]] = []
        self.counter = itertools.count(1)
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
        """Run new statements in the analyzer; keep them if safe and within budget."""
        layer: dict[str, Any] = {}
        self.analyzer.nodes = 0
        try:
            for stmt in statements:
                self.analyzer.exec(stmt, ChainMap(layer, self.globals.env))
        except _Unsafe:
            return None
        if self.analyzer.nodes > budget:
            return None
        self.globals.env.update(layer)
        for name, value in layer.items():
            if isinstance(value, (_SOpInfo, _SelInfo)) and name not in self.globals.names:
                self.globals.names.append(name)
            if isinstance(value, _FuncInfo):
                self.functions.append((name, value.params))
        return self.analyzer.nodes

    def _fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    # statements: each returns the new statements and the s-op name they define

    def _sop_statement(self) -> tuple[list[ast.Stmt], str | None]:
        name = self._fresh("v")
        expr = self.sop(self.draw(st.integers(1, 2)))
        return [ast.Assign((name,), (expr,))], name

    def _selector_statement(self) -> tuple[list[ast.Stmt], str | None]:
        name = self._fresh("s")
        return [ast.Assign((name,), (self.selector(1),))], None

    def _function_statement(self) -> tuple[list[ast.Stmt], str | None]:
        """`def f(x, ...) { [t = ...;] return ...; }` written for, then called on, some s-ops."""
        candidates = [n for n in self.globals.names if isinstance(self.globals.env[n], _SOpInfo)]
        args = self.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
        fname, params = self._fresh("f"), tuple(self._fresh("x") for _ in args)
        frame = {p: self.globals.env[a] for p, a in zip(params, args)}
        self.scope = _Scope(ChainMap(frame, self.globals.env), [*self.primitives, *params])
        body: list[ast.Stmt] = []
        try:
            if self.draw(st.booleans()):
                local = self._fresh("t")
                body.append(ast.Assign((local,), (self.sop(1),)))
                self.analyzer.exec(body[-1], self.scope.env)
                self.scope.names.append(local)
            body.append(ast.Return((self.sop(2),)))
        finally:
            self.scope = self.globals
        result = self._fresh("v")
        call = _call(fname, *(ast.Name(a) for a in args))
        return [ast.FuncDef(fname, params, tuple(body)), ast.Assign((result,), (call,))], result

    def _loop_statement(self) -> tuple[list[ast.Stmt], str | None]:
        """`v = u; for k in [...] { v = v + indicator(x op k); }`: counts matches."""
        seq = self._name(lambda i: i.type in ("int", "str") and _few_values(i))
        start = self._name(_integer)
        if seq is None or start is None:
            return [], None
        info = self.globals.env[seq.id]
        items = self.draw(
            st.lists(st.sampled_from(sorted(info.values)), min_size=1, max_size=3, unique=True)
        )
        acc, var = self._fresh("v"), self._fresh("k")
        test = ast.BinOp(self.draw(st.sampled_from(_COMPARISONS)), seq, ast.Name(var))
        update = ast.BinOp("+", ast.Name(acc), ast.UnaryOp("indicator", test))
        loop = ast.For(
            (var,), ast.ListLit(tuple(map(_literal, items))), (ast.Assign((acc,), (update,)),)
        )
        return [ast.Assign((acc,), (start,)), loop], acc

    # choosing operands

    def _info(self, expr: ast.Expr) -> Any:
        """The analyzer's view of a candidate, or None when it is not provably safe."""
        try:
            return self.analyzer.eval(expr, self.scope.env)
        except _Unsafe:
            return None

    def _name(self, want: Callable[[_SOpInfo], bool]) -> ast.Name | None:
        env = self.scope.env
        fits = [n for n in self.scope.names if isinstance(env[n], _SOpInfo) and want(env[n])]
        return ast.Name(self.draw(st.sampled_from(fits))) if fits else None

    def _operand(self, depth: int, want: Callable[[_SOpInfo], bool]) -> ast.Expr | None:
        """An s-op satisfying `want`: a smaller expression while depth allows, or a name."""
        if depth > 0 and self.draw(st.booleans()):
            expr = self.sop(depth)
            info = self._info(expr)
            if isinstance(info, _SOpInfo) and want(info):
                return expr
        return self._name(want)

    def _constant(self, info: _SOpInfo) -> ast.Expr:
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
        return _literal(self.draw(st.sampled_from(choices)))

    def _partner(self, depth: int, expr: ast.Expr, fits: Callable[[_SOpInfo], bool]) -> ast.Expr:
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
                if expr is not None and isinstance(self._info(expr), _SOpInfo):
                    return expr
        name = self._name(_any)
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
                if expr is not None and isinstance(self._info(expr), _SelInfo):
                    return expr
        env = self.scope.env
        existing = [n for n in self.scope.names if isinstance(env[n], _SelInfo)]
        if existing and self.draw(st.booleans()):
            return ast.Name(self.draw(st.sampled_from(existing)))
        return self._select(0)

    # s-op builders: each takes the depth left for its operands, None if it cannot apply

    def _arith(self, depth: int) -> ast.Expr | None:
        left = self._operand(depth, _arithmetic)
        if left is None:
            return None
        right = self._partner(depth, left, _arithmetic)
        op = self.draw(st.sampled_from(["+", "-", "*"]))
        return (
            ast.BinOp(op, left, right) if self.draw(st.booleans()) else ast.BinOp(op, right, left)
        )

    def _mod(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, _integer)
        return value and ast.BinOp("%", value, ast.Num(self.draw(st.integers(2, 4))))

    def _power(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, _integer)
        return value and ast.BinOp("^", value, ast.Num(self.draw(st.integers(0, 3))))

    def _negate(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, _arithmetic)
        return value and ast.UnaryOp("-", value)

    def _compare(self, depth: int) -> ast.Expr | None:
        left = self._operand(depth, _any)
        if left is None:
            return None
        family = _family(self._info(left))
        right = self._partner(depth, left, lambda i: _family(i) == family)
        return ast.BinOp(self.draw(st.sampled_from(_COMPARISONS)), left, right)

    def _logic(self, depth: int) -> ast.Expr | None:
        left, right = self._operand(depth, _any), self._operand(depth, _any)
        op = self.draw(st.sampled_from(["and", "or"]))
        return left and right and ast.BinOp(op, left, right)

    def _ternary(self, depth: int) -> ast.Expr | None:
        cond = self._operand(depth, lambda i: i.type == "bool") or self._compare(depth)
        then = self._operand(depth, _any)
        if cond is None or then is None:
            return None
        kind = self._info(then).type
        joinable = {kind} if kind in ("str", "bool") else {"int", "float"}
        orelse = self._partner(depth, then, lambda i: i.type in joinable)
        return ast.Ternary(then, cond, orelse)

    def _membership(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, _few_values)
        if value is None:
            return None
        pool = sorted(self._info(value).values)
        items = self.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        return ast.BinOp("in", value, ast.ListLit(tuple(map(_literal, items))))

    def _round(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, _arithmetic)
        return value and ast.UnaryOp("round", value)

    def _indicator(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, _any)
        return value and ast.UnaryOp("indicator", value)

    def _lookup(self, depth: int) -> ast.Expr | None:
        """`{key: value, ...}[x]` with a key for every value of x, or `[...][x]`."""
        index = self._operand(depth, _few_values)
        if index is None:
            return None
        keys = sorted(self._info(index).values)
        atoms = _TABLE_ATOMS[self.draw(st.sampled_from(sorted(_TABLE_ATOMS)))]
        short = self._info(index).type == "int" and min(keys) >= 0 and max(keys) < 8
        as_list = short and self.draw(st.booleans())
        if as_list:
            items = self.draw(st.lists(atoms, min_size=max(keys) + 1, max_size=max(keys) + 1))
            return ast.Index(ast.ListLit(tuple(map(_literal, items))), index)
        values = [self.draw(atoms) for _ in keys]
        table = ast.DictLit(tuple(map(_literal, keys)), tuple(map(_literal, values)))
        return ast.Index(table, index)

    def _at(self, depth: int) -> ast.Expr | None:
        value = self._operand(depth, _any)
        return value and ast.Index(value, _literal(self.draw(st.sampled_from([0, -1, 1]))))

    def _categorical(self, depth: int) -> ast.Expr | None:
        """An aggregate whose selector picks at most one key, with a default of the values' type."""
        selector, values = self._unique_sel(depth), self._operand(depth, _any)
        if values is None or not getattr(self._info(selector), "at_most_one", False):
            return None
        info = self._info(values)
        default = None if info.type == "int" and self.draw(st.booleans()) else self._constant(info)
        return ast.Aggregate(selector, values, default)

    def _mean(self, depth: int) -> ast.Expr | None:
        values = self._operand(depth, _numeric)
        if values is None:
            return None
        default = self.draw(st.none() | st.integers(-1, 3).map(_literal))
        return _call("numerical", ast.Aggregate(self.selector(depth), values, default))

    def _width(self, depth: int) -> ast.Expr | None:
        return _call("selector_width", self.selector(depth))

    def _rank(self, depth: int) -> ast.Expr | None:
        """The sort idiom: each position's rank by `key`, ties broken by a unique s-op."""
        key, tiebreak = self._name(_any), self._name(_unique)
        if key is None or tiebreak is None:
            return None
        order, tie = self.draw(st.sampled_from(["<", ">"])), self.draw(st.sampled_from(["<", ">"]))
        ties = ast.BinOp("and", ast.Select(key, key, "=="), ast.Select(tiebreak, tiebreak, tie))
        return _call("selector_width", ast.BinOp("or", ast.Select(key, key, order), ties))

    def _call_again(self, depth: int) -> ast.Expr | None:
        """A defined function on other s-ops (the analyzer re-checks its body on them)."""
        if not self.functions or self.scope is not self.globals:
            return None
        fname, params = self.draw(st.sampled_from(self.functions))
        args = [self._name(_any) for _ in params]
        return None if None in args else _call(fname, *args)

    # selector builders

    def _select(self, depth: int) -> ast.Expr:
        keys = self._operand(depth, _any)
        assert keys is not None  # the primitives are always in scope
        family = _family(self._info(keys))
        queries = self._partner(depth, keys, lambda i: _family(i) == family)
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
            n for n in self.scope.names if isinstance(env[n], _SelInfo) and env[n].at_most_one
        ]
        if existing and self.draw(st.booleans()):
            return ast.Name(self.draw(st.sampled_from(existing)))
        keys = self._name(_unique)
        assert keys is not None  # indices is always in scope
        queries = self._partner(depth, keys, _numeric)
        selector: ast.Expr = ast.Select(keys, queries, "==")
        if self.draw(st.integers(0, 3)) == 0:
            selector = ast.BinOp("and", selector, self.selector(depth))
        return selector
