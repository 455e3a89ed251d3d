"""Affine maps read off the expression."""

from fractions import Fraction

from rasplab.compiler.linear import linear_form, sumset
from rasplab.rasp import Session


def test_linear_form_reads_affine_expressions_and_rejects_products_of_sops():
    s = Session()
    s.exec("x = tokens_int; y = indices; a = 2 * (x - y) + 3; b = x * y;")
    x, y = s.get("x").uid, s.get("y").uid
    terms, offset = linear_form(s.get("a"), {x, y})
    assert terms == {x: 2, y: -2} and offset == 3
    assert linear_form(s.get("b"), {x, y}) is None


def test_sumset_is_exact_and_sorted():
    assert sumset([(Fraction(1, 2), [0, 1]), (Fraction(1), [0, 2])], Fraction(0)) == [
        0,
        Fraction(1, 2),
        2,
        Fraction(5, 2),
    ]
