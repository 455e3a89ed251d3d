"""Every analysis of one model, in one call: `analyse(model, task)` -> `Analysis`,
which report.write turns into HTML and JSON. Each analysis lives in its own module
(heads, attribution, ablation, reduce, neurons, frequencies); this one only runs them
on one shared probe and collects what they find."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from rasplab.analysis import reduce
from rasplab.analysis.ablation import ablation_effects
from rasplab.analysis.attribution import Attribution, direct_logit_attribution
from rasplab.analysis.components import components
from rasplab.analysis.frequencies import fourier_analysis
from rasplab.analysis.heads import HeadScores, head_scores
from rasplab.analysis.inputs import Probe, make_probe
from rasplab.analysis.modular import modular_grid
from rasplab.analysis.neurons import cluster_by_behaviour
from rasplab.compiler.compiled import LABEL_KEY
from rasplab.model import Transformer
from rasplab.tasks import Task

MAX_POINTS = 300  # activation rows projected and clustered (t-SNE's time grows fast)
SUPPRESSOR_LOSS = 0.1  # ablation loss rise that makes a suppressor worth flagging
SUPPRESSOR_SHARE = 0.1  # and its suppression, as a share of the measure (not a bystander)


@dataclass
class View:
    """One projection of one matrix, with the variables to colour its points by."""

    subject: str
    projection: reduce.Projection
    colours: dict[str, list[Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "method": self.projection.method,
            "explained": self.projection.explained,
            "points": np.round(self.projection.points, 4).tolist(),
            "colours": self.colours,
        }


@dataclass
class Analysis:
    model: dict[str, Any]
    task: str | None
    probe_size: int
    heads: HeadScores | None
    attribution: Attribution | None
    ablation: dict[str, dict[str, dict[str, float]]]
    views: list[View]
    spectra: dict[str, dict[str, Any]]
    neurons: dict[int, dict[str, Any]]
    fourier: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)

    def suppressors(self) -> list[str]:
        """Components whose DLA and ablation disagree because they mostly suppress wrong
        answers: suppression above |DLA| and at least SUPPRESSOR_SHARE of the measure
        (a head that only moves information has little of either), and an ablation loss
        rise >= SUPPRESSOR_LOSS."""
        att = self.attribution
        if att is None:
            return []
        effects = next(iter(self.ablation.values()), {})
        return [
            name
            for name, e in effects.items()
            if att.suppression[name] > max(abs(att.dla[name]), SUPPRESSOR_SHARE * att.measure)
            and e["loss"] >= SUPPRESSOR_LOSS
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "task": self.task,
            "probe_size": self.probe_size,
            "heads": self.heads.to_json() if self.heads else [],
            "attribution": self.attribution.to_json() if self.attribution else None,
            "ablation": self.ablation,
            "suppressors": self.suppressors(),
            "projections": [v.to_json() for v in self.views],
            "spectra": self.spectra,
            "neurons": {str(k): v for k, v in self.neurons.items()},
            "fourier": self.fourier,
            "notes": self.notes,
        }


def analyse(
    model: Transformer,
    task: Task | str | None = None,
    n: int = 300,
    seed: int = 0,
    methods: tuple[str, ...] = ("pca", "nmf", "tsne"),
    ablation: tuple[str, ...] = ("mean", "resample"),
) -> Analysis:
    """Head roles, DLA beside ablation, projections, weight spectra, neuron clusters,
    and for modular tasks the Fourier view, of `model` on n inputs of `task` (default:
    the task a trained model names; random inputs when there is none)."""
    model.eval()
    probe = make_probe(model, task, n, seed)
    notes = list(probe.notes)
    heads = head_scores(model, probe) if any(b.attn is not None for b in model.blocks) else None
    attribution, effects = None, {}
    if probe.categorical and bool(probe.scored.any()):
        attribution = direct_logit_attribution(model, probe)
        parts = components(model) + attribution.top_neurons
        effects = {m: ablation_effects(model, probe, parts, m, seed) for m in ablation}
    else:
        notes.append("no DLA or ablation: the output is numerical or nothing is scored")
    views, neurons = _views_and_neurons(model, probe, methods, seed, notes)
    grid = modular_grid(probe.task) if probe.task is not None else None
    return Analysis(
        model=_describe(model),
        task=probe.task.name if probe.task else None,
        probe_size=len(probe.tokens),
        heads=heads,
        attribution=attribution,
        ablation=effects,
        views=views,
        spectra={k: reduce.spectrum(v) for k, v in reduce.weight_matrices(model).items()},
        neurons=neurons,
        fourier=fourier_analysis(model, grid) if grid is not None else None,
        notes=notes,
    )


def _views_and_neurons(
    model: Transformer, probe: Probe, methods: tuple[str, ...], seed: int, notes: list[str]
) -> tuple[list[View], dict[int, dict[str, Any]]]:
    """Projections of the embeddings and of the residual stream after each layer, and
    each MLP layer's neuron clusters, on up to MAX_POINTS real positions."""
    device = next(model.parameters()).device
    with torch.no_grad():
        _, cache = model.run_with_cache(
            probe.tokens.to(device), attention_mask=probe.mask.to(device)
        )
    where = probe.mask.clone()
    where[:, 0] = False  # BOS is the same everywhere
    rows = torch.nonzero(where).numpy()
    rng = np.random.default_rng(seed)
    if len(rows) > MAX_POINTS:
        rows = rows[np.sort(rng.choice(len(rows), MAX_POINTS, replace=False))]
    at = (torch.as_tensor(rows[:, 0]), torch.as_tensor(rows[:, 1]))
    colours = {
        name: [_json(v) for v in values[rows[:, 0], rows[:, 1]]]
        for name, values in probe.variables.items()
    }
    views: list[View] = []

    def view(subject: str, data: np.ndarray, method: str, paint: dict[str, list[Any]]) -> None:
        if len(data) < (5 if method == "tsne" else 3):
            notes.append(f"{subject}: {len(data)} rows, too few for {method}")
            return
        views.append(View(subject, reduce.project(data, method, seed), paint))

    embed = model.embed.W_E.detach().double().cpu().numpy()[1:]
    for method in methods:
        view("token embeddings W_E", embed, method, {"token": [_json(t) for t in probe.vocab]})
    if model.pos_embed is not None:
        pos = model.pos_embed.W_pos.detach().double().cpu().numpy()
        view("position embeddings W_pos", pos, "pca", {"position": list(range(len(pos)))})
    last = len(model.blocks) - 1
    for layer in range(len(model.blocks)):
        resid = cache[f"blocks.{layer}.hook_resid_post"][at].double().cpu().numpy()
        for method in methods if layer == last else ("pca",):
            view(f"residual stream after layer {layer}", resid, method, colours)
    neurons = {}
    W_U = model.unembed.W_U.detach().double().cpu().numpy()
    for layer, block in enumerate(model.blocks):
        if block.mlp is None:
            continue
        post = cache[f"blocks.{layer}.mlp.hook_post"][at].double().cpu().numpy()
        out_logits = block.mlp.W_out.detach().double().cpu().numpy() @ W_U
        values = {k: np.array(v, dtype=object) for k, v in colours.items()}
        raised = probe.output_values if probe.categorical else ["the numerical output"]
        clusters, dead = cluster_by_behaviour(post, out_logits, values, raised, seed)
        neurons[layer] = {
            "clusters": [c.to_json() for c in clusters],
            "dead": dead,
            "width": post.shape[1],
        }
        if not clusters:
            notes.append(f"layer {layer} MLP: too few live neurons to cluster")
    return views, neurons


def _describe(model: Transformer) -> dict[str, Any]:
    cfg = model.cfg
    return {
        "origin": "compiled" if LABEL_KEY in cfg.labels else "trained",
        "n_layers": cfg.n_layers,
        "heads_per_layer": list(cfg.heads_per_layer),
        "d_mlp_per_layer": list(cfg.d_mlp_per_layer),
        "d_model": cfg.d_model,
        "normalization": cfg.normalization,
        "causal": cfg.causal,
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def _json(value: Any) -> Any:
    """Tokens and values as JSON keeps them (numpy scalars to Python)."""
    return value.item() if isinstance(value, np.generic) else value
