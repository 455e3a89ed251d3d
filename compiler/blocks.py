"""Building blocks in the language of labelled residual directions.

A direction is `(s-op name, kind, value)`: kind is "bool", "number" or "str"
for a categorical value (so 1 and True stay apart), "num" for a numerical
s-op's single direction. `ONE` is 1 at every position and `BOS` only at the
beginning-of-sequence position. Blocks say which directions they read and write;
`assemble` turns them into weight matrices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any

Dir = tuple[str, str, Any]
ONE: Dir = ("one", "num", None)
BOS: Dir = ("bos", "num", None)
GATE = 1e4  # switches every MLP unit off at BOS, so derived s-ops are zero there


def value_kind(value: Any) -> str:
    """Numbers of any type that are equal share a direction (2, 2.0 and Fraction(2));
    bools and strings never share one with a number."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Fraction)):
        return "number"
    return type(value).__name__


def cat_dir(name: str, value: Any) -> Dir:
    return (name, value_kind(value), value)


def num_dir(name: str) -> Dir:
    return (name, "num", None)


def label(direction: Dir) -> str:
    """`sop:value` for a categorical direction, `sop` for a numerical one."""
    name, kind, value = direction
    return name if kind == "num" else f"{name}:{value}"


@dataclass
class Unit:
    """One hidden ReLU: pre-activation sum(w * resid[d]) + bias, written out with weights."""

    inputs: dict[Dir, float]
    bias: float
    outputs: dict[Dir, float]


class MLPKind(Enum):
    """What an MLP is for, where code must tell (`construction` is display text only)."""

    MAP = "map"  # computes an s-op from s-ops
    WIDTH_DECODE = "width decode"  # reads only a selector-width head's scratch directions


@dataclass
class MLPBlock:
    """An MLP computing one s-op (the RASP node `node`)."""

    node: str
    units: list[Unit]
    reads: set[str]
    writes: set[str]
    construction: str
    kind: MLPKind = MLPKind.MAP


@dataclass
class Head:
    """An attention head: scores = sum qk[q, k] * resid_q[q] * resid_k[k];
    output = sum over keys of weight * ov[src, dst] * resid_k[src] into dst."""

    node: str
    qk: dict[tuple[Dir, Dir], float] = field(default_factory=dict)
    ov: dict[tuple[Dir, Dir], float] = field(default_factory=dict)
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    construction: str = ""

    def add_qk(self, q: Dir, k: Dir, w: float) -> None:
        self.qk[(q, k)] = self.qk.get((q, k), 0.0) + w

    def add_ov(self, src: Dir, dst: Dir, w: float) -> None:
        self.ov[(src, dst)] = self.ov.get((src, dst), 0.0) + w


def gated(inputs: dict[Dir, float]) -> dict[Dir, float]:
    return {**inputs, BOS: inputs.get(BOS, 0.0) - GATE}
