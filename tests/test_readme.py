"""The README's Python snippets and its tour's commands run as written."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent
# The tour's train and compare run in `make demo` (about a minute); the rest here.
SLOW = ("rasp train", "rasp compare")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def tour_commands() -> list[str]:
    tour = README.split("## A short tour", 1)[1]
    block = re.search(r"```\n(.*?)```", tour, flags=re.S).group(1)
    joined = block.replace("\\\n", " ")
    return [line.split("  #")[0].strip() for line in joined.splitlines() if line.strip()]


@pytest.mark.parametrize("snippet", blocks("python"), ids=lambda s: s.splitlines()[0][:40])
def test_python_snippet_runs(snippet, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", snippet], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def test_the_tour_lists_the_whole_pipeline():
    commands = tour_commands()
    assert [c.split()[1] for c in commands] == ["tasks", "run", "compile", "verify", "train",
                                                "compare"]


@pytest.mark.parametrize(
    "command", [c for c in tour_commands() if not c.startswith(SLOW)], ids=lambda c: c[:30]
)
def test_tour_command_runs(command, tmp_path):
    for folder in ("tasks", "rasp"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        shlex.split(command), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    if " -o " in command:
        assert (tmp_path / "runs" / "sort.safetensors").is_file()
