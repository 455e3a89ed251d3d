"""Graph + value sets -> blocks: which head or MLP computes each s-op.

Chains of elementwise maps whose intermediate results nothing else reads fuse
into one MLP; a map is compiled as the cheapest exact construction available
(a linear map, a discretization of one scalar, or a table over its inputs).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import networkx as nx
import numpy as np
from rasplab.compiler import attention, mlp
from rasplab.compiler.basis import Info
from rasplab.compiler.blocks import ONE, Head, MLPBlock, Unit, gated
from rasplab.compiler.errors import compile_error
from rasplab.compiler.graph import node_names, ordered_nodes, readers
from rasplab.compiler.linear import AFFINE_OPS, linear_form, sumset
from rasplab.compiler.selectors import is_conjunction
from rasplab.compiler.tabulate import MAX_GRID, tabulate
from rasplab.rasp import nodes as n
from rasplab.rasp import ops


@dataclass
class Plan:
    """Every block, and what became of each s-op."""

    heads: list[Head] = field(default_factory=list)
    mlps: list[MLPBlock] = field(default_factory=list)
    fused: dict[str, str] = field(default_factory=dict)  # fused s-op -> the MLP's s-op
    bos_values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, list[Info]] = field(default_factory=dict)  # consumer -> helper s-ops
    copies: dict[str, Info] = field(default_factory=dict)  # numerical s-op -> categorical copy

    def categorical(self, info: Info, consumer: str) -> Info:
        """The s-op as one-hot directions: itself, or a categorical copy made by an MLP."""
        if info.categorical:
            return info
        if info.name not in self.copies:
            if info.values is None:
                raise compile_error(
                    info.node,
                    consumer,
                    f"it needs '{info.name}' as "
                    "categorical, but its value set is unknown (too many means)",
                )
            copy = Info(f"{info.name}.categorical", info.node, "categorical", info.values)
            points = [(v, v) for v in info.values]
            self.mlps.append(
                mlp.discretize(
                    copy, mlp.read(info), points, {info.name}, "numerical to categorical"
                )
            )
            self.extra.setdefault(consumer, []).append(copy)
            self.copies[info.name] = copy
        return self.copies[info.name]

    def tuple_sop(self, parts: list[Info], name: str, consumer: str) -> Info:
        """A categorical s-op holding the tuple of several s-ops' values (an MLP table)."""
        if len(parts) == 1:
            return parts[0]
        size = int(np.prod([len(p.values) for p in parts]))
        if size > MAX_GRID:
            raise compile_error(
                parts[0].node,
                consumer,
                f"a selector over several s-ops "
                f"needs their {size:,} value combinations (limit {MAX_GRID:,})",
            )
        grid_points = list(itertools.product(*(p.values for p in parts)))
        info = Info(name, parts[0].node, "categorical", grid_points)
        grid = [[point[i] for point in grid_points] for i in range(len(parts))]
        self.mlps.append(mlp.table(info, parts, grid, grid_points))
        self.extra.setdefault(consumer, []).append(info)
        return info


def _linear(node: n.Node) -> bool:
    """An affine step: + - and negation, or a product with a constant."""
    if not isinstance(node, n.Map) or node.op not in AFFINE_OPS:
        return False
    return node.op != "*" or any(
        not isinstance(a, n.Node) or isinstance(a, n.Const) for a in node.args
    )


def _fusable(node: n.Node, graph: nx.MultiDiGraph, output: n.Node, infos: dict[int, Info]) -> bool:
    """A map folded into its only reader, itself a map. A map of a numerical s-op
    folds only when it is arithmetic, so that tables never span numerical value sets
    (a comparison of a number is a cheap discretization on its own)."""
    if not isinstance(node, (n.Map, n.Const)) or node is output or node.encoding:
        return False
    users = readers(graph, node)
    if len(users) != 1 or not isinstance(users[0], n.Map):
        return False
    if isinstance(node, n.Map) and not _linear(node):
        return all(infos[c.uid].categorical for c in node.children)
    return True


def _leaves(root: n.Map, fused: set[int]) -> list[n.Node]:
    """The inputs of root's fused expression: what it reads from the residual."""
    found: list[n.Node] = []
    for child in root.children:
        if isinstance(child, n.Const) or child.uid in fused:
            found.extend(x for x in _leaves(child, fused) if x not in found)
        elif child not in found:
            found.append(child)
    return found


FUSE_LIMIT = MAX_GRID  # a fused table larger than this is split instead


