from unittest import mock

import numpy as np
import pytest
from gradcheck import check_backward
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d as scipy_convolve2d
from scipy.signal import correlate2d

from cnnkit import convolution
from cnnkit.convolution import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_forward,
    conv2d_naive,
    convolve2d,
)
from cnnkit.cost import conv2d_cost
from cnnkit.shapes import output_size

# ------------------------------------------------------------------ worked examples


def test_hand_worked_2d_example():
    x = np.arange(16.0).reshape(4, 4)
    w = np.array([[1.0, 0.0], [0.0, -1.0]])
    # every window: top-left minus bottom-right = -5
    np.testing.assert_array_equal(conv2d(x, w), np.full((3, 3), -5.0))
    np.testing.assert_array_equal(
        conv2d(x, np.ones((2, 2)), np.array([1.0]), stride=2), [[11, 19], [43, 51]]
    )


def test_book_x_filter_on_a_5x5_image():
    image = np.array(
        [
            [1, 0, 0, 0, 1],
            [0, 1, 0, 1, 0],
            [0, 0, 1, 0, 0],
            [0, 1, 0, 1, 0],
            [1, 0, 0, 0, 1],
        ]
    )
    x_filter = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    out = conv2d(image, x_filter)
    assert out.shape == (3, 3)
    assert out[1, 1] == 5.0  # the pattern matches exactly in the centre
    assert out.max() == out[1, 1]


def test_six_by_six_by_three_with_four_filters_gives_4x4x4():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    assert conv2d(x, w).shape == (4, 4, 4)
    assert conv2d(x[None], w).shape == (1, 4, 4, 4)
    assert conv2d_cost((3, 6, 6), 4, 3).output_shape == (4, 4, 4)


def test_alexnet_conv1_shape_and_cost():
    assert output_size(227, 11, stride=4) == 55
    cost = conv2d_cost((3, 227, 227), 96, 11, stride=4)
    assert cost.output_shape == (96, 55, 55)
    x = np.zeros((1, 3, 227, 227), dtype=np.float32)
    w = np.zeros((96, 3, 11, 11), dtype=np.float32)
    assert conv2d(x, w, stride=4).shape == (1, 96, 55, 55)
    with pytest.raises(ValueError, match=r"\(224 - 11 \+ 2·0\)/4 \+ 1 = 54\.25 is not a whole"):
        conv2d_cost((3, 224, 224), 96, 11, stride=4)
    with pytest.raises(ValueError, match=r"^conv2d: .*= 54\.25 is not a whole number along the"):
        conv2d(np.zeros((1, 3, 224, 224)), w, stride=4)


def test_uint8_image_is_not_wrapped_around():
    image = np.full((4, 5), 200, dtype=np.uint8)
    out = conv2d(image, np.ones((3, 3), dtype=np.uint8))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.full((2, 3), 1800.0))
    np.testing.assert_array_equal(conv2d_naive(image, np.ones((3, 3))), out)


def test_dtypes_float32_stays_float32():
    x = np.ones((2, 3, 5, 5), dtype=np.float32)
    w = np.ones((4, 3, 3, 3), dtype=np.float32)
    b = np.ones(4)  # a float64 bias does not upcast the result
    assert conv2d(x, w, b).dtype == np.float32
    out, cache = conv2d_forward(x, w, b, padding=1)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in conv2d_backward(np.ones_like(out), cache))
    assert conv2d(x, w.astype(np.float64)).dtype == np.float64


def test_floor_drops_last_rows_and_ceil_adds_a_clipped_window():
    x = np.arange(25.0).reshape(5, 5)
    w = np.ones((2, 2))
    floor = conv2d(x, w, stride=2, mode="floor")
    np.testing.assert_array_equal(floor, conv2d(x[:4, :4], w, stride=2))
    ceil = conv2d(x, w, stride=2, mode="ceil")
    assert ceil.shape == (3, 3)
    np.testing.assert_array_equal(ceil, conv2d(np.pad(x, ((0, 1), (0, 1))), w, stride=2))


