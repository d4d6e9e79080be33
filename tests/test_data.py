import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.datasets import load_digits as sklearn_load_digits

from cnnkit.data import (
    CLASS_NAMES,
    example_image,
    load_digits,
    sample_image,
    to_chw,
    to_grayscale,
    to_hwc,
    xoi_patterns,
)
from cnnkit.filters import x_filter

# ---------------------------------------------------------------- load_digits


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_digits_shapes_dtypes_and_range(digits):
    x_train, y_train, x_test, y_test = digits
    assert x_train.shape == (1438, 1, 8, 8) and x_test.shape == (359, 1, 8, 8)
    assert x_train.dtype == x_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    assert y_train.shape == (1438,) and y_test.shape == (359,)
    both = np.concatenate([x_train, x_test])
    assert both.min() == 0.0 and both.max() == 1.0
    # 17 grey levels: multiples of 1/16
    np.testing.assert_array_equal(both * 16, np.round(both * 16))


def test_digits_split_is_a_partition_of_the_scikit_learn_images(digits):
    original = sklearn_load_digits()
    ours = np.concatenate([digits.x_train, digits.x_test])[:, 0] * 16
    labels = np.concatenate([digits.y_train, digits.y_test])
    assert len(ours) == 1797

    def keyed(images, targets):
        rows = np.concatenate([images.reshape(len(images), -1), targets[:, None]], axis=1)
        return rows[np.lexsort(rows.T[::-1])]

    np.testing.assert_array_equal(keyed(ours, labels), keyed(original.images, original.target))


def test_digits_split_is_stratified(digits):
    totals = np.bincount(np.concatenate([digits.y_train, digits.y_test]), minlength=10)
    in_test = np.bincount(digits.y_test, minlength=10)
    assert np.all(np.abs(in_test - 0.2 * totals) <= 0.5)
    half = load_digits(test_fraction=0.5)
    assert np.all(np.abs(np.bincount(half.y_test) - 0.5 * totals) <= 0.5)


def test_digits_split_is_fixed_by_the_seed(digits):
    again = load_digits(seed=0)
    for a, b in zip(digits, again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = load_digits(seed=1)
    assert not np.array_equal(digits.y_test, other.y_test)
    # a Generator seeded alike gives the same split
    np.testing.assert_array_equal(load_digits(seed=np.random.default_rng(0)).y_test, digits.y_test)


def test_digits_are_not_shared_between_calls(digits):
    fresh = load_digits()
    fresh.x_train[:] = -1.0
    assert load_digits().x_train.min() == 0.0


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1])
def test_digits_reject_bad_test_fraction(bad):
    with pytest.raises(ValueError, match=r"load_digits: test_fraction must be a number strictly"):
        load_digits(test_fraction=bad)


@pytest.mark.parametrize("bad", [True, "0.2"])
def test_digits_reject_a_test_fraction_that_is_not_a_number(bad):
    with pytest.raises(TypeError, match=r"load_digits: test_fraction must be a number strictly"):
        load_digits(test_fraction=bad)


def test_importing_the_data_module_does_not_import_scikit_learn():
    code = "import sys, cnnkit.model, cnnkit.filters; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- sample_image


@pytest.mark.parametrize("name", ["china", "flower", "china.jpg", "flower.jpg"])
def test_sample_image_is_an_hwc_uint8_photo(name):
    img = sample_image(name)
    assert img.shape == (427, 640, 3)
    assert img.dtype == np.uint8
    assert img.std() > 10  # a real photo, not a blank


def test_sample_images_differ():
    assert not np.array_equal(sample_image("china"), sample_image("flower"))


def test_sample_image_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match=r"sample_image: name must be one of 'china', 'flower'"):
        sample_image("lena")


# ---------------------------------------------------------------- layout helpers


