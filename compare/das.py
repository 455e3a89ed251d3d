"""Interchange interventions through a learned linear alignment (distributed
alignment search, Geiger et al. 2023).

For a variable at a residual site, a k-dimensional subspace is trained so that
swapping the base run's component in it for the source run's, at the swapped
positions, makes the model output what the program outputs when the variable's
values come from the source. Only the subspace is trained; the model is frozen.

Everything is done in the site's own frame: the principal axes of its
activations over the held-out inputs (signs fixed by the data). A change of basis
of the residual stream moves the frame with it, so the search, its initialisation
(the span of the variable's class means) and its result do not depend on the
basis the model happens to be written in. Directions the activations never use
cannot carry anything and are left out.

Interchange-intervention accuracy (IIA) is measured on held-out pairs whose
target differs from the base output, so that ignoring the intervention scores
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import torch
from rasplab.compare.adapter import IGNORE, Adapter
from rasplab.compare.sites import SiteActivations
from rasplab.compare.variables import PairBatch
from torch import nn

Target = Literal["counterfactual", "shuffled"]


@dataclass
class IIA:
    sequence: float | None
    position: float | None
    pairs: int

    def to_json(self) -> dict[str, Any]:
        return {"sequence": self.sequence, "position": self.position, "pairs": self.pairs}


def frame(rows: torch.Tensor, tol: float = 1e-6) -> torch.Tensor:
    """[d, r] orthonormal principal axes of the rows (centred), largest first, each
    signed so the rows' third moment along it is positive: a basis the data fixes."""
    x = rows.double() - rows.double().mean(0, keepdim=True)
    _, s, vh = torch.linalg.svd(x, full_matrices=False)
    keep = s > tol * max(float(s.max()) if len(s) else 0.0, 1e-12)
    axes = vh[keep]
    skew = ((x @ axes.T) ** 3).sum(0)
    axes = axes * torch.where(skew < 0, -1.0, 1.0).to(axes.dtype).unsqueeze(1)
    return axes.T.float()


def class_mean_directions(rows: torch.Tensor, labels: Sequence[Any], k: int) -> torch.Tensor:
    """[<=k, d] orthonormal directions spanning the variable's class means (weighted
    by class size): where its values differ on average."""
    x = rows.double() - rows.double().mean(0, keepdim=True)
    classes: dict[Any, list[int]] = {}
    for i, label in enumerate(labels):
        classes.setdefault(label, []).append(i)
    means = torch.stack([x[idx].mean(0) * len(idx) ** 0.5 for idx in classes.values()])
    _, s, vh = torch.linalg.svd(means, full_matrices=False)
    keep = s > 1e-9 * max(float(s.max()), 1e-12)
    return vh[keep][:k].float()


class Alignment(nn.Module):
    """A k-dimensional subspace of the site's frame, as k orthonormal rows in model
    coordinates (QR of a free [r, k] matrix: only the span matters for a swap)."""

    def __init__(self, axes: torch.Tensor, rank: int, init: torch.Tensor | None = None,
                 seed: int = 0) -> None:
        super().__init__()
        self.register_buffer("axes", axes)
        r = axes.shape[1]
        self.rank = min(rank, r)
        start = torch.randn(r, self.rank, generator=torch.Generator().manual_seed(seed))
        start = start / start.norm(dim=0, keepdim=True)
        if init is not None and len(init):
            coords = (init.to(axes) @ axes).T  # [r, m] in the frame
            m = min(coords.shape[1], self.rank)
            start[:, :m] = coords[:, :m] + start[:, :m] * 1e-3
        self.weight = nn.Parameter(start.to(axes))

    def basis(self) -> torch.Tensor:
        q, _ = torch.linalg.qr(self.weight)
        return (self.axes @ q).T  # [k, d], orthonormal rows


def swap(base: torch.Tensor, source: torch.Tensor, basis: torch.Tensor,
         positions: Sequence[int] | None) -> torch.Tensor:
    """The base activations [batch, n + 1, d] with their component in the subspace
    replaced by the source's, at the given input positions (all when None)."""
    delta = ((source - base) @ basis.T) @ basis
    mask = torch.zeros(base.shape[1], 1, device=base.device, dtype=base.dtype)
    if positions is None:
        mask[1:] = 1
    else:
        mask[[p + 1 for p in positions if p + 1 < base.shape[1]]] = 1
    return base + delta * mask


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


