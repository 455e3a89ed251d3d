"""`rasp compile FILE --name S --vocab V --max-len N`: compile an s-op to exact
transformer weights and print its layers (or JSON); optionally save and plot them."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rasplab.cli.arguments import add_program_arguments, load_program, parse_example, parse_vocab
from rasplab.jsonsafe import dumps
from rasplab.outputs import claim_folder, claim_model_files
from rasplab.rasp import Program, limits
from rasplab.rasp.display import format_plain
from rasplab.rasp.errors import RaspError

if TYPE_CHECKING:
    from rasplab.compiler import CompiledModel

COMPILE_EPILOG = """\
the table: one row per head and per RASP node an MLP computes. `mlp (W)` gives the
layer's MLP width; a node's width is its head dimension or its MLP hidden units.
Residual dimensions are labelled `sop:value` (categorical) or `sop` (numerical).
Names like map_3 are s-ops the program never named.

exit status: 0 on success; 1 when the program cannot be compiled (the error names
the s-op and its source line) or an input is rejected; 2 for a bad command line.

examples:
  rasp compile sort.rasp --name sorted --vocab 1,2,3 --max-len 5
  rasp compile reverse.rasp --name reversed --vocab a,b,c --max-len 8 -o rev.safetensors
  rasp compile hist.rasp --name hist --vocab a,b --max-len 6 --plot figs --example aab
  rasp compile sort.rasp --name sorted --vocab 1,2,3 --max-len 5 --json
  rasp compile tasks/hypotheses/mod_arith.rasp -n mod_add_table --task mod_add"""


TASK_DOMAIN = 2_000  # a task's inputs the compiler sizes its tables on, and verify checks


def compiled_program(args: argparse.Namespace) -> tuple[Program, CompiledModel, float]:
    """Run FILE, compile the named s-op: (program, compiled model, seconds compiling).
    Shared with `rasp verify`, which takes the same arguments."""
    vocab, max_len, causal, domain = compile_domain(args)
    check_domain(vocab, max_len)
    from rasplab.compiler import compile_program

    program = load_program(args.file, args.name)
    start = time.perf_counter()
    model = compile_program(program, vocab, max_len, causal=causal, domain=domain)
    return program, model, time.perf_counter() - start


def compile_domain(args: argparse.Namespace) -> tuple[list, int, bool, list | None]:
    """(vocabulary, longest input, causal, the inputs to be exact on or None for all)
    from --vocab and --max-len, or from --task."""
    if args.task is None:
        if args.vocab is None or args.max_len is None:
            raise RaspError("give --vocab and --max-len, or --task T to take them from a task")
        return parse_vocab(args.vocab), args.max_len, args.causal, None
    if args.vocab is not None or args.max_len is not None:
        raise RaspError("--task gives the vocabulary and longest input: drop --vocab/--max-len")
    import numpy as np

    from rasplab import tasks

    try:
        task = tasks.get(args.task)
    except tasks.UnknownTaskError as err:
        raise RaspError(str(err)) from None
    inputs = task.sample(np.random.default_rng(0), TASK_DOMAIN)[0]
    return list(task.vocab), task.max_len, task.causal or args.causal, inputs


def check_domain(vocab: list, max_len: int) -> None:
    """Refuse a domain whose compilation would take gigabytes or minutes (rasp/limits.py):
    sort took 8 s at --max-len 128 and ran past 300 s at 1000; 10,000 tokens died above
    4.9 GB."""
    limits.check("--vocab's size", len(vocab), limits.LIMITS.vocab, " tokens")
    limits.check("--max-len", max_len, limits.LIMITS.max_len, " tokens")


def _checked_output(text: str, force: bool) -> Path:
    """The weights path, refused before any work when it or the config beside it holds
    something that is not an earlier rasplab model (rasplab.outputs)."""
    path = Path(text)
    if path.suffix == ".json":
        raise RaspError(
            f"-o {text}: give the weights path, e.g. {path.with_suffix('.safetensors')}; "
            "the config is written beside it as .json"
        )
    claim_model_files(path, force)
    return path


def compile_command(args: argparse.Namespace) -> int:
    output = None if args.output is None else _checked_output(args.output, args.force)
    if args.example is not None and args.plot is None:
        raise RaspError("--example is the input the figures show", hint="add --plot DIR")
    _, cm, seconds = compiled_program(args)  # refuses a domain over the limits before torch loads
    from rasplab.compiler.report import compile_summary, format_compile

    example = None if args.example is None else parse_example(args.example, cm.vocab)
    written: list[Path] = []
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        cm.save(output)
        written += [output, output.with_suffix(".json")]
    if args.plot is not None:
        from rasplab.compiler.plots import example_tokens, write_plots

        tokens = example if example is not None else example_tokens(cm.vocab, cm.max_len)
        written += write_plots(cm, tokens, claim_folder(args.plot))
    if args.json:
        summary = compile_summary(cm)
        summary["output"] = None if output is None else str(output)
        summary["files"] = [str(p) for p in written]
        summary["compile_seconds"] = round(seconds, 4)
        print(dumps(summary, default=format_plain))
    else:
        print(format_compile(cm, args.file, seconds))
        if written:
            print()
        for path in written:
            print(f"wrote {path}")
    return 0


def add_compile_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "compile",
        help="compile an s-op to exact transformer weights and show its layers",
        description="Run the RASP statements in FILE and compile the s-op S to a\n"
        "transformer that is exact on every input over --vocab up to --max-len tokens.\n"
        "Prints, per layer, each head and MLP with the RASP node it implements, then\n"
        "the residual width (d_model), the layer count and the parameter count.",
        epilog=COMPILE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_program_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="save the model: weights to OUT (e.g. sort.safetensors), config and layout "
        "beside it (sort.json); load it with CompiledModel.load(OUT)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace files at OUT and OUT's .json that are not an earlier rasplab model "
        "(a symlink, device or FIFO is never replaced)",
    )
    parser.add_argument(
        "--plot",
        metavar="DIR",
        help="write PNG figures to DIR: residual.png (the labelled residual stream) and "
        "attn_L<layer>_H<head>.png (each head's attention on the example input)",
    )
    parser.add_argument(
        "--example",
        metavar="I",
        help="the input to plot, in any `rasp run --input` format (default: max_len "
        "tokens cycling through the vocabulary)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object {"layers", "d_model", "params", "blocks", "output", ...}',
    )
    parser.set_defaults(handler=compile_command)
