"""`implement`: train a model of a task that computes a given RASP hypothesis, node by
node, where a mapping puts each node (see train.mapping and train.siit).

    from rasplab.train import TrainConfig, implement
    result = implement(TrainConfig("hist", out_dir="runs/hist-same"), "hist_same",
                       program_file="tasks/hypotheses/hist.rasp")

The model has the task recipe's shape, grown where the default mapping needs more layers,
heads or an MLP; the mapping travels in the model's labels ("implements"), so the
checkpoint says what it was trained to compute, and resuming with another mapping
is refused like any other change of settings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

from rasplab import tasks
from rasplab.rasp import Program, Session
from rasplab.tasks import Recipe, Task
from rasplab.train.config import TrainConfig
from rasplab.train.loop import TrainResult, train
from rasplab.train.mapping import Mapping, Shape, check, default_mapping, shape_for
from rasplab.train.siit import Implementation


def load_program(file: str | Path, name: str) -> Program:
    """The s-op `name` of a .rasp file as a Program."""
    session = Session()
    session.exec_file(Path(file))
    return session.program(name)


def plan(
    task: Task, program: Program, source: str, overrides: Mapping | None = None, seed: int = 0
) -> tuple[Implementation, Recipe]:
    """The checked implementation (mapping and shape) and the recipe that builds it:
    the recipe's shape grown to hold the compiler's placement; overrides must fit it.
    MappingError says why a mapping cannot be trained."""
    mapping = default_mapping(program, set(task.vocab), task.max_len, task.causal)
    recipe = task.recipe
    shape = shape_for(mapping, recipe.n_layers, recipe.n_heads, recipe.d_mlp > 0)
    mapping.update(overrides or {})  # checked against the shape, never grows it
    check(mapping, program, shape)
    return Implementation(task, program, mapping, shape, source, seed), _recipe(recipe, shape)


def implement(
    config: TrainConfig,
    name: str,
    program_file: str | Path,
    overrides: Mapping | None = None,
    *,
    task: Task | None = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train (or resume) a model of config.task that implements hypothesis `name`."""
    task = tasks.get(config.task) if task is None else task
    program = load_program(program_file, name)
    implementation, recipe = plan(task, program, str(program_file), overrides, config.seed)
    return train(config, task=task, recipe=recipe, log=log, objective=implementation)


def _recipe(recipe: Recipe, shape: Shape) -> Recipe:
    """The recipe grown to the shape; d_model rounded up to a multiple of the heads."""
    d_model = math.ceil(recipe.d_model / shape.n_heads) * shape.n_heads
    d_mlp = recipe.d_mlp or (4 * d_model if shape.has_mlp else 0)
    return dataclasses.replace(
        recipe, n_layers=shape.n_layers, n_heads=shape.n_heads, d_model=d_model, d_mlp=d_mlp
    )
