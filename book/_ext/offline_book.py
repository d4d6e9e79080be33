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
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config


def _default_light_mode(app: Sphinx, config: Config) -> None:
    # pydata-sphinx-theme reads the mode from the template context, not the theme options
    config.html_context.setdefault("default_mode", "light")


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
