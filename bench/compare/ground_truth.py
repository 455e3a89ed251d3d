"""Ground truth for compare (DESIGN.md, "Ground truth"), at default settings.

Models whose mechanism is known, each with the verdict it must get: compiled
models against their own programs (at every length), rotated by a random
orthogonal change of basis with unread noise dimensions (node for node as
unrotated), compiled rivals with the same behaviour and other intermediates
(not "implements"), ablated models ("does not"). Then trained models against
every hypothesis of their task, and the grokked p = 53 model if `make grok-small`
made it, whose answers are not known: their rows say what compare reads.

    python bench/compare/ground_truth.py [--groups compiled,rotated,...] [--fast]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rasplab.compare import Settings, compare
from rasplab.compiler import compile_program
from rasplab.rasp import Program, Session
from rasplab.tasks.fourier import fourier_program, table_program

from rasplab import tasks
from rasplab.model import Transformer, load
from rasplab.model.ablate import without_head, without_layer
from rasplab.model.rotate import rotated

GROK = Path("runs/grok-p53/model.safetensors")
NOT_IMPLEMENTS = "not implements"

# A histogram no task lists: its token's copies before and after each position.
HIST_SPLIT = """
tokens = tokens_int;
same = select(tokens, tokens, ==);
earlier = selector_width(same and select(indices, indices, <));
later = selector_width(same and select(indices, indices, >));
hist_split = earlier + later + 1;
"""


@dataclass
class Case:
    group: str
    name: str
    task: str
    model: Callable[[], Transformer]
    hypothesis: Callable[[], Program]
    expected: str  # a verdict, NOT_IMPLEMENTS, "as unrotated", or "?" (not known)
    settings: Settings | None = None


def hypothesis(task_name: str, name: str) -> Callable[[], Program]:
    def make() -> Program:
        if name == "hist_split":
            session = Session()
            session.exec(HIST_SPLIT)
            return session.program("hist_split")
        return tasks.get(task_name).hypotheses[name].program()

    return make


def compiled(task_name: str, name: str) -> Callable[[], Transformer]:
    def make() -> Transformer:
        task = tasks.get(task_name)
        domain = task.sample(np.random.default_rng(1), 1000)[0]
        program = hypothesis(task_name, name)()
        return compile_program(program, list(task.vocab), task.max_len, task.causal,
                               domain).model

    return make


def trained(task_name: str, out: Path) -> Callable[[], Transformer]:
    """Train with the task's recipe (or resume the run already in out/<task>)."""

    def make() -> Transformer:
        from rasplab.train import TrainConfig, train

        result = train(TrainConfig(task_name, out_dir=out / task_name, progress=False))
        print(f"  (trained {task_name}: held-out accuracy {result.accuracy:.3f}, "
              f"{result.steps} steps, {result.seconds:.0f} s)", flush=True)
        return load(result.checkpoint)

    return make


def grok_cases() -> list[Case]:
    if not GROK.exists():
        print(f"skipping the grokked mod-add rows: {GROK} is absent (run `make grok-small`)")
        return []
    from rasplab.analysis.fourier import key_frequencies

    model = load(GROK)
    k = key_frequencies(model.embed.W_E[1:54], 1)[0]  # id 0 is BOS, number x is id x + 1
    # cos/sin of one operand are grouped automatically (each alone is undefined)
    return [
        Case("grokked", "grok p53 vs table", "mod_add_p53", lambda: model,
             lambda: table_program(53), "?"),
        Case("grokked", f"grok p53 vs fourier k={k}", "mod_add_p53", lambda: model,
             lambda: fourier_program(53, [k]), "?", Settings(max_rank=8)),
    ]


