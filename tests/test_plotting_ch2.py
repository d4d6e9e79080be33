"""The chapter 2 figures: products at one position, the sliding-window animation, the
small multiples of filters, and the alt text of animations."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnkit import plotting  # noqa: E402
from cnnkit.convolution import conv2d  # noqa: E402
from cnnkit.data import example_image  # noqa: E402
from cnnkit.filters import box_blur, sobel_x, vertical_edge, x_filter  # noqa: E402

FRAME = re.compile(r'frames\[\d+\] = "data:image/png;base64,')


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _frames(html: str) -> int:
    return len(FRAME.findall(html))


# ------------------------------------------------------------------ show_products
def test_products_of_the_x_window_sum_to_5():
    image = example_image()
    fig = plotting.show_products(image[1:4, 0:3], x_filter())
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
    fig = plotting.show_products(window, kernel, channel_names=["red", "green", "blue"])
    assert len(fig.axes) == 9
    assert fig.axes[3].get_title() == "green: window of the input"
    sums = [(window[c] * kernel[c]).sum() for c in range(3)]
    for c in range(3):
        assert fig.axes[3 * c + 2].get_title() == f"= products, sum {sums[c]:g}"
    assert fig.get_suptitle().endswith(f"= {(window * kernel).sum():g}")


def test_products_kernel_format_is_separate():
    fig = plotting.show_products(
        np.full((2, 2), 0.25), np.ones((2, 2)), fmt="{:.2f}", kernel_fmt="{:g}"
    )
    assert [t.get_text() for t in fig.axes[1].texts] == ["1"] * 4
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.25"] * 4


def test_products_reject_mismatched_shapes():
    with pytest.raises(
        ValueError, match=r"show_products: window and kernel must have the same shape"
    ):
        plotting.show_products(np.ones((3, 3)), np.ones((2, 2)))


# ------------------------------------------------------------------ the animation
def test_animation_has_one_frame_per_position_and_loads_nothing_from_the_web():
    anim = plotting.sliding_window_animation(example_image(), x_filter())
    html = plotting.animation_html(anim)
    assert _frames(html) == 9
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize(
    ("shape", "stride", "padding", "frames"),
    [((5, 5), 2, 0, 4), ((3, 4), 1, 1, 12), ((5, 7), 2, 1, 12)],
)
def test_animation_frame_count_follows_stride_and_padding(shape, stride, padding, frames):
    image = np.arange(np.prod(shape), dtype=float).reshape(shape) % 3
    anim = plotting.sliding_window_animation(image, vertical_edge(), stride=stride, padding=padding)
    assert _frames(plotting.animation_html(anim)) == frames


def test_animation_ends_with_the_whole_feature_map_written_in():
    image = example_image()
    anim = plotting.sliding_window_animation(image, x_filter())
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
        plotting.sliding_window_animation(np.zeros((6, 6)), x_filter(), stride=2)


def test_animation_alt_text_is_added_and_escaped():
    anim = plotting.sliding_window_animation(example_image(), x_filter())
    html = plotting.animation_html(anim, alt='A 3×3 window "slides" <right>')
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) == 1
    assert 'alt="A 3×3 window &quot;slides&quot; &lt;right&gt;"' in images[0]


def test_animation_without_alt_is_unchanged():
    anim = plotting.sliding_window_animation(example_image(), x_filter())
    html = plotting.animation_html(anim)
    assert "alt=" not in re.findall(r"<img[^>]*>", html)[0]


# ------------------------------------------------------------------ small multiples
def test_filter_responses_pair_each_filter_with_its_map():
    image = np.random.default_rng(1).random((12, 16))
    kernels = {"vertical_edge": vertical_edge(), "sobel_x": sobel_x(), "box_blur": box_blur()}
    fig = plotting.show_filter_responses(image, kernels, ncols=2)
    assert len(fig.axes) == 2 * len(kernels)
    assert [fig.axes[2 * k].get_title() for k in range(3)] == list(kernels)
    maps = [fig.axes[2 * k + 1].images[0] for k in range(3)]
    # with padding 1 a 3×3 filter keeps the image's size
    assert all(m.get_array().shape == image.shape for m in maps)
    # edge filters (weights sum to 0) are drawn signed, centred on 0; the blur in grey
    assert maps[0].get_cmap().name == plotting.DIVERGING_CMAP
    low, high = maps[0].get_clim()
    assert low == -high
    assert maps[2].get_cmap().name == "gray"
    np.testing.assert_allclose(maps[2].get_array(), conv2d(image, box_blur(), padding=1))


def test_filter_responses_need_a_filter():
    with pytest.raises(ValueError, match="kernels is empty"):
        plotting.show_filter_responses(np.zeros((4, 4)), {})


def test_filter_responses_write_the_weights_as_a_reader_would():
    kernels = {"box_blur": box_blur(), "sobel_x": sobel_x()}
    fig = plotting.show_filter_responses(np.zeros((6, 6)), kernels, ncols=2)
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
    assert plotting.format_weight(value) == text
