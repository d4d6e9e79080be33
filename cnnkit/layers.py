"""Layers: the functional operations of cnnkit wrapped as objects with weights and a memory.

Every layer looks alike:

- ``forward(x, *, training=False)`` computes the output for a batch and keeps, in a
  cache, what the backward pass will need (also when ``training`` is False, so that
  gradients with respect to the input can be taken on a trained network). ``training``
  changes the behaviour of :class:`Dropout` only.
- ``backward(dout)`` takes the gradient of the loss with respect to the output of the last
  ``forward`` and returns the gradient with respect to its input, storing the gradients
  of the parameters in ``grads``.
- ``params`` and ``grads`` are dicts with the same keys, ``"w"`` and ``"b"`` (empty for
  layers without parameters).
- ``output_shape(in_shape)`` and ``macs(in_shape)`` give the output shape and the number
  of multiply-adds for *one* example of shape ``in_shape`` (no batch axis), for
  :meth:`cnnkit.model.Sequential.summary`.

The arithmetic lives in the functional modules (:mod:`cnnkit.convolution`,
:mod:`cnnkit.pooling`, ...); the layers only call it. Parameters are float32 unless
``dtype=np.float64`` is given (as the gradient checks do); inputs of layers with
parameters are converted to that dtype. Options after the essential arguments are
keyword-only, and an error names the layer's method the reader called
(``MaxPool2D.forward``), not the function inside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from cnnkit._checks import (
    as_float_array,
    as_rng,
    check_bool,
    check_float_dtype,
    check_mode,
    check_ndim,
    check_number,
    check_positive_int,
    check_probability,
    check_shape,
    is_int,
    pair,
    plural,
    reported_as,
    show,
)
from cnnkit._geometry import pool_padding, resolve_padding, window
from cnnkit.activations import (
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from cnnkit.convolution import conv2d_backward, conv2d_forward
from cnnkit.cost import ConvCost, conv2d_cost
from cnnkit.dense import dense_backward, dense_forward, flatten
from cnnkit.dropout import dropout_backward, dropout_forward
from cnnkit.pooling import (
    PoolCache,
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)

__all__ = [
    "AvgPool2D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "Layer",
    "LeakyReLU",
    "MaxPool2D",
    "ReLU",
    "Sigmoid",
    "Tanh",
]


def _he_normal(
    rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype: np.dtype
) -> np.ndarray:
    # He et al. (2015): variance 2/fan_in keeps the size of activations steady through
    # ReLU layers. Drawn in float64 and then cast, so a seed gives the same weights
    # (to rounding) in float32 and float64.
    return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(dtype)


def _fmt_pair(v: tuple[int, int]) -> str:
    return str(v[0]) if v[0] == v[1] else str(v)


def _in_shape(
    in_shape: object, func: str, ndim: int | None = None, layout: str = "(C, H, W)"
) -> tuple[int, ...]:
    """Return ``in_shape`` as a tuple of Python ints, the shape of one example.

    Each size must be a positive int (not 5.0, not True); with ``ndim`` the shape must
    have that many axes (``layout`` names them in the message).
    """
    axes = f"{ndim} positive integers {layout}" if ndim else "positive integers"
    message = (
        f"{func}: in_shape must be a tuple of {axes}, the shape of one example without "
        f"the batch axis; got in_shape={show(in_shape)}"
    )
    if not isinstance(in_shape, tuple | list) or not all(is_int(v) for v in in_shape):
        raise TypeError(message)
    if not in_shape or min(in_shape) < 1 or (ndim and len(in_shape) != ndim):
        raise ValueError(message)
    return tuple(int(v) for v in in_shape)


class Layer:
    """Base class: a layer without parameters that passes its input through unchanged.

    Subclasses override :meth:`forward` and :meth:`backward` (and :meth:`output_shape`
    and :meth:`macs` when the shape changes or there is arithmetic to count).
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache: object = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        """Compute the output for a batch ``x`` and remember what backward needs."""
        self._cache = True
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Gradient with respect to the input, from ``dout``, the gradient of the output."""
        self._need_cache()
        return dout

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the output for one example of shape ``in_shape`` (no batch axis)."""
        return _in_shape(in_shape, f"{type(self).__name__}.output_shape")

    def macs(self, in_shape: tuple[int, ...]) -> int:
        """Multiply-adds for one example of shape ``in_shape`` (0 here).

        Comparisons (max-pooling, ReLU) and single additions or multiplications are not
        multiply-adds and are not counted.
        """
        return 0

    def _need_cache(self) -> object:
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward: no forward pass to go back through; "
                "call forward first"
            )
        return self._cache


