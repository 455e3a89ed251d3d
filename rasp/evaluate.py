"""Batched evaluation of the RASP graph, with interventions.

Inputs are grouped by length; each group is evaluated node by node on numpy
arrays, never with a Python loop per sequence. Interventions replace a node's
values before anything that depends on it is computed, which is how the
comparison module builds counterfactual targets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from rasplab.rasp import nodes as n
from rasplab.rasp import ops
from rasplab.rasp.errors import RaspError

InputSeq = Sequence[Any]


def check_input(tokens: Any, where: str = "input") -> list[Any]:
    """An input is a non-empty string (a token per character) or list of atoms of one type."""
    if isinstance(tokens, str):
        if not tokens:
            raise RaspError(f"{where} is empty: give at least one token")
        return list(tokens)
    if not isinstance(tokens, (list, tuple)):
        raise RaspError(f"{where} must be a string or a list of atoms, got {tokens!r}")
    if not tokens:
        raise RaspError(f"{where} is empty: give at least one token")
    for position, token in enumerate(tokens):
        if not ops.is_atom(token):
            raise RaspError(f"{where}: token {token!r} at position {position} is not an atom")
    strings = [isinstance(t, str) for t in tokens]
    if any(strings) and not all(strings):
        raise RaspError(f"{where} mixes strings with numbers: {list(tokens)!r}")
    bools = [isinstance(t, bool) for t in tokens]
    if any(bools) and not all(bools):
        raise RaspError(f"{where} mixes booleans with numbers: {list(tokens)!r}")
    return list(tokens)


def convert_token(token: Any, conversion: str) -> Any:
    """A raw input token as `tokens_<conversion>` sees it; ValueError when it cannot be."""
    if conversion == "asis":
        return token
    if conversion == "str":
        return token if isinstance(token, str) else str(token)
    if conversion == "bool":
        if isinstance(token, bool):
            return token
        text = str(token)
        if text in ("True", "T", "1"):
            return True
        if text in ("False", "F", "0"):
            return False
        raise ValueError(f"token {token!r} is not a bool (use True/False, T/F or 1/0)")
    if conversion == "int":
        if isinstance(token, bool):
            return int(token)
        if isinstance(token, float):
            if not token.is_integer():
                raise ValueError(f"token {token!r} is not an int")
            return int(token)
        try:
            return int(token)
        except ValueError:
            raise ValueError(f"token {token!r} is not an int") from None
    try:
        return float(token)
    except ValueError:
        raise ValueError(f"token {token!r} is not a number") from None


class _Group:
    """Same-length inputs, evaluated together."""

    def __init__(self, rows: list[int], tokens: list[list[Any]]) -> None:
        self.rows = rows
        self.tokens = tokens
        self.size = len(rows)
        self.length = len(tokens[0])
        self.raw = _raw_array(tokens)


def _raw_array(tokens: list[list[Any]]) -> np.ndarray:
    """The inputs as a typed array when numpy reads them without changing a value."""
    if all(type(t) is int for t in tokens[0]):
        try:
            arr = np.array(tokens)
        except (ValueError, OverflowError):
            return np.empty((0, 0))
        if arr.dtype.kind == "i" and all(type(t) is int for row in tokens for t in row):
            return arr
    if all(type(t) is str for row in tokens for t in row):
        return np.array(tokens, dtype=str)
    return np.empty((0, 0))


def _fault_to_error(node: n.Node, fault: ops.Fault, group: _Group) -> RaspError:
    name = f"'{node.label}'" if node.label else node.describe()
    where = ""
    if fault.row is not None:
        tokens = group.tokens[fault.row]
        shown = (
            "".join(tokens) if all(isinstance(t, str) and len(t) == 1 for t in tokens) else tokens
        )
        where = f" on input {shown!r}"
    return RaspError(f"{name}: {fault.message}{where}", node.span, stack=node.stack)


class Evaluator:
    """Evaluate nodes on one length group, memoising each node's array."""

    def __init__(self, group: _Group, interventions: Mapping[int, np.ndarray]) -> None:
        self.group = group
        self.interventions = interventions
        self.memo: dict[int, np.ndarray] = {}

    def value(self, node: n.Node) -> np.ndarray:
        cached = self.memo.get(node.uid)
        if cached is not None:
            return cached
        if node.uid in self.interventions:
            result = self.interventions[node.uid]
        else:
            try:
                result = self._compute(node)
                if isinstance(node, n.SOp):
                    ops.check_rows(result)
            except ops.Fault as fault:
                raise _fault_to_error(node, fault, self.group) from None
        self.memo[node.uid] = result
        return result

    def _shape(self) -> tuple[int, int]:
        return (self.group.size, self.group.length)

    def _compute(self, node: n.Node) -> np.ndarray:
        method = getattr(self, "_" + node.kind)
        return method(node)

    def _tokens(self, node: n.Tokens) -> np.ndarray:
        fast = self._tokens_fast(node.conversion)
        if fast is not None:
            return fast
        rows = []
        for i, tokens in enumerate(self.group.tokens):
            try:
                rows.append([convert_token(t, node.conversion) for t in tokens])
            except ValueError as err:
                raise ops.Fault(f"cannot read the input: {err}", i) from None
        return ops.from_rows(rows)

    def _tokens_fast(self, conversion: str) -> np.ndarray | None:
        """Whole-array conversion for the common cases: all ints, or all strings."""
        raw = self.group.raw
        if raw.dtype.kind == "i" and conversion in ("int", "asis"):
            return raw
        if raw.dtype.kind == "i" and conversion == "float":
            return raw.astype(np.float64)
        if raw.dtype.kind == "U" and conversion in ("str", "asis"):
            return raw.astype(object)
        return None

    def _indices(self, node: n.Indices) -> np.ndarray:
        return np.broadcast_to(np.arange(self.group.length, dtype=np.int64), self._shape())

    def _const(self, node: n.Const) -> np.ndarray:
        return ops.full(self._shape(), node.value)

    def _operand(self, arg: Any) -> Any:
        return self.value(arg) if isinstance(arg, n.Node) else arg

    def _map(self, node: n.Map) -> np.ndarray:
        result = ops.apply(node.op, [self._operand(a) for a in node.args])
        return np.broadcast_to(result, self._shape()) if result.shape != self._shape() else result

    def _select(self, node: n.Select) -> np.ndarray:
        keys = self.value(node.keys)
        queries = self.value(node.queries)
        return ops.binary(node.op, keys[:, None, :], queries[:, :, None]).astype(bool)

    def _selector_logic(self, node: n.SelectorLogic) -> np.ndarray:
        args = [self.value(a) for a in node.args]
        if node.op == "not":
            return np.logical_not(args[0])
        combine = np.logical_and if node.op == "and" else np.logical_or
        return combine(args[0], args[1])

    def _selector_width(self, node: n.SelectorWidth) -> np.ndarray:
        return self.value(node.selector).sum(axis=-1, dtype=np.int64)

    def _at(self, node: n.At) -> np.ndarray:
        values = self.value(node.sop)
        length = self.group.length
        position = node.position + length if node.position < 0 else node.position
        if not 0 <= position < length:
            return ops.full(self._shape(), 0)
        return np.broadcast_to(values[:, position : position + 1], self._shape())

    def _contains(self, node: n.Contains) -> np.ndarray:
        values = self.value(node.sop)
        equal = ops.binary("==", values, node.value).astype(bool)
        return np.broadcast_to(equal.any(axis=1, keepdims=True), self._shape())

    def _aggregate(self, node: n.Aggregate) -> np.ndarray:
        selected = self.value(node.selector)
        values = self.value(node.sop)
        return aggregate(selected, values, node.default)


