"""Chapter 2 (cnnkit.book.ch02_convolution): the figures of one step, the sliding
window and many filters; the filter explorer; the exercise checks.

The "reader" implementations in the exercise tests are written here from the textbook
description, with deliberate mistakes switched on one at a time; the reference values in
a few tests come from SciPy, independently of cnnkit.
"""

from __future__ import annotations

import base64
import re
from fractions import Fraction
from io import BytesIO

import numpy as np
import pytest
from book_checks import (
    assert_held_back,
    assert_multiple_choice,
    assert_named,
    assert_notebook_lists,
    not_attempted,
)
from PIL import Image
from scipy.signal import correlate2d

from cnnkit.book import ch02_convolution as ch2
from cnnkit.book import figures
from cnnkit.book.ch02_convolution import (
    check_conv2d,
    check_feature_map_value,
    check_flipped_filter,
    check_mac_count,
)
from cnnkit.book.style import DIVERGING_CMAP
from cnnkit.convolution import conv2d
from cnnkit.data import example_image
from cnnkit.filters import PRESETS, box_blur, sobel_x, vertical_edge, x_filter

FRAME = re.compile(r'frames\[\d+\] = "data:image/png;base64,')
#: One bias for the single filter of a 2-D convolution: shape (K,) = (1,).
BIAS = np.array([0.5])


# --------------------------------------------------------------------------- figures
def _frames(html: str) -> int:
    return len(FRAME.findall(html))


# ------------------------------------------------------------------ show_products
def test_products_of_the_x_window_sum_to_5():
    image = example_image()
    fig = ch2.show_products(image[1:4, 0:3], x_filter())
    assert len(fig.axes) == 3
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "window of the input"
    assert titles[2] == "= products, sum 5"
    # the products panel writes the nine products in its cells
    written = [t.get_text() for t in fig.axes[2].texts]
    assert written == [f"{v:g}" for v in (image[1:4, 0:3] * x_filter()).ravel()]


def test_products_of_a_multichannel_window_have_one_row_per_channel_and_the_total():
    rng = np.random.default_rng(0)
    window = rng.integers(0, 4, size=(3, 3, 3)).astype(float)
    kernel = rng.integers(-2, 3, size=(3, 3, 3)).astype(float)
    fig = ch2.show_products(window, kernel, channel_names=["red", "green", "blue"])
    assert len(fig.axes) == 9
    assert fig.axes[3].get_title() == "green: window of the input"
    sums = [(window[c] * kernel[c]).sum() for c in range(3)]
    for c in range(3):
        assert fig.axes[3 * c + 2].get_title() == f"= products, sum {sums[c]:g}"
    assert fig.get_suptitle().endswith(f"= {(window * kernel).sum():g}")


def test_products_kernel_format_is_separate():
    fig = ch2.show_products(np.full((2, 2), 0.25), np.ones((2, 2)), fmt="{:.2f}", kernel_fmt="{:g}")
    assert [t.get_text() for t in fig.axes[1].texts] == ["1"] * 4
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.25"] * 4


def test_products_reject_mismatched_shapes():
    with pytest.raises(
        ValueError, match=r"show_products: window and kernel must have the same shape"
    ):
        ch2.show_products(np.ones((3, 3)), np.ones((2, 2)))


# ------------------------------------------------------------------ the animation
def test_animation_has_one_frame_per_position_and_loads_nothing_from_the_web():
    anim = ch2.sliding_window_animation(example_image(), x_filter())
    html = figures.animation_html(anim)
    assert _frames(html) == 9
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize(
    ("shape", "stride", "padding", "frames"),
    [((5, 5), 2, 0, 4), ((3, 4), 1, 1, 12), ((5, 7), 2, 1, 12)],
)
def test_animation_frame_count_follows_stride_and_padding(shape, stride, padding, frames):
    image = np.arange(np.prod(shape), dtype=float).reshape(shape) % 3
    anim = ch2.sliding_window_animation(image, vertical_edge(), stride=stride, padding=padding)
    assert _frames(figures.animation_html(anim)) == frames


