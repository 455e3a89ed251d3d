"""What one training run is asked to do: a task, a seed, overrides of the task's
recipe, and where and how often to evaluate and write.

Everything that decides the weights at each step (the task, the seed, the recipe after
overrides, the held-out size) is the run's identity: a run resumed in the same
`out_dir` must have the same identity. The rest (device, threads, how often to
evaluate, checkpoint or stop) may change between a run and its resumption.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rasplab.tasks import Recipe

Device = Literal["auto", "cpu", "cuda"]
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TrainConfig:
    """One run. None for steps, lr, weight_decay or batch_size keeps the recipe's value.

    threads: torch CPU threads; None applies the rule in `train.threads`.
    until: stop at the first evaluation whose held-out sequence accuracy reaches it.
    eval_size: held-out sequences drawn for tasks sampled without end (finite tasks
      hold out everything outside the recipe's train_fraction instead).
    force: replace a model in out_dir that no checkpoint of a run describes.
    """

    task: str
    out_dir: Path
    steps: int | None = None
    seed: int = 0
    device: Device = "auto"
    lr: float | None = None
    weight_decay: float | None = None
    batch_size: int | None = None
    eval_every: int = 100
    checkpoint_every: int = 250
    threads: int | None = None
    until: float | None = None
    eval_size: int = 2000
    progress: bool = True
    force: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "out_dir", Path(self.out_dir))
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}, got {self.device!r}")
        for name in ("steps", "batch_size", "eval_every", "checkpoint_every", "threads"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.eval_size < 1:
            raise ValueError(f"eval_size must be a positive int, got {self.eval_size!r}")
        for name in ("lr", "weight_decay"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        if self.until is not None and not 0 < self.until <= 1:
            raise ValueError(f"until must lie in (0, 1], got {self.until!r}")

    def recipe(self, base: Recipe) -> Recipe:
        """`base` with this run's overrides applied."""
        overrides = {
            "steps": self.steps,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "batch_size": self.batch_size,
        }
        return dataclasses.replace(base, **{k: v for k, v in overrides.items() if v is not None})

    def identity(self, labels: dict[str, Any]) -> dict[str, Any]:
        """What a resumed run must share with the run it continues (JSON types): the
        model's labels (task format, recipe, seed; see train.build) and the held-out size."""
        return {**labels, "eval_size": self.eval_size}