def aggregate(selected: np.ndarray, values: np.ndarray, default: Any) -> np.ndarray:
    """Per query row: the default with no key, the value with one, the mean with more."""
    counts = selected.sum(axis=-1)
    several = counts >= 2
    kinds = ops.type_codes(values)
    if several.any():
        bad_rows = [
            b
            for b in np.flatnonzero(several.any(axis=1))
            if ops.sequence_kind(kinds[b]) in (ops.STR, ops.BOOL)
        ]
        if bad_rows:
            row = int(bad_rows[0])
            kind = ops.KIND_NAMES[ops.sequence_kind(kinds[row])]
            raise ops.Fault(
                f"aggregate selects several positions, and the mean of {kind} is undefined "
                "(a categorical aggregate must select at most one key per query)",
                row,
            )
    first = np.argmax(selected, axis=-1)
    single = np.take_along_axis(values, first, axis=-1)
    if not several.any():
        result = single
    else:
        numeric = values
        if values.dtype == object:  # string rows never reach a mean; blank them first
            numeric = np.where(kinds == ops.STR, 0, values).astype(np.float64)
        if numeric.dtype.kind in "bi":
            totals = np.einsum("bqk,bk->bq", selected.astype(np.int64), numeric.astype(np.int64))
        else:
            totals = np.einsum("bqk,bk->bq", selected.astype(np.float64), numeric)
        with np.errstate(all="ignore"):
            means = totals / np.maximum(counts, 1)
        if values.dtype.kind == "f":
            result = np.where(several, means, single)
        else:
            result = np.where(several, ops.to_object(means), ops.to_object(single))
    empty = counts == 0
    if empty.any():
        fill = ops.full(result.shape, default)
        if fill.dtype == result.dtype and result.dtype != object:
            result = np.where(empty, fill, result)
        else:
            result = np.where(empty, ops.to_object(fill), ops.to_object(result))
    return ops.normalize(result) if result.dtype == object else result


