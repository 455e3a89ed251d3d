"""Fourier analysis on constructed cases with known frequencies."""

import math

import pytest
import torch

from rasplab import tasks
from rasplab.analysis.fourier import (
    fourier_basis,
    frequency_norms,
    logit_frequency_shares,
    neuron_frequency_shares,
)
from rasplab.analysis.frequencies import embedding_key_frequencies, fourier_analysis
from rasplab.analysis.modular import modular_grid
from rasplab.analysis.neurons import cluster_by_frequency
from rasplab.train import build_model

P = 13


def wave(k: int, x: torch.Tensor, phase: float = 0.0) -> torch.Tensor:
    return torch.cos(2 * math.pi * k * x / P + phase)


def test_an_even_modulus_has_an_orthonormal_basis():
    basis = fourier_basis(8)
    assert basis.shape == (8, 8)
    assert torch.allclose(basis @ basis.T, torch.eye(8, dtype=torch.float64), atol=1e-12)


def test_an_embedding_of_two_frequencies_has_those_key_frequencies():
    a = torch.arange(P, dtype=torch.float64)
    embedding = torch.stack([wave(3, a), wave(3, a, 1.0), 0.5 * wave(5, a), 0.01 * wave(1, a)], 1)
    assert embedding_key_frequencies(frequency_norms(embedding)) == [3, 5]


def test_neurons_cluster_by_their_frequency():
    a = torch.arange(P, dtype=torch.float64)[:, None]
    b = torch.arange(P, dtype=torch.float64)[None, :]
    neurons = [wave(2, a) * wave(2, b), wave(2, a + b), wave(4, a) + wave(4, b, 0.3),
               wave(4, a - b, 0.7), torch.zeros(P, P)]
    shares = neuron_frequency_shares(torch.stack(neurons, -1))
    assert shares[:, :4].argmax(0).tolist() == [1, 1, 3, 3]
    assert torch.allclose(shares[:, :4].max(0).values, torch.ones(4, dtype=torch.float64))
    clusters, per_neuron = cluster_by_frequency(torch.stack(neurons, -1))
    assert sorted((c.key, c.neurons) for c in clusters) == [(2, [0, 1]), (4, [2, 3])]
    assert per_neuron["explained"] == pytest.approx(1.0)
    assert per_neuron["dead"] == 1


def test_clock_logits_lie_in_their_frequency_of_a_plus_b():
    a = torch.arange(P, dtype=torch.float64)
    logits = wave(6, a[:, None, None] + a[None, :, None] - a[None, None, :])
    shares = logit_frequency_shares(logits)
    assert shares[5] == pytest.approx(1.0)
    assert logit_frequency_shares(logits, sign=-1)[5] < 0.1


def test_modular_grids_name_operands_and_answer_position():
    grid = modular_grid(tasks.get("mod_sub_p7"))
    assert (grid.p, grid.sign, grid.position) == (7, -1, 2)
    assert grid.inputs()[8] == ["1", "1", "="]
    assert modular_grid(tasks.get("add_sub")).make_input(2, 3) == ["2", "+", "3", "="]
    fib = modular_grid(tasks.get("fib_mod"))
    assert fib.make_input(1, 2)[:4] == [1, 2, 3, 5] and fib.position == 1
    assert modular_grid(tasks.get("induction")) is None


def test_a_model_with_a_planted_frequency_reads_as_that_frequency():
    task = tasks.get(f"mod_add_p{P}")
    recipe = task.recipe.__class__(**{**task.recipe.__dict__, "d_model": 8, "d_mlp": 16})
    model = build_model(task, recipe, seed=0)
    a = torch.arange(P, dtype=torch.float64)
    with torch.no_grad():
        model.embed.W_E[1 : P + 1] = 0.0
        model.embed.W_E[1 : P + 1, 0] = wave(4, a).float()
        model.embed.W_E[1 : P + 1, 1] = wave(4, a, 1.0).float()
    result = fourier_analysis(model, modular_grid(task))
    assert result["key_frequencies"] == [4]
    assert result["key_share"] == pytest.approx(1.0)
    assert len(result["logit_shares"]) == P // 2
