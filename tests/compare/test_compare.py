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
from rasplab.train.build import build_model

FAST = Settings(inputs=200, das_steps=40)


@pytest.fixture(scope="module")
def sort5():
    task = tasks.get("sort5")
    rank = task.hypotheses["rank"].program()
    domain = task.sample(np.random.default_rng(1), 1000)[0]
    compiled = compile_program(rank, list(task.vocab), task.max_len, task.causal, domain)
    return task, rank, task.hypotheses["count"].program(), compiled


def test_compiled_model_implements_its_own_program(sort5):
    task, rank, _, compiled = sort5
    report = compare(compiled.model, rank, task, settings=FAST, progress=False)
    assert report["behaviour"]["sequence_accuracy"] == 1.0
    assert set(report["nodes"]) == {"rank", "sort_rank"}
    for node in report["nodes"].values():
        assert node["iia"]["sequence"] == 1.0
        assert node["controls"]["random_model_iia"]["sequence"] < 0.5
        assert node["verdict"] == "implements"
    assert report["verdict"] == "implements"
    assert report["nodes"]["rank"]["similarity"]["debiased_cka"]["value"] > 0.9


def test_another_construction_does_not_match_where_it_differs(sort5):
    task, _, count, compiled = sort5
    report = compare(compiled.model, count, task, settings=FAST, progress=False)
    counters = {k: v for k, v in report["nodes"].items() if k.startswith("at_most_")}
    assert len(counters) == 9
    assert all(v["verdict"] == "does not" for v in counters.values())
    assert report["nodes"]["sort_count"]["verdict"] == "implements"  # the same output
    assert report["verdict"] == "does not"


def test_a_random_model_does_not(sort5):
    task, rank, _, compiled = sort5
    random_model = Transformer(compiled.model.cfg, generator=torch.Generator().manual_seed(3))
    report = compare(random_model, rank, task, settings=FAST, progress=False)
    assert report["behaviour"]["sequence_accuracy"] < 0.1
    assert all(v["verdict"] == "does not" for v in report["nodes"].values())
    assert report["verdict"] == "does not"


def test_selectors_find_the_head_that_plays_them(sort5):
    task, rank, _, compiled = sort5
    report = compare(compiled.model, rank, task, settings=FAST, progress=False)
    copy = [e for e in report["selectors"].values() if e["best_head"] == "L2H0"]
    assert copy and copy[0]["agreement"] > 0.99 > copy[0]["random_model_best"]


def test_a_model_that_does_not_fit_the_task_is_refused(sort5):
    _, rank, _, compiled = sort5
    with pytest.raises(CompareError, match="up to 5 tokens"):
        compare(compiled.model, rank, tasks.get("sort10"), settings=FAST, progress=False)


def test_report_files_and_cli(sort5, tmp_path, capsys):
    task, rank, _, compiled = sort5
    report = compare(compiled.model, rank, task, settings=FAST, progress=False)
    json_path, html_path = write(report, tmp_path / "r")
    assert json.loads(json_path.read_text())["verdict"] == "implements"
    page = html_path.read_text()
    assert page.count("data:image/png;base64,") >= 3 and "sort_rank" in page
    compiled.save(tmp_path / "sort.safetensors")
    code = main(
        [
            "compare",
            "--model",
            str(tmp_path / "sort.safetensors"),
            "--program",
            str(task.hypotheses["rank"].file),
            "--name",
            "sort_rank",
            "--task",
            "sort5",
            "--inputs",
            "150",
            "--steps",
            "20",
            "--no-rival",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "implements" and set(out["nodes"]) == {"rank", "sort_rank"}


def test_cli_errors_are_clear(sort5, tmp_path, capsys):
    task, _, _, compiled = sort5
    compiled.save(tmp_path / "m.safetensors")
    hypothesis = str(task.hypotheses["rank"].file)
    assert (
        main(
            [
                "compare",
                "--model",
                str(tmp_path / "m.safetensors"),
                "--program",
                hypothesis,
                "--name",
                "sort_rnak",
            ]
        )
        == 1
    )
    assert "did you mean 'sort_rank'" in capsys.readouterr().err
    assert (
        main(
            [
                "compare",
                "--model",
                str(tmp_path / "m.safetensors"),
                "--program",
                hypothesis,
                "--name",
                "before",
            ]
        )
        == 1
    )
    assert "not an s-op" in capsys.readouterr().err
    assert (
        main(
            [
                "compare",
                "--model",
                str(tmp_path / "none.safetensors"),
                "--program",
                hypothesis,
                "--name",
                "sort_rank",
            ]
        )
        == 1
    )
    assert "no such weights file" in capsys.readouterr().err


def test_behaviour_on_longer_inputs_where_the_model_takes_them(sort5):
    task, rank, _, _ = sort5
    longer = compile_program(rank, list(task.vocab), 8)
    report = compare(
        longer.model, rank, task, settings=Settings(inputs=100, das_steps=10), progress=False
    )
    assert report["behaviour_longer"]["sequence_accuracy"] == 1.0
    assert report["behaviour_longer"]["inputs"] > 0
    same_length = compare(
        sort5[3].model, rank, task, settings=Settings(inputs=100, das_steps=10), progress=False
    )
    assert same_length["behaviour_longer"] is None


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
    task, rank, _, compiled = sort5
    session = Session()
    session.exec(UNDEFINED_UNDER_SWAPS)
    program = session.program("sort_checked")
    with pytest.raises(Exception, match="lookup"):  # the swap really is undefined
        program.evaluate([[0, 1, 2, 3, 4]], interventions={"twice": [[9, 9, 9, 9, 9]]})

    report = compare(compiled.model, program, task, settings=FAST, progress=False)
    notes = [n for n in report["notes"] if "undefined" in n]
    assert any("'twice'" in n for n in notes) and any("'thrice'" in n for n in notes)
    assert not any("'rank'" in n for n in notes)
    assert report["nodes"]["rank"]["verdict"] == "implements"
    assert report["nodes"]["twice"]["iia"]["pairs"] > 0

    with_rival = compare(compiled.model, rank, task, rival=program, settings=FAST, progress=False)
    assert any("sort_checked: swapping 'twice'" in n for n in with_rival["notes"])
    rival = with_rival["controls"]["rival_program"]
    assert "notes" not in rival
    assert rival["nodes"]["rank"]["rank"] == 5  # one dimension per value without a compile


def test_a_rival_numerical_sop_is_aligned_at_rank_one(sort5):
    task, rank, _, compiled = sort5
    session = Session()
    session.exec(
        "share = numerical(aggregate(select(indices, indices, <=), "
        "indicator(tokens_int == 0)));\n"
        "copy = aggregate(select(indices, indices, ==), tokens_int) + 0 * share;"
    )
    rival = session.program("copy")
    report = compare(compiled.model, rank, task, rival=rival, settings=FAST, progress=False)
    assert report["controls"]["rival_program"]["nodes"]["share"]["rank"] == 1


def test_a_swap_wider_than_half_the_residual_stream_is_flagged(sort5):
    task, rank, _, _ = sort5
    narrow = build_model(task, dataclasses.replace(task.recipe, d_model=16, n_heads=2), seed=0)
    report = compare(narrow, rank, task, settings=FAST, progress=False)
    wide = [n for n in report["notes"] if "of d_model 16" in n]
    assert len(wide) == 1 and "'sort_rank' is aligned at rank 10" in wide[0]


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
