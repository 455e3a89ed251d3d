"""Programs: node naming, batched traces and interventions."""

import numpy as np
import pytest
from rasplab.rasp import RaspError, Session


@pytest.fixture
def sort_program():
    s = Session()
    s.exec("tokens = tokens_int; sorted_twice = sort(sort(tokens, tokens), -indices);")
    return s.program("sorted_twice")


def test_every_node_has_a_unique_name(sort_program):
    names = sort_program.names
    assert len(names) == len(set(names))
    assert {"smaller", "smaller_2", "target_pos", "target_pos_2", "tokens_int", "indices"} <= set(
        names
    )
    assert names[-1] == "sorted_twice"


def test_edges_point_from_what_is_read_to_what_reads_it(sort_program):
    edges = sort_program.edges()
    assert ("smaller", "target_pos") in edges
    assert ("tokens_int", "smaller") not in edges  # smaller reads select nodes, not tokens


def test_trace_holds_every_node_on_mixed_lengths(sort_program):
    trace = sort_program.evaluate([[3, 1, 2], [5, 4], [9]])
    assert trace.output == [[3, 2, 1], [5, 4], [9]]
    assert trace["target_pos"] == [[2, 0, 1], [1, 0], [0]]
    assert set(trace) == set(sort_program.names)
    assert trace["smaller"][1] == [[0, 1], [0, 0]]  # row q selects keys smaller than q's


def test_trace_arrays_for_equal_lengths(sort_program):
    trace = sort_program.evaluate([[3, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(trace.array("target_pos"), [[2, 0, 1], [0, 1, 2]])
    assert trace.array("smaller").shape == (2, 3, 3)


def test_intervention_recomputes_only_what_depends_on_the_node(sort_program):
    inputs = [[3, 1, 2]]
    # Claim every token is smallest-first in input order: the first sort becomes the identity.
    trace = sort_program.evaluate(inputs, interventions={"target_pos": [[0, 1, 2]]})
    assert trace["target_pos"] == [[0, 1, 2]]
    assert trace["smaller"] == sort_program.evaluate(inputs)["smaller"]
    assert trace.output == [[2, 1, 3]]  # then reversed by the second sort


def test_intervention_on_a_selector(sort_program):
    inputs = [[3, 1, 2]]
    nobody = [[[0, 0, 0]] * 3]
    trace = sort_program.evaluate(inputs, interventions={"smaller": nobody})
    assert trace["target_pos"] == [[0, 0, 0]]


def test_intervention_errors_are_clear(sort_program):
    with pytest.raises(RaspError, match="did you mean 'smaller'"):
        sort_program.evaluate([[1, 2]], interventions={"smaler": [[0, 1]]})
    with pytest.raises(RaspError, match="length 2 but 3 values"):
        sort_program.evaluate([[1, 2]], interventions={"target_pos": [[0, 1, 2]]})
    with pytest.raises(RaspError, match="1 rows for 2 inputs"):
        sort_program.evaluate([[1, 2], [2, 1]], interventions={"target_pos": [[0, 1]]})


def test_evaluate_refuses_a_bare_string(sort_program):
    with pytest.raises(RaspError, match="list of inputs"):
        sort_program.evaluate("abc")


def test_program_of_a_non_sop_is_refused():
    s = Session()
    s.exec("sel = select(indices, indices, ==);")
    with pytest.raises(RaspError, match="not an s-op"):
        s.program("sel")
    with pytest.raises(RaspError, match="unknown name"):
        s.program("nothing_here")


def test_program_call_gives_the_output(sort_program):
    assert sort_program([4, 6, 5]) == [6, 5, 4]
