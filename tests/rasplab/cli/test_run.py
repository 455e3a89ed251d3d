"""`rasp run` end to end: through main(argv), and once through a real process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rasplab.rasp import RaspError

from rasplab.cli import main
from rasplab.cli.arguments import parse_input

FLIP = """\
# the input backwards
def flip(seq) {
    opp = length - indices - 1;
    return aggregate(select(indices, opp, ==), seq);
}
backwards = flip(tokens);
"""


@pytest.fixture
def flip_file(tmp_path: Path) -> Path:
    path = tmp_path / "flip.rasp"
    path.write_text(FLIP)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_json_output_is_the_last_assigned_sop(capsys, flip_file):
    result = run_json(capsys, str(flip_file), "--input", "abc")
    assert result == {"kind": "sop", "value": list(reversed("abc"))}


def test_plain_output(capsys, flip_file):
    code, out, err = run(capsys, str(flip_file), "--input", "abc")
    assert (code, err) == (0, "")
    assert out == 'backwards("abc") = [c, b, a] (strings)\n'


@pytest.mark.parametrize("runner", ["module", "console script"])
def test_real_process(flip_file, runner):
    script = Path(sys.executable).parent / "rasp"
    if runner == "console script":
        assert script.exists(), "no rasp console script beside this python: pip install -e ."
    command = [sys.executable, "-m", "rasplab"] if runner == "module" else [str(script)]
    done = subprocess.run(
        [*command, "run", str(flip_file), "--input", "[1, 2, 3, 4]", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # `tokens` is tokens_str, so the reversed ints come back as strings
    assert json.loads(done.stdout) == {"kind": "sop", "value": ["4", "3", "2", "1"]}


def test_syntax_error_is_located_without_traceback(capsys, tmp_path):
    bad = tmp_path / "bad.rasp"
    bad.write_text("x = tokens;\ny = x +* 1;\n")
    code, out, err = run(capsys, str(bad), "--input", "ab")
    assert code == 1
    assert out == ""
    assert f"{bad}:2:8: error: unexpected '*'" in err
    assert "    y = x +* 1;\n           ^" in err
    assert "Traceback" not in err


def test_syntax_error_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.rasp"
    bad.write_text("x = tokens;\ny = x +* 1;\n")
    done = subprocess.run(
        [sys.executable, "-m", "rasplab", "run", str(bad), "--input", "ab"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert f"{bad}:2:8" in done.stderr and "^" in done.stderr
    assert "Traceback" not in done.stderr


def test_runtime_error_exits_1(capsys, flip_file):
    code, _, err = run(capsys, str(flip_file), "--input", "ab", "--expr", "tokens_int + 1")
    assert code == 1
    assert "not an int" in err and "Traceback" not in err


def test_expr_is_evaluated_after_the_file(capsys, flip_file):
    result = run_json(capsys, str(flip_file), "-i", "abcd", "--expr", "flip(indices) * 10")
    assert result == {"kind": "sop", "value": [10 * i for i in reversed(range(4))]}


def test_expr_can_be_an_atom_or_selector(capsys, flip_file):
    assert run_json(capsys, str(flip_file), "-i", "a", "-e", "2 ^ 3") == {
        "kind": "atom",
        "value": 8,
    }
    result = run_json(capsys, str(flip_file), "-i", "abc", "-e", "select(indices, indices, <)")
    expected = [[int(key < query) for key in range(3)] for query in range(3)]
    assert result == {"kind": "selector", "value": expected}


def test_name_picks_a_definition(capsys, tmp_path):
    path = tmp_path / "two.rasp"
    path.write_text("first = indices + 1;\nsecond = indices * 0;\n")
    result = run_json(capsys, str(path), "--input", "xyz", "--name", "first")
    assert result == {"kind": "sop", "value": [1, 2, 3]}


def test_unknown_name_is_an_error(capsys, flip_file):
    code, _, err = run(capsys, str(flip_file), "-i", "ab", "--name", "backward")
    assert code == 1
    assert "unknown name 'backward'" in err and "did you mean 'backwards'" in err


def test_last_bare_expression_wins_over_assignments(capsys, tmp_path):
    path = tmp_path / "expr.rasp"
    path.write_text("a = indices;\na + 100;\nb = indices * 2;\n")
    assert run_json(capsys, str(path), "-i", "ab")["value"] == [100, 101]


def test_reassigned_sop_counts_as_assigned_last(capsys, tmp_path):
    path = tmp_path / "reassign.rasp"
    path.write_text("a = indices;\nb = indices * 2;\na = indices + 7;\nn = 3;\n")
    assert run_json(capsys, str(path), "-i", "ab")["value"] == [7, 8]


def test_file_without_an_sop_asks_for_name_or_expr(capsys, tmp_path):
    path = tmp_path / "atoms.rasp"
    path.write_text("n = 3;\n")
    code, _, err = run(capsys, str(path), "-i", "ab")
    assert code == 1
    assert "--name" in err and "--expr" in err


def test_list_input_with_tokens_int(capsys, flip_file):
    expr = "sort(tokens_int, tokens_int)"
    as_json = run_json(capsys, str(flip_file), "--input", "[3,1,2]", "--expr", expr)
    assert as_json == {"kind": "sop", "value": sorted([3, 1, 2])}
    as_commas = run_json(capsys, str(flip_file), "--input", "3,1,2", "--expr", expr)
    assert as_commas == as_json


def test_empty_input_is_refused(capsys, flip_file):
    code, out, err = run(capsys, str(flip_file), "--input", "")
    assert (code, out) == (1, "")
    assert "--input is empty: give at least one token" in err


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "nope.rasp"), "--input", "ab")
    assert code == 1
    assert "cannot read" in err and "nope.rasp" in err and "Traceback" not in err


def test_usage_errors_exit_2(capsys, flip_file):
    with pytest.raises(SystemExit) as missing_input:
        main(["run", str(flip_file)])
    assert missing_input.value.code == 2
    with pytest.raises(SystemExit) as both:
        main(["run", str(flip_file), "-i", "a", "--expr", "x", "--name", "y"])
    assert both.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_help_documents_inputs_and_examples(capsys):
    with pytest.raises(SystemExit) as done:
        main(["run", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for needle in ("JSON list", "comma-separated", "one token per character", "examples:"):
        assert needle in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "run" in capsys.readouterr().out


def test_no_heavy_imports():
    code = "import sys, rasplab.cli; print(sorted({'torch', 'matplotlib'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("hello", "hello"),
        ("[1, 2, 3]", [1, 2, 3]),
        ('["ab", "c"]', ["ab", "c"]),
        ("[true, false]", [True, False]),
        ("1,2,3", [1, 2, 3]),
        ("-1, +2", [-1, 2]),
        ("a,b", ["a", "b"]),
        ("1.5,x", ["1.5", "x"]),  # only ints are read as numbers
    ],
)
def test_parse_input(text, tokens):
    assert parse_input(text) == tokens


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("[]", "is empty"),
        ("[1,", "not a JSON list"),
        ("1,,2", "empty item"),
        ("[[1]]", "not an atom"),
        ("[true, 1]", "mixes booleans with numbers"),
        ('["a", 1]', "mixes strings with numbers"),
    ],
)
def test_parse_input_errors(text, message):
    with pytest.raises(RaspError, match=message):
        parse_input(text)


def test_comma_items_are_ints_only_when_all_are():
    assert parse_input("1,2,3") == [1, 2, 3]
    assert parse_input("1.5,2") == ["1.5", "2"]
