"""The sweep's output folder: one JSON record per point, written atomically, and the
point folders that hold each point's model and compare report.

    OUT/sweep.json              the spec's name and the points it expands to
    OUT/results/<id>.json       a point's record: status "ok" or "failed" (+ error)
    OUT/points/<id>/model/      its training run (resumable)
    OUT/points/<id>/compare/    its compare report (report.html, report.json)

A point is finished when its record says "ok"; a kill leaves either no record or the
previous one (never half a file), so a restarted sweep redoes exactly the rest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasplab.atomic import write_text
from rasplab.jsonsafe import dumps
from rasplab.outputs import claim_folder


class Store:
    """Reads and writes the records under one sweep's output folder."""

    def __init__(self, out: str | Path) -> None:
        self.out = claim_folder(out)
        self.results = claim_folder(self.out / "results")
        self.points = claim_folder(self.out / "points")

    def folder(self, point_id: str) -> Path:
        """The point's own folder (created)."""
        return claim_folder(self.points / point_id)

    def read(self, point_id: str) -> dict[str, Any] | None:
        """The point's record, or None when it has none (or an unreadable one)."""
        try:
            return json.loads((self.results / f"{point_id}.json").read_text())
        except (OSError, ValueError):
            return None

    def finished(self, point_id: str) -> bool:
        record = self.read(point_id)
        return record is not None and record.get("status") == "ok"

    def write(self, record: dict[str, Any]) -> Path:
        """Store a point's record, replacing any earlier one atomically."""
        return write_json(self.results / f"{record['id']}.json", record)

    def records(self, point_ids: list[str]) -> list[dict[str, Any]]:
        """The stored records of these points, in their order (points without one left out)."""
        return [r for r in map(self.read, point_ids) if r is not None]


def write_json(path: Path, data: Any) -> Path:
    """Strict JSON (NaN and infinities as null), atomically."""
    return write_text(path, dumps(data, indent=2) + "\n")