def test_animation_ends_with_the_whole_feature_map_written_in():
    image = example_image()
    anim = ch2.sliding_window_animation(image, x_filter())
    anim.to_jshtml()  # draws every frame
    fig = anim._fig
    ax_in, ax_k, ax_out = fig.axes
    assert (ax_in.get_title(), ax_k.get_title(), ax_out.get_title()) == (
        "input",
        "filter",
        "output (feature map)",
    )
    written = [t.get_text() for t in ax_out.texts]
    assert written == [f"{v:g}" for v in conv2d(image, x_filter()).ravel()]
    assert fig.get_suptitle() == "output row 2, column 2: window × filter, summed = 3"


def test_animation_rejects_a_setting_that_does_not_tile():
    with pytest.raises(ValueError, match="not a whole number"):
        ch2.sliding_window_animation(np.zeros((6, 6)), x_filter(), stride=2)


def test_animation_alt_text_is_added_and_escaped():
    anim = ch2.sliding_window_animation(example_image(), x_filter())
    html = figures.animation_html(anim, alt='A 3×3 window "slides" <right>')
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) == 1
    assert 'alt="A 3×3 window &quot;slides&quot; &lt;right&gt;"' in images[0]


def test_animation_without_alt_is_unchanged():
    anim = ch2.sliding_window_animation(example_image(), x_filter())
    html = figures.animation_html(anim)
    assert "alt=" not in re.findall(r"<img[^>]*>", html)[0]


# ------------------------------------------------------------------ small multiples
def test_filter_responses_pair_each_filter_with_its_map():
    image = np.random.default_rng(1).random((12, 16))
    kernels = {"vertical_edge": vertical_edge(), "sobel_x": sobel_x(), "box_blur": box_blur()}
    fig = ch2.show_filter_responses(image, kernels, ncols=2)
    assert len(fig.axes) == 2 * len(kernels)
    assert [fig.axes[2 * k].get_title() for k in range(3)] == list(kernels)
    maps = [fig.axes[2 * k + 1].images[0] for k in range(3)]
    # with padding 1 a 3×3 filter keeps the image's size
    assert all(m.get_array().shape == image.shape for m in maps)
    # edge filters (weights sum to 0) are drawn signed, centred on 0; the blur in grey
    assert maps[0].get_cmap().name == DIVERGING_CMAP
    low, high = maps[0].get_clim()
    assert low == -high
    assert maps[2].get_cmap().name == "gray"
    np.testing.assert_allclose(maps[2].get_array(), conv2d(image, box_blur(), padding=1))


def test_filter_responses_need_a_filter():
    with pytest.raises(ValueError, match="kernels is empty"):
        ch2.show_filter_responses(np.zeros((4, 4)), {})


def test_filter_responses_write_the_weights_as_a_reader_would():
    kernels = {"box_blur": box_blur(), "sobel_x": sobel_x()}
    fig = ch2.show_filter_responses(np.zeros((6, 6)), kernels, ncols=2)
    assert [t.get_text() for t in fig.axes[0].texts] == ["1/9"] * 9
    assert [t.get_text() for t in fig.axes[2].texts] == [f"{v:g}" for v in sobel_x().ravel()]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (-2.0, "-2"),
        (0.5, "0.5"),
        (-0.25, "-0.25"),
        (1 / 9, "1/9"),
        (0.0625, "1/16"),
        (-1 / 3, "-1/3"),
        (0.123456789, "0.123457"),
    ],
)
def test_format_weight(value, text):
    assert ch2.format_weight(value) == text


# --------------------------------------------------------------------------- the explorer
@pytest.fixture(scope="module")
def explorer():
    return ch2.filter_explorer()


def _typed(values) -> np.ndarray:
    return np.array([float(Fraction(values[name])) for name in ch2.WEIGHT_NAMES]).reshape(3, 3)


def _pictures(page: str) -> list[str]:
    return re.findall(r'src="(data:image/(?:png|jpeg);base64,[^"]+)"', page)


def _printed_map(page: str) -> np.ndarray:
    rows = page.split("<pre")[1].split(">", 1)[1].split("</pre>")[0].splitlines()
    return np.array([[float(v) for v in row.split()] for row in rows])


