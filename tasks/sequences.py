"""Tasks that move tokens around: reverse, permute, previous token, induction."""

from __future__ import annotations

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.common import expect_scored, random_list, same_multiset, scored
from rasplab.tasks.hypothesis import hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

VALUES = tuple(range(10))
STREAM_VALUES = tuple(range(16))


def _check_reverse(tokens: list[Token], target: Target) -> list[str]:
    if target[::-1] != tokens:
        return [f"reversing {target} does not give back the input"]
    return []


def reverse_task(name: str = "reverse", min_len: int = 1, max_len: int = 10) -> Task:
    """Reverse a list of ints 0..9 (lengths are a parameter for small training tests)."""
    return Task(
        name=name,
        description=f"reverse {min_len}..{max_len} ints from 0..9",
        token_format=(
            f"input: {min_len}..{max_len} ints from 0..9; target at every position: the input "
            "reversed. [1, 2, 3] -> [3, 2, 1]"
        ),
        vocab=VALUES,
        output_vocab=VALUES,
        min_len=min_len,
        max_len=max_len,
        causal=False,
        # measured (bench/train/recipes.py)
        recipe=Recipe(n_layers=3, d_model=64, n_heads=4, d_mlp=0, lr=3e-3, warmup=20, steps=600),
        hypotheses={
            "index": hypothesis(
                "reverse.rasp",
                "reverse_index",
                compilable=True,
                note="mirror position length - i - 1 from selector_width(full)",
            ),
            "rank": hypothesis(
                "reverse.rasp",
                "reverse_rank",
                compilable=True,
                note="destination = number of later positions (selector_width)",
            ),
        },
        draw=random_list(VALUES, min_len, max_len),
        solve=lambda tokens: tokens[::-1],
        check=_check_reverse,
    )


def _draw_permute(choose: Chooser) -> list[Token]:
    n = choose.integer(2, 6)
    values = [VALUES[i] for i in choose.integers(0, len(VALUES) - 1, n)]
    return values + choose.distinct(range(n), n)


