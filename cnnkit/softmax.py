"""Softmax, log-softmax and the cross-entropy loss, numerically stable."""

from __future__ import annotations

import math

import numpy as np

from cnnkit._checks import as_float_array, check_ndim, check_number

__all__ = [
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_grad",
    "log_softmax",
    "softmax",
]


def softmax(z: np.ndarray, *, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Turn scores into probabilities: positive numbers that add up to 1 along ``axis``.

        softmax(z)_k = exp(z_k / T) / sum_j exp(z_j / T)

    Subtracting max(z) first does not change the result (it cancels between numerator
    and denominator) but keeps exp from overflowing: exp(1000) is inf, exp(0) is not.
    A temperature T > 1 flattens the distribution, T < 1 sharpens it towards the argmax.

    Parameters
    ----------
    z : array_like, e.g. shape (N, K)
        Scores (logits).
    axis : int, default -1
        Axis holding the classes.
    temperature : float, default 1.0
        T > 0.

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
    temperature = check_number(
        temperature, "temperature", func, "a positive number", lambda t: 0 < t < math.inf
    )
    if temperature != 1:
        z = z / z.dtype.type(temperature)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(z: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """Logarithm of :func:`softmax`, computed without taking the log of a tiny number.

        log_softmax(z)_k = (z_k - m) - log(sum_j exp(z_j - m)),   m = max(z)

    Examples
    --------
    >>> log_softmax(np.array([0.0, -1000.0]))
    array([    0., -1000.])
    """
    z = as_float_array(z, "z", "log_softmax")
    shifted = z - z.max(axis=axis, keepdims=True)
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
    if labels.shape != (n,):
        raise ValueError(
            f"{func}: labels must have shape (N,) = ({n},), one class index per row of "
            f"logits; got labels with shape {labels.shape}"
        )
    bad = (labels < 0) | (labels >= k)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{func}: labels must be class indices in [0, {k}) for {k} classes; "
            f"got labels[{i}]={int(labels[i])}"
        )
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
    logits, labels = _check(logits, labels, "cross_entropy")
    logp = log_softmax(logits, axis=1)
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
    logits, labels = _check(logits, labels, "cross_entropy_grad")
    n = labels.size
    grad = softmax(logits, axis=1)
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
    logits, labels = _check(logits, labels, "cross_entropy_with_grad")
    rows = np.arange(labels.size)
    shifted = logits - logits.max(axis=1, keepdims=True)
    grad = np.exp(shifted)
    total = grad.sum(axis=1, keepdims=True)
    # the same operations as log_softmax and softmax: the same numbers, to the bit
    loss = float(-(shifted - np.log(total))[rows, labels].mean())
    grad /= total
    grad[rows, labels] -= 1
    grad /= labels.size
    return loss, grad
