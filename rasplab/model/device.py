"""Where to run by default."""

from __future__ import annotations

import torch


def default_device() -> str:
    """The string "cuda" when a CUDA GPU is usable, else "cpu"."""
    return "cuda" if torch.cuda.is_available() else "cpu"
