"""Signatures of the functions a person can call, for errors that say how to call them.

A misspelt or misused call is fixed fastest with the right name and its
parameters in front of the user: `select` and the other primitives are keywords
(no scope holds them), so their signatures live here; user and library
functions carry their own parameters.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from rasplab.rasp.values import Builtin, Function

SELECT_OPS = "== != < <= > >="

PRIMITIVES: dict[str, str] = {
    "select": f"select(keys, queries, op), with op one of {SELECT_OPS}",
    "aggregate": "aggregate(selector, sop[, default])",
    "round": "round(e)",
    "indicator": "indicator(e)",
    "range": "range(stop) or range(start, stop[, step])",
    "zip": "zip(list1, list2, ...)",
    "len": "len(list)",
}
"""The keywords that are called like functions, as a user writes them."""

ARITY: dict[str, tuple[int, int | None]] = {
    "select": (3, 3),
    "aggregate": (2, 3),
    "round": (1, 1),
    "indicator": (1, 1),
    "range": (1, 3),
    "zip": (1, None),
    "len": (1, 1),
}
"""How many arguments each primitive takes: (fewest, most; None for any number)."""


def arity_text(name: str) -> str:
    """`3 arguments`, `2 or 3 arguments`, `1 argument`."""
    low, high = ARITY[name]
    if high is None:
        return f"{low} or more arguments"
    if low == high:
        count = str(low)
    else:
        count = f"{low} or {high}" if high == low + 1 else f"{low} to {high}"
    return f"{count} argument{'' if count == '1' else 's'}"


def signature(name: str, value: Any = None) -> str | None:
    """How to call `name`: a primitive's form, or a function's parameters."""
    if name in PRIMITIVES:
        return PRIMITIVES[name]
    if isinstance(value, Function):
        return f"{name}({', '.join(value.params)})"
    if isinstance(value, Builtin):
        return f"{name}({', '.join(['x'] * value.arity)})"
    return None


def nearest(name: str, candidates: Iterable[str]) -> list[str]:
    """Up to three names spelt like `name`, closest first."""
    return difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)


def name_hint(name: str, visible: Mapping[str, Any]) -> str | None:
    """`did you mean 'select'? select(keys, queries, op), ...` for an unknown name.

    The primitives are candidates too; the nearest candidate's signature is
    added when it is a function, since the user was most likely calling it.
    """
    close = nearest(name, [*visible, *PRIMITIVES])
    if not close:
        return None
    hint = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    form = signature(close[0], visible.get(close[0]))
    return f"{hint} {form}" if form else hint
