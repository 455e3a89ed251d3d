"""`rasp train`, `rasp tasks` and `python -m train.grok` from the command line."""

import json

from rasplab import model, tasks
from rasplab.cli import main
from rasplab.train import grok


def test_rasp_train_prints_progress_then_the_final_json(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "sort5", "--steps", "4", "--eval-every", "2", "-o", str(out), "--quiet"]
    assert main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert set(result) == {"checkpoint", "steps", "accuracy"}
    assert result["steps"] == 4 and 0 <= result["accuracy"] <= 1
    assert result["checkpoint"] == str(out / "model.safetensors")
    assert "sort5: 4 steps" in lines[-2]
    assert model.load(result["checkpoint"]).cfg.labels["task"] == "sort5"


def test_rasp_train_json_prints_only_the_json(tmp_path, capsys):
    args = ["train", "sort5", "--steps", "2", "--eval-every", "1", "-o", str(tmp_path), "--json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and json.loads(out)["steps"] == 2


def test_rasp_train_logs_each_evaluation(tmp_path, capsys):
    args = ["train", "sort5", "--steps", "4", "--eval-every", "2", "-o", str(tmp_path)]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[:2]] == ["2/4", "4/4"]


def test_rasp_train_unknown_task_lists_the_known_ones(tmp_path, capsys):
    assert main(["train", "sort55", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unknown task 'sort55'" in err and "sort5" in err and "Traceback" not in err


def test_rasp_train_refuses_a_folder_of_another_task(tmp_path, capsys):
    assert main(["train", "sort5", "--steps", "1", "-o", str(tmp_path), "--json"]) == 0
    assert main(["train", "sort10", "--steps", "1", "-o", str(tmp_path), "--json"]) == 1
    err = capsys.readouterr().err
    assert "does not fit task sort10" in err and "max_len is 5, task sort10 has 10" in err


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


def test_grok_command_writes_metrics_and_reports_events(tmp_path, capsys):
    args = ["--p", "7", "--steps", "20", "--eval-every", "10", "-o", str(tmp_path), "--quiet"]
    assert grok.main(args) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (
        summary["p"] == 7 and summary["steps"] == 20 and sorted(summary["key_freqs"]) == [1, 2, 3]
    )
    assert {"memorised_step", "grokked_step", "grokked_seconds"} <= set(summary)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").open()]
    assert [r["step"] for r in records] == [10, 20]
    assert all(r["restricted_loss"] > 0 and r["excluded_loss"] > 0 for r in records)
    assert (tmp_path / "curves.png").stat().st_size > 0
