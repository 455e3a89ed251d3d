"""Compare benchmark: wall time and verdicts of `compare` on a trained model.

Trains a 2-layer model on a task with the task's recipe (or loads --model),
then compares it with each of the task's hypotheses (the others as rivals) and
with a compiled model of the first hypothesis, printing the time each takes.

    python bench/compare/run.py [--task reverse] [--model CKPT] [--report DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from rasplab.compare import Settings, compare
from rasplab.compare.report import write
from rasplab.compiler import compile_program

from rasplab import tasks
from rasplab.model import load


def trained_model(task_name: str, out: Path, steps: int | None):
    from rasplab.train import TrainConfig, train

    config = (
        TrainConfig(task_name, out_dir=str(out), steps=steps)
        if steps
        else TrainConfig(task_name, out_dir=str(out))
    )
    start = time.perf_counter()
    result = train(config)
    print(
        f"trained {task_name}: held-out sequence accuracy {result.accuracy:.3f} "
        f"in {time.perf_counter() - start:.1f} s -> {result.checkpoint}"
    )
    return load(result.checkpoint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="reverse")
    parser.add_argument("--model", help="a trained checkpoint (default: train one)")
    parser.add_argument("--steps", type=int, help="training steps (default: the recipe's)")
    parser.add_argument("--out", default="runs/bench-compare")
    parser.add_argument("--report", help="write each report under this folder")
    args = parser.parse_args()
    torch.set_num_threads(1)
    task = tasks.get(args.task)
    model = load(args.model) if args.model else trained_model(args.task, Path(args.out), args.steps)
    names = list(task.hypotheses)
    for name in names:
        program = task.hypotheses[name].program()
        rivals = [task.hypotheses[o].program() for o in names if o != name]
        start = time.perf_counter()
        report = compare(
            model, program, task, rivals[0] if rivals else None, Settings(), progress=False
        )
        seconds = time.perf_counter() - start
        nodes = {k: (v["verdict"], v["iia"]["sequence"]) for k, v in report["nodes"].items()}
        print(
            f"trained vs {name} ({len(program.nodes)} nodes, {model.cfg.n_layers} layers): "
            f"{report['verdict']} in {seconds:.1f} s; behaviour "
            f"{report['behaviour']['sequence_accuracy']:.3f}; nodes {nodes}"
        )
        if args.report:
            for path in write(report, Path(args.report) / name):
                print(f"  wrote {path}")
    first = task.hypotheses[names[0]]
    if first.compilable:
        program = first.program()
        domain = task.sample(np.random.default_rng(1), 1000)[0]
        compiled = compile_program(program, list(task.vocab), task.max_len, task.causal, domain)
        start = time.perf_counter()
        report = compare(compiled.model, program, task, settings=Settings(), progress=False)
        print(
            f"compiled {names[0]} vs itself: {report['verdict']} in "
            f"{time.perf_counter() - start:.1f} s"
        )


if __name__ == "__main__":
    main()
