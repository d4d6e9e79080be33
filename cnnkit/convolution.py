"""2-D convolution (cross-correlation, as in every deep-learning library), forward and backward.

Two implementations with the same signature sit side by side:

- :func:`conv2d_naive` / :func:`conv2d_backward_naive` loop over every output position,
  exactly as the book describes: put the filter on a window, multiply element-wise, sum.
- :func:`conv2d` / :func:`conv2d_backward` turn the convolution into matrix products,
  and pick how by the size of the input (the same numbers either way, to rounding):

  - *im2col*: every window is copied once into a column of a matrix, and one matrix
    product with the filters reshaped to (K, C*FH*FW) computes all outputs at once.
    Filters larger than 1x1 use the *flat-shift* layout of the columns (see
    :func:`_im2col_flat`; with a stride, after splitting the input by stride phase,
    :func:`_phases`), built with long contiguous copies; one product serves a group of
    small images, and large images get one product each, written in place
    (:func:`_forward_fast`).
  - *unrolled filters*, for small images: the whole convolution is one (C*H*W, K*Ho*Wo)
    matrix, and the forward pass one product with the flattened images
    (:func:`_unrolled`).
  - *Winograd's F(2x2, 3x3)*, for 3x3 layers with stride 1, padding at most 2, at
    least 64 channels and 64 filters, at least 256 outputs per image, in float32 or
    float64 (float16 would round too much): 2.25 times fewer multiplications than
    im2col, for transforms that are additions (:func:`_winograd`). The backward pass
    of such a layer computes dx the same way and builds the columns for dW again, a
    group of images at a time (:func:`_winograd_input_grad`, :func:`_rebuilt_weight_grad`).

  ``benchmarks/bench.py`` times them against PyTorch and against the bare matrix
  products.

Throughout, ``x`` has shape (N, C, H, W), ``w`` has shape (K, C, FH, FW) (K filters of
FH x FW, F x F when square), ``b`` has shape (K,) and the output has shape
(N, K, Ho, Wo), with Ho and Wo from :func:`cnnkit.shapes.output_size`. The functions
take (H, W), (C, H, W) or (N, C, H, W) and answer in the same form; the training path,
:func:`conv2d_forward`, takes a batch (see the dimension policy in ``cnnkit._checks``).
Options after ``x, w, b`` are keyword-only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from cnnkit._checks import (
    as_batch,
    as_float_array,
    check_bool,
    check_cache,
    check_ndim,
    plural,
    restore,
    show,
)
from cnnkit._geometry import Window, copy_rows, crop, pad_array, window

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
    w : ndarray, shape (K, C, FH, FW)
        The filters, to send the gradient back to the input.
    cols : ndarray, shape (C*FH*FW, N, L), (N, C, H*W) or (C*H*W, K*Ho*Wo), or None
        The matrix the forward pass multiplied, reused by the fast backward pass so that
        it is not built a second time. Usually the im2col columns, in the flat-shift
        layout of :func:`_im2col_flat`, with L = (Ho - 1)*Wq + Wo (Wq the padded width
        divided by the stride, rounded up); a 1x1 filter uses the input itself, or with
        a stride the (N, C, Ho*Wo) columns of :func:`_im2col`. With a bias there is one
        more row, of ones (the "bias trick", see :func:`_im2col`). For a small image,
        the 2-D matrix M of the whole convolution (see :func:`_unrolled`). None when
        the forward pass took Winograd's F(2x2, 3x3) (see :func:`_winograd`), which
        multiplies no column matrix, or when the columns were too large to keep
        (``_KEPT_COLUMNS_MAX_BYTES``): the backward pass then builds them again.
    geometry : Window
        Stride, padding (top, bottom, left, right; in ceil mode bottom/right include the
        cells of the last partial window), input and output sizes.
    """

    x: np.ndarray
    w: np.ndarray
    cols: np.ndarray | None
    geometry: Window

    @property
    def stride(self) -> tuple[int, int]:
        return self.geometry.stride

    @property
    def padding(self) -> tuple[int, int, int, int]:
        return self.geometry.padding


class _Setup(NamedTuple):
    x: np.ndarray  # (N, C, H, W)
    w: np.ndarray  # (K, C, FH, FW)
    b: np.ndarray | None  # (K,)
    geometry: Window
    ndim: int  # ndim of the caller's x, to give the output back in the same form


def _check_bias(b: object, k: int, ndim: int, func: str) -> np.ndarray:
    """``b`` as an array of shape (K,): one bias per filter, never a bare number.

    A number is refused because ``conv2d(x, w, 2)`` reads like a stride of 2 and would
    otherwise silently add 2 to every output.
    """
    one = " (a 2-D filter is K = 1 filter)" if ndim == 2 else ""
    rule = f"b must be an array of shape (K,) = ({k},), one bias per filter{one}"
    if not isinstance(b, np.ndarray | list | tuple):
        hint = "; the options stride, padding and mode are keyword-only (stride=2)"
        raise TypeError(f"{func}: {rule}; got b={show(b)}{hint}")
    b = as_float_array(b, "b", func)
    if b.shape != (k,):
        raise ValueError(f"{func}: {rule}; got b with shape {b.shape}")
    return b


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
    x4, ndim = as_batch(x, "x", func, ndims)
    w = as_float_array(w, "w", func)
    if ndim == 2:
        check_ndim(w, 2, "w", func, layout="(FH, FW) when x is a 2-D image (H, W)")
        w4 = w[None, None]
    else:
        check_ndim(w, 4, "w", func, layout="(K, C, FH, FW)")
        w4 = w
    if w4.size == 0:
        raise ValueError(
            f"{func}: w must hold at least one filter of at least 1x1 (K, C, FH, FW >= 1); "
            f"got w with shape {w.shape}"
        )
    if x4.shape[1] != w4.shape[1]:
        raise ValueError(
            f"{func}: x has {plural(x4.shape[1], 'channel')} but w expects "
            f"{w4.shape[1]} (w.shape[1]); they must match"
        )
    dtype = np.result_type(x4.dtype, w4.dtype)
    x4, w4 = x4.astype(dtype, copy=False), w4.astype(dtype, copy=False)
    if b is not None:
        b = _check_bias(b, w4.shape[0], ndim, func).astype(dtype, copy=False)
    geometry = window(x4.shape[2:], w4.shape[2:], stride, padding, mode, func)
    return _Setup(x4, w4, b, geometry, ndim)


