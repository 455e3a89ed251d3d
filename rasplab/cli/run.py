"""`rasp run FILE --input I`: run a .rasp file and print one value on one input."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rasplab.cli.arguments import INPUT_FORMATS, parse_input
from rasplab.jsonsafe import dumps
from rasplab.rasp import ast
from rasplab.rasp import nodes as n
from rasplab.rasp.display import expression_name, format_plain, format_result
from rasplab.rasp.errors import RaspError
from rasplab.rasp.parser import parse
from rasplab.rasp.session import Session, read_source

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
    # The source is parsed here as well as run: which value to print depends on its
    # statements (the last bare expression, else the last s-op assigned).
    source = read_source(path)
    module = parse(source, str(path))
    session = Session()
    last = session.exec(source, str(path))
    name, value = _chosen_value(session, args, module, last)
    result = session.value_on(value, tokens)
    if args.json:
        print(dumps({"kind": result.kind, "value": result.value}, default=format_plain))
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
        "then in the library; never in the current directory)",
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
