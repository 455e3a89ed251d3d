"""compare on models whose mechanism is known (DESIGN.md, "Ground truth"): compiled
models, rotated ones with unread noise dimensions, compiled rivals with the same
behaviour and other intermediates, and ablated models. The full suite, at default
settings and with trained models, is bench/compare/ground_truth.py."""

from typing import Any

import numpy as np
import pytest
from rasplab.compare import Settings, compare
from rasplab.compiler import compile_program
from rasplab.rasp import Program, Session

from rasplab import tasks
from rasplab.model import Transformer
from rasplab.model.ablate import without_head
from rasplab.model.rotate import rotated

FAST = Settings(inputs=200, das_steps=40)

# A histogram that no task lists: each position counts its token's copies before
# and after it. A model of hist_same computes the total, never the two parts.
HIST_SPLIT = """
tokens = tokens_int;
same = select(tokens, tokens, ==);
earlier = selector_width(same and select(indices, indices, <));
later = selector_width(same and select(indices, indices, >));
hist_split = earlier + later + 1;
"""


def hypothesis(task_name: str, name: str) -> Program:
    """A task's hypothesis, or "hist_split" above."""
    if name == "hist_split":
        session = Session()
        session.exec(HIST_SPLIT)
        return session.program("hist_split")
    return tasks.get(task_name).hypotheses[name].program()


def compiled(task_name: str, name: str) -> Transformer:
    task = tasks.get(task_name)
    domain = task.sample(np.random.default_rng(1), 1000)[0]
    program = hypothesis(task_name, name)
    return compile_program(program, list(task.vocab), task.max_len, task.causal, domain).model


def read(model: Transformer, task_name: str, name: str) -> dict[str, Any]:
    report = compare(model, hypothesis(task_name, name), tasks.get(task_name), settings=FAST,
                     progress=False)
    return report.to_json()


def node_verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {name: node["verdict"] for name, node in report["nodes"].items()}


def describe(report: dict[str, Any]) -> str:
    """What a failed assertion should show: each node's verdict, IIA, controls, site."""
    return "; ".join(
        f"{k}: {v['verdict']} iia={v['iia']['sequence']} "
        f"controls={v['controls']['random_subspace_iia']},{v['controls']['shuffled_iia']} "
        f"site={v['site']} reason={v['reason']}"
        for k, v in report["nodes"].items()
    )


@pytest.fixture(scope="module")
def sort5_model() -> Transformer:
    return compiled("sort5", "rank")


@pytest.fixture(scope="module")
def sort5_self(sort5_model) -> dict[str, Any]:
    return read(sort5_model, "sort5", "rank")


def test_a_compiled_model_implements_its_own_program(sort5_self):
    assert sort5_self["verdict"] == "implements", describe(sort5_self)
    assert sort5_self["carried_by"] == ["rank"]


def test_a_change_of_basis_changes_no_verdict(sort5_model, sort5_self):
    turned = read(rotated(sort5_model, seed=1, extra_dims=4), "sort5", "rank")
    assert turned["behaviour"]["sequence_accuracy"] == 1.0
    assert turned["verdict"] == sort5_self["verdict"], describe(turned)
    assert node_verdicts(turned) == node_verdicts(sort5_self), describe(turned)
    assert turned["carried_by"] == sort5_self["carried_by"]


# (task, the compiled program B, the hypothesis A, A's intermediates that B lacks)
RIVALS = [
    ("sort5", "count", "rank", ["rank"]),
    ("hist", "by_value", "same_token", []),
    ("hist", "same_token", "hist_split", ["earlier", "later"]),
    ("induction", "offset", "prev_token", ["prev_tok"]),
]


@pytest.fixture(scope="module", params=RIVALS, ids=[f"{c[0]}-{c[1]}-as-{c[2]}" for c in RIVALS])
def rival(request) -> tuple[dict[str, Any], list[str]]:
    task_name, model, claimed, absent = request.param
    return read(compiled(task_name, model), task_name, claimed), absent


def test_same_behaviour_other_intermediates_does_not_implement(rival):
    report, absent = rival
    assert report["behaviour"]["sequence_accuracy"] == 1.0
    for name in absent:
        node = report["nodes"][name]
        assert node["verdict"] == "does not" or (
            node["verdict"] == "untested" and node["reason"]
        ), describe(report)
    assert report["verdict"] != "implements", describe(report)
    if not absent:  # nothing between input and output to test: behaviour is all it shows
        assert report["verdict"] == "behaviour only"


def test_a_compiled_model_implements_its_own_program_at_every_length():
    report = read(compiled("reverse", "index"), "reverse", "index")
    assert report["behaviour"]["sequence_accuracy"] == 1.0
    nodes = report["nodes"]
    assert nodes["length"]["pairs"] == nodes["opposite"]["pairs"] == "across lengths"
    tested = {k: v for k, v in nodes.items() if v["tested"]}
    assert {"length", "opposite"} <= set(tested)
    assert all(v["verdict"] == "implements" for v in tested.values()), describe(report)
    assert report["verdict"] == "implements", describe(report)


def test_an_ablated_model_loses_behaviour_and_verdict(sort5_model, sort5_self):
    """Without the head that copies each token to its rank (a layer knocked out is
    in bench/compare/ground_truth.py)."""
    report = read(without_head(sort5_model, 2, 0), "sort5", "rank")
    behaviour = report["behaviour"]["sequence_accuracy"]
    assert behaviour < 0.5 < sort5_self["behaviour"]["sequence_accuracy"]
    assert report["verdict"] == "does not", describe(report)
    assert report["nodes"]["sort_rank"]["verdict"] != "implements"
