"""What one point does, inside a Ray worker: train (or resume) its model, compare it with
each hypothesis of its task, and return the record the sweep stores.

Any exception becomes a failed record with the error and its traceback, so the driver
can store it and retry; only a worker that dies (killed, out of memory) reaches the
driver as a Ray error. Training resumes from its checkpoint in the point's folder, so a
retry or a resumed sweep never starts a half-trained model over.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rasplab.sweep.point import Point

if TYPE_CHECKING:
    from rasplab.tasks import Recipe, Task
    from rasplab.train import TrainConfig, TrainResult

REACHED = 0.99  # "steps to 99%": the first evaluation at this held-out sequence accuracy
# A worker of a killed sweep may still hold the point's training lock for a moment
# (Ray stops a dead driver's workers asynchronously): wait this long before failing.
LOCK_WAIT_S = 30.0


def run_point(point: Point, folder: str, report: bool = True) -> dict[str, Any]:
    """Train and compare `point` in `folder` (its own); never raises an Exception."""
    start = time.perf_counter()
    record: dict[str, Any] = {"id": point.id, "factors": point.factors,
                              "settings": point.settings}
    try:
        record.update(_train_and_compare(point, Path(folder), report))
        record["status"] = "ok"
    except Exception as err:
        record.update(status="failed", error=f"{type(err).__name__}: {err}",
                      traceback=traceback.format_exc())
    record["seconds"] = time.perf_counter() - start
    return record


def _train_and_compare(point: Point, folder: Path, report: bool) -> dict[str, Any]:
    from rasplab import tasks
    from rasplab.compare import Settings, compare
    from rasplab.compare.report import write
    from rasplab.train import TrainConfig, load_trained
    from rasplab.train.metrics import METRICS_FILE, read_records

    task = tasks.get(point.task)
    recipe = dataclasses.replace(task.recipe, **point.recipe_overrides())
    config = TrainConfig(
        task=task.name,
        out_dir=folder / "model",
        seed=point.settings["seed"],
        device=point.settings.get("device", "auto"),
        threads=point.cpus,
        progress=False,
        **point.train_overrides(),
    )
    trained = _train_when_free(config, task, recipe)
    records = read_records(config.out_dir / METRICS_FILE)
    reached = [r["step"] for r in records if r["held_out_seq_acc"] >= REACHED]
    out: dict[str, Any] = {
        "train": {
            "steps": trained.steps,
            "accuracy": trained.accuracy,
            "position_accuracy": trained.position_accuracy,
            "steps_to_99": reached[0] if reached else None,
            "checkpoint": str(trained.checkpoint.relative_to(folder)),
        }
    }
    names = point.settings.get("hypotheses") or list(task.hypotheses)
    if not names:
        return out
    compare_start = time.perf_counter()
    model = load_trained(trained.checkpoint, task)
    programs = [task.hypotheses[name].program() for name in names]
    settings = Settings(inputs=point.settings["inputs"], das_steps=point.settings["das_steps"])
    result = compare(model, programs[0], task, programs[1:], settings, progress=False)
    doc = result.to_json()
    if report:
        write(doc, folder / "compare")
    hypotheses = {}
    for name, found in zip(names, [result.main, *result.others]):
        hypotheses[name] = {
            "program": found.program,
            "verdict": found.verdict,
            "nodes": {node: n.verdict for node, n in found.nodes.items()},
        }
    best = doc.get("fits_best") or {}
    by_program = {h["program"]: name for name, h in hypotheses.items()}
    out["compare"] = {
        "hypotheses": hypotheses,
        "fits_best": by_program.get(best.get("best"), best.get("best")),
        "fits_best_verdict": best.get("verdict"),
        "seconds": time.perf_counter() - compare_start,
        "report": "compare/report.html" if report else None,
    }
    return out


def _train_when_free(config: TrainConfig, task: Task, recipe: Recipe) -> TrainResult:
    """train(), waiting up to LOCK_WAIT_S while another process holds the run's folder."""
    from rasplab.train import train
    from rasplab.train.outdir import FolderInUse

    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            return train(config, task=task, recipe=recipe)
        except FolderInUse:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)
