"""The comparison's result, typed: a report per hypothesis and one for the whole
comparison, each with to_json() (the JSON keeps top-level `verdict` and
`nodes.<name>.verdict`, which scripts read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasplab.compare.das import IIA

from rasplab.jsonsafe import finite


@dataclass
class Controls:
    random_subspace: float | None = None  # IIA of random subspaces, same rank and site
    shuffled: float | None = None  # IIA of an alignment trained on shuffled counterfactuals
    random_model: float | None = None  # IIA on a randomly initialised model (reported only)

    def to_json(self) -> dict[str, Any]:
        return {
            "random_subspace_iia": self.random_subspace,
            "shuffled_iia": self.shuffled,
            "random_model_iia": {"sequence": self.random_model},
        }


@dataclass
class NodeResult:
    name: str
    nodes: tuple[str, ...]
    role: str  # intermediate | local | output
    tested: bool
    reason: str | None = None  # why it is untested
    verdict: str = "untested"
    carries: bool = False  # could its test have failed (and so count toward the verdict)?
    pairs_kind: str | None = None  # "same length" | "across lengths"
    rank: int | None = None
    min_rank: int | None = None
    iia_by_rank: dict[int, float | None] = field(default_factory=dict)
    site: str | None = None
    positions: list[int] | None = None  # input positions swapped (None: all)
    iia: IIA = field(default_factory=lambda: IIA(None, None, 0))
    controls: Controls = field(default_factory=Controls)
    probe: dict[str, Any] | None = None
    components: dict[str, float] = field(default_factory=dict)
    claimed: list[str] = field(default_factory=list)
    similarity: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        best = max(self.components, key=self.components.get) if self.components else None
        return finite(
            {
                "nodes": list(self.nodes),
                "role": self.role,
                "tested": self.tested,
                "reason": self.reason,
                "verdict": self.verdict,
                "carries_verdict": self.carries,
                "pairs": self.pairs_kind,
                "rank": self.rank,
                "min_rank": self.min_rank,
                "iia_by_rank": self.iia_by_rank,
                "site": self.site,
                "positions": self.positions,
                "iia": self.iia.to_json(),
                "controls": self.controls.to_json(),
                "probe": self.probe,
                "components": self.components,
                "best_component": {"component": best, "iia": self.components[best]}
                if best
                else None,
                "claimed_components": self.claimed,
                "similarity": self.similarity,
                "notes": self.notes,
            }
        )


@dataclass
class HypothesisResult:
    program: str
    behaviour: dict[str, float]
    behaviour_longer: dict[str, float] | None
    nodes: dict[str, NodeResult]
    verdict: str
    reason: str
    carried_by: list[str]
    score: float | None  # mean margin of the deciding nodes' IIA over their controls
    strict_check: dict[str, Any] = field(default_factory=dict)
    selectors: dict[str, Any] = field(default_factory=dict)
    compiled: bool = False
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return finite(
            {
                "program": self.program,
                "verdict": self.verdict,
                "reason": self.reason,
                "carried_by": self.carried_by,
                "score": self.score,
                "compiled": self.compiled,
                "behaviour": self.behaviour,
                "behaviour_longer": self.behaviour_longer,
                "nodes": {k: v.to_json() for k, v in self.nodes.items()},
                "strict_check": self.strict_check,
                "selectors": self.selectors,
                "notes": self.notes,
            }
        )


@dataclass
class Report:
    """The hypothesis asked about (`main`), the others compared on equal terms, and
    which one the model fits best."""

    main: HypothesisResult
    others: list[HypothesisResult]
    task: str | None
    model: dict[str, Any]
    thresholds: dict[str, float]
    settings: dict[str, Any]
    random_model_behaviour: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return self.main.verdict

    def focus(self, program: str) -> Report:
        """The same report about another of its hypotheses."""
        everything = [self.main, *self.others]
        chosen = next(h for h in everything if h.program == program)
        return Report(chosen, [h for h in everything if h is not chosen], self.task, self.model,
                      self.thresholds, self.settings, self.random_model_behaviour, self.notes)

    @property
    def ranking(self) -> list[HypothesisResult]:
        from rasplab.compare.verdict import VERDICTS

        return sorted(
            [self.main, *self.others],
            key=lambda h: (VERDICTS.index(h.verdict), -(h.score if h.score is not None else -9)),
        )

    def to_json(self) -> dict[str, Any]:
        main = self.main.to_json()
        ranking = self.ranking
        best, runner = ranking[0], ranking[1] if len(ranking) > 1 else None
        fits = {"best": best.program, "verdict": best.verdict, "score": best.score}
        if runner is not None:
            fits["runner_up"] = runner.program
            fits["margin"] = (
                None if best.score is None or runner.score is None else best.score - runner.score
            )
        return finite(
            {
                **main,
                "task": self.task,
                "model": self.model,
                "thresholds": self.thresholds,
                "settings": self.settings,
                "max_rank": self.settings.get("max_rank"),
                "controls": {
                    "random_model": {"behaviour": self.random_model_behaviour},
                    "rival_program": self.others[0].to_json() if self.others else None,
                },
                "hypotheses": [h.to_json() for h in [self.main, *self.others]],
                "ranking": [
                    {"program": h.program, "verdict": h.verdict, "score": h.score}
                    for h in ranking
                ],
                "fits_best": fits,
                "notes": [*self.notes, *main["notes"]],
            }
        )
