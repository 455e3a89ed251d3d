import pytest
from rasplab.compare.verdict import Thresholds, node_verdict, overall_verdict

T = Thresholds()


def iia(sequence, pairs=100):
    return {"position": sequence, "sequence": sequence, "pairs": pairs}


@pytest.mark.parametrize(
    "result, control, expected",
    [
        (iia(0.95), 0.1, "implements"),
        (iia(0.95), 0.8, "does not"),  # the random model does as well: no evidence
        (iia(0.7), 0.0, "partial"),
        (iia(0.5), 0.0, "does not"),
        (iia(None, 0), None, "does not"),
        (iia(1.0, T.min_pairs - 1), 0.0, "does not"),  # too few pairs to say anything
        (iia(1.0, T.min_pairs), 0.0, "implements"),
    ],
)
def test_node_verdict_needs_iia_a_margin_over_the_control_and_enough_pairs(
    result, control, expected
):
    assert node_verdict(result, control, T) == expected


def test_overall_verdict_needs_behaviour_and_nodes():
    assert overall_verdict(1.0, ["implements", "implements"], T) == "implements"
    assert overall_verdict(1.0, ["implements", "does not"], T) == "partial"
    assert overall_verdict(0.5, ["implements"], T) == "does not"
    assert "min_pairs" in T.to_dict()
