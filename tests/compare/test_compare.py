"""Comparison verdicts on models whose algorithm is known: compiled ones."""

import dataclasses
import json

import numpy as np
import pytest
import torch
from rasplab.compare import CompareError, Settings, compare
from rasplab.compare.report import write
from rasplab.compiler import compile_program
from rasplab.rasp import Session

from rasplab import tasks
from rasplab.cli import main
from rasplab.model import Transformer

FAST = Settings(inputs=200, das_steps=40)


@pytest.fixture(scope="module")
def sort5():
    task = tasks.get("sort5")
    rank = task.hypotheses["rank"].program()
    domain = task.sample(np.random.default_rng(1), 1000)[0]
    compiled = compile_program(rank, list(task.vocab), task.max_len, task.causal, domain)
    return task, rank, task.hypotheses["count"].program(), compiled


@pytest.fixture(scope="module")
def rank_vs_count(sort5):
    """The compiled rank model against its program, with the count program beside it."""
    task, rank, count, compiled = sort5
    return compare(compiled.model, rank, task, rival=count, settings=FAST, progress=False)


def test_compiled_model_implements_its_own_program(rank_vs_count):
    report = rank_vs_count.to_json()
    assert report["behaviour"]["sequence_accuracy"] == 1.0
    assert set(report["nodes"]) == {"rank", "sort_rank"}
    rank = report["nodes"]["rank"]
    assert rank["tested"] and rank["carries_verdict"] and rank["role"] == "intermediate"
    assert rank["iia"]["sequence"] == 1.0 and rank["min_rank"] == 1
    assert rank["controls"]["random_subspace_iia"] < 0.5
    assert rank["controls"]["shuffled_iia"] < 0.5
    assert rank["verdict"] == "implements"
    assert report["verdict"] == "implements" and report["carried_by"] == ["rank"]
    assert not report["nodes"]["sort_rank"]["carries_verdict"]  # the output carries nothing
    assert rank["similarity"]["debiased_cka"]["value"] > 0.9


def test_another_construction_does_not_match_where_it_differs(rank_vs_count):
    count = rank_vs_count.others[0].to_json()
    counters = {k: v for k, v in count["nodes"].items() if k.startswith("at_most_")}
    assert len(counters) == 9
    assert all(v["verdict"] != "implements" for v in counters.values() if v["carries_verdict"])
    assert count["nodes"]["sort_count"]["verdict"] == "implements"  # the same output
    assert count["verdict"] == "does not"


def test_hypotheses_are_ranked_on_equal_terms(rank_vs_count):
    report = rank_vs_count.to_json()
    assert [h["program"] for h in report["ranking"]] == ["sort_rank", "sort_count"]
    assert report["fits_best"]["best"] == "sort_rank" and report["fits_best"]["margin"] > 0.5
    assert report["controls"]["rival_program"]["program"] == "sort_count"
    focused = rank_vs_count.focus("sort_count").to_json()
    assert focused["verdict"] == "does not" and focused["program"] == "sort_count"


def test_components_of_a_selector_width_are_claimed_together(rank_vs_count):
    claimed = rank_vs_count.main.strict_check["claimed"]["rank"]
    assert {"L0H0", "L0H1"} <= set(claimed)  # both heads of the width, and its MLPs
    assert any(label.startswith("L0MLP") for label in claimed)


def test_the_strict_check_fails_a_hypothesis_that_leaves_working_components_out(rank_vs_count):
    own = rank_vs_count.main.strict_check
    assert own["outside_components"] == [] and own["unchanged"] == 1.0
    rival = rank_vs_count.others[0].strict_check  # count: claims only the output's head
    assert "L0H0" in rival["outside_components"] and rival["unchanged"] < 0.5


def test_a_random_model_does_not(sort5):
    task, rank, _, compiled = sort5
    random_model = Transformer(compiled.model.cfg, generator=torch.Generator().manual_seed(3))
    report = compare(random_model, rank, task, settings=FAST, progress=False).to_json()
    assert report["behaviour"]["sequence_accuracy"] < 0.1
    assert report["verdict"] == "does not"


def test_selectors_find_the_head_that_plays_them(rank_vs_count):
    selectors = rank_vs_count.main.selectors
    copy = [e for e in selectors.values() if e["best_head"] == "L2H0"]
    assert copy and copy[0]["agreement"] > 0.99 > copy[0]["random_model_best"]


def test_a_model_that_does_not_fit_the_task_is_refused(sort5):
    _, rank, _, compiled = sort5
    with pytest.raises(CompareError, match="up to 5 tokens"):
        compare(compiled.model, rank, tasks.get("sort10"), settings=FAST, progress=False)


def test_a_program_whose_outputs_the_model_cannot_give_is_refused_before_any_work(sort5):
    task, _, _, compiled = sort5
    session = Session()
    session.exec('words = tokens_str + "!";')
    with pytest.raises(CompareError, match="outputs values the model cannot output"):
        compare(compiled.model, session.program("words"), task, settings=FAST, progress=False)


