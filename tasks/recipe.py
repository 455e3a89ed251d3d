"""The default training recipe of a task: what the trainer builds and how it trains.

A plain dataclass so the trainer (and a user overriding one field with
`dataclasses.replace`) needs nothing from this package but the numbers. Each task
declares its recipe once, with its definition. Where a recipe was measured
(bench/train/recipes.py: >= 99% held-out sequence accuracy on a CPU, seeds 0-2), the
task declares the measured values: a short warm-up, a higher rate, and few steps of
cosine decay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Recipe:
    """Model shape and optimiser settings that should solve the task.

    Model (field names follow `model.TransformerConfig`):
      n_layers, d_model, n_heads (per layer; d_head = d_model // n_heads),
      d_mlp (0 = attention-only), act_fn, normalization (None = no LayerNorm, "LN").
      uniform_attention: hold every W_Q and W_K at zero (not trained), so each head
        attends uniformly to the positions it may see and the attention layer is a
        fixed average of the embeddings; with one layer the model is then a
        1-hidden-layer MLP on the summed embeddings (see `mod_add_mlp`).
    Optimiser: AdamW with lr, weight_decay, a linear warm-up over `warmup` steps,
      `steps` optimiser steps in all, `batch_size` sequences per step.
    Data: full_batch trains on the whole training set at every step (grokking);
      train_fraction is the share of a finite task's `enumerate()` used for training
      (the rest is held out) and must be None for tasks sampled without end.
    """

    n_layers: int = 2
    d_model: int = 64
    n_heads: int = 4
    d_mlp: int = 256
    act_fn: Literal["relu", "gelu"] = "relu"
    normalization: Literal["LN"] | None = "LN"
    uniform_attention: bool = False
    lr: float = 1e-3
    weight_decay: float = 0.01
    batch_size: int = 256
    steps: int = 5000
    warmup: int = 100
    full_batch: bool = False
    train_fraction: float | None = None

    def __post_init__(self) -> None:
        if self.n_heads and self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by n_heads {self.n_heads}")
        if self.train_fraction is not None and not 0 < self.train_fraction < 1:
            raise ValueError(f"train_fraction must lie in (0, 1), got {self.train_fraction}")
