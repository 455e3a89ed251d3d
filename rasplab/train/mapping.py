"""Which model components compute which node of a hypothesis, for interchange
intervention training (`rasp train --implement`).

A mapping sends each claimed node of a program (its named s-ops and its output) to
heads ("L1H0") and layer MLPs ("L0MLP"). By default it is the placement the
compiler's schedule gives, with the layers that hold no claimed node dropped (the
compiler spends whole layers on conversions a trained model folds into its
neighbours). Nodes that share a component cannot be intervened on apart, so they
form one *group*: training patches a group's components together and intervenes on
all its nodes at once. A mapping is checked against the model shape and the program
before training starts, so a bad one is refused with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasplab.compare.variables import claimed_nodes
from rasplab.rasp import Program
from rasplab.rasp import nodes as n

_COMPONENT = re.compile(r"^L(\d+)(?:H(\d+)|MLP)$")


class MappingError(ValueError):
    """A mapping that cannot be trained, with the reason."""


@dataclass(frozen=True)
class Slot:
    """One head (head is an int) or one layer's MLP (head is None)."""

    layer: int
    head: int | None = None

    @classmethod
    def parse(cls, text: str) -> Slot:
        match = _COMPONENT.match(text.strip())
        if match is None:
            raise MappingError(f"component {text!r} is not LxHy (a head) or LxMLP (a layer's MLP)")
        head = None if match.group(2) is None else int(match.group(2))
        return cls(int(match.group(1)), head)

    @property
    def kind(self) -> str:
        return "mlp" if self.head is None else "attn"

    @property
    def order(self) -> int:
        """Position in the forward pass: a layer's heads run before its MLP."""
        return 2 * self.layer + (self.head is None)

    def sort_key(self) -> tuple[int, int]:
        return self.order, self.head or 0

    def __str__(self) -> str:
        return f"L{self.layer}MLP" if self.head is None else f"L{self.layer}H{self.head}"


Mapping = dict[str, tuple[Slot, ...]]


@dataclass(frozen=True)
class Shape:
    """What a mapping needs of the model: layers, heads per layer, an MLP or not."""

    n_layers: int
    n_heads: int
    has_mlp: bool


def default_mapping(program: Program, vocab: set, max_len: int, causal: bool) -> Mapping:
    """The compiler's placement of each claimed node, layers renumbered densely."""
    from rasplab.compiler import compile_program

    blocks = compile_program(program, vocab=vocab, max_len=max_len, causal=causal).layout.blocks
    names = set(claimed_nodes(program))  # the nodes compare tests
    kept = [b for b in blocks if b.node in names]
    layers = {layer: i for i, layer in enumerate(sorted({b.layer for b in kept}))}
    heads: dict[tuple[str, int, int], int] = {}
    mapping: dict[str, list[Slot]] = {}
    for b in kept:
        layer = layers[b.layer]
        if b.kind == "attn":
            head = heads.setdefault((b.node, layer, b.index), sum(k[1] == layer for k in heads))
            slot = Slot(layer, head)
        else:
            slot = Slot(layer)
        if slot not in mapping.setdefault(b.node, []):
            mapping[b.node].append(slot)
    return {node: tuple(sorted(slots, key=Slot.sort_key)) for node, slots in mapping.items()}


def parse_overrides(text: str) -> Mapping:
    """`node=L1H0,other=L0H0+L0MLP` as a mapping (a node may take several components)."""
    result: Mapping = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        node, sep, spec = item.partition("=")
        if not sep or not node.strip() or not spec.strip():
            raise MappingError(f"--map entry {item!r} is not node=COMPONENT[+COMPONENT...]")
        slots = (Slot.parse(s) for s in spec.split("+"))
        result[node.strip()] = tuple(sorted(slots, key=Slot.sort_key))
    return result


def shape_for(mapping: Mapping, n_layers: int, n_heads: int, has_mlp: bool) -> Shape:
    """The smallest shape at least (n_layers, n_heads, has_mlp) that holds the mapping."""
    slots = [s for group in mapping.values() for s in group]
    return Shape(
        max([n_layers] + [s.layer + 1 for s in slots]),
        max([n_heads] + [s.head + 1 for s in slots if s.head is not None]),
        has_mlp or any(s.head is None for s in slots),
    )


