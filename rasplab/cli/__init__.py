"""The `rasp` command: the REPL, and subcommands that each print a result.

One module per subcommand, each a thin layer over the packages' public functions:
an `add_<name>_command(commands)` function in `COMMANDS` adds its parser and sets
`handler` to a function `(args) -> exit status`; `arguments` holds the parsing they
share. Handlers raise `RaspError` for anything the user got wrong; `main` prints it
(and any other failure, see cli/boundary.py) without a traceback and exits 1. Heavy
packages (torch, ...) are imported inside a handler, never at module level, so
`rasp run` and the REPL start fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from rasplab.cli.analyse import add_analyse_command
from rasplab.cli.boundary import run_guarded
from rasplab.cli.compare import add_compare_command
from rasplab.cli.compile import add_compile_command
from rasplab.cli.grok import add_grok_command
from rasplab.cli.run import add_run_command
from rasplab.cli.sweep import add_sweep_command
from rasplab.cli.tasks import add_tasks_command
from rasplab.cli.train import add_train_command
from rasplab.cli.verify import add_verify_command
from rasplab.rasp import limits, repl

MAIN_EPILOG = """\
examples (one per command):
  rasp                                   start the interactive REPL
  rasp run reverse.rasp --input abc      run a program on one input
  rasp compile sort.rasp --name sorted --vocab 1,2,3 --max-len 5 -o sort.safetensors
  rasp verify sort.rasp --name sorted --vocab 1,2,3 --max-len 5
  rasp tasks                             the toy tasks and their RASP hypotheses
  rasp train sort5 -o runs/sort5         train a transformer on a task
  rasp compare --model runs/sort5/model.safetensors --program tasks/hypotheses/sort.rasp \\
      --name sort_rank --task sort5 --report runs/sort5/compare
  rasp grok --p 53 --frac 0.4 --lr 3e-3 --steps 3000 -o runs/grok-p53
  rasp analyse runs/grok-p53/model.safetensors   head roles, DLA, projections, neurons
  rasp sweep sort5-seeds.toml            train and compare many models on Ray
  rasp COMMAND --help                    everything about one command"""

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_run_command,
    add_compile_command,
    add_verify_command,
    add_train_command,
    add_tasks_command,
    add_compare_command,
    add_grok_command,
    add_analyse_command,
    add_sweep_command,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rasp",
        description="RASP, the language of 'Thinking Like Transformers' (Weiss et al. 2021),\n"
        "for mechanistic interpretability on toy algorithmic tasks.\n"
        "Without a command, rasp starts the interactive REPL.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_limits_flag(parser, default=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(commands)
    for command in commands.choices.values():
        add_limits_flag(command, default=argparse.SUPPRESS)  # keeps a flag given before
    return parser


def add_limits_flag(parser: argparse.ArgumentParser, default: Any) -> None:
    """--no-limits, before the command or after it (rasp/limits.py lists the limits)."""
    parser.add_argument(
        limits.FLAG,
        dest="no_limits",
        action="store_true",
        default=default,
        help="lift the size limits (program length, range(), input length, --vocab, "
        "--max-len, model size) that otherwise refuse a request up front",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """The `rasp` console script; returns the exit status. Every subcommand runs inside
    one guard (cli.boundary): errors are one line, never a traceback."""
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None)
    with limits.lifted() if args.no_limits else nullcontext():
        if handler is None:
            return repl.main()
        return run_guarded(handler, args)
