"""`rasp train TASK`: train a transformer on a task with its recipe."""

from __future__ import annotations

import argparse
from pathlib import Path

from rasplab.cli.arguments import positive_int
from rasplab.cli.implement import (
    IMPLEMENT_EPILOG,
    add_implement_arguments,
    check_implement_arguments,
    implement_run,
)
from rasplab.jsonsafe import dumps
from rasplab.rasp.errors import RaspError

TRAIN_EPILOG = """\
output: one line per evaluation (held-out loss, sequence and per-position accuracy),
then a summary, then one JSON object as the last line: {"checkpoint", "steps",
"accuracy"}, accuracy being held-out sequence accuracy (every scored position right).
DIR receives model.safetensors (+ model.json; load with model.load), state.pt,
metrics.jsonl and curves.png. Rerunning with the same DIR and settings resumes from
the last checkpoint and ends with the same weights as an uninterrupted run. A second
run on a DIR in use is refused (a lock); a model in DIR that no run wrote is kept
unless --force.

exit status: 0 when training finished; 1 for an unknown task, a checkpoint in DIR
that does not fit, or a diverging loss; 2 for a bad command line.

examples:
  rasp train sort5
  rasp train reverse --steps 2000 --seed 1 -o runs/reverse-s1
  rasp train hist --until 0.99 --json"""


def train_command(args: argparse.Namespace) -> int:
    from rasplab import tasks
    from rasplab.train import TrainConfig, TrainError, train

    check_implement_arguments(args)
    try:
        task = tasks.get(args.task)
        config = TrainConfig(
            task=args.task,
            out_dir=Path(args.out or f"runs/{args.task}"),
            steps=args.steps,
            seed=args.seed,
            device=args.device,
            lr=args.lr,
            batch_size=args.batch_size,
            eval_every=args.eval_every,
            threads=args.threads,
            until=args.until,
            progress=not args.quiet,
            force=args.force,
        )
        talk = not (args.quiet or args.json)
        log = print if talk else None
        if args.implement:
            result = implement_run(args, config, task, log)
        else:
            result = train(config, task=task, log=log)
    except (tasks.UnknownTaskError, TrainError) as err:
        raise RaspError(str(err)) from None
    except ValueError as err:  # a setting TrainConfig rejects
        raise RaspError(str(err), hint="see rasp train --help") from None
    if not args.json:
        print(
            f"{task.name}: {result.steps} steps, held-out sequence accuracy "
            f"{result.accuracy:.4f}, checkpoint {result.checkpoint}"
        )
    print(dumps(result.summary()))
    return 0


def add_device_argument(parser: argparse.ArgumentParser) -> None:
    """--device, shared with `rasp grok`."""
    parser.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="where to train (default auto: the GPU when torch sees one, else the CPU)",
    )


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    """--force, shared with `rasp grok`."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace model.safetensors/model.json in DIR that no run there wrote "
        "(without it they are kept and the run refused)",
    )


def add_train_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="train a transformer on a task (see rasp tasks)",
        description="Train a transformer on TASK with the task's recipe (model shape,\n"
        "optimiser, steps), on a GPU when there is one, evaluating on held-out inputs.",
        epilog=TRAIN_EPILOG + "\n\n" + IMPLEMENT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("task", metavar="TASK", help="a task name from `rasp tasks`")
    parser.add_argument("--steps", type=positive_int, metavar="N", help="default: the recipe's")
    add_device_argument(parser)
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="default 0")
    parser.add_argument("-o", "--out", metavar="DIR", help="output folder (default runs/TASK)")
    parser.add_argument("--lr", type=float, metavar="LR", help="default: the recipe's")
    parser.add_argument("--batch-size", type=positive_int, metavar="B", help="default: recipe's")
    parser.add_argument(
        "--eval-every", type=positive_int, default=100, metavar="N", help="default 100 steps"
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        metavar="T",
        help="CPU threads (default: 1 for small models, see train/threads.py; else torch's)",
    )
    parser.add_argument(
        "--until", type=float, metavar="ACC", help="stop once held-out sequence accuracy >= ACC"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or per-step lines")
    parser.add_argument("--json", action="store_true", help="print only the final JSON object")
    add_force_argument(parser)
    add_implement_arguments(parser)
    parser.set_defaults(handler=train_command)
