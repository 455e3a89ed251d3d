"""Value sets and encodings inferred from vocab and max_len."""

from fractions import Fraction

from rasplab.compiler import compile_program
from rasplab.compiler.basis import means, sample_inputs, selector_widths
from rasplab.compiler.graph import lower
from rasplab.rasp import Session


def test_means_are_exact_fractions_including_two_thirds():
    found = means([0, 1], 3, default=0)
    assert Fraction(2, 3) in found and Fraction(1, 3) in found
    assert len(found) == len({0, Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), 1})


def test_samples_are_exhaustive_when_small_and_include_constant_inputs_when_not():
    small = sample_inputs(["a", "b"], 3, 1000)
    assert len(small) == 2 + 4 + 8
    large = sample_inputs(["a", "b", "c"], 20, 500)
    assert ["a"] * 20 in large and max(len(x) for x in large) == 20


def test_selector_widths_are_measured_per_selector():
    s = Session()
    s.exec(
        "a = select(indices, indices, ==); b = select(tokens, tokens, ==);"
        "x = aggregate(a, tokens); y = selector_width(b);"
    )
    order, names = lower(s.program("x"))
    widest = selector_widths(order, names, [list("aab")])
    assert widest[s.get("a").uid] == 1
    order, names = lower(s.program("y"))
    assert selector_widths(order, names, [list("aab")])[s.get("b").uid] == 2


def test_encodings_follow_the_program():
    s = Session()
    s.exec('load "frac_prevs"; load "reverse";')
    frac = compile_program(s.program("frac_prevs"), list("()"), 4)
    assert frac.layout.encodings["frac_prevs"] == "numerical"
    rev = compile_program(s.program("reversed"), list("ab"), 4)
    assert rev.layout.encodings["reversed"] == "categorical"
    assert "at most one key" in rev.layout.notes["reversed"]
