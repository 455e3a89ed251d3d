"""The run's metrics as JSON lines, one object per evaluation (out_dir/metrics.jsonl).

A resumed run first drops the lines written after its checkpoint, so the file reads
as if the run had never been interrupted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasplab.atomic import write_text

METRICS_FILE = "metrics.jsonl"


class MetricsLog:
    """Appends records to out_dir/metrics.jsonl and keeps them for plotting."""

    def __init__(self, out_dir: Path, resume_step: int) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.path = out_dir / METRICS_FILE
        self.records: list[dict[str, Any]] = []
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                record = json.loads(line) if line.strip() else None
                if record is not None and record["step"] <= resume_step:
                    self.records.append(record)
        write_text(self.path, "".join(_line(r) for r in self.records))
        self._file = open(self.path, "a")  # noqa: SIM115 -- open for the run's length

    def write(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        self._file.write(_line(record))
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record) + "\n"
