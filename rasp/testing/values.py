"""The abstract values a generated program's analysis follows, and the facts it reads off them.

An s-op is summarised by every value it can take (or bounds, for floats) and
whether its positions always hold distinct values; a selector by whether each
query picks at most one key. Anything the analysis cannot summarise raises
`Unsafe`, and the generator drops the statement that caused it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from rasplab.rasp import ast

Atom = int | float | str | bool

VALUE_CAP = 64  # the most distinct values any categorical s-op may take
MAGNITUDE_CAP = 10**6  # every number stays within +-this, far inside int64 and float precision


class Unsafe(Exception):
    """The analysis cannot prove that a construct evaluates on every input."""


@dataclass(frozen=True, eq=False)
class SOpInfo:
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
class SelInfo:
    """A selector: whether each query selects at most one key, and its structure
    (nested tuples of op names and the s-ops read), to recognise a rank."""

    at_most_one: bool
    form: tuple[Any, ...]


@dataclass(frozen=True, eq=False)
class FuncInfo:
    """A user function: the analyser re-runs its body on the arguments of every call."""

    params: tuple[str, ...]
    body: tuple[ast.Stmt, ...]
    closure: MutableMapping[str, Any]


@dataclass(frozen=True)
class BuiltinFn:
    """A built-in function the generator may call (`selector_width`, `numerical`)."""

    name: str


def _kind(values: list[Atom]) -> str:
    """The type of a sequence holding these values, refusing mixes the REPL treats specially."""
    kinds = {type(v) for v in values}
    if kinds in ({bool}, {str}, {int}):
        return next(iter(kinds)).__name__
    if kinds <= {int, float}:
        return "float"
    raise Unsafe(f"mixed values {values!r}")


def family(info: SOpInfo) -> str:
    return "str" if info.type == "str" else "number"


def floating(lo: float, hi: float) -> SOpInfo:
    if not (abs(lo) <= MAGNITUDE_CAP and abs(hi) <= MAGNITUDE_CAP):
        raise Unsafe("numbers grow too large")
    return SOpInfo("float", None, (lo, hi))


def finite(values: Iterable[Atom], unique: bool = False) -> SOpInfo:
    listed = list(values)
    if not listed or any(not is_atom(v) for v in listed):
        raise Unsafe("not a sequence of atoms")
    kind = _kind(listed)
    if kind == "float":
        return floating(min(listed), max(listed))
    distinct = frozenset(listed)
    if len(distinct) > VALUE_CAP:
        raise Unsafe("too many distinct values")
    if kind == "str":
        return SOpInfo(kind, distinct, None)
    lo, hi = min(distinct), max(distinct)
    if max(abs(lo), abs(hi)) > MAGNITUDE_CAP:
        raise Unsafe("numbers grow too large")
    return SOpInfo(kind, distinct, (lo, hi), unique)


def is_atom(value: Any) -> bool:
    return type(value) in (int, float, str, bool)


def truths(info: SOpInfo) -> set[bool]:
    return {True, False} if info.values is None else {bool(v) for v in info.values}


def join(a: SOpInfo, b: SOpInfo) -> SOpInfo:
    """The values of a sequence whose positions come from either s-op."""
    if a.values is not None and b.values is not None:
        if a.type != b.type and {a.type, b.type} != {"int", "float"}:
            raise Unsafe(f"{a.type} mixed with {b.type}")
        return finite(itertools.chain(a.values, b.values))
    if {a.type, b.type} <= {"int", "float"}:
        assert a.bounds is not None and b.bounds is not None
        return floating(min(a.bounds[0], b.bounds[0]), max(a.bounds[1], b.bounds[1]))
    raise Unsafe(f"{a.type} mixed with {b.type}")


COMPARISONS = ("==", "<", "<=", ">", ">=")  # the comparisons generated inside s-op maps


# Predicates on an s-op's abstract values, for choosing operands that fit an operation.


def is_any(info: SOpInfo) -> bool:
    return True


def is_numeric(info: SOpInfo) -> bool:
    return info.type in ("int", "float")


def is_arithmetic(info: SOpInfo) -> bool:
    """Numbers and bools, which Python's arithmetic reads as 0 and 1."""
    return info.type != "str"


def is_integer(info: SOpInfo) -> bool:
    return info.type == "int"


def is_unique(info: SOpInfo) -> bool:
    return info.unique


def has_few_values(info: SOpInfo) -> bool:
    return info.values is not None and len(info.values) <= 6
