"""Sorting tasks (fixed and variable length) and min/max of two ints."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise, product

from rasplab.tasks.common import random_list, same_multiset
from rasplab.tasks.hypothesis import hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

SORT_VALUES = tuple(range(10))
MIN_MAX_VALUES = tuple(range(100))

RANK = hypothesis(
    "sort.rasp",
    "sort_rank",
    compilable=True,
    note="categorical; ties broken by position so each output reads exactly one key",
)
COUNT = hypothesis(
    "sort.rasp",
    "sort_count",
    compilable=True,
    note="counting sort over the values 0..9 (one selector_width per value)",
)


def _sorted(tokens: list[Token]) -> Target:
    return sorted(tokens)


def _check_sorted(tokens: list[Token], target: Target) -> list[str]:
    problems = same_multiset(target, tokens, "sorted output")
    if any(a > b for a, b in pairwise(target)):
        problems.append(f"{target} is not in ascending order")
    return problems


def sort_task(name: str, min_len: int, max_len: int, recipe: Recipe) -> Task:
    """Sort ints 0..9 ascending; every position is scored."""
    lengths = f"{min_len}" if min_len == max_len else f"{min_len}..{max_len}"
    return Task(
        name=name,
        description=f"sort {lengths} ints from 0..9 ascending",
        token_format=(
            f"input: {lengths} ints from 0..9 (repeats allowed); target at every position: "
            "the input sorted ascending. [3, 1, 2, 1] -> [1, 1, 2, 3]"
        ),
        vocab=SORT_VALUES,
        output_vocab=SORT_VALUES,
        min_len=min_len,
        max_len=max_len,
        causal=False,
        recipe=recipe,
        hypotheses={"rank": RANK, "count": COUNT},
        draw=random_list(SORT_VALUES, min_len, max_len),
        solve=_sorted,
        check=_check_sorted,
    )


def _min_max_domain() -> list[list[Token]]:
    return [[a, b] for a, b in product(MIN_MAX_VALUES, repeat=2)]


def _check_min_max(tokens: list[Token], target: Target) -> list[str]:
    if Counter(target) != Counter(tokens) or target[0] > target[1]:
        return [f"{target} is not the pair {tokens} as (smaller, larger)"]
    return []


def min_max_task() -> Task:
    return Task(
        name="min_max",
        description="the smaller and the larger of two ints 0..99",
        token_format="input: [a, b], ints 0..99; target: [min(a, b), max(a, b)]. [7, 3] -> [3, 7]",
        vocab=MIN_MAX_VALUES,
        output_vocab=MIN_MAX_VALUES,
        min_len=2,
        max_len=2,
        causal=False,
        recipe=Recipe(  # measured: bench/train/recipes.py
            n_layers=1,
            d_model=64,
            n_heads=2,
            d_mlp=256,
            lr=3e-3,
            weight_decay=0.1,
            warmup=20,
            steps=3000,
            train_fraction=0.9,
        ),
        hypotheses={
            "compare": hypothesis(
                "min_max.rasp",
                "min_max_compare",
                compilable=True,
                note="one categorical aggregate reads the other token; min/max are maps and the "
                "final choice is a three-input map (ternary on s-ops)",
            ),
            "rank": RANK,
        },
        draw=random_list(MIN_MAX_VALUES, 2, 2),
        solve=_sorted,
        check=_check_min_max,
        domain=_min_max_domain,
    )


def tasks() -> list[Task]:
    # sort5 and sort10 measured (bench/train/recipes.py); sort_var a first guess.
    sort5 = Recipe(n_layers=2, d_model=64, n_heads=4, d_mlp=0, lr=3e-3, warmup=20, steps=300)
    sort10 = Recipe(
        n_layers=2, d_model=64, n_heads=4, d_mlp=128, lr=3e-3, batch_size=128, warmup=20, steps=400
    )
    sort_var = Recipe(n_layers=2, d_model=128, n_heads=4, d_mlp=256, steps=6000)
    return [
        sort_task("sort5", 5, 5, sort5),
        sort_task("sort10", 10, 10, sort10),
        sort_task("sort_var", 1, 10, sort_var),
        min_max_task(),
    ]
