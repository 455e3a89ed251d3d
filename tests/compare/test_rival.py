"""The default rival of a comparison: another hypothesis of the same task."""

import dataclasses

from rasplab.compare import rival_program

from rasplab import tasks


def test_the_rival_is_another_hypothesis_of_the_task():
    task = tasks.get("sort5")
    rank = task.hypotheses["rank"].program()
    count = task.hypotheses["count"].program()
    assert rival_program(task, rank).name == "sort_count"
    assert rival_program(task, count).name == "sort_rank"


def test_no_task_or_no_other_hypothesis_means_no_rival():
    task = tasks.get("sort5")
    rank = task.hypotheses["rank"].program()
    assert rival_program(None, rank) is None
    alone = dataclasses.replace(task, hypotheses={"rank": task.hypotheses["rank"]})
    assert rival_program(alone, rank) is None
