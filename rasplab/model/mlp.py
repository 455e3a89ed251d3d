"""The MLP sublayer: one hidden layer, its width free per transformer layer."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rasplab.model.hooks import HookPoint

ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class MLP(nn.Module):
    """act(x @ W_in + b_in) @ W_out + b_out, with hooks before and after the activation."""

    def __init__(self, d_model: int, d_mlp: int, act_fn: str) -> None:
        super().__init__()
        self.W_in = nn.Parameter(torch.empty(d_model, d_mlp))
        self.b_in = nn.Parameter(torch.empty(d_mlp))
        self.W_out = nn.Parameter(torch.empty(d_mlp, d_model))
        self.b_out = nn.Parameter(torch.empty(d_model))
        self.act = ACTIVATIONS[act_fn]
        self.hook_pre = HookPoint()
        self.hook_post = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.hook_pre(x @ self.W_in + self.b_in)
        post = self.hook_post(self.act(pre))
        return post @ self.W_out + self.b_out