def test_valid_and_same_padding():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 9))
    w = rng.standard_normal((3, 5))
    np.testing.assert_allclose(conv2d(x, w, padding="same"), correlate2d(x, w, mode="same"))
    np.testing.assert_array_equal(conv2d(x, w, padding="valid"), conv2d(x, w))


def test_one_by_one_convolution_is_a_dense_layer_at_every_pixel():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 3, 4))
    w = rng.standard_normal((3, 5, 1, 1))
    expected = np.einsum("nchw,fc->nfhw", x, w[:, :, 0, 0])
    np.testing.assert_allclose(conv2d(x, w), expected)
    np.testing.assert_allclose(
        conv2d(x, w, padding=1, stride=2, mode="floor"),
        conv2d_naive(x, w, padding=1, stride=2, mode="floor"),
    )


# ------------------------------------------------------------------ against SciPy


@settings(max_examples=30, deadline=None)
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_2d_matches_scipy_correlate_and_convolve(h, w, kh, kw, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h + kh - 1, w + kw - 1))
    k = rng.standard_normal((kh, kw))
    np.testing.assert_allclose(conv2d(x, k), correlate2d(x, k, mode="valid"), atol=1e-12)
    np.testing.assert_allclose(convolve2d(x, k), scipy_convolve2d(x, k, mode="valid"), atol=1e-12)
    full = correlate2d(x, k, mode="full")
    np.testing.assert_allclose(conv2d(x, k, padding=(kh - 1, kw - 1)), full, atol=1e-12)


def test_multichannel_stride_padding_against_scipy():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 8))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    out = conv2d(x, w, b, stride=(3, 2), padding=(1, 2), mode="floor")
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)))
    for n in range(2):
        for f in range(4):
            ref = sum(correlate2d(xp[n, c], w[f, c], mode="valid") for c in range(3))
            np.testing.assert_allclose(out[n, f], ref[::3, ::2] + b[f], atol=1e-12)


def test_convolve2d_flips_the_kernel():
    image = np.array([[0.0, 0, 1, 1], [0, 0, 1, 1]])
    edge = np.array([[1.0, -1.0]])
    np.testing.assert_array_equal(conv2d(image, edge), [[0, -1, 0], [0, -1, 0]])
    np.testing.assert_array_equal(convolve2d(image, edge), [[0, 1, 0], [0, 1, 0]])
    box = np.ones((2, 2))
    np.testing.assert_array_equal(convolve2d(image, box), conv2d(image, box))


# ------------------------------------------------------------------ fast vs naive


@st.composite
def conv_cases(draw):
    n = draw(st.integers(1, 2))
    c = draw(st.integers(1, 3))
    f = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), kh - 2 * ph + 7))
    w = draw(st.integers(max(1, kw - 2 * pw), kw - 2 * pw + 7))
    mode = draw(st.sampled_from(["floor", "ceil"]))
    seed = draw(st.integers(0, 2**16))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return (n, c, h, w), (f, c, kh, kw), (sh, sw), (ph, pw), mode, seed, dtype


def _conv_example(x_shape, w_shape, stride, padding, mode="floor", seed=0, dtype=np.float64):
    return (x_shape, w_shape, stride, padding, mode, seed, dtype)


