"""Dimensionality reduction of embeddings, weight matrices and activations, with
scikit-learn (PCA, NMF, t-SNE) and umap-learn (UMAP, the optional `analysis` extra).

NMF needs non-negative data: a signed matrix X is given as [relu(X), relu(-X)], which
keeps every direction's sign apart rather than shifting the data. Weight matrices are
read through their singular values (how many directions a matrix really uses), with
each head's OV and QK circuits as whole matrices, as in Elhage et al. (2021).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from rasplab.model import Transformer

Method = Literal["pca", "nmf", "tsne", "umap"]
METHODS: tuple[str, ...] = ("pca", "nmf", "tsne", "umap")
INSTALL = "pip install 'rasplab[analysis]'"


@dataclass
class Projection:
    """points: [n, 2] coordinates; explained: the share of variance each PCA axis
    carries (None for the other methods, whose axes carry no such share)."""

    method: str
    points: np.ndarray
    explained: list[float] | None = None


def project(data: np.ndarray, method: Method, seed: int = 0) -> Projection:
    """Two coordinates per row of `data` [n, d] by `method`."""
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 3:
        raise ValueError(f"need a matrix of at least 3 rows, got shape {data.shape}")
    if method == "pca":
        from sklearn.decomposition import PCA

        k = min(2, *data.shape)
        pca = PCA(n_components=k, random_state=seed).fit(data)
        return Projection(method, _two(pca.transform(data)), pca.explained_variance_ratio_.tolist())
    if method == "nmf":
        from sklearn.decomposition import NMF

        positive = (
            data if data.min() >= 0 else np.hstack([np.maximum(data, 0), np.maximum(-data, 0)])
        )
        nmf = NMF(n_components=2, init="nndsvda", max_iter=400, random_state=seed)
        return Projection(method, nmf.fit_transform(positive))
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30, (data.shape[0] - 1) / 3))
        tsne = TSNE(
            n_components=2, perplexity=perplexity, init="pca", max_iter=500, random_state=seed
        )
        return Projection(method, tsne.fit_transform(data))
    if method == "umap":
        try:
            import umap
        except ImportError:
            raise ImportError(f"UMAP needs umap-learn: {INSTALL}") from None
        reducer = umap.UMAP(
            n_components=2, n_neighbors=min(15, data.shape[0] - 1), random_state=seed
        )
        return Projection(method, reducer.fit_transform(data))
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")


def _two(points: np.ndarray) -> np.ndarray:
    """Pad a one-column projection with zeros, so every projection plots as 2-D."""
    return points if points.shape[1] == 2 else np.hstack([points, np.zeros((len(points), 1))])


def weight_matrices(model: Transformer) -> dict[str, np.ndarray]:
    """The matrices worth a spectrum: embeddings, unembedding, each head's OV
    (W_V W_O) and QK (W_Q W_K^T) circuits, each MLP's W_in and W_out."""

    def numpy(t: torch.Tensor) -> np.ndarray:
        return t.detach().double().cpu().numpy()

    out = {"W_E": numpy(model.embed.W_E), "W_U": numpy(model.unembed.W_U)}
    if model.pos_embed is not None:
        out["W_pos"] = numpy(model.pos_embed.W_pos)
    for layer, block in enumerate(model.blocks):
        if block.attn is not None:
            a = block.attn
            for h in range(a.n_heads):
                out[f"L{layer}H{h} OV"] = numpy(a.W_V[h] @ a.W_O[h])
                out[f"L{layer}H{h} QK"] = numpy(a.W_Q[h] @ a.W_K[h].T)
        if block.mlp is not None:
            out[f"L{layer} W_in"] = numpy(block.mlp.W_in)
            out[f"L{layer} W_out"] = numpy(block.mlp.W_out)
    return out


def spectrum(matrix: np.ndarray) -> dict[str, object]:
    """Singular values (largest first, at most 32 kept), and the effective rank:
    the participation ratio (sum s^2)^2 / sum s^4, the number of equally strong
    directions that would carry the same energy."""
    s = np.linalg.svd(matrix, compute_uv=False)
    energy = s**2
    rank = float(energy.sum() ** 2 / (energy**2).sum()) if energy.sum() > 0 else 0.0
    return {"singular_values": s[:32].tolist(), "effective_rank": rank}
