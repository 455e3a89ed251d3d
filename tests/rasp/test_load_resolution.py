"""`load "x";` means the same wherever the user stands (issue 11): beside the loading
file, else the library, never a same-named file in the current directory."""

from __future__ import annotations

import io

from rasplab.rasp.repl import Repl
from rasplab.rasp.session import LIB_DIR, Session


def test_the_current_directory_never_shadows_the_library(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reverse.rasp").write_text("hijacked = 1;\n")
    program = tmp_path / "elsewhere" / "flip.rasp"
    program.parent.mkdir()
    program.write_text('load "reverse";\nflipped = reverse(tokens);\n')
    session = Session()
    session.exec_file(program)
    assert "hijacked" not in session.names()
    assert session.interpreter.loaded["reverse"] == (LIB_DIR / "reverse.rasp").resolve()


def test_a_file_beside_the_program_comes_first_and_the_repl_says_which(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reverse.rasp").write_text("mine = 1;\n")
    out = io.StringIO()
    Repl(out).feed('load "reverse";')
    assert f"loaded {(tmp_path / 'reverse.rasp').resolve()}: mine" in out.getvalue()
