"""`rasp compare --model CKPT --program FILE --name S`: does a trained (or compiled)
model implement a RASP program? Prints the verdict per s-op, or the report as JSON."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from rasplab.cli.arguments import load_program, positive_int
from rasplab.jsonsafe import dumps
from rasplab.rasp import Program
from rasplab.rasp.errors import RaspError

if TYPE_CHECKING:
    from rasplab.model import Transformer
    from rasplab.tasks import Task

COMPARE_EPILOG = """\
examples:
  rasp compare tasks/hypotheses/sort.rasp -n sort_rank --model runs/sort5/model.safetensors \\
      --task sort5 --report out/
  rasp compare --model runs/sort5/model.safetensors --task sort5      # rank every hypothesis
  rasp compare --model sort.safetensors --program rasp/lib/sort.rasp --name sorted --json
  rasp compare --model runs/grok-p53/model.safetensors --task mod_add_p53 --fourier

The verdict per node is implements / partial / does not, or untested with the
reason; a node passes only where its IIA beats two same-model controls (a random
subspace of the same rank at the same site, and shuffled counterfactuals) by the
margin in the report. Only intermediate nodes carry the overall verdict
(implements / partial / does not, or "behaviour only" when none can be tested);
other hypotheses of the task are run the same way and ranked.
exit status: 0 when the comparison ran, 1 on an error.
"""


def compare_command(args: argparse.Namespace) -> int:
    import torch
    from threadpoolctl import threadpool_limits

    from rasplab.compare import Settings, compare
    from rasplab.compare.report import write
    from rasplab.model import load

    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)  # numpy's BLAS too, not only torch's
    file = args.file or args.program
    if args.report:
        _check_report_dir(args.report)
    try:
        model = load(args.model)
    except (FileNotFoundError, ValueError) as err:
        raise RaspError(str(err)) from None
    task = _task(args.task, model)
    if args.fourier:
        return _fourier(args, model, task)
    hypotheses = _hypotheses(args, file, task)
    if hypotheses is None:
        program = _program(file, args.name)
        others = _rival(args, task, program)
    else:
        program, others = hypotheses[0], hypotheses[1:]
    settings = Settings(
        inputs=args.inputs,
        das_steps=args.steps,
        seed=args.seed,
        max_rank=args.max_rank,
        groups=[tuple(g.split(",")) for g in args.group],
    )
    report = compare(model, program, task, others, settings, progress=not args.json)
    if hypotheses is not None and not (args.hypothesis and len(args.hypothesis) == 1):
        report = report.focus(report.ranking[0].program)
    data = report.to_json()
    files = write(data, args.report) if args.report else []
    if args.json:
        print(dumps(data))
        return 0
    _print_summary(data)
    for path in files:
        print(f"wrote {path}")
    return 0


def _fourier(args: argparse.Namespace, model: Transformer, task: Task | None) -> int:
    """--fourier: per key frequency, is the operand's (cos, sin) plane causal?"""
    from rasplab.compare.fourier import fourier_causality

    if task is None:
        raise RaspError("--fourier needs --task (a modular-addition task, e.g. mod_add_p53)")
    report = fourier_causality(model, task, pairs=args.inputs, seed=args.seed)
    data = report.to_json()
    if args.report:
        from pathlib import Path

        from rasplab.atomic import write_text

        Path(args.report).mkdir(parents=True, exist_ok=True)
        path = write_text(Path(args.report) / "fourier.json", json.dumps(data, indent=1))
    if args.json:
        print(dumps(data))
        return 0
    print(report.table())
    if args.report:
        print(f"wrote {path}")
    return 0


def _check_report_dir(path: str) -> None:
    """Refuse a --report path that cannot be a folder before any work is done."""
    from pathlib import Path

    target = Path(path)
    if target.exists() and not target.is_dir():
        raise RaspError(f"--report {path}: exists and is not a folder")


def _program(file: str | None, name: str | None) -> Program:
    """The hypothesis FILE's output s-op `name`; an s-op the file's own output reads is
    refused, since its values are not the task's outputs."""
    if file is None or name is None:
        raise RaspError(
            "give a hypothesis: FILE with --name S, or --task T alone (every hypothesis of "
            "the task), or --hypothesis NAME with --task"
        )
    program = load_program(file, name)
    from rasplab.rasp import Session

    session = Session()
    session.exec_file(file)
    target = session.get(name)
    for other in session.user_names():
        if other == name:
            continue
        try:
            reader = session.program(other)
        except RaspError:  # not an s-op
            continue
        if reader.by_name.get(name) is target:
            raise RaspError(
                f"'{name}' is an intermediate node of {file}: '{other}' reads it. "
                f"--name takes the program's output s-op (e.g. --name {other})"
            )
    return program


def _hypotheses(args: argparse.Namespace, file: str | None, task: Task | None):
    """The task's hypotheses to rank (--hypothesis, or all with --task and no FILE)."""
    if file is not None and not args.hypothesis:
        return None
    if task is None:
        raise RaspError("--hypothesis and comparing every hypothesis need --task T")
    names = args.hypothesis or list(task.hypotheses)
    unknown = [h for h in names if h not in task.hypotheses]
    if unknown:
        raise RaspError(
            f"task {task.name} has no hypothesis {unknown[0]!r}; it has "
            f"{', '.join(task.hypotheses)}"
        )
    chosen = [task.hypotheses[h].program() for h in names]
    if len(chosen) == 1 and not args.no_rival:
        chosen += [p for h, p in ((h, task.hypotheses[h]) for h in task.hypotheses)
                   if h not in names for p in [p.program()]]
    return chosen


