"""Whole-component interchange: which heads and MLPs carry each variable, and does
anything outside them matter?

A component is a head, or an MLP (for a compiled model, each MLP block the layout
labels with its node, a slice of the layer's hidden units). Patching its output
from the source run into the base run is the coarse alignment InterpBench-style
analyses use. A variable claims every component whose patching alone moves the
output to the counterfactual (a selector width's head and its MLP both do), or
else the best head-and-MLP pair that does. The strict check resamples every
component no computed node claims, all at once, from another input, and asks that
the output not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import torch
from rasplab.compare.adapter import IGNORE, Adapter
from rasplab.compare.sites import SiteActivations
from rasplab.compare.variables import PairBatch
from rasplab.compiler.compiled import LABEL_KEY

from rasplab.model import act_name


@dataclass(frozen=True)
class Component:
    label: str
    hook: str
    head: int | None = None  # a head of hook_z
    units: tuple[int, int] | None = None  # [first, end) hidden units of mlp.hook_post

    @property
    def kind(self) -> str:
        return "attn" if self.head is not None else "mlp"

    @property
    def layer(self) -> int:
        return int(self.hook.split(".")[1])


def components(adapter: Adapter) -> list[Component]:
    """Every head and MLP, in layer order; a compiled model's MLPs split by block."""
    cfg = adapter.model.cfg
    blocks = cfg.labels.get(LABEL_KEY, {}).get("layout", {}).get("blocks", [])
    found = []
    for layer in range(cfg.n_layers):
        for head in range(cfg.heads_per_layer[layer]):
            found.append(Component(f"L{layer}H{head}", act_name("z", layer), head=head))
        if not cfg.d_mlp_per_layer[layer]:
            continue
        mlps = [b for b in blocks if b["kind"] == "mlp" and b["layer"] == layer]
        if not mlps:
            found.append(Component(f"L{layer}MLP", act_name("post", layer)))
        for b in mlps:
            label = f"L{layer}MLP·{b['node']}"
            if any(c.label == label for c in found):
                label += f"@{b['index']}"
            found.append(
                Component(
                    label,
                    act_name("post", layer),
                    units=(b["index"], b["index"] + b["width"]),
                )
            )
    return found


class ComponentActivations:
    """Every input's component outputs (hook_z, mlp.hook_post), computed once."""

    def __init__(self, adapter: Adapter, tokens: list[list], chosen: list[Component]) -> None:
        self.names = sorted({c.hook for c in chosen})
        self.acts: dict[str, list[torch.Tensor]] = {h: [None] * len(tokens) for h in self.names}
        by_len: dict[int, list[int]] = {}
        for i, x in enumerate(tokens):
            by_len.setdefault(len(x), []).append(i)
        with torch.no_grad():
            for rows in by_len.values():
                for start in range(0, len(rows), 256):
                    chunk = rows[start : start + 256]
                    ids = adapter.ids([tokens[i] for i in chunk])
                    _, cache = adapter.model.run_with_cache(ids, names_filter=self.names)
                    for name in self.names:
                        for i, row in zip(chunk, cache[name]):
                            self.acts[name][i] = row

    def gather(self, hook: str, inputs: list[int], length: int) -> torch.Tensor:
        return torch.stack([self.acts[hook][i][: length + 1] for i in inputs])


def _patch_hooks(adapter: Adapter, acts: ComponentActivations, chosen: list[Component],
                 sources: list[int], length: int) -> list:
    hooks = []
    for hook_name in sorted({c.hook for c in chosen}):
        source = acts.gather(hook_name, sources, length).to(adapter.device)
        mine = [c for c in chosen if c.hook == hook_name]

        def patch(h, hook, source=source, mine=mine):
            patched = h.clone()
            for c in mine:
                if c.head is not None:
                    patched[:, :, c.head] = source[:, :, c.head]
                elif c.units is not None:
                    patched[..., c.units[0] : c.units[1]] = source[..., c.units[0] : c.units[1]]
                else:
                    patched = source.clone()
            return patched

        hooks.append((hook_name, patch))
    return hooks


def before(component: Component, site: str) -> bool:
    """Does the component write into the residual stream before `site`?"""
    layer = int(site.split(".")[1])
    if site.endswith("resid_pre"):
        return component.layer < layer
    if site.endswith("resid_mid"):
        return component.layer < layer or (component.layer == layer and component.kind == "attn")
    return component.layer <= layer


