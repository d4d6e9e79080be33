"""Input validation and the dimension policy: the one validator of cnnkit.

Each helper takes the name of the argument (``name``) and of the public function that
received it (``func``) and raises a ``TypeError`` (wrong type) or a ``ValueError`` (right
type, wrong value) whose message reads

    ``<func>: <name> must <rule>; got <name>=<value>``

so that a learner sees which call, which argument, what was passed and what is allowed.
Messages are built only when a check fails: these checks run on every layer call.

The dimension policy
--------------------
Every forward function of cnnkit accepts its input in one of these forms, and no other:

- **image functions** (``conv2d``, ``conv2d_naive``, the ``*_pool2d`` functions and
  their ``*_naive`` versions, ``pad``): (H, W), (C, H, W) or (N, C, H, W); the result
  has the same form (a 2-D image gives a 2-D map). See :func:`as_batch`.
- **training functions** (``conv2d_forward``, ``*_pool2d_forward``, and every layer's
  ``forward``): a batch (N, C, H, W) only; their caches feed the backward passes.
- ``convolve2d`` (the textbook's flipped convolution): one image (H, W).
- element-wise functions (activations, dropout): any shape.
- ``dense``/``dense_forward``: (N, in_features); ``flatten``: (N, ...);
  ``cross_entropy``: logits (N, n_classes); ``softmax``: any shape, along ``axis``.

This module is internal (the leading underscore): other cnnkit modules import it, the
book does not.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

__all__ = [
    "LAYOUTS",
    "as_batch",
    "as_float_array",
    "as_rng",
    "check_bool",
    "check_cache",
    "check_class_indices",
    "check_finite",
    "check_float_dtype",
    "check_mode",
    "check_ndim",
    "check_nonnegative_int",
    "check_number",
    "check_positive_int",
    "check_probability",
    "check_shape",
    "is_int",
    "pair",
    "plural",
    "reported_as",
    "restore",
    "show",
]

MODES = ("strict", "floor", "ceil")

#: The axes of each accepted number of dimensions of an image input.
LAYOUTS = {2: "(H, W)", 3: "(C, H, W)", 4: "(N, C, H, W)"}


def plural(count: int, word: str) -> str:
    """``"1 dimension"``, ``"2 dimensions"``: a count with its noun, in agreement.

    Examples
    --------
    >>> plural(1, "channel"), plural(3, "channel")
    ('1 channel', '3 channels')
    """
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


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
        wanted = plural(allowed[0], "dimension")
    else:
        wanted = ", ".join(str(n) for n in allowed[:-1]) + f" or {allowed[-1]} dimensions"
    raise ValueError(
        f"{func}: {name} must have {wanted} {layout}; "
        f"got {name} with {plural(x.ndim, 'dimension')}, shape {x.shape}"
    )


def as_batch(
    x: object, name: str, func: str, ndims: Sequence[int] = (2, 3, 4)
) -> tuple[np.ndarray, int]:
    """The dimension policy of the image functions: return ``x`` as a float batch
    (N, C, H, W), and the number of dimensions it came with (for :func:`restore`).

    ``ndims`` lists the accepted forms among 2 (H, W), 3 (C, H, W) and 4 (N, C, H, W);
    the training functions pass ``(4,)``.

    Examples
    --------
    >>> x4, ndim = as_batch(np.zeros((5, 7)), "x", "demo")
    >>> x4.shape, ndim
    ((1, 1, 5, 7), 2)
    """
    x = as_float_array(x, name, func)
    layout = " or ".join(LAYOUTS[n] for n in ndims)
    check_ndim(x, ndims, name, func, layout=layout)
    if x.size == 0:
        raise ValueError(
            f"{func}: {name} must hold at least one number along every axis {layout}; "
            f"got {name} with shape {x.shape}"
        )
    return x.reshape((1,) * (4 - x.ndim) + x.shape), x.ndim


def restore(out: np.ndarray, ndim: int) -> np.ndarray:
    """Give a (N, C, H, W) result back in the form the caller's input had (2-, 3- or 4-D)."""
    return out.reshape(out.shape[4 - ndim :])


def is_int(v: object) -> bool:
    """True for Python and numpy integers; False for bool (stride=True is surely a mistake)."""
    if type(v) is int:  # the common case, checked first: this runs on every layer call
        return True
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
    if type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int:
        values = v  # the common case first (a layer's own, already checked pair)
    elif is_int(v):
        values = (v, v)
    elif isinstance(v, tuple | list) and len(v) == 2 and all(is_int(e) for e in v):
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
    if is_int(v) and v > 0:
        return int(v)
    message = f"{func}: {name} must be a positive integer; got {name}={show(v)}"
    raise (ValueError if is_int(v) else TypeError)(message)


def check_nonnegative_int(v: object, name: str, func: str, rule: str = "") -> int:
    """Return ``v`` as a Python int, raising unless it is an integer >= 0 (bool rejected).

    ``rule`` says what the number means, e.g. ``"zeros on each side"``.
    """
    if is_int(v) and v >= 0:
        return int(v)
    meaning = f" ({rule})" if rule else ""
    message = f"{func}: {name} must be a non-negative integer{meaning}; got {name}={show(v)}"
    raise (ValueError if is_int(v) else TypeError)(message)


