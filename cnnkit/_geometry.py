"""Where a sliding window goes: the geometry shared by convolution and pooling.

One owner for each geometric rule of the book:

- :func:`axis_size`: how many positions a window of size F takes along an axis of size
  n with stride S and padding P, ``floor((n - F + 2P)/S) + 1`` and its three modes
  (the public face is :func:`cnnkit.shapes.output_size`);
- :func:`resolve_padding`: ``"valid"``, ``"same"``, an int or a pair, as (ph, pw);
- :func:`window`: all of it for a 2-D input, including the zeros that complete the last,
  partial window in ceil mode (:attr:`Window.padding`);
- :func:`pad_array` and :func:`crop`: adding and removing that border.

This module is internal: cnnkit's modules import it, the book does not.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from cnnkit._checks import check_mode, check_positive_int, pair, show

__all__ = [
    "Window",
    "axis_size",
    "copy_rows",
    "crop",
    "pad_array",
    "resolve_padding",
    "same_padding_1d",
]


def _fmt(value: float) -> str:
    # 4.5, 54.25, 3.33333: enough digits to see that the value is not whole
    return f"{value:.6g}"


def axis_size(n: int, f: int, s: int, p: int, mode: str, func: str, axis: str = "") -> int:
    """Number of window positions along one axis, for already-validated ints.

    ``floor((n - f + 2p)/s) + 1`` in ``"floor"`` mode; ``"strict"`` raises when the
    division is not exact; ``"ceil"`` rounds up, adding a last, partial window, unless
    that window would start beyond the input and its left padding (the rule of PyTorch's
    ``ceil_mode`` and Caffe's pooling, which would otherwise see padding only). ``axis``
    names the axis ("height", "width") in messages.
    """
    where = f" along the {axis}" if axis else ""
    size = "H" if axis == "height" else "W"  # the book's name of the input size
    span = n - f + 2 * p
    if span < 0:
        raise ValueError(
            f"{func}: the window (F={f}) is larger than the padded input "
            f"({size} + 2P = {n + 2 * p}){where}; use a smaller window or more padding"
        )
    if mode == "floor" or span % s == 0:
        return span // s + 1
    if mode == "ceil":
        size = -(-span // s) + 1
        if (size - 1) * s >= n + p:
            size -= 1
        return size
    value = span / s + 1
    raise ValueError(
        f"{func}: ({size} - F + 2P)/S + 1 = ({n} - {f} + 2·{p})/{s} + 1 = {_fmt(value)} "
        f"is not a whole number{where}, so the windows cannot tile the input evenly. "
        "Use another stride or padding, or pass mode='floor' (drop the last positions, "
        "as PyTorch and TensorFlow 'VALID' do) or mode='ceil' (add a partial last window, "
        "as Caffe's pooling does)."
    )


def same_padding_1d(f: object, stride: object, func: str) -> int:
    """P = (F - 1)/2, the padding that keeps the size: odd F and stride 1 only."""
    f = check_positive_int(f, "kernel_size", func)
    stride = check_positive_int(stride, "stride", func)
    if f % 2 == 0 or stride != 1:
        raise ValueError(
            f'{func}: "same" padding keeps the size only for an odd filter size and '
            f"stride 1; got kernel_size={f}, stride={stride}. Give the padding as a "
            "number instead."
        )
    return (f - 1) // 2


def resolve_padding(
    padding: object, kernel: tuple[int, int], stride: tuple[int, int], func: str
) -> tuple[int, int]:
    """Turn ``padding`` (int, pair, ``"valid"`` or ``"same"``) into ``(ph, pw)``."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            return (
                same_padding_1d(kernel[0], stride[0], func),
                same_padding_1d(kernel[1], stride[1], func),
            )
        raise ValueError(
            f"{func}: padding must be a non-negative integer, a pair of them, 'valid' or "
            f"'same'; got padding={show(padding)}"
        )
    return pair(padding, "padding", func, positive=False)


def pool_padding(
    padding: object, kernel: tuple[int, int], stride: tuple[int, int], func: str, given: object
) -> tuple[int, int]:
    """The padding of a pooling, ``(ph, pw)``: at most half the window on each axis.

    A pooling pads with cells that never win (−∞ for the maximum, nothing for the sum
    and the average); more than half a window of them would leave a window that covers
    no cell of the input. ``given`` is the kernel size as the caller wrote it, for the
    message.
    """
    ph, pw = resolve_padding(padding, kernel, stride, func)
    if 2 * ph > kernel[0] or 2 * pw > kernel[1]:
        raise ValueError(
            f"{func}: padding must be at most half the window (P ≤ F/2), so that every "
            f"window covers at least one cell of the input; got padding={show(padding)} "
            f"with kernel_size={show(given)}"
        )
    return ph, pw


