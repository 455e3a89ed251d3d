"""Recipes measured to reach >= 99% held-out sequence accuracy on a CPU quickly
(bench/train/recipes.py, seeds 0-2): they replace the first-guess defaults of the
task families. A short warm-up and a higher rate, then cosine decay over few steps."""

from __future__ import annotations

import dataclasses
from typing import Any

from rasplab.tasks.task import Task

_FAST = {"warmup": 20, "lr": 3e-3}
TUNED: dict[str, dict[str, Any]] = {
    "sort5": {**_FAST, "steps": 300},
    "sort10": {**_FAST, "d_model": 64, "d_mlp": 128, "batch_size": 128, "steps": 400},
    "reverse": {**_FAST, "n_layers": 3, "d_mlp": 0, "steps": 600},
    "hist": {**_FAST, "steps": 800},
    "min_max": {**_FAST, "train_fraction": 0.9, "weight_decay": 0.1, "steps": 3000},
    "prev_token": {**_FAST, "steps": 200},
    "induction": {**_FAST, "batch_size": 64, "steps": 800},
    "ioi": {**_FAST, "steps": 1500},
    "add5_rev": {**_FAST, "d_model": 64, "d_mlp": 256, "batch_size": 128, "steps": 1500},
}


def tuned(task: Task) -> Task:
    """The task with its measured recipe, when there is one."""
    changes = TUNED.get(task.name)
    if not changes:
        return task
    return dataclasses.replace(task, recipe=dataclasses.replace(task.recipe, **changes))
