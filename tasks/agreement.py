"""Does a RASP hypothesis compute a task's targets, and can a causal model run it?

Used by the property tests and available to users checking their own hypotheses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rasplab.rasp import Program
from rasplab.rasp.nodes import SOp
from rasplab.tasks.hypothesis import Hypothesis
from rasplab.tasks.task import Task, Token


@dataclass(frozen=True)
class Mismatch:
    """The hypothesis gave `got` where the reference scores `expected`."""

    tokens: list[Token]
    position: int
    expected: Any
    got: Any


def disagreements(
    task: Task, hypothesis: Hypothesis, inputs: Sequence[list[Token]]
) -> list[Mismatch]:
    """Every scored position where the hypothesis differs from the reference; the
    inputs are evaluated as one batch. Values compare with == (1 == 1.0)."""
    outputs = hypothesis.program().evaluate(list(inputs)).output
    return [
        Mismatch(list(tokens), i, expected, got[i])
        for tokens, got in zip(inputs, outputs)
        for i, expected in enumerate(task.reference(tokens))
        if expected is not None and got[i] != expected
    ]


def causal_violations(program: Program, inputs: Sequence[list[Token]]) -> list[str]:
    """Every (s-op, input, position) whose value changes when the input is cut
    after that position. A program with none computes each position from the
    positions up to it, so a causally masked model can run it. Selectors need no
    check of their own: a selector reaching ahead shows in the s-ops that read it."""
    inputs = [list(x) for x in inputs]
    prefixes = [x[: i + 1] for x in inputs for i in range(len(x))]
    full = program.evaluate(inputs)
    cut = program.evaluate(prefixes)
    problems = []
    for name in program.names:
        if not isinstance(program.node(name), SOp):
            continue
        row = 0
        for b, tokens in enumerate(inputs):
            for i in range(len(tokens)):
                whole, prefix = full[name][b][i], cut[name][row][i]
                row += 1
                if whole != prefix:
                    problems.append(
                        f"{name} at position {i} of {tokens}: {whole!r}, but {prefix!r} "
                        "when the input ends there"
                    )
    return problems
