"""Every built page passes axe-core's checks and stays light enough to read anywhere.

axe-core (the npm package, installed into ``tests/browser/node_modules`` by
``scripts/test.sh``) is injected into each page from this test, not from a CDN. A page
fails on any violation of impact "critical" or "serious"; the moderate and minor ones
are printed. A page also fails if it weighs more than 3 MB with its images and
animations: the HTML (embedded figures and animation frames are inside it) and every
file it loads from outside ``_static/``. The theme's scripts, styles and fonts in
``_static/`` (MathJax, Font Awesome, ...) are shared by every page and cached after the
first; their total is printed with the heaviest page.

Needs the built book (``bash scripts/build_book.sh``) and Debian's ``chromium``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pages import _pages

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
MAX_BYTES = 3 * 2**20
WEIGHTS: dict[str, int] = {}

pytestmark = pytest.mark.browser


def _axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed at {AXE}: run "
            "`npm install --prefix tests/browser --no-package-lock` (scripts/test.sh does)"
        )
    return AXE.read_text()


@pytest.mark.parametrize("page", _pages())
def test_page_has_no_serious_accessibility_violation_and_weighs_at_most_3_mb(page, server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    sizes: dict[str, int] = {}

    def on_response(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # redirects and aborted requests have no body
            sizes.setdefault(response.url, 0)

    tab.on("response", on_response)
    tab.goto(f"{server}/{page}", wait_until="networkidle")
    tab.wait_for_timeout(300)
    tab.add_script_tag(content=_axe_source())
    violations = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    context.close()
    # data URIs (embedded figures, animation frames) are already counted in the HTML
    served = {url: size for url, size in sizes.items() if url.startswith(server)}
    shared = sum(size for url, size in served.items() if "/_static/" in url)
    weight = sum(served.values()) - shared
    WEIGHTS[page] = weight
    heaviest = max(WEIGHTS, key=WEIGHTS.get)
    print(
        f"\n{page}: {weight / 2**20:.2f} MB with its images (+ {shared / 2**20:.2f} MB of "
        f"shared theme files); heaviest so far: {heaviest}, {WEIGHTS[heaviest] / 2**20:.2f} MB"
    )
    blocking = [v for v in violations if v["impact"] in ("critical", "serious")]
    for v in violations:
        if v not in blocking:
            print(f"  {v['impact']}: {v['id']} ({len(v['nodes'])} elements)")
    report = "\n  ".join(
        f"{v['impact']} {v['id']}: {v['help']} -> {', '.join(v['nodes'][:4])}" for v in blocking
    )
    assert not blocking, f"{page}:\n  {report}"
    assert weight <= MAX_BYTES, f"{page} weighs {weight / 2**20:.2f} MB, more than 3 MB"


def test_axe_finds_a_violation_when_there_is_one(browser):
    """The check can fail: a button without a name is a critical violation."""
    tab = browser.new_page()
    tab.set_content("<html lang='en'><title>t</title><main><button></button></main></html>")
    tab.add_script_tag(content=_axe_source())
    ids = tab.evaluate("async () => (await axe.run()).violations.map(v => v.id + ':' + v.impact)")
    tab.close()
    assert "button-name:critical" in ids
