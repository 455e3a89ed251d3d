"""How to talk to a model in a program's own tokens, whatever made the model.

A compiled model carries its vocabulary and output values in its labels; a
trained one carries its task's token format. Either way: BOS is id 0, input
token i sits at model position i + 1, and an output class decodes to a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from rasplab.compiler.compiled import LABEL_KEY
from rasplab.rasp import RaspError
from rasplab.rasp.tokens import TokenIds, UnknownTokenError
from rasplab.tasks import IGNORE_INDEX

from rasplab.model import Transformer

IGNORE = IGNORE_INDEX  # unscored positions, as the tasks mark them


class CompareError(RaspError):
    """Inputs to a comparison that do not fit together."""


@dataclass
class Adapter:
    model: Transformer
    vocab: list[Any]
    output_values: list[Any]
    max_len: int
    origin: str  # "compiled" | "trained"
    task: str | None = None

    def __post_init__(self) -> None:
        self._ids = TokenIds(self.vocab)
        self._classes = {value_key(v): j for j, v in enumerate(self.output_values)}

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def ids(self, inputs: Sequence[Sequence[Any]]) -> torch.Tensor:
        """[batch, n + 1] token ids of same-length inputs, BOS first."""
        try:
            rows = [self._ids.encode(tokens) for tokens in inputs]
        except UnknownTokenError as err:
            raise CompareError(f"{err.message}; the model's vocabulary is {self.vocab}") from None
        return torch.tensor(rows, device=self.device)

    def classes(self, outputs: Sequence[Sequence[Any]], scored: Sequence[Sequence[bool]]):
        """Output class ids per position; IGNORE where unscored or not an output value."""
        return torch.tensor(
            [
                [
                    self._classes.get(value_key(v), IGNORE) if keep else IGNORE
                    for v, keep in zip(row, mask)
                ]
                for row, mask in zip(outputs, scored)
            ],
            device=self.device,
        )

    def decode(self, logits: torch.Tensor) -> list[list[Any]]:
        """Values per input position (BOS dropped) from [batch, n + 1, classes] logits."""
        best = logits[:, 1:].argmax(dim=-1).tolist()
        return [[self.output_values[j] for j in row] for row in best]


def value_key(value: Any) -> tuple[str, Any]:
    """Numbers equal in value are one token (1 and 1.0), bools and strings apart."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    return (type(value).__name__, value)


def adapter_for(model: Transformer, task=None) -> Adapter:
    labels = model.cfg.labels
    if LABEL_KEY in labels:
        meta = labels[LABEL_KEY]
        if meta["output_encoding"] != "categorical":
            raise CompareError("comparison needs a model with a categorical output")
        return Adapter(
            model,
            list(meta["vocab"]),
            list(meta["output_values"]),
            meta["max_len"],
            "compiled",
            task.name if task else None,
        )
    if "vocab" in labels and "output_vocab" in labels:
        if task is not None and labels.get("task") not in (None, task.name):
            raise CompareError(
                f"the model was trained on task {labels.get('task')!r}, not {task.name!r}"
            )
        return Adapter(
            model,
            list(labels["vocab"]),
            list(labels["output_vocab"]),
            labels["max_len"],
            "trained",
            labels.get("task"),
        )
    if task is None:
        raise CompareError(
            "the model's labels say neither its vocabulary nor its task; name the task with --task"
        )
    if model.cfg.d_vocab != len(task.vocab) + 1 or model.cfg.d_vocab_out != len(task.output_vocab):
        raise CompareError(
            f"the model's vocabulary sizes ({model.cfg.d_vocab} in, "
            f"{model.cfg.d_vocab_out} out) do not fit task {task.name}"
        )
    return Adapter(
        model, list(task.vocab), list(task.output_vocab), task.max_len, "trained", task.name
    )
