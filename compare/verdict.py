"""Verdicts from stated thresholds, always relative to the controls."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Thresholds:
    implements_iia: float = 0.9  # a node implements at this IIA or above ...
    partial_iia: float = 0.6  # ... is partial at this or above ...
    control_margin: float = 0.2  # ... and only if it beats the random-model control by this
    behaviour_implements: float = 0.99  # whole-sequence agreement for an overall "implements"
    behaviour_partial: float = 0.9

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def node_verdict(iia: float | None, control: float | None, t: Thresholds) -> str:
    if iia is None:
        return "does not"
    baseline = control or 0.0
    if iia >= t.implements_iia and iia - baseline >= t.control_margin:
        return "implements"
    if iia >= t.partial_iia and iia - baseline >= t.control_margin:
        return "partial"
    return "does not"


def overall_verdict(behaviour: float, nodes: list[str], t: Thresholds) -> str:
    if behaviour >= t.behaviour_implements and all(v == "implements" for v in nodes):
        return "implements"
    good = sum(v != "does not" for v in nodes)
    if behaviour >= t.behaviour_partial and (not nodes or good >= len(nodes) / 2):
        return "partial"
    return "does not"
