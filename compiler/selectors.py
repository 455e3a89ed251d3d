"""The logical shape of a selector: its select atoms, and its normal forms.

Kept apart from the weights so that value-set inference can ask whether a
selector compiles as a single head.
"""

from __future__ import annotations

from rasplab.rasp import nodes as n


def atom_pairs(sel: n.Selector) -> set[tuple[n.SOp, n.SOp]]:
    if isinstance(sel, n.Select):
        return {(sel.keys, sel.queries)}
    return set().union(*(atom_pairs(a) for a in sel.args))


def is_conjunction(sel: n.Selector) -> bool:
    """Whether the selector compiles as one conjunction of literals (one head)."""
    return len(atom_pairs(sel)) == 1 or _nnf_is_conjunction(sel, negated=False)


def _nnf_is_conjunction(sel: n.Selector, negated: bool) -> bool:
    if isinstance(sel, n.Select):
        return True
    if sel.op == "not":
        return _nnf_is_conjunction(sel.args[0], not negated)
    if (sel.op == "and") != negated:
        return all(_nnf_is_conjunction(a, negated) for a in sel.args)
    return False


Term = tuple[tuple[n.Select, bool], ...]  # a conjunction of (select, negated)


def dnf(sel: n.Selector, negated: bool = False) -> list[Term]:
    """The selector as a disjunction of conjunctions of (possibly negated) selects."""
    if isinstance(sel, n.Select):
        return [((sel, negated),)]
    if sel.op == "not":
        return dnf(sel.args[0], not negated)
    parts = [dnf(a, negated) for a in sel.args]
    if (sel.op == "and") != negated:
        return [tuple(dict.fromkeys(x + y)) for x in parts[0] for y in parts[1]]
    return parts[0] + parts[1]
