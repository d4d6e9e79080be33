"""A small Sphinx extension that keeps the built book quiet and self-contained.

Jupyter Book 1 always loads sphinx-thebe, even with ``launch_buttons: thebe: false``.
Its set-up code then writes the same ``const THEBE_JS_URL = ...`` script into every page
twice, and the browser reports "Identifier 'THEBE_JS_URL' has already been declared" on
each page load. The book does not use Thebe (the launch buttons open Binder directly),
so this extension disconnects the two sphinx-thebe handlers that write its configuration
and load its script; the one that adds its (harmless) stylesheet stays, so that the
stylesheet the theme links to exists.

It also gives the theme a default colour mode: without one, pydata-sphinx-theme logs
"Got invalid theme mode" to the console on a reader's first visit.

And it fixes what axe-core finds in the page chrome: the book's own copies of two theme
components (``templates/``) give the search and colour-mode buttons an accessible name
that matches what they show; the full-width header bar, which only repeated the
sidebar's search field, is switched off (``navbar_persistent``), so each page has one
search field; the "Show code cell content" toggles of myst-nb lose an aria-label
("Toggle hidden content") that contradicted their visible text; and the entries of a
reference list (docutils writes ``role="list"`` around ``role="doc-biblioentry"``, a
deprecated role that axe-core does not accept as a list item) become list items.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

HERE = Path(__file__).parent


def _default_light_mode(app: Sphinx, config: Config) -> None:
    # pydata-sphinx-theme reads the mode from the template context, not the theme options
    config.html_context.setdefault("default_mode", "light")


def _accessible_chrome(app: Sphinx, config: Config) -> None:
    # templates_path comes before the theme's own templates, so these copies win
    config.templates_path.insert(0, str(HERE / "templates"))
    config.html_static_path.append(str(HERE / "static"))
    # /favicon.ico, which a browser asks for on a page without an icon link (the
    # redirecting index.html): a 404 there is a console error on the book's first page
    config.html_extra_path.append(str(HERE / "extra"))
    config.html_theme_options["navbar_persistent"] = []


#: (what docutils and myst-nb write, what the page needs), applied to each page's body
_BODY_FIXES = (
    # the summary's visible text ("Show code cell content") is then its accessible name
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
    ('role="doc-biblioentry"', 'role="listitem"'),
)


def _accessible_body(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    body = context.get("body")
    if body:
        for old, new in _BODY_FIXES:
            body = body.replace(old, new)
        context["body"] = body


_THEBE_HANDLERS = {"init_thebe_core", "update_thebe_context"}


def setup(app: Sphinx) -> dict:
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            handler = listener.handler
            if (
                getattr(handler, "__module__", "").startswith("sphinx_thebe")
                and getattr(handler, "__name__", "") in _THEBE_HANDLERS
            ):
                app.disconnect(listener.id)
    app.connect("config-inited", _default_light_mode)
    app.connect("config-inited", _accessible_chrome)
    app.connect("html-page-context", _accessible_body)
    app.add_css_file("offline_book.css")
    # the explorers' web forms: the book's own script, no library (see cnnkit.book.explorer)
    app.add_js_file("webform.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
