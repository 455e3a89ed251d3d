"""`rasp grok`: train modular addition until it groks, logging the Fourier progress
measures (the library function is rasplab.train.grok.grok)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rasplab.cli.arguments import positive_int
from rasplab.cli.train import add_device_argument, add_force_argument
from rasplab.jsonsafe import dumps
from rasplab.rasp.errors import RaspError

GROK_EPILOG = """\
The task is mod_add ((a + b) mod 113, the recipe of Nanda et al. 2023: one layer, no
LayerNorm, AdamW weight decay 1, full batch on 30% of pairs); --p P trains the same
task with modulus P, registered as mod_add_pP, so `rasp compare` finds it from the
checkpoint alone.

output: one line per evaluation, then one JSON object as the last line: {"p",
"train_fraction", "lr", "checkpoint", "steps", "accuracy", "memorised_step",
"memorised_seconds", "grokked_step", "grokked_seconds", "key_freqs"}; memorised is
the first evaluation at 100% training accuracy, grokked the first at >= 99% held-out
accuracy (null when it has not happened). DIR receives what `rasp train` writes,
with the progress measures in metrics.jsonl. Rerunning with the same DIR resumes.

exit status: 0 when training finished; 1 for a checkpoint in DIR that does not fit
or a diverging loss; 2 for a bad command line.

examples:
  rasp grok                                                  (p = 113, runs/grok-p113)
  rasp grok --p 53 --frac 0.4 --lr 3e-3 --steps 3000 -o runs/grok-p53"""


def odd_p(text: str) -> int:
    """An argparse type: an odd modulus of at least 3 (the Fourier basis then has no
    unpaired frequency)."""
    if not text.isdigit() or int(text) < 3 or int(text) % 2 == 0:
        raise argparse.ArgumentTypeError(f"p must be an odd integer >= 3, got {text!r}")
    return int(text)


def fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1), got {text!r}")
    return value


def grok_command(args: argparse.Namespace) -> int:
    from rasplab.tasks.modular import P, modulus_name
    from rasplab.train import TrainConfig, TrainError
    from rasplab.train.grok import grok

    p = P if args.p is None else args.p
    try:
        config = TrainConfig(
            task=modulus_name("mod_add", p),
            out_dir=Path(args.out or f"runs/grok-p{p}"),
            steps=args.steps,
            lr=args.lr,
            seed=args.seed,
            device=args.device,
            eval_every=args.eval_every,
            threads=args.threads,
            progress=not args.quiet,
            force=args.force,
        )
        summary = grok(config, train_fraction=args.frac, log=None if args.quiet else print)
    except TrainError as err:
        raise RaspError(str(err)) from None
    except ValueError as err:  # a setting TrainConfig rejects
        raise RaspError(str(err), hint="see rasp grok --help") from None
    print(dumps(summary))
    return 0


def add_grok_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "grok",
        help="train modular addition until it groks, with Fourier progress measures",
        description="Train (a + b) mod p until it groks, logging the Fourier progress\n"
        "measures (key frequencies, restricted and excluded loss, weight norm) to\n"
        "DIR/metrics.jsonl and DIR/curves.png.",
        epilog=GROK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--p", type=odd_p, metavar="P", help="the modulus, odd and >= 3 (default 113)"
    )
    parser.add_argument(
        "--steps", type=positive_int, metavar="N", help="optimiser steps (default 30000)"
    )
    parser.add_argument(
        "--frac", type=fraction, metavar="F", help="share of pairs trained on (default 0.3)"
    )
    parser.add_argument("--lr", type=float, metavar="LR", help="AdamW learning rate (default 1e-3)")
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the split and weights (default 0)"
    )
    add_device_argument(parser)
    add_force_argument(parser)
    parser.add_argument(
        "--eval-every", type=positive_int, default=100, metavar="N", help="default 100 steps"
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        metavar="T",
        help="CPU threads (default: 1 for small models, see train/threads.py; else torch's)",
    )
    parser.add_argument("-o", "--out", metavar="DIR", help="output folder (default runs/grok-pP)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or log lines")
    parser.set_defaults(handler=grok_command)
