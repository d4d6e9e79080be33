"""Max, average and sum pooling over the last two axes, forward and backward.

Pooling slides a window of ``size`` (KH, KW) over each channel on its own, in steps of
``stride`` (default: the window size, so windows do not overlap), and keeps one number
per window: the maximum, the mean or the sum. The depth (channels) does not change and
there are no parameters. The output size follows :func:`cnnkit.shapes.output_size` with
no padding, including its ``mode``:

- ``"strict"`` (default): the windows must tile the input exactly, otherwise ValueError;
- ``"floor"``: the last rows/columns that do not fill a window are ignored;
- ``"ceil"``: a partial window covers them. It pools over the elements that exist: max
  of those, sum of those, and the mean divides by their count (not by KH*KW), as
  PyTorch's ``ceil_mode=True`` does without padding.

Input has any number of dimensions >= 2: (H, W), (C, H, W), (N, C, H, W), ...
Loop versions (``*_naive``) sit next to the vectorized ones, same signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnkit._checks import as_float_array, check_mode, pair
from cnnkit.padding import _pad
from cnnkit.shapes import _output_shape2d

__all__ = [
    "PoolCache",
    "avg_pool2d",
    "avg_pool2d_backward",
    "avg_pool2d_forward",
    "avg_pool2d_naive",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_forward",
    "max_pool2d_naive",
    "sum_pool2d",
    "sum_pool2d_backward",
    "sum_pool2d_forward",
    "sum_pool2d_naive",
]


class PoolCache(NamedTuple):
    """What a pooling backward pass needs from its forward pass.

    Attributes
    ----------
    x_shape : tuple of int
        Shape of the input (..., H, W).
    size, stride : (int, int)
        Window size and stride.
    out_hw : (int, int)
        Output height and width (Ho, Wo).
    index : ndarray of int, shape (..., Ho, Wo), or None
        Max pooling only: position u*KW + v, inside each window, of the element that
        receives the gradient (the first maximum in row-major order).
    counts : ndarray, shape (Ho, Wo), or float, or None
        Average pooling only: how many input elements each window averaged.
    """

    x_shape: tuple[int, ...]
    size: tuple[int, int]
    stride: tuple[int, int]
    out_hw: tuple[int, int]
    index: np.ndarray | None
    counts: np.ndarray | float | None


class _Geometry(NamedTuple):
    size: tuple[int, int]
    stride: tuple[int, int]
    out_hw: tuple[int, int]
    extra: tuple[int, int]  # rows and columns a ceil-mode partial window hangs over


def _setup(
    x: object, size: object, stride: object, mode: object, func: str
) -> tuple[np.ndarray, _Geometry]:
    x = as_float_array(x, "x", func)
    if x.ndim < 2:
        raise ValueError(
            f"{func}: x must have at least 2 dimensions (..., H, W); "
            f"got x with {x.ndim} dimensions, shape {x.shape}"
        )
    kh, kw = pair(size, "size", func)
    sh, sw = pair((kh, kw) if stride is None else stride, "stride", func)
    check_mode(mode, func)
    h, w = x.shape[-2:]
    ho, wo = _output_shape2d(h, w, kh, kw, (sh, sw), 0, mode, func)
    extra = (max(0, (ho - 1) * sh + kh - h), max(0, (wo - 1) * sw + kw - w))
    return x, _Geometry((kh, kw), (sh, sw), (ho, wo), extra)


def _is_2x2(g: _Geometry) -> bool:
    return g.size == (2, 2) and g.stride == (2, 2) and g.extra == (0, 0)


def _offset_slices(g: _Geometry) -> list[tuple[int, tuple[slice, slice]]]:
    """For each offset (u, v) inside the window, the strided slice it covers in the input.

    Entry k = u*KW + v (row-major) selects, from the (padded) input, the element at
    offset (u, v) of every window: an (..., Ho, Wo) block.
    """
    (kh, kw), (sh, sw), (ho, wo) = g.size, g.stride, g.out_hw
    return [
        (
            u * kw + v,
            (slice(u, u + sh * (ho - 1) + 1, sh), slice(v, v + sw * (wo - 1) + 1, sw)),
        )
        for u in range(kh)
        for v in range(kw)
    ]


def _windows(x: np.ndarray, g: _Geometry, fill: float) -> np.ndarray:
    """Read-only view (..., Ho, Wo, KH, KW) of every window; ceil mode pads with ``fill``."""
    xp = _pad(x, 0, g.extra[0], 0, g.extra[1], fill)
    (kh, kw), (sh, sw), (ho, wo) = g.size, g.stride, g.out_hw
    view = sliding_window_view(xp, (kh, kw), axis=(-2, -1))
    return view[..., ::sh, ::sw, :, :][..., :ho, :wo, :, :]


def _counts(h: int, w: int, g: _Geometry) -> np.ndarray | float:
    """Number of real (not ceil-padded) elements in each window."""
    (kh, kw), (sh, sw), (ho, wo) = g.size, g.stride, g.out_hw
    if g.extra == (0, 0):
        return float(kh * kw)
    rows = np.minimum(np.arange(ho) * sh + kh, h) - np.arange(ho) * sh
    cols = np.minimum(np.arange(wo) * sw + kw, w) - np.arange(wo) * sw
    return np.outer(rows, cols).astype(np.float64)


def _four_slices(x: np.ndarray, g: _Geometry) -> list[np.ndarray]:
    """The four (..., Ho, Wo) blocks of a 2x2, stride-2 pooling, in row-major order."""
    return [x[..., rows, cols] for _, (rows, cols) in _offset_slices(g)]


# ---------------------------------------------------------------- max pooling


def _max_fast(x: np.ndarray, g: _Geometry) -> np.ndarray:
    if _is_2x2(g):
        a, b, c, d = _four_slices(x, g)
        out = np.maximum(a, b)
        np.maximum(out, c, out=out)
        np.maximum(out, d, out=out)
        return out
    return _windows(x, g, -np.inf).max(axis=(-2, -1))


def _max_with_index(x: np.ndarray, g: _Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Maximum of each window and the row-major position of its FIRST maximum."""
    if _is_2x2(g):
        # A tournament: the winner of each row of the window, then of the two rows.
        # "Strictly greater" everywhere, so on a tie the earlier element wins. Whole-array
        # comparisons and uint8 arithmetic are several times faster than np.where here.
        a, b, c, d = _four_slices(x, g)
        right_top = np.greater(b, a)
        top = np.maximum(a, b)
        right_bottom = np.greater(d, c)
        bottom = np.maximum(c, d)
        lower = np.greater(bottom, top)
        out = np.maximum(top, bottom, out=top)
        # index = lower ? 2 + right_bottom : right_top, computed in place in uint8
        first = right_top.view(np.uint8)
        index = right_bottom.view(np.uint8)
        index += np.uint8(2)
        index -= first
        index *= lower
        index += first
        return out, index
    (kh, kw) = g.size
    flat = _windows(x, g, -np.inf).reshape(*x.shape[:-2], *g.out_hw, kh * kw)
    index = flat.argmax(axis=-1)  # argmax returns the first of tied maxima
    out = np.take_along_axis(flat, index[..., None], axis=-1)[..., 0]
    return out, index


