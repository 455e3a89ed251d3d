"""`rasp tasks`: list the built-in tasks and their RASP hypotheses."""

from __future__ import annotations

import argparse

from rasplab.jsonsafe import dumps
from rasplab.rasp.errors import RaspError


def tasks_command(args: argparse.Namespace) -> int:
    from rasplab import tasks

    if args.task:
        from rasplab.tasks.registry import task_row
        from rasplab.tasks.table import format_task_detail

        try:
            row = task_row(tasks.get(args.task))
        except tasks.UnknownTaskError as err:
            raise RaspError(str(err)) from None
        print(dumps(row) if args.json else format_task_detail(row))
        return 0
    rows = tasks.task_table()
    print(dumps(rows) if args.json else tasks.format_task_table(rows))
    return 0


def add_tasks_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "tasks",
        help="list the built-in tasks and their RASP hypotheses",
        description="List every task: vocabulary size, longest input, its RASP hypotheses\n"
        "(* = compilable) and a description. `rasp train TASK` trains a model on one.\n"
        "mod_add, mod_sub and mod_add_mlp also exist for any modulus p, named\n"
        "mod_add_p53 and so on (`rasp grok --p 53` trains one).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "task",
        nargs="?",
        metavar="TASK",
        help="show one task in full: its format and each hypothesis's file and output s-op",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print a JSON list of {"name", "description", "format", "vocab_size", "max_len", '
        '"hypotheses", ...}',
    )
    parser.set_defaults(handler=tasks_command)
