"""The alignment's parts on constructed cases whose answers are known."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from rasplab.compare import das


def orthogonal(d: int, seed: int) -> torch.Tensor:
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=torch.Generator().manual_seed(seed)))
    return q


def planted(n: int = 400, d: int = 12, seed: int = 0):
    """Rows whose coordinate 3 holds a 4-valued variable; other coordinates are noise
    that does not depend on it, and coordinate 7 depends on the position only."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(4, size=n).tolist()
    positions = (np.arange(n) % 3).tolist()
    rows = rng.normal(size=(n, d))
    rows[:, 3] = np.array(labels) * 5.0
    rows[:, 7] = np.array(positions) * 9.0
    return torch.tensor(rows, dtype=torch.float32), labels, positions


def test_the_frame_moves_with_a_change_of_basis():
    rows, _, _ = planted()
    q = orthogonal(rows.shape[1], 1)
    axes, turned = das.frame(rows), das.frame(rows @ q)
    assert torch.allclose(rows @ axes, (rows @ q) @ turned, atol=1e-3)  # same coordinates


def test_discriminants_find_the_planted_variable_not_the_position():
    rows, labels, positions = planted()
    axes = das.frame(rows)
    found = das.discriminant_directions(rows, labels, 1, positions, axes)
    assert found.shape == (1, rows.shape[1])
    assert abs(float(found[0, 3])) > 0.99 and abs(float(found[0, 7])) < 0.05


def test_discriminants_are_basis_free():
    rows, labels, positions = planted()
    q = orthogonal(rows.shape[1], 2)
    plain = das.discriminant_directions(rows, labels, 1, positions, das.frame(rows))
    turned = das.discriminant_directions(rows @ q, labels, 1, positions, das.frame(rows @ q))
    assert abs(float((plain @ q) @ turned.T)) > 0.999


@given(st.integers(1, 6), st.integers(0, 5))
def test_an_alignment_is_orthonormal_and_spans_its_start(rank, seed):
    axes = das.frame(planted(seed=seed)[0])
    start = torch.eye(12)[:1]
    basis = das.Alignment(axes, rank, start, seed=seed).basis().detach()
    assert basis.shape == (rank, 12)
    assert torch.allclose(basis @ basis.T, torch.eye(rank), atol=1e-4)
    assert float(torch.linalg.norm(basis @ start.T)) > 0.999  # the start is inside


def test_a_swap_replaces_only_the_subspace_at_the_chosen_positions():
    base, source = torch.zeros(1, 4, 3), torch.ones(1, 4, 3)
    basis = torch.tensor([[1.0, 0.0, 0.0]])
    everywhere = das.swap(base, source, basis, None)
    assert everywhere[0, 0].tolist() == [0, 0, 0]  # BOS is never swapped
    assert everywhere[0, 1:, 0].tolist() == [1, 1, 1] and everywhere[0, :, 1:].sum() == 0
    at_one = das.swap(base, source, basis, [1])  # input position 1 is model position 2
    assert at_one[0, :, 0].tolist() == [0, 0, 1, 0]


def test_ordering_puts_the_informative_direction_first():
    rows, labels, _ = planted()
    basis = torch.eye(12)[[0, 3, 5]]  # the variable's axis in the middle
    ordered = das.ordered(basis, rows, labels)
    assert abs(float(ordered[0, 3])) > 0.99


@pytest.mark.parametrize("rank, ranks", [(1, [1]), (5, [1, 2, 4, 5]), (8, [1, 2, 4, 8])])
def test_prefix_ranks(rank, ranks):
    assert das.prefix_ranks(rank) == ranks