# ---------------------------------------------------------------- with parameters


class Conv2D(Layer):
    """A convolution layer: K = ``out_channels`` filters of shape (C, F, F), C = ``in_channels``.

    forward: x (N, C, H, W) → (N, K, Ho, Wo) by :func:`cnnkit.convolution.conv2d_forward`
    (cross-correlation plus a bias per filter); backward by
    :func:`cnnkit.convolution.conv2d_backward`.

    Parameters
    ----------
    in_channels : int
        C, the depth of the input.
    out_channels : int
        K, the number of filters (the depth of the output).
    kernel_size : int or (int, int)
        F, or (FH, FW).
    stride : int or (int, int), default 1, keyword-only
    padding : int, (int, int), "valid" or "same", default 0, keyword-only
        Zeros on each side; "same" is (F - 1)/2 (odd F, stride 1 only).
    mode : {"strict", "floor", "ceil"}, default "strict"
        What to do when the filter does not tile the input evenly
        (see :func:`cnnkit.shapes.output_size`).
    rng : int, numpy.random.Generator or None
        For the He initialisation of the weights.
    dtype : floating dtype, default np.float32

    Attributes
    ----------
    params : {"w": ndarray (K, C, F, F), "b": ndarray (K,)}
        ``w`` is drawn from N(0, 2/fan_in) with fan_in = C·F·F (He et al., 2015);
        ``b`` starts at 0.
    grads : dict
        Same keys and shapes, filled by :meth:`backward`.

    Examples
    --------
    >>> conv = Conv2D(1, 8, kernel_size=3, padding=1, rng=0)
    >>> conv
    Conv2D(1, 8, kernel_size=3, stride=1, padding=1)
    >>> conv.forward(np.zeros((2, 1, 6, 6))).shape
    (2, 8, 6, 6)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        mode: str = "strict",
        rng: int | np.random.Generator | None = None,
        dtype: type | np.dtype = np.float32,
    ) -> None:
        super().__init__()
        func = "Conv2D"
        self.in_channels = check_positive_int(in_channels, "in_channels", func)
        self.out_channels = check_positive_int(out_channels, "out_channels", func)
        self.kernel_size = pair(kernel_size, "kernel_size", func)
        self.stride = pair(stride, "stride", func)
        self.padding = resolve_padding(padding, self.kernel_size, self.stride, func)
        self.mode = check_mode(mode, func)
        self.dtype = check_float_dtype(dtype, func)
        kh, kw = self.kernel_size
        shape = (self.out_channels, self.in_channels, kh, kw)
        self.params = {
            "w": _he_normal(as_rng(rng, func), shape, self.in_channels * kh * kw, self.dtype),
            "b": np.zeros(self.out_channels, dtype=self.dtype),
        }
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def __repr__(self) -> str:
        text = (
            f"Conv2D({self.in_channels}, {self.out_channels}, "
            f"kernel_size={_fmt_pair(self.kernel_size)}, stride={_fmt_pair(self.stride)}, "
            f"padding={_fmt_pair(self.padding)}"
        )
        return text + (f", mode={self.mode!r})" if self.mode != "strict" else ")")

    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        func = "Conv2D.forward"
        x = as_float_array(x, "x", func)
        check_ndim(x, 4, "x", func)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"{func}: x has {plural(x.shape[1], 'channel')} but this layer expects "
                f"in_channels={self.in_channels}; they must match"
            )
        with reported_as(func, "conv2d_forward"):
            out, self._cache = conv2d_forward(
                x.astype(self.dtype, copy=False),
                self.params["w"],
                self.params["b"],
                stride=self.stride,
                padding=self.padding,
                mode=self.mode,
            )
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Fill ``grads`` and return dx; with ``input_grad=False`` skip dx, return None."""
        cache = self._need_cache()
        with reported_as("Conv2D.backward", "conv2d_backward"):
            dx, self.grads["w"], self.grads["b"] = conv2d_backward(
                dout, cache, input_grad=input_grad
            )
        return dx

    def _cost(self, in_shape: tuple[int, ...], func: str) -> ConvCost:
        in_shape = _in_shape(in_shape, func, 3)
        if in_shape[0] != self.in_channels:
            raise ValueError(
                f"{func}: the input must have shape (C, H, W) with "
                f"C = in_channels = {self.in_channels}; got in_shape={show(in_shape)}"
            )
        with reported_as(func, "conv2d_cost"):
            return conv2d_cost(
                in_shape,
                self.out_channels,
                self.kernel_size,
                stride=self.stride,
                padding=self.padding,
                mode=self.mode,
            )

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        """(K, Ho, Wo) for an input of shape (C, H, W)."""
        return tuple(self._cost(in_shape, "Conv2D.output_shape").output_shape)

    def macs(self, in_shape: tuple[int, ...]) -> int:
        """K·Ho·Wo·C·F·F multiply-adds per example (:func:`cnnkit.cost.conv2d_cost`)."""
        return int(self._cost(in_shape, "Conv2D.macs").macs)


