"""Max, average and sum pooling over the last two axes, forward and backward.

Pooling slides a window of ``kernel_size`` (F x F, or FH x FW) over each channel on its
own, in steps of ``stride`` (default: the window size, so windows do not overlap), and
keeps one number per window: the maximum, the mean or the sum. The depth (channels) does
not change and there are no parameters. The output size follows the convolution rule,
:func:`cnnkit.shapes.output_size`, with its ``padding`` and ``mode``:

- ``padding`` P adds P cells on each side, as in the frameworks: −∞ for max pooling (a
  padded cell never wins) and zeros for sum and average pooling (the zeros count in the
  average, as PyTorch's default ``count_include_pad=True``). P may be at most half the
  window, so that every window covers at least one cell of the input.
- ``mode="strict"`` (default): the windows must tile the padded input exactly, otherwise
  ValueError; ``"floor"``: the last rows/columns that do not fill a window are ignored;
  ``"ceil"``: a last, partial window covers them. That window is *clipped*, not filled:
  the max and the sum are taken over the cells that exist, and the mean divides by their
  number (as Caffe and PyTorch's ``ceil_mode=True`` do). So the mean of a clipped window
  of 3s is 3, not 1.5, and the max of a clipped window of negative numbers is negative,
  not 0.

The image functions take (H, W), (C, H, W) or (N, C, H, W) and answer in the same form;
the ``*_forward`` functions (the training path) take a batch (N, C, H, W). Loop versions
(``*_naive``) sit next to the vectorized ones, with the same signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnkit._checks import as_batch, as_float_array, check_cache, pair, restore
from cnnkit._geometry import Window, copy_rows, crop, pad_array, pool_padding, window

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

Size = int | tuple[int, int]


class PoolCache(NamedTuple):
    """What a pooling backward pass needs from its forward pass.

    Attributes
    ----------
    x_shape : (int, int, int, int)
        Shape of the input (N, C, H, W).
    geometry : Window
        Window size, stride, padding (with the ceil-mode cells), input and output sizes.
    index : ndarray of int, shape (N, C, Ho, Wo), or None
        Max pooling only: position u*FW + v, inside each window, of the element that
        receives the gradient (the first maximum in row-major order).
    counts : ndarray, shape (Ho, Wo), or float, or None
        Average pooling only: how many cells each window averaged.
    kind : {"max", "avg", "sum"}
        The pooling that made the cache: each backward pass takes only its own.
    """

    x_shape: tuple[int, ...]
    geometry: Window
    index: np.ndarray | None
    counts: np.ndarray | float | None
    kind: str  # "max", "avg" or "sum": the pooling whose backward pass may use it


def _setup(
    x: object,
    kernel_size: object,
    stride: object,
    padding: object,
    mode: object,
    func: str,
    ndims: tuple[int, ...] = (2, 3, 4),
) -> tuple[np.ndarray, int, Window]:
    """Validate the arguments; return x as (N, C, H, W), its original ndim and the geometry."""
    x4, ndim = as_batch(x, "x", func, ndims)
    kh, kw = pair(kernel_size, "kernel_size", func)
    stride = (kh, kw) if stride is None else pair(stride, "stride", func)
    ph, pw = pool_padding(padding, (kh, kw), stride, func, kernel_size)
    g = window(x4.shape[2:], (kh, kw), stride, (ph, pw), mode, func)
    return x4, ndim, g


def _is_2x2(g: Window) -> bool:
    return g.kernel == (2, 2) and g.stride == (2, 2) and g.padding == (0, 0, 0, 0)


def _windows(x: np.ndarray, g: Window, fill: float) -> np.ndarray:
    """Read-only view (N, C, Ho, Wo, FH, FW) of every window of the input padded with ``fill``."""
    xp = pad_array(x, g.padding, fill)
    (kh, kw), (sh, sw), (ho, wo) = g.kernel, g.stride, g.out_hw
    view = sliding_window_view(xp, (kh, kw), axis=(-2, -1))
    return view[..., ::sh, ::sw, :, :][..., :ho, :wo, :, :]


def _counts(g: Window) -> np.ndarray | float:
    """Number of cells each window averages: those of the input and of its padding P,
    not the ceil-mode cells beyond them (the last window is clipped there)."""
    (h, w), (ph, pw) = g.in_hw, g.symmetric
    (kh, kw), (sh, sw), (ho, wo) = g.kernel, g.stride, g.out_hw
    if g.extra == (0, 0):
        return float(kh * kw)
    rows = np.minimum(np.arange(ho) * sh + kh, h + 2 * ph) - np.arange(ho) * sh
    cols = np.minimum(np.arange(wo) * sw + kw, w + 2 * pw) - np.arange(wo) * sw
    return np.outer(rows, cols).astype(np.float64)


def _four_slices(x: np.ndarray, g: Window) -> list[np.ndarray]:
    """The four (N, C, Ho, Wo) blocks of a 2x2, stride-2 pooling, in row-major order."""
    return [x[..., rows, cols] for _, (rows, cols) in g.offsets()]


# Maps at most this wide are split into their even and odd rows (see _corners): the
# copies of whole rows and the stride-2 loops that follow beat _quadrants there.
_ROWS_MAX_WIDTH = 16


def _row_pairs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The even and the odd rows of every map of ``x`` (contiguous, even height), each
    gathered into one contiguous 1-D array.

    A row is copied as one unit, a numpy ``void`` item of W numbers: two copies of long
    runs, where splitting the windows element by element would run numpy's inner loop
    over two or four numbers at a time.
    """
    row = np.dtype((np.void, x.shape[-1] * x.itemsize))
    rows = x.reshape(-1).view(row)
    even, odd = np.empty(rows.size // 2, dtype=row), np.empty(rows.size // 2, dtype=row)
    np.copyto(even, rows[0::2])
    np.copyto(odd, rows[1::2])
    return even.view(x.dtype), odd.view(x.dtype)


def _tiles_exactly(shape: tuple[int, ...], g: Window) -> bool:
    """Whether the 2x2 windows cover the maps exactly (no last row or column left out)."""
    return shape[-2:] == (2 * g.out_hw[0], 2 * g.out_hw[1])


def _corners(x: np.ndarray, g: Window) -> tuple[np.ndarray, ...]:
    """The four corners a, b (top), c, d (bottom) of every 2x2 window, as four arrays of
    one shape (flat ones for narrow maps: reshape the results to (..., Ho, Wo))."""
    if _tiles_exactly(x.shape, g) and x.shape[-1] <= _ROWS_MAX_WIDTH and x.flags.c_contiguous:
        top, bottom = _row_pairs(x)
        return top[0::2], top[1::2], bottom[0::2], bottom[1::2]
    return tuple(_quadrants(x, g))


def _quadrants(x: np.ndarray, g: Window) -> np.ndarray:
    """The four blocks of :func:`_four_slices` copied into one contiguous (4, ...) array.

    One copy (a transpose of the (Ho, 2, Wo, 2) view of each map) costs less than the
    comparisons would on strided slices: each of them then reads contiguous memory.
    """
    ho, wo = g.out_hw
    *lead, _, _ = x.shape
    quads = np.empty((2, 2, *lead, ho, wo), dtype=x.dtype)
    pairs = x[..., : 2 * ho, : 2 * wo].reshape(*lead, ho, 2, wo, 2)
    np.copyto(quads, np.moveaxis(pairs, (-3, -1), (0, 1)))
    return quads.reshape(4, *lead, ho, wo)


# ---------------------------------------------------------------- max pooling


def _max_fast(x: np.ndarray, g: Window) -> np.ndarray:
    if _is_2x2(g):
        a, b, c, d = _corners(x, g)
        out = np.maximum(a, b)
        np.maximum(out, c, out=out)
        np.maximum(out, d, out=out)
        return out.reshape(*x.shape[:-2], *g.out_hw)
    return _windows(x, g, -np.inf).max(axis=(-2, -1))


def _max_with_index(x: np.ndarray, g: Window) -> tuple[np.ndarray, np.ndarray]:
    """Maximum of each window and the row-major position of its FIRST maximum."""
    if _is_2x2(g):
        # A tournament: the winner of each row of the window, then of the two rows.
        # "Strictly greater" everywhere, so on a tie the earlier element wins. Whole-array
        # comparisons and uint8 arithmetic are several times faster than np.where here.
        a, b, c, d = _corners(x, g)
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
        shape = (*x.shape[:-2], *g.out_hw)
        return out.reshape(shape), index.reshape(shape)
    (kh, kw) = g.kernel
    flat = _windows(x, g, -np.inf).reshape(*x.shape[:-2], *g.out_hw, kh * kw)
    index = flat.argmax(axis=-1)  # argmax returns the first of tied maxima
    out = np.take_along_axis(flat, index[..., None], axis=-1)[..., 0]
    return out, index


def max_pool2d(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Max pooling: the largest value of each window, per channel, vectorized.

        out[..., i, j] = max_{u < FH, v < FW} xp[..., i*SH + u, j*SW + v]

    with ``xp`` the input padded with −∞. The common 2x2 window with stride 2 takes the
    maximum of four strided slices of x (no copy of the windows); other windows use a
    ``sliding_window_view``. Same result as the loop version :func:`max_pool2d_naive`.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W) or (H, W)
        Feature maps; each channel is pooled on its own.
    kernel_size : int or (int, int)
        The window, F or (FH, FW).
    stride : int or (int, int), optional, keyword-only
        Step (SH, SW); defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int), default 0, keyword-only
        Cells of −∞ added on each side, at most half the window.
    mode : {"strict", "floor", "ceil"}, default "strict", keyword-only
        Output-size rule, see the module docstring and :func:`cnnkit.shapes.output_size`.

    Returns
    -------
    ndarray, shape (N, C, Ho, Wo) or (C, Ho, Wo) or (Ho, Wo), as x

    See Also
    --------
    max_pool2d_naive, max_pool2d_forward, max_pool2d_backward

    Examples
    --------
    >>> x = np.array([[1.0, 3, 2, 1], [4, 2, 0, 1], [1, 1, 5, 6], [0, 2, 7, 8]])
    >>> max_pool2d(x, 2)
    array([[4., 2.],
           [2., 8.]])

    A clipped last window keeps the maximum of the cells that exist, even when they are
    all negative:

    >>> max_pool2d(np.array([[-3.0, -1.0, -2.0]]), (1, 2), mode="ceil")
    array([[-1., -2.]])
    """
    x4, ndim, g = _setup(x, kernel_size, stride, padding, mode, "max_pool2d")
    return restore(_max_fast(x4, g), ndim)


def max_pool2d_forward(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> tuple[np.ndarray, PoolCache]:
    """:func:`max_pool2d` of a batch, plus a cache recording where each maximum came from.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    kernel_size, stride, padding, mode
        As in :func:`max_pool2d`.

    Returns
    -------
    out : ndarray, shape (N, C, Ho, Wo)
    cache : PoolCache
        With ``index``, the position of the first maximum in each window; pass it to
        :func:`max_pool2d_backward`.
    """
    x4, _, g = _setup(x, kernel_size, stride, padding, mode, "max_pool2d_forward", (4,))
    out, index = _max_with_index(x4, g)
    return out, PoolCache(x4.shape, g, index, None, "max")


def _check_dout(dout: object, cache: PoolCache, func: str) -> np.ndarray:
    kind = func.partition("_")[0]  # "max" of "max_pool2d_backward"
    check_cache(cache, PoolCache, func, f"{kind}_pool2d_forward")
    if cache.kind != kind:
        raise TypeError(
            f"{func}: cache must come from {kind}_pool2d_forward; got the cache of "
            f"{cache.kind}_pool2d_forward (each pooling has its own backward pass)"
        )
    dout = as_float_array(dout, "dout", func)
    expected = (*cache.x_shape[:2], *cache.geometry.out_hw)
    if dout.shape != expected:
        raise ValueError(
            f"{func}: dout must have the shape of the forward output {expected}; "
            f"got dout with shape {dout.shape}"
        )
    return dout


def _scatter(grads: Callable[[int], np.ndarray], dtype: np.dtype, cache: PoolCache) -> np.ndarray:
    """Send ``grads(k)``, the gradient for window offset k, back onto the input."""
    g = cache.geometry
    (kh, kw), (sh, sw) = g.kernel, g.stride
    overlapping = sh < kh or sw < kw
    dxp = np.zeros((*cache.x_shape[:2], *g.padded_hw), dtype=dtype)
    for k, (rows, cols) in g.offsets():
        if overlapping:
            # windows share elements: their gradients add up
            dxp[..., rows, cols] += grads(k)
        else:
            dxp[..., rows, cols] = grads(k)
    return crop(dxp, g.padding, g.in_hw)


def max_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Gradient of max pooling: each window's gradient goes to its maximum only.

        dx[..., i*SH + u, j*SW + v] += dout[..., i, j]  if (u, v) is the window's argmax

    The maximum is the only element that changed the output, so it alone gets the
    gradient; the others get 0 (and so does the padding, which never wins). **Ties**:
    when several elements share the maximum, the FIRST one in row-major order inside the
    window (top row first, then left to right) receives the whole gradient and the
    others 0, as PyTorch's CPU kernel does. Splitting it would not be the gradient of
    any one of the tied choices.

    Parameters
    ----------
    dout : array_like, shape (N, C, Ho, Wo)
    cache : PoolCache
        From :func:`max_pool2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> out, cache = max_pool2d_forward(np.array([[[[1.0, 1.0], [0.0, 1.0]]]]), 2)
    >>> max_pool2d_backward(np.ones((1, 1, 1, 1)), cache)
    array([[[[1., 0.],
             [0., 0.]]]])
    """
    dout = _check_dout(dout, cache, "max_pool2d_backward")
    index, g = cache.index, cache.geometry
    if _is_2x2(g):
        # Every element of x lies in exactly one window: write each of the four strided
        # blocks of dx once, as dout times a 0/1 mask (a multiply is much faster than
        # np.where; a non-finite dout therefore spreads NaN over its window).
        dx = np.empty(cache.x_shape, dtype=dout.dtype)
        # a strided dout (the cropped gradient of a padded convolution) is copied once:
        # the four products below then read contiguous memory, more than twice as fast
        if not dout.flags.c_contiguous:
            compact = np.empty(dout.shape, dtype=dout.dtype)
            copy_rows(compact, dout)
            dout = compact
        if _tiles_exactly(cache.x_shape, g):
            # the even and the odd rows of dx, built flat, then put in place row by row
            # (the inverse of _row_pairs)
            flat, k = dout.reshape(-1), index.reshape(-1)
            even, odd = np.empty(2 * flat.size, dout.dtype), np.empty(2 * flat.size, dout.dtype)
            for i, (half, start) in enumerate([(even, 0), (even, 1), (odd, 0), (odd, 1)]):
                np.multiply(k == i, flat, out=half[start::2])
            row = np.dtype((np.void, cache.x_shape[-1] * dx.itemsize))
            rows = dx.reshape(-1).view(row)
            rows[0::2] = even.view(row)
            rows[1::2] = odd.view(row)
            return dx
        for k, (rows, cols) in g.offsets():
            np.multiply(index == k, dout, out=dx[..., rows, cols])
        # in floor mode an odd last row or column is in no window: its gradient is 0
        ho, wo = g.out_hw
        dx[..., 2 * ho :, :] = 0
        dx[..., :, 2 * wo :] = 0
        return dx
    return _scatter(lambda k: np.where(index == k, dout, 0), dout.dtype, cache)


