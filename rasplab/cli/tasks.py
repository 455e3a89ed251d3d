"""`rasp tasks`: list the built-in tasks and their RASP hypotheses."""

from __future__ import annotations

import argparse

from rasplab.cli.boundary import dumps


def tasks_command(args: argparse.Namespace) -> int:
    from rasplab import tasks

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
        "--json",
        action="store_true",
        help='print a JSON list of {"name", "description", "format", "vocab_size", "max_len", '
        '"hypotheses", ...}',
    )
    parser.set_defaults(handler=tasks_command)
