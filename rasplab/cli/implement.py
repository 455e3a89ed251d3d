"""`rasp train TASK --implement FILE --name S [--map ...]`: the arguments and the run
of interchange intervention training (rasplab.train.implement), kept out of
cli/train.py so plain training reads as before."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from rasplab.rasp.errors import RaspError

IMPLEMENT_EPILOG = """\
with --implement FILE --name S the model is also trained to compute hypothesis S
node by node (strict interchange intervention training, as InterpBench): each named
node of S is mapped to heads and layer MLPs (default: where the compiler places it,
empty layers dropped; --map node=L1H0+L1MLP,other=L0H2 overrides), patching a node's
components from another input must change the output as S says it would, and
patching components that no node claims must not change it. The model grows to
hold the mapping; the mapping is saved in model.json under "implements". A mapping
that cannot work (a layer the model lacks, an aggregate on an MLP, a node placed
before what it reads) is refused before training.

  rasp train hist --implement tasks/hypotheses/hist.rasp --name hist_same
  rasp train sort5 --implement tasks/hypotheses/sort.rasp --name sort_rank \\
      --map rank=L0H0+L0H1+L0MLP,sort_rank=L1H0"""


def add_implement_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--implement", metavar="FILE", help="train to compute this .rasp hypothesis (see below)"
    )
    parser.add_argument("--name", metavar="S", help="the hypothesis's s-op in FILE")
    parser.add_argument(
        "--map", metavar="NODE=COMP,...", help="override where nodes sit (LxHy, LxMLP, + joins)"
    )


def implement_run(args: argparse.Namespace, config, task, log: Callable[[str], None] | None):
    """Train with --implement; RaspError for a bad command line or mapping."""
    from rasplab.train import MappingError, implement
    from rasplab.train.mapping import parse_overrides

    if not args.name:
        raise RaspError("--implement needs --name S, the hypothesis's s-op in the file")
    if not Path(args.implement).is_file():
        raise RaspError(f"no hypothesis file {args.implement}")
    try:
        overrides = parse_overrides(args.map) if args.map else None
        return implement(config, args.name, args.implement, overrides, task=task, log=log)
    except MappingError as err:
        raise RaspError(str(err), hint="see rasp train --help (--map)") from None


def check_implement_arguments(args: argparse.Namespace) -> None:
    """--name and --map mean nothing without --implement."""
    if args.implement is None and (args.name or args.map):
        raise RaspError("--name and --map go with --implement FILE")