def test_to_chw_scales_uint8_to_unit_range_without_wrapping():
    img = np.zeros((2, 3, 3), dtype=np.uint8)
    img[..., 0] = 255
    img[0, 1, 2] = 128
    chw = to_chw(img)
    assert chw.shape == (3, 2, 3) and chw.dtype == np.float64
    assert chw.flags.c_contiguous
    np.testing.assert_array_equal(chw[0], 1.0)
    assert chw[2, 0, 1] == 128 / 255


def test_to_chw_keeps_float_values_and_dtype_and_handles_batches():
    img = np.random.default_rng(0).random((5, 4, 6, 3)).astype(np.float32)
    chw = to_chw(img)
    assert chw.shape == (5, 3, 4, 6) and chw.dtype == np.float32
    np.testing.assert_array_equal(chw[2, 1], img[2, :, :, 1])
    np.testing.assert_array_equal(to_hwc(chw), img)


def test_to_hwc_inverts_to_chw_on_a_photo():
    photo = sample_image("flower")
    np.testing.assert_array_equal(to_hwc(to_chw(photo)), photo / 255.0)


def test_layout_helpers_reject_wrong_ndim_and_non_numbers():
    with pytest.raises(ValueError, match=r"to_chw: img must have 3 or 4 dimensions"):
        to_chw(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"to_hwc: img must have 3 or 4 dimensions"):
        to_hwc(np.zeros(4))
    with pytest.raises(TypeError, match=r"to_hwc: img must hold real numbers"):
        to_hwc(np.array([[["a"]]]))


def test_to_grayscale_uses_bt601_weights_on_the_input_scale():
    img = np.zeros((1, 4, 3), dtype=np.uint8)
    img[0, 0] = (255, 0, 0)
    img[0, 1] = (0, 255, 0)
    img[0, 2] = (0, 0, 255)
    img[0, 3] = (255, 255, 255)
    gray = to_grayscale(img)
    assert gray.shape == (1, 4) and gray.dtype == np.float64
    np.testing.assert_allclose(gray[0], [0.299 * 255, 0.587 * 255, 0.114 * 255, 255.0])
    as_float = to_grayscale(img.astype(np.float32) / 255)
    assert as_float.dtype == np.float32
    np.testing.assert_allclose(as_float, gray / 255, rtol=1e-6)


def test_to_grayscale_rejects_non_rgb():
    with pytest.raises(ValueError, match=r"to_grayscale: img must have shape \(H, W, 3\)"):
        to_grayscale(np.zeros((3, 4, 5)))


# ---------------------------------------------------------------- example_image


def test_example_image_is_a_fresh_binary_5x5():
    img = example_image()
    assert img.shape == (5, 5) and img.dtype == np.float64
    assert set(np.unique(img)) == {0.0, 1.0}
    img[:] = 7
    assert example_image().max() == 1.0


def test_x_filter_responds_most_strongly_at_exactly_one_position():
    windows = sliding_window_view(example_image(), (3, 3))
    feature_map = np.einsum("ijkl,kl->ij", windows, x_filter())
    assert feature_map.max() == 5.0
    assert np.argwhere(feature_map == 5.0).tolist() == [[1, 0]]
    assert np.sort(feature_map, axis=None)[-2] <= 3.0


# ---------------------------------------------------------------- xoi_patterns

INK = {"X": 13, "O": 20, "I": 11}  # pixels in the clean 7x7 shapes


def test_xoi_patterns_shapes_dtypes_and_balance():
    x, y = xoi_patterns(31, rng=0)
    assert x.shape == (31, 1, 9, 9) and x.dtype == np.float32
    assert y.shape == (31,) and y.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert sorted(np.bincount(y).tolist()) == [10, 10, 11]
    assert CLASS_NAMES == ("X", "O", "I")


