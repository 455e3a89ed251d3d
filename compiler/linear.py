"""Affine maps read off the expression: offset + sum(coefficient * s-op).

An affine map of numbers needs neither a table over its inputs' product to find
its value set (`sumset`) nor one to compute it (plan builds O(values) units).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from rasplab.compiler.tabulate import MAX_GRID
from rasplab.compiler.values import is_plain_number, sorted_values
from rasplab.rasp import nodes as n

AFFINE_OPS = ("+", "-", "*", "neg", "pos")


def linear_form(root: n.Node, leaves: set[int]) -> tuple[dict[int, Fraction], Fraction] | None:
    """root as offset + sum(coefficient * leaf) when it is built from the leaves with
    + - and multiplication by constants only, else None."""
    if root.uid in leaves:
        return {root.uid: Fraction(1)}, Fraction(0)
    if isinstance(root, n.Const):
        return ({}, Fraction(root.value)) if is_plain_number(root.value) else None
    if not isinstance(root, n.Map) or root.op not in AFFINE_OPS:
        return None
    parts = []
    for arg in root.args:
        if isinstance(arg, n.Node):
            form = linear_form(arg, leaves)
        else:
            form = ({}, Fraction(arg)) if is_plain_number(arg) else None
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
