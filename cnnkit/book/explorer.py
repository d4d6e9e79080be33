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

The web book has no kernel, so an explorer also declares a ``grid``: a few values for
each control. :meth:`Explorer.web_form` renders every combination at build time and
writes real HTML controls (range inputs and selects, each with a visible label, usable
with the keyboard) over the precomputed states; ``book/_ext/static/webform.js`` (the
book's own few lines, no library) shows the state that matches the controls. Pictures
and drawings that several states share are stored once. An explorer displayed in a
notebook offers both forms: JupyterLab shows the live widget, and the web book, which
drops the widget's mime type (``nb_mime_priority_overrides`` in ``_config.yml``), the
web form.
"""

from __future__ import annotations

import html
import itertools
import json
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w

from cnnkit.book.style import warning_box

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
    grid : mapping of str to sequence, optional
        The values each control takes in the web book's form (:meth:`web_form`), by
        name; controls left out keep their start value there. The form offers every
        combination, so keep the product small (a few hundred states).
    source : str, optional
        ``"module:function"`` that builds this explorer, written into the web form so that
        a test can recompute any state with cnnkit.

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
        grid: Mapping[str, Sequence[Any]] | None = None,
        source: str = "",
    ) -> None:
        self.controls = dict(controls)
        self.grid = {name: list(values) for name, values in (grid or {}).items()}
        self.source = source
        unknown = sorted(set(self.grid) - set(self.controls))
        if unknown:
            raise ValueError(f"Explorer: the grid names no control {', '.join(unknown)}")
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

    # ------------------------------------------------------------------- the web form
    def web_states(self) -> tuple[list[str], dict[str, Any]]:
        """Every state of the web form: (the grid's names, the data the page embeds).

        The data has, per combination of grid indices ``"i|j|k"``, the index of its
        HTML in ``html`` and the values it really shows (after the explorer's rules:
        a window kept inside the image, a preset's weights, ...). Data URIs and SVG
        drawings are stored once, in ``parts``, and referenced as ``@@cnnkit:N@@``.
        """
        names = list(self.grid)
        start = self.values
        lists = [list(self.grid[name]) for name in names]
        for name, values in zip(names, lists, strict=True):
            if start[name] not in values:
                values.insert(0, start[name])
        parts: list[str] = []
        part_index: dict[str, int] = {}
        pages: list[str] = []
        page_index: dict[str, int] = {}
        states: dict[str, list[int | list[Any]]] = {}

        def share(match: re.Match) -> str:
            fragment = match.group(0)
            if fragment not in part_index:
                part_index[fragment] = len(parts)
                parts.append(fragment)
            return f"@@cnnkit:{part_index[fragment]}@@"

        for combo in itertools.product(*[range(len(v)) for v in lists]):
            values = {
                name: lists[k][i] for k, (name, i) in enumerate(zip(names, combo, strict=True))
            }
            settled, _ = self._settled(values)
            page = _SHARED.sub(share, self.render(**values))
            if page not in page_index:
                page_index[page] = len(pages)
                pages.append(page)
            shown = [_jsonable(settled[name]) for name in names]
            states["|".join(map(str, combo))] = [page_index[page], shown]
        data = {
            "names": names,
            "values": [[_jsonable(v) for v in values] for values in lists],
            "start": [v.index(start[name]) for name, v in zip(names, lists, strict=True)],
            "states": states,
            "html": pages,
            "parts": parts,
        }
        return names, data

    def web_form(self) -> str:
        """The web book's form of this explorer: HTML controls over precomputed states."""
        names, data = self.web_states()
        _FORMS[0] += 1
        prefix = f"cnnkit-wf{_FORMS[0]}"
        rows = []
        for k, name in enumerate(names):
            control = self.controls[name]
            label = html.escape(control.description or name)
            ident = f"{prefix}-{name}"
            values = data["values"][k]
            start = data["start"][k]
            shown = html.escape(str(values[start]))
            # a slider in JupyterLab slides here too; a choice (dropdown, buttons) drops down
            if hasattr(control, "max") and all(_is_number(v) for v in values):
                field = (
                    f'<input type="range" id="{ident}" name="{name}" min="0" '
                    f'max="{len(values) - 1}" step="1" value="{start}" '
                    f'aria-valuetext="{shown}">'
                )
            else:
                options = "".join(
                    f'<option value="{i}"{" selected" if i == start else ""}>'
                    f"{html.escape(str(v))}</option>"
                    for i, v in enumerate(values)
                )
                field = f'<select id="{ident}" name="{name}">{options}</select>'
            rows.append(
                f'<div class="cnnkit-webform__control"><label for="{ident}">{label}</label>'
                f'{field}<output for="{ident}">{shown}</output></div>'
            )
        first = "|".join(map(str, data["start"]))
        page_number, _ = data["states"][first]
        start_html = re.sub(
            r"@@cnnkit:(\d+)@@", lambda m: data["parts"][int(m.group(1))], data["html"][page_number]
        )
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        return (
            f'<div class="cnnkit-webform" data-explorer="{html.escape(self.source)}">'
            f'<form class="cnnkit-webform__controls" aria-label="Explorer controls">'
            f"{''.join(rows)}</form>"
            f'<p class="cnnkit-webform__note">{self._web_note()}</p>'
            f'<div class="cnnkit-webform__output" aria-live="polite">{start_html}</div>'
            f'<script type="application/json" class="cnnkit-webform__data">{payload}</script>'
            "</div>"
        )

    def _web_note(self) -> str:
        """The line under the web form, with a Binder link to the chapter when known."""
        found = re.search(r"\.ch(\d\d_\w+):", self.source)
        if not found:
            return WEB_NOTE
        try:
            url = binder_url(f"{found.group(1)}.ipynb")
        except FileNotFoundError:  # run outside the repository: no link to give
            return WEB_NOTE
        return WEB_NOTE.replace("Binder", f'<a href="{html.escape(url)}">Binder</a>', 1)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The live widget for JupyterLab, and the web form for the static web book."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = self.web_form()
        return bundle


#: The line under every web form.
WEB_NOTE = (
    "This page shows precomputed settings, a few values per control. In JupyterLab or "
    "Binder the explorer is live and takes any value."
)
#: What several states of a web form share and store once: pictures and drawings.
_SHARED = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+|<svg\b.*?</svg>", re.DOTALL)
_FORMS = [0]  # forms written in this kernel, for unique element ids


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _jsonable(value: Any) -> Any:
    """A value as JSON can hold it (numpy scalars become Python numbers)."""
    if hasattr(value, "item"):
        return value.item()
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


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
