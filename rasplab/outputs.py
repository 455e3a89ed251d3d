"""May a command write where the user pointed it? Nothing a user had is replaced
without --force.

rasplab.atomic already refuses anything but a regular file (a device node, FIFO,
symlink or folder is never replaced, --force or not). Here the question is whether an
existing regular file, or a folder's contents, belong to rasplab: a model's weights with
its rasplab config beside them may be rewritten (rerunning `rasp compile -o`); any other
file needs --force.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rasplab.atomic import NotRegularFile, refuse_irregular
from rasplab.rasp.errors import RaspError

MODEL_FORMAT = "rasplab.Transformer"


class OutputRefused(RaspError):
    """The output path holds something that is not ours to replace."""


def is_model_config(path: Path) -> bool:
    """True when `path` is a JSON config that rasplab.model.save wrote."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("format") == MODEL_FORMAT


def claim_model_files(weights: str | os.PathLike, force: bool) -> None:
    """Refuse to write a model to `weights` (and its config beside it, .json) when either
    path holds something else than an earlier rasplab model, unless `force`."""
    weights = Path(weights)
    config = weights.with_suffix(".json")
    for path in (weights, config):
        _refuse_irregular(path)
    ours = is_model_config(config)
    for path in (weights, config):
        if path.exists() and not ours and not force:
            raise OutputRefused(
                f"{path} exists and is not a rasplab model; nothing is replaced without "
                "--force",
                hint="choose another output path, or add --force to replace it",
            )


def claim_folder(folder: str | os.PathLike) -> Path:
    """The output folder, created if absent; refused when something else is there."""
    folder = Path(folder)
    if folder.is_symlink() and not folder.is_dir():
        raise OutputRefused(f"{folder} is a symlink to no folder; give a folder")
    if folder.exists() and not folder.is_dir():
        raise OutputRefused(
            f"{folder} exists and is not a folder; give a folder for the output"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _refuse_irregular(path: Path) -> None:
    try:
        refuse_irregular(path)
    except NotRegularFile as err:
        raise OutputRefused(str(err.strerror)) from None
