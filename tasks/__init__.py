"""tasks: the toy algorithmic problems of the field, each with its token format,
seeded generator, reference solution, Hypothesis strategy, RASP hypotheses and a
default training recipe (see DESIGN.md, "Tasks", and `tasks.task` for the format
conventions: BOS, None targets, causal tasks).

    from rasplab import tasks
    task = tasks.get("sort5")
    inputs, targets = task.sample(np.random.default_rng(0), 100)
    task.hypotheses["rank"].program().evaluate(inputs).output
"""

from rasplab.tasks.choosers import Chooser
from rasplab.tasks.hypothesis import Hypothesis
from rasplab.tasks.recipe import Recipe
from rasplab.tasks.registry import UnknownTaskError, all_tasks, get, names, task_table
from rasplab.tasks.table import format_task_table
from rasplab.tasks.task import IGNORE_INDEX, Task

__all__ = [
    "IGNORE_INDEX",
    "Chooser",
    "Hypothesis",
    "Recipe",
    "Task",
    "UnknownTaskError",
    "all_tasks",
    "format_task_table",
    "get",
    "names",
    "task_table",
]