def test_the_explorer_starts_with_the_vertical_edge_on_the_photo(explorer):
    explorer.set(image="photo: china (grey)", preset="vertical_edge")
    values = explorer.values
    assert len([name for name in values if name.startswith("w")]) == 9
    np.testing.assert_array_equal(_typed(values), PRESETS["vertical_edge"])
    pictures = _pictures(explorer.html)
    assert len(pictures) == 2
    for uri in pictures:
        # a photo and its map are shrunk previews, stored as JPEG (light)
        picture = base64.b64decode(uri.split(",", 1)[1])
        assert uri.startswith("data:image/jpeg;") and picture.startswith(b"\xff\xd8\xff")
        assert Image.open(BytesIO(picture)).size[0] <= 320
    small = explorer.render(image="5×5 example image")
    # a small image, enlarged into crisp cells, stays PNG
    assert all(uri.startswith("data:image/png;") for uri in _pictures(small))
    assert "427×640" in explorer.html and "425×638" in explorer.html
    assert 'role="alert"' not in explorer.html


def test_picking_a_preset_fills_the_boxes_and_redraws(explorer):
    explorer.set(image="photo: china (grey)", preset="vertical_edge")
    before = _pictures(explorer.html)[1]
    page = explorer.set(preset="box_blur")
    assert [explorer.values[name] for name in ch2.WEIGHT_NAMES] == ["1/9"] * 9
    assert _pictures(page)[1] != before
    assert "grey levels" in page
    page = explorer.set(preset="sobel_y")
    np.testing.assert_array_equal(_typed(explorer.values), PRESETS["sobel_y"])
    assert "orange = positive" in page


def test_picking_an_image_redraws_both_views(explorer):
    explorer.set(image="photo: china (grey)", preset="x_filter")
    before = _pictures(explorer.html)
    page = explorer.set(image="5×5 example image")
    after = _pictures(page)
    assert after[0] != before[0] and after[1] != before[1]
    assert "5×5" in page and "3×3" in page
    # a small map is also written out as numbers: the X filter finds its X (value 5)
    np.testing.assert_array_equal(_printed_map(page), conv2d(example_image(), x_filter()))
    np.testing.assert_array_equal(_printed_map(page), [[0, 2, 2], [5, 1, 2], [0, 2, 3]])


def test_typing_a_weight_switches_to_custom_and_redraws(explorer):
    explorer.set(image="5×5 example image", preset="x_filter")
    page = explorer.set(w11="-1/2")
    assert explorer.values["preset"] == "custom (typed in)"
    # the window with the X now gives 4 corners + (1 centre pixel × -1/2) = 3.5
    assert _printed_map(page)[1, 0] == 3.5
    # typing the preset's own weight keeps the preset
    explorer.set(preset="x_filter")
    explorer.set(w11="1")
    assert explorer.values["preset"] == "x_filter"


def test_an_invalid_weight_is_reported_and_the_last_map_stays(explorer):
    explorer.set(image="photo: china (grey)", preset="sobel_x")
    before = _pictures(explorer.html)
    page = explorer.set(w12="abc")
    assert "⚠ Not a valid filter.</b> row 1, column 2: &#x27;abc&#x27; is not a number" in page
    assert "fraction (1/9)" in page and "still shows the last valid filter" in page
    assert _pictures(page) == before
    assert "an empty box is not a number" in explorer.set(w12="")
    assert "&#x27;1/0&#x27; is not a number" in explorer.set(w12="1/0")
    page = explorer.set(w12="2")
    assert 'role="alert"' not in page
    assert _pictures(page) == before  # the Sobel weights again


@pytest.mark.parametrize("text", ["inf", "nan", "1e", "2 3", "x/9"])
def test_the_parser_accepts_only_finite_numbers(text):
    boxes = ["0"] * 9
    boxes[0] = text
    with pytest.raises(ValueError, match=r"row 0, column 0: .* is not a number"):
        ch2.parse_weights(boxes)


