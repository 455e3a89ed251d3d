"""Which tasks are modular arithmetic, and the (a, b) grid of inputs their Fourier
analysis runs on: every pair of operands, with the position where the answer is read.

A grid is what makes the Fourier view possible on any checkpoint: the model's logits
and neurons at the scored position become functions of (a, b) over Z_p x Z_p.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasplab.tasks import Task
from rasplab.tasks.modular import BINARY, FIB_LEN, FIB_P, numbers

_BINARY_NAME = re.compile(rf"(?P<base>{'|'.join(BINARY)})(_p(?P<p>[0-9]+))?")


@dataclass(frozen=True)
class ModularGrid:
    """p, the operation's sign (+1: a + b, -1: a - b), the tokens of the numbers
    0..p-1 (model id of number v is `task.token_ids.id(numbers[v])`), and for each
    operand pair the input and the input position whose target is a op b."""

    p: int
    sign: int
    numbers: tuple[Any, ...]
    make_input: Callable[[int, int], list[Any]]
    position: int

    def inputs(self) -> list[list[Any]]:
        """Every (a, b) input, a-major: row a * p + b."""
        return [self.make_input(a, b) for a in range(self.p) for b in range(self.p)]


def modular_grid(task: Task) -> ModularGrid | None:
    """The grid of a modular task (mod_add, mod_sub, mod_add_mlp with any modulus,
    add_sub's additions, fib_mod's first step); None for any other task."""
    match = _BINARY_NAME.fullmatch(task.name)
    if match:
        p = int(match["p"] or len(task.output_vocab))
        nums = numbers(p)
        sign = 1 if BINARY[match["base"]] == "+" else -1
        return ModularGrid(p, sign, nums, lambda a, b: [nums[a], nums[b], "="], 2)
    if task.name == "add_sub":
        nums = tuple(task.output_vocab)
        return ModularGrid(len(nums), 1, nums, lambda a, b: [nums[a], "+", nums[b], "="], 3)
    if task.name == "fib_mod":
        return ModularGrid(FIB_P, 1, tuple(range(FIB_P)), _fib_input, 1)
    return None


def _fib_input(a: int, b: int) -> list[int]:
    """The recurrence from (a, b); position 1 predicts a + b."""
    seq = [a, b]
    while len(seq) < FIB_LEN:
        seq.append((seq[-1] + seq[-2]) % FIB_P)
    return seq