def check_number(
    v: object, name: str, func: str, rule: str, valid: Callable[[float], bool]
) -> float:
    """Return ``v`` as a Python float, raising unless it is a real number with ``valid(v)``.

    A non-number (or a bool) is a ``TypeError``; a number outside the rule (or NaN) a
    ``ValueError``. ``rule`` completes "``name`` must be ...", e.g. ``"a positive number"``.

    Examples
    --------
    >>> check_number(0.5, "alpha", "demo", "a non-negative number", lambda a: a >= 0)
    0.5
    """
    message = f"{func}: {name} must be {rule}; got {name}={show(v)}"
    if not isinstance(v, numbers.Real) or isinstance(v, bool | np.bool_):
        raise TypeError(message)
    value = float(v)
    if value != value or not valid(value):  # NaN fails every rule
        raise ValueError(message)
    return value


def check_float_dtype(dtype: object, func: str) -> np.dtype:
    """Return ``np.dtype(dtype)``, raising ``TypeError`` unless it is a floating type."""
    try:
        # np.dtype(None) is float64: None is refused here, not silently taken as float64
        result = None if dtype is None else np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or result.kind != "f":
        raise TypeError(
            f"{func}: dtype must be a floating-point type such as np.float32 or np.float64; "
            f"got dtype={show(dtype)}"
        )
    return result


@contextmanager
def reported_as(func: str, *inner: str) -> Iterator[None]:
    """Report the errors of the functions named ``inner`` as errors of ``func``.

    A layer calls the functional form (``MaxPool2D.forward`` calls
    ``max_pool2d_forward``); the reader called the layer, so the message must name it.

    Examples
    --------
    >>> with reported_as("Layer.forward", "inner"):
    ...     raise ValueError("inner: x must be positive; got x=-1")
    Traceback (most recent call last):
    ...
    ValueError: Layer.forward: x must be positive; got x=-1
    """
    try:
        yield
    except (TypeError, ValueError) as error:
        name, colon, rest = str(error).partition(":")
        if not colon or name not in inner:
            raise
        raise type(error)(func + colon + rest) from None


def check_probability(p: object, name: str, func: str, *, allow_one: bool = False) -> float:
    """Return ``p`` as a Python float, raising unless 0 <= p < 1 (or <= 1 with ``allow_one``).

    bool, NaN and non-numbers are rejected.
    """
    if allow_one:
        return check_number(p, name, func, "a number in [0, 1]", lambda v: 0 <= v <= 1)
    return check_number(p, name, func, "a number in [0, 1)", lambda v: 0 <= v < 1)


def check_mode(mode: object, func: str, name: str = "mode") -> str:
    """Return ``mode`` unchanged, unless it is not one of 'strict', 'floor' or 'ceil'.

    A string outside the three is a ``ValueError``; anything else a ``TypeError``.
    """
    if isinstance(mode, str) and mode in MODES:
        return mode
    message = f"{func}: {name} must be one of 'strict', 'floor' or 'ceil'; got {name}={show(mode)}"
    raise (ValueError if isinstance(mode, str) else TypeError)(message)


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
    if is_int(rng):
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


def check_bool(v: object, name: str, func: str) -> bool:
    """Return ``v`` unless it is not ``True`` or ``False`` (``TypeError``).

    A string such as ``"False"`` is truthy in Python: accepted, it would do the opposite
    of what it says. numpy's ``np.True_`` is accepted.
    """
    if isinstance(v, bool | np.bool_):
        return bool(v)
    raise TypeError(f"{func}: {name} must be True or False; got {name}={show(v)}")


def check_cache(cache: object, kind: type, func: str, producer: str) -> None:
    """Raise ``TypeError`` unless ``cache`` is a ``kind`` (the cache ``producer`` returns).

    A backward pass needs the cache of its own forward pass: another one (or a tuple,
    or None) would fail deep inside with an error about a missing attribute.
    """
    if not isinstance(cache, kind):
        got = "None" if cache is None else f"a {type(cache).__name__}"
        raise TypeError(
            f"{func}: cache must be the {kind.__name__} that {producer} returns; got {got}"
        )


def check_shape(x: np.ndarray, shape: tuple[int, ...], name: str, func: str, rule: str) -> None:
    """Raise ``ValueError`` unless ``x.shape == shape``; ``rule`` says why that shape,
    e.g. ``"the shape of the forward input"``."""
    if x.shape != tuple(shape):
        raise ValueError(
            f"{func}: {name} must have {rule} {tuple(shape)}; got {name} with shape {x.shape}"
        )


def check_class_indices(labels: np.ndarray, k: int, name: str, func: str, rule: str) -> None:
    """Raise ``ValueError`` unless every entry of the int array ``labels`` is in [0, k),
    naming the first that is not; ``rule`` completes "``name`` must ...", e.g.
    ``"be class indices in [0, 10) for 10 classes"``."""
    bad = (labels < 0) | (labels >= k)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{func}: {name} must {rule}; got {name}[{i}]={int(labels[i])}")
