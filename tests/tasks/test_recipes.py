"""Each task's recipe has one source: the task's definition, which the registry hands
out unchanged, carrying the values measured by bench/train/recipes.py."""

import dataclasses
import importlib.util

import pytest
from rasplab.tasks import (
    code_exec,
    counting,
    digits,
    dyck,
    ioi,
    linreg,
    modular,
    sequences,
    sorting,
)

from rasplab import tasks

FAMILIES = (sorting, sequences, counting, modular, digits, ioi, dyck, code_exec, linreg)


def test_the_registry_hands_out_each_recipe_as_its_task_declares_it():
    declared = {task.name: task.recipe for family in FAMILIES for task in family.tasks()}
    assert set(declared) == set(tasks.names())
    for name, recipe in declared.items():
        assert tasks.get(name).recipe == recipe, name


def test_no_module_overrides_the_declared_recipes():
    assert importlib.util.find_spec("rasplab.tasks.tuned") is None


# The runs bench/train/recipes.py measured (>= 99% held-out sequence accuracy on a CPU).
MEASURED = {
    "sort5": {"steps": 300, "lr": 3e-3, "warmup": 20, "d_mlp": 0},
    "sort10": {"steps": 400, "d_model": 64, "d_mlp": 128, "batch_size": 128},
    "reverse": {"steps": 600, "n_layers": 3, "d_mlp": 0},
    "hist": {"steps": 800, "lr": 3e-3},
    "min_max": {"steps": 3000, "train_fraction": 0.9, "weight_decay": 0.1},
    "prev_token": {"steps": 200, "lr": 3e-3, "warmup": 20},
    "induction": {"steps": 800, "batch_size": 64},
    "ioi": {"steps": 1500, "lr": 3e-3},
    "add5_rev": {"steps": 1500, "d_model": 64, "d_mlp": 256, "batch_size": 128},
}


@pytest.mark.parametrize(("name", "values"), MEASURED.items(), ids=list(MEASURED))
def test_measured_recipes_are_the_declared_ones(name, values):
    recipe = dataclasses.asdict(tasks.get(name).recipe)
    assert {field: recipe[field] for field in values} == values


def test_unmeasured_tasks_keep_their_first_guess():
    assert tasks.get("sort_var").recipe.steps == 6000
    assert tasks.get("add5").recipe == digits.DIGIT_RECIPE