class Dense(Layer):
    """A fully connected layer: ``y = x @ w + b`` with w of shape (in_features, out_features).

    forward: x (N, in_features) → (N, out_features) by :func:`cnnkit.dense.dense_forward`;
    backward by :func:`cnnkit.dense.dense_backward`.

    Parameters
    ----------
    in_features, out_features : int
    rng : int, numpy.random.Generator or None
        For the He initialisation: w ~ N(0, 2/in_features), b = 0.
    dtype : floating dtype, default np.float32

    Examples
    --------
    >>> Dense(64, 10, rng=0)
    Dense(64, 10)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: int | np.random.Generator | None = None,
        dtype: type | np.dtype = np.float32,
    ) -> None:
        super().__init__()
        func = "Dense"
        self.in_features = check_positive_int(in_features, "in_features", func)
        self.out_features = check_positive_int(out_features, "out_features", func)
        self.dtype = check_float_dtype(dtype, func)
        shape = (self.in_features, self.out_features)
        self.params = {
            "w": _he_normal(as_rng(rng, func), shape, self.in_features, self.dtype),
            "b": np.zeros(self.out_features, dtype=self.dtype),
        }
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def __repr__(self) -> str:
        return f"Dense({self.in_features}, {self.out_features})"

    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        func = "Dense.forward"
        x = as_float_array(x, "x", func)
        check_ndim(x, 2, "x", func, layout="(N, in_features); use Flatten() before Dense")
        if x.shape[1] != self.in_features:
            raise ValueError(
                f"{func}: x has {x.shape[1]} features but this layer expects "
                f"in_features={self.in_features}; they must match"
            )
        out, self._cache = dense_forward(
            x.astype(self.dtype, copy=False), self.params["w"], self.params["b"]
        )
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Fill ``grads`` and return dx; with ``input_grad=False`` skip dx, return None."""
        cache = self._need_cache()
        with reported_as("Dense.backward", "dense_backward"):
            dx, self.grads["w"], self.grads["b"] = dense_backward(
                dout, cache, input_grad=input_grad
            )
        return dx

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        """(out_features,) for an input of shape (in_features,)."""
        in_shape = _in_shape(in_shape, "Dense.output_shape", 1, "(in_features,)")
        if in_shape != (self.in_features,):
            raise ValueError(
                f"Dense.output_shape: the input must have shape (in_features,) = "
                f"({self.in_features},); got in_shape={show(in_shape)}"
            )
        return (self.out_features,)

    def macs(self, in_shape: tuple[int, ...]) -> int:
        """in_features·out_features multiply-adds per example."""
        return self.in_features * self.out_features


