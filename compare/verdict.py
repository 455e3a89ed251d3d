"""Verdicts from stated thresholds, always relative to the controls.

A node passes only where its IIA is high and beats every same-model control (a
random subspace of the same rank at the same site; an alignment trained on
shuffled counterfactuals) by the margin. Only nodes that could have failed carry
the overall verdict: intermediate nodes, unless they pass only at the embedding
(a swap there exchanges part of the input itself). The output and maps
of the input at the same position are reported but carry nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

VERDICTS = ("implements", "partial", "behaviour only", "does not")


@dataclass(frozen=True)
class Thresholds:
    implements_iia: float = 0.9  # a node implements at this IIA or above ...
    partial_iia: float = 0.6  # ... is partial at this or above ...
    control_margin: float = 0.2  # ... and only if it beats every control by this
    behaviour_implements: float = 0.99  # whole-sequence agreement for an overall "implements"
    behaviour_partial: float = 0.9
    min_pairs: int = 20  # held-out pairs that change the output; fewer leave a node untested

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def node_verdict(iia: float | None, controls: Sequence[float | None], t: Thresholds) -> str:
    """From a tested node's held-out IIA and its same-model controls."""
    if iia is None:
        return "does not"
    baseline = max([c for c in controls if c is not None], default=0.0)
    if iia >= t.implements_iia and iia - baseline >= t.control_margin:
        return "implements"
    if iia >= t.partial_iia and iia - baseline >= t.control_margin:
        return "partial"
    return "does not"


@dataclass(frozen=True)
class NodeStanding:
    """What the overall verdict needs to know of one node."""

    name: str
    verdict: str  # a node verdict, or "untested"
    carries: bool  # could this node's test have failed?
    at_embedding: bool = False  # an intermediate node that passes only at the embedding


def overall_verdict(behaviour: float, nodes: Sequence[NodeStanding], t: Thresholds
                    ) -> tuple[str, str, list[str]]:
    """(verdict, one sentence of why, the nodes that carried it)."""
    deciding = [x for x in nodes if x.carries and x.verdict != "untested"]
    names = [x.name for x in deciding]
    failed = [x.name for x in deciding if x.verdict == "does not"]
    untested = [x.name for x in nodes if x.verdict == "untested"]
    if behaviour < t.behaviour_partial:
        return (
            "does not",
            f"the model agrees with the program on {behaviour:.1%} of sequences "
            f"(below {t.behaviour_partial:.0%})",
            [],
        )
    if not deciding:
        embedded = [x.name for x in nodes if x.at_embedding]
        why = "no intermediate node could be tested past the embedding"
        if embedded:
            why += (
                f" ({', '.join(embedded)} pass only at the embedding, where a swap exchanges "
                "part of the input itself)"
            )
        if untested:
            why += f" (untested: {', '.join(untested)})"
        return "behaviour only", f"the behaviour matches, but {why}", []
    if behaviour >= t.behaviour_implements and not failed and all(
        x.verdict == "implements" for x in deciding
    ):
        return "implements", f"every tested intermediate node passes: {', '.join(names)}", names
    good = [x.name for x in deciding if x.verdict in ("implements", "partial")]
    if len(good) >= len(deciding) / 2:
        detail = f"{len(good)} of {len(deciding)} intermediate nodes pass"
        if failed:
            detail += f"; fails: {', '.join(failed)}"
        if behaviour < t.behaviour_implements:
            detail += f"; behaviour {behaviour:.1%}"
        return "partial", detail, names
    return "does not", f"intermediate nodes fail: {', '.join(failed)}", names
