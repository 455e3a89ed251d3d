"""Components of a compiled model, and the order of writes into the residual stream."""

import numpy as np
from rasplab.compare import components
from rasplab.compare.adapter import adapter_for
from rasplab.compiler import compile_program

from rasplab import tasks


def test_a_compiled_model_splits_its_mlps_by_block_and_labels_are_unique():
    task = tasks.get("sort5")
    rank = task.hypotheses["rank"].program()
    domain = task.sample(np.random.default_rng(1), 300)[0]
    compiled = compile_program(rank, list(task.vocab), task.max_len, task.causal, domain)
    found = components.components(adapter_for(compiled.model, task))
    labels = [c.label for c in found]
    assert len(labels) == len(set(labels))
    blocks = [b for b in compiled.layout.blocks if b.kind == "mlp"]
    assert len([c for c in found if c.kind == "mlp"]) == len(blocks)
    assert {c.label for c in found if c.kind == "attn"} == {
        f"L{b.layer}H{b.index}" for b in compiled.layout.blocks if b.kind == "attn"
    }


def test_what_writes_before_a_site():
    head = components.Component("L1H0", "blocks.1.attn.hook_z", head=0)
    mlp = components.Component("L1MLP", "blocks.1.mlp.hook_post")
    assert not components.before(head, "blocks.1.hook_resid_pre")
    assert components.before(head, "blocks.1.hook_resid_mid")
    assert not components.before(mlp, "blocks.1.hook_resid_mid")
    assert components.before(mlp, "blocks.1.hook_resid_post")
    assert components.before(mlp, "blocks.2.hook_resid_pre")
