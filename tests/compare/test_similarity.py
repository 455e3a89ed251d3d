"""Representation similarity on cases whose answers are known."""

import numpy as np
from rasplab.compare import similarity


def test_a_rotated_copy_is_identical_and_independent_noise_is_not():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(300, 5))
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    assert similarity.mean_principal_cosine(a, a @ q) > 0.999
    assert similarity.procrustes(a, a @ q) > 0.999
    assert similarity.debiased_cka(a, a @ q) > 0.999
    noise = rng.normal(size=(300, 5))
    assert abs(similarity.debiased_cka(a, noise)) < 0.05  # debiased: near 0, not well above
    assert similarity.procrustes(a, noise) < 0.5


def test_bootstrap_intervals_hold_the_value_for_identical_representations():
    a = np.random.default_rng(1).normal(size=(100, 3))
    found = similarity.compare_representations(a, a * 2.0)
    for measure in ("principal_cosine", "debiased_cka", "procrustes"):
        low, high = found[measure]["ci95"]
        assert found[measure]["value"] > 0.999 and low > 0.99 and high <= 1.0 + 1e-9


def test_a_head_that_attends_exactly_as_the_selector_agrees_fully():
    n = 4
    selected = np.eye(n)[None, ::-1]  # each query selects one key: a reversal
    pattern = np.zeros((1, n + 1, n + 1))
    pattern[0, 1:, 1:] = selected[0]
    assert similarity.pattern_agreement(pattern, selected) == 1.0
    uniform = np.full((1, n + 1, n + 1), 1 / (n + 1))
    assert similarity.pattern_agreement(uniform, selected) < 0.5
    nothing = np.zeros((1, n, n))  # no key selected: the ideal rests on BOS
    resting = np.zeros((1, n + 1, n + 1))
    resting[0, :, 0] = 1
    assert similarity.pattern_agreement(resting, nothing) == 1.0
