"""Chapter 3 (cnnkit.book.ch03_conv_layer): the drawings of the positions a window
visits, the layer explorer and the exercise checks."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from book_checks import (
    assert_held_back,
    assert_multiple_choice,
    assert_named,
    assert_notebook_lists,
    not_attempted,
)
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle

from cnnkit.book import ch03_conv_layer as ch3
from cnnkit.book.ch03_conv_layer import (
    check_conv_output_shape,
    check_macs,
    check_output_size,
    check_param_count,
)
from cnnkit.conventions import tf_same_padding
from cnnkit.cost import conv2d_cost
from cnnkit.shapes import output_size


# ------------------------------------------------------------------ window_positions
def test_the_invalid_setting_never_visits_the_last_row():
    pos = ch3.window_positions(10, 3, stride=2, mode="floor")
    assert pos.starts == (0, 2, 4, 6)
    assert (pos.before, pos.after) == (0, 0)
    assert pos.coverage.tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 1, 0]


def test_strict_mode_raises_the_output_size_error():
    with pytest.raises(ValueError, match=r"= 4\.5 is not a whole number"):
        ch3.window_positions(10, 3, stride=2)


def test_ceil_mode_clips_the_last_window_past_the_input():
    pos = ch3.window_positions(10, 3, stride=2, mode="ceil")
    assert pos.starts == (0, 2, 4, 6, 8)
    # window 8..10 hangs one cell past the input: it is clipped there, not zero-filled
    assert pos.after == 1 and pos.beyond == 1
    assert pos.coverage.min() == 1
    assert ch3.window_positions(10, 3, stride=2, mode="floor").beyond == 0
    svg = ch3.window_positions_svg(10, 3, stride=2, mode="ceil")
    assert ">0</text>" not in svg  # no zeros drawn: there is no padding in this setting
    padded = ch3.window_positions_svg(10, 3, stride=2, padding=1, mode="floor")
    assert ">0</text>" in padded


def test_uneven_padding_tf_same():
    before, after = tf_same_padding(10, 3, stride=2)
    pos = ch3.window_positions(10, 3, stride=2, padding=(before, after))
    assert (pos.before, pos.after) == (0, 1)
    assert len(pos.starts) == 5
    assert pos.coverage.min() == 1


@pytest.mark.parametrize(
    ("n", "f", "s", "p"), [(5, 3, 1, 0), (5, 3, 1, 1), (5, 3, 1, 2), (7, 3, 2, 1), (13, 4, 3, 0)]
)
def test_counts_agree_with_output_size_and_coverage_sums_to_the_work(n, f, s, p):
    pos = ch3.window_positions(n, f, stride=s, padding=p)
    count = output_size(n, f, stride=s, padding=p)
    assert len(pos.starts) == count
    assert pos.starts[-1] + f <= n + 2 * p
    # every window covers f cells, some of them zeros: the input cells get the rest
    zeros_seen = sum(max(0, p - t) + max(0, t + f - (n + p)) for t in pos.starts)
    assert pos.coverage.sum() == count * f - zeros_seen


def test_a_stride_larger_than_the_window_skips_cells_in_the_middle():
    pos = ch3.window_positions(7, 1, stride=3)
    assert pos.coverage.tolist() == [1, 0, 0, 1, 0, 0, 1]


@pytest.mark.parametrize("padding", [(1,), (1, 2, 3), (-1, 0)])
def test_bad_uneven_padding(padding):
    with pytest.raises(ValueError, match="window_positions: padding"):
        ch3.window_positions(5, 3, padding=padding)


# ------------------------------------------------------------------ matplotlib drawings
def _hatched(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]


def test_show_window_positions_hatches_the_cells_never_visited():
    ax = ch3.show_window_positions(10, 3, stride=2, mode="floor", legend=True)
    below = ch3.show_window_positions(10, 3, stride=2, mode="floor", legend="below")
    assert below.get_legend() is not None
    # row 9 and column 9 of a 10x10 input: 10 + 10 - 1 cells
    assert len(_hatched(ax)) == 19
    assert "4×4 positions" in ax.get_title()
    (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    dots = scatter.get_offsets()
    assert len(dots) == 16
    assert ax.get_legend() is not None


def test_show_window_positions_writes_the_zeros_of_small_paddings():
    ax = ch3.show_window_positions(5, 3, padding=1)
    assert sum(t.get_text() == "0" for t in ax.texts) == 7 * 7 - 5 * 5
    assert not _hatched(ax)
    big = ch3.show_window_positions(20, 3, padding=1)
    assert not big.texts  # too many cells: no numbers


def test_show_window_positions_1d_draws_one_bar_per_output():
    ax = ch3.show_window_positions_1d(7, 3, stride=2, padding=1)
    bars = [p for p in ax.patches if p.get_y() > 0.5]
    assert [round(b.get_x() + 0.5) for b in bars] == [0, 2, 4, 6]
    assert all(b.get_width() == 3 for b in bars)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["padded input", "output 0", "output 1", "output 2", "output 3"]


def test_show_window_positions_1d_hatches_a_missed_cell():
    ax = ch3.show_window_positions_1d(10, 3, stride=2, mode="floor")
    assert len(_hatched(ax)) == 1
    assert _hatched(ax)[0].get_x() == pytest.approx(8.5)


# ------------------------------------------------------------------ SVG
def test_svg_matches_the_positions():
    svg = ch3.window_positions_svg(10, 3, stride=2, mode="floor")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 16
    assert "1 rows and columns of the input are never visited" in svg
    # one hatched row and one hatched column
    assert svg.count('fill="url(#cnnkit-hatch)"') == 2
    assert len(re.findall(r"<title>[^<]+</title>", svg)) == 1


def test_svg_writes_zeros_only_on_small_grids():
    small = ch3.window_positions_svg(5, 3, padding=1)
    assert small.count(">0</text>") == 7 * 7 - 5 * 5
    large = ch3.window_positions_svg(20, 3, padding=1)
    assert ">0</text>" not in large
    assert large.count("<circle") == 20 * 20


def test_svg_stays_small():
    svg = ch3.window_positions_svg(32, 11, stride=1, padding=5, max_size=380)
    side = int(re.search(r'width="(\d+)"', svg).group(1))
    assert side <= 380 + 8
    assert np.isclose(side, int(re.search(r'height="(\d+)"', svg).group(1)))


# --------------------------------------------------------------------------- the explorer
@pytest.fixture(scope="module")
def explorer():
    return ch3.conv_layer_explorer()


def _numbers(page: str) -> list[int]:
    """The bold numbers of the summary: shape, parameters, multiply-adds."""
    summary = page.split("cnnkit-conv-summary")[1]
    return [int(n.replace(",", "")) for n in re.findall(r"<b>([\d,]+)</b>", summary)]


def _shape(page: str) -> tuple[int, ...]:
    match = re.search(r"<b>\((\d+), (\d+), (\d+)\)</b>", page)
    return tuple(int(n) for n in match.groups())


def _strict_error(n: int, f: int, stride: int, padding: int) -> str:
    """The core's own message for a setting that strict mode refuses, as the page shows it."""
    with pytest.raises(ValueError) as error:
        conv2d_cost((3, n, n), 4, f, stride=stride, padding=padding)
    return html.escape(str(error.value))


