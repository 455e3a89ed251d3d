"""The report's plots, each returned as base64 PNG text for a data URI, so the HTML
page stands alone (no files beside it, nothing fetched)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

MAX_LEGEND = 12  # categorical colours get a legend up to this many values
PER_ROW = 4  # scatter panels per row


def png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def heatmap(values: np.ndarray, rows: Sequence[str], columns: Sequence[str], title: str) -> str:
    """A labelled grid with each cell's value written in it (head roles)."""
    fig, ax = plt.subplots(figsize=(1.3 * len(columns) + 2, 0.35 * len(rows) + 1.2))
    ax.imshow(values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(columns)), columns, rotation=20)
    ax.set_yticks(range(len(rows)), rows)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k")
    ax.set_title(title)
    return png(fig)


def grouped_bars(names: Sequence[str], series: dict[str, Sequence[float]], title: str) -> str:
    """Side-by-side bars per name, one colour per series (DLA beside ablation)."""
    fig, ax = plt.subplots(figsize=(max(5, 0.5 * len(names) + 2), 3.2))
    width = 0.8 / len(series)
    x = np.arange(len(names))
    for i, (label, values) in enumerate(series.items()):
        ax.bar(x + i * width - 0.4 + width / 2, values, width, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(x, names, rotation=60, ha="right")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return png(fig)


def scatter_grid(points: np.ndarray, colours: dict[str, list[Any]], title: str) -> str:
    """One panel per colouring of the same 2-D points, PER_ROW panels a row."""
    names = list(colours) or [""]
    rows = -(-len(names) // PER_ROW)
    cols = min(len(names), PER_ROW)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.0 * rows), squeeze=False)
    for ax in axes.flat[len(names) :]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        _coloured(ax, points, colours.get(name, [None] * len(points)))
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=10)
    return png(fig)


def _coloured(ax, points: np.ndarray, values: list[Any]) -> None:
    """Numbers with many values on a colour scale; anything else one colour per value."""
    known = [v for v in values if v is not None]
    distinct = sorted({repr(v) for v in known})
    numeric = known and all(isinstance(v, int | float) and not isinstance(v, bool) for v in known)
    if numeric and len(distinct) > MAX_LEGEND:
        c = [float(v) if v is not None else np.nan for v in values]
        ax.scatter(points[:, 0], points[:, 1], c=c, s=8, cmap="viridis")
        return
    for i, key in enumerate(distinct[: MAX_LEGEND * 2]):
        rows = [j for j, v in enumerate(values) if repr(v) == key]
        ax.scatter(
            points[rows, 0], points[rows, 1], s=8, color=plt.cm.tab20(i % 20), label=key.strip("'")
        )
    if len(distinct) <= MAX_LEGEND:
        ax.legend(fontsize=6, markerscale=1.5, loc="best")


def lines(curves: dict[str, Sequence[float]], title: str, xlabel: str, log: bool = False) -> str:
    """One line per named curve (singular value spectra)."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for name, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, marker=".", label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.legend(fontsize=6, ncol=2)
    ax.set_title(title)
    return png(fig)


def bars(values: Sequence[float], labels: Sequence[Any], title: str, highlight=()) -> str:
    """Bars, the highlighted ones in another colour (key frequencies)."""
    fig, ax = plt.subplots(figsize=(max(5, 0.12 * len(values) + 2), 2.8))
    colours = ["tab:red" if label in highlight else "tab:blue" for label in labels]
    ax.bar(range(len(values)), values, color=colours)
    step = max(1, len(labels) // 20)
    ax.set_xticks(range(0, len(labels), step), [str(x) for x in labels[::step]])
    ax.set_title(title)
    return png(fig)