# Forward passes without a cache (conv2d) and the backward pass work on groups of images
# whose column matrices take about this many bytes. The buffer is then reused from one
# group to the next while it is still in the processor's cache, instead of a new
# full-size matrix whose every memory page the system must first provide.
_CHUNK_BYTES = 4 * 2**20


# From this many flat-shift positions per image (Ho*Wq) on, each image gets its own
# matrix product, written in place (see _forward_fast).
_WIDE_POSITIONS = 1024

# conv2d_forward keeps the column matrix for the backward pass up to this size; a larger
# one costs more to allocate and fill in one piece than the backward pass spends building
# it again a group of images at a time (see _forward_fast).
_KEPT_COLUMNS_MAX_BYTES = 16 * 2**20

# Small images are convolved as one matrix product with the unrolled filters (see
# _unrolled): when the dense matrix does at most this many times the multiply-adds of the
# convolution (H*W / (FH*FW)), and has at most this many entries.
_UNROLLED_MAX_RATIO = 4.0
_UNROLLED_MAX_ENTRIES = 2**18


class _Unrolled(NamedTuple):
    """Where each filter weight goes in the (C*H*W, K*Ho*Wo) matrix of a convolution.

    ``flat[i]`` is a position in that matrix (row-major) and ``weight[i]`` the index, in
    the flattened filters, of the weight that sits there. The pairs are sorted by
    weight: the run of weight ``weights[r]`` starts at ``starts[r]`` (a weight that
    meets only padding has no run).
    """

    flat: np.ndarray
    weight: np.ndarray
    starts: np.ndarray
    weights: np.ndarray


def _unrolled(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], geometry: Window
) -> _Unrolled | None:
    """The plan of :class:`_Unrolled` when a convolution is best done as one dense product.

    A convolution is linear in its input: out = x @ M, with x flattened to (N, C*H*W)
    and M a (C*H*W, K*Ho*Wo) matrix that holds each filter weight wherever that weight
    meets an input pixel, and zeros elsewhere (the padding's cells meet nothing). On a
    small image M is small, and one well-shaped product replaces the column matrix, its
    copy and the rearranging of the output: the forward pass is ``x @ M``, dx is
    ``dout @ M.T``, and dw sums the entries of ``x.T @ dout`` that share a weight.
    M does H*W / (FH*FW) times the multiply-adds of the convolution (the zeros), so
    it pays only on small images; None when it does not (see ``_UNROLLED_MAX_RATIO``).
    """
    _, c, h, w = x_shape
    k, _, fh, fw = w_shape
    ho, wo = geometry.out_hw
    if h * w > _UNROLLED_MAX_RATIO * fh * fw or c * h * w * k * ho * wo > _UNROLLED_MAX_ENTRIES:
        return None
    return _unrolled_plan(c, h, w, k, fh, fw, geometry)


@functools.lru_cache(maxsize=64)
def _unrolled_plan(c: int, h: int, w: int, k: int, fh: int, fw: int, geometry: Window) -> _Unrolled:
    (sh, sw), (top, _, left, _), (ho, wo) = geometry.stride, geometry.padding, geometry.out_hw
    kk, cc, u, v, i, j = np.meshgrid(
        *(np.arange(size) for size in (k, c, fh, fw, ho, wo)), indexing="ij", sparse=True
    )
    row, col = i * sh + u - top, j * sw + v - left  # the input pixel: inside the image?
    inside = np.broadcast_to(
        (row >= 0) & (row < h) & (col >= 0) & (col < w), (k, c, fh, fw, ho, wo)
    )
    flat = np.broadcast_to((cc * h + row) * w + col, inside.shape)[inside] * (k * ho * wo)
    flat += np.broadcast_to((kk * ho + i) * wo + j, inside.shape)[inside]
    weight = np.broadcast_to(((kk * c + cc) * fh + u) * fw + v, inside.shape)[inside]
    # C order of (k, c, u, v, i, j): the entries of one weight are already together
    starts = np.flatnonzero(np.r_[weight.size > 0, weight[1:] != weight[:-1]])
    return _Unrolled(flat, weight, starts, weight[starts])


def _forward_unrolled(s: _Setup, plan: _Unrolled) -> tuple[np.ndarray, np.ndarray]:
    """The output and the matrix M of the convolution (see :func:`_unrolled`)."""
    n, c, h, w = s.x.shape
    k, (ho, wo) = s.w.shape[0], s.geometry.out_hw
    matrix = np.zeros((c * h * w, k * ho * wo), dtype=s.x.dtype)
    matrix.ravel()[plan.flat] = s.w.ravel()[plan.weight]
    out = (s.x.reshape(n, -1) @ matrix).reshape(n, k, ho, wo)
    if s.b is not None:
        out += s.b[:, None, None]
    return out, matrix


