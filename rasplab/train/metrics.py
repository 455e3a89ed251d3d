"""The run's metrics as JSON lines, one object per evaluation (out_dir/metrics.jsonl).

A resumed run first drops the lines written after its checkpoint, so the file reads
as if the run had never been interrupted. Each record is flushed and fsynced as it
is written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from rasplab.atomic import write_text
from rasplab.train.errors import TrainError

METRICS_FILE = "metrics.jsonl"


class MetricsLog:
    """Appends records to out_dir/metrics.jsonl and keeps them for plotting."""

    def __init__(self, out_dir: Path, resume_step: int) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.path = out_dir / METRICS_FILE
        self.records = [r for r in read_records(self.path) if r["step"] <= resume_step]
        write_text(self.path, "".join(_line(r) for r in self.records))
        self._file = open(self.path, "a")  # noqa: SIM115 -- open for the run's length

    def write(self, record: dict[str, Any]) -> None:
        """Append one record and make it durable: a kill after this loses nothing."""
        self.records.append(record)
        self._file.write(_line(record))
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records in a metrics file. A torn last line (a write cut short by a kill) is
    dropped with a note on stderr; damage anywhere else is a TrainError naming the line."""
    if not path.is_file():
        return []
    lines = path.read_text(errors="replace").splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = _parse(line)
        if record is None:
            if number == len(lines):
                print(f"note: dropped the torn last line {number} of {path}", file=sys.stderr)
                break
            raise TrainError(
                f"{path} line {number} is not a metrics record: {line[:60]!r}; "
                "fix or remove that line to resume"
            )
        records.append(record)
    return records


def _parse(line: str) -> dict[str, Any] | None:
    """A record (a JSON object with an int step), or None."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and isinstance(record.get("step"), int) else None


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record) + "\n"
