"""Property tests: every reference satisfies its task's invariants on the task's
own Hypothesis strategy, and the invariants are not vacuous."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rasplab import tasks

NAMES = tasks.names()


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_reference_satisfies_the_invariants(name, data):
    task = tasks.get(name)
    tokens = data.draw(task.strategy(), label="tokens")
    assert task.invariants(tokens, task.reference(tokens)) == []


@pytest.mark.parametrize("name", NAMES)
def test_invariants_catch_wrong_targets(name):
    """Shifting every scored target to the next output class must be caught on
    some of 50 inputs."""
    task = tasks.get(name)
    classes = list(task.output_vocab)
    inputs, targets = task.sample(np.random.default_rng(0), 50)
    caught = 0
    for tokens, target in zip(inputs, targets):
        wrong = [
            None if t is None else classes[(classes.index(t) + 1) % len(classes)] for t in target
        ]
        caught += bool(task.invariants(tokens, wrong))
    assert caught > 0


@pytest.mark.parametrize("name", NAMES)
def test_invariants_check_the_shape(name):
    task = tasks.get(name)
    tokens = task.sample(np.random.default_rng(0), 1)[0][0]
    assert task.invariants(tokens, [None] * len(tokens)) == ["no position is scored"]
    assert "entries" in task.invariants(tokens, [])[0]
    assert "output vocab" in task.invariants(tokens, ["not a class"] * len(tokens))[0]
