"""`rasp compare --model CKPT --program FILE --name S`: does a trained (or compiled)
model implement a RASP program? Prints the verdict per s-op, or the report as JSON."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from rasplab.cli.arguments import load_program, positive_int
from rasplab.rasp import Program
from rasplab.rasp.errors import RaspError

if TYPE_CHECKING:
    from rasplab.model import Transformer
    from rasplab.tasks import Task

COMPARE_EPILOG = """\
examples:
  rasp compare --model runs/sort5/model.safetensors --program tasks/hypotheses/sort.rasp \\
      --name sort_rank --task sort5 --report out/
  rasp compare --model sort.safetensors --program rasp/lib/sort.rasp --name sorted --json

The verdict per s-op and overall is implements / partial / does not, from the
thresholds printed in the report, always relative to a randomly initialised
model of the same shape and (with a task) a rival hypothesis of the same task.
exit status: 0 when the comparison ran, 1 on an error.
"""


def compare_command(args: argparse.Namespace) -> int:
    import torch

    from rasplab.compare import Settings, compare
    from rasplab.compare.report import write
    from rasplab.model import load

    torch.set_num_threads(args.threads)
    program = load_program(args.program, args.name)
    try:
        model = load(args.model)
    except (FileNotFoundError, ValueError) as err:
        raise RaspError(str(err)) from None
    task = _task(args.task, model)
    rival = _rival(args, task, program)
    settings = Settings(
        inputs=args.inputs, das_steps=args.steps, seed=args.seed, max_rank=args.max_rank
    )
    report = compare(model, program, task, rival, settings, progress=not args.json)
    files = write(report, args.report) if args.report else []
    if args.json:
        print(json.dumps(report, default=str))
        return 0
    _print_summary(report)
    for path in files:
        print(f"wrote {path}")
    return 0


def _print_summary(report: dict[str, Any]) -> None:
    """The verdict, behaviour beside the random model's, one line per node."""
    print(f"verdict: {report['verdict']}  ({report['program']} on {report.get('task')})")
    b = report["behaviour"]
    random_b = report["controls"]["random_model"]["behaviour"]
    print(
        f"behaviour: {b['sequence_accuracy']:.3f} of sequences, {b['position_accuracy']:.3f} "
        f"of positions (random model {random_b['sequence_accuracy']:.3f})"
    )
    for name, node in report["nodes"].items():
        iia = node["iia"]["sequence"]
        control = node["controls"]["random_model_iia"]["sequence"]
        print(
            f"  {name:24} {node['verdict']:11} IIA {_num(iia)}  random {_num(control)}"
            f"  site {node['site']}  rank {node['rank']}"
        )


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


def _rival(args: argparse.Namespace, task: Task | None, program: Program) -> Program | None:
    """--rival FILE:NAME, nothing with --no-rival, else the task's default rival."""
    from rasplab.compare import rival_program

    if args.no_rival:
        return None
    if args.rival:
        file, _, name = args.rival.rpartition(":")
        if not file:
            raise RaspError("--rival takes FILE:NAME, e.g. tasks/hypotheses/sort.rasp:sort_count")
        return load_program(file, name)
    return rival_program(task, program)


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
    parser.add_argument("--model", required=True, metavar="CKPT", help="a .safetensors model")
    parser.add_argument("--program", required=True, metavar="FILE", help="a .rasp file")
    parser.add_argument("--name", required=True, metavar="S", help="the output s-op")
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
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=compare_command)
