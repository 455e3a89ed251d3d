"""Strict interchange intervention training (SIIT; Geiger et al. 2022, Gupta et al.
2024): the losses that make a model compute a hypothesis's nodes where a mapping says.

At each step the batch is paired with itself (every row with another row of the same
length, so positions line up) and three things are asked of the model:
- the task loss (the training loop's own);
- interchange: with one group's components patched from the paired source row, the
  output must be what the program outputs when the group's nodes take the source's
  values (`Program.evaluate(..., interventions=...)`); groups take turns by step;
- strict: with every component that no node claims patched from the source, the
  output must not change.
Pairs and groups are a pure function of (seed, step), so a resumed run stays bit-exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rasplab.model import Transformer, act_name
from rasplab.rasp import Program
from rasplab.tasks import IGNORE_INDEX, Task
from rasplab.train.data import Batch, rng
from rasplab.train.mapping import Mapping, Shape, Slot, groups, to_json, unmapped

PAIR_STREAM = 4  # after train.data's streams
MEASURE_STREAM = 5  # pairs for interchange_accuracy, apart from training's


@dataclass(frozen=True)
class Implementation:
    """A hypothesis to train into a model: its program, mapping and model shape."""

    task: Task
    program: Program
    mapping: Mapping
    shape: Shape
    source: str  # where the program came from (file), for the labels
    seed: int = 0
    strict_weight: float = 1.0

    @property
    def labels(self) -> dict[str, Any]:
        """Saved in the model's JSON: what the model was trained to implement, and where."""
        return {
            "implements": {
                "file": self.source,
                "name": self.program.name,
                "mapping": to_json(self.mapping),
                "strict_weight": self.strict_weight,
            }
        }

    def loss(self, model: Transformer, batch: Batch, step: int) -> torch.Tensor:
        """The interchange loss of this step's group plus the weighted strict loss."""
        pair = same_length_pairs(batch, rng(self.seed, PAIR_STREAM, step))
        inputs = decode(self.task, batch)
        everything = groups(self.mapping)
        nodes, slots = everything[step % len(everything)]
        loose = unmapped(self.mapping, self.shape)
        with torch.no_grad():
            _, cache = model.run_with_cache(
                batch.tokens, _hook_names([*slots, *loose]), attention_mask=batch.mask
            )
        targets = counterfactual_targets(self.task, self.program, inputs, pair, nodes)
        total = _patched_loss(model, batch, slots, cache, pair, targets.to(batch.tokens.device))
        if loose:
            strict = _patched_loss(model, batch, loose, cache, pair, batch.targets)
            total = total + self.strict_weight * strict
        return total


def same_length_pairs(batch: Batch, generator: np.random.Generator) -> np.ndarray:
    """source[i]: a row of the same length as row i (a random permutation within each
    length; a length held by one row pairs it with itself)."""
    lengths = _lengths(batch)
    source = np.arange(len(lengths))
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        source[rows] = generator.permutation(rows)
    return source


def decode(task: Task, batch: Batch) -> list[list]:
    """The task inputs a batch encodes (BOS and padding dropped)."""
    ids = batch.tokens.tolist()
    return [task.token_ids.decode(row[:length]) for row, length in zip(ids, _lengths(batch))]


def counterfactual_targets(
    task: Task, program: Program, inputs: list[list], source: np.ndarray, nodes: tuple[str, ...]
) -> torch.Tensor:
    """Class ids [n, pos] of the program's output on each input when `nodes` take the
    values they have on input source[i]; IGNORE_INDEX where the task scores nothing or
    the value is outside the output vocabulary."""
    trace = program.evaluate(inputs)
    swapped = {node: [trace[node][j] for j in source] for node in nodes}
    outputs = program.evaluate(inputs, interventions=swapped).output
    classes = {_key(token): i for i, token in enumerate(task.output_vocab)}
    width = max(len(x) for x in inputs) + 1
    targets = torch.full((len(inputs), width), IGNORE_INDEX, dtype=torch.long)
    for row, (x, values) in enumerate(zip(inputs, outputs)):
        for pos, (reference, value) in enumerate(zip(task.reference(x), values)):
            if reference is not None:
                targets[row, pos + 1] = classes.get(_key(value), IGNORE_INDEX)
    return targets


@torch.no_grad()
def interchange_accuracy(
    model: Transformer, implementation: Implementation, batch: Batch, seed: int = 0
) -> dict[str, float]:
    """Per group: the share of pairs, among those whose counterfactual output differs
    from the base's, where the patched model gives the counterfactual at every scored
    position (NaN when no pair changes the output)."""
    pair = same_length_pairs(batch, rng(seed, MEASURE_STREAM))
    inputs = decode(implementation.task, batch)
    scores = {}
    for nodes, slots in groups(implementation.mapping):
        targets = counterfactual_targets(
            implementation.task, implementation.program, inputs, pair, nodes
        ).to(batch.tokens.device)
        _, cache = model.run_with_cache(batch.tokens, _hook_names(slots), attention_mask=batch.mask)
        logits = model.run_with_hooks(
            batch.tokens, _patches(slots, cache, pair), attention_mask=batch.mask
        )
        scored = targets != IGNORE_INDEX
        changed = ((targets != batch.targets) & scored).any(dim=1)
        right = ((logits.argmax(dim=-1) == targets) | ~scored).all(dim=1)
        n_changed = int(changed.sum())
        hits = float((right & changed).sum())
        scores[" + ".join(nodes)] = hits / n_changed if n_changed else float("nan")
    return scores


def _patched_loss(
    model: Transformer,
    batch: Batch,
    slots: tuple[Slot, ...] | list[Slot],
    cache: Any,
    pair: np.ndarray,
    targets: torch.Tensor,
) -> torch.Tensor:
    scored = targets != IGNORE_INDEX
    if not scored.any():
        return torch.zeros((), device=batch.tokens.device)
    logits = model.run_with_hooks(
        batch.tokens, _patches(slots, cache, pair), attention_mask=batch.mask
    )
    return F.cross_entropy(logits[scored], targets[scored])


def _hook_names(slots: list[Slot] | tuple[Slot, ...]) -> list[str]:
    return sorted({_hook(s) for s in slots})


def _hook(slot: Slot) -> str:
    return act_name("mlp_out" if slot.head is None else "z", slot.layer)


def _patches(slots: list[Slot] | tuple[Slot, ...], cache: Any, pair: np.ndarray) -> list:
    """Forward hooks that replace each slot's output with the paired row's."""
    hooks = []
    for name in _hook_names(slots):
        heads = [s.head for s in slots if _hook(s) == name and s.head is not None]
        donor = cache[name][torch.as_tensor(pair, device=cache[name].device)]

        def patch(act: torch.Tensor, hook: Any, donor=donor, heads=heads) -> torch.Tensor:
            if not heads:
                return donor
            act = act.clone()
            act[:, :, heads] = donor[:, :, heads]
            return act

        hooks.append((name, patch))
    return hooks


def _lengths(batch: Batch) -> np.ndarray:
    n, width = batch.tokens.shape
    if batch.mask is None:
        return np.full(n, width)
    return batch.mask.sum(dim=1).cpu().numpy()


def _key(value: Any) -> Any:
    """Program values as output tokens: 2.0 reads as 2 (a mean of equal ints)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