def _print_summary(report: dict[str, Any]) -> None:
    """The verdict and why, behaviour beside the random model's, one line per node,
    and how the hypotheses rank."""
    print(f"verdict: {report['verdict']}  ({report['program']} on {report.get('task')})")
    print(f"  why: {report['reason']}")
    b = report["behaviour"]
    random_b = report["controls"]["random_model"]["behaviour"]
    print(
        f"behaviour: {b['sequence_accuracy']:.3f} of sequences, {b['position_accuracy']:.3f} "
        f"of positions (random model {random_b['sequence_accuracy']:.3f})"
    )
    print(f"  {'node':24} {'verdict':14} {'IIA':>5} {'rand.sub':>8} {'shuffled':>8}  site")
    for name, node in report["nodes"].items():
        if not node["tested"]:
            print(f"  {name:24} {'untested':14} {node['reason']}")
            continue
        c = node["controls"]
        mark = "*" if node["carries_verdict"] else " "
        print(
            f" {mark}{name:24} {node['verdict']:14} {_num(node['iia']['sequence']):>5} "
            f"{_num(c['random_subspace_iia']):>8} {_num(c['shuffled_iia']):>8}  "
            f"{node['site']}  rank {node['rank']} (min {node['min_rank']})"
        )
    print("  (* carries the verdict: an intermediate node, unless it passes only at the embedding)")
    if len(report["ranking"]) > 1:
        print("hypotheses, best fit first:")
        for entry in report["ranking"]:
            print(f"  {entry['program']:24} {entry['verdict']:14} score {_num(entry['score'])}")
        best = report["fits_best"]
        if best.get("margin") is not None:
            print(f"  {best['best']} fits better than {best['runner_up']} by {best['margin']:.2f}")


def _num(value: float | None) -> str:
    return "n/a " if value is None else f"{value:.2f}"


def _task(name: str | None, model: Transformer) -> Task | None:
    """--task, else the task the checkpoint names, else None."""
    from rasplab import tasks

    name = name or model.cfg.labels.get("task")
    if name is None:
        return None
    try:
        return tasks.get(name)
    except tasks.UnknownTaskError as err:
        raise RaspError(str(err)) from None


def _rival(args: argparse.Namespace, task: Task | None, program: Program) -> list[Program]:
    """--rival FILE:NAME, nothing with --no-rival, else the task's default rival."""
    from rasplab.compare import rival_program

    if args.no_rival:
        return []
    if args.rival:
        file, _, name = args.rival.rpartition(":")
        if not file:
            raise RaspError("--rival takes FILE:NAME, e.g. tasks/hypotheses/sort.rasp:sort_count")
        return [load_program(file, name)]
    rival = rival_program(task, program)
    return [] if rival is None else [rival]


def add_compare_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "compare",
        help="does a trained (or compiled) model implement a RASP program?",
        description="Compare a model with a RASP hypothesis: behaviour, linear probes,\n"
        "interchange interventions through learned linear alignments (DAS),\n"
        "component patching, similarity to the compiled model, and the heads that play\n"
        "each selector, beside a random-model control and a rival program.",
        epilog=COMPARE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="the hypothesis, a .rasp file (or --program)"
    )
    parser.add_argument("--model", required=True, metavar="CKPT", help="a .safetensors model")
    parser.add_argument("--program", metavar="FILE", help="the hypothesis file (as FILE)")
    parser.add_argument("-n", "--name", metavar="S", help="the hypothesis's output s-op")
    parser.add_argument(
        "--hypothesis",
        action="append",
        metavar="NAME",
        help="a hypothesis of the task by name (see `rasp tasks`), ranked against the "
        "task's others unless --no-rival; repeat to rank several",
    )
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="A,B",
        help="s-ops that only make sense together, swapped as one variable (repeatable)",
    )
    parser.add_argument("--task", metavar="T", help="the task (default: the model's)")
    parser.add_argument(
        "--rival",
        metavar="FILE:NAME",
        help="a wrong program for the control (default: another hypothesis of the task)",
    )
    parser.add_argument("--no-rival", action="store_true", help="skip the rival-program control")
    parser.add_argument("--report", metavar="DIR", help="write report.json and report.html")
    parser.add_argument(
        "--inputs",
        type=positive_int,
        default=600,
        metavar="N",
        help="held-out inputs to measure on, drawn from the task (else at random over the "
        "model's vocabulary; default 600)",
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=150,
        metavar="N",
        help="alignment training steps per site (default 150)",
    )
    parser.add_argument(
        "--max-rank",
        type=positive_int,
        metavar="K",
        help="align each s-op in at most K dimensions (default: its compiled width)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="seed of the inputs, pairs, alignments and random-model control (default 0)",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="CPU threads (default 1: these models are small)",
    )
    parser.add_argument(
        "--fourier",
        action="store_true",
        help="modular addition only: per key frequency of the embedding (and a non-key "
        "control, and all keys at once), swap each operand's (cos, sin) plane and report "
        "the logit-difference shift and IIA (--inputs pairs per operand)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=compare_command)
