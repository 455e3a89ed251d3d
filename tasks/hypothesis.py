"""A RASP hypothesis for a task: a .rasp file and the s-op in it that computes the
targets, with whether a RASP-to-transformer compiler can build it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rasplab.rasp import Program, Session

HYPOTHESES_DIR = Path(__file__).parent / "hypotheses"


@dataclass(frozen=True)
class Hypothesis:
    """`file` is a path inside tasks/hypotheses/; `output` names the s-op whose values
    must equal the task's targets on the scored positions. `compilable` is True only
    when every construct is one a compiler handles (select, aggregate, selector_width,
    maps over finite value sets, categorical aggregates selecting at most one key,
    numerical means of numeric values); `note` says what is doubtful or why not."""

    file: Path
    output: str
    compilable: bool
    note: str = ""
    # Generated RASP text (tasks/fourier.py), run instead of the file, which then
    # names its generator.
    source: str | None = None

    def program(self) -> Program:
        """The output s-op as a Program (the file or source is run once per process)."""
        if self.source is not None:
            return _source_session(self.source).program(self.output)
        return _session(self.file).program(self.output)


def hypothesis(file_name: str, output: str, compilable: bool, note: str = "") -> Hypothesis:
    """A Hypothesis whose file lies in tasks/hypotheses/ (checked here, not at use)."""
    path = HYPOTHESES_DIR / file_name
    if not path.is_file():
        raise FileNotFoundError(f"no hypothesis file {path}")
    return Hypothesis(path, output, compilable, note)


@cache
def _session(file: Path) -> Session:
    session = Session()
    session.exec_file(file)
    return session


@cache
def _source_session(source: str) -> Session:
    session = Session()
    session.exec(source)
    return session
