"""LayerNorm with TransformerLens's parameter and hook names (w, b, hook_scale, hook_normalized)."""

from __future__ import annotations

import torch
from torch import nn

from rasplab.model.config import TransformerConfig
from rasplab.model.hooks import HookPoint


class LayerNorm(nn.Module):
    """Centre, divide by the root-mean-square, then scale by w and shift by b.

    hook_scale exposes the divisor, so an analysis can freeze it (treating the
    normalisation as linear), as is common in TransformerLens work.
    """

    def __init__(self, d_model: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.w = nn.Parameter(torch.empty(d_model))
        self.b = nn.Parameter(torch.empty(d_model))
        self.hook_scale = HookPoint()
        self.hook_normalized = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x - x.mean(-1, keepdim=True)
        scale = self.hook_scale((x.pow(2).mean(-1, keepdim=True) + self.eps).sqrt())
        return self.hook_normalized(x / scale * self.w + self.b)


def normalization(cfg: TransformerConfig) -> nn.Module:
    """The configured normalisation; Identity (no parameters, no hooks) when it is off."""
    return LayerNorm(cfg.d_model, cfg.ln_eps) if cfg.normalization == "LN" else nn.Identity()
