import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnkit.conventions import (
    caffe_pool_output_size,
    pytorch_output_size,
    tf_output_size,
    tf_same_padding,
)
from cnnkit.convolution import conv2d
from cnnkit.padding import pad
from cnnkit.shapes import output_size

sizes = st.integers(1, 40)
kernels = st.integers(1, 9)
strides = st.integers(1, 5)
paddings = st.integers(0, 4)


# ------------------------------------------------------------------ the book's cases
def test_the_invalid_setting_of_chapter_3():
    # n=10, F=3, P=0, S=2: (10 - 3)/2 + 1 = 4.5
    assert pytorch_output_size(10, 3, stride=2) == 4
    assert tf_output_size(10, 3, stride=2, padding="VALID") == 4
    assert tf_output_size(10, 3, stride=2, padding="SAME") == 5
    assert tf_same_padding(10, 3, stride=2) == (0, 1)
    assert caffe_pool_output_size(10, 3, stride=2) == 5
    assert pytorch_output_size(10, 3, stride=2, ceil_mode=True) == 5


def test_even_kernel_same_padding_puts_the_extra_zero_after():
    assert tf_same_padding(10, 4) == (1, 2)
    assert tf_same_padding(10, 2) == (0, 1)
    assert tf_same_padding(10, 3) == (1, 1)
    assert tf_same_padding(10, 1) == (0, 0)


def test_tf_same_when_n_is_not_a_multiple_of_the_stride():
    # n=5, F=3, S=2: 5 % 2 = 1, so max(3 - 1, 0) = 2 zeros, one on each side
    assert tf_output_size(5, 3, stride=2, padding="SAME") == 3
    assert tf_same_padding(5, 3, stride=2) == (1, 1)
    assert tf_output_size(5, 3, stride=2, padding="VALID") == 2


def test_alexnet_on_224_under_each_convention():
    assert pytorch_output_size(224, 11, stride=4) == 54
    assert tf_output_size(224, 11, stride=4, padding="VALID") == 54
    assert tf_output_size(224, 11, stride=4, padding="SAME") == 56
    assert caffe_pool_output_size(227, 11, stride=4) == 55  # whole: no rounding


def test_caffe_drops_a_last_window_that_starts_in_the_padding():
    # ceil((5 + 2 - 2)/2) + 1 = 4, but the 4th window would start at 6 >= n + P = 6
    assert caffe_pool_output_size(5, 2, stride=2, padding=1) == 3
    # without padding Caffe never drops it, even when it starts past the input
    assert caffe_pool_output_size(5, 1, stride=3) == 3
    assert output_size(5, 1, stride=3, mode="ceil") == 2  # cnnkit/PyTorch do drop it


def test_lower_case_padding_names_are_accepted():
    assert tf_output_size(7, 3, stride=2, padding="same") == tf_output_size(
        7, 3, stride=2, padding="SAME"
    )
    assert tf_output_size(7, 3, stride=2, padding="valid") == tf_output_size(
        7, 3, stride=2, padding="VALID"
    )


# ------------------------------------------------------------------ properties
@given(sizes, kernels, strides)
def test_tf_same_padding_gives_exactly_ceil_n_over_s_windows(n, F, S):
    before, after = tf_same_padding(n, F, stride=S)
    assert 0 <= after - before <= 1
    assert tf_output_size(n, F, stride=S, padding="SAME") == math.ceil(n / S)
    # the padded input holds exactly that many windows (floor of the padded size)
    padded = n + before + after
    if padded >= F:
        assert (padded - F) // S + 1 == math.ceil(n / S)


@given(sizes, kernels, strides)
def test_tf_valid_is_the_floor_rule(n, F, S):
    if F > n:
        with pytest.raises(ValueError, match="must fit in the input"):
            tf_output_size(n, F, stride=S, padding="VALID")
    else:
        assert tf_output_size(n, F, stride=S, padding="VALID") == output_size(
            n, F, stride=S, padding=0, mode="floor"
        )


@given(sizes, kernels, strides, paddings)
def test_pytorch_is_floor_and_ceil_mode_is_cnnkit_ceil(n, F, S, P):
    if n + 2 * P < F:
        return
    assert pytorch_output_size(n, F, stride=S, padding=P) == (n + 2 * P - F) // S + 1
    assert pytorch_output_size(n, F, stride=S, padding=P, ceil_mode=True) == output_size(
        n, F, stride=S, padding=P, mode="ceil"
    )


@given(sizes, kernels, strides, paddings)
def test_caffe_pool_agrees_with_cnnkit_ceil_when_the_stride_fits_the_window(n, F, S, P):
    if P >= F or n + 2 * P < F or S > F:
        return
    assert caffe_pool_output_size(n, F, stride=S, padding=P) == output_size(
        n, F, stride=S, padding=P, mode="ceil"
    )


def test_tf_same_padding_reproduces_a_same_convolution():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 10))
    w = rng.normal(size=(3, 3))
    before, after = tf_same_padding(10, 3, stride=2)
    out = conv2d(pad(x, (before, after, before, after)), w, stride=2)
    assert out.shape == (5, 5)
    # the first window starts on the first pixel (no zero before it)
    assert out[0, 0] == pytest.approx(np.sum(x[:3, :3] * w))


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (
            lambda: tf_output_size(10, 3, stride=2, padding="FULL"),
            ValueError,
            r"padding must be 'SAME' or",
        ),
        (lambda: tf_output_size(10, 3, stride=2, padding=1), TypeError, r"got padding=1"),
        (
            lambda: tf_output_size(2, 3, stride=1, padding="VALID"),
            ValueError,
            r"kernel \(F=3\) must fit",
        ),
        (
            lambda: tf_same_padding(0, 3),
            ValueError,
            r"^tf_same_padding: input_size must be a positive integer; got input_size=0",
        ),
        (lambda: tf_same_padding(10, 3, stride=0), ValueError, r"stride must be a positive"),
        (
            lambda: caffe_pool_output_size(10, 3, stride=2, padding=3),
            ValueError,
            r"smaller than the window; got padding=3, kernel_size=3",
        ),
        (lambda: caffe_pool_output_size(2, 5), ValueError, r"larger than the padded input"),
        (
            lambda: caffe_pool_output_size(10, 3, stride=2, padding=-1),
            ValueError,
            r"non-negative integer",
        ),
        (lambda: pytorch_output_size(10, 3, stride=2.0), TypeError, r"stride must be a positive"),
    ],
)
def test_errors_name_the_argument(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_pytorch_output_size_names_itself_and_takes_a_real_bool():
    with pytest.raises(ValueError, match=r"^pytorch_output_size: input_size must be a positive"):
        pytorch_output_size(0, 3)
    with pytest.raises(TypeError, match=r"^pytorch_output_size: stride must be a positive"):
        pytorch_output_size(5, 3, stride=1.5)
    for flag in ["False", None, 2]:  # "False" is truthy: it used to mean ceil mode
        with pytest.raises(
            TypeError, match=r"^pytorch_output_size: ceil_mode must be True or False; got"
        ):
            pytorch_output_size(10, 3, stride=2, ceil_mode=flag)
