"""The chapter 2 explorer: pick an image and a 3×3 filter, see the feature map."""

from __future__ import annotations

from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnkit import widgets  # noqa: E402
from cnnkit.filters import PRESETS  # noqa: E402


@pytest.fixture(scope="module")
def explorer():
    return widgets.filter_explorer()


def _typed(controls) -> np.ndarray:
    return np.array([float(Fraction(c.value)) for c in controls.cells]).reshape(3, 3)


def test_the_explorer_builds_with_a_map(explorer):
    c = explorer.controls
    assert c.image.value == "photo: china (grey)"
    assert c.preset.value == "vertical_edge"
    assert len(c.cells) == 9
    np.testing.assert_array_equal(_typed(c), PRESETS["vertical_edge"])
    assert bytes(c.map_view.value).startswith(b"\x89PNG")
    assert bytes(c.input_view.value).startswith(b"\x89PNG")
    assert "427×640" in c.info.value and "425×638" in c.info.value
    assert c.message.value == ""


def test_picking_a_preset_fills_the_boxes_and_redraws(explorer):
    c = explorer.controls
    before = c.map_view.value
    c.preset.value = "box_blur"
    assert [cell.value for cell in c.cells] == ["1/9"] * 9
    assert c.map_view.value != before
    assert "grey levels" in c.info.value
    c.preset.value = "sobel_y"
    np.testing.assert_array_equal(_typed(c), PRESETS["sobel_y"])
    assert "orange = positive" in c.info.value


def test_picking_an_image_redraws_both_views(explorer):
    c = explorer.controls
    c.preset.value = "x_filter"
    before_input, before_map = c.input_view.value, c.map_view.value
    c.image.value = "5×5 example image"
    assert c.input_view.value != before_input
    assert c.map_view.value != before_map
    assert "5×5" in c.info.value and "3×3" in c.info.value
    # a small map is also written out as numbers: the X filter finds its X (value 5)
    assert "<pre" in c.info.value
    rows = c.info.value.split("<pre")[1].split(">", 1)[1].split("</pre>")[0].splitlines()
    values = np.array([[float(v) for v in row.split()] for row in rows])
    np.testing.assert_array_equal(values, [[0, 2, 2], [5, 1, 2], [0, 2, 3]])


def test_typing_a_weight_switches_to_custom_and_redraws(explorer):
    c = explorer.controls
    c.image.value = "5×5 example image"
    c.preset.value = "x_filter"
    c.cells[4].value = "-1/2"
    assert c.preset.value == "custom (typed in)"
    assert c.message.value == ""
    # the window with the X now gives 4 corners + (1 centre pixel × -1/2) = 3.5
    assert "   3.5" in c.info.value


def test_an_invalid_weight_is_reported_and_the_last_map_stays(explorer):
    c = explorer.controls
    c.preset.value = "sobel_x"
    before = c.map_view.value
    c.cells[5].value = "abc"
    assert "row 1, column 2: &#x27;abc&#x27; is not a number" in c.message.value
    assert "fraction (1/9)" in c.message.value
    assert c.map_view.value == before
    c.cells[5].value = ""
    assert "an empty box is not a number" in c.message.value
    c.cells[5].value = "1/0"
    assert "&#x27;1/0&#x27; is not a number" in c.message.value
    c.cells[5].value = "2"
    assert c.message.value == ""
    assert c.map_view.value == before  # the Sobel weights again


@pytest.mark.parametrize("text", ["inf", "nan", "1e", "2 3", "x/9"])
def test_the_parser_accepts_only_finite_numbers(text):
    boxes = ["0"] * 9
    boxes[0] = text
    with pytest.raises(ValueError, match=r"row 0, column 0: .* is not a number"):
        widgets._parse_weights(boxes)


def test_the_parser_reads_fractions_and_decimals():
    kernel = widgets._parse_weights(["1/9", "-0.5", "2", " 3 ", "0", "-1", "1/16", "1e-1", "7/2"])
    np.testing.assert_allclose(kernel.ravel(), [1 / 9, -0.5, 2, 3, 0, -1, 1 / 16, 0.1, 3.5])


def test_display_size_shrinks_large_maps_and_enlarges_small_ones():
    big = widgets._display_size(np.ones((425, 638)))
    assert big.shape[1] <= 320 and big.shape[1] > 160
    small = widgets._display_size(np.arange(9.0).reshape(3, 3))
    assert small.shape == (318, 318)
    assert small[0, 0] == 0 and small[-1, -1] == 8
