"""Whole-component interchange: does one head's or MLP's output carry the s-op?

Patching a component's output from the source run into the base run is the
coarse alignment InterpBench-style analyses use; the strict check resamples
every component outside the claimed circuit at once and asks that the output
not change.
"""

from __future__ import annotations

import torch
from rasplab.compare.adapter import IGNORE, Adapter
from rasplab.compare.das import PairBatch


def components(adapter: Adapter) -> list[tuple[str, str, int | None]]:
    """(label, hook name, head index or None) for every head and MLP."""
    cfg = adapter.model.cfg
    found = []
    for layer in range(cfg.n_layers):
        for head in range(cfg.heads_per_layer[layer]):
            found.append((f"L{layer}H{head}", f"blocks.{layer}.attn.hook_z", head))
        if cfg.d_mlp_per_layer[layer]:
            found.append((f"L{layer}MLP", f"blocks.{layer}.hook_mlp_out", None))
    return found


def _patch_hooks(chosen, source_cache):
    hooks = []
    for _, name, head in chosen:

        def patch(h, hook, name=name, head=head):
            source = source_cache[name]
            if head is None:
                return source
            patched = h.clone()
            patched[:, :, head] = source[:, :, head]
            return patched

        hooks.append((name, patch))
    return hooks


@torch.no_grad()
def patched_predictions(adapter: Adapter, base: torch.Tensor, source: torch.Tensor, chosen):
    names = sorted({name for _, name, _ in chosen})
    _, cache = adapter.model.run_with_cache(source, names_filter=names)
    logits = adapter.model.run_with_hooks(base, fwd_hooks=_patch_hooks(chosen, cache))
    return logits[:, 1:].argmax(dim=-1)


def component_iia(adapter: Adapter, component, batches: list[PairBatch]) -> float | None:
    correct = total = 0
    for batch in batches:
        predicted = patched_predictions(adapter, batch.base, batch.source, [component])
        scored = batch.counterfactual != IGNORE
        effective = ((batch.counterfactual != batch.base_output) & scored).any(dim=1)
        right = ((predicted == batch.counterfactual) | ~scored).all(dim=1)
        correct += int(right[effective].sum())
        total += int(effective.sum())
    return correct / total if total else None


def strict_check(adapter: Adapter, outside, batches: list[PairBatch]) -> float | None:
    """Share of base inputs whose output is unchanged when every component outside
    the circuit is resampled from another input (None: nothing is outside)."""
    if not outside:
        return None
    same = total = 0
    for batch in batches:
        with torch.no_grad():
            clean = adapter.model(batch.base)[:, 1:].argmax(dim=-1)
        patched = patched_predictions(adapter, batch.base, batch.source, outside)
        scored = batch.counterfactual != IGNORE
        same += int(((patched == clean) | ~scored).all(dim=1).sum())
        total += len(batch.base)
    return same / total if total else None
