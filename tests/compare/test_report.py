"""The compare report as a reader meets it: verdict and why first, the model, the ranked
hypotheses, every node by name, a captioned image per figure, strict JSON. Rendered
from a recorded real report (tests/data/record_compare_report.py) so it runs in
a second; tests/compare/test_compare.py writes one from a live comparison."""

import base64
import copy
import html
import io
import json
import re
from pathlib import Path

import matplotlib.image
import pytest
from rasplab.compare.report import selector_label, short_site, to_html, write

RECORDED = Path(__file__).parents[1] / "data" / "compare_report_sort5.json"
IMG = re.compile(r"<img alt='([^']*)' src='data:image/png;base64,([^']+)'>")


@pytest.fixture
def report() -> dict:
    """A fresh copy, for tests that change it."""
    return json.loads(RECORDED.read_text())


@pytest.fixture(scope="module")
def page() -> str:
    """The recorded report's page, rendered once for the tests that only read it."""
    return to_html(json.loads(RECORDED.read_text()))


def images(page: str) -> list[tuple[str, bytes]]:
    return [(alt, base64.b64decode(data)) for alt, data in IMG.findall(page)]


def test_page_opens_with_the_verdict_and_why_then_model_then_ranking(page, report):
    h1 = page.index("<h1>")
    badge = page.index(">implements</span>", h1)
    why = page.index(html.escape(report["reason"]))
    assert h1 < badge < why < page.index("The model") < page.index("Hypotheses")
    assert re.search(r"Carried by: <code>rank</code>", page)
    assert "Failed: none" in page and "Untested: none" in page
    assert f"ahead of <code>sort_count</code> by {report['fits_best']['margin']:.3f}" in page


def test_model_table_gives_the_shape(page):
    for row in ["<th>layers</th><td>3</td>", "<th>d_model</th><td>36</td>",
                "<th>parameters</th><td>9,415</td>", "<th>origin</th><td>compiled</td>",
                "2, 0, 1 (3 in all)", "22, 11, 0 (33 in all)"]:
        assert row in page


def test_every_node_of_every_hypothesis_is_in_a_table(page, report):
    names = {n for h in report["hypotheses"] for n in h["nodes"]}
    assert len(names) == 21
    for name in names:
        assert f"<td><code>{name}</code>" in page
    assert "L1 pre" in page and "blocks.1.hook_resid_pre" not in page


def test_every_figure_is_a_decodable_captioned_png(page, report):
    found = images(page)
    # IIA, rank sweep, probes, probes by position, similarity, and one per selector
    assert len(found) == 5 + len(report["selectors"])
    assert page.count("<figcaption>") == len(found)
    for alt, data in found:
        assert alt and data.startswith(b"\x89PNG\r\n\x1a\n")
        pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
        assert pixels.shape[0] > 50 and pixels.std() > 0


def test_selector_captions_name_the_head_and_the_random_baseline(page, report):
    assert "Selector select_5 (unnamed in the program)" in page
    before = report["selectors"]["before"]
    assert f"best head agrees {before['random_model_best']:.2f}" in page
    assert selector_label("select_5", {"used_by": ["sort_rank"]}) == "select_5 (used by sort_rank)"
    assert selector_label("before", {}) == "before"


def test_untested_nodes_say_why_and_missing_numbers_read_n_a(report):
    node = report["nodes"]["rank"]
    node.update(tested=False, verdict="untested", carries_verdict=False, rank=None,
                min_rank=None, iia_by_rank={}, site=None, pairs=None, similarity=None,
                reason="its value is the same on every sampled input",
                iia={"sequence": None, "position": None, "pairs": 0})
    node["controls"] = {"random_subspace_iia": None, "shuffled_iia": None,
                        "random_model_iia": {"sequence": None}}
    page = to_html(report)
    assert "Untested: <code>rank</code> (its value is the same on every sampled input)" in page
    assert "no: its value is the same on every sampled input" in page
    assert "n/a" in page and len(images(page)) == 5 + len(report["selectors"])


def test_strict_check_lists_claims_and_the_unchanged_share(report):
    assert "Every component is claimed, so there is nothing to resample" in to_html(report)
    report["strict_check"].update(outside_components=["L2H0"], unchanged=0.995)
    page = to_html(report)
    assert "Resampled: <code>L2H0</code>" in page and "unchanged on <b>99.5%</b>" in page
    assert "L1MLP·rank.categorical" in page
    for note in report["notes"]:
        assert note.replace("'", "&#x27;") in page


def test_text_is_escaped(report):
    report["program"] = "<script>alert(1)</script>"
    report["nodes"]["<b>x</b>"] = copy.deepcopy(report["nodes"]["rank"])
    page = to_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page


def test_write_gives_strict_json_and_the_page(report, tmp_path):
    json_path, html_path = write(report, tmp_path / "out")
    assert json.loads(json_path.read_text()) == report
    json.dumps(json.loads(json_path.read_text()), allow_nan=False)
    assert html_path.read_text().startswith("<!doctype html>")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json"]
    report["nodes"]["rank"]["iia"]["sequence"] = float("nan")
    with pytest.raises(ValueError):
        write(report, tmp_path / "nan")


def test_write_takes_a_report_object(report, tmp_path):
    class Typed:
        def to_json(self) -> dict:
            return report

    json_path, _ = write(Typed(), tmp_path)
    assert json.loads(json_path.read_text())["verdict"] == "implements"


def test_short_site():
    assert short_site("blocks.2.hook_resid_mid") == "L2 mid"
    assert short_site("blocks.0.attn.hook_z") == "blocks.0.attn.hook_z"
    assert short_site(None) is None
