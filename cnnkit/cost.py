"""How much a convolution layer costs: output shape, parameters and multiply-adds."""

from __future__ import annotations

from typing import NamedTuple

from cnnkit._checks import check_positive_int, show
from cnnkit._geometry import window

__all__ = ["ConvCost", "conv2d_cost"]


class ConvCost(NamedTuple):
    """Cost of one convolution layer, as returned by :func:`conv2d_cost`.

    Attributes
    ----------
    output_shape : (int, int, int)
        (K, Ho, Wo).
    positions : int
        Window positions per filter, Ho*Wo.
    macs_per_filter : int
        Multiply-adds of one filter over the whole input, Ho*Wo*F*F*C
        (Ho*Wo*FH*FW*C when the filter is not square).
    macs : int
        Multiply-adds of the layer, K * macs_per_filter (bias additions not counted).
    params : int
        Trainable numbers, weights + biases = K*(F*F*C + 1).
    weights : int
        K*F*F*C.
    biases : int
        K, one per filter.
    """

    output_shape: tuple[int, int, int]
    positions: int
    macs_per_filter: int
    macs: int
    params: int
    weights: int
    biases: int


def conv2d_cost(
    in_shape: tuple[int, int, int],
    out_channels: int,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> ConvCost:
    """Output shape, parameter count and multiply-adds of a convolution layer.

    With input (C, H, W) and K filters of F x F, the output is (K, Ho, Wo) with Ho, Wo
    from :func:`cnnkit.shapes.output_size`, and

        positions       = Ho * Wo
        macs_per_filter = Ho * Wo * F * F * C
        macs            = K * macs_per_filter
        params          = K * (F * F * C + 1)

    The work grows with the number of window *positions*, Ho*Wo, which is about
    (H/S) * (W/S): doubling the stride divides it by about 4, not 2.

    Parameters
    ----------
    in_shape : (int, int, int)
        Input (C, H, W) of one example.
    out_channels : int
        K, the number of filters (the output depth).
    kernel_size : int or (int, int)
        F, or (FH, FW).
    stride, padding, mode
        As in :func:`cnnkit.convolution.conv2d` (keyword-only).

    Returns
    -------
    ConvCost

    Examples
    --------
    AlexNet's first layer, on the 227 x 227 input that fits:

    >>> cost = conv2d_cost((3, 227, 227), 96, 11, stride=4)
    >>> cost.output_shape, cost.params, cost.macs
    ((96, 55, 55), 34944, 105415200)
    """
    func = "conv2d_cost"
    if not isinstance(in_shape, tuple | list) or len(in_shape) != 3:
        message = (
            f"{func}: in_shape must be the shape of one example, (C, H, W); "
            f"got in_shape={show(in_shape)}"
        )
        raise (ValueError if isinstance(in_shape, tuple | list) else TypeError)(message)
    c = check_positive_int(in_shape[0], "in_shape[0] (channels)", func)
    h = check_positive_int(in_shape[1], "in_shape[1] (height)", func)
    w = check_positive_int(in_shape[2], "in_shape[2] (width)", func)
    k = check_positive_int(out_channels, "out_channels", func)
    g = window((h, w), kernel_size, stride, padding, mode, func)
    (fh, fw), (ho, wo) = g.kernel, g.out_hw
    positions = ho * wo
    per_filter = positions * fh * fw * c
    weights = k * fh * fw * c
    return ConvCost((k, ho, wo), positions, per_filter, k * per_filter, weights + k, weights, k)
