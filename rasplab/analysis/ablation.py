"""Ablation: what the model loses when a component's output is replaced.

Mean ablation puts in the component's mean over the probe at the same position;
resample ablation puts in its value on another input of the same length (a fixed,
seeded permutation). Either keeps the activation on the data's distribution, unlike
zeroing. Effects are on the same measure as DLA (correct - mean logit), on the loss
and on accuracy, so the two can be read side by side: a component that raises the
right logit has DLA and ablation agree; one that mostly suppresses a wrong answer has
small DLA but a large ablation effect on the loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from rasplab.analysis.components import Component
from rasplab.analysis.inputs import Probe
from rasplab.model import Transformer

Method = Literal["mean", "resample"]


@dataclass(frozen=True)
class Scores:
    """Mean correct - mean logit, cross-entropy loss and accuracy at scored positions."""

    measure: float
    loss: float
    accuracy: float


def scores(logits: torch.Tensor, probe: Probe) -> Scores:
    scored = probe.scored.to(logits.device)
    answers = probe.targets.to(logits.device)[scored]
    chosen = logits[scored].double()
    centred = chosen - chosen.mean(1, keepdim=True)
    return Scores(
        float(centred.gather(1, answers[:, None]).mean()),
        float(F.cross_entropy(chosen, answers)),
        float((chosen.argmax(1) == answers).double().mean()),
    )


def ablation_effects(
    model: Transformer,
    probe: Probe,
    parts: Sequence[Component],
    method: Method = "mean",
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Per component: the change in measure, loss and accuracy (ablated - clean)."""
    device = next(model.parameters()).device
    tokens, mask = probe.tokens.to(device), probe.mask.to(device)
    hooks = sorted({c.hook for c in parts})
    with torch.no_grad():
        logits, cache = model.run_with_cache(tokens, hooks, attention_mask=mask)
    clean = scores(logits, probe)
    donors = torch.as_tensor(same_length_donors(probe.mask, seed), device=device)
    effects = {}
    for c in parts:
        replacement = _replacement(cache[c.hook], mask, method, donors)

        def patch(act: torch.Tensor, hook, c: Component = c, new: torch.Tensor = replacement):
            act = act.clone()
            if c.index is None:
                return new.expand_as(act).clone()
            if c.kind == "head":
                act[:, :, c.index] = new.expand_as(act)[:, :, c.index]
            else:
                act[..., c.index] = new.expand_as(act)[..., c.index]
            return act

        with torch.no_grad():
            ablated = scores(
                model.run_with_hooks(tokens, [(c.hook, patch)], attention_mask=mask), probe
            )
        effects[c.name] = {
            "measure": ablated.measure - clean.measure,
            "loss": ablated.loss - clean.loss,
            "accuracy": ablated.accuracy - clean.accuracy,
        }
    return effects


def _replacement(act: torch.Tensor, mask: torch.Tensor, method: Method, donors: torch.Tensor):
    """The values an ablated activation [batch, pos, ...] takes."""
    if method == "resample":
        return act[donors]
    if method != "mean":
        raise ValueError(f"ablation method must be 'mean' or 'resample', got {method!r}")
    weights = mask.to(act.dtype).reshape(*mask.shape, *([1] * (act.ndim - 2)))
    return ((act * weights).sum(0) / weights.sum(0).clamp_min(1))[None]


def same_length_donors(mask: torch.Tensor, seed: int) -> np.ndarray:
    """For each row, another row of the same length (itself only when it is alone)."""
    lengths = mask.sum(1).cpu().numpy()
    rng = np.random.default_rng(seed)
    donors = np.arange(len(lengths))
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        if len(rows) > 1:
            order = rng.permutation(rows)
            donors[order] = np.roll(order, 1)  # a cycle: nobody is their own donor
    return donors
