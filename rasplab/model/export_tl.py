"""Export to TransformerLens 4.x (the optional `tl` extra), for its tools and users.

TransformerLens gives every layer the same head count, head size and MLP width, so
narrower layers are padded with zero weights; a zero head or zero MLP neuron adds
nothing to the residual stream, so the export computes the same function. It also
divides scores by sqrt(d_head) (and refuses a divisor of 1), so our scale is folded
into W_Q and b_Q instead.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

from rasplab.model.transformer import Transformer

if TYPE_CHECKING:
    from transformer_lens.model_bridge import TransformerBridge


def to_transformer_lens(model: Transformer) -> TransformerBridge:
    """A TransformerBridge computing the same logits, on the model's device and dtype.

    Built with TransformerBridge.boot_native, loaded through convert_tl_checkpoint and
    load_state_dict(strict=True). Hook names match ours for the components both have.
    """
    try:
        from transformer_lens.config import TransformerBridgeConfig
        from transformer_lens.model_bridge import TransformerBridge
        from transformer_lens.utilities.tl_checkpoint_conversion import convert_tl_checkpoint
    except ImportError as e:
        raise ImportError("exporting needs TransformerLens 4.x: pip install 'rasplab[tl]'") from e
    cfg = model.cfg
    if cfg.n_layers == 0:
        raise ValueError("TransformerLens cannot hold a model with no layers")
    widths = [d for n, d in zip(cfg.heads_per_layer, cfg.d_head_per_layer) if n]
    n_heads = max(max(cfg.heads_per_layer), 1)
    d_head = max(widths, default=1)
    d_mlp = max(cfg.d_mlp_per_layer)
    first = next(model.parameters())
    tl_cfg = TransformerBridgeConfig(
        d_model=cfg.d_model,
        d_head=d_head,
        n_layers=cfg.n_layers,
        n_ctx=cfg.n_ctx,
        n_heads=n_heads,
        d_vocab=cfg.d_vocab,
        d_vocab_out=cfg.d_vocab_out,
        d_mlp=d_mlp or None,
        attn_only=d_mlp == 0,
        act_fn=cfg.act_fn,
        eps=cfg.ln_eps,
        normalization_type=cfg.normalization,
        attention_dir="causal" if cfg.causal else "bidirectional",
        positional_embedding_type="standard",
        seed=0,  # boot_native then leaves the global RNG alone; its weights are replaced
        device=str(first.device),
        dtype=first.dtype,
    )
    bridge = TransformerBridge.boot_native(tl_cfg, device=first.device, dtype=first.dtype)
    state = _padded_state_dict(model, n_heads, d_head, d_mlp)
    bridge.load_state_dict(convert_tl_checkpoint(state, tl_cfg), strict=True)
    return bridge


@torch.no_grad()
def _padded_state_dict(
    model: Transformer, n_heads: int, d_head: int, d_mlp: int
) -> dict[str, torch.Tensor]:
    """Our state dict with every layer zero-padded to the widest, scales folded into W_Q."""
    cfg = model.cfg
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    template = state["embed.W_E"]
    if not cfg.positional_embeddings:
        state["pos_embed.W_pos"] = template.new_zeros(cfg.n_ctx, cfg.d_model)
    shapes = {
        "attn.W_Q": (n_heads, cfg.d_model, d_head),
        "attn.W_K": (n_heads, cfg.d_model, d_head),
        "attn.W_V": (n_heads, cfg.d_model, d_head),
        "attn.W_O": (n_heads, d_head, cfg.d_model),
        "attn.b_Q": (n_heads, d_head),
        "attn.b_K": (n_heads, d_head),
        "attn.b_V": (n_heads, d_head),
        "attn.b_O": (cfg.d_model,),
        "mlp.W_in": (cfg.d_model, d_mlp),
        "mlp.b_in": (d_mlp,),
        "mlp.W_out": (d_mlp, cfg.d_model),
        "mlp.b_out": (cfg.d_model,),
    }
    for layer, block in enumerate(model.blocks):
        for suffix, shape in shapes.items():
            if suffix.startswith("mlp") and d_mlp == 0:
                continue
            key = f"blocks.{layer}.{suffix}"
            padded = template.new_zeros(shape)
            if key in state:
                value = state[key]
                padded[tuple(slice(0, n) for n in value.shape)] = value
            state[key] = padded
        if cfg.normalization == "LN":  # TransformerLens norms every block's inputs
            for ln in ("ln1", "ln2") if d_mlp else ("ln1",):
                state.setdefault(f"blocks.{layer}.{ln}.w", template.new_ones(cfg.d_model))
                state.setdefault(f"blocks.{layer}.{ln}.b", template.new_zeros(cfg.d_model))
        if block.attn is not None:
            fold = block.attn.scale * math.sqrt(d_head)
            state[f"blocks.{layer}.attn.W_Q"] *= fold
            state[f"blocks.{layer}.attn.b_Q"] *= fold
    return state
