"""Each chapter in JupyterLab, as a reader running it: all cells run without an error,
every markdown cell renders (jupyterlab-myst: no raw MyST role or directive, no number
left as its bare expression, no "Unknown Directive" box), the explorer's widgets render
(ipywidgets 8 in JupyterLab 4 needs no extension step), and moving a control changes
what the explorer shows.

Starts JupyterLab on 127.0.0.1 with a random port and token, drives it with Debian's
chromium through Playwright, and saves a screenshot per chapter to
``test-artifacts/jupyterlab/``.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "jupyterlab"
NOTEBOOKS = [
    "book/introduction.ipynb",
    *sorted(f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
]
#: What a rendered markdown cell must not show: MyST that was not rendered (a role or a
#: directive fence), jupyterlab-myst's box for an unknown directive or role, or an
#: {eval} value still showing its expression (prose.name) instead of the number.
RAW_MYST = re.compile(
    r"\{(eval|glue|glue:text|footcite|cite|cite:p|doc|ref|numref|footbibliography)\}"
    r"|```|:::|Unknown (Directive|Role)|\bprose\.[a-z_]"
)

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = _free_port(), secrets.token_hex(8)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            "--expose-app-in-browser",
            f"--ServerApp.root_dir={ROOT}",
            "--LabApp.news_url=",
            f"--LabApp.workspaces_dir={tmp_path_factory.mktemp('workspaces')}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield url, token
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_idle(tab, timeout_s: float) -> None:
    """Wait until no cell shows the busy prompt [*] and the kernel says idle."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        busy = tab.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-InputArea-prompt'))
                   .some(e => e.textContent.includes('*'))"""
        )
        idle = tab.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if not busy and idle:
            return
        time.sleep(0.5)
    raise AssertionError(f"the notebook was still running after {timeout_s:.0f} s")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_chapter_runs_in_jupyterlab_and_its_explorer_responds(notebook, lab, browser):
    url, token = lab
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    page_errors: list[str] = []
    tab.on("pageerror", lambda e: page_errors.append(str(e)))
    # a workspace of its own, so that only this chapter is open
    workspace = Path(notebook).stem
    tab.goto(f"{url}/lab/workspaces/{workspace}/tree/{notebook}?token={token}&reset")
    tab.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    tab.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    tab.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)

    # the command acts on the current notebook: make it the active panel
    tab.evaluate(
        """(name) => {
            for (const w of window.jupyterapp.shell.widgets('main')) {
                if (w.context && w.context.path.endsWith(name)) {
                    window.jupyterapp.shell.activateById(w.id);
                }
            }
        }""",
        notebook,
    )
    tab.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            if (!panel || !panel.hasClass('jp-NotebookPanel')) return false;
            const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
            return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
        }""",
        timeout=60_000,
    )  # the notebook is the active panel and its kernel is ready
    started = time.monotonic()
    # fire and forget: the command's promise only settles when every cell has run
    tab.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    tab.wait_for_function(
        "Array.from(document.querySelectorAll('.jp-InputArea-prompt'))"
        ".some(e => /\\[[0-9*]+\\]/.test(e.textContent))",
        timeout=60_000,
    )  # the first cell has started
    _wait_idle(tab, timeout_s=120)
    elapsed = time.monotonic() - started

    errors = tab.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, f"{notebook}: a cell raised:\n{tracebacks[0][:2000]}"

    # every markdown cell, rendered (the settings turn JupyterLab's lazy rendering off)
    tab.wait_for_timeout(1000)  # {eval} values arrive after their cells have run
    texts = tab.locator(".jp-MarkdownCell .myst, .jp-MarkdownCell .jp-RenderedMarkdown")
    rendered = texts.all_inner_texts()
    cells = tab.locator(".jp-MarkdownCell").count()
    assert len(rendered) >= cells > 0, f"{notebook}: {len(rendered)} of {cells} rendered"
    raw = [
        (m.group(0), t[max(0, m.start() - 60) : m.end() + 60])
        for t in rendered
        for m in [RAW_MYST.search(t)]
        if m
    ]
    assert not raw, f"{notebook}: raw MyST in a rendered markdown cell: {raw[:3]}"
    if notebook.startswith("book/"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{Path(notebook).stem}.png"))
        tab.close()
        assert not page_errors, f"{notebook}: page errors {page_errors}"
        return  # the introduction has no explorer

    views = tab.locator(".jupyter-widgets.widget-box, .jupyter-widgets.widget-hbox")
    # JupyterLab renders cells far from the viewport lazily: wait for the explorer to be
    # in the page, then scroll to it
    views.first.wait_for(state="attached", timeout=30_000)
    views.first.scroll_into_view_if_needed()
    explorer = tab.locator(".jp-OutputArea-output:has(.jupyter-widgets)").first
    # what the explorer draws: its output widget (class cnnkit-explorer-output), not the
    # controls, whose own value labels change with any move
    pictures_js = """(area) => Array.from(area.querySelectorAll('.cnnkit-explorer-output'))
        .map(e => e.innerHTML).join('|')"""
    tab.wait_for_function(
        f"() => ({pictures_js})(document.querySelector("
        "'.jp-OutputArea-output:has(.jupyter-widgets)')).length > 0",
        timeout=30_000,
    )  # the explorer has drawn its first picture
    before = explorer.evaluate(pictures_js)

    # Move the first control the explorer offers, the way a reader would: a slider with
    # the arrow keys, a dropdown by choosing its next option.
    slider = tab.locator(".jupyter-widgets .noUi-handle")
    if slider.count():
        slider.first.focus()
        for _ in range(3):
            tab.keyboard.press("ArrowRight")
    else:
        select = tab.locator(".jupyter-widgets select").first
        options = select.locator("option").all_inner_texts()
        select.select_option(label=options[1])
    tab.wait_for_timeout(2000)
    after = explorer.evaluate(pictures_js)

    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{Path(notebook).stem}.png"))
    tab.close()
    assert before != after, f"{notebook}: moving a control did not change what the explorer shows"
    assert not page_errors, f"{notebook}: page errors {page_errors}"
    assert elapsed < 120, f"{notebook}: running all cells took {elapsed:.0f} s"
