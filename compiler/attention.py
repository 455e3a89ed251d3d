"""Attention heads for aggregates and selector widths, exact by construction.

Scores. A selector is compiled as a conjunction of literals, each a table
`pred(query value, key value)` read bilinearly from the two s-ops' one-hot
directions, so a key scores A per literal it satisfies: a selected key scores
m*A for m literals, any other at most (m-1)*A. The BOS key scores (m - 1/2)*A
for an aggregate, so it takes the attention exactly when nothing is selected
(and contributes the default), and m*A for a selector width, so it is counted
with the selected keys. With A = 100 every non-maximal key gets weight below
e^-50 relative to a maximal one, which float32 rounds to nothing. The BOS
position itself attends only to BOS (a score far above the others), so every
s-op's value at BOS is known and its contribution to any predicate is cancelled
there.

Values. A categorical aggregate copies the one-hot of the selected key, the
default coming from BOS; a numerical aggregate copies numbers, so uniform
weights over the selected keys give their mean. A selector width puts 1/(w+1)
(the weight on BOS) into a scratch direction, which an MLP in the same layer
decodes to w (see `mlp.discretize`; neighbouring values 1/(w+1) and 1/(w+2)
are at least 1/((n+1)(n+2)) apart, far above float32 error at n = 64 and beyond).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from rasplab.compiler.basis import Info
from rasplab.compiler.blocks import BOS, ONE, Dir, Head, MLPBlock, MLPKind, cat_dir, num_dir
from rasplab.compiler.mlp import discretize
from rasplab.compiler.selectors import Term, atom_pairs, dnf
from rasplab.rasp import nodes as n
from rasplab.rasp.ops import PY_BINARY

A = 100.0
BOS_SELF = 1e4


@dataclass
class Literal:
    """One predicate table between a key s-op and a query s-op."""

    keys: Info
    queries: Info
    holds: dict[tuple[Any, Any], bool]  # (query value, key value) -> selected


def holds(op: str, key: Any, query: Any) -> bool:
    """`key op query`; a pair Python cannot compare (a string and a number that
    the value sets allow together but no input produces) selects nothing."""
    try:
        return bool(PY_BINARY[op](key, query))
    except TypeError:
        return False


def _table(keys: Info, queries: Info, op: str) -> dict[tuple[Any, Any], bool]:
    return {(q, k): holds(op, k, q) for q in queries.values for k in keys.values}


def literals(sel: n.Selector, view: Callable[[n.SOp], Info], name: str) -> list[Literal]:
    """The selector as a conjunction of literals. A formula over one key s-op and
    one query s-op folds into a single table; `view` gives the categorical Info a
    selector reads for an s-op."""
    pairs = atom_pairs(sel)
    if len(pairs) == 1:
        ((keys, queries),) = pairs
        return [_formula_table(sel, view(keys), view(queries), {keys.uid: 0}, {queries.uid: 0})]
    return _conjunction(sel, view, name, negated=False)


def tuple_literal(
    sel: n.Selector, keys: Info, queries: Info, key_parts: list[n.SOp], query_parts: list[n.SOp]
) -> Literal:
    """One table over tuple-valued key and query s-ops (the fallback for any formula)."""
    return _formula_table(
        sel,
        keys,
        queries,
        {x.uid: i for i, x in enumerate(key_parts)},
        {x.uid: i for i, x in enumerate(query_parts)},
    )


def _formula_table(
    sel, keys: Info, queries: Info, key_at: dict[int, int], query_at: dict[int, int]
) -> Literal:
    def part(node: n.SOp, value: Any, at: dict[int, int]) -> Any:
        if isinstance(node, n.Const):
            return node.value
        return value[at[node.uid]] if isinstance(value, tuple) and len(at) > 1 else value

    def truth(s: n.Selector, k: Any, q: Any) -> bool:
        if isinstance(s, n.Select):
            return holds(s.op, part(s.keys, k, key_at), part(s.queries, q, query_at))
        parts = [truth(a, k, q) for a in s.args]
        if s.op == "not":
            return not parts[0]
        return all(parts) if s.op == "and" else any(parts)

    table = {(q, k): truth(sel, k, q) for q in queries.values for k in keys.values}
    return Literal(keys, queries, table)


def atom_sops(sel: n.Selector) -> tuple[list[n.SOp], list[n.SOp]]:
    """The distinct non-constant key and query s-ops a selector reads, in order."""
    keys: list[n.SOp] = []
    queries: list[n.SOp] = []
    for k, q in sorted(atom_pairs(sel), key=lambda pair: (pair[0].uid, pair[1].uid)):
        if not isinstance(k, n.Const) and k not in keys:
            keys.append(k)
        if not isinstance(q, n.Const) and q not in queries:
            queries.append(q)
    return keys, queries


def term_literals(term: Term, view: Callable[[n.SOp], Info]) -> list[Literal] | None:
    """A conjunction's literals, or None when it provably selects nothing: the literals
    over one key/query pair are combined and checked for a satisfiable entry."""
    by_pair: dict[tuple[int, int], list[tuple[n.Select, bool]]] = {}
    for select, negated in term:
        by_pair.setdefault((select.keys.uid, select.queries.uid), []).append((select, negated))
    result = []
    for group in by_pair.values():
        keys, queries = view(group[0][0].keys), view(group[0][0].queries)
        table = {}
        for q in queries.values:
            for k in keys.values:
                table[(q, k)] = all(holds(s.op, k, q) != negated for s, negated in group)
        if not any(table.values()):
            return None
        result.append(Literal(keys, queries, table))
    return result


def width_sum_heads(
    out: Info,
    sel: n.Selector,
    view,
    max_len: int,
    bos_values: dict[str, Any],
    max_terms: int = 4,
) -> tuple[list[Head], list[MLPBlock]] | None:
    """selector_width of a disjunction as a signed sum of conjunctions' widths
    (inclusion-exclusion), each a head of its own, decoded into one numerical
    direction. None when there are too many terms."""
    terms = list(dict.fromkeys(dnf(sel)))
    if len(terms) > max_terms:
        return None
    heads, mlps = [], []
    for size in range(1, len(terms) + 1):
        for subset in itertools.combinations(terms, size):
            merged = tuple(dict.fromkeys(lit for term in subset for lit in term))
            lits = term_literals(merged, view)
            if lits is None:
                continue
            sign = 1 if size % 2 else -1
            scratch = f"{out.name}.bos_share{len(heads)}"
            head = Head(
                out.name,
                writes={scratch},
                construction=f"selector width term {'+' if sign > 0 else '-'}",
            )
            scores(head, lits, len(lits) * A, bos_values)
            head.add_ov(BOS, num_dir(scratch), 1.0)
            head.qk = {key: w for key, w in head.qk.items() if w != 0}
            heads.append(head)
            points = [(Fraction(1, w + 1), sign * w) for w in range(max_len + 1)]
            mlps.append(
                discretize(
                    out,
                    {num_dir(scratch): 1.0},
                    points,
                    {scratch},
                    "selector width: decode and add a term",
                    MLPKind.WIDTH_DECODE,
                )
            )
    return heads, mlps


class NotAConjunction(Exception):
    """The selector needs the tuple fallback."""


def _conjunction(sel: n.Selector, view, name: str, negated: bool) -> list[Literal]:
    if isinstance(sel, n.Select):
        keys, queries = view(sel.keys), view(sel.queries)
        table = _table(keys, queries, sel.op)
        if negated:
            table = {key: not v for key, v in table.items()}
        return [Literal(keys, queries, table)]
    if sel.op == "not":
        return _conjunction(sel.args[0], view, name, not negated)
    if (sel.op == "and") != negated:  # an `and`, or a negated `or` (De Morgan)
        return [lit for a in sel.args for lit in _conjunction(a, view, name, negated)]
    raise NotAConjunction(name)


def _query_dir(info: Info, value: Any) -> Dir:
    return ONE if isinstance(info.node, n.Const) else cat_dir(info.name, value)


def _key_vector(info: Info, value: Any) -> Dir:
    return ONE if isinstance(info.node, n.Const) else cat_dir(info.name, value)


def scores(head: Head, lits: list[Literal], bos_score: float, bos_values: dict[str, Any]) -> None:
    """Fill the head's query-key form for the literals; BOS scores `bos_score`."""
    for lit in lits:
        head.reads |= {lit.keys.name, lit.queries.name}
        for (q, k), selected in lit.holds.items():
            if selected:
                head.add_qk(_query_dir(lit.queries, q), _key_vector(lit.keys, k), A)
        at_bos = bos_values.get(lit.keys.name)
        if at_bos is not None:
            for q in lit.queries.values:
                if lit.holds.get((q, at_bos)):
                    head.add_qk(_query_dir(lit.queries, q), BOS, -A)
    head.add_qk(ONE, BOS, bos_score)
    head.add_qk(BOS, BOS, BOS_SELF)
    head.reads -= {
        x.name for lit in lits for x in (lit.keys, lit.queries) if isinstance(x.node, n.Const)
    }


