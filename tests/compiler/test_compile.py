"""End to end: compiled models agree with the interpreter exactly."""

import pytest
from rasplab.compiler import CompiledModel, CompileError, compile_program
from rasplab.compiler.verify import verify
from rasplab.rasp import Session

LIBRARY = [
    # (file, output s-op, vocab)
    ("reverse", "reversed", list("abc")),
    ("hist", "hist", list("abc")),
    ("sort", "sorted", [1, 2, 3]),
    ("frac_prevs", "frac_prevs", list("()x")),
    ("dyck", "dyck1", list("()")),
    ("sort_freq", "sort_freq", list("abc")),
    ("most_freq", "most_freq", list("abc")),
    ("double_hist", "double_hist", list("abc")),
    ("prev_token", "prev_token", list("abc")),
    ("induction", "induction", list("abc")),
    ("running_max", "running_max", [0, 1, 2]),
]


def program(source: str, name: str):
    s = Session()
    s.exec(source)
    return s.program(name)


@pytest.mark.parametrize("file, name, vocab", LIBRARY, ids=[x[1] for x in LIBRARY])
def test_library_programs_are_exact_on_every_input(file, name, vocab):
    prog = program(f'load "{file}";', name)
    cm = compile_program(prog, vocab, max_len=5)
    result = verify(prog, cm)
    assert result.exhaustive and result.checked == sum(len(vocab) ** k for k in range(1, 6))
    assert result.fraction == 1.0, result.mismatches


def test_dyck2_is_exact():
    prog = program('load "dyck";', "dyck2")
    result = verify(prog, compile_program(prog, list("(){}"), max_len=4))
    assert result.fraction == 1.0, result.mismatches


@pytest.mark.parametrize(
    "selector",
    [
        "select(tokens, tokens, ==) and select(indices, indices, <)",
        "select(tokens, tokens, ==) or select(indices, indices, <)",
        "not select(tokens, tokens, ==)",
        "not (select(tokens, tokens, <) or select(indices, 0, ==))",
        "select(tokens, tokens, <=) and not select(indices, indices, !=)",
    ],
)
def test_composite_selectors_compile_exactly(selector):
    prog = program(f"w = selector_width({selector});", "w")
    result = verify(prog, compile_program(prog, list("abc"), max_len=5))
    assert result.fraction == 1.0, result.mismatches


def test_empty_selection_gives_the_default():
    prog = program('s = aggregate(select(indices, indices - 1, ==), tokens, "_");', "s")
    cm = compile_program(prog, list("ab"), max_len=4)
    assert cm.run(list("abba")) == ["_", "a", "b", "b"]
    assert verify(prog, cm).fraction == 1.0


def test_numerical_mean_of_any_numbers():
    prog = program("m = numerical(aggregate(select(indices, indices, <=), tokens_int));", "m")
    cm = compile_program(prog, [0, 3, 7, 9], max_len=5)
    assert cm.output_encoding == "numerical"
    assert cm.run([9, 0, 7]) == pytest.approx([9, 4.5, 16 / 3], abs=1e-4)
    assert verify(prog, cm).fraction == 1.0


@pytest.mark.parametrize("name", ["length", "reversed", "hist"])
def test_selector_width_is_exact_at_max_len_64(name):
    prog = program('load "reverse"; load "hist"; n = length;', "n" if name == "length" else name)
    cm = compile_program(prog, list("ab"), max_len=64)
    result = verify(prog, cm, samples=200, seed=1)
    assert result.checked == 200 and result.fraction == 1.0, result.mismatches
    assert cm.run(list("ab" * 32)) == prog(list("ab" * 32))


def test_causal_compilation_of_a_prefix_program():
    prog = program('load "frac_prevs"; load "prev_token";', "prev_token")
    cm = compile_program(prog, list("ab"), max_len=5, causal=True)
    assert cm.model.cfg.causal
    assert verify(prog, cm).fraction == 1.0


def test_causal_refuses_a_program_that_reads_later_positions():
    prog = program('load "hist";', "hist")
    with pytest.raises(CompileError) as err:
        compile_program(prog, list("ab"), max_len=4, causal=True)
    text = str(err.value)
    assert "depends on later positions" in text and "hist.rasp:" in text


