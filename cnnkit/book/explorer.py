"""The one shape of every explorer, and the note that stands in for it in the web book.

An explorer is a few controls (ipywidgets with visible labels) and a function that turns
their values into HTML: PNG pictures embedded as ``data:`` URIs, SVG drawings, tables,
text. :class:`Explorer` joins the two: moving a control re-renders the output. Because
the output is a pure function of the values, the same interface serves a reader in
JupyterLab, the tests and a build step that renders states without a kernel::

    explorer = ch03_conv_layer.conv_layer_explorer()
    explorer.values                # {"size": 10, "f": 3, ...}
    explorer.set(stride=1)         # moves the slider, re-renders, returns the HTML
    explorer.html                  # what the widget shows now
    explorer.render(stride=3)      # the HTML of another setting; no widget moves
    explorer.widget                # the ipywidgets box to display

An explorer needs a running kernel: in the web book a slider would move but nothing would
change. So the book hides each explorer's output in the HTML (cell tag ``remove-output``)
and shows, right after it, :func:`live_note` and a static figure of a few settings.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import HTML

from cnnkit.book.style import OKABE_ITO, warning_box

#: ``settle(values, changed) -> values``: the values after a change, with the rules that
#: tie controls together applied (a preset fills the weight boxes, ...).
Settle = Callable[[dict[str, Any], frozenset[str]], dict[str, Any]]
#: ``limits(values) -> {name: {trait: value}}``: traits of the controls that depend on
#: the values, such as a slider's ``max`` or a button's ``disabled``.
Limits = Callable[[dict[str, Any]], dict[str, dict[str, Any]]]


class InvalidSetting(ValueError):
    """Raised by a render function for values it cannot draw.

    The explorer shows ``warning_box(headline, body)`` instead of an output; the widget
    keeps its last valid output under the warning, and says so with ``keeps``.

    Parameters
    ----------
    headline : str
        Plain text, e.g. ``"Not a valid filter"``.
    body : str
        HTML (escape any text that comes from the reader).
    keeps : str
        Plain text added to the body when the last valid output stays on show.
    """

    def __init__(
        self,
        headline: str,
        body: str,
        keeps: str = "The output below still shows the last valid setting.",
    ) -> None:
        super().__init__(f"{headline}: {body}")
        self.headline = headline
        self.body = body
        self.keeps = keeps

    def html(self, kept: bool = False) -> str:
        """The warning box; with ``kept``, it says that the last valid output stays."""
        body = f"{self.body} {html.escape(self.keeps)}" if kept else self.body
        return warning_box(html.escape(self.headline), body)


class Explorer:
    """Controls, a render function and the widget that shows its output.

    Parameters
    ----------
    controls : mapping of str to ipywidgets.ValueWidget
        The controls by name, in display order. Each name is a keyword of ``render``;
        each control has a visible label (``description``) or a ``tooltip``.
    render : callable
        ``render(**values) -> str``: the output for these values, as HTML. It raises
        :class:`InvalidSetting` for values it cannot draw.
    settle : callable, optional
        ``settle(values, changed) -> values``: rules that tie controls together.
    limits : callable, optional
        ``limits(values) -> {name: {trait: value}}``: traits such as a slider's ``max``
        that depend on the values. A value outside a new ``min``/``max`` is clamped.
    arrange : callable, optional
        ``arrange(controls, output) -> widget``: the layout; by default the controls one
        under the other, then the output.

    Attributes
    ----------
    controls : dict of str to ipywidgets.ValueWidget
    output : ipywidgets.HTML
        Where the rendered HTML goes.
    widget : ipywidgets.Widget
        The whole explorer, to display.
    """

    def __init__(
        self,
        controls: Mapping[str, w.ValueWidget],
        render: Callable[..., str],
        *,
        settle: Settle | None = None,
        limits: Limits | None = None,
        arrange: Callable[[dict[str, w.ValueWidget], w.HTML], w.Widget] | None = None,
    ) -> None:
        self.controls = dict(controls)
        self._render = render
        self._settle = settle
        self._limits = limits
        self._quiet = False
        self._last_valid = ""
        self.output = w.HTML()
        self.output.add_class("cnnkit-explorer-output")
        if arrange is None:
            self.widget = w.VBox([*self.controls.values(), self.output])
        else:
            self.widget = arrange(self.controls, self.output)
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self._moved(name, change), names="value")
        self.set()

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={value!r}" for name, value in self.values.items())
        return f"Explorer({settings})"

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    @property
    def html(self) -> str:
        """The HTML the widget shows now."""
        return self.output.value

    def _settled(self, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict]]:
        """(values, traits) after ``changes``: the rules, then the limits, applied."""
        unknown = sorted(set(changes) - set(self.controls))
        if unknown:
            raise ValueError(
                f"Explorer: no control named {', '.join(map(repr, unknown))}; "
                f"the controls are {', '.join(self.controls)}"
            )
        values = self.values | changes
        if self._settle is not None:
            values = self._settle(values, frozenset(changes))
        traits = {} if self._limits is None else self._limits(values)
        for name, bounds in traits.items():
            value = values[name]
            if "max" in bounds:
                value = min(value, bounds["max"])
            if "min" in bounds:
                value = max(value, bounds["min"])
            values[name] = value
        return values, traits

    def render(self, **values: Any) -> str:
        """The HTML for these values (the others as they are now); no control moves.

        A setting the render function cannot draw gives its warning box.
        """
        settled, _ = self._settled(values)
        try:
            return self._render(**settled)
        except InvalidSetting as invalid:
            return invalid.html()

    def set(self, **changes: Any) -> str:
        """Move controls to new values, re-render, and return the new HTML.

        ``explorer.set()`` with no argument re-renders the current values.
        """
        values, traits = self._settled(changes)
        self._quiet = True  # the changes below are ours: one render at the end
        try:
            for name, named_traits in traits.items():
                for trait, value in named_traits.items():
                    setattr(self.controls[name], trait, value)
            for name, value in values.items():
                if self.controls[name].value != value:
                    self.controls[name].value = value
        finally:
            self._quiet = False
        try:
            self._last_valid = self._render(**values)
            self.output.value = self._last_valid
        except InvalidSetting as invalid:
            kept = bool(self._last_valid)
            self.output.value = invalid.html(kept=kept) + self._last_valid
        return self.output.value

    def _moved(self, name: str, change: dict) -> None:
        if not self._quiet:
            self.set(**{name: change["new"]})


# --------------------------------------------------------------------------- the web book
def _find_config(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "_config.yml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "binder_url: no _config.yml in the current folder or its parents; run the notebook "
        "from inside the book's repository"
    )


def binder_url(notebook: str, config: Path | None = None) -> str:
    """The Binder link that opens ``notebooks/<notebook>`` in JupyterLab.

    The repository and branch are read from ``_config.yml`` (``repository: url, branch``
    and ``launch_buttons: binderhub_url``), the one place that names them.
    """
    import yaml  # installed with jupyter-book; only needed here

    settings = yaml.safe_load((config or _find_config()).read_text())
    repo = settings["repository"]["url"].rstrip("/")
    branch = settings["repository"].get("branch", "main")
    hub = settings.get("launch_buttons", {}).get("binderhub_url", "https://mybinder.org")
    owner_name = repo.split("github.com/")[-1]
    return f"{hub.rstrip('/')}/v2/gh/{owner_name}/{branch}?urlpath=lab/tree/notebooks/{notebook}"


def live_note(notebook: str) -> HTML:
    """The one-line note that replaces an explorer in the static book."""
    url = binder_url(notebook)
    return HTML(
        f'<p class="cnnkit-live-note" style="border-left:4px solid {OKABE_ITO["blue"]};'
        'padding:0.3em 0.8em;background:#f2f7fb">'
        "<strong>Live explorer.</strong> Its controls need a running Python kernel: "
        f'<a href="{url}" style="color:#0b4f9e">open this chapter in Binder</a> or run the '
        "notebook in JupyterLab. The figure below shows a few of its settings.</p>"
    )
