"""Sessions run one parsed copy of the REPL library (parsed once per process) but
never share what running it, or the user's statements, define."""

import pytest
from rasplab.rasp import RaspError, Session


def test_sessions_share_no_state():
    first, second = Session(), Session()
    first.exec("tokens = tokens_int; mine = length + 1;")
    assert first.eval("tokens", [3, 4]).value == [3, 4]
    assert second.eval("tokens", "ab").value == ["a", "b"]
    with pytest.raises(RaspError, match="unknown name 'mine'"):
        second.get("mine")
    assert first.get("length") is not second.get("length")
    assert second.eval("sort(tokens, tokens)", "cab").value == ["a", "b", "c"]
