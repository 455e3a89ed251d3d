"""Batches and splits: held-out inputs never reach training; batches depend on (seed, step)."""

import dataclasses

import torch
from rasplab.tasks import IGNORE_INDEX
from rasplab.tasks.sequences import reverse_task

from rasplab import tasks
from rasplab.train.data import FiniteData, StreamData, make_data

CPU = torch.device("cpu")


def decode(task, batch):
    """The task inputs in a batch, as tuples (BOS and padding dropped)."""
    rows = []
    for r in range(len(batch)):
        length = len(batch.tokens[r]) if batch.mask is None else int(batch.mask[r].sum())
        rows.append(tuple(task.vocab[i - 1] for i in batch.tokens[r, 1:length].tolist()))
    return rows


def test_finite_split_is_a_partition_and_batches_stay_in_training():
    task = tasks.get("min_max")
    data = make_data(task, task.recipe, seed=3, eval_size=100, device=CPU)
    assert isinstance(data, FiniteData)
    domain = {tuple(x) for x in task.enumerate()}
    assert not data.train_inputs & data.held_out_inputs
    assert data.train_inputs | data.held_out_inputs == domain
    assert len(data.train_inputs) == round(task.recipe.train_fraction * len(domain))
    assert set(decode(task, data.held_out)) == data.held_out_inputs
    for step in range(20):
        assert set(decode(task, data.batch(step))) <= data.train_inputs


def test_split_follows_the_seed():
    task = tasks.get("min_max")
    first = make_data(task, task.recipe, 0, 100, CPU)
    again = make_data(task, task.recipe, 0, 100, CPU)
    other = make_data(task, task.recipe, 1, 100, CPU)
    assert first.held_out_inputs == again.held_out_inputs != other.held_out_inputs


def test_full_batch_trains_on_the_whole_training_set():
    task = tasks.get("fib_mod")
    data = make_data(task, task.recipe, 0, 100, CPU)
    assert task.recipe.full_batch
    assert set(decode(task, data.batch(5))) == data.train_inputs
    assert len(data.batch(5)) == len(data.train_inputs)


def test_stream_batches_never_hold_a_rare_held_out_input():
    # 1110 possible inputs and 400 held-out draws: unfiltered batches would hit them often.
    task = reverse_task("reverse_upto3", 1, 3)
    recipe = dataclasses.replace(task.recipe, batch_size=128)
    data = make_data(task, recipe, seed=0, eval_size=400, device=CPU)
    assert isinstance(data, StreamData)
    held_out = set(decode(task, data.held_out))
    assert held_out == data.held_out_inputs and len(data.excluded) > 100
    assert data.excluded < held_out
    trained: set[tuple] = set()
    for step in range(30):
        batch = data.batch(step)
        assert len(batch) == 128
        trained |= set(decode(task, batch))
    assert not trained & data.excluded
    # Inputs common enough to be drawn twice for the held-out set stay in training:
    # one-digit inputs (1% each) are among them, and training meets them.
    assert {(d,) for d in range(10)} <= held_out - data.excluded
    assert {(d,) for d in range(10)} <= trained


def test_batches_are_a_pure_function_of_seed_and_step():
    task = tasks.get("sort5")
    one = make_data(task, task.recipe, 7, 100, CPU)
    two = make_data(task, task.recipe, 7, 100, CPU)
    assert torch.equal(one.batch(11).tokens, two.batch(11).tokens)
    assert not torch.equal(one.batch(11).tokens, one.batch(12).tokens)
    assert not torch.equal(
        one.batch(11).tokens, make_data(task, task.recipe, 8, 100, CPU).batch(11).tokens
    )


def test_variable_length_batches_are_padded_right_with_a_mask():
    task = reverse_task("reverse_upto4", 1, 4)
    data = make_data(task, task.recipe, 0, 200, CPU)
    batch = data.held_out
    assert batch.mask is not None and batch.tokens.shape[1] == 5
    lengths = batch.mask.sum(dim=1)
    for r in range(len(batch)):
        n = int(lengths[r])
        assert batch.mask[r, :n].all() and not batch.mask[r, n:].any()
        assert batch.tokens[r, 0] == 0  # BOS
        inputs = [task.vocab[i - 1] for i in batch.tokens[r, 1:n].tolist()]
        expected = task.target_ids(task.reference(inputs))
        assert batch.targets[r, 1:n].tolist() == expected  # input i is model position i + 1
        assert (batch.targets[r, n:] == IGNORE_INDEX).all() and batch.targets[r, 0] == IGNORE_INDEX


def test_fixed_length_batches_need_no_mask():
    task = tasks.get("sort5")
    assert make_data(task, task.recipe, 0, 50, CPU).batch(0).mask is None
