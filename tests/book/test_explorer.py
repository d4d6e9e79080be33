"""The one shape of every explorer (cnnkit.book.explorer), its web form, the Binder link,
and tests that drive every chapter's explorer through the same interface."""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w
import numpy as np
import pytest
from book_checks import assert_web_states_render, web_page

from cnnkit.book import (
    ch01_images,
    ch02_convolution,
    ch03_conv_layer,
    ch04_relu,
    ch05_pooling,
    ch06_dropout,
    ch07_one_by_one,
    ch08_flatten_dense,
    ch09_softmax,
    ch10_whole_network,
    explorer,
)
from cnnkit.book.explorer import Explorer, InvalidSetting

CHAPTER_EXPLORERS = {
    "ch01_images": ch01_images.pixel_explorer,
    "ch02_convolution": ch02_convolution.filter_explorer,
    "ch03_conv_layer": ch03_conv_layer.conv_layer_explorer,
    "ch04_relu": ch04_relu.activation_explorer,
    "ch05_pooling": ch05_pooling.pooling_explorer,
    "ch06_dropout": ch06_dropout.dropout_explorer,
    "ch07_one_by_one": ch07_one_by_one.bottleneck_explorer,
    "ch08_flatten_dense": ch08_flatten_dense.flatten_dense_explorer,
    "ch09_softmax": ch09_softmax.temperature_explorer,
    "ch10_whole_network": ch10_whole_network.network_explorer,
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
    if isinstance(control, w.IntSlider | w.FloatSlider):
        return control.max if control.value != control.max else control.min
    if isinstance(control, w.Dropdown | w.ToggleButtons):
        return next(option for option in control.options if option != control.value)
    if isinstance(control, w.Text):
        return "7" if control.value != "7" else "-3"
    if isinstance(control, w.Checkbox | w.ToggleButton):
        return not control.value
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
        if 'role="alert"' in static:
            # a setting the explorer cannot draw: the live widget shows the same warning,
            # and keeps the last valid output under it
            assert 'role="alert"' in page, f"{name}: no warning for {label} = {value!r}"
        else:
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


def test_the_web_form_note_links_to_the_chapter_in_binder(monkeypatch):
    monkeypatch.chdir(Path(__file__).parent)  # found by walking up to the repository root
    from cnnkit.book import ch03_conv_layer

    note = ch03_conv_layer.conv_layer_explorer()._web_note()
    assert "mybinder.org/v2/gh/" in note and "notebooks/03_conv_layer.ipynb" in note
    assert "takes any value" in note


def test_binder_url_without_a_config_says_where_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no _config.yml"):
        explorer.binder_url("01_images.ipynb")


# --------------------------------------------------------------------------- the web form
def _explorer_with_grid():
    controls = {
        "a": w.IntSlider(value=2, min=0, max=9, description="a"),
        "b": w.Dropdown(options=[1, 5, 9], value=1, description="b"),
    }
    return Explorer(controls, _sum_html, grid={"a": [0, 2, 4], "b": [1, 9]}, source="x:y")


def test_the_web_form_has_a_state_for_every_combination_of_the_grid():
    explorer = _explorer_with_grid()
    names, data = explorer.web_states()
    assert names == ["a", "b"] and data["values"] == [[0, 2, 4], [1, 9]]
    assert len(data["states"]) == 6 and data["start"] == [1, 0]
    assert web_page(data, "2|0") == "<p>4 + 1 = 5</p>"
    # an invalid setting shows the same warning box as the live explorer
    invalid = web_page(data, "2|1")
    assert invalid == explorer.render(a=4, b=9) and 'role="alert"' in invalid
    form = explorer.web_form()
    for name, label in [("a", "a"), ("b", "b")]:
        assert re.search(rf'<label for="(cnnkit-wf\d+-{name})">{label}</label>', form)
    assert 'type="range"' in form and "<select" in form  # sliders slide, choices drop down
    assert "<p>2 + 1 = 3</p>" in form  # the start state is in the page before any script runs
    assert "takes any value" in form


def test_a_start_value_outside_the_grid_is_added_to_it():
    explorer = _explorer_with_grid()
    explorer.set(a=7)
    _, data = explorer.web_states()
    assert data["values"][0] == [7, 0, 2, 4] and data["start"] == [0, 0]


@pytest.mark.parametrize("name", list(CHAPTER_EXPLORERS))
def test_every_web_state_is_what_the_explorer_renders_and_the_page_is_light(name):
    chapter = CHAPTER_EXPLORERS[name]()
    names, data = chapter.web_states()
    sizes = [len(values) for values in data["values"]]
    assert len(data["states"]) == int(np.prod(sizes)) <= 1000
    rng = np.random.default_rng(0)
    keys = rng.choice(sorted(data["states"]), size=12, replace=False)
    assert_web_states_render(chapter, keys)
    form = chapter.web_form()
    assert (
        "</script"
        not in form.split('class="cnnkit-webform__data">', 1)[1][: -len("</script></div>")]
    )
    assert len(form) < 2.5 * 2**20, f"{name}: the web form weighs {len(form) / 2**20:.2f} MB"
