"""DLA beside ablation on a model whose MLP works by suppressing a wrong logit."""

import pytest

from rasplab.analysis.ablation import ablation_effects, same_length_donors
from rasplab.analysis.attribution import direct_logit_attribution
from rasplab.analysis.components import components
from rasplab.analysis.inputs import encode
from rasplab.analysis.run import analyse

from .conftest import C


@pytest.fixture(scope="module")
def probe(suppressor_model):
    inputs = [[t] for t in range(C)] * 10
    return encode(suppressor_model, inputs, inputs, list(range(C)), list(range(C)), True, None)


def test_dla_adds_up_and_understates_the_suppressor(suppressor_model, probe):
    att = direct_logit_attribution(suppressor_model, probe)
    # correct - mean logit: 3 - (3 + 4 - 5) / C, all of it direct
    assert att.measure == pytest.approx(3 - 2 / C)
    assert att.dla["embed"] + att.dla["L0 MLP"] + att.bias == pytest.approx(att.measure)
    assert att.dla["embed"] == pytest.approx(3 - 7 / C)
    assert att.dla["L0 MLP"] == pytest.approx(5 / C)
    assert att.suppression["L0 MLP"] == pytest.approx(5 - 5 / C)
    assert att.suppression["L0 MLP"] > 5 * att.dla["L0 MLP"]


def test_ablation_finds_what_dla_misses(suppressor_model, probe):
    for method in ("mean", "resample"):
        effects = ablation_effects(suppressor_model, probe, components(suppressor_model), method)
        assert effects["L0 MLP"]["accuracy"] < -0.8, method  # without it, class t + 1 wins
        assert effects["L0 MLP"]["loss"] > 0.5, method


def test_the_report_flags_the_suppressor(suppressor_model):
    result = analyse(suppressor_model, n=60, methods=("pca",))
    assert result.suppressors() == ["L0 MLP"]
    assert result.to_json()["suppressors"] == ["L0 MLP"]


def test_resample_donors_share_the_length_and_are_never_the_row_itself():
    import torch

    mask = torch.tensor([[1, 1, 0], [1, 1, 1], [1, 1, 0], [1, 1, 1], [1, 0, 0]], dtype=bool)
    donors = same_length_donors(mask, seed=3)
    assert donors.tolist()[4] == 4  # alone at its length
    for row, donor in enumerate(donors[:4]):
        assert donor != row and mask[donor].sum() == mask[row].sum()
