"""The verdict rules on stated cases: every rule here can fail."""

import pytest
from rasplab.compare.verdict import NodeStanding, Thresholds, node_verdict, overall_verdict

T = Thresholds()


@pytest.mark.parametrize(
    "iia, controls, expected",
    [
        (0.95, [0.1, 0.0], "implements"),
        (0.95, [0.8, 0.0], "does not"),  # a random subspace does as well: no evidence
        (0.95, [0.0, 0.9], "does not"),  # the alignment fits shuffled targets as well
        (0.7, [0.0, None], "partial"),
        (0.5, [0.0, 0.0], "does not"),
        (None, [None, None], "does not"),
    ],
)
def test_a_node_passes_only_above_the_threshold_and_beyond_both_controls(iia, controls, expected):
    assert node_verdict(iia, controls, T) == expected


def node(name, verdict, carries=True):
    return NodeStanding(name, verdict, carries)


def test_only_nodes_that_could_fail_carry_the_verdict():
    passing_output = [node("out", "implements", carries=False)]
    assert overall_verdict(1.0, passing_output, T)[0] == "behaviour only"
    untested = [node("length", "untested"), *passing_output]
    verdict, why, carried = overall_verdict(1.0, untested, T)
    assert verdict == "behaviour only" and "length" in why and carried == []
    embedded = [NodeStanding("a", "implements", False, at_embedding=True), *passing_output]
    verdict, why, _ = overall_verdict(1.0, embedded, T)
    assert verdict == "behaviour only" and "a pass only at the embedding" in why


def test_overall_verdict_needs_behaviour_and_every_deciding_node():
    assert overall_verdict(1.0, [node("a", "implements"), node("b", "implements")], T)[:1] == (
        "implements",
    )
    mixed = [node("a", "implements"), node("b", "does not")]
    verdict, why, carried = overall_verdict(1.0, mixed, T)
    assert verdict == "partial" and "b" in why and carried == ["a", "b"]
    assert overall_verdict(0.5, [node("a", "implements")], T)[0] == "does not"
    assert overall_verdict(0.95, [node("a", "implements")], T)[0] == "partial"
    assert overall_verdict(1.0, [node("a", "does not"), node("b", "does not"),
                                 node("c", "implements")], T)[0] == "does not"
    assert "min_pairs" in T.to_dict()
