"""Dimensionality reduction: shapes, and PCA of a one-hot embedding (all directions
equal, so each axis explains 1 / (n - 1) of the variance)."""

import numpy as np
import pytest

from rasplab.analysis.reduce import project, spectrum, weight_matrices


def test_pca_of_a_compiled_one_hot_embedding(induction_model):
    W_E = induction_model.embed.W_E.detach().numpy()[1:]
    tokens = W_E[:, (W_E != 0).sum(0) == 1]  # a token's own dimension: a one-hot code
    n = len(tokens)
    assert np.array_equal(tokens, np.eye(n))
    pca = project(tokens, "pca")
    assert pca.points.shape == (n, 2)
    assert pca.explained == pytest.approx([1 / (n - 1)] * 2)
    assert spectrum(tokens)["effective_rank"] == pytest.approx(n)


@pytest.mark.parametrize("method", ["nmf", "tsne"])
def test_every_method_gives_two_coordinates_per_row(method):
    data = np.random.default_rng(0).normal(size=(30, 6))
    projection = project(data, method)
    assert projection.points.shape == (30, 2)
    assert np.isfinite(projection.points).all()
    if method == "nmf":
        assert (projection.points >= 0).all()


def test_two_clusters_stay_apart_under_tsne():
    rng = np.random.default_rng(1)
    data = np.vstack([rng.normal(0, 0.1, (15, 5)), rng.normal(5, 0.1, (15, 5))])
    points = project(data, "tsne").points
    a, b = points[:15].mean(0), points[15:].mean(0)
    assert np.linalg.norm(a - b) > 3 * max(points[:15].std(), points[15:].std())


def test_weight_matrices_name_each_circuit(induction_model):
    names = set(weight_matrices(induction_model))
    assert {"W_E", "W_U", "W_pos", "L1H0 OV", "L1H0 QK", "L2H0 OV", "L0 W_in"} <= names


def test_an_unknown_method_is_named():
    with pytest.raises(ValueError, match="unknown method 'lda'"):
        project(np.zeros((5, 2)), "lda")
