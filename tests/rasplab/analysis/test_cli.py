"""`rasp analyse` on a saved compiled model: one HTML page with embedded figures,
strict JSON beside it, and a summary line."""

import base64
import json

import pytest

from rasplab.cli import main


def test_rasp_analyse_writes_a_self_contained_report(induction_model, tmp_path, capsys):
    weights = tmp_path / "induction.safetensors"
    induction_model.save(weights)
    out = tmp_path / "analysis"
    args = ["analyse", str(weights), "--task", "induction", "--inputs", "30",
            "--methods", "pca,nmf", "-o", str(out)]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["task"] == "induction" and summary["report"] == str(out / "report.html")
    data = json.loads((out / "analysis.json").read_text())
    roles = {h["head"]: h for h in data["heads"]}
    assert roles["L1H0"]["previous_token"] > 0.99 and roles["L2H0"]["induction"] > 0.99
    assert data["model"]["origin"] == "compiled"
    assert any(v["subject"].startswith("residual") for v in data["projections"])
    assert "prev_token:prev_tok" in data["projections"][-1]["colours"]
    page = (out / "report.html").read_text()
    assert "src='http" not in page and "<script" not in page
    images = page.split("data:image/png;base64,")[1:]
    assert len(images) >= 5
    assert all(base64.b64decode(i.split("'")[0]).startswith(b"\x89PNG") for i in images)


def test_an_unknown_method_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["analyse", str(tmp_path / "m.safetensors"), "--methods", "pca,lda"])
    assert exit_.value.code == 2
    assert "choose from pca, nmf, tsne, umap; got 'pca,lda'" in capsys.readouterr().err
