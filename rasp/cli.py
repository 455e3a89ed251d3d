"""The `rasp` command: the REPL, and subcommands that each print a result.

A subcommand is one `add_<name>_command(commands)` function in `COMMANDS` that
adds its parser and sets `handler` to a function `(args) -> exit status`.
Handlers raise `RaspError` for anything the user got wrong; `main` prints it
without a traceback and exits 1. Heavy packages (torch, ...) are imported inside
a handler, never here, so `rasp run` and the REPL start fast.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rasp import ast, repl
from rasp import nodes as n
from rasp.display import expression_name, format_plain, format_result
from rasp.errors import RaspError
from rasp.evaluate import check_input
from rasp.parser import parse
from rasp.session import Session

_INT = re.compile(r"[+-]?\d+")

INPUT_FORMATS = """\
input formats (--input):
  hello          a plain string: one token per character ("h", "e", "l", "l", "o")
  '[1, 2, 3]'    a JSON list: exactly these atoms (ints, floats, strings, true/false)
  '["ab", "c"]'  a JSON list of strings: tokens longer than one character
  3,1,2          comma-separated items (more than one): an item that reads as an int
                 is an int ([3, 1, 2]), any other stays a string (a,b gives ["a", "b"]);
                 spaces around items are ignored
  An input is never empty. One that starts with '-' is attached: --input=-1,2.
  The program sees the tokens as given; tokens_int, tokens_float and tokens_bool
  convert them (tokens is tokens_str unless the program reassigns it)."""

RUN_EPILOG = (
    INPUT_FORMATS
    + """

which value is printed:
  --expr E, else --name S, else the file's last bare expression statement (`e;`),
  else the last s-op the file assigns at top level.

output:
  s-ops print their values and type:  reversed("abc") = [c, b, a] (strings)
  selectors print a matrix (row = query, column = key, 1 = selected).
  --json prints one JSON object: {"kind": "sop" | "selector" | "atom" | "list" |
  "dict" | "function", "value": ...}, a list per position for an s-op and rows
  of 0/1 for a selector.

exit status: 0 on success; 1 when the program or the input is rejected (the
error, with file:line:col, goes to stderr); 2 for a bad command line.

examples:
  rasp run reverse.rasp --input abc          reversed("abc") = [c, b, a] (strings)
  rasp run reverse.rasp --input abc --json   {"kind": "sop", "value": ["c", "b", "a"]}
  rasp run hist.rasp --input aabc --name hist
  rasp run my.rasp --input '[3, 1, 2]' --expr 'sort(tokens_int, tokens_int)'"""
)

MAIN_EPILOG = """\
examples:
  rasp                                   start the interactive REPL
  rasp run reverse.rasp --input abc      run a program on one input
  rasp run hist.rasp --input 1,2,2 --json
  rasp COMMAND --help                    everything about one command"""


def read_items(items: list[str]) -> list[Any]:
    """Comma-separated tokens: all ints when every item reads as an int, else strings."""
    if all(_INT.fullmatch(item) for item in items):
        return [int(item) for item in items]
    return items


def parse_input(text: str) -> str | list[Any]:
    """The input as the user meant it: a JSON list, comma-separated items, or characters."""
    if not text:
        raise RaspError(
            "--input is empty: give at least one token",
            hint="e.g. --input hello, --input '[1, 2, 3]' or --input 1,2,3",
        )
    if text.lstrip().startswith("["):
        try:
            tokens: Any = json.loads(text)
        except json.JSONDecodeError as err:
            raise RaspError(
                f"--input {text!r} starts with '[' but is not a JSON list: {err}",
                hint='strings in a JSON list need double quotes: \'["a", "b"]\'',
            ) from None
        if not isinstance(tokens, list):
            raise RaspError(f"--input {text!r} is JSON but not a list")
    else:
        items = [item.strip() for item in text.split(",")]
        if len(items) > 1 and "" in items:
            raise RaspError(
                f"--input {text!r} has an empty item between commas",
                hint='give a JSON list for tokens that are commas: \'[",", "a"]\'',
            )
        tokens = text if len(items) == 1 else read_items(items)
    check_input(tokens, "--input")
    return tokens


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as err:
        raise RaspError(f"cannot read {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise RaspError(f"cannot read {path}: not UTF-8 text") from None


def _last_assigned_sop(session: Session, module: ast.Module) -> str | None:
    """The last name a top-level assignment gave an s-op to (that still holds one)."""
    for stmt in reversed(module.body):
        if isinstance(stmt, ast.Assign):
            for name in reversed(stmt.targets):
                if isinstance(session.globals.vars.get(name), n.SOp):
                    return name
    return None


def _chosen_value(
    session: Session, args: argparse.Namespace, module: ast.Module, last: Any
) -> tuple[str, Any]:
    """The value `rasp run` prints, with the name to print it under."""
    if args.expr is not None:
        return args.expr, session.evaluate_expr(args.expr, "<expr>")
    if args.name is not None:
        return args.name, session.get(args.name)
    expressions = [s.expr for s in module.body if isinstance(s, ast.ExprStmt)]
    if expressions:
        return expression_name(expressions[-1]), last
    name = _last_assigned_sop(session, module)
    if name is None:
        raise RaspError(
            f"{args.file} has no bare expression and assigns no s-op at top level",
            hint="say which value to print with --name NAME or --expr EXPR",
        )
    return name, session.get(name)


def run_command(args: argparse.Namespace) -> int:
    tokens = parse_input(args.input)
    path = Path(args.file)
    source = _read(path)
    module = parse(source, str(path))
    session = Session()
    last = session.exec(source, str(path))
    name, value = _chosen_value(session, args, module, last)
    result = session.value_on(value, tokens)
    if args.json:
        print(json.dumps({"kind": result.kind, "value": result.value}, default=format_plain))
    else:
        print(format_result(name, result, tokens))
    return 0


def add_run_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run",
        help="run a .rasp file and print a value on one input",
        description="Run the RASP statements in FILE, then evaluate one value (normally an\n"
        "s-op) on one input and print it.",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        help='a .rasp file (load "x"; in it looks for x.rasp beside FILE, '
        "then in the current directory, then in the library)",
    )
    parser.add_argument(
        "-i", "--input", metavar="I", required=True, help="the input sequence (formats below)"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "-e",
        "--expr",
        metavar="E",
        help="an expression to evaluate after FILE, e.g. 'reverse(tokens_int)'",
    )
    which.add_argument("-n", "--name", metavar="S", help="a name FILE defines")
    parser.add_argument(
        "--json", action="store_true", help='print one JSON object {"kind": ..., "value": ...}'
    )
    parser.set_defaults(handler=run_command)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [add_run_command]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rasp",
        description="RASP, the language of 'Thinking Like Transformers' (Weiss et al. 2021),\n"
        "for mechanistic interpretability on toy algorithmic tasks.\n"
        "Without a command, rasp starts the interactive REPL.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The `rasp` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        return repl.main()
    try:
        return handler(args)
    except RaspError as err:
        print(err, file=sys.stderr)
        return 1