def test_it_has_six_labelled_sliders(explorer):
    descriptions = [c.description for c in explorer.controls.values()]
    assert descriptions == [
        "input size W",
        "filter size F",
        "stride S",
        "padding P",
        "filters K",
        "channels C",
    ]
    assert "<svg" in explorer.html


def test_a_slider_updates_the_output_shape(explorer):
    page = explorer.set(
        input_size=10, kernel_size=3, stride=1, padding=1, out_channels=4, in_channels=3
    )
    assert _shape(page) == (4, 10, 10)
    assert _shape(explorer.set(stride=3)) == (4, 4, 4)  # (10 - 3 + 2)/3 + 1 = 4
    page = explorer.set(out_channels=7)
    assert _shape(page) == (7, 4, 4)
    assert 'role="alert"' not in page


@pytest.mark.parametrize(
    "setting",
    [
        {"input_size": 6, "kernel_size": 3, "stride": 1, "padding": 0},
        {"input_size": 32, "kernel_size": 5, "stride": 1, "padding": 2},
        {"input_size": 27, "kernel_size": 11, "stride": 4, "padding": 0},
        {"input_size": 15, "kernel_size": 3, "stride": 2, "padding": 1},
    ],
)
@pytest.mark.parametrize(("filters", "channels"), [(4, 3), (96, 3), (10, 16)])
def test_numbers_shown_match_conv2d_cost(setting, filters, channels):
    page = ch3.conv_layer_html(**setting, out_channels=filters, in_channels=channels)
    n, f = setting["input_size"], setting["kernel_size"]
    cost = conv2d_cost(
        (channels, n, n), filters, f, stride=setting["stride"], padding=setting["padding"]
    )
    assert _shape(page) == cost.output_shape
    assert _numbers(page) == [cost.params, cost.macs]


