"""The inputs compile runs the program on, and what it measures there."""

import pytest
from rasplab.compiler.graph import ordered_nodes, rasp_to_graph
from rasplab.compiler.sampling import enumerate_inputs, sample_inputs, selector_widths
from rasplab.rasp import RaspError, Session


def test_enumeration_stops_at_the_limit():
    assert len(enumerate_inputs(["a", "b"], 3, 14)) == 2 + 4 + 8
    assert enumerate_inputs(["a", "b"], 3, 13) is None


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
    order = ordered_nodes(rasp_to_graph(s.program("x")))
    assert selector_widths(order, [list("aab")])[s.get("a").uid] == 1
    order = ordered_nodes(rasp_to_graph(s.program("y")))
    assert selector_widths(order, [list("aab")])[s.get("b").uid] == 2


def test_a_program_that_fails_on_an_input_raises_its_rasp_error():
    s = Session()
    s.exec("mean = aggregate(select(tokens, tokens, ==), tokens);")
    order = ordered_nodes(rasp_to_graph(s.program("mean")))
    assert selector_widths(order, [list("ab")])  # one key per query: no mean
    with pytest.raises(RaspError):
        selector_widths(order, [list("aa")])  # the mean of two strings