def test_report_files_and_cli(sort5, rank_vs_count, tmp_path, capsys):
    task, _, _, compiled = sort5
    json_path, html_path = write(rank_vs_count.to_json(), tmp_path / "r")
    assert json.loads(json_path.read_text())["verdict"] == "implements"
    page = html_path.read_text()
    assert page.count("data:image/png;base64,") >= 3 and "sort_rank" in page
    compiled.save(tmp_path / "sort.safetensors")
    hypothesis = str(task.hypotheses["rank"].file)
    args = [hypothesis, "-n", "sort_rank", "--model", str(tmp_path / "sort.safetensors")]
    args += ["--task", "sort5", "--inputs", "150", "--steps", "20", "--no-rival", "--json"]
    assert main(["compare", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "implements" and set(out["nodes"]) == {"rank", "sort_rank"}
    assert {"tested", "reason", "carries_verdict", "min_rank"} <= set(out["nodes"]["rank"])


def test_cli_errors_are_clear(sort5, tmp_path, capsys):
    task, _, _, compiled = sort5
    model = str(tmp_path / "m.safetensors")
    compiled.save(model)
    hypothesis = str(task.hypotheses["rank"].file)

    def run(*args):
        code = main(["compare", "--model", *args])
        return code, capsys.readouterr().err

    code, err = run(model, "--program", hypothesis, "--name", "sort_rnak")
    assert code == 1 and "did you mean 'sort_rank'" in err
    code, err = run(model, "--program", hypothesis, "--name", "before")
    assert code == 1 and "not an s-op" in err
    code, err = run(model, hypothesis, "--name", "rank", "--task", "sort5")
    assert code == 1 and "'rank' is an intermediate node" in err and "sort_rank" in err
    code, err = run(str(tmp_path / "none.safetensors"), hypothesis, "--name", "sort_rank")
    assert code == 1 and "no such weights file" in err
    code, err = run(model, "--task", "sort5", "--hypothesis", "ranks")
    assert code == 1 and "no hypothesis 'ranks'" in err and "rank" in err
    (tmp_path / "taken").write_text("mine")
    code, err = run(model, hypothesis, "-n", "sort_rank", "--report", str(tmp_path / "taken"))
    assert code == 1 and "not a folder" in err and (tmp_path / "taken").read_text() == "mine"


def test_behaviour_on_longer_inputs_where_the_model_takes_them(sort5):
    task, rank, _, compiled = sort5
    longer = compile_program(rank, list(task.vocab), 8)
    quick = Settings(inputs=100, das_steps=10)
    report = compare(longer.model, rank, task, settings=quick, progress=False).to_json()
    assert report["behaviour_longer"]["sequence_accuracy"] == 1.0
    assert report["behaviour_longer"]["inputs"] > 0
    same_length = compare(compiled.model, rank, task, settings=quick, progress=False)
    assert same_length.main.behaviour_longer is None


UNDEFINED_UNDER_SWAPS = """
tokens = tokens_int;
before = select(tokens, tokens, <) or (select(tokens, tokens, ==) and select(indices, indices, <));
rank = selector_width(before);
twice = rank * 2;
thrice = rank * 3;
checked = {k: k % 5 for k in range(-2, 13)}[thrice - twice];
sort_checked = aggregate(select(checked, indices, ==), tokens);
"""


def test_pairs_whose_counterfactual_is_undefined_are_left_out_and_reported(sort5):
    task, _, _, compiled = sort5
    session = Session()
    session.exec(UNDEFINED_UNDER_SWAPS)
    program = session.program("sort_checked")
    with pytest.raises(Exception, match="lookup"):  # the swap really is undefined
        program.evaluate([[0, 1, 2, 3, 4]], interventions={"twice": [[9, 9, 9, 9, 9]]})
    report = compare(compiled.model, program, task, settings=FAST, progress=False).to_json()
    assert any("undefined" in note for note in report["nodes"]["twice"]["notes"])
    assert any("undefined" in note for note in report["nodes"]["thrice"]["notes"])
    assert not any("undefined" in note for note in report["nodes"]["rank"]["notes"])
    assert report["nodes"]["rank"]["verdict"] == "implements"


def test_max_rank_caps_every_alignment(sort5, tmp_path, capsys):
    task, _, _, compiled = sort5
    compiled.save(tmp_path / "sort.safetensors")
    args = ["compare", "--model", str(tmp_path / "sort.safetensors")]
    args += ["--program", str(task.hypotheses["rank"].file), "--name", "sort_rank"]
    args += ["--inputs", "150", "--steps", "20", "--no-rival", "--json", "--max-rank", "3"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["max_rank"] == 3
    assert out["nodes"]["sort_rank"]["rank"] == 3  # 10 compiled dimensions, capped
    assert out["nodes"]["rank"]["rank"] == 1
    assert any("at most 3" in note for note in out["notes"])


def test_an_unlabelled_model_too_short_for_the_task_is_refused_before_any_work(sort5):
    _, rank, _, compiled = sort5
    cfg = dataclasses.replace(compiled.model.cfg, labels={})
    unlabelled = Transformer(cfg)
    unlabelled.load_state_dict(compiled.model.state_dict())
    with pytest.raises(CompareError, match="at most 6 positions"):
        compare(unlabelled, rank, tasks.get("sort10"), settings=FAST, progress=False)
