"""The shape of a Transformer, as one JSON-serialisable dataclass.

Compiled models need a different number of heads, head size and MLP width in each
layer (padding every layer to the widest would blur which dimensions mean what), so
those three fields take either one int for all layers or a list with one per layer.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

ACT_FNS = ("relu", "gelu")
MAX_PARAMS = 250_000_000  # 1 GB at float32: a shape above it is refused before allocating
NO_LIMITS = "RASPLAB_NO_LIMITS"  # rasp/limits.py's switch (--no-limits); set to 1, lifts it
NORMALIZATIONS = (None, "LN")

PerLayer = int | Sequence[int]


@dataclass(frozen=True)
class TransformerConfig:
    """Everything needed to build a `Transformer` (not its weights).

    `attn_scale` multiplies the query-key dot products; None means 1/sqrt(d_head).
    Compiled models set it to 1.0 and bake any scale into W_Q or W_K.
    `labels` is free-form JSON metadata saved with the model (the token list,
    residual-dimension labels, ...); tuples in it become lists.
    """

    d_vocab: int
    n_ctx: int
    d_model: int
    n_layers: int
    n_heads: PerLayer
    d_head: PerLayer
    d_mlp: PerLayer
    d_vocab_out: int | None = None
    act_fn: Literal["relu", "gelu"] = "relu"
    normalization: Literal["LN"] | None = None
    causal: bool = False
    attn_scale: float | None = None
    positional_embeddings: bool = True
    ln_eps: float = 1e-5
    labels: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("d_vocab", "n_ctx", "d_model"):
            _check_int(name, getattr(self, name), minimum=1)
        _check_int("n_layers", self.n_layers, minimum=0)
        if self.d_vocab_out is None:
            object.__setattr__(self, "d_vocab_out", self.d_vocab)
        _check_int("d_vocab_out", self.d_vocab_out, minimum=1)
        for name, minimum in (("n_heads", 0), ("d_head", 1), ("d_mlp", 0)):
            object.__setattr__(self, name, self._per_layer(name, minimum))
        if self.act_fn not in ACT_FNS:
            raise ValueError(f"act_fn must be one of {ACT_FNS}, got {self.act_fn!r}")
        if self.normalization not in NORMALIZATIONS:
            raise ValueError(
                f"normalization must be None (off) or 'LN', got {self.normalization!r}"
            )
        for name in ("causal", "positional_embeddings"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.attn_scale is not None:
            _check_positive_float("attn_scale", self.attn_scale)
        _check_positive_float("ln_eps", self.ln_eps)
        if not isinstance(self.labels, dict):
            raise ValueError(f"labels must be a dict, got {type(self.labels).__name__}")
        object.__setattr__(self, "labels", _json_value(self.labels, "labels"))

    def _per_layer(self, name: str, minimum: int) -> int | tuple[int, ...]:
        """Check an int-or-list field; lists become tuples so configs compare equal."""
        value = getattr(self, name)
        if isinstance(value, int) and not isinstance(value, bool):
            _check_int(name, value, minimum)
            return value
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise ValueError(f"{name} must be an int or a list of ints, got {value!r}")
        if len(value) != self.n_layers:
            raise ValueError(
                f"{name} has {len(value)} entries but n_layers is {self.n_layers}; "
                f"give one per layer, or a single int for all layers"
            )
        for layer, v in enumerate(value):
            _check_int(f"{name}[{layer}]", v, minimum)
        return tuple(value)

    @property
    def heads_per_layer(self) -> tuple[int, ...]:
        return _expand(self.n_heads, self.n_layers)

    @property
    def d_head_per_layer(self) -> tuple[int, ...]:
        return _expand(self.d_head, self.n_layers)

    @property
    def d_mlp_per_layer(self) -> tuple[int, ...]:
        return _expand(self.d_mlp, self.n_layers)

    def n_params(self) -> int:
        """About how many parameters the model has (weights and biases), known before
        anything is allocated, so an absurd shape is refused rather than attempted."""
        d = self.d_model
        total = (self.d_vocab + self.n_ctx + 4) * d + d * (self.d_vocab_out or self.d_vocab)
        layers = zip(self.heads_per_layer, self.d_head_per_layer, self.d_mlp_per_layer)
        for heads, d_head, d_mlp in layers:
            total += 4 * heads * d_head * (d + 1) + 2 * d * d_mlp + d_mlp + 5 * d
        return total

    def check_size(self) -> None:
        """ValueError when the model would exceed MAX_PARAMS (d_model = 10^6 asked for
        4 TB before any shape was checked), unless the limits are lifted."""
        count = self.n_params()
        if count > MAX_PARAMS and os.environ.get(NO_LIMITS, "") != "1":
            raise ValueError(
                f"the model's parameter count is {count:,}, above the limit of "
                f"{MAX_PARAMS:,}; --no-limits (or {NO_LIMITS}=1) lifts the limits"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only, so json.loads(json.dumps(d)) == d."""
        out = dataclasses.asdict(self)
        for name in ("n_heads", "d_head", "d_mlp"):
            if isinstance(out[name], tuple):
                out[name] = list(out[name])
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TransformerConfig:
        """Inverse of to_dict; names unknown or missing keys instead of a TypeError."""
        if not isinstance(d, dict):
            raise ValueError(f"a config must be a JSON object, got {type(d).__name__}")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown config keys {unknown}; known keys are {sorted(names)}")
        required = {
            f.name
            for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
        missing = sorted(required - set(d))
        if missing:
            raise ValueError(f"config lacks required keys {missing}")
        return cls(**d)


def _expand(value: int | tuple[int, ...], n_layers: int) -> tuple[int, ...]:
    return (value,) * n_layers if isinstance(value, int) else value


def _check_int(name: str, value: object, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def _check_positive_float(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")


def _json_value(value: Any, where: str) -> Any:
    """A copy of `value` in plain JSON types, or a ValueError saying where it is not."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value}, which JSON cannot hold")
        return value
    if isinstance(value, list | tuple):
        return [_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise ValueError(f"{where} has key {k!r}; JSON object keys must be strings")
        return {k: _json_value(v, f"{where}[{k!r}]") for k, v in value.items()}
    raise ValueError(f"{where} is a {type(value).__name__}, which JSON cannot hold")
