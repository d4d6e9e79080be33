"""2-D convolution (cross-correlation, as in every deep-learning library), forward and backward.

Two implementations with the same signature sit side by side:

- :func:`conv2d_naive` / :func:`conv2d_backward_naive` loop over every output position,
  exactly as the book describes: put the filter on a window, multiply element-wise, sum.
- :func:`conv2d` / :func:`conv2d_backward` are vectorized with *im2col*: every window is
  copied once into a column of a matrix of shape (N, C*KH*KW, Ho*Wo), and one batched
  matrix product with the filters reshaped to (F, C*KH*KW) computes all outputs at once,
  directly in (N, F, Ho, Wo) order.

Throughout, ``x`` has shape (N, C, H, W), ``w`` has shape (F, C, KH, KW), ``b`` has shape
(F,) and the output has shape (N, F, Ho, Wo), with Ho and Wo from
:func:`cnnkit.shapes.output_size`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnkit._checks import as_float_array, check_mode, check_ndim, pair
from cnnkit.padding import _pad
from cnnkit.shapes import _output_shape2d, _resolve_padding

__all__ = [
    "ConvCache",
    "conv2d",
    "conv2d_backward",
    "conv2d_backward_naive",
    "conv2d_forward",
    "conv2d_naive",
    "convolve2d",
]


class ConvCache(NamedTuple):
    """What :func:`conv2d_backward` and :func:`conv2d_backward_naive` need from the forward pass.

    Attributes
    ----------
    x : ndarray, shape (N, C, H, W)
        The input (a reference, not a copy); the loop version reads its windows.
    w : ndarray, shape (F, C, KH, KW)
        The filters, to send the gradient back to the input.
    cols : ndarray, shape (N, C*KH*KW, Ho*Wo)
        The im2col columns built by the forward pass, reused by the fast backward pass so
        that dw is one matrix product and the columns are not built a second time.
    stride : (int, int)
        (sh, sw).
    padding : (int, int, int, int)
        Zeros added (top, bottom, left, right); in ceil mode bottom/right include the
        zeros that complete the last partial window.
    """

    x: np.ndarray
    w: np.ndarray
    cols: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]


class _Setup(NamedTuple):
    x: np.ndarray  # (N, C, H, W)
    w: np.ndarray  # (F, C, KH, KW)
    b: np.ndarray | None  # (F,)
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    out_hw: tuple[int, int]
    ndim: int  # ndim of the caller's x, to give the output back in the same form


def _setup(
    x: object,
    w: object,
    b: object,
    stride: object,
    padding: object,
    mode: object,
    func: str,
    ndims: tuple[int, ...] = (2, 3, 4),
) -> _Setup:
    """Validate the arguments shared by every convolution entry point."""
    x = as_float_array(x, "x", func)
    w = as_float_array(w, "w", func)
    layouts = {2: "(H, W)", 3: "(C, H, W)", 4: "(N, C, H, W)"}
    check_ndim(x, ndims, "x", func, layout=" or ".join(layouts[n] for n in ndims))
    ndim = x.ndim
    if ndim == 2:
        check_ndim(w, 2, "w", func, layout="(KH, KW) when x is a 2-D image (H, W)")
        x4, w4 = x[None, None], w[None, None]
    else:
        check_ndim(w, 4, "w", func, layout="(F, C, KH, KW)")
        x4, w4 = (x[None] if ndim == 3 else x), w
    if x4.shape[1] != w4.shape[1]:
        raise ValueError(
            f"{func}: x has {x4.shape[1]} channels but w expects {w4.shape[1]} "
            "(w.shape[1]); they must match"
        )
    dtype = np.result_type(x4.dtype, w4.dtype)
    x4, w4 = x4.astype(dtype, copy=False), w4.astype(dtype, copy=False)
    nf = w4.shape[0]
    if b is not None:
        b = as_float_array(b, "b", func)
        if ndim == 2 and b.size != 1:
            raise ValueError(
                f"{func}: b must be a single number when x is a 2-D image; "
                f"got b with shape {b.shape}"
            )
        if ndim != 2 and b.shape != (nf,):
            raise ValueError(
                f"{func}: b must have shape (F,) = ({nf},), one bias per filter; "
                f"got b with shape {b.shape}"
            )
        b = b.reshape(nf).astype(dtype, copy=False)
    kh, kw = w4.shape[2:]
    sh, sw = pair(stride, "stride", func)
    ph, pw = _resolve_padding(padding, kh, kw, (sh, sw), func)
    check_mode(mode, func)
    h, wd = x4.shape[2:]
    ho, wo = _output_shape2d(h, wd, kh, kw, (sh, sw), (ph, pw), mode, func)
    # in ceil mode, zeros at the bottom/right complete the last partial window
    bottom = ph + max(0, (ho - 1) * sh + kh - (h + 2 * ph))
    right = pw + max(0, (wo - 1) * sw + kw - (wd + 2 * pw))
    return _Setup(x4, w4, b, (sh, sw), (ph, bottom, pw, right), (ho, wo), ndim)


def _restore(out: np.ndarray, ndim: int) -> np.ndarray:
    """Give a (N, F, Ho, Wo) result back in the caller's form (2-D, 3-D or 4-D)."""
    if ndim == 2:
        return out[0, 0]
    if ndim == 3:
        return out[0]
    return out


