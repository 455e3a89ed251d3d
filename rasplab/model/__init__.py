"""model: the one Transformer for compiled and trained models (see DESIGN.md, "Model").

Usage:

    from rasplab.model import Transformer, TransformerConfig
    cfg = TransformerConfig(d_vocab=5, n_ctx=8, d_model=16, n_layers=2,
                            n_heads=[2, 1], d_head=4, d_mlp=[32, 0])
    model = Transformer(cfg)                     # random init; init="zeros" to fill by hand
    logits, cache = model.run_with_cache(tokens)
    cache["pattern", 0]                          # blocks.0.attn.hook_pattern
    model.save("m.safetensors")                  # and m.json beside it
"""

from rasplab.model.cache import ActivationCache, act_name
from rasplab.model.config import TransformerConfig
from rasplab.model.device import default_device
from rasplab.model.hooks import HookPoint
from rasplab.model.io import config_path, load, save
from rasplab.model.transformer import Transformer

__all__ = [
    "ActivationCache",
    "HookPoint",
    "Transformer",
    "TransformerConfig",
    "act_name",
    "config_path",
    "default_device",
    "load",
    "save",
]
