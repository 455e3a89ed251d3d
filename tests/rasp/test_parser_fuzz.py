"""Whatever text the parser is fed, it answers with an AST or a located RaspError:
never another exception, never an error without a place and a caret."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasplab.rasp import RaspError, parse, parse_expr
from rasplab.rasp.printer import KEYWORDS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p.read_text() for p in sorted(ROOT.glob("rasp/lib/*.rasp"))]
# Fuzzed text costs microseconds to parse and the grammar has many corners: more draws.
FUZZ = settings(max_examples=300)

# The fuzzers once found two parser bugs, both fixed and guarded by
# test_typical_mistakes below: carets counted line breaks other than "\n" (Lark
# counts only "\n"), and an error at the end of input after blank lines pointed
# at an empty line without a caret. No input is normalised around a known bug.


def check(text: str) -> None:
    """Parse as a module and as an expression; only located RaspErrors may come out."""
    for entry in (parse, parse_expr):
        try:
            entry(text)
        except RaspError as err:
            check_error(err, text)


def check_error(err: RaspError, text: str) -> None:
    assert err.span is not None, err
    lines = text.split("\n")
    assert 1 <= err.span.line <= len(lines), err.span
    assert 1 <= err.span.col <= len(lines[err.span.line - 1]) + 1, err.span
    message = str(err)
    assert message.startswith(f"<input>:{err.span.line}:{err.span.col}: error: ")
    assert re.search(r"^ *\^+$", message, re.MULTILINE), message


RASP_CHARS = "abxyz_019 .,;:=<>!+-*/%^()[]{}\"'#\n\t"
RASP_TOKENS = [
    *sorted(KEYWORDS),
    *["tokens", "indices", "x", "y", "f", "True", "0", "12", "1.5", '"a"', '"', "#c\n"],
    *["==", "!=", "<=", ">=", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ";", ":"],
    *["+", "-", "*", "/", "%", "^", ".", " ", "\n"],
]


@FUZZ
@given(st.text(RASP_CHARS, max_size=60))
def test_random_rasp_characters(text):
    check(text)


@FUZZ
@given(st.lists(st.sampled_from(RASP_TOKENS), max_size=30).map(" ".join))
def test_random_rasp_tokens(text):
    check(text)


@FUZZ
@given(st.binary(max_size=80), st.sampled_from(["utf-8", "latin-1"]))
def test_random_bytes(data, encoding):
    check(data.decode(encoding, errors="replace"))


@st.composite
def mutated_sources(draw) -> str:
    """A real program with a few characters deleted, inserted, replaced or swapped."""
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 3)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "swap"]))
        char = draw(st.sampled_from(RASP_CHARS))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + char + text[i:]
        elif kind == "replace":
            text = text[:i] + char + text[j:]
        elif j + 1 < len(text):
            text = text[:i] + text[j] + text[i + 1 : j] + text[i] + text[j + 1 :]
    return text


@FUZZ
@given(mutated_sources())
def test_mutated_programs(text):
    check(text)


@pytest.mark.parametrize(
    "text",
    [
        *["x = ", "x = 1", "def f( { }", "x = 'a';", "a != b;", 'x = "ab\ncd";', "é"],
        *["x = 1;\n  y = ;", "x = \r y = ;", "x = \u2028 ;\n", "x = (\n\n", "x = 1 +\n\n\n"],
    ],
)
def test_typical_mistakes(text):
    with pytest.raises(RaspError) as caught:
        parse(text)
    check_error(caught.value, text)
