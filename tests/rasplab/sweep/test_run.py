"""A real sweep on a local Ray with 2 workers: killed mid-way and resumed (only the
unfinished points run again), a point that raises recorded while the others finish,
and the merged table. One Ray session serves the module (starting Ray takes seconds)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import ray

from rasplab.sweep import expand, load_spec, run_sweep

# prev_token trains in a few steps; compare with tiny budgets keeps each point to seconds
TINY = """
[sweep]
name = "tiny"
out = "{out}"
retries = {retries}
[settings]
task = "prev_token"
steps = 10
eval_every = 5
eval_size = 100
inputs = 32
das_steps = 3
"""


@pytest.fixture(scope="module")
def ray_session():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def spec_file(tmp_path: Path, body: str, retries: int = 1) -> Path:
    path = tmp_path / "tiny.toml"
    text = TINY.format(out=tmp_path / "out", retries=retries) + textwrap.dedent(body)
    path.write_text(text)
    return path


def ok_records(out: Path) -> dict[str, str]:
    """id -> file text of every finished point's record."""
    found = {}
    for path in (out / "results").glob("*.json"):
        text = path.read_text()
        if json.loads(text)["status"] == "ok":
            found[path.stem] = text
    return found


def test_a_killed_sweep_resumes_with_only_its_unfinished_points(ray_session, tmp_path):
    spec = spec_file(tmp_path, "[grid]\nseed = [0, 1]\nd_model = [16, 32]\n")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "rasplab", "sweep", str(spec), "--address", ray_session,
               "--no-point-reports", "--json"]
    driver = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not ((out / "results").is_dir() and ok_records(out)) and driver.poll() is None:
        assert time.monotonic() < deadline, "no point finished in 2 minutes"
        time.sleep(0.2)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    before = ok_records(out)
    assert 1 <= len(before) < 4, "the kill came after the sweep ended; nothing to resume"

    result = run_sweep(spec, progress=False, report=False)

    assert result.ran == 4 - len(before)
    after = ok_records(out)
    assert len(after) == 4 and not result.failed
    for point_id, text in before.items():
        assert after[point_id] == text, "a finished point ran again"
    with open(out / "table.csv") as file:
        table = list(csv.DictReader(file))
    points = expand(load_spec(spec))
    assert [row["id"] for row in table] == [p.id for p in points]
    assert {(row["seed"], row["d_model"]) for row in table} == {
        ("0", "16"), ("0", "32"), ("1", "16"), ("1", "32")}
    assert all(row["status"] == "ok" and row["steps"] == "10" for row in table)
    assert all(row["verdict:copy"] in ("implements", "partial", "does not", "behaviour only")
               for row in table)
    doc = json.loads((out / "table.json").read_text())
    assert [g["label"] for g in doc["groups"]] == ["prev_token d_model=16", "prev_token d_model=32"]
    assert all(g["points"] == 2 and g["ok"] == 2 for g in doc["groups"])
    assert doc["groups"][0]["sentence"].startswith("prev_token d_model=16: ")
    assert "/2 seeds implement copy" in doc["groups"][0]["sentence"]
    assert "data:image/png;base64," in (out / "report.html").read_text()
    assert run_sweep(spec, progress=False).ran == 0
    assert ok_records(out) == after


def test_a_point_that_raises_is_recorded_and_the_others_finish(ray_session, tmp_path):
    """lr = 1e12 makes the loss NaN at once: train raises Diverged in the worker."""
    spec = spec_file(tmp_path, "[grid]\nlr = [0.003, 1e12]\n", retries=1)
    result = run_sweep(spec, progress=False)

    by_lr = {r["settings"]["lr"]: r for r in result.records}
    good, bad = by_lr[0.003], by_lr[1e12]
    assert good["status"] == "ok" and good["attempts"] == 1
    assert (result.out / "points" / good["id"] / good["compare"]["report"]).is_file()
    assert bad["status"] == "failed" and bad["attempts"] == 2
    assert bad["error"].startswith("Diverged: ") and len(bad["errors"]) == 2
    assert "Traceback" in bad["traceback"]
    assert json.loads((result.out / "results" / f"{bad['id']}.json").read_text()) == bad
    assert [r["id"] for r in result.failed] == [bad["id"]]
    rerun = run_sweep(spec, progress=False, retries=0)
    assert rerun.ran == 1, "only the failed point is tried again"
    assert os.path.getsize(result.out / "table.csv") > 0
