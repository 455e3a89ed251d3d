"""`rasp compare`'s own arguments (the comparison itself: tests/compare/)."""

from pathlib import Path

import pytest
from rasplab.compiler import compile_program
from rasplab.rasp import Session

from rasplab import rasp
from rasplab.cli import main

REVERSE = str(Path(rasp.__file__).parent / "lib" / "reverse.rasp")


@pytest.fixture(scope="module")
def reverse_model(tmp_path_factory) -> Path:
    session = Session()
    session.exec_file(REVERSE)
    cm = compile_program(session.program("reversed"), ["a", "b"], 3)
    path = tmp_path_factory.mktemp("model") / "reverse.safetensors"
    cm.save(path)
    return path


def compare(capsys, model: Path, *argv: str) -> tuple[int, str]:
    argv = ("--model", str(model), "--program", REVERSE, "--name", "reversed", *argv)
    code = main(["compare", *argv])
    return code, capsys.readouterr().err


def test_rival_needs_file_and_name(capsys, reverse_model):
    code, err = compare(capsys, reverse_model, "--rival", "reverse.rasp")
    assert code == 1 and "--rival takes FILE:NAME" in err and "Traceback" not in err


def test_rival_names_an_sop_of_its_file(capsys, reverse_model):
    code, err = compare(capsys, reverse_model, "--rival", f"{REVERSE}:reversd")
    assert code == 1 and "did you mean 'reversed'" in err


def test_an_unknown_task_lists_the_known_ones(capsys, reverse_model):
    code, err = compare(capsys, reverse_model, "--task", "sort55")
    assert code == 1 and "unknown task 'sort55'" in err and "sort5" in err
