import json
import os

import pytest
import torch

import rasplab.model.io
from rasplab.model import Transformer, TransformerConfig, config_path, default_device, load, save

CFG = TransformerConfig(
    d_vocab=6,
    n_ctx=7,
    d_model=10,
    n_layers=3,
    n_heads=[2, 0, 1],
    d_head=[3, 1, 4],
    d_mlp=[0, 8, 5],
    d_vocab_out=4,
    normalization="LN",
    causal=True,
    act_fn="gelu",
    labels={"tokens": ["a", "b", "c", "d", "e", "BOS"], "resid": [["x", 1], ["y", 2.5]]},
)
TOKENS = torch.randint(0, 6, (3, 7), generator=torch.Generator().manual_seed(0))


def trained_like() -> Transformer:
    return Transformer(CFG, generator=torch.Generator().manual_seed(0))


def test_round_trip_is_bit_exact(tmp_path):
    original = trained_like()
    path = tmp_path / "m.safetensors"
    save(original, path)
    loaded = load(path)
    assert loaded.cfg == original.cfg
    assert loaded.cfg.labels == CFG.labels
    a, b = original.state_dict(), loaded.state_dict()
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and torch.equal(a[k], b[k]), k
    assert torch.equal(loaded(TOKENS), original(TOKENS))


def test_loaded_model_is_trainable(tmp_path):
    save(trained_like(), tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors", device="cpu")
    params = dict(loaded.named_parameters())
    assert set(params) == set(loaded.state_dict())
    assert all(isinstance(p, torch.nn.Parameter) and p.requires_grad for p in params.values())
    loaded(TOKENS).sum().backward()
    assert loaded.embed.W_E.grad is not None


def test_float64_models_stay_float64(tmp_path):
    original = trained_like().double()
    original.save(tmp_path / "m.safetensors")
    loaded = Transformer.load(tmp_path / "m.safetensors")
    assert all(p.dtype == torch.float64 for p in loaded.parameters())
    assert torch.equal(loaded(TOKENS), original(TOKENS))


def test_files_written_and_nothing_else(tmp_path):
    save(trained_like(), tmp_path / "m.safetensors")
    save(trained_like(), tmp_path / "m.safetensors")  # overwriting is fine
    assert sorted(os.listdir(tmp_path)) == ["m.json", "m.safetensors"]
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc == {"format": "rasplab.Transformer", "version": 1, "config": CFG.to_dict()}
    assert config_path(tmp_path / "m.safetensors") == tmp_path / "m.json"


def test_loading_does_not_touch_the_global_rng(tmp_path):
    save(trained_like(), tmp_path / "m.safetensors")
    state = torch.random.get_rng_state()
    load(tmp_path / "m.safetensors")
    assert torch.equal(torch.random.get_rng_state(), state)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    save(trained_like(), path)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError("disk full")

    monkeypatch.setattr(rasplab.model.io.os, "fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        save(Transformer(CFG, init="zeros"), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.json", "m.safetensors"]


def test_missing_files_are_named(tmp_path):
    path = tmp_path / "m.safetensors"
    with pytest.raises(FileNotFoundError, match=r"m\.safetensors: no such weights file"):
        load(path)
    save(trained_like(), path)
    (tmp_path / "m.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"m\.json: no config beside the weights"):
        load(path)


def test_weights_that_do_not_fit_the_config_are_explained(tmp_path):
    save(trained_like(), tmp_path / "a.safetensors")
    other = TransformerConfig(
        d_vocab=6,
        n_ctx=7,
        d_model=10,
        n_layers=3,
        n_heads=[1, 0, 1],
        d_head=[3, 1, 4],
        d_mlp=[0, 8, 5],
        d_vocab_out=4,
        causal=True,
    )
    save(Transformer(other), tmp_path / "b.safetensors")
    os.replace(tmp_path / "a.json", tmp_path / "b.json")
    with pytest.raises(ValueError) as err:
        load(tmp_path / "b.safetensors")
    message = str(err.value)
    assert "b.safetensors does not match its config b.json" in message
    assert "blocks.0.attn.W_Q is [1, 10, 3], the config needs [2, 10, 3]" in message
    assert "missing blocks.0.ln1.w [10]" in message


@pytest.mark.parametrize(
    ("config_text", "message"),
    [
        ("{not json", r"m\.json: not valid JSON"),
        ('{"format": "something else"}', r"m\.json: not a rasplab.Transformer config"),
        ('{"format": "rasplab.Transformer", "version": 2}', r"m\.json: format version 2"),
        (
            '{"format": "rasplab.Transformer", "version": 1, "config": {"d_vocab": 3}}',
            r"m\.json: invalid config: config lacks required keys",
        ),
    ],
)
def test_bad_configs_are_named(tmp_path, config_text, message):
    save(trained_like(), tmp_path / "m.safetensors")
    (tmp_path / "m.json").write_text(config_text)
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "m.safetensors")


def test_corrupt_weights_are_named(tmp_path):
    save(trained_like(), tmp_path / "m.safetensors")
    (tmp_path / "m.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(ValueError, match=r"m\.safetensors: not a readable safetensors file"):
        load(tmp_path / "m.safetensors")


def test_the_config_path_is_not_the_weights_path(tmp_path):
    with pytest.raises(ValueError, match="give the weights path"):
        save(trained_like(), tmp_path / "m.json")


def test_load_onto_the_default_device(tmp_path):
    original = trained_like()
    save(original, tmp_path / "m.safetensors")
    device = default_device()
    loaded = load(tmp_path / "m.safetensors", device=device)
    assert all(p.device.type == device for p in loaded.parameters())
    logits = loaded(TOKENS.to(device))
    torch.testing.assert_close(logits.cpu(), original(TOKENS), rtol=1e-4, atol=1e-4)
