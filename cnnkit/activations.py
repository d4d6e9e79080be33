"""Element-wise non-linearities and their derivatives.

Each activation ``g`` comes with ``g_grad(x)``, the derivative g'(x) evaluated at the
*input* x, so a backward pass is ``dx = dout * g_grad(x)``. All functions work on arrays of
any shape, keep float32 as float32, and convert bool/integer input to float64 first.
"""

from __future__ import annotations

import math

import numpy as np

from cnnkit._checks import as_float_array, check_number

__all__ = [
    "leaky_relu",
    "leaky_relu_grad",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
]


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit, relu(x) = max(0, x): negatives become 0, the rest pass.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, same shape as x

    See Also
    --------
    relu_grad : its derivative.

    Examples
    --------
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    x = as_float_array(x, "x", "relu")
    return np.maximum(x, 0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of :func:`relu` at x: 1 where x > 0, else 0.

    ReLU has no derivative at exactly 0 (a kink); like PyTorch and TensorFlow we use 0
    there, so relu_grad(0) = 0.

    Examples
    --------
    >>> relu_grad(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """
    x = as_float_array(x, "x", "relu_grad")
    return (x > 0).astype(x.dtype)


def _check_alpha(alpha: object, func: str) -> float:
    # alpha = inf would give inf·x and, at x = 0, inf·0 = NaN
    return check_number(
        alpha,
        "alpha",
        func,
        "a finite non-negative number (the slope for x < 0)",
        lambda a: 0 <= a < math.inf,
    )


def leaky_relu(x: np.ndarray, *, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: x for x > 0, alpha * x otherwise.

    The small slope alpha for negative inputs keeps a gradient flowing, so a unit whose
    input is always negative does not "die" as it can with :func:`relu`.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float, default 0.01
        Slope for x <= 0, finite and >= 0.

    Examples
    --------
    >>> leaky_relu(np.array([-2.0, 3.0]), alpha=0.1)
    array([-0.2,  3. ])
    """
    x = as_float_array(x, "x", "leaky_relu")
    alpha = _check_alpha(alpha, "leaky_relu")
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: np.ndarray, *, alpha: float = 0.01) -> np.ndarray:
    """Derivative of :func:`leaky_relu` at x: 1 where x > 0, else alpha (alpha at 0).

    Examples
    --------
    >>> leaky_relu_grad(np.array([-2.0, 0.0, 3.0]), alpha=0.1)
    array([0.1, 0.1, 1. ])
    """
    x = as_float_array(x, "x", "leaky_relu_grad")
    alpha = _check_alpha(alpha, "leaky_relu_grad")
    return np.where(x > 0, 1, alpha).astype(x.dtype)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, sigmoid(x) = 1 / (1 + exp(-x)), squashing into (0, 1).

    Computed without overflow: exp is only ever taken of -|x|, using
    sigmoid(x) = exp(x) / (1 + exp(x)) for x < 0.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    x = as_float_array(x, "x", "sigmoid")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of :func:`sigmoid` at x: sigmoid(x) * (1 - sigmoid(x)), at most 0.25.

    The maximum 0.25 (at x = 0) is why gradients shrink through many sigmoid layers.

    Examples
    --------
    >>> sigmoid_grad(np.array([0.0]))
    array([0.25])
    """
    s = sigmoid(as_float_array(x, "x", "sigmoid_grad"))
    return s * (1 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, squashing into (-1, 1); tanh(x) = 2 sigmoid(2x) - 1.

    Examples
    --------
    >>> tanh(np.array([0.0]))
    array([0.])
    """
    return np.tanh(as_float_array(x, "x", "tanh"))


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of :func:`tanh` at x: 1 - tanh(x)**2, at most 1 (at x = 0).

    Examples
    --------
    >>> tanh_grad(np.array([0.0]))
    array([1.])
    """
    t = np.tanh(as_float_array(x, "x", "tanh_grad"))
    return 1 - t * t
