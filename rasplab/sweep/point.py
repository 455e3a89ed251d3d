"""One point of a sweep: every setting of one trained model and its comparisons, plus
the name of the folder and result file it owns.

The id is readable (the swept factors) and unique (a hash of every setting), so a
resumed sweep finds each point's earlier work by name, and a changed setting (more
steps, another compare budget) makes a new point instead of reusing a stale result.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

# Defaults of what `compare` and Ray get when the spec says nothing.
DEFAULTS: dict[str, Any] = {"seed": 0, "inputs": 300, "das_steps": 100, "cpus": 1}
TRAIN_FIELDS = ("steps", "lr", "weight_decay", "batch_size", "until", "eval_every", "eval_size")
RECIPE_FIELDS = ("n_layers", "d_model", "n_heads", "d_mlp", "act_fn", "normalization", "warmup")


@dataclass(frozen=True)
class Point:
    """settings: every key the spec gave this point (with DEFAULTS filled in);
    factors: the keys that vary across the sweep, in spec order, with this point's values."""

    settings: dict[str, Any]
    factors: dict[str, Any]

    @property
    def id(self) -> str:
        """`<factor>=<value>_..._<hash>`: safe as a file name on every platform."""
        digest = hashlib.sha256(
            json.dumps(self.settings, sort_keys=True).encode()
        ).hexdigest()[:8]
        parts = [f"{key}={value}" for key, value in self.factors.items()]
        readable = re.sub(r"[^A-Za-z0-9=._-]+", "-", "_".join(parts))[:80]
        return f"{readable}_{digest}" if readable else digest

    @property
    def task(self) -> str:
        return self.settings["task"]

    @property
    def gpus(self) -> float:
        """GPUs Ray reserves: as the spec says, else one for device = 'cuda'."""
        default = 1 if self.settings.get("device") == "cuda" else 0
        return float(self.settings.get("gpus", default))

    @property
    def cpus(self) -> int:
        return int(self.settings["cpus"])

    def train_overrides(self) -> dict[str, Any]:
        """The TrainConfig fields this point sets."""
        return {k: self.settings[k] for k in TRAIN_FIELDS if k in self.settings}

    def recipe_overrides(self) -> dict[str, Any]:
        """The tasks.Recipe fields this point sets ('none' normalization is None)."""
        out = {k: self.settings[k] for k in RECIPE_FIELDS if k in self.settings}
        if out.get("normalization") == "none":
            out["normalization"] = None
        return out
