"""Modular arithmetic, p = 113 (addition, subtraction, the MLP variant, the
add+sub multi-task) and a Fibonacci-style recurrence mod 23.

Addition, subtraction and the MLP variant exist for any other modulus p >= 2 under
the name `<task>_p<p>` (`mod_add_p53`, `mod_sub_p7`, `mod_add_mlp_p97`): `tasks.get`
builds them on demand (`with_modulus`), so a model trained on one (`rasp grok --p 53`)
names a task that `rasp compare` finds. They keep the p = 113 task's recipe and have
no hypotheses (the .rasp files fix p = 113).

Numbers that share a sequence with symbols are string tokens ("0".."112"),
because an input must be all ints or all strings.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import cache
from itertools import product

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.common import expect_scored
from rasplab.tasks.hypothesis import hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.task import Target, Task, Token

P = 113
FIB_P = 23
FIB_LEN = 10

GROKKING = Recipe(
    n_layers=1,
    d_model=128,
    n_heads=4,
    d_mlp=512,
    act_fn="relu",
    normalization=None,
    lr=1e-3,
    weight_decay=1.0,
    steps=30000,
    warmup=10,
    full_batch=True,
    train_fraction=0.3,
)
"""Nanda et al. (2023): one layer, no LayerNorm, AdamW wd 1, 30% of pairs, full batch."""

TABLE_NOTE = "two categorical reads, then a two-input map over 113 x 113 pairs (one big MLP)"
FOURIER = hypothesis(
    "mod_arith.rasp",
    "mod_add_fourier",
    compilable=False,
    note="the clock algorithm with one key frequency (k = 14); expressible, but products of "
    "numerical s-ops (two-input numerical maps) and the rounded read-out are beyond the "
    "compiler's maps in practice",
)

# Plain integer arithmetic: each task takes the result mod its own modulus.
OPS: dict[str, Callable[[int, int], int]] = {"+": operator.add, "-": operator.sub}
INVERSE = {"+": "-", "-": "+"}
BINARY = {"mod_add": "+", "mod_sub": "-", "mod_add_mlp": "+"}
"""The tasks that exist for any modulus, with their operation."""
WITH_MODULUS = re.compile(rf"(?P<base>{'|'.join(BINARY)})_p(?P<p>[0-9]+)")


@cache
def numbers(p: int) -> tuple[str, ...]:
    """The number tokens of modulus p: "0".."p-1"."""
    return tuple(str(v) for v in range(p))


NUMBERS = numbers(P)


def _value(token: Token, p: int = P) -> int:
    if token not in numbers(p):
        raise ValueError(f"{token!r} is not a number token 0..{p - 1}")
    return int(token)


def _binary_task(
    name: str, op: str, description: str, recipe: Recipe, hypotheses: dict, p: int = P
) -> Task:
    """["a", "b", "="] -> the token of (a op b) % p at "="."""
    values = numbers(p)

    def solve(tokens: list[Token]) -> Target:
        a, b = _value(tokens[0], p), _value(tokens[1], p)
        if tokens[2] != "=":
            raise ValueError(f"{name}: expected 'a b =', got {tokens}")
        return [None, None, str(OPS[op](a, b) % p)]

    def check(tokens: list[Token], target: Target) -> list[str]:
        problems = expect_scored(target, [2])
        if problems:
            return problems
        if OPS[INVERSE[op]](int(target[2]), _value(tokens[1], p)) % p != _value(tokens[0], p):
            return [f"undoing {op} {tokens[1]} on {target[2]} does not give {tokens[0]}"]
        return []

    def draw(choose: Chooser) -> list[Token]:
        return [choose.choice(values), choose.choice(values), "="]

    a, b = (100, 20) if p == P else (p - 1, p // 2)
    return Task(
        name=name,
        description=description,
        token_format=(
            f'input: ["a", "b", "="], a and b number tokens "0".."{p - 1}"; target at "=" only: '
            f'the token of (a {op} b) mod {p}. ["{a}", "{b}", "="] -> '
            f'[None, None, "{OPS[op](a, b) % p}"]'
        ),
        vocab=(*values, "="),
        output_vocab=values,
        min_len=3,
        max_len=3,
        causal=False,
        recipe=recipe,
        hypotheses=hypotheses,
        draw=draw,
        solve=solve,
        check=check,
        domain=lambda: [[a, b, "="] for a, b in product(values, repeat=2)],
    )


def modulus_name(base: str, p: int) -> str:
    """The name of task `base` (a key of BINARY) with modulus p: `base` itself for 113."""
    return base if p == P else f"{base}_p{p}"


@cache
def with_modulus(name: str) -> Task | None:
    """The task a name such as `mod_add_p53` stands for (the registered task with
    modulus 53 in place of 113, p >= 2); None for any other name."""
    match = WITH_MODULUS.fullmatch(name)
    if match is None or int(match["p"]) < 2 or match["p"] != str(int(match["p"])):
        return None
    base, p = match["base"], int(match["p"])
    registered = next(task for task in tasks() if task.name == base)
    op = BINARY[base]
    description = f"(a {op} b) mod {p}, as {base} (its recipe; no hypotheses: they fix p = {P})"
    return _binary_task(name, op, description, registered.recipe, {}, p)


def _solve_add_sub(tokens: list[Token]) -> Target:
    if tokens[1] not in OPS or tokens[3] != "=":
        raise ValueError(f"add_sub: expected 'a op b =', got {tokens}")
    return [None, None, None, str(OPS[tokens[1]](_value(tokens[0]), _value(tokens[2])) % P)]


def _check_add_sub(tokens: list[Token], target: Target) -> list[str]:
    problems = expect_scored(target, [3])
    if problems:
        return problems
    op = tokens[1]
    if OPS[INVERSE[op]](int(target[3]), _value(tokens[2])) % P != _value(tokens[0]):
        return [f"undoing {op} {tokens[2]} on {target[3]} does not give {tokens[0]}"]
    return []


def _draw_add_sub(choose: Chooser) -> list[Token]:
    return [choose.choice(NUMBERS), choose.choice(tuple(OPS)), choose.choice(NUMBERS), "="]


def add_sub_task() -> Task:
    return Task(
        name="add_sub",
        description=f"multi-task: (a + b) or (a - b) mod {P}, chosen by an op token",
        token_format=(
            f'input: ["a", op, "b", "="], op "+" or "-", a and b number tokens "0".."{P - 1}"; '
            f'target at "=" only: the token of (a op b) mod {P}. '
            '["5", "-", "7", "="] -> [None, None, None, "111"]'
        ),
        vocab=(*NUMBERS, "+", "-", "="),
        output_vocab=NUMBERS,
        min_len=4,
        max_len=4,
        causal=False,
        recipe=GROKKING,
        hypotheses={
            "branch": hypothesis(
                "add_sub.rasp",
                "add_sub_branch",
                compilable=True,
                note="both results as two-input maps; the op picks one with a three-input map "
                "(ternary on s-ops)",
            ),
            "negate": hypothesis(
                "add_sub.rasp",
                "add_sub_negate",
                compilable=True,
                note="the op flips b's sign, then one two-input map",
            ),
        },
        draw=_draw_add_sub,
        solve=_solve_add_sub,
        check=_check_add_sub,
        domain=lambda: [[a, op, b, "="] for a, op, b in product(NUMBERS, OPS, NUMBERS)],
    )


def _fib_sequence(x0: int, x1: int) -> list[Token]:
    seq = [x0, x1]
    while len(seq) < FIB_LEN:
        seq.append((seq[-1] + seq[-2]) % FIB_P)
    return seq


def _solve_fib(tokens: list[Token]) -> Target:
    if tokens != _fib_sequence(tokens[0], tokens[1]):
        raise ValueError(f"fib_mod: {tokens} does not follow x[i+1] = x[i] + x[i-1] mod {FIB_P}")
    return [None, *tokens[2:], None]


def _check_fib(tokens: list[Token], target: Target) -> list[str]:
    problems = expect_scored(target, range(1, FIB_LEN - 1))
    for i in range(1, FIB_LEN - 1):
        if target[i] != tokens[i + 1] or target[i] != (tokens[i] + tokens[i - 1]) % FIB_P:
            problems.append(f"position {i}: {target[i]} is not the next term")
    return problems


def fib_task() -> Task:
    values = tuple(range(FIB_P))
    return Task(
        name="fib_mod",
        description=f"next term of x[i+1] = x[i] + x[i-1] mod {FIB_P} (causal)",
        token_format=(
            f"input: {FIB_LEN} ints 0..{FIB_P - 1}: x0, x1 free, then x[i+1] = (x[i] + x[i-1]) "
            f"mod {FIB_P}; target at positions 1..{FIB_LEN - 2}: the next term (the next token). "
            "[1, 1, 2, 3, 5, ...] -> [None, 2, 3, 5, 8, ...]"
        ),
        vocab=values,
        output_vocab=values,
        min_len=FIB_LEN,
        max_len=FIB_LEN,
        causal=True,
        recipe=Recipe(
            n_layers=1,
            d_model=128,
            n_heads=4,
            d_mlp=512,
            normalization=None,
            weight_decay=1.0,
            steps=10000,
            warmup=10,
            full_batch=True,
            train_fraction=0.5,
        ),
        hypotheses={
            "add_prev": hypothesis(
                "fib_mod.rasp",
                "fib_next",
                compilable=True,
                note="previous-token read, then a two-input map (23 x 23 table)",
            ),
        },
        draw=lambda choose: _fib_sequence(
            choose.integer(0, FIB_P - 1), choose.integer(0, FIB_P - 1)
        ),
        solve=_solve_fib,
        check=_check_fib,
        domain=lambda: [_fib_sequence(a, b) for a, b in product(range(FIB_P), repeat=2)],
    )


def tasks() -> list[Task]:
    add_hypotheses = {
        "table": hypothesis("mod_arith.rasp", "mod_add_table", compilable=True, note=TABLE_NOTE),
        "fourier": FOURIER,
    }
    return [
        _binary_task("mod_add", "+", f"(a + b) mod {P} (grokking)", GROKKING, add_hypotheses),
        _binary_task(
            "mod_sub",
            "-",
            f"(a - b) mod {P}",
            GROKKING,
            {
                "table": hypothesis(
                    "mod_arith.rasp", "mod_sub_table", compilable=True, note=TABLE_NOTE
                )
            },
        ),
        # The same data as mod_add. Zero attention heads would leave "=" blind to a and b,
        # so the recipe keeps one head with W_Q = W_K = 0: its uniform attention averages
        # the embeddings and the layer is a 1-hidden-layer MLP on their sum.
        _binary_task(
            "mod_add_mlp",
            "+",
            f"(a + b) mod {P}, 1-hidden-layer MLP (uniform attention) variant",
            Recipe(
                n_layers=1,
                d_model=128,
                n_heads=1,
                d_mlp=512,
                normalization=None,
                uniform_attention=True,
                weight_decay=1.0,
                steps=30000,
                warmup=10,
                full_batch=True,
                train_fraction=0.3,
            ),
            add_hypotheses,
        ),
        add_sub_task(),
        fib_task(),
    ]
