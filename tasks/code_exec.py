"""Simple code execution: a list literal, then assignments to its elements.

"a = 1 2 3 ; a [ 2 ] = 4 ;" -> the list ends as 1 2 4. The answer is read at the
list's own element positions (bidirectional: a model sees the whole program),
so the output needs no extra tokens.
"""

from __future__ import annotations

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.common import DIGITS, expect_scored
from rasplab.tasks.hypothesis import hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

MAX_ITEMS = 6
MAX_WRITES = 3
STATEMENT = 7  # a [ i ] = x ;


def _draw(choose: Chooser) -> list[Token]:
    n = choose.integer(1, MAX_ITEMS)
    tokens: list[Token] = ["a", "=", *(DIGITS[d] for d in choose.integers(0, 9, n)), ";"]
    for _ in range(choose.integer(1, MAX_WRITES)):
        index, value = DIGITS[choose.integer(0, n - 1)], DIGITS[choose.integer(0, 9)]
        tokens += ["a", "[", index, "]", "=", value, ";"]
    return tokens


def _parse(tokens: list[Token]) -> tuple[list[Token], list[tuple[int, Token]]]:
    """The initial list and the (index, value) writes; ValueError if malformed."""
    error = ValueError(f"code_exec: {tokens} is not 'a = v .. ; (a [ i ] = x ;)+'")
    if tokens[:2] != ["a", "="] or ";" not in tokens:
        raise error
    end = tokens.index(";")
    values = tokens[2:end]
    rest = tokens[end + 1 :]
    if not values or not rest or len(rest) % STATEMENT or not all(v in DIGITS for v in values):
        raise error
    writes = []
    for start in range(0, len(rest), STATEMENT):
        a, open_, index, close, equals, value, semi = rest[start : start + STATEMENT]
        shape = (a, open_, close, equals, semi) == ("a", "[", "]", "=", ";")
        if not (shape and index in DIGITS and value in DIGITS and int(index) < len(values)):
            raise error
        writes.append((int(index), value))
    return values, writes


def _solve(tokens: list[Token]) -> Target:
    values, writes = _parse(tokens)
    final = list(values)
    for index, value in writes:
        final[index] = value
    return [None, None, *final] + [None] * (len(tokens) - 2 - len(final))


def _check(tokens: list[Token], target: Target) -> list[str]:
    values, writes = _parse(tokens)
    problems = expect_scored(target, range(2, 2 + len(values)))
    if problems:
        return problems
    final = target[2 : 2 + len(values)]
    for j, (before, after) in enumerate(zip(values, final)):
        written = [v for i, v in writes if i == j]
        if not written and after != before:
            problems.append(f"element {j} was never written but changed to {after}")
        if written and after not in written:
            problems.append(f"element {j} ends as {after}, which no statement wrote")
    last_index, last_value = writes[-1]
    if final[last_index] != last_value:
        problems.append(f"the last statement's write a[{last_index}] = {last_value} is lost")
    return problems


def code_exec_task() -> Task:
    max_len = 3 + MAX_ITEMS + STATEMENT * MAX_WRITES
    return Task(
        name="code_exec",
        description="run element assignments on a list and give its final values",
        token_format=(
            f'input: "a = v0 .. vn-1 ;" (n = 1..{MAX_ITEMS} digit tokens) then 1..{MAX_WRITES} '
            'statements "a [ i ] = x ;" (i < n, 0-based; x a digit), one token per symbol; '
            "target at each element position 2..n+1: the element's final value, other "
            'positions not scored. "a = 1 2 3 ; a [ 2 ] = 4 ;" -> [None, None, "1", "2", '
            '"4", None, ...]'
        ),
        vocab=(*DIGITS, "a", "=", "[", "]", ";"),
        output_vocab=DIGITS,
        min_len=3 + 1 + STATEMENT,
        max_len=max_len,
        causal=False,
        recipe=Recipe(n_layers=3, d_model=128, n_heads=4, d_mlp=256, steps=8000),
        hypotheses={
            "last_write": hypothesis(
                "code_exec.rasp",
                "code_exec_last_write",
                compilable=True,
                note="index tokens carry their slot and value; superseded writes are "
                "dropped by a selector_width, so each element selects at most one write",
            ),
        },
        draw=_draw,
        solve=_solve,
        check=_check,
    )


def tasks() -> list[Task]:
    return [code_exec_task()]
