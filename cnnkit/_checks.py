"""Shared input validation, so that every error message in cnnkit looks alike.

Each helper takes the name of the argument (``name``) and of the public function that
received it (``func``) and raises a ``ValueError`` or ``TypeError`` whose message reads

    ``<func>: <name> must <rule>; got <name>=<value>``

so that a learner sees which call, which argument, what was passed and what is allowed.
These helpers are internal (the leading underscore): other cnnkit modules import them,
the book does not.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "as_float_array",
    "as_rng",
    "check_finite",
    "check_mode",
    "check_ndim",
    "check_positive_int",
    "check_probability",
    "pair",
    "show",
]

MODES = ("strict", "floor", "ceil")


def show(value: object) -> str:
    """Return a short, readable text for ``value`` to put in an error message.

    numpy scalars print as plain Python numbers (``3``, not ``np.int64(3)``) and arrays
    print as their shape and dtype rather than their (possibly huge) contents.

    Examples
    --------
    >>> show(np.int64(3)), show((1, np.int32(2))), show("same")
    ('3', '(1, 2)', "'same'")
    """
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, tuple):
        inner = ", ".join(show(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return repr(value)


def as_float_array(x: object, name: str, func: str) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray, without copying when it already is one.

    bool and integer input (including ``uint8`` images) is converted to float64 *before*
    any arithmetic, so that ``200 + 100`` is 300 and not 44 (uint8 wraps around at 256).
    float32 stays float32 and float64 stays float64.

    Parameters
    ----------
    x : array_like
        Anything ``np.asarray`` accepts.
    name, func : str
        Argument and function names used in the error message.

    Returns
    -------
    ndarray
        A float array (the same object when ``x`` is already a float ndarray).

    Raises
    ------
    TypeError
        For non-numeric dtypes: object, string, complex, datetime, ...

    Examples
    --------
    >>> as_float_array(np.array([200, 100], dtype=np.uint8), "x", "demo").sum()
    np.float64(300.0)
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind == "f":
        return arr
    if kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(
        f"{func}: {name} must hold real numbers (bool, integer or float); "
        f"got {name} with dtype {arr.dtype}"
    )


def check_ndim(
    x: np.ndarray,
    ndims: int | Sequence[int],
    name: str,
    func: str,
    layout: str = "(N, C, H, W)",
) -> None:
    """Raise ``ValueError`` unless ``x.ndim`` is ``ndims`` (an int or a collection of ints).

    ``layout`` describes the expected axes in the message, e.g. ``"(N, C, H, W)"``.
    """
    allowed = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if x.ndim in allowed:
        return
    if len(allowed) == 1:
        wanted = f"{allowed[0]} dimensions"
    else:
        wanted = ", ".join(str(n) for n in allowed[:-1]) + f" or {allowed[-1]} dimensions"
    raise ValueError(
        f"{func}: {name} must have {wanted} {layout}; "
        f"got {name} with {x.ndim} dimensions, shape {x.shape}"
    )


def _is_int(v: object) -> bool:
    # bool is a subclass of int, but stride=True is surely a mistake
    return isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)


def pair(v: object, name: str, func: str, positive: bool = True) -> tuple[int, int]:
    """Return ``v`` as a pair of Python ints ``(a, b)`` (one per spatial axis, H then W).

    ``v`` is an int (used for both axes) or a pair of ints. bool and float values are
    rejected. With ``positive=True`` each value must be > 0 (strides, kernel sizes),
    otherwise >= 0 (paddings).

    Examples
    --------
    >>> pair(2, "stride", "conv2d"), pair((1, 3), "stride", "conv2d")
    ((2, 2), (1, 3))
    >>> pair(0, "stride", "conv2d")
    Traceback (most recent call last):
    ...
    ValueError: conv2d: stride must be a positive integer or a pair of them; got stride=0
    """
    if _is_int(v):
        values = (v, v)
    elif isinstance(v, tuple | list) and len(v) == 2 and all(_is_int(e) for e in v):
        values = tuple(v)
    elif isinstance(v, np.ndarray) and v.shape == (2,) and v.dtype.kind in "iu":
        values = tuple(v)
    else:
        raise TypeError(_pair_message(v, name, func, positive))
    a, b = int(values[0]), int(values[1])
    lowest = 1 if positive else 0
    if a < lowest or b < lowest:
        raise ValueError(_pair_message(v, name, func, positive))
    return a, b


def _pair_message(v: object, name: str, func: str, positive: bool) -> str:
    # built only on failure: these checks run on every layer call during training
    rule = "a positive integer" if positive else "a non-negative integer"
    return f"{func}: {name} must be {rule} or a pair of them; got {name}={show(v)}"


def check_positive_int(v: object, name: str, func: str) -> int:
    """Return ``v`` as a Python int, raising unless it is an integer > 0 (bool rejected)."""
    if _is_int(v) and v > 0:
        return int(v)
    message = f"{func}: {name} must be a positive integer; got {name}={show(v)}"
    raise (ValueError if _is_int(v) else TypeError)(message)


def check_probability(p: object, name: str, func: str, *, allow_one: bool = False) -> float:
    """Return ``p`` as a Python float, raising unless 0 <= p < 1 (or <= 1 with ``allow_one``).

    bool, NaN and non-numbers are rejected.
    """
    interval = "[0, 1]" if allow_one else "[0, 1)"
    message = f"{func}: {name} must be a number in {interval}; got {name}={show(p)}"
    if not isinstance(p, numbers.Real) or isinstance(p, bool | np.bool_):
        raise TypeError(message)
    value = float(p)
    if not (0.0 <= value < 1.0 or (allow_one and value == 1.0)):
        raise ValueError(message)
    return value


def check_mode(mode: object, func: str, name: str = "mode") -> str:
    """Return ``mode`` unchanged, raising ``ValueError`` unless it is strict, floor or ceil."""
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(
            f"{func}: {name} must be one of 'strict', 'floor' or 'ceil'; got {name}={show(mode)}"
        )
    return mode


def check_finite(x: np.ndarray, name: str, func: str) -> None:
    """Raise ``ValueError`` if ``x`` contains NaN or infinity, saying how many and where."""
    bad = ~np.isfinite(x)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{func}: {name} must contain only finite numbers; got {int(bad.sum())} "
            f"NaN or infinite value(s) in {name}, the first at index {first}"
        )


def as_rng(rng: object, func: str) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a Generator, an int seed or None.

    A Generator is returned as is (so the caller's stream advances), an int seed gives a
    reproducible fresh Generator, and None a fresh unpredictable one. The global
    ``np.random`` state is never used.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if _is_int(rng):
        if rng < 0:
            raise ValueError(
                f"{func}: rng must be a numpy Generator, a non-negative int seed or None; "
                f"got rng={show(rng)}"
            )
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{func}: rng must be a numpy Generator, a non-negative int seed or None; "
        f"got rng={show(rng)}"
    )
