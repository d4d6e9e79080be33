"""2-D convolution (cross-correlation, as in every deep-learning library), forward and backward.

Two implementations with the same signature sit side by side:

- :func:`conv2d_naive` / :func:`conv2d_backward_naive` loop over every output position,
  exactly as the book describes: put the filter on a window, multiply element-wise, sum.
- :func:`conv2d` / :func:`conv2d_backward` are vectorized with *im2col*: every window is
  copied once into a column of a matrix of shape (N, C*KH*KW, Ho*Wo), and one batched
  matrix product with the filters reshaped to (F, C*KH*KW) computes all outputs at once,
  directly in (N, F, Ho, Wo) order. With stride 1 the columns use the *flat-shift*
  layout (see :func:`_im2col_flat`), which is faster to build, and one single matrix
  product serves the whole batch.

Throughout, ``x`` has shape (N, C, H, W), ``w`` has shape (F, C, KH, KW), ``b`` has shape
(F,) and the output has shape (N, F, Ho, Wo), with Ho and Wo from
:func:`cnnkit.shapes.output_size`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

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
    cols : ndarray, shape (N, C*KH*KW, Ho*Wo), or (C*KH*KW, N, L) with stride 1
        The im2col columns built by the forward pass, reused by the fast backward pass so
        that dw is one matrix product and the columns are not built a second time. With
        stride 1 they are in the flat-shift layout of :func:`_im2col_flat`, with
        L = (Ho - 1)*Wp + Wo (Wp the padded width). With a bias there is one more row, of
        ones (the "bias trick", see :func:`_im2col`).
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


# Forward passes without a cache (conv2d) and the backward pass work on groups of images
# whose column matrices take about this many bytes. The buffer is then reused from one
# group to the next while it is still in the processor's cache, instead of a new
# full-size matrix whose every memory page the system must first provide.
_CHUNK_BYTES = 4 * 2**20


def _flat_shift(stride: tuple[int, int], kh: int, kw: int) -> bool:
    """Whether the stride-1 flat-shift layout of :func:`_im2col_flat` is used."""
    return stride == (1, 1) and (kh, kw) != (1, 1)


def _chunks(n: int, bytes_per_image: int) -> list[slice]:
    """Split range(n) into groups of images with about _CHUNK_BYTES of columns each."""
    step = max(1, _CHUNK_BYTES // max(1, bytes_per_image))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _im2col_flat(
    xp: np.ndarray, kh: int, kw: int, out_hw: tuple[int, int], ones: bool
) -> np.ndarray:
    """Stride-1 columns in the flat-shift layout: shape (C*KH*KW, N, L), L = (Ho-1)*Wp + Wo.

    Flatten each padded channel to one row of Hp*Wp numbers. Output position (i, j) is
    then p = i*Wp + j, and the input that filter offset (u, v) multiplies there is at
    p + u*Wp + v: each row of the column matrix is one *contiguous* slice of the
    flattened channel, shifted by u*Wp + v. The positions p with j >= Wo (L - Ho*Wo of
    them, the "wrap-around" between rows) are computed and thrown away; in exchange the
    columns are built with long contiguous copies, several times faster than the strided
    copies of :func:`_im2col` on small images. The images sit side by side in each row,
    so that one matrix product (F, C*KH*KW) @ (C*KH*KW, N*L) serves the whole batch: on
    small images, N small products cost more in overhead than in arithmetic. With
    ``ones`` a last row of ones is added (see :func:`_im2col`).
    """
    xp = np.ascontiguousarray(xp)
    n, c, hp, wp = xp.shape
    ho, wo = out_hw
    length = (ho - 1) * wp + wo
    item = xp.itemsize
    view = as_strided(
        xp,
        shape=(c, kh, kw, n, length),
        strides=(xp.strides[1], wp * item, item, xp.strides[0], item),
        writeable=False,
    )
    rows = c * kh * kw
    cols = np.empty((rows + ones, n, length), dtype=xp.dtype)
    np.copyto(cols[:rows].reshape(c, kh, kw, n, length), view)
    if ones:
        cols[rows] = 1
    return cols


def _flat_view(flat: np.ndarray, n: int, wp: int, out_hw: tuple[int, int]) -> np.ndarray:
    """View (N, F, Ho, Wo) of a flat-shift array (F, N, L): (n, f, i, j) is [f, n, i*Wp + j]."""
    f, _, length = flat.shape
    item = flat.itemsize
    return as_strided(
        flat,
        shape=(n, f, *out_hw),
        strides=(length * item, n * length * item, wp * item, item),
    )


def _im2col(
    xp: np.ndarray,
    kh: int,
    kw: int,
    stride: tuple[int, int],
    out_hw: tuple[int, int],
    ones: bool,
) -> np.ndarray:
    """Columns of every window: shape (N, C*KH*KW, Ho*Wo), row index c*KH*KW + u*KW + v.

    The buffer is allocated once and filled with one strided copy per filter offset
    (u, v): KH*KW vectorized copies, each of N*C*Ho*Wo numbers. This is faster than
    copying a transposed ``sliding_window_view`` because each copy has long inner runs.

    With ``ones``, one more row of ones is appended (N, C*KH*KW + 1, Ho*Wo): with the
    bias as one more column of the filter matrix, the matrix product then adds the bias
    (the "bias trick"), which is faster than adding it afterwards.
    """
    n, c, hp, wp = xp.shape
    (sh, sw), (ho, wo) = stride, out_hw
    if kh == kw == 1 and sh == sw == 1 and not ones:
        # a 1x1 filter sees each pixel once: the input itself is the column matrix
        return xp.reshape(n, c, hp * wp)
    rows = c * kh * kw
    cols = np.empty((n, rows + ones, ho * wo), dtype=xp.dtype)
    windows = cols[:, :rows].reshape(n, c, kh, kw, ho, wo)
    for u in range(kh):
        for v in range(kw):
            windows[:, :, u, v] = xp[
                :, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw
            ]
    if ones:
        cols[:, rows] = 1
    return cols


def _col2im(
    dcols: np.ndarray,
    dxp: np.ndarray,
    kh: int,
    kw: int,
    stride: tuple[int, int],
    out_hw: tuple[int, int],
) -> None:
    """Inverse of :func:`_im2col` for gradients: add every column back onto its window.

    Adds into ``dxp`` (N, C, Hp, Wp), zeros on entry. Overlapping windows add up. The
    accumulation loops over the KH*KW filter offsets only; each step adds a whole
    (N, C, Ho, Wo) block into a strided slice.
    """
    n, c = dxp.shape[:2]
    (sh, sw), (ho, wo) = stride, out_hw
    if kh == kw == 1 and sh == sw == 1:
        dxp += dcols.reshape(dxp.shape)
        return
    blocks = dcols.reshape(n, c, kh, kw, ho, wo)
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw] += blocks[
                :, :, u, v
            ]


def _col2im_flat(dcols: np.ndarray, dxp: np.ndarray, kh: int, kw: int) -> None:
    """Inverse of :func:`_im2col_flat`: add each row of ``dcols`` (C*KH*KW, N, L) back
    at its shift, into ``dxp`` (N, C, Hp, Wp), contiguous and zeros on entry.
    """
    n, c, hp, wp = dxp.shape
    length = dcols.shape[2]
    blocks = dcols.reshape(c, kh * kw, n, length)
    flat = dxp.reshape(n, c, hp * wp)  # a view: dxp is contiguous
    for u in range(kh):
        for v in range(kw):
            shift = u * wp + v
            flat[:, :, shift : shift + length] += blocks[:, u * kw + v].transpose(1, 0, 2)


def _crop(xp: np.ndarray, padding: tuple[int, int, int, int], h: int, w: int) -> np.ndarray:
    top, _, left, _ = padding
    return xp[..., top : top + h, left : left + w]


def _columns(s: _Setup, xp: np.ndarray) -> np.ndarray:
    """The column matrix of the images ``xp``, with a row of ones when there is a bias."""
    kh, kw = s.w.shape[2:]
    # a 1x1 filter with stride 1 uses the input itself as columns: no room for the ones
    ones = s.b is not None and not (kh == kw == 1 and s.stride == (1, 1))
    if _flat_shift(s.stride, kh, kw):
        return _im2col_flat(xp, kh, kw, s.out_hw, ones)
    return _im2col(xp, kh, kw, s.stride, s.out_hw, ones)


def _multiply(s: _Setup, cols: np.ndarray, wp: int, out: np.ndarray) -> None:
    """out (N, F, Ho, Wo) = filters @ columns + bias, for the images of ``cols``."""
    f = s.w.shape[0]
    kh, kw = s.w.shape[2:]
    wmat = s.w.reshape(f, -1)
    flat = _flat_shift(s.stride, kh, kw)
    folded = cols.shape[0 if flat else 1] > wmat.shape[1]
    if folded:
        # the row of ones in the columns meets the bias as the last column of filters
        wmat = np.concatenate([wmat, s.b[:, None]], axis=1)
    if not flat:
        # (F, CKK) @ (N, CKK, L) broadcasts to (N, F, L): already in NCHW order
        flat_out = out.reshape(out.shape[0], f, -1)
        np.matmul(wmat, cols, out=flat_out)
        if not folded and s.b is not None:
            flat_out += s.b[:, None]
        return
    # flat-shift: one product for the batch, (F, N*L); keep the Ho x Wo valid positions
    prod = np.matmul(wmat, cols.reshape(cols.shape[0], -1))
    prod = _flat_view(prod.reshape(f, *cols.shape[1:]), cols.shape[1], wp, s.out_hw)
    if folded or s.b is None:
        np.copyto(out, prod)
    else:
        np.add(prod, s.b[:, None, None], out=out)


def _forward_fast(s: _Setup, keep_cols: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The output, and the full column matrix when ``keep_cols`` (for the backward pass).

    Without ``keep_cols`` the images go through in groups (see ``_CHUNK_BYTES``), with
    the column matrix of one group at a time: the same numbers, faster and in less memory.
    """
    n, f = s.x.shape[0], s.w.shape[0]
    xp = _pad(s.x, *s.padding)
    out = np.empty((n, f, *s.out_hw), dtype=s.x.dtype)
    if keep_cols:
        cols = _columns(s, xp)
        _multiply(s, cols, xp.shape[3], out)
        return out, cols
    per_image = s.w[0].size * s.out_hw[0] * xp.shape[3] * xp.itemsize
    for part in _chunks(n, per_image):
        _multiply(s, _columns(s, xp[part]), xp.shape[3], out[part])
    return out, None


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
    version :func:`conv2d_naive`; this one copies every window once into a column matrix
    (im2col, see the module docstring) and multiplies it by the filters in a matrix
    product, a group of images at a time.

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
    return _restore(_forward_fast(s, keep_cols=False)[0], s.ndim)


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
    out, cols = _forward_fast(s, keep_cols=True)
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
    top, bottom, left, right = padding
    hp, wp = h + top + bottom, wd + left + right
    flat = _flat_shift(stride, kh, kw)
    rows = c * kh * kw
    if flat:
        # dout in the flat-shift layout (F, N, L) of the columns, 0 at the wrap-around
        d = np.zeros((f, n, cols.shape[2]), dtype=dout.dtype)
        _flat_view(d, n, wp, (ho, wo))[...] = dout
        dw = d.reshape(f, -1) @ cols.reshape(cols.shape[0], -1).T
    else:
        d = dout.reshape(n, f, ho * wo)
        dw = np.matmul(d, cols.transpose(0, 2, 1)).sum(axis=0)
    if dw.shape[1] > rows:
        # the forward pass's row of ones (the bias trick): its column of dw is db
        db = dw[:, rows].copy()
    else:
        db = dout.sum(axis=(0, 2, 3))
    dw = dw[:, :rows].reshape(w.shape)
    wt = w.reshape(f, -1).T
    dxp = np.zeros((n, c, hp, wp), dtype=dout.dtype)
    # dcols = W.T @ d, then col2im, a group of images at a time (see _CHUNK_BYTES)
    for part in _chunks(n, cols[:, 0].nbytes if flat else cols[0].nbytes):
        if flat:
            dcols = np.matmul(wt, d[:, part].reshape(f, -1))
            _col2im_flat(dcols.reshape(rows, -1, d.shape[2]), dxp[part], kh, kw)
        else:
            dcols = np.matmul(wt, d[part])
            _col2im(dcols, dxp[part], kh, kw, stride, (ho, wo))
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
    return _restore(_forward_fast(s, keep_cols=False)[0], s.ndim)
