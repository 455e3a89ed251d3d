import math
from functools import cache

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from rasplab.model import Transformer, TransformerConfig, default_device

BASE = dict(d_vocab=7, n_ctx=8, d_model=12, n_layers=2, n_heads=2, d_head=3, d_mlp=10)


def cfg(**overrides) -> TransformerConfig:
    return TransformerConfig(**{**BASE, **overrides})


def seeded(c: TransformerConfig, seed: int = 0, std: float | None = None) -> Transformer:
    return Transformer(c, init_std=std, generator=torch.Generator().manual_seed(seed))


def tokens(batch: int, n_pos: int, d_vocab: int = 7, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, d_vocab, (batch, n_pos), generator=torch.Generator().manual_seed(seed))


# Shapes and parameter names


def test_parameter_names_and_shapes_follow_transformer_lens():
    c = cfg(n_layers=3, n_heads=[2, 0, 1], d_head=[3, 1, 5], d_mlp=[0, 6, 4], d_vocab_out=4)
    shapes = {k: tuple(v.shape) for k, v in Transformer(c).state_dict().items()}
    assert shapes == {
        "embed.W_E": (7, 12),
        "pos_embed.W_pos": (8, 12),
        **{f"blocks.0.attn.{w}": (2, 12, 3) for w in ("W_Q", "W_K", "W_V")},
        **{f"blocks.0.attn.{b}": (2, 3) for b in ("b_Q", "b_K", "b_V")},
        "blocks.0.attn.W_O": (2, 3, 12),
        "blocks.0.attn.b_O": (12,),
        "blocks.1.mlp.W_in": (12, 6),
        "blocks.1.mlp.b_in": (6,),
        "blocks.1.mlp.W_out": (6, 12),
        "blocks.1.mlp.b_out": (12,),
        **{f"blocks.2.attn.{w}": (1, 12, 5) for w in ("W_Q", "W_K", "W_V")},
        **{f"blocks.2.attn.{b}": (1, 5) for b in ("b_Q", "b_K", "b_V")},
        "blocks.2.attn.W_O": (1, 5, 12),
        "blocks.2.attn.b_O": (12,),
        "blocks.2.mlp.W_in": (12, 4),
        "blocks.2.mlp.b_in": (4,),
        "blocks.2.mlp.W_out": (4, 12),
        "blocks.2.mlp.b_out": (12,),
        "unembed.W_U": (12, 4),
        "unembed.b_U": (4,),
    }


def test_layernorm_and_positional_switches_change_the_parameters():
    keys = set(Transformer(cfg(n_layers=1, normalization="LN")).state_dict())
    assert {"blocks.0.ln1.w", "blocks.0.ln1.b", "blocks.0.ln2.w", "ln_final.w"} <= keys
    keys = set(Transformer(cfg(positional_embeddings=False)).state_dict())
    assert "pos_embed.W_pos" not in keys
    assert not any(".ln" in k or k.startswith("ln_final") for k in keys)


@pytest.mark.parametrize("normalization", [None, "LN"])
def test_output_shapes_and_residual(normalization):
    model = seeded(cfg(normalization=normalization, d_vocab_out=3))
    t = tokens(4, 5)
    logits = model(t)
    assert logits.shape == (4, 5, 3)
    resid = model.residual(t)
    assert resid.shape == (4, 5, 12)
    assert torch.equal(model.unembed(resid), logits)


def test_mixed_layer_widths_run_and_train():
    """Different head counts, a layer without attention and one without an MLP."""
    c = cfg(n_layers=3, n_heads=[3, 0, 1], d_head=[2, 1, 4], d_mlp=[0, 5, 0])
    model = seeded(c)
    t = tokens(3, 8)
    loss = model(t).logsumexp(-1).mean()
    loss.backward()
    for name, p in model.named_parameters():
        # b_K shifts every score in a row equally, which softmax ignores: its gradient is 0.
        if not name.endswith("b_K"):
            assert p.grad.abs().sum() > 0, name


def test_zero_layer_model_is_a_bigram_table():
    model = seeded(cfg(n_layers=0, positional_embeddings=False))
    t = tokens(2, 5)
    expected = model.embed.W_E[t] @ model.unembed.W_U + model.unembed.b_U
    torch.testing.assert_close(model(t), expected)


def test_training_reduces_loss_on_a_copy_task():
    torch.manual_seed(0)
    model = Transformer(cfg(n_layers=1, causal=True))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    t = tokens(32, 8)
    losses = []
    for _ in range(40):
        loss = torch.nn.functional.cross_entropy(model(t).flatten(0, 1), t.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]


# Masking


