"""analyse on the awkward cases: a numerical output, a two-token vocabulary, no task."""

import json

from rasplab.compiler import compile_program
from rasplab.rasp import Session

from rasplab.analysis import analyse, write


def test_a_numerical_compiled_model_is_analysed_and_says_what_it_left_out(tmp_path):
    session = Session()
    session.exec(
        "frac = numerical(aggregate(select(indices, indices, <=), numerical(tokens_int + 0)));"
    )
    model = compile_program(session.program("frac"), [0, 1], 5, causal=True).model
    result = analyse(model, n=20, methods=("pca",))
    assert result.attribution is None and result.ablation == {}
    assert any("numerical" in note for note in result.notes)
    assert any("2 rows, too few for pca" in note for note in result.notes)
    assert [h["head"] for h in result.heads.to_json()] == ["L1H0"]
    json_path, html_path = write(result, tmp_path / "out")
    assert json.loads(json_path.read_text())["model"]["origin"] == "compiled"
    assert "too few for pca" in html_path.read_text()
