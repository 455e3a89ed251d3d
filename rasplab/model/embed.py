"""Token and position embeddings in, logits out: the ends of the residual stream."""

from __future__ import annotations

import torch
from torch import nn


class Embed(nn.Module):
    """Token id -> residual vector (a row of W_E)."""

    def __init__(self, d_vocab: int, d_model: int) -> None:
        super().__init__()
        self.W_E = nn.Parameter(torch.empty(d_vocab, d_model))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.W_E[tokens]


class PosEmbed(nn.Module):
    """Position -> residual vector (a row of W_pos), the same for every sequence in a batch."""

    def __init__(self, n_ctx: int, d_model: int) -> None:
        super().__init__()
        self.W_pos = nn.Parameter(torch.empty(n_ctx, d_model))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        batch, n_pos = tokens.shape
        return self.W_pos[:n_pos].expand(batch, n_pos, -1)


class Unembed(nn.Module):
    """Residual vector -> logits over the output classes."""

    def __init__(self, d_model: int, d_vocab_out: int) -> None:
        super().__init__()
        self.W_U = nn.Parameter(torch.empty(d_model, d_vocab_out))
        self.b_U = nn.Parameter(torch.empty(d_vocab_out))

    def forward(self, resid: torch.Tensor) -> torch.Tensor:
        return resid @ self.W_U + self.b_U
