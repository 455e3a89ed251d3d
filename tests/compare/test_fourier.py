"""Per-frequency causality (compare/fourier.py) and automatic grouping
(compare/variables.py) on cases whose answer is known."""

import dataclasses
import json
import math

import pytest
import torch
from rasplab.compare import Settings, compare
from rasplab.compare.adapter import Adapter
from rasplab.compare.fourier import fourier_causality
from rasplab.compare.variables import variables
from rasplab.rasp import RaspError
from rasplab.tasks.fourier import fourier_program
from torch import nn

from rasplab import tasks
from rasplab.cli import main
from rasplab.model import act_name, save
from rasplab.train.build import build_model

P = 13
KEYS = {3: 3.0, 5: 2.5, 1: 2.0}  # frequency -> amplitude in the embedding


class FourierNet(nn.Module):
    """A constructed model of the clock algorithm: each number embedded as
    amp_k (cos w_k x, sin w_k x) per key frequency k, plus two small dimensions it never
    reads; the answer's logit c is the sum over k of cos(w_k (a + b - c)), computed from
    the residual stream at the operands' positions (after any hook)."""

    def __init__(self) -> None:
        super().__init__()
        x = torch.arange(P, dtype=torch.float64)
        columns = []
        for k, amp in KEYS.items():
            angle = 2 * math.pi * k * x / P
            columns += [amp * torch.cos(angle), amp * torch.sin(angle)]
        noise = 0.01 * torch.randn(P, 2, generator=torch.Generator().manual_seed(0))
        numbers = torch.cat([torch.stack(columns, 1), noise.double()], 1)
        embed = torch.zeros(P + 2, numbers.shape[1], dtype=torch.float64)
        embed[1 : P + 1] = numbers  # BOS is id 0, "x" is id x + 1, "=" is id P + 1
        self.embed = nn.Module()
        self.embed.W_E = nn.Parameter(embed.float())

    def run_with_hooks(self, ids: torch.Tensor, fwd_hooks=()) -> torch.Tensor:
        resid = self.embed.W_E[ids]
        for name, hook in fwd_hooks:
            assert name == act_name("resid_pre", 0)
            resid = hook(resid, hook=None)
        c = torch.arange(P, dtype=torch.float32)
        logits = torch.zeros(len(ids), P)
        for j, (k, amp) in enumerate(KEYS.items()):
            ca, sa = resid[:, 1, 2 * j] / amp, resid[:, 1, 2 * j + 1] / amp
            cb, sb = resid[:, 2, 2 * j] / amp, resid[:, 2, 2 * j + 1] / amp
            cos_sum, sin_sum = ca * cb - sa * sb, sa * cb + ca * sb
            angle = 2 * math.pi * k * c / P
            logits += cos_sum[:, None] * torch.cos(angle) + sin_sum[:, None] * torch.sin(angle)
        out = torch.zeros(len(ids), ids.shape[1], P)
        out[:, -1] = logits
        return out


@pytest.fixture(scope="module")
def report():
    task = tasks.get(f"mod_add_p{P}")
    adapter = Adapter(FourierNet(), list(task.vocab), list(task.output_vocab), 3, "trained")
    return fourier_causality(None, task, pairs=400, adapter=adapter)


def test_the_key_frequencies_are_read_off_the_embedding(report):
    assert report.key_frequencies == list(KEYS)
    assert report.control not in KEYS


def test_each_key_frequency_carries_its_share_and_the_control_nothing(report):
    for operand in ("a", "b"):
        rows = {r.what: r for r in report.rows if r.operand == operand}
        # swapping frequency j moves the logit difference by 2 (1 - cos w_j d), whose
        # mean over uniform shifts d is the same for every j: a third each
        for k in KEYS:
            assert rows[f"k={k}"].shift_share == pytest.approx(1 / 3, abs=0.06)
        assert abs(rows[f"control k={report.control}"].shift_share) < 0.02
        assert rows[f"control k={report.control}"].iia == 0.0
        assert rows["all key"].shift_share == pytest.approx(1.0, abs=0.02)
        assert rows["all key"].iia == 1.0
        assert rows["whole operand"].iia == 1.0


