"""The comparison as files: report.json, and report.html, one self-contained page
(figures inlined as PNG data URIs, no scripts) a researcher can open or send.

The page reads top down in the order a reader asks: the verdict and why, the model,
which hypothesis fits best, then node by node what was tested and how it did beside
its controls, the figures, the strict check, and what every number rests on.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from rasplab.atomic import write_text

Json = dict[str, Any]

VERDICT_COLOURS = {
    "implements": "#1b7f3b",
    "partial": "#b7791f",
    "behaviour only": "#5a6b7b",
    "does not": "#b02a2a",
    "untested": "#777777",
}

CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
  color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
.verdict{color:#fff;padding:.1em .5em;border-radius:.3em;white-space:nowrap}
.why{font-size:1.15em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 7px;font-size:13px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.2em 0}img{max-width:100%}
figcaption{font-size:13px;color:#444;max-width:900px}
.grid{display:flex;flex-wrap:wrap;gap:0 2em}.grid figure{flex:1 1 480px;max-width:520px}
.muted{color:#777}code{background:#f5f5f5;padding:0 .2em}
"""


def write(report: Any, directory: str | os.PathLike) -> tuple[Path, Path]:
    """Write report.json and report.html into `directory` (made if missing), each
    atomically; `report` is a Report or its to_json() dict."""
    data = report.to_json() if hasattr(report, "to_json") else report
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    json_path = write_text(folder / "report.json", json.dumps(data, indent=2, allow_nan=False))
    html_path = write_text(folder / "report.html", to_html(data))
    return json_path, html_path


def to_html(report: Json) -> str:
    """The whole page, every piece of text escaped."""
    sections = [
        _head(report),
        _model_section(report["model"]),
        _ranking_section(report),
        _nodes_section(report),
        _figures_section(report),
        _others_section(report),
        _strict_section(report),
        _basis_section(report),
    ]
    return "\n".join(
        ["<!doctype html>", "<html lang='en'><head><meta charset='utf-8'>",
         f"<title>rasplab compare: {_e(report['program'])}: {_e(report['verdict'])}</title>",
         f"<style>{CSS}</style></head><body>", *sections, "</body></html>"]
    )


# --- text -------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value))


def _num(value: Any, digits: int = 3) -> str:
    """A number as the tables show it; n/a where the measure was not taken."""
    if value is None:
        return "<span class='muted'>n/a</span>"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return _e(value)


def _badge(verdict: str) -> str:
    colour = VERDICT_COLOURS.get(verdict, "#444")
    return f"<span class='verdict' style='background:{colour}'>{_e(verdict)}</span>"


def _names(names: Sequence[str]) -> str:
    return ", ".join(f"<code>{_e(n)}</code>" for n in names) if names else "none"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Cells are HTML already (escaped by the caller)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def short_site(site: str | None) -> str | None:
    """`blocks.1.hook_resid_pre` as the probes name it, `L1 pre`; other names as given."""
    if site is None:
        return None
    found = re.fullmatch(r"blocks\.(\d+)\.hook_resid_(pre|mid|post)", site)
    return f"L{found[1]} {found[2]}" if found else site


def _per_layer(values: Any) -> str:
    """A per-layer list as `2, 0, 1 (3 in all)`; a single number as itself."""
    if isinstance(values, list):
        return f"{', '.join(map(str, values))} ({sum(values)} in all)"
    return _e(values)


# --- sections -----------------------------------------------------------------------


def _head(report: Json) -> str:
    """The verdict, the sentence of why, and which nodes carried, failed, went untested."""
    nodes = report["nodes"]
    failed = [n for n, x in nodes.items() if x["carries_verdict"] and x["verdict"] == "does not"]
    untested = [n for n, x in nodes.items() if not x["tested"]]
    reported = [n for n, x in nodes.items() if x["tested"] and not x["carries_verdict"]]
    b, random_b = report["behaviour"], report["controls"]["random_model"]["behaviour"]
    lines = [
        f"<h1>Does the model implement <code>{_e(report['program'])}</code>? "
        f"{_badge(report['verdict'])}</h1>",
        f"<p class='why' id='why'><b>{_e(report['verdict'].capitalize())}</b>: "
        f"{_e(report['reason'])}.</p>",
        "<ul>",
        f"<li>Carried by: {_names(report['carried_by'])}</li>",
        f"<li>Failed: {_names(failed)}</li>",
        f"<li>Untested: {_untested_list(nodes, untested)}</li>",
        f"<li>Reported but carrying nothing (output or maps of the input, which any model "
        f"with the right behaviour passes): {_names(reported)}</li>",
        "</ul>",
        f"<p>Task <code>{_e(report.get('task'))}</code>. Behaviour on {b['inputs']} held-out "
        f"inputs: {_num(b['position_accuracy'])} per position, "
        f"{_num(b['sequence_accuracy'])} per sequence (a random model of the same shape: "
        f"{_num(random_b['sequence_accuracy'])}). {_longer(report.get('behaviour_longer'))}</p>",
    ]
    return "\n".join(lines)