def _fits(root: n.Map, leaves: list[Info]) -> bool:
    if linear_form(root, {x.node.uid for x in leaves}) is not None:
        return True
    if any(x.values is None for x in leaves):
        return len(leaves) == 1
    return int(np.prod([len(x.values) for x in leaves])) <= FUSE_LIMIT


def _compile_map(plan: Plan, root: n.Map, infos: dict[int, Info], fused: set[int]) -> None:
    """One MLP for root and the maps fused into it. When their combined table would
    be too large, the non-linear maps inside become MLPs of their own (a layer
    earlier) and root keeps only the affine part (or its direct inputs)."""
    leaves = [infos[x.uid] for x in _leaves(root, fused)]
    if not _fits(root, leaves):
        split: list[n.Map] = []

        def walk(node: n.Map) -> None:
            for child in node.children:
                if child.uid in fused:
                    if _linear(root) and _linear(child):
                        walk(child)
                    else:
                        split.append(child)

        walk(root)
        for child in split:
            fused.discard(child.uid)
            _compile_map(plan, child, infos, fused)
        leaves = [infos[x.uid] for x in _leaves(root, fused)]
    plan.mlps.append(_map(plan, root, infos[root.uid], leaves))


def _evaluate_tree(node: n.Node, columns: dict[int, np.ndarray]) -> Any:
    if node.uid in columns:
        return columns[node.uid]
    if isinstance(node, n.Const):
        return node.value
    args = [_evaluate_tree(a, columns) if isinstance(a, n.Node) else a for a in node.args]
    return ops.apply(node.op, args)


def _fused_table(root: n.Map, leaves: list[Info], name: str):
    size = int(np.prod([len(x.values) for x in leaves])) if leaves else 1
    if size > MAX_GRID:
        raise compile_error(
            root,
            name,
            f"its inputs combine into {size:,} cases (limit {MAX_GRID:,})",
            "reduce the vocabulary or max_len",
        )

    def apply(columns: list[np.ndarray]) -> Any:
        return _evaluate_tree(root, {leaf.node.uid: c for leaf, c in zip(leaves, columns)})

    grid, outputs = tabulate(apply, [x.values for x in leaves])
    if not outputs:
        raise compile_error(root, name, "the map fails on every combination of its inputs")
    return grid, outputs


def _affine_block(root: n.Map, out: Info, leaves: list[Info]) -> MLPBlock | None:
    """An affine map of numeric s-ops, read off the expression: O(values) units
    however many inputs it sums (no table over their product)."""
    reads = [mlp.read(x) for x in leaves]
    if any(r is None for r in reads):
        return None
    form = linear_form(root, {x.node.uid for x in leaves})
    if form is None:
        return None
    terms, offset = form
    coefficients = [terms.get(x.node.uid, Fraction(0)) for x in leaves]
    z = mlp.combine(reads, coefficients)
    names = {x.name for x in leaves}
    if not out.categorical:
        return mlp.linear(out, z, float(offset), names)
    if any(x.values is None or any(isinstance(v, float) for v in x.values) for x in leaves):
        return None
    values = sumset([(c, x.values) for c, x in zip(coefficients, leaves) if c], offset)
    if values is None:
        return None
    z = {**z, ONE: z.get(ONE, 0.0) + float(offset)}
    return mlp.discretize(out, z, [(v, v) for v in values], names, "affine, then discretize")


def map_block(root: n.Map, out: Info, leaves: list[Info]) -> MLPBlock | None:
    """The cheapest exact MLP for a (fused) map, or None when it needs categorical inputs."""
    affine = _affine_block(root, out, leaves)
    if affine is not None and (len(leaves) > 2 or len(affine.units) <= 2):
        return affine
    unknown = [x.name for x in leaves if x.values is None]
    if unknown:
        raise compile_error(
            root,
            out.name,
            f"the value set of '{unknown[0]}' is unknown "
            "(too many distinct means) so no exact MLP reads it",
        )
    grid, outputs = _fused_table(root, leaves, out.name)
    reads = {x.name for x in leaves}
    candidates: list[MLPBlock] = [] if affine is None else [affine]
    numeric_reads = [mlp.read(x) for x in leaves]
    fit = None
    if all(r is not None for r in numeric_reads):
        fit = mlp.affine_fit(grid, outputs)
    if fit is not None:
        offset, coefficients = fit
        z = mlp.combine(numeric_reads, coefficients)
        if not out.categorical:
            candidates.append(mlp.linear(out, z, float(offset), reads))
        else:
            z = {**z, ONE: z.get(ONE, 0.0) + float(offset)}
            distinct = {v: v for v in outputs}
            candidates.append(
                mlp.discretize(out, z, [(v, v) for v in distinct], reads, "affine, then discretize")
            )
    if len(leaves) == 1 and not leaves[0].categorical:
        points = dict(zip(grid[0], outputs))
        candidates.append(
            mlp.discretize(
                out, {d: w for d, w in numeric_reads[0].items()}, list(points.items()), reads
            )
        )
    if all(x.categorical for x in leaves):
        candidates.append(mlp.table(out, leaves, grid, outputs))
    if not candidates:
        return None
    return min(candidates, key=lambda block: len(block.units))


