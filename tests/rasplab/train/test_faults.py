"""Training under faults (issue 11): SIGKILLs at random moments, a torn metrics line, a
step that blows the weights up. Nothing written is lost and the resumed run ends with
the weights of an uninterrupted one."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from rasplab.train import TrainError, train
from rasplab.train import loop as loop_module
from rasplab.train.errors import Diverged

SETUP = """
from pathlib import Path
from rasplab.tasks import Recipe
from rasplab.tasks.sequences import reverse_task
from rasplab.train import TrainConfig, train
task = reverse_task("reverse_upto4", 1, 4)
recipe = Recipe(n_layers=1, d_model=32, n_heads=2, d_mlp=0, lr=1e-2, batch_size=64,
                warmup=10, steps=STEPS)
def run(folder):
    config = TrainConfig(task.name, Path(folder), eval_every=10, eval_size=300,
                         progress=False, device="cpu", checkpoint_every=10, threads=1)
    return train(config, task=task, recipe=recipe)
"""
STEPS = 40
RUN = SETUP.replace("STEPS", str(STEPS)) + "import sys; run(sys.argv[1])\n"


def _uninterrupted(folder: Path) -> None:
    """The same run in this process (no second interpreter to start)."""
    names: dict = {}
    exec(SETUP.replace("STEPS", str(STEPS)), names)
    names["run"](folder)


def _step(folder: Path) -> int:
    try:
        return torch.load(folder / "state.pt", weights_only=True)["step"]
    except Exception:
        return 0


def test_killed_runs_resume_to_the_same_weights(tmp_path):
    steps = STEPS
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    _uninterrupted(whole)
    kills = 0
    while True:
        run = subprocess.Popen([sys.executable, "-c", RUN, killed])
        target = _step(killed) + 10 + kills * 7  # a different moment each time
        if target >= steps:  # let the last run finish
            assert run.wait(timeout=120) == 0
            break
        while run.poll() is None and _step(killed) < target:
            time.sleep(0.005)
        assert run.poll() is None, "the run ended before it could be killed"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        kills += 1
        with open(killed / "metrics.jsonl", "a") as metrics:
            metrics.write('{"step": 99, "tor')  # a write cut short by the kill
    assert kills >= 2
    a, b = load_file(whole / "model.safetensors"), load_file(killed / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    lines = (killed / "metrics.jsonl").read_text().splitlines()
    steps_logged = [json.loads(line)["step"] for line in lines]
    assert steps_logged == list(range(10, steps + 1, 10))
    assert not [p for p in killed.iterdir() if p.name.endswith(".tmp")]


def test_a_torn_line_inside_the_metrics_is_named(tmp_path, reverse4, tiny_recipe, tiny_config):
    recipe = dataclasses.replace(tiny_recipe, steps=20)
    config = tiny_config(reverse4, tmp_path, checkpoint_every=10)
    train(config, task=reverse4, recipe=recipe)
    path = tmp_path / "metrics.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(["{oops", *lines]) + "\n")
    with pytest.raises(TrainError, match=r"metrics.jsonl line 1 is not a metrics record"):
        train(config, task=reverse4, recipe=recipe)


def test_exploding_weights_are_never_checkpointed(
    tmp_path, reverse4, tiny_recipe, tiny_config, monkeypatch
):
    recipe = dataclasses.replace(tiny_recipe, steps=40)
    config = tiny_config(reverse4, tmp_path, checkpoint_every=10)
    real_step = loop_module._Run.step

    def blow_up_at_step_25(run):
        result = real_step(run)
        if run.state.step == 25:
            with torch.no_grad():
                next(run.model.parameters()).mul_(1e37)
        return result

    monkeypatch.setattr(loop_module._Run, "step", blow_up_at_step_25)
    with pytest.raises(Diverged, match=r"largest weight grew to .*from step 20"):
        train(config, task=reverse4, recipe=recipe)
    assert torch.load(tmp_path / "state.pt", weights_only=True)["step"] == 20
    weights = load_file(tmp_path / "model.safetensors")
    assert all(bool(w.abs().max() < 1e3) for w in weights.values())
