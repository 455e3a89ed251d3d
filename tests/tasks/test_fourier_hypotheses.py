"""The generated modular-addition hypotheses (tasks/fourier.py) equal the task's
reference on every input, at any modulus and any set of frequencies."""

import math
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasplab.tasks.agreement import disagreements
from rasplab.tasks.fourier import fourier_program, table_program

from rasplab import tasks


def _grid(p: int) -> list[list[str]]:
    return [[str(a), str(b), "="] for a, b in product(range(p), repeat=2)]


@st.composite
def modulus_and_frequencies(draw) -> tuple[int, list[int]]:
    p = draw(st.sampled_from([3, 5, 7, 9, 11, 13, 15, 17, 19, 23]))
    usable = [k for k in range(1, (p - 1) // 2 + 1) if math.gcd(k, p) == 1]
    freqs = draw(st.lists(st.sampled_from(usable), min_size=1, max_size=3, unique=True))
    return p, freqs


@settings(max_examples=12, deadline=None)
@given(modulus_and_frequencies())
def test_the_fourier_program_adds_on_every_input(case):
    p, freqs = case
    grid = _grid(p)
    outputs = fourier_program(p, freqs).evaluate(grid).output
    assert [row[2] for row in outputs] == [str((int(a) + int(b)) % p) for a, b, _ in grid]


@pytest.mark.parametrize(("op", "p"), [("+", 2), ("+", 12), ("-", 9)])
def test_the_table_program_computes_the_operation_on_every_input(op, p):
    grid = _grid(p)
    outputs = table_program(p, op).evaluate(grid).output
    expected = [(int(a) + int(b) if op == "+" else int(a) - int(b)) % p for a, b, _ in grid]
    assert [row[2] for row in outputs] == [str(v) for v in expected]


@pytest.mark.parametrize("name", ["mod_add_p7", "mod_add_mlp_p11", "mod_sub_p5"])
def test_tasks_with_another_modulus_have_hypotheses_that_agree_on_their_domain(name):
    task = tasks.get(name)
    assert "table" in task.hypotheses
    for hypothesis in task.hypotheses.values():
        assert disagreements(task, hypothesis, task.enumerate()) == []


def test_the_fourier_hypothesis_has_a_point_per_frequency():
    program = fourier_program(11, [2, 5])
    for k in (2, 5):
        for name in ("cos{}_a", "sin{}_a", "cos{}_b", "sin{}_b", "cos{}_sum", "sin{}_sum"):
            assert program.node(name.format(k)).encoding == "numerical"


@pytest.mark.parametrize(("p", "freqs"), [(9, [3]), (11, [6]), (11, []), (2, [1])])
def test_a_frequency_that_cannot_tell_residues_apart_is_refused(p, freqs):
    with pytest.raises(ValueError, match=r"frequenc|p >= 3"):
        fourier_program(p, freqs)
