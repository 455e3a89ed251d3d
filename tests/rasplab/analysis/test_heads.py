"""Head roles: the detection patterns are TransformerLens's, and a compiled induction
model's heads are found as what they were compiled to be."""

import torch

from rasplab.analysis.heads import (
    duplicate_token_pattern,
    head_scores,
    induction_pattern,
    previous_token_pattern,
)
from rasplab.analysis.inputs import make_probe


def test_detection_patterns_on_a_repeated_sequence():
    tokens = torch.tensor([0, 5, 2, 9, 5, 2])  # BOS, then 5 2 9 repeated as 5 2
    assert previous_token_pattern(tokens)[3].tolist() == [0, 0, 1, 0, 0, 0]
    duplicate = duplicate_token_pattern(tokens)
    assert torch.nonzero(duplicate).tolist() == [[4, 1], [5, 2]]
    # At the second 5 (position 4) an induction head attends to what followed the first
    # 5, the 2 at position 2; at the second 2, to the 9 at position 3.
    assert torch.nonzero(induction_pattern(tokens)).tolist() == [[4, 2], [5, 3]]


def test_a_compiled_induction_model_has_a_previous_token_and_an_induction_head(
    induction_model,
):
    probe = make_probe(induction_model, "induction", n=60)
    scores = head_scores(induction_model, probe)
    assert scores.heads == [(1, 0), (2, 0)]
    assert scores.best("previous_token") == (1, 0)
    assert scores.best("induction") == (2, 0)
    assert scores.scores["previous_token"][(1, 0)] > 0.99
    assert scores.scores["induction"][(2, 0)] > 0.99
    assert scores.scores["induction"][(1, 0)] < 0.2
    # The induction head has nothing to copy before the repeat and rests on BOS there.
    assert scores.scores["bos_resting"][(2, 0)] > scores.scores["bos_resting"][(1, 0)]
    assert max(scores.scores["duplicate_token"].values()) < 0.01
