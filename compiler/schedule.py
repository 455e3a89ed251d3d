"""Blocks -> layers: each block as early as what it reads allows.

Sublayer 0 is the embedding; layer l's attention is sublayer 2l+1 and its MLP
2l+2. The blocks form a networkx DAG (an edge from every writer of an s-op to
every block that reads it). Walking it in topological order, a head goes in the
first attention sublayer after all its predecessors, an MLP in the first MLP
sublayer after; a selector width's decoding MLP sits right after its head. So
the layer count is the longest path of attention/MLP steps, and blocks that can
share a layer do.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from rasplab.compiler.blocks import Head, MLPBlock
from rasplab.compiler.plan import Plan

Block = Head | MLPBlock


@dataclass
class Schedule:
    n_layers: int
    heads: list[list[Head]]  # per layer
    mlps: list[list[MLPBlock]]  # per layer


def block_graph(blocks: list[Block], embedded: set[str]) -> nx.DiGraph:
    """Blocks by index, with an edge from each writer of an s-op to each reader.
    An s-op written by several blocks (the terms of a summed selector width) is
    read only once all of them have run."""
    writers: dict[str, list[int]] = {}
    for i, block in enumerate(blocks):
        for name in block.writes:
            writers.setdefault(name, []).append(i)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(blocks)))
    for i, block in enumerate(blocks):
        missing = sorted(block.reads - embedded - writers.keys())
        if missing:
            raise RuntimeError(f"compiler bug: nothing writes {missing}")
        for name in block.reads - embedded:
            graph.add_edges_from((w, i) for w in writers[name])
    return graph


def schedule(plan: Plan, embedded: set[str]) -> Schedule:
    """Place every block at the first sublayer of its kind after its predecessors.
    Within a layer, blocks keep the order of their depth in the graph, then of the
    plan (which fixes head indices and MLP units)."""
    blocks: list[Block] = [*plan.heads, *plan.mlps]
    graph = block_graph(blocks, embedded)
    slot: dict[int, int] = {}
    depth: dict[int, int] = {}
    for i in nx.topological_sort(graph):
        before = list(graph.predecessors(i))
        slot[i] = _next(max((slot[p] for p in before), default=0), isinstance(blocks[i], Head))
        depth[i] = 1 + max((depth[p] for p in before), default=0)
    n_layers = (max(slot.values(), default=0) + 1) // 2
    heads: list[list[Head]] = [[] for _ in range(n_layers)]
    mlps: list[list[MLPBlock]] = [[] for _ in range(n_layers)]
    for i in sorted(slot, key=lambda i: (depth[i], i)):
        block = blocks[i]
        if isinstance(block, Head):
            heads[(slot[i] - 1) // 2].append(block)
        else:
            mlps[(slot[i] - 2) // 2].append(block)
    return Schedule(n_layers, heads, mlps)


def _next(after: int, odd: bool) -> int:
    """The first sublayer after `after` that is attention (odd) or MLP (even)."""
    slot = after + 1
    if (slot % 2 == 1) != odd:
        slot += 1
    return slot
