"""Fourier progress measures: a known frequency is found; the projections do what they claim."""

import dataclasses
import math

import torch
import torch.nn.functional as F

from rasplab import tasks
from rasplab.analysis.fourier import (
    fourier_basis,
    frequency_norms,
    key_frequencies,
    restricted_and_excluded_loss,
)
from rasplab.train import build_model
from rasplab.train.data import make_data
from rasplab.train.grok import fourier_measures, grokking_events

P = 13


def pure_frequency(p, k, d_model):
    """A [p, d_model] embedding: number a is (cos(w_k a), sin(w_k a), 0, ...)."""
    a = torch.arange(p, dtype=torch.float64)
    embedding = torch.zeros(p, d_model, dtype=torch.float64)
    embedding[:, 0] = torch.cos(2 * math.pi * k * a / p)
    embedding[:, 1] = torch.sin(2 * math.pi * k * a / p)
    return embedding


def test_the_basis_is_orthonormal():
    basis = fourier_basis(P)
    assert torch.allclose(basis @ basis.T, torch.eye(P, dtype=torch.float64), atol=1e-12)


def test_a_pure_frequency_embedding_has_that_key_frequency():
    norms = frequency_norms(pure_frequency(P, 5, 8))
    assert norms.argmax() == 4 and torch.allclose(norms.sum(), norms[4])
    assert key_frequencies(pure_frequency(P, 5, 8), 3)[0] == 5


def test_logits_of_the_clock_algorithm_keep_their_loss_when_restricted():
    k = 3
    a = torch.arange(P, dtype=torch.float64)
    angle = 2 * math.pi * k * (a[:, None, None] + a[None, :, None] - a[None, None, :]) / P
    logits = 20 * torch.cos(angle)  # [a, b, c]: largest at c = a + b
    train = torch.rand(P, P, generator=torch.Generator().manual_seed(0)) < 0.3
    answers = (a[:, None] + a[None, :]).long() % P
    test_loss = float(F.cross_entropy(logits[~train], answers[~train]))
    train_loss = float(F.cross_entropy(logits[train], answers[train]))
    restricted, excluded = restricted_and_excluded_loss(logits, [k], train, ~train)
    assert math.isclose(restricted, test_loss, rel_tol=1e-9)
    assert math.isclose(excluded, math.log(P), rel_tol=1e-9)  # nothing left: uniform
    # Another frequency explains none of it.
    restricted, excluded = restricted_and_excluded_loss(logits, [k + 1], train, ~train)
    assert math.isclose(restricted, math.log(P), rel_tol=1e-9)
    assert math.isclose(excluded, train_loss, rel_tol=1e-9)


def test_the_measures_find_a_hand_built_models_frequency():
    task = tasks.get(f"mod_add_p{P}")
    recipe = dataclasses.replace(task.recipe, d_model=16, d_mlp=32)
    model = build_model(task, recipe, seed=0)
    with torch.no_grad():
        model.embed.W_E[1 : P + 1] = pure_frequency(P, 4, 16).float()
    data = make_data(task, recipe, 0, 100, torch.device("cpu"))
    with torch.no_grad():
        measures = fourier_measures(P, n_key=2)(model, data)
    assert measures["key_freqs"][0] == 4
    assert measures["key_share"] > 0.999
    assert {"restricted_loss", "excluded_loss", "weight_norm"} <= set(measures)


def test_grokking_events_are_the_first_steps_past_each_threshold():
    records = [
        {"step": 100, "seconds": 1.0, "train_seq_acc": 0.5, "held_out_seq_acc": 0.0},
        {"step": 200, "seconds": 2.0, "train_seq_acc": 1.0, "held_out_seq_acc": 0.1},
        {"step": 300, "seconds": 3.0, "train_seq_acc": 1.0, "held_out_seq_acc": 0.995},
    ]
    assert grokking_events(records) == {
        "memorised_step": 200,
        "memorised_seconds": 2.0,
        "grokked_step": 300,
        "grokked_seconds": 3.0,
    }
    assert grokking_events(records[:2])["grokked_step"] is None
