"""RASP hypotheses for modular addition at any modulus p: the lookup table, and the
Fourier ("clock") algorithm at any set of frequencies K.

mod_arith.rasp fixes p = 113 and one frequency; a grokked model picks its own
modulus and its own key frequencies, so these are generated as RASP source with the
trigonometric tables written out as literals (Python's cos and sin), which the
interpreter then runs exactly.

The Fourier program, per frequency k: each operand as the point (cos, sin) of
w_k x (w_k = 2 pi k / p), the product formulas give the point of w_k (a + b), and
that point is read back as a residue r_k (rounded to 3 decimals, which separates the
p points for p up to a few thousand; a point off the circle has no residue, so the
program is undefined there). The answer is the residue the frequencies agree on
most: among the r_k, the one with the largest sum over k of cos(w_k (r_k - c)),
first on ties. Nanda et al. (2023) read out the argmax over every c of that sum;
restricting c to the r_k keeps the read-out one expression, and both agree whenever
the frequencies agree (every input without an intervention).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from rasplab.rasp import Program
from rasplab.tasks.hypothesis import Hypothesis

DECIMALS = 1000  # the read-out rounds each coordinate to 3 decimals
KEY_SCALE = 10 * DECIMALS  # a point's key: round(cos * 1000) * 10000 + round(sin * 1000)
GENERATOR = Path(__file__)


def _check(p: int, freqs: Sequence[int]) -> None:
    if p < 3:
        raise ValueError(f"the Fourier hypothesis needs p >= 3, got {p}")
    if not freqs:
        raise ValueError("give at least one frequency")
    for k in freqs:
        if not 1 <= k <= (p - 1) // 2 or math.gcd(k, p) != 1:
            raise ValueError(
                f"frequency {k} does not tell residues mod {p} apart: use 1 <= k <= "
                f"{(p - 1) // 2} with gcd(k, {p}) = 1"
            )


def _numbers(p: int) -> str:
    names = ", ".join(f'"{v}"' for v in range(p))
    values = ", ".join(f'"{v}": {v}' for v in range(p))
    return f'_names = [{names}];\n_value = {{{values}, "=": -1}};\n'


def _operands() -> str:
    return (
        "value = _value[tokens];\n"
        "a = aggregate(select(indices, 0, ==), value);\n"
        "b = aggregate(select(indices, 1, ==), value);\n"
    )


def table_source(p: int, op: str = "+") -> str:
    """The table hypothesis: read both operands, then one two-input map."""
    name = {"+": "mod_add_table", "-": "mod_sub_table"}[op]
    return f"{_numbers(p)}{_operands()}{name} = _names[(a {op} b) % {p}];\n"


def _table(values: list[float]) -> str:
    return "[" + ", ".join(repr(v) for v in values) + "]"


def _trig(p: int, k: int) -> tuple[list[float], list[float]]:
    angles = [2 * math.pi * k * x / p for x in range(p)]
    return [math.cos(t) for t in angles], [math.sin(t) for t in angles]


def _point_key(c: float, s: float) -> int:
    return round(c * DECIMALS) * KEY_SCALE + round(s * DECIMALS)


def fourier_source(p: int, freqs: Sequence[int], output: str = "mod_add_fourier") -> str:
    """The Fourier hypothesis at frequencies `freqs` as RASP source; its nodes per k are
    cos{k}_a, sin{k}_a, cos{k}_b, sin{k}_b, cos{k}_sum, sin{k}_sum, residue{k}."""
    _check(p, freqs)
    lines = [_numbers(p), _operands()]
    for k in freqs:
        cos, sin = _trig(p, k)
        keys = [_point_key(c, s) for c, s in zip(cos, sin)]
        if len(set(keys)) != p:
            raise ValueError(f"3 decimals do not separate the {p} points of frequency {k}")
        decode = ", ".join(f"{key}: {x}" for x, key in enumerate(keys))
        lines.append(
            f"_cos{k} = {_table(cos)};\n_sin{k} = {_table(sin)};\n_decode{k} = {{{decode}}};\n"
            f"cos{k}_a = numerical(_cos{k}[a]);\nsin{k}_a = numerical(_sin{k}[a]);\n"
            f"cos{k}_b = numerical(_cos{k}[b]);\nsin{k}_b = numerical(_sin{k}[b]);\n"
            f"cos{k}_sum = numerical(cos{k}_a * cos{k}_b - sin{k}_a * sin{k}_b);\n"
            f"sin{k}_sum = numerical(sin{k}_a * cos{k}_b + cos{k}_a * sin{k}_b);\n"
            f"residue{k} = _decode{k}[round(cos{k}_sum * {DECIMALS}) * {KEY_SCALE} "
            f"+ round(sin{k}_sum * {DECIMALS})];\n"
        )
    lines.append(f"{output} = _names[{_vote(p, freqs)}];\n")
    return "".join(lines)


def _vote(p: int, freqs: Sequence[int]) -> str:
    """One expression: the residue r_j with the largest sum over k of cos(w_k (r_k - r_j)),
    the first on ties."""
    if len(freqs) == 1:
        return f"residue{freqs[0]}"

    def score(j: int) -> str:
        return " + ".join(f"_cos{k}[(residue{k} - residue{j}) % {p}]" for k in freqs)

    expression = f"residue{freqs[-1]}"
    for i in reversed(range(len(freqs) - 1)):
        j = freqs[i]
        beats = " and ".join(f"({score(j)}) >= ({score(m)})" for m in freqs[i + 1 :])
        expression = f"(residue{j} if {beats} else {expression})"
    return expression


def table_program(p: int, op: str = "+") -> Program:
    """(a op b) mod p as a lookup table, exactly."""
    name = {"+": "mod_add_table", "-": "mod_sub_table"}[op]
    return Hypothesis(GENERATOR, name, compilable=True, source=table_source(p, op)).program()


def fourier_program(p: int, freqs: Sequence[int]) -> Program:
    """(a + b) mod p by the Fourier algorithm at `freqs` (e.g. a model's key
    frequencies, rasplab.analysis.fourier.key_frequencies), exactly."""
    source = fourier_source(p, tuple(freqs))
    return Hypothesis(GENERATOR, "mod_add_fourier", compilable=False, source=source).program()


def default_frequency(p: int) -> int:
    """The frequency of a task's registered Fourier hypothesis: 14 at p = 113 (as
    mod_arith.rasp), else 1; a trained model's own come from its embedding."""
    return 14 if p == 113 else 1


def hypotheses(p: int, op: str) -> dict[str, Hypothesis]:
    """The hypotheses of (a op b) mod p: the table, and for addition the Fourier
    algorithm at the default frequency."""
    found = {
        "table": Hypothesis(
            GENERATOR, {"+": "mod_add_table", "-": "mod_sub_table"}[op], compilable=True,
            note=f"two categorical reads, then a two-input map over {p} x {p} pairs",
            source=table_source(p, op),
        )
    }
    if op == "+" and p >= 3:
        k = default_frequency(p)
        found["fourier"] = Hypothesis(
            GENERATOR, "mod_add_fourier", compilable=False,
            note=f"the clock algorithm at frequency k = {k}; for a model's own key "
            "frequencies use rasplab.tasks.fourier.fourier_program(p, freqs)",
            source=fourier_source(p, [k]),
        )
    return found
