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
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rasplab.rasp import Program, ast, repl
from rasplab.rasp import nodes as n
from rasplab.rasp.display import expression_name, format_plain, format_result
from rasplab.rasp.errors import RaspError
from rasplab.rasp.evaluate import check_input
from rasplab.rasp.parser import parse
from rasplab.rasp.session import Session

if TYPE_CHECKING:
    from rasplab.compiler import CompiledModel

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
  rasp compile sort.rasp --name sorted --vocab 1,2,3 --max-len 5 --json"""

VERIFY_EPILOG = """\
output: checked (inputs compared), exact (inputs whose whole output matched),
fraction (exact / checked), and up to 5 mismatching inputs with both outputs.

exit status: 0 when the fraction is 1.0 (every checked input matched); 1 when any
input mismatched, or the program cannot be compiled; 2 for a bad command line.

examples:
  rasp verify reverse.rasp --name reversed --vocab a,b,c --max-len 6
  rasp verify sort.rasp --name sorted --vocab 1,2,3,4 --max-len 10 --samples 2000 --json"""

MAIN_EPILOG = """\
examples:
  rasp                                   start the interactive REPL
  rasp run reverse.rasp --input abc      run a program on one input
  rasp run hist.rasp --input 1,2,2 --json
  rasp compile sort.rasp --name sorted --vocab 1,2,3 --max-len 5 -o sort.safetensors
  rasp verify sort.rasp --name sorted --vocab 1,2,3 --max-len 5
  rasp COMMAND --help                    everything about one command"""


def read_items(items: list[str]) -> list[Any]:
    """Comma-separated tokens: all ints when every item reads as an int, else strings."""
    if all(_INT.fullmatch(item) for item in items):
        return [int(item) for item in items]
    return items


def parse_vocab(text: str) -> list[Any]:
    """--vocab: comma-separated tokens, all ints when every item reads as an int."""
    items = [item.strip() for item in text.split(",")]
    if "" in items:
        raise RaspError(
            f"--vocab {text!r} has an empty item", hint="e.g. --vocab a,b,c or --vocab 0,1,2"
        )
    return read_items(items)


def parse_example(text: str, vocab: list[Any]) -> list[Any]:
    """--example in any --input format, each token matched to the vocabulary token it
    spells, so `312` and `3,1,2` both mean [3, 1, 2] over the vocabulary 1,2,3."""
    spelled = {str(token): token for token in vocab}
    tokens = []
    for token in parse_input(text):
        if str(token) not in spelled:
            raise RaspError(
                f"--example token {token!r} is not in the vocabulary {vocab}",
                hint="give tokens from --vocab, e.g. --example " + ",".join(spelled),
            )
        tokens.append(spelled[str(token)])
    return tokens


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


def positive_int(text: str) -> int:
    """An argparse type: an int of at least 1."""
    if not _INT.fullmatch(text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def add_program_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments that say what to compile: shared by `compile` and `verify`."""
    parser.add_argument("file", metavar="FILE", help="a .rasp file (load as in `rasp run`)")
    parser.add_argument(
        "-n", "--name", metavar="S", required=True, help="the s-op FILE defines to compile"
    )
    parser.add_argument(
        "--vocab",
        metavar="V",
        required=True,
        help="comma-separated input tokens: a,b,c (strings) or 0,1,2 (ints when every "
        "item reads as an int)",
    )
    parser.add_argument(
        "--max-len",
        metavar="N",
        required=True,
        type=positive_int,
        help="the longest input the model must be exact on",
    )
    parser.add_argument(
        "--causal",
        action="store_true",
        help="compile with a causal mask (refused if an output depends on later positions)",
    )


def compiled_program(args: argparse.Namespace) -> tuple[Program, CompiledModel, float]:
    """Run FILE, compile the named s-op: (program, compiled model, seconds compiling)."""
    from rasplab.compiler import compile_program

    vocab = parse_vocab(args.vocab)
    path = Path(args.file)
    session = Session()
    session.exec(_read(path), str(path))
    program = session.program(args.name)
    start = time.perf_counter()
    model = compile_program(program, vocab, args.max_len, causal=args.causal)
    return program, model, time.perf_counter() - start


def _checked_output(text: str) -> Path:
    path = Path(text)
    if path.suffix == ".json":
        raise RaspError(
            f"-o {text}: give the weights path, e.g. {path.with_suffix('.safetensors')}; "
            "the config is written beside it as .json"
        )
    return path


def compile_command(args: argparse.Namespace) -> int:
    from rasplab.compiler.report import compile_summary, format_compile

    output = None if args.output is None else _checked_output(args.output)
    if args.example is not None and args.plot is None:
        raise RaspError("--example is the input the figures show", hint="add --plot DIR")
    _, cm, seconds = compiled_program(args)
    example = None if args.example is None else parse_example(args.example, cm.vocab)
    written: list[Path] = []
    try:
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            cm.save(output)
            written += [output, output.with_suffix(".json")]
        if args.plot is not None:
            from rasplab.compiler.plots import example_tokens, write_plots

            tokens = example if example is not None else example_tokens(cm.vocab, cm.max_len)
            written += write_plots(cm, tokens, Path(args.plot))
    except OSError as err:
        raise RaspError(f"cannot write {err.filename}: {err.strerror}") from None
    if args.json:
        summary = compile_summary(cm)
        summary["output"] = None if output is None else str(output)
        summary["files"] = [str(p) for p in written]
        summary["compile_seconds"] = round(seconds, 4)
        print(json.dumps(summary, default=format_plain))
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


