"""Modular tasks with another modulus: `mod_add_p53` and friends resolve through
tasks.get, compute mod their own p, and keep the p = 113 tasks as they were."""

import dataclasses

import numpy as np
import pytest
from rasplab.tasks.modular import modulus_name

from rasplab import tasks


def test_mod_add_with_another_modulus_adds_mod_that_modulus():
    task = tasks.get("mod_add_p53")
    assert task.name == "mod_add_p53"
    assert task.vocab == (*(str(v) for v in range(53)), "=")
    assert task.output_vocab == tuple(str(v) for v in range(53))
    assert task.reference(["50", "7", "="]) == [None, None, "4"]
    assert task.domain_size == 53 * 53
    assert set(task.hypotheses) == {"table", "fourier"}  # generated (tasks/fourier.py)
    inputs, targets = task.sample(np.random.default_rng(0), 50)
    for x, y in zip(inputs, targets):
        assert y[2] == str((int(x[0]) + int(x[1])) % 53)
        assert task.invariants(x, y) == []
    assert task.invariants(["50", "7", "="], [None, None, "5"]) != []


def test_sub_and_the_mlp_variant_take_a_modulus_too():
    sub = tasks.get("mod_sub_p7")
    assert sub.reference(["2", "5", "="]) == [None, None, "4"]
    mlp = tasks.get("mod_add_mlp_p11")
    assert mlp.reference(["10", "3", "="]) == [None, None, "2"]
    assert mlp.recipe == tasks.get("mod_add_mlp").recipe and mlp.recipe.uniform_attention


def test_the_recipe_is_the_registered_tasks():
    assert tasks.get("mod_add_p53").recipe == tasks.get("mod_add").recipe


def test_a_task_is_built_once_per_name():
    assert tasks.get("mod_add_p53") is tasks.get("mod_add_p53")


def test_the_registered_tasks_keep_p_113():
    task = tasks.get("mod_add")
    assert len(task.output_vocab) == 113
    assert task.reference(["100", "20", "="]) == [None, None, "7"]
    assert tasks.get("add_sub").reference(["5", "-", "7", "="]) == [None, None, None, "111"]
    assert "mod_add_p53" not in tasks.names()  # on demand, not in the table


@pytest.mark.parametrize(
    "name", ["mod_add_p1", "mod_add_p0", "mod_add_p053", "mod_mul_p5", "mod_add_pX", "add_sub_p5"]
)
def test_other_names_stay_unknown(name):
    with pytest.raises(tasks.UnknownTaskError, match="mod_add_p53"):
        tasks.get(name)


def test_modulus_name_is_the_registered_name_at_113():
    assert modulus_name("mod_add", 113) == "mod_add"
    assert modulus_name("mod_add", 53) == "mod_add_p53"
    assert tasks.get(modulus_name("mod_sub", 13)).name == "mod_sub_p13"


def test_a_task_with_a_modulus_trains_like_any_other():
    task = tasks.get("mod_add_p5")
    assert dataclasses.replace(task.recipe, steps=1).steps == 1
    assert task.enumerate()[:2] == [["0", "0", "="], ["0", "1", "="]]
