"""What the main frameworks do when a window does not tile the input evenly.

Along one axis, an input of n pixels, padded by P zeros on each side and visited by a
window of size F in steps of S, gives (n - F + 2P)/S + 1 positions. When that is not a
whole number the setting is *invalid* in the sense of the CS231n notes, and each
framework has its own rule. :func:`cnnkit.shapes.output_size` raises by default and
offers ``mode="floor"`` and ``mode="ceil"``; this module gives the frameworks' own rules,
so that the book can put them side by side:

- PyTorch (``nn.Conv2d``, and pooling with ``ceil_mode=False``) and Caffe's
  Convolution layer round *down*: the last rows/columns that a window cannot reach are
  ignored. :func:`pytorch_output_size`.
- TensorFlow ``padding="VALID"`` pads nothing and also rounds down;
  ``padding="SAME"`` gives ceil(n/S) positions and pads as many zeros as that needs,
  splitting them between the two sides with the extra zero at the end (bottom/right).
  :func:`tf_output_size`, :func:`tf_same_padding`.
- Caffe's Pooling layer rounds *up* (one more, partial window at the end), unless that
  window would start in the right padding. :func:`caffe_pool_output_size`.

Sources: PyTorch ``torch.nn.Conv2d`` and ``torch.nn.MaxPool2d`` documentation;
TensorFlow ``tf.nn`` module documentation, "Notes on padding"
(https://www.tensorflow.org/api_docs/python/tf/nn); Caffe
``src/caffe/layers/pooling_layer.cpp`` and ``conv_layer.cpp``
(https://github.com/BVLC/caffe). Dilation is left out (it is 1 throughout the book).
"""

from __future__ import annotations

from cnnkit._checks import (
    check_bool,
    check_nonnegative_int,
    check_positive_int,
    reported_as,
    show,
)
from cnnkit.shapes import output_size

__all__ = [
    "caffe_pool_output_size",
    "pytorch_output_size",
    "tf_output_size",
    "tf_same_padding",
]


def pytorch_output_size(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    ceil_mode: bool = False,
) -> int:
    """Output size along one axis as PyTorch computes it.

    ``torch.nn.Conv2d`` (and pooling with the default ``ceil_mode=False``) uses

        n_out = floor((n + 2P - F) / S) + 1,

    so a setting that does not tile evenly silently ignores the last rows/columns.
    Pooling layers with ``ceil_mode=True`` round up instead, but drop a last window that
    would start in the right padding. Both are :func:`cnnkit.shapes.output_size` with
    ``mode="floor"`` or ``mode="ceil"``, which this function calls.

    Parameters
    ----------
    input_size : int
        n, the input size along the axis, > 0.
    kernel_size : int
        F, the kernel size, > 0.
    stride : int, default 1
        > 0.
    padding : int, default 0
        Zeros on each side, >= 0.
    ceil_mode : bool, default False
        PyTorch's pooling option; ``nn.Conv2d`` has no such option (it always floors).
        True or False only (the string "False" would count as true).

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If the kernel is larger than the padded input, or for a bad argument.

    Examples
    --------
    >>> pytorch_output_size(10, 3, stride=2)
    4
    >>> pytorch_output_size(10, 3, stride=2, ceil_mode=True)
    5
    """
    func = "pytorch_output_size"
    mode = "ceil" if check_bool(ceil_mode, "ceil_mode", func) else "floor"
    with reported_as(func, "output_size"):
        return output_size(input_size, kernel_size, stride=stride, padding=padding, mode=mode)


def _tf_padding_name(padding: object, func: str) -> str:
    if isinstance(padding, str) and padding.upper() in ("SAME", "VALID"):
        return padding.upper()
    message = (
        f"{func}: padding must be 'SAME' or 'VALID' (TensorFlow's two padding modes; "
        f"Keras writes them in lower case); got padding={show(padding)}"
    )
    raise (ValueError if isinstance(padding, str) else TypeError)(message)


