"""compare(model, program, task) -> report: does the model implement the program?

In order of weight: behaviour; interchange interventions on each s-op through a
learned linear alignment (DAS), with whole-component patching and a strict
check; correspondence with the compiled model (probes, subspace similarity,
heads that play each selector). The same measures on a randomly initialised
model of the same shape, and for a rival program on this model, stand beside
every figure. Only linear alignments are used: a non-linear map can fit any
algorithm onto any network (Sutter et al. 2025), and subspace patching can
switch on dormant pathways (Makelov et al. 2024), so a node's IIA counts only
where it beats the controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from rasplab.compare import components as comp
from rasplab.compare import das, data, probes, similarity
from rasplab.compare.adapter import Adapter, CompareError, adapter_for
from rasplab.compare.behaviour import behaviour, longer_inputs
from rasplab.compare.sites import activations, residual_sites, short
from rasplab.compare.verdict import Thresholds, node_verdict, overall_verdict
from rasplab.compiler import CompileError, compile_program
from rasplab.rasp import Program, RaspError
from rasplab.rasp import nodes as n
from tqdm import tqdm

from rasplab.model import Transformer

CANDIDATE_SITES = 2


@dataclass
class Settings:
    inputs: int = 600
    das_steps: int = 150
    batch: int = 128
    seed: int = 0
    # Caps every alignment's rank (else the compiled subspace's width): a one-hot s-op
    # over 113 values would otherwise swap most of a 128-wide residual stream.
    max_rank: int | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)


def tested_nodes(program: Program) -> list[str]:
    """The s-ops a hypothesis claims: the ones it names (and its output), not the
    input, constants or unnamed intermediate maps."""
    return [
        program.name_of(x)
        for x in program.nodes
        if isinstance(x, n.SOp)
        and not isinstance(x, (n.Tokens, n.Indices, n.Const))
        and (x.label is not None or x is program.output)
    ]


def selectors_used(program: Program) -> list[str]:
    return [
        program.name_of(x.selector)
        for x in program.nodes
        if isinstance(x, (n.Aggregate, n.SelectorWidth))
    ]


def _check_fit(adapter: Adapter, program: Program, task) -> None:
    if task is not None and adapter.max_len < task.max_len:
        raise CompareError(
            f"the model takes inputs up to {adapter.max_len} tokens but task "
            f"{task.name} has inputs up to {task.max_len}"
        )
    if task is not None:
        unknown = [t for t in task.vocab if t not in adapter.vocab]
        if unknown:
            raise CompareError(f"the model's vocabulary lacks the task's tokens {unknown}")


class _Comparison:
    """The state one comparison shares between its measures."""

    def __init__(
        self, adapter: Adapter, program: Program, inputs: data.Inputs, settings: Settings
    ) -> None:
        self.adapter = adapter
        self.program = program
        self.inputs = inputs
        self.settings = settings
        self.trace = program.evaluate(inputs.tokens)
        self.outputs = self.trace.output
        pairs = data.pairs(inputs, settings.seed)
        cut = int(len(pairs) * 0.7)
        self.train_pairs, self.test_pairs = pairs[:cut], pairs[cut:]
        groups = data.by_length(inputs)
        self.probe_group = max(groups.values(), key=len)
        # (base, source) pairs per s-op whose counterfactual the program cannot compute
        # (a lookup or index that the swapped values miss); they are left out of IIA.
        self.undefined: dict[str, set[tuple[int, int]]] = {}
        # Counterfactuals depend only on the program, so the model's alignment and the
        # random model's control share them.
        self._batches: dict[tuple[str, str], list[das.PairBatch]] = {}

    def batches(self, node: str, split: Literal["train", "test"]) -> list[das.PairBatch]:
        """The pairs of one split, batched by length, with `node`'s counterfactuals."""
        if (node, split) not in self._batches:
            pairs = self.train_pairs if split == "train" else self.test_pairs
            self._batches[node, split] = self._batch(node, pairs)
        return self._batches[node, split]

    def _batch(self, node: str, pairs: list[tuple[int, int]]) -> list[das.PairBatch]:
        by_len: dict[int, list[tuple[int, int]]] = {}
        for base, source in pairs:
            by_len.setdefault(len(self.inputs.tokens[base]), []).append((base, source))
        result = []
        for group in by_len.values():
            for start in range(0, len(group), self.settings.batch):
                chunk, counterfactual = self._counterfactuals(
                    node, group[start : start + self.settings.batch]
                )
                if not chunk:
                    continue
                bases = [self.inputs.tokens[b] for b, _ in chunk]
                scored = [self.inputs.scored[b] for b, _ in chunk]
                result.append(
                    das.PairBatch(
                        base=self.adapter.ids(bases),
                        source=self.adapter.ids([self.inputs.tokens[s] for _, s in chunk]),
                        counterfactual=self.adapter.classes(counterfactual, scored),
                        base_output=self.adapter.classes(
                            [self.outputs[b] for b, _ in chunk], scored
                        ),
                    )
                )
        return result

    def _counterfactuals(
        self, node: str, chunk: list[tuple[int, int]]
    ) -> tuple[list[tuple[int, int]], list[list[Any]]]:
        """The program's outputs with `node` swapped in from each source, and the pairs
        they belong to: all of them, or one at a time when some swap leaves it undefined."""

        def run(pairs: list[tuple[int, int]]) -> list[list[Any]]:
            bases = [self.inputs.tokens[b] for b, _ in pairs]
            swapped = [self.trace[node][s] for _, s in pairs]
            return self.program.evaluate(bases, {node: swapped}).output

        try:
            return chunk, run(chunk)
        except RaspError:
            kept, outputs = [], []
            for pair in chunk:
                try:
                    outputs.append(run([pair])[0])
                    kept.append(pair)
                except RaspError:
                    self.undefined.setdefault(node, set()).add(pair)
            return kept, outputs

    def node_notes(self, node: str, rank: int, tested: int) -> list[str]:
        """Caveats on `node`'s IIA (`tested` pairs): pairs left out, too few pairs, and
        a swap too wide to mean much."""
        notes = []
        if missing := len(self.undefined.get(node, ())):
            total = len(self.train_pairs) + len(self.test_pairs)
            notes.append(
                f"{self.program.name}: swapping '{node}' leaves the program undefined on "
                f"{missing} of {total} pairs (e.g. a lookup the swapped values miss); "
                "they are left out of its IIA."
            )
        needed = self.settings.thresholds.min_pairs
        if tested < needed:
            notes.append(
                f"{self.program.name}: '{node}' is tested on {tested} held-out pairs "
                f"(a swap that changes the output); with fewer than {needed} it is left "
                "untested and reads 'does not'."
            )
        d_model = self.adapter.model.cfg.d_model
        if 2 * rank > d_model:
            notes.append(
                f"{self.program.name}: '{node}' is aligned at rank {rank} of d_model "
                f"{d_model}; a swap that wide moves most of the residual stream, so its "
                "IIA says little about where the variable lives."
            )
        return notes

    def probe(self, node: str, adapter: Adapter | None = None) -> probes.ProbeResult:
        adapter = adapter or self.adapter
        group = self.probe_group
        ids = adapter.ids([self.inputs.tokens[i] for i in group])
        acts = activations(adapter, ids, residual_sites(adapter))
        return probes.probe(acts, [self.trace[node][i] for i in group])

    def align(
        self,
        node: str,
        rank: int,
        sites: list[str],
        adapter: Adapter | None = None,
        probe: probes.ProbeResult | None = None,
    ) -> dict[str, Any]:
        """Train an alignment at each candidate site; keep the best on the training pairs,
        report IIA on the held-out pairs."""
        adapter = adapter or self.adapter
        train = self.batches(node, "train")
        test = self.batches(node, "test")
        if not train or not test:
            return {"site": None, "iia": {"position": None, "sequence": None, "pairs": 0}}
        best: tuple[float, str, das.Alignment] | None = None
        for site in sites:
            init = None
            if probe is not None and site in probe.directions:
                u, _, _ = torch.linalg.svd(probe.directions[site].float(), full_matrices=False)
                init = u[:, : min(rank, u.shape[1])].T
            options = [
                das.train(
                    adapter, site, rank, train, self.settings.das_steps, self.settings.seed, init
                )
            ]
            if init is not None:  # the probe's own subspace, untrained, competes too
                options.append(
                    das.Alignment(adapter.model.cfg.d_model, rank, init).to(adapter.device)
                )
            for alignment in options:
                score = das.iia(adapter, site, alignment, train)["sequence"] or 0.0
                if best is None or score > best[0]:
                    best = (score, site, alignment)
        _, site, alignment = best
        return {
            "site": site,
            "alignment": alignment,
            "iia": das.iia(adapter, site, alignment, test),
            "test": test,
        }


