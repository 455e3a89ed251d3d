"""The resource cases of issue 11, each run as `rasp ...` in a fresh process: how long
it takes and its peak memory now that rasp/limits.py refuses it up front.

Before the limits (issue 11's measurements): a 10 MB program ran past 400 s and 2.5 GB;
range(100000000) took 3.8 GB, then MemoryError; a 100k-token input allocated a 9.3 GiB
selector; --vocab of 10,000 tokens died above 4.9 GB; --max-len 1000 on sort ran past
300 s; a config with d_model = 10^6 allocated 4 TB.

    .venv/bin/python bench/faults/resources.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RASP = str(Path(sys.executable).parent / "rasp")
SORT = "tasks/hypotheses/sort.rasp"


def cases(folder: Path) -> dict[str, list[str]]:
    """Each case's command line; files it needs are written into `folder`."""
    big = folder / "big.rasp"
    big.write_text("x = 1;\n" * 1_500_000)  # 10.5 MB
    ranged = folder / "range.rasp"
    ranged.write_text("r = range(100000000);\nr;\n")
    model = folder / "huge.safetensors"
    code = (
        "from rasplab.model import Transformer, save\n"
        "from rasplab.model.config import TransformerConfig as C\n"
        "import json, sys\n"
        "c = C(d_vocab=5, n_ctx=4, d_model=8, n_layers=1, n_heads=1, d_head=4, d_mlp=8)\n"
        "save(Transformer(c), sys.argv[1])\n"
    )
    subprocess.run([sys.executable, "-c", code, model], check=True)
    doc = json.loads(model.with_suffix(".json").read_text())
    doc["config"]["d_model"] = doc["config"]["d_mlp"] = 10**6
    model.with_suffix(".json").write_text(json.dumps(doc))
    load = (
        "from rasplab.model import load\n"
        f"try: load({str(model)!r})\n"
        "except ValueError as err: raise SystemExit(f'error: {err}')\n"
    )
    compile_sort = ["compile", SORT, "--name", "sort_rank"]
    return {
        "10 MB program": [RASP, "run", str(big), "--input", "a"],
        "range(100000000)": [RASP, "run", str(ranged), "--input", "a"],
        "100k-token input": [RASP, "run", SORT, "--input", "a" * 100_000, "--name", "sort_rank"],
        "--vocab of 10,000": [
            RASP,
            *compile_sort,
            "--vocab",
            ",".join(map(str, range(10_000))),
            "--max-len",
            "5",
        ],
        "--max-len 1000": [RASP, *compile_sort, "--vocab", "0,1,2", "--max-len", "1000"],
        "d_model = 10^6 config": [sys.executable, "-c", load],
    }


PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(done.stderr)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "raise SystemExit(done.returncode)\n"
)


def measure(argv: list[str]) -> tuple[int, float, float, str]:
    """(exit status, seconds, peak resident MB of the command, first line of stderr);
    a wrapper process runs it so that the peak is this command's alone."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *argv], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    line = (done.stderr.strip().splitlines() or [""])[0]
    return done.returncode, seconds, int(done.stdout.strip() or 0) / 1024, line


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'case':24} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
        for name, argv in cases(Path(folder)).items():
            status, seconds, peak, line = measure(argv)
            print(f"{name:24} {status:>4} {seconds:>8.2f} {peak:>8.0f}  {line[:90]}")


if __name__ == "__main__":
    main()