# ---------------------------------------------------------------- activations


class _Activation(Layer):
    """An element-wise layer: forward g(x), backward dout · g'(x) at the cached input."""

    def _g(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _g_grad(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        x = as_float_array(x, "x", f"{type(self).__name__}.forward")
        y = self._g(x)
        self._cache = x
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x = self._need_cache()
        func = f"{type(self).__name__}.backward"
        dout = as_float_array(dout, "dout", func)
        # dout * g'(x) would broadcast a dout of another shape without a word
        check_shape(dout, x.shape, "dout", func, "the shape of the forward output")
        return dout * self._g_grad(x)


class ReLU(_Activation):
    """ReLU layer: max(0, x) (:func:`cnnkit.activations.relu`); no parameters."""

    def _g(self, x: np.ndarray) -> np.ndarray:
        return relu(x)

    def _g_grad(self, x: np.ndarray) -> np.ndarray:
        return relu_grad(x)


class LeakyReLU(_Activation):
    """Leaky ReLU layer: x for x > 0, alpha·x otherwise (:func:`cnnkit.activations.leaky_relu`).

    Parameters
    ----------
    alpha : float, default 0.01, keyword-only
        Slope for negative inputs, finite and >= 0.
    """

    def __init__(self, *, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_number(
            alpha,
            "alpha",
            "LeakyReLU",
            "a finite non-negative number (the slope for x < 0)",
            lambda a: 0 <= a < math.inf,
        )

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha:g})"

    def _g(self, x: np.ndarray) -> np.ndarray:
        return leaky_relu(x, alpha=self.alpha)

    def _g_grad(self, x: np.ndarray) -> np.ndarray:
        return leaky_relu_grad(x, alpha=self.alpha)


class Sigmoid(_Activation):
    """Sigmoid layer: 1 / (1 + exp(-x)) (:func:`cnnkit.activations.sigmoid`)."""

    def _g(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x)

    def _g_grad(self, x: np.ndarray) -> np.ndarray:
        return sigmoid_grad(x)


class Tanh(_Activation):
    """Tanh layer (:func:`cnnkit.activations.tanh`)."""

    def _g(self, x: np.ndarray) -> np.ndarray:
        return tanh(x)

    def _g_grad(self, x: np.ndarray) -> np.ndarray:
        return tanh_grad(x)


# ---------------------------------------------------------------- pooling


class _Pool2D(Layer):
    """Shared by the pooling layers: the window, stride, padding and mode, and the shape."""

    # the functions of cnnkit.pooling behind the layer, set by each subclass
    _forward_fn: Callable[..., tuple[np.ndarray, PoolCache]]
    _backward_fn: Callable[[np.ndarray, PoolCache], np.ndarray]

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        mode: str = "strict",
    ) -> None:
        super().__init__()
        func = type(self).__name__
        self.kernel_size = pair(kernel_size, "kernel_size", func)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", func)
        self.padding = pool_padding(padding, self.kernel_size, self.stride, func, kernel_size)
        self.mode = check_mode(mode, func)

    def __repr__(self) -> str:
        text = (
            f"{type(self).__name__}(kernel_size={_fmt_pair(self.kernel_size)}, "
            f"stride={_fmt_pair(self.stride)}"
        )
        if self.padding != (0, 0):
            text += f", padding={_fmt_pair(self.padding)}"
        return text + (f", mode={self.mode!r})" if self.mode != "strict" else ")")

    def _options(self) -> dict[str, object]:
        return {"stride": self.stride, "padding": self.padding, "mode": self.mode}

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        """(C, Ho, Wo) for (C, H, W): the size rule of convolution."""
        func = f"{type(self).__name__}.output_shape"
        c, h, w = _in_shape(in_shape, func, 3)
        g = window((h, w), self.kernel_size, self.stride, self.padding, self.mode, func)
        return (c, *g.out_hw)

    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        with reported_as(f"{type(self).__name__}.forward", self._forward_fn.__name__):
            out, self._cache = self._forward_fn(x, self.kernel_size, **self._options())
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._need_cache()
        with reported_as(f"{type(self).__name__}.backward", self._backward_fn.__name__):
            return self._backward_fn(dout, cache)


