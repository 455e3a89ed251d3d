"""`rasp train` from the command line, through main(argv)."""

import json

from rasplab import model
from rasplab.cli import main


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
