"""The inputs the compiler runs the program on before it builds anything.

Encodings hang on what the program does on real inputs (does a selector ever
pick two keys? does it fail somewhere?), so compile measures it on every input
when there are few, else on samples that reach the widest selections.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from rasplab.rasp import nodes as n
from rasplab.rasp.evaluate import evaluate_batch

SAMPLE_INPUTS = 3_000


def enumerate_inputs(vocab: list[Any], max_len: int, limit: int) -> list[list[Any]] | None:
    """Every input up to max_len, or None when there are more than `limit`."""
    total = sum(len(vocab) ** k for k in range(1, max_len + 1))
    if total > limit:
        return None
    return [list(t) for k in range(1, max_len + 1) for t in itertools.product(vocab, repeat=k)]


def sample_inputs(vocab: list[Any], max_len: int, count: int, seed: int = 0) -> list[list[Any]]:
    """Inputs that exercise selectors: every one when few, else random ones of every
    length plus the constant inputs (the widest selections) and the longest ones."""
    everything = enumerate_inputs(vocab, max_len, count)
    if everything is not None:
        return everything
    rng = np.random.default_rng(seed)
    inputs = [[v] * k for v in vocab for k in (1, max_len)]
    lengths = rng.integers(1, max_len + 1, size=count)
    lengths[: count // 4] = max_len
    for k in lengths:
        inputs.append([vocab[i] for i in rng.integers(0, len(vocab), size=int(k))])
    return inputs


def selector_widths(order: list[n.Node], inputs: list[list[Any]]) -> dict[int, int]:
    """The largest number of keys each selector picks on the inputs, by node uid.

    Runs the program on them, so a program that fails on one raises the
    interpreter's RaspError (compile reports it as a CompileError)."""
    selectors = [x for x in order if isinstance(x, n.Selector)]
    widest: dict[int, int] = {x.uid: 0 for x in selectors}
    sops = [x for x in order if isinstance(x, n.SOp)]
    batch = evaluate_batch(sops + selectors, inputs)
    for _, arrays in batch.groups:
        for x in selectors:
            widest[x.uid] = max(widest[x.uid], int(arrays[x.uid].sum(axis=-1).max()))
    return widest