def intervened_logits(adapter: Adapter, acts: SiteActivations, site: str, basis: torch.Tensor,
                      batch: PairBatch, positions: Sequence[int] | None) -> torch.Tensor:
    source = acts.gather(site, batch.sources, batch.length).to(adapter.device)

    def hook(h: torch.Tensor, hook) -> torch.Tensor:
        return swap(h, source, basis, positions)

    return adapter.model.run_with_hooks(batch.base_ids, fwd_hooks=[(site, hook)])


def _targets(batch: PairBatch, target: Target) -> torch.Tensor:
    return batch.counterfactual if target == "counterfactual" else batch.shuffled


def train(adapter: Adapter, acts: SiteActivations, site: str, alignment: Alignment,
          batches: list[PairBatch], steps: int, target: Target = "counterfactual",
          positions: Sequence[int] | None = None, lr: float = 0.01) -> Alignment:
    """Adam on the subspace; stops early once a whole pass over the training
    batches is right on 99% of sequences."""
    optimizer = torch.optim.Adam(alignment.parameters(), lr=lr)
    right = seen = 0
    with frozen(adapter.model):
        for step in range(steps):
            batch = batches[step % len(batches)]
            goal = _targets(batch, target)
            logits = intervened_logits(adapter, acts, site, alignment.basis(), batch, positions)
            loss = nn.functional.cross_entropy(
                logits[:, 1:].reshape(-1, logits.shape[-1]), goal.reshape(-1),
                ignore_index=IGNORE,
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                hit = ((logits[:, 1:].argmax(-1) == goal) | (goal == IGNORE)).all(1)
                right, seen = right + int(hit.sum()), seen + len(hit)
            if (step + 1) % len(batches) == 0:
                if seen and right / seen >= 0.99:
                    break
                right = seen = 0
    return alignment


@torch.no_grad()
def iia(adapter: Adapter, acts: SiteActivations, site: str, basis: torch.Tensor,
        batches: list[PairBatch], target: Target = "counterfactual",
        positions: Sequence[int] | None = None) -> IIA:
    """Accuracy against the target on pairs where it differs from the base output."""
    positions_total = correct = sequences = hits = 0
    for batch in batches:
        goal = _targets(batch, target)
        logits = intervened_logits(adapter, acts, site, basis, batch, positions)
        predicted = logits[:, 1:].argmax(dim=-1)
        scored = goal != IGNORE
        effective = ((goal != batch.base_output) & scored).any(dim=1)
        right = (predicted == goal) | ~scored
        positions_total += int(scored[effective].sum())
        correct += int(((predicted == goal) & scored)[effective].sum())
        sequences += int(effective.sum())
        hits += int(right.all(dim=1)[effective].sum())
    if not sequences:
        return IIA(None, None, 0)
    return IIA(hits / sequences, correct / max(positions_total, 1), sequences)


def random_subspace_iia(adapter: Adapter, acts: SiteActivations, site: str, axes: torch.Tensor,
                        rank: int, batches: list[PairBatch], positions: Sequence[int] | None,
                        seed: int, draws: int = 3) -> float | None:
    """Mean IIA of untrained random subspaces of the same rank in the same frame."""
    scores = []
    for draw in range(draws):
        alignment = Alignment(axes, rank, seed=seed + 101 * (draw + 1))
        result = iia(adapter, acts, site, alignment.basis().detach(), batches, positions=positions)
        if result.sequence is not None:
            scores.append(result.sequence)
    return sum(scores) / len(scores) if scores else None


def ordered(basis: torch.Tensor, rows: torch.Tensor, labels: Sequence[Any]) -> torch.Tensor:
    """The same subspace with its directions ordered by how much of the variable's
    class-mean variation each carries, so its first r rows are the best rank-r part."""
    inside = (rows.double() - rows.double().mean(0, keepdim=True)) @ basis.double().T
    classes: dict[Any, list[int]] = {}
    for i, label in enumerate(labels):
        classes.setdefault(label, []).append(i)
    means = torch.stack([inside[idx].mean(0) * len(idx) ** 0.5 for idx in classes.values()])
    _, _, vh = torch.linalg.svd(means, full_matrices=True)
    return (vh @ basis.double()).float()


def prefix_ranks(rank: int) -> list[int]:
    """1, 2, 4, ... up to the full rank (the full rank last)."""
    ranks, r = [], 1
    while r < rank:
        ranks.append(r)
        r *= 2
    return [*ranks, rank]
