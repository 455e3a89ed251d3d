"""A compiled model: the Transformer, its labelled layout, and how to talk to it
in the program's own tokens (BOS added on the way in, stripped on the way out)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from rasplab.compiler.layout import Layout
from rasplab.rasp import RaspError
from rasplab.rasp.tokens import TokenIds

from rasplab.model import Transformer
from rasplab.model import io as model_io

LABEL_KEY = "rasplab_compiled"
BOS_TOKEN = "<bos>"


@dataclass
class CompiledModel:
    model: Transformer
    layout: Layout
    program: str
    vocab: list[Any]
    max_len: int
    output_encoding: str
    output_values: list[Any]

    @property
    def causal(self) -> bool:
        return self.model.cfg.causal

    def token_ids(self, tokens: Sequence[Any]) -> list[int]:
        """BOS followed by the tokens' ids (rasp.tokens); unknown tokens and overlong inputs
        are refused."""
        if isinstance(tokens, str):
            tokens = list(tokens)
        if not tokens:
            raise RaspError("the input is empty: give at least one token")
        if len(tokens) > self.max_len:
            raise RaspError(
                f"the input has {len(tokens)} tokens but the model was compiled for "
                f"max_len {self.max_len}"
            )
        return self._token_ids.encode(tokens)

    def __post_init__(self) -> None:
        self._token_ids = TokenIds(self.vocab)

    @torch.no_grad()
    def run_batch(self, inputs: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """Decoded outputs for many inputs, batched by length."""
        results: list[list[Any] | None] = [None] * len(inputs)
        by_length: dict[int, list[int]] = {}
        ids = [self.token_ids(x) for x in inputs]
        for i, row in enumerate(ids):
            by_length.setdefault(len(row), []).append(i)
        device = next(self.model.parameters()).device
        for rows in by_length.values():
            batch = torch.tensor([ids[i] for i in rows], device=device)
            logits = self.model(batch)[:, 1:].cpu()
            for i, out in zip(rows, self._decode(logits)):
                results[i] = out
        return results  # type: ignore[return-value]

    def run(self, tokens: Sequence[Any]) -> list[Any]:
        """Decoded outputs per position (BOS stripped)."""
        return self.run_batch([tokens])[0]

    def _decode(self, logits: torch.Tensor) -> list[list[Any]]:
        if self.output_encoding == "numerical":
            return [[self._nearest(x) for x in row] for row in logits[..., 0].double().tolist()]
        best = logits.argmax(dim=-1).tolist()
        return [[self.output_values[j] for j in row] for row in best]

    def _nearest(self, x: float) -> Any:
        """A numerical output snapped to the closest value the s-op can take (when the
        value set is known), so that ints come back as ints."""
        if not self.output_values:
            return x
        best = min(self.output_values, key=lambda v: abs(float(v) - x))
        return best if abs(float(best) - x) < 1e-3 else x

    def save(self, path: str | os.PathLike) -> None:
        """Weights (safetensors) and config with the layout (JSON beside), written atomically."""
        model_io.save(self.model, path)

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | None = None) -> CompiledModel:
        model = model_io.load(path, device)
        meta = model.cfg.labels.get(LABEL_KEY)
        if meta is None:
            raise RaspError(f"{path} holds a Transformer that was not compiled from RASP")
        return cls(
            model=model,
            layout=Layout.from_dict(meta["layout"]),
            program=meta["program"],
            vocab=meta["vocab"],
            max_len=meta["max_len"],
            output_encoding=meta["output_encoding"],
            output_values=meta["output_values"],
        )

    def summary(self) -> list[dict[str, Any]]:
        """Per layer: heads and MLP widths and the RASP nodes they implement."""
        rows = []
        cfg = self.model.cfg
        for layer in range(cfg.n_layers):
            blocks = [b for b in self.layout.blocks if b.layer == layer]
            rows.append(
                {
                    "layer": layer,
                    "heads": [
                        {"node": b.node, "head": b.index, "construction": b.construction}
                        for b in blocks
                        if b.kind == "attn"
                    ],
                    "mlp_width": cfg.d_mlp_per_layer[layer],
                    "mlps": [
                        {"node": b.node, "width": b.width, "construction": b.construction}
                        for b in blocks
                        if b.kind == "mlp"
                    ],
                }
            )
        return rows

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.model.parameters())
