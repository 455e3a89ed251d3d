"""Compile benchmark for the task hypotheses too large for the test suite.

tests/compiler/test_task_hypotheses.py compiles every compilable task hypothesis
except these (millions of parameters, seconds each); this checks them. Each is
compiled at its task's vocabulary and max_len for the task's valid inputs, then
compared with the interpreter (compiler.verify) on every valid input when the
task can enumerate them, else on sampled ones, and with the task's targets on the
positions it scores.

    python bench/compile/tasks.py [--only mod_add/table,...] [--samples 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
from rasplab.compiler import compile_program
from rasplab.compiler.verify import verify_on

from rasplab import tasks

# (task, hypothesis): what tests/compiler/test_task_hypotheses.py leaves to this file
HYPOTHESES = [
    ("linreg", "first_pair"),
    ("add_sub", "branch"),
    ("add_sub", "negate"),
    ("mod_add", "table"),
    ("mod_add_mlp", "table"),
    ("min_max", "compare"),
    ("add5_rev", "local"),
]
COMPILE_DOMAIN = 1000  # sampled inputs a non-enumerable task compiles for (as the test does)


def measure(task_name: str, hypothesis: str, samples: int) -> dict[str, Any]:
    task = tasks.get(task_name)
    program = task.hypotheses[hypothesis].program()
    everything = task.enumerate()
    domain = everything or task.sample(np.random.default_rng(1), COMPILE_DOMAIN)[0]
    start = time.perf_counter()
    compiled = compile_program(program, list(task.vocab), task.max_len, task.causal, domain)
    seconds = time.perf_counter() - start
    inputs = everything or task.sample(np.random.default_rng(2), samples)[0]
    result = verify_on(program, compiled, inputs, exhaustive=everything is not None)
    cfg = compiled.model.cfg
    return {
        "task": task_name,
        "hypothesis": hypothesis,
        "vocab": len(task.vocab),
        "max_len": task.max_len,
        "layers": cfg.n_layers,
        "heads": list(cfg.heads_per_layer),
        "mlp_widths": list(cfg.d_mlp_per_layer),
        "d_model": cfg.d_model,
        "params": compiled.parameter_count(),
        "compile_s": seconds,
        "checked": result.checked,
        "exact": result.exact,
        "exhaustive": result.exhaustive,
        "task_agreement": _task_agreement(task, program, inputs),
        "mismatches": result.mismatches,
    }


def _task_agreement(task: tasks.Task, program, inputs: list[list[Any]]) -> float:
    """Fraction of inputs on which the program gives the task's targets at the scored
    positions: the compiled model's figure too wherever verify found it exact (the
    interpreter is far cheaper than a second pass through the model)."""
    agree = 0
    for x, got in zip(inputs, program.evaluate(inputs).output):
        target = task.reference(x)
        agree += all(got[i] == t for i, t in enumerate(target) if t is not None)
    return agree / len(inputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated task/hypothesis pairs")
    parser.add_argument("--samples", type=int, default=2000, help="inputs when not enumerable")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    chosen = [tuple(x.split("/")) for x in args.only.split(",")] if args.only else HYPOTHESES
    rows = []
    if not args.json:
        print(HEADER, flush=True)
    for task_name, hypothesis in chosen:
        try:
            rows.append(measure(task_name, hypothesis, args.samples))
        except Exception as err:  # a benchmark reports what fails and goes on
            rows.append({"task": task_name, "hypothesis": hypothesis, "error": str(err)[:300]})
        if not args.json:
            print(_row(rows[-1]), flush=True)
    if args.json:
        print(json.dumps(rows, default=str))
    if any("error" in r or r["exact"] != r["checked"] for r in rows):
        raise SystemExit(1)


HEADER = (
    f"{'task/hypothesis':<22} {'vocab':>5} {'len':>3} {'layers':>6} {'heads':<10} "
    f"{'MLP widths':<22} {'d_model':>7} {'params':>12} {'compile':>8}  verify"
)


def _row(r: dict[str, Any]) -> str:
    name = f"{r['task']}/{r['hypothesis']}"
    if "error" in r:
        return f"{name:<22} ERROR {r['error']}"
    heads = ",".join(map(str, r["heads"]))
    widths = ",".join(map(str, r["mlp_widths"]))
    scope = "every valid input" if r["exhaustive"] else "sampled"
    return (
        f"{name:<22} {r['vocab']:>5} {r['max_len']:>3} {r['layers']:>6} {heads:<10} "
        f"{widths:<22} {r['d_model']:>7} {r['params']:>12,} {r['compile_s']:>7.1f}s  "
        f"{r['exact']:,}/{r['checked']:,} exact ({scope}); task targets "
        f"{r['task_agreement']:.3f}"
    )


if __name__ == "__main__":
    main()
