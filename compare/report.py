"""The comparison as files: report.json, and report.html, one self-contained page
(figures inlined as PNG) a researcher can open or send."""

from __future__ import annotations

import base64
import html
import io
import json
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def probe_figure(report: dict[str, Any]) -> str | None:
    nodes = list(report["nodes"])
    if not nodes:
        return None
    sites = list(report["nodes"][nodes[0]]["probe"]["accuracy"])
    grid = np.array([[report["nodes"][n]["probe"]["accuracy"][s] for s in sites] for n in nodes])
    fig = Figure(figsize=(1.0 + 0.7 * len(sites), 0.8 + 0.45 * len(nodes)))
    ax = fig.subplots()
    image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(sites)), sites, rotation=45, ha="right")
    ax.set_yticks(range(len(nodes)), nodes)
    for (i, j), v in np.ndenumerate(grid):
        ax.text(
            j,
            i,
            f"{v:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if v < 0.6 else "black",
        )
    ax.set_title("linear probe accuracy by site (pooled over positions)")
    fig.colorbar(image, ax=ax, fraction=0.03)
    return _png(fig)


def position_figure(name: str, entry: dict[str, Any]) -> str | None:
    """Probe accuracy at each site and input position for one s-op."""
    per = entry["probe"]["per_position"]
    sites = list(per)
    grid = np.array([[np.nan if v is None else v for v in per[s]] for s in sites], dtype=float)
    if grid.size == 0:
        return None
    fig = Figure(figsize=(1.2 + 0.45 * grid.shape[1], 0.8 + 0.35 * len(sites)))
    ax = fig.subplots()
    image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_yticks(range(len(sites)), sites)
    ax.set_xticks(range(grid.shape[1]))
    ax.set_xlabel("input position")
    ax.set_title(f"{name}: probe accuracy by site and position", fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.04)
    return _png(fig)


