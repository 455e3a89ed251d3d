"""Compare benchmark: CPU time, wall time and where the time goes, for `compare` of
a trained model against each hypothesis of its task with the others as rivals.

Trains a model on the task with its recipe (or loads --model), pins torch and every
BLAS library to one thread, and runs compare under cProfile so the time can be
split by phase (alignment search, controls, rank sweep, strict check, similarity,
probes, pairs and counterfactuals).

    python bench/compare/run.py [--task reverse] [--model CKPT] [--inputs 600] [--steps 150]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

import torch
from rasplab.compare import Settings, compare
from rasplab.compare.report import write

from rasplab import tasks
from rasplab.model import load

# phase -> the function whose cumulative time it is (file suffix, function name)
PHASES = {
    "alignment search": ("compare/assess.py", "_align"),
    "controls": ("compare/assess.py", "_controls"),
    "rank sweep": ("compare/assess.py", "_rank_sweep"),
    "strict check and claims": ("compare/assess.py", "_strict"),
    "similarity": ("compare/assess.py", "_similarity"),
    "probes": ("compare/assess.py", "_probe"),
    "pairs and counterfactuals": ("compare/variables.py", "build"),
    "selector heads": ("compare/assess.py", "selector_heads"),
}


def trained_model(task_name: str, out: Path):
    from rasplab.train import TrainConfig, train

    start = time.perf_counter()
    result = train(TrainConfig(task_name, out_dir=str(out)))
    print(
        f"trained {task_name}: held-out sequence accuracy {result.accuracy:.3f} "
        f"in {time.perf_counter() - start:.1f} s -> {result.checkpoint}"
    )
    return load(result.checkpoint)


def phases(profile: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    found = dict.fromkeys(PHASES, 0.0)
    for (file, _, name), (_, _, _, cumulative, _) in stats.items():
        for phase, (suffix, function) in PHASES.items():
            if file.endswith(suffix) and name == function:
                found[phase] += cumulative
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="reverse")
    parser.add_argument("--model", help="a trained checkpoint (default: train one)")
    parser.add_argument("--out", default="runs/bench-compare")
    parser.add_argument("--inputs", type=int, default=600)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--report", help="write each report under this folder")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    task = tasks.get(args.task)
    model = load(args.model) if args.model else trained_model(args.task, Path(args.out))
    settings = Settings(inputs=args.inputs, das_steps=args.steps)
    names = list(task.hypotheses)
    for name in names:
        program = task.hypotheses[name].program()
        rivals = [task.hypotheses[o].program() for o in names if o != name]
        profile = cProfile.Profile()
        wall, cpu = time.perf_counter(), time.process_time()
        profile.enable()
        report = compare(model, program, task, rivals, settings, progress=False)
        profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        data = report.to_json()
        print(
            f"trained {args.task} vs {name} (+{len(rivals)} rival, {len(data['nodes'])} "
            f"variables, {model.cfg.n_layers} layers): {data['verdict']} — {data['reason']}"
        )
        print(f"  {cpu:.1f} CPU-s, {wall:.1f} s wall (one thread; profiled)")
        for phase, seconds in phases(profile).items():
            print(f"    {phase:28} {seconds:6.1f} s")
        for entry in data["ranking"]:
            print(f"  {entry['program']:24} {entry['verdict']:14} score {entry['score']}")
        if args.report:
            for path in write(data, Path(args.report) / name):
                print(f"  wrote {path}")


if __name__ == "__main__":
    main()
