"""Elementwise RASP semantics on numpy arrays, batched.

A batch of same-length inputs is an array of shape (batch, n) (selectors:
(batch, n, n)). Homogeneous values use typed arrays (bool, int64, float64) for
speed; strings and per-element mixes (an aggregate giving ints in some rows and
floats in others) use object arrays of Python atoms, so every element keeps the
exact type the reference REPL gives it. Python's operators define the meaning;
the typed fast paths only ever agree with them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

_INT64_SAFE = 2**62


class Fault(Exception):
    """A run-time error in one element; `row` is the batch row when known."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


# ---- kinds of values -----------------------------------------------------------------

BOOL, INT, FLOAT, STR, OTHER = range(5)
_CODE = {bool: BOOL, int: INT, float: FLOAT, str: STR}
_type_code = np.frompyfunc(lambda v: _CODE.get(type(v), OTHER), 1, 1)
KIND_NAMES = {BOOL: "bools", INT: "ints", FLOAT: "floats", STR: "strings"}


def is_atom(value: Any) -> bool:
    return type(value) in _CODE


def type_codes(arr: np.ndarray) -> np.ndarray:
    """Per-element kind codes (BOOL, INT, ...) as int8."""
    if arr.dtype == bool:
        return np.full(arr.shape, BOOL, np.int8)
    if arr.dtype.kind in "iu":
        return np.full(arr.shape, INT, np.int8)
    if arr.dtype.kind == "f":
        return np.full(arr.shape, FLOAT, np.int8)
    return np.asarray(_type_code(arr), dtype=np.int8) if arr.size else np.zeros(arr.shape, np.int8)


def sequence_kind(codes: np.ndarray) -> int:
    """The kind of one sequence under the REPL's rules (ints with floats are floats)."""
    present = set(np.unique(codes).tolist())
    if present == {BOOL}:
        return BOOL
    if STR in present:
        return STR
    return FLOAT if FLOAT in present else INT