# Every algorithm of the fast path: flat-shift columns with stride 1, the same split by
# stride phase (ragged phases when the padded size is not a multiple of the stride, phases
# without any filter offset when the filter is smaller than the stride), 1x1 filters with
# and without a stride; forward and backward, float64 and float32.
@settings(max_examples=80, deadline=None)
@given(case=conv_cases())
@example(case=_conv_example((2, 3, 7, 5), (2, 3, 3, 2), (2, 2), (0, 0)))  # padding 0, stride 2
@example(case=_conv_example((1, 2, 8, 6), (3, 2, 3, 3), (3, 1), (0, 1), "ceil"))
@example(case=_conv_example((1, 1, 5, 9), (1, 1, 2, 4), (1, 3), (2, 0)))
@example(case=_conv_example((2, 3, 31, 31), (4, 3, 11, 11), (4, 4), (0, 0), dtype=np.float32))
@example(case=_conv_example((2, 2, 9, 9), (3, 2, 3, 3), (2, 2), (1, 1), "strict", 1))
@example(case=_conv_example((1, 2, 7, 7), (2, 2, 2, 1), (3, 3), (0, 0), "ceil", 2))
@example(case=_conv_example((2, 3, 5, 6), (4, 3, 1, 1), (1, 1), (0, 0), dtype=np.float32))
@example(case=_conv_example((2, 3, 5, 6), (4, 3, 1, 1), (2, 2), (1, 0)))
@example(case=_conv_example((1, 1, 1, 1), (2, 1, 2, 2), (2, 2), (1, 1)))  # weights on padding only
def test_fast_matches_naive_forward_and_backward(case):
    x_shape, w_shape, stride, padding, mode, seed, dtype = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    options = {"stride": stride, "padding": padding, "mode": mode}
    # the loop version in float64 is the reference for both precisions
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-5}
    fast = conv2d(x, w, b, **options)
    assert fast.dtype == dtype
    naive = conv2d_naive(
        x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), **options
    )
    np.testing.assert_allclose(fast, naive, **tol)
    out, cache = conv2d_forward(x, w, b, **options)
    np.testing.assert_array_equal(out, fast)
    dout = rng.standard_normal(out.shape).astype(dtype)
    _, cache64 = conv2d_forward(
        x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), **options
    )
    expected = conv2d_backward_naive(dout.astype(np.float64), cache64)
    _check_backward(dout, cache, expected, tol)
    # the same case through the other algorithms: small images are one dense product
    # with the unrolled filters (_unrolled), unless it does too much work; force each way
    for ratio in (0.0, np.inf):
        with mock.patch.object(convolution, "_UNROLLED_MAX_RATIO", ratio):
            np.testing.assert_allclose(conv2d(x, w, b, **options), naive, **tol)
            other, cache = conv2d_forward(x, w, b, **options)
            np.testing.assert_allclose(other, naive, **tol)
            for g_fast, g_naive in zip(conv2d_backward(dout, cache), expected, strict=True):
                np.testing.assert_allclose(g_fast, g_naive, **tol)
            assert conv2d_backward(dout, cache, input_grad=False)[0] is None
    # large images take one product per image, written in place (_WIDE_POSITIONS): force it
    with (
        mock.patch.object(convolution, "_WIDE_POSITIONS", 1),
        mock.patch.object(convolution, "_UNROLLED_MAX_RATIO", 0.0),
    ):
        np.testing.assert_allclose(conv2d(x, w, b, **options), naive, **tol)
        wide, cache = conv2d_forward(x, w, b, **options)
        np.testing.assert_allclose(wide, naive, **tol)
        for g_fast, g_naive in zip(conv2d_backward(dout, cache), expected, strict=True):
            np.testing.assert_allclose(g_fast, g_naive, **tol)
    # columns too large to keep (_KEPT_COLUMNS_MAX_BYTES): the backward pass builds them
    # again, one image per group here, and adds up dW group by group
    with (
        mock.patch.object(convolution, "_KEPT_COLUMNS_MAX_BYTES", 0),
        mock.patch.object(convolution, "_UNROLLED_MAX_RATIO", 0.0),
        mock.patch.object(convolution, "_CHUNK_BYTES", 1),
    ):
        rebuilt, cache = conv2d_forward(x, w, b, **options)
        assert cache.cols is None
        np.testing.assert_allclose(rebuilt, naive, **tol)
        _check_backward(dout, cache, expected, tol)


