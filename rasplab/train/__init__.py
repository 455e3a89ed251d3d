"""train: train any Transformer on any task (see DESIGN.md).

    from rasplab.train import TrainConfig, train
    result = train(TrainConfig("sort5", out_dir="runs/sort5"))
    result.accuracy          # held-out sequence accuracy
    model.load(result.checkpoint)

A run writes out_dir/model.safetensors (+ .json, labelled with the task's format),
state.pt (to resume), metrics.jsonl and curves.png. `train.grok.grok` (`rasp grok`)
trains modular addition and logs the Fourier progress measures of grokking.
`implement` (`rasp train --implement`) trains a model to compute a RASP hypothesis
where a mapping puts its nodes (interchange intervention training, train.siit).
"""

from rasplab.train.build import build_model, load_trained
from rasplab.train.config import TrainConfig
from rasplab.train.errors import CheckpointMismatch, Diverged, TrainError
from rasplab.train.implement import implement
from rasplab.train.loop import TrainResult, train
from rasplab.train.mapping import MappingError

__all__ = [
    "CheckpointMismatch",
    "Diverged",
    "MappingError",
    "TrainConfig",
    "TrainError",
    "TrainResult",
    "build_model",
    "implement",
    "load_trained",
    "train",
]

# `rasplab.train(...)` calls train() (see rasplab.callable_module)
from rasplab.callable_module import make_callable

make_callable(__name__, train)