def _im2col(
    xp: np.ndarray, kh: int, kw: int, stride: tuple[int, int], out_hw: tuple[int, int]
) -> np.ndarray:
    """Columns of every window: shape (N, C*KH*KW, Ho*Wo), row index c*KH*KW + u*KW + v.

    The buffer is allocated once and filled with one strided copy per filter offset
    (u, v): KH*KW vectorized copies, each of N*C*Ho*Wo numbers. This is faster than
    copying a transposed ``sliding_window_view`` because each copy has long inner runs.
    """
    n, c, hp, wp = xp.shape
    (sh, sw), (ho, wo) = stride, out_hw
    if kh == kw == 1 and sh == sw == 1:
        # a 1x1 filter sees each pixel once: the input itself is the column matrix
        return xp.reshape(n, c, hp * wp)
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=xp.dtype)
    for u in range(kh):
        for v in range(kw):
            cols[:, :, u, v] = xp[
                :, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw
            ]
    return cols.reshape(n, c * kh * kw, ho * wo)


def _col2im(
    dcols: np.ndarray,
    padded_shape: tuple[int, int, int, int],
    kh: int,
    kw: int,
    stride: tuple[int, int],
    out_hw: tuple[int, int],
) -> np.ndarray:
    """Inverse of :func:`_im2col` for gradients: add every column back onto its window.

    Overlapping windows add up. The accumulation loops over the KH*KW filter offsets only;
    each step adds a whole (N, C, Ho, Wo) block into a strided slice.
    """
    n, c, hp, wp = padded_shape
    (sh, sw), (ho, wo) = stride, out_hw
    if kh == kw == 1 and sh == sw == 1:
        return dcols.reshape(n, c, hp, wp)
    blocks = dcols.reshape(n, c, kh, kw, ho, wo)
    dxp = np.zeros(padded_shape, dtype=dcols.dtype)
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw] += blocks[
                :, :, u, v
            ]
    return dxp


def _crop(xp: np.ndarray, padding: tuple[int, int, int, int], h: int, w: int) -> np.ndarray:
    top, _, left, _ = padding
    return xp[..., top : top + h, left : left + w]


def _forward_fast(s: _Setup) -> tuple[np.ndarray, np.ndarray]:
    n, f = s.x.shape[0], s.w.shape[0]
    kh, kw = s.w.shape[2:]
    xp = _pad(s.x, *s.padding)
    cols = _im2col(xp, kh, kw, s.stride, s.out_hw)
    # (F, CKK) @ (N, CKK, L) broadcasts to (N, F, L): the result is already in NCHW order
    out = np.matmul(s.w.reshape(f, -1), cols)
    if s.b is not None:
        out += s.b[:, None]
    return out.reshape(n, f, *s.out_hw), cols


