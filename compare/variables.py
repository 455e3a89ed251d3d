"""What a hypothesis claims, as variables to intervene on, and the pairs that test
each one.

A variable is one s-op, or several that only make sense together (a point
(cos, sin)); it is swapped as a whole between a base and a source input. Its role
says whether a passing swap could have failed: the output and maps of the input
at the same position pass in any model with the right behaviour, so only
intermediate nodes (an aggregate or selector width, or something computed from
one) carry a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from rasplab.compare.adapter import IGNORE, Adapter
from rasplab.compare.data import Inputs, longer_pairs, pairs
from rasplab.rasp import Program, RaspError, Trace
from rasplab.rasp import nodes as n

Role = Literal["intermediate", "local", "output"]


@dataclass(frozen=True)
class Variable:
    name: str
    nodes: tuple[str, ...]
    automatic: bool = False  # grouped by automatic_groups, not by the caller

    @classmethod
    def single(cls, node: str) -> Variable:
        return cls(node, (node,))


def claimed_nodes(program: Program) -> list[str]:
    """The s-ops a hypothesis claims: the ones it names (and its output), not the
    input, constants or unnamed intermediate maps."""
    return [
        program.name_of(x)
        for x in program.nodes
        if isinstance(x, n.SOp)
        and not isinstance(x, (n.Tokens, n.Indices, n.Const))
        and (x.label is not None or x is program.output)
    ]


def computed_nodes(program: Program) -> list[str]:
    """Every s-op a model must compute: all but the inputs and constants."""
    return [
        program.name_of(x)
        for x in program.nodes
        if isinstance(x, n.SOp) and not isinstance(x, (n.Tokens, n.Indices, n.Const))
    ]


def role(program: Program, node: str) -> Role:
    if node == program.name:
        return "output"
    mixes = (n.Aggregate, n.SelectorWidth, n.At, n.Contains)
    if any(isinstance(x, mixes) for x in n.topological_order([program.node(node)])):
        return "intermediate"
    return "local"


def _reads(program: Program, node: n.Node) -> frozenset[str]:
    """The named s-ops (and inputs) a node is computed from through unnamed maps."""
    found: set[str] = set()
    for child in node.children:
        if isinstance(child, n.Map) and child.label is None:
            found |= _reads(program, child)
        elif isinstance(child, n.SOp) and not isinstance(child, n.Const):
            found.add(program.name_of(child))
    return frozenset(found)


def automatic_groups(
    program: Program,
    undefined: Callable[[tuple[str, ...]], float],
    exclude: Collection[str] = (),
) -> list[tuple[str, ...]]:
    """Nodes that only make sense together: numerical maps of the same s-ops (cos_a and
    sin_a of a) whose swap alone leaves the program undefined on most pairs (a point off
    the circle), each grown in program order until `undefined` (the share of pairs a
    swap of those nodes leaves undefined) says the swap is defined on most pairs."""
    by_reads: dict[frozenset[str], list[str]] = {}
    for name in claimed_nodes(program):
        node = program.node(name)
        if name not in exclude and isinstance(node, n.Map) and node.encoding == "numerical":
            by_reads.setdefault(_reads(program, node), []).append(name)
    groups = []
    for members in by_reads.values():
        while len(members) > 1:
            group = (members.pop(0),)
            share = undefined(group)
            if share <= 0.5:
                continue
            while members and share > 0.5:
                group += (members.pop(0),)
                share = undefined(group)
            if share <= 0.5:
                groups.append(group)
    return groups


def variables(
    program: Program,
    groups: Sequence[Sequence[str]] = (),
    undefined: Callable[[tuple[str, ...]], float] | None = None,
) -> list[Variable]:
    """One variable per claimed node, except that the nodes of each group are one; given
    `undefined`, nodes that only make sense together are grouped too (automatic_groups;
    a node in `groups`, even a group of one, is left as given)."""
    explicit = {node for group in groups for node in group}
    formed = [] if undefined is None else automatic_groups(program, undefined, explicit)
    result = [Variable(" + ".join(group), tuple(group)) for group in groups]
    result += [Variable(" + ".join(group), group, automatic=True) for group in formed]
    grouped = explicit | {node for group in formed for node in group}
    result += [Variable.single(x) for x in claimed_nodes(program) if x not in grouped]
    return result


@dataclass
class PairBatch:
    """Same-length bases, their sources (indices into the inputs, each at least as long
    as the base), and class ids per base position: the counterfactual, a shuffled
    counterfactual (values from another source), and the base output."""

    bases: list[int]
    sources: list[int]
    length: int
    base_ids: torch.Tensor  # [batch, length + 1]
    counterfactual: torch.Tensor  # [batch, length], IGNORE where unscored
    shuffled: torch.Tensor
    base_output: torch.Tensor


@dataclass
class PairSet:
    """A variable's pairs, split into training and held-out batches."""

    kind: Literal["same length", "across lengths"]
    train: list[PairBatch]
    test: list[PairBatch]
    undefined: int = 0  # pairs whose counterfactual the program cannot compute
    total: int = 0
    changed: int = 0  # pairs whose swap changes the variable's values at all
    untested: str | None = None
    notes: list[str] = field(default_factory=list)