@st.composite
def edits(draw):
    n_pos = draw(st.integers(2, 8))
    seq = draw(st.lists(st.integers(0, 6), min_size=n_pos, max_size=n_pos))
    at = draw(st.integers(1, n_pos - 1))
    new = draw(st.integers(0, 6))
    assume(new != seq[at])
    return seq, at, new


CAUSAL_MODEL = seeded(cfg(causal=True), std=0.5)
BIDIRECTIONAL_MODEL = seeded(cfg(causal=False), std=0.5)


@given(edits())
def test_causal_logits_never_depend_on_later_tokens(edit):
    seq, at, new = edit
    before = torch.tensor([seq])
    after = before.clone()
    after[0, at] = new
    a, b = CAUSAL_MODEL(before), CAUSAL_MODEL(after)
    assert torch.equal(a[:, :at], b[:, :at])
    assert not torch.allclose(a[:, at], b[:, at], atol=1e-4)


@given(edits())
def test_bidirectional_logits_depend_on_later_tokens(edit):
    seq, at, new = edit
    before = torch.tensor([seq])
    after = before.clone()
    after[0, at] = new
    a, b = BIDIRECTIONAL_MODEL(before), BIDIRECTIONAL_MODEL(after)
    assert (a[:, :at] - b[:, :at]).abs().amax() > 1e-4


@cache
def padding_model(causal: bool, normalization: str | None) -> Transformer:
    """One model per configuration, built once: the drawn inputs, not the weights, vary."""
    return seeded(cfg(causal=causal, normalization=normalization), std=0.5)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("normalization", [None, "LN"])
@given(data=st.data())
def test_padding_never_changes_logits_at_real_positions(causal, normalization, data):
    model = padding_model(causal, normalization)
    lengths = data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=4))
    n_pos = max(lengths)
    padded = torch.tensor(
        data.draw(
            st.lists(
                st.lists(st.integers(0, 6), min_size=n_pos, max_size=n_pos),
                min_size=len(lengths),
                max_size=len(lengths),
            )
        )
    )
    mask = torch.arange(n_pos)[None, :] < torch.tensor(lengths)[:, None]
    logits = model(padded, attention_mask=mask)
    assert torch.isfinite(logits).all()
    for row, length in enumerate(lengths):
        alone = model(padded[row : row + 1, :length])
        torch.testing.assert_close(logits[row : row + 1, :length], alone, rtol=0, atol=1e-5)


def test_a_row_of_only_padding_stays_finite_in_value_and_gradient():
    model = seeded(cfg(causal=True, normalization="LN"))
    t = tokens(2, 6)
    mask = torch.tensor([[True] * 6, [False] * 6])
    logits = model(t, attention_mask=mask)
    assert torch.isfinite(logits).all()
    logits.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())


def test_integer_attention_mask_works_like_bool():
    model = seeded(cfg())
    t = tokens(2, 6)
    mask = torch.tensor([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0]])
    assert torch.equal(model(t, attention_mask=mask), model(t, attention_mask=mask.bool()))


# Hand-set weights with predictable attention


def test_zero_query_and_key_weights_attend_uniformly_to_allowed_keys():
    for causal in (False, True):
        model = Transformer(cfg(n_layers=1, n_heads=2, causal=causal), init="zeros")
        with torch.no_grad():
            model.embed.W_E.normal_()  # values vary, scores stay 0
        t = tokens(2, 5)
        mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
        _, cache = model.run_with_cache(t, attention_mask=mask)
        allowed = mask[:, None, None, :] & (torch.ones(5, 5).tril().bool() if causal else True)
        allowed = allowed.expand(2, 2, 5, 5)
        expected = allowed / allowed.sum(-1, keepdim=True)
        torch.testing.assert_close(cache["pattern", 0], expected.float(), rtol=0, atol=0)


def test_hand_set_previous_token_head_has_the_analytic_pattern():
    """One-hot positions; W_Q = I and W_K = c * shift make score[q, k] = c * [k == q - 1]."""
    n, c = 5, 3.0
    config = TransformerConfig(
        d_vocab=2,
        n_ctx=n,
        d_model=n,
        n_layers=1,
        n_heads=1,
        d_head=n,
        d_mlp=0,
        attn_scale=1.0,
    )
    model = Transformer(config, init="zeros")
    shift = torch.diag(torch.ones(n - 1), diagonal=1)  # key position k -> query slot k + 1
    with torch.no_grad():
        model.pos_embed.W_pos.copy_(torch.eye(n))
        model.blocks[0].attn.W_Q[0] = torch.eye(n)
        model.blocks[0].attn.W_K[0] = c * shift
        model.blocks[0].attn.W_V[0] = torch.eye(n)
        model.blocks[0].attn.W_O[0] = torch.eye(n)
    _, cache = model.run_with_cache(torch.zeros(1, n, dtype=torch.long))
    scores = c * torch.diag(torch.ones(n - 1), diagonal=-1)  # [query, key]
    expected = scores.exp() / scores.exp().sum(-1, keepdim=True)
    torch.testing.assert_close(cache["pattern", 0][0, 0], expected)
    torch.testing.assert_close(cache["attn_scores", 0][0, 0], scores)
    # W_V = W_O = I copies the one-hot positions, so the attention output is the pattern.
    torch.testing.assert_close(cache["attn_out", 0][0], expected)
    assert expected[2, 1] == pytest.approx(math.e**c / (math.e**c + n - 1))


