from unittest import mock

import numpy as np
import pytest
from gradcheck import check_backward
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cnnkit import pooling
from cnnkit.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    avg_pool2d_forward,
    avg_pool2d_naive,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_forward,
    max_pool2d_naive,
    sum_pool2d,
    sum_pool2d_backward,
    sum_pool2d_forward,
    sum_pool2d_naive,
)

KINDS = {
    "max": (max_pool2d, max_pool2d_naive, max_pool2d_forward, max_pool2d_backward),
    "avg": (avg_pool2d, avg_pool2d_naive, avg_pool2d_forward, avg_pool2d_backward),
    "sum": (sum_pool2d, sum_pool2d_naive, sum_pool2d_forward, sum_pool2d_backward),
}


def test_worked_example():
    x = np.array([[1.0, 3, 2, 1], [4, 2, 0, 1], [1, 1, 5, 6], [0, 2, 7, 8]])
    np.testing.assert_array_equal(max_pool2d(x, 2), [[4, 2], [2, 8]])
    np.testing.assert_array_equal(avg_pool2d(x, 2), [[2.5, 1], [1, 6.5]])
    np.testing.assert_array_equal(sum_pool2d(x, 2), [[10, 4], [4, 26]])
    np.testing.assert_array_equal(max_pool2d(x, 3, stride=1), [[5, 6], [7, 8]])


def test_per_channel_depth_unchanged_and_the_dimension_policy():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 4))
    out = max_pool2d(x, 2)
    assert out.shape == (2, 3, 3, 2)
    np.testing.assert_array_equal(out[1, 2], max_pool2d(x[1, 2], 2))
    np.testing.assert_array_equal(out[1], max_pool2d(x[1], 2))
    with pytest.raises(ValueError, match=r"^max_pool2d: x must have 2, 3 or 4 dimensions"):
        max_pool2d(np.ones((2, 2, 3, 4, 4)), 2)
    # the training path takes a batch only
    with pytest.raises(
        ValueError,
        match=r"^max_pool2d_forward: x must have 4 dimensions \(N, C, H, W\); got x "
        r"with 2 dimensions",
    ):
        max_pool2d_forward(np.ones((4, 4)), 2)


