"""Fourier analysis of modular arithmetic (Nanda et al., 2023): the grokking progress
measures, and the spectra of embeddings, logits and neurons that `rasp analyse` reports.

A model that has grokked a + b mod p embeds each number as cosines and sines of a few
key frequencies w_k = 2 pi k / p and reads the answer off cos(w_k (a + b - c)). Over
the grid of inputs (a, b), the logits for each answer c then lie in the span of
cos(w_k (a + b)) and sin(w_k (a + b)) (plus a constant). The measures:

- key frequencies: the k whose cosine and sine carry the most norm in the embedding
  of the numbers (recomputed at every evaluation, so they can be watched settling);
- restricted loss (on held-out pairs): the loss of the logits projected onto the
  constant and the key frequencies' (a + b) directions. It falls once the Fourier
  circuit alone can answer, before the test loss does.
- excluded loss (on training pairs): the loss after removing those directions. It
  rises as memorisation is replaced by the circuit.

For any checkpoint, the same basis gives each neuron's key frequency: over the (a, b)
grid, a neuron of a grokked model is almost all cos/sin of one w_k in a, in b and in
their products (`neuron_frequency_shares`).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def fourier_basis(p: int) -> torch.Tensor:
    """Orthonormal rows over Z_p: the constant, then cos_k and sin_k for k = 1..p // 2
    (for even p the last frequency, p / 2, has a cosine only: its sine is zero)."""
    if p < 2:
        raise ValueError(f"the Fourier basis needs p >= 2, got {p}")
    x = torch.arange(p, dtype=torch.float64)
    rows = [torch.full((p,), 1 / math.sqrt(p), dtype=torch.float64)]
    for k in range(1, p // 2 + 1):
        angle = 2 * math.pi * k * x / p
        rows.append(torch.cos(angle))
        if 2 * k != p:
            rows.append(torch.sin(angle))
    basis = torch.stack(rows)
    return basis / basis.norm(dim=1, keepdim=True)


def row_frequencies(p: int) -> torch.Tensor:
    """The frequency k of each row of fourier_basis(p) (0 for the constant)."""
    ks = [0] + [k for k in range(1, p // 2 + 1) for _ in range(1 if 2 * k == p else 2)]
    return torch.tensor(ks)


def frequency_norms(embedding: torch.Tensor) -> torch.Tensor:
    """Norm of each frequency k = 1..p // 2 (entry k - 1) in the rows of a [p, d] embedding."""
    p = embedding.shape[0]
    coefficients = fourier_basis(p) @ embedding.detach().to(torch.float64).cpu()
    squared = coefficients.pow(2).sum(dim=1)
    per_k = torch.zeros(p // 2 + 1, dtype=torch.float64).index_add_(0, row_frequencies(p), squared)
    return per_k[1:].sqrt()


def key_frequencies(embedding: torch.Tensor, n: int) -> list[int]:
    """The n frequencies with the largest norm in the embedding, largest first."""
    norms = frequency_norms(embedding)
    return [int(k) + 1 for k in norms.argsort(descending=True)[:n]]


def key_share(embedding: torch.Tensor, freqs: list[int]) -> float:
    """The share of the embedding's non-constant squared norm that `freqs` carry."""
    squared = frequency_norms(embedding).pow(2)
    return float(squared[[k - 1 for k in freqs]].sum() / squared.sum())


def sum_directions(p: int, freqs: list[int], sign: int = 1) -> torch.Tensor:
    """Orthonormal [<= 2 len(freqs), p * p]: cos and sin of w_k (a + sign * b) over the
    (a, b) grid (sign -1 for subtraction; a sine that vanishes is left out)."""
    a = torch.arange(p, dtype=torch.float64)
    total = (a[:, None] + sign * a[None, :]).flatten()
    rows = []
    for k in freqs:
        angle = 2 * math.pi * k * total / p
        rows += [torch.cos(angle), torch.sin(angle)]
    directions = torch.stack([row for row in rows if row.norm() > 1e-9])
    return directions / directions.norm(dim=1, keepdim=True)


def logit_frequency_shares(logits: torch.Tensor, sign: int = 1) -> torch.Tensor:
    """Share of the grid logits' variance (over inputs, summed over answers) in the
    cos/sin w_k (a + sign * b) directions, per k = 1..p // 2 (entry k - 1).

    logits: [p, p, c], entry [a, b, j] the logit of answer j for input (a, b). A model
    that computes a + b by the clock algorithm has nearly all of it at its key k.
    """
    p = logits.shape[0]
    flat = logits.detach().to(torch.float64).cpu().reshape(p * p, -1)
    flat = flat - flat.mean(dim=0, keepdim=True)
    total = flat.pow(2).sum()
    shares = [
        float((sum_directions(p, [k], sign) @ flat).pow(2).sum() / total)
        for k in range(1, p // 2 + 1)
    ]
    return torch.tensor(shares, dtype=torch.float64)


def neuron_frequency_shares(activations: torch.Tensor) -> torch.Tensor:
    """[p // 2, n]: the share of each neuron's variance over the (a, b) grid that terms
    of frequency k carry (cos/sin w_k a, cos/sin w_k b and their four products).

    activations: [p, p, n], a neuron's value for input (a, b). Shares of one neuron sum
    to at most 1 (the rest lies in products of two different frequencies); a neuron
    that never varies has all shares 0.
    """
    p = activations.shape[0]
    basis = fourier_basis(p)
    acts = activations.detach().to(torch.float64).cpu()
    power = torch.einsum("ia,abn,jb->ijn", basis, acts, basis).pow(2)
    power[0, 0] = 0.0  # the mean over the grid is not variance
    total = power.sum(dim=(0, 1)).clamp_min(1e-30)
    ks = row_frequencies(p)
    shares = []
    for k in range(1, p // 2 + 1):
        rows = ks == k
        linear = power[rows, 0].sum(0) + power[0, rows].sum(0)
        products = power[rows][:, rows].sum(dim=(0, 1))
        shares.append((linear + products) / total)
    return torch.stack(shares)


def restricted_and_excluded_loss(
    logits: torch.Tensor,
    freqs: list[int],
    train: torch.Tensor,
    test: torch.Tensor,
) -> tuple[float, float]:
    """(restricted loss on test pairs, excluded loss on train pairs) of grid logits.

    logits: [p, p, p], entry [a, b, c] the logit of answer c for input (a, b).
    train, test: bool [p, p] masks of the input pairs in each split.
    """
    p = logits.shape[0]
    flat = logits.detach().to(torch.float64).reshape(p * p, p)
    directions = sum_directions(p, freqs).to(flat.device)
    projection = directions.T @ (directions @ flat)
    restricted = flat.mean(dim=0, keepdim=True) + projection
    excluded = flat - projection
    a = torch.arange(p, device=flat.device)
    answers = ((a[:, None] + a[None, :]) % p).flatten()
    train, test = train.flatten().to(flat.device), test.flatten().to(flat.device)
    return (
        float(F.cross_entropy(restricted[test], answers[test])),
        float(F.cross_entropy(excluded[train], answers[train])),
    )
