"""Flattening and the fully connected (dense) layer."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnkit._checks import as_float_array, check_bool, check_cache, check_ndim, check_shape

__all__ = ["DenseCache", "dense", "dense_backward", "dense_forward", "flatten"]


def flatten(x: np.ndarray) -> np.ndarray:
    """Flatten every example of a batch into one vector: (N, ...) -> (N, prod(...)).

    The order is C order (row-major): for (N, C, H, W) input, element [n, c, i, j] lands
    at position c*H*W + i*W + j of row n, so all of channel 0 comes first, row by row.
    No copy is made when x is contiguous.

    Parameters
    ----------
    x : array_like, shape (N, d1, d2, ...)

    Returns
    -------
    ndarray, shape (N, d1*d2*...)

    Examples
    --------
    >>> flatten(np.arange(8).reshape(1, 2, 2, 2))
    array([[0., 1., 2., 3., 4., 5., 6., 7.]])
    """
    x = as_float_array(x, "x", "flatten")
    if x.ndim < 2:
        raise ValueError(
            f"flatten: x must have at least 2 dimensions (N, ...), the first being the "
            f"batch; got x with {x.ndim} dimensions, shape {x.shape}"
        )
    if x.size == 0:
        raise ValueError(
            f"flatten: x must hold at least one number along every axis; got x with shape {x.shape}"
        )
    return x.reshape(x.shape[0], -1)


class DenseCache(NamedTuple):
    """What :func:`dense_backward` needs: the input x (N, in) and the weights w (in, out)."""

    x: np.ndarray
    w: np.ndarray


def _setup(x: object, w: object, b: object, func: str):
    x = as_float_array(x, "x", func)
    w = as_float_array(w, "w", func)
    check_ndim(x, 2, "x", func, layout="(N, in_features); flatten it first")
    check_ndim(w, 2, "w", func, layout="(in_features, out_features)")
    for name, a, layout in (("x", x, "(N, in_features)"), ("w", w, "(in_features, out_features)")):
        if a.size == 0:
            raise ValueError(
                f"{func}: {name} must hold at least one number along each axis {layout}; "
                f"got {name} with shape {a.shape}"
            )
    if x.shape[1] != w.shape[0]:
        raise ValueError(
            f"{func}: x has {x.shape[1]} features (x.shape[1]) but w expects {w.shape[0]} "
            "(w.shape[0]); they must match"
        )
    if b is not None:
        b = as_float_array(b, "b", func)
        if b.shape != (w.shape[1],):
            raise ValueError(
                f"{func}: b must have shape (out_features,) = ({w.shape[1]},); "
                f"got b with shape {b.shape}"
            )
    return x, w, b


def dense(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Fully connected layer: every input feature connected to every output, y = x @ w + b.

        y[n, k] = b[k] + sum_i x[n, i] * w[i, k]

    Parameters
    ----------
    x : array_like, shape (N, in_features)
    w : array_like, shape (in_features, out_features)
    b : array_like, shape (out_features,), optional

    Returns
    -------
    ndarray, shape (N, out_features)

    Examples
    --------
    >>> dense(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.ones(3))
    array([[2., 3., 4.]])
    """
    x, w, b = _setup(x, w, b, "dense")
    y = x @ w
    if b is not None:
        y += b
    return y


def dense_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> tuple[np.ndarray, DenseCache]:
    """:func:`dense` plus the cache (x, w) for :func:`dense_backward`."""
    x, w, b = _setup(x, w, b, "dense_forward")
    y = x @ w
    if b is not None:
        y += b
    return y, DenseCache(x, w)


def dense_backward(
    dout: np.ndarray, cache: DenseCache, *, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of y = x @ w + b: dx = dout @ w.T, dw = x.T @ dout, db = dout summed over N.

    Parameters
    ----------
    dout : array_like, shape (N, out_features)
    cache : DenseCache
    input_grad : bool, default True, keyword-only
        False skips dx and returns None in its place (a first layer needs no gradient
        for its input).

    Returns
    -------
    dx : ndarray, shape (N, in_features), or None when ``input_grad`` is False
    dw : ndarray, shape (in_features, out_features)
    db : ndarray, shape (out_features,)
    """
    func = "dense_backward"
    check_cache(cache, DenseCache, func, "dense_forward")
    dout = as_float_array(dout, "dout", func)
    x, w = cache
    check_shape(dout, (x.shape[0], w.shape[1]), "dout", func, "the shape of the forward output")
    dout = dout.astype(x.dtype, copy=False)  # the gradients keep the forward pass's dtype
    check_bool(input_grad, "input_grad", func)
    return (dout @ w.T if input_grad else None), x.T @ dout, dout.sum(axis=0)
