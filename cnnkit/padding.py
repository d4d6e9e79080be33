"""Zero padding of images and feature maps (the last two axes only)."""

from __future__ import annotations

import math

import numpy as np

from cnnkit._checks import LAYOUTS, as_float_array, check_ndim, check_number, is_int, show
from cnnkit._geometry import pad_array

__all__ = ["pad"]


def _padding4(padding: object, func: str) -> tuple[int, int, int, int]:
    """Return ``(top, bottom, left, right)`` from an int, a pair or a 4-tuple."""
    message = (
        f"{func}: padding must be a non-negative integer, a pair (PH, PW) or a 4-tuple "
        f"(top, bottom, left, right) of them; got padding={show(padding)}"
    )
    if is_int(padding):
        values = (padding,) * 4
    elif isinstance(padding, tuple | list) and all(is_int(v) for v in padding):
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


def pad(x: np.ndarray, padding: int | tuple[int, ...], *, value: float = 0.0) -> np.ndarray:
    """Pad the last two axes (height and width) of ``x`` with a constant (zeros by default).

    Only the spatial axes are padded, never the batch or channel axes: a (C, H, W) volume
    becomes (C, H + top + bottom, W + left + right).

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        An image (H, W), a volume (C, H, W) or a batch (N, C, H, W). bool and integer
        input is converted to float64 first.
    padding : int or (int, int) or (int, int, int, int)
        ``p`` pads every side by p; ``(PH, PW)`` pads top and bottom by PH and left and
        right by PW; ``(top, bottom, left, right)`` gives each side on its own.
    value : float, default 0.0
        The constant written into the border: a finite real number.

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
    check_ndim(x, (2, 3, 4), "x", func, layout=" or ".join(LAYOUTS.values()))
    padding = _padding4(padding, func)
    value = check_number(value, "value", func, "a finite real number", math.isfinite)
    out = pad_array(x, padding, value)
    return out.copy() if out is x else out