def test_an_invalid_setting_warns_with_the_strict_message_and_falls_back_to_floor():
    page = ch3.conv_layer_html(10, 3, 2, 0, 4, 3)
    warning = page.split('role="alert"')[1].split("</div>")[0]
    assert "Invalid setting: the filter does not tile the input evenly" in warning
    assert _strict_error(10, 3, 2, 0) in warning
    assert "gives 5×5" in warning and "never looks at 1 of the 10 rows" in warning
    floor = conv2d_cost((3, 10, 10), 4, 3, stride=2, mode="floor")
    assert _shape(page) == floor.output_shape == (4, 4, 4)
    assert _numbers(page) == [floor.params, floor.macs]
    assert "cnnkit-hatch" in page
    # the warning comes before the numbers it speaks of
    assert page.index('role="alert"') < page.index("cnnkit-conv-summary")


def test_a_filter_larger_than_the_input_warns_and_draws_nothing():
    page = ch3.conv_layer_html(3, 9, 1, 0, 4, 3)
    assert "Invalid setting: no window fits" in page and _strict_error(3, 9, 1, 0) in page
    assert "larger than the padded input" in page and "<svg" not in page
    # the parameters do not depend on the input, so they are still shown
    assert f"<b>{conv2d_cost((3, 9, 9), 4, 9).params:,}</b>" in page


def test_every_slider_setting_along_each_axis_renders(explorer):
    for name in ("input_size", "kernel_size", "stride", "padding"):
        control = explorer.controls[name]
        for value in range(control.min, control.max + 1):
            assert "cnnkit-conv-summary" in explorer.render(**{name: value})


# --------------------------------------------------------------------------- exercises
def size_right(n, f, stride, padding):
    return (n - f + 2 * padding) // stride + 1


