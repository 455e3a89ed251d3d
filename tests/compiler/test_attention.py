"""Selector widths: a head that writes a scratch direction and an MLP that decodes it."""

from rasplab.compiler import compile_program
from rasplab.compiler.attention import selector_width
from rasplab.compiler.basis import Info
from rasplab.compiler.blocks import MLPKind
from rasplab.rasp import Session
from rasplab.rasp import nodes as n


def test_the_decoding_mlp_is_typed_and_reads_only_the_heads_scratch():
    out = Info("w", n.Const(0), "categorical", [0, 1, 2, 3])
    head, block = selector_width(out, [], 3, {})
    assert block.kind is MLPKind.WIDTH_DECODE
    assert block.reads == head.writes == {"w.bos_share"}


def test_an_or_of_selects_gets_one_scratch_direction_per_inclusion_exclusion_term():
    s = Session()
    s.exec("w = selector_width(select(tokens, tokens, ==) or select(indices, indices, <));")
    compiled = compile_program(s.program("w"), list("ab"), 4)
    assert compiled.layout.labels[-4:] == ["w.bos_share0", "w.bos_share1", "w.bos_share2", "w"]
    assert compiled.run(list("abba")) == [2, 3, 3, 4]