def test_uniform_causal_head_computes_a_running_mean_exactly():
    """A compiler-style model: fraction of tokens so far that are 1, read from the stream."""
    config = TransformerConfig(
        d_vocab=2,
        n_ctx=8,
        d_model=2,
        n_layers=1,
        n_heads=1,
        d_head=1,
        d_mlp=0,
        causal=True,
        attn_scale=1.0,
        positional_embeddings=False,
        d_vocab_out=1,
    )
    model = Transformer(config, init="zeros")
    with torch.no_grad():
        model.embed.W_E[1, 0] = 1.0  # dim 0: is this token a 1
        model.blocks[0].attn.W_V[0, 0, 0] = 1.0
        model.blocks[0].attn.W_O[0, 0, 1] = 1.0  # dim 1: mean of dim 0 so far
        model.unembed.W_U[1, 0] = 1.0
    t = torch.tensor([[1, 0, 0, 1, 1, 0, 1, 1]])
    expected = t.float().cumsum(-1) / torch.arange(1, 9)
    torch.testing.assert_close(model(t)[0, :, 0], expected[0], rtol=0, atol=1e-7)


def test_default_attention_scale_is_one_over_sqrt_d_head():
    model = seeded(cfg(n_layers=1, d_head=4))
    _, cache = model.run_with_cache(tokens(2, 5))
    q, k = cache["q", 0], cache["k", 0]
    expected = torch.einsum("bqhd,bkhd->bhqk", q, k) / 2.0
    torch.testing.assert_close(cache["attn_scores", 0], expected)


@pytest.mark.parametrize("act_fn", ["relu", "gelu"])
def test_mlp_applies_its_activation(act_fn):
    model = seeded(cfg(n_layers=1, act_fn=act_fn), std=1.0)
    _, cache = model.run_with_cache(tokens(2, 5))
    act = torch.relu if act_fn == "relu" else torch.nn.functional.gelu
    torch.testing.assert_close(cache["post", 0], act(cache["pre", 0]))
    assert (cache["pre", 0] < 0).any()


def test_without_positions_bidirectional_attention_is_permutation_equivariant():
    model = seeded(cfg(positional_embeddings=False, normalization="LN"))
    t = tokens(1, 6)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    torch.testing.assert_close(model(t[:, perm]), model(t)[:, perm])


# output_positions


@pytest.mark.parametrize(
    "positions",
    [2, -1, slice(1, 4), torch.tensor([0, 3, 3]), torch.tensor([[0, 5], [2, 1], [4, 4]])],
    ids=["int", "negative", "slice", "index", "per-row"],
)
def test_output_positions_match_slicing_full_logits(positions):
    model = seeded(cfg(normalization="LN"))
    t = tokens(3, 6)
    full = model(t)
    if isinstance(positions, torch.Tensor) and positions.ndim == 2:
        expected = torch.stack([full[b, positions[b]] for b in range(3)])
    else:
        expected = full[:, positions]
    torch.testing.assert_close(model(t, output_positions=positions), expected)


def test_bool_output_positions_select_the_loss_positions():
    model = seeded(cfg())
    t = tokens(3, 6)
    where = torch.rand(3, 6, generator=torch.Generator().manual_seed(1)) > 0.5
    torch.testing.assert_close(model(t, output_positions=where), model(t)[where])


def test_the_last_mlp_runs_only_at_output_positions():
    model = seeded(cfg())
    rows = []
    model.blocks[-1].mlp.register_forward_pre_hook(lambda _, args: rows.append(args[0].shape))
    model(tokens(3, 6), output_positions=-1)
    model(tokens(3, 6))
    assert rows == [torch.Size([3, 12]), torch.Size([3, 6, 12])]


@pytest.mark.parametrize("normalization", [None, "LN"])
def test_output_positions_give_the_same_gradients_as_full_logits(normalization):
    t = tokens(4, 6)
    where = torch.rand(4, 6, generator=torch.Generator().manual_seed(2)) > 0.4
    grads = []
    for trimmed in (True, False):
        model = seeded(cfg(normalization=normalization))
        logits = model(t, output_positions=where) if trimmed else model(t)[where]
        logits.logsumexp(-1).sum().backward()
        grads.append({n: p.grad for n, p in model.named_parameters()})
    for name, grad in grads[0].items():
        torch.testing.assert_close(grad, grads[1][name], msg=name)