def aggregate_head(
    out: Info, values: Info, lits: list[Literal], default: Any, bos_values: dict[str, Any]
) -> Head:
    head = Head(out.name, writes={out.name})
    scores(head, lits, (len(lits) - 0.5) * A, bos_values)
    source_is_const = isinstance(values.node, n.Const)
    if not source_is_const:
        head.reads.add(values.name)
    at_bos = bos_values.get(values.name)
    if out.categorical:
        for x in values.values:
            src = ONE if source_is_const else cat_dir(values.name, x)
            head.add_ov(src, cat_dir(out.name, x), 1.0)
            if source_is_const:
                head.add_ov(BOS, cat_dir(out.name, x), -1.0)
        if at_bos is not None:
            head.add_ov(BOS, cat_dir(out.name, at_bos), -1.0)
        head.add_ov(BOS, cat_dir(out.name, default), 1.0)
        head.construction = "categorical aggregate"
    else:
        dst = num_dir(out.name)
        bos_value = float(default)
        if source_is_const:
            head.add_ov(ONE, dst, float(values.node.value))
            bos_value -= float(values.node.value)
        elif values.categorical:
            for x in values.values:
                head.add_ov(cat_dir(values.name, x), dst, float(x))
        else:
            head.add_ov(num_dir(values.name), dst, 1.0)
        if at_bos is not None:
            bos_value -= float(at_bos)
        if bos_value:
            head.add_ov(BOS, dst, bos_value)
        head.construction = "numerical aggregate (mean)"
    head.qk = {key: w for key, w in head.qk.items() if w != 0}
    head.ov = {key: w for key, w in head.ov.items() if w != 0}
    return head


def selector_width(
    out: Info, lits: list[Literal], max_len: int, bos_values: dict[str, Any]
) -> tuple[Head, MLPBlock]:
    scratch = f"{out.name}.bos_share"
    head = Head(out.name, writes={scratch}, construction="selector width: 1/(w+1) on BOS")
    scores(head, lits, len(lits) * A, bos_values)
    head.add_ov(BOS, num_dir(scratch), 1.0)
    head.qk = {key: w for key, w in head.qk.items() if w != 0}
    points = [(Fraction(1, w + 1), w) for w in range(max_len + 1)]
    mlp = discretize(
        out,
        {num_dir(scratch): 1.0},
        points,
        {scratch},
        "selector width: decode 1/(w+1)",
        MLPKind.WIDTH_DECODE,
    )
    return head, mlp
