"""Training batches and the held-out set, as tensors the model reads directly.

Every batch is a pure function of (seed, step): a resumed run needs no data-loader
state to continue exactly where an uninterrupted one would be.

Finite tasks split their enumerated domain once by a seeded permutation: the recipe's
train_fraction trains, the rest is held out, and the two never meet. Tasks sampled
without end draw the held-out set from its own seed and keep its inputs out of
training where that is feasible: an input drawn once in the held-out draw is rare and
is dropped from every training batch; one drawn more than once is common (probability
around 1/eval_size or more, like each of the ten one-digit inputs of `reverse`), so
training would meet it anyway, and excluding it would instead remove part of the
task's distribution from training. It stays in both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import torch

from rasplab.tasks import IGNORE_INDEX, Recipe, Task

# Separate random streams derived from the run's seed.
SPLIT_STREAM = 1
HELD_OUT_STREAM = 2
TRAIN_STREAM = 3

Inputs = list[list]


@dataclass(frozen=True)
class Batch:
    """Sequences as model ids, padded on the right.

    tokens: [n, pos] ids, BOS first. mask: [n, pos] True at real tokens, or None when
    every sequence fills all positions. targets: [n, pos] class ids at the scored
    positions, IGNORE_INDEX elsewhere (BOS, unscored, padding).
    """

    tokens: torch.Tensor
    mask: torch.Tensor | None
    targets: torch.Tensor

    def __len__(self) -> int:
        return self.tokens.shape[0]

    @property
    def scored(self) -> torch.Tensor:
        return self.targets != IGNORE_INDEX

    def select(self, rows: torch.Tensor | slice) -> Batch:
        mask = None if self.mask is None else self.mask[rows]
        return Batch(self.tokens[rows], mask, self.targets[rows])


def encode(task: Task, inputs: Inputs, targets: list[list], device: torch.device) -> Batch:
    """Model ids for task inputs and their reference targets (see tasks.task)."""
    width = max(len(x) for x in inputs) + 1
    tokens = np.zeros((len(inputs), width), dtype=np.int64)
    labels = np.full((len(inputs), width), IGNORE_INDEX, dtype=np.int64)
    lengths = np.empty(len(inputs), dtype=np.int64)
    for row, (x, y) in enumerate(zip(inputs, targets)):
        ids = task.input_ids(x)
        tokens[row, : len(ids)] = ids
        labels[row, 1 : len(ids)] = task.target_ids(y)
        lengths[row] = len(ids)
    mask = None
    if (lengths < width).any():
        mask = torch.from_numpy(np.arange(width)[None, :] < lengths[:, None]).to(device)
    return Batch(torch.from_numpy(tokens).to(device), mask, torch.from_numpy(labels).to(device))


def rng(seed: int, stream: int, *more: int) -> np.random.Generator:
    """An independent generator for each (seed, stream, step...) key."""
    return np.random.default_rng([seed, stream, *more])


class FiniteData:
    """A finite task: its whole domain encoded once, split by a seeded permutation."""

    def __init__(self, task: Task, recipe: Recipe, seed: int, device: torch.device) -> None:
        domain = task.enumerate()
        if domain is None or recipe.train_fraction is None:
            raise ValueError(f"task {task.name} has no finite domain and train_fraction")
        order = rng(seed, SPLIT_STREAM).permutation(len(domain))
        n_train = max(1, min(len(domain) - 1, round(recipe.train_fraction * len(domain))))
        self.train_rows = torch.from_numpy(np.sort(order[:n_train])).to(device)
        self.held_out_rows = torch.from_numpy(np.sort(order[n_train:])).to(device)
        self.all = encode(task, domain, [task.reference(x) for x in domain], device)
        self.train = self.all.select(self.train_rows)
        self.held_out = self.all.select(self.held_out_rows)
        self.seed = seed
        self.batch_size = None if recipe.full_batch else recipe.batch_size
        self.train_inputs = {tuple(domain[i]) for i in self.train_rows.tolist()}
        self.held_out_inputs = {tuple(domain[i]) for i in self.held_out_rows.tolist()}

    def batch(self, step: int) -> Batch:
        """The training batch of optimiser step `step` (0-based): the whole training
        set in full-batch mode, else batch_size rows drawn with replacement."""
        if self.batch_size is None:
            return self.train
        picks = rng(self.seed, TRAIN_STREAM, step).integers(len(self.train), size=self.batch_size)
        return self.train.select(torch.from_numpy(picks).to(self.train.tokens.device))


class StreamData:
    """A task sampled without end: fresh samples every step, a fixed held-out set of
    distinct inputs, the rare ones among them (`excluded`) kept out of training."""

    def __init__(
        self, task: Task, recipe: Recipe, seed: int, eval_size: int, device: torch.device
    ) -> None:
        inputs, targets = task.sample(rng(seed, HELD_OUT_STREAM), eval_size)
        counts = Counter(tuple(x) for x in inputs)
        unique: dict[tuple, tuple[list, list]] = {}
        for x, y in zip(inputs, targets):
            unique.setdefault(tuple(x), (x, y))
        self.held_out_inputs = set(unique)
        self.excluded = {x for x, n in counts.items() if n == 1}
        pairs = list(unique.values())
        self.held_out = encode(task, [x for x, _ in pairs], [y for _, y in pairs], device)
        self.task, self.seed, self.device = task, seed, device
        self.batch_size = recipe.batch_size

    def batch(self, step: int) -> Batch:
        """batch_size fresh samples for optimiser step `step`, none of them excluded.

        Inputs drawn exactly once in n draws carry at most about 1/e of the probability
        (max over q of n q (1 - q)^(n - 1)), so refilling takes a round or two.
        """
        generator = rng(self.seed, TRAIN_STREAM, step)
        inputs: Inputs = []
        targets: list[list] = []
        while len(inputs) < self.batch_size:
            xs, ys = self.task.sample(generator, self.batch_size - len(inputs))
            kept = [i for i, x in enumerate(xs) if tuple(x) not in self.excluded]
            inputs += [xs[i] for i in kept]
            targets += [ys[i] for i in kept]
        return encode(self.task, inputs, targets, self.device)


def make_data(
    task: Task, recipe: Recipe, seed: int, eval_size: int, device: torch.device
) -> FiniteData | StreamData:
    """Finite split when the task enumerates its domain and the recipe says how, else a stream."""
    if task.domain_size is not None and recipe.train_fraction is not None:
        return FiniteData(task, recipe, seed, device)
    return StreamData(task, recipe, seed, eval_size, device)