class Window(NamedTuple):
    """The geometry of a window sliding over an H x W input.

    Attributes
    ----------
    kernel : (int, int)
        Window size (FH, FW).
    stride : (int, int)
        (SH, SW).
    padding : (int, int, int, int)
        Cells added (top, bottom, left, right). Bottom and right include, in ceil mode,
        the cells that complete the last, partial window (see :attr:`extra`).
    in_hw, out_hw : (int, int)
        Input (H, W) and output (Ho, Wo).
    """

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    in_hw: tuple[int, int]
    out_hw: tuple[int, int]

    @property
    def symmetric(self) -> tuple[int, int]:
        """(PH, PW), the padding asked for on each side (without the ceil-mode cells)."""
        return self.padding[0], self.padding[2]

    @property
    def extra(self) -> tuple[int, int]:
        """Rows and columns that the last, partial window hangs over (ceil mode), else 0."""
        top, bottom, left, right = self.padding
        return bottom - top, right - left

    @property
    def padded_hw(self) -> tuple[int, int]:
        """Size of the input with the whole border, (H + top + bottom, W + left + right)."""
        top, bottom, left, right = self.padding
        return self.in_hw[0] + top + bottom, self.in_hw[1] + left + right

    def offsets(self) -> list[tuple[int, tuple[slice, slice]]]:
        """For each offset (u, v) inside the window, k = u*FW + v and the strided slice
        of the padded input that it covers in every window: an (..., Ho, Wo) block."""
        (kh, kw), (sh, sw), (ho, wo) = self.kernel, self.stride, self.out_hw
        return [
            (u * kw + v, (slice(u, u + sh * (ho - 1) + 1, sh), slice(v, v + sw * (wo - 1) + 1, sw)))
            for u in range(kh)
            for v in range(kw)
        ]


def _plain(v: object) -> bool:
    """An int, a str or a tuple of ints: a value whose hash tells it apart (not a bool)."""
    kind = type(v)
    return kind is int or kind is str or (kind is tuple and all(type(e) is int for e in v))


def window(
    in_hw: tuple[int, int],
    kernel_size: object,
    stride: object,
    padding: object,
    mode: object,
    func: str,
) -> Window:
    """Validate the window arguments and compute the whole geometry (see :class:`Window`).

    ``in_hw`` must already be a pair of positive ints (an array's shape); the other
    arguments are the caller's, as given. A layer asks for the same geometry at every
    batch: plain arguments (ints, strings, tuples of ints) are answered from a cache.
    Only valid arguments reach the cache (an error is raised, not stored), and a bool,
    which hashes like 1, never does, so ``stride=True`` is refused every time.
    """
    args = (kernel_size, stride, padding, mode)
    if all(_plain(a) for a in args):
        return _window_cached(tuple(in_hw), *args, func)
    return _window(in_hw, *args, func)


def _window(
    in_hw: tuple[int, int],
    kernel_size: object,
    stride: object,
    padding: object,
    mode: object,
    func: str,
) -> Window:
    """:func:`window` without the cache: validate, then compute."""
    kh, kw = pair(kernel_size, "kernel_size", func)
    sh, sw = pair(stride, "stride", func)
    ph, pw = resolve_padding(padding, (kh, kw), (sh, sw), func)
    check_mode(mode, func)
    h, w = in_hw
    ho = axis_size(h, kh, sh, ph, mode, func, "height")
    wo = axis_size(w, kw, sw, pw, mode, func, "width")
    # ceil mode: the cells that complete the last window, beyond the bottom/right padding
    bottom = ph + max(0, (ho - 1) * sh + kh - (h + 2 * ph))
    right = pw + max(0, (wo - 1) * sw + kw - (w + 2 * pw))
    return Window((kh, kw), (sh, sw), (ph, bottom, pw, right), (h, w), (ho, wo))


def copy_rows(target: np.ndarray, source: np.ndarray) -> None:
    """``np.copyto(target, source)``, a row of the last axis at a time.

    When both arrays have the same shape and dtype and their last axis is contiguous,
    each row of W numbers is copied as one unit (a numpy ``void`` item of W numbers):
    numpy's copy loop then runs over rows instead of over numbers, which on the short
    rows of small feature maps is two to three times faster. Otherwise a plain copy.
    """
    item, width = target.itemsize, target.shape[-1] if target.ndim else 0
    if (
        width > 1
        and target.size
        and target.shape == source.shape
        and target.dtype == source.dtype
        and target.strides[-1] == source.strides[-1] == item
    ):
        row = np.dtype((np.void, width * item))
        np.copyto(target.view(row), source.view(row))
    else:
        np.copyto(target, source)


def pad_array(x: np.ndarray, padding: tuple[int, int, int, int], value: float = 0.0) -> np.ndarray:
    """Pad the last two axes of ``x`` by (top, bottom, left, right) cells of ``value``.

    Returns ``x`` itself (no copy) when there is no padding. Allocating the result once
    and writing ``x`` into its interior is faster than ``np.pad``, which matters because
    every padded convolution and pooling goes through here.
    """
    top, bottom, left, right = padding
    if top == bottom == left == right == 0:
        return x
    *lead, h, w = x.shape
    if value == 0:
        # zeroed memory comes ready from the system: one copy into the interior
        out = np.zeros((*lead, h + top + bottom, w + left + right), dtype=x.dtype)
        copy_rows(out[..., top : top + h, left : left + w], x)
        return out
    out = np.empty((*lead, h + top + bottom, w + left + right), dtype=x.dtype)
    # fill only the border strips, then copy x into the interior
    out[..., :top, :] = value
    out[..., top + h :, :] = value
    out[..., top : top + h, :left] = value
    out[..., top : top + h, left + w :] = value
    out[..., top : top + h, left : left + w] = x
    return out


def crop(xp: np.ndarray, padding: tuple[int, int, int, int], in_hw: tuple[int, int]) -> np.ndarray:
    """The inverse of :func:`pad_array`: the H x W interior of a padded array."""
    top, _, left, _ = padding
    return xp[..., top : top + in_hw[0], left : left + in_hw[1]]


# the same function, remembering its answers (see window)
_window_cached = functools.lru_cache(maxsize=256)(_window)
