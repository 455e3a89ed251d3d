"""A Transformer shaped by a task's token format and recipe, and the labels that tie a
saved model to its task.

The labels travel in the model's JSON config, so anyone loading a checkpoint (compare/,
a resumed run) can check that its token ids mean what the task says before using it.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import torch

from rasplab.model import Transformer, TransformerConfig, load
from rasplab.tasks import Recipe, Task
from rasplab.train.errors import CheckpointMismatch

# The label keys that fix what each token id and output class means.
FORMAT_KEYS = ("task", "vocab", "output_vocab", "bos", "min_len", "max_len", "causal")


def task_labels(task: Task, recipe: Recipe, seed: int) -> dict[str, Any]:
    """JSON labels for a model of `task`: its token format, recipe and seed."""
    return {
        "task": task.name,
        "vocab": list(task.vocab),
        "output_vocab": list(task.output_vocab),
        "bos": task.bos,
        "min_len": task.min_len,
        "max_len": task.max_len,
        "causal": task.causal,
        "recipe": dataclasses.asdict(recipe),
        "seed": seed,
    }


def build_model(task: Task, recipe: Recipe, seed: int) -> Transformer:
    """A freshly initialised model, its weights drawn from `seed` alone.

    Ids as rasp.tokens fixes them: 0 is BOS and vocab[j] is j + 1; one position
    per input token after BOS (n_ctx = max_len + 1); one output class per
    output_vocab entry. uniform_attention zeroes W_Q, W_K, b_Q and b_K and freezes
    them, so every head averages the positions it may see.
    """
    n_heads = recipe.n_heads
    cfg = TransformerConfig(
        d_vocab=task.token_ids.size,
        n_ctx=task.max_len + 1,
        d_model=recipe.d_model,
        n_layers=recipe.n_layers,
        n_heads=n_heads,
        d_head=recipe.d_model // n_heads if n_heads else recipe.d_model,
        d_mlp=recipe.d_mlp,
        d_vocab_out=len(task.output_vocab),
        act_fn=recipe.act_fn,
        normalization=recipe.normalization,
        causal=task.causal,
        labels=task_labels(task, recipe, seed),
    )
    model = Transformer(cfg, init="normal", generator=torch.Generator().manual_seed(seed))
    if recipe.uniform_attention:
        for name, param in model.named_parameters():
            if name.rsplit(".", 1)[-1] in ("W_Q", "W_K", "b_Q", "b_K"):
                param.requires_grad_(False).zero_()
    return model


def format_mismatches(labels: dict[str, Any], task: Task) -> list[str]:
    """Why a model with these labels cannot serve `task` (empty: it can)."""
    expected = task_labels(task, task.recipe, 0)
    missing = [key for key in FORMAT_KEYS if key not in labels]
    if missing:
        lacking = ", ".join(missing)
        return [f"its labels lack {lacking} (not written by this version of rasplab's train)"]
    return [
        f"its {key} is {labels[key]!r}, task {task.name} has {expected[key]!r}"
        for key in FORMAT_KEYS
        if labels[key] != expected[key]
    ]


def load_trained(
    path: str | os.PathLike, task: Task, device: torch.device | str | None = None
) -> Transformer:
    """Load a trained model for `task`; CheckpointMismatch says why one does not fit."""
    model = load(path, device)
    problems = format_mismatches(model.cfg.labels, task)
    if problems:
        raise CheckpointMismatch(f"{path} does not fit task {task.name}: " + "; ".join(problems))
    return model
