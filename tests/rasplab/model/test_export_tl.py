"""Export to TransformerLens; runs only where the `tl` extra is installed."""

import pytest
import torch

from rasplab.model import Transformer, TransformerConfig, act_name
from rasplab.model.export_tl import to_transformer_lens

pytest.importorskip(
    "transformer_lens", reason="the tl extra is not installed here; `make test-tl` runs this"
)

BASE = dict(d_vocab=7, n_ctx=6, d_model=12, n_layers=2, n_heads=2, d_head=3, d_mlp=10)
TOKENS = torch.randint(0, 7, (3, 6), generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        dict(causal=True, normalization="LN", act_fn="gelu", d_vocab_out=4),
        dict(n_layers=3, n_heads=[2, 0, 3], d_head=[3, 1, 2], d_mlp=[0, 8, 4]),
        dict(n_heads=[1, 0], d_mlp=[0, 5], normalization="LN", causal=True),
        dict(d_mlp=0, attn_scale=1.0, positional_embeddings=False),
    ],
    ids=["plain", "causal-ln-gelu", "mixed-widths", "ln-missing-sublayers", "compiled-style"],
)
def test_exported_model_gives_the_same_logits_and_patterns(overrides):
    cfg = TransformerConfig(**{**BASE, **overrides})
    model = Transformer(cfg, init_std=0.5, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        for name, p in model.named_parameters():  # nonzero biases, so they are checked too
            if name.rsplit(".", 1)[-1].startswith("b"):
                p.normal_(0, 0.3, generator=torch.Generator().manual_seed(len(name)))
    rng_state = torch.random.get_rng_state()
    bridge = to_transformer_lens(model)
    assert torch.equal(torch.random.get_rng_state(), rng_state)
    ours, cache = model.run_with_cache(TOKENS)
    theirs, tl_cache = bridge.run_with_cache(TOKENS)
    torch.testing.assert_close(theirs, ours, rtol=1e-5, atol=1e-5)
    for layer, n_heads in enumerate(cfg.heads_per_layer):
        name = act_name("resid_post", layer)
        torch.testing.assert_close(tl_cache[name], cache[name], rtol=1e-5, atol=1e-5)
        if n_heads:  # the real heads; any padding heads after them write nothing
            name = act_name("pattern", layer)
            torch.testing.assert_close(tl_cache[name][:, :n_heads], cache[name])


def test_padding_mask_carries_over():
    cfg = TransformerConfig(**{**BASE, "causal": True})
    model = Transformer(cfg, generator=torch.Generator().manual_seed(0))
    mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4])
    ours = model(TOKENS, attention_mask=mask.bool())
    theirs = to_transformer_lens(model)(TOKENS, attention_mask=mask)
    real = mask.bool()
    torch.testing.assert_close(theirs[real], ours[real], rtol=1e-5, atol=1e-5)


def test_float64_models_export_in_float64():
    model = Transformer(TransformerConfig(**BASE), generator=torch.Generator().manual_seed(0))
    model = model.double()
    bridge = to_transformer_lens(model)
    theirs = bridge(TOKENS)
    assert theirs.dtype == torch.float64
    torch.testing.assert_close(theirs, model(TOKENS), rtol=1e-10, atol=1e-10)


def test_a_model_without_layers_is_refused():
    model = Transformer(TransformerConfig(**{**BASE, "n_layers": 0}))
    with pytest.raises(ValueError, match="no layers"):
        to_transformer_lens(model)