SIZE_MISTAKES = {
    "forgot the stride": (lambda n, f, s, p: n - f + 2 * p + 1, "stride"),
    "forgot the padding": (lambda n, f, s, p: (n - f) // s + 1, "padding"),
    "counted the padding once": (lambda n, f, s, p: (n - f + p) // s + 1, "W + 2P"),
    "off by one (missing + 1)": (lambda n, f, s, p: (n - f + 2 * p) // s, "add 1"),
    "off by one (one too many)": (lambda n, f, s, p: (n - f + 2 * p) // s + 2, "one too many"),
    "rounded up instead of down": (lambda n, f, s, p: -(-(n - f + 2 * p) // s) + 1, "round"),
    "did not round down": (lambda n, f, s, p: (n - f + 2 * p) / s + 1, "//"),
    "returned a float": (lambda n, f, s, p: float((n - f + 2 * p) // s + 1), "float"),
}


def test_output_size_right_answers_pass():
    result = check_output_size(size_right)
    assert result.passed and bool(result) and result.attempted
    assert result.n_cases == result.n_passed >= 6
    assert repr(result).startswith("✓ Correct")
    # numpy integers are whole numbers too
    assert check_output_size(lambda n, f, s, p: np.int64(size_right(n, f, s, p)))


@pytest.mark.parametrize("name", list(SIZE_MISTAKES))
def test_output_size_names_each_mistake(name):
    wrong, word = SIZE_MISTAKES[name]
    assert_named(check_output_size(wrong), name, word)


def test_output_size_miss_shows_a_case_where_the_value_differs():
    result = check_output_size(SIZE_MISTAKES["did not round down"][0])
    # the first cases are whole numbers (4.0 for 4); the shown case has a fractional size
    assert result.got != int(result.got)
    assert "S=2" in result.case


def test_output_size_exception_is_reported_not_raised():
    def broken(n, f, stride, padding):
        raise ZeroDivisionError("division by zero")

    result = check_output_size(broken)
    assert result.attempted and not result.passed and result.mistake is None
    assert "ZeroDivisionError" in result.got and "division by zero" in result.got
    assert "ZeroDivisionError" in result.hint


def test_output_size_wrong_signature_gets_a_signature_hint():
    result = check_output_size(lambda n, f: n - f + 1)
    assert "TypeError" in result.got
    assert "fn(input_size, kernel_size, stride, padding)" in result.hint


def test_output_size_hints_use_the_books_notation():
    # W, F, S, P as in the text, not the lower-case n, f, s, p of a Python function
    for name, (wrong, _) in SIZE_MISTAKES.items():
        result = check_output_size(wrong)
        assert not re.search(r"\b[nfsp]\b", result.hint), (name, result.hint)
        assert re.fullmatch(r"W=\d+, F=\d+, S=\d+, P=\d+", result.case), result.case


def test_output_size_placeholders_are_not_attempted():
    def placeholder(n, f, stride, padding):
        pass

    def todo(n, f, stride, padding):
        raise NotImplementedError

    for fn in (placeholder, todo, None):
        assert not_attempted(check_output_size(fn))


def test_missing_return_on_some_cases_is_a_miss_not_a_placeholder():
    def sometimes(n, f, stride, padding):
        if padding == 0:
            return (n - f) // stride + 1

    result = check_output_size(sometimes)
    assert result.attempted and not result.passed
    assert "return" in result.hint


def test_check_param_count_names_each_mistake():
    assert check_param_count(34944, 3, 96, 11).passed
    assert_named(check_param_count(34848, 3, 96, 11), "forgot the bias", "K·(F·F·C + 1)")
    assert_named(check_param_count(11712, 3, 96, 11), "forgot the input channels", "channels")
    assert_named(check_param_count(96 * (11 * 3 + 1), 3, 96, 11), "used F instead of F·F", "F·F")
    assert_named(check_param_count(11 * 11 * 3 + 1, 3, 96, 11), "counted one filter", "K")
    assert not_attempted(check_param_count(None, 3, 96, 11))


def reader_macs(
    channels=True, filters=True, stride=True, padding=True, out=True, square=True, k2=True
):
    def macs(in_shape, f, k, s, p):
        c, h, w = in_shape
        s_ = s if stride else 1
        p_ = p if padding else 0
        ho, wo = (h - k + 2 * p_) // s_ + 1, (w - k + 2 * p_) // s_ + 1
        positions = ho * wo if out else (h * w if square else h * w / s)
        return positions * (k * k if k2 else k) * (c if channels else 1) * (f if filters else 1)

    return macs


def test_macs_function_and_count():
    assert check_macs(reader_macs()).passed
    wrong = {
        "forgot the input channels": (reader_macs(channels=False), "channel"),
        "forgot the number of filters": (reader_macs(filters=False), "K"),
        "forgot the stride": (reader_macs(stride=False), "stride"),
        "forgot the padding": (reader_macs(padding=False), "padding"),
        "divided by the stride instead of its square": (
            reader_macs(out=False, square=False),
            "1/S²",
        ),
        "used the input size instead of the output size": (reader_macs(out=False), "H_out·W_out"),
        "used F instead of F·F": (reader_macs(k2=False), "F·F"),
        "counted positions, not multiply-adds": (
            lambda shape, f, k, s, p: reader_macs()(shape, f, k, s, p) // (k * k * shape[0]),
            "F·F·C",
        ),
        "returned a float": (lambda *a: float(reader_macs()(*a)), "float"),
    }
    for name, (fn, word) in wrong.items():
        assert_named(check_macs(fn), name, word)


def test_macs_names_a_count_that_assumes_a_square_input():
    def square(shape, k, f, s, p, side=1):
        c, h, w = shape
        out = output_size(shape[side], f, stride=s, padding=p, mode="floor")
        return out * out * f * f * c * k

    for side in (1, 2):  # H_out twice, or W_out twice
        result = check_macs(lambda *a, side=side: square(*a, side=side))
        assert_named(result, "assumed a square input", "H_out from H")
        assert "(2, 9, 7)" in result.case  # the one case that is not square


def test_conv_output_shape():
    assert check_conv_output_shape((4, 4, 4), (3, 6, 6), 4, 3).passed
    alexnet = {"in_shape": (3, 227, 227), "out_channels": 96, "kernel_size": 11, "stride": 4}
    assert check_conv_output_shape((96, 55, 55), **alexnet).passed
    assert_named(
        check_conv_output_shape((55, 55, 96), **alexnet), "channels last", "(K, H_out, W_out)"
    )
    assert_named(
        check_conv_output_shape((3, 55, 55), **alexnet), "depth = input channels", "filters"
    )
    assert_named(check_conv_output_shape((96, 217, 217), **alexnet), "forgot the stride", "stride")
    assert_named(check_conv_output_shape((96, 54, 54), **alexnet), "off by one", "+ 1")
    assert_named(check_conv_output_shape((55, 96, 55), **alexnet), "swapped axes", "(C, H, W)")
    padded = check_conv_output_shape((8, 30, 30), (3, 32, 32), 8, 3, stride=1, padding=1)
    assert_named(padded, "forgot the padding", "pad")


def test_a_wrong_answer_keeps_the_answer_back_until_asked():
    no_bias = ch3.check_param_count(128 * 9 * 64, in_channels=64, out_channels=128, kernel_size=3)
    assert no_bias.mistake == "forgot the bias"
    assert_held_back(no_bias)
    shape = ch3.check_conv_output_shape((10, 7, 7), (3, 15, 15), 10, 3, stride=2, padding=1)
    assert_held_back(shape)
    steps = ch3.check_output_size(lambda n, f, stride, padding: (n - f + 2 * padding) // stride)
    assert steps.mistake == "off by one (missing + 1)"
    assert_held_back(steps)
    asked = ch3.check_output_size(lambda n, f, stride, padding: 0, reveal=True)
    assert "Expected: 3" in repr(asked) and "model solution" in repr(asked)


def test_the_cost_of_the_stride_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch3.check_stride_cost, ch3.STRIDE_COST_OPTIONS, ch3._STRIDE_COST_WHY)
    assert_notebook_lists("notebooks/03_conv_layer.ipynb", ch3.STRIDE_COST_OPTIONS)


def test_scale_layer_names_each_mistake():
    assert ch3.check_scale_layer((2, 0.5)).passed
    assert ch3.check_scale_layer((2, 1)).mistake == "1/S, not 1/S²"
    assert ch3.check_scale_layer((2, 2)).mistake == "forgot the stride"
    assert ch3.check_scale_layer((2, 0.25)).mistake == "forgot that K doubles the work"
    assert ch3.check_scale_layer((1, 0.5)).mistake == "forgot that K doubles the parameters"
    assert ch3.check_scale_layer((4, 0.5)).mistake == "parameters depend on the stride"
    assert not ch3.check_scale_layer("2, 0.5").passed


def test_layer_design_runs_the_readers_setting():
    assert ch3.check_layer_design((2, 1)).passed
    assert ch3.check_layer_design((1, 1)).mistake == "stride 1 keeps the size"
    too_large = ch3.check_layer_design((2, 2))
    assert_named(too_large, "wrong padding", "change P")
    # the hint works out what the setting gives; it does not blame the + 1
    assert "(31 − 3 + 2·2)/2 + 1 = 17, too large" in too_large.hint
    assert "You did add the + 1" in too_large.hint
    assert_held_back(too_large)
    too_small = ch3.check_layer_design((2, 0))
    assert_named(too_small, "wrong padding", "change P")
    assert "= 15, too small" in too_small.hint
    far = ch3.check_layer_design((3, 1))  # valid, but no padding gives 16 with stride 3
    assert_named(far, "no padding fits this stride", "another stride")
    assert "= 11, too small" in far.hint
    assert ch3.check_layer_design((2, 1.5)).mistake == "not a pair of whole numbers"
    assert ch3.check_layer_design((4, 1)).mistake == "the windows do not fit"


def test_volume_figure_labels_the_three_volumes():
    fig = ch3.show_conv_volume((3, 11, 11), 4, 3)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "3×11×11" in texts and "4×9×9" in texts and "K = 4 filters" in texts


def test_the_web_form_can_show_a_filter_larger_than_the_input():
    # the chapter's text suggests it, so the web book's grid must hold such a state
    grid = ch3.WEB_GRID
    w, f = min(grid["input_size"]), max(grid["kernel_size"])
    assert f > w and 0 in grid["padding"] and 1 in grid["padding"]
    assert "no window fits" in ch3.conv_layer_html(w, f, 1, 0, 4, 3)
    assert "<svg" in ch3.conv_layer_html(w, f, 1, 1, 4, 3)  # one ring of zeros: it fits
