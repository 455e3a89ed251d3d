import pytest
import torch

from rasplab.model import ActivationCache, HookPoint, Transformer, TransformerConfig, act_name

CFG = TransformerConfig(
    d_vocab=7,
    n_ctx=8,
    d_model=12,
    n_layers=2,
    n_heads=[2, 1],
    d_head=3,
    d_mlp=[10, 0],
    normalization="LN",
    causal=True,
)
MODEL = Transformer(CFG, generator=torch.Generator().manual_seed(0))
TOKENS = torch.randint(0, 7, (3, 6), generator=torch.Generator().manual_seed(0))
OTHER_TOKENS = torch.randint(0, 7, (3, 6), generator=torch.Generator().manual_seed(1))


@pytest.fixture(autouse=True)
def no_hooks_left_behind():
    yield
    MODEL.reset_hooks()


def all_inactive(model: Transformer) -> bool:
    return not any(m.active for m in model.modules() if isinstance(m, HookPoint))


def test_hook_points_are_named_like_transformer_lens_in_forward_order():
    ln = lambda where: [f"{where}.hook_scale", f"{where}.hook_normalized"]  # noqa: E731
    attn = lambda layer: [  # noqa: E731
        f"blocks.{layer}.attn.hook_{n}"
        for n in ("q", "k", "v", "attn_scores", "pattern", "z", "result")
    ]
    assert MODEL.hook_points() == [
        "hook_embed",
        "hook_pos_embed",
        "blocks.0.hook_resid_pre",
        *ln("blocks.0.ln1"),
        *attn(0),
        "blocks.0.hook_attn_out",
        "blocks.0.hook_resid_mid",
        *ln("blocks.0.ln2"),
        "blocks.0.mlp.hook_pre",
        "blocks.0.mlp.hook_post",
        "blocks.0.hook_mlp_out",
        "blocks.0.hook_resid_post",
        "blocks.1.hook_resid_pre",
        *ln("blocks.1.ln1"),
        *attn(1),
        "blocks.1.hook_attn_out",
        "blocks.1.hook_resid_mid",  # layer 1 has no MLP, so no MLP hooks
        "blocks.1.hook_resid_post",
        *ln("ln_final"),
    ]


def test_layers_without_attention_or_positions_have_no_such_hooks():
    c = TransformerConfig(
        d_vocab=3,
        n_ctx=4,
        d_model=4,
        n_layers=1,
        n_heads=0,
        d_head=1,
        d_mlp=4,
        positional_embeddings=False,
    )
    assert Transformer(c).hook_points() == [
        "hook_embed",
        "blocks.0.hook_resid_pre",
        "blocks.0.hook_resid_mid",
        "blocks.0.mlp.hook_pre",
        "blocks.0.mlp.hook_post",
        "blocks.0.hook_mlp_out",
        "blocks.0.hook_resid_post",
    ]


def test_cache_holds_every_hook_point_with_documented_shapes():
    logits, cache = MODEL.run_with_cache(TOKENS)
    assert list(cache.keys()) == MODEL.hook_points()
    b, p, d = 3, 6, 12
    assert cache["hook_embed"].shape == (b, p, d)
    assert cache["hook_pos_embed"].shape == (b, p, d)
    for name in ("q", "k", "v", "z"):
        assert cache[name, 0].shape == (b, p, 2, 3)
    assert cache["attn_scores", 0].shape == (b, 2, p, p)
    assert cache["pattern", 1].shape == (b, 1, p, p)
    assert cache["result", 0].shape == (b, p, 2, d)
    assert cache["pre", 0].shape == (b, p, 10)
    for name in ("resid_pre", "attn_out", "resid_mid", "mlp_out", "resid_post"):
        assert cache[name, 0].shape == (b, p, d)
    assert cache["normalized"].shape == (b, p, d)
    assert cache["scale", 0, "ln1"].shape == (b, p, 1)
    assert not any(v.requires_grad for v in cache.values())
    torch.testing.assert_close(logits, MODEL(TOKENS))


