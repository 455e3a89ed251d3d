"""Encodings and value sets: what each s-op's residual subspace must hold.

Value sets are inferred from `vocab` and `max_len`, never from the source:
tokens take the vocabulary, indices 0..max_len-1, a map the image of its inputs'
product, an aggregate its values plus the default (or every reachable mean for a
numerical aggregate, kept as exact fractions), a selector width 0..max_len.

An s-op is categorical (one direction per value) unless it is marked
numerical, reads a numerical s-op through arithmetic, or is an aggregate of
numbers whose selector picks several keys on some input (a mean).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from rasplab.compiler.errors import CompileError, compile_error
from rasplab.compiler.selectors import is_conjunction
from rasplab.rasp import nodes as n
from rasplab.rasp import ops
from rasplab.rasp.evaluate import _convert_token, evaluate_batch

MAX_GRID = 200_000  # product of input value sets a map may be tabulated over
MAX_MEANS = 50_000  # distinct means kept for a numerical aggregate
SAMPLE_INPUTS = 3_000
ARITHMETIC = {"+", "-", "*", "/", "%", "^", "neg", "pos"}


def sort_key(value: Any) -> tuple:
    """Sorts mixed atoms: bools, then numbers, then strings, then anything else."""
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float, Fraction)):
        return (1, value, "")
    return (2, 0, str(value))


def sorted_values(values) -> list[Any]:
    unique: dict[Any, Any] = {}
    for v in values:
        key = (type(v) is bool, v)
        unique.setdefault(key, v)
    return sorted(unique.values(), key=sort_key)


@dataclass
class Info:
    """What the compiler knows about one s-op."""

    name: str
    node: n.Node
    encoding: str  # "categorical" | "numerical"
    values: list[Any] | None  # sorted; None: unknown (numerical only)
    note: str = ""

    @property
    def categorical(self) -> bool:
        return self.encoding == "categorical"


def enumerate_inputs(vocab: list[Any], max_len: int, limit: int) -> list[list[Any]] | None:
    """Every input up to max_len, or None when there are more than `limit`."""
    total = sum(len(vocab) ** k for k in range(1, max_len + 1))
    if total > limit:
        return None
    return [list(t) for k in range(1, max_len + 1) for t in itertools.product(vocab, repeat=k)]


def sample_inputs(vocab: list[Any], max_len: int, count: int, seed: int = 0) -> list[list[Any]]:
    """Inputs that exercise selectors: every one when few, else random ones of every
    length plus the constant inputs (the widest selections) and the longest ones."""
    everything = enumerate_inputs(vocab, max_len, count)
    if everything is not None:
        return everything
    rng = np.random.default_rng(seed)
    inputs = [[v] * k for v in vocab for k in (1, max_len)]
    lengths = rng.integers(1, max_len + 1, size=count)
    lengths[: count // 4] = max_len
    for k in lengths:
        inputs.append([vocab[i] for i in rng.integers(0, len(vocab), size=int(k))])
    return inputs


def selector_widths(order: list[n.Node], names: dict[int, str], inputs: list[list[Any]]):
    """The largest number of keys each selector picks on the inputs, and the
    program's first run-time error there, if any."""
    selectors = [x for x in order if isinstance(x, n.Selector)]
    widest: dict[int, int] = {x.uid: 0 for x in selectors}
    sops = [x for x in order if isinstance(x, n.SOp)]
    batch = evaluate_batch(sops + selectors, inputs)
    for _, arrays in batch.groups:
        for x in selectors:
            widest[x.uid] = max(widest[x.uid], int(arrays[x.uid].sum(axis=-1).max()))
    return widest


def object_array(items: list[Any]) -> np.ndarray:
    """A 1-D object array even when the items are tuples."""
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def _grid(operand_values: list[list[Any]]) -> list[np.ndarray]:
    columns = list(zip(*itertools.product(*operand_values))) if operand_values else []
    return [object_array(list(c)) for c in columns]