def _random_twin(model: Transformer, seed: int) -> Transformer:
    twin = Transformer(model.cfg, init="normal", generator=torch.Generator().manual_seed(seed))
    return twin.to(next(model.parameters()).device)


def _compiled(program: Program, adapter: Adapter, inputs: data.Inputs):
    try:
        return compile_program(
            program, adapter.vocab, adapter.max_len, adapter.model.cfg.causal, domain=inputs.tokens
        ), None
    except CompileError as err:
        return (
            None,
            f"the program does not compile here, so there is no compiled model to "
            f"correspond with: {err.message}",
        )


def _capped(rank: int, model: Transformer, settings: Settings) -> int:
    """The rank, at most d_model and at most the user's --max-rank."""
    return min(rank, model.cfg.d_model, settings.max_rank or rank)


def _rank(program: Program, node: str, cm, trace_values: list[list[Any]]) -> int:
    """The compiled subspace's width; without one, 1 for a numerical s-op, else one
    dimension per distinct value (a one-hot code)."""
    if cm is not None and node in cm.layout.sops:
        return len(cm.layout.dims(node))
    if program.node(node).encoding == "numerical":
        return 1
    distinct = {(type(v) is bool, v) for row in trace_values for v in row}
    return max(1, len(distinct))


def compare(
    model: Transformer,
    program: Program,
    task=None,
    rival: Program | None = None,
    settings: Settings | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Does `model` implement `program`? A report (JSON-ready dict) with a verdict."""
    settings = settings or Settings()
    adapter = adapter_for(model, task)
    _check_fit(adapter, program, task)
    nodes = tested_nodes(program)
    if not nodes:
        raise CompareError(f"program '{program.name}' has no s-op to test")
    inputs = data.held_out(adapter, program, task, settings.inputs, settings.seed)
    run = _Comparison(adapter, program, inputs, settings)
    random_adapter = (
        adapter_for(_random_twin(model, settings.seed + 1), task)
        if adapter.origin == "trained"
        else Adapter(
            _random_twin(model, settings.seed + 1),
            adapter.vocab,
            adapter.output_values,
            adapter.max_len,
            adapter.origin,
            adapter.task,
        )
    )
    cm, compile_note = _compiled(program, adapter, inputs)
    t = settings.thresholds
    report: dict[str, Any] = {
        "program": program.name,
        "task": task.name if task else adapter.task,
        "model": {
            "origin": adapter.origin,
            "layers": model.cfg.n_layers,
            "d_model": model.cfg.d_model,
            "heads": list(model.cfg.heads_per_layer),
        },
        "thresholds": t.to_dict(),
        "max_rank": settings.max_rank,
        "behaviour": behaviour(adapter, program, inputs),
        "behaviour_longer": _longer(adapter, program, inputs, settings),
        "controls": {"random_model": {"behaviour": behaviour(random_adapter, program, inputs)}},
        "nodes": {},
        "notes": [
            "IIA counts only pairs whose counterfactual output differs from the base output.",
            "Alignments are linear (an orthogonal rotation at the rank of the s-op's compiled "
            "subspace"
            + (f", at most {settings.max_rank}" if settings.max_rank else "")
            + "); a non-linear map could fit any algorithm onto any network.",
            "Subspace patching can activate dormant pathways (Makelov et al. 2024): trust a "
            "node's IIA only where the random-model control stays low.",
        ],
    }
    if compile_note:
        report["notes"].append(compile_note)
    claimed: set[str] = set()
    all_components = comp.components(adapter)
    bar = tqdm(nodes, desc="compare", disable=not progress, leave=False)
    for node in bar:
        bar.set_postfix_str(node)
        rank = _capped(_rank(program, node, cm, run.trace[node]), model, settings)
        probe = run.probe(node)
        sites = probe.candidates(CANDIDATE_SITES)
        aligned = run.align(node, rank, sites, probe=probe)
        control = run.align(
            node, rank, [aligned["site"]] if aligned["site"] else sites[:1], adapter=random_adapter
        )
        entry: dict[str, Any] = {
            "rank": rank,
            "probe": {
                "best_site": short(probe.best_site),
                "accuracy": {short(s): a for s, a in zip(probe.sites, probe.accuracy)},
                "per_position": {short(s): row for s, row in zip(probe.sites, probe.per_position)},
            },
            "site": short(aligned["site"]) if aligned["site"] else None,
            "iia": aligned["iia"],
            "controls": {"random_model_iia": control["iia"]},
        }
        test = aligned.get("test", [])
        scores = (
            {
                label: comp.component_iia(adapter, (label, hook, head), test)
                for label, hook, head in all_components
            }
            if test
            else {}
        )
        entry["components"] = scores
        known = {k: v for k, v in scores.items() if v is not None}
        if known:
            best = max(known, key=known.get)
            entry["best_component"] = {"component": best, "iia": known[best]}
            if known[best] >= t.implements_iia:
                claimed.add(best)
        if cm is not None and aligned["site"] and node in cm.layout.sops:
            entry["similarity"] = _similarity(run, cm, node, aligned)
        entry["verdict"] = node_verdict(aligned["iia"], control["iia"]["sequence"], t)
        report["nodes"][node] = entry
        report["notes"] += run.node_notes(node, rank, aligned["iia"]["pairs"])
    outside = [c for c in all_components if c[0] not in claimed]
    pairs = run.batches(program.name, "test")
    report["strict_check"] = {
        "outside_components": [c[0] for c in outside],
        "unchanged": comp.strict_check(adapter, outside, pairs) if claimed else None,
    }
    report["selectors"] = _selectors(run, adapter, random_adapter)
    if rival is not None:
        rival_result = _rival(adapter, rival, task, settings)
        report["notes"].extend(rival_result.pop("notes"))
        report["controls"]["rival_program"] = rival_result
    report["verdict"] = overall_verdict(
        report["behaviour"]["sequence_accuracy"],
        [v["verdict"] for v in report["nodes"].values()],
        t,
    )
    return report


def _longer(adapter: Adapter, program: Program, inputs: data.Inputs, settings: Settings):
    """Behaviour on inputs longer than the held-out ones, where the model takes them."""
    longer = longer_inputs(adapter, program, inputs, settings.inputs // 2, settings.seed + 7)
    return None if longer is None else behaviour(adapter, program, longer)


def _similarity(run: _Comparison, cm, node: str, aligned: dict) -> dict[str, Any]:
    group = run.probe_group
    tokens = [run.inputs.tokens[i] for i in group]
    site = aligned["site"]
    acts = activations(run.adapter, run.adapter.ids(tokens), [site])[site][:, 1:]
    basis = aligned["alignment"].basis().detach()
    trained = (acts @ basis.T).reshape(-1, basis.shape[0]).cpu().numpy()
    ids = torch.tensor([cm.token_ids(x) for x in tokens])
    final = f"blocks.{cm.model.cfg.n_layers - 1}.hook_resid_post"
    _, cache = cm.model.run_with_cache(ids, names_filter=[final])
    dims = cm.layout.dims(node)
    compiled = cache[final][:, 1:, dims].reshape(-1, len(dims)).numpy()
    result = similarity.compare_representations(
        trained.astype(np.float64), compiled.astype(np.float64)
    )
    values = [v for i in group for v in run.trace[node][i]]
    order = sorted(range(min(len(values), 48)), key=lambda r: (str(type(values[r])), values[r]))
    result["example"] = {
        "values": [values[r] for r in order],
        "labels": [cm.layout.labels[d] for d in dims],
        "compiled": compiled[order].round(4).tolist(),
        "aligned": trained[order].round(4).tolist(),
    }
    return result


def _head_patterns(adapter: Adapter, ids: torch.Tensor) -> dict[str, np.ndarray]:
    cfg = adapter.model.cfg
    names = [
        f"blocks.{layer}.attn.hook_pattern"
        for layer in range(cfg.n_layers)
        if cfg.heads_per_layer[layer]
    ]
    with torch.no_grad():
        _, cache = adapter.model.run_with_cache(ids, names_filter=names)
    patterns = {}
    for name in names:
        layer = int(name.split(".")[1])
        for head in range(cfg.heads_per_layer[layer]):
            patterns[f"L{layer}H{head}"] = cache[name][:, head].cpu().numpy()
    return patterns


def _selectors(run: _Comparison, adapter: Adapter, random_adapter: Adapter) -> dict[str, Any]:
    group = run.probe_group
    tokens = [run.inputs.tokens[i] for i in group]
    trace = run.program.evaluate(tokens)
    ids = adapter.ids(tokens)
    heads = _head_patterns(adapter, ids)
    random_heads = _head_patterns(random_adapter, random_adapter.ids(tokens))
    found = {}
    for name in dict.fromkeys(selectors_used(run.program)):
        selected = np.array(trace[name], dtype=np.float64)
        scores = {h: similarity.pattern_agreement(p, selected) for h, p in heads.items()}
        control = max(
            (similarity.pattern_agreement(p, selected) for p in random_heads.values()), default=None
        )
        best = max(scores, key=scores.get) if scores else None
        found[name] = {
            "best_head": best,
            "agreement": scores.get(best) if best else None,
            "heads": scores,
            "random_model_best": control,
        }
        if best:
            found[name]["example"] = {
                "input": tokens[0],
                "selector": trace[name][0],
                "pattern": heads[best][0].round(3).tolist(),
            }
    return found


def _rival(adapter: Adapter, rival: Program, task, settings: Settings) -> dict[str, Any]:
    inputs = data.held_out(adapter, rival, task, settings.inputs, settings.seed)
    run = _Comparison(adapter, rival, inputs, settings)
    nodes = {}
    for node in tested_nodes(rival):
        probe = run.probe(node)
        sites = probe.candidates(CANDIDATE_SITES)
        rank = _capped(_rank(rival, node, None, run.trace[node]), adapter.model, settings)
        aligned = run.align(node, rank, sites, probe=probe)
        nodes[node] = {
            "rank": rank,
            "iia": aligned["iia"],
            "site": short(aligned["site"]) if aligned["site"] else None,
            "verdict": node_verdict(aligned["iia"], None, settings.thresholds),
        }
    notes = [
        note
        for node, result in nodes.items()
        for note in run.node_notes(node, result["rank"], result["iia"]["pairs"])
    ]
    return {
        "program": rival.name,
        "behaviour": behaviour(adapter, rival, inputs),
        "nodes": nodes,
        "notes": notes,
    }
