import numpy as np
import pytest
from gradcheck import check_backward
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
    np.testing.assert_array_equal(max_pool2d(x), [[4, 2], [2, 8]])
    np.testing.assert_array_equal(avg_pool2d(x), [[2.5, 1], [1, 6.5]])
    np.testing.assert_array_equal(sum_pool2d(x), [[10, 4], [4, 26]])
    np.testing.assert_array_equal(max_pool2d(x, size=3, stride=1), [[5, 6], [7, 8]])


def test_per_channel_depth_unchanged_and_any_ndim():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 4))
    out = max_pool2d(x)
    assert out.shape == (2, 3, 3, 2)
    np.testing.assert_array_equal(out[1, 2], max_pool2d(x[1, 2]))
    assert max_pool2d(np.ones((2, 2, 3, 4, 4))).shape == (2, 2, 3, 2, 2)


def test_modes_and_partial_windows():
    x = np.arange(25.0).reshape(5, 5)
    with pytest.raises(ValueError, match=r"^max_pool2d: .*\(5 - 2 \+ 2\*0\)/2 \+ 1 = 2\.5 is not"):
        max_pool2d(x)
    np.testing.assert_array_equal(max_pool2d(x, mode="floor"), [[6, 8], [16, 18]])
    ceil = max_pool2d(x, mode="ceil")
    np.testing.assert_array_equal(ceil, [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    # the partial windows average over the elements that exist
    avg = avg_pool2d(x, mode="ceil")
    assert avg[0, 2] == (4 + 9) / 2
    assert avg[2, 2] == 24
    assert sum_pool2d(x, mode="ceil")[2, 0] == 20 + 21


def test_uint8_and_dtypes():
    x = np.full((4, 4), 200, dtype=np.uint8)
    np.testing.assert_array_equal(sum_pool2d(x), np.full((2, 2), 800.0))
    assert max_pool2d(x).dtype == np.float64
    x32 = np.ones((1, 2, 4, 4), dtype=np.float32)
    for fast, _, fwd, bwd in KINDS.values():
        assert fast(x32).dtype == np.float32
        out, cache = fwd(x32, 3, 1)
        assert out.dtype == np.float32
        assert bwd(np.ones_like(out), cache).dtype == np.float32


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(kh, kh + 7)), draw(st.integers(kw, kw + 7))
    lead = draw(st.sampled_from([(), (2,), (2, 3)]))
    mode = draw(st.sampled_from(["floor", "ceil"]))
    return (*lead, h, w), (kh, kw), (sh, sw), mode, draw(st.integers(0, 2**16))


@settings(max_examples=50, deadline=None)
@given(case=pool_cases())
@example(case=((2, 3, 6, 8), (2, 2), (2, 2), "floor", 0))  # the four-slice fast path
@example(case=((3, 7, 5), (2, 2), (2, 2), "ceil", 1))
@example(case=((4, 9), (3, 2), (1, 3), "floor", 2))
def test_fast_matches_naive(case):
    shape, size, stride, mode, seed = case
    # small integers: many ties, which the max-pool gradient must send to one element
    x = np.random.default_rng(seed).integers(0, 3, shape).astype(np.float64)
    for fast, naive, fwd, _ in KINDS.values():
        expected = naive(x, size, stride, mode)
        np.testing.assert_allclose(fast(x, size, stride, mode), expected, rtol=1e-12)
        out, cache = fwd(x, size, stride, mode)
        np.testing.assert_allclose(out, expected, rtol=1e-12)
    out, cache = max_pool2d_forward(x, size, stride, mode)
    dout = np.random.default_rng(seed + 1).standard_normal(out.shape)
    np.testing.assert_allclose(
        max_pool2d_backward(dout, cache), _max_backward_loops(x, dout, size, stride), atol=1e-12
    )


def _max_backward_loops(x, dout, size, stride):
    """Reference: each window's gradient to its first maximum in row-major order."""
    (kh, kw), (sh, sw) = size, stride
    dx = np.zeros_like(x)
    for lead in np.ndindex(x.shape[:-2]):
        for i in range(dout.shape[-2]):
            for j in range(dout.shape[-1]):
                window = x[lead][i * sh : i * sh + kh, j * sw : j * sw + kw]
                u, v = np.unravel_index(np.argmax(window), window.shape)
                dx[lead + (i * sh + u, j * sw + v)] += dout[lead + (i, j)]
    return dx


def test_max_backward_ties_go_to_the_first_maximum_only():
    x = np.array([[1.0, 1.0, 2.0, 0.0], [1.0, 0.0, 2.0, 2.0]])
    for size, stride in [(2, 2), ((2, 2), (2, 1))]:
        out, cache = max_pool2d_forward(x, size, stride)
        dx = max_pool2d_backward(np.ones_like(out), cache)
        assert dx.sum() == out.size  # the gradient is not split nor duplicated
    out, cache = max_pool2d_forward(x)
    np.testing.assert_array_equal(
        max_pool2d_backward(np.array([[3.0, 5.0]]), cache), [[3, 0, 5, 0], [0, 0, 0, 0]]
    )
    out, cache = max_pool2d_forward(x, size=(2, 3), stride=1)  # general path
    np.testing.assert_array_equal(
        max_pool2d_backward(np.array([[3.0, 5.0]]), cache), [[0, 0, 8, 0], [0, 0, 0, 0]]
    )


GRAD_CASES = [
    ((2, 2, 4, 6), 2, None, "strict"),
    ((2, 5, 7), 2, None, "ceil"),
    ((2, 6, 5), 3, 1, "strict"),
    ((1, 7, 8), (3, 2), (2, 3), "ceil"),
    ((5, 7), 2, (1, 2), "floor"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("shape", "size", "stride", "mode"), GRAD_CASES)
def test_gradient_check(kind, shape, size, stride, mode):
    fast, _, fwd, bwd = KINDS[kind]
    # distinct values, so that the maximum is not tied and the gradient exists
    x = np.random.default_rng(5).permutation(np.prod(shape)).reshape(shape) / 7.0
    out, cache = fwd(x, size, stride, mode)
    dout = np.random.default_rng(6).standard_normal(out.shape)
    dx = bwd(dout, cache)
    check_backward(lambda: fast(x, size, stride, mode), {"x": x}, {"x": dx}, dout, h=1e-4)


@pytest.mark.parametrize("kind", KINDS)
def test_error_messages(kind):
    fast, naive, fwd, bwd = KINDS[kind]
    for func in (fast, naive, fwd):
        name = func.__name__
        with pytest.raises(
            ValueError,
            match=rf"^{name}: x must have at least 2 dimensions \(..., H, W\); got x with 1",
        ):
            func(np.ones(4))
        with pytest.raises(
            ValueError,
            match=rf"^{name}: size must be a positive integer or a pair of them; got size=0",
        ):
            func(np.ones((4, 4)), size=0)
        with pytest.raises(ValueError, match=rf"^{name}: stride must be .*got stride=\(2, 0\)"):
            func(np.ones((4, 4)), stride=(2, 0))
        with pytest.raises(ValueError, match=rf"^{name}: the filter \(f=5\) is larger than"):
            func(np.ones((4, 4)), size=5)
        with pytest.raises(ValueError, match=r"= 2\.5 is not a whole number along the height"):
            func(np.ones((5, 4)))
        with pytest.raises(TypeError, match=rf"^{name}: x must hold real numbers"):
            func(np.array([["a", "b"], ["c", "d"]]))
    out, cache = fwd(np.ones((1, 4, 4)))
    with pytest.raises(
        ValueError,
        match=r"_backward: dout must have the shape of the forward output \(1, 2, 2\); got dout "
        r"with shape \(2, 2\)",
    ):
        bwd(np.ones((2, 2)), cache)
