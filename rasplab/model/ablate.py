"""Knock-outs with a known effect: ground truth for methods that must notice when a
model no longer computes what it did."""

from __future__ import annotations

import copy

import torch

from rasplab.model.transformer import Transformer


def without_head(model: Transformer, layer: int, head: int) -> Transformer:
    """A copy of `model` whose head `head` in layer `layer` writes nothing (W_O zeroed)."""
    attn = model.blocks[layer].attn
    if attn is None or not 0 <= head < attn.n_heads:
        raise ValueError(f"layer {layer} has no head {head}")
    out = copy.deepcopy(model)
    with torch.no_grad():
        out.blocks[layer].attn.W_O[head].zero_()
    return out


def without_layer(model: Transformer, layer: int) -> Transformer:
    """A copy of `model` whose layer `layer` writes nothing: its attention and MLP
    outputs (weights and biases) zeroed, so the residual passes through unchanged."""
    if not 0 <= layer < model.cfg.n_layers:
        raise ValueError(f"the model has no layer {layer} (n_layers={model.cfg.n_layers})")
    out = copy.deepcopy(model)
    block = out.blocks[layer]
    with torch.no_grad():
        if block.attn is not None:
            block.attn.W_O.zero_()
            block.attn.b_O.zero_()
        if block.mlp is not None:
            block.mlp.W_out.zero_()
            block.mlp.b_out.zero_()
    return out
