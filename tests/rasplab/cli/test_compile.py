"""`rasp compile` and `rasp verify` end to end, through main(argv)."""

import itertools
import json
from pathlib import Path

import pytest
import torch
from rasplab.compiler import CompiledModel, compile_program
from rasplab.compiler.verify import VerifyResult
from rasplab.rasp import RaspError, Session

from rasplab import rasp
from rasplab.cli import main
from rasplab.cli.arguments import parse_example, parse_vocab

LIB = Path(rasp.__file__).parent / "lib"
SORT = ["compile", str(LIB / "sort.rasp"), "--name", "sorted", "--vocab", "1,2,3"]
REVERSE = ["compile", str(LIB / "reverse.rasp"), "--name", "reversed", "--vocab", "a,b,c"]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def compiled(file: str, name: str, vocab: list, max_len: int) -> CompiledModel:
    session = Session()
    session.exec_file(LIB / file)
    return compile_program(session.program(name), vocab, max_len)


def test_table_names_every_layer_and_node(capsys):
    code, out, err = cli(capsys, *SORT, "--max-len", "4")
    assert (code, err) == (0, "")
    cm = compiled("sort.rasp", "sorted", [1, 2, 3], 4)
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("layer "))
    firsts = [line.split()[0] for line in lines[header + 1 :] if line[:1].isdigit()]
    assert firsts == [str(layer) for layer in range(cm.model.cfg.n_layers)]
    for block in cm.layout.blocks:
        assert block.node in out and block.construction in out
    assert f"residual width    {cm.model.cfg.d_model} (d_model)" in out
    assert f"parameters        {cm.parameter_count():,}" in out


def test_json_matches_an_independent_compile(capsys):
    code, out, _ = cli(capsys, *REVERSE, "--max-len", "5", "--json")
    assert code == 0
    summary = json.loads(out)
    cm = compiled("reverse.rasp", "reversed", ["a", "b", "c"], 5)
    assert summary["params"] == cm.parameter_count()
    assert summary["layers"] == cm.model.cfg.n_layers
    assert summary["d_model"] == cm.model.cfg.d_model
    assert len(summary["blocks"]) == len(cm.layout.blocks)
    assert sum(summary["residual"].values()) == cm.model.cfg.d_model
    assert summary["output"] is None


def test_saved_model_loads_and_runs_identically(capsys, tmp_path):
    out_path = tmp_path / "models" / "rev.safetensors"
    code, out, _ = cli(capsys, *REVERSE, "--max-len", "4", "-o", str(out_path))
    assert code == 0
    assert f"wrote {out_path}" in out and f"wrote {out_path.with_suffix('.json')}" in out
    loaded = CompiledModel.load(out_path)
    fresh = compiled("reverse.rasp", "reversed", ["a", "b", "c"], 4)
    inputs = [list(x) for k in range(1, 5) for x in itertools.product("abc", repeat=k)]
    assert loaded.run_batch(inputs) == fresh.run_batch(inputs)
    ids = torch.tensor([loaded.token_ids("abca")])
    assert torch.equal(loaded.model(ids), fresh.model(ids))


def test_json_output_names_the_saved_file(capsys, tmp_path):
    out_path = tmp_path / "sort.safetensors"
    code, out, _ = cli(capsys, *SORT, "--max-len", "3", "-o", str(out_path), "--json")
    assert code == 0
    assert json.loads(out)["output"] == str(out_path)