def max_pool2d(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> np.ndarray:
    """Max pooling: the largest value of each window, per channel, vectorized.

        out[..., i, j] = max_{u < KH, v < KW} x[..., i*sh + u, j*sw + v]

    The common 2x2 window with stride 2 takes the maximum of four strided slices of x
    (no copy of the windows); other windows use a ``sliding_window_view``. Same result
    as the loop version :func:`max_pool2d_naive`.

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        Feature maps, e.g. (N, C, H, W); each channel is pooled on its own.
    size : int or (int, int), default 2
        Window (KH, KW).
    stride : int or (int, int), optional
        Step (sh, sw); defaults to ``size`` (non-overlapping windows).
    mode : {"strict", "floor", "ceil"}, default "strict"
        Output-size rule, see the module docstring and :func:`cnnkit.shapes.output_size`.

    Returns
    -------
    ndarray, shape (..., Ho, Wo)

    See Also
    --------
    max_pool2d_naive, max_pool2d_forward, max_pool2d_backward

    Examples
    --------
    >>> x = np.array([[1.0, 3, 2, 1], [4, 2, 0, 1], [1, 1, 5, 6], [0, 2, 7, 8]])
    >>> max_pool2d(x)
    array([[4., 2.],
           [2., 8.]])
    """
    x, g = _setup(x, size, stride, mode, "max_pool2d")
    return _max_fast(x, g)


def max_pool2d_forward(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> tuple[np.ndarray, PoolCache]:
    """:func:`max_pool2d` plus a cache recording where each maximum came from.

    Returns
    -------
    out : ndarray, shape (..., Ho, Wo)
    cache : PoolCache
        With ``index``, the position of the first maximum in each window; pass it to
        :func:`max_pool2d_backward`.
    """
    x, g = _setup(x, size, stride, mode, "max_pool2d_forward")
    out, index = _max_with_index(x, g)
    return out, PoolCache(x.shape, g.size, g.stride, g.out_hw, index, None)


def _geometry_from_cache(cache: PoolCache) -> _Geometry:
    (h, w), (kh, kw), (sh, sw), (ho, wo) = (
        cache.x_shape[-2:],
        cache.size,
        cache.stride,
        cache.out_hw,
    )
    extra = (max(0, (ho - 1) * sh + kh - h), max(0, (wo - 1) * sw + kw - w))
    return _Geometry(cache.size, cache.stride, cache.out_hw, extra)


def _check_dout(dout: object, cache: PoolCache, func: str) -> np.ndarray:
    dout = as_float_array(dout, "dout", func)
    expected = (*cache.x_shape[:-2], *cache.out_hw)
    if dout.shape != expected:
        raise ValueError(
            f"{func}: dout must have the shape of the forward output {expected}; "
            f"got dout with shape {dout.shape}"
        )
    return dout


def _scatter(grads: Callable[[int], np.ndarray], dtype: np.dtype, cache: PoolCache) -> np.ndarray:
    """Send ``grads(k)``, the gradient for window offset k, back onto the input."""
    g = _geometry_from_cache(cache)
    h, w = cache.x_shape[-2:]
    padded = (*cache.x_shape[:-2], h + g.extra[0], w + g.extra[1])
    (kh, kw), (sh, sw) = g.size, g.stride
    overlapping = sh < kh or sw < kw
    dxp = np.zeros(padded, dtype=dtype)
    for k, (rows, cols) in _offset_slices(g):
        if overlapping:
            # windows share elements: their gradients add up
            dxp[..., rows, cols] += grads(k)
        else:
            dxp[..., rows, cols] = grads(k)
    return dxp[..., :h, :w]


def max_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Gradient of max pooling: each window's gradient goes to its maximum only.

        dx[..., i*sh + u, j*sw + v] += dout[..., i, j]  if (u, v) is the window's argmax

    The maximum is the only element that changed the output, so it alone gets the
    gradient; the others get 0. **Ties**: when several elements share the maximum, the
    FIRST one in row-major order inside the window (top row first, then left to right)
    receives the whole gradient and the others 0, as PyTorch's CPU kernel does. Splitting
    it would not be the gradient of any one of the tied choices.

    Parameters
    ----------
    dout : array_like, shape (..., Ho, Wo)
    cache : PoolCache
        From :func:`max_pool2d_forward`.

    Returns
    -------
    dx : ndarray, shape (..., H, W)

    Examples
    --------
    >>> out, cache = max_pool2d_forward(np.array([[1.0, 1.0], [0.0, 1.0]]))
    >>> max_pool2d_backward(np.ones((1, 1)), cache)
    array([[1., 0.],
           [0., 0.]])
    """
    dout = _check_dout(dout, cache, "max_pool2d_backward")
    index = cache.index
    g = _geometry_from_cache(cache)
    if _is_2x2(g):
        # Every element of x lies in exactly one window: write each of the four strided
        # blocks of dx once, as dout times a 0/1 mask (a multiply is much faster than
        # np.where; a non-finite dout therefore spreads NaN over its window).
        dx = np.empty(cache.x_shape, dtype=dout.dtype)
        for k, (rows, cols) in _offset_slices(g):
            np.multiply(index == k, dout, out=dx[..., rows, cols])
        return dx
    return _scatter(lambda k: np.where(index == k, dout, 0), dout.dtype, cache)


# ---------------------------------------------------------------- sum and average pooling


def _sum_fast(x: np.ndarray, g: _Geometry) -> np.ndarray:
    if _is_2x2(g):
        a, b, c, d = _four_slices(x, g)
        out = a + b
        out += c
        out += d
        return out
    return _windows(x, g, 0.0).sum(axis=(-2, -1))


def sum_pool2d(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> np.ndarray:
    """Sum pooling: the sum of each window, per channel, vectorized.

        out[..., i, j] = sum_{u < KH, v < KW} x[..., i*sh + u, j*sw + v]

    Parameters and modes as in :func:`max_pool2d`; the loop version is
    :func:`sum_pool2d_naive`.

    Examples
    --------
    >>> sum_pool2d(np.arange(16.0).reshape(4, 4))
    array([[10., 18.],
           [42., 50.]])
    """
    x, g = _setup(x, size, stride, mode, "sum_pool2d")
    return _sum_fast(x, g)


def sum_pool2d_forward(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> tuple[np.ndarray, PoolCache]:
    """:func:`sum_pool2d` plus the cache (geometry only) for :func:`sum_pool2d_backward`."""
    x, g = _setup(x, size, stride, mode, "sum_pool2d_forward")
    return _sum_fast(x, g), PoolCache(x.shape, g.size, g.stride, g.out_hw, None, None)


def sum_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Gradient of sum pooling: every element of a window receives the window's gradient.

    Returns
    -------
    dx : ndarray, shape (..., H, W)
    """
    dout = _check_dout(dout, cache, "sum_pool2d_backward")
    return _scatter(lambda k: dout, dout.dtype, cache)


def avg_pool2d(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> np.ndarray:
    """Average pooling: the mean of each window, per channel, vectorized.

        out[..., i, j] = (1 / count) * sum_{u < KH, v < KW} x[..., i*sh + u, j*sw + v]

    with count = KH*KW, except for ceil-mode partial windows, where count is the number
    of elements that exist (the window is not padded with zeros).
    Parameters and modes as in :func:`max_pool2d`; the loop version is
    :func:`avg_pool2d_naive`.

    Examples
    --------
    >>> avg_pool2d(np.arange(16.0).reshape(4, 4))
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x, g = _setup(x, size, stride, mode, "avg_pool2d")
    counts = _counts(*x.shape[-2:], g)
    return _sum_fast(x, g) / np.asarray(counts, dtype=x.dtype)


def avg_pool2d_forward(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> tuple[np.ndarray, PoolCache]:
    """:func:`avg_pool2d` plus the cache (geometry and window counts) for the backward pass."""
    x, g = _setup(x, size, stride, mode, "avg_pool2d_forward")
    counts = _counts(*x.shape[-2:], g)
    out = _sum_fast(x, g) / np.asarray(counts, dtype=x.dtype)
    return out, PoolCache(x.shape, g.size, g.stride, g.out_hw, None, counts)


def avg_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Gradient of average pooling: each element of a window gets dout / count.

    Returns
    -------
    dx : ndarray, shape (..., H, W)
    """
    dout = _check_dout(dout, cache, "avg_pool2d_backward")
    share = dout / np.asarray(cache.counts, dtype=dout.dtype)
    return _scatter(lambda k: share, dout.dtype, cache)


# ---------------------------------------------------------------- loop versions


def _pool_naive(x: np.ndarray, g: _Geometry, reduce: Callable[[np.ndarray], float]) -> np.ndarray:
    (kh, kw), (sh, sw), (ho, wo) = g.size, g.stride, g.out_hw
    out = np.zeros((*x.shape[:-2], ho, wo), dtype=x.dtype)
    for lead in np.ndindex(x.shape[:-2]):
        channel = x[lead]
        for i in range(ho):
            for j in range(wo):
                # slicing past the edge keeps only the elements that exist (ceil mode)
                window = channel[i * sh : i * sh + kh, j * sw : j * sw + kw]
                out[lead + (i, j)] = reduce(window)
    return out


def max_pool2d_naive(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> np.ndarray:
    """Max pooling with loops: for every channel and window, keep the largest value.

    The loop version of :func:`max_pool2d` (same parameters and result); slow, for
    small inputs.

    Examples
    --------
    >>> max_pool2d_naive(np.arange(16.0).reshape(4, 4))
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x, g = _setup(x, size, stride, mode, "max_pool2d_naive")
    return _pool_naive(x, g, np.max)


def avg_pool2d_naive(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> np.ndarray:
    """Average pooling with loops; the loop version of :func:`avg_pool2d`."""
    x, g = _setup(x, size, stride, mode, "avg_pool2d_naive")
    return _pool_naive(x, g, np.mean)


def sum_pool2d_naive(
    x: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "strict",
) -> np.ndarray:
    """Sum pooling with loops; the loop version of :func:`sum_pool2d`."""
    x, g = _setup(x, size, stride, mode, "sum_pool2d_naive")
    return _pool_naive(x, g, np.sum)
