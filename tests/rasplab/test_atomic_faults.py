"""rasplab.atomic under faults: it never replaces anything but a regular file, and the
temporary files of a killed writer are removed by the next write."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rasplab import atomic


def test_only_regular_files_are_replaced(tmp_path):
    fifo, link = tmp_path / "fifo", tmp_path / "link"
    os.mkfifo(fifo)
    link.symlink_to(tmp_path / "elsewhere")
    for target in (fifo, link, tmp_path):
        with pytest.raises(atomic.NotRegularFile, match="only ever replaces regular files"):
            atomic.write_text(target, "x")
    assert not (tmp_path / "elsewhere").exists()


def test_a_killed_writers_temporary_is_swept(tmp_path):
    target = tmp_path / "out.txt"
    code = (
        "import os, sys; from rasplab import atomic\n"
        "with atomic.replacing(sys.argv[1]) as tmp:\n"
        "    tmp.write_text('half'); os._exit(9)\n"  # dies as a SIGKILL would: no cleanup
    )
    subprocess.run([sys.executable, "-c", code, target])
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1
    live = tmp_path / f".out.txt.{os.getpid()}-abc.tmp"  # a live writer's is kept
    live.write_text("busy")
    atomic.write_text(target, "done")
    assert target.read_text() == "done"
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == [live]
