"""The training loop: AdamW on the scored positions, evaluation, metrics, checkpoints.

One run = `train(TrainConfig(...))`. It builds the model from the task's recipe,
resumes from out_dir when a checkpoint of the same run is there, and steps until the
recipe's step count (or until held-out sequence accuracy reaches `until`). On CPU the
same seed and thread count give bit-identical weights, whether or not the run was
interrupted and resumed on the way.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
import torch.nn.functional as F
from tqdm import tqdm

from rasplab import tasks
from rasplab.model import Transformer, default_device
from rasplab.tasks import Recipe, Task
from rasplab.train.build import build_model
from rasplab.train.checkpoint import RunState, resume, save_checkpoint
from rasplab.train.config import TrainConfig
from rasplab.train.curves import CURVES_FILE, plot_curves
from rasplab.train.data import Batch, FiniteData, StreamData, make_data
from rasplab.train.errors import Diverged, TrainError
from rasplab.train.evaluate import Scores, correct_counts, evaluate, scored_logits
from rasplab.train.health import largest_weight, weight_problem
from rasplab.train.metrics import MetricsLog
from rasplab.train.optim import AdamW
from rasplab.train.outdir import run_folder
from rasplab.train.schedule import learning_rate
from rasplab.train.threads import choose_threads, torch_threads

# AdamW's betas as in Nanda et al. (2023); a shorter second-moment memory than the
# default 0.999 adapts faster on these small, quickly changing problems.
BETAS = (0.9, 0.98)
PLOT_EVERY_SECONDS = 60.0

Measures = Callable[[Transformer, FiniteData | StreamData], dict[str, Any]]
Log = Callable[[str], None]


class Objective(Protocol):
    """A loss added to the task loss (train.siit), and labels saved with the model."""

    labels: dict[str, Any]

    def loss(self, model: Transformer, batch: Batch, step: int) -> torch.Tensor: ...


@dataclass(frozen=True)
class TrainResult:
    """The end of a run: its model file and final held-out scores."""

    checkpoint: Path
    steps: int
    accuracy: float
    position_accuracy: float
    loss: float
    seconds: float

    def summary(self) -> dict[str, Any]:
        """What `rasp train` prints: {"checkpoint", "steps", "accuracy"}."""
        return {"checkpoint": str(self.checkpoint), "steps": self.steps, "accuracy": self.accuracy}


def resolve_device(name: str) -> torch.device:
    """ "auto" is CUDA when torch sees a GPU, else CPU; "cuda" without one is refused."""
    if name == "auto":
        return torch.device(default_device())
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainError("device cuda: torch sees no CUDA GPU here; use --device auto or cpu")
    return torch.device(name)


def train(
    config: TrainConfig,
    *,
    task: Task | None = None,
    recipe: Recipe | None = None,
    measures: Measures | None = None,
    log: Log | None = None,
    objective: Objective | None = None,
) -> TrainResult:
    """Train (or resume) the run `config` describes.

    task: the Task itself when it is not a registered one (config.task must be its
    name). recipe: replaces the task's recipe, before config's overrides. measures:
    extra metrics computed at each evaluation. log: receives one line per evaluation.
    objective: its loss is added at every step and its labels join the model's.
    """
    task = tasks.get(config.task) if task is None else task
    if task.name != config.task:
        raise ValueError(f"config.task is {config.task!r} but the task given is {task.name!r}")
    recipe = config.recipe(task.recipe if recipe is None else recipe)
    device = resolve_device(config.device)
    model = build_model(task, recipe, config.seed).to(device)
    if objective is not None:
        model.cfg.labels.update(objective.labels)
    data = make_data(task, recipe, config.seed, config.eval_size, device)
    n_params = sum(p.numel() for p in model.parameters())
    tokens_per_step = data.batch(0).tokens.numel()
    threads = choose_threads(config.threads, n_params, tokens_per_step, device)
    with run_folder(config.out_dir, config.force), torch_threads(threads):
        run = _Run(config, task, recipe, model, data, measures, log, objective)
        return run.run()


class _Run:
    """The mutable state of one call to `train`."""

    def __init__(
        self,
        config: TrainConfig,
        task: Task,
        recipe: Recipe,
        model: Transformer,
        data: FiniteData | StreamData,
        measures: Measures | None,
        log: Log | None,
        objective: Objective | None = None,
    ) -> None:
        self.config, self.task, self.recipe, self.model = config, task, recipe, model
        self.objective = objective
        self.data, self.measures, self.log = data, measures, log
        trainable = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = AdamW(trainable, weight_decay=recipe.weight_decay, betas=BETAS)
        self.identity = config.identity(model.cfg.labels)
        self.state: RunState = resume(config.out_dir, model, self.optimizer, self.identity, task)
        self.saved_step: int | None = self.state.step if self.state.step else None
        self.saved_size = largest_weight(model)
        self.metrics = MetricsLog(config.out_dir, self.state.step)
        self.last_scores: Scores | None = None
        self.lr = recipe.lr
        self.plotted_at = time.perf_counter()

    def run(self) -> TrainResult:
        config, state = self.config, self.state
        before = self.metrics.records[-1]["seconds"] if self.metrics.records else 0.0
        self.start = time.perf_counter() - before
        bar = tqdm(
            total=self.recipe.steps,
            initial=state.step,
            desc=self.task.name,
            disable=not (config.progress and sys.stderr.isatty()),
            file=sys.stderr,
            dynamic_ncols=True,
        )
        try:
            while not state.done:
                logits, batch = self.step()
                bar.update()
                final = state.step >= self.recipe.steps
                if state.step % config.eval_every == 0 or final:
                    scores = self.evaluate(correct_counts(logits, batch)[1] / len(batch))
                    accuracy = scores.sequence_accuracy
                    bar.set_postfix(loss=f"{scores.loss:.3g}", acc=f"{accuracy:.3f}")
                    reached = config.until is not None and accuracy >= config.until
                    state.done = final or reached
                if state.done or state.step % config.checkpoint_every == 0:
                    self.checkpoint()
        finally:
            bar.close()
            self.metrics.close()
        scores = self.last_scores or evaluate(self.model, self.data.held_out)
        return TrainResult(
            checkpoint=config.out_dir / "model.safetensors",
            steps=state.step,
            accuracy=scores.sequence_accuracy,
            position_accuracy=scores.position_accuracy,
            loss=scores.loss,
            seconds=time.perf_counter() - self.start,
        )

    def step(self) -> tuple[torch.Tensor, Batch]:
        """One optimiser step on the batch of the current step number; returns the batch
        and its logits before the update."""
        state = self.state
        lr = learning_rate(self.recipe, state.step)
        batch = self.data.batch(state.step)
        logits = scored_logits(self.model, batch)
        loss = F.cross_entropy(logits, batch.targets[batch.scored])
        if self.objective is not None:
            loss = loss + self.objective.loss(self.model, batch, state.step)
        value = loss.item()
        if not math.isfinite(value):
            raise Diverged(self._divergence_message(f"the loss is {value}", lr, state.step + 1))
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step(lr)
        state.step += 1
        state.loss_sum += value
        state.loss_count += 1
        self.lr = lr
        return logits.detach(), batch

    def evaluate(self, train_acc: float) -> Scores:
        """Score the held-out set; write a metrics record (with the sequence accuracy on
        the last training batch) and a log line."""
        state = self.state
        scores = evaluate(self.model, self.data.held_out)
        record: dict[str, Any] = {
            "step": state.step,
            "lr": self.lr,
            "train_loss": state.loss_sum / state.loss_count,
            "train_seq_acc": train_acc,
            "held_out_loss": scores.loss,
            "held_out_pos_acc": scores.position_accuracy,
            "held_out_seq_acc": scores.sequence_accuracy,
        }
        if self.measures is not None:
            with torch.no_grad():
                record.update(self.measures(self.model, self.data))
        record["seconds"] = round(time.perf_counter() - self.start, 3)
        self.metrics.write(record)
        state.loss_sum, state.loss_count = 0.0, 0
        self.last_scores = scores
        if self.log is not None:
            with tqdm.external_write_mode():
                self.log(
                    f"step {state.step}/{self.recipe.steps}  train loss {record['train_loss']:.4f}"
                    f"  held-out loss {scores.loss:.4f}  seq acc {scores.sequence_accuracy:.4f}"
                    f"  pos acc {scores.position_accuracy:.4f}  ({record['seconds']:.1f}s)"
                )
        return scores

    def checkpoint(self) -> None:
        """Save the model and resume state; redraw the curves at the end, or when the last
        drawing is PLOT_EVERY_SECONDS old (drawing costs about as much as 20 small steps)."""
        out_dir = self.config.out_dir
        problem = weight_problem(largest_weight(self.model), self.saved_size)
        if problem is not None:
            raise Diverged(self._divergence_message(problem, self.lr, self.state.step))
        save_checkpoint(out_dir, self.model, self.optimizer, self.state, self.identity)
        self.saved_step = self.state.step
        self.saved_size = largest_weight(self.model)
        now = time.perf_counter()
        if self.state.done or now - self.plotted_at >= PLOT_EVERY_SECONDS:
            plot_curves(self.metrics.records, out_dir / CURVES_FILE, self.task.name)
            self.plotted_at = now

    def _divergence_message(self, what: str, lr: float, step: int) -> str:
        where = (
            f"the last good checkpoint, from step {self.saved_step}, is kept in "
            f"{self.config.out_dir}"
            if self.saved_step is not None
            else "no checkpoint had been written yet"
        )
        return (
            f"training diverged: {what} at step {step} "
            f"(learning rate {lr:.3g}); {where}. Try a lower learning rate (--lr)."
        )
