"""`rasp compile --plot`: valid PNG files, the layout figure and one per head."""

import json
from pathlib import Path

import matplotlib.image
import pytest
from rasplab.compiler import compile_program
from rasplab.compiler.plots import example_tokens, write_plots
from rasplab.rasp import Session

from rasplab import rasp
from rasplab.cli import main

LIB = Path(rasp.__file__).parent / "lib"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


@pytest.mark.parametrize(
    ("file", "name", "vocab", "example"),
    [("sort.rasp", "sorted", "1,2,3", "312"), ("hist.rasp", "hist", "a,b", None)],
)
def test_plot_writes_the_layout_and_one_png_per_head(capsys, tmp_path, file, name, vocab, example):
    argv = ["compile", str(LIB / file), "--name", name, "--vocab", vocab, "--max-len", "4"]
    argv += ["--plot", str(tmp_path / "figs"), "--json"]
    if example is not None:
        argv += ["--example", example]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    heads = [
        f"attn_L{layer}_H{head}.png"
        for layer, count in enumerate(summary["heads_per_layer"])
        for head in range(count)
    ]
    assert heads
    written = [Path(p) for p in summary["files"]]
    assert [p.name for p in written] == ["residual.png", *heads]
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(p.name for p in written)
    for path in written:
        assert_png(path)


def test_a_model_without_heads_gets_only_the_layout(tmp_path):
    session = Session()
    session.exec("succ = tokens_int + 1;")
    cm = compile_program(session.program("succ"), [1, 2], 3)
    paths = write_plots(cm, example_tokens(cm.vocab, cm.max_len), tmp_path)
    assert [p.name for p in paths] == ["residual.png"]
    assert_png(paths[0])


def test_example_tokens_cycle_through_the_vocab():
    assert example_tokens(["a", "b"], 5) == ["a", "b", "a", "b", "a"]
