"""A run's output folder: never someone else's model, never two runs at once.

A folder holding model.safetensors or model.json but no state.pt was not written by a
run that can be resumed here (someone's saved or compiled model): it is kept unless
the run is told to replace it (TrainConfig.force). While a run writes, it holds an
exclusive lock on out_dir/.rasp-train.lock (flock, released by the kernel however the
process ends), so a second run on the same folder stops at once instead of
interleaving its checkpoints with the first's.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rasplab.outputs import claim_folder
from rasplab.train.errors import TrainError

LOCK_FILE = ".rasp-train.lock"
MODEL_FILES = ("model.safetensors", "model.json")
STATE_FILE = "state.pt"


class FolderInUse(TrainError):
    """Another run holds the folder's lock."""


@contextmanager
def run_folder(out_dir: Path, force: bool) -> Iterator[Path]:
    """Claim and lock out_dir for the body's length; raise TrainError when it is not ours."""
    claim_folder(out_dir)
    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise FolderInUse(
                f"{out_dir} is in use by another training run (pid {holder}); wait for it "
                "to finish or choose another output folder (-o)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _refuse_foreign_model(out_dir, force)
        yield out_dir
    finally:
        os.close(fd)  # closing releases the lock


def _refuse_foreign_model(out_dir: Path, force: bool) -> None:
    present = [name for name in MODEL_FILES if (out_dir / name).exists()]
    if present and not (out_dir / STATE_FILE).exists() and not force:
        raise TrainError(
            f"{out_dir} holds {' and '.join(present)} that no training run there wrote "
            "(no state.pt to resume); nothing is replaced without --force: choose another "
            "output folder (-o), or add --force to replace them"
        )
