"""Value sets and encodings inferred from vocab and max_len."""

from fractions import Fraction

from rasplab.compiler import compile_program
from rasplab.compiler.basis import means
from rasplab.rasp import Session


def test_means_are_exact_fractions_including_two_thirds():
    found = means([0, 1], 3, default=0)
    assert Fraction(2, 3) in found and Fraction(1, 3) in found
    assert len(found) == len({0, Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), 1})


def test_encodings_follow_the_program():
    s = Session()
    s.exec('load "frac_prevs"; load "reverse";')
    frac = compile_program(s.program("frac_prevs"), list("()"), 4)
    assert frac.layout.encodings["frac_prevs"] == "numerical"
    rev = compile_program(s.program("reversed"), list("ab"), 4)
    assert rev.layout.encodings["reversed"] == "categorical"
    assert "at most one key" in rev.layout.notes["reversed"]
