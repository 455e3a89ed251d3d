"""Checkpoints of a run in its folder, and resuming from them.

out_dir/model.safetensors (+ model.json) is the latest model, loadable with
model.load. out_dir/state.pt holds what resuming needs: the step, the weights, the
optimiser state, the running training-loss sums and the run's identity (see
TrainConfig.identity). Nothing random needs saving: batches are a pure function of
(seed, step) and the learning rate a function of the step. Both files are written
atomically, the model first, so state.pt always describes a complete checkpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from rasplab.atomic import replacing
from rasplab.model import Transformer, save
from rasplab.tasks import Task
from rasplab.train.build import format_mismatches
from rasplab.train.errors import CheckpointMismatch
from rasplab.train.optim import AdamW

MODEL_FILE = "model.safetensors"
STATE_FILE = "state.pt"


@dataclass
class RunState:
    """Where a run stands after `step` optimiser steps."""

    step: int = 0
    loss_sum: float = 0.0
    loss_count: int = 0
    done: bool = False


def save_checkpoint(
    out_dir: Path,
    model: Transformer,
    optimizer: AdamW,
    state: RunState,
    identity: dict[str, Any],
) -> Path:
    """Write the model and the resume state; returns the model's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_FILE
    save(model, path)
    resume_state = {
        "step": state.step,
        "loss_sum": state.loss_sum,
        "loss_count": state.loss_count,
        "done": state.done,
        "identity": json.dumps(identity, sort_keys=True),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
    }
    with replacing(out_dir / STATE_FILE) as tmp:
        torch.save(resume_state, tmp)
    return path


def resume(
    out_dir: Path,
    model: Transformer,
    optimizer: AdamW,
    identity: dict[str, Any],
    task: Task,
) -> RunState:
    """Load the checkpoint in out_dir into model and optimizer, if there is one.

    Refuses (CheckpointMismatch) a checkpoint of another task format, or one whose
    run settings differ from this run's: continuing it would not give the run asked for.
    """
    path = out_dir / STATE_FILE
    if not path.is_file():
        return RunState()
    saved, theirs = _read_state(path, next(model.parameters()).device)
    if "labels" in theirs:  # the first states nested the labels (and repeated seed, recipe)
        theirs = {**theirs["labels"], "eval_size": theirs["eval_size"]}
    problems = format_mismatches(theirs, task)
    if problems:
        raise CheckpointMismatch(
            f"{out_dir} holds a checkpoint that does not fit task {task.name}: "
            + "; ".join(problems)
            + "; choose another output folder"
        )
    differences = _differences(theirs, identity)
    if differences:
        raise CheckpointMismatch(
            f"{out_dir} holds a run with other settings ({'; '.join(differences)}); "
            "rerun with the same settings to resume it, or choose another output folder"
        )
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    return RunState(saved["step"], saved["loss_sum"], saved["loss_count"], saved["done"])


def _read_state(path: Path, device: torch.device) -> tuple[dict[str, Any], dict[str, Any]]:
    """state.pt's contents and the run identity in it, or a CheckpointMismatch naming
    the file when it is empty, torn or not a checkpoint (torch's own errors say neither
    which file nor what to do)."""
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:  # torch raises many types for a damaged file
        reason = f"{type(err).__name__}: {err}".splitlines()[0]
        raise CheckpointMismatch(_unreadable(path, reason)) from None
    fields = {"step", "loss_sum", "loss_count", "done", "identity", "model", "optimizer"}
    missing = sorted(fields - set(saved)) if isinstance(saved, dict) else sorted(fields)
    if missing:
        raise CheckpointMismatch(_unreadable(path, f"it lacks {missing}"))
    try:
        identity = json.loads(saved["identity"])
    except (TypeError, ValueError):
        raise CheckpointMismatch(_unreadable(path, "its run identity is not JSON")) from None
    return saved, identity


def _unreadable(path: Path, reason: str) -> str:
    return (
        f"{path} is not a readable checkpoint ({reason}); move it away (or delete it) to "
        "start the run afresh in this folder, or choose another output folder"
    )


def _differences(theirs: dict[str, Any], ours: dict[str, Any], where: str = "") -> list[str]:
    """'key: X there, Y here' for every leaf that differs."""
    out = []
    for key in sorted(set(theirs) | set(ours)):
        a, b = theirs.get(key), ours.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{where}{key}.")
        elif a != b:
            out.append(f"{where}{key}: {a!r} there, {b!r} here")
    return out
