"""Wall time for each headline task to reach 99% held-out sequence accuracy on CPU.

Trains the tasks one after another in this process (torch's import is paid once, not
per task), each with its task's recipe plus the changes in RECIPE_CHANGES (the values
recommended for tasks/; empty once they are applied there). Prints, per task, the
first evaluation at or above --target (step / seconds into the run), then the whole
run: steps, wall time of the train() call (data, evaluation, checkpoints and curves
included) and final held-out sequence accuracy. --stop ends each run at the target.

    python bench/train/recipes.py [--tasks sort5,reverse] [--target 0.99] [--stop] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from rasplab import tasks
from rasplab.train import TrainConfig, train

TASKS = (
    "sort5",
    "sort10",
    "reverse",
    "hist",
    "min_max",
    "prev_token",
    "induction",
    "ioi",
    "add5_rev",
)

# Recipe changes to try on top of the tasks' recipes (each declared with its task in
# tasks/; move a change there once measured); empty when those are being measured.
RECIPE_CHANGES: dict[str, dict[str, Any]] = {}

# Evaluate often enough to see when the target is crossed, rarely enough to stay cheap.
EVAL_EVERY = {"min_max": 100}


def measure(name: str, target: float, stop: bool, seed: int, out_dir: Path) -> dict[str, Any]:
    task = tasks.get(name)
    recipe = dataclasses.replace(task.recipe, **RECIPE_CHANGES.get(name, {}))
    config = TrainConfig(
        name,
        out_dir / name,
        seed=seed,
        until=target if stop else None,
        eval_every=EVAL_EVERY.get(name, 25),
        progress=False,
    )
    start = time.perf_counter()
    result = train(config, recipe=recipe)
    seconds = time.perf_counter() - start
    records = [json.loads(line) for line in (config.out_dir / "metrics.jsonl").open()]
    reached = next((r for r in records if r["held_out_seq_acc"] >= target), None)
    return {
        "task": name,
        "model": f"L{recipe.n_layers} d{recipe.d_model} h{recipe.n_heads} mlp{recipe.d_mlp}",
        "optimiser": f"lr {recipe.lr:g} batch {recipe.batch_size} steps {recipe.steps}",
        "target_step": reached and reached["step"],
        "target_seconds": reached and reached["seconds"],
        "steps": result.steps,
        "seconds": round(seconds, 1),
        "accuracy": round(result.accuracy, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated task names")
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--stop", action="store_true", help="stop each run at the target")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="one JSON object per task")
    args = parser.parse_args()
    if not args.json:
        print(
            f"{'task':<11} {'model':<18} {'optimiser':<30} {'target at':>14} "
            f"{'steps':>6} {'wall s':>7} {'acc':>7}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.tasks.split(","):
            row = measure(name, args.target, args.stop, args.seed, Path(tmp))
            if args.json:
                print(json.dumps(row), flush=True)
                continue
            reached = (
                f"{row['target_step']} / {row['target_seconds']:.1f}s"
                if row["target_step"] is not None
                else "never"
            )
            print(
                f"{row['task']:<11} {row['model']:<18} {row['optimiser']:<30} {reached:>14} "
                f"{row['steps']:>6} {row['seconds']:>7} {row['accuracy']:>7.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