def _undefined(program, inputs):
    """The share of (input, next input) pairs on which swapping `nodes` alone leaves the
    program undefined."""
    trace = program.evaluate(inputs)

    def share(nodes: tuple[str, ...]) -> float:
        failed = 0
        for base, source in zip(inputs, inputs[1:] + inputs[:1]):
            swaps = {x: [trace[x][inputs.index(source)]] for x in nodes}
            try:
                program.evaluate([base], swaps)
            except RaspError:
                failed += 1
        return failed / len(inputs)

    return share


def test_cos_and_sin_of_one_operand_are_one_variable():
    program = tasks.get("mod_add").hypotheses["fourier"].program()
    inputs = [[str(a), str(b), "="] for a, b in [(3, 4), (50, 7), (100, 20), (9, 9), (1, 80)]]
    found = {v.name: v for v in variables(program, (), _undefined(program, inputs))}
    assert found["cos_a + sin_a"].nodes == ("cos_a", "sin_a")
    assert found["cos_a + sin_a"].automatic
    assert "cos_sum + sin_sum" in found and "cos_a" not in found
    # a node named in a group, even a group of one, is left as given
    kept = {v.name for v in variables(program, [("cos_a",)], _undefined(program, inputs))}
    assert {"cos_a", "sin_a", "cos_b + sin_b"} <= kept


def test_each_frequency_is_its_own_point():
    program = fourier_program(11, [2, 5])
    inputs = [[str(a), str(b), "="] for a, b in [(3, 4), (5, 7), (10, 2), (9, 9), (1, 8)]]
    names = {v.name for v in variables(program, (), _undefined(program, inputs))}
    assert {"cos2_a + sin2_a", "cos5_a + sin5_a", "cos2_sum + sin2_sum"} <= names


def test_the_cli_prints_the_table_and_writes_json(tmp_path, capsys):
    task = tasks.get("mod_add_p7")
    recipe = dataclasses.replace(task.recipe, d_model=16, d_mlp=32, n_heads=2)
    save(build_model(task, recipe, seed=0), tmp_path / "m.safetensors")
    args = ["compare", "--model", str(tmp_path / "m.safetensors"), "--fourier"]
    assert main([*args, "--inputs", "50", "--report", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "Fourier causality on mod_add_p7" in printed and "all key" in printed
    written = json.loads((tmp_path / "out" / "fourier.json").read_text())
    assert written["p"] == 7 and written["pairs"] == 50
    keys = written["key_frequencies"]
    assert len(written["rows"]) == 2 * (len(keys) + 3)
    assert written["control"] not in keys


def test_the_cli_refuses_a_task_that_is_not_modular_addition(tmp_path, capsys):
    task = tasks.get("mod_sub_p7")
    recipe = dataclasses.replace(task.recipe, d_model=16, d_mlp=32, n_heads=2)
    save(build_model(task, recipe, seed=0), tmp_path / "m.safetensors")
    assert main(["compare", "--model", str(tmp_path / "m.safetensors"), "--fourier"]) == 1
    assert "modular-addition task" in capsys.readouterr().err


def test_compare_swaps_each_point_as_one_variable_and_says_so():
    task = tasks.get("mod_add_p7")
    recipe = dataclasses.replace(task.recipe, d_model=16, d_mlp=32, n_heads=2)
    settings = Settings(inputs=30, das_steps=2)
    report = compare(build_model(task, recipe, seed=0), fourier_program(7, [2]), task,
                     settings=settings, progress=False).to_json()
    assert {"cos2_a + sin2_a", "cos2_b + sin2_b", "cos2_sum + sin2_sum"} <= set(report["nodes"])
    assert "cos2_a" not in report["nodes"]
    assert any(note.startswith("cos2_a + sin2_a swapped as one variable")
               for note in report["notes"])
