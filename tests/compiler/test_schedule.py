"""Blocks to layers: the layer count is the longest attention/MLP path."""

import pytest
from rasplab.compiler.blocks import Head, MLPBlock
from rasplab.compiler.plan import Plan
from rasplab.compiler.schedule import schedule


def head(name: str, reads: set[str], writes: set[str] | None = None) -> Head:
    return Head(name, reads=reads, writes=writes or {name})


def mlp(name: str, reads: set[str], writes: set[str] | None = None) -> MLPBlock:
    return MLPBlock(name, [], reads, writes or {name}, "test")


def test_blocks_share_a_layer_when_their_inputs_allow():
    plan = Plan(
        heads=[head("a", {"tokens"}), head("b", {"indices"}), head("d", {"c"})],
        mlps=[mlp("c", {"a", "b"}), mlp("e", {"tokens"})],
    )
    sched = schedule(plan, {"tokens", "indices"})
    assert sched.n_layers == 2
    assert [[h.node for h in layer] for layer in sched.heads] == [["a", "b"], ["d"]]
    assert [[m.node for m in layer] for layer in sched.mlps] == [["e", "c"], []]


def test_an_sop_with_several_writers_is_read_after_the_last():
    plan = Plan(
        heads=[head("t1", {"tokens"}, {"w"}), head("r", {"w"})],
        mlps=[mlp("x", {"tokens"}), mlp("t2", {"x"}, {"w"})],
    )
    sched = schedule(plan, {"tokens"})  # t2 is an MLP of layer 1, after x in layer 0
    assert [[h.node for h in layer] for layer in sched.heads] == [["t1"], [], ["r"]]


def test_within_a_layer_shallower_blocks_come_first():
    plan = Plan(
        heads=[head("late", {"m"}), head("early", {"tokens"})],
        mlps=[mlp("m", {"tokens"}), mlp("n", {"early"})],
    )
    sched = schedule(plan, {"tokens"})
    assert [h.node for h in sched.heads[0]] == ["early"]
    assert [m.node for m in sched.mlps[0]] == ["m", "n"]


def test_a_read_that_nothing_writes_is_a_compiler_bug():
    with pytest.raises(RuntimeError, match="nothing writes"):
        schedule(Plan(heads=[head("a", {"ghost"})]), {"tokens"})
