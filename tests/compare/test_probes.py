"""Linear probes on constructed activations whose answers are known."""

import torch
from rasplab.compare import probes


def activations(seed: int, informative: bool):
    """Inputs of lengths 2-4 whose value at each position is written one-hot into
    dimensions 0-2 (or not at all), BOS row first."""
    g = torch.Generator().manual_seed(seed)
    acts, values = [], []
    for b in range(60):
        n = 2 + b % 3
        row_values = torch.randint(0, 3, (n,), generator=g).tolist()
        h = torch.randn(n + 1, 6, generator=g) * 0.1
        if informative:
            h[1:, :3] += torch.nn.functional.one_hot(torch.tensor(row_values), 3)
        acts.append(h)
        values.append(row_values)
    return acts, values


def test_a_written_value_is_found_where_it_is_and_not_where_it_is_not():
    written, values = activations(0, True)
    absent, _ = activations(0, False)
    found = probes.probe({"there": written, "absent": absent}, values)
    assert found.accuracy[0] > 0.95 and found.accuracy[1] < 0.6
    assert found.best_site == "there"
    assert found.candidates(1) == ["there"]
    assert all(a is None or a > 0.9 for a in found.per_position[0])
    assert len(found.per_position[0]) == 4  # every position up to the longest input