def _check_backward(dout, cache, expected, tol):
    """conv2d_backward against the loop version's gradients; without dx, the same dW, db."""
    grads = conv2d_backward(dout, cache)
    for g_fast, g_naive in zip(grads, expected, strict=True):
        assert g_fast.dtype == dout.dtype
        np.testing.assert_allclose(g_fast, g_naive, **tol)
    none, dw, db = conv2d_backward(dout, cache, input_grad=False)
    assert none is None
    np.testing.assert_array_equal(dw, grads[1])
    np.testing.assert_array_equal(db, grads[2])


@st.composite
def winograd_cases(draw):
    n, c, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, 3 - 2 * ph), 11))
    w = draw(st.integers(max(1, 3 - 2 * pw), 11))
    mode = draw(st.sampled_from(["floor", "ceil"]))
    bias = draw(st.booleans())
    group_bytes = draw(st.sampled_from([1, 2**20]))  # one image per group, or all at once
    seed = draw(st.integers(0, 2**16))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return (n, c, h, w), (k, c), (ph, pw), mode, bias, group_bytes, seed, dtype


# Winograd's F(2x2, 3x3) (3x3 stride-1 layers with many channels): forced on every case
# here, on odd and even sizes (a last, half-empty tile), padding 0-2, float64 and float32,
# with and without a bias, one image per group or several. Forward (conv2d and
# conv2d_forward) and backward: dW from columns built again group by group, dx by Winograd.
@settings(max_examples=60, deadline=None)
@given(case=winograd_cases())
@example(case=((2, 1, 1, 1), (2, 1), (1, 1), "floor", True, 1, 0, np.float64))  # one pixel
@example(case=((1, 2, 3, 3), (1, 2), (0, 0), "floor", False, 1, 1, np.float32))  # one output
@example(case=((3, 2, 7, 10), (2, 2), (2, 1), "ceil", True, 2**20, 2, np.float32))
def test_winograd_matches_the_loops(case):
    x_shape, (k, c), padding, mode, bias, group_bytes, seed, dtype = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal((k, c, 3, 3)).astype(dtype)
    b = rng.standard_normal(k).astype(dtype) if bias else None
    naive = conv2d_naive(
        x.astype(np.float64),
        w.astype(np.float64),
        None if b is None else b.astype(np.float64),
        padding=padding,
        mode=mode,
    )
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-5}
    with (
        mock.patch.object(convolution, "_WINOGRAD_MIN_CHANNELS", 1),
        mock.patch.object(convolution, "_WINOGRAD_MIN_OUTPUTS", 1),
        mock.patch.object(convolution, "_WINOGRAD_GROUP_BYTES", group_bytes),
        mock.patch.object(convolution, "_CHUNK_BYTES", group_bytes),  # dW's groups
        mock.patch.object(convolution, "_UNROLLED_MAX_RATIO", 0.0),  # small images too
        mock.patch.object(convolution, "_winograd", wraps=convolution._winograd) as used,
    ):
        fast = conv2d(x, w, b, padding=padding, mode=mode)
        assert used.call_count == 1
        out, cache = conv2d_forward(x, w, b, padding=padding, mode=mode)
        assert cache.cols is None  # nothing kept: the backward pass builds what it needs
        dout = rng.standard_normal(out.shape).astype(dtype)
        grads = conv2d_backward(dout, cache)
        assert used.call_count == 3  # the forward pass twice, and dx
        none, dw, db = conv2d_backward(dout, cache, input_grad=False)
        assert none is None and used.call_count == 3
    assert fast.dtype == dtype and fast.shape == naive.shape
    np.testing.assert_allclose(fast, naive, **tol)
    np.testing.assert_array_equal(out, fast)
    _, cache64 = conv2d_forward(
        x.astype(np.float64),
        w.astype(np.float64),
        np.zeros(k) if b is None else b.astype(np.float64),
        padding=padding,
        mode=mode,
    )
    expected = conv2d_backward_naive(dout.astype(np.float64), cache64)
    for g_fast, g_naive in zip(grads, expected, strict=True):
        assert g_fast.dtype == dtype
        np.testing.assert_allclose(g_fast, g_naive, **tol)
    np.testing.assert_array_equal(dw, grads[1])
    np.testing.assert_array_equal(db, grads[2])


