"""The Fourier view of a model of a modular task, on any checkpoint: which frequencies
its number embeddings use, how much of its logits lie in cos/sin w_k (a +- b), and its
neurons clustered by frequency, all over the full (a, b) grid of operands."""

from __future__ import annotations

from typing import Any

import torch

from rasplab.analysis.fourier import (
    frequency_norms,
    logit_frequency_shares,
)
from rasplab.analysis.inputs import model_format
from rasplab.analysis.modular import ModularGrid
from rasplab.analysis.neurons import cluster_by_frequency
from rasplab.model import Transformer
from rasplab.rasp.tokens import TokenIds

KEY_SHARE = 0.9  # key frequencies: the fewest strongest carrying this share of the norm
MAX_KEYS = 10
BATCH = 4096


def embedding_key_frequencies(norms: torch.Tensor) -> list[int]:
    """The strongest frequencies, in order, until they carry KEY_SHARE of the squared
    norm (at most MAX_KEYS)."""
    energy = norms.pow(2)
    order = energy.argsort(descending=True)
    cumulative = energy[order].cumsum(0) / energy.sum()
    count = int((cumulative < KEY_SHARE).sum()) + 1
    return [int(k) + 1 for k in order[: min(count, MAX_KEYS)]]


@torch.no_grad()
def fourier_analysis(model: Transformer, grid: ModularGrid) -> dict[str, Any]:
    """Embedding norms per frequency and key frequencies, the logits' share per
    frequency of a +- b, and the neurons of each MLP layer by key frequency."""
    vocab = model_format(model)[0]
    ids = TokenIds(vocab)
    rows = [ids.id(number) for number in grid.numbers]
    norms = frequency_norms(model.embed.W_E[rows])
    keys = embedding_key_frequencies(norms)
    logits, posts = _grid_run(model, grid, ids)
    p = grid.p
    shares = logit_frequency_shares(logits.reshape(p, p, -1), grid.sign)
    layers = {}
    for layer, post in posts.items():
        clusters, per_neuron = cluster_by_frequency(post.reshape(p, p, -1))
        layers[layer] = {"clusters": [c.to_json() for c in clusters], **per_neuron}
    return {
        "p": p,
        "operation": "a + b" if grid.sign == 1 else "a - b",
        "embedding_norms": norms.tolist(),
        "key_frequencies": keys,
        "key_share": float(norms[[k - 1 for k in keys]].pow(2).sum() / norms.pow(2).sum()),
        "logit_shares": shares.tolist(),
        "logit_key_share": float(shares[[k - 1 for k in keys]].sum()),
        "neurons": layers,
    }


def _grid_run(model: Transformer, grid: ModularGrid, ids: TokenIds):
    """Logits [p*p, classes] and each MLP layer's activations [p*p, n] at the answer
    position, for every operand pair."""
    device = next(model.parameters()).device
    tokens = torch.tensor([ids.encode(x) for x in grid.inputs()], device=device)
    at = grid.position + 1
    names = [
        f"blocks.{layer}.mlp.hook_post"
        for layer, block in enumerate(model.blocks)
        if block.mlp is not None
    ]
    logits, posts = [], {name: [] for name in names}
    for start in range(0, len(tokens), BATCH):
        out, cache = model.run_with_cache(tokens[start : start + BATCH], names)
        logits.append(out[:, at].cpu())
        for name in names:
            posts[name].append(cache[name][:, at].cpu())
    layer_posts = {int(name.split(".")[1]): torch.cat(v) for name, v in posts.items()}
    return torch.cat(logits), layer_posts