def check_rows(arr: np.ndarray) -> None:
    """Refuse sequences that mix strings with other kinds, or hold non-atoms."""
    if arr.dtype != object:
        return
    codes = type_codes(arr).reshape(arr.shape[0], -1)
    bad = (codes == OTHER).any(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        value = next(v for v in arr[row].ravel() if not is_atom(v))
        raise Fault(f"an s-op value must be an atom, got {value!r}", row)
    has_str = (codes == STR).any(axis=1)
    mixed = has_str & (codes != STR).any(axis=1)
    if mixed.any():
        row = int(np.argmax(mixed))
        kinds = sorted({KIND_NAMES[c] for c in codes[row].tolist()})
        raise Fault(f"a sequence mixes {' and '.join(kinds)}", row)


def normalize(arr: np.ndarray) -> np.ndarray:
    """Turn an object array whose elements share one numeric type into a typed array."""
    if arr.dtype != object or arr.size == 0:
        return arr
    codes = type_codes(arr)
    first = int(codes.flat[0])
    if not (codes == first).all():
        return arr
    if first == BOOL:
        return arr.astype(bool)
    if first == FLOAT:
        return arr.astype(np.float64)
    if first == INT:
        try:
            return arr.astype(np.int64)
        except OverflowError:
            return arr
    return arr


def to_object(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype != object:
        return value.astype(object)
    return value


def from_rows(rows: list[list[Any]]) -> np.ndarray:
    """Per-position values of several same-length sequences to a batch array."""
    arr = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, row in enumerate(rows):
        arr[i, :] = row
    check_rows(arr)
    return normalize(arr)


def full(shape: tuple[int, ...], value: Any) -> np.ndarray:
    """An array of one atom, typed where the atom's type allows."""
    if type(value) is bool:
        return np.full(shape, value, dtype=bool)
    if type(value) is int and abs(value) < _INT64_SAFE:
        return np.full(shape, value, dtype=np.int64)
    if type(value) is float:
        return np.full(shape, value, dtype=np.float64)
    arr = np.empty(shape, dtype=object)
    arr.fill(value)
    return arr


# ---- the object path: Python semantics element by element ----------------------------


def _describe(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _first_failure(fn: Callable[..., Any], args: list[Any]) -> tuple[int | None, str]:
    """Find the batch row and values of the first element that fails."""
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    expanded = [np.broadcast_to(a, shape) if isinstance(a, np.ndarray) else a for a in args]
    for index in np.ndindex(*shape):
        values = [a[index] if isinstance(a, np.ndarray) else a for a in expanded]
        try:
            fn(*values)
        except Exception as err:  # the user's values decide which Python error
            shown = ", ".join(_describe(v) for v in values)
            return index[0], f"({shown}): {err}"
    return None, ""


def elementwise(fn: Callable[..., Any], *args: Any, what: str) -> np.ndarray:
    """Apply a Python function to every element (atoms broadcast)."""
    ufunc = np.frompyfunc(fn, len(args), 1)
    objects = [to_object(a) for a in args]
    try:
        result = ufunc(*objects)
    except Exception:
        row, detail = _first_failure(fn, objects)
        raise Fault(f"{what} fails on {detail}", row) from None
    if not isinstance(result, np.ndarray):
        result = np.asarray(result, dtype=object)
    return normalize(result)


# ---- binary and unary operators ------------------------------------------------------

PY_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
    "^": operator.pow,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

_NP_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.true_divide,
    "%": np.remainder,
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
_ARITHMETIC = {"+", "-", "*", "/", "%"}


def _numeric(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "bif"
    if type(value) is int:
        return abs(value) < _INT64_SAFE
    return type(value) in (bool, float)


def _ints_not_bools(value: Any) -> Any:
    """Python adds bools as ints (True + True == 2); numpy would not."""
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return value.astype(np.int64)
    if type(value) is bool:
        return int(value)
    return value


def truthy(value: Any) -> np.ndarray:
    """Python's bool() of every element."""
    if isinstance(value, np.ndarray):
        if value.dtype == bool:
            return value
        if value.dtype.kind in "if":
            return value != 0
        return elementwise(bool, value, what="truth value").astype(bool)
    return np.asarray(bool(value))


def binary(op: str, left: Any, right: Any) -> np.ndarray:
    """`left op right` elementwise, with Python's meaning."""
    if op in ("and", "or"):
        combine = np.logical_and if op == "and" else np.logical_or
        return combine(truthy(left), truthy(right))
    if op in _NP_BINARY and _numeric(left) and _numeric(right):
        if op in _ARITHMETIC:
            left, right = _ints_not_bools(left), _ints_not_bools(right)
            if op in ("/", "%") and np.any(np.asarray(right) == 0):
                zero = np.broadcast_to(
                    np.asarray(right) == 0, np.broadcast_shapes(np.shape(left), np.shape(right))
                )
                row = int(np.argwhere(zero)[0][0]) if zero.ndim else None
                raise Fault(f"division by zero in '{op}'", row)
        with np.errstate(all="ignore"):
            return np.asarray(_NP_BINARY[op](left, right))
    return elementwise(PY_BINARY[op], left, right, what=f"'{op}'")


def _round(value: Any) -> Any:
    return round(value)


def unary(op: str, value: Any) -> np.ndarray:
    if op == "not":
        return np.logical_not(truthy(value))
    if op == "indicator":
        return truthy(value).astype(np.int64)
    if isinstance(value, np.ndarray) and value.dtype.kind in "bif":
        value = _ints_not_bools(value)
        if op == "neg":
            return -value
        if op == "pos":
            return value
        if op == "round":
            if value.dtype.kind == "i":
                return value
            if not np.isfinite(value).all():
                row = int(np.argwhere(~np.isfinite(value))[0][0])
                raise Fault("cannot round an infinite or NaN value", row)
            if (np.abs(value) < _INT64_SAFE).all():
                return np.rint(value).astype(np.int64)
    fn = {"neg": operator.neg, "pos": operator.pos, "round": _round}[op]
    return elementwise(
        fn, value, what=op if op == "round" else f"unary '{'-' if op == 'neg' else '+'}'"
    )


def ternary(then: Any, cond: Any, orelse: Any) -> np.ndarray:
    """`then if cond else orelse` per element, keeping each element's type."""
    mask = truthy(cond)
    a, b = np.asarray(then), np.asarray(orelse)
    if a.dtype == b.dtype and a.dtype != object:
        return np.where(mask, a, b)
    return normalize(np.where(mask, to_object(a), to_object(b)))


def member(value: Any, container: list[Any]) -> np.ndarray:
    """`sop in [atoms]`."""
    return elementwise(lambda v: v in container, value, what="'in'").astype(bool)


def lookup(table: Any, index: Any) -> np.ndarray:
    """`table[sop]` for a list, string or dict table."""
    return elementwise(lambda i: table[i], index, what="lookup")


def apply(op: str, args: list[Any]) -> np.ndarray:
    """The elementwise operation of a `Map` node on evaluated operands."""
    if op == "ternary":
        return ternary(*args)
    if op == "in":
        return member(args[0], args[1])
    if op == "lookup":
        return lookup(args[0], args[1])
    if len(args) == 1:
        return unary(op, args[0])
    return binary(op, args[0], args[1])
