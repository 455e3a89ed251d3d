"""Maps tabulated over every combination of their inputs' values.

Inference uses the outputs (a map's value set); planning uses the whole table
(an MLP that looks the combination up). `MAX_GRID` bounds both.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from rasplab.compiler.values import as_atom
from rasplab.rasp import nodes as n
from rasplab.rasp import ops

MAX_GRID = 200_000  # product of input value sets a map may be tabulated over


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
    return grid, [as_atom(o) for o in outputs]


def image(node: n.Map, child_values: list[list[Any]]) -> list[Any]:
    """The map's outputs on every combination of its inputs' values."""

    def apply(columns: list[np.ndarray]) -> Any:
        it = iter(columns)
        return ops.apply(node.op, [next(it) if isinstance(a, n.Node) else a for a in node.args])

    return tabulate(apply, child_values)[1]
