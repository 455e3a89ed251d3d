"""rasplab.atomic: a target is either its old content or the complete new one, and no
temporary file outlives a write."""

import errno
import os
import stat

import pytest

from rasplab import atomic


def _is_folder(fd):
    return stat.S_ISDIR(os.fstat(fd).st_mode)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_bytes_and_text_give_the_complete_content(tmp_path):
    data = os.urandom(1 << 20)
    assert atomic.write_bytes(tmp_path / "blob", data) == tmp_path / "blob"
    assert (tmp_path / "blob").read_bytes() == data
    atomic.write_text(str(tmp_path / "note.txt"), "héllo\nworld\n")
    assert (tmp_path / "note.txt").read_text(encoding="utf-8") == "héllo\nworld\n"
    atomic.write_text(tmp_path / "note.txt", "shorter")
    assert (tmp_path / "note.txt").read_text() == "shorter"
    assert _leftovers(tmp_path) == []


def test_replacing_hands_a_path_that_a_library_can_write(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with atomic.replacing(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # nothing visible before the rename
    assert target.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []


def test_a_library_that_recreates_the_file_does_not_set_its_permissions(tmp_path):
    atomic.write_text(tmp_path / "plain", "x")
    with atomic.replacing(tmp_path / "lib") as tmp:
        tmp.unlink()
        tmp.write_bytes(b"y")
        tmp.chmod(0o600)
    assert stat.S_IMODE((tmp_path / "lib").stat().st_mode) == stat.S_IMODE(
        (tmp_path / "plain").stat().st_mode
    )


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_a_failure_mid_write_keeps_the_original_and_leaves_no_temporary(tmp_path, error):
    target = tmp_path / "model.json"
    target.write_text("original")
    with pytest.raises(error), atomic.replacing(target) as tmp:
        tmp.write_text("half of the new")
        raise error()
    assert target.read_text() == "original"
    assert _leftovers(tmp_path) == []


def test_a_failing_sync_keeps_the_original_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "state.pt"
    target.write_bytes(b"original")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_bytes(target, b"new content")
    assert target.read_bytes() == b"original"
    assert _leftovers(tmp_path) == []


def test_the_file_and_its_folder_are_synced_before_and_after_the_rename(tmp_path, monkeypatch):
    target = tmp_path / "metrics.jsonl"
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", _is_folder(fd)))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", target.exists()))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic.write_text(target, "{}\n")
    # The file's own sync (not the folder) comes first, then the rename, then the folder.
    assert events == [("fsync", False), ("replace", False), ("fsync", True)]
    assert target.read_text() == "{}\n"


def test_a_folder_that_cannot_be_synced_does_not_fail_a_finished_write(tmp_path, monkeypatch):
    real_fsync = os.fsync

    def no_folder_sync(fd):
        if _is_folder(fd):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", no_folder_sync)
    atomic.write_text(tmp_path / "a.txt", "done")
    assert (tmp_path / "a.txt").read_text() == "done"


def test_a_folder_refusing_new_files_gives_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    """The read-only case for any user, root included: creating the temporary file fails
    as it does on a read-only file system."""
    real_open = os.open

    def read_only_fs(path, flags, *args):
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", path)
        return real_open(path, flags, *args)

    (tmp_path / "kept.txt").write_text("kept")
    monkeypatch.setattr(atomic.os, "open", read_only_fs)
    with pytest.raises(OSError, match=r"cannot write .*kept\.txt.*Read-only file system") as err:
        atomic.write_text(tmp_path / "kept.txt", "new")
    assert err.value.errno == errno.EROFS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]
    assert (tmp_path / "kept.txt").read_text() == "kept"


def test_a_missing_folder_is_named_in_the_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="exists"):
        atomic.write_bytes(tmp_path / "no" / "such" / "file", b"x")
