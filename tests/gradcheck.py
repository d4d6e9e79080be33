"""Centered-difference gradient checking, shared by the tests of every backward pass."""

from collections.abc import Callable

import numpy as np


def numeric_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d f / d x by centered differences, (f(x + h) - f(x - h)) / 2h, one element at a time.

    ``f`` takes no argument and reads ``x``, which is modified in place and restored.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f()
        x[idx] = old - h
        minus = f()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest relative error max |a - b| / max(|a| + |b|, 1e-8) (CS231n's measure)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def norm_rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||): one number per array, so entries near 0 don't dominate.

    Used where a gradient has many exact zeros (pooling, ReLU inside a model).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def check_backward(
    forward: Callable[[], np.ndarray],
    inputs: dict[str, np.ndarray],
    analytic: dict[str, np.ndarray],
    dout: np.ndarray,
    tol: float = 1e-6,
    h: float = 1e-6,
) -> None:
    """Assert that analytic gradients of sum(forward() * dout) match numeric ones.

    ``inputs`` maps a name to the float64 array that ``forward`` reads; ``analytic`` maps
    the same names to the gradients the backward pass returned. Piecewise-linear
    functions (pooling) are exact for any step that does not change the argmax, so a
    larger ``h`` there only reduces round-off.
    """
    for name, x in inputs.items():
        num = numeric_gradient(lambda: float(np.sum(forward() * dout)), x, h)
        err = rel_error(num, analytic[name])
        assert err < tol, f"gradient of {name}: relative error {err:.2e}"