def _forward_naive(s: _Setup) -> np.ndarray:
    n, f = s.x.shape[0], s.w.shape[0]
    kh, kw = s.w.shape[2:]
    (sh, sw), (ho, wo) = s.stride, s.out_hw
    xp = _pad(s.x, *s.padding)
    out = np.zeros((n, f, ho, wo), dtype=s.x.dtype)
    for i_n in range(n):
        for i_f in range(f):
            for i in range(ho):
                for j in range(wo):
                    window = xp[i_n, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    out[i_n, i_f, i, j] = np.sum(window * s.w[i_f])
            if s.b is not None:
                out[i_n, i_f] += s.b[i_f]
    return out


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | float | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Convolve (cross-correlate) a batch of images with a bank of filters, vectorized.

    Computes, for every image n, filter f and output position (i, j),

        out[n, f, i, j] = b[f] + sum_{c, u, v} xp[n, c, i*sh + u, j*sw + v] * w[f, c, u, v]

    where ``xp`` is ``x`` zero-padded by ``padding``. The filter is *not* flipped: this is
    cross-correlation, what deep-learning libraries call convolution (see
    :func:`convolve2d` for the flipped version). Same signature and result as the loop
    version :func:`conv2d_naive`; this one copies every window into a column matrix of
    shape (N, C*KH*KW, Ho*Wo) once (im2col) and does one batched matrix product.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W) or (H, W)
        Input images. bool and integer input (uint8 images) is converted to float64.
    w : array_like, shape (F, C, KH, KW), or (KH, KW) when x is 2-D
        Filters. Each spans all C input channels and produces one output channel.
    b : array_like, shape (F,), or a number when x is 2-D, optional
        One bias per filter. None means no bias.
    stride : int or (int, int), default 1
        Step (sh, sw) between window positions.
    padding : int or (int, int) or {"valid", "same"}, default 0
        Zeros added on each side, (ph, pw) per axis. ``"valid"`` is 0; ``"same"`` is
        (K - 1)/2, allowed only for odd kernel sizes and stride 1.
    mode : {"strict", "floor", "ceil"}, default "strict"
        Output-size rule when the filter does not tile the padded input evenly, see
        :func:`cnnkit.shapes.output_size`. ``"floor"`` ignores the last rows/columns;
        ``"ceil"`` adds zeros at the bottom/right to complete the last window.

    Returns
    -------
    ndarray, shape (N, F, Ho, Wo) or (F, Ho, Wo) or (Ho, Wo)
        The feature maps, one per filter, in the dtype of x and w (float32 stays float32).

    Raises
    ------
    ValueError
        Wrong number of dimensions, channel mismatch between x and w, stride <= 0,
        negative padding, a filter larger than the padded input, or (strict mode) an
        output size that is not a whole number.
    TypeError
        Non-numeric dtype, or a stride/padding that is not an integer.

    See Also
    --------
    conv2d_naive : the loop version, same signature.
    conv2d_forward, conv2d_backward : forward with a cache, and the gradients.

    Examples
    --------
    A 6x6 RGB image and four 3x3x3 filters give a 4x4x4 output volume:

    >>> conv2d(np.ones((3, 6, 6)), np.ones((4, 3, 3, 3))).shape
    (4, 4, 4)
    >>> conv2d(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), stride=2)
    array([[10., 18.],
           [42., 50.]])
    """
    s = _setup(x, w, b, stride, padding, mode, "conv2d")
    return _restore(_forward_fast(s)[0], s.ndim)


def conv2d_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | float | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Convolve (cross-correlate) images with filters, one output number at a time.

    The loop version of :func:`conv2d` (same parameters, same result, same errors): for
    every image, every filter and every output position (i, j), take the window
    ``xp[n, :, i*sh : i*sh + KH, j*sw : j*sw + KW]`` (all channels), multiply it
    element-wise by the filter and add everything up, plus the bias:

        out[n, f, i, j] = b[f] + sum_{c, u, v} xp[n, c, i*sh + u, j*sw + v] * w[f, c, u, v]

    It reads like the book's description and is slow (Python loops over N*F*Ho*Wo
    positions): use it on small inputs, and :func:`conv2d` otherwise.

    Parameters
    ----------
    x, w, b, stride, padding, mode
        As in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (N, F, Ho, Wo) or (F, Ho, Wo) or (Ho, Wo)

    Examples
    --------
    >>> conv2d_naive(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), stride=2)
    array([[10., 18.],
           [42., 50.]])
    """
    s = _setup(x, w, b, stride, padding, mode, "conv2d_naive")
    return _restore(_forward_naive(s), s.ndim)


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> tuple[np.ndarray, ConvCache]:
    """Forward pass of a convolution layer: :func:`conv2d` plus a cache for the backward pass.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    w : array_like, shape (F, C, KH, KW)
    b : array_like, shape (F,), optional
    stride, padding, mode
        As in :func:`conv2d`.

    Returns
    -------
    out : ndarray, shape (N, F, Ho, Wo)
    cache : ConvCache
        Input, filters, im2col columns, stride and padding; pass it to
        :func:`conv2d_backward` (or :func:`conv2d_backward_naive`).
    """
    s = _setup(x, w, b, stride, padding, mode, "conv2d_forward", ndims=(4,))
    out, cols = _forward_fast(s)
    return out, ConvCache(s.x, s.w, cols, s.stride, s.padding)


def _check_dout(dout: object, cache: ConvCache, func: str) -> tuple[np.ndarray, int, int]:
    dout = as_float_array(dout, "dout", func)
    n, _, h, w = cache.x.shape
    f, _, kh, kw = cache.w.shape
    top, bottom, left, right = cache.padding
    (sh, sw) = cache.stride
    ho = (h + top + bottom - kh) // sh + 1
    wo = (w + left + right - kw) // sw + 1
    if dout.shape != (n, f, ho, wo):
        raise ValueError(
            f"{func}: dout must have the shape of the forward output {(n, f, ho, wo)}; "
            f"got dout with shape {dout.shape}"
        )
    return dout.astype(cache.x.dtype, copy=False), ho, wo