@torch.no_grad()
def writers(adapter: Adapter, acts: ComponentActivations, site_acts: SiteActivations,
            every: list[Component], site: str, basis: torch.Tensor, batches: list[PairBatch],
            threshold: float = 0.2) -> list[Component]:
    """The components before `site` whose resampling moves the variable's subspace
    there by at least `threshold` of what the whole swap moves it: the ones that
    compute the variable (a selector width's heads and MLP alike)."""
    found = []
    for c in [c for c in every if before(c, site)]:
        moved = full = 0.0
        for batch in batches:
            base = site_acts.gather(site, batch.bases, batch.length).to(adapter.device)
            source = site_acts.gather(site, batch.sources, batch.length).to(adapter.device)
            hooks = _patch_hooks(adapter, acts, [c], batch.sources, batch.length)
            patched = _run_capturing(adapter, batch.base_ids, hooks, site)
            moved += float(((patched - base)[:, 1:] @ basis.T).norm())
            full += float(((source - base)[:, 1:] @ basis.T).norm())
        if full and moved / full >= threshold:
            found.append(c)
    return found


def _run_capturing(adapter: Adapter, ids: torch.Tensor, hooks: list, site: str) -> torch.Tensor:
    captured = {}

    def keep(h, hook):
        captured["h"] = h
        return h

    adapter.model.run_with_hooks(ids, fwd_hooks=[*hooks, (site, keep)])
    return captured["h"]


@torch.no_grad()
def patched_predictions(adapter: Adapter, acts: ComponentActivations, batch: PairBatch,
                        chosen: list[Component], sources: list[int] | None = None):
    sources = batch.sources if sources is None else sources
    hooks = _patch_hooks(adapter, acts, chosen, sources, batch.length)
    logits = adapter.model.run_with_hooks(batch.base_ids, fwd_hooks=hooks)
    return logits[:, 1:].argmax(dim=-1)


def component_iia(adapter: Adapter, acts: ComponentActivations, chosen: list[Component],
                  batches: list[PairBatch]) -> float | None:
    """Share of effective pairs whose output becomes the counterfactual."""
    correct = total = 0
    for batch in batches:
        predicted = patched_predictions(adapter, acts, batch, chosen)
        scored = batch.counterfactual != IGNORE
        effective = ((batch.counterfactual != batch.base_output) & scored).any(dim=1)
        right = ((predicted == batch.counterfactual) | ~scored).all(dim=1)
        correct += int(right[effective].sum())
        total += int(effective.sum())
    return correct / total if total else None


def claim(adapter: Adapter, acts: ComponentActivations, every: list[Component],
          batches: list[PairBatch], threshold: float) -> tuple[list[Component], dict[str, float]]:
    """The components that carry a variable, and each single component's IIA."""
    scores = {}
    for c in every:
        score = component_iia(adapter, acts, [c], batches)
        if score is not None:
            scores[c.label] = score
    singles = [c for c in every if scores.get(c.label, 0.0) >= threshold]
    if singles:
        return singles, scores
    best: tuple[float, list[Component]] | None = None
    heads = [c for c in every if c.kind == "attn"]
    mlps = [c for c in every if c.kind == "mlp"]
    for head, mlp in product(heads, mlps):
        if mlp.layer not in (head.layer, head.layer + 1):
            continue
        score = component_iia(adapter, acts, [head, mlp], batches) or 0.0
        if best is None or score > best[0]:
            best = (score, [head, mlp])
    if best is not None and best[0] >= threshold:
        return best[1], scores
    return [], scores


@torch.no_grad()
def strict_check(adapter: Adapter, acts: ComponentActivations, outside: list[Component],
                 batches: list[PairBatch]) -> float | None:
    """Share of base inputs whose scored outputs stay the same when every component
    outside the circuit is resampled from another input (None: nothing is outside)."""
    if not outside or not batches:
        return None
    same = total = 0
    for batch in batches:
        clean = adapter.model(batch.base_ids)[:, 1:].argmax(dim=-1)
        patched = patched_predictions(adapter, acts, batch, outside)
        scored = batch.base_output != IGNORE
        same += int(((patched == clean) | ~scored).all(dim=1).sum())
        total += len(batch.bases)
    return same / total if total else None
