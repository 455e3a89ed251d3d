"""Parser edge cases: every failure is a located RaspError with a caret."""

import pytest
from rasplab.rasp import RaspError, Session, parse, parse_expr


def error_of(fn, text) -> str:
    with pytest.raises(RaspError) as err:
        fn(text)
    return str(err.value)


def test_a_huge_number_is_a_located_error():
    assert "4,301 digits is too long" in error_of(parse_expr, "9" * 4301)


def test_deep_nesting_parses_and_evaluates():
    s = Session()
    s.exec("x = " + " + ".join(["1"] * 500) + ";")
    assert s.eval("x").value == 500
    parse_expr("-" * 400 + "x")
    parse_expr("[" * 200 + "]" * 200)


def test_form_feed_is_not_a_line_break():
    text = error_of(parse, "a\x0cb c")
    assert text.startswith("<input>:1:3:")
    assert "a\x0cb c" in text


def test_missing_semicolon_points_after_the_last_code_not_at_comments():
    text = error_of(parse, "x = 1;\ny = 2\n\n# end\n")
    assert text.startswith("<input>:2:6: error: unexpected end of input")
    assert "    y = 2\n         ^" in text


def test_empty_input_still_has_a_caret():
    assert "\n    ^" in error_of(parse_expr, "")


@pytest.mark.parametrize("source", ["x = for;", "def f(in) { return in; }", "round = 1;"])
def test_keywords_are_not_names(source):
    assert "unexpected" in error_of(parse, source)