def test_cached_activations_fit_together():
    _, cache = MODEL.run_with_cache(TOKENS)
    torch.testing.assert_close(cache["resid_pre", 0], cache["hook_embed"] + cache["hook_pos_embed"])
    torch.testing.assert_close(cache["resid_mid", 0], cache["resid_pre", 0] + cache["attn_out", 0])
    torch.testing.assert_close(cache["resid_post", 1], cache["resid_mid", 1])
    torch.testing.assert_close(cache["pattern", 0].sum(-1), torch.ones(3, 2, 6))
    # Per-head results sum to the attention output (less the output bias).
    b_O = MODEL.blocks[0].attn.b_O.detach()
    torch.testing.assert_close(cache["result", 0].sum(2) + b_O, cache["attn_out", 0])
    # Causal: the masked scores are -inf and the pattern there is 0.
    upper = torch.ones(6, 6).triu(1).bool()
    assert (cache["attn_scores", 0][..., upper] == float("-inf")).all()
    assert (cache["pattern", 0][..., upper] == 0).all()


@pytest.mark.parametrize(
    ("key", "name"),
    [
        (("pattern", 0), "blocks.0.attn.hook_pattern"),
        (("attn", 1), "blocks.1.attn.hook_pattern"),
        (("k", 1, "a"), "blocks.1.attn.hook_k"),
        (("attn_logits", 0), "blocks.0.attn.hook_attn_scores"),
        (("pre", 0), "blocks.0.mlp.hook_pre"),
        (("mlp_post", 0), "blocks.0.mlp.hook_post"),
        (("resid_pre", 1), "blocks.1.hook_resid_pre"),
        (("normalized", 0, "ln2"), "blocks.0.ln2.hook_normalized"),
        (("embed",), "hook_embed"),
        (("pos_embed",), "hook_pos_embed"),
        (("scale",), "ln_final.hook_scale"),
        (("blocks.0.hook_mlp_out",), "blocks.0.hook_mlp_out"),
    ],
)
def test_shorthand_names(key, name):
    assert act_name(*key) == name
    _, cache = MODEL.run_with_cache(TOKENS)
    lookup = key if len(key) > 1 else key[0]
    assert cache[lookup] is cache[name]


def test_missing_cache_key_suggests_names():
    _, cache = MODEL.run_with_cache(TOKENS, names_filter="blocks.0.attn.hook_pattern")
    assert list(cache) == ["blocks.0.attn.hook_pattern"]
    with pytest.raises(KeyError, match=r"did you mean blocks\.0\.attn\.hook_pattern"):
        cache["blocks.0.attn.hook_patern"]
    assert ("pattern", 1) not in cache and ("pattern", 0) in cache


def test_names_filter_forms():
    _, cache = MODEL.run_with_cache(TOKENS, names_filter=["hook_embed", "blocks.1.hook_resid_post"])
    assert list(cache) == ["hook_embed", "blocks.1.hook_resid_post"]
    _, cache = MODEL.run_with_cache(TOKENS, names_filter=lambda n: n.endswith("hook_pattern"))
    assert list(cache) == ["blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"]
    with pytest.raises(ValueError, match="no hook point named 'hook_embedding'"):
        MODEL.run_with_cache(TOKENS, names_filter=["hook_embedding"])
    assert all_inactive(MODEL)


def test_cache_to_device_copies_every_activation():
    _, cache = MODEL.run_with_cache(TOKENS)
    moved = cache.to("cpu")
    assert isinstance(moved, ActivationCache) and list(moved) == list(cache)
    assert all(torch.equal(moved[k], cache[k]) for k in cache)


def test_hook_sees_its_name_and_a_none_return_changes_nothing():
    seen = []
    logits = MODEL.run_with_hooks(
        TOKENS, [(lambda n: "hook_resid" in n, lambda x, hook: seen.append(hook.name))]
    )
    assert seen == [n for n in MODEL.hook_points() if "hook_resid" in n]
    assert torch.equal(logits, MODEL(TOKENS))


def test_zero_ablating_every_head_leaves_only_the_output_bias():
    def ablate(z, hook):
        return torch.zeros_like(z)

    logits = MODEL.run_with_hooks(TOKENS, [("blocks.0.attn.hook_z", ablate)])
    assert not torch.allclose(logits, MODEL(TOKENS), atol=1e-4)
    with MODEL.hooks([("blocks.0.attn.hook_z", ablate)]):
        _, cache = MODEL.run_with_cache(TOKENS)  # the cache sees the patched run
    b_O = MODEL.blocks[0].attn.b_O.detach()
    assert torch.equal(cache["attn_out", 0], b_O.expand(3, 6, 12))


