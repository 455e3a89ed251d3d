"""One description of a task's input distribution, two sources of randomness.

A task's `draw` function asks a Chooser for every random decision, so the same
code yields seeded numpy samples for training and Hypothesis examples (which
shrink to small, readable counterexamples) for property tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

T = TypeVar("T")


class Chooser(Protocol):
    """The random decisions a draw function may make."""

    def integer(self, low: int, high: int) -> int:
        """An int in [low, high], both ends included."""
        ...

    def integers(self, low: int, high: int, size: int) -> list[int]:
        """`size` independent ints in [low, high]."""
        ...

    def choice(self, options: Sequence[T]) -> T:
        """One of the options."""
        ...

    def distinct(self, options: Sequence[T], k: int) -> list[T]:
        """k different options in random order."""
        ...


class NumpyChooser:
    """Decisions from a seeded numpy Generator; returns plain Python values (the
    interpreter reads a list of numpy ints as a mixed-type input)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def integers(self, low: int, high: int, size: int) -> list[int]:
        return [int(x) for x in self.rng.integers(low, high + 1, size)]

    def choice(self, options: Sequence[T]) -> T:
        return options[int(self.rng.integers(len(options)))]

    def distinct(self, options: Sequence[T], k: int) -> list[T]:
        return [options[int(i)] for i in self.rng.choice(len(options), k, replace=False)]


class HypothesisChooser:
    """Decisions drawn from Hypothesis strategies inside `st.composite`."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies

        self.draw = draw
        self.st = strategies

    def integer(self, low: int, high: int) -> int:
        return self.draw(self.st.integers(low, high))

    def integers(self, low: int, high: int, size: int) -> list[int]:
        return self.draw(self.st.lists(self.st.integers(low, high), min_size=size, max_size=size))

    def choice(self, options: Sequence[T]) -> T:
        return self.draw(self.st.sampled_from(options))

    def distinct(self, options: Sequence[T], k: int) -> list[T]:
        indices = self.st.integers(0, len(options) - 1)
        chosen = self.draw(self.st.lists(indices, min_size=k, max_size=k, unique=True))
        return [options[i] for i in chosen]
