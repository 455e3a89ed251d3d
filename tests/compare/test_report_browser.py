"""The compare report in a real browser: headless Chromium renders the page, every
image decodes there, and the screenshot shows something. Run by `make test-browser`
(which installs Chromium); left out of `make test` by the `browser` marker. Without
Chromium these tests fail: a report nobody checked must not read as passing."""

import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image
import pytest
from rasplab.compare.report import write

pytestmark = pytest.mark.browser

RECORDED = Path(__file__).parents[1] / "data" / "compare_report_sort5.json"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Appended to a copy of the page only: the browser itself counts images it could not
# decode (naturalWidth 0) and writes the count into the DOM that --dump-dom prints.
PROBE = (
    "<script>window.addEventListener('load', () => {"
    "const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0);"
    "document.body.dataset.images = document.images.length;"
    "document.body.dataset.broken = broken.length;});</script>"
)


def chromium() -> str:
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found is None:
        pytest.fail("no Chromium on PATH: run `make test-browser`, which installs it")
    return found


def run_chromium(*args: str, profile: Path) -> str:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={profile}", "--virtual-time-budget=5000", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[dict, Path]:
    report = json.loads(RECORDED.read_text())
    _, html_path = write(report, tmp_path_factory.mktemp("report"))
    return report, html_path


def test_every_image_decodes_in_the_browser_and_the_verdict_is_shown(rendered, tmp_path):
    report, html_path = rendered
    probed = tmp_path / "probed.html"
    probed.write_text(html_path.read_text().replace("</body>", PROBE + "</body>"))
    dom = run_chromium("--dump-dom", probed.as_uri(), profile=tmp_path / "profile")
    counts = re.search(r'data-images="(\d+)" data-broken="(\d+)"', dom)
    assert counts, "the page's load event never ran"
    assert int(counts[1]) == 5 + len(report["selectors"]) and counts[2] == "0"
    assert report["reason"] in dom and ">implements</span>" in dom


def test_images_in_the_dom_are_png_data_uris(rendered, tmp_path):
    _, html_path = rendered
    dom = run_chromium("--dump-dom", html_path.as_uri(), profile=tmp_path / "profile")
    sources = re.findall(r'<img [^>]*src="([^"]*)"', dom)
    assert sources
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        data = base64.b64decode(source.split(",", 1)[1], validate=True)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert matplotlib.image.imread(io.BytesIO(data), format="png").size > 0


def test_the_screenshot_shows_the_page(rendered, tmp_path):
    _, html_path = rendered
    shot = tmp_path / "shot.png"
    run_chromium(f"--screenshot={shot}", "--window-size=1200,2400", html_path.as_uri(),
                 profile=tmp_path / "profile")
    pixels = matplotlib.image.imread(shot, format="png")
    assert pixels.shape[:2] == (2400, 1200)
    # text, tables and figures: many distinct colours, far from a blank or error page
    assert pixels.std() > 0.05
    assert len({tuple(p) for p in pixels[::7, ::7, :3].reshape(-1, 3).round(2)}) > 50
