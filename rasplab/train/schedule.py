"""The learning rate at each step: linear warm-up, then cosine decay or constant.

Cosine decay to zero is the default: the last steps take small steps, which settles
held-out accuracy at the end of a short run. Full-batch (grokking) recipes keep the
rate constant after warm-up, as Nanda et al. (2023) do, because what they study
happens late in training and must not be damped by a shrinking rate.
"""

from __future__ import annotations

import math

from rasplab.tasks import Recipe


def learning_rate(recipe: Recipe, step: int) -> float:
    """The rate of optimiser step `step` (0-based) of `recipe.steps`."""
    if step < recipe.warmup:
        return recipe.lr * (step + 1) / recipe.warmup
    if recipe.full_batch:
        return recipe.lr
    progress = (step - recipe.warmup) / max(1, recipe.steps - recipe.warmup)
    return recipe.lr * 0.5 * (1 + math.cos(math.pi * progress))