def _map(plan: Plan, root: n.Map, out: Info, leaves: list[Info]) -> MLPBlock:
    block = map_block(root, out, leaves)
    if block is None:  # not affine and not one scalar: tabulate over categorical copies
        block = map_block(root, out, [plan.categorical(x, out.name) for x in leaves])
    return block


def _viewer(plan: Plan, infos: dict[int, Info], consumer: str):
    """How a selector of `consumer` sees an s-op: as one-hot directions."""
    return lambda node: plan.categorical(infos[node.uid], consumer)


def _literals(plan: Plan, sel: n.Selector, infos: dict[int, Info], name: str):
    view = _viewer(plan, infos, name)

    try:
        return attention.literals(sel, view, name)
    except attention.NotAConjunction:
        keys, queries = attention.atom_sops(sel)
        pairs = sorted(attention.atom_pairs(sel), key=lambda pair: (pair[0].uid, pair[1].uid))
        keys = keys or [pairs[0][0]]  # every key is a constant: any one stands for them
        queries = queries or [pairs[0][1]]
        key_info = plan.tuple_sop([view(k) for k in keys], f"{name}.keys", name)
        query_info = (
            key_info
            if keys == queries
            else plan.tuple_sop([view(q) for q in queries], f"{name}.queries", name)
        )
        return [attention.tuple_literal(sel, key_info, query_info, keys, queries)]


def constant_block(out: Info) -> MLPBlock:
    value = out.node.value
    return MLPBlock(
        out.name,
        [Unit(gated({ONE: 1.0}), 0.0, mlp.encode(out, value))],
        set(),
        {out.name},
        "constant",
    )


def build(graph: nx.MultiDiGraph, infos: dict[int, Info], max_len: int) -> Plan:
    """The blocks for every node of the program graph, in its dependency order."""
    plan = Plan()
    order, names = ordered_nodes(graph), node_names(graph)
    output = graph.nodes[graph.graph["output"]]["node"]
    fused = {x.uid for x in order if isinstance(x, n.Map) and _fusable(x, graph, output, infos)}
    for node in order:
        name = names[node.uid]
        if isinstance(node, n.Const):
            plan.bos_values[name] = node.value
            if node is output:
                plan.mlps.append(constant_block(infos[node.uid]))
        elif isinstance(node, n.Map):
            if node.uid not in fused:
                _compile_map(plan, node, infos, fused)
        elif isinstance(node, n.Aggregate):
            out = infos[node.uid]
            lits = _literals(plan, node.selector, infos, name)
            plan.heads.append(
                attention.aggregate_head(
                    out, infos[node.sop.uid], lits, node.default, plan.bos_values
                )
            )
            plan.bos_values[name] = node.default
        elif isinstance(node, n.SelectorWidth):
            out = infos[node.uid]
            if not out.categorical and not is_conjunction(node.selector):
                summed = attention.width_sum_heads(
                    out, node.selector, _viewer(plan, infos, name), max_len, plan.bos_values
                )
                if summed is not None:
                    plan.heads.extend(summed[0])
                    plan.mlps.extend(summed[1])
                    continue
            lits = _literals(plan, node.selector, infos, name)
            head, block = attention.selector_width(infos[node.uid], lits, max_len, plan.bos_values)
            plan.heads.append(head)
            plan.mlps.append(block)
    for node in order:
        if node.uid in fused:
            plan.fused[names[node.uid]] = _fusion_root(node, graph, fused, names)
    return plan


def _fusion_root(
    node: n.Node, graph: nx.MultiDiGraph, fused: set[int], names: dict[int, str]
) -> str:
    """The s-op whose MLP computes a fused map: its chain of only readers ends there."""
    while node.uid in fused:
        node = readers(graph, node)[0]
    return names[node.uid]
