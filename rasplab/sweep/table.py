"""The answer as numbers: one row per point (its factors, accuracy, steps to 99%, the
verdict for every hypothesis and node), and the points grouped by the swept factors
other than the seed, with counts such as "8/10 seeds implement rank"."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from rasplab.sweep.point import Point

VERDICTS = ("implements", "partial", "does not", "behaviour only", "untested")


def rows(points: list[Point], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per point, in sweep order; points not run yet have status 'pending'."""
    by_id = {r["id"]: r for r in records}
    out = []
    for point in points:
        record = by_id.get(point.id, {})
        train = record.get("train", {})
        found = record.get("compare", {})
        row: dict[str, Any] = {"id": point.id, **point.factors,
                               "status": record.get("status", "pending"),
                               "accuracy": train.get("accuracy"),
                               "steps": train.get("steps"),
                               "steps_to_99": train.get("steps_to_99"),
                               "fits_best": found.get("fits_best"),
                               "fits_best_verdict": found.get("fits_best_verdict")}
        for name, result in found.get("hypotheses", {}).items():
            row[f"verdict:{name}"] = result["verdict"]
            for node, verdict in result["nodes"].items():
                row[f"node:{name}.{node}"] = verdict
        row["report"] = found.get("report") and f"points/{point.id}/{found['report']}"
        row["attempts"] = record.get("attempts")
        row["error"] = record.get("error")
        row["seconds"] = record.get("seconds")
        out.append(row)
    return out


def columns(table: list[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in first-seen order (rows differ in their verdict columns)."""
    seen: dict[str, None] = {}
    for row in table:
        seen.update(dict.fromkeys(row))
    return list(seen)


def groups(points: list[Point], table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows grouped by every factor but the seed: counts per hypothesis and verdict,
    per node, mean accuracy, median steps to 99%, and one sentence that says it."""
    factors = [k for k in (points[0].factors if points else {}) if k != "seed"]
    unit = "seeds" if points and "seed" in points[0].factors else "points"
    names = {p.task for p in points}
    prefix = [names.pop()] if len(names) == 1 and "task" not in factors else []
    grouped: dict[tuple, list[dict[str, Any]]] = {}
    for row in table:
        grouped.setdefault(tuple(row.get(k) for k in factors), []).append(row)
    out = []
    for key, members in grouped.items():
        ok = [r for r in members if r["status"] == "ok"]
        label = " ".join(prefix + [f"{k}={v}" for k, v in zip(factors, key)]) or "all"
        verdicts = _verdict_counts(ok, "verdict:")
        nodes = _verdict_counts(ok, "node:")
        reached = [r["steps_to_99"] for r in ok if r["steps_to_99"] is not None]
        accuracy = [r["accuracy"] for r in ok if r["accuracy"] is not None]
        out.append({
            "group": dict(zip(factors, key)),
            "label": label,
            "points": len(members),
            "ok": len(ok),
            "failed": sum(r["status"] == "failed" for r in members),
            "verdicts": verdicts,
            "nodes": nodes,
            "fits_best": dict(Counter(r["fits_best"] for r in ok if r["fits_best"])),
            "accuracy_mean": statistics.fmean(accuracy) if accuracy else None,
            "reached_99": len(reached),
            "steps_to_99_median": statistics.median(reached) if reached else None,
            "sentence": _sentence(label, len(members), verdicts, unit),
        })
    return out


def _verdict_counts(rows_: list[dict[str, Any]], prefix: str) -> dict[str, dict[str, int]]:
    """column (without prefix) -> verdict -> how many rows have it."""
    counts: dict[str, Counter] = {}
    for row in rows_:
        for key, value in row.items():
            if key.startswith(prefix) and value is not None:
                counts.setdefault(key[len(prefix):], Counter())[value] += 1
    return {k: dict(v) for k, v in counts.items()}


def _sentence(label: str, n: int, verdicts: dict[str, dict[str, int]], unit: str) -> str:
    """'sort5 n_layers=2: 8/10 seeds implement rank, 2/10 partial rank; 0/10 seeds
    implement count'."""
    parts = []
    for name, counts in verdicts.items():
        words = [f"{counts.get('implements', 0)}/{n} {unit} implement {name}"]
        words += [f"{counts[v]}/{n} {_word(v)} {name}" for v in VERDICTS[1:] if counts.get(v)]
        parts.append(", ".join(words))
    return f"{label}: " + ("; ".join(parts) if parts else "nothing compared yet")


def _word(verdict: str) -> str:
    return {"does not": "do not implement", "behaviour only": "behaviour only for"}.get(
        verdict, verdict
    )
