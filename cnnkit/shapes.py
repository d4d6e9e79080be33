"""Output-size arithmetic of convolution and pooling: the rule of chapter 3.

Along one axis an input of size n, zero-padded by P on each side, is visited by a window
of size F moving in steps of S. The window fits at positions 0, S, 2S, ... as long as it
stays inside the n + 2P padded cells: the last position k·S must satisfy k·S + F ≤ n + 2P,
so k ≤ (n - F + 2P)/S and there are

    n_out = floor((n - F + 2P) / S) + 1

positions. The floor comes from that count: a position must be a whole number. When
(n - F + 2P)/S is not whole, the last rows or columns are not reached by any window; the
CS231n notes call such settings invalid, and the frameworks differ in what they do (see
:mod:`cnnkit.conventions`). Every cnnkit function that needs an output size uses this
rule (its one implementation is ``cnnkit._geometry.axis_size``).
"""

from __future__ import annotations

from cnnkit._checks import check_mode, check_nonnegative_int, check_positive_int, pair
from cnnkit._geometry import axis_size, same_padding_1d, window

__all__ = ["output_shape2d", "output_size", "same_padding"]


def output_size(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    mode: str = "strict",
) -> int:
    """Number of positions a window of size F takes along an axis of size n.

    Implements

        n_out = floor((n - F + 2P) / S) + 1

    with P the zero padding added on *each* side and S the stride.

    Parameters
    ----------
    input_size : int
        n, the input size along the axis (height or width), > 0.
    kernel_size : int
        F, the filter (window) size along the axis, > 0.
    stride : int, default 1
        S, the step between two window positions, > 0.
    padding : int, default 0
        P, zeros added on each side (symmetric), >= 0.
    mode : {"strict", "floor", "ceil"}, default "strict"
        What to do when (n - F + 2P) is not a multiple of S:

        - ``"strict"`` raises ``ValueError`` showing the arithmetic (such a setting is
          what the CS231n notes call invalid);
        - ``"floor"`` drops the positions that would not fit, as PyTorch and
          TensorFlow ``"VALID"`` do: the last rows/columns of the input are never seen;
        - ``"ceil"`` adds one partial window at the end, ceil((n - F + 2P)/S) + 1, as
          Caffe's pooling and PyTorch's ``ceil_mode=True`` do. That window is clipped
          to the input (it covers only the cells that exist); as in those libraries, a
          window that would start beyond the input and its left padding is not added.

    Returns
    -------
    int
        The output size n_out.

    Raises
    ------
    ValueError
        If the filter is larger than the padded input, or in strict mode when the result
        is not a whole number; also for a non-positive size or stride, negative padding.
    TypeError
        If a size, stride or padding is not an integer.

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
    ValueError: output_size: (W - F + 2P)/S + 1 = (10 - 3 + 2·0)/2 + 1 = 4.5 is not ...
    """
    func = "output_size"
    n = check_positive_int(input_size, "input_size", func)
    f = check_positive_int(kernel_size, "kernel_size", func)
    s = check_positive_int(stride, "stride", func)
    p = check_nonnegative_int(padding, "padding", func, "zeros on each side of the axis")
    check_mode(mode, func)
    return axis_size(n, f, s, p, mode, func)


def output_shape2d(
    input_hw: tuple[int, int],
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> tuple[int, int]:
    """Output height and width ``(Ho, Wo)`` of a window sliding over an H x W input.

    Applies :func:`output_size` to each axis:
    Ho = floor((H - FH + 2 PH)/SH) + 1 and Wo = floor((W - FW + 2 PW)/SW) + 1.

    Parameters
    ----------
    input_hw : (int, int)
        Input height and width (H, W).
    kernel_size : int or (int, int)
        F for a square window, or (FH, FW).
    stride : int or (int, int), default 1
        The same stride for both axes, or (SH, SW).
    padding : int or (int, int) or {"valid", "same"}, default 0
        Zeros on each side, the same for both axes or (PH, PW).
    mode : {"strict", "floor", "ceil"}, default "strict"
        See :func:`output_size`.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> output_shape2d((6, 8), (3, 5), stride=(1, 3))
    (4, 2)
    """
    func = "output_shape2d"
    h, w = pair(input_hw, "input_hw", func)
    return window((h, w), kernel_size, stride, padding, mode, func).out_hw


def same_padding(kernel_size: int, *, stride: int = 1) -> int:
    """Padding P = (F - 1)/2 that keeps the output size equal to the input size.

    With stride 1, n_out = n - F + 2P + 1 equals n exactly when 2P = F - 1, which needs
    an odd filter size F. With a stride S > 1 no symmetric padding keeps the size (the
    output is about n/S), and an even F would need uneven padding (TensorFlow's "SAME"
    puts the extra zero at the bottom/right), so both are rejected.

    Parameters
    ----------
    kernel_size : int
        F, odd and > 0.
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
    return same_padding_1d(kernel_size, stride, "same_padding")