def test_the_parser_reads_fractions_and_decimals():
    kernel = ch2.parse_weights(["1/9", "-0.5", "2", " 3 ", "0", "-1", "1/16", "1e-1", "7/2"])
    np.testing.assert_allclose(kernel.ravel(), [1 / 9, -0.5, 2, 3, 0, -1, 1 / 16, 0.1, 3.5])


# --------------------------------------------------------------------------- exercises
def reader_conv(
    flip=False,
    stride_in_index=True,
    stride_in_size=True,
    pad_width=lambda p: p,
    transpose=False,
    plus_one=1,
):
    def conv(x, w, stride=1, padding=0):
        kernel = w[::-1, ::-1] if flip else w
        xp = np.pad(x, pad_width(padding))
        kh, kw = kernel.shape
        size_step = stride if stride_in_size else 1
        step = stride if stride_in_index else 1
        ho = (xp.shape[0] - kh) // size_step + plus_one
        wo = (xp.shape[1] - kw) // size_step + plus_one
        out = np.zeros((ho, wo))
        for i in range(ho):
            for j in range(wo):
                window = xp[i * step : i * step + kh, j * step : j * step + kw]
                out[i, j] = np.sum(window * kernel)
        return out.T if transpose else out

    return conv


def test_reader_conv_agrees_with_scipy():
    # the reader implementation used below is itself right when no mistake is switched on
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    got = reader_conv()(x, w, stride=2, padding=1)
    want = correlate2d(np.pad(x, 1), w, mode="valid")[::2, ::2]
    np.testing.assert_allclose(got, want)


def test_conv2d_right_answers_pass():
    result = check_conv2d(reader_conv())
    assert result.passed and result.n_cases >= 4
    # a list of lists is accepted as well as an array
    assert check_conv2d(
        lambda x, w, stride=1, padding=0: reader_conv()(x, w, stride, padding).tolist()
    )


def test_conv2d_cases_cover_the_knobs():
    cases = []

    def spy(x, w, stride=1, padding=0):
        cases.append((x.shape, w.shape, stride, padding))
        return reader_conv()(x, w, stride, padding)

    check_conv2d(spy)
    assert any(s == 2 for *_, s, _ in cases) and any(p == 1 for *_, p in cases)
    assert any(p == 0 for *_, p in cases)
    assert any(xs[0] != xs[1] for xs, *_ in cases)
    assert any(ws[0] != ws[1] for _, ws, *_ in cases)


CONV_MISTAKES = {
    "flipped the kernel": (reader_conv(flip=True), "cross-correlation"),
    "forgot the stride": (reader_conv(stride_in_index=False, stride_in_size=False), "stride"),
    "forgot the padding": (reader_conv(pad_width=lambda p: 0), "pad"),
    "padded with the wrong amount": (reader_conv(pad_width=lambda p: 2 * p), "2P"),
    "swapped H and W": (reader_conv(transpose=True), "height"),
    "off by one in the output size": (reader_conv(plus_one=0), "⌊(H − F + 2P)/S⌋ + 1"),
}


@pytest.mark.parametrize("name", list(CONV_MISTAKES))
def test_conv2d_names_each_mistake(name):
    wrong, word = CONV_MISTAKES[name]
    result = check_conv2d(wrong)
    assert_named(result, name, word)
    assert isinstance(result.expected, np.ndarray)
    assert result.case and set(result.inputs) == {"x", "w"}


def test_conv2d_other_forms_of_the_same_mistakes():
    # the right number of positions but stride-1 windows
    result = check_conv2d(reader_conv(stride_in_index=False))
    assert_named(result, "forgot the stride", "stride")
    # padding on the top and the left only
    result = check_conv2d(reader_conv(pad_width=lambda p: ((p, 0), (p, 0))))
    assert_named(result, "padded with the wrong amount", "all four sides")