def _untested_list(nodes: Json, untested: list[str]) -> str:
    if not untested:
        return "none"
    return "; ".join(f"<code>{_e(n)}</code> ({_e(nodes[n]['reason'])})" for n in untested)


def _longer(longer: Json | None) -> str:
    if not longer:
        return "No longer inputs: the model takes none longer than the held-out ones."
    return (
        f"On {longer['inputs']} longer inputs: {_num(longer['position_accuracy'])} per "
        f"position, {_num(longer['sequence_accuracy'])} per sequence."
    )


def _model_section(model: Json) -> str:
    rows = [
        ("origin", _e(model.get("origin"))),
        ("layers", _e(model.get("layers"))),
        ("attention heads per layer", _per_layer(model.get("heads"))),
        ("d_model", _e(model.get("d_model"))),
        ("MLP width per layer (d_mlp)", _per_layer(model.get("d_mlp"))),
        ("parameters", f"{model['parameters']:,}" if "parameters" in model else "n/a"),
    ]
    body = "".join(f"<tr><th>{key}</th><td>{value}</td></tr>" for key, value in rows)
    return f"<h2>The model</h2><table>{body}</table>"


def _ranking_section(report: Json) -> str:
    """Which hypothesis the model fits best, and by how much."""
    rows = [
        (str(i + 1), f"<code>{_e(h['program'])}</code>", _badge(h["verdict"]), _num(h["score"]))
        for i, h in enumerate(report["ranking"])
    ]
    return (
        "<h2>Hypotheses, ranked</h2>"
        + f"<p>{_fits_sentence(report['fits_best'])} The score is the mean margin of the "
        "deciding nodes' IIA over their strongest same-model control; every hypothesis is "
        "aligned with the same rank rule.</p>"
        + _table(["rank", "hypothesis", "verdict", "score"], rows)
    )


def _fits_sentence(fits: Json) -> str:
    best = f"The model fits <code>{_e(fits['best'])}</code> best ({_e(fits['verdict'])}"
    best += f", score {_num(fits['score'])})"
    if "runner_up" not in fits:
        return best + "; it was the only hypothesis compared."
    return best + (
        f", ahead of <code>{_e(fits['runner_up'])}</code> by {_num(fits.get('margin'))}."
    )


NODE_HEADER = [
    "node", "role", "tested", "carries the verdict", "verdict", "IIA seq", "IIA pos",
    "pairs", "random subspace", "shuffled", "random model", "rank (min)", "site",
    "positions",
]


def _nodes_section(report: Json) -> str:
    t = report["thresholds"]
    intro = (
        "<h2>Nodes</h2><p>Each node of the program by its source name. IIA is "
        "interchange-intervention accuracy on held-out pairs whose counterfactual output "
        "differs from the base output. A node implements at IIA &ge; "
        f"{t['implements_iia']} (partial at &ge; {t['partial_iia']}) and only if it beats "
        f"both same-model controls (random subspace, shuffled counterfactuals) by "
        f"{t['control_margin']}; the random model's IIA is shown beside, not used. "
        "Rank: of the aligned subspace (in brackets the smallest rank that reaches the "
        "implements threshold, &mdash; where none does).</p>"
    )
    return intro + _node_table(report["nodes"])


def _node_table(nodes: Json) -> str:
    return _table(NODE_HEADER, (_node_row(name, node) for name, node in nodes.items()))


def _node_row(name: str, node: Json) -> list[str]:
    controls = node["controls"]
    tested = "yes" if node["tested"] else f"no: {_e(node['reason'])}"
    members = node["nodes"]
    label = f"<code>{_e(name)}</code>"
    if members != [name]:
        label += f" <span class='muted'>({_e(', '.join(members))} as one variable)</span>"
    return [
        label,
        _e(node["role"]),
        tested,
        "yes" if node["carries_verdict"] else "no",
        _badge(node["verdict"]),
        _num(node["iia"]["sequence"]),
        _num(node["iia"]["position"]),
        f"{node['iia']['pairs']} ({_e(node['pairs'] or 'n/a')})",
        _num(controls["random_subspace_iia"]),
        _num(controls["shuffled_iia"]),
        _num(controls["random_model_iia"]["sequence"]),
        _ranks(node),
        _num(short_site(node["site"])),
        "all" if node["positions"] is None else _e(", ".join(map(str, node["positions"]))),
    ]


