"""Argument types and parsers shared by the subcommands: vocabularies, inputs,
positive ints, and the FILE --name pair that says which program to use.

Parsers raise RaspError (printed without a traceback, exit 1) for values that are
well-formed on the command line but wrong; argparse types raise
ArgumentTypeError (usage error, exit 2).
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from rasplab.rasp import Program
from rasplab.rasp.errors import RaspError
from rasplab.rasp.evaluate import check_input
from rasplab.rasp.session import Session

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


def positive_int(text: str) -> int:
    """An argparse type: an int of at least 1."""
    if not _INT.fullmatch(text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def load_program(file: str, name: str) -> Program:
    """The s-op `name` that the .rasp file defines, as a Program."""
    session = Session()
    session.exec_file(file)
    return session.program(name)


def add_program_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments that say what to compile: shared by `compile` and `verify`."""
    parser.add_argument("file", metavar="FILE", help="a .rasp file (load as in `rasp run`)")
    parser.add_argument(
        "-n", "--name", metavar="S", required=True, help="the s-op FILE defines to compile"
    )
    parser.add_argument(
        "--vocab",
        metavar="V",
        help="comma-separated input tokens: a,b,c (strings) or 0,1,2 (ints when every "
        "item reads as an int); required unless --task gives it",
    )
    parser.add_argument(
        "--max-len",
        metavar="N",
        type=positive_int,
        help="the longest input the model must be exact on; required unless --task gives it",
    )
    parser.add_argument(
        "--task",
        metavar="T",
        help="take the vocabulary, the longest input, the causal mask and the input domain "
        "from a task (`rasp tasks`): the model is exact on the task's inputs",
    )
    parser.add_argument(
        "--causal",
        action="store_true",
        help="compile with a causal mask (refused if an output depends on later positions)",
    )
