"""The fault suite of issue 11 for the command line: whatever the arguments, inputs
and files, `rasp` exits 0 or with a one-line error, never a traceback; outputs never
replace what is not theirs; limits refuse up front and --no-limits lifts them.

Read-only and full file systems are real tmpfs mounts (we run as root here); where
mounting is not allowed the same OSError is raised by a patched os.replace, which is
where a real one would surface.
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout, suppress
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rasplab.cli import main

SORT = Path(__file__).parents[3] / "tasks" / "hypotheses" / "sort.rasp"
SUCC = "succ = tokens_int + 1;\n"


def rasp(*argv: str) -> tuple[int, str, str]:
    """Run `rasp argv` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as exit:  # argparse's usage errors
            status = exit.code
    return status, out.getvalue(), err.getvalue()


def assert_clean(status: int, err: str) -> None:
    assert status in (0, 1, 2), (status, err)
    assert "Traceback" not in err and "internal error" not in err, err


@pytest.fixture
def succ(tmp_path: Path) -> Path:
    path = tmp_path / "succ.rasp"
    path.write_text(SUCC)
    return path


def compile_to(program: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return rasp(
        "compile", program, "--name", "succ", "--vocab", "1,2", "--max-len", "2", "-o", out, *extra
    )


# ---- output paths ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink"])
def test_compile_never_replaces_a_device_fifo_or_symlink(tmp_path, succ, kind):
    target = tmp_path / "model.safetensors"
    victim = tmp_path / "victim"
    victim.write_text("keep")
    if kind == "device":
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # like /dev/null
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(victim)
    for force in ((), ("--force",)):
        status, _, err = compile_to(succ, target, *force)
        assert status == 1 and "only ever replaces regular files" in err, err
    mode = os.lstat(target).st_mode
    assert {"device": stat.S_ISCHR, "fifo": stat.S_ISFIFO, "symlink": stat.S_ISLNK}[kind](mode)
    assert victim.read_text() == "keep"


@pytest.mark.parametrize("which", ["weights", "config"])
def test_compile_keeps_an_unrelated_file_unless_forced(tmp_path, succ, which):
    target = tmp_path / "m.safetensors"
    theirs = target if which == "weights" else target.with_suffix(".json")
    theirs.write_text("someone's notes")
    status, _, err = compile_to(succ, target)
    assert status == 1 and "--force" in err and theirs.read_text() == "someone's notes"
    status, _, err = compile_to(succ, target, "--force")
    assert status == 0, err
    assert theirs.read_bytes() != b"someone's notes"


def test_compile_rewrites_its_own_model(tmp_path, succ):
    target = tmp_path / "m.safetensors"
    assert compile_to(succ, target)[0] == 0
    assert compile_to(succ, target)[0] == 0


def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


@pytest.fixture
def filesystem(tmp_path, monkeypatch):
    """A folder on a read-only ("ro") or a full ("full") file system."""
    mounted: list[Path] = []

    def make(kind: str) -> Path:
        where = tmp_path / kind
        options = "ro,size=1m" if kind == "ro" else "size=16k"
        if _mount_tmpfs(where, options):
            mounted.append(where)
            if kind == "full":
                _fill(where)
        else:  # no mount here: the OSError a real one raises, where it would arise
            code = errno.EROFS if kind == "ro" else errno.ENOSPC

            def fail(*args, **kwargs):
                raise OSError(code, os.strerror(code))

            monkeypatch.setattr(os, "replace", fail)
        return where

    yield make
    for where in mounted:
        subprocess.run(["umount", str(where)], check=True)


def _fill(where: Path) -> None:
    """Write until the file system says it is full."""
    with suppress(OSError), open(where / "filler", "wb", buffering=0) as file:
        while True:
            file.write(b"\0" * 4096)


@pytest.mark.parametrize("kind", ["ro", "full"])
def test_compile_to_a_read_only_or_full_file_system(filesystem, succ, kind):
    folder = filesystem(kind)
    status, _, err = compile_to(succ, folder / "m.safetensors", "--plot", folder / "plots")
    assert_clean(status, err)
    assert status == 1 and "None" not in err
    assert ("Read-only" in err) if kind == "ro" else ("No space" in err), err
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


# ---- train output folders ---------------------------------------------------------


def test_train_refuses_a_file_a_foreign_model_and_a_busy_folder(tmp_path):
    import fcntl

    file = tmp_path / "a-file"
    file.write_text("x")
    status, _, err = rasp("train", "reverse", "-o", file, "--steps", "1")
    assert status == 1 and "not a folder" in err and file.read_text() == "x"

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "model.safetensors").write_text("their model")
    status, _, err = rasp("train", "reverse", "-o", foreign, "--steps", "1")
    assert status == 1 and "--force" in err
    assert (foreign / "model.safetensors").read_text() == "their model"

    busy = tmp_path / "busy"
    busy.mkdir()
    with open(busy / ".rasp-train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write("4242\n")
        lock.flush()
        status, _, err = rasp("train", "reverse", "-o", busy, "--steps", "1")
    assert status == 1 and "in use by another training run (pid 4242)" in err
    assert not (busy / "state.pt").exists()


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04torn", b"not a checkpoint at all"])
def test_train_names_an_unreadable_state_file(tmp_path, content):
    (tmp_path / "state.pt").write_bytes(content)
    status, _, err = rasp("train", "reverse", "-o", tmp_path, "--steps", "1")
    assert status == 1 and "state.pt is not a readable checkpoint" in err
    assert len(err.strip().splitlines()) == 1


def test_train_on_a_read_only_file_system(filesystem):
    status, _, err = rasp("train", "reverse", "-o", filesystem("ro") / "run", "--steps", "1")
    assert_clean(status, err)
    assert status == 1


# ---- limits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vocab", ",".join(map(str, range(2000))), "--max-len", "2"], "--vocab's size"),
        (["--vocab", "1,2", "--max-len", "1000"], "--max-len is 1,000"),
    ],
)
def test_compile_limits_refuse_up_front(succ, argv, message):
    status, _, err = rasp("compile", succ, "--name", "succ", *argv)
    assert status == 1 and message in err and "--no-limits" in err


