"""How alike two representations of the same s-op are: the trained model's aligned
subspace against the compiled model's labelled one, row for row on the same inputs.

- principal angles: the cosines between the two column spaces after centring
  (equivalently canonical correlations; a fitted linear map is free);
- debiased linear CKA (the unbiased HSIC estimator, so small samples of
  unrelated representations score near 0, not well above it);
- orthogonal Procrustes: after centring and scaling each to unit norm, the best
  rotation's fit, 1 minus half the squared distance (1 = identical up to rotation).
Each with a bootstrap 95% interval over the rows.
"""

from __future__ import annotations

import numpy as np

BOOTSTRAP = 40


def _centre(x: np.ndarray) -> np.ndarray:
    return x - x.mean(axis=0, keepdims=True)


def _basis(x: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    u, s, _ = np.linalg.svd(_centre(x), full_matrices=False)
    return u[:, s > tol * max(s.max(initial=0.0), 1e-12)]


def principal_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    qa, qb = _basis(a), _basis(b)
    if not qa.shape[1] or not qb.shape[1]:
        return np.zeros(1)
    return np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), 0.0, 1.0)


def mean_principal_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine over the smaller space's principal angles."""
    return float(principal_cosines(a, b).mean())


def _hsic_unbiased(a: np.ndarray, b: np.ndarray) -> float:
    """The unbiased HSIC estimator (Song et al. 2012) with linear kernels K = aa', M = bb',
    computed in feature space: O(n d^2), never forming the n x n kernels."""
    n = a.shape[0]
    k_diag = (a * a).sum(axis=1)
    m_diag = (b * b).sum(axis=1)
    trace_km = float(np.sum((a.T @ b) ** 2) - np.sum(k_diag * m_diag))  # sum over i != j
    k_rows = a @ a.sum(axis=0) - k_diag
    m_rows = b @ b.sum(axis=0) - m_diag
    k_sum, m_sum = k_rows.sum(), m_rows.sum()
    term = trace_km + k_sum * m_sum / ((n - 1) * (n - 2)) - 2 * float(k_rows @ m_rows) / (n - 2)
    return term / (n * (n - 3))


def debiased_cka(a: np.ndarray, b: np.ndarray) -> float:
    xy = _hsic_unbiased(a, b)
    xx, yy = _hsic_unbiased(a, a), _hsic_unbiased(b, b)
    if xx <= 0 or yy <= 0:
        return 0.0
    return float(xy / np.sqrt(xx * yy))


def procrustes(a: np.ndarray, b: np.ndarray) -> float:
    a, b = _centre(a), _centre(b)
    width = max(a.shape[1], b.shape[1])
    a = np.pad(a, ((0, 0), (0, width - a.shape[1])))
    b = np.pad(b, ((0, 0), (0, width - b.shape[1])))
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 0.0
    a, b = a / na, b / nb
    return float(np.linalg.svd(a.T @ b, compute_uv=False).sum())


MEASURES = {
    "principal_cosine": mean_principal_cosine,
    "debiased_cka": debiased_cka,
    "procrustes": procrustes,
}


def compare_representations(a: np.ndarray, b: np.ndarray, seed: int = 0) -> dict:
    """Each measure with a bootstrap interval; a and b have one row per (input, position)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, fn in MEASURES.items():
        value = fn(a, b)
        draws = []
        for _ in range(BOOTSTRAP):
            rows = rng.integers(0, len(a), size=len(a))
            draws.append(fn(a[rows], b[rows]))
        low, high = np.percentile(draws, [2.5, 97.5])
        out[name] = {"value": value, "ci95": [float(low), float(high)]}
    return out


def pattern_agreement(pattern: np.ndarray, selected: np.ndarray) -> float:
    """How well attention plays a selector: 1 - total variation distance between each
    query's attention over [BOS, keys...] and the selector's ideal (uniform over the
    selected keys, or BOS when none is; or, as a selector width's head attends,
    uniform over the selected keys and BOS), whichever fits better, averaged.

    pattern: [batch, n + 1, n + 1] rows for queries 1..n are used;
    selected: [batch, n, n] 0/1 (query, key)."""
    rows = pattern[:, 1:, :]  # queries at input positions
    ideal = np.zeros_like(rows)
    ideal[:, :, 1:] = selected
    empty = selected.sum(axis=-1) == 0
    ideal[:, :, 0] = empty
    aggregate_like = ideal / ideal.sum(axis=-1, keepdims=True)
    width_like = ideal.copy()
    width_like[:, :, 0] = 1.0
    width_like /= width_like.sum(axis=-1, keepdims=True)
    scores = [
        1 - 0.5 * np.abs(rows - target).sum(axis=-1).mean()
        for target in (aggregate_like, width_like)
    ]
    return float(max(scores))
