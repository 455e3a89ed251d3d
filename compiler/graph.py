"""Program -> graph: the RASP nodes as a networkx graph, lowered to the
primitives the compiler builds blocks for.

Lowering rewrites `sop[i]` as an aggregate over `select(indices, i, ==)` and
`atom in sop` as `selector_width(select(sop, atom, ==)) > 0`, so later stages
see only tokens, indices, constants, maps, selects, selector logic, aggregates
and selector widths. The graph is keyed by node uid, as every later stage is;
each graph node carries the RASP node and its name, and iterating the graph
gives dependency order, which fixes the residual layout.
"""

from __future__ import annotations

import networkx as nx
from rasplab.rasp import Program
from rasplab.rasp import nodes as n


def lower(program: Program) -> tuple[list[n.Node], dict[int, str]]:
    """The program's nodes after lowering, in dependency order, with names."""
    replaced: dict[int, n.Node] = {}
    names: dict[int, str] = {}
    order: list[n.Node] = []

    def add(node: n.Node, name: str) -> None:
        names[node.uid] = name
        order.append(node)

    for node in program.nodes:
        name = program.name_of(node)
        node = _rebuild(node, replaced)
        if isinstance(node, n.At):
            node = _lower_at(node, name, add)
        elif isinstance(node, n.Contains):
            node = _lower_contains(node, name, add)
        replaced[program.by_name[name].uid] = node
        add(node, name)
    return order, names


def _rebuild(node: n.Node, replaced: dict[int, n.Node]) -> n.Node:
    """Point a node at the lowered versions of its children (a shallow copy if any moved)."""
    if not any(
        child.uid in replaced and replaced[child.uid] is not child for child in node.children
    ):
        return node
    clone = object.__new__(type(node))
    clone.__dict__.update(node.__dict__)
    swap = {child.uid: replaced.get(child.uid, child) for child in node.children}
    for field in ("sop", "selector", "keys", "queries"):
        value = getattr(clone, field, None)
        if isinstance(value, n.Node):
            setattr(clone, field, swap[value.uid])
    if isinstance(clone, (n.Map, n.SelectorLogic)):
        clone.args = tuple(swap[a.uid] if isinstance(a, n.Node) else a for a in clone.args)
    return clone


def _helper(node: n.Node, parent: n.Node) -> n.Node:
    node.span, node.stack = parent.span, parent.stack
    return node


def _lower_at(node: n.At, name: str, add) -> n.Node:
    indices = _indices_of(node)
    if indices is None:  # the program never reads indices: bring them in
        indices = n.Indices()
        add(indices, "indices")
    if node.position >= 0:
        position: n.Node = _helper(n.Const(node.position), node)
        add(position, f"{name}.position")
    else:  # counted from the end: position length + i
        everything = _helper(n.Const(True), node)
        full = _helper(n.Select(everything, everything, "=="), node)
        length = _helper(n.SelectorWidth(full), node)
        position = _helper(n.Map("+", (length, node.position)), node)
        for helper, suffix in (
            (everything, "true"),
            (full, "full"),
            (length, "length"),
            (position, "position"),
        ):
            add(helper, f"{name}.{suffix}")
    select = _helper(n.Select(indices, position, "=="), node)
    add(select, f"{name}.select")
    lowered = _helper(n.Aggregate(select, node.sop, 0), node)
    lowered.label, lowered.encoding = node.label, node.encoding
    return lowered


def _lower_contains(node: n.Contains, name: str, add) -> n.Node:
    const = _helper(n.Const(node.value), node)
    select = _helper(n.Select(node.sop, const, "=="), node)
    width = _helper(n.SelectorWidth(select), node)
    for helper, suffix in ((const, "value"), (select, "select"), (width, "count")):
        add(helper, f"{name}.{suffix}")
    lowered = _helper(n.Map(">", (width, 0)), node)
    lowered.label, lowered.encoding = node.label, node.encoding
    return lowered


def _indices_of(node: n.Node) -> n.Node | None:
    """The session's `indices` node if the program reads it."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, n.Indices):
            return current
        stack.extend(current.children)
    return None


def rasp_to_graph(program: Program) -> nx.MultiDiGraph:
    """The lowered program. Edges run from what is read to what reads it, one per
    read: `x + x` reads x twice, so x has two readers and is not fused into it."""
    order, names = lower(program)
    graph = nx.MultiDiGraph(output=order[-1].uid)
    for node in order:
        graph.add_node(node.uid, node=node, name=names[node.uid])
    for node in order:
        for child in node.children:
            assert child.uid in graph, f"lowering lost {child.describe()}"
            graph.add_edge(child.uid, node.uid)
    return graph


def ordered_nodes(graph: nx.MultiDiGraph) -> list[n.Node]:
    """The RASP nodes in dependency order."""
    return [node for _, node in graph.nodes(data="node")]


def node_names(graph: nx.MultiDiGraph) -> dict[int, str]:
    """Each node's s-op (or selector) name, by uid."""
    return dict(graph.nodes(data="name"))


def readers(graph: nx.MultiDiGraph, node: n.Node) -> list[n.Node]:
    """The nodes that read `node`, once per read."""
    return [graph.nodes[reader]["node"] for _, reader in graph.out_edges(node.uid)]