def _key(value: Any) -> tuple[bool, Any]:
    return (type(value) is bool, value)


def _varies(trace: Trace, nodes: tuple[str, ...], groups: dict[int, list[int]]) -> str:
    """"within" when the values differ between inputs of one length, "across" when
    they differ only between lengths, "" when they never differ."""
    seen_by_position: dict[int, set] = {}
    for members in groups.values():
        rows = {tuple(_key(v) for node in nodes for v in trace[node][i]) for i in members}
        if len(rows) > 1:
            return "within"
        for node in nodes:
            for position, value in enumerate(trace[node][members[0]]):
                seen_by_position.setdefault(position, set()).add((node, _key(value)))
    across = any(len(values) > len(nodes) for values in seen_by_position.values())
    return "across" if across else ""


class PairBuilder:
    """Builds each variable's pairs and the program's counterfactual outputs."""

    def __init__(
        self,
        adapter: Adapter,
        program: Program,
        inputs: Inputs,
        trace: Trace,
        seed: int,
        batch: int,
    ) -> None:
        self.adapter = adapter
        self.program = program
        self.inputs = inputs
        self.trace = trace
        self.seed = seed
        self.batch = batch
        self.groups: dict[int, list[int]] = {}
        for i, x in enumerate(inputs.tokens):
            self.groups.setdefault(len(x), []).append(i)
        self.output_classes = [
            adapter.classes([out], [mask])[0] for out, mask in zip(trace.output, inputs.scored)
        ]

    def build(self, variable: Variable) -> PairSet:
        varies = _varies(self.trace, variable.nodes, self.groups)
        if not varies:
            return PairSet(
                "same length",
                [],
                [],
                untested="its values are the same on every sampled input, so no swap can "
                "change anything",
            )
        kind = "same length" if varies == "within" else "across lengths"
        chosen = (pairs if kind == "same length" else longer_pairs)(self.inputs, self.seed)
        shuffled_sources = self._shuffled(chosen)
        kept, counterfactuals, shuffled, undefined = [], [], [], 0
        for start in range(0, len(chosen), self.batch):
            chunk = chosen[start : start + self.batch]
            extra = shuffled_sources[start : start + self.batch]
            outs = self._counterfactuals(variable, chunk)
            outs_shuffled = self._counterfactuals(
                variable, [(b, s) for (b, _), s in zip(chunk, extra)]
            )
            for pair, out, out_s in zip(chunk, outs, outs_shuffled):
                if out is None or out_s is None:
                    undefined += 1
                    continue
                kept.append(pair)
                counterfactuals.append(out)
                shuffled.append(out_s)
        changed = sum(self._changes(variable, pair) for pair in kept)
        cut = int(len(kept) * 0.7)
        result = PairSet(
            kind,
            self._batches(kept[:cut], counterfactuals[:cut], shuffled[:cut]),
            self._batches(kept[cut:], counterfactuals[cut:], shuffled[cut:]),
            undefined=undefined,
            total=len(chosen),
            changed=changed,
        )
        if undefined:
            result.notes.append(
                f"swapping it leaves the program undefined on {undefined} of {len(chosen)} "
                "pairs (a lookup or index the swapped values miss); they are left out"
            )
        if not changed:
            result.untested = (
                "its values never differ between a base and its source"
                + (" at the positions they share" if kind == "across lengths" else "")
            )
        return result

    def undefined_share(self, nodes: tuple[str, ...], limit: int = 64) -> float:
        """The share of (up to `limit`) pairs on which swapping these nodes alone leaves
        the program undefined."""
        chosen = pairs(self.inputs, self.seed)[:limit]
        outs = self._counterfactuals(Variable(" + ".join(nodes), nodes), chosen)
        return sum(out is None for out in outs) / max(len(outs), 1)

    def _shuffled(self, chosen: list[tuple[int, int]]) -> list[int]:
        """Another pair's source for each pair, from a base of the same length (so it is
        as long as the base too): the counterfactual the shuffled control trains on."""
        rng = np.random.default_rng(self.seed + 3)
        by_len: dict[int, list[int]] = {}
        for k, (base, _) in enumerate(chosen):
            by_len.setdefault(len(self.inputs.tokens[base]), []).append(k)
        result = [s for _, s in chosen]
        for members in by_len.values():
            order = rng.permutation(len(members))
            for k, j in zip(members, order):
                result[k] = chosen[members[j]][1]
        return result

    def _swapped(self, variable: Variable, pairs_: list[tuple[int, int]]) -> dict[str, list]:
        return {
            node: [
                self.trace[node][s][: len(self.inputs.tokens[b])] for b, s in pairs_
            ]
            for node in variable.nodes
        }

    def _counterfactuals(
        self, variable: Variable, chunk: list[tuple[int, int]]
    ) -> list[list[Any] | None]:
        """The program's outputs with the variable swapped in from each source; None
        where that swap leaves the program undefined."""

        def run(pairs_: list[tuple[int, int]]) -> list[list[Any]]:
            bases = [self.inputs.tokens[b] for b, _ in pairs_]
            return self.program.evaluate(bases, self._swapped(variable, pairs_)).output

        try:
            return list(run(chunk))
        except RaspError:
            outs: list[list[Any] | None] = []
            for pair in chunk:
                try:
                    outs.append(run([pair])[0])
                except RaspError:
                    outs.append(None)
            return outs

    def _changes(self, variable: Variable, pair: tuple[int, int]) -> bool:
        base, source = pair
        length = len(self.inputs.tokens[base])
        return any(
            [_key(v) for v in self.trace[node][base]]
            != [_key(v) for v in self.trace[node][source][:length]]
            for node in variable.nodes
        )

    def resampling(self, chosen: list[tuple[int, int]]) -> list[PairBatch]:
        """Pairs for resampling ablations: the target is the base's own output."""
        outputs = [self.trace.output[b] for b, _ in chosen]
        return self._batches(chosen, outputs, outputs)

    def _batches(
        self, kept: list[tuple[int, int]], counterfactual: list, shuffled: list
    ) -> list[PairBatch]:
        by_len: dict[int, list[int]] = {}
        for k, (base, _) in enumerate(kept):
            by_len.setdefault(len(self.inputs.tokens[base]), []).append(k)
        result = []
        for length, members in by_len.items():
            for start in range(0, len(members), self.batch):
                rows = members[start : start + self.batch]
                bases = [kept[k][0] for k in rows]
                scored = [self.inputs.scored[b] for b in bases]
                result.append(
                    PairBatch(
                        bases=bases,
                        sources=[kept[k][1] for k in rows],
                        length=length,
                        base_ids=self.adapter.ids([self.inputs.tokens[b] for b in bases]),
                        counterfactual=self.adapter.classes(
                            [counterfactual[k] for k in rows], scored
                        ),
                        shuffled=self.adapter.classes([shuffled[k] for k in rows], scored),
                        base_output=torch.stack([self.output_classes[b] for b in bases]),
                    )
                )
        return result


def effective_pairs(batches: list[PairBatch]) -> int:
    """Pairs whose counterfactual differs from the base output somewhere scored."""
    return sum(
        int(((b.counterfactual != b.base_output) & (b.counterfactual != IGNORE)).any(1).sum())
        for b in batches
    )