def test_modes_and_clipped_partial_windows():
    x = np.arange(25.0).reshape(5, 5)
    with pytest.raises(ValueError, match=r"^max_pool2d: .*\(5 - 2 \+ 2·0\)/2 \+ 1 = 2\.5 is not"):
        max_pool2d(x, 2)
    np.testing.assert_array_equal(max_pool2d(x, 2, mode="floor"), [[6, 8], [16, 18]])
    ceil = max_pool2d(x, 2, mode="ceil")
    np.testing.assert_array_equal(ceil, [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    # the partial windows are clipped: they average over the elements that exist
    avg = avg_pool2d(x, 2, mode="ceil")
    assert avg[0, 2] == (4 + 9) / 2
    assert avg[2, 2] == 24
    assert sum_pool2d(x, 2, mode="ceil")[2, 0] == 20 + 21
    # ...and the maximum of negative numbers stays negative (zeros would give 0)
    np.testing.assert_array_equal(max_pool2d(-1 - x, 2, mode="ceil")[2], [-21, -23, -25])


def test_padding_minus_infinity_for_max_and_counted_zeros_for_average():
    x = -np.arange(1.0, 10.0).reshape(3, 3)  # all negative: a zero pad would win a max
    # windows of 2 with stride 2 over the 3 + 2 padded cells start at -1 and 1 (floor:
    # the last padded row and column are not reached)
    options = {"padding": 1, "mode": "floor"}
    np.testing.assert_array_equal(max_pool2d(x, 2, **options), [[-1, -2], [-4, -5]])
    # average: the padded zeros count (PyTorch's default count_include_pad=True)
    np.testing.assert_array_equal(
        avg_pool2d(x, 2, **options), [[-1 / 4, -5 / 4], [-11 / 4, -28 / 4]]
    )
    np.testing.assert_array_equal(sum_pool2d(x, 2, **options), [[-1, -5], [-11, -28]])
    with pytest.raises(
        ValueError,
        match=r"^avg_pool2d: padding must be at most half the window \(P ≤ F/2\).*got padding=2 "
        r"with kernel_size=3",
    ):
        avg_pool2d(np.ones((6, 6)), 3, padding=2)


def test_ceil_mode_with_padding_divides_by_the_cells_inside_the_padded_input():
    # n=4, F=3, S=2, P=1: ceil((4 + 2 - 3)/2) + 1 = 3 windows per axis, the last one
    # starting at padded position 4 and clipped to cells 4 and 5 (an input cell and a pad)
    x = np.ones((1, 1, 4, 4))
    out = avg_pool2d(x, 3, stride=2, padding=1, mode="ceil")
    assert out.shape == (1, 1, 3, 3)
    # corner window: 3x3 cells of the padded input, of which 2x2 are ones
    assert out[0, 0, 0, 0] == 4 / 9
    # last window: 2x2 cells inside the padded input (one input row/column, one pad)
    assert out[0, 0, 2, 2] == 1 / 4
    np.testing.assert_array_equal(out, avg_pool2d_naive(x, 3, stride=2, padding=1, mode="ceil"))


def test_uint8_and_dtypes():
    x = np.full((4, 4), 200, dtype=np.uint8)
    np.testing.assert_array_equal(sum_pool2d(x, 2), np.full((2, 2), 800.0))
    assert max_pool2d(x, 2).dtype == np.float64
    x32 = np.ones((1, 2, 4, 4), dtype=np.float32)
    for fast, _, fwd, bwd in KINDS.values():
        assert fast(x32, 2).dtype == np.float32
        out, cache = fwd(x32, 3, stride=1, padding=1)
        assert out.dtype == np.float32
        assert bwd(np.ones_like(out), cache).dtype == np.float32


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h, w = draw(st.integers(kh, kh + 7)), draw(st.integers(kw, kw + 7))
    lead = draw(st.sampled_from([(1, 1), (2, 1), (2, 3)]))
    mode = draw(st.sampled_from(["floor", "ceil"]))
    return (*lead, h, w), (kh, kw), (sh, sw), (ph, pw), mode, draw(st.integers(0, 2**16))


@settings(max_examples=60, deadline=None)
@given(case=pool_cases())
@example(case=((2, 3, 6, 8), (2, 2), (2, 2), (0, 0), "floor", 0))  # the four-slice fast path
@example(case=((1, 3, 7, 5), (2, 2), (2, 2), (0, 0), "ceil", 1))
@example(case=((1, 1, 4, 9), (3, 2), (1, 3), (1, 0), "floor", 2))
@example(case=((2, 1, 5, 5), (3, 3), (2, 2), (1, 1), "ceil", 3))
@example(case=((1, 1, 2, 3), (2, 2), (2, 2), (0, 0), "floor", 0))  # a last column in no window
def test_fast_matches_naive(case):
    shape, size, stride, padding, mode, seed = case
    options = {"stride": stride, "padding": padding, "mode": mode}
    # small integers: many ties, which the max-pool gradient must send to one element
    x = np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float64)
    for fast, naive, fwd, _ in KINDS.values():
        expected = naive(x, size, **options)
        np.testing.assert_allclose(fast(x, size, **options), expected, rtol=1e-12)
        out, cache = fwd(x, size, **options)
        np.testing.assert_allclose(out, expected, rtol=1e-12)
    out, cache = max_pool2d_forward(x, size, **options)
    dout = np.random.default_rng(seed + 1).standard_normal(out.shape)
    expected_dx = _max_backward_loops(x, dout, size, stride, padding)
    np.testing.assert_allclose(max_pool2d_backward(dout, cache), expected_dx, atol=1e-12)
    # the 2x2 windows take one of two ways to their corners: whole rows copied for
    # narrow maps, four quadrant blocks otherwise (and for a strided input); force each
    expected = max_pool2d_naive(x, size, **options)
    strided = np.empty((*x.shape[:-1], 2 * x.shape[-1]))[..., ::2]
    strided[...] = x  # the same numbers, not contiguous
    for width in (0, 10**6):
        with mock.patch.object(pooling, "_ROWS_MAX_WIDTH", width):
            for xin in (x, strided, x.astype(np.float32)):
                np.testing.assert_allclose(max_pool2d(xin, size, **options), expected)
                out, cache = max_pool2d_forward(xin, size, **options)
                np.testing.assert_allclose(out, expected)
                dx = max_pool2d_backward(dout.astype(xin.dtype), cache)
                assert out.dtype == dx.dtype == xin.dtype
                np.testing.assert_allclose(dx, expected_dx, rtol=1e-6, atol=1e-6)


def _max_backward_loops(x, dout, size, stride, padding):
    """Reference: each window's gradient to its first maximum in row-major order."""
    (kh, kw), (sh, sw), (ph, pw) = size, stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    dxp = np.zeros_like(xp)
    for lead in np.ndindex(x.shape[:-2]):
        for i in range(dout.shape[-2]):
            for j in range(dout.shape[-1]):
                window = xp[lead][i * sh : i * sh + kh, j * sw : j * sw + kw]
                u, v = np.unravel_index(np.argmax(window), window.shape)
                dxp[lead + (i * sh + u, j * sw + v)] += dout[lead + (i, j)]
    return dxp[..., ph : ph + x.shape[-2], pw : pw + x.shape[-1]]


def test_max_backward_ties_go_to_the_first_maximum_only():
    x = np.array([[[[1.0, 1.0, 2.0, 0.0], [1.0, 0.0, 2.0, 2.0]]]])
    for size, stride in [(2, 2), ((2, 2), (2, 1))]:
        out, cache = max_pool2d_forward(x, size, stride=stride)
        dx = max_pool2d_backward(np.ones_like(out), cache)
        assert dx.sum() == out.size  # the gradient is not split nor duplicated
    out, cache = max_pool2d_forward(x, 2)
    np.testing.assert_array_equal(
        max_pool2d_backward(np.array([[[[3.0, 5.0]]]]), cache)[0, 0],
        [[3, 0, 5, 0], [0, 0, 0, 0]],
    )
    out, cache = max_pool2d_forward(x, (2, 3), stride=1)  # general path
    np.testing.assert_array_equal(
        max_pool2d_backward(np.array([[[[3.0, 5.0]]]]), cache)[0, 0],
        [[0, 0, 8, 0], [0, 0, 0, 0]],
    )


GRAD_CASES = [
    ((2, 2, 4, 6), 2, None, 0, "strict"),
    ((2, 1, 5, 7), 2, None, 0, "ceil"),
    ((1, 2, 6, 5), 3, 1, 0, "strict"),
    ((1, 1, 7, 8), (3, 2), (2, 3), 0, "ceil"),
    ((1, 1, 5, 7), 2, (1, 2), 0, "floor"),
    ((2, 1, 5, 5), 3, 2, 1, "strict"),
    ((1, 2, 6, 6), 3, 2, 1, "ceil"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("shape", "size", "stride", "padding", "mode"), GRAD_CASES)
def test_gradient_check(kind, shape, size, stride, padding, mode):
    fast, _, fwd, bwd = KINDS[kind]
    options = {"stride": stride, "padding": padding, "mode": mode}
    # distinct values, so that the maximum is not tied and the gradient exists
    x = np.random.default_rng(5).permutation(np.prod(shape)).reshape(shape) / 7.0 - 1.0
    out, cache = fwd(x, size, **options)
    dout = np.random.default_rng(6).standard_normal(out.shape)
    dx = bwd(dout, cache)
    check_backward(lambda: fast(x, size, **options), {"x": x}, {"x": dx}, dout, h=1e-4)


@pytest.mark.parametrize("kind", KINDS)
def test_error_messages(kind):
    fast, naive, fwd, bwd = KINDS[kind]
    for func in (fast, naive, fwd):
        name = func.__name__
        with pytest.raises(
            ValueError, match=rf"^{name}: x must have .*dimensions.*; got x with 1 "
        ):
            func(np.ones(4), 2)
        x = np.ones((1, 1, 4, 4))
        with pytest.raises(
            ValueError,
            match=rf"^{name}: kernel_size must be a positive integer or a pair of them; got "
            r"kernel_size=0",
        ):
            func(x, 0)
        with pytest.raises(ValueError, match=rf"^{name}: stride must be .*got stride=\(2, 0\)"):
            func(x, 2, stride=(2, 0))
        with pytest.raises(ValueError, match=rf"^{name}: the window \(F=5\) is larger than"):
            func(x, 5)
        with pytest.raises(ValueError, match=r"= 2\.5 is not a whole number along the height"):
            func(np.ones((1, 1, 5, 4)), 2)
        with pytest.raises(TypeError, match=rf"^{name}: x must hold real numbers"):
            func(np.array([[[["a", "b"], ["c", "d"]]]]), 2)
        with pytest.raises(TypeError, match=r"positional argument"):
            func(x, 2, 2)  # the stride is keyword-only
    out, cache = fwd(np.ones((1, 1, 4, 4)), 2)
    with pytest.raises(
        ValueError,
        match=r"_backward: dout must have the shape of the forward output \(1, 1, 2, 2\); got "
        r"dout with shape \(2, 2\)",
    ):
        bwd(np.ones((2, 2)), cache)


def test_max_backward_reads_a_strided_gradient_as_a_contiguous_one():
    # what a padded convolution's backward pass hands to the max-pool before it
    gen = np.random.default_rng(0)
    x = gen.standard_normal((3, 2, 8, 6))
    _, cache = max_pool2d_forward(x, 2)
    padded = gen.standard_normal((3, 2, 6, 5))
    strided = padded[..., 1:-1, 1:-1]
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(
        max_pool2d_backward(strided, cache), max_pool2d_backward(strided.copy(), cache)
    )


@pytest.mark.parametrize("kind", ["max", "avg", "sum"])
def test_each_backward_takes_only_the_cache_of_its_own_forward(kind):
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    forward = {"max": max_pool2d_forward, "avg": avg_pool2d_forward, "sum": sum_pool2d_forward}
    backward = getattr(pooling, f"{kind}_pool2d_backward")
    dout = np.ones((1, 1, 2, 2))
    for other, make in forward.items():
        _, cache = make(x, 2)
        if other == kind:
            assert backward(dout, cache).shape == x.shape
            continue
        # an avg cache used to give a dx of NaN in max's backward, and zeros the other way
        with pytest.raises(
            TypeError,
            match=rf"^{kind}_pool2d_backward: cache must come from {kind}_pool2d_forward; "
            rf"got the cache of {other}_pool2d_forward",
        ):
            backward(dout, cache)
    with pytest.raises(TypeError, match=r"cache must be the PoolCache .* got None$"):
        backward(dout, None)


def test_an_empty_input_is_refused():
    with pytest.raises(ValueError, match=r"^max_pool2d: x must hold at least one number"):
        max_pool2d(np.ones((1, 1, 0, 4)), 2, padding=1)  # used to return -inf
    with pytest.raises(ValueError, match=r"^avg_pool2d_forward: x must hold .* \(0, 2, 4, 4\)"):
        avg_pool2d_forward(np.ones((0, 2, 4, 4)), 2)


def test_max_pool_backward_zeroes_an_odd_last_row_in_floor_mode():
    # dx starts as uninitialised memory: fill the memory the allocator will hand back
    # with 7s, so that a row the backward pass forgets to zero shows up
    for _ in range(3):
        junk = np.full((1, 1, 5, 4), 7.0)
        del junk
        x = np.random.default_rng(0).standard_normal((1, 1, 5, 4))
        _, cache = max_pool2d_forward(x, 2, mode="floor")
        dx = max_pool2d_backward(np.ones((1, 1, 2, 2)), cache)
        assert np.all(dx[..., 4, :] == 0)  # the fifth row is in no window
        assert dx.sum() == 4  # one maximum per window