def test_winograd_takes_large_3x3_layers_only_and_matches_the_loops():
    gen = np.random.default_rng(6)
    x = gen.standard_normal((2, 64, 16, 16)).astype(np.float32)
    w = (gen.standard_normal((64, 64, 3, 3)) / 24).astype(np.float32)
    b = gen.standard_normal(64).astype(np.float32)
    with mock.patch.object(convolution, "_winograd", wraps=convolution._winograd) as used:
        out = conv2d(x, w, b, padding=1)  # 16 x 16 outputs, 64 channels and filters: taken
        assert used.call_count == 1
        conv2d(x[:, :, :15, :15], w, b, padding=1)  # 15 x 15 = 225 outputs: too small
        conv2d(x, w[:, :, :2, :2])  # 2x2 filters
        conv2d(x, w, b, stride=2, padding=1, mode="floor")  # a stride
        conv2d(x[:, :32], w[:, :32], b)  # 32 channels
        conv2d(x, w, b, padding=3)  # windows that see only padding
        conv2d(x.astype(np.float16), w.astype(np.float16), padding=1)  # float16
        assert used.call_count == 1
    naive = conv2d_naive(
        x[:1].astype(np.float64), w.astype(np.float64), b.astype(np.float64), padding=1
    )
    np.testing.assert_allclose(out[:1], naive, rtol=2e-5, atol=2e-5)
    # as accurate as im2col in float32: both errors against float64 loops, within 2x
    with mock.patch.object(convolution, "_WINOGRAD_MIN_CHANNELS", 65):
        im2col = conv2d(x[:1], w, b, padding=1)
    assert np.abs(out[:1] - naive).max() <= 2 * np.abs(im2col - naive).max()


@pytest.mark.parametrize("stride", [1, 2])
def test_backward_without_the_input_gradient(stride):
    gen = np.random.default_rng(0)
    x, w = gen.standard_normal((2, 3, 7, 7)), gen.standard_normal((4, 3, 3, 3))
    out, cache = conv2d_forward(x, w, np.zeros(4), stride=stride, padding=1)
    dout = gen.standard_normal(out.shape)
    dx, dw, db = conv2d_backward(dout, cache)
    none, dw2, db2 = conv2d_backward(dout, cache, input_grad=False)
    assert none is None and dx.shape == x.shape
    np.testing.assert_array_equal(dw2, dw)
    np.testing.assert_array_equal(db2, db)
    with pytest.raises(TypeError, match=r"^conv2d_backward: input_grad must be True or False"):
        conv2d_backward(dout, cache, input_grad=1)


# ------------------------------------------------------------------ gradient checks

GRAD_CASES = [
    ((2, 2, 5, 6), (3, 2, 3, 3), 1, 0, "strict"),
    ((1, 2, 7, 6), (2, 2, 3, 2), 2, 1, "strict"),
    ((2, 1, 6, 7), (2, 1, 2, 3), (2, 3), (0, 2), "floor"),
    ((1, 2, 6, 5), (2, 2, 3, 3), 2, 0, "ceil"),
]


