import numpy as np
import pytest
from scipy.signal import correlate2d

from cnnkit import filters
from cnnkit.filters import (
    PRESETS,
    diagonal_edge,
    horizontal_edge,
    i_filter,
    identity,
    o_filter,
    sobel_x,
    sobel_y,
    vertical_edge,
    x_filter,
)

ALL = [getattr(filters, name) for name in sorted(PRESETS)]


def test_presets_cover_every_filter_function_and_match_it():
    names = {name for name in filters.__all__ if name != "PRESETS"}
    assert set(PRESETS) == names
    for name, kernel in PRESETS.items():
        np.testing.assert_array_equal(kernel, getattr(filters, name)())


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_each_call_returns_a_fresh_editable_float64_3x3(make):
    first = make()
    assert first.shape == (3, 3)
    assert first.dtype == np.float64
    first[1, 1] = 123.0
    assert make()[1, 1] != 123.0


def test_presets_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        PRESETS["x_filter"][0, 0] = 5.0


def test_book_values_of_the_shape_detectors():
    np.testing.assert_array_equal(x_filter(), [[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    np.testing.assert_array_equal(o_filter(), [[1, 1, 1], [1, 0, 1], [1, 1, 1]])
    np.testing.assert_array_equal(i_filter(), [[0, 1, 0], [0, 1, 0], [0, 1, 0]])


@pytest.mark.parametrize(
    ("name", "total"),
    [
        ("vertical_edge", 0.0),
        ("horizontal_edge", 0.0),
        ("diagonal_edge", 0.0),
        ("sobel_x", 0.0),
        ("sobel_y", 0.0),
        ("box_blur", 1.0),
        ("gaussian_blur", 1.0),
        ("sharpen", 1.0),
        ("identity", 1.0),
    ],
)
def test_edge_filters_ignore_flat_regions_and_smoothers_keep_them(name, total):
    # Weights summing to 0 give 0 on a constant image; summing to 1 keep its value.
    flat = np.full((5, 6), 0.7)
    out = correlate2d(flat, PRESETS[name], mode="valid")
    np.testing.assert_allclose(out, 0.7 * total, atol=1e-12)


def _response(image, kernel):
    return correlate2d(image, kernel, mode="valid")


def test_vertical_edge_detectors_are_positive_where_brightness_grows_to_the_right():
    step = np.zeros((5, 6))
    step[:, 3:] = 1.0  # dark left half, bright right half
    for kernel in (vertical_edge(), sobel_x()):
        out = _response(step, kernel)
        assert (out[:, 1:3] > 0).all()  # windows straddling the edge
        assert (out[:, [0, 3]] == 0).all()  # windows on flat ground
        assert (_response(step[:, ::-1], kernel)[:, 1:3] < 0).all()
    np.testing.assert_array_equal(_response(step, horizontal_edge()), 0.0)
    np.testing.assert_array_equal(_response(step, sobel_y()), 0.0)


def test_horizontal_edge_detectors_are_positive_where_brightness_grows_downwards():
    step = np.zeros((6, 5))
    step[3:, :] = 1.0
    for kernel in (horizontal_edge(), sobel_y()):
        assert (_response(step, kernel)[1:3, :] > 0).all()
        assert (_response(step[::-1], kernel)[1:3, :] < 0).all()
    np.testing.assert_array_equal(_response(step, vertical_edge()), 0.0)


def test_diagonal_edge_responds_to_a_diagonal_edge_and_not_to_straight_ones():
    i, j = np.indices((7, 7))
    upper_right_bright = (j > i).astype(float)
    out = _response(upper_right_bright, diagonal_edge())
    assert np.diag(out).min() > 0  # windows centred on the diagonal
    assert (_response(upper_right_bright.T, diagonal_edge()).diagonal() < 0).all()
    # A straight edge excites it less than the diagonal one does.
    step = (j > 3).astype(float)
    assert _response(step, diagonal_edge()).max() < np.diag(out).max()


def test_identity_with_padding_one_returns_the_image():
    image = np.random.default_rng(0).random((4, 7))
    np.testing.assert_array_equal(correlate2d(image, identity(), mode="same"), image)


def test_shape_detectors_reach_their_maximum_on_their_own_shape():
    patches = {"x": x_filter(), "o": o_filter(), "i": i_filter()}
    for name, kernel in patches.items():
        scores = {other: float((kernel * patch).sum()) for other, patch in patches.items()}
        assert max(scores, key=scores.get) == name
        assert scores[name] == kernel.sum()
