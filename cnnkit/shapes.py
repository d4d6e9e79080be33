"""Output-size arithmetic of convolution and pooling: the one place that owns the rule.

Along one axis an input of size n, zero-padded by p on each side, is visited by a window
of size f moving in steps of s. The window fits at positions 0, s, 2s, ... as long as it
stays inside the n + 2p padded cells, which gives

    n_out = floor((n - f + 2p) / s) + 1.

Every function in cnnkit that needs an output size calls :func:`output_size` (or the
2-D :func:`output_shape2d`), so the validation and its messages live here only.
"""

from __future__ import annotations

import numbers

from cnnkit._checks import check_mode, check_positive_int, pair, show

__all__ = ["output_shape2d", "output_size", "same_padding"]


def _fmt(value: float) -> str:
    # 4.5, 54.25, 3.33333: enough digits to see that the value is not whole
    return f"{value:.6g}"


def _output_size(n: int, f: int, s: int, p: int, mode: str, func: str, axis: str = "") -> int:
    """Output size for already-validated ints; ``axis`` names the axis in messages."""
    where = f" along the {axis}" if axis else ""
    span = n - f + 2 * p
    if span < 0:
        raise ValueError(
            f"{func}: the filter (f={f}) is larger than the padded input "
            f"(n + 2p = {n + 2 * p}){where}; use a smaller filter or more padding"
        )
    if mode == "floor" or span % s == 0:
        return span // s + 1
    if mode == "ceil":
        size = -(-span // s) + 1
        # PyTorch's and Caffe's rule: the last window must start inside the input or its
        # left padding, otherwise it would see padding only
        if (size - 1) * s >= n + p:
            size -= 1
        return size
    value = span / s + 1
    raise ValueError(
        f"{func}: (n - f + 2p)/s + 1 = ({n} - {f} + 2*{p})/{s} + 1 = {_fmt(value)} "
        f"is not a whole number{where}, so the filter cannot tile the input evenly. "
        "Use another stride or padding, or pass mode='floor' (drop the last positions, "
        "as PyTorch and TensorFlow 'VALID' do) or mode='ceil' (add a partial last window, "
        "as Caffe's pooling does)."
    )


def output_size(n: int, f: int, stride: int = 1, padding: int = 0, mode: str = "strict") -> int:
    """Number of positions a window of size ``f`` takes along an axis of size ``n``.

    Implements

        n_out = floor((n - f + 2p) / s) + 1

    with ``p`` the zero padding added on *each* side and ``s`` the stride.

    Parameters
    ----------
    n : int
        Input size along the axis (height or width), > 0.
    f : int
        Filter (window) size along the axis, > 0.
    stride : int, default 1
        Step s between two window positions, > 0.
    padding : int, default 0
        Zeros p added on each side (symmetric), >= 0.
    mode : {"strict", "floor", "ceil"}, default "strict"
        What to do when (n - f + 2p) is not a multiple of s:

        - ``"strict"`` raises ``ValueError`` showing the arithmetic (as CS231n calls such
          a setting invalid);
        - ``"floor"`` drops the last positions that would not fit, as PyTorch and
          TensorFlow ``"VALID"`` do: the last rows/columns of the input are never seen;
        - ``"ceil"`` adds one partial window at the end, ceil((n - f + 2p)/s) + 1, as
          Caffe's pooling does (PyTorch ``ceil_mode=True``). As in those libraries, a
          window that would start beyond the input and its left padding is not added.

    Returns
    -------
    int
        The output size n_out.

    Raises
    ------
    ValueError
        If the filter is larger than the padded input, or in strict mode when the result
        is not a whole number; also for non-positive n, f, stride or negative padding.

    See Also
    --------
    output_shape2d : the same for both axes of an image.

    Examples
    --------
    AlexNet's first layer: 227 x 227 input, 11 x 11 filters, stride 4, no padding.

    >>> output_size(227, 11, stride=4)
    55
    >>> output_size(10, 3, stride=2, mode="floor"), output_size(10, 3, stride=2, mode="ceil")
    (4, 5)
    >>> output_size(10, 3, stride=2)
    Traceback (most recent call last):
    ...
    ValueError: output_size: (n - f + 2p)/s + 1 = (10 - 3 + 2*0)/2 + 1 = 4.5 is not ...
    """
    func = "output_size"
    n = check_positive_int(n, "n", func)
    f = check_positive_int(f, "f", func)
    stride = check_positive_int(stride, "stride", func)
    padding = _check_padding_int(padding, func)
    check_mode(mode, func)
    return _output_size(n, f, stride, padding, mode, func)


def _check_padding_int(padding: object, func: str) -> int:
    message = (
        f"{func}: padding must be a non-negative integer (zeros on each side of the axis); "
        f"got padding={show(padding)}"
    )
    if not isinstance(padding, numbers.Integral) or isinstance(padding, bool):
        raise TypeError(message)
    if padding < 0:
        raise ValueError(message)
    return int(padding)


def output_shape2d(
    h: int,
    w: int,
    kh: int,
    kw: int,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    mode: str = "strict",
) -> tuple[int, int]:
    """Output height and width ``(Ho, Wo)`` of a ``kh x kw`` window over an ``h x w`` image.

    Applies :func:`output_size` to each axis:
    Ho = floor((h - kh + 2 ph)/sh) + 1 and Wo = floor((w - kw + 2 pw)/sw) + 1.

    Parameters
    ----------
    h, w : int
        Input height and width.
    kh, kw : int
        Filter height and width.
    stride : int or (int, int), default 1
        The same stride for both axes, or ``(sh, sw)``.
    padding : int or (int, int), default 0
        Zeros on each side, the same for both axes or ``(ph, pw)``.
    mode : {"strict", "floor", "ceil"}, default "strict"
        See :func:`output_size`.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> output_shape2d(6, 8, 3, 5, stride=(1, 3))
    (4, 2)
    """
    return _output_shape2d(h, w, kh, kw, stride, padding, mode, "output_shape2d")


def _output_shape2d(
    h: int,
    w: int,
    kh: int,
    kw: int,
    stride: object,
    padding: object,
    mode: object,
    func: str,
) -> tuple[int, int]:
    """Validating 2-D output shape; messages name ``func``."""
    h = check_positive_int(h, "h", func)
    w = check_positive_int(w, "w", func)
    kh = check_positive_int(kh, "kh", func)
    kw = check_positive_int(kw, "kw", func)
    sh, sw = pair(stride, "stride", func)
    ph, pw = pair(padding, "padding", func, positive=False)
    check_mode(mode, func)
    return (
        _output_size(h, kh, sh, ph, mode, func, "height"),
        _output_size(w, kw, sw, pw, mode, func, "width"),
    )


def same_padding(f: int, stride: int = 1) -> int:
    """Padding p = (f - 1)/2 that keeps the output size equal to the input size.

    With stride 1, n_out = n - f + 2p + 1 equals n exactly when 2p = f - 1, which needs
    an odd filter size f. With a stride s > 1 no symmetric padding keeps the size (the
    output is about n/s), and an even f would need uneven padding (TensorFlow's "SAME"
    puts the extra zero at the bottom/right), so both are rejected.

    Parameters
    ----------
    f : int
        Filter size, odd and > 0.
    stride : int, default 1
        Must be 1.

    Returns
    -------
    int

    Examples
    --------
    >>> same_padding(3), same_padding(5)
    (1, 2)
    """
    return _same_padding(f, stride, "same_padding")


def _same_padding(f: object, stride: object, func: str) -> int:
    f = check_positive_int(f, "f", func)
    stride = check_positive_int(stride, "stride", func)
    if f % 2 == 0 or stride != 1:
        raise ValueError(
            f'{func}: "same" padding keeps the size only for an odd filter size and '
            f"stride 1; got f={f}, stride={stride}. Give the padding as a number instead."
        )
    return (f - 1) // 2


def _resolve_padding(
    padding: object, kh: int, kw: int, stride: tuple[int, int], func: str
) -> tuple[int, int]:
    """Turn ``padding`` (int, pair, ``"valid"`` or ``"same"``) into ``(ph, pw)``."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            return (_same_padding(kh, stride[0], func), _same_padding(kw, stride[1], func))
        raise ValueError(
            f"{func}: padding must be a non-negative integer, a pair of them, 'valid' or "
            f"'same'; got padding={show(padding)}"
        )
    return pair(padding, "padding", func, positive=False)
