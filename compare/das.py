"""Interchange interventions through a learned linear alignment (distributed
alignment search, Geiger et al. 2023).

For a variable at a residual site, a k-dimensional subspace is trained so that
swapping the base run's component in it for the source run's, at the swapped
positions, makes the model output what the program outputs when the variable's
values come from the source. Only the subspace is trained; the model is frozen.

Everything is done in the site's own frame: the principal axes of its
activations over the held-out inputs (signs fixed by the data). A change of basis
of the residual stream moves the frame with it, so the search, its initialisation
(the linear discriminants of the variable's values) and its result do not depend on the
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


def discriminant_directions(rows: torch.Tensor, labels: Sequence[Any], k: int,
                            positions: Sequence[int], axes: torch.Tensor) -> torch.Tensor:
    """[<=k, d] orthonormal directions that separate the variable's values: linear
    discriminant analysis within each position (so the positions that a value comes
    with, as lengths bring positions, are not mistaken for it), between-class scatter
    against within-class scatter, in the site's frame `axes` [d, r]. Directions where
    the classes differ only by sampling noise (say, the tokens that happened to come
    with a class) have large within-class scatter and are left out."""
    x = rows.double() @ axes.double()  # [rows, r]
    r = x.shape[1]
    between = torch.zeros(r, r, dtype=torch.float64)
    within = torch.zeros(r, r, dtype=torch.float64)
    by_position: dict[int, list[int]] = {}
    for i, p in enumerate(positions):
        by_position.setdefault(p, []).append(i)
    for members in by_position.values():
        block = x[members]
        centre = block.mean(0, keepdim=True)
        classes: dict[Any, list[int]] = {}
        for j, i in enumerate(members):
            classes.setdefault(labels[i], []).append(j)
        for idx in classes.values():
            mean = block[idx].mean(0, keepdim=True)
            between += len(idx) * (mean - centre).T @ (mean - centre)
            within += (block[idx] - mean).T @ (block[idx] - mean)
    ridge = 1e-3 * float(within.trace()) / max(r, 1) + 1e-9 * max(float(between.trace()), 1e-12)
    values, vectors = torch.linalg.eigh(within + ridge * torch.eye(r, dtype=torch.float64))
    whiten = vectors @ torch.diag(values.clamp_min(1e-30) ** -0.5) @ vectors.T
    scores, directions = torch.linalg.eigh(whiten @ between @ whiten)
    keep = scores > 1e-9 * max(float(scores.max()), 1e-12)
    chosen = (whiten @ directions[:, keep].flip(1))[:, :k]
    if not chosen.shape[1]:
        return torch.zeros(0, rows.shape[1])
    q, _ = torch.linalg.qr(chosen)
    return (axes.double() @ q).T.float()


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


PATIENCE = 5  # passes without a 1% better training loss before the search gives up


def train(adapter: Adapter, acts: SiteActivations, site: str, alignment: Alignment,
          batches: list[PairBatch], steps: int, target: Target = "counterfactual",
          positions: Sequence[int] | None = None, lr: float = 0.01) -> Alignment:
    """Adam on the subspace, keeping the best subspace seen over whole passes of the
    training batches (Adam's first steps move every weight by about lr even where the
    gradient vanishes, so a start that is already right is never trained away); stops
    once a pass is right on 99% of sequences, or when the loss has stopped falling."""
    best_score, best_loss = _pass(adapter, acts, site, alignment, batches, target, positions)
    if best_score >= 0.99 or steps <= 0:
        return alignment
    best_weight = alignment.weight.detach().clone()
    optimizer = torch.optim.Adam(alignment.parameters(), lr=lr)
    stale = 0
    with frozen(adapter.model):
        for step in range(steps):
            batch = batches[step % len(batches)]
            logits = intervened_logits(adapter, acts, site, alignment.basis(), batch, positions)
            loss = _loss(logits, _targets(batch, target))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if (step + 1) % len(batches) == 0 or step + 1 == steps:
                score, pass_loss = _pass(adapter, acts, site, alignment, batches, target,
                                         positions)
                if score > best_score:
                    best_score, best_weight = score, alignment.weight.detach().clone()
                stale = 0 if pass_loss < 0.99 * best_loss else stale + 1
                best_loss = min(best_loss, pass_loss)
                if score >= 0.99 or stale >= PATIENCE:
                    break
    with torch.no_grad():
        alignment.weight.copy_(best_weight)
    return alignment


def _loss(logits: torch.Tensor, goal: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(
        logits[:, 1:].reshape(-1, logits.shape[-1]), goal.reshape(-1), ignore_index=IGNORE
    )


@torch.no_grad()
def _pass(adapter: Adapter, acts: SiteActivations, site: str, alignment: Alignment,
          batches: list[PairBatch], target: Target, positions) -> tuple[float, float]:
    """Share of training sequences the swap gets right (all scored positions), and the
    mean loss."""
    right = seen = 0
    total = 0.0
    basis = alignment.basis()
    for batch in batches:
        goal = _targets(batch, target)
        logits = intervened_logits(adapter, acts, site, basis, batch, positions)
        hit = ((logits[:, 1:].argmax(-1) == goal) | (goal == IGNORE)).all(1)
        right, seen = right + int(hit.sum()), seen + len(hit)
        total += float(_loss(logits, goal))
    return (right / seen if seen else 0.0), total / max(len(batches), 1)


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
        if target == "shuffled":  # only pairs where the shuffled target is another answer
            effective &= ((goal != batch.counterfactual) & scored).any(dim=1)
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
