"""The REPL driven through streams, as a user at a terminal would drive it."""

import io
import sys

import pytest
from rasplab.rasp import repl


def transcript(text: str) -> str:
    out = io.StringIO()
    assert repl.main(io.StringIO(text), out) == 0
    return out.getvalue()


def test_multi_line_def_waits_for_the_closing_brace():
    out = transcript(
        "def same_count(seq) {\n"
        "  same = select(seq, seq, ==);\n"
        "  return selector_width(same);\n"
        "}\n"
        "counts = same_count(tokens);\n"
    )
    assert ">> .. .. .. " in out  # three continuation prompts, one statement
    assert "function: def same_count(seq)" in out
    assert ' \t Example: counts("hello") = [1, 1, 2, 2, 1] (ints)' in out


def test_statement_without_semicolon_continues():
    out = transcript("x = indices\n+ 1\n;\n")
    assert ">> .. .. " in out
    assert 'x("hello") = [1, 2, 3, 4, 5] (ints)' in out


def test_set_and_show_example():
    out = transcript(
        'set example [3, 1, 2]\nshow example\nv = tokens_int * 10;\nset example "ab"\nv;\n'
    )
    assert out.count("running example is: [3, 1, 2]") == 2
    assert "v([3, 1, 2]) = [30, 10, 20] (ints)" in out
    assert 'running example is: "ab"' in out
    assert 'v("ab") fails:' in out  # the definition stands; the new example is not ints


def test_bad_example_is_refused_and_the_old_one_kept():
    out = transcript('set example ""\nshow example\n')
    assert "the example is empty" in out
    assert out.count('running example is: "hello"') == 2


def test_error_then_the_session_carries_on():
    out = transcript('y = nothing_here + 1;\nz = tokens == "l";\n')
    assert "<stdin>:1:5: error: unknown name 'nothing_here'" in out
    assert "^^^^" in out
    assert "Traceback" not in out
    assert 'z("hello") = [F, F, T, T, F] (bools)' in out


def test_syntax_error_inside_a_def_is_located():
    out = transcript("def f(x) {\n  return x +* 2;\n}\nok = 1;\n")
    assert "<stdin>:2:13: error: unexpected '*'" in out
    assert "value: ok = 1" in out


def test_selector_prints_as_matrix():
    out = transcript('set example "abc"\nprevs = select(indices, indices, <);\n')
    lines = [line.strip() for line in out.splitlines()]
    start = lines.index('Example: prevs("abc") =')
    assert lines[start + 1 : start + 5] == ["a b c", "a |", "b | 1", "c | 1 1"]


def test_bare_expression_prints_under_its_name_or_out():
    out = transcript("w = indices;\nw;\nindices + 1;\n1 + 2;\n")
    assert out.count('w("hello") = [0, 1, 2, 3, 4] (ints)') == 2
    assert 'out("hello") = [1, 2, 3, 4, 5] (ints)' in out
    assert "value: out = 3" in out


def test_braces_and_semicolons_in_strings_and_comments_do_not_count():
    out = transcript('s = "{;";  # a } comment {\nt = "}";\n')
    assert 'value: s = "{;"' in out
    assert 'value: t = "}"' in out
    assert ".. " not in out


def test_dict_literal_needs_its_semicolon():
    out = transcript("d = {1: 2}\n;\n")
    assert ">> .. " in out
    assert "dict: d = {1: 2}" in out


def test_load_of_a_file_imports_its_names(tmp_path):
    lib = tmp_path / "doubling.rasp"
    lib.write_text("_hidden = 2;\ndoubled = tokens_int * _hidden;\n")
    out = transcript(
        f'load "{tmp_path / "doubling"}";\nset example [1, 2, 3]\ndoubled;\n_hidden;\n'
    )
    assert "loaded" in out and "doubled" in out
    assert "doubled([1, 2, 3]) = [2, 4, 6] (ints)" in out
    assert "unknown name '_hidden'" in out  # private names stay in the file


def test_loading_the_library_again_changes_nothing():
    out = transcript('load "rasplib";\nok = length;\n')
    assert "error" not in out
    assert "s-op: ok" in out


def test_missing_load_file_is_reported():
    out = transcript('load "no_such_file_anywhere";\n')
    assert "cannot load 'no_such_file_anywhere'" in out


def test_exit_and_quit_stop_reading():
    for word in ("exit", "quit", "exit;"):
        out = transcript(f"{word}\nnever = 1;\n")
        assert "never" not in out


def test_end_of_input_with_an_unfinished_statement_reports_it():
    out = transcript("x = 1")
    assert "unexpected end of input" in out


def test_help_lists_the_commands():
    out = transcript("help\n")
    for command in ["set [s-op|selector] example", "show [s-op|selector] example", "draw(sop"]:
        assert command in out
    assert "full seq display on|off" in out and "exit(), quit, quit()" in out
    assert "select_from_last" in out  # the library's names, read from the session


def test_several_statements_on_one_line_print_each_name_once():
    out = transcript("a = 1; b = 2; a = 3;\n")
    assert out.count("value: a") == 1
    assert "value: a = 3" in out
    assert "value: b = 2" in out


def test_history_without_readline(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "readline", None)  # import readline now fails
    with repl.line_history(tmp_path / "history"):
        pass
    assert not (tmp_path / "history").exists()


def test_history_is_saved_with_readline(tmp_path):
    readline = pytest.importorskip("readline")
    readline.add_history("x = 1;")
    with repl.line_history(tmp_path / "history"):
        pass
    assert "x = 1;" in (tmp_path / "history").read_text()


@pytest.mark.parametrize(
    ("source", "more"),
    [
        ("x = 1", True),
        ("x = 1;", False),
        ("def f(a) {", True),
        ("def f(a) {\n return a;\n}", False),
        ("for i in [1, 2] {", True),
        ("l = [1,\n 2", True),
        ('s = "{";', False),
        ("x = 1; # {", False),
        ("d = {1: 2}", True),
        ("", False),
        ("# just a comment", False),
        ("x = +* 1;", False),  # complete but wrong: run it to show the error
    ],
)
def test_needs_more(source, more):
    assert repl.needs_more(source) is more