def conv2d_backward(
    dout: np.ndarray, cache: ConvCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a convolution, vectorized: gradients with respect to x, w and b.

    With ``cols`` the im2col matrix (N, C*KH*KW, L = Ho*Wo) and ``W`` the filters as a
    (F, C*KH*KW) matrix, the forward pass was out[n] = W @ cols[n] + b, so

        dW = sum_n dout[n] @ cols[n].T        (one batched matrix product)
        db = sum over n, i, j of dout[n, :, i, j]
        dcols[n] = W.T @ dout[n]

    and dx adds each column of dcols back onto the window it came from (col2im), then
    drops the padding. Same result as the loop version :func:`conv2d_backward_naive`.

    Parameters
    ----------
    dout : array_like, shape (N, F, Ho, Wo)
        Gradient of the loss with respect to the output.
    cache : ConvCache
        From :func:`conv2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C, KH, KW)
    db : ndarray, shape (F,)
        (also returned when the forward pass had no bias)
    """
    dout, ho, wo = _check_dout(dout, cache, "conv2d_backward")
    x, w, cols, stride, padding = cache
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    d = dout.reshape(n, f, ho * wo)
    db = d.sum(axis=(0, 2))
    dw = np.matmul(d, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    dcols = np.matmul(w.reshape(f, -1).T, d)
    top, bottom, left, right = padding
    padded_shape = (n, c, h + top + bottom, wd + left + right)
    dxp = _col2im(dcols, padded_shape, kh, kw, stride, (ho, wo))
    return _crop(dxp, padding, h, wd), dw, db


def conv2d_backward_naive(
    dout: np.ndarray, cache: ConvCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a convolution with loops: gradients with respect to x, w and b.

    Each output number out[n, f, i, j] was window * w[f] summed, plus b[f]. Its gradient
    dout[n, f, i, j] therefore flows

    - to the filter: dw[f] += dout[n, f, i, j] * window,
    - to the input window: dxp[n, :, window] += dout[n, f, i, j] * w[f],
    - to the bias: db[f] += dout[n, f, i, j].

    Slow and plain; :func:`conv2d_backward` is the vectorized version, same arguments.

    Parameters
    ----------
    dout : array_like, shape (N, F, Ho, Wo)
    cache : ConvCache
        From :func:`conv2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C, KH, KW)
    db : ndarray, shape (F,)
    """
    dout, ho, wo = _check_dout(dout, cache, "conv2d_backward_naive")
    x, w, _, (sh, sw), padding = cache
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = _pad(x, *padding)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros(f, dtype=w.dtype)
    for i_n in range(n):
        for i_f in range(f):
            for i in range(ho):
                for j in range(wo):
                    g = dout[i_n, i_f, i, j]
                    rows = slice(i * sh, i * sh + kh)
                    cols = slice(j * sw, j * sw + kw)
                    dw[i_f] += g * xp[i_n, :, rows, cols]
                    dxp[i_n, :, rows, cols] += g * w[i_f]
                    db[i_f] += g
    return _crop(dxp, padding, h, wd), dw, db


def convolve2d(
    image: np.ndarray,
    kernel: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> np.ndarray:
    """True 2-D convolution of a single-channel image: the kernel is flipped first.

    The mathematical convolution flips the kernel in both axes before sliding it:

        out[i, j] = sum_{u, v} xp[i*sh + u, j*sw + v] * kernel[KH-1-u, KW-1-v]

    Deep-learning "convolution" (:func:`conv2d`) skips the flip. The two agree for
    kernels that are symmetric under a half-turn (a box blur) and differ otherwise (a
    vertical-edge filter changes sign). Since the filters of a network are learned, the
    flip makes no difference there; it does when a known filter is applied.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (KH, KW)
    stride, padding, mode
        As in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (Ho, Wo)

    Examples
    --------
    >>> image = np.array([[0.0, 0, 1, 1], [0, 0, 1, 1]])
    >>> edge = np.array([[1.0, -1.0]])
    >>> conv2d(image, edge), convolve2d(image, edge)
    (array([[ 0., -1.,  0.],
           [ 0., -1.,  0.]]), array([[0., 1., 0.],
           [0., 1., 0.]]))
    """
    func = "convolve2d"
    image = as_float_array(image, "image", func)
    kernel = as_float_array(kernel, "kernel", func)
    check_ndim(image, 2, "image", func, layout="(H, W)")
    check_ndim(kernel, 2, "kernel", func, layout="(KH, KW)")
    s = _setup(image, kernel[::-1, ::-1], None, stride, padding, mode, func)
    return _restore(_forward_fast(s)[0], s.ndim)
