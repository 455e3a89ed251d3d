"""Multi-head attention with per-head weights laid out as TransformerLens does.

Per-head tensors ([n_heads, d_model, d_head] and so on) make each head's QK and OV
circuits directly readable and writable, which both analysis and compilation need.
"""

from __future__ import annotations

import torch
from torch import nn

from rasplab.model.hooks import HookPoint


class Attention(nn.Module):
    """n_heads heads of width d_head; scores = (q . k) * scale, masked, then softmax."""

    def __init__(self, d_model: int, n_heads: int, d_head: int, scale: float) -> None:
        super().__init__()
        self.n_heads, self.d_head, self.scale = n_heads, d_head, scale
        self.W_Q = nn.Parameter(torch.empty(n_heads, d_model, d_head))
        self.W_K = nn.Parameter(torch.empty(n_heads, d_model, d_head))
        self.W_V = nn.Parameter(torch.empty(n_heads, d_model, d_head))
        self.W_O = nn.Parameter(torch.empty(n_heads, d_head, d_model))
        self.b_Q = nn.Parameter(torch.empty(n_heads, d_head))
        self.b_K = nn.Parameter(torch.empty(n_heads, d_head))
        self.b_V = nn.Parameter(torch.empty(n_heads, d_head))
        self.b_O = nn.Parameter(torch.empty(d_model))
        self.hook_q = HookPoint()  # [batch, pos, head, d_head]
        self.hook_k = HookPoint()
        self.hook_v = HookPoint()
        self.hook_attn_scores = HookPoint()  # [batch, head, query, key]; -inf where masked
        self.hook_pattern = HookPoint()  # [batch, head, query, key]
        self.hook_z = HookPoint()  # [batch, pos, head, d_head]
        self.hook_result = HookPoint()  # [batch, pos, head, d_model]; only computed when hooked

    def forward(self, x: torch.Tensor, allowed: torch.Tensor | None) -> torch.Tensor:
        """x: [batch, pos, d_model]; allowed: broadcastable to [batch, head, query, key]."""
        q = self.hook_q(torch.einsum("bpm,hmd->bphd", x, self.W_Q) + self.b_Q)
        k = self.hook_k(torch.einsum("bpm,hmd->bphd", x, self.W_K) + self.b_K)
        v = self.hook_v(torch.einsum("bpm,hmd->bphd", x, self.W_V) + self.b_V)
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) * self.scale
        if allowed is not None:
            scores = scores.masked_fill(~allowed, float("-inf"))
        pattern = self.hook_attn_scores(scores).softmax(dim=-1)
        if allowed is not None:
            # A query with no key to read (a padding row) gets zeros instead of NaNs.
            pattern = pattern.masked_fill(~allowed, 0.0)
        pattern = self.hook_pattern(pattern)
        z = self.hook_z(torch.einsum("bhqk,bkhd->bqhd", pattern, v))
        if self.hook_result.active:
            result = self.hook_result(torch.einsum("bqhd,hdm->bqhm", z, self.W_O))
            return result.sum(dim=2) + self.b_O
        return torch.einsum("bqhd,hdm->bqm", z, self.W_O) + self.b_O

    def extra_repr(self) -> str:
        return f"n_heads={self.n_heads}, d_head={self.d_head}, scale={self.scale:g}"


def attention_allowed(
    n_pos: int, causal: bool, attention_mask: torch.Tensor | None, device: torch.device
) -> torch.Tensor | None:
    """Which keys each query may read: bool [batch or 1, 1, query, key], or None for all.

    attention_mask is [batch, pos], True (or 1) at real tokens; padding keys are never read.
    """
    allowed = None
    if causal:
        allowed = torch.ones(n_pos, n_pos, dtype=torch.bool, device=device).tril()[None, None]
    if attention_mask is not None:
        keys = attention_mask.to(device=device, dtype=torch.bool)[:, None, None, :]
        allowed = keys if allowed is None else allowed & keys
    return allowed
