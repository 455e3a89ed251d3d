"""ActivationCache: the activations of one forward pass, by hook-point name.

A plain read-only mapping, plus TransformerLens's shorthand keys
(cache["pattern", 0] for cache["blocks.0.attn.hook_pattern"]).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

import torch

from rasplab.model.hooks import HookFn, HookPoint

_ATTN_NAMES = {"q", "k", "v", "attn_scores", "pattern", "z", "result"}
_MLP_NAMES = {"pre", "post"}
_LN_NAMES = {"scale", "normalized"}
_NAME_ALIASES = {
    "attn": "pattern",
    "attn_logits": "attn_scores",
    "key": "k",
    "query": "q",
    "value": "v",
    "mlp_pre": "pre",
    "mlp_post": "post",
}
_LAYER_TYPE_ALIASES = {"a": "attn", "attention": "attn", "m": "mlp", "b": "", "block": ""}


def act_name(name: str, layer: int | None = None, layer_type: str | None = None) -> str:
    """The full hook-point name for a TransformerLens-style shorthand.

    act_name("pattern", 0) == "blocks.0.attn.hook_pattern"; act_name("embed") ==
    "hook_embed"; act_name("resid_post", 1) == "blocks.1.hook_resid_post";
    act_name("normalized") == "ln_final.hook_normalized";
    act_name("scale", 0, "ln1") == "blocks.0.ln1.hook_scale". Full names pass through.
    """
    if layer is None and layer_type is None and ("." in name or name.startswith("hook_")):
        return name
    short = _NAME_ALIASES.get(name, name.removeprefix("hook_"))
    if layer is None:
        return f"ln_final.hook_{short}" if short in _LN_NAMES else f"hook_{short}"
    if short in _ATTN_NAMES:
        layer_type = "attn"
    elif short in _MLP_NAMES:
        layer_type = "mlp"
    elif layer_type is not None:
        layer_type = _LAYER_TYPE_ALIASES.get(layer_type, layer_type)
    middle = f"{layer_type}." if layer_type else ""
    return f"blocks.{layer}.{middle}hook_{short}"


class ActivationCache(Mapping[str, torch.Tensor]):
    """Activations by full hook-point name, in forward order; shorthand keys also work."""

    def __init__(self, activations: dict[str, torch.Tensor]) -> None:
        self._acts = activations

    def __getitem__(self, key: str | tuple) -> torch.Tensor:
        name = act_name(*key) if isinstance(key, tuple) else key
        if name not in self._acts and isinstance(key, str):
            name = act_name(key)
        if name not in self._acts:
            close = difflib.get_close_matches(name, self._acts, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"no activation {name!r} in this cache{hint}")
        return self._acts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._acts)

    def __len__(self) -> int:
        return len(self._acts)

    def to(self, device: torch.device | str) -> ActivationCache:
        """A copy with every activation on `device`."""
        return ActivationCache({k: v.to(device) for k, v in self._acts.items()})

    def __repr__(self) -> str:
        return f"ActivationCache({len(self)} activations: {', '.join(self._acts)})"


def caching_hook(store: dict[str, torch.Tensor]) -> HookFn:
    """A hook that records a detached activation under its hook point's name."""

    def record(x: torch.Tensor, hook: HookPoint) -> None:
        store[hook.name] = x.detach()

    return record