@pytest.mark.parametrize("backward", [conv2d_backward, conv2d_backward_naive])
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding", "mode"), GRAD_CASES)
def test_gradient_check(backward, x_shape, w_shape, stride, padding, mode):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    options = {"stride": stride, "padding": padding, "mode": mode}
    out, cache = conv2d_forward(x, w, b, **options)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = backward(dout, cache)
    check_backward(
        lambda: conv2d_forward(x, w, b, **options)[0],
        {"x": x, "w": w, "b": b},
        {"x": dx, "w": dw, "b": db},
        dout,
    )


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("func", [conv2d, conv2d_naive])
def test_error_messages(func):
    name = func.__name__
    x = np.ones((1, 3, 5, 5))
    w = np.ones((2, 3, 3, 3))
    with pytest.raises(
        ValueError,
        match=rf"^{name}: x must have 2, 3 or 4 dimensions \(H, W\) or \(C, H, W\) or "
        r"\(N, C, H, W\); got x with 5 dimensions",
    ):
        func(np.ones((1, 1, 3, 5, 5)), w)
    with pytest.raises(ValueError, match=rf"^{name}: w must have 4 dimensions \(K, C, FH, FW\)"):
        func(x, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"w must have 2 dimensions \(FH, FW\) when x is a 2-D"):
        func(np.ones((5, 5)), w)
    with pytest.raises(
        ValueError,
        match=rf"^{name}: x has 3 channels but w expects 1 \(w.shape\[1\]\); they must match$",
    ):
        func(x, np.ones((2, 1, 3, 3)))
    with pytest.raises(
        ValueError,
        match=rf"^{name}: stride must be a positive integer or a pair of them; got stride=0$",
    ):
        func(x, w, stride=0)
    with pytest.raises(ValueError, match=r"got stride=\(1, -1\)"):
        func(x, w, stride=(1, -1))
    with pytest.raises(TypeError, match=r"stride must be a positive integer .*got stride=1.5"):
        func(x, w, stride=1.5)
    with pytest.raises(
        ValueError,
        match=r"padding must be a non-negative integer or a pair of them; got padding=-1",
    ):
        func(x, w, padding=-1)
    with pytest.raises(
        ValueError, match=r"padding must be .*'valid' or 'same'; got padding='full'"
    ):
        func(x, w, padding="full")
    with pytest.raises(ValueError, match=r'"same" padding keeps the size only for an odd filter'):
        func(x, np.ones((2, 3, 2, 2)), padding="same")
    with pytest.raises(
        ValueError,
        match=rf"^{name}: the window \(F=7\) is larger than the padded input \(W \+ 2P = 6\) "
        r"along the width",
    ):
        func(np.ones((1, 3, 9, 4)), np.ones((2, 3, 3, 7)), padding=1)
    with pytest.raises(
        ValueError,
        match=r"\(H - F \+ 2P\)/S \+ 1 = \(5 - 3 \+ 2·0\)/3 \+ 1 = 1\.66667 is not a whole "
        r"number along the height",
    ):
        func(x, w, stride=3)
    with pytest.raises(TypeError, match=rf"^{name}: x must hold real numbers.*dtype <U1"):
        func(np.array([["a"]]), np.ones((1, 1)))
    with pytest.raises(TypeError, match=r"w must hold real numbers.*dtype complex128"):
        func(x, w.astype(complex))
    with pytest.raises(
        ValueError,
        match=r"b must be an array of shape \(K,\) = \(2,\), one bias per filter; got b ",
    ):
        func(x, w, b=np.ones(3))
    with pytest.raises(ValueError, match=r"mode must be one of"):
        func(x, w, mode="same")


@pytest.mark.parametrize("func", [conv2d, conv2d_naive])
def test_a_bias_is_one_value_per_filter_never_a_number(func):
    name = func.__name__
    image, kernel = np.arange(16.0).reshape(4, 4), np.ones((2, 2))
    # conv2d(x, w, 2) reads like a stride of 2: it must not add 2 to every output
    with pytest.raises(
        TypeError,
        match=rf"^{name}: b must be an array of shape \(K,\) = \(1,\), one bias per filter \(a "
        r"2-D filter is K = 1 filter\); got b=2; the options stride, padding and mode are "
        r"keyword-only \(stride=2\)$",
    ):
        func(image, kernel, 2)
    with pytest.raises(TypeError, match=r"positional argument"):
        func(image, kernel, None, 2)
    np.testing.assert_array_equal(func(image, kernel, np.array([2.0])), func(image, kernel) + 2)
    with pytest.raises(ValueError, match=r"got b with shape \(\)$"):
        func(image, kernel, np.array(2.0))


