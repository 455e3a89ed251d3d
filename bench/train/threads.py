"""Milliseconds per training step with 1 and with 2 torch CPU threads, side by side.

The evidence for train.threads' rule (small models train on one thread). Each task's
recipe model takes optimiser steps on its own batches (the same code path as
train()), timed after a warm-up, alternating thread counts so that drift in the
machine's load hits both alike.

    python bench/train/threads.py [--tasks sort5,reverse,mod_add] [--steps 20]
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from rasplab import tasks
from rasplab.train.build import build_model
from rasplab.train.data import make_data
from rasplab.train.evaluate import scored_logits
from rasplab.train.loop import BETAS
from rasplab.train.optim import AdamW
from rasplab.train.threads import torch_threads


def ms_per_step(task_name: str, threads: int, steps: int) -> tuple[float, int, int]:
    """(milliseconds per step, parameters, tokens per step) of the task's recipe model."""
    task = tasks.get(task_name)
    model = build_model(task, task.recipe, seed=0)
    data = make_data(task, task.recipe, 0, 100, torch.device("cpu"))
    batches = [data.batch(step) for step in range(steps + 3)]
    optimizer = AdamW([p for p in model.parameters() if p.requires_grad], 0.01, BETAS)
    with torch_threads(threads):
        for i, batch in enumerate(batches):
            if i == 3:  # the first steps allocate; time the rest
                start = time.perf_counter()
            loss = F.cross_entropy(scored_logits(model, batch), batch.targets[batch.scored])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step(task.recipe.lr)
    params = sum(p.numel() for p in model.parameters())
    return (time.perf_counter() - start) / steps * 1000, params, batches[0].tokens.numel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="sort5,reverse,add5_rev,mod_add")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="alternations of 1 and 2 threads")
    args = parser.parse_args()
    print(
        f"{'task':<10} {'params':>8} {'tokens':>7} {'1 thread ms':>12} {'2 threads ms':>13} "
        f"{'2t / 1t':>8}"
    )
    for name in args.tasks.split(","):
        one, two = [], []
        for _ in range(args.rounds):
            ms, params, tokens = ms_per_step(name, 1, args.steps)
            one.append(ms)
            two.append(ms_per_step(name, 2, args.steps)[0])
        best_one, best_two = min(one), min(two)
        print(
            f"{name:<10} {params:>8} {tokens:>7} {best_one:>12.1f} {best_two:>13.1f} "
            f"{best_two / best_one:>7.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
