"""Models whose mechanism is known, built once per test module."""

import numpy as np
import pytest
import torch
from rasplab.compiler import compile_program

from rasplab import tasks
from rasplab.model import Transformer, TransformerConfig


@pytest.fixture(scope="session")
def induction_model() -> Transformer:
    """The induction task's prev-token hypothesis, compiled: L1H0 is a previous-token
    head, L2H0 an induction head."""
    task = tasks.get("induction")
    domain = task.sample(np.random.default_rng(1), 300)[0]
    program = task.hypotheses["prev_token"].program()
    return compile_program(program, list(task.vocab), task.max_len, task.causal, domain).model


C = 12  # tokens and classes of the suppressor model


@pytest.fixture(scope="session")
def suppressor_model() -> Transformer:
    """One MLP layer, no attention. Token t (id t + 1) is embedded as 3 e_t, which the
    unembedding reads as logit 3 for class t and 4 for class t + 1 (mod C): alone, the
    embedding answers wrong. Neuron t fires on token t and writes -5 onto class t + 1
    only, so the right answer wins: the MLP works by suppressing a wrong logit, and
    its DLA on the right answer is only the mean shift 5 / C."""
    cfg = TransformerConfig(d_vocab=C + 1, n_ctx=2, d_model=C, n_layers=1, n_heads=0,
                            d_head=1, d_mlp=C, d_vocab_out=C, positional_embeddings=False)
    model = Transformer(cfg, init="zeros").double()
    eye = torch.eye(C, dtype=torch.float64)
    shift = torch.roll(eye, 1, dims=1)  # e_t -> e_{t+1}
    W_U = eye + 4 / 3 * shift
    with torch.no_grad():
        model.embed.W_E[1:] = 3 * eye
        model.unembed.W_U[:] = W_U
        model.blocks[0].mlp.W_in[:] = eye
        model.blocks[0].mlp.W_out[:] = -5 / 3 * shift @ torch.linalg.inv(W_U)
    return model
