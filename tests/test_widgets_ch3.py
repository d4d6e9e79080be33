"""The explorer of chapter 3 (cnnkit.widgets.conv_layer_explorer)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re
import time

import pytest

from cnnkit import widgets
from cnnkit.cost import conv2d_cost


@pytest.fixture
def explorer():
    return widgets.conv_layer_explorer()


def _set(explorer, **values):
    for name, value in values.items():
        getattr(explorer.controls, name).value = value


def _numbers(html: str) -> list[int]:
    """The bold numbers of the summary: shape, parameters, multiply-adds."""
    return [int(n.replace(",", "")) for n in re.findall(r"<b>([\d,]+)</b>", html)]


def _shape(html: str) -> tuple[int, ...]:
    match = re.search(r"<b>\((\d+), (\d+), (\d+)\)</b>", html)
    return tuple(int(n) for n in match.groups())


def test_it_builds_with_six_sliders(explorer):
    c = explorer.controls
    sliders = [c.size, c.f, c.stride, c.padding, c.filters, c.channels]
    assert [s.description for s in sliders] == [
        "input size W",
        "filter size F",
        "stride S",
        "padding P",
        "filters K",
        "channels C",
    ]
    assert c.summary.value and c.drawing.value.startswith("<svg")


def test_a_slider_updates_the_output_shape(explorer):
    _set(explorer, size=10, f=3, stride=1, padding=1, filters=4, channels=3)
    assert _shape(explorer.controls.summary.value) == (4, 10, 10)
    _set(explorer, stride=3)  # (10 - 3 + 2)/3 + 1 = 4
    assert _shape(explorer.controls.summary.value) == (4, 4, 4)
    _set(explorer, filters=7)
    assert _shape(explorer.controls.summary.value) == (7, 4, 4)
    assert explorer.controls.warning.value == ""


@pytest.mark.parametrize(
    "setting",
    [
        {"size": 6, "f": 3, "stride": 1, "padding": 0, "filters": 4, "channels": 3},
        {"size": 32, "f": 5, "stride": 1, "padding": 2, "filters": 6, "channels": 1},
        {"size": 27, "f": 11, "stride": 4, "padding": 0, "filters": 96, "channels": 3},
        {"size": 15, "f": 3, "stride": 2, "padding": 1, "filters": 10, "channels": 16},
    ],
)
def test_numbers_shown_match_conv2d_cost(explorer, setting):
    _set(explorer, **setting)
    cost = conv2d_cost(
        (setting["channels"], setting["size"], setting["size"]),
        setting["filters"],
        setting["f"],
        stride=setting["stride"],
        padding=setting["padding"],
    )
    html = explorer.controls.summary.value
    assert _shape(html) == cost.output_shape
    assert _numbers(html) == [cost.params, cost.macs]


def test_an_invalid_setting_warns_with_the_strict_message_and_does_not_crash(explorer):
    _set(explorer, size=10, f=3, stride=2, padding=0, filters=4, channels=3)
    warning = explorer.controls.warning.value
    assert "Invalid setting" in warning
    assert "(10 - 3 + 2*0)/2 + 1 = 4.5 is not a whole number" in warning
    assert "gives 5×5" in warning  # the ceil result is named too
    # the drawing and the numbers fall back to floor mode
    floor = conv2d_cost((3, 10, 10), 4, 3, stride=2, mode="floor")
    html = explorer.controls.summary.value
    assert _shape(html) == floor.output_shape == (4, 4, 4)
    assert _numbers(html) == [floor.params, floor.macs]
    assert "cnnkit-hatch" in explorer.controls.drawing.value
    # back to a valid setting: the warning goes away
    _set(explorer, size=11)
    assert explorer.controls.warning.value == ""


def test_a_filter_larger_than_the_input_warns_and_clears_the_drawing(explorer):
    _set(explorer, size=3, padding=0, f=9)
    assert "no window fits" in explorer.controls.warning.value
    assert "larger than the padded input" in explorer.controls.warning.value
    assert explorer.controls.drawing.value == ""
    # the parameters do not depend on the input, so they are still shown
    params = conv2d_cost((3, 9, 9), 4, 9).params
    assert f"<b>{params:,}</b>" in explorer.controls.summary.value


def test_every_slider_setting_along_each_axis_works(explorer):
    c = explorer.controls
    for slider in (c.size, c.f, c.stride, c.padding):
        for value in range(slider.min, slider.max + 1):
            slider.value = value
            assert c.summary.value  # no exception escaped the callback


def test_an_update_is_fast(explorer):
    # the book promises 0.1 s per change; the drawing is SVG text, far below that
    _set(explorer, size=32, f=3, stride=1, padding=5)
    start = time.perf_counter()
    for value in (2, 1, 2, 1):
        explorer.controls.stride.value = value
    assert (time.perf_counter() - start) / 4 < 0.1
