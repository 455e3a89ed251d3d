"""`rasp tasks` from the command line, through main(argv)."""

import json

from rasplab import tasks
from rasplab.cli import main


def test_rasp_tasks_json_lists_every_task(capsys):
    assert main(["tasks", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == tasks.names()
    assert all({"description", "vocab_size", "max_len", "hypotheses"} <= set(r) for r in rows)


def test_rasp_tasks_table_shows_every_task_and_compilable_marks(capsys):
    assert main(["tasks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines[1:] if line.strip()]
    assert set(tasks.names()) <= set(names)
    mod_add = next(line for line in lines if line.startswith("mod_add "))
    assert "table*" in mod_add and "fourier " in mod_add  # the Fourier one does not compile


def test_rasp_tasks_task_names_each_hypothesis_file_and_output(capsys):
    assert main(["tasks", "sort5"]) == 0
    out = capsys.readouterr().out
    assert "tasks/hypotheses/sort.rasp -n sort_rank" in out
    assert "tasks/hypotheses/sort.rasp -n sort_count" in out
    assert "rasp compare --model CKPT --task sort5" in out
    assert main(["tasks", "mod_add_p53", "--json"]) == 0  # a task at another modulus
    row = json.loads(capsys.readouterr().out)
    assert row["name"] == "mod_add_p53" and all(h["generated"] for h in row["hypotheses"])
    assert main(["tasks", "srot5"]) == 1
    assert "unknown task 'srot5'" in capsys.readouterr().err
