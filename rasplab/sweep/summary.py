"""The merged answer of a sweep, rewritten from the per-point records after every run:
table.csv and table.json (one row per point, the groups and their sentences) and
report.html (self-contained: figures as PNG data URIs; links to each point's own
compare report). Each file is written atomically."""

from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path
from typing import Any

from rasplab.atomic import write_text
from rasplab.sweep import plots
from rasplab.sweep.point import Point
from rasplab.sweep.store import write_json
from rasplab.sweep.table import columns, groups, rows


def write_summary(out: Path, name: str, points: list[Point],
                  records: list[dict[str, Any]]) -> dict[str, Any]:
    """Write table.csv, table.json and report.html into `out`; returns table.json's content."""
    table = rows(points, records)
    grouped = groups(points, table)
    factors = list(points[0].factors) if points else []
    doc = {"name": name, "factors": factors, "groups": grouped, "rows": table}
    write_json(out / "table.json", doc)
    write_text(out / "table.csv", _csv(table))
    write_text(out / "report.html", _html(doc))
    return doc


def _csv(table: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(table), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue()


def _html(doc: dict[str, Any]) -> str:
    table, grouped = doc["rows"], doc["groups"]
    figures = [
        (plots.verdict_bars(grouped), "How many models get each verdict, per hypothesis and "
         "group of the swept factors (seeds pooled)."),
        (plots.per_group(grouped, table, "accuracy", "held-out sequence accuracy"),
         "Held-out sequence accuracy of each trained model, per group."),
        (plots.per_group(grouped, table, "steps_to_99", "steps to 99% accuracy"),
         "Training steps until held-out sequence accuracy first reached 99% (models that "
         "never did are left out)."),
        (plots.node_map(table), "Every model's verdict for every node of every hypothesis."),
    ]
    e = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>sweep {e(doc['name'])}"
        "</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:2px 6px}img{max-width:100%}</style></head><body>",
        f"<h1>sweep {e(doc['name'])}</h1>",
        f"<p>{len(table)} points; factors: {e(', '.join(doc['factors']) or 'none')}.</p>",
        "<h2>The answer</h2><ul>",
        *(f"<li>{e(g['sentence'])}</li>" for g in grouped),
        "</ul>",
        _groups_table(grouped),
        "<h2>Figures</h2>",
        *(f"<figure><img alt='{e(caption)}' src='data:image/png;base64,"
          f"{base64.b64encode(png).decode()}'><figcaption>{e(caption)}</figcaption></figure>"
          for png, caption in figures if png),
        "<h2>Every point</h2>",
        _points_table(table),
        "</body></html>",
    ]
    return "\n".join(parts)


def _groups_table(grouped: list[dict[str, Any]]) -> str:
    e = html.escape
    head = ("<table><tr><th>group</th><th>points</th><th>ok</th><th>failed</th>"
            "<th>mean accuracy</th><th>reached 99%</th><th>median steps to 99%</th>"
            "<th>fits best</th></tr>")
    body = [
        f"<tr><td>{e(g['label'])}</td><td>{g['points']}</td><td>{g['ok']}</td>"
        f"<td>{g['failed']}</td><td>{_num(g['accuracy_mean'])}</td><td>{g['reached_99']}</td>"
        f"<td>{_num(g['steps_to_99_median'])}</td>"
        f"<td>{e(', '.join(f'{k}: {v}' for k, v in g['fits_best'].items()))}</td></tr>"
        for g in grouped
    ]
    return "\n".join([head, *body, "</table>"])


def _points_table(table: list[dict[str, Any]]) -> str:
    e = html.escape
    keys = [k for k in columns(table) if not k.startswith("node:") and k not in ("id", "report")]
    head = "<table><tr><th>point</th>" + "".join(f"<th>{e(k)}</th>" for k in keys) + "</tr>"
    body = []
    for row in table:
        link = row.get("report")
        name = f"<a href='{e(link)}'>{e(row['id'])}</a>" if link else e(row["id"])
        cells = "".join(f"<td>{e(_num(row.get(k)))}</td>" for k in keys)
        body.append(f"<tr><td>{name}</td>{cells}</tr>")
    return "\n".join([head, *body, "</table>"])


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
