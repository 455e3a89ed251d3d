"""A rotated model with unread noise dimensions computes exactly what the original
does, and its residual stream is the original's in the new basis."""

import numpy as np
import pytest
import torch
from rasplab.compiler import compile_program
from rasplab.rasp.tokens import TokenIds

from rasplab import tasks
from rasplab.model import Transformer, TransformerConfig
from rasplab.model.ablate import without_head, without_layer
from rasplab.model.rotate import rotated, rotation

CASES = [("sort5", "rank"), ("reverse", "index"), ("hist", "same_token"),
         ("induction", "prev_token")]


def _compiled(task_name: str, hypothesis: str) -> Transformer:
    task = tasks.get(task_name)
    domain = task.sample(np.random.default_rng(0), 300)[0]
    program = task.hypotheses[hypothesis].program()
    return compile_program(program, list(task.vocab), task.max_len, task.causal, domain).model


@pytest.fixture(scope="module", params=CASES, ids=[f"{t}-{h}" for t, h in CASES])
def compiled(request) -> tuple[Transformer, str]:
    return _compiled(*request.param), request.param[0]


def _tokens(model: Transformer, n: int = 64) -> torch.Tensor:
    g = torch.Generator().manual_seed(5)
    return torch.randint(0, model.cfg.d_vocab, (n, model.cfg.n_ctx), generator=g)


def _task_tokens(task_name: str) -> torch.Tensor:
    """In-domain inputs of the task's longest length, BOS first."""
    task = tasks.get(task_name)
    inputs = task.sample(np.random.default_rng(9), 200)[0]
    longest = max(map(len, inputs))
    ids = TokenIds(task.vocab)
    return torch.tensor([ids.encode(x) for x in inputs if len(x) == longest])


def test_logits_are_unchanged(compiled):
    model, task_name = compiled
    for seed in (0, 1):
        turned = rotated(model, seed=seed, extra_dims=3)
        assert turned.cfg.d_model == model.cfg.d_model + 3
        assert turned.cfg.labels == model.cfg.labels
        tokens = _task_tokens(task_name)
        with torch.no_grad():
            before, after = model(tokens)[:, 1:], turned(tokens)[:, 1:]  # BOS: no output
        assert torch.allclose(before, after, atol=1e-3)
        assert torch.equal(before.argmax(-1), after.argmax(-1))


def test_exact_in_double_precision_on_any_input(compiled):
    """Compiled weights are large (attention scores near 1e4), so float32 rounding
    moves near-ties off the task's domain; in float64 the two agree on anything."""
    model = compiled[0].double()
    turned = rotated(model, seed=3, extra_dims=5)
    tokens = _tokens(model)
    with torch.no_grad():
        assert torch.allclose(model(tokens), turned(tokens), atol=1e-8)


def test_residuals_are_the_rotated_ones(compiled):
    compiled = compiled[0].double()
    extra, d = 3, compiled.cfg.d_model
    turned = rotated(compiled, seed=2, extra_dims=extra)
    q = rotation(compiled, seed=2, extra_dims=extra)
    tokens = _tokens(compiled, 16)
    names = [n for n in compiled.hook_points() if "resid" in n]
    with torch.no_grad():
        _, before = compiled.run_with_cache(tokens, names)
        _, after = turned.run_with_cache(tokens, names)
    noise = None
    for name in names:
        back = after[name] @ q.T
        scale = max(before[name].abs().max().item(), 1.0)
        assert torch.allclose(back[..., :d], before[name], atol=1e-8 * scale), name
        assert not torch.allclose(after[name][..., :d], before[name], atol=1e-2)
        # the noise the embeddings wrote is there at every layer, untouched
        noise = back[..., d:] if noise is None else noise
        assert noise.abs().max() > 0.1
        assert torch.allclose(back[..., d:], noise, atol=1e-8), name


def test_layer_norm_is_refused():
    cfg = TransformerConfig(d_vocab=5, n_ctx=4, d_model=8, n_layers=1, n_heads=1, d_head=4,
                            d_mlp=8, normalization="LN")
    with pytest.raises(ValueError, match="without LayerNorm"):
        rotated(Transformer(cfg), seed=0)


def test_ablations_write_nothing_and_leave_the_original_alone():
    model = _compiled("sort5", "rank")
    tokens = _tokens(model, 32)
    with torch.no_grad():
        original = model(tokens)
        no_head = without_head(model, 0, 0)
        _, cache = no_head.run_with_cache(tokens, "blocks.0.attn.hook_z")
        z = cache["blocks.0.attn.hook_z"][:, :, 0]
        only_head = torch.einsum("bpd,dm->bpm", z, model.blocks[0].attn.W_O[0])
        assert only_head.abs().max() > 0  # the head did write something before
        assert not torch.equal(no_head(tokens), original)
        no_layer = without_layer(model, 1)
        _, cache = no_layer.run_with_cache(tokens, ["blocks.1.hook_resid_pre",
                                                    "blocks.1.hook_resid_post"])
        assert torch.equal(cache["blocks.1.hook_resid_pre"], cache["blocks.1.hook_resid_post"])
        assert torch.equal(model(tokens), original)
    with pytest.raises(ValueError, match="no head 9"):
        without_head(model, 0, 9)
