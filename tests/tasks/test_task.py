"""The Task contract: seeded samples, references, enumeration, encodings, bad input."""

import dataclasses

import numpy as np
import pytest
from rasplab.tasks import IGNORE_INDEX
from rasplab.tasks.choosers import NumpyChooser
from rasplab.tasks.sequences import reverse_task

from rasplab import tasks

NAMES = tasks.names()


@pytest.mark.parametrize("name", NAMES)
def test_sample_is_reproducible_and_targets_are_the_reference(name):
    task = tasks.get(name)
    inputs, targets = task.sample(np.random.default_rng(7), 200)
    again, again_targets = task.sample(np.random.default_rng(7), 200)
    assert (inputs, targets) == (again, again_targets)
    assert len(inputs) == len(targets) == 200
    for tokens, target in zip(inputs, targets):
        task.check_input(tokens)
        assert target == task.reference(tokens)
        assert task.output_positions(tokens) == [i for i, t in enumerate(target) if t is not None]
        assert all(type(t) in (int, str) for t in tokens)  # no numpy scalars


@pytest.mark.parametrize("name", NAMES)
def test_seeds_matter(name):
    task = tasks.get(name)
    first = task.sample(np.random.default_rng(1), 50)[0]
    assert first != task.sample(np.random.default_rng(2), 50)[0]


@pytest.mark.parametrize("name", [n for n in NAMES if tasks.get(n).variable_length])
def test_variable_length_tasks_sample_many_lengths(name):
    task = tasks.get(name)
    lengths = {len(x) for x in task.sample(np.random.default_rng(0), 500)[0]}
    assert min(lengths) < max(lengths)
    assert task.min_len <= min(lengths) and max(lengths) <= task.max_len


@pytest.mark.parametrize("name", [n for n in NAMES if tasks.get(n).domain_size])
def test_finite_domains_enumerate_every_input_once(name):
    task = tasks.get(name)
    domain = task.enumerate()
    keys = {tuple(x) for x in domain}
    assert len(keys) == len(domain) == task.domain_size
    for tokens in domain[:: max(1, len(domain) // 500)]:
        task.reference(tokens)
    chooser = NumpyChooser(np.random.default_rng(3))
    assert all(tuple(task.draw(chooser)) in keys for _ in range(200))
    assert all(tuple(x) in keys for x in task.sample(np.random.default_rng(4), 200)[0])


@pytest.mark.parametrize("name", NAMES)
def test_recipe_fits_the_domain(name):
    task = tasks.get(name)
    assert (task.recipe.train_fraction is None) == (task.domain_size is None)


@pytest.mark.parametrize("name", NAMES)
def test_ids_put_bos_first_and_ignore_unscored_positions(name):
    task = tasks.get(name)
    inputs, targets = task.sample(np.random.default_rng(0), 20)
    for tokens, target in zip(inputs, targets):
        ids = task.input_ids(tokens)
        assert ids[0] == 0 and len(ids) == len(tokens) + 1
        assert all(1 <= i <= len(task.vocab) for i in ids[1:])
        out = task.target_ids(target)
        assert [i == IGNORE_INDEX for i in out] == [t is None for t in target]
        assert all(0 <= i < len(task.output_vocab) for i in out if i != IGNORE_INDEX)


def test_reference_refuses_tokens_outside_the_vocab_or_lengths():
    task = tasks.get("sort5")
    with pytest.raises(ValueError, match="not in the vocab"):
        task.reference([1, 2, 3, 4, 99])
    with pytest.raises(ValueError, match=r"outside 5\.\.5"):
        task.reference([1, 2, 3])


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("induction", [1, 2, 3, 4, 5]),
        ("permute", [1, 2, 0, 0]),
        ("fib_mod", [1, 1, 2, 3, 5, 8, 13, 21, 11, 0]),
        ("mod_add", ["1", "=", "="]),
        ("add5", ["0"] * 18),
        ("ioi", ["A", "A", "B", "MID"]),
        ("code_exec", ["a", "=", "1", ";", "a", "[", "3", "]", "=", "4", ";"]),
        ("linreg", [2, 4, 3, 7]),
    ],
)
def test_references_refuse_inputs_outside_the_format(name, tokens):
    with pytest.raises(ValueError):
        tasks.get(name).reference(tokens)


def test_documented_examples():
    program = ["a", "=", "1", "2", "3", ";", "a", "[", "2", "]", "=", "4", ";"]
    assert tasks.get("code_exec").reference(program)[2:5] == ["1", "2", "4"]
    assert tasks.get("ioi").reference(["A", "B", "A", "MID"])[3] == "B"
    assert tasks.get("ioi").reference(["A", "B", "C", "MID"])[3] == "NONE"
    assert tasks.get("dyck1").reference(list("(()))(")) == list("PPPTFF")
    assert tasks.get("dyck2").reference(list("({)}")) == list("PPFF")
    assert tasks.get("mod_sub").reference(["5", "7", "="])[2] == "111"
    reversed_sum = list("54321+67890=122220")  # 12345 + 09876 = 022221, digits reversed
    assert tasks.get("add5_rev").reference(reversed_sum)[11:17] == list("122220")


def test_tasks_can_be_built_at_other_sizes():
    task = reverse_task("reverse4", min_len=4, max_len=4)
    inputs, targets = task.sample(np.random.default_rng(0), 10)
    assert all(len(x) == 4 and t == x[::-1] for x, t in zip(inputs, targets))


def test_bos_must_not_be_a_vocab_token():
    task = tasks.get("sort5")
    with pytest.raises(ValueError, match="BOS"):
        dataclasses.replace(task, bos=3)
