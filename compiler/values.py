"""Atoms as value sets hold them: one order for mixed atoms, and which are numbers.

Value sets are sorted so that residual directions, tables and decoders list
values the same way on every run; 1 and True stay distinct values.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import numpy as np


def sort_key(value: Any) -> tuple:
    """Sorts mixed atoms: bools, then numbers, then strings, then anything else."""
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float, Fraction)):
        return (1, value, "")
    return (2, 0, str(value))


def sorted_values(values: Iterable[Any]) -> list[Any]:
    """The distinct values in sort_key order (True and 1 are two values)."""
    unique: dict[Any, Any] = {}
    for v in values:
        key = (type(v) is bool, v)
        unique.setdefault(key, v)
    return sorted(unique.values(), key=sort_key)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction))


def is_plain_number(value: Any) -> bool:
    """A number that is not a bool: what arithmetic and means may read."""
    return is_number(value) and not isinstance(value, bool)


def as_atom(value: Any) -> Any:
    """A numpy scalar as the Python atom the interpreter would give."""
    return value.item() if isinstance(value, np.generic) else value
