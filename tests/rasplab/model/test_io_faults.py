"""Loading models with weights a model cannot compute with (issue 11): NaN, integers,
half precision, and configs too large to allocate."""

from __future__ import annotations

import json

import pytest
import safetensors.torch
import torch
from rasplab.rasp import limits

from rasplab.model import Transformer, load, save
from rasplab.model.config import TransformerConfig

CFG = TransformerConfig(d_vocab=5, n_ctx=4, d_model=8, n_layers=1, n_heads=1, d_head=4, d_mlp=8)


def _saved_with(tmp_path, change):
    path = tmp_path / "m.safetensors"
    save(Transformer(CFG), path)
    tensors = safetensors.torch.load_file(path)
    tensors["embed.W_E"] = change(tensors["embed.W_E"])
    safetensors.torch.save_file(tensors, path)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda w: w * float("nan"), "NaN or infinite"),
        (lambda w: w.long(), "dtype int64"),
    ],
)
def test_unusable_weights_are_refused_with_their_name(tmp_path, change, message):
    with pytest.raises(ValueError, match=rf"embed.W_E .*{message}|{message}"):
        load(_saved_with(tmp_path, change))


def test_half_precision_is_widened_and_runs(tmp_path):
    model = load(_saved_with(tmp_path, lambda w: w.half()))
    assert model.embed.W_E.dtype == torch.float32
    assert model(torch.tensor([[1, 2, 3]])).isfinite().all()


def test_a_huge_config_is_refused_before_allocating(tmp_path):
    path = _saved_with(tmp_path, lambda w: w)
    doc = json.loads(path.with_suffix(".json").read_text())
    doc["config"]["d_model"] = doc["config"]["d_mlp"] = 10**6  # 4 TB of float32
    path.with_suffix(".json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"parameter count is .* above the limit"):
        load(path)
    with limits.lifted():
        limits.check("anything", 10**12, 1)  # lifted: nothing refused
        TransformerConfig(**{**CFG.to_dict(), "d_model": 10**6, "d_mlp": 10**6}).check_size()
