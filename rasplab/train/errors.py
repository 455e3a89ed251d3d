"""The ways a run can fail that the user can act on; the CLI prints them without a
traceback."""

from __future__ import annotations


class TrainError(Exception):
    """A training run cannot start or continue; the message says what to do."""


class CheckpointMismatch(TrainError):
    """A checkpoint was written for another task, format or run settings."""


class Diverged(TrainError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""