def test_conv2d_exceptions_in_reader_code_are_reported():
    def swapped_slice(x, w, stride=1, padding=0):
        xp = np.pad(x, padding)
        kh, kw = w.shape
        ho = (xp.shape[0] - kh) // stride + 1
        wo = (xp.shape[1] - kw) // stride + 1
        out = np.zeros((ho, wo))
        for i in range(ho):
            for j in range(wo):
                out[i, j] = np.sum(
                    xp[i * stride : i * stride + kw, j * stride : j * stride + kh] * w
                )
        return out

    result = check_conv2d(swapped_slice)
    assert result.attempted and not result.passed
    assert result.got.startswith("raised ValueError")
    assert "slice" in result.hint

    def runs_off_the_edge(x, w, stride=1, padding=0):
        return np.array([[x[100, 100]]])

    result = check_conv2d(runs_off_the_edge)
    assert "IndexError" in result.got and "loops" in result.hint


def test_conv2d_reader_cannot_corrupt_the_cases():
    def vandal(x, w, stride=1, padding=0):
        out = reader_conv()(x, w, stride, padding)
        x[...] = 0
        w[...] = 0
        return out

    assert check_conv2d(vandal).passed


def test_conv2d_generic_miss_says_where_values_differ():
    def plus_one_at_origin(x, w, stride=1, padding=0):
        out = reader_conv()(x, w, stride, padding)
        out[0, 1] += 1
        return out

    result = check_conv2d(plus_one_at_origin)
    assert result.mistake is None
    assert "row 0, column 1" in result.hint


def test_conv2d_placeholder_is_not_attempted():
    def conv(x, w, stride=1, padding=0):
        raise NotImplementedError("your code here")

    assert not_attempted(check_conv2d(conv))


X5 = np.array(
    [
        [1, 0, 2, 0, 1],
        [0, 3, 0, 1, 0],
        [2, 0, 1, 0, 0],
        [0, 1, 3, 1, 2],
        [1, 0, 0, 2, 1],
    ],
    dtype=float,
)
W3 = np.array([[1, 0, 2], [0, 1, 0], [3, 0, 1]], dtype=float)


def scipy_map(x, w, stride=1, padding=0):
    return correlate2d(np.pad(x, padding), w, mode="valid")[::stride, ::stride]


def test_feature_map_value_right_answer_passes():
    expected = scipy_map(X5, W3)[1, 2]
    assert check_feature_map_value(expected, X5, W3, (1, 2)).passed
    assert check_feature_map_value(int(expected), X5, W3, (1, 2)).passed
    answer = scipy_map(X5, W3, stride=2, padding=1)[1, 0] + 0.5
    assert check_feature_map_value(answer, X5, W3, (1, 0), b=BIAS, stride=2, padding=1)


FMAP_MISTAKES = [
    # name, the reader's answer, position asked, settings, word in the hint
    ("flipped the kernel", scipy_map(X5, W3[::-1, ::-1])[1, 2], (1, 2), {}, "flipped"),
    ("swapped row and column", scipy_map(X5, W3)[2, 1], (1, 2), {}, "row"),
    ("counted from 1", scipy_map(X5, W3)[0, 1], (1, 2), {}, "from 0"),
    (
        "forgot the stride",
        scipy_map(X5, W3, 1, 1)[1, 0],
        (1, 0),
        {"stride": 2, "padding": 1},
        "stride",
    ),
    ("forgot the padding", scipy_map(X5, W3)[1, 2], (1, 2), {"padding": 1}, "pad"),
    ("forgot the bias", scipy_map(X5, W3)[1, 2], (1, 2), {"b": 4 * BIAS}, "bias"),
]


@pytest.mark.parametrize(("name", "answer", "position", "kwargs", "word"), FMAP_MISTAKES)
def test_feature_map_value_names_each_mistake(name, answer, position, kwargs, word):
    stride, padding = kwargs.get("stride", 1), kwargs.get("padding", 0)
    right = scipy_map(X5, W3, stride, padding)[position] + float(kwargs.get("b", [0.0])[0])
    assert answer != right  # the example tells the mistake apart
    assert_named(check_feature_map_value(answer, X5, W3, position, **kwargs), name, word)


def test_feature_map_value_placeholder():
    assert not_attempted(check_feature_map_value(..., X5, W3, (0, 0)))
    assert not_attempted(check_feature_map_value(None, X5, W3, (0, 0)))