def verify_command(args: argparse.Namespace) -> int:
    from rasplab.compiler.report import format_verify
    from rasplab.compiler.verify import verify

    program, cm, _ = compiled_program(args)
    result = verify(program, cm, samples=args.samples, seed=args.seed)
    if args.json:
        print(json.dumps(result.to_dict(), default=format_plain))
    else:
        print(format_verify(result, cm.program))
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


TRAIN_EPILOG = """\
output: one line per evaluation (held-out loss, sequence and per-position accuracy),
then a summary, then one JSON object as the last line: {"checkpoint", "steps",
"accuracy"}, accuracy being held-out sequence accuracy (every scored position right).
DIR receives model.safetensors (+ model.json; load with model.load), state.pt,
metrics.jsonl and curves.png. Rerunning with the same DIR and settings resumes from
the last checkpoint and ends with the same weights as an uninterrupted run.

exit status: 0 when training finished; 1 for an unknown task, a checkpoint in DIR
that does not fit, or a diverging loss; 2 for a bad command line.

examples:
  rasp train sort5
  rasp train reverse --steps 2000 --seed 1 -o runs/reverse-s1
  rasp train hist --until 0.99 --json"""


def train_command(args: argparse.Namespace) -> int:
    from rasplab import tasks
    from rasplab.train import TrainConfig, TrainError, train

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
        )
        talk = not (args.quiet or args.json)
        result = train(config, task=task, log=print if talk else None)
    except (tasks.UnknownTaskError, TrainError) as err:
        raise RaspError(str(err)) from None
    except ValueError as err:  # a setting TrainConfig rejects
        raise RaspError(str(err), hint="see rasp train --help") from None
    if not args.json:
        print(
            f"{task.name}: {result.steps} steps, held-out sequence accuracy "
            f"{result.accuracy:.4f}, checkpoint {result.checkpoint}"
        )
    print(json.dumps(result.summary()))
    return 0


def add_train_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="train a transformer on a task (see rasp tasks)",
        description="Train a transformer on TASK with the task's recipe (model shape,\n"
        "optimiser, steps), on a GPU when there is one, evaluating on held-out inputs.",
        epilog=TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("task", metavar="TASK", help="a task name from `rasp tasks`")
    parser.add_argument("--steps", type=positive_int, metavar="N", help="default: the recipe's")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
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
    parser.set_defaults(handler=train_command)


def format_task_table(rows: list[dict[str, Any]]) -> str:
    """The `rasp tasks` table: one row per task, hypotheses marked * when compilable."""
    header = ("name", "vocab", "max_len", "hypotheses", "description")
    table = [
        (
            row["name"],
            str(row["vocab_size"]),
            str(row["max_len"]),
            ", ".join(h["name"] + ("*" if h["compilable"] else "") for h in row["hypotheses"]),
            row["description"],
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *table]) for i in range(len(header) - 1)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths)) + "  " + line[-1]
        for line in [header, *table]
    ]
    return "\n".join([*lines, "", "* compilable by `rasp compile`"])


def tasks_command(args: argparse.Namespace) -> int:
    from rasplab import tasks
    rows = tasks.task_table()
    print(json.dumps(rows) if args.json else format_task_table(rows))
    return 0


def add_tasks_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "tasks",
        help="list the built-in tasks and their RASP hypotheses",
        description="List every task: vocabulary size, longest input, its RASP hypotheses\n"
        "(* = compilable) and a description. `rasp train TASK` trains a model on one.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print a JSON list of {"name", "description", "format", "vocab_size", "max_len", '
        '"hypotheses", ...}',
    )
    parser.set_defaults(handler=tasks_command)


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
    session = Session()
    session.exec(_read(Path(args.program)), args.program)
    program = session.program(args.name)
    try:
        model = load(args.model)
    except (FileNotFoundError, ValueError) as err:
        raise RaspError(str(err)) from None
    task = _compare_task(args, model)
    rival = _rival_program(args, task, program)
    settings = Settings(
        inputs=args.inputs, das_steps=args.steps, seed=args.seed, max_rank=args.max_rank
    )
    report = compare(model, program, task, rival, settings, progress=not args.json)
    files = write(report, args.report) if args.report else []
    if args.json:
        print(json.dumps(report, default=str))
        return 0
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
    for path in files:
        print(f"wrote {path}")
    return 0


def _num(value: float | None) -> str:
    return "n/a " if value is None else f"{value:.2f}"


def _compare_task(args: argparse.Namespace, model):
    from rasplab import tasks
    name = args.task or model.cfg.labels.get("task")
    if name is None:
        return None
    try:
        return tasks.get(name)
    except KeyError as err:
        raise RaspError(str(err.args[0])) from None


def _rival_program(args: argparse.Namespace, task, program):
    if args.no_rival:
        return None
    if args.rival:
        file, _, name = args.rival.rpartition(":")
        if not file:
            raise RaspError("--rival takes FILE:NAME, e.g. tasks/hypotheses/sort.rasp:sort_count")
        session = Session()
        session.exec(_read(Path(file)), file)
        return session.program(name)
    if task is None:
        return None
    for hypothesis in task.hypotheses.values():
        candidate = hypothesis.program()
        if candidate.name != program.name:
            return candidate
    return None


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
    parser.add_argument("--inputs", type=positive_int, default=600, metavar="N")
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
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="CPU threads (default 1: these models are small)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=compare_command)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_run_command,
    add_compile_command,
    add_verify_command,
    add_train_command,
    add_tasks_command,
    add_compare_command,
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
