"""`rasp verify FILE --name S --vocab V --max-len N`: check that the compiled model's
output equals the interpreter's, exhaustively or on samples."""

from __future__ import annotations

import argparse

from rasplab.cli.arguments import add_program_arguments, positive_int
from rasplab.cli.compile import compile_domain, compiled_program
from rasplab.jsonsafe import dumps
from rasplab.rasp.display import format_plain

VERIFY_EPILOG = """\
output: checked (inputs compared), exact (inputs whose whole output matched),
fraction (exact / checked), tolerance (0 for a categorical output: values must be
equal; 1e-4 for a numerical one), and up to 5 mismatching inputs with both outputs.

exit status: 0 when the fraction is 1.0 (every checked input matched); 1 when any
input mismatched, or the program cannot be compiled; 2 for a bad command line.

examples:
  rasp verify reverse.rasp --name reversed --vocab a,b,c --max-len 6
  rasp verify sort.rasp --name sorted --vocab 1,2,3,4 --max-len 10 --samples 2000 --json
  rasp verify tasks/hypotheses/sort.rasp -n sort_rank --task sort5   # on the task's inputs"""


def verify_command(args: argparse.Namespace) -> int:
    program, cm, _ = compiled_program(args)  # refuses a domain over the limits before torch loads
    from rasplab.compiler.report import format_verify
    from rasplab.compiler.verify import verify, verify_on

    if args.task is None:
        result = verify(program, cm, samples=args.samples, seed=args.seed)
    else:  # a model compiled for a task is exact on the task's inputs
        inputs = compile_domain(args)[3]
        result = verify_on(program, cm, inputs, exhaustive=False)
    if args.json:
        print(dumps(result.to_dict(), default=format_plain))
    else:
        print(format_verify(result, cm.program))
        exactness = f"within {result.tolerance:g}" if result.tolerance else "exactly"
        print(f"outputs ({cm.output_encoding}) compared {exactness}")
    return 0 if result.fraction == 1.0 else 1


def add_verify_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "verify",
        help="check that the compiled model equals the interpreter",
        description="Compile the s-op S in FILE (as `rasp compile` does) and compare the\n"
        "model's decoded output with the interpreter's: on every input up to --max-len\n"
        "when there are at most 200,000, else on --samples random ones. Categorical\n"
        "outputs must match exactly, numerical ones within 1e-4.",
        epilog=VERIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_program_arguments(parser)
    parser.add_argument(
        "--samples",
        metavar="N",
        type=positive_int,
        default=10_000,
        help="random inputs to check when the domain is too large to enumerate (default 10000)",
    )
    parser.add_argument(
        "--seed", metavar="S", type=int, default=0, help="seed of the random inputs (default 0)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object {"checked", "exact", "fraction", "exhaustive", "mismatches"}',
    )
    parser.set_defaults(handler=verify_command)