def _ranks(node: Json) -> str:
    """`rank (smallest rank reaching the threshold)`; a dash where none reached it."""
    if node["rank"] is None:
        return _num(None)
    least = "&mdash;" if node["min_rank"] is None else _e(node["min_rank"])
    return f"{_e(node['rank'])} ({least})"


def _figures_section(report: Json) -> str:
    nodes, t = report["nodes"], report["thresholds"]
    figures = [
        (iia_figure(nodes, t), _iia_caption(t)),
        (rank_figure(nodes, t), RANK_CAPTION),
        (probe_figure(nodes), PROBE_CAPTION),
        (position_figure(nodes), POSITION_CAPTION),
        (similarity_figure(nodes), SIMILARITY_CAPTION),
    ]
    parts = ["<h2>Figures</h2>", *(_figure(png, caption) for png, caption in figures)]
    selectors = [_selector_block(name, entry) for name, entry in report["selectors"].items()]
    parts.append(f"<div class='grid'>{''.join(selectors)}</div>")
    return "\n".join(parts)


def _figure(png: str | None, caption: str) -> str:
    """A captioned image; nothing where the figure has no data."""
    if png is None:
        return ""
    return (
        f"<figure><img alt='{_e(caption)}' src='data:image/png;base64,{png}'>"
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _iia_caption(t: Json) -> str:
    return (
        "IIA per tested node (held-out sequences) beside its controls: a random subspace "
        "of the same rank at the same site and an alignment trained on shuffled "
        "counterfactuals (both on this model), and the same alignment on a randomly "
        f"initialised model. Thresholds: implements {t['implements_iia']} (dashed), partial "
        f"{t['partial_iia']} (dotted)."
    )


RANK_CAPTION = (
    "Rank sweep: held-out IIA of each tested node's alignment at each rank tried, up to "
    "the rank of its compiled subspace; a ring marks the smallest rank reaching the "
    "implements threshold (dashed; partial dotted)."
)
PROBE_CAPTION = (
    "Linear probe accuracy for each node's value at each site (residual stream before, "
    "between and after each layer's attention and MLP), pooled over positions and lengths."
)
POSITION_CAPTION = (
    "Linear probe accuracy by site (rows) and input position (columns) for each node; "
    "grey where a position had too few inputs to fit a probe."
)
SIMILARITY_CAPTION = (
    "Similarity of the aligned subspace in this model to the node's subspace in the "
    "compiled model (principal-angle cosine, debiased linear CKA, Procrustes), with "
    "bootstrap 95% intervals; 1 is the same space up to rotation."
)


def _selector_block(name: str, entry: Json) -> str:
    label = selector_label(name, entry)
    caption = (
        f"Selector {label} (left: which keys each query selects, on one input) beside "
        f"head {entry['best_head']}, the head whose attention plays it best (right), "
        f"agreement {_plain(entry['agreement'])}; a randomly initialised model's best head "
        f"agrees {_plain(entry['random_model_best'])}, the baseline to beat."
    )
    return _figure(selector_figure(name, entry), caption)


def selector_label(name: str, entry: Json) -> str:
    """A selector's name as the reader can find it in the program: the nodes that use
    it where the report says so, else the name, marked when the program left it unnamed."""
    users = entry.get("used_by")
    if users:
        return f"{name} (used by {', '.join(users)})"
    if re.fullmatch(r"select_\d+", name):
        return f"{name} (unnamed in the program)"
    return name


def _plain(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _others_section(report: Json) -> str:
    """The other hypotheses' nodes, compared on equal terms."""
    others = [h for h in report["hypotheses"] if h["program"] != report["program"]]
    parts = []
    for other in others:
        parts.append(
            f"<h2>Compared: <code>{_e(other['program'])}</code> {_badge(other['verdict'])}</h2>"
            f"<p>{_e(other['reason'])}. Behaviour: "
            f"{_num(other['behaviour']['sequence_accuracy'])} per sequence.</p>"
        )
        parts.append(_node_table(other["nodes"]))
    return "\n".join(parts)


def _strict_section(report: Json) -> str:
    strict = report["strict_check"]
    claimed = strict.get("claimed", {})
    rows = [(f"<code>{_e(node)}</code>", _e(", ".join(labels))) for node, labels in claimed.items()]
    outside = strict.get("outside_components", [])
    return (
        "<h2>Strict check</h2><p>The claimed circuit is every component aligned to a node; "
        "every component outside it is resampled from another input and the output "
        "compared.</p>"
        + (_table(["node", "claimed components"], rows) if rows else "<p>Nothing claimed.</p>")
        + f"<p>Resampled: {_names(outside)}. {_unchanged(strict.get('unchanged'), outside)}</p>"
    )


def _unchanged(share: float | None, outside: list[str]) -> str:
    if not outside:
        return "Every component is claimed, so there is nothing to resample."
    if share is None:
        return "The output was not checked (no resampling pairs)."
    return f"The output is unchanged on <b>{share:.1%}</b> of inputs."


def _basis_section(report: Json) -> str:
    t_rows = [(_e(k), _num(v)) for k, v in report["thresholds"].items()]
    s_rows = [(_e(k), _e(json.dumps(v))) for k, v in report["settings"].items()]
    notes = "".join(f"<li>{_e(note)}</li>" for note in report["notes"])
    return (
        "<h2>Thresholds, settings and notes</h2>"
        + _table(["threshold", "value"], t_rows)
        + _table(["setting", "value"], s_rows)
        + f"<ul>{notes}</ul>"
    )


# --- figures ------------------------------------------------------------------------


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _tested(nodes: Json) -> dict[str, Json]:
    return {name: node for name, node in nodes.items() if node["tested"]}


def _thresholds(ax: Any, t: Json) -> None:
    ax.axhline(t["implements_iia"], color="#1b7f3b", ls="--", lw=1)
    ax.axhline(t["partial_iia"], color="#b7791f", ls=":", lw=1)


def _value(x: float | None) -> float:
    return np.nan if x is None else x


def iia_figure(nodes: Json, t: Json) -> str | None:
    """Grouped bars: each tested node's IIA and its three controls."""
    tested = _tested(nodes)
    if not tested:
        return None
    series = {
        "this model": [n["iia"]["sequence"] for n in tested.values()],
        "random subspace": [n["controls"]["random_subspace_iia"] for n in tested.values()],
        "shuffled": [n["controls"]["shuffled_iia"] for n in tested.values()],
        "random model": [n["controls"]["random_model_iia"]["sequence"] for n in tested.values()],
    }
    colours = ["#2b6cb0", "#a0aec0", "#d69e2e", "#4a5568"]
    fig = Figure(figsize=(min(10.0, 2.5 + 0.6 * len(tested)), 3.2))
    ax = fig.subplots()
    x, width = np.arange(len(tested)), 0.2
    for i, ((label, values), colour) in enumerate(zip(series.items(), colours)):
        ax.bar(x + (i - 1.5) * width, [_value(v) for v in values], width, label=label,
               color=colour)
    _thresholds(ax, t)
    ax.set_xticks(x, list(tested), rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("IIA (sequences)")
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)
    return _png(fig)


def rank_figure(nodes: Json, t: Json) -> str | None:
    """IIA against rank for each tested node with a sweep."""
    swept = {n: x for n, x in _tested(nodes).items() if x["iia_by_rank"]}
    if not swept:
        return None
    fig = Figure(figsize=(5.5, 3.2))
    ax = fig.subplots()
    ax.set_prop_cycle(color=colormaps["tab10" if len(swept) <= 10 else "tab20"].colors)
    for name, node in swept.items():
        ranks = sorted(int(r) for r in node["iia_by_rank"])
        values = [_value(node["iia_by_rank"][str(r)]) for r in ranks]
        (line,) = ax.plot(ranks, values, marker=".", label=name)
        if node["min_rank"] is not None:
            ax.plot([node["min_rank"]], [_value(node["iia_by_rank"].get(str(node["min_rank"])))],
                    "o", mfc="none", ms=10, color=line.get_color())
    _thresholds(ax, t)
    ax.set_xscale("log", base=2)
    ticks = sorted({int(r) for node in swept.values() for r in node["iia_by_rank"]})
    ax.set_xticks(ticks, [str(r) for r in ticks])
    ax.minorticks_off()
    ax.set_xlabel("rank of the aligned subspace")
    ax.set_ylabel("IIA (sequences)")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def _heat(ax: Any, grid: np.ndarray, numbers: bool) -> Any:
    """A 0..1 heat map; missing cells grey; values written in when asked."""
    cmap = colormaps["viridis"].with_extremes(bad="#dddddd")
    image = ax.imshow(np.ma.masked_invalid(grid), vmin=0, vmax=1, cmap=cmap, aspect="auto")
    if numbers:
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if v < 0.6 else "black")
    return image


def probe_figure(nodes: Json) -> str | None:
    """Nodes by sites, probe accuracy pooled over positions."""
    probed = {n: x["probe"] for n, x in nodes.items() if x.get("probe")}
    if not probed:
        return None
    sites = list(next(iter(probed.values()))["accuracy"])
    grid = np.array([[_value(p["accuracy"].get(s)) for s in sites] for p in probed.values()])
    fig = Figure(figsize=(1.2 + 0.75 * len(sites), 0.9 + 0.4 * len(probed)))
    ax = fig.subplots()
    image = _heat(ax, grid, numbers=True)
    ax.set_xticks(range(len(sites)), sites, rotation=45, ha="right")
    ax.set_yticks(range(len(probed)), list(probed))
    fig.colorbar(image, ax=ax, fraction=0.03)
    return _png(fig)


def position_figure(nodes: Json) -> str | None:
    """One panel per node: probe accuracy by site and position."""
    probed = {n: x["probe"]["per_position"] for n, x in nodes.items()
              if x.get("probe") and x["probe"].get("per_position")}
    if not probed:
        return None
    columns = min(3, len(probed))
    rows = -(-len(probed) // columns)
    fig = Figure(figsize=(3.6 * columns, 2.6 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    for ax, (name, per) in zip(axes, probed.items()):
        sites = list(per)
        grid = np.array([[_value(v) for v in per[s]] for s in sites], dtype=float)
        image = _heat(ax, grid, numbers=False)
        ax.set_yticks(range(len(sites)), sites, fontsize=7)
        ax.set_xticks(range(grid.shape[1]))
        ax.set_xlabel("input position", fontsize=8)
        ax.set_title(name, fontsize=9)
    for ax in axes[len(probed):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=list(axes[: len(probed)]), fraction=0.03, label="probe accuracy")
    return _png(fig)


def similarity_figure(nodes: Json) -> str | None:
    """Each measure per node as a point with its bootstrap interval."""
    measured = {n: x["similarity"] for n, x in nodes.items() if x.get("similarity")}
    if not measured:
        return None
    measures = list(next(iter(measured.values())))
    fig = Figure(figsize=(6.0, 1.0 + 0.35 * len(measured)))
    ax = fig.subplots()
    y = np.arange(len(measured))
    for i, measure in enumerate(measures):
        offset = (i - (len(measures) - 1) / 2) * 0.22
        values = [_value(s[measure]["value"]) for s in measured.values()]
        low = [v - _value(s[measure]["ci95"][0]) for v, s in zip(values, measured.values())]
        high = [_value(s[measure]["ci95"][1]) - v for v, s in zip(values, measured.values())]
        ax.errorbar(values, y + offset, xerr=np.clip([low, high], 0, None), fmt="o",
                    ms=4, capsize=2, label=measure.replace("_", " "))
    ax.set_yticks(y, list(measured))
    ax.invert_yaxis()
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel("similarity to the compiled subspace")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def selector_figure(name: str, entry: Json) -> str | None:
    """The selector's matrix on one input beside its best head's attention pattern."""
    example = entry.get("example")
    if not example:
        return None
    tokens = [str(t) for t in example["input"]]
    selector = np.array(example["selector"], dtype=float)
    pattern = np.array(example["pattern"], dtype=float)
    fig = Figure(figsize=(6.4, 2.9))
    left, right = fig.subplots(1, 2)
    left.imshow(selector, vmin=0, vmax=1, cmap="Blues")
    left.set_title(f"selector\n{name}", fontsize=9)
    left.set_xticks(range(len(tokens)), tokens)
    right.imshow(pattern[1:], vmin=0, vmax=1, cmap="Blues", aspect="auto")
    right.set_title(f"head {entry['best_head']}: agreement {_plain(entry['agreement'])}\n"
                    f"(random model's best {_plain(entry['random_model_best'])})", fontsize=9)
    right.set_xticks(range(len(tokens) + 1), ["BOS", *tokens])
    for ax in (left, right):
        ax.set_yticks(range(len(tokens)), tokens)
        ax.set_xlabel("key")
        ax.set_ylabel("query")
    return _png(fig)
