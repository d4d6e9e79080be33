"""Zero padding of images and feature maps (the last two axes only)."""

from __future__ import annotations

import numbers

import numpy as np

from cnnkit._checks import as_float_array, check_ndim, show

__all__ = ["pad"]


def _is_int(v: object) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)


def _padding4(padding: object, func: str) -> tuple[int, int, int, int]:
    """Return ``(top, bottom, left, right)`` from an int, a pair or a 4-tuple."""
    message = (
        f"{func}: padding must be a non-negative integer, a pair (ph, pw) or a 4-tuple "
        f"(top, bottom, left, right) of them; got padding={show(padding)}"
    )
    if _is_int(padding):
        values = (padding,) * 4
    elif isinstance(padding, tuple | list) and all(_is_int(v) for v in padding):
        if len(padding) == 2:
            values = (padding[0], padding[0], padding[1], padding[1])
        elif len(padding) == 4:
            values = tuple(padding)
        else:
            raise ValueError(message)
    else:
        raise TypeError(message)
    if min(values) < 0:
        raise ValueError(message)
    top, bottom, left, right = (int(v) for v in values)
    return top, bottom, left, right


def _pad(
    x: np.ndarray, top: int, bottom: int, left: int, right: int, value: float = 0.0
) -> np.ndarray:
    """Pad the last two axes of ``x``; returns ``x`` itself (no copy) when there is no padding.

    Allocating the result once and writing ``x`` into its interior is faster than
    ``np.pad``, which matters because every convolution with padding goes through here.
    """
    if top == bottom == left == right == 0:
        return x
    *lead, h, w = x.shape
    out = np.empty((*lead, h + top + bottom, w + left + right), dtype=x.dtype)
    # fill only the border strips, then copy x into the interior
    out[..., :top, :] = value
    out[..., top + h :, :] = value
    out[..., top : top + h, :left] = value
    out[..., top : top + h, left + w :] = value
    out[..., top : top + h, left : left + w] = x
    return out


def pad(x: np.ndarray, padding: int | tuple[int, ...], value: float = 0.0) -> np.ndarray:
    """Pad the last two axes (height and width) of ``x`` with a constant (zeros by default).

    Only the spatial axes are padded, never the batch or channel axes: a (C, H, W) volume
    becomes (C, H + top + bottom, W + left + right).

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        An image (H, W), a volume (C, H, W) or a batch (N, C, H, W). bool and integer
        input is converted to float64 first.
    padding : int or (int, int) or (int, int, int, int)
        ``p`` pads every side by p; ``(ph, pw)`` pads top and bottom by ph and left and
        right by pw; ``(top, bottom, left, right)`` gives each side on its own.
    value : float, default 0.0
        The constant written into the border.

    Returns
    -------
    ndarray, shape (..., H + top + bottom, W + left + right)
        A new array (also when the padding is zero).

    Examples
    --------
    >>> pad(np.ones((2, 3)), 1)
    array([[0., 0., 0., 0., 0.],
           [0., 1., 1., 1., 0.],
           [0., 1., 1., 1., 0.],
           [0., 0., 0., 0., 0.]])
    >>> pad(np.ones((3, 4, 5)), (0, 1, 2, 0)).shape
    (3, 5, 7)
    """
    func = "pad"
    x = as_float_array(x, "x", func)
    check_ndim(x, (2, 3, 4), "x", func, layout="((H, W), (C, H, W) or (N, C, H, W))")
    top, bottom, left, right = _padding4(padding, func)
    out = _pad(x, top, bottom, left, right, value)
    return out.copy() if out is x else out