def group_inputs(inputs: Sequence[InputSeq]) -> list[_Group]:
    by_length: dict[int, list[int]] = {}
    checked = [check_input(tokens, f"input {i}") for i, tokens in enumerate(inputs)]
    for i, tokens in enumerate(checked):
        by_length.setdefault(len(tokens), []).append(i)
    return [_Group(rows, [checked[r] for r in rows]) for rows in by_length.values()]


def intervention_array(node: n.Node, values: Sequence[Any], group: _Group) -> np.ndarray:
    """The rows of an intervention for one length group, checked for shape."""
    rows = [values[r] for r in group.rows]
    name = node.label or node.describe()
    for row_index, row in zip(group.rows, rows):
        if len(row) != group.length:
            raise RaspError(
                f"intervention on '{name}': input {row_index} has length {group.length} "
                f"but {len(row)} values were given"
            )
    if isinstance(node, n.Selector):
        return np.array(rows, dtype=bool).reshape(group.size, group.length, group.length)
    try:
        return ops.from_rows([list(row) for row in rows])
    except ops.Fault as fault:
        raise RaspError(f"intervention on '{name}': {fault.message}") from None


def to_python(arr: np.ndarray, is_selector: bool) -> list[Any]:
    """A batch array back to per-input Python lists (selectors as 0/1 rows)."""
    if is_selector:
        return arr.astype(np.int64).tolist()
    return arr.tolist()


class BatchValues:
    """Node values for a batch, kept as arrays per length group and turned into
    Python lists only when asked for (conversion dominates otherwise)."""

    def __init__(self, size: int, groups: list[tuple[_Group, dict[int, np.ndarray]]]) -> None:
        self.size = size
        self.groups = groups

    def lists(self, node: n.Node) -> list[Any]:
        """Per input, the node's values as Python lists."""
        result: list[Any] = [None] * self.size
        for group, arrays in self.groups:
            values = to_python(arrays[node.uid], isinstance(node, n.Selector))
            for row, value in zip(group.rows, values):
                result[row] = value
        return result

    def array(self, node: n.Node) -> np.ndarray:
        """The node's values as one array; needs every input to have the same length."""
        if len(self.groups) != 1:
            raise RaspError("a batch of inputs of different lengths has no single array")
        group, arrays = self.groups[0]
        order = np.argsort(group.rows)
        return arrays[node.uid][order]


def evaluate_batch(
    targets: Sequence[n.Node],
    inputs: Sequence[InputSeq],
    interventions: Mapping[n.Node, Sequence[Any]] | None = None,
) -> BatchValues:
    """Evaluate the target nodes (and what they need) on every input."""
    interventions = interventions or {}
    groups = []
    for group in group_inputs(inputs):
        replaced = {
            node.uid: intervention_array(node, values, group)
            for node, values in interventions.items()
        }
        evaluator = Evaluator(group, replaced)
        for node in targets:
            evaluator.value(node)
        groups.append((group, evaluator.memo))
    return BatchValues(len(inputs), groups)


def evaluate_nodes(
    targets: Sequence[n.Node],
    inputs: Sequence[InputSeq],
    interventions: Mapping[n.Node, Sequence[Any]] | None = None,
) -> list[list[Any]]:
    """Values of each target node on each input: result[t][i] is a list per position."""
    batch = evaluate_batch(targets, inputs, interventions)
    return [batch.lists(node) for node in targets]