def tabulate(
    fn: Callable[[list[np.ndarray]], Any], value_lists: list[list[Any]]
) -> tuple[list[list[Any]], list[Any]]:
    """fn applied to every combination of the values: (grid columns, outputs).
    Combinations on which fn fails (a division by zero the value sets allow but no
    input reaches) are dropped."""
    columns = _grid(value_lists)
    size = len(columns[0]) if columns else 1
    try:
        out = np.broadcast_to(np.asarray(fn(columns), dtype=object), (size,))
        keep = list(range(size))
        outputs = list(out)
    except ops.Fault:
        keep, outputs = [], []
        for i in range(size):
            try:
                outputs.append(
                    np.asarray(fn([c[i : i + 1] for c in columns]), dtype=object).reshape(-1)[0]
                )
                keep.append(i)
            except ops.Fault:
                continue
    grid = [[c[i] for i in keep] for c in columns]
    return grid, [_atom(o) for o in outputs]


def image(node: n.Map, child_values: list[list[Any]]) -> list[Any]:
    """The map's outputs on every combination of its inputs' values."""

    def apply(columns: list[np.ndarray]) -> Any:
        it = iter(columns)
        return ops.apply(node.op, [next(it) if isinstance(a, n.Node) else a for a in node.args])

    return tabulate(apply, child_values)[1]


def _atom(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def means(values: list[Any], max_len: int, default: Any) -> list[Any] | None:
    """Every mean of 1..max_len values drawn from `values`, or None if too many."""
    exact = [Fraction(v) for v in values]
    found: set[Fraction] = set(exact)
    sums: set[Fraction] = set(exact)
    for count in range(2, max_len + 1):
        sums = {s + v for s in sums for v in exact}
        found.update(s / count for s in sums)
        if len(found) > MAX_MEANS or len(sums) > MAX_MEANS:
            return None
    return sorted_values([*found, default])


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction))


def _numeric(values: list[Any]) -> bool:
    return all(is_number(v) and not isinstance(v, bool) for v in values)


def infer(
    order: list[n.Node],
    names: dict[int, str],
    vocab: list[Any],
    max_len: int,
    widest: dict[int, int],
    checked: str,
) -> dict[int, Info]:
    """Encoding and value set of every s-op, in dependency order."""
    infos: dict[int, Info] = {}
    for node in order:
        if isinstance(node, n.SOp):
            infos[node.uid] = _infer_one(
                node, names[node.uid], vocab, max_len, infos, widest, checked
            )
    return infos


def _infer_one(node, name, vocab, max_len, infos, widest, checked: str) -> Info:
    marked = node.encoding
    if isinstance(node, n.Tokens):
        try:
            values = sorted_values(_convert_token(t, node.conversion) for t in vocab)
        except ValueError as err:
            raise compile_error(node, name, f"the vocabulary does not fit {name}: {err}") from None
        return Info(name, node, marked or "categorical", values)
    if isinstance(node, n.Indices):
        return Info(name, node, marked or "categorical", list(range(max_len)))
    if isinstance(node, n.Const):
        return Info(name, node, "categorical", [node.value])
    if isinstance(node, n.SelectorWidth):
        if marked is None and not is_conjunction(node.selector):
            note = "an `or` of selects: a signed sum of conjunctions' widths"
            return Info(name, node, "numerical", list(range(max_len + 1)), note)
        return Info(name, node, marked or "categorical", list(range(max_len + 1)))
    if isinstance(node, n.Map):
        return _infer_map(node, name, infos, marked)
    if isinstance(node, n.Aggregate):
        return _infer_aggregate(node, name, infos, widest, marked, max_len, checked)
    raise compile_error(node, name, f"no compiled form for {node.describe()}")


def linear_form(root: n.Node, leaves: set[int]) -> tuple[dict[int, Fraction], Fraction] | None:
    """root as offset + sum(coefficient * leaf) when it is built from the leaves with
    + - and multiplication by constants only, else None."""
    if root.uid in leaves:
        return {root.uid: Fraction(1)}, Fraction(0)
    if isinstance(root, n.Const):
        return ({}, Fraction(root.value)) if _is_plain_number(root.value) else None
    if not isinstance(root, n.Map) or root.op not in ("+", "-", "*", "neg", "pos"):
        return None
    parts = []
    for arg in root.args:
        if isinstance(arg, n.Node):
            form = linear_form(arg, leaves)
        else:
            form = ({}, Fraction(arg)) if _is_plain_number(arg) else None
        if form is None:
            return None
        parts.append(form)
    if root.op in ("neg", "pos"):
        sign = -1 if root.op == "neg" else 1
        return {k: sign * c for k, c in parts[0][0].items()}, sign * parts[0][1]
    (a, a0), (b, b0) = parts
    if root.op == "*":
        if a and b:
            return None
        scale, (terms, offset) = (b0, parts[0]) if a else (a0, parts[1])
        return {k: scale * c for k, c in terms.items()}, scale * offset
    sign = 1 if root.op == "+" else -1
    merged = dict(a)
    for k, c in b.items():
        merged[k] = merged.get(k, 0) + sign * c
    return merged, a0 + sign * b0


