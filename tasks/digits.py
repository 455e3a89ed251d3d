"""Multi-digit arithmetic written out digit by digit: 5-digit addition (most or
least significant digit first) and 5-digit subtraction.

The format is a language-model one: the answer digits follow "=" in the input and
each is the target one position earlier (the next token), so these tasks are
causal. Whole-sequence accuracy under teacher forcing equals greedy generation
accuracy: if every digit is right given the right ones before it, generation
reproduces them.
"""

from __future__ import annotations

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.common import DIGITS, expect_scored
from rasplab.tasks.hypothesis import Hypothesis, hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

WIDTH = 5
EQUALS = 2 * WIDTH + 1  # the position of "="
DIGIT_RECIPE = Recipe(n_layers=2, d_model=128, n_heads=4, d_mlp=512, lr=1e-3, steps=10000)

LOOKAHEAD_NOTE = (
    "categorical throughout: pair reads, a selector_width ranking of the 'stop' places, "
    "and one aggregate selecting the single stop that decides the carry"
)


def _digits(value: int, width: int, reverse: bool) -> list[Token]:
    text = list(str(value).zfill(width))
    return text[::-1] if reverse else text


def _number(tokens: list[Token], reverse: bool) -> int:
    return int("".join(tokens[::-1] if reverse else tokens))


def digit_task(
    name: str,
    op: str,
    reverse: bool,
    description: str,
    hypotheses: dict[str, Hypothesis],
    recipe: Recipe = DIGIT_RECIPE,
) -> Task:
    """A op B = C with 5-digit A, B (leading zeros kept); for "-", A >= B."""
    result_width = WIDTH + 1 if op == "+" else WIDTH
    length = EQUALS + 1 + result_width
    order = "least significant digit first" if reverse else "most significant digit first"

    def result(a: int, b: int) -> int:
        return a + b if op == "+" else a - b

    def layout(a: int, b: int) -> list[Token]:
        return [
            *_digits(a, WIDTH, reverse),
            op,
            *_digits(b, WIDTH, reverse),
            "=",
            *_digits(result(a, b), result_width, reverse),
        ]

    def operands(tokens: list[Token]) -> tuple[int, int]:
        digits_ok = all(t in DIGITS for i, t in enumerate(tokens) if i not in (WIDTH, EQUALS))
        if not (len(tokens) == length and digits_ok and tokens[WIDTH] == op):
            raise ValueError(f"{name}: {tokens} is not A {op} B = C written digit by digit")
        a = _number(tokens[:WIDTH], reverse)
        b = _number(tokens[WIDTH + 1 : EQUALS], reverse)
        if (op == "-" and a < b) or tokens != layout(a, b):
            raise ValueError(f"{name}: {tokens} does not hold the right answer after '='")
        return a, b

    def draw(choose: Chooser) -> list[Token]:
        a = int("".join(map(str, choose.integers(0, 9, WIDTH))))
        b = int("".join(map(str, choose.integers(0, 9, WIDTH))))
        if op == "-" and a < b:
            a, b = b, a
        return layout(a, b)

    def solve(tokens: list[Token]) -> Target:
        operands(tokens)
        return [None] * EQUALS + tokens[EQUALS + 1 :] + [None]

    def check(tokens: list[Token], target: Target) -> list[str]:
        a, b = operands(tokens)
        answer = target[EQUALS : length - 1]
        problems = expect_scored(target, range(EQUALS, length - 1))
        if problems:
            return problems
        if answer != tokens[EQUALS + 1 :]:
            problems.append("the targets are not the next tokens")
        c = _number(answer, reverse)
        if (c - b if op == "+" else c + b) != a:
            problems.append(f"{answer} undone by {b} does not give {a}")
        return problems

    example = layout(12345, 9876 if op == "+" else 2345)
    return Task(
        name=name,
        description=description,
        token_format=(
            f"input: A {op} B = C as {length} digit tokens ({order}; A, B {WIDTH} digits with "
            f"leading zeros, C {result_width} digits{', A >= B' if op == '-' else ''}); target "
            f"at positions {EQUALS}..{length - 2}: the next token (the answer digits). "
            f"{' '.join(example)}"
        ),
        vocab=(*DIGITS, op, "="),
        output_vocab=DIGITS,
        min_len=length,
        max_len=length,
        causal=True,
        recipe=recipe,
        hypotheses=hypotheses,
        draw=draw,
        solve=solve,
        check=check,
    )


def tasks() -> list[Task]:
    return [
        digit_task(
            "add5",
            "+",
            reverse=False,
            description="5-digit addition, most significant digit first (causal)",
            hypotheses={
                "lookahead": hypothesis(
                    "add5.rasp", "add5_lookahead", compilable=True, note=LOOKAHEAD_NOTE
                ),
            },
        ),
        digit_task(
            "add5_rev",
            "+",
            reverse=True,
            description="5-digit addition, digits least significant first (causal)",
            recipe=Recipe(  # measured: bench/train/recipes.py
                n_layers=2,
                d_model=64,
                n_heads=4,
                d_mlp=256,
                lr=3e-3,
                batch_size=128,
                warmup=20,
                steps=1500,
            ),
            hypotheses={
                "local": hypothesis(
                    "add5_rev.rasp",
                    "add5_rev_local",
                    compilable=True,
                    note="reads only the current and previous place and the digit just "
                    "written (which reveals the carry); fixed offsets, no ranking",
                ),
                "lookahead": hypothesis(
                    "add5_rev.rasp", "add5_rev_lookahead", compilable=True, note=LOOKAHEAD_NOTE
                ),
            },
        ),
        digit_task(
            "sub5",
            "-",
            reverse=False,
            description="5-digit subtraction A - B, A >= B, most significant digit first (causal)",
            hypotheses={
                "lookahead": hypothesis(
                    "sub5.rasp", "sub5_lookahead", compilable=True, note=LOOKAHEAD_NOTE
                ),
            },
        ),
    ]
