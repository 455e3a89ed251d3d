"""Initial weights: random for training, or all zeros for a compiler to fill in."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import torch

if TYPE_CHECKING:
    from rasplab.model.transformer import Transformer

Init = Literal["normal", "zeros"]

# Projections that write into the residual stream; GPT-2 scales these down by depth
# so the stream's variance does not grow with the number of layers.
_RESIDUAL_WRITERS = {"W_O", "W_out"}


@torch.no_grad()
def init_weights(
    model: Transformer,
    init: Init,
    std: float | None = None,
    generator: torch.Generator | None = None,
) -> None:
    """Set every parameter of `model` in place.

    "normal": weight matrices ~ N(0, std^2), std defaulting to 0.8/sqrt(d_model) as in
    TransformerLens, residual writers (W_O, W_out) scaled by 1/sqrt(2 * n_layers);
    biases 0; LayerNorm w = 1, b = 0. Draws from `generator` if given, else the global
    torch RNG (so torch.manual_seed makes it reproducible).
    "zeros": every parameter 0, LayerNorm weights included.
    """
    if init == "zeros":
        for p in model.parameters():
            p.zero_()
        return
    if init != "normal":
        raise ValueError(f"init must be 'normal' or 'zeros', got {init!r}")
    cfg = model.cfg
    std = 0.8 / math.sqrt(cfg.d_model) if std is None else std
    depth_scale = 1 / math.sqrt(2 * max(cfg.n_layers, 1))
    for name, p in model.named_parameters():
        leaf = name.rsplit(".", 1)[-1]
        if leaf == "w":
            p.fill_(1.0)
        elif leaf.startswith("b"):
            p.zero_()
        else:
            scale = std * depth_scale if leaf in _RESIDUAL_WRITERS else std
            device = generator.device if generator is not None else p.device
            noise = torch.randn(p.shape, generator=generator, device=device, dtype=p.dtype)
            p.copy_(noise * scale)
