"""One transformer layer: optional attention, then optional MLP, each added to the residual.

A layer with 0 heads has no attention (and no hooks for it); a layer with MLP width 0
has no MLP. Compiled models use this to schedule only the components they need.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from rasplab.model.attention import Attention
from rasplab.model.config import TransformerConfig
from rasplab.model.hooks import HookPoint
from rasplab.model.layernorm import normalization
from rasplab.model.mlp import MLP


class TransformerBlock(nn.Module):
    """Pre-norm residual block: resid += attn(ln1(resid)); resid += mlp(ln2(resid))."""

    def __init__(self, cfg: TransformerConfig, layer: int) -> None:
        super().__init__()
        n_heads = cfg.heads_per_layer[layer]
        d_head = cfg.d_head_per_layer[layer]
        d_mlp = cfg.d_mlp_per_layer[layer]
        scale = cfg.attn_scale if cfg.attn_scale is not None else d_head**-0.5

        # Registration order is forward order, so hook_points() lists them that way.
        self.hook_resid_pre = HookPoint()
        self.ln1: nn.Module | None = None
        self.attn: Attention | None = None
        self.hook_attn_out: HookPoint | None = None
        if n_heads:
            self.ln1 = normalization(cfg)
            self.attn = Attention(cfg.d_model, n_heads, d_head, scale)
            self.hook_attn_out = HookPoint()
        self.hook_resid_mid = HookPoint()
        self.ln2: nn.Module | None = None
        self.mlp: MLP | None = None
        self.hook_mlp_out: HookPoint | None = None
        if d_mlp:
            self.ln2 = normalization(cfg)
            self.mlp = MLP(cfg.d_model, d_mlp, cfg.act_fn)
            self.hook_mlp_out = HookPoint()
        self.hook_resid_post = HookPoint()

    def forward(
        self,
        resid: torch.Tensor,
        allowed: torch.Tensor | None,
        keep: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """keep, if given, picks the rows that matter from resid_mid, so the MLP runs
        only there; the caller passes it only when no hook in this block is attached."""
        resid = self.hook_resid_pre(resid)
        if self.attn is not None:
            resid = resid + self.hook_attn_out(self.attn(self.ln1(resid), allowed))
        resid = self.hook_resid_mid(resid)
        if keep is not None:
            resid = keep(resid)
        if self.mlp is not None:
            resid = resid + self.hook_mlp_out(self.mlp(self.ln2(resid)))
        return self.hook_resid_post(resid)
