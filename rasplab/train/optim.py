"""AdamW (Loshchilov & Hutter, 2019): Adam with weight decay decoupled from the gradient.

Written out here rather than taken from torch.optim for speed on small models: the
first torch.optim optimiser a process builds imports torch._dynamo (about 2 s, as
long as a whole small training run), and each update here is a dozen multi-tensor
kernels over all parameters instead of a dozen kernels per parameter. The update is
the standard one (torch.optim.AdamW computes the same; a test checks it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch


class AdamW:
    """m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  p <- p (1 - lr wd);
    p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)."""

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter],
        weight_decay: float,
        betas: tuple[float, float],
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        self.weight_decay, self.betas, self.eps = weight_decay, betas, eps
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self.steps = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self, lr: float) -> None:
        """One update with learning rate `lr` from the gradients in each parameter's .grad."""
        self.steps += 1
        beta1, beta2 = self.betas
        grads = [p.grad for p in self.params]
        torch._foreach_lerp_(self.exp_avg, grads, 1 - beta1)
        torch._foreach_mul_(self.exp_avg_sq, beta2)
        torch._foreach_addcmul_(self.exp_avg_sq, grads, grads, 1 - beta2)
        torch._foreach_mul_(self.params, 1 - lr * self.weight_decay)
        denominator = torch._foreach_sqrt(self.exp_avg_sq)
        torch._foreach_div_(denominator, math.sqrt(1 - beta2**self.steps))
        torch._foreach_add_(denominator, self.eps)
        step_size = lr / (1 - beta1**self.steps)
        torch._foreach_addcdiv_(self.params, self.exp_avg, denominator, -step_size)

    def state_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "exp_avg": self.exp_avg, "exp_avg_sq": self.exp_avg_sq}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.steps = state["steps"]
        for mine, saved in zip(
            self.exp_avg + self.exp_avg_sq, state["exp_avg"] + state["exp_avg_sq"]
        ):
            mine.copy_(saved)
