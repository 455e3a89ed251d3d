"""MLPs for elementwise maps, each exact on the inputs' value sets.

- table: one unit per combination of categorical input values, ReLU(sum of the
  one-hot entries - (k - 1)) is 1 exactly for that combination;
- linear: an affine map of numerical inputs, written as ReLU(z) - ReLU(-z);
- discretize: a function of one scalar z (a numerical s-op, or an affine
  combination of inputs) on a known finite set of values. Between neighbouring
  values s_i < s_{i+1} a pair of units ReLU(L(z-t)+1/2) - ReLU(L(z-t)-1/2), with
  t the midpoint and L = 2/(s_{i+1}-s_i), is 0 at every value <= s_i and 1 at
  every value >= s_{i+1}, with a margin of a quarter gap for rounding error; the
  output is f(s_1) plus each step times f's jump there.
Every unit is gated off at BOS.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from rasplab.compiler.basis import Info
from rasplab.compiler.blocks import ONE, Dir, MLPBlock, MLPKind, Unit, cat_dir, gated, num_dir
from rasplab.compiler.values import is_number


def encode(info: Info, value: Any) -> dict[Dir, float]:
    """The residual vector of one value of an s-op."""
    if info.categorical:
        return {cat_dir(info.name, value): 1.0}
    return {num_dir(info.name): float(value)} if value != 0 else {}


def read(info: Info) -> dict[Dir, float] | None:
    """The linear read-out of an s-op's numeric value, or None if not numeric."""
    if not info.categorical:
        return {num_dir(info.name): 1.0}
    if not all(is_number(v) for v in info.values):
        return None
    return {cat_dir(info.name, v): float(v) for v in info.values}


def table(out: Info, leaves: Sequence[Info], grid: Sequence[Sequence[Any]], outputs) -> MLPBlock:
    units = []
    for point, value in zip(zip(*grid), outputs):
        written = encode(out, value)
        if not written:
            continue
        inputs = {cat_dir(leaf.name, x): 1.0 for leaf, x in zip(leaves, point)}
        units.append(Unit(gated(inputs), -(len(leaves) - 1.0), written))
    return MLPBlock(out.name, units, {x.name for x in leaves}, {out.name}, "table")


def linear(out: Info, z: dict[Dir, float], offset: float, reads: set[str]) -> MLPBlock:
    plus = Unit(gated({**z, ONE: z.get(ONE, 0.0) + offset}), 0.0, {num_dir(out.name): 1.0})
    minus_in = {d: -w for d, w in z.items()}
    minus = Unit(
        gated({**minus_in, ONE: minus_in.get(ONE, 0.0) - offset}), 0.0, {num_dir(out.name): -1.0}
    )
    return MLPBlock(out.name, [plus, minus], reads, {out.name}, "linear")


def discretize(
    out: Info,
    z: dict[Dir, float],
    points: Sequence[tuple[Any, Any]],
    reads: set[str],
    construction: str = "discretize",
    kind: MLPKind = MLPKind.MAP,
) -> MLPBlock:
    """`points` are (z value, output value) pairs; z values distinct."""
    ordered = sorted(points, key=lambda p: Fraction(p[0]))
    units = []
    first = encode(out, ordered[0][1])
    if first:
        units.append(Unit(gated({ONE: 1.0}), 0.0, first))
    for (low, f_low), (high, f_high) in itertools.pairwise(ordered):
        jump = _difference(encode(out, f_high), encode(out, f_low))
        if not jump:
            continue
        low_f, high_f = Fraction(low), Fraction(high)
        slope = 2 / (high_f - low_f)
        middle = (low_f + high_f) / 2
        pre = {d: float(slope) * w for d, w in z.items()}
        bias = float(-slope * middle)
        units.append(Unit(gated(pre), bias + 0.5, jump))
        units.append(Unit(gated(pre), bias - 0.5, {d: -w for d, w in jump.items()}))
    return MLPBlock(out.name, units, reads, {out.name}, construction, kind)


def _difference(a: dict[Dir, float], b: dict[Dir, float]) -> dict[Dir, float]:
    result = {d: a.get(d, 0.0) - b.get(d, 0.0) for d in set(a) | set(b)}
    return {d: w for d, w in result.items() if w != 0}


def affine_fit(
    columns: Sequence[Sequence[float]], outputs: Sequence[Any]
) -> tuple[Fraction, list[Fraction]] | None:
    """Coefficients c0, c with f = c0 + sum c_i x_i on every grid point, if f is affine."""
    if not outputs or not all(is_number(v) for v in outputs):
        return None
    xs = [[Fraction(v) for v in col] for col in columns]
    ys = [Fraction(v) for v in outputs]
    base = 0
    coefficients = []
    for column in xs:
        other = next(
            (
                i
                for i, v in enumerate(column)
                if v != column[base] and all(c[i] == c[base] for c in xs if c is not column)
            ),
            None,
        )
        if other is None:
            coefficients.append(Fraction(0))
            continue
        coefficients.append((ys[other] - ys[base]) / (column[other] - column[base]))
    offset = ys[base] - sum(c * col[base] for c, col in zip(coefficients, xs))
    for i, y in enumerate(ys):
        if offset + sum(c * col[i] for c, col in zip(coefficients, xs)) != y:
            return None
    return offset, coefficients


def combine(
    reads: Sequence[dict[Dir, float]], coefficients: Sequence[Fraction]
) -> dict[Dir, float]:
    z: dict[Dir, float] = {}
    for vector, c in zip(reads, coefficients):
        for d, w in vector.items():
            z[d] = z.get(d, 0.0) + float(c) * w
    return {d: w for d, w in z.items() if w != 0}