def _backward_unrolled(
    dout: np.ndarray, cache: ConvCache, plan: _Unrolled, input_grad: bool
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dx = dout @ M.T; dw: each weight's entries of x.T @ dout, added up; db."""
    x, w, matrix = cache.x, cache.w, cache.cols
    d = dout.reshape(len(x), -1)
    dw = np.zeros(w.size, dtype=dout.dtype)
    if plan.starts.size:
        dmatrix = x.reshape(len(x), -1).T @ d
        dw[plan.weights] = np.add.reduceat(dmatrix.ravel()[plan.flat], plan.starts)
    dx = (d @ matrix.T).reshape(x.shape) if input_grad else None
    return dx, dw.reshape(w.shape), dout.sum(axis=(0, 2, 3))


def _flat_shift(stride: tuple[int, int], fh: int, fw: int) -> bool:
    """Whether the columns use the flat-shift layout of :func:`_im2col_flat`.

    Every filter larger than 1x1 does, whatever its stride. A 1x1 filter with stride 1
    needs no columns at all (the input is its own column matrix); with a larger stride
    it takes the strided copies of :func:`_im2col`.
    """
    return (fh, fw) != (1, 1)


def _phase_hw(padded_hw: tuple[int, int], stride: tuple[int, int]) -> tuple[int, int]:
    """(Hq, Wq), the size of each stride phase of a padded input (see :func:`_phases`)."""
    (hp, wp), (sh, sw) = padded_hw, stride
    return -(-hp // sh), -(-wp // sw)


def _phases(xp: np.ndarray, stride: tuple[int, int]) -> np.ndarray:
    """The padded images split by stride phase: shape (SH, SW, N, C, Hq, Wq), contiguous.

    Phase (r, s) holds the pixels ``xp[..., r::SH, s::SW]``. A window that starts at
    (i*SH, j*SW) reads, at filter offset (u, v) = (a*SH + r, b*SW + s), the pixel
    (i + a, j + b) of phase (r, s): inside one phase a strided convolution becomes a
    stride-1 one, and :func:`_im2col_flat` can copy long contiguous runs. Zeros fill
    the last row and column of a phase where Hp or Wp is not a multiple of the stride
    (no window reads them). With stride 1 the only phase is ``xp`` itself, not copied.
    """
    if stride == (1, 1):
        return np.ascontiguousarray(xp)[None, None]
    (sh, sw), (n, c, hp, wp) = stride, xp.shape
    hq, wq = _phase_hw((hp, wp), stride)
    phases = np.empty((sh, sw, n, c, hq, wq), dtype=xp.dtype)
    if (hp, wp) == (hq * sh, wq * sw):
        np.copyto(phases, xp.reshape(n, c, hq, sh, wq, sw).transpose(3, 5, 0, 1, 2, 4))
        return phases
    phases[..., -1, :] = 0
    phases[..., :, -1] = 0
    for r in range(sh):
        for s in range(sw):
            block = xp[:, :, r::sh, s::sw]
            phases[r, s, :, :, : block.shape[2], : block.shape[3]] = block
    return phases


def _unphase(dphases: np.ndarray, padded_hw: tuple[int, int]) -> np.ndarray:
    """Inverse of :func:`_phases`: the (N, C, Hp, Wp) images from their phases."""
    sh, sw, n, c, hq, wq = dphases.shape
    if (sh, sw) == (1, 1):
        return dphases[0, 0]
    whole = np.empty((n, c, hq, sh, wq, sw), dtype=dphases.dtype)
    np.copyto(whole, dphases.transpose(2, 3, 4, 0, 5, 1))
    return whole.reshape(n, c, hq * sh, wq * sw)[:, :, : padded_hw[0], : padded_hw[1]]


def _chunks(n: int, bytes_per_image: int) -> list[slice]:
    """Split range(n) into groups of images with about _CHUNK_BYTES of columns each."""
    step = max(1, _CHUNK_BYTES // max(1, bytes_per_image))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _strided(
    base: np.ndarray, shape: tuple[int, ...], strides: tuple[int, ...], offset: int = 0
) -> np.ndarray:
    """A view of the contiguous array ``base``: shape, byte strides, byte offset.

    What ``numpy.lib.stride_tricks.as_strided`` does, built directly: that function
    costs several microseconds per call, which adds up at every training step. numpy
    refuses (ValueError) a view that would reach outside ``base``.
    """
    return np.ndarray(shape, dtype=base.dtype, buffer=base, offset=offset, strides=strides)


def _im2col_flat(
    phases: np.ndarray, fh: int, fw: int, out_hw: tuple[int, int], ones: bool
) -> np.ndarray:
    """Columns in the flat-shift layout: shape (C*FH*FW, N, L), L = (Ho-1)*Wq + Wo.

    Stride 1 first (one phase, the padded input: Hq, Wq = Hp, Wp). Flatten each padded
    channel to one row of Hp*Wp numbers. Output position (i, j) is then p = i*Wp + j,
    and the input that filter offset (u, v) multiplies there is at p + u*Wp + v: each
    row of the column matrix is one *contiguous* slice of the flattened channel,
    shifted by u*Wp + v. The positions p with j >= Wo (L - Ho*Wo of them, the
    "wrap-around" between rows) are computed and thrown away; in exchange the columns
    are built with long contiguous copies, several times faster than the strided copies
    of :func:`_im2col`. With a stride, the same holds inside each phase of
    :func:`_phases`: offset (u, v) = (a*SH + r, b*SW + s) is phase (r, s) shifted by
    a*Wq + b. The images sit side by side in each row, so that one matrix product
    (K, C*FH*FW) @ (C*FH*FW, N*L) serves the whole batch: on small images, N small
    products cost more in overhead than in arithmetic. With ``ones`` a last row of ones
    is added (see :func:`_im2col`).
    """
    sh, sw, n, c, hq, wq = phases.shape
    ho, wo = out_hw
    length = (ho - 1) * wq + wo
    rows, item = c * fh * fw, phases.itemsize
    cols = np.empty((rows + ones, n, length), dtype=phases.dtype)
    row = n * length * item  # bytes from one row of cols to the next
    step = phases.strides
    for r in range(min(sh, fh)):
        for s in range(min(sw, fw)):
            # the offsets of phase (r, s): a*SH + r < FH, b*SW + s < FW
            shape = (c, -(-(fh - r) // sh), -(-(fw - s) // sw), n, length)
            source = _strided(
                phases,
                shape,
                (step[3], wq * item, item, step[2], item),
                r * step[0] + s * step[1],
            )
            target = _strided(
                cols,
                shape,
                (fh * fw * row, sh * fw * row, sw * row, length * item, item),
                (r * fw + s) * row,
            )
            np.copyto(target, source)
    if ones:
        cols[rows] = 1
    return cols


def _flat_view(flat: np.ndarray, n: int, wp: int, out_hw: tuple[int, int]) -> np.ndarray:
    """View (N, K, Ho, Wo) of a flat-shift array (K, N, L): (n, k, i, j) is [k, n, i*Wp + j]."""
    k, _, length = flat.shape
    item = flat.itemsize
    return _strided(flat, (n, k, *out_hw), (length * item, n * length * item, wp * item, item))


def _im2col(
    xp: np.ndarray,
    fh: int,
    fw: int,
    stride: tuple[int, int],
    out_hw: tuple[int, int],
    ones: bool,
) -> np.ndarray:
    """Columns of every window: shape (N, C*FH*FW, Ho*Wo), row index c*FH*FW + u*FW + v.

    The buffer is allocated once and filled with one strided copy per filter offset
    (u, v): FH*FW vectorized copies, each of N*C*Ho*Wo numbers. This is faster than
    copying a transposed ``sliding_window_view`` because each copy has long inner runs.

    With ``ones``, one more row of ones is appended (N, C*FH*FW + 1, Ho*Wo): with the
    bias as one more column of the filter matrix, the matrix product then adds the bias
    (the "bias trick"), which is faster than adding it afterwards.
    """
    n, c, hp, wp = xp.shape
    (sh, sw), (ho, wo) = stride, out_hw
    if fh == fw == 1 and sh == sw == 1 and not ones:
        # a 1x1 filter sees each pixel once: the input itself is the column matrix
        return xp.reshape(n, c, hp * wp)
    rows = c * fh * fw
    cols = np.empty((n, rows + ones, ho * wo), dtype=xp.dtype)
    windows = cols[:, :rows].reshape(n, c, fh, fw, ho, wo)
    for u in range(fh):
        for v in range(fw):
            windows[:, :, u, v] = xp[
                :, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw
            ]
    if ones:
        cols[:, rows] = 1
    return cols


def _col2im(
    dcols: np.ndarray,
    dxp: np.ndarray,
    fh: int,
    fw: int,
    stride: tuple[int, int],
    out_hw: tuple[int, int],
) -> None:
    """Inverse of :func:`_im2col` for gradients: add every column back onto its window.

    Adds into ``dxp`` (N, C, Hp, Wp), zeros on entry. Overlapping windows add up. The
    accumulation loops over the FH*FW filter offsets only; each step adds a whole
    (N, C, Ho, Wo) block into a strided slice.
    """
    n, c = dxp.shape[:2]
    (sh, sw), (ho, wo) = stride, out_hw
    if fh == fw == 1 and sh == sw == 1:
        dxp += dcols.reshape(dxp.shape)
        return
    blocks = dcols.reshape(n, c, fh, fw, ho, wo)
    for u in range(fh):
        for v in range(fw):
            dxp[:, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw] += blocks[
                :, :, u, v
            ]


def _col2im_flat(dcols: np.ndarray, dflat: np.ndarray, fh: int, fw: int, wq: int) -> None:
    """Inverse of :func:`_im2col_flat`: add each row of ``dcols`` (C*FH*FW, N, L) back
    at its shift, into ``dflat`` (SH, SW, N, C, Hq*Wq), the flattened phases of the
    gradient (zeros on entry; see :func:`_phases`).
    """
    sh, sw, n, c, _ = dflat.shape
    length = dcols.shape[2]
    blocks = dcols.reshape(c, fh * fw, n, length)
    for u in range(fh):
        for v in range(fw):
            (a, r), (b, s) = divmod(u, sh), divmod(v, sw)
            shift = a * wq + b
            dflat[r, s, :, :, shift : shift + length] += blocks[:, u * fw + v].transpose(1, 0, 2)


def _ones(s: _Setup) -> bool:
    """Whether the columns get a row of ones, to meet the bias (the "bias trick")."""
    # a 1x1 filter with stride 1 uses the input itself as columns: no room for the ones
    return s.b is not None and not (s.w.shape[2:] == (1, 1) and s.geometry.stride == (1, 1))


def _filter_matrix(s: _Setup) -> np.ndarray:
    """The filters as a (K, C*FH*FW) matrix, the bias as one more column with the ones."""
    wmat = s.w.reshape(s.w.shape[0], -1)
    return np.concatenate([wmat, s.b[:, None]], axis=1) if _ones(s) else wmat


def _columns(s: _Setup, xp: np.ndarray) -> np.ndarray:
    """The column matrix of the images ``xp``, with a row of ones when there is a bias."""
    fh, fw = s.w.shape[2:]
    ones = _ones(s)
    if _flat_shift(s.geometry.stride, fh, fw):
        phases = _phases(xp, s.geometry.stride)
        return _im2col_flat(phases, fh, fw, s.geometry.out_hw, ones)
    return _im2col(xp, fh, fw, s.geometry.stride, s.geometry.out_hw, ones)


def _multiply(
    s: _Setup, wmat: np.ndarray, cols: np.ndarray, wq: int, out: np.ndarray, wide: bool
) -> None:
    """out (N, K, Ho, Wo) = filters @ columns + bias, for the images of ``cols``.

    ``wmat`` is :func:`_filter_matrix` (the bias in its last column when the columns
    have their row of ones). ``wq`` is the row pitch of the flat-shift layout (the
    width of a phase). With ``wide``, ``out`` is a contiguous (N, K, Ho, Wq) buffer and
    each image's product is written straight into it, wrap-around columns included (see
    :func:`_forward_fast`).
    """
    k = s.w.shape[0]
    fh, fw = s.w.shape[2:]
    if not _flat_shift(s.geometry.stride, fh, fw):
        # (K, CFF) @ (N, CFF, L) broadcasts to (N, K, L): already in NCHW order
        flat_out = out.reshape(out.shape[0], k, -1)
        np.matmul(wmat, cols, out=flat_out)
        if s.b is not None and not _ones(s):  # a 1x1 filter: no row of ones to meet
            flat_out += s.b[:, None]
        return
    # from here on flat-shift columns, which carry the row of ones whenever there is a
    # bias: the product adds it
    if wide:
        length, item = cols.shape[2], out.itemsize
        for i in range(cols.shape[1]):
            # image i's (K, L) product, rows Ho*Wq apart: its Ho x Wo outputs fall in place
            target = _strided(out, (k, length), (out.strides[1], item), i * out.strides[0])
            np.matmul(wmat, cols[:, i], out=target)
        return
    # flat-shift: one product for the batch, (K, N*L); keep the Ho x Wo valid positions
    prod = np.matmul(wmat, cols.reshape(cols.shape[0], -1))
    prod = _flat_view(prod.reshape(k, *cols.shape[1:]), cols.shape[1], wq, s.geometry.out_hw)
    copy_rows(out, prod)


# conv2d computes 3x3 stride-1 layers with at least this many input channels and this
# many filters, and at least _WINOGRAD_MIN_OUTPUTS output positions per image, with
# Winograd's F(2x2, 3x3) (see _winograd), in groups of images whose transformed inputs
# take about _WINOGRAD_GROUP_BYTES.
_WINOGRAD_MIN_CHANNELS = 64
_WINOGRAD_MIN_OUTPUTS = 256
_WINOGRAD_GROUP_BYTES = 5 * 2**19

# The matrices of F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
# Networks", CVPR 2016): a 4x4 tile d of the input and a 3x3 filter g give the 2x2
# outputs A^T [(G g G^T) * (B^T d B)] A, with * element by element, and
# B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]] (_winograd_row).
_WINOGRAD_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
_WINOGRAD_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]])


def _winograd_applies(s: _Setup) -> bool:
    """Whether :func:`conv2d` takes :func:`_winograd` for this layer.

    3x3 filters with stride 1, enough channels and filters, and images large enough.
    Measured with OpenBLAS on one core (``benchmarks/bench.py``): with 64 channels and
    64 filters, 0.8 times the time of im2col on 32x32 images, 0.9 on 16x16; with fewer
    channels the 16 products are too thin to pay for the transforms (1.0-1.9 times
    im2col's time at 32 or fewer), and on small images the transforms run in short
    pieces (twice im2col's time on 12x12 images).
    """
    k, c, fh, fw = s.w.shape
    ho, wo = s.geometry.out_hw
    return (
        (fh, fw) == (3, 3)
        and s.geometry.stride == (1, 1)
        and s.x.dtype in (np.float32, np.float64)  # float16 would lose 3x the accuracy
        and max(s.geometry.padding) <= 2  # so that dx is a convolution too (_winograd_input_grad)
        and min(c, k) >= _WINOGRAD_MIN_CHANNELS
        and ho * wo >= _WINOGRAD_MIN_OUTPUTS
    )


def _winograd_filters(s: _Setup) -> np.ndarray:
    """U = G g G^T for every filter and channel: shape (16, K, C + 1), the bias in column C.

    Index 4a + b is entry (a, b) of the 4x4 transformed filter. The bias sits at index 5,
    entry (1, 1): row and column 1 of A^T are all ones, so whatever is added there in
    the product reaches each of the four outputs of a tile once (0 without a bias).
    """
    k, c = s.w.shape[:2]
    g = _WINOGRAD_G.astype(s.w.dtype)
    u = np.zeros((16, k, c + 1), dtype=s.w.dtype)
    u[:, :, :c] = (g @ s.w @ g.T).transpose(2, 3, 0, 1).reshape(16, k, c)
    if s.b is not None:
        u[5, :, c] = s.b
    return u


def _winograd(s: _Setup) -> np.ndarray:
    """conv2d for 3x3 filters with stride 1 by Winograd's F(2x2, 3x3): (N, K, Ho, Wo).

    The output is cut into 2x2 tiles; tile (i, j) reads the 4x4 patch d of the padded
    input at rows 2i..2i+3, columns 2j..2j+3. Per input channel, V = B^T d B; per
    filter and channel, U = G g G^T. The 16 entries of the transformed tile are
    independent, so for each entry (a, b) one matrix product sums over the channels:
    M[ab] = U[ab] (K, C) @ V[ab] (C, tiles). The outputs are Y = A^T M A. That is 16
    products of C multiply-adds where im2col does 4 outputs x 9 = 36: 2.25 times fewer,
    for a little more rounding (the transforms add and halve) but the same float32
    accuracy against the loop version in the tests.

    The input transform is done without gathering the tiles. Split the padded input by
    stride-2 phase (as in :func:`_phases`): rows 2i + u of the tiles are row i + u//2 of
    phase u%2, so each row of B^T (two entries of +-1) is one subtraction or addition of
    two flattened phases, shifted by a phase row; the columns likewise, shifted by one.
    Each tile position p = i*Wq + j then lies at p in every transformed array, with a
    wrap-around column between tile rows as in :func:`_im2col_flat`. The images go in
    groups, reusing the same buffers.
    """
    n, c, h, wd = s.x.shape
    k = s.w.shape[0]
    (ho, wo), (top, _, left, _) = s.geometry.out_hw, s.geometry.padding
    th, tw = -(-ho // 2), -(-wo // 2)  # tiles per column and per row
    hq, wq = th + 1, tw + 1  # each phase of the padded input, 2*hq x 2*wq
    length = (th - 1) * wq + tw  # tile positions per image, wrap-around included
    dtype, item = s.x.dtype, s.x.itemsize
    u = _winograd_filters(s)
    a = np.kron(_WINOGRAD_AT, _WINOGRAD_AT).astype(dtype)  # (4, 16): Y = A^T M A, flattened
    g = max(1, min(n, _WINOGRAD_GROUP_BYTES // (16 * (c + 1) * length * item)))
    phases = np.zeros((2, 2, c, g, hq, wq), dtype=dtype)  # the border stays zero
    rows = np.empty((2, c, g, th * wq), dtype=dtype)  # one row of B^T, on both phases q
    v = np.empty((16, c + 1, g * length), dtype=dtype)
    v[:, c] = 1  # meets the bias in U
    tiles = _strided(v, (16, c, g, length), (v.strides[0], v.strides[1], length * item, item))
    m = np.empty((16, k, g * length), dtype=dtype)
    y = np.empty((4, k, g, length), dtype=dtype)
    out = np.empty((n, k, 2 * th, 2 * tw), dtype=dtype)
    flat = phases.reshape(2, 2, c, g, hq * wq)
    for start in range(0, n, g):
        count = min(g, n - start)
        images = s.x[start : start + count].transpose(1, 0, 2, 3)
        for r in range(2):
            for q in range(2):
                # phase (r, q) holds padded pixel (2i + r, 2j + q) = x[2i + r - top, 2j + q - left]
                i0, j0 = (top - r + 1) // 2, (left - q + 1) // 2
                block = images[:, :, 2 * i0 + r - top :: 2, 2 * j0 + q - left :: 2]
                hb, wb = block.shape[2:]
                phases[r, q, :, :count, i0 : i0 + hb, j0 : j0 + wb] = block
        for r in range(4):
            # row r of B^T along the rows, then all four along the columns: the
            # intermediate is reused while it is still in the processor's cache
            for q in range(2):
                _winograd_row(r, flat[0, q], flat[1, q], wq, rows[q])
            for col in range(4):
                _winograd_row(col, rows[0], rows[1], 1, tiles[4 * r + col])
        np.matmul(u, v, out=m)
        np.matmul(a, m.reshape(16, -1), out=y.reshape(4, -1))
        for r in range(2):
            for q in range(2):
                # output (2i + r, 2j + q) of tile p = i*Wq + j
                source = _strided(
                    y,
                    (k, count, th, tw),
                    (y.strides[1], y.strides[2], wq * item, item),
                    (2 * r + q) * y.strides[0],
                )
                out[start : start + count, :, r::2, q::2] = source.transpose(1, 0, 2, 3)
    return out[:, :, :ho, :wo]


def _winograd_row(row: int, even: np.ndarray, odd: np.ndarray, shift: int, out: np.ndarray) -> None:
    """Row ``row`` of B^T along one axis: d0 - d2, d1 + d2, d2 - d1 or d1 - d3.

    d_u is sample u of each tile along that axis: ``even`` for u = 0, ``odd`` for u = 1,
    and the same two arrays ``shift`` positions further on for u = 2 and 3. The first
    ``out.shape[-1]`` positions are computed.
    """
    n = out.shape[-1]
    d0, d1 = even[..., :n], odd[..., :n]
    d2, d3 = even[..., shift : shift + n], odd[..., shift : shift + n]
    if row == 0:
        np.subtract(d0, d2, out=out)
    elif row == 1:
        np.add(d1, d2, out=out)
    elif row == 2:
        np.subtract(d2, d1, out=out)
    else:
        np.subtract(d1, d3, out=out)


def _forward_fast(s: _Setup, keep_cols: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The output, and the full column matrix when ``keep_cols`` (for the backward pass).

    Without ``keep_cols`` the images go through in groups (see ``_CHUNK_BYTES``), with
    the column matrix of one group at a time: the same numbers, faster and in less memory.
    A layer that takes Winograd (:func:`_winograd_applies`) keeps no columns, whatever
    ``keep_cols`` says, nor does one whose column matrix would pass
    ``_KEPT_COLUMNS_MAX_BYTES``: the backward pass builds them again, a group at a time
    (:func:`_rebuilt_weight_grad`), which costs less than keeping them all. On a
    (16, 64, 56, 56) batch with 32 3x3 filters, keeping its 114 MB matrix took the
    forward pass from 30 to 52 ms.

    Large images (at least ``_WIDE_POSITIONS`` flat-shift positions each) are multiplied
    one at a time, straight into an (N, K, Ho, Wq) buffer: the output is then its
    (N, K, Ho, Wo) view, not a copy (copying it would cost a tenth of the time on
    AlexNet's first layer). Small images share one product: N products would cost more
    in overhead than they save.
    """
    plan = _unrolled(s.x.shape, s.w.shape, s.geometry)
    if plan is not None:
        out, matrix = _forward_unrolled(s, plan)
        return out, (matrix if keep_cols else None)
    if _winograd_applies(s):
        return _winograd(s), None
    n, k = s.x.shape[0], s.w.shape[0]
    (ho, wo), (fh, fw), padding = s.geometry.out_hw, s.w.shape[2:], s.geometry.padding
    wq = _phase_hw(s.geometry.padded_hw, s.geometry.stride)[1]
    wide = _flat_shift(s.geometry.stride, fh, fw) and ho * wq >= _WIDE_POSITIONS
    buffer = np.empty((n, k, ho, wq if wide else wo), dtype=s.x.dtype)
    out = buffer[..., :wo]
    wmat = _filter_matrix(s)
    if keep_cols and n * s.w[0].size * ho * wq * s.x.itemsize <= _KEPT_COLUMNS_MAX_BYTES:
        cols = _columns(s, pad_array(s.x, padding))
        _multiply(s, wmat, cols, wq, buffer, wide)
        return out, cols
    for part, xp in _padded_groups(s, wq):
        _multiply(s, wmat, _columns(s, xp), wq, buffer[part], wide)
    return out, None


def _padded_groups(s: _Setup, wq: int) -> Iterator[tuple[slice, np.ndarray]]:
    """The images in groups (see ``_CHUNK_BYTES``), each group zero-padded: (slice, images).

    Every group is padded in the same buffer, whose border of zeros is written once: no
    full-size padded copy of the input. ``wq`` is the row pitch of the columns (see
    :func:`_im2col_flat`), to size the groups. The images of a group are valid until
    the next group is asked for.
    """
    n, (ho, _), padding = s.x.shape[0], s.geometry.out_hw, s.geometry.padding
    parts = _chunks(n, s.w[0].size * ho * wq * s.x.itemsize)
    if padding == (0, 0, 0, 0):
        for part in parts:
            yield part, s.x[part]
        return
    top, _, left, _ = padding
    h, w = s.x.shape[2:]
    padded = np.zeros((parts[0].stop, s.x.shape[1], *s.geometry.padded_hw), s.x.dtype)
    for part in parts:
        xp = padded[: part.stop - part.start]
        copy_rows(xp[:, :, top : top + h, left : left + w], s.x[part])
        yield part, xp


def _forward_naive(s: _Setup) -> np.ndarray:
    n, k = s.x.shape[0], s.w.shape[0]
    fh, fw = s.w.shape[2:]
    (sh, sw), (ho, wo) = s.geometry.stride, s.geometry.out_hw
    xp = pad_array(s.x, s.geometry.padding)
    out = np.zeros((n, k, ho, wo), dtype=s.x.dtype)
    for i_n in range(n):
        for i_k in range(k):
            for i in range(ho):
                for j in range(wo):
                    window = xp[i_n, :, i * sh : i * sh + fh, j * sw : j * sw + fw]
                    out[i_n, i_k, i, j] = np.sum(window * s.w[i_k])
            if s.b is not None:
                out[i_n, i_k] += s.b[i_k]
    return out


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Convolve (cross-correlate) a batch of images with a bank of filters, vectorized.

    Computes, for every image n, filter k and output position (i, j),

        out[n, k, i, j] = b[k] + sum_{c, u, v} xp[n, c, i*SH + u, j*SW + v] * w[k, c, u, v]

    where ``xp`` is ``x`` zero-padded by ``padding``. The filter is *not* flipped: this is
    cross-correlation, what deep-learning libraries call convolution (see
    :func:`convolve2d` for the flipped version). Same signature and result as the loop
    version :func:`conv2d_naive`; this one copies every window once into a column matrix
    (im2col, see the module docstring) and multiplies it by the filters in a matrix
    product, a group of images at a time. Large 3x3 layers (stride 1, at least 64
    channels and 64 filters, 256 outputs per image) take Winograd's F(2x2, 3x3) instead,
    which needs 2.25 times fewer multiplications; it agrees with the loops to rounding,
    as closely as im2col does.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W) or (H, W)
        Input images. bool and integer input (uint8 images) is converted to float64.
    w : array_like, shape (K, C, FH, FW), or (FH, FW) when x is 2-D
        Filters. Each spans all C input channels and produces one output channel.
    b : array_like, shape (K,), optional
        One bias per filter (K = 1 for a 2-D filter: shape (1,)). None means no bias.
        A bare number is refused: ``conv2d(x, w, 2)`` is a TypeError, not a bias of 2.
    stride : int or (int, int), default 1, keyword-only
        Step (SH, SW) between window positions.
    padding : int or (int, int) or {"valid", "same"}, default 0, keyword-only
        Zeros added on each side, (PH, PW) per axis. ``"valid"`` is 0; ``"same"`` is
        (F - 1)/2, allowed only for odd filter sizes and stride 1.
    mode : {"strict", "floor", "ceil"}, default "strict", keyword-only
        Output-size rule when the filter does not tile the padded input evenly, see
        :func:`cnnkit.shapes.output_size`. ``"floor"`` ignores the last rows/columns;
        ``"ceil"`` adds a last, partial window, which covers only the cells that exist
        (for a sum of products, the same as zeros there).

    Returns
    -------
    ndarray, shape (N, K, Ho, Wo) or (K, Ho, Wo) or (Ho, Wo)
        The feature maps, one per filter, in the dtype of x and w (float32 stays float32).
        For large images the array is a view into a buffer a few columns wider (the
        products are written there in place, see ``_forward_fast``): an ordinary array
        to use; ``np.ascontiguousarray`` gives a compact copy if one is needed.

    Raises
    ------
    ValueError
        Wrong number of dimensions, channel mismatch between x and w, stride <= 0,
        negative padding, a filter larger than the padded input, or (strict mode) an
        output size that is not a whole number.
    TypeError
        Non-numeric dtype, a bias that is a number rather than an array, or a
        stride/padding that is not an integer.

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
    return restore(_forward_fast(s, keep_cols=False)[0], s.ndim)


def conv2d_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> np.ndarray:
    """Convolve (cross-correlate) images with filters, one output number at a time.

    The loop version of :func:`conv2d` (same parameters, same result, same errors): for
    every image, every filter and every output position (i, j), take the window
    ``xp[n, :, i*SH : i*SH + FH, j*SW : j*SW + FW]`` (all channels), multiply it
    element-wise by the filter and add everything up, plus the bias:

        out[n, k, i, j] = b[k] + sum_{c, u, v} xp[n, c, i*SH + u, j*SW + v] * w[k, c, u, v]

    It reads like the book's description and is slow (Python loops over N*K*Ho*Wo
    positions): use it on small inputs, and :func:`conv2d` otherwise.

    Parameters
    ----------
    x, w, b, stride, padding, mode
        As in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (N, K, Ho, Wo) or (K, Ho, Wo) or (Ho, Wo)

    Examples
    --------
    >>> conv2d_naive(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), stride=2)
    array([[10., 18.],
           [42., 50.]])
    """
    s = _setup(x, w, b, stride, padding, mode, "conv2d_naive")
    return restore(_forward_naive(s), s.ndim)


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> tuple[np.ndarray, ConvCache]:
    """Forward pass of a convolution layer: :func:`conv2d` plus a cache for the backward pass.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    w : array_like, shape (K, C, FH, FW)
    b : array_like, shape (K,), optional
    stride, padding, mode
        As in :func:`conv2d`.

    Returns
    -------
    out : ndarray, shape (N, K, Ho, Wo)
    cache : ConvCache
        Input, filters, the im2col columns (None for a layer that takes Winograd, or
        whose columns would take more than 16 MiB), stride and padding; pass it to
        :func:`conv2d_backward` (or :func:`conv2d_backward_naive`).
    """
    s = _setup(x, w, b, stride, padding, mode, "conv2d_forward", ndims=(4,))
    out, cols = _forward_fast(s, keep_cols=True)
    return out, ConvCache(s.x, s.w, cols, s.geometry)


def _check_dout(dout: object, cache: ConvCache, func: str) -> np.ndarray:
    check_cache(cache, ConvCache, func, "conv2d_forward")
    dout = as_float_array(dout, "dout", func)
    expected = (cache.x.shape[0], cache.w.shape[0], *cache.geometry.out_hw)
    if dout.shape != expected:
        raise ValueError(
            f"{func}: dout must have the shape of the forward output {expected}; "
            f"got dout with shape {dout.shape}"
        )
    return dout.astype(cache.x.dtype, copy=False)


def conv2d_backward(
    dout: np.ndarray, cache: ConvCache, *, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Backward pass of a convolution, vectorized: gradients with respect to x, w and b.

    With ``cols`` the im2col matrix (N, C*FH*FW, L = Ho*Wo) and ``W`` the filters as a
    (K, C*FH*FW) matrix, the forward pass was out[n] = W @ cols[n] + b, so

        dW = sum_n dout[n] @ cols[n].T        (one batched matrix product)
        db = sum over n, i, j of dout[n, :, i, j]
        dcols[n] = W.T @ dout[n]

    and dx adds each column of dcols back onto the window it came from (col2im), then
    drops the padding. Same result as the loop version :func:`conv2d_backward_naive`.

    Parameters
    ----------
    dout : array_like, shape (N, K, Ho, Wo)
        Gradient of the loss with respect to the output.
    cache : ConvCache
        From :func:`conv2d_forward`.
    input_grad : bool, default True, keyword-only
        False skips dx and returns None in its place. The first layer of a network needs
        no gradient for the images it reads, and dx (a matrix product and col2im) is
        about half of the work; :meth:`cnnkit.model.Sequential.fit` skips it there.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), or None when ``input_grad`` is False
    dw : ndarray, shape (K, C, FH, FW)
    db : ndarray, shape (K,)
        (also returned when the forward pass had no bias)
    """
    dout = _check_dout(dout, cache, "conv2d_backward")
    check_bool(input_grad, "input_grad", "conv2d_backward")
    x, w, cols, geometry = cache
    s = _Setup(x, w, None, geometry, 4)  # no bias: columns built again get no row of ones
    if cols is not None and cols.ndim == 2:  # the matrix of the whole convolution
        return _backward_unrolled(dout, cache, _unrolled(x.shape, w.shape, geometry), input_grad)
    stride, padding, (ho, wo) = geometry.stride, geometry.padding, geometry.out_hw
    n, c, h, wd = x.shape
    k, _, fh, fw = w.shape
    top, bottom, left, right = padding
    hp, wp = h + top + bottom, wd + left + right
    flat = _flat_shift(stride, fh, fw)
    rows = c * fh * fw
    hq, wq = _phase_hw((hp, wp), stride)
    length = (ho - 1) * wq + wo if flat else ho * wo  # positions per image in the columns
    if flat:
        # dout in the flat-shift layout (K, N, L) of the columns, 0 at the wrap-around
        d = np.zeros((k, n, length), dtype=dout.dtype)
        copy_rows(_flat_view(d, n, wq, (ho, wo)), dout)
    else:
        d = dout.reshape(n, k, ho * wo)
    if cols is None:  # too large to keep: built again, a group of images at a time
        dw = _rebuilt_weight_grad(s, d, wq)
    elif flat:
        dw = d.reshape(k, -1) @ cols.reshape(cols.shape[0], -1).T
    else:
        dw = np.matmul(d, cols.transpose(0, 2, 1)).sum(axis=0)
    if dw.shape[1] > rows:
        # the forward pass's row of ones (the bias trick): its column of dw is db
        db = dw[:, rows].copy()
    else:
        db = dout.sum(axis=(0, 2, 3))
    dw = dw[:, :rows].reshape(w.shape)
    if not input_grad:
        return None, dw, db
    if cols is None and _winograd_applies(s):  # the forward pass took Winograd
        return _winograd_input_grad(dout, cache), dw, db
    wt = w.reshape(k, -1).T
    # dcols = W.T @ d, then col2im, a group of images at a time (see _CHUNK_BYTES)
    parts = _chunks(n, rows * length * dout.itemsize)
    if flat:
        # the gradient of the padded input, split by stride phase and flattened
        sh, sw = stride
        dflat = np.zeros((sh, sw, n, c, hq * wq), dtype=dout.dtype)
        for part in parts:
            dcols = np.matmul(wt, d[:, part].reshape(k, -1))
            _col2im_flat(dcols.reshape(rows, -1, length), dflat[:, :, part], fh, fw, wq)
        dxp = _unphase(dflat.reshape(sh, sw, n, c, hq, wq), (hp, wp))
    else:
        dxp = np.zeros((n, c, hp, wp), dtype=dout.dtype)
        for part in parts:
            _col2im(np.matmul(wt, d[part]), dxp[part], fh, fw, stride, (ho, wo))
    return crop(dxp, padding, (h, wd)), dw, db


def _rebuilt_weight_grad(s: _Setup, d: np.ndarray, wq: int) -> np.ndarray:
    """dW as a (K, C*FH*FW) matrix, from columns built again a group of images at a time.

    For a forward pass that kept no columns (Winograd, or a matrix too large to keep).
    ``s`` has no bias, so the columns have no row of ones. ``d`` is dout in the layout of
    the columns: (K, N, L) for flat-shift columns, (N, K, Ho*Wo) for 1x1 filters. The
    groups reuse one padded buffer (:func:`_padded_groups`) and each adds its
    d @ columns.T.
    """
    k = s.w.shape[0]
    flat = _flat_shift(s.geometry.stride, *s.w.shape[2:])
    dw = np.zeros((k, s.w[0].size), dtype=np.result_type(d, s.x))
    for part, xp in _padded_groups(s, wq):
        cols = _columns(s, xp)
        if flat:
            dw += d[:, part].reshape(k, -1) @ cols.reshape(cols.shape[0], -1).T
        else:
            dw += np.matmul(d[part], cols.transpose(0, 2, 1)).sum(axis=0)
    return dw


def _winograd_input_grad(dout: np.ndarray, cache: ConvCache) -> np.ndarray:
    """dx of a layer whose forward pass took Winograd (see :func:`_winograd`), by Winograd.

    dx is itself a 3x3 convolution with stride 1: the gradient spread back through each
    window is the correlation of dout, padded by 2 - P, with the filters turned by a
    half-turn and their two channel axes swapped, (C, K, 3, 3). So it goes through
    :func:`_winograd` too, with K input channels and C filters.
    """
    x, w, _, geometry = cache
    top, bottom, left, right = geometry.padding
    turned = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).astype(dout.dtype, copy=False)
    back = Window(
        (3, 3), (1, 1), (2 - top, 2 - bottom, 2 - left, 2 - right), geometry.out_hw, x.shape[2:]
    )
    return _winograd(_Setup(dout, turned, None, back, 4))


def conv2d_backward_naive(
    dout: np.ndarray, cache: ConvCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a convolution with loops: gradients with respect to x, w and b.

    Each output number out[n, k, i, j] was window * w[k] summed, plus b[k]. Its gradient
    dout[n, k, i, j] therefore flows

    - to the filter: dw[k] += dout[n, k, i, j] * window,
    - to the input window: dxp[n, :, window] += dout[n, k, i, j] * w[k],
    - to the bias: db[k] += dout[n, k, i, j].

    Slow and plain; :func:`conv2d_backward` is the vectorized version, same arguments.

    Parameters
    ----------
    dout : array_like, shape (N, K, Ho, Wo)
    cache : ConvCache
        From :func:`conv2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (K, C, FH, FW)
    db : ndarray, shape (K,)
    """
    dout = _check_dout(dout, cache, "conv2d_backward_naive")
    x, w, _, geometry = cache
    (sh, sw), padding, (ho, wo) = geometry.stride, geometry.padding, geometry.out_hw
    n, _, h, wd = x.shape
    k, _, fh, fw = w.shape
    xp = pad_array(x, padding)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros(k, dtype=w.dtype)
    for i_n in range(n):
        for i_k in range(k):
            for i in range(ho):
                for j in range(wo):
                    g = dout[i_n, i_k, i, j]
                    rows = slice(i * sh, i * sh + fh)
                    cols = slice(j * sw, j * sw + fw)
                    dw[i_k] += g * xp[i_n, :, rows, cols]
                    dxp[i_n, :, rows, cols] += g * w[i_k]
                    db[i_k] += g
    return crop(dxp, padding, (h, wd)), dw, db


def convolve2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> np.ndarray:
    """True 2-D convolution of a single-channel image: the kernel is flipped first.

    The mathematical convolution flips the kernel in both axes before sliding it:

        out[i, j] = sum_{u, v} xp[i*SH + u, j*SW + v] * kernel[FH-1-u, FW-1-v]

    Deep-learning "convolution" (:func:`conv2d`) skips the flip. The two agree for
    kernels that are symmetric under a half-turn (a box blur) and differ otherwise (a
    vertical-edge filter changes sign). Since the filters of a network are learned, the
    flip makes no difference there; it does when a known filter is applied.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (FH, FW)
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
    check_ndim(kernel, 2, "kernel", func, layout="(FH, FW)")
    s = _setup(image, kernel[::-1, ::-1], None, stride, padding, mode, func, ndims=(2,))
    return restore(_forward_fast(s, keep_cols=False)[0], s.ndim)