def test_check_mac_count_names_the_shared_mistakes():
    # AlexNet conv1: 55·55 positions, 11·11·3 per position, 96 filters
    alexnet = {"in_shape": (3, 227, 227), "out_channels": 96, "kernel_size": 11, "stride": 4}
    assert check_mac_count(55 * 55 * 11 * 11 * 3 * 96, **alexnet).passed
    assert_named(
        check_mac_count(227 * 227 / 4 * 11 * 11 * 3 * 96, **alexnet),
        "divided by the stride instead of its square",
        "1/S²",
    )
    assert_named(
        check_mac_count(55 * 55 * 11 * 11 * 3, **alexnet), "forgot the number of filters", "K"
    )
    assert not_attempted(check_mac_count(None, **alexnet))
    page = check_mac_count(227 * 227 * 363 * 96, **alexnet, reveal=True)._repr_html_()
    assert str(55 * 55 * 363 * 96) in page and str(227 * 227 * 363 * 96) in page


def test_check_flipped_filter_runs_conv2d_and_names_half_flips():
    w = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    assert check_flipped_filter(w[::-1, ::-1].tolist(), w)
    assert check_flipped_filter(w, w).mistake == "gave w itself"
    assert check_flipped_filter(w[::-1], w).mistake == "flipped the rows only"
    assert check_flipped_filter(w[:, ::-1], w).mistake == "flipped the columns only"
    assert check_flipped_filter(w.T, w).mistake == "transposed"
    assert not check_flipped_filter(np.ones((2, 2)), w)
    assert not check_flipped_filter(None, w).attempted


def test_a_wrong_answer_keeps_the_answer_back_until_asked():
    image, w = example_image(), np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    flipped = check_feature_map_value(int(conv2d(image, w[::-1, ::-1])[1, 2]), image, w, (1, 2))
    if flipped.passed:  # a filter its half-turn leaves alone: use another cell
        pytest.skip("the flipped kernel gives the same value here")
    assert_held_back(flipped)
    cost = ch2.check_mac_count(8 * 27 * 225 * 225, (3, 227, 227), 8, 3, stride=2)
    assert cost.mistake == "forgot the stride"
    assert_held_back(cost)
    assert_held_back(ch2.check_mac_count(12345, (3, 227, 227), 8, 3, stride=2))
    asked = ch2.check_mac_count(12345, (3, 227, 227), 8, 3, stride=2, reveal=True)
    assert f"Expected: {8 * 27 * 113 * 113}" in repr(asked)


def test_the_flipped_filter_reveals_the_filter_not_the_test_map():
    w = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    result = ch2.check_flipped_filter(w, w)
    assert result.mistake == "gave w itself"
    assert_held_back(result)
    shown = ch2.check_flipped_filter(w, w, reveal=True)
    np.testing.assert_array_equal(shown.expected, w[::-1, ::-1])
    assert "[[3. 0. 0.]" in repr(shown)
    assert ch2.check_flipped_filter([[1, 2], [3, 4]], w).mistake == "not a filter of the shape of w"
    assert ch2.check_flipped_filter("flip it", w).mistake == "not a filter of the shape of w"


def test_one_map_per_filter_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch2.check_one_map_per_filter, ch2.CHANNELS_OPTIONS, ch2._CHANNELS_WHY)
    assert_notebook_lists("notebooks/02_convolution.ipynb", ch2.CHANNELS_OPTIONS)


def test_conv2d_check_without_knobs_calls_fn_with_x_and_w_only():
    def plain(x, w):
        return conv2d(x, w)

    assert check_conv2d(plain, knobs=False).passed
    assert check_conv2d(lambda x, w: conv2d(x, w[::-1, ::-1]), knobs=False).mistake == (
        "flipped the kernel"
    )


def test_scale_macs_names_the_mistakes():
    assert ch2.check_scale_macs(4).passed
    assert ch2.check_scale_macs(2).mistake == "doubled only one factor"
    assert ch2.check_scale_macs(8).mistake == "the map does not grow"


