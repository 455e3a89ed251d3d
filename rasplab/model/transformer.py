"""The one Transformer that both compiled and trained models are.

Parameter and hook-point names follow TransformerLens (embed.W_E, blocks.0.attn.W_Q,
blocks.0.attn.hook_pattern, ...), so its users can read and patch it without a manual.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

from rasplab.model.attention import attention_allowed
from rasplab.model.block import TransformerBlock
from rasplab.model.cache import ActivationCache, caching_hook
from rasplab.model.config import TransformerConfig
from rasplab.model.embed import Embed, PosEmbed, Unembed
from rasplab.model.hooks import (
    FwdHooks,
    HookPoint,
    NameFilter,
    any_active,
    attached,
    name_hook_points,
)
from rasplab.model.init import Init, init_weights
from rasplab.model.layernorm import normalization

# None: every position; int or slice: as in logits[:, positions]; a 1-D index tensor:
# the same positions in every sequence; a 2-D [batch, k] index tensor: k positions per
# sequence; a bool [batch, pos] tensor: the True positions, flattened to [n, ...].
Positions = int | slice | torch.Tensor | None
NamesFilter = str | Sequence[str] | Callable[[str], bool] | None


class Transformer(nn.Module):
    """Embeddings, blocks (attention with any number of heads, optional MLP), unembedding.

    Build with init="normal" (seeded by `generator` or the global torch seed) to train,
    or init="zeros" for a compiler to set every weight by hand.
    """

    def __init__(
        self,
        cfg: TransformerConfig,
        *,
        init: Init = "normal",
        init_std: float | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        cfg.check_size()
        self.cfg = cfg
        self.embed = Embed(cfg.d_vocab, cfg.d_model)
        self.hook_embed = HookPoint()
        self.pos_embed: PosEmbed | None = None
        self.hook_pos_embed: HookPoint | None = None
        if cfg.positional_embeddings:
            self.pos_embed = PosEmbed(cfg.n_ctx, cfg.d_model)
            self.hook_pos_embed = HookPoint()
        self.blocks = nn.ModuleList(TransformerBlock(cfg, layer) for layer in range(cfg.n_layers))
        self.ln_final = normalization(cfg)
        self.unembed = Unembed(cfg.d_model, cfg.d_vocab_out)
        self._hook_points = name_hook_points(self)
        init_weights(self, init, init_std, generator)

    def forward(
        self,
        tokens: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        output_positions: Positions = None,
    ) -> torch.Tensor:
        """Logits [batch, pos, d_vocab_out] (fewer positions if output_positions says so).

        tokens: integer [batch, pos], pos <= n_ctx. attention_mask: bool [batch, pos],
        True at real tokens; pad on the right (positions are absolute) with any valid id.
        Logits at padding positions are meaningless but finite.
        """
        return self.unembed(self.residual(tokens, attention_mask, output_positions))

    def residual(
        self,
        tokens: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        output_positions: Positions = None,
    ) -> torch.Tensor:
        """The final residual stream as the unembedding reads it (after ln_final, if any).

        model.unembed(model.residual(...)) == model(...); for probes or a new head.
        """
        self._check_inputs(tokens, attention_mask)
        resid = self.hook_embed(self.embed(tokens))
        if self.pos_embed is not None:
            resid = resid + self.hook_pos_embed(self.pos_embed(tokens))
        allowed = attention_allowed(tokens.shape[1], self.cfg.causal, attention_mask, resid.device)
        last = len(self.blocks) - 1
        trim = output_positions is not None and not any_active(self.ln_final)
        for layer, block in enumerate(self.blocks):
            if layer == last and trim and not any_active(block):
                # Only the scored rows reach the unembedding, so the last MLP and the
                # final norm (both position-wise) need run on those rows alone.
                resid = block(resid, allowed, lambda r: _select_positions(r, output_positions))
                return self.ln_final(resid)
            resid = block(resid, allowed)
        return _select_positions(self.ln_final(resid), output_positions)

    def hook_points(self) -> list[str]:
        """Every hook-point name, in forward order."""
        return list(self._hook_points)

    @contextmanager
    def hooks(self, fwd_hooks: FwdHooks) -> Iterator[Transformer]:
        """Attach [(name or predicate on names, fn)] inside the block; always removed after.

        fn(activation, hook=HookPoint) may return a tensor of the same shape to replace it.
        """
        with attached(self._hook_points, fwd_hooks):
            yield self

    def run_with_hooks(
        self,
        tokens: torch.Tensor,
        fwd_hooks: FwdHooks = (),
        *,
        attention_mask: torch.Tensor | None = None,
        output_positions: Positions = None,
    ) -> torch.Tensor:
        """Logits of one forward pass with `fwd_hooks` attached (see `hooks`)."""
        with self.hooks(fwd_hooks):
            return self(tokens, attention_mask, output_positions)

    def run_with_cache(
        self,
        tokens: torch.Tensor,
        names_filter: NamesFilter = None,
        *,
        attention_mask: torch.Tensor | None = None,
        output_positions: Positions = None,
    ) -> tuple[torch.Tensor, ActivationCache]:
        """Logits and the detached activations at every hook point `names_filter` selects.

        names_filter: None (all), a name, a list of names, or a predicate on names.
        Caching blocks.{l}.attn.hook_result makes that layer sum its heads' outputs
        separately, so logits may then differ from forward's in the last float bits.
        Inside `with model.hooks(...)`, the cache records the patched activations.
        """
        if names_filter is None:
            targets: list[NameFilter] = self.hook_points()
        elif isinstance(names_filter, str) or callable(names_filter):
            targets = [names_filter]
        else:
            targets = list(names_filter)
        store: dict[str, torch.Tensor] = {}
        record = caching_hook(store)
        logits = self.run_with_hooks(
            tokens,
            [(target, record) for target in targets],
            attention_mask=attention_mask,
            output_positions=output_positions,
        )
        return logits, ActivationCache(store)

    def reset_hooks(self) -> None:
        """Remove every hook from every hook point (e.g. after attaching some by hand)."""
        for point in self._hook_points.values():
            point.remove_hooks()

    def save(self, path: str | os.PathLike) -> None:
        """Write weights to `path` (safetensors) and the config beside it; see model.io."""
        from rasplab.model.io import save

        save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike, device: torch.device | str | None = None) -> Transformer:
        """Read a model written by `save`; see model.io."""
        from rasplab.model.io import load

        return load(path, device)

    def _check_inputs(self, tokens: torch.Tensor, attention_mask: torch.Tensor | None) -> None:
        """Fail with a clear message rather than an indexing error deep inside."""
        if tokens.ndim != 2:
            raise ValueError(f"tokens must be [batch, pos], got shape {tuple(tokens.shape)}")
        if tokens.dtype.is_floating_point or tokens.dtype.is_complex or tokens.dtype == torch.bool:
            raise TypeError(f"tokens must be integer ids, got dtype {tokens.dtype}")
        if tokens.shape[1] > self.cfg.n_ctx:
            raise ValueError(f"sequence length {tokens.shape[1]} exceeds n_ctx={self.cfg.n_ctx}")
        # Checked on CPU only: on an accelerator it would force a sync every step.
        if tokens.device.type == "cpu" and tokens.numel():
            low, high = int(tokens.min()), int(tokens.max())
            if low < 0 or high >= self.cfg.d_vocab:
                raise ValueError(
                    f"token ids must lie in [0, {self.cfg.d_vocab}), got [{low}, {high}]"
                )
        if attention_mask is not None and attention_mask.shape != tokens.shape:
            raise ValueError(
                f"attention_mask has shape {tuple(attention_mask.shape)} but tokens have "
                f"{tuple(tokens.shape)}; it must be [batch, pos], True at real tokens"
            )


def _select_positions(resid: torch.Tensor, positions: Positions) -> torch.Tensor:
    """The rows of resid [batch, pos, d] that `positions` names (see Positions)."""
    if positions is None:
        return resid
    if isinstance(positions, slice) or type(positions) is int:
        return resid[:, positions]
    if not isinstance(positions, torch.Tensor):
        raise TypeError(
            f"output_positions must be an int, slice or tensor, got {type(positions).__name__}"
        )
    positions = positions.to(resid.device)
    if positions.dtype == torch.bool:
        if positions.shape != resid.shape[:2]:
            raise ValueError(
                f"a bool output_positions must be [batch, pos] = {tuple(resid.shape[:2])}, "
                f"got {tuple(positions.shape)}"
            )
        return resid[positions]
    if positions.ndim == 1:
        return resid[:, positions]
    if positions.ndim == 2 and positions.shape[0] == resid.shape[0]:
        rows = torch.arange(resid.shape[0], device=resid.device)[:, None]
        return resid[rows, positions]
    raise ValueError(
        f"an index output_positions must be [k] or [batch, k], got {tuple(positions.shape)}"
    )
