"""Does the model compute the program's output? Per position and per sequence."""

from __future__ import annotations

import math
from typing import Any

import torch
from rasplab.compare.adapter import Adapter
from rasplab.compare.data import Inputs, by_length
from rasplab.rasp import Program


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (str, bool)) or isinstance(b, (str, bool)):
        return a == b and type(a) is type(b)
    return math.isclose(float(a), float(b), abs_tol=1e-4)


@torch.no_grad()
def predictions(adapter: Adapter, tokens: list[list[Any]]) -> list[list[Any]]:
    result: list[list[Any] | None] = [None] * len(tokens)
    for group in by_length(Inputs(tokens, [])).values():
        logits = adapter.model(adapter.ids([tokens[i] for i in group]))
        for i, row in zip(group, adapter.decode(logits)):
            result[i] = row
    return result  # type: ignore[return-value]


def agreement(got: list[list[Any]], want: list[list[Any]], scored: list[list[bool]]):
    """(position accuracy, sequence accuracy) over the scored positions."""
    positions = correct = sequences = 0
    for g, w, mask in zip(got, want, scored):
        hits = [same_value(a, b) for a, b, keep in zip(g, w, mask) if keep]
        positions += len(hits)
        correct += sum(hits)
        sequences += all(hits)
    return correct / max(positions, 1), sequences / max(len(got), 1)


def behaviour(adapter: Adapter, program: Program, inputs: Inputs) -> dict[str, float]:
    want = program.evaluate(inputs.tokens).output
    position, sequence = agreement(predictions(adapter, inputs.tokens), want, inputs.scored)
    return {
        "position_accuracy": position,
        "sequence_accuracy": sequence,
        "inputs": len(inputs.tokens),
    }


def longer_inputs(adapter: Adapter, program: Program, inputs: Inputs, n: int, seed: int):
    """Random inputs longer than any held-out one, up to what the model takes, on
    which the program runs (all positions scored); None when the model takes none."""
    import numpy as np
    from rasplab.rasp import RaspError

    longest = max(len(x) for x in inputs.tokens)
    if adapter.max_len <= longest:
        return None
    rng = np.random.default_rng(seed)
    tokens = []
    for _ in range(n):
        length = int(rng.integers(longest + 1, adapter.max_len + 1))
        x = [adapter.vocab[i] for i in rng.integers(len(adapter.vocab), size=length)]
        try:
            program(x)
        except RaspError:
            continue
        tokens.append(x)
    return Inputs(tokens, [[True] * len(x) for x in tokens]) if tokens else None
