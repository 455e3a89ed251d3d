"""Small pieces shared by the task families: draws, checks and vocabularies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.task import Target, Token

DIGITS = tuple(str(d) for d in range(10))


def random_list(values: Sequence[Token], min_len: int, max_len: int) -> Callable[[Chooser], list]:
    """A draw function: a length in min_len..max_len, then independent tokens."""

    def draw(choose: Chooser) -> list[Token]:
        length = choose.integer(min_len, max_len)
        return [values[i] for i in choose.integers(0, len(values) - 1, length)]

    return draw


def scored(target: Target) -> list[int]:
    """The positions a target scores."""
    return [i for i, t in enumerate(target) if t is not None]


def expect_scored(target: Target, positions: Sequence[int]) -> list[str]:
    """A problem message unless exactly `positions` are scored."""
    actual = scored(target)
    if actual != list(positions):
        return [f"scored positions are {actual}, expected {list(positions)}"]
    return []


def same_multiset(a: Sequence[Token], b: Sequence[Token], what: str) -> list[str]:
    """A problem message unless a and b hold the same tokens (with multiplicity)."""
    return (
        [] if Counter(a) == Counter(b) else [f"{what}: {list(a)} is not a permutation of {list(b)}"]
    )
