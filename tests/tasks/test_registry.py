"""The registry: names, lookup, unknown names, the task table."""

import json

import pytest
from rasplab.tasks import UnknownTaskError

from rasplab import tasks

REQUIRED = [
    "sort5", "sort10", "sort_var", "reverse", "hist", "double_hist", "most_freq", "min_max",
    "permute", "fib_mod", "mod_add", "mod_sub", "mod_add_mlp", "add_sub", "add5", "add5_rev",
    "sub5", "induction", "prev_token", "ioi", "dyck1", "dyck2", "code_exec", "linreg",
]  # fmt: skip


def test_every_required_task_is_registered():
    assert set(REQUIRED) <= set(tasks.names())


def test_names_and_all_tasks_agree():
    assert [t.name for t in tasks.all_tasks()] == tasks.names()
    assert len(set(tasks.names())) == len(tasks.names())


def test_get_returns_the_named_task():
    assert tasks.get("sort5").name == "sort5"


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownTaskError) as info:
        tasks.get("sortt5")
    message = str(info.value)
    assert "sortt5" in message
    assert all(name in message for name in tasks.names())


def test_unknown_task_error_is_a_key_error():
    with pytest.raises(KeyError):
        tasks.get("nope")


def test_task_table_is_plain_json_with_a_row_per_task():
    rows = tasks.task_table()
    assert [r["name"] for r in rows] == tasks.names()
    json.dumps(rows)
    row = rows[tasks.names().index("mod_add")]
    assert row["vocab_size"] == 114
    assert row["max_len"] == 3
    assert row["domain_size"] == 113 * 113
    assert {h["name"]: h["compilable"] for h in row["hypotheses"]} == {
        "table": True,
        "fourier": False,
    }
    assert row["compilable"] is True
    assert row["hypotheses"][0]["file"] == "tasks/hypotheses/mod_arith.rasp"


@pytest.mark.parametrize("name", tasks.names())
def test_every_task_has_a_hypothesis_whose_output_exists(name):
    task = tasks.get(name)
    assert task.hypotheses
    for hypothesis in task.hypotheses.values():
        assert hypothesis.file.parent.name == "hypotheses"
        assert hypothesis.program().name == hypothesis.output
