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

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from rasplab.compiler.errors import compile_error
from rasplab.compiler.linear import linear_form, sumset
from rasplab.compiler.selectors import is_conjunction
from rasplab.compiler.tabulate import MAX_GRID, image
from rasplab.compiler.values import is_number, is_plain_number, sorted_values
from rasplab.rasp import nodes as n
from rasplab.rasp.evaluate import convert_token

MAX_MEANS = 50_000  # distinct means kept for a numerical aggregate
ARITHMETIC = {"+", "-", "*", "/", "%", "^", "neg", "pos"}


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


def _numeric(values: list[Any]) -> bool:
    return all(is_plain_number(v) for v in values)


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
            values = sorted_values(convert_token(t, node.conversion) for t in vocab)
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
