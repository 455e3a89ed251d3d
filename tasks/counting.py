"""Counting tasks: histogram, double histogram, most frequent."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from rasplab.tasks.common import expect_scored, random_list
from rasplab.tasks.hypothesis import hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

HIST_VALUES = tuple(range(10))
FEW_VALUES = tuple(range(6))
MAX_LEN = 10


def _solve_hist(tokens: list[Token]) -> Target:
    counts = Counter(tokens)
    return [counts[t] for t in tokens]


def _equal_tokens_equal_targets(tokens: list[Token], target: Target) -> list[str]:
    by_token: dict[Token, set] = {}
    for token, value in zip(tokens, target):
        by_token.setdefault(token, set()).add(value)
    return [f"token {t} has targets {sorted(v)}" for t, v in by_token.items() if len(v) > 1]


def _check_hist(tokens: list[Token], target: Target) -> list[str]:
    problems = _equal_tokens_equal_targets(tokens, target)
    if not problems and sum(Fraction(1, c) for c in target) != len(set(tokens)):
        problems.append(f"{target} do not add up to the {len(set(tokens))} distinct tokens")
    return problems


def _solve_double_hist(tokens: list[Token]) -> Target:
    counts = Counter(tokens)
    same_count = Counter(counts.values())
    return [same_count[counts[t]] for t in tokens]


def _check_double_hist(tokens: list[Token], target: Target) -> list[str]:
    """Each class of tokens with the same count contributes one per distinct token
    at 1/(class size) each, so the sum over distinct tokens is the number of classes."""
    problems = _equal_tokens_equal_targets(tokens, target)
    if problems:
        return problems
    counts = Counter(tokens)
    per_token = dict(zip(tokens, target))
    classes = len(set(counts.values()))
    if sum(Fraction(1, per_token[t]) for t in counts) != classes:
        problems.append(f"{target} does not split the distinct tokens into {classes} classes")
    return problems


def _solve_most_freq(tokens: list[Token]) -> Target:
    counts = Counter(tokens)
    first = {t: tokens.index(t) for t in counts}
    ranked = sorted(counts, key=lambda t: (-counts[t], first[t]))
    return ranked + [None] * (len(tokens) - len(ranked))


def _check_most_freq(tokens: list[Token], target: Target) -> list[str]:
    ranked = [t for t in target if t is not None]
    problems = expect_scored(target, range(len(set(tokens))))
    if sorted(ranked) != sorted(set(tokens)):
        problems.append(f"{ranked} are not the distinct tokens of the input")
    if problems:
        return problems
    counts = Counter(tokens)
    keys = [(-counts[t], tokens.index(t)) for t in ranked]
    if keys != sorted(keys):
        problems.append(f"{ranked} is not by descending count, then first occurrence")
    return problems


def tasks() -> list[Task]:
    counting_recipe = Recipe(n_layers=2, d_model=64, n_heads=4, d_mlp=256, steps=4000)
    return [
        Task(
            name="hist",
            description="histogram: how often each token occurs",
            token_format=(
                f"input: 1..{MAX_LEN} ints from 0..9; target at every position: how many tokens "
                "equal the token there. [3, 1, 3, 0] -> [2, 1, 2, 1]"
            ),
            vocab=HIST_VALUES,
            output_vocab=tuple(range(1, MAX_LEN + 1)),
            min_len=1,
            max_len=MAX_LEN,
            causal=False,
            recipe=Recipe(  # measured: bench/train/recipes.py
                n_layers=1, d_model=64, n_heads=2, d_mlp=128, lr=3e-3, warmup=20, steps=800
            ),
            hypotheses={
                "same_token": hypothesis(
                    "hist.rasp",
                    "hist_same",
                    compilable=True,
                    note="one selector_width over same-token keys",
                ),
                "by_value": hypothesis(
                    "hist.rasp",
                    "hist_by_value",
                    compilable=True,
                    note="ten query-independent counters, one per value 0..9, then a map",
                ),
            },
            draw=random_list(HIST_VALUES, 1, MAX_LEN),
            solve=_solve_hist,
            check=_check_hist,
        ),
        Task(
            name="double_hist",
            description="double histogram: how many distinct tokens share each token's count",
            token_format=(
                f"input: 1..{MAX_LEN} ints from 0..5; target at every position: the number of "
                "distinct tokens occurring as often as the token there. "
                "[1, 1, 2, 3, 3, 4] -> [2, 2, 2, 2, 2, 2]"
            ),
            vocab=FEW_VALUES,
            output_vocab=tuple(range(1, len(FEW_VALUES) + 1)),
            min_len=1,
            max_len=MAX_LEN,
            causal=False,
            recipe=counting_recipe,
            hypotheses={
                "first_instances": hypothesis(
                    "double_hist.rasp",
                    "double_hist_first",
                    compilable=True,
                    note="hist, first-occurrence flag, then selector_width over both",
                ),
            },
            draw=random_list(FEW_VALUES, 1, MAX_LEN),
            solve=_solve_double_hist,
            check=_check_double_hist,
        ),
        Task(
            name="most_freq",
            description="distinct tokens by descending frequency (ties: first occurrence)",
            token_format=(
                f"input: 1..{MAX_LEN} ints from 0..5; target at position i < (number of distinct "
                "tokens): the i-th distinct token by descending count, ties by first occurrence; "
                "later positions are not scored. [2, 5, 5, 0, 2, 5] -> [5, 2, 0, None, None, None]"
            ),
            vocab=FEW_VALUES,
            output_vocab=FEW_VALUES,
            min_len=1,
            max_len=MAX_LEN,
            causal=False,
            recipe=counting_recipe,
            hypotheses={
                "rank": hypothesis(
                    "most_freq.rasp",
                    "most_freq_rank",
                    compilable=True,
                    note="hist and first occurrences, a rank by (count, position), then a "
                    "categorical aggregate selecting at most one key",
                ),
            },
            draw=random_list(FEW_VALUES, 1, MAX_LEN),
            solve=_solve_most_freq,
            check=_check_most_freq,
        ),
    ]