def test_run_limits_and_the_flag(tmp_path):
    program = tmp_path / "r.rasp"
    program.write_text("n = len(range(1000001));\nn;\n")
    status, _, err = rasp("run", program, "--input", "a")
    assert status == 1 and "range()'s length is 1,000,001" in err
    status, out, err = rasp("--no-limits", "run", program, "--input", "a")
    assert status == 0 and "1000001" in out, err
    status, out, err = rasp("run", program, "--input", "a", "--no-limits")
    assert status == 0, err
    big = tmp_path / "big.rasp"
    big.write_text("x = 1;\n" * 200_000)
    status, _, err = rasp("run", big, "--input", "a")
    assert status == 1 and "characters, above the limit" in err
    selector = "select(indices, indices, ==)"
    status, _, err = rasp("run", SORT, "--input", "a" * 9000, "--expr", selector)
    assert status == 1 and "needs selectors whose size" in err


def test_json_never_prints_nan():
    from rasplab.jsonsafe import dumps

    assert json.loads(dumps({"a": float("nan"), "b": [float("inf"), 1.5]})) == {
        "a": None,
        "b": [None, 1.5],
    }


def test_a_closed_pipe_ends_quietly():
    """`rasp tasks | head`: the reader is gone before rasp writes."""
    read, write = os.pipe()
    os.close(read)
    rasp_script = Path(sys.executable).parent / "rasp"
    done = subprocess.run([rasp_script, "tasks"], stdout=write, stderr=subprocess.PIPE, text=True)
    os.close(write)
    assert done.returncode == 141 and done.stderr == ""


# ---- the fuzz ---------------------------------------------------------------------

FILES = {
    "sort": SORT.read_text(),
    "succ": SUCC,
    "empty": "",
    "garbage": "\x00\xff not rasp {{{",
    "deep": "x = " + "(" * 3000 + "1" + ")" * 3000 + ";\n",
    "loads": 'load "nowhere";\n',
}
WORDS = [
    "sort_rank",
    "succ",
    "x",
    "nope",
    "",
    "-",
    "--",
    "1,2",
    "0,1,2",
    "a,b",
    "1000000",
    "0",
    "-1",
    "3",
    "abc",
    "[1, 2]",
    "[true, 1]",
    "[[1]]",
    "hello",
    "1e999",
    "nan",
    "/dev/null",
    "reverse",
    "sort5",
]
FLAGS = {
    "run": ["--input", "--expr", "--name", "--json"],
    "compile": [
        "--name",
        "--vocab",
        "--max-len",
        "-o",
        "--json",
        "--causal",
        "--force",
        "--plot",
        "--example",
    ],
    "verify": ["--name", "--vocab", "--max-len", "--samples", "--seed", "--json"],
    "tasks": ["--json"],
    "train": ["--steps", "--lr", "--seed", "--until", "--batch-size", "--force", "--json"],
}


@st.composite
def command_lines(draw, folder: Path) -> list[str]:
    command = draw(st.sampled_from(sorted(FLAGS)))
    argv = [command]
    if command in ("run", "compile", "verify"):
        argv.append(str(folder / draw(st.sampled_from([*sorted(FILES), "missing"]))))
    elif command == "train":
        argv.append(draw(st.sampled_from(["reverse", "nope", "sort5", "mod_add_p4"])))
        argv += ["-o", str(folder / "run"), "--quiet"]
    for flag in draw(st.lists(st.sampled_from(FLAGS[command]), max_size=6)):
        argv.append(flag)
        if flag not in ("--json", "--causal", "--force"):
            argv.append(draw(st.sampled_from(WORDS) | st.text(max_size=6)))
    if command == "train" and "--steps" not in argv:
        argv += ["--steps", "1"]
    if command in ("compile", "verify") and "--max-len" in argv:
        position = argv.index("--max-len") + 1
        if argv[position:] and argv[position].isdigit() and 4 < int(argv[position]) < 300:
            argv[position] = "3"  # large domains are the limits' test, not the fuzz's
    return argv


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    for name, text in FILES.items():
        (folder / name).write_text(text, errors="surrogateescape")
    return folder


def test_fuzz_every_subcommand_exits_cleanly(fuzz_folder, monkeypatch):
    monkeypatch.chdir(fuzz_folder)

    @settings(max_examples=60, deadline=None)
    @given(argv=command_lines(fuzz_folder))
    def check(argv):
        status, _out, err = rasp(*argv)
        assert_clean(status, err)

    check()
