"""Compiler benchmark: the field's classic programs at several max_len.

For each program and max_len: layers, residual width, parameters, warm compile
time (best of 3, after one untimed compile) and the exact-match fraction
against the interpreter (every input when there are at most 200,000, else
random ones). Beside them, the figures the compiler issue quotes for Tracr 1.0.0
(jax 0.10.2, CPU, default settings) at max_len 20.

    python bench/compile/run.py [--max-lens 5,10,20,64] [--samples 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

from rasplab.compiler import compile_program
from rasplab.compiler.verify import verify
from rasplab.rasp import Session

# program -> (file to load, output s-op, vocab)
PROGRAMS = {
    "length": ("", "length_out", list("abcde")),
    "reverse": ("reverse", "reversed", list("abcde")),
    "hist": ("hist", "hist", list("abcde")),
    "sort": ("sort", "sorted", [1, 2, 3, 4, 5]),
    "sort_freq": ("sort_freq", "sort_freq", list("abcde")),
    "dyck2": ("dyck", "dyck2", list("(){}")),
    "frac_prevs": ("frac_prevs", "frac_prevs", list("()x")),
}

# Quoted from the compiler issue: Tracr 1.0.0 at max_len 20 (layers, d_model, params,
# warm compile seconds, exact sequences). Tracr's Dyck-2 is shuffle-Dyck (no nesting check).
TRACR_20 = {
    "length": (1, 49, 6_800, 0.09, 0.415),
    "reverse": (4, 133, 543_000, 0.55, 0.415),
    "hist": (1, 49, 6_800, 0.04, 0.995),
    "sort": (3, 133, 200_000, 0.32, 0.63),
    "sort_freq": (5, 516, 6_550_000, 1.68, 0.525),
    "dyck2": (8, 100, 5_270_000, 2.36, 0.47),
    "frac_prevs": (2, 30, 6_500, 0.05, 1.0),
}


def program_for(name: str):
    file, output, vocab = PROGRAMS[name]
    session = Session()
    session.exec(f'load "{file}";' if file else "length_out = length;")
    return session.program(output), vocab


def measure(name: str, max_len: int, samples: int) -> dict:
    program, vocab = program_for(name)
    compile_program(program, vocab, max_len)  # warm-up: imports, caches
    times = []
    for _ in range(3):
        start = time.perf_counter()
        compiled = compile_program(program, vocab, max_len)
        times.append(time.perf_counter() - start)
    result = verify(program, compiled, samples=samples, seed=0)
    cfg = compiled.model.cfg
    return {
        "program": name,
        "max_len": max_len,
        "layers": cfg.n_layers,
        "d_model": cfg.d_model,
        "params": compiled.parameter_count(),
        "compile_s": min(times),
        "exact": result.fraction,
        "checked": result.checked,
        "exhaustive": result.exhaustive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-lens", default="5,10,20,64")
    parser.add_argument("--programs", default=",".join(PROGRAMS))
    parser.add_argument(
        "--samples", type=int, default=2000, help="random inputs when not exhaustive"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for name in args.programs.split(","):
        for max_len in (int(x) for x in args.max_lens.split(",")):
            try:
                rows.append(measure(name, max_len, args.samples))
            except Exception as err:  # a benchmark reports what fails and goes on
                rows.append({"program": name, "max_len": max_len, "error": str(err)[:200]})
            if not args.json:
                _print_row(rows[-1])
    if args.json:
        print(json.dumps(rows))


def _print_row(r: dict) -> None:
    if "error" in r:
        print(f"{r['program']:>10} @{r['max_len']:<3} ERROR {r['error']}")
        return
    line = (
        f"{r['program']:>10} @{r['max_len']:<3} layers {r['layers']:>2}  d_model {r['d_model']:>4}"
        f"  params {r['params']:>9,}  compile {r['compile_s']:6.3f}s  exact {r['exact']:.3f}"
        f" ({r['checked']:,}{' all' if r['exhaustive'] else ' sampled'})"
    )
    tracr = TRACR_20.get(r["program"]) if r["max_len"] == 20 else None
    if tracr:
        layers, d_model, params, seconds, exact = tracr
        line += (
            f"   | Tracr: layers {layers} d_model {d_model} params {params:,} "
            f"compile {seconds}s exact {exact}  -> params x{r['params'] / params:.2f}"
        )
    print(line, flush=True)


if __name__ == "__main__":
    main()