def _split_permute(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    n = len(tokens) // 2
    values, perm = tokens[:n], tokens[n:]
    if len(tokens) % 2 or sorted(perm) != list(range(n)):
        raise ValueError(f"permute: {tokens} is not n values followed by a permutation of 0..n-1")
    return values, perm


def _solve_permute(tokens: list[Token]) -> Target:
    values, perm = _split_permute(tokens)
    return [None] * len(values) + [values[p] for p in perm]


def _check_permute(tokens: list[Token], target: Target) -> list[str]:
    values, _ = _split_permute(tokens)
    n = len(values)
    problems = expect_scored(target, range(n, 2 * n))
    return problems or same_multiset(target[n:], values, "permuted values")


def permute_task() -> Task:
    return Task(
        name="permute",
        description="apply a given permutation to a list of 2..6 ints",
        token_format=(
            "input: n values (ints 0..9) then a permutation p of 0..n-1, n = 2..6 (length 2n); "
            "target at position n + i: values[p[i]]; the values half is not scored. "
            "[7, 8, 9, 2, 0, 1] -> [None, None, None, 9, 7, 8]"
        ),
        vocab=VALUES,
        output_vocab=VALUES,
        min_len=4,
        max_len=12,
        causal=False,
        recipe=Recipe(n_layers=1, d_model=64, n_heads=4, d_mlp=0, steps=3000),
        hypotheses={
            "pointer": hypothesis(
                "permute.rasp",
                "permute_pointer",
                compilable=True,
                note="one categorical aggregate keyed by the token's value as a position",
            ),
        },
        draw=_draw_permute,
        solve=_solve_permute,
        check=_check_permute,
    )


def _solve_prev_token(tokens: list[Token]) -> Target:
    return [None, *tokens[:-1]]


def _check_prev_token(tokens: list[Token], target: Target) -> list[str]:
    problems = expect_scored(target, range(1, len(tokens)))
    wrong = [i for i in scored(target) if target[i] != tokens[i - 1]]
    if wrong:
        problems.append(f"positions {wrong} do not hold the token before them")
    return problems


def prev_token_task() -> Task:
    return Task(
        name="prev_token",
        description="copy the previous token (causal)",
        token_format=(
            "input: 2..16 ints from 0..15; target at position i >= 1: the token at i - 1; "
            "position 0 is not scored. [4, 7, 1] -> [None, 4, 7]"
        ),
        vocab=STREAM_VALUES,
        output_vocab=STREAM_VALUES,
        min_len=2,
        max_len=16,
        causal=True,
        # measured (bench/train/recipes.py)
        recipe=Recipe(n_layers=1, d_model=64, n_heads=2, d_mlp=0, lr=3e-3, warmup=20, steps=200),
        hypotheses={
            "copy": hypothesis(
                "prev_token.rasp",
                "prev_token_copy",
                compilable=True,
                note="one positional head (key = query - 1)",
            ),
        },
        draw=random_list(STREAM_VALUES, 2, 16),
        solve=_solve_prev_token,
        check=_check_prev_token,
    )


def _draw_induction(choose: Chooser) -> list[Token]:
    d = choose.integer(3, 12)
    block = choose.distinct(STREAM_VALUES, d)
    start = choose.integer(0, d - 2)
    m = choose.integer(2, d - start)
    return block + block[start : start + m]


def _repeat_start(tokens: list[Token]) -> int:
    """Where the repeated piece begins; ValueError unless the input has the task's form."""
    seen: dict[Token, int] = {}
    for d, token in enumerate(tokens):
        if token in seen:
            start, m = seen[token], len(tokens) - d
            if m >= 2 and tokens[d:] == tokens[start : start + m]:
                return d
            break
        seen[token] = d
    raise ValueError(f"induction: {tokens} is not distinct tokens followed by a repeated piece")


def _solve_induction(tokens: list[Token]) -> Target:
    d = _repeat_start(tokens)
    return [None] * d + tokens[d + 1 :] + [None]


def _check_induction(tokens: list[Token], target: Target) -> list[str]:
    problems = []
    for p in scored(target):
        earlier = [j for j in range(p) if tokens[j] == tokens[p]]
        if not earlier or tokens[earlier[-1] + 1] != target[p]:
            problems.append(f"position {p}: {target[p]} is not what followed token {tokens[p]}")
        if p + 1 >= len(tokens) or tokens[p + 1] != target[p]:
            problems.append(f"position {p}: {target[p]} is not the next token")
    return problems


def induction_task() -> Task:
    return Task(
        name="induction",
        description="continue a repeated random subsequence (causal)",
        token_format=(
            "input: D = 3..12 distinct ints from 0..15, then D[s : s + m] repeated (m >= 2); "
            "target at each repeated position except the last: the next token (the token that "
            "followed its earlier occurrence); other positions are not scored. "
            "[5, 2, 9, 4, 2, 9, 4] -> [None x4, 9, 4, None]"
        ),
        vocab=STREAM_VALUES,
        output_vocab=STREAM_VALUES,
        min_len=5,
        max_len=24,
        causal=True,
        recipe=Recipe(  # measured: bench/train/recipes.py
            n_layers=2,
            d_model=64,
            n_heads=4,
            d_mlp=0,
            lr=3e-3,
            batch_size=64,
            warmup=20,
            steps=800,
        ),
        hypotheses={
            "prev_token": hypothesis(
                "induction.rasp",
                "induction_prev",
                compilable=True,
                note="previous-token head then induction head; at most one key matches because "
                "the generator's block has distinct tokens",
            ),
            "offset": hypothesis(
                "induction.rasp",
                "induction_offset",
                compilable=True,
                note="duplicate-token head returns the earlier position, then a positional read "
                "at that position + 1; unique keys for the same reason",
            ),
        },
        draw=_draw_induction,
        solve=_solve_induction,
        check=_check_induction,
    )


def tasks() -> list[Task]:
    return [reverse_task(), permute_task(), prev_token_task(), induction_task()]
