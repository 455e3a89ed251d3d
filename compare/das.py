"""Interchange interventions with a learned linear alignment (distributed
alignment search, Geiger et al. 2023).

For an s-op at a residual site, an orthogonal matrix R (d x d, kept orthogonal
by torch's parametrization) is trained so that swapping the first k rotated
coordinates of the base run's residual with the source run's, at every input
position, makes the model output what the program outputs when that s-op's
values come from the source. k is the rank of the s-op's compiled subspace.
Only the rotation is trained; the model stays frozen. Interchange-intervention
accuracy (IIA) is measured on held-out pairs whose counterfactual output differs
from the base output, so that ignoring the intervention scores nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch
from rasplab.compare.adapter import IGNORE, Adapter
from torch import nn


@dataclass
class PairBatch:
    """Same-length base and source ids, the counterfactual classes and base classes."""

    base: torch.Tensor
    source: torch.Tensor
    counterfactual: torch.Tensor  # [batch, n] class ids, IGNORE where unscored
    base_output: torch.Tensor


class Alignment(nn.Module):
    """R's first k rows span the subspace that holds the variable."""

    def __init__(self, d_model: int, rank: int, init: torch.Tensor | None = None) -> None:
        super().__init__()
        self.rank = rank
        self.linear = nn.Linear(d_model, d_model, bias=False)
        if init is not None:
            with torch.no_grad():
                self.linear.weight.copy_(_complete_basis(init, d_model))
        nn.utils.parametrizations.orthogonal(self.linear)

    def basis(self) -> torch.Tensor:
        return self.linear.weight[: self.rank]  # [k, d], orthonormal rows

    def swap(self, base: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
        basis = self.basis()
        return base + ((source - base) @ basis.T) @ basis


def _complete_basis(rows: torch.Tensor, d: int) -> torch.Tensor:
    """An orthogonal d x d matrix whose first rows span `rows` (from a probe)."""
    q, _ = torch.linalg.qr(torch.cat([rows.T.double(), torch.eye(d, dtype=torch.float64)], 1))
    return q.T[:d].float()


@contextmanager
def frozen(model: nn.Module):
    flags = [p.requires_grad for p in model.parameters()]
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(model.parameters(), flags):
            p.requires_grad_(flag)


def intervened_logits(
    adapter: Adapter, site: str, alignment: Alignment, batch: PairBatch, source_acts: torch.Tensor
) -> torch.Tensor:
    def swap(h: torch.Tensor, hook) -> torch.Tensor:
        patched = alignment.swap(h[:, 1:], source_acts[:, 1:])
        return torch.cat([h[:, :1], patched], dim=1)

    return adapter.model.run_with_hooks(batch.base, fwd_hooks=[(site, swap)])


@torch.no_grad()
def source_activations(adapter: Adapter, site: str, ids: torch.Tensor) -> torch.Tensor:
    _, cache = adapter.model.run_with_cache(ids, names_filter=[site])
    return cache[site]


def train(
    adapter: Adapter,
    site: str,
    rank: int,
    batches: list[PairBatch],
    steps: int,
    seed: int,
    init: torch.Tensor | None = None,
    lr: float = 0.003,
) -> Alignment:
    torch.manual_seed(seed)
    d_model = adapter.model.cfg.d_model
    alignment = Alignment(d_model, min(rank, d_model), init).to(adapter.device)
    optimizer = torch.optim.Adam(alignment.parameters(), lr=lr)
    sources = [source_activations(adapter, site, b.source) for b in batches]
    with frozen(adapter.model):
        for step in range(steps):
            i = step % len(batches)
            logits = intervened_logits(adapter, site, alignment, batches[i], sources[i])
            loss = nn.functional.cross_entropy(
                logits[:, 1:].reshape(-1, logits.shape[-1]),
                batches[i].counterfactual.reshape(-1),
                ignore_index=IGNORE,
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return alignment


@torch.no_grad()
def iia(adapter: Adapter, site: str, alignment: Alignment, batches: list[PairBatch]) -> dict:
    """Accuracy against the counterfactual on pairs where it differs from the base output."""
    positions = correct = sequences = hits = 0
    for batch in batches:
        logits = intervened_logits(
            adapter, site, alignment, batch, source_activations(adapter, site, batch.source)
        )
        predicted = logits[:, 1:].argmax(dim=-1)
        scored = batch.counterfactual != IGNORE
        effective = ((batch.counterfactual != batch.base_output) & scored).any(dim=1)
        right = (predicted == batch.counterfactual) | ~scored
        positions += int(scored[effective].sum())
        correct += int(((predicted == batch.counterfactual) & scored)[effective].sum())
        sequences += int(effective.sum())
        hits += int(right.all(dim=1)[effective].sum())
    if not sequences:
        return {"position": None, "sequence": None, "pairs": 0}
    return {"position": correct / positions, "sequence": hits / sequences, "pairs": sequences}
