"""Loss and accuracy curves of a run as one PNG (out_dir/curves.png).

Every metric whose name ends in "_loss" goes on the (log-scale) loss panel and every
one ending in "_acc" on the accuracy panel, so extra measures (grokking's restricted
and excluded loss) appear without changes here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasplab.atomic import replacing

CURVES_FILE = "curves.png"


def plot_curves(records: list[dict[str, Any]], path: Path, title: str) -> None:
    """Draw the metrics in `records` (see train.metrics) and write them to `path`."""
    from matplotlib.figure import Figure  # no pyplot: Agg, no GUI, no global state

    figure = Figure(figsize=(11, 4), layout="constrained")
    loss_ax, acc_ax = figure.subplots(1, 2)
    for ax, suffix in ((loss_ax, "_loss"), (acc_ax, "_acc")):
        names = sorted({k for r in records for k in r if k.endswith(suffix)})
        for name in names:
            points = [(r["step"], r[name]) for r in records if r.get(name) is not None]
            if points:
                ax.plot(*zip(*points), label=name.removesuffix(suffix).replace("_", " "))
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        if names:
            ax.legend()
    loss_ax.set_ylabel("loss")
    loss_ax.set_yscale("log")
    acc_ax.set_ylabel("accuracy")
    acc_ax.set_ylim(-0.02, 1.02)
    figure.suptitle(title)
    with replacing(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100)
