"""Values print as the reference RASP REPL prints them."""

import pytest
from rasplab.rasp import Session
from rasplab.rasp.display import (
    describe,
    format_plain,
    format_result,
    format_selector,
    format_sequence,
    sequence_type,
)


@pytest.fixture(scope="module")
def session():
    return Session()


def test_sop_prints_name_example_values_and_type(session):
    session.exec("sorted = sort(tokens, tokens);")
    text = describe(session, "sorted", session.get("sorted"), "hello")
    assert text == '     s-op: sorted\n \t Example: sorted("hello") = [e, h, l, l, o] (strings)'


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3], "[1, 2, 3] (ints)"),
        (["a", "b"], "[a, b] (strings)"),
        ([True, False, True], "[T, F, T] (bools)"),
        ([1 / 3, 0.5, 2.0], "[0.333, 0.5, 2.0] (floats)"),
        ([0, 1.5, 2], "[0, 1.5, 2] (floats)"),  # ints mixed with floats count as floats
        ([True, 2], "[T, 2] (ints)"),  # a bool among ints counts as an int
        ([2.0 / 3], "[0.667] (floats)"),
    ],
)
def test_sequence_values_and_types(values, expected):
    assert format_sequence(values) == expected


def test_constant_sequence_is_shortened():
    assert format_sequence([5, 5, 5, 5]) == "[5]*4 (ints)"
    assert format_sequence([True] * 3) == "[T]*3 (bools)"
    assert format_sequence([7]) == "[7] (ints)"  # one position is not a repetition


def test_sequence_type_names():
    assert sequence_type(["x"]) == "strings"
    assert sequence_type([1.0]) == "floats"


def test_selector_matrix_has_tokens_across_and_down():
    lines = format_selector("abc", [[0, 1, 1], [0, 0, 0], [1, 0, 0]])
    assert lines == [
        "    a b c",
        "a |   1 1",
        "b |",
        "c | 1",
    ]


def test_selector_columns_line_up_with_wide_tokens():
    header, *rows = format_selector([10, 2, 300], [[1, 0, 1], [0, 1, 0], [1, 1, 1]])
    columns = [header.index(token) + len(token) - 1 for token in ("10", " 2", "300")]
    for row, selected in zip(rows, [[1, 0, 1], [0, 1, 0], [1, 1, 1]]):
        marks = [i for i, ch in enumerate(row) if ch == "1" and i > row.index("|")]
        assert marks == [col for col, s in zip(columns, selected) if s]


def test_selector_described_on_the_example(session):
    session.exec("prevs = select(indices, indices, <);")
    text = describe(session, "prevs", session.get("prevs"), "abc")
    lines = text.splitlines()
    assert lines[0] == "     selector: prevs"
    assert lines[1] == ' \t Example: prevs("abc") ='
    assert [line.strip() for line in lines[2:]] == ["a b c", "a |", "b | 1", "c | 1 1"]


def test_sop_that_fails_on_the_example_shows_the_error(session):
    text = describe(session, "nums", session.evaluate_expr("tokens_int + 1"), "hi")
    assert text.startswith('     s-op: nums\n \t Example: nums("hi") fails:')
    assert "not an int" in text


def test_other_values(session):
    session.exec("def pair(a, b) { return a; }")
    assert describe(session, "pair", session.get("pair"), "x") == "     function: def pair(a, b)"
    assert describe(session, "n", 3, "x") == "     value: n = 3"
    assert describe(session, "s", "hi", "x") == '     value: s = "hi"'
    assert describe(session, "l", [1, "a", [True]], "x") == '     list: l = [1, "a", [True]]'
    assert describe(session, "d", {"a": 1.5}, "x") == '     dict: d = {"a": 1.5}'
    assert format_plain([session.get("prevs")]) == "[prevs]"


def test_cli_results(session):
    value = session.eval("indices * 2", [7, 8, 9])
    assert format_result("indices * 2", value, [7, 8, 9]) == (
        "(indices * 2)([7, 8, 9]) = [0, 2, 4] (ints)"
    )
    assert format_result("n", session.eval("1 + 2"), "ab") == "n = 3"
    lines = format_result("full_s", session.eval("full_s", "ab"), "ab").splitlines()
    assert lines[0] == 'full_s("ab") ='
    assert [line.strip() for line in lines[1:]] == ["a b", "a | 1 1", "b | 1 1"]
