"""Fourier progress measures of grokking modular addition (Nanda et al., 2023).

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
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def fourier_basis(p: int) -> torch.Tensor:
    """Orthonormal rows over Z_p (p odd): the constant, then cos_k and sin_k for k = 1..(p-1)/2."""
    if p < 3 or p % 2 == 0:
        raise ValueError(f"the Fourier measures need an odd p >= 3, got {p}")
    x = torch.arange(p, dtype=torch.float64)
    rows = [torch.full((p,), 1 / math.sqrt(p), dtype=torch.float64)]
    for k in range(1, (p - 1) // 2 + 1):
        angle = 2 * math.pi * k * x / p
        rows += [torch.cos(angle) * math.sqrt(2 / p), torch.sin(angle) * math.sqrt(2 / p)]
    return torch.stack(rows)


def frequency_norms(embedding: torch.Tensor) -> torch.Tensor:
    """Norm of each frequency k = 1..(p-1)/2 (entry k - 1) in the rows of a [p, d] embedding."""
    p = embedding.shape[0]
    coefficients = fourier_basis(p) @ embedding.detach().to(torch.float64).cpu()
    squared = coefficients[1:].pow(2).sum(dim=1)
    return (squared[0::2] + squared[1::2]).sqrt()


def key_frequencies(embedding: torch.Tensor, n: int) -> list[int]:
    """The n frequencies with the largest norm in the embedding, largest first."""
    norms = frequency_norms(embedding)
    return [int(k) + 1 for k in norms.argsort(descending=True)[:n]]


def key_share(embedding: torch.Tensor, freqs: list[int]) -> float:
    """The share of the embedding's non-constant squared norm that `freqs` carry."""
    squared = frequency_norms(embedding).pow(2)
    return float(squared[[k - 1 for k in freqs]].sum() / squared.sum())


def sum_directions(p: int, freqs: list[int]) -> torch.Tensor:
    """Orthonormal [2 len(freqs), p * p]: cos and sin of w_k (a + b) over the (a, b) grid."""
    a = torch.arange(p, dtype=torch.float64)
    total = (a[:, None] + a[None, :]).flatten()
    rows = []
    for k in freqs:
        angle = 2 * math.pi * k * total / p
        rows += [torch.cos(angle), torch.sin(angle)]
    directions = torch.stack(rows)
    return directions / directions.norm(dim=1, keepdim=True)


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