def test_forward_and_backward_errors():
    with pytest.raises(ValueError, match=r"^conv2d_forward: x must have 4 dimensions"):
        conv2d_forward(np.ones((3, 5, 5)), np.ones((2, 3, 3, 3)))
    out, cache = conv2d_forward(np.ones((1, 3, 5, 5)), np.ones((2, 3, 3, 3)))
    with pytest.raises(
        ValueError,
        match=r"^conv2d_backward: dout must have the shape of the forward output "
        r"\(1, 2, 3, 3\); got dout with shape \(1, 2, 3\)",
    ):
        conv2d_backward(np.ones((1, 2, 3)), cache)
    with pytest.raises(ValueError, match=r"^conv2d_backward_naive: dout must have the shape"):
        conv2d_backward_naive(np.ones((2, 2, 3, 3)), cache)
    with pytest.raises(ValueError, match=r"^convolve2d: kernel must have 2 dimensions"):
        convolve2d(np.ones((5, 5)), np.ones((1, 1, 3, 3)))


def test_a_large_image_is_multiplied_in_place_and_matches_the_loops():
    # 40 x 42 flat-shift positions per image: above _WIDE_POSITIONS, without forcing it
    gen = np.random.default_rng(5)
    x, w, b = gen.standard_normal((2, 2, 40, 40)), gen.standard_normal((3, 2, 3, 3)), np.ones(3)
    out = conv2d(x, w, b, padding=1)
    np.testing.assert_allclose(out, conv2d_naive(x, w, b, padding=1), rtol=1e-10, atol=1e-12)
    assert out.shape == (2, 3, 40, 40)
    out[0, 0, 0, 0] = 7.0  # an ordinary array to its user: writable, its own numbers
    assert conv2d(x, w, b, padding=1)[0, 0, 0, 0] != 7.0


def test_a_cache_from_another_function_is_named_not_crashed_on():
    from cnnkit.pooling import max_pool2d_forward

    x = np.ones((1, 1, 4, 4))
    _, pool_cache = max_pool2d_forward(x, 2)
    for backward in (conv2d_backward, conv2d_backward_naive):
        name = backward.__name__
        for cache, got in ((pool_cache, "a PoolCache"), (None, "None"), ((x, x), "a tuple")):
            with pytest.raises(
                TypeError,
                match=rf"^{name}: cache must be the ConvCache that conv2d_forward returns; "
                rf"got {got}$",
            ):
                backward(np.ones((1, 1, 2, 2)), cache)


def test_empty_inputs_and_filters_are_refused():
    w = np.ones((2, 3, 3, 3))
    with pytest.raises(
        ValueError, match=r"^conv2d: x must hold at least one number .* \(1, 3, 0, 4\)"
    ):
        conv2d(np.ones((1, 3, 0, 4)), w, padding=1)  # used to return zeros
    with pytest.raises(ValueError, match=r"^conv2d_forward: x must hold .* \(0, 3, 5, 5\)"):
        conv2d_forward(np.ones((0, 3, 5, 5)), w)
    for shape in ((0, 3, 3, 3), (4, 3, 0, 3)):
        with pytest.raises(
            ValueError, match=rf"^conv2d: w must hold at least one filter .*{shape}"
        ):
            conv2d(np.ones((1, 3, 5, 5)), np.ones(shape))
    with pytest.raises(TypeError, match=r"^conv2d_backward: input_grad must be True or False"):
        _, cache = conv2d_forward(np.ones((1, 3, 5, 5)), w)
        conv2d_backward(np.ones((1, 2, 3, 3)), cache, input_grad="no")
