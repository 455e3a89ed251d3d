"""Exactness check: the compiled model against the interpreter, on every input up
to max_len when there are at most `exhaustive_limit`, else on random ones."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rasplab.compiler.compiled import CompiledModel
from rasplab.compiler.sampling import enumerate_inputs
from rasplab.rasp import Program

EXHAUSTIVE_LIMIT = 200_000
TOLERANCE = 1e-4  # numerical outputs only; categorical ones must be equal
BATCH = 4096


@dataclass
class VerifyResult:
    checked: int
    exact: int
    exhaustive: bool
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    tolerance: float = 0.0

    @property
    def fraction(self) -> float:
        return self.exact / self.checked if self.checked else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "exact": self.exact,
            "fraction": self.fraction,
            "exhaustive": self.exhaustive,
            "tolerance": self.tolerance,
            "mismatches": self.mismatches,
        }


def same_output(compiled: list[Any], expected: list[Any], tolerance: float = 0.0) -> bool:
    """Equal values: with tolerance 0 (categorical outputs) exactly, so classes permuted
    among close values never pass; else strings and bools exactly and numbers within
    the tolerance (a numerical s-op's float)."""
    if len(compiled) != len(expected):
        return False
    if tolerance == 0.0:
        return all(_kind(g) == _kind(w) and g == w for g, w in zip(compiled, expected))
    for got, want in zip(compiled, expected):
        if isinstance(want, (str, bool)) or isinstance(got, (str, bool)):
            if got != want or type(got) is not type(want):
                return False
        elif not math.isclose(float(got), float(want), abs_tol=tolerance):
            return False
    return True


def _kind(value: Any) -> type:
    """str, bool or a number: 2 and 2.0 are the same value, True and 1 are not."""
    return str if isinstance(value, str) else bool if isinstance(value, bool) else float


def random_inputs(vocab: list[Any], max_len: int, count: int, seed: int) -> list[list[Any]]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, max_len + 1, size=count)
    return [[vocab[i] for i in rng.integers(0, len(vocab), size=int(k))] for k in lengths]


def verify(
    program: Program,
    compiled: CompiledModel,
    samples: int = 10_000,
    seed: int = 0,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
) -> VerifyResult:
    """Compiled against interpreter on every input over the vocabulary up to max_len,
    or on `samples` random ones when there are more than `exhaustive_limit`."""
    inputs = enumerate_inputs(compiled.vocab, compiled.max_len, exhaustive_limit)
    exhaustive = inputs is not None
    if inputs is None:
        inputs = random_inputs(compiled.vocab, compiled.max_len, samples, seed)
    return verify_on(program, compiled, inputs, exhaustive)


def verify_on(
    program: Program, compiled: CompiledModel, inputs: list[list[Any]], exhaustive: bool
) -> VerifyResult:
    """Compiled against interpreter on the given inputs: a model compiled for a
    narrower domain (a task's valid inputs) is only exact there."""
    tolerance = TOLERANCE if compiled.output_encoding == "numerical" else 0.0
    result = VerifyResult(0, 0, exhaustive, tolerance=tolerance)
    for start in range(0, len(inputs), BATCH):
        chunk = inputs[start : start + BATCH]
        expected = program.evaluate(chunk).output
        got = compiled.run_batch(chunk)
        for x, g, e in zip(chunk, got, expected):
            result.checked += 1
            if same_output(g, e, tolerance):
                result.exact += 1
            elif len(result.mismatches) < 5:
                result.mismatches.append({"input": x, "compiled": g, "interpreter": e})
    return result
