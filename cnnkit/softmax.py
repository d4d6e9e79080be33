"""Softmax, log-softmax and the cross-entropy loss, numerically stable."""

from __future__ import annotations

import math

import numpy as np

from cnnkit._checks import (
    as_float_array,
    check_class_indices,
    check_ndim,
    check_number,
    is_int,
    show,
)

__all__ = [
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_grad",
    "log_softmax",
    "softmax",
]


def _check_axis(axis: object, z: np.ndarray, func: str) -> int:
    """Return ``axis`` as an int, raising unless it is an axis of ``z``."""
    nd = max(z.ndim, 1)  # a single score (0-d) is a distribution of one class
    message = (
        f"{func}: axis must be an integer in [-{nd}, {nd}), an axis of z (shape {z.shape}); "
        f"got axis={show(axis)}"
    )
    if not is_int(axis):
        raise TypeError(message)
    if not -nd <= axis < nd:
        raise ValueError(message)
    axis = int(axis)
    if z.ndim and z.shape[axis] == 0:
        raise ValueError(
            f"{func}: z must hold at least one score along axis {axis}; got z with shape {z.shape}"
        )
    return axis


def _shifted(z: np.ndarray, axis: int, name: str, func: str) -> np.ndarray:
    """``z - max(z)`` along ``axis``: every score <= 0, so exp cannot overflow.

    A slice whose largest score is +inf (inf - inf = NaN) or whose scores are all -inf
    (0/0) has no softmax: refused. NaN passes through, as in all numpy arithmetic.
    """
    m = z.max(axis=axis, keepdims=True)
    bad = np.isinf(m)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        what = "+inf" if m[where] > 0 else "only -inf"
        raise ValueError(
            f"{func}: {name} must have a finite largest score along axis {axis}, so that "
            f"the probabilities are defined; got {what} in the slice at index {where}"
        )
    return z - m


