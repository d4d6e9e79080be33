"""Open every page of the built book in headless Chromium, as a reader would.

The book must work offline: a page fails if the browser reports a console error, a
request fails, anything is requested from a host other than the local server, an image
does not load, or the page has no title. A screenshot of each page is saved to
``test-artifacts/screenshots/`` for a person to look at.

Needs the built book (``bash scripts/build_book.sh``) and Debian's ``chromium``; the
Playwright package drives it and never downloads a browser of its own.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def _pages() -> list[str]:
    if not HTML.is_dir():
        return []
    skip = {"_static", "_sources", "_images"}
    return sorted(
        str(p.relative_to(HTML))
        for p in HTML.rglob("*.html")
        if not skip.intersection(p.relative_to(HTML).parts)
    )


def test_the_book_has_pages():
    pages = _pages()
    assert "index.html" in pages
    assert any(p.startswith("notebooks/01_images") for p in pages), pages


@pytest.mark.parametrize("page", _pages())
def test_page_reads_offline(page, server, browser):
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    local = urlparse(server).netloc

    def on_request(request):
        host = urlparse(request.url).netloc
        if request.url.startswith(("http://", "https://")) and host != local:
            problems.append(f"request to another host: {request.url}")

    tab.on("request", on_request)
    tab.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    tab.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    response = tab.goto(f"{server}/{page}", wait_until="networkidle")
    assert response is not None and response.ok, f"{page}: HTTP {response and response.status}"
    tab.wait_for_timeout(300)  # let MathJax and the theme scripts finish

    title = tab.title().strip()
    if not title:
        problems.append("the page has no <title>")
    if tab.locator("h1").count() == 0:
        problems.append("the page has no <h1> heading")
    broken = tab.evaluate(
        """() => Array.from(document.images)
                 .filter(img => !(img.complete && img.naturalWidth > 0))
                 .map(img => img.currentSrc || img.src)"""
    )
    problems += [f"image did not load: {src}" for src in broken]
    # every figure says what it shows, for a reader who cannot see it (axe accepts an
    # empty alt as "decorative"; the book has no decorative pictures in its articles)
    silent = tab.evaluate(
        """() => Array.from(document.querySelectorAll('article img'))
                 .filter(img => (img.getAttribute('alt') || '').trim().length < 4)
                 .map(img => (img.currentSrc || img.src).slice(0, 80))"""
    )
    problems += [f"image without alt text: {src}" for src in silent]
    dead = tab.locator(".jupyter-widgets-disconnected, .jupyter-widgets").count()
    if dead:
        problems.append(f"{dead} widget views in the static page (they cannot respond)")

    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / (page.replace("/", "__") + ".png")), full_page=True)
    context.close()
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)


def test_math_is_typeset_from_the_local_mathjax(server, browser):
    tab = browser.new_page()
    tab.goto(f"{server}/book/notation.html", wait_until="networkidle")
    tab.wait_for_selector("mjx-container", timeout=10_000)
    scripts = tab.evaluate("() => Array.from(document.scripts).map(s => s.src).filter(Boolean)")
    local = [urlparse(s).path for s in scripts]
    assert any(path.endswith("/_static/mathjax/tex-chtml.js") for path in local), scripts
    tab.close()
