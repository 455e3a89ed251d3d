"""The rival program of a comparison: a wrong program with the same behaviour, whose
scores show what the measures give a hypothesis that is not the model's algorithm."""

from __future__ import annotations

from rasplab.rasp import Program
from rasplab.tasks import Task


def rival_program(task: Task | None, program: Program) -> Program | None:
    """The first hypothesis of `task` whose output is not `program`'s, the default rival
    of `rasp compare`; None without a task or when the task has no other hypothesis."""
    if task is None:
        return None
    for hypothesis in task.hypotheses.values():
        candidate = hypothesis.program()
        if candidate.name != program.name:
            return candidate
    return None
