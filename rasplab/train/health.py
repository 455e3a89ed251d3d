"""Is a model fit to be checkpointed? A loss can stay finite while a step blows the
weights up (|w| ~ 1e37); such a model must not overwrite the last good checkpoint.

The rule: every weight finite, and the largest |w| at most GROWTH times what it was at
the last checkpoint (or at the start), with FLOOR as the smallest bound, so a
freshly initialised model (|w| ~ 0.02) may grow to ordinary sizes.
"""

from __future__ import annotations

import math

import torch

GROWTH = 1000.0
FLOOR = 1000.0


def largest_weight(model: torch.nn.Module) -> float:
    """The largest |w| over the model's parameters; inf or nan when one is not finite."""
    with torch.no_grad():
        sizes = [p.detach().abs().max().item() for p in model.parameters() if p.numel()]
    if any(math.isnan(size) for size in sizes):
        return math.nan
    return max(sizes, default=0.0)


def weight_problem(size: float, previous: float) -> str | None:
    """Why a model whose largest |w| is `size` must not be saved, or None."""
    if not math.isfinite(size):
        return f"a weight is {size}"
    bound = max(GROWTH * previous, FLOOR)
    if size > bound:
        return (
            f"the largest weight grew to {size:.3g} (from {previous:.3g} at the last "
            f"checkpoint; the bound is {bound:.3g})"
        )
    return None
