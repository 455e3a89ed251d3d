"""`import rasplab` is the front door, and no user file can shadow its parts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SHADOWS = ("model", "train", "tasks", "compiler", "compare", "rasp")


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """A research folder whose own model.py, train.py, ... blow up when imported."""
    for name in SHADOWS:
        (tmp_path / f"{name}.py").write_text(f"raise RuntimeError('the user\\'s {name}.py')\n")
    return tmp_path


def run_in(directory: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, cwd=directory, capture_output=True, text=True, env=env)


def test_import_rasplab_beside_users_modules(hostile_dir):
    code = (
        "import rasplab\n"
        "s = rasplab.Session()\n"
        "s.exec('load \"reverse\";')\n"
        "cm = rasplab.compile_program(s.program('reversed'), vocab=['a', 'b'], max_len=3)\n"
        "print(cm.run(['a', 'b', 'b']))\n"
        "print(rasplab.tasks.get('sort5').name, rasplab.Transformer.__name__)\n"
        "import rasplab.train, rasplab.compare\n"
        "print(callable(rasplab.train), callable(rasplab.compare))\n"
    )
    done = run_in(hostile_dir, sys.executable, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["['b', 'b', 'a']", "sort5 Transformer", "True True"]


def test_rasp_command_beside_users_modules(hostile_dir):
    rasp = Path(sys.executable).with_name("rasp")
    assert rasp.exists(), "the `rasp` console script is missing: run `make install`"
    (hostile_dir / "flip.rasp").write_text('load "reverse";\nflipped = reverse(tokens);\n')
    done = run_in(hostile_dir, str(rasp), "run", "flip.rasp", "--input", "abc")
    assert done.returncode == 0, done.stderr
    assert "[c, b, a]" in done.stdout


def test_front_door_is_lazy():
    code = (
        "import sys, rasplab; rasplab.Session\n"
        "print(sorted({'torch', 'matplotlib'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_front_door_names():
    import rasplab
    from rasplab import Session, Transformer, compare, compile_program, train

    assert Session is rasplab.rasp.Session
    assert compile_program is rasplab.compiler.compile_program
    assert Transformer is rasplab.model.Transformer
    assert compare.Settings is rasplab.compare.Settings
    assert train.TrainConfig is rasplab.TrainConfig
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        rasplab.nonsense  # noqa: B018
