"""Dyck-1 and Dyck-2 balance of every prefix, as in the RASP paper: P (can still
be completed), T (balanced) or F (failed) at each position."""

from __future__ import annotations

from collections.abc import Callable

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.hypothesis import Hypothesis, hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

PAIRS = {"(": ")", "{": "}"}
LABELS = ("P", "T", "F")
MAX_LEN = 16


def _draw(opens: tuple[str, ...]) -> Callable[[Chooser], list[Token]]:
    """A random walk that closes the top opener with probability 1/2 (so prefixes
    are often balanced), then with probability 1/2 one token replaced at random
    (so failures come in every position)."""
    brackets = opens + tuple(PAIRS[o] for o in opens)

    def draw(choose: Chooser) -> list[Token]:
        length = choose.integer(1, MAX_LEN)
        stack: list[str] = []
        tokens: list[Token] = []
        for _ in range(length):
            if stack and choose.integer(0, 1):
                tokens.append(PAIRS[stack.pop()])
            else:
                stack.append(choose.choice(opens))
                tokens.append(stack[-1])
        if choose.integer(0, 1):
            tokens[choose.integer(0, length - 1)] = choose.choice(brackets)
        return tokens

    return draw


def _solve(tokens: list[Token]) -> Target:
    stack: list[Token] = []
    failed = False
    labels: Target = []
    for token in tokens:
        if token in PAIRS:
            stack.append(token)
        elif stack and PAIRS[stack[-1]] == token:
            stack.pop()
        else:
            failed = True
        labels.append("F" if failed else "T" if not stack else "P")
    return labels


def _check(tokens: list[Token], target: Target) -> list[str]:
    """Label facts that need no stack: F is final, a prefix that was ever short of
    openers has failed, a balanced prefix has as many openers as closers of each kind,
    and a prefix of openers only is P."""
    problems = []
    depth = 0
    for i, (token, label) in enumerate(zip(tokens, target)):
        depth += 1 if token in PAIRS else -1
        prefix = tokens[: i + 1]
        if i and target[i - 1] == "F" and label != "F":
            problems.append(f"position {i}: {label} after a failure")
        if depth < 0 and label != "F":
            problems.append(f"position {i}: more closers than openers, but {label}")
        if label == "T" and any(prefix.count(o) != prefix.count(c) for o, c in PAIRS.items()):
            problems.append(f"position {i}: T for an unbalanced prefix")
        if all(t in PAIRS for t in prefix) and label != "P":
            problems.append(f"position {i}: openers only, but {label}")
    return problems


def dyck_task(k: int, hypotheses: dict[str, Hypothesis], recipe: Recipe) -> Task:
    opens = tuple(PAIRS)[:k]
    vocab = tuple(t for o in opens for t in (o, PAIRS[o]))
    shown = " and ".join(f'"{o}{PAIRS[o]}"' for o in opens)
    return Task(
        name=f"dyck{k}",
        description=f"Dyck-{k} balance of every prefix: P, T or F (causal)",
        token_format=(
            f"input: 1..{MAX_LEN} brackets over {shown}; target at every position i: T if "
            "tokens 0..i are balanced, P if they can still be completed, F if some closer "
            'has no matching opener (F is final). "(()))(" -> P P P T F F'
            + (', "({)}" -> P P F F' if k == 2 else "")
        ),
        vocab=vocab,
        output_vocab=LABELS,
        min_len=1,
        max_len=MAX_LEN,
        causal=True,
        recipe=recipe,
        hypotheses=hypotheses,
        draw=_draw(opens),
        solve=_solve,
        check=_check,
    )


def tasks() -> list[Task]:
    return [
        dyck_task(
            1,
            {
                "count": hypothesis(
                    "dyck.rasp",
                    "dyck1_count",
                    compilable=True,
                    note="categorical: prefix counts by selector_width, failure by a third",
                ),
                "frac": hypothesis(
                    "dyck.rasp",
                    "dyck1_frac",
                    compilable=True,
                    note="numerical means of indicators over the prefix (the RASP paper's); "
                    "the difference of two numerical s-ops is a linear map",
                ),
            },
            Recipe(n_layers=2, d_model=64, n_heads=4, d_mlp=128, steps=4000),
        ),
        dyck_task(
            2,
            {
                "nest": hypothesis(
                    "dyck.rasp",
                    "dyck2_nest",
                    compilable=True,
                    note="depth, level, rank of openers per level, the partner by a unique "
                    "key, then failure: four attention layers deep",
                ),
            },
            Recipe(n_layers=4, d_model=128, n_heads=4, d_mlp=256, steps=10000),
        ),
    ]