def tf_output_size(
    input_size: int, kernel_size: int, *, stride: int = 1, padding: str = "VALID"
) -> int:
    """Output size along one axis as TensorFlow computes it.

    From the "Notes on padding" of the ``tf.nn`` documentation:

    - ``"VALID"`` (no padding): n_out = ceil((n - F + 1) / S), which equals
      floor((n - F) / S) + 1: the last rows/columns that no window reaches are ignored;
    - ``"SAME"``: n_out = ceil(n / S), whatever the kernel size; the zeros needed for
      that are given by :func:`tf_same_padding`.

    With stride 1, ``"SAME"`` keeps the size (n_out = n) for every kernel size, odd or
    even; with stride S it gives about n/S.

    Parameters
    ----------
    input_size : int
        n, the input size along the axis, > 0.
    kernel_size : int
        F, the kernel size, > 0 (for ``"VALID"``, at most n).
    stride : int, default 1
        > 0.
    padding : {"VALID", "SAME"}, default "VALID"
        Lower case (Keras' spelling) is accepted too.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For an unknown padding, a ``"VALID"`` kernel larger than the input, or a bad
        number.

    Examples
    --------
    >>> tf_output_size(10, 3, stride=2, padding="VALID")
    4
    >>> tf_output_size(10, 3, stride=2, padding="SAME")
    5
    """
    func = "tf_output_size"
    n = check_positive_int(input_size, "input_size", func)
    f = check_positive_int(kernel_size, "kernel_size", func)
    stride = check_positive_int(stride, "stride", func)
    name = _tf_padding_name(padding, func)
    if name == "SAME":
        return -(-n // stride)
    if f > n:
        raise ValueError(
            f"{func}: with padding 'VALID' the kernel (F={f}) must fit in the input "
            f"(n={n}); use a smaller kernel or padding 'SAME'"
        )
    return -(-(n - f + 1) // stride)


def tf_same_padding(input_size: int, kernel_size: int, *, stride: int = 1) -> tuple[int, int]:
    """Zeros TensorFlow's ``padding="SAME"`` adds before and after one axis.

    From the "Notes on padding" of the ``tf.nn`` documentation: the output has
    n_out = ceil(n / S) positions; the padding they need in total is

        pad_total = max(F - S, 0)           if n % S == 0
                    max(F - (n % S), 0)     otherwise,

    (the same as max((n_out - 1)*S + F - n, 0)), split as
    ``before = pad_total // 2`` and ``after = pad_total - before``. When ``pad_total``
    is odd the extra zero goes *after*: at the bottom for rows, at the right for
    columns.

    Parameters
    ----------
    input_size : int
        n, the input size along the axis, > 0.
    kernel_size : int
        F, the kernel size, > 0.
    stride : int, default 1
        > 0.

    Returns
    -------
    (int, int)
        ``(before, after)``: zeros at the top and bottom (or left and right).

    Examples
    --------
    The invalid setting n=10, F=3, S=2: one zero, at the bottom only.

    >>> tf_same_padding(10, 3, stride=2)
    (0, 1)
    >>> tf_same_padding(10, 4)  # an even kernel, stride 1: 3 zeros, 1 before, 2 after
    (1, 2)
    """
    func = "tf_same_padding"
    n = check_positive_int(input_size, "input_size", func)
    f = check_positive_int(kernel_size, "kernel_size", func)
    stride = check_positive_int(stride, "stride", func)
    if n % stride == 0:
        total = max(f - stride, 0)
    else:
        total = max(f - n % stride, 0)
    before = total // 2
    return before, total - before


def caffe_pool_output_size(
    input_size: int, kernel_size: int, *, stride: int = 1, padding: int = 0
) -> int:
    """Output size along one axis of Caffe's Pooling layer: it rounds *up*.

    Caffe's ``PoolingLayer`` computes

        n_out = ceil((n + 2P - F) / S) + 1

    and then, only when there is padding, removes the last window if it would start
    in the right padding, (n_out - 1)*S >= n + P. The last window may hang over the
    end of the input; Caffe's max and average pooling clip it to the input.
    Caffe's *Convolution* layer, in contrast, rounds down, like PyTorch
    (:func:`pytorch_output_size`). Caffe also requires P < F.

    Parameters
    ----------
    input_size : int
        n, the input size along the axis, > 0.
    kernel_size : int
        F, the pooling window size, > 0, at most n + 2P.
    stride : int, default 1
        > 0.
    padding : int, default 0
        P, zeros on each side, 0 <= P < F.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If the window is larger than the padded input, padding >= f, or a bad number.

    Examples
    --------
    >>> caffe_pool_output_size(10, 3, stride=2)
    5
    >>> caffe_pool_output_size(5, 2, stride=2, padding=1)  # a 4th window would start in padding
    3
    """
    func = "caffe_pool_output_size"
    n = check_positive_int(input_size, "input_size", func)
    f = check_positive_int(kernel_size, "kernel_size", func)
    stride = check_positive_int(stride, "stride", func)
    padding = check_nonnegative_int(padding, "padding", func, "zeros on each side of the axis")
    if padding >= f:
        raise ValueError(
            f"{func}: Caffe requires the padding to be smaller than the window; "
            f"got padding={padding}, kernel_size={f}"
        )
    span = n + 2 * padding - f
    if span < 0:
        raise ValueError(
            f"{func}: the window (F={f}) is larger than the padded input "
            f"(W + 2P = {n + 2 * padding})"
        )
    size = -(-span // stride) + 1
    if padding and (size - 1) * stride >= n + padding:
        size -= 1
    return size
