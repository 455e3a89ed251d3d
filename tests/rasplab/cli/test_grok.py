"""`rasp grok` from the command line: a tiny modulus, a few steps, seconds."""

import json

import pytest

from rasplab import model, tasks
from rasplab.cli import main


def test_grok_writes_metrics_and_reports_events(tmp_path, capsys):
    args = ["grok", "--p", "7", "--steps", "20", "--eval-every", "10", "-o", str(tmp_path)]
    assert main([*args, "--quiet", "--device", "cpu"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (
        summary["p"] == 7 and summary["steps"] == 20 and sorted(summary["key_freqs"]) == [1, 2, 3]
    )
    assert summary["train_fraction"] == 0.3 and summary["lr"] == 1e-3  # mod_add's recipe
    assert {"memorised_step", "grokked_step", "grokked_seconds"} <= set(summary)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").open()]
    assert [r["step"] for r in records] == [10, 20]
    assert all(r["restricted_loss"] > 0 and r["excluded_loss"] > 0 for r in records)
    assert (tmp_path / "curves.png").stat().st_size > 0


def test_the_checkpoint_names_a_task_that_resolves(tmp_path, capsys):
    args = ["grok", "--p", "5", "--steps", "2", "--eval-every", "1", "--frac", "0.5"]
    assert main([*args, "--lr", "3e-3", "-o", str(tmp_path), "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["train_fraction"] == 0.5 and summary["lr"] == 3e-3
    labels = model.load(summary["checkpoint"]).cfg.labels
    assert labels["task"] == "mod_add_p5"
    task = tasks.get(labels["task"])
    assert task.vocab == ("0", "1", "2", "3", "4", "=")
    assert task.reference(["4", "3", "="]) == [None, None, "2"]


def test_the_printed_lines_come_before_the_summary(tmp_path, capsys):
    args = ["grok", "--p", "5", "--steps", "4", "--eval-every", "2", "-o", str(tmp_path)]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[:2]] == ["2/4", "4/4"]
    assert json.loads(lines[-1])["steps"] == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--p", "8"], "p must be an odd integer >= 3"),
        (["--p", "1"], "p must be an odd integer >= 3"),
        (["--frac", "1.5"], "expected a fraction in (0, 1)"),
        (["--frac", "half"], "expected a fraction in (0, 1)"),
        (["--steps", "0"], "expected a positive integer"),
    ],
)
def test_bad_settings_are_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as done:
        main(["grok", *argv])
    assert done.value.code == 2
    assert message in capsys.readouterr().err
