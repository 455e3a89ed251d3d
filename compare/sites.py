"""Where in a model a variable can live: the residual stream before, between and
after each layer's attention and MLP, at each input position."""

from __future__ import annotations

import torch
from rasplab.compare.adapter import Adapter


def residual_sites(adapter: Adapter) -> list[str]:
    layers = adapter.model.cfg.n_layers
    names = []
    for layer in range(layers):
        names += [f"blocks.{layer}.hook_resid_pre", f"blocks.{layer}.hook_resid_mid"]
    if layers:
        names.append(f"blocks.{layers - 1}.hook_resid_post")
    return names


def short(site: str) -> str:
    """blocks.1.hook_resid_mid -> L1 mid."""
    parts = site.split(".")
    return f"L{parts[1]} {parts[2].removeprefix('hook_resid_')}"


@torch.no_grad()
def activations(adapter: Adapter, ids: torch.Tensor, sites: list[str]) -> dict[str, torch.Tensor]:
    """[batch, pos, d_model] at each site."""
    _, cache = adapter.model.run_with_cache(ids, names_filter=sites)
    return {site: cache[site] for site in sites}
