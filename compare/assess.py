"""One hypothesis against one model: every claimed variable aligned, controlled,
located and given a verdict; the circuit's components claimed and the rest
resampled. compare() runs this for every hypothesis on equal terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from rasplab.compare import components as comp
from rasplab.compare import das, probes, similarity
from rasplab.compare.adapter import Adapter
from rasplab.compare.behaviour import behaviour, longer_inputs
from rasplab.compare.data import Inputs, held_out, pairs
from rasplab.compare.result import Controls, HypothesisResult, NodeResult
from rasplab.compare.sites import EMBEDDING_SITE, SiteActivations, short
from rasplab.compare.variables import (
    PairBatch,
    PairBuilder,
    PairSet,
    Variable,
    computed_nodes,
    effective_pairs,
    role,
    variables,
)
from rasplab.compare.verdict import NodeStanding, Thresholds, node_verdict, overall_verdict
from rasplab.compiler import CompileError, compile_program
from rasplab.rasp import Program
from rasplab.rasp import nodes as n

from rasplab.model import act_name

CANDIDATE_SITES = 2
SIMILARITY_ROWS = 600  # (input, position) rows the subspace similarity is measured on


@dataclass
class Settings:
    inputs: int = 600
    das_steps: int = 150
    batch: int = 128
    seed: int = 0
    # Caps every alignment's rank (else the compiled subspace's width): a one-hot s-op
    # over 113 values would otherwise swap most of a 128-wide residual stream.
    max_rank: int | None = None
    # Nodes swapped together as one variable (a point (cos, sin)).
    groups: list[tuple[str, ...]] = field(default_factory=list)
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass
class Models:
    """The model under test and its random twin (the random-model control)."""

    adapter: Adapter
    random: Adapter


def _label(value: Any) -> Any:
    return (type(value) is bool, value)


class Assessment:
    def __init__(self, models: Models, program: Program, task, settings: Settings,
                 progress=None) -> None:
        self.models = models
        self.adapter = models.adapter
        self.program = program
        self.task = task
        self.settings = settings
        self.t = settings.thresholds
        self.progress = progress
        self.inputs: Inputs = held_out(self.adapter, program, task, settings.inputs, settings.seed)
        self.trace = program.evaluate(self.inputs.tokens)
        self.acts = SiteActivations(self.adapter, self.inputs.tokens)
        # the input position of every row of acts.rows()
        self.positions = [p for x in self.inputs.tokens for p in range(len(x))]
        self._random_acts: SiteActivations | None = None
        self.builder = PairBuilder(
            self.adapter, program, self.inputs, self.trace, settings.seed, settings.batch
        )
        self._frames: dict[str, torch.Tensor] = {}
        # variable -> (site, subspace basis, pairs) of its alignment, for the strict check
        self._found: dict[str, tuple[str, torch.Tensor, PairSet]] = {}
        self.compiled, self.compile_note = self._compile()

    # -- set-up ---------------------------------------------------------------

    def _compile(self):
        try:
            return compile_program(
                self.program, self.adapter.vocab, self.adapter.max_len,
                self.adapter.model.cfg.causal, domain=self.inputs.tokens,
            ), None
        except CompileError as err:
            return None, (
                f"{self.program.name} does not compile here ({err.message}); its ranks fall "
                "back to one dimension per value (one for a numerical s-op), and there is no "
                "compiled model to compare subspaces with"
            )

    def random_acts(self) -> SiteActivations:
        if self._random_acts is None:
            self._random_acts = SiteActivations(self.models.random, self.inputs.tokens)
        return self._random_acts

    def frame(self, site: str) -> torch.Tensor:
        if site not in self._frames:
            self._frames[site] = das.frame(self.acts.rows(site))
        return self._frames[site]

    def rank(self, variable: Variable) -> int:
        total = 0
        for node in variable.nodes:
            if self.compiled is not None and node in self.compiled.layout.sops:
                width = len(self.compiled.layout.dims(node))
            elif self.program.node(node).encoding == "numerical":
                width = 1
            else:
                width = len({_label(v) for row in self.trace[node] for v in row})
            total += max(width, 1)
        # A variable that takes C values differs between two inputs within C - 1
        # directions: a wider swap only adds directions that carry something else.
        values = {v for row in self.labels(variable) for v in row}
        cap = min(self.settings.max_rank or total, max(len(values) - 1, 1))
        return max(1, min(total, self.adapter.model.cfg.d_model, cap))

    def labels(self, variable: Variable) -> list[list[Any]]:
        """The variable's value per input and position (a tuple for several nodes)."""
        columns = [self.trace[node] for node in variable.nodes]
        if len(columns) == 1:
            return [[_label(v) for v in row] for row in columns[0]]
        return [
            [tuple(_label(c[b][i]) for c in columns) for i in range(len(columns[0][b]))]
            for b in range(len(self.inputs.tokens))
        ]

    # -- alignment -------------------------------------------------------------

    def _train(self, site: str, rank: int, flat_labels: list, batches: list[PairBatch],
               positions, target: das.Target = "counterfactual", adapter: Adapter | None = None,
               acts: SiteActivations | None = None, seed: int = 0, steps: int | None = None,
               init: bool = True) -> das.Alignment:
        """An alignment started from the directions that separate the variable's values
        (linear discriminants within each position, or a random subspace), trained on
        the pairs."""
        adapter = adapter or self.adapter
        acts = acts or self.acts
        axes = das.frame(acts.rows(site)) if acts is not self.acts else self.frame(site)
        start = (
            self._discriminants(acts, site, flat_labels, rank, positions, axes) if init else None
        )
        alignment = das.Alignment(axes, rank, start, seed=self.settings.seed + seed)
        alignment.to(adapter.device)
        steps = self.settings.das_steps if steps is None else steps
        return das.train(adapter, acts, site, alignment, batches, steps, target, positions)

    def _discriminants(self, acts: SiteActivations, site: str, flat_labels: list, rank: int,
                       positions, axes: torch.Tensor) -> torch.Tensor:
        """The starting directions, from the rows at the swapped positions only (at a
        position that does not hold the value, its classes are noise)."""
        rows = acts.rows(site)
        if positions is None:
            return das.discriminant_directions(rows, flat_labels, rank, self.positions, axes)
        keep = [i for i, p in enumerate(self.positions) if p in positions]
        return das.discriminant_directions(
            rows[keep], [flat_labels[i] for i in keep], rank, [self.positions[i] for i in keep],
            axes,
        )

    def _align(self, variable: Variable, rank: int, pair_set: PairSet, flat_labels: list,
               positions_to_try: list[list[int]], probe_accuracy: dict[str, float]):
        """The best (site, positions, alignment) by IIA on the training pairs: every
        residual site screened by its untrained starting subspace (the directions that
        separate the variable's values there), the best two trained, one random restart where
        neither reaches the threshold."""
        steps = self.settings.das_steps
        screened: list[tuple[float, float, str, list[int] | None, das.Alignment]] = []

        def score(site: str, alignment: das.Alignment, positions) -> float:
            return das.iia(self.adapter, self.acts, site, alignment.basis().detach(),
                           pair_set.train, positions=positions).sequence or 0.0

        for positions in [None, *positions_to_try]:
            for site in self.acts.sites:
                alignment = self._train(site, rank, flat_labels, pair_set.train, positions,
                                        steps=0)
                accuracy = probe_accuracy.get(short(site), 0.0)
                screened.append((score(site, alignment, positions), accuracy, site, positions,
                                 alignment))
        screened.sort(key=lambda o: (-o[0], -o[1]))
        finals = []
        for _, _, site, positions, alignment in screened[:CANDIDATE_SITES]:
            das.train(self.adapter, self.acts, site, alignment, pair_set.train, steps,
                      "counterfactual", positions)
            finals.append((score(site, alignment, positions), site, positions, alignment))
        best = max(finals, key=lambda o: o[0])
        if best[0] < self.t.implements_iia:
            _, site, positions, _ = best
            alignment = self._train(site, rank, flat_labels, pair_set.train, positions, seed=17,
                                    init=False)
            finals.append((score(site, alignment, positions), site, positions, alignment))
        return max(finals, key=lambda o: o[0])

    def _source_positions(self, variable: Variable, labels: list[list[Any]]) -> list[list[int]]:
        """For a variable with one value per input that an aggregate copies from a fixed
        position (mod-add's `a` from position 0), that position: the model may hold it
        there alone."""
        node = self.program.node(variable.nodes[0])
        if len(variable.nodes) != 1 or not isinstance(node, n.Aggregate):
            return []
        if not all(len(set(row)) == 1 for row in labels):
            return []
        copied = self.trace[self.program.name_of(node.sop)]
        shortest = min(len(x) for x in self.inputs.tokens)
        return [
            [p] for p in range(shortest)
            if all(_label(copied[b][p]) == labels[b][0] for b in range(len(labels)))
        ]

    # -- one variable ----------------------------------------------------------

    def variable(self, variable: Variable) -> NodeResult:
        roles = {role(self.program, x) for x in variable.nodes}
        node_role = "intermediate" if "intermediate" in roles else (
            "output" if "output" in roles else "local")
        result = NodeResult(variable.name, variable.nodes, node_role, tested=False)
        pair_set = self.builder.build(variable)
        result.pairs_kind = pair_set.kind
        result.notes += pair_set.notes
        effective = effective_pairs(pair_set.test)
        if pair_set.untested is None and effective < self.t.min_pairs:
            pair_set.untested = (
                f"only {effective} held-out pairs change the output "
                f"(needs {self.t.min_pairs})"
                if pair_set.changed else "its swap never changes the program's output"
            )
        if pair_set.untested is None and not pair_set.train:
            pair_set.untested = "no training pairs"
        labels = self.labels(variable)
        flat_labels = [v for row in labels for v in row]
        result.probe = self._probe(labels)
        if pair_set.untested is not None:
            result.reason = pair_set.untested
            return result
        result.tested = True
        rank = self.rank(variable)
        result.rank = rank
        _, site, positions, alignment = self._align(
            variable, rank, pair_set, flat_labels, self._source_positions(variable, labels),
            result.probe["accuracy"],
        )
        basis = alignment.basis().detach()
        result.site, result.positions = site, positions
        self._found[variable.name] = (site, basis, pair_set)
        result.iia = das.iia(self.adapter, self.acts, site, basis, pair_set.test,
                             positions=positions)
        result.controls = self._controls(site, rank, flat_labels, pair_set, positions)
        self._rank_sweep(result, site, basis, flat_labels, pair_set, positions)
        result.verdict = node_verdict(
            result.iia.sequence, [result.controls.random_subspace, result.controls.shuffled],
            self.t,
        )
        # A pass at the embedding swaps part of the input itself, so it proves nothing;
        # a failure everywhere is a failure wherever the best site happened to be.
        trivial = site == EMBEDDING_SITE and result.verdict != "does not"
        result.carries = node_role == "intermediate" and not trivial
        if node_role == "intermediate" and trivial:
            result.notes.append(
                "aligned at the embedding, where a swap exchanges part of the input itself: "
                "any model that reads its input passes this, so it carries no verdict"
            )
        if 2 * rank > self.adapter.model.cfg.d_model:
            result.notes.append(
                f"aligned at rank {rank} of d_model {self.adapter.model.cfg.d_model}: a swap "
                "that wide moves most of the residual stream (the random-subspace control "
                "says how much that alone explains)"
            )
        if self.compiled is not None and all(x in self.compiled.layout.sops
                                             for x in variable.nodes):
            result.similarity = self._similarity(variable, site, basis)
        return result

    def _probe(self, labels: list[list[Any]]) -> dict[str, Any]:
        found = probes.probe(self.acts.acts, labels)
        return {
            "best_site": short(found.best_site),
            "accuracy": {short(s): a for s, a in zip(found.sites, found.accuracy)},
            "per_position": {short(s): row for s, row in zip(found.sites, found.per_position)},
            "candidates": found.candidates(CANDIDATE_SITES),
        }

    def _controls(self, site: str, rank: int, flat_labels: list, pair_set: PairSet,
                  positions) -> Controls:
        random_subspace = das.random_subspace_iia(
            self.adapter, self.acts, site, self.frame(site), rank, pair_set.test, positions,
            self.settings.seed,
        )
        shuffled_alignment = self._train(site, rank, flat_labels, pair_set.train, positions,
                                         target="shuffled")
        shuffled = das.iia(self.adapter, self.acts, site, shuffled_alignment.basis().detach(),
                           pair_set.test, target="shuffled", positions=positions)
        random_model = self._train(site, rank, flat_labels, pair_set.train, positions,
                                   adapter=self.models.random, acts=self.random_acts(),
                                   steps=max(self.settings.das_steps // 3, 1))
        random_iia = das.iia(self.models.random, self.random_acts(), site,
                             random_model.basis().detach(), pair_set.test, positions=positions)
        return Controls(random_subspace, shuffled.sequence, random_iia.sequence)

    def _rank_sweep(self, result: NodeResult, site: str, basis: torch.Tensor, flat_labels: list,
                    pair_set: PairSet, positions) -> None:
        ordered = das.ordered(basis, self.acts.rows(site), flat_labels)
        for r in das.prefix_ranks(basis.shape[0]):
            score = das.iia(self.adapter, self.acts, site, ordered[:r], pair_set.test,
                            positions=positions).sequence
            result.iia_by_rank[r] = score
            if result.min_rank is None and score is not None and score >= self.t.implements_iia:
                result.min_rank = r

    def _similarity(self, variable: Variable, site: str, basis: torch.Tensor) -> dict[str, Any]:
        cm = self.compiled
        trained = (self.acts.rows(site) @ basis.T).double().cpu().numpy()
        final = act_name("resid_post", cm.model.cfg.n_layers - 1)
        compiled_acts = SiteActivations(
            Adapter(cm.model, self.adapter.vocab, [], self.adapter.max_len, "compiled"),
            self.inputs.tokens,
        )
        dims = [d for node in variable.nodes for d in cm.layout.dims(node)]
        compiled_rows = compiled_acts.rows(final)[:, dims].double().cpu().numpy()
        rows = min(len(trained), SIMILARITY_ROWS)
        return similarity.compare_representations(trained[:rows], compiled_rows[:rows])

    # -- the whole hypothesis ----------------------------------------------------

    def run(self) -> HypothesisResult:
        nodes: dict[str, NodeResult] = {}
        found = variables(self.program, self.settings.groups, self.builder.undefined_share)
        grouped = [
            f"{v.name} swapped as one variable: each alone leaves the program undefined on "
            "most pairs (grouped automatically; --group overrides)"
            for v in found if v.automatic
        ]
        for variable in found:
            if self.progress is not None:
                self.progress(f"{self.program.name}: {variable.name}")
            nodes[variable.name] = self.variable(variable)
        for node in nodes.values():
            if node.probe is not None:
                node.probe["candidates"] = [short(s) for s in node.probe["candidates"]]
        strict = self._strict(nodes)
        standing = [
            NodeStanding(
                name, x.verdict, x.carries,
                at_embedding=x.role == "intermediate" and x.tested and not x.carries,
            )
            for name, x in nodes.items()
        ]
        seen = behaviour(self.adapter, self.program, self.inputs)
        verdict, reason, carried = overall_verdict(seen["sequence_accuracy"], standing, self.t)
        margins = [
            x.iia.sequence - max(
                [c for c in (x.controls.random_subspace, x.controls.shuffled) if c is not None],
                default=0.0,
            )
            for x in nodes.values()
            if x.carries and x.iia.sequence is not None
        ]
        notes = ([self.compile_note] if self.compile_note else []) + grouped
        return HypothesisResult(
            program=self.program.name,
            behaviour=seen,
            behaviour_longer=self._longer(),
            nodes=nodes,
            verdict=verdict,
            reason=reason,
            carried_by=carried,
            score=float(np.mean(margins)) if margins else None,
            strict_check=strict,
            selectors=self._selectors(),
            compiled=self.compiled is not None,
            notes=notes,
        )

    def _longer(self):
        longer = longer_inputs(self.adapter, self.program, self.inputs,
                               self.settings.inputs // 2, self.settings.seed + 7)
        return None if longer is None else behaviour(self.adapter, self.program, longer)

    def _strict(self, nodes: dict[str, NodeResult]) -> dict[str, Any]:
        """Claim components for every computed node; resample everything else."""
        every = comp.components(self.adapter)
        acts = comp.ComponentActivations(self.adapter, self.inputs.tokens, every)
        claimed: dict[str, list[str]] = {}
        for node in computed_nodes(self.program):
            pair_set = self.builder.build(Variable.single(node))
            if pair_set.untested is not None or not pair_set.test:
                continue
            chosen, scores = comp.claim(self.adapter, acts, every, pair_set.test,
                                        self.t.implements_iia)
            claimed[node] = [c.label for c in chosen]
            for result in nodes.values():
                if node in result.nodes:
                    result.components = scores
                    result.claimed = claimed[node]
        for name, (site, basis, pair_set) in self._found.items():
            # The output's subspace is written by everything upstream: claiming its
            # writers would put every component inside and leave nothing to check.
            # Only a node that passes claims what writes it: a partial one is weak evidence.
            if nodes[name].verdict != "implements" or nodes[name].role == "output":
                continue
            written = comp.writers(self.adapter, acts, self.acts, every, site, basis,
                                   pair_set.test)
            for node in nodes[name].nodes:
                claimed[node] = sorted({*claimed.get(node, []), *(c.label for c in written)})
            nodes[name].claimed = sorted({*nodes[name].claimed, *(c.label for c in written)})
        inside = {label for labels in claimed.values() for label in labels}
        outside = [c for c in every if c.label not in inside]
        batches = self.builder.resampling(pairs(self.inputs, self.settings.seed + 11))
        return {
            "claimed": {k: v for k, v in claimed.items() if v},
            "outside_components": [c.label for c in outside],
            # resampling nothing changes nothing
            "unchanged": comp.strict_check(self.adapter, acts, outside, batches)
            if outside else 1.0,
        }

    def _selectors(self) -> dict[str, Any]:
        return selector_heads(self, self.adapter, self.models.random)


def selectors_used(program: Program) -> list[str]:
    return [
        program.name_of(x.selector)
        for x in program.nodes
        if isinstance(x, (n.Aggregate, n.SelectorWidth))
    ]


def _head_patterns(adapter: Adapter, ids: torch.Tensor) -> dict[str, np.ndarray]:
    cfg = adapter.model.cfg
    names = [act_name("pattern", layer) for layer in range(cfg.n_layers)
             if cfg.heads_per_layer[layer]]
    with torch.no_grad():
        _, cache = adapter.model.run_with_cache(ids, names_filter=names)
    patterns = {}
    for name in names:
        layer = int(name.split(".")[1])
        for head in range(cfg.heads_per_layer[layer]):
            patterns[f"L{layer}H{head}"] = cache[name][:, head].cpu().numpy()
    return patterns


def selector_heads(run: Assessment, adapter: Adapter, random_adapter: Adapter) -> dict[str, Any]:
    """Which head's attention best plays each selector (on the commonest length)."""
    groups: dict[int, list[int]] = {}
    for i, x in enumerate(run.inputs.tokens):
        groups.setdefault(len(x), []).append(i)
    group = max(groups.values(), key=len)
    tokens = [run.inputs.tokens[i] for i in group]
    trace = run.program.evaluate(tokens)
    heads = _head_patterns(adapter, adapter.ids(tokens))
    random_heads = _head_patterns(random_adapter, random_adapter.ids(tokens))
    users: dict[str, list[str]] = {}
    for x in run.program.nodes:
        if isinstance(x, (n.Aggregate, n.SelectorWidth)):
            users.setdefault(run.program.name_of(x.selector), []).append(run.program.name_of(x))
    found = {}
    for name in dict.fromkeys(selectors_used(run.program)):
        selected = np.array(trace[name], dtype=np.float64)
        scores = {h: similarity.pattern_agreement(p, selected) for h, p in heads.items()}
        control = max(
            (similarity.pattern_agreement(p, selected) for p in random_heads.values()), default=None
        )
        best = max(scores, key=scores.get) if scores else None
        found[name] = {
            "used_by": users.get(name, []),
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
