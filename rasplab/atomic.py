"""Writing a file so that a reader, or a run resumed after a crash, never sees half of it.

Every file rasplab writes goes through here. The content goes to a temporary file in
the target's own folder (so the rename never crosses file systems), is flushed to disk,
and is renamed over the target with os.replace, which is atomic; the folder is then
synced where the platform allows, so the rename itself survives a power cut. On any
failure, KeyboardInterrupt included, the temporary file is removed and the target keeps
its old content (or stays absent). A temporary file left by a killed process (its name
carries the writer's pid) is removed by the next write to the same target.

Only a regular file is ever replaced: a symlink, device node, FIFO, socket or folder at
the target is refused (NotRegularFile), so `-o /dev/null` cannot swap a device for a
file. Whether an existing regular file may be replaced is the caller's question
(rasplab.outputs).

    write_bytes(path, data)
    write_text(path, text)
    with replacing(path) as tmp:        # for libraries that write to a path themselves
        figure.savefig(tmp, format="png")
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Replace the file at `path` with `data`, atomically; returns the path."""
    with replacing(path) as tmp, open(tmp, "wb") as file:
        file.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Replace the file at `path` with `text` (UTF-8 unless told), atomically; returns the path."""
    return write_bytes(path, text.encode(encoding))


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary path beside `path` to write; on a clean exit it is synced
    and renamed over `path`, on any exception it is removed and `path` is untouched.

    The temporary file exists (empty) when the body starts, so the library may open it
    for writing or replace it; it must not write the content anywhere else (pass the
    format explicitly to writers that would add a suffix to the name). The result gets
    the permissions of any new file (the umask's), even from a library that recreates
    the file with its own.
    """
    path = Path(path)
    refuse_irregular(path)
    _remove_stale_temporaries(path)
    tmp = _create_temporary(path)
    try:
        mode = stat.S_IMODE(tmp.stat().st_mode)
        yield tmp
        os.chmod(tmp, mode)
        _fsync(tmp, os.O_RDWR)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


class NotRegularFile(OSError):
    """The target is something other than a regular file; replacing it could break the
    system (a device node) or write through to somewhere else (a symlink)."""


def refuse_irregular(path: Path) -> None:
    """Raise NotRegularFile when something other than a regular file is at `path`."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise NotRegularFile(
            errno.EEXIST,
            f"{path} is {_kind(mode)}; rasplab only ever replaces regular files, "
            "so give another output path",
            str(path),
        )


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISLNK, "a symlink"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _remove_stale_temporaries(path: Path) -> None:
    """Delete the temporary files of writers to `path` that died before renaming (their
    pid no longer runs); a live writer's file is left alone."""
    prefix = f".{path.name}."
    with suppress(OSError):
        for entry in os.scandir(path.parent):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            pid = name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)) and entry.is_file(follow_symlinks=False):
                with suppress(OSError):
                    os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours to signal
        return True
    return True


def _create_temporary(path: Path) -> Path:
    """An empty, new, hidden file in path's folder (never an existing one: O_EXCL),
    named with this process's pid so that a later writer can tell it is stale."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as err:
        raise type(err)(
            err.errno,
            f"cannot write {path}: no temporary file can be created in its folder "
            f"{path.parent} ({err.strerror}); check that the folder exists and is writable",
            str(tmp),
        ) from None
    return tmp


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; some platforms (Windows) and file systems cannot, and
    the write has already succeeded, so a refusal here is not an error."""
    with suppress(OSError):
        _fsync(folder, os.O_RDONLY)