def test_bar_filter_is_judged_on_every_binary_window():
    assert ch2.check_bar_filter([[-1, 2, -1]] * 3).passed
    assert ch2.check_bar_filter([[-0.5, 1, -0.5]] * 3).passed
    assert ch2.check_bar_filter([[0, 1, 0]] * 3).mistake == "a white window scores"
    # sums to 0 but a zero weight outside the bar: a window with a one there ties
    assert ch2.check_bar_filter([[0, 2, -2], [-1, 2, -1], [-1, 2, -1]]).mistake == (
        "a weight outside the bar is not negative"
    )
    assert ch2.check_bar_filter([[1, 2]]).mistake == "not a 3×3 filter"


def _no_stride_or_padding(text: str) -> bool:
    """Chapter 2's words: no stride S, no padding P, no output-size formula with them."""
    return not re.search(r"stride|padding|2P|·S|/S\b|H_out", text)


def test_chapter_2_checks_speak_without_stride_and_padding():
    image, w = example_image(), np.asarray(PRESETS["sobel_y"])
    flipped = check_feature_map_value(int(conv2d(image, w[::-1, ::-1])[1, 2]), image, w, (1, 2))
    assert_named(flipped, "flipped the kernel", "x[i + u, j + v]")
    assert _no_stride_or_padding(flipped.hint) and _no_stride_or_padding(flipped.case)
    unexplained = check_feature_map_value(12345, image, w, (1, 2))
    assert unexplained.mistake is None and "same row and column" in unexplained.hint
    assert _no_stride_or_padding(unexplained.hint) and _no_stride_or_padding(unexplained.case)
    # with the knobs (chapter 3's questions) the hints keep them
    knobs = check_feature_map_value(12345, image, w, (1, 0), stride=2, padding=1)
    assert "col·S" in knobs.hint and "stride=2" in knobs.case

    shape = ch2.check_layer_shape(
        (5, 424, 637), in_shape=(3, 427, 640), out_channels=5, kernel_size=3
    )
    assert_named(shape, "off by one", "H − F + 1")
    assert _no_stride_or_padding(shape.hint) and _no_stride_or_padding(shape.case)
    assert ch2.check_layer_shape(
        (5, 425, 638), in_shape=(3, 427, 640), out_channels=5, kernel_size=3
    )
    scale = ch2.check_scale_macs(2)
    assert _no_stride_or_padding(scale.hint) and _no_stride_or_padding(scale.case)


def test_conv2d_without_knobs_names_its_mistakes_in_chapter_2_words():
    def loops(x, w, extra=1):
        fh, fw = w.shape
        rows, cols = x.shape[0] - fh + extra, x.shape[1] - fw + extra
        return np.array(
            [[np.sum(x[i : i + fh, j : j + fw] * w) for j in range(cols)] for i in range(rows)]
        )

    def square_window(x, w):
        f = w.shape[0]
        rows, cols = x.shape[0] - f + 1, x.shape[1] - f + 1
        return np.array(
            [[np.sum(x[i : i + f, j : j + f] * w) for j in range(cols)] for i in range(rows)]
        )

    def past_the_edge(x, w):
        out = loops(x, w)
        return out + x[len(x)]  # an index one past the last row

    assert check_conv2d(loops, knobs=False).passed
    results = {
        "off by one in the output size": check_conv2d(lambda x, w: loops(x, w, 0), knobs=False),
        "flipped the kernel": check_conv2d(lambda x, w: loops(x, w[::-1, ::-1]), knobs=False),
        "window and kernel of different shapes": check_conv2d(square_window, knobs=False),
        "an index past the edge": check_conv2d(past_the_edge, knobs=False),
    }
    for name, result in results.items():
        assert result.mistake == name, (name, result.mistake, result.hint)
        assert _no_stride_or_padding(result.hint), result.hint
        assert _no_stride_or_padding(result.case), result.case
    assert "range(H − F_H + 1)" in results["off by one in the output size"].hint
    assert "x[i : i + F_H, j : j + F_W]" in results["window and kernel of different shapes"].hint
