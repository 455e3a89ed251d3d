"""PNG figures of a compiled model on one example input, so a reader can see the
labelled residual stream and what each head attends to.

Figures are built with matplotlib's object API (`Figure` renders through Agg), so
no pyplot state or GUI backend is involved, and each file is written atomically
(rasplab.atomic), so a reader never sees half a PNG.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure
from rasplab.compiler.compiled import BOS_TOKEN, CompiledModel
from rasplab.rasp.display import token_str

from rasplab.atomic import replacing
from rasplab.model import act_name

ANNOTATE_MAX = 12  # attention cells carry their weight as text up to this many positions


def example_tokens(vocab: Sequence[Any], max_len: int) -> list[Any]:
    """The default example: max_len tokens cycling through the vocabulary."""
    return [vocab[i % len(vocab)] for i in range(max_len)]


def write_plots(cm: CompiledModel, tokens: Sequence[Any], directory: Path) -> list[Path]:
    """The residual-layout figure and one attention figure per head; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([cm.token_ids(tokens)], device=next(cm.model.parameters()).device)
    with torch.no_grad():
        _, cache = cm.model.run_with_cache(ids)
    names = [f"{i}: {t}" for i, t in enumerate([BOS_TOKEN, *map(token_str, tokens)])]
    title = (
        f"'{cm.program}' on [{', '.join(map(token_str, tokens))}] -> "
        f"[{', '.join(map(token_str, cm.run(tokens)))}]"
    )
    paths = [_save(_residual_figure(cm, cache, names, title), directory / "residual.png")]
    for layer, heads in enumerate(cm.model.cfg.heads_per_layer):
        pattern = cache[act_name("pattern", layer)][0].cpu().numpy() if heads else None
        for head in range(heads):
            figure = _attention_figure(cm, layer, head, pattern[head], names)
            paths.append(_save(figure, directory / f"attn_L{layer}_H{head}.png"))
    return paths


def _groups(cm: CompiledModel) -> list[tuple[str, int, int]]:
    """(s-op, first dimension, end) for each run of residual dimensions one s-op holds."""
    owner = {d: sop for sop, dims in cm.layout.sops.items() for d in dims}
    groups: list[tuple[str, int, int]] = []
    for d in range(len(cm.layout.labels)):
        sop = owner.get(d, "?")
        if groups and groups[-1][0] == sop and groups[-1][2] == d:
            groups[-1] = (sop, groups[-1][1], d + 1)
        else:
            groups.append((sop, d, d + 1))
    return groups


def _value_labels(cm: CompiledModel, groups: list[tuple[str, int, int]]) -> list[str]:
    """Each dimension's label without its s-op prefix (the s-op is named above the group)."""
    values = []
    for sop, start, end in groups:
        for label in cm.layout.labels[start:end]:
            values.append(label.removeprefix(f"{sop}:"))
    return values


def _residual_figure(cm: CompiledModel, cache: Any, names: list[str], title: str) -> Figure:
    """The residual stream after the embedding and at the end, positions x dimensions,
    the dimensions grouped by s-op: the embedding fills tokens and indices, and every
    computed s-op shows up as its one-hot value (or its number) in the final one."""
    embedding = cache[act_name("embed")]
    if act_name("pos_embed") in cache:
        embedding = embedding + cache[act_name("pos_embed")]
    panels = [("after the embedding", embedding)]
    last = cm.model.cfg.n_layers - 1
    if last >= 0:
        panels.append((f"after layer {last} (final)", cache[act_name("resid_post", last)]))
    d_model = cm.model.cfg.d_model
    groups = _groups(cm)
    width = min(max(8.0, 0.2 * d_model + 2.5), 60.0)
    height = len(panels) * (0.3 * len(names) + 1.2) + 2.5
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (caption, resid) in zip(axes, panels):
        values = resid[0].cpu().numpy()
        limit = max(float(np.abs(values).max()), 1e-9)
        image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        figure.colorbar(image, ax=ax, fraction=0.02, pad=0.01)
        ax.set_title(caption, fontsize=9, loc="left")
        ax.set_yticks(range(len(names)), names, fontsize=7)
        ax.set_ylabel("position")
        for _, start, _ in groups[1:]:
            ax.axvline(start - 0.5, color="black", linewidth=0.8)
    axes[-1].set_xticks(range(d_model), _value_labels(cm, groups), rotation=90, fontsize=6)
    axes[-1].set_xlabel("residual dimension (value within its s-op)")
    top = axes[0].secondary_xaxis("top")
    top.set_xticks(
        [(start + end - 1) / 2 for _, start, end in groups],
        [sop for sop, _, _ in groups],
        rotation=90 if len(groups) > 4 else 0,
        fontsize=7,
    )
    axes[0].tick_params(axis="x", labelbottom=len(axes) == 1)
    figure.suptitle(f"residual stream (d_model {d_model}) of {title}", fontsize=10)
    return figure


def _attention_figure(
    cm: CompiledModel, layer: int, head: int, pattern: np.ndarray, names: list[str]
) -> Figure:
    """One head's attention weights, query rows x key columns, BOS included."""
    blocks = [b for b in cm.layout.blocks if (b.kind, b.layer, b.index) == ("attn", layer, head)]
    nodes = ", ".join(b.node for b in blocks) or "(no node)"
    construction = "; ".join(b.construction for b in blocks)
    size = min(max(4.0, 0.45 * len(names) + 2.0), 30.0)
    figure = Figure(figsize=(size + 1.0, size), layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(pattern, cmap="Blues", vmin=0.0, vmax=1.0)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="attention weight")
    ticks = range(len(names))
    ax.set_xticks(ticks, names, rotation=90, fontsize=8)
    ax.set_yticks(ticks, names, fontsize=8)
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    if len(names) <= ANNOTATE_MAX:
        for (q, k), weight in np.ndenumerate(pattern):
            if weight > 0.005:
                color = "white" if weight > 0.6 else "black"
                ax.text(k, q, f"{weight:.2f}", ha="center", va="center", fontsize=6, color=color)
    ax.set_title(f"layer {layer} head {head}: {nodes}\n{construction}", fontsize=10)
    return figure


def _save(figure: Figure, path: Path) -> Path:
    """Write the PNG atomically (a reader never sees half of it)."""
    with replacing(path) as tmp:
        figure.savefig(tmp, format="png", dpi=110)
    return path
