"""Record compare_report_sort5.json, the report the report tests render: the compiled
sort-by-rank model against its program with sort-by-count beside it (a real run, so
the page is tested on every field the engine writes). Rerun after the report's
fields change: .venv/bin/python tests/data/record_compare_report.py"""

import json
from pathlib import Path

import numpy as np
from rasplab.compare import Settings, compare
from rasplab.compiler import compile_program

from rasplab import tasks
from rasplab.atomic import write_text


def main() -> None:
    task = tasks.get("sort5")
    rank = task.hypotheses["rank"].program()
    domain = task.sample(np.random.default_rng(1), 500)[0]
    compiled = compile_program(rank, list(task.vocab), task.max_len, task.causal, domain)
    report = compare(compiled.model, rank, task, rival=task.hypotheses["count"].program(),
                     settings=Settings(inputs=200, das_steps=40), progress=False)
    path = Path(__file__).with_name("compare_report_sort5.json")
    write_text(path, json.dumps(report.to_json(), allow_nan=False) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
