"""The one shape of every explorer (cnnkit.book.explorer), the Binder note, and one test
that drives every chapter's explorer through the same interface."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest

from cnnkit.book import ch01_images, ch02_convolution, ch03_conv_layer, explorer
from cnnkit.book.explorer import Explorer, InvalidSetting

CHAPTER_EXPLORERS = {
    "ch01_images": ch01_images.pixel_explorer,
    "ch02_convolution": ch02_convolution.filter_explorer,
    "ch03_conv_layer": ch03_conv_layer.conv_layer_explorer,
}


# --------------------------------------------------------------------------- a small explorer
def _sum_html(a: int, b: int) -> str:
    if a + b > 10:
        raise InvalidSetting("Too large", f"{a} + {b} is over 10.")
    return f"<p>{a} + {b} = {a + b}</p>"


def _adder(**options) -> tuple[Explorer, list]:
    rendered = []

    def render(a: int, b: int) -> str:
        rendered.append((a, b))
        return _sum_html(a, b)

    controls = {
        "a": w.IntSlider(value=1, min=0, max=9, description="a"),
        "b": w.IntSlider(value=2, min=0, max=9, description="b"),
    }
    return Explorer(controls, render, **options), rendered


def test_it_renders_once_at_the_start_and_once_per_change():
    adder, rendered = _adder()
    assert adder.html == "<p>1 + 2 = 3</p>" and rendered == [(1, 2)]
    assert adder.values == {"a": 1, "b": 2}
    assert adder.set(a=4, b=5) == "<p>4 + 5 = 9</p>" == adder.output.value
    assert rendered[-1] == (4, 5) and len(rendered) == 2  # two controls, one render
    adder.controls["a"].value = 3  # as a reader moves the slider
    assert adder.html == "<p>3 + 5 = 8</p>"
    assert isinstance(adder.widget, w.VBox) and adder.output in adder.widget.children
    assert repr(adder) == "Explorer(a=3, b=5)"


def test_render_draws_another_setting_without_moving_a_control():
    adder, _ = _adder()
    assert adder.render(b=7) == "<p>1 + 7 = 8</p>"
    assert adder.values == {"a": 1, "b": 2} and adder.html == "<p>1 + 2 = 3</p>"


def test_an_invalid_setting_shows_the_warning_and_keeps_the_last_output():
    adder, _ = _adder()
    page = adder.set(a=9, b=9)
    assert page.startswith('<div role="alert"') and "⚠ Too large.</b> 9 + 9 is over 10." in page
    assert "still shows the last valid setting" in page
    assert page.endswith("<p>1 + 2 = 3</p>")
    alone = adder.render(a=9, b=8)  # no last output to keep
    assert "⚠ Too large" in alone and "still shows" not in alone and "<p>" not in alone


def test_unknown_controls_are_named():
    adder, _ = _adder()
    with pytest.raises(ValueError, match="no control named 'c'; the controls are a, b"):
        adder.set(c=1)


def test_settle_ties_controls_and_limits_clamp_them():
    def settle(values, changed):
        if "a" in changed:
            values["b"] = values["a"]  # b follows a
        return values

    def limits(values):
        return {"b": {"max": 9 - values["a"]}}

    adder, _ = _adder(settle=settle, limits=limits)
    assert adder.values == {"a": 1, "b": 2}
    adder.set(a=6)  # b follows to 6, then the limit 9 - 6 = 3 clamps it
    assert adder.values == {"a": 6, "b": 3} and adder.controls["b"].max == 3
    assert adder.render(a=2) == "<p>2 + 2 = 4</p>"


def test_a_custom_layout():
    adder, _ = _adder(arrange=lambda controls, output: w.HBox([*controls.values(), output]))
    assert isinstance(adder.widget, w.HBox) and len(adder.widget.children) == 3


# --------------------------------------------------------------------------- every chapter
def _another_value(control: w.ValueWidget):
    """A value of ``control`` other than its current one, as a reader could choose."""
    if isinstance(control, w.IntSlider):
        return control.max if control.value != control.max else control.min
    if isinstance(control, w.Dropdown | w.ToggleButtons):
        return next(option for option in control.options if option != control.value)
    if isinstance(control, w.Text):
        return "7" if control.value != "7" else "-3"
    raise AssertionError(f"no rule for a {type(control).__name__}")


@pytest.mark.parametrize("name", list(CHAPTER_EXPLORERS))
def test_every_control_of_every_explorer_changes_its_output(name):
    chapter = CHAPTER_EXPLORERS[name]()
    assert isinstance(chapter, Explorer) and isinstance(chapter.widget, w.Widget)
    for label, control in chapter.controls.items():
        assert control.description or control.tooltip, f"{name}: {label} has no label"
    start = dict(chapter.values)
    for label in start:
        control = chapter.controls[label]
        before = chapter.html
        value = _another_value(control)
        static = chapter.render(**{label: value})
        page = chapter.set(**{label: value})
        assert page == chapter.html and page != before, f"{name}: {label} = {value!r}"
        assert page == static, f"{name}: render and set differ for {label} = {value!r}"
        chapter.set(**start)  # back to the start for the next control
        assert chapter.html == before


# --------------------------------------------------------------------------- Binder
def test_binder_url_comes_from_the_config(tmp_path: Path):
    config = tmp_path / "_config.yml"
    config.write_text(
        "repository:\n  url: https://github.com/someone/some-book/\n  branch: dev\n"
        "launch_buttons:\n  binderhub_url: https://binder.example.org\n"
    )
    url = explorer.binder_url("02_convolution.ipynb", config=config)
    assert url == (
        "https://binder.example.org/v2/gh/someone/some-book/dev"
        "?urlpath=lab/tree/notebooks/02_convolution.ipynb"
    )


def test_binder_url_of_this_repository_and_the_note(monkeypatch):
    monkeypatch.chdir(Path(__file__).parent)  # found by walking up to the repository root
    note = explorer.live_note("01_images.ipynb")._repr_html_()
    assert "mybinder.org/v2/gh/" in note and "notebooks/01_images.ipynb" in note
    assert "Live explorer" in note


def test_binder_url_without_a_config_says_where_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no _config.yml"):
        explorer.binder_url("01_images.ipynb")
