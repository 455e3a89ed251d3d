"""The REPL survives what used to end the session (issue 11): printing a huge int,
`set example` with one, deeply nested lists, memory running out, and oversized
requests refused by the limits. After each, the session still answers."""

from __future__ import annotations

import io

import pytest
from rasplab.rasp import limits
from rasplab.rasp.repl import Repl

DEEP = "[" * 400 + "]" * 400


@pytest.fixture(scope="module")
def repl() -> tuple[Repl, io.StringIO]:
    out = io.StringIO()
    return Repl(out), out


def said(repl_and_out, *lines: str) -> str:
    repl, out = repl_and_out
    out.truncate(0)
    out.seek(0)
    for line in lines:
        repl.feed(line)
    return out.getvalue()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["y = 10 ^ 5000;", "y;"], "more than 4300 digits"),
        (["set example 10 ^ 5000"], "more than 4300 digits"),
        ([f"x = {DEEP};"], "nests too deeply"),
        ([f"set example {DEEP}"], "not an atom"),
        (["r = range(10 ^ 8);"], "range()'s length is 100,000,000"),
        (['set example "' + "a" * 9000 + '"'], "needs selectors whose size"),
    ],
)
def test_the_session_survives(repl, lines, message):
    text = said(repl, *lines)
    assert message in text and "Traceback" not in text
    assert "value: k = 7" in said(repl, "k = 7;")


def test_memory_running_out_keeps_the_session(repl, monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(repl[0].session, "exec", out_of_memory)
    assert "out of memory" in said(repl, "z = 1;")
    monkeypatch.undo()
    assert "value: k = 7" in said(repl, "k = 7;")


def test_a_failed_example_keeps_the_old_one(repl):
    said(repl, "set example [1, 2]")
    said(repl, "set example 10 ^ 5000")
    assert repl[0].example == [1, 2]


def test_limits_lift(repl):
    with limits.lifted():
        assert "error" not in said(repl, "r = range(1000001);")