class MaxPool2D(_Pool2D):
    """Max-pooling layer: the largest value of each window, per channel.

    By :func:`cnnkit.pooling.max_pool2d_forward` and ``max_pool2d_backward`` (the gradient
    of a window goes to its first maximum). No parameters; ``stride`` defaults to
    ``kernel_size``; ``padding`` adds cells of −∞.

    Examples
    --------
    >>> MaxPool2D(2)
    MaxPool2D(kernel_size=2, stride=2)
    """

    _forward_fn = staticmethod(max_pool2d_forward)
    _backward_fn = staticmethod(max_pool2d_backward)


class AvgPool2D(_Pool2D):
    """Average-pooling layer: the mean of each window, per channel.

    By :func:`cnnkit.pooling.avg_pool2d_forward` and ``avg_pool2d_backward``. No
    parameters; ``stride`` defaults to ``kernel_size``; ``padding`` adds zeros, which
    count in the mean. Counted as 0 multiply-adds in summaries.
    """

    _forward_fn = staticmethod(avg_pool2d_forward)
    _backward_fn = staticmethod(avg_pool2d_backward)


# ---------------------------------------------------------------- the rest


class Dropout(Layer):
    """Inverted dropout: while training, zero each value with probability p, scale the rest.

    With ``training=True`` a fresh random mask is drawn from the layer's ``rng`` on every
    forward pass and the kept values are divided by 1 - p (so the expected output equals
    the input); backward lets the gradient through the same mask. With
    ``training=False`` (evaluation, prediction) the layer is the identity and no random
    numbers are drawn. By :func:`cnnkit.dropout.dropout_forward` and ``dropout_backward``.

    Parameters
    ----------
    p : float
        Probability of dropping a value, in [0, 1).
    rng : int, numpy.random.Generator or None
        Source of the masks.
    """

    def __init__(self, p: float, *, rng: int | np.random.Generator | None = None) -> None:
        super().__init__()
        self.p = check_probability(p, "p", "Dropout")
        self.rng = as_rng(rng, "Dropout")

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"

    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        func = "Dropout.forward"
        x = as_float_array(x, "x", func)
        if not check_bool(training, "training", func):
            self._cache = (x.shape, None)  # the identity: no mask
            return x
        with reported_as(func, "dropout_forward"):
            out, cache = dropout_forward(x, self.p, rng=self.rng)
        self._cache = (x.shape, cache)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape, cache = self._need_cache()
        func = "Dropout.backward"
        dout = as_float_array(dout, "dout", func)
        # checked here, for the identity too: no mask would catch a dout of another shape
        check_shape(dout, shape, "dout", func, "the shape of the forward output")
        if cache is None:
            return dout
        with reported_as(func, "dropout_backward"):
            return dropout_backward(dout, cache)


class Flatten(Layer):
    """Flatten each example: (N, C, H, W) → (N, C·H·W) in C order (:func:`cnnkit.dense.flatten`).

    The order is channel by channel, each channel row by row, as ``np.reshape`` does.
    """

    def forward(self, x: np.ndarray, *, training: bool = False) -> np.ndarray:
        with reported_as("Flatten.forward", "flatten"):
            out = flatten(x)
        self._cache = np.shape(x)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape = self._need_cache()
        func = "Flatten.backward"
        dout = as_float_array(dout, "dout", func)
        # a reshape alone would accept any dout with the right number of values
        check_shape(
            dout, (shape[0], math.prod(shape[1:])), "dout", func, "the shape of the forward output"
        )
        return dout.reshape(shape)

    def output_shape(self, in_shape: tuple[int, ...]) -> tuple[int, ...]:
        """(C·H·W,) for (C, H, W)."""
        return (math.prod(_in_shape(in_shape, "Flatten.output_shape")),)
