"""Property tests: every RASP hypothesis agrees with its task's reference on the
scored positions, evaluated in batches; hypotheses of causal tasks read only
positions up to the query."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasplab.tasks.agreement import causal_violations, disagreements

from rasplab import tasks

PAIRS = [(t.name, h) for t in tasks.all_tasks() for h in t.hypotheses]
CAUSAL = [(name, h) for name, h in PAIRS if tasks.get(name).causal]


@pytest.mark.parametrize(("name", "hypothesis"), PAIRS)
# Each example is a batch of up to 25 inputs, every pair is also checked on a seeded
# sample of 400 inputs, and there are many pairs: 15 batches per pair is plenty.
@settings(max_examples=15, suppress_health_check=[HealthCheck.data_too_large])
@given(data=st.data())
def test_hypothesis_agrees_on_the_strategy(name, hypothesis, data):
    task = tasks.get(name)
    batch = data.draw(st.lists(task.strategy(), min_size=1, max_size=25), label="batch")
    assert disagreements(task, task.hypotheses[hypothesis], batch) == []


@pytest.mark.parametrize(("name", "hypothesis"), PAIRS)
def test_hypothesis_agrees_on_a_seeded_sample(name, hypothesis):
    task = tasks.get(name)
    inputs, _ = task.sample(np.random.default_rng(11), 400)
    assert disagreements(task, task.hypotheses[hypothesis], inputs) == []


@pytest.mark.parametrize(
    ("name", "hypothesis"), [(n, h) for n, h in PAIRS if tasks.get(n).domain_size]
)
def test_hypothesis_agrees_on_the_whole_finite_domain(name, hypothesis):
    task = tasks.get(name)
    assert disagreements(task, task.hypotheses[hypothesis], task.enumerate()) == []


@pytest.mark.parametrize(("name", "hypothesis"), CAUSAL)
def test_causal_hypotheses_read_only_the_past(name, hypothesis):
    task = tasks.get(name)
    inputs, _ = task.sample(np.random.default_rng(2), 25)
    assert causal_violations(task.hypotheses[hypothesis].program(), inputs) == []