def test_indexing_from_either_end_compiles():
    prog = program("first = tokens[1]; last = tokens[-2]; both = first + last;", "both")
    cm = compile_program(prog, list("ab"), max_len=4)
    assert cm.run(list("abba")) == ["bb"] * 4
    assert verify(prog, cm).fraction == 1.0


def test_uncompilable_programs_fail_naming_the_sop_and_line():
    prog = program("x = 1;\nmean = aggregate(select(indices, indices, <=), tokens);", "mean")
    with pytest.raises(CompileError) as err:
        compile_program(prog, list("ab"), max_len=4)
    assert "'mean'" in str(err.value) and ":2:8" in str(err.value)


def test_vocabulary_must_fit_the_tokens():
    prog = program("t = tokens_int + 1;", "t")
    with pytest.raises(CompileError, match="'a' is not an int"):
        compile_program(prog, ["a", "b"], max_len=3)
    with pytest.raises(CompileError, match="mixes strings and numbers"):
        compile_program(prog, ["a", 1], max_len=3)


def test_every_residual_dimension_is_labelled_and_the_output_is_last():
    prog = program('load "reverse";', "reversed")
    cm = compile_program(prog, list("abc"), max_len=5)
    labels = cm.layout.labels
    assert len(labels) == cm.model.cfg.d_model == len(set(labels))
    assert labels[:2] == ["one", "bos"]
    dims = cm.layout.dims("reversed")
    assert dims == list(range(len(labels) - len(dims), len(labels)))
    assert {labels[d] for d in dims} >= {"reversed:a", "reversed:b", "reversed:c"}
    [block] = cm.layout.computed_by("reversed")
    assert block.kind == "attn"


def test_affine_maps_cost_values_not_a_product_table():
    prog = program("opp = length - indices - 1;", "opp")
    cm = compile_program(prog, list("ab"), max_len=20)
    [mlp] = [b for b in cm.layout.computed_by("opp") if b.kind == "mlp"]
    # z = length - indices - 1 ranges over -20..19: two units per step, not a 21 x 20 table
    assert mlp.width <= 4 * 20 < 21 * 20
    assert verify(prog, cm, samples=300).fraction == 1.0


def test_chains_of_maps_fuse_into_one_mlp():
    prog = program("a = tokens_int + 1; b = a * 2; c = b - 3;", "c")
    cm = compile_program(prog, [0, 1, 2], max_len=3)
    assert cm.model.cfg.n_layers == 1
    assert cm.layout.fused == {"a": "c", "b": "c"}
    assert cm.run([2, 0]) == [3, -1]


def test_blocks_that_can_share_a_layer_do():
    prog = program(
        "a = selector_width(select(tokens, tokens, ==));"
        "b = selector_width(select(tokens, tokens, <));"
        "c = a + b;",
        "c",
    )
    cm = compile_program(prog, list("abc"), max_len=4)
    assert cm.model.cfg.n_layers == 2
    assert cm.model.cfg.heads_per_layer == (2, 0)


def test_save_and_load_round_trip(tmp_path):
    prog = program('load "sort";', "sorted")
    cm = compile_program(prog, [1, 2, 3], max_len=5)
    cm.save(tmp_path / "sort.safetensors")
    loaded = CompiledModel.load(tmp_path / "sort.safetensors")
    assert loaded.layout.labels == cm.layout.labels
    assert loaded.run([3, 1, 2, 2]) == ["1", "2", "2", "3"]  # sort.rasp sorts tokens_str
    assert loaded.vocab == [1, 2, 3] and loaded.max_len == 5


def test_run_refuses_unknown_tokens_and_long_inputs():
    cm = compile_program(program('load "hist";', "hist"), list("ab"), max_len=3)
    with pytest.raises(Exception, match="'z' at position 1 is not in the vocabulary"):
        cm.run(list("az"))
    with pytest.raises(Exception, match="max_len 3"):
        cm.run(list("abab"))
