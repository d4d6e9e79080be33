"""How much a convolution layer costs: output shape, parameters and multiply-adds."""

from __future__ import annotations

from typing import NamedTuple

from cnnkit._checks import check_positive_int, pair, show
from cnnkit.shapes import _output_shape2d, _resolve_padding

__all__ = ["ConvCost", "conv2d_cost"]


class ConvCost(NamedTuple):
    """Cost of one convolution layer, as returned by :func:`conv2d_cost`.

    Attributes
    ----------
    output_shape : (int, int, int)
        (F, Ho, Wo).
    positions : int
        Window positions per filter, Ho*Wo.
    macs_per_filter : int
        Multiply-adds of one filter over the whole input, Ho*Wo*KH*KW*C.
    macs : int
        Multiply-adds of the layer, F * macs_per_filter (bias additions not counted).
    params : int
        Trainable numbers, weights + biases = F*(KH*KW*C + 1).
    weights : int
        F*KH*KW*C.
    biases : int
        F.
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
    filters: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    mode: str = "strict",
) -> ConvCost:
    """Output shape, parameter count and multiply-adds of a convolution layer.

    With input (C, H, W), F filters of KH x KW, the output is (F, Ho, Wo) with Ho, Wo
    from :func:`cnnkit.shapes.output_size`, and

        positions       = Ho * Wo
        macs_per_filter = Ho * Wo * KH * KW * C
        macs            = F * macs_per_filter
        params          = F * (KH * KW * C + 1)

    The work grows with the number of window *positions*, Ho*Wo, which is about
    (H/S) * (W/S): doubling the stride divides it by about 4, not 2.

    Parameters
    ----------
    in_shape : (int, int, int)
        Input (C, H, W) of one example.
    filters : int
        Number of filters F (the output depth).
    kernel_size : int or (int, int)
        KH, KW.
    stride, padding, mode
        As in :func:`cnnkit.convolution.conv2d`.

    Returns
    -------
    ConvCost

    Examples
    --------
    AlexNet's first layer, on the 227 x 227 input that fits:

    >>> cost = conv2d_cost((3, 227, 227), filters=96, kernel_size=11, stride=4)
    >>> cost.output_shape, cost.params, cost.macs
    ((96, 55, 55), 34944, 105415200)
    """
    func = "conv2d_cost"
    if not isinstance(in_shape, tuple | list) or len(in_shape) != 3:
        raise ValueError(
            f"{func}: in_shape must be the shape of one example, (C, H, W); "
            f"got in_shape={show(in_shape)}"
        )
    c = check_positive_int(in_shape[0], "in_shape[0] (channels)", func)
    h = check_positive_int(in_shape[1], "in_shape[1] (height)", func)
    w = check_positive_int(in_shape[2], "in_shape[2] (width)", func)
    f = check_positive_int(filters, "filters", func)
    kh, kw = pair(kernel_size, "kernel_size", func)
    sh, sw = pair(stride, "stride", func)
    ph, pw = _resolve_padding(padding, kh, kw, (sh, sw), func)
    ho, wo = _output_shape2d(h, w, kh, kw, (sh, sw), (ph, pw), mode, func)
    positions = ho * wo
    per_filter = positions * kh * kw * c
    weights = f * kh * kw * c
    return ConvCost((f, ho, wo), positions, per_filter, f * per_filter, weights + f, weights, f)
