"""Every built-in task by name, and the rows of the task table (`rasp tasks`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasplab.tasks import (
    code_exec,
    counting,
    digits,
    dyck,
    ioi,
    linreg,
    modular,
    sequences,
    sorting,
)
from rasplab.tasks.hypothesis import HYPOTHESES_DIR
from rasplab.tasks.task import Task


class UnknownTaskError(KeyError):
    """Asked for a task name that is not registered; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


@lru_cache(maxsize=1)
def _registry() -> dict[str, Task]:
    registry: dict[str, Task] = {}
    families = (sorting, sequences, counting, modular, digits, ioi, dyck, code_exec, linreg)
    for family in families:
        for task in family.tasks():
            if task.name in registry:
                raise ValueError(f"two tasks are named {task.name!r}")
            registry[task.name] = task
    return registry


def names() -> list[str]:
    """Task names in table order."""
    return list(_registry())


def all_tasks() -> list[Task]:
    return list(_registry().values())


def get(name: str) -> Task:
    """The task called `name`, or a modular task with another modulus (`mod_add_p53`,
    see tasks.modular); UnknownTaskError (listing the known names) otherwise."""
    registry = _registry()
    task = registry.get(name) or modular.with_modulus(name)
    if task is None:
        raise UnknownTaskError(
            f"unknown task {name!r}; known tasks: {', '.join(registry)} "
            "(and mod_add, mod_sub, mod_add_mlp with any modulus p: mod_add_p53, ...)"
        )
    return task


def task_table() -> list[dict[str, Any]]:
    """One JSON-ready row per task, for `rasp tasks` (plain and --json)."""
    return [task_row(task) for task in all_tasks()]


def task_row(task: Task) -> dict[str, Any]:
    """A task's row of the table: its format and hypotheses (file and output s-op)."""
    return {
        "name": task.name,
        "description": task.description,
        "format": task.token_format,
        "vocab_size": len(task.vocab),
        "min_len": task.min_len,
        "max_len": task.max_len,
        "causal": task.causal,
        "domain_size": task.domain_size,
        "hypotheses": [
            {
                "name": name,
                "file": str(h.file.relative_to(HYPOTHESES_DIR.parent.parent)),
                "output": h.output,
                "compilable": h.compilable,
                "generated": h.source is not None,
                "note": h.note,
            }
            for name, h in task.hypotheses.items()
        ],
        "compilable": any(h.compilable for h in task.hypotheses.values()),
    }
