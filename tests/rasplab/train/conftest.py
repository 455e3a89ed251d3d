"""Tiny tasks, recipes and run settings that train in a second or two on a CI core."""

from pathlib import Path

import pytest
from rasplab.tasks import Recipe, Task
from rasplab.tasks.sequences import reverse_task

from rasplab.train import TrainConfig


@pytest.fixture
def reverse4() -> Task:
    """Reverse exactly 4 digits: a fixed permutation of positions."""
    return reverse_task("reverse4", 4, 4)


@pytest.fixture
def reverse_upto4() -> Task:
    """Reverse 1..4 digits: the model must find the length, and batches are padded."""
    return reverse_task("reverse_upto4", 1, 4)


@pytest.fixture
def tiny_recipe() -> Recipe:
    """One attention-only layer, d_model 32: enough for reversal."""
    return Recipe(n_layers=1, d_model=32, n_heads=2, d_mlp=0, lr=1e-2, batch_size=64, warmup=10)


@pytest.fixture
def tiny_config():
    """TrainConfig(task.name, out_dir, ...) with CPU, quick evaluations, no progress bar."""

    def make(task: Task, out_dir: Path, **overrides) -> TrainConfig:
        settings = {"eval_every": 10, "eval_size": 300, "progress": False, "device": "cpu"}
        return TrainConfig(task.name, out_dir, **{**settings, **overrides})

    return make