# ---------------------------------------------------------------- sum and average pooling


def _sum_fast(x: np.ndarray, g: Window) -> np.ndarray:
    if _is_2x2(g):
        a, b, c, d = _four_slices(x, g)
        out = a + b
        out += c
        out += d
        return out
    return _windows(x, g, 0.0).sum(axis=(-2, -1))


def sum_pool2d(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Sum pooling: the sum of each window, per channel, vectorized.

        out[..., i, j] = sum_{u < FH, v < FW} xp[..., i*SH + u, j*SW + v]

    with ``xp`` the input padded with zeros. Parameters and modes as in
    :func:`max_pool2d`; the loop version is :func:`sum_pool2d_naive`.

    Examples
    --------
    >>> sum_pool2d(np.arange(16.0).reshape(4, 4), 2)
    array([[10., 18.],
           [42., 50.]])
    """
    x4, ndim, g = _setup(x, kernel_size, stride, padding, mode, "sum_pool2d")
    return restore(_sum_fast(x4, g), ndim)


def sum_pool2d_forward(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> tuple[np.ndarray, PoolCache]:
    """:func:`sum_pool2d` of a batch (N, C, H, W), plus the cache for the backward pass."""
    x4, _, g = _setup(x, kernel_size, stride, padding, mode, "sum_pool2d_forward", (4,))
    return _sum_fast(x4, g), PoolCache(x4.shape, g, None, None, "sum")


def sum_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Gradient of sum pooling: every element of a window receives the window's gradient.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    """
    dout = _check_dout(dout, cache, "sum_pool2d_backward")
    return _scatter(lambda k: dout, dout.dtype, cache)


def avg_pool2d(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Average pooling: the mean of each window, per channel, vectorized.

        out[..., i, j] = (1 / count) * sum_{u < FH, v < FW} xp[..., i*SH + u, j*SW + v]

    with ``xp`` the input padded with zeros and count = FH*FW, except for a ceil-mode
    partial window, which is clipped: count is then the number of its cells inside the
    padded input. Parameters and modes as in :func:`max_pool2d`; the loop version is
    :func:`avg_pool2d_naive`.

    Examples
    --------
    >>> avg_pool2d(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])

    A clipped window of 3s averages to 3 (zeros filling it would give 1.5):

    >>> avg_pool2d(np.full((1, 3), 3.0), (1, 2), mode="ceil")
    array([[3., 3.]])
    """
    x4, ndim, g = _setup(x, kernel_size, stride, padding, mode, "avg_pool2d")
    return restore(_sum_fast(x4, g) / np.asarray(_counts(g), dtype=x4.dtype), ndim)


def avg_pool2d_forward(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> tuple[np.ndarray, PoolCache]:
    """:func:`avg_pool2d` of a batch (N, C, H, W), plus the cache (with the window counts)."""
    x4, _, g = _setup(x, kernel_size, stride, padding, mode, "avg_pool2d_forward", (4,))
    counts = _counts(g)
    out = _sum_fast(x4, g) / np.asarray(counts, dtype=x4.dtype)
    return out, PoolCache(x4.shape, g, None, counts, "avg")


def avg_pool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Gradient of average pooling: each element of a window gets dout / count.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    """
    dout = _check_dout(dout, cache, "avg_pool2d_backward")
    share = dout / np.asarray(cache.counts, dtype=dout.dtype)
    return _scatter(lambda k: share, dout.dtype, cache)


# ---------------------------------------------------------------- loop versions


def _pool_naive(
    x: np.ndarray, g: Window, reduce: Callable[[np.ndarray], float], fill: float
) -> np.ndarray:
    (kh, kw), (sh, sw), (ho, wo) = g.kernel, g.stride, g.out_hw
    ph, pw = g.symmetric
    xp = pad_array(x, (ph, ph, pw, pw), fill)
    out = np.zeros((*x.shape[:2], ho, wo), dtype=x.dtype)
    for n, c in np.ndindex(x.shape[:2]):
        for i in range(ho):
            for j in range(wo):
                # slicing past the edge keeps only the cells that exist (ceil mode)
                window = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw]
                out[n, c, i, j] = reduce(window)
    return out


def max_pool2d_naive(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Max pooling with loops: for every channel and window, keep the largest value.

    The loop version of :func:`max_pool2d` (same parameters and result); slow, for
    small inputs.

    Examples
    --------
    >>> max_pool2d_naive(np.arange(16.0).reshape(4, 4), 2)
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x4, ndim, g = _setup(x, kernel_size, stride, padding, mode, "max_pool2d_naive")
    return restore(_pool_naive(x4, g, np.max, -np.inf), ndim)


def avg_pool2d_naive(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Average pooling with loops; the loop version of :func:`avg_pool2d`."""
    x4, ndim, g = _setup(x, kernel_size, stride, padding, mode, "avg_pool2d_naive")
    return restore(_pool_naive(x4, g, np.mean, 0.0), ndim)


def sum_pool2d_naive(
    x: np.ndarray,
    kernel_size: Size,
    *,
    stride: Size | None = None,
    padding: Size = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Sum pooling with loops; the loop version of :func:`sum_pool2d`."""
    x4, ndim, g = _setup(x, kernel_size, stride, padding, mode, "sum_pool2d_naive")
    return restore(_pool_naive(x4, g, np.sum, 0.0), ndim)