def test_ablating_a_head_in_result_equals_ablating_it_in_z():
    def zero_head_1(x, hook):
        x = x.clone()
        x[:, :, 1] = 0
        return x

    via_z = MODEL.run_with_hooks(TOKENS, [("blocks.0.attn.hook_z", zero_head_1)])
    via_result = MODEL.run_with_hooks(TOKENS, [("blocks.0.attn.hook_result", zero_head_1)])
    torch.testing.assert_close(via_result, via_z)
    assert not torch.allclose(via_z, MODEL(TOKENS), atol=1e-4)


def test_patching_the_whole_residual_stream_transplants_the_source_output():
    # (Caching hook_result would change how heads are summed, hence the filter.)
    source_logits, source = MODEL.run_with_cache(OTHER_TOKENS, lambda n: "result" not in n)
    patched = MODEL.run_with_hooks(
        TOKENS, [("blocks.0.hook_resid_pre", lambda x, hook: source[hook.name])]
    )
    assert torch.equal(patched, source_logits)


def test_patching_one_position_only_changes_that_position_and_later():
    _, source = MODEL.run_with_cache(OTHER_TOKENS, names_filter="blocks.1.hook_resid_pre")

    def patch_position_3(x, hook):
        x = x.clone()
        x[:, 3] = source[hook.name][:, 3]
        return x

    base = MODEL(TOKENS)
    patched = MODEL.run_with_hooks(TOKENS, [("blocks.1.hook_resid_pre", patch_position_3)])
    assert torch.equal(patched[:, :3], base[:, :3])  # causal: earlier positions untouched
    assert not torch.allclose(patched[:, 3:], base[:, 3:], atol=1e-4)


def test_hooks_are_removed_after_an_exception():
    def boom(x, hook):
        raise RuntimeError("boom")

    base = MODEL(TOKENS)
    with pytest.raises(RuntimeError, match="boom"):
        MODEL.run_with_hooks(
            TOKENS, [("hook_embed", lambda x, hook: x * 0), ("blocks.1.attn.hook_v", boom)]
        )
    assert all_inactive(MODEL)
    assert torch.equal(MODEL(TOKENS), base)
    with pytest.raises(RuntimeError, match="boom"), MODEL.hooks([("hook_embed", boom)]):
        MODEL(TOKENS)
    assert all_inactive(MODEL)


def test_hooks_context_manager_scopes_the_hooks():
    base = MODEL(TOKENS)
    with MODEL.hooks([("hook_embed", lambda x, hook: x * 2)]) as model:
        assert model is MODEL
        assert not torch.allclose(MODEL(TOKENS), base)
    assert all_inactive(MODEL)
    assert torch.equal(MODEL(TOKENS), base)


def test_unknown_hook_name_is_an_error_with_suggestions():
    with pytest.raises(ValueError, match=r"did you mean blocks\.0\.hook_attn_out"):
        MODEL.run_with_hooks(TOKENS, [("blocks.0.hook_attn_ou", lambda x, hook: x)])
    with pytest.raises(TypeError, match="name or a predicate"):
        MODEL.run_with_hooks(TOKENS, [(3, lambda x, hook: x)])
    assert all_inactive(MODEL)


def test_a_replacement_of_the_wrong_shape_is_named():
    with pytest.raises(
        ValueError, match=r"hook on blocks\.0\.attn\.hook_pattern returned \(3, 6\)"
    ):
        MODEL.run_with_hooks(
            TOKENS, [("blocks.0.attn.hook_pattern", lambda x, hook: torch.zeros(3, 6))]
        )
    assert all_inactive(MODEL)


def test_hooks_attached_by_hand_are_cleared_by_reset_hooks():
    base = MODEL(TOKENS)
    point = MODEL.blocks[0].hook_resid_post
    point.add_hook(lambda x, hook: x + 1)
    assert point.active and not torch.allclose(MODEL(TOKENS), base)
    MODEL.reset_hooks()
    assert all_inactive(MODEL)
    assert torch.equal(MODEL(TOKENS), base)
