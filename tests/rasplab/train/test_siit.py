"""Interchange intervention training (`implement`): mappings refused before training,
and a tiny task trained in seconds that `compare` then reads as implementing its
hypothesis."""

import itertools

import numpy as np
import pytest
from rasplab.compare import Settings, compare
from rasplab.rasp import Session
from rasplab.tasks import Recipe, Task
from rasplab.tasks.hypothesis import Hypothesis

from rasplab import tasks
from rasplab.cli import main
from rasplab.model import load
from rasplab.train import CheckpointMismatch, MappingError, TrainConfig, implement
from rasplab.train.data import encode
from rasplab.train.implement import plan
from rasplab.train.mapping import Slot, default_mapping, groups, parse_overrides, unmapped
from rasplab.train.siit import interchange_accuracy

# The token before each token, added to it: a head must move the previous token
# (`prev`, the intermediate the verdict rests on) and an MLP must add.
PREV_PLUS = """
tokens = tokens_int;
prev = aggregate(select(indices, indices - 1, ==), tokens, 0);
prev_plus = prev + tokens;
"""


@pytest.fixture
def prev_plus(tmp_path) -> Task:
    """Three tokens over 0..2 (27 inputs): small enough to train in seconds."""
    file = tmp_path / "prev_plus.rasp"
    file.write_text(PREV_PLUS)

    def solve(tokens):
        return [t + (tokens[i - 1] if i else 0) for i, t in enumerate(tokens)]

    return Task(
        name="prev_plus",
        description="each token plus the one before it",
        token_format="3 ints 0..2",
        vocab=(0, 1, 2),
        output_vocab=(0, 1, 2, 3, 4),
        min_len=3,
        max_len=3,
        causal=False,
        recipe=Recipe(n_layers=1, d_model=32, n_heads=2, d_mlp=64, lr=1e-2, batch_size=64,
                      warmup=10, steps=300),
        hypotheses={"prev": Hypothesis(file, "prev_plus", True)},
        draw=lambda choose: choose.integers(0, 3, 3),
        solve=solve,
        check=lambda tokens, target: [],
        domain=lambda: [list(x) for x in itertools.product(range(3), repeat=3)],
    )


def _config(task: Task, out, **overrides) -> TrainConfig:
    settings = {"eval_every": 50, "eval_size": 300, "progress": False, "device": "cpu"}
    return TrainConfig(task.name, out, **{**settings, **overrides})


def test_default_mapping_follows_the_compiler_schedule_without_empty_layers():
    task = tasks.get("sort5")
    rank = task.hypotheses["rank"].program()
    mapping = default_mapping(rank, set(task.vocab), task.max_len, task.causal)
    assert mapping == {
        "rank": (Slot(0, 0), Slot(0, 1), Slot(0)),
        "sort_rank": (Slot(1, 0),),
    }


def test_nodes_sharing_a_component_are_one_group_and_the_rest_is_strict():
    task = tasks.get("sort5")
    implementation, recipe = plan(task, task.hypotheses["count"].program(), "sort.rasp")
    found = groups(implementation.mapping)
    assert [len(nodes) for nodes, _ in found] == [9, 9, 1]  # at_most_*, beyond_*, output
    assert (recipe.n_layers, recipe.n_heads) == (3, 9) and recipe.d_model % 9 == 0
    assert Slot(1, 0) in unmapped(implementation.mapping, implementation.shape)


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ("prev=L3H0", "layer 3 does not exist"),
        ("prev=L0H5", "head 5 does not exist"),
        ("prev=L0MLP", "prev is an aggregate"),
        ("prev_plus=L0H1", "prev_plus is a map"),
        ("prev=L0H0,prev_plus=L0H1+L0MLP,nothing=L0H0", "has no node 'nothing'"),
    ],
)
def test_bad_mappings_are_refused_with_the_reason(prev_plus, override, reason):
    program = prev_plus.hypotheses["prev"].program()
    with pytest.raises(MappingError, match=reason):
        plan(prev_plus, program, "prev_plus.rasp", parse_overrides(override))


def test_a_node_placed_before_what_it_reads_is_refused():
    task = tasks.get("sort5")
    with pytest.raises(MappingError, match=r"sort_rank .* reads rank"):
        plan(task, task.hypotheses["rank"].program(), "s", parse_overrides("sort_rank=L0H3"))


def test_cli_refuses_a_bad_mapping_before_training(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "sort5", "-o", str(out), "--implement", "tasks/hypotheses/sort.rasp",
                 "--name", "sort_rank", "--map", "rank=L0MLP"])
    assert code == 1
    assert "rank is a selector width" in capsys.readouterr().err
    assert not out.exists()


def test_a_tiny_siit_model_implements_its_hypothesis(tmp_path, prev_plus):
    hypothesis = prev_plus.hypotheses["prev"]
    out = tmp_path / "run"
    result = implement(_config(prev_plus, out), "prev_plus", hypothesis.file, task=prev_plus)
    assert result.accuracy == 1.0
    model = load(result.checkpoint)
    assert model.cfg.labels["implements"]["mapping"] == {"prev": ["L0H0"], "prev_plus": ["L0MLP"]}

    implementation, _ = plan(prev_plus, hypothesis.program(), str(hypothesis.file))
    inputs = prev_plus.enumerate()
    batch = encode(prev_plus, inputs, [prev_plus.reference(x) for x in inputs], "cpu")
    assert min(interchange_accuracy(model, implementation, batch).values()) >= 0.95

    report = compare(model, hypothesis.program(), prev_plus,
                     settings=Settings(inputs=200, das_steps=150), progress=False).to_json()
    assert report["nodes"]["prev"]["carries_verdict"]
    assert report["verdict"] == "implements", report["reason"]


def test_resuming_with_another_mapping_is_refused(tmp_path, prev_plus):
    file = prev_plus.hypotheses["prev"].file
    config = _config(prev_plus, tmp_path / "run", steps=5)
    implement(config, "prev_plus", file, task=prev_plus)
    with pytest.raises(CheckpointMismatch, match="mapping"):
        implement(config, "prev_plus", file, parse_overrides("prev=L0H1"), task=prev_plus)


def test_the_program_file_parses_like_the_session_reads_it(prev_plus):
    session = Session()
    session.exec(PREV_PLUS)
    assert session.program("prev_plus")([2, 1, 0]) == [2, 3, 1]
    assert np.array_equal(prev_plus.reference([2, 1, 0]), [2, 3, 1])
