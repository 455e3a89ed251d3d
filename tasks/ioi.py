"""Toy indirect-object identification: "A B A MID" -> B.

Half the inputs repeat a name (the subject) among three name slots, as in
"When Mary and John went to the store, John gave a drink to" -> Mary; the
answer is the name that does not repeat. The other half has three distinct
names: no subject, no indirect object, so the target is the label "NONE". A
model must therefore detect the duplicate instead of copying a fixed slot.
"""

from __future__ import annotations

import string

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.common import expect_scored
from rasplab.tasks.hypothesis import hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

NAMES = tuple(string.ascii_uppercase)
MID = "MID"
NONE = "NONE"


def _draw(choose: Chooser) -> list[Token]:
    if choose.integer(0, 1):
        first, second = choose.distinct(NAMES, 2)
        return [first, second, choose.choice((first, second)), MID]
    return [*choose.distinct(NAMES, 3), MID]


def _names(tokens: list[Token]) -> list[Token]:
    names = tokens[:3]
    if len(tokens) != 4 or tokens[3] != MID or MID in names or names[0] == names[1]:
        raise ValueError(f"ioi: {tokens} is not 'X Y Z MID' with X != Y")
    return names


def _solve(tokens: list[Token]) -> Target:
    first, second, third = _names(tokens)
    answer = {first: second, second: first}.get(third, NONE)
    return [None, None, None, answer]


def _check(tokens: list[Token], target: Target) -> list[str]:
    names = _names(tokens)
    problems = expect_scored(target, [3])
    answer = target[3]
    if problems:
        return problems
    if len(set(names)) == 3:
        return [] if answer == NONE else [f"three distinct names, but the target is {answer}"]
    if names.count(answer) != 1:
        return [f"{answer} is not the name that occurs once in {names}"]
    return []


def ioi_task() -> Task:
    return Task(
        name="ioi",
        description="toy IOI: the name that does not repeat (NONE without a repeat)",
        token_format=(
            f'input: three names from "A".."Z" then "{MID}"; the first two differ. Half the '
            "inputs repeat one of them in the third slot (A B A or A B B): the target at MID "
            f'is the other name; the other half has three distinct names: target "{NONE}". '
            f'["A", "B", "A", "MID"] -> [None, None, None, "B"]'
        ),
        vocab=(*NAMES, MID),
        output_vocab=(*NAMES, NONE),
        min_len=4,
        max_len=4,
        causal=True,
        recipe=Recipe(  # measured: bench/train/recipes.py
            n_layers=2, d_model=64, n_heads=4, d_mlp=128, lr=3e-3, warmup=20, steps=1500
        ),
        hypotheses={
            "inhibit": hypothesis(
                "ioi.rasp",
                "ioi_inhibit",
                compilable=True,
                note="duplicate-token head, S-inhibition, name mover; every aggregate "
                "selects at most one key",
            ),
            "position": hypothesis(
                "ioi.rasp",
                "ioi_position",
                compilable=True,
                note="duplicate head returns its first copy's position; MID copies the other slot",
            ),
        },
        draw=_draw,
        solve=_solve,
        check=_check,
    )


def tasks() -> list[Task]:
    return [ioi_task()]
