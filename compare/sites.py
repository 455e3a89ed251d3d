"""Where in a model a variable can live: the residual stream before, between and
after each layer's attention and MLP, at each input position; and the activations
there for every held-out input, whatever its length."""

from __future__ import annotations

import torch
from rasplab.compare.adapter import Adapter

from rasplab.model import act_name


def residual_sites(adapter: Adapter) -> list[str]:
    layers = adapter.model.cfg.n_layers
    names = []
    for layer in range(layers):
        names += [act_name("resid_pre", layer), act_name("resid_mid", layer)]
    if layers:
        names.append(act_name("resid_post", layers - 1))
    return names


EMBEDDING_SITE = act_name("resid_pre", 0)


def short(site: str) -> str:
    """blocks.1.hook_resid_mid -> L1 mid."""
    parts = site.split(".")
    return f"L{parts[1]} {parts[2].removeprefix('hook_resid_')}"


@torch.no_grad()
def activations(adapter: Adapter, ids: torch.Tensor, sites: list[str]) -> dict[str, torch.Tensor]:
    """[batch, pos, d_model] at each site, for same-length inputs."""
    _, cache = adapter.model.run_with_cache(ids, names_filter=sites)
    return {site: cache[site] for site in sites}


class SiteActivations:
    """Every input's activations at every residual site, computed once per model:
    acts[site][i] is [len(input i) + 1, d_model], BOS first."""

    def __init__(self, adapter: Adapter, tokens: list[list], batch: int = 256) -> None:
        self.sites = residual_sites(adapter)
        self.acts: dict[str, list[torch.Tensor]] = {s: [None] * len(tokens) for s in self.sites}
        by_len: dict[int, list[int]] = {}
        for i, x in enumerate(tokens):
            by_len.setdefault(len(x), []).append(i)
        for group in by_len.values():
            for start in range(0, len(group), batch):
                rows = group[start : start + batch]
                found = activations(adapter, adapter.ids([tokens[i] for i in rows]), self.sites)
                for site, tensor in found.items():
                    for i, row in zip(rows, tensor):
                        self.acts[site][i] = row

    def rows(self, site: str, inputs: list[int] | None = None) -> torch.Tensor:
        """[positions, d]: the input positions (BOS left out) of the given inputs, stacked."""
        chosen = self.acts[site] if inputs is None else [self.acts[site][i] for i in inputs]
        return torch.cat([a[1:] for a in chosen])

    def gather(self, site: str, inputs: list[int], length: int) -> torch.Tensor:
        """[len(inputs), length + 1, d]: each input's first `length` positions after BOS."""
        return torch.stack([self.acts[site][i][: length + 1] for i in inputs])
