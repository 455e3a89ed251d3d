"""Grokking modular addition, with the Fourier progress measures logged as it happens.

`rasp grok` (rasplab/cli/grok.py) is the command line; `grok` is the function:

    grok(TrainConfig("mod_add", out_dir="runs/grok-p113"))            # p = 113
    grok(TrainConfig("mod_add_p53", "runs/grok-p53", steps=3000, lr=3e-3), train_fraction=0.4)

The setup of Nanda et al. (2023), the task mod_add's recipe: one layer, d_model 128,
4 heads, d_mlp 512, ReLU, no LayerNorm, AdamW lr 1e-3, weight decay 1, full batch on
a fraction of all pairs (0.3 for p = 113). Training accuracy reaches 100% early;
held-out accuracy jumps much later. The small variant above (p = 53, 40% of pairs, a
3x higher rate, which shortens every phase about 3x) memorises by step 100 and groks
by about step 2200, in under two CPU minutes. Another modulus is the registered task
under its own name (`mod_add_p53`, see tasks.modular), so the checkpoint names a task
that `rasp compare` finds. Writes metrics.jsonl (train/held-out loss and accuracy, key
frequencies, restricted and excluded loss, weight norm) and curves.png to the output
folder.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import torch

from rasplab import tasks
from rasplab.analysis.fourier import key_frequencies, key_share, restricted_and_excluded_loss
from rasplab.model import Transformer
from rasplab.train.config import TrainConfig
from rasplab.train.data import FiniteData, StreamData
from rasplab.train.evaluate import scored_logits
from rasplab.train.loop import Log, Measures, train

KEY_FREQUENCIES = 5  # Nanda et al. found five for p = 113


def grok(
    config: TrainConfig, train_fraction: float | None = None, log: Log | None = None
) -> dict[str, Any]:
    """Train config.task (a task in mod_add's format: mod_add, mod_add_p53, ...) with
    the Fourier progress measures; train_fraction replaces the recipe's share of pairs.

    Returns the summary `rasp grok` prints: p, train_fraction, lr, the training result,
    the steps (and seconds) at which it memorised and grokked, the final key frequencies.
    """
    task = tasks.get(config.task)
    p = len(task.output_vocab)
    recipe = task.recipe
    if train_fraction is not None:
        recipe = dataclasses.replace(recipe, train_fraction=train_fraction)
    result = train(config, task=task, recipe=recipe, measures=fourier_measures(p), log=log)
    with (config.out_dir / "metrics.jsonl").open() as lines:
        records = [json.loads(line) for line in lines]
    return {
        "p": p,
        "train_fraction": recipe.train_fraction,
        "lr": config.recipe(recipe).lr,
        **result.summary(),
        **grokking_events(records),
        "key_freqs": records[-1]["key_freqs"],
    }


def fourier_measures(p: int, n_key: int = KEY_FREQUENCIES) -> Measures:
    """Progress measures of a model of modular addition mod p, for train(measures=...)."""

    def measure(model: Transformer, data: FiniteData | StreamData) -> dict[str, Any]:
        assert isinstance(data, FiniteData)
        logits = scored_logits(model, data.all)  # one scored position per input pair
        a, b = data.all.tokens[:, 1] - 1, data.all.tokens[:, 2] - 1  # id j + 1 is "j"
        grid = torch.empty(p, p, p, device=logits.device)
        grid[a, b] = logits
        train_pairs = torch.zeros(p, p, dtype=torch.bool, device=logits.device)
        train_pairs[a[data.train_rows], b[data.train_rows]] = True
        embedding = model.embed.W_E[1 : p + 1]
        freqs = key_frequencies(embedding, n_key)
        restricted, excluded = restricted_and_excluded_loss(grid, freqs, train_pairs, ~train_pairs)
        return {
            "key_freqs": freqs,
            "key_share": key_share(embedding, freqs),
            "restricted_loss": restricted,
            "excluded_loss": excluded,
            "weight_norm": float(sum(w.pow(2).sum() for w in model.parameters())),
        }

    return measure


def grokking_events(records: list[dict[str, Any]]) -> dict[str, Any]:
    """When training accuracy first reached 100% and held-out accuracy first reached 99%."""

    def first(key: str, threshold: float) -> dict[str, Any] | None:
        return next((r for r in records if r[key] >= threshold), None)

    memorised, grokked = first("train_seq_acc", 1.0), first("held_out_seq_acc", 0.99)
    return {
        "memorised_step": memorised and memorised["step"],
        "memorised_seconds": memorised and memorised["seconds"],
        "grokked_step": grokked and grokked["step"],
        "grokked_seconds": grokked and grokked["seconds"],
    }
