"""An Analysis as one self-contained HTML page (figures as PNG data URIs) and as
strict JSON, both written atomically (rasplab.atomic)."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from rasplab.analysis import figures
from rasplab.analysis.heads import ROLES
from rasplab.analysis.run import SUPPRESSOR_LOSS, Analysis
from rasplab.atomic import write_text
from rasplab.jsonsafe import dumps

MAX_SPECTRA = 12  # matrices drawn in the spectrum plot (all are in the JSON)


def write(analysis: Analysis, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    """Write out_dir/analysis.json and out_dir/report.html; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = dumps(analysis.to_json(), indent=1)
    return write_text(out / "analysis.json", data + "\n"), write_text(
        out / "report.html", html(analysis)
    )



def html(analysis: Analysis) -> str:
    title = f"rasp analyse: {analysis.model['origin']} model" + (
        f" of task {analysis.task}" if analysis.task else ""
    )
    sections = [
        _model(analysis),
        _heads(analysis),
        _attribution(analysis),
        _views(analysis),
        _spectra(analysis),
        _neurons(analysis),
        _fourier(analysis),
    ]
    notes = "".join(f"<li>{escape(n)}</li>" for n in analysis.notes)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
        "font-size:13px}img{max-width:100%}figcaption{font-size:13px;color:#444}</style>"
        f"</head><body><h1>{escape(title)}</h1>"
        + "".join(s for s in sections if s)
        + (f"<h2>Notes</h2><ul>{notes}</ul>" if notes else "")
        + "</body></html>"
    )


def _figure(png: str, caption: str) -> str:
    return (
        f"<figure><img alt='{escape(caption)}' src='data:image/png;base64,{png}'>"
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        return escape(f"{v:.3g}" if isinstance(v, float) else str(v))

    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _model(a: Analysis) -> str:
    rows = [[k, v] for k, v in a.model.items()] + [["task", a.task], ["inputs", a.probe_size]]
    return "<h2>Model</h2>" + _table(["", ""], rows)


def _heads(a: Analysis) -> str:
    if a.heads is None:
        return ""
    names = [f"L{layer}H{h}" for layer, h in a.heads.heads]
    values = np.array([[a.heads.scores[r][h] for r in ROLES] for h in a.heads.heads])
    return (
        "<h2>Head roles</h2><p>TransformerLens's head detector scores on the task's "
        "inputs: attention on the role's keys over all attention (BOS left out, except "
        "for BOS-resting, the share of attention on BOS).</p>"
        + _figure(
            figures.heatmap(values, names, list(ROLES), "head roles"),
            "Score per head and role (1: all attention where the role says).",
        )
    )


def _attribution(a: Analysis) -> str:
    if a.attribution is None:
        return ""
    att = a.attribution
    names = list(att.dla)
    series = {
        "DLA": [att.dla[n] for n in names],
        "suppression": [att.suppression[n] for n in names],
    }
    header = ["component", "DLA", "suppression"]
    for method, effects in a.ablation.items():
        series[f"{method} ablation: -Δ measure"] = [-effects[n]["measure"] for n in names]
        header += [f"{method}: Δ measure", f"{method}: Δ loss", f"{method}: Δ accuracy"]
    rows = [
        [n, att.dla[n], att.suppression[n]]
        + [
            v
            for e in a.ablation.values()
            for v in (e[n]["measure"], e[n]["loss"], e[n]["accuracy"])
        ]
        for n in names
    ]
    flagged = a.suppressors()
    verdict = (
        f"DLA and ablation disagree on {', '.join(flagged)}: each suppresses wrong "
        f"answers more than it raises the right one, yet ablating it raises the loss "
        f"by {SUPPRESSOR_LOSS} or more."
        if flagged
        else "No component is flagged as a suppressor whose DLA understates it."
    )
    return (
        f"<h2>Direct logit attribution and ablation</h2><p>Measure: correct logit minus "
        f"the mean logit at scored positions, {att.measure:.3f} on average (biases "
        f"{att.bias:.3f}). DLA is each component's direct part of it; suppression is how "
        f"far it pushes down the wrong answer it pushes down most. Ablation replaces the "
        f"component's output (mean over inputs, or another input's) and measures the "
        f"whole change. {escape(verdict)}</p>"
        + _figure(
            figures.grouped_bars(names, series, "DLA beside ablation"),
            "Per component: DLA, suppression, and the measure lost under each ablation.",
        )
        + _table(header, rows)
    )


def _views(a: Analysis) -> str:
    parts = [
        "<h2>Dimensionality reduction</h2><p>Embeddings and the residual stream "
        "projected to two dimensions, coloured by the task's variables (the hypothesis's "
        "nodes where the task has one).</p>"
    ]
    for v in a.views:
        explained = v.projection.explained
        share = f" (axes explain {', '.join(f'{e:.0%}' for e in explained)})" if explained else ""
        caption = f"{v.projection.method.upper()} of {v.subject}{share}"
        parts.append(
            _figure(figures.scatter_grid(v.projection.points, v.colours, caption), caption)
        )
    return "".join(parts)


def _spectra(a: Analysis) -> str:
    shown = dict(list(a.spectra.items())[:MAX_SPECTRA])
    curves = {k: v["singular_values"] for k, v in shown.items()}
    rows = [[k, v["effective_rank"], len(v["singular_values"])] for k, v in a.spectra.items()]
    return (
        "<h2>Weight spectra</h2>"
        + _figure(
            figures.lines(curves, "singular values", "index", log=True),
            "Singular values of the weight matrices (SVD).",
        )
        + _table(["matrix", "effective rank", "values kept"], rows)
    )


def _neurons(a: Analysis) -> str:
    if not a.neurons:
        return ""
    parts = [
        "<h2>Neurons by behaviour</h2><p>k-means on each neuron's activations over the "
        "inputs and the logits its output raises; share: of the layer's activation "
        "variance.</p>"
    ]
    for layer, info in a.neurons.items():
        rows = [[c["size"], c["share"], c["label"], c["key"]] for c in info["clusters"]]
        parts.append(
            f"<h3>Layer {layer} MLP ({info['width']} neurons, {info['dead']} dead)</h3>"
            + _table(["neurons", "share", "responds to", "raises most"], rows)
        )
    return "".join(parts)


def _fourier(a: Analysis) -> str:
    f = a.fourier
    if f is None:
        return ""
    ks = list(range(1, len(f["embedding_norms"]) + 1))
    keys = f["key_frequencies"]
    parts = [
        f"<h2>Fourier analysis (p = {f['p']}, {f['operation']})</h2><p>Key frequencies "
        f"of the number embeddings: {keys}, carrying {f['key_share']:.1%} of their norm; "
        f"the logits hold {f['logit_key_share']:.1%} of their variance in cos/sin "
        f"w_k ({escape(f['operation'])}) at those frequencies.</p>",
        _figure(
            figures.bars(f["embedding_norms"], ks, "embedding norm per frequency", keys),
            "Norm of each frequency in the number embeddings; key frequencies in red.",
        ),
        _figure(
            figures.bars(f["logit_shares"], ks, "logit variance per frequency", keys),
            "Share of the logits' variance in each frequency's directions.",
        ),
    ]
    for layer, info in f["neurons"].items():
        rows = [[c["key"], c["size"], c["share"], c["label"]] for c in info["clusters"]]
        parts.append(
            f"<h3>Layer {layer} neurons by frequency</h3><p>Their key frequencies "
            f"explain {info['explained']:.1%} of all neuron variance ({info['dead']} "
            "dead neurons).</p>" + _table(["frequency", "neurons", "share of variance", ""], rows)
        )
    return "".join(parts)
