"""The sweep's figures as PNG bytes (for data URIs): verdict counts per group and
hypothesis, accuracy and steps to 99% per group, and every point's node verdicts."""

from __future__ import annotations

import io
from typing import Any

from rasplab.sweep.table import VERDICTS

COLOURS = {"implements": "#2a9d55", "partial": "#e9b63b", "does not": "#d1495b",
           "behaviour only": "#8d99ae", "untested": "#dddddd"}


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    return plt, *plt.subplots(figsize=(width, height))


def _png(plt: Any, figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def verdict_bars(groups: list[dict[str, Any]]) -> bytes | None:
    """Stacked bars: for each group and hypothesis, how many models get each verdict."""
    bars = [(g["label"], name, counts) for g in groups for name, counts in g["verdicts"].items()]
    if not bars:
        return None
    plt, figure, axes = _figure(max(5, 0.7 * len(bars) + 2), 3.8)
    labels = [f"{name}\n{label}" for label, name, _ in bars]
    bottom = [0] * len(bars)
    for verdict in VERDICTS:
        heights = [counts.get(verdict, 0) for _, _, counts in bars]
        if any(heights):
            axes.bar(labels, heights, bottom=bottom, color=COLOURS[verdict], label=verdict)
            bottom = [b + h for b, h in zip(bottom, heights)]
    axes.set_ylabel("models")
    axes.set_title("verdict per hypothesis and group")
    axes.legend(fontsize=8)
    axes.tick_params(axis="x", labelsize=7, rotation=30)
    return _png(plt, figure)


def per_group(groups: list[dict[str, Any]], table: list[dict[str, Any]], column: str,
              title: str) -> bytes | None:
    """One dot per model in each group for a numeric column (accuracy, steps_to_99)."""
    labels = [g["label"] for g in groups]
    values = [[r[column] for r in table if r["status"] == "ok" and r.get(column) is not None
               and _in_group(r, g["group"])] for g in groups]
    if not any(values):
        return None
    plt, figure, axes = _figure(max(4, 0.8 * len(labels) + 2), 3.2)
    for x, ys in enumerate(values):
        spread = [x + 0.15 * ((i % 5) - 2) / 2 for i in range(len(ys))]
        axes.scatter(spread, ys, s=18, color="#33658a")
    axes.set_xticks(range(len(labels)), labels, fontsize=7, rotation=30)
    axes.set_xlim(-0.5, len(labels) - 0.5)
    axes.set_title(title)
    return _png(plt, figure)


def node_map(table: list[dict[str, Any]]) -> bytes | None:
    """A grid of colours: one row per model, one column per hypothesis node."""
    ok = [r for r in table if r["status"] == "ok"]
    nodes = sorted({k for r in ok for k in r if k.startswith("node:")})
    if not ok or not nodes:
        return None
    from matplotlib.colors import ListedColormap

    index = {v: i for i, v in enumerate(VERDICTS)}
    grid = [[index.get(r.get(n), index["untested"]) for n in nodes] for r in ok]
    plt, figure, axes = _figure(max(4, 0.5 * len(nodes) + 3), max(2.5, 0.25 * len(ok) + 1.5))
    cmap = ListedColormap([COLOURS[v] for v in VERDICTS])
    axes.imshow(grid, cmap=cmap, vmin=0, vmax=len(VERDICTS) - 1, aspect="auto")
    axes.set_xticks(range(len(nodes)), [n[5:] for n in nodes], fontsize=7, rotation=45,
                    ha="right")
    axes.set_yticks(range(len(ok)), [r["id"][:40] for r in ok], fontsize=6)
    axes.set_title("verdict per node (rows: models)", fontsize=9)
    from matplotlib.patches import Patch

    axes.legend(handles=[Patch(color=COLOURS[v], label=v) for v in VERDICTS], fontsize=7,
                loc="upper left", bbox_to_anchor=(1.01, 1))
    return _png(plt, figure)


def _in_group(row: dict[str, Any], group: dict[str, Any]) -> bool:
    return all(row.get(k) == v for k, v in group.items())
