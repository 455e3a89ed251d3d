"""A task: the token format shared by its RASP hypotheses, compiled and trained
models, with its data generator, reference solution and property checks.

Conventions every consumer relies on:
- An input is a list of tokens (all ints or all strings, as the RASP interpreter
  requires) of length min_len..max_len; models see `[bos] + input`, the
  interpreter sees the input alone.
- `reference(tokens)` has one entry per input position: the target there, or
  None where nothing is scored. The model predicts target[i] at the position
  holding input token i (model position i + 1, after BOS).
- Causal tasks (`causal=True`) are trained with a causal mask, because later
  input tokens give away the answer (next-token targets) or because targets
  describe prefixes; their hypotheses read only positions <= the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from rasplab.rasp.tokens import TokenIds
from rasplab.tasks.choosers import Chooser, HypothesisChooser, NumpyChooser
from rasplab.tasks.hypothesis import Hypothesis
from rasplab.tasks.recipe import Recipe

Token = int | str
Target = list[Any]

IGNORE_INDEX = -100
"""The target id of unscored positions (PyTorch's cross-entropy default)."""


@dataclass(frozen=True, eq=False)
class Task:
    """One toy problem. The generator, reference and invariants are plain functions
    (`draw`, `solve`, `check`), so a new task needs no subclass.

    draw(chooser) -> one random input; every random decision goes through the
      chooser, so `sample` (numpy) and `strategy` (Hypothesis) share it.
    solve(tokens) -> the target list (see the module docstring).
    check(tokens, target) -> the violated task-specific properties, as messages;
      written independently of `solve` where possible (a sort's output is an
      ordered permutation of its input).
    domain() -> every valid input, for tasks small enough to enumerate (then
      `sample` draws uniformly from it and the recipe's train_fraction applies).
    """

    name: str
    description: str
    token_format: str
    vocab: tuple[Token, ...]
    output_vocab: tuple[Token, ...]
    min_len: int
    max_len: int
    causal: bool
    recipe: Recipe
    hypotheses: Mapping[str, Hypothesis]
    draw: Callable[[Chooser], list[Token]] = field(repr=False)
    solve: Callable[[list[Token]], Target] = field(repr=False)
    check: Callable[[list[Token], Target], list[str]] = field(repr=False)
    domain: Callable[[], Iterable[list[Token]]] | None = field(default=None, repr=False)
    bos: str = "BOS"

    def __post_init__(self) -> None:
        if self.bos in self.vocab:
            raise ValueError(f"task {self.name}: the BOS token {self.bos!r} is also in vocab")
        if not 1 <= self.min_len <= self.max_len:
            raise ValueError(f"task {self.name}: need 1 <= min_len <= max_len")

    @property
    def variable_length(self) -> bool:
        return self.min_len < self.max_len

    @cached_property
    def token_ids(self) -> TokenIds:
        """The model ids of the vocabulary (rasp.tokens: BOS is 0, vocab[j] is j + 1)."""
        return TokenIds(self.vocab)

    @cached_property
    def _output_ids(self) -> dict[Token, int]:
        return {token: i for i, token in enumerate(self.output_vocab)}

    @cached_property
    def _domain(self) -> tuple[tuple[Token, ...], ...] | None:
        if self.domain is None:
            return None
        return tuple(tuple(tokens) for tokens in self.domain())

    def check_input(self, tokens: Sequence[Token]) -> None:
        """Raise ValueError unless `tokens` has a valid length and only vocab tokens."""
        if not self.min_len <= len(tokens) <= self.max_len:
            raise ValueError(
                f"task {self.name}: input length {len(tokens)} is outside "
                f"{self.min_len}..{self.max_len}"
            )
        unknown = [t for t in tokens if t not in self.token_ids]
        if unknown:
            raise ValueError(f"task {self.name}: tokens {unknown!r} are not in the vocab")

    def reference(self, tokens: Sequence[Token]) -> Target:
        """The target at each input position (None = not scored)."""
        self.check_input(tokens)
        return self.solve(list(tokens))

    def output_positions(self, tokens: Sequence[Token]) -> list[int]:
        """The scored input positions (where the reference is not None)."""
        return [i for i, t in enumerate(self.reference(tokens)) if t is not None]

    def invariants(self, tokens: Sequence[Token], target: Target) -> list[str]:
        """What is wrong with `target` as this task's answer for `tokens` (empty: nothing).
        Checks the shape and output vocabulary, then the task's own properties."""
        tokens = list(tokens)
        if len(target) != len(tokens):
            return [f"target has {len(target)} entries for {len(tokens)} tokens"]
        problems = [
            f"target {t!r} at position {i} is not in the output vocab"
            for i, t in enumerate(target)
            if t is not None and t not in self._output_ids
        ]
        if all(t is None for t in target):
            problems.append("no position is scored")
        return problems or self.check(tokens, list(target))

    def enumerate(self) -> list[list[Token]] | None:
        """Every valid input when the task's domain is small, else None."""
        return None if self._domain is None else [list(x) for x in self._domain]

    @property
    def domain_size(self) -> int | None:
        return None if self._domain is None else len(self._domain)

    def sample(self, rng: np.random.Generator, n: int) -> tuple[list[list[Token]], list[Target]]:
        """n random inputs and their targets; the same seed gives the same sample.
        Finite tasks draw uniformly (with replacement) from `enumerate()`."""
        if self._domain is not None:
            picks = rng.integers(len(self._domain), size=n)
            inputs = [list(self._domain[int(i)]) for i in picks]
        else:
            chooser = NumpyChooser(rng)
            inputs = [self.draw(chooser) for _ in range(n)]
        return inputs, [self.reference(x) for x in inputs]

    def strategy(self) -> Any:
        """A Hypothesis strategy of valid inputs (same distribution support as `sample`)."""
        from hypothesis import strategies as st

        @st.composite
        def inputs(draw: Callable[[Any], Any]) -> list[Token]:
            return self.draw(HypothesisChooser(draw))

        return inputs()

    def input_ids(self, tokens: Sequence[Token]) -> list[int]:
        """Model token ids: BOS is 0 and vocab[j] is j + 1, so the list has len + 1 ids."""
        self.check_input(tokens)
        return self.token_ids.encode(tokens)

    def target_ids(self, target: Target) -> list[int]:
        """Class ids into output_vocab per input position; IGNORE_INDEX where unscored.
        Position i's id belongs to model position i + 1."""
        return [IGNORE_INDEX if t is None else self._output_ids[t] for t in target]
