"""Interpreter throughput: batched evaluation against one input at a time.

Sort and histogram over random inputs of length 16, in sequences per second.
The one-at-a-time baseline is the same interpreter called once per input, as a
REPL-style evaluator without batching would be. Both produce the output as
Python lists.

    python bench/interpreter/run.py [--n 10000] [--length 16] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from rasplab.rasp import Session

PROGRAMS = {
    "sort": "sort_out = sort(tokens_int, tokens_int);",
    "hist": "hist_out = selector_width(select(tokens_int, tokens_int, ==));",
}


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(n: int, length: int, baseline_n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    inputs = rng.integers(0, 10, size=(n, length)).tolist()
    rows = []
    for name, source in PROGRAMS.items():
        session = Session()
        session.exec(source)
        program = session.program(f"{name}_out")
        program.evaluate(inputs[:10])  # warm-up
        batched = _timed(lambda p=program: p.evaluate(inputs).output)
        few = inputs[:baseline_n]
        single = _timed(lambda p=program, xs=few: [p.evaluate([x]).output[0] for x in xs])
        agree = program.evaluate(few).output == [program.evaluate([x]).output[0] for x in few]
        rows.append(
            {
                "program": name,
                "inputs": n,
                "length": length,
                "batched_seq_per_s": n / batched,
                "one_at_a_time_seq_per_s": baseline_n / single,
                "speedup": (n / batched) / (baseline_n / single),
                "outputs_agree": agree,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="inputs per program")
    parser.add_argument("--length", type=int, default=16)
    parser.add_argument(
        "--baseline-n", type=int, default=None, help="inputs for the slow baseline (default: n)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.n, args.length, args.baseline_n or args.n)
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{'program':8} {'batched seq/s':>14} {'one-at-a-time seq/s':>20} {'speedup':>8}  agree")
    for r in rows:
        print(
            f"{r['program']:8} {r['batched_seq_per_s']:14,.0f}"
            f" {r['one_at_a_time_seq_per_s']:20,.0f} {r['speedup']:7.1f}x  {r['outputs_agree']}"
        )


if __name__ == "__main__":
    main()