def cases(out: Path) -> list[Case]:
    own = [("sort5", "rank"), ("sort5", "count"), ("reverse", "index"), ("reverse", "rank"),
           ("hist", "same_token"), ("hist", "by_value"), ("prev_token", "copy"),
           ("induction", "prev_token"), ("induction", "offset")]
    # hypotheses with no intermediate node: behaviour is all that can be shown
    output_only = {("hist", "same_token"), ("prev_token", "copy")}
    result = [
        Case("compiled", f"{t}:{h} vs itself", t, compiled(t, h), hypothesis(t, h),
             "behaviour only" if (t, h) in output_only else "implements")
        for t, h in own
    ]
    for t, h in [("sort5", "rank"), ("reverse", "index"), ("hist", "by_value"),
                 ("induction", "prev_token")]:
        result.append(Case("rotated", f"{t}:{h} rotated (+4 noise dims) vs itself", t,
                           _then(compiled(t, h), lambda m: rotated(m, seed=1, extra_dims=4)),
                           hypothesis(t, h), "as unrotated"))
    for t, b, a in [("sort5", "count", "rank"), ("sort5", "rank", "count"),
                    ("hist", "by_value", "same_token"), ("hist", "same_token", "by_value"),
                    ("hist", "same_token", "hist_split"), ("induction", "offset", "prev_token"),
                    ("induction", "prev_token", "offset")]:
        result.append(Case("rival", f"{t}:{b} vs {a}", t, compiled(t, b), hypothesis(t, a),
                           NOT_IMPLEMENTS))
    for t, h, what, knock in [
        ("sort5", "rank", "head L2H0", lambda m: without_head(m, 2, 0)),
        ("sort5", "rank", "layer 0", lambda m: without_layer(m, 0)),
        ("reverse", "index", "head L2H0", lambda m: without_head(m, 2, 0)),
        ("induction", "prev_token", "layer 1", lambda m: without_layer(m, 1)),
    ]:
        result.append(Case("ablated", f"{t}:{h} without {what}", t,
                           _then(compiled(t, h), knock), hypothesis(t, h), "does not"))
    for t in ("sort5", "reverse", "prev_token", "hist", "induction"):
        model = _once(trained(t, out))
        for h in tasks.get(t).hypotheses:
            result.append(Case("trained", f"trained {t} vs {h}", t, model, hypothesis(t, h), "?"))
    return result


def _then(make: Callable[[], Transformer], change: Callable[[Transformer], Transformer]
          ) -> Callable[[], Transformer]:
    return lambda: change(make())


def _once(make: Callable[[], Transformer]) -> Callable[[], Transformer]:
    """Train each task's model once for all of its hypotheses."""
    cache: list[Transformer] = []

    def get() -> Transformer:
        if not cache:
            cache.append(make())
        return cache[0]

    return get


def summary(report: dict[str, Any]) -> str:
    """Per node: verdict, IIA / best control, site (u: untested)."""
    parts = []
    for name, node in report["nodes"].items():
        if not node["tested"]:
            parts.append(f"{name}=untested")
            continue
        controls = [node["controls"]["random_subspace_iia"], node["controls"]["shuffled_iia"]]
        control = max([c for c in controls if c is not None], default=0.0)
        iia = node["iia"]["sequence"]
        site = (node["site"] or "").replace("blocks.", "L").replace(".hook_resid_", " ")
        star = "*" if node["carries_verdict"] else ""
        parts.append(f"{name}{star}={node['verdict']} {_num(iia)}/{_num(control)} @{site}")
    return "; ".join(parts)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def right(case: Case, report: dict[str, Any], unrotated: dict[str, dict[str, Any]]) -> str:
    if case.expected == "?":
        return ""
    if case.expected == NOT_IMPLEMENTS:
        return "yes" if report["verdict"] != "implements" else "NO"
    if case.expected == "as unrotated":
        base = unrotated.get(case.name.split(" ")[0])
        if base is None:
            return "?"
        same = base["verdict"] == report["verdict"] and all(
            base["nodes"][k]["verdict"] == v["verdict"] for k, v in report["nodes"].items()
        )
        return "yes" if same else "NO"
    return "yes" if report["verdict"] == case.expected else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default="compiled,rotated,rival,ablated,trained,grokked",
                        help="which groups of rows to run (comma-separated)")
    parser.add_argument("--fast", action="store_true",
                        help="Settings(inputs=200, das_steps=40), as in the test suite")
    parser.add_argument("--out", default="runs/bench-ground-truth",
                        help="folder for the trained models (reused when present)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    groups = args.groups.split(",")
    chosen = [c for c in cases(Path(args.out)) + (grok_cases() if "grokked" in groups else [])
              if c.group in groups]
    header = ("group", "case", "expected", "read", "right", "behaviour", "nodes (* carries; "
              "IIA/best control @site)", "seconds")
    print(" | ".join(header), flush=True)
    unrotated: dict[str, dict[str, Any]] = {}
    for case in chosen:
        start = time.perf_counter()
        try:
            settings = case.settings or Settings()
            if args.fast:
                settings.inputs, settings.das_steps = 200, 40
            report = compare(case.model(), case.hypothesis(), tasks.get(case.task),
                             settings=settings, progress=False).to_json()
        except Exception as err:  # a row that cannot run says why; the others still run
            print(f"{case.group} | {case.name} | {case.expected} | error | | | "
                  f"{type(err).__name__}: {err} | {time.perf_counter() - start:.0f}", flush=True)
            continue
        if case.group == "compiled":
            unrotated[case.name.split(" ")[0]] = report
        print(" | ".join([
            case.group, case.name, case.expected, report["verdict"],
            right(case, report, unrotated),
            f"{report['behaviour']['sequence_accuracy']:.3f}", summary(report),
            f"{time.perf_counter() - start:.0f}",
        ]), flush=True)


if __name__ == "__main__":
    main()
