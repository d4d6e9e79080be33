"""Optimizers: the rules that turn gradients into parameter updates.

An optimizer's :meth:`step` receives the model's parameters as :class:`Parameter`
records (``name``, ``value``, ``grad``), as returned by
:meth:`cnnkit.model.Sequential.parameters`, and changes each ``value`` *in place*, so
the layers, which hold the same arrays, see the new weights. Per-parameter state
(velocities, moment estimates) is kept by name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from cnnkit._checks import as_float_array, check_number, check_shape, show

__all__ = ["SGD", "Adam", "Parameter"]


class Parameter(NamedTuple):
    """One trainable array of a model, with the gradient of the loss with respect to it.

    Attributes
    ----------
    name : str
        Unique within the model, e.g. ``"0.w"`` (weights of layer 0).
    value : ndarray
        The parameter itself; optimizers update it in place.
    grad : ndarray or None
        Gradient of the loss, same shape as ``value``; None before the first backward pass.
    """

    name: str
    value: np.ndarray
    grad: np.ndarray | None


def _positive(v: object, name: str, func: str) -> float:
    return check_number(v, name, func, "a positive number", lambda x: 0 < x < math.inf)


def _fraction(v: object, name: str, func: str) -> float:
    return check_number(v, name, func, "a number in [0, 1)", lambda x: 0 <= x < 1)


def _parameters(parameters: object, func: str) -> list[Parameter]:
    """``parameters`` as a list of :class:`Parameter`, raising unless that is what it is."""
    rule = f"{func}: parameters must be the list of Parameter records that model.parameters() "
    if hasattr(parameters, "parameters"):  # a Sequential is iterable too: over its layers
        raise TypeError(
            rule + f"returns; got the model itself ({type(parameters).__name__}): "
            "pass model.parameters()"
        )
    try:
        params = list(parameters)
    except TypeError:
        raise TypeError(rule + f"returns; got parameters={show(parameters)}") from None
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(rule + f"returns; got parameters[{i}]={show(p)}")
    return params


def _require_grad(p: Parameter, func: str) -> np.ndarray:
    """The gradient of ``p``, a float array of the shape of ``p.value`` (no broadcasting)."""
    if not isinstance(p.value, np.ndarray) or p.value.dtype.kind != "f":
        raise TypeError(
            f"{func}: the value of {p.name!r} must be a float array (the optimizer "
            f"updates it in place); got {show(p.value)}"
        )
    if p.grad is None:
        raise ValueError(
            f"{func}: parameter {p.name!r} has no gradient yet; run the model's forward "
            "and backward passes before step()"
        )
    name = f"the grad of {p.name!r}"
    grad = as_float_array(p.grad, name, func)
    check_shape(grad, p.value.shape, name, func, "the shape of its value")
    return grad


class SGD:
    """Stochastic gradient descent, optionally with (heavy-ball) momentum.

    For each parameter ``w`` with gradient ``g``::

        v ← momentum · v + g        (v starts at 0)
        w ← w − lr · v

    With ``momentum=0`` this is plain gradient descent, ``w ← w − lr · g``. This is the
    form PyTorch's ``torch.optim.SGD`` uses (Polyak, 1964; Sutskever et al., 2013).

    Parameters
    ----------
    lr : float
        Learning rate (step size), > 0.
    momentum : float, default 0.0
        In [0, 1).

    Examples
    --------
    >>> w, g = np.array([1.0]), np.array([0.5])
    >>> SGD(lr=0.1).step([Parameter("w", w, g)])
    >>> w
    array([0.95])
    """

    def __init__(self, lr: float, *, momentum: float = 0.0) -> None:
        self.lr = _positive(lr, "lr", "SGD")
        self.momentum = _fraction(momentum, "momentum", "SGD")
        self.state: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"

    def step(self, parameters: Iterable[Parameter]) -> None:
        """Update every parameter in place from its gradient.

        ``parameters`` is what :meth:`cnnkit.model.Sequential.parameters` returns.
        """
        params = _parameters(parameters, "SGD.step")
        grads = [_require_grad(p, "SGD.step") for p in params]  # all checked, then updated
        for p, grad in zip(params, grads, strict=True):
            value = p.value  # a NamedTuple field can't be augmented-assigned; the array can
            if self.momentum == 0.0:
                value -= self.lr * grad
                continue
            velocity = self.state.get(p.name)
            if velocity is None:
                velocity = self.state[p.name] = np.zeros_like(p.value)
            velocity *= self.momentum
            velocity += grad
            value -= self.lr * velocity


class Adam:
    """Adam: gradient steps scaled by running estimates of the gradient's moments.

    For each parameter ``w`` with gradient ``g``, at step ``t = 1, 2, ...``::

        m ← β1 · m + (1 − β1) · g           (first moment, the mean)
        v ← β2 · v + (1 − β2) · g²          (second moment, the uncentred variance)
        m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)   (bias corrections; m and v start at 0)
        w ← w − lr · m̂ / (√v̂ + ε)

    (Kingma & Ba, 2015, Algorithm 1.) Each weight gets its own effective step size, about
    ``lr`` in size whatever the scale of its gradient.

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate, > 0.
    betas : (float, float), default (0.9, 0.999)
        Decay rates β1, β2 of the moment estimates, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator to avoid division by zero, > 0.
    """

    def __init__(
        self,
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        func = "Adam"
        self.lr = _positive(lr, "lr", func)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            message = f"{func}: betas must be a pair of numbers in [0, 1); got betas={show(betas)}"
            raise (ValueError if isinstance(betas, tuple | list) else TypeError)(message)
        self.betas = (_fraction(betas[0], "betas[0]", func), _fraction(betas[1], "betas[1]", func))
        self.eps = _positive(eps, "eps", func)
        self.t = 0
        self.state: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        # The moments of all the parameters live in two flat vectors, of which ``state``
        # holds views: a step is then a dozen numpy operations on two long vectors rather
        # than a dozen per parameter (the same arithmetic, element by element).
        self._flat: tuple[np.ndarray, np.ndarray] | None = None
        self._views: list[tuple[np.ndarray, np.ndarray]] = []

    def __repr__(self) -> str:
        b1, b2 = self.betas
        return f"Adam(lr={self.lr:g}, betas=({b1:g}, {b2:g}), eps={self.eps:g})"

    def _moments(self, params: list[Parameter]) -> tuple[np.ndarray, np.ndarray]:
        """The flat m and v of these parameters, made again when the parameters change
        (the moments already in ``state`` for a name and shape carry over)."""
        if len(params) == len(self._views) and all(
            self.state.get(p.name) is views and views[0].shape == p.value.shape
            for p, views in zip(params, self._views, strict=True)
        ):
            return self._flat
        dtype = np.result_type(*(p.value for p in params))
        size = sum(p.value.size for p in params)
        self._flat = (np.zeros(size, dtype=dtype), np.zeros(size, dtype=dtype))
        self._views, start = [], 0
        for p in params:
            views = tuple(
                f[start : start + p.value.size].reshape(p.value.shape) for f in self._flat
            )
            old = self.state.get(p.name)
            if old is not None and old[0].shape == p.value.shape:
                views[0][...], views[1][...] = old
            self.state[p.name] = views
            self._views.append(views)
            start += p.value.size
        return self._flat

    def step(self, parameters: Iterable[Parameter]) -> None:
        """Update every parameter in place from its gradient (one Adam step).

        ``parameters`` is what :meth:`cnnkit.model.Sequential.parameters` returns.
        """
        params = _parameters(parameters, "Adam.step")
        grads = [_require_grad(p, "Adam.step") for p in params]
        b1, b2 = self.betas
        self.t += 1
        if not params:
            return
        # The bias corrections fold into one scalar step size and a scaled epsilon.
        # Python floats, so that float32 parameters stay float32.
        step_size = self.lr * (1.0 - b2**self.t) ** 0.5 / (1.0 - b1**self.t)
        eps_hat = self.eps * (1.0 - b2**self.t) ** 0.5
        m, v = self._moments(params)
        grad = np.concatenate([g.ravel() for g in grads])  # all the gradients, end to end
        m *= b1
        m += (1.0 - b1) * grad
        v *= b2
        v += (1.0 - b2) * np.square(grad)
        update = step_size * m / (np.sqrt(v) + eps_hat)
        start = 0
        for p in params:
            value = p.value
            value -= update[start : start + value.size].reshape(value.shape)
            start += value.size
