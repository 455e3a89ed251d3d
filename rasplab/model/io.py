"""Saving and loading: safetensors weights plus a JSON config beside them.

save(model, "sort.safetensors") writes sort.safetensors (the state dict, dtypes kept)
and sort.json ({"format", "version", "config"}); config_path() gives the second from
the first. Each file is written to a temporary file in the same folder and renamed over
its target (rasplab.atomic), so a reader never sees half a file (the pair is written
weights first).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import safetensors
import safetensors.torch
import torch

from rasplab.atomic import write_bytes, write_text
from rasplab.model.config import TransformerConfig
from rasplab.model.transformer import Transformer

FORMAT = "rasplab.Transformer"
VERSION = 1


def config_path(path: str | os.PathLike) -> Path:
    """Where the config of the weights at `path` lives: the same name with a .json suffix."""
    path = Path(path)
    if path.suffix == ".json":
        raise ValueError(
            f"{path}: give the weights path (e.g. model.safetensors); "
            f"the config is kept beside it as model.json"
        )
    return path.with_suffix(".json")


def save(model: Transformer, path: str | os.PathLike) -> None:
    """Write the weights to `path` and the config to config_path(path), each atomically."""
    path = Path(path)
    cfg_path = config_path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    doc = {"format": FORMAT, "version": VERSION, "config": model.cfg.to_dict()}
    # Serialised in memory and written by Python, so a full disk or a read-only folder
    # is an OSError with its reason (safetensors' own writer raises a bare SafetensorError).
    write_bytes(path, safetensors.torch.save(tensors, metadata={"format": "pt"}))
    write_text(cfg_path, json.dumps(doc, indent=2) + "\n")


def load(path: str | os.PathLike, device: torch.device | str | None = None) -> Transformer:
    """Read a model written by `save`, bit for bit, onto `device` (default CPU); see
    _checked_values for the weights refused or widened."""
    path = Path(path)
    cfg_path = config_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such weights file")
    if not cfg_path.is_file():
        raise FileNotFoundError(
            f"{cfg_path}: no config beside the weights {path.name}; save() writes both"
        )
    cfg = _read_config(cfg_path)
    try:
        tensors = safetensors.torch.load_file(path, device=str(torch.device(device or "cpu")))
    except safetensors.SafetensorError as e:
        raise ValueError(f"{path}: not a readable safetensors file ({e})") from e
    tensors = _checked_values(tensors, path)
    model = Transformer(cfg, init="zeros")
    _check_weights_fit(model, tensors, path, cfg_path)
    # assign=True keeps the saved dtypes (a float64 compiled model stays float64).
    model.load_state_dict(tensors, strict=True, assign=True)
    return model


def _read_config(cfg_path: Path) -> TransformerConfig:
    try:
        doc = json.loads(cfg_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{cfg_path}: not valid JSON ({e})") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f'{cfg_path}: not a {FORMAT} config (no "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise ValueError(
            f"{cfg_path}: format version {doc.get('version')!r}; this code reads version {VERSION}"
        )
    try:
        return TransformerConfig.from_dict(doc.get("config"))
    except ValueError as e:
        raise ValueError(f"{cfg_path}: invalid config: {e}") from e


def _checked_values(tensors: dict[str, torch.Tensor], path: Path) -> dict[str, torch.Tensor]:
    """Weights a model can compute with: float16 and bfloat16 are widened to float32
    (exactly; CPU kernels lack half precision), integer or complex tensors are refused,
    as are NaN and infinite values (a model with them computes nothing meaningful)."""
    checked = {}
    for name, tensor in tensors.items():
        if tensor.dtype in (torch.float16, torch.bfloat16):
            tensor = tensor.float()
        if not tensor.is_floating_point():
            raise ValueError(
                f"{path}: weight {name} has dtype {str(tensor.dtype).removeprefix('torch.')}; "
                "a model's weights are floating point (float32 or float64)"
            )
        if not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"{path}: weight {name} holds NaN or infinite values")
        checked[name] = tensor
    return checked


def _check_weights_fit(
    model: Transformer, tensors: dict[str, torch.Tensor], path: Path, cfg_path: Path
) -> None:
    """Name every missing, extra or misshapen tensor, rather than load_state_dict's dump."""
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    problems = [f"missing {k} {list(shape)}" for k, shape in expected.items() if k not in tensors]
    problems += [f"unexpected {k}" for k in tensors if k not in expected]
    problems += [
        f"{k} is {list(v.shape)}, the config needs {list(expected[k])}"
        for k, v in tensors.items()
        if k in expected and tuple(v.shape) != expected[k]
    ]
    if problems:
        raise ValueError(
            f"{path} does not match its config {cfg_path.name}: " + "; ".join(problems)
        )