def softmax(z: np.ndarray, *, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Turn scores into probabilities: positive numbers that add up to 1 along ``axis``.

        softmax(z)_k = exp(z_k / T) / sum_j exp(z_j / T)

    Subtracting max(z) first does not change the result (it cancels between numerator
    and denominator) but keeps exp from overflowing: exp(1000) is inf, exp(0) is not.
    A temperature T > 1 flattens the distribution, T < 1 sharpens it towards the argmax.

    Parameters
    ----------
    z : array_like, e.g. shape (N, K)
        Scores (logits), at least one along ``axis``. -inf is a score of probability 0;
        +inf, or a slice of -inf only, has no softmax (``ValueError``).
    axis : int, default -1
        Axis holding the classes.
    temperature : float, default 1.0
        T > 0, finite. A tiny T gives the one-hot of the argmax (ties share).

    Returns
    -------
    ndarray, same shape as z

    Examples
    --------
    >>> softmax(np.array([1000.0, 1000.0]))
    array([0.5, 0.5])
    >>> softmax(np.array([0.0, np.log(3.0)])).round(3)
    array([0.25, 0.75])
    """
    func = "softmax"
    z = as_float_array(z, "z", func)
    axis = _check_axis(axis, z, func)
    temperature = check_number(
        temperature, "temperature", func, "a positive number", lambda t: 0 < t < math.inf
    )
    shifted = _shifted(z, axis, "z", func)
    if temperature != 1:
        # shifted first: (z - max)/T is <= 0, and -inf at worst, where z/T may overflow
        # a tiny T sends the non-maximal scores to -inf, on purpose: exp(-inf) = 0
        with np.errstate(over="ignore"):
            t = z.dtype.type(temperature)
            if t == 0:  # T too small for z's dtype (1e-50 in float32): divide in float64
                shifted = (shifted.astype(np.float64) / temperature).astype(z.dtype)
            else:
                shifted = shifted / t
    e = np.exp(shifted)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(z: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """Logarithm of :func:`softmax`, computed without taking the log of a tiny number.

        log_softmax(z)_k = (z_k - m) - log(sum_j exp(z_j - m)),   m = max(z)

    Takes ``z`` and ``axis`` as :func:`softmax` does.

    Examples
    --------
    >>> log_softmax(np.array([0.0, -1000.0]))
    array([    0., -1000.])
    """
    func = "log_softmax"
    z = as_float_array(z, "z", func)
    axis = _check_axis(axis, z, func)
    shifted = _shifted(z, axis, "z", func)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _check(logits: object, labels: object, func: str) -> tuple[np.ndarray, np.ndarray]:
    logits = as_float_array(logits, "logits", func)
    check_ndim(
        logits, 2, "logits", func, layout="(N, n_classes): one row of class scores per example"
    )
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: labels must be integer class indices; got labels with dtype {labels.dtype}"
        )
    n, k = logits.shape
    if n == 0 or k == 0:
        raise ValueError(
            f"{func}: logits must hold at least one example and one class (N, n_classes); "
            f"got logits with shape {logits.shape}"
        )
    if labels.shape != (n,):
        raise ValueError(
            f"{func}: labels must have shape (N,) = ({n},), one class index per row of "
            f"logits; got labels with shape {labels.shape}"
        )
    check_class_indices(labels, k, "labels", func, f"be class indices in [0, {k}) for {k} classes")
    return logits, labels


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy loss of a batch, from raw scores and class indices.

        L = -(1/N) * sum_n log softmax(logits[n])[labels[n]]

    It is small when the network gives the correct class a high probability and grows
    without bound as that probability goes to 0. Computed through :func:`log_softmax`, so
    it stays finite for very confident wrong answers.

    Parameters
    ----------
    logits : array_like, shape (N, K)
        Class scores before the softmax.
    labels : array_like of int, shape (N,)
        The correct class of each example, in [0, K).

    Returns
    -------
    float

    See Also
    --------
    cross_entropy_grad : its gradient with respect to the logits.

    Examples
    --------
    Uniform scores over 4 classes cost log(4):

    >>> round(cross_entropy(np.zeros((2, 4)), [0, 3]), 4), round(float(np.log(4)), 4)
    (1.3863, 1.3863)
    """
    func = "cross_entropy"
    logits, labels = _check(logits, labels, func)
    shifted = _shifted(logits, 1, "logits", func)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # log_softmax
    return float(-logp[np.arange(labels.size), labels].mean())


def cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits: (p - y) / N.

    Here p = softmax(logits) row by row and y is the one-hot encoding of the labels:
    the gradient pushes the correct class's score up and every other score down, in
    proportion to the probability it wrongly received.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    labels : array_like of int, shape (N,)

    Returns
    -------
    ndarray, shape (N, K)
    """
    func = "cross_entropy_grad"
    logits, labels = _check(logits, labels, func)
    n = labels.size
    grad = np.exp(_shifted(logits, 1, "logits", func))  # softmax
    grad /= grad.sum(axis=1, keepdims=True)
    grad[np.arange(n), labels] -= 1
    grad /= n
    return grad


def cross_entropy_with_grad(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`cross_entropy` and :func:`cross_entropy_grad` together, the softmax taken once.

    What a training step needs (:meth:`cnnkit.model.Sequential.fit` calls it): the two
    functions one after the other would check the arguments and exponentiate twice,
    which on a batch of 64 rows costs more than the arithmetic. Same numbers, to the bit.

    Takes what :func:`cross_entropy` takes; returns ``(loss, grad)``, a float and an
    array of the shape of ``logits``.

    Examples
    --------
    >>> loss, grad = cross_entropy_with_grad(np.zeros((2, 4)), [0, 3])
    >>> round(loss, 4), grad[0]
    (1.3863, array([-0.375,  0.125,  0.125,  0.125]))
    """
    func = "cross_entropy_with_grad"
    logits, labels = _check(logits, labels, func)
    rows = np.arange(labels.size)
    shifted = _shifted(logits, 1, "logits", func)
    grad = np.exp(shifted)
    total = grad.sum(axis=1, keepdims=True)
    # the same operations as log_softmax and softmax: the same numbers, to the bit
    loss = float(-(shifted - np.log(total))[rows, labels].mean())
    grad /= total
    grad[rows, labels] -= 1
    grad /= labels.size
    return loss, grad
