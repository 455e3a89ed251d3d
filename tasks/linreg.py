"""In-context linear regression, discretised: (x, y) pairs with y = w * x for a
slope w drawn per input; predict each y from the pairs before it.

Tokens are the ints themselves (x in 1..9, w in -3..3, so y in -27..27) and the
targets are classes, not floats: exact answers exist because the data is
noiseless, and a model can be scored like every other task.
"""

from __future__ import annotations

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.common import expect_scored
from rasplab.tasks.hypothesis import hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

X_MAX = 9
W_MAX = 3
MAX_PAIRS = 8
VALUES = tuple(range(-W_MAX * X_MAX, W_MAX * X_MAX + 1))


def _draw(choose: Chooser) -> list[Token]:
    w = choose.integer(-W_MAX, W_MAX)
    xs = choose.integers(1, X_MAX, choose.integer(2, MAX_PAIRS))
    return [t for x in xs for t in (x, w * x)]


def _slope(tokens: list[Token]) -> int:
    """The one slope of all pairs; ValueError if the input is not such pairs."""
    xs, ys = tokens[::2], tokens[1::2]
    w = ys[0] // xs[0] if xs[0] else None
    valid = len(xs) == len(ys) and all(1 <= x <= X_MAX for x in xs)
    if not valid or w is None or abs(w) > W_MAX or any(y != w * x for x, y in zip(xs, ys)):
        raise ValueError(f"linreg: {tokens} is not pairs x, w * x with one w")
    return w


def _solve(tokens: list[Token]) -> Target:
    _slope(tokens)
    return [tokens[i + 1] if i % 2 == 0 and i >= 2 else None for i in range(len(tokens))]


def _check(tokens: list[Token], target: Target) -> list[str]:
    problems = expect_scored(target, range(2, len(tokens), 2))
    x1, y1 = tokens[0], tokens[1]
    for i in range(2, len(tokens), 2):
        if target[i] != tokens[i + 1] or target[i] * x1 != y1 * tokens[i]:
            problems.append(f"position {i}: {target[i]} is not the next y on the line")
    return problems


def linreg_task() -> Task:
    return Task(
        name="linreg",
        description="in-context linear regression y = w x, discretised (causal)",
        token_format=(
            f"input: 2..{MAX_PAIRS} pairs x, y (ints) with x in 1..{X_MAX} and y = w * x for "
            f"one w in -{W_MAX}..{W_MAX} per input; target at each x after the first pair: its "
            "y (the next token), an int class. [2, 6, 5, 15, 1, 3] -> "
            "[None, None, 15, None, 3, None]"
        ),
        vocab=VALUES,
        output_vocab=VALUES,
        min_len=4,
        max_len=2 * MAX_PAIRS,
        causal=True,
        recipe=Recipe(n_layers=2, d_model=64, n_heads=4, d_mlp=256, steps=5000),
        hypotheses={
            "first_pair": hypothesis(
                "linreg.rasp",
                "linreg_first_pair",
                compilable=True,
                note="categorical reads of x1 and y1, then finite maps (y1 / x1, round(w x))",
            ),
            "least_squares": hypothesis(
                "linreg.rasp",
                "linreg_least_squares",
                compilable=False,
                note="numerical means over earlier pairs are compilable, but their ratio is "
                "a two-input map of numerical s-ops",
            ),
        },
        draw=_draw,
        solve=_solve,
        check=_check,
    )


def tasks() -> list[Task]:
    return [linreg_task()]
