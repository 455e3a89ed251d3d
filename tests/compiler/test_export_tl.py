"""A compiled model exported to TransformerLens decodes the same outputs; runs only
where the `tl` extra is installed (`make test-tl`)."""

import pytest
import torch
from rasplab.compiler import compile_program
from rasplab.rasp import Session

from rasplab.model.export_tl import to_transformer_lens

pytest.importorskip(
    "transformer_lens", reason="the tl extra is not installed here; `make test-tl` runs this"
)


@pytest.mark.parametrize(
    "file, name, vocab", [("sort", "sorted", [1, 2, 3]), ("dyck", "dyck1", list("()"))]
)
def test_compiled_model_in_transformer_lens(file, name, vocab):
    s = Session()
    s.exec(f'load "{file}";')
    program = s.program(name)
    cm = compile_program(program, vocab, max_len=6)
    bridge = to_transformer_lens(cm.model)
    inputs = [[vocab[(i * 7 + j) % len(vocab)] for j in range(6)] for i in range(5)]
    tokens = torch.tensor([cm.token_ids(x) for x in inputs])
    ours = cm.model(tokens)
    theirs = bridge(tokens)
    assert torch.equal(ours.argmax(-1), theirs.argmax(-1))
    torch.testing.assert_close(theirs, ours, rtol=1e-4, atol=1e-3)
    decoded = [[cm.output_values[j] for j in row[1:]] for row in theirs.argmax(-1).tolist()]
    assert decoded == program.evaluate(inputs).output
