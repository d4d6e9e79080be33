"""The web book's explorers move: every control of every web form, with the keyboard and
with the pointer, changes the state shown, and the state shown is what cnnkit computes
for the values on the controls.

Each form names the function that builds its explorer (``data-explorer``); the test
builds it in Python, renders the values the form shows, and compares the two after the
browser has parsed both (so that attribute quoting and entities do not matter).

Needs the built book (``bash scripts/build_book.sh``) and Debian's ``chromium``.
"""

from __future__ import annotations

import importlib

import pytest
from test_pages import HTML, _pages

pytestmark = pytest.mark.browser

FORM_PAGES = [page for page in _pages() if "cnnkit-webform" in (HTML / page).read_text()]


def _explorer(source: str):
    module, function = source.split(":")
    return getattr(importlib.import_module(module), function)()


def _shown_values(form) -> dict:
    return form.evaluate(
        """(form) => {
            const data = JSON.parse(form.querySelector('script.cnnkit-webform__data').textContent);
            const values = {};
            data.names.forEach((name, k) => {
                const control = form.querySelector('[name="' + name + '"]');
                values[name] = data.values[k][Number(control.value)];
            });
            return values;
        }"""
    )


def _check_matches_cnnkit(tab, form, explorer, what: str) -> None:
    values = _shown_values(form)
    expected = explorer.render(**values)
    shown = form.locator(".cnnkit-webform__output").evaluate("(e) => e.innerHTML")
    parsed = tab.evaluate(
        "(h) => { const d = document.createElement('div'); d.innerHTML = h; return d.innerHTML; }",
        expected,
    )
    assert shown == parsed, f"{what}: the page does not show what cnnkit computes for {values}"


def test_every_chapter_with_an_explorer_has_a_web_form():
    chapters = [page for page in _pages() if page.startswith("notebooks/")]
    assert chapters and set(chapters) <= set(FORM_PAGES), set(chapters) - set(FORM_PAGES)


@pytest.mark.parametrize("page", FORM_PAGES)
def test_each_control_moves_with_keyboard_and_pointer(page, server, browser):
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(f"{server}/{page}", wait_until="networkidle")
    form = tab.locator(".cnnkit-webform").first
    form.scroll_into_view_if_needed()
    explorer = _explorer(form.get_attribute("data-explorer"))
    _check_matches_cnnkit(tab, form, explorer, f"{page}, at the start")
    names = form.evaluate(
        "(f) => JSON.parse(f.querySelector('script.cnnkit-webform__data').textContent).names"
    )
    assert names, f"{page}: a web form without controls"
    for name in names:
        control = form.locator(f'[name="{name}"]')
        label = form.locator(f'label[for="{control.get_attribute("id")}"]').inner_text()
        assert label.strip(), f"{page}: control {name} has no visible label"
        kind = control.evaluate("(e) => e.tagName + ':' + (e.type || '')")

        # keyboard: focus the control and press an arrow key
        before = form.get_attribute("data-state")
        control.focus()
        at_end = control.evaluate("(e) => Number(e.value) >= Number(e.max || e.length - 1)")
        tab.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        if kind.startswith("SELECT"):
            tab.keyboard.press("ArrowUp" if at_end else "ArrowDown")
        after = form.get_attribute("data-state")
        assert after != before, f"{page}: the keyboard did not move {name} ({kind})"
        _check_matches_cnnkit(tab, form, explorer, f"{page}, {name} by keyboard")

        # pointer: click the far end of a slider, or pick an option of a select
        before = after
        if kind.startswith("INPUT"):
            box = control.bounding_box()
            going_left = control.evaluate("(e) => Number(e.value) > Number(e.max) / 2")
            x = box["x"] + (2 if going_left else box["width"] - 2)
            tab.mouse.click(x, box["y"] + box["height"] / 2)
        else:
            options = control.locator("option").count()
            current = int(control.input_value())
            control.select_option(index=(current + 1) % options)
        assert form.get_attribute("data-state") != before, (
            f"{page}: the pointer did not move {name}"
        )
        _check_matches_cnnkit(tab, form, explorer, f"{page}, {name} by pointer")
    tab.close()
    assert not errors, f"{page}: page errors {errors}"
