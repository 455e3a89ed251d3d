"""The inputs every analysis runs on, and what is known at each of their positions.

A `Probe` holds a batch in model ids (BOS first, padded on the right), the class each
scored position should get, and named variables per position (the token, the position,
the target and, when the task has a hypothesis, every node of it) for colouring plots
and naming what neurons respond to. Compiled models name their vocabulary in
cfg.labels[LABEL_KEY], trained ones in cfg.labels; a task gives the inputs their form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from rasplab import tasks
from rasplab.compiler.compiled import LABEL_KEY
from rasplab.model import Transformer
from rasplab.rasp import RaspError
from rasplab.rasp.tokens import TokenIds, token_key
from rasplab.tasks import IGNORE_INDEX, Task

MAX_VARIABLES = 8  # hypothesis nodes coloured, besides token, position and target
PRIMITIVES = {
    "tokens",
    "tokens_int",
    "tokens_str",
    "tokens_float",
    "tokens_bool",
    "tokens_asis",
    "indices",
}  # the token and position variables already


@dataclass
class Probe:
    """tokens, mask: [batch, pos] (mask True at real tokens, BOS included); targets:
    [batch, pos] class ids, IGNORE_INDEX where nothing is scored; variables: name ->
    object array [batch, pos] (None at BOS and padding)."""

    tokens: torch.Tensor
    mask: torch.Tensor
    targets: torch.Tensor
    vocab: list[Any]
    output_values: list[Any]
    categorical: bool
    task: Task | None
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def scored(self) -> torch.Tensor:
        return self.targets != IGNORE_INDEX


def model_format(model: Transformer) -> tuple[list[Any], list[Any], bool, str | None]:
    """(vocab, output values, categorical?, task name) from the model's labels."""
    labels = model.cfg.labels
    if LABEL_KEY in labels:
        meta = labels[LABEL_KEY]
        categorical = meta["output_encoding"] == "categorical"
        return list(meta["vocab"]), list(meta["output_values"]), categorical, None
    if "vocab" in labels and "output_vocab" in labels:
        return list(labels["vocab"]), list(labels["output_vocab"]), True, labels.get("task")
    vocab = list(range(model.cfg.d_vocab - 1))
    return vocab, list(range(model.cfg.d_vocab_out)), True, None


def resolve_task(model: Transformer, task: Task | str | None) -> Task | None:
    """The task named, or the one the model was trained on (None for neither)."""
    if isinstance(task, str):
        return tasks.get(task)
    if task is None and (name := model_format(model)[3]) is not None:
        return tasks.get(name)
    return task


def make_probe(
    model: Transformer, task: Task | str | None = None, n: int = 300, seed: int = 0
) -> Probe:
    """n inputs of the task (or random sequences of the model's vocabulary at its
    full length, when no task is known); targets are the task's, or the model's own
    answers without a task, so attributions explain what it does."""
    vocab, outputs, categorical, _ = model_format(model)
    task = resolve_task(model, task)
    rng = np.random.default_rng(seed)
    notes: list[str] = []
    if task is not None:
        inputs, answers = task.sample(rng, n)
    else:
        length = model.cfg.n_ctx - 1
        inputs = [list(rng.choice(np.array(vocab, dtype=object), size=length)) for _ in range(n)]
        answers = None
        notes.append(
            f"no task: {n} uniform random inputs of length {length}, targets are "
            "the model's own answers"
        )
    probe = encode(model, inputs, answers, vocab, outputs, categorical, task)
    probe.notes += notes
    if task is not None:
        probe.variables.update(hypothesis_variables(task, inputs, probe.tokens.shape[1]))
    return probe


def encode(
    model: Transformer,
    inputs: list[list[Any]],
    answers: list[list[Any]] | None,
    vocab: list[Any],
    outputs: list[Any],
    categorical: bool,
    task: Task | None,
) -> Probe:
    """A Probe of these inputs; answers None means the model's own argmax answers."""
    ids = TokenIds(vocab)
    width = max(len(x) for x in inputs) + 1
    tokens = torch.zeros(len(inputs), width, dtype=torch.long)
    mask = torch.zeros(len(inputs), width, dtype=torch.bool)
    for row, tokens_in in enumerate(inputs):
        encoded = ids.encode(tokens_in)
        tokens[row, : len(encoded)] = torch.tensor(encoded)
        mask[row, : len(encoded)] = True
    targets = torch.full_like(tokens, IGNORE_INDEX)
    if answers is None:
        with torch.no_grad():
            best = model(tokens.to(_device(model)), attention_mask=mask.to(_device(model)))
        targets = torch.where(mask, best.argmax(-1).cpu(), targets)
        targets[:, 0] = IGNORE_INDEX
    else:
        classes = {token_key(v): j for j, v in enumerate(outputs)}
        for row, answer in enumerate(answers):
            for i, value in enumerate(answer):
                if value is not None and token_key(value) in classes:
                    targets[row, i + 1] = classes[token_key(value)]
    probe = Probe(tokens, mask, targets, vocab, outputs, categorical, task)
    probe.variables = base_variables(inputs, answers, width)
    return probe


def base_variables(
    inputs: list[list[Any]], answers: list[list[Any]] | None, width: int
) -> dict[str, np.ndarray]:
    """token, position (input index) and target, per model position."""
    token = np.full((len(inputs), width), None, dtype=object)
    position = np.full((len(inputs), width), None, dtype=object)
    target = np.full((len(inputs), width), None, dtype=object)
    for row, tokens_in in enumerate(inputs):
        token[row, 1 : len(tokens_in) + 1] = tokens_in
        position[row, 1 : len(tokens_in) + 1] = range(len(tokens_in))
        if answers is not None:
            target[row, 1 : len(tokens_in) + 1] = answers[row]
    variables = {"token": token, "position": position}
    if answers is not None:
        variables["target"] = target
    return variables


def hypothesis_variables(task: Task, inputs: list[list[Any]], width: int) -> dict[str, np.ndarray]:
    """The s-op nodes of the task's first hypothesis that runs, per model position
    (named `hypothesis:node`); none when the task has no hypothesis."""
    for name, hypothesis in task.hypotheses.items():
        try:
            program = hypothesis.program()
            trace = program.evaluate(inputs)
        except RaspError:
            continue
        out: dict[str, np.ndarray] = {}
        for node in reversed(program.names):
            values = trace[node]
            if node in PRIMITIVES or not _is_sop(values, inputs):
                continue
            grid = np.full((len(inputs), width), None, dtype=object)
            for row, row_values in enumerate(values):
                grid[row, 1 : len(row_values) + 1] = [_plain(v) for v in row_values]
            if len({repr(v) for v in grid.flat if v is not None}) < 2:
                continue  # a constant colours nothing
            out[f"{name}:{node}"] = grid
            if len(out) == MAX_VARIABLES:
                break
        return out
    return {}


def _is_sop(values: list[Any], inputs: list[list[Any]]) -> bool:
    """An s-op's trace: one scalar per position of every input (not a selector's rows)."""
    return all(
        isinstance(row, list) and len(row) == len(x) and not any(isinstance(v, list) for v in row)
        for row, x in zip(values, inputs)
    )


def _plain(value: Any) -> Any:
    """Hashable, JSON-friendly values (floats rounded so equal means equal)."""
    return round(value, 6) if isinstance(value, float) else value


def _device(model: Transformer) -> torch.device:
    return next(model.parameters()).device