@pytest.mark.parametrize(
    ("file", "name", "vocab"),
    [
        ("reverse.rasp", "reversed", "a,b,c"),
        ("hist.rasp", "hist", "a,b,c"),
        ("sort.rasp", "sorted", "1,2,3"),
    ],
)
def test_verify_library_programs_exhaustively(capsys, file, name, vocab):
    argv = ["verify", str(LIB / file), "--name", name, "--vocab", vocab, "--max-len", "4"]
    code, out, err = cli(capsys, *argv, "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["checked"] == 3 + 9 + 27 + 81 == result["exact"]
    assert result["fraction"] == 1.0 and result["exhaustive"] is True


def test_verify_samples_a_large_domain(capsys):
    argv = [
        "verify", str(LIB / "reverse.rasp"), "--name", "reversed", "--vocab", "a,b,c",
        "--max-len", "12", "--samples", "40", "--seed", "3",
    ]  # fmt: skip
    code, out, _ = cli(capsys, *argv)
    assert code == 0
    assert "checked   40 (random inputs)" in out
    assert "fraction  1.000000" in out


def test_verify_exits_1_on_a_mismatch(capsys, monkeypatch):
    def half_right(program, cm, samples, seed):
        mismatch = {"input": ["a", "b"], "compiled": ["a", "a"], "interpreter": ["b", "a"]}
        return VerifyResult(2, 1, True, [mismatch])

    monkeypatch.setattr("rasplab.compiler.verify.verify", half_right)
    argv = ["verify", str(LIB / "reverse.rasp"), "--name", "reversed", "--vocab", "a,b"]
    code, out, _ = cli(capsys, *argv, "--max-len", "2")
    assert code == 1
    assert "fraction  0.500000" in out
    assert 'input        ["a", "b"]' in out and 'interpreter  ["b", "a"]' in out


def test_verify_help_states_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 when the fraction is 1.0" in text


def test_causal_refusal_is_located_without_traceback(capsys):
    argv = ["compile", str(LIB / "hist.rasp"), "--name", "hist", "--vocab", "a,b"]
    code, out, err = cli(capsys, *argv, "--max-len", "3", "--causal")
    assert (code, out) == (1, "")
    assert f"{LIB / 'hist.rasp'}:" in err
    assert "cannot compile 'hist'" in err and "later positions" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--name", "sortd", "--vocab", "1,2"], "did you mean 'sorted'"),
        (["--name", "sorted", "--vocab", "1,,2"], "has an empty item"),
        (["--name", "sorted", "--vocab", "1,1"], "repeats a token"),
        (["--name", "sorted", "--vocab", "1,2", "-o", "m.json"], "give the weights path"),
        (["--name", "sorted", "--vocab", "1,2", "--plot", "x", "--example", "4"], "not in the"),
        (["--name", "sorted", "--vocab", "1,2", "--example", "12"], "add --plot DIR"),
    ],
)
def test_user_errors_exit_1(capsys, monkeypatch, tmp_path, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "compile", str(LIB / "sort.rasp"), *argv, "--max-len", "3")
    assert (code, out) == (1, "")
    assert message in err and "Traceback" not in err


def test_a_vocab_the_program_cannot_read(capsys, tmp_path):
    program = tmp_path / "succ.rasp"
    program.write_text("succ = tokens_int + 1;\n")
    code, _, err = cli(
        capsys, "compile", str(program), "--name", "succ", "--vocab", "a,b", "--max-len", "2"
    )
    assert code == 1
    assert "token 'a' is not an int" in err and "Traceback" not in err


def test_max_len_must_be_positive(capsys):
    with pytest.raises(SystemExit) as done:
        main([*SORT, "--max-len", "0"])
    assert done.value.code == 2
    assert "expected a positive integer" in capsys.readouterr().err


def test_parse_vocab_and_example():
    assert parse_vocab("0, 1,2") == [0, 1, 2]
    assert parse_vocab("a,1") == ["a", "1"]
    assert parse_example("312", [1, 2, 3]) == [3, 1, 2]
    assert parse_example("3,1", [1, 2, 3]) == [3, 1]
    assert parse_example("ab", ["a", "b"]) == ["a", "b"]
    with pytest.raises(RaspError, match="not in the vocabulary"):
        parse_example("ax", ["a", "b"])


def test_compile_and_verify_take_the_domain_from_a_task(tmp_path, capsys):
    hypothesis = str(Path(__file__).resolve().parents[3] / "tasks" / "hypotheses" / "sort.rasp")
    out = tmp_path / "sort5.safetensors"
    args = ["compile", hypothesis, "-n", "sort_rank", "--task", "sort5"]
    assert main([*args, "-o", str(out)]) == 0
    capsys.readouterr()
    assert out.is_file()
    assert main(["verify", hypothesis, "-n", "sort_rank", "--task", "sort5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["checked"] == 2000 and result["fraction"] == 1.0
    assert main(["compile", hypothesis, "-n", "sort_rank"]) == 1
    assert "give --vocab and --max-len, or --task" in capsys.readouterr().err
    assert main([*args, "--max-len", "3"]) == 1
    assert "drop --vocab/--max-len" in capsys.readouterr().err
    assert main(["verify", hypothesis, "-n", "sort_rank", "--task", "srot5"]) == 1
    assert "unknown task 'srot5'" in capsys.readouterr().err