def sumset(terms: list[tuple[Fraction, list[Any]]], offset: Fraction) -> list[Any] | None:
    """Every value of offset + sum(c * x) with each x from its list, or None if too many."""
    found = {offset}
    for coefficient, values in terms:
        found = {z + coefficient * Fraction(v) for z in found for v in values}
        if len(found) > MAX_GRID:
            return None
    return sorted_values(int(z) if z.denominator == 1 else z for z in found)


def _is_plain_number(value: Any) -> bool:
    return is_number(value) and not isinstance(value, bool)


def _linear_values(node: n.Map, children: list[Info]) -> list[Any] | None:
    """The value set of an affine map of numeric s-ops, without a product table."""
    if any(c.values is None or not all(is_number(v) for v in c.values) for c in children):
        return None
    form = linear_form(node, {c.node.uid for c in children})
    if form is None:
        return None
    terms, offset = form
    by_uid = {c.node.uid: c for c in children}
    if any(isinstance(v, float) for c in children for v in c.values):
        return None  # float arithmetic may round differently from exact fractions
    return sumset([(coef, by_uid[uid].values) for uid, coef in terms.items()], offset)


def _infer_map(node: n.Map, name: str, infos: dict[int, Info], marked: str | None) -> Info:
    children = [infos[c.uid] for c in node.children]
    unknown = [c.name for c in children if c.values is None]
    if unknown:
        raise compile_error(
            node, name, f"the value set of {unknown[0]} is too large to tabulate this map over"
        )
    linear = _linear_values(node, children)
    if linear is not None:
        reads_numerical = any(not c.categorical for c in children)
        encoding = marked or ("numerical" if reads_numerical else "categorical")
        return Info(name, node, encoding, linear)
    size = int(np.prod([len(c.values) for c in children])) if children else 1
    if size > MAX_GRID:
        raise compile_error(
            node,
            name,
            f"its inputs combine into {size:,} cases (limit {MAX_GRID:,})",
            "reduce the vocabulary or max_len, or split the map",
        )
    values = sorted_values(image(node, [c.values for c in children]))
    reads_numerical = any(not c.categorical for c in children)
    encoding = marked or (
        "numerical"
        if reads_numerical and node.op in ARITHMETIC and _numeric(values)
        else "categorical"
    )
    if encoding == "numerical" and not _numeric(values):
        raise compile_error(node, name, "a numerical s-op must hold numbers")
    return Info(name, node, encoding, values)


def _infer_aggregate(node, name, infos, widest, marked, max_len, checked: str) -> Info:
    source = infos[node.sop.uid]
    width = widest.get(node.selector.uid, max_len)
    numeric = source.values is None or _numeric(source.values)
    if marked == "categorical" or (
        marked is None and source.categorical and (width <= 1 or not numeric)
    ):
        values = sorted_values([*source.values, node.default])
        note = f"selects at most one key on {checked}" if width <= 1 else ""
        return Info(name, node, "categorical", values, note)
    if not numeric:
        raise compile_error(node, name, "a numerical aggregate needs numeric values")
    if not is_number(node.default) or isinstance(node.default, bool):
        raise compile_error(
            node, name, f"a numerical aggregate's default must be a number, not {node.default!r}"
        )
    if source.values is None:
        values = None
    elif width <= 1:
        values = sorted_values([*source.values, node.default])
    else:
        values = means(source.values, max_len, node.default)
    note = "mean of several keys" if width > 1 else f"selects at most one key on {checked}"
    return Info(name, node, "numerical", values, note)


__all__ = ["CompileError", "Info", "infer", "sample_inputs", "selector_widths", "sort_key"]