def test_xoi_patterns_are_reproducible_and_vary_with_the_seed():
    a, b, c = xoi_patterns(12, rng=3), xoi_patterns(12, rng=3), xoi_patterns(12, rng=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_clean_xoi_patterns_are_the_book_shapes():
    x, y = xoi_patterns(3, rng=0, noise=0.0, max_shift=0)
    shapes = {CLASS_NAMES[label]: image[0] for image, label in zip(x, y, strict=True)}
    eye = np.eye(7)
    np.testing.assert_array_equal(shapes["X"][1:-1, 1:-1], np.maximum(eye, eye[::-1]))
    assert shapes["I"][:, 4].sum() == 9 and shapes["I"][0, 3:6].sum() == 3
    assert shapes["O"][4, 4] == 0 and shapes["O"][0, 4] == 1 and shapes["O"][0, 0] == 0


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    max_shift=st.integers(0, 2),
    extra=st.integers(0, 4),
    seed=st.integers(0, 2**16),
)
def test_clean_patterns_are_whole_shapes_shifted_at_most_max_shift(n, max_shift, extra, seed):
    size = 2 * max_shift + 7 + extra
    x, y = xoi_patterns(n, size=size, rng=seed, noise=0.0, max_shift=max_shift)
    assert x.shape == (n, 1, size, size)
    k = size - 2 * max_shift
    for image, label in zip(x[:, 0], y, strict=True):
        rows, cols = np.nonzero(image)
        # the whole shape is there (k rows; k columns, 3 for the I), within the shifts
        width = 3 if CLASS_NAMES[label] == "I" else k
        assert rows.max() - rows.min() == k - 1 and cols.max() - cols.min() == width - 1
        shape_left = cols.min() - (k // 2 - 1 if width == 3 else 0)  # the I sits mid-grid
        assert rows.min() <= 2 * max_shift and shape_left <= 2 * max_shift
        if k == 7:
            assert image.sum() == INK[CLASS_NAMES[label]]


def test_noise_is_added_then_clipped():
    clean, y = xoi_patterns(60, rng=5, noise=0.0)
    noisy, y2 = xoi_patterns(60, rng=5, noise=0.3)
    np.testing.assert_array_equal(y, y2)
    assert 0.0 <= noisy.min() and noisy.max() <= 1.0
    assert 0.05 < np.abs(noisy - clean).mean() < 0.3


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 0}, ValueError, r"xoi_patterns: n must be a positive integer; got n=0"),
        ({"n": 3, "size": 4}, ValueError, r"xoi_patterns: size must be at least 2\*max_shift"),
        ({"n": 3, "noise": -1.0}, ValueError, r"xoi_patterns: noise must be a finite number"),
        ({"n": 3, "max_shift": -1}, ValueError, r"xoi_patterns: max_shift must be a non-neg"),
        ({"n": 3, "rng": "seed"}, TypeError, r"xoi_patterns: rng must be a numpy Generator"),
    ],
)
def test_xoi_patterns_reject_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        xoi_patterns(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 3, "noise": "0.1"}, r"xoi_patterns: noise must be a finite number"),
        ({"n": 3, "max_shift": 1.0}, r"xoi_patterns: max_shift must be a non-neg"),
    ],
)
def test_xoi_patterns_reject_arguments_of_the_wrong_type(kwargs, message):
    with pytest.raises(TypeError, match=message):
        xoi_patterns(**kwargs)


@pytest.mark.parametrize("fraction", [0.001, 0.999])
def test_load_digits_keeps_every_digit_in_both_parts(fraction):
    # 0.001 used to give an empty test set, 0.999 an empty training set
    with pytest.raises(
        ValueError,
        match=r"^load_digits: test_fraction must leave at least one image of every digit in "
        rf"each part, about 0\.0029 to 0\.9971; got test_fraction={fraction}$",
    ):
        load_digits(test_fraction=fraction)


@pytest.mark.parametrize("name", [None, 5, ["china"]])
def test_sample_image_name_must_be_a_string(name):
    with pytest.raises(
        TypeError, match=r"^sample_image: name must be one of 'china', 'flower'; got name="
    ):
        sample_image(name)
