"""Grokking modular addition, with the Fourier progress measures logged as it happens.

    python -m rasplab.train.grok                      # p = 113: the task mod_add and its recipe
    python -m rasplab.train.grok --p 53 --frac 0.4 --lr 3e-3 --steps 3000 -o runs/grok-p53

The setup of Nanda et al. (2023): one layer, d_model 128, 4 heads, d_mlp 512, ReLU,
no LayerNorm, AdamW lr 1e-3, weight decay 1, full batch on a fraction of all pairs
(0.3 for p = 113). Training accuracy reaches 100% early; held-out accuracy jumps
much later. The small variant above (p = 53, 40% of pairs, a 3x higher rate, which
shortens every phase about 3x) memorises by step 100 and groks by about step 2200,
in under two CPU minutes. Writes metrics.jsonl (train/held-out loss and accuracy, key frequencies,
restricted and excluded loss, weight norm) and curves.png to the output folder, and
prints when the run memorised and when it grokked as its last line (JSON).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from itertools import product
from pathlib import Path
from typing import Any

import torch

from rasplab import tasks
from rasplab.model import Transformer
from rasplab.tasks import Task
from rasplab.tasks.common import expect_scored
from rasplab.train.config import TrainConfig
from rasplab.train.data import FiniteData, StreamData
from rasplab.train.evaluate import scored_logits
from rasplab.train.fourier import key_frequencies, key_share, restricted_and_excluded_loss
from rasplab.train.loop import Measures, train

REFERENCE_P = 113
KEY_FREQUENCIES = 5  # Nanda et al. found five for p = 113


def addition_task(p: int) -> Task:
    """["a", "b", "="] -> (a + b) mod p, in mod_add's format (mod_add itself for p = 113)."""
    if p == REFERENCE_P:
        return tasks.get("mod_add")
    numbers = tuple(str(v) for v in range(p))

    def solve(tokens: list) -> list:
        return [None, None, str((int(tokens[0]) + int(tokens[1])) % p)]

    def check(tokens: list, target: list) -> list[str]:
        problems = expect_scored(target, [2])
        if not problems and (int(target[2]) - int(tokens[1])) % p != int(tokens[0]):
            problems.append(f"{target[2]} - {tokens[1]} is not {tokens[0]} mod {p}")
        return problems

    return Task(
        name=f"mod_add_p{p}",
        description=f"(a + b) mod {p} (grokking)",
        token_format=f'["a", "b", "="] -> the token of (a + b) mod {p} at "="',
        vocab=(*numbers, "="),
        output_vocab=numbers,
        min_len=3,
        max_len=3,
        causal=False,
        recipe=tasks.get("mod_add").recipe,
        hypotheses={},
        draw=lambda choose: [choose.choice(numbers), choose.choice(numbers), "="],
        solve=solve,
        check=check,
        domain=lambda: [[a, b, "="] for a, b in product(numbers, repeat=2)],
    )


def fourier_measures(p: int, n_key: int = KEY_FREQUENCIES) -> Measures:
    """Progress measures of a model of addition_task(p), for train(measures=...)."""

    def measure(model: Transformer, data: FiniteData | StreamData) -> dict[str, Any]:
        assert isinstance(data, FiniteData)
        logits = scored_logits(model, data.all)  # one scored position per input pair
        a, b = data.all.tokens[:, 1] - 1, data.all.tokens[:, 2] - 1  # id j + 1 is "j"
        grid = torch.empty(p, p, p, device=logits.device)
        grid[a, b] = logits
        train_pairs = torch.zeros(p, p, dtype=torch.bool, device=logits.device)
        train_pairs[a[data.train_rows], b[data.train_rows]] = True
        embedding = model.embed.W_E[1 : p + 1]
        freqs = key_frequencies(embedding, n_key)
        restricted, excluded = restricted_and_excluded_loss(grid, freqs, train_pairs, ~train_pairs)
        return {
            "key_freqs": freqs,
            "key_share": key_share(embedding, freqs),
            "restricted_loss": restricted,
            "excluded_loss": excluded,
            "weight_norm": float(sum(w.pow(2).sum() for w in model.parameters())),
        }

    return measure


def grokking_events(records: list[dict[str, Any]]) -> dict[str, Any]:
    """When training accuracy first reached 100% and held-out accuracy first reached 99%."""

    def first(key: str, threshold: float) -> dict[str, Any] | None:
        return next((r for r in records if r[key] >= threshold), None)

    memorised, grokked = first("train_seq_acc", 1.0), first("held_out_seq_acc", 0.99)
    return {
        "memorised_step": memorised and memorised["step"],
        "memorised_seconds": memorised and memorised["seconds"],
        "grokked_step": grokked and grokked["step"],
        "grokked_seconds": grokked and grokked["seconds"],
    }


def odd_p(text: str) -> int:
    if not text.isdigit() or int(text) < 3 or int(text) % 2 == 0:
        raise argparse.ArgumentTypeError(f"p must be an odd integer >= 3, got {text!r}")
    return int(text)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def fraction(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1), got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rasplab.train.grok",
        description="Train modular addition until it groks, logging the Fourier progress "
        "measures (key frequencies, restricted and excluded loss) to DIR/metrics.jsonl and "
        "DIR/curves.png; the last line printed is a JSON summary with the steps at which "
        "training accuracy reached 100% and held-out accuracy 99%.",
    )
    parser.add_argument("--p", type=odd_p, default=REFERENCE_P, help="the modulus (default 113)")
    parser.add_argument("--steps", type=positive, help="optimiser steps (default: mod_add's 30000)")
    parser.add_argument("--frac", type=fraction, help="share of pairs trained on (default 0.3)")
    parser.add_argument("--lr", type=float, help="AdamW learning rate (default 1e-3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--eval-every", type=positive, default=100, metavar="N")
    parser.add_argument("--threads", type=positive, help="CPU threads (see train/threads.py)")
    parser.add_argument("-o", "--out", metavar="DIR", help="output folder (default runs/grok-pP)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or log lines")
    args = parser.parse_args(argv)

    task = addition_task(args.p)
    recipe = task.recipe
    if args.frac is not None:
        recipe = dataclasses.replace(recipe, train_fraction=args.frac)
    config = TrainConfig(
        task=task.name,
        out_dir=Path(args.out or f"runs/grok-p{args.p}"),
        steps=args.steps,
        lr=args.lr,
        seed=args.seed,
        device=args.device,
        eval_every=args.eval_every,
        threads=args.threads,
        progress=not args.quiet,
    )
    result = train(
        config,
        task=task,
        recipe=recipe,
        measures=fourier_measures(args.p),
        log=None if args.quiet else print,
    )
    records = [json.loads(line) for line in (config.out_dir / "metrics.jsonl").open()]
    summary = {
        "p": args.p,
        "train_fraction": recipe.train_fraction,
        "lr": config.recipe(recipe).lr,
        **result.summary(),
        **grokking_events(records),
        "key_freqs": records[-1]["key_freqs"],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