def check(mapping: Mapping, program: Program, shape: Shape) -> None:
    """Refuse (MappingError) a mapping the model cannot train to: an unknown node, a
    component the model lacks, a component that cannot compute its node, or a node
    placed no later than a node it reads."""
    problems: list[str] = []
    for node, slots in mapping.items():
        if node not in program.by_name:
            problems.append(f"program {program.name!r} has no node {node!r}")
            continue
        if not slots:
            problems.append(f"{node} is mapped to no component")
        problems += [f"{node}: {why}" for s in slots if (why := _missing(s, shape))]
        problems += _kind_problems(node, program.node(node), slots)
    if not problems:
        problems += _order_problems(mapping, program)
    if problems:
        raise MappingError("bad mapping: " + "; ".join(problems))


def groups(mapping: Mapping) -> list[tuple[tuple[str, ...], tuple[Slot, ...]]]:
    """Nodes joined when they share a component, with the union of their components."""
    merged: list[tuple[set[str], set[Slot]]] = []
    for node, slots in mapping.items():
        nodes, found = {node}, set(slots)
        for other in [g for g in merged if g[1] & found]:
            merged.remove(other)
            nodes |= other[0]
            found |= other[1]
        merged.append((nodes, found))
    ordered = sorted(merged, key=lambda g: min(s.sort_key() for s in g[1]))
    return [(tuple(sorted(g)), tuple(sorted(s, key=Slot.sort_key))) for g, s in ordered]


def unmapped(mapping: Mapping, shape: Shape) -> list[Slot]:
    """Every component of the model that no node claims (the strict term resamples them)."""
    used = {s for slots in mapping.values() for s in slots}
    every = [Slot(layer, head) for layer in range(shape.n_layers) for head in range(shape.n_heads)]
    every += [Slot(layer) for layer in range(shape.n_layers)] if shape.has_mlp else []
    return [s for s in every if s not in used]


def to_json(mapping: Mapping) -> dict[str, list[str]]:
    return {node: [str(s) for s in slots] for node, slots in mapping.items()}


def from_json(data: dict[str, list[str]]) -> Mapping:
    return {node: tuple(Slot.parse(s) for s in slots) for node, slots in data.items()}


def _missing(slot: Slot, shape: Shape) -> str | None:
    if slot.layer >= shape.n_layers:
        return f"{slot}: layer {slot.layer} does not exist (the model has {shape.n_layers} layers)"
    if slot.head is not None and slot.head >= shape.n_heads:
        return f"{slot}: head {slot.head} does not exist (the model has {shape.n_heads} per layer)"
    if slot.head is None and not shape.has_mlp:
        return f"{slot}: the model has no MLPs"
    return None


def _kind_problems(name: str, node: n.Node, slots: tuple[Slot, ...]) -> list[str]:
    kinds = {s.kind for s in slots}
    if isinstance(node, (n.Aggregate, n.SelectorWidth)) and "attn" not in kinds:
        what = "an aggregate" if isinstance(node, n.Aggregate) else "a selector width"
        return [f"{name} is {what}: it reads other positions, which only a head can do"]
    if isinstance(node, n.Map) and "mlp" not in kinds:
        return [f"{name} is a map, computed at each position: map it to a layer's MLP"]
    if isinstance(node, n.Selector):
        return [f"{name} is a selector: map the aggregate or selector width that uses it"]
    return []


def _order_problems(mapping: Mapping, program: Program) -> list[str]:
    """A node must start after every mapped node it reads has finished."""
    problems = []
    for name, slots in mapping.items():
        node = program.node(name)
        for ancestor in n.topological_order([node]):
            other = program.name_of(ancestor)
            if ancestor is node or other not in mapping:
                continue
            if min(s.order for s in slots) <= max(s.order for s in mapping[other]):
                problems.append(
                    f"{name} ({'+'.join(map(str, slots))}) reads {other} "
                    f"({'+'.join(map(str, mapping[other]))}) but does not come after it"
                )
    return problems
