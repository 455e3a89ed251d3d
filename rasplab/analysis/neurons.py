"""MLP neurons grouped by what they do.

By behaviour (any model): each neuron is described by its activations over the probe's
positions (what inputs it responds to) and by the logits its output row raises (what
it writes); k-means groups these descriptions, k chosen by silhouette. Each cluster is
named by the variable that best explains its mean activation (correlation ratio) and
the answer it raises most.

By Fourier frequency (modular tasks): over the (a, b) grid a grokked model's neuron is
almost all one frequency (analysis.fourier.neuron_frequency_shares), so the clusters
are the neurons sharing a key frequency, with the share of all neuron variance each
cluster's frequency explains (Nanda et al., 2023).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from rasplab.analysis.fourier import neuron_frequency_shares

MAX_CLUSTERS = 6
DEAD = 1e-8  # a neuron whose activation varies less than this (std) is dead


@dataclass
class Cluster:
    """neurons: their indices; share: of all live neurons' variance, the part this
    cluster carries (by behaviour) or its frequency explains (Fourier); label: what it
    responds to; key: its frequency (Fourier) or the answer it raises most."""

    neurons: list[int]
    share: float
    label: str
    key: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "size": len(self.neurons),
            "neurons": self.neurons,
            "share": self.share,
            "label": self.label,
            "key": self.key,
        }


def cluster_by_behaviour(
    post: np.ndarray,
    out_logits: np.ndarray,
    variables: dict[str, np.ndarray],
    output_values: list[Any],
    seed: int = 0,
) -> tuple[list[Cluster], int]:
    """(clusters, dead neurons) of one MLP layer.

    post: [points, n] activations; out_logits: [n, classes] each neuron's output row
    read through the unembedding; variables: name -> [points] values at those points.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    live = np.flatnonzero(post.std(0) > DEAD)
    if len(live) < 3:
        return [], post.shape[1] - len(live)
    acts = post[:, live]
    profile = (acts - acts.mean(0)) / acts.std(0)
    writes = out_logits[live] - out_logits[live].mean(1, keepdims=True)
    writes = writes / np.maximum(np.linalg.norm(writes, axis=1, keepdims=True), 1e-12)
    features = np.hstack([profile.T / np.sqrt(len(acts)), writes])
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(MAX_CLUSTERS, len(live) - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=2, random_state=seed).fit_predict(features)
        score = silhouette_score(features, labels)
        if best is None or score > best[0]:
            best = (score, labels)
    assert best is not None
    variance = acts.var(0)
    clusters = []
    for c in np.unique(best[1]):
        members = best[1] == c
        mean_act = acts[:, members].mean(1)
        raised = int(writes[members].mean(0).argmax())
        clusters.append(
            Cluster(
                [int(i) for i in live[members]],
                float(variance[members].sum() / variance.sum()),
                _best_variable(mean_act, variables),
                output_values[raised],
            )
        )
    clusters.sort(key=lambda c: -c.share)
    return clusters, post.shape[1] - len(live)


def _best_variable(activation: np.ndarray, variables: dict[str, np.ndarray]) -> str:
    """The variable whose values explain most of the activation's variance (eta^2)."""
    scores = {name: _eta_squared(activation, values) for name, values in variables.items()}
    name = max(scores, key=lambda k: scores[k])
    return f"{name} (eta^2 {scores[name]:.2f})"


def _eta_squared(y: np.ndarray, groups: np.ndarray) -> float:
    """Share of y's variance between the groups that `groups` form."""
    keys = np.array([repr(g) for g in groups])
    total = ((y - y.mean()) ** 2).sum()
    if total <= 0:
        return 0.0
    between = sum(
        (keys == k).sum() * (y[keys == k].mean() - y.mean()) ** 2 for k in np.unique(keys)
    )
    return float(between / total)


def cluster_by_frequency(grid_post: torch.Tensor) -> tuple[list[Cluster], dict[str, Any]]:
    """Clusters of neurons by key frequency, from activations [p, p, n] over the grid;
    and per neuron its key frequency and that frequency's share of its variance."""
    shares = neuron_frequency_shares(grid_post)  # [K, n]
    acts = grid_post.detach().double().cpu().reshape(-1, grid_post.shape[-1])
    variance = acts.var(0)
    live = variance.sqrt() > DEAD
    key = shares.argmax(0)
    own = shares.gather(0, key[None])[0]
    total = float(variance[live].sum())
    clusters = []
    for k in key[live].unique().tolist():
        members = live & (key == k)
        clusters.append(
            Cluster(
                torch.nonzero(members)[:, 0].tolist(),
                float((own[members] * variance[members]).sum() / total),
                f"frequency {k + 1}: {float(own[members].mean()):.2f} of a neuron's variance",
                k + 1,
            )
        )
    clusters.sort(key=lambda c: -c.share)
    per_neuron = {
        "key_frequency": [int(k) + 1 if alive else None for k, alive in zip(key, live)],
        "key_share": [float(s) if alive else None for s, alive in zip(own, live)],
        "explained": float((own[live] * variance[live]).sum() / total) if total else 0.0,
        "dead": int((~live).sum()),
    }
    return clusters, per_neuron
