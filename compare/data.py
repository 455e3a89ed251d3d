"""Held-out inputs, their scored positions, and base/source pairs for interventions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rasplab.compare.adapter import Adapter, CompareError
from rasplab.rasp import Program, RaspError

HELD_OUT_SEED = 10_007  # far from the seeds training uses


@dataclass
class Inputs:
    tokens: list[list[Any]]
    scored: list[list[bool]]


def held_out(adapter: Adapter, program: Program, task, n: int, seed: int) -> Inputs:
    """Inputs the model was not trained on (a separate seed), scored where the task
    scores, on which the program runs without error."""
    rng = np.random.default_rng(HELD_OUT_SEED + seed)
    if task is not None:
        tokens, targets = task.sample(rng, n)
        scored = [[t is not None for t in target] for target in targets]
    else:
        lengths = rng.integers(1, adapter.max_len + 1, size=n)
        tokens = [
            [adapter.vocab[i] for i in rng.integers(len(adapter.vocab), size=int(k))]
            for k in lengths
        ]
        scored = [[True] * len(x) for x in tokens]
    keep = []
    for i, x in enumerate(tokens):
        try:
            program(x)
            keep.append(i)
        except RaspError:
            continue
    if not keep:
        raise CompareError(f"program '{program.name}' fails on every input of the task")
    return Inputs([tokens[i] for i in keep], [scored[i] for i in keep])


def by_length(inputs: Inputs) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for i, x in enumerate(inputs.tokens):
        groups.setdefault(len(x), []).append(i)
    return groups


def pairs(inputs: Inputs, seed: int) -> list[tuple[int, int]]:
    """(base, source) index pairs of equal length, each base once, source != base."""
    rng = np.random.default_rng(seed)
    result = []
    for group in by_length(inputs).values():
        if len(group) < 2:
            continue
        sources = rng.permutation(group)
        for base, source in zip(group, sources):
            if base == source:
                source = group[(group.index(base) + 1) % len(group)]
            result.append((base, int(source)))
    rng.shuffle(result)
    return result


def longer_pairs(inputs: Inputs, seed: int) -> list[tuple[int, int]]:
    """(base, source) pairs whose source is longer than its base, each base once (where
    a longer input exists): a swap defined on the base's positions, so that a value
    that depends on the length (length, length - i - 1) can differ between the two."""
    rng = np.random.default_rng(seed + 1)
    groups = by_length(inputs)
    lengths = sorted(groups)
    result = []
    for length in lengths:
        longer = [i for k in lengths if k > length for i in groups[k]]
        if not longer:
            continue
        for base in groups[length]:
            result.append((base, int(longer[rng.integers(len(longer))])))
    rng.shuffle(result)
    return result
