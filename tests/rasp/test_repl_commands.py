"""The reference REPL's commands, in a session driven through streams as a user would."""

import io
import subprocess
import sys
from xml.dom import minidom

from hypothesis import given
from hypothesis import strategies as st
from rasplab.rasp import repl
from rasplab.rasp.repl_commands import Command, Mistyped, read_command


def session_output(text: str, tmp_path) -> str:
    out = io.StringIO()
    session = repl.Repl(out)
    session.draw_dir = tmp_path / "comp_flows"
    session.run(repl.stream_reader(io.StringIO(text), out))
    return out.getvalue()


def test_each_command_is_recognised():
    assert read_command("exit") == Command("exit")
    assert read_command("quit()") == Command("exit")
    assert read_command("exit();") == Command("exit")
    assert read_command("set example [1, 2]") == Command("set", None, "[1, 2]")
    assert read_command('set selector example "ab"') == Command("set", "selector", '"ab"')
    assert read_command("show s-op example") == Command("show", "s-op")
    assert read_command("selector examples off") == Command("examples", "selector", "off")
    assert read_command("examples on") == Command("examples", None, "on")
    assert read_command("full seq display on") == Command("full", None, "on")
    assert read_command('draw(x, "abc");') == Command("draw", None, 'x, "abc"')


def test_rasp_source_is_not_a_command():
    for line in ["x = 1;", "selector = select(indices, indices, <);", "selector_width(full_s);"]:
        assert read_command(line) is None


def test_mistyped_commands_are_caught():
    for line in ["show exmple", "set exmple 3", "full seq dispaly on", "s-op exmaples off"]:
        assert isinstance(read_command(line), Mistyped)


def test_a_session_with_every_command(tmp_path):
    out = session_output(
        "x = indices + 1;\n"
        'set selector example "ab"\n'
        "show example\n"
        "prevs = select(indices, indices, <);\n"
        "selector examples off\n"
        "prevs;\n"
        "full seq display on\n"
        "x;\n"
        "full seq display off\n"
        "s-op examples off\n"
        "x;\n"
        "examples on\n"
        "set s-op example [4, 5]\n"
        "show s-op example\n"
        "draw(x);\n"
        'draw(x, "abc")\n'
        "exit()\n"
        "x;\n",
        tmp_path,
    )
    assert 's-op example: "hello"\nselector example: "ab"' in out
    assert 'prevs("ab") =' in out  # the selector on its own example
    assert out.count("selector: prevs\n>> ") == 1  # shown bare once examples were off
    assert " \t   input:  h e l l o   (strings)\n \t   output: 1 2 3 4 5   (ints)" in out
    assert "     s-op: x\n>> " in out
    assert "s-op example: [4, 5]" in out
    assert "x on [4, 5]: 1 layer(s)" in out and 'x on ["a", "b", "c"]' in out
    assert (tmp_path / "comp_flows" / "x.svg").exists()
    assert out.rstrip().endswith(">>")  # nothing ran after exit()


def test_draw_prints_the_flow_and_writes_an_svg(tmp_path):
    out = session_output('y = aggregate(full_s, indicator(tokens == "l"));\ndraw(y);\n', tmp_path)
    assert "layer 1 MLP" in out and "layer 2 attention" in out
    assert "full_s" in out and "= select(True, True, ==)" in out
    svg = (tmp_path / "comp_flows" / "y.svg").read_text()
    document = minidom.parseString(svg)
    assert document.documentElement.tagName == "svg"
    assert "aggregate(full_s, map_3, default 0)" in svg


def test_failed_commands_do_not_swallow_the_next_line(tmp_path):
    out = session_output(
        "show exmple\n"
        "set example 3\n"
        "draw(nothing_here)\n"
        "draw(select(indices, indices, <))\n"
        "draw(indices, 5)\n"
        "z = indices * 2;\n",
        tmp_path,
    )
    assert "unknown command 'show exmple'" in out
    assert "the example must be a string or a list" in out
    assert "unknown name 'nothing_here'" in out
    assert "draw takes an s-op, not a selector" in out
    assert 'z("hello") = [0, 2, 4, 6, 8] (ints)' in out  # the last line still ran


@given(
    st.sampled_from(["show", "set", "full", "examples", "s-op", "selector"]),
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
)
def test_any_mistyped_command_is_answered_at_once(word, typo):
    line = f"{word} {typo}"
    if read_command(line) is not None and not isinstance(read_command(line), Mistyped):
        return  # a real command, such as `examples on`
    out = io.StringIO()
    session = repl.Repl(out)
    for text in [line, "y = indices;"]:
        assert session.feed(text)
    assert not session.pending
    assert 'y("hello") = [0, 1, 2, 3, 4] (ints)' in out.getvalue()


def test_the_rasp_command_runs_a_scripted_session(tmp_path):
    script = "x = indices;\nshow example\nfull seq display on\nx;\nquit\n"
    done = subprocess.run(
        [sys.executable, "-c", "from rasplab.rasp.repl import main; main()"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert 'running example is: "hello"' in done.stdout
    assert "output: 0 1 2 3 4" in done.stdout
