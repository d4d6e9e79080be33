"""Inverted dropout: randomly silence activations while training, nothing at test time."""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from cnnkit._checks import (
    as_float_array,
    as_rng,
    check_bool,
    check_cache,
    check_probability,
    check_shape,
    show,
)

__all__ = ["DropoutCache", "dropout", "dropout_backward", "dropout_forward"]


class DropoutCache(NamedTuple):
    """What :func:`dropout_backward` needs: the scaled mask, or None for the identity.

    Attributes
    ----------
    mask : ndarray, same shape as x, or None
        0 where a unit was dropped and 1/(1 - p) where it was kept; None when the forward
        pass did nothing (``training=False`` or ``p == 0``).
    shape : tuple of int
        The shape of x, which dout must have (also when there is no mask).
    """

    mask: np.ndarray | None
    shape: tuple[int, ...]


def _check_p(p: object, func: str) -> float:
    if isinstance(p, numbers.Real) and not isinstance(p, bool) and float(p) == 1.0:
        raise ValueError(
            f"{func}: p must be a number in [0, 1); got p={show(p)}. p = 1 would drop every "
            "unit, and the kept ones would be scaled by 1/(1 - p) = 1/0"
        )
    return check_probability(p, "p", func)


def dropout_forward(
    x: np.ndarray, p: float, *, training: bool = True, rng: object = None
) -> tuple[np.ndarray, DropoutCache]:
    """Inverted dropout with a cache holding the mask, for :func:`dropout_backward`.

    During training each element is kept with probability 1 - p and then multiplied by
    1/(1 - p), or dropped (set to 0) with probability p:

        y = x * m / (1 - p),   m ~ Bernoulli(1 - p), independently per element

    so the expected value of every element is unchanged, E[y] = x, and at test time the
    layer is the identity (no rescaling needed then). ``p`` is the probability of
    *dropping*; the 2014 dropout paper uses the probability of *keeping* (its p is our
    1 - p).

    Parameters
    ----------
    x : array_like, any shape
    p : float
        Drop probability, 0 <= p < 1.
    training : bool, default True
        False (evaluation) returns x unchanged.
    rng : numpy.random.Generator or int or None
        Source of the random mask; an int seed gives the same mask every time.

    Returns
    -------
    y : ndarray, same shape and dtype as x
    cache : DropoutCache
    """
    return _dropout(x, p, training, rng, "dropout_forward")


def _dropout(
    x: object, p: object, training: bool, rng: object, func: str
) -> tuple[np.ndarray, DropoutCache]:
    x = as_float_array(x, "x", func)
    p = _check_p(p, func)
    if not check_bool(training, "training", func) or p == 0.0:
        return x, DropoutCache(None, x.shape)
    rng = as_rng(rng, func)
    keep = rng.random(x.shape, dtype=x.dtype if x.dtype in (np.float32, np.float64) else None)
    mask = (keep >= p).astype(x.dtype)
    mask *= 1 / (1 - p)
    return x * mask, DropoutCache(mask, x.shape)


def dropout(x: np.ndarray, p: float, *, training: bool = True, rng: object = None) -> np.ndarray:
    """Inverted dropout: zero each element with probability p, scale the rest by 1/(1 - p).

    See :func:`dropout_forward` for the formula and parameters; this returns y only.

    Examples
    --------
    >>> y = dropout(np.ones(8), p=0.5, rng=0)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    >>> dropout(np.ones(3), p=0.5, training=False)
    array([1., 1., 1.])
    """
    return _dropout(x, p, training, rng, "dropout")[0]


def dropout_backward(dout: np.ndarray, cache: DropoutCache) -> np.ndarray:
    """Gradient of dropout: dx = dout * m / (1 - p), the same mask as the forward pass.

    Dropped units pass no gradient; kept ones pass it scaled by 1/(1 - p).

    Parameters
    ----------
    dout : array_like, same shape as the forward input
    cache : DropoutCache
        From :func:`dropout_forward`.

    Returns
    -------
    dx : ndarray
    """
    func = "dropout_backward"
    check_cache(cache, DropoutCache, func, "dropout_forward")
    dout = as_float_array(dout, "dout", func)
    check_shape(dout, cache.shape, "dout", func, "the shape of the forward input")
    if cache.mask is None:
        return dout
    return dout * cache.mask