@pytest.mark.parametrize(
    "hook_name", ["blocks.1.hook_resid_post", "blocks.1.mlp.hook_post", "ln_final.hook_scale"]
)
def test_hooks_in_the_last_block_see_every_position(hook_name):
    model = seeded(cfg(normalization="LN"))
    t = tokens(3, 6)
    _, cache = model.run_with_cache(t, hook_name, output_positions=-1)
    assert cache[hook_name].shape[:2] == (3, 6)
    patched = model.run_with_hooks(t, [(hook_name, lambda x, hook: x * 0 + 1)], output_positions=-1)
    full = model.run_with_hooks(t, [(hook_name, lambda x, hook: x * 0 + 1)])
    torch.testing.assert_close(patched, full[:, -1])


def test_bad_output_positions_are_explained():
    model = seeded(cfg())
    with pytest.raises(ValueError, match=r"bool output_positions must be \[batch, pos\]"):
        model(tokens(3, 6), output_positions=torch.ones(3, 5, dtype=torch.bool))
    with pytest.raises(TypeError, match="output_positions must be"):
        model(tokens(3, 6), output_positions=[1, 2])


# Inputs


@pytest.mark.parametrize(
    ("t", "kwargs", "error", "message"),
    [
        (torch.zeros(5, dtype=torch.long), {}, ValueError, r"must be \[batch, pos\]"),
        (torch.zeros(1, 5), {}, TypeError, "integer ids"),
        (torch.zeros(1, 9, dtype=torch.long), {}, ValueError, "exceeds n_ctx=8"),
        (torch.tensor([[0, 7]]), {}, ValueError, r"must lie in \[0, 7\)"),
        (torch.tensor([[0, -1]]), {}, ValueError, r"must lie in \[0, 7\)"),
        (
            torch.zeros(2, 3, dtype=torch.long),
            {"attention_mask": torch.ones(2, 4)},
            ValueError,
            "attention_mask has shape",
        ),
    ],
)
def test_bad_inputs_are_explained(t, kwargs, error, message):
    with pytest.raises(error, match=message):
        seeded(cfg())(t, **kwargs)


# Initialisation and devices


def test_zeros_init_sets_every_parameter_to_zero():
    model = Transformer(cfg(normalization="LN"), init="zeros")
    assert all((p == 0).all() for p in model.parameters())
    assert (model(tokens(2, 4)) == 0).all()


def test_normal_init_is_seeded_by_generator_or_global_seed():
    a, b, c = seeded(cfg(), 0), seeded(cfg(), 0), seeded(cfg(), 1)
    for (name, pa), pb, pc in zip(a.named_parameters(), b.parameters(), c.parameters()):
        assert torch.equal(pa, pb), name
        if name.rsplit(".", 1)[-1].startswith("W"):
            assert not torch.equal(pa, pc), name
    torch.manual_seed(3)
    d = Transformer(cfg())
    torch.manual_seed(3)
    e = Transformer(cfg())
    assert all(torch.equal(pd, pe) for pd, pe in zip(d.parameters(), e.parameters()))


def test_normal_init_scales():
    c = TransformerConfig(
        d_vocab=50,
        n_ctx=8,
        d_model=64,
        n_layers=2,
        n_heads=4,
        d_head=16,
        d_mlp=256,
        normalization="LN",
    )
    model = seeded(c)
    std = 0.8 / math.sqrt(64)
    assert model.embed.W_E.std().item() == pytest.approx(std, rel=0.1)
    assert model.blocks[0].mlp.W_out.std().item() == pytest.approx(std / 2, rel=0.1)
    assert (model.blocks[0].ln1.w == 1).all() and (model.blocks[0].attn.b_Q == 0).all()
    assert seeded(c, std=0.02).embed.W_E.std().item() == pytest.approx(0.02, rel=0.1)
    with pytest.raises(ValueError, match="init must be"):
        Transformer(c, init="xavier")


def test_default_device_and_to():
    device = default_device()
    assert device == ("cuda" if torch.cuda.is_available() else "cpu")
    model = seeded(cfg(normalization="LN", causal=True))
    t = tokens(2, 6)
    expected = model(t)
    moved = model.to(device)
    assert all(p.device.type == device for p in moved.parameters())
    logits, cache = moved.run_with_cache(t.to(device))
    assert cache["pattern", 0].device.type == device
    torch.testing.assert_close(logits.cpu(), expected, rtol=1e-4, atol=1e-4)
