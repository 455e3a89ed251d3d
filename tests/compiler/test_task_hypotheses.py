"""Every task hypothesis marked compilable compiles, and the model agrees with the
interpreter on the task's inputs. The largest ones (millions of parameters,
seconds to build) are left to bench/compile/tasks.py, which compiles each and
verifies it on every valid input of its task (or on samples where the task
cannot enumerate them): run `python bench/compile/tasks.py`."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from rasplab.compiler import compile_program
from rasplab.compiler.verify import same_output

from rasplab import tasks

LARGE = {  # (task, hypothesis): why it is left to the benchmark
    ("linreg", "first_pair"): "a 3-input table, 264M parameters",
    ("add_sub", "branch"): "109M parameters",
    ("add_sub", "negate"): "42M parameters",
    ("mod_add", "table"): "16M parameters; mod_sub covers the same construction",
    ("mod_add_mlp", "table"): "the same program as mod_add",
    ("min_max", "compare"): "12M parameters",
    ("add5_rev", "local"): "7M parameters",
}

CASES = [
    (t.name, name)
    for t in tasks.all_tasks()
    for name, h in t.hypotheses.items()
    if h.compilable and (t.name, name) not in LARGE
]


@pytest.mark.parametrize("task_name, hypothesis", CASES, ids=[f"{t}/{h}" for t, h in CASES])
def test_compilable_hypothesis_is_exact_on_the_task(task_name, hypothesis):
    task = tasks.get(task_name)
    program = task.hypotheses[hypothesis].program()
    domain, _ = task.sample(np.random.default_rng(1), 1000)
    compiled = compile_program(program, list(task.vocab), task.max_len, task.causal, domain)
    inputs, targets = task.sample(np.random.default_rng(2), 200)
    expected = program.evaluate(inputs).output
    for x, got, want, target in zip(inputs, compiled.run_batch(inputs), expected, targets):
        assert same_output(got, want), (x, got, want)
        scored = [i for i, t in enumerate(target) if t is not None]
        assert [got[i] for i in scored] == [target[i] for i in scored]


def test_every_large_exclusion_is_still_a_compilable_hypothesis():
    for task_name, hypothesis in LARGE:
        assert tasks.get(task_name).hypotheses[hypothesis].compilable


def test_the_benchmark_checks_exactly_the_hypotheses_left_out_here():
    path = Path(__file__).resolve().parents[2] / "bench" / "compile" / "tasks.py"
    spec = importlib.util.spec_from_file_location("bench_compile_tasks", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert sorted(bench.HYPOTHESES) == sorted(LARGE)
