"""Verdicts from stated thresholds, always relative to the controls."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    implements_iia: float = 0.9  # a node implements at this IIA or above ...
    partial_iia: float = 0.6  # ... is partial at this or above ...
    control_margin: float = 0.2  # ... and only if it beats the random-model control by this
    behaviour_implements: float = 0.99  # whole-sequence agreement for an overall "implements"
    behaviour_partial: float = 0.9
    min_pairs: int = 20  # held-out pairs that change the output; fewer cannot say "implements"

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def node_verdict(iia: dict[str, Any], control: float | None, t: Thresholds) -> str:
    """From an IIA result ({"sequence", "pairs", ...}); too few pairs prove nothing."""
    score = iia["sequence"]
    if score is None or iia["pairs"] < t.min_pairs:
        return "does not"
    baseline = control or 0.0
    if score >= t.implements_iia and score - baseline >= t.control_margin:
        return "implements"
    if score >= t.partial_iia and score - baseline >= t.control_margin:
        return "partial"
    return "does not"


def overall_verdict(behaviour: float, nodes: list[str], t: Thresholds) -> str:
    if behaviour >= t.behaviour_implements and all(v == "implements" for v in nodes):
        return "implements"
    good = sum(v != "does not" for v in nodes)
    if behaviour >= t.behaviour_partial and (not nodes or good >= len(nodes) / 2):
        return "partial"
    return "does not"
