"""Equality of RASP values for tests: the type of every atom matters.

Python's `==` says `True == 1 == 1.0`, but the REPL prints and computes with
them differently (a mean is a float, a bool is not a number), so a test that
compares outputs with `==` would miss a wrong type.
"""

from __future__ import annotations

import math
from typing import Any


def same(actual: Any, expected: Any, tol: float = 0.0) -> bool:
    """Equal values of equal types, all the way down lists: 1 is not 1.0, True is not 1.

    Floats agree within `tol` (relative or absolute); the default asks for
    exact equality, `tol=1e-12` forgives the rounding of a printed reference.
    """
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e, tol) for a, e in zip(actual, expected))
        )
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float):
        return math.isclose(actual, expected, rel_tol=tol, abs_tol=tol)
    return actual == expected