def iia_figure(report: dict[str, Any]) -> str | None:
    nodes = list(report["nodes"])
    if not nodes:
        return None
    ours = [report["nodes"][n]["iia"]["sequence"] or 0.0 for n in nodes]
    control = [report["nodes"][n]["controls"]["random_model_iia"]["sequence"] or 0.0 for n in nodes]
    fig = Figure(figsize=(1.5 + 0.9 * len(nodes), 3.2))
    ax = fig.subplots()
    x = np.arange(len(nodes))
    ax.bar(x - 0.2, ours, 0.4, label="this model")
    ax.bar(x + 0.2, control, 0.4, label="random model (control)", color="grey")
    ax.axhline(
        report["thresholds"]["implements_iia"],
        color="green",
        ls="--",
        lw=1,
        label="implements threshold",
    )
    ax.set_xticks(x, nodes, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("IIA (sequences)")
    ax.set_title("interchange-intervention accuracy per s-op")
    ax.legend(fontsize=7, loc="lower right")
    return _png(fig)


def selector_figure(name: str, entry: dict[str, Any]) -> str | None:
    example = entry.get("example")
    if not example:
        return None
    tokens = [str(t) for t in example["input"]]
    selector = np.array(example["selector"], dtype=float)
    pattern = np.array(example["pattern"], dtype=float)
    fig = Figure(figsize=(7.5, 3.4))
    left, right = fig.subplots(1, 2)
    left.imshow(selector, vmin=0, vmax=1, cmap="Blues")
    left.set_title(f"selector {name}")
    left.set_xticks(range(len(tokens)), tokens)
    left.set_yticks(range(len(tokens)), tokens)
    right.imshow(pattern[1:], vmin=0, vmax=1, cmap="Blues", aspect="auto")
    right.set_title(f"head {entry['best_head']} (agreement {entry['agreement']:.2f})")
    right.set_xticks(range(len(tokens) + 1), ["BOS", *tokens])
    right.set_yticks(range(len(tokens)), tokens)
    for ax in (left, right):
        ax.set_xlabel("key")
        ax.set_ylabel("query")
    return _png(fig)


def subspace_figure(name: str, entry: dict[str, Any]) -> str | None:
    example = entry.get("similarity", {}).get("example")
    if not example:
        return None
    compiled = np.array(example["compiled"], dtype=float)
    aligned = np.array(example["aligned"], dtype=float)
    values = [str(v) for v in example["values"]]
    fig = Figure(figsize=(8, 0.8 + 0.12 * len(values)))
    left, right = fig.subplots(1, 2)
    left.imshow(compiled, aspect="auto", cmap="RdBu_r")
    left.set_title(f"compiled: {name}'s labelled dims")
    left.set_xticks(range(len(example["labels"])), example["labels"], rotation=90, fontsize=6)
    right.imshow(aligned, aspect="auto", cmap="RdBu_r")
    right.set_title("this model: aligned subspace")
    for ax in (left, right):
        ax.set_yticks(range(len(values)), values, fontsize=6)
        ax.set_ylabel("value at a position")
    return _png(fig)


def _img(data: str | None) -> str:
    return f'<img src="data:image/png;base64,{data}">' if data else ""


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return html.escape(str(value))


def _longer_html(report: dict[str, Any]) -> str:
    longer = report.get("behaviour_longer")
    if not longer:
        return "<p>Longer inputs: the model takes none longer than the held-out ones.</p>"
    return (
        f"<p>On {longer['inputs']} longer inputs: {longer['position_accuracy']:.3f} per "
        f"position, {longer['sequence_accuracy']:.3f} per sequence.</p>"
    )


def to_html(report: dict[str, Any]) -> str:
    e = html.escape
    rows = []
    for name, node in report["nodes"].items():
        sim = node.get("similarity", {})
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{c}</td>"
                for c in [
                    e(name),
                    f"<b>{e(node['verdict'])}</b>",
                    _fmt(node["iia"]["sequence"]),
                    _fmt(node["iia"]["position"]),
                    _fmt(node["controls"]["random_model_iia"]["sequence"]),
                    _fmt(node["site"]),
                    _fmt(node["rank"]),
                    _fmt(node["probe"]["best_site"]),
                    _fmt(node.get("best_component", {}).get("component")),
                    _fmt(sim.get("principal_cosine", {}).get("value")),
                    _fmt(sim.get("debiased_cka", {}).get("value")),
                    _fmt(sim.get("procrustes", {}).get("value")),
                ]
            )
            + "</tr>"
        )
    behaviour = report["behaviour"]
    random_b = report["controls"]["random_model"]["behaviour"]
    parts = [
        "<!doctype html><meta charset='utf-8'><title>rasplab compare</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}table{border-collapse:collapse}"
        "img{max-width:100%;margin:8px 0}</style>",
        f"<h1>Does the model implement <code>{e(report['program'])}</code>? "
        f"<span>{e(report['verdict'])}</span></h1>",
        f"<p>Task: {e(str(report.get('task')))}. Model: {e(json.dumps(report['model']))}.</p>",
        "<h2>Behaviour</h2>",
        f"<p>Agreement with the program on {behaviour['inputs']} held-out inputs: "
        f"{behaviour['position_accuracy']:.3f} per position, {behaviour['sequence_accuracy']:.3f} "
        f"per sequence (random model: {random_b['sequence_accuracy']:.3f}).</p>",
        _longer_html(report),
        "<h2>Per s-op</h2><table><tr><th>s-op</th><th>verdict</th><th>IIA seq</th>"
        "<th>IIA pos</th><th>random IIA</th><th>site</th><th>rank</th><th>best probe site</th>"
        "<th>best component</th><th>principal cos</th><th>debiased CKA</th><th>Procrustes</th>"
        "</tr>" + "".join(rows) + "</table>",
        _img(iia_figure(report)),
        _img(probe_figure(report)),
        *[_img(position_figure(name, node)) for name, node in report["nodes"].items()],
        "<h2>Selectors and the heads that play them</h2>",
    ]
    for name, entry in report["selectors"].items():
        parts.append(
            f"<p>{e(name)}: best head {_fmt(entry['best_head'])}, agreement "
            f"{_fmt(entry['agreement'])} (random model's best "
            f"{_fmt(entry['random_model_best'])})</p>"
        )
        parts.append(_img(selector_figure(name, entry)))
    parts.append("<h2>Compiled residual next to the aligned subspace</h2>")
    for name, node in report["nodes"].items():
        parts.append(_img(subspace_figure(name, node)))
    rival = report["controls"].get("rival_program")
    if rival:
        parts.append(f"<h2>Control: rival program <code>{e(rival['program'])}</code></h2>")
        parts.append(
            f"<p>Behaviour: {rival['behaviour']['sequence_accuracy']:.3f} per sequence.</p>"
        )
        parts.append(
            "<table><tr><th>s-op</th><th>IIA seq</th><th>site</th><th>verdict</th></tr>"
            + "".join(
                f"<tr><td>{e(k)}</td><td>{_fmt(v['iia']['sequence'])}</td>"
                f"<td>{_fmt(v['site'])}</td><td>{e(v['verdict'])}</td></tr>"
                for k, v in rival["nodes"].items()
            )
            + "</table>"
        )
    strict = report["strict_check"]
    parts.append(
        f"<h2>Strict check</h2><p>Resampling every component outside the claimed "
        f"circuit ({e(', '.join(strict['outside_components']))}) leaves the output "
        f"unchanged on {_fmt(strict['unchanged'])} of inputs.</p>"
    )
    parts.append(
        "<h2>Thresholds and notes</h2><ul>"
        + "".join(f"<li>{e(k)}: {v}</li>" for k, v in report["thresholds"].items())
        + "".join(f"<li>{e(n)}</li>" for n in report["notes"])
        + "</ul>"
    )
    return "\n".join(parts)


def write(report: dict[str, Any], directory: str | os.PathLike) -> list[Path]:
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "report.json", folder / "report.html"]
    _write(paths[0], (json.dumps(report, indent=2, default=str) + "\n").encode())
    _write(paths[1], to_html(report).encode())
    return paths
