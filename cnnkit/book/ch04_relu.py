"""Chapter 4, "Non-linearity: ReLU": activation functions, why a network needs them, and
what they do to gradients.

For ``notebooks/04_relu.ipynb``: the Sobel map of the sample photo that the chapter
rectifies (:func:`edge_map`), the drawings of the activation functions and their slopes
(:func:`show_activations`), the filter that two stacked convolutions collapse into
(:func:`combined_filter`), the gradient measured through a deep stack of layers
(:func:`gradient_norms`) and split into the part of the slopes and of the weights
(:func:`gradient_factors`), the chapter-10 network with another activation
(:func:`digits_net`) and its dead channels (:func:`relu_silence`), the explorer of an
activation applied to a feature map (:func:`activation_explorer`) and the chapter's
exercise checks (each takes ``reveal=True`` to show the answer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, NamedTuple

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

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
from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    check_value,
    close,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import fit_width, img_tag, show_image, signed_png
from cnnkit.book.style import DIVERGING_CMAP, OKABE_ITO
from cnnkit.convolution import conv2d
from cnnkit.data import sample_image, to_grayscale
from cnnkit.filters import sobel_x
from cnnkit.layers import (
    Dense,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Tanh,
)
from cnnkit.model import Sequential, lenet_digits

#: The slope of leaky ReLU for negative inputs in this chapter's drawings and explorer.
#: cnnkit's default is 0.01 (Maas et al., 2013), too flat to see in a plot.
LEAKY_ALPHA = 0.1

#: The activation functions of the chapter, by name: (function, derivative).
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable]] = {
    "ReLU": (relu, relu_grad),
    "leaky ReLU": (
        lambda x: leaky_relu(x, alpha=LEAKY_ALPHA),
        lambda x: leaky_relu_grad(x, alpha=LEAKY_ALPHA),
    ),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
}

#: The layer class of each activation, for networks built with cnnkit.layers.
ACTIVATION_LAYERS: dict[str, Callable[[], Any]] = {
    "ReLU": ReLU,
    "leaky ReLU": lambda: LeakyReLU(alpha=LEAKY_ALPHA),
    "sigmoid": Sigmoid,
    "tanh": Tanh,
}

_COLOURS = {
    "ReLU": OKABE_ITO["vermillion"],
    "leaky ReLU": OKABE_ITO["orange"],
    "sigmoid": OKABE_ITO["blue"],
    "tanh": OKABE_ITO["bluish green"],
}


@cache
def edge_map() -> np.ndarray:
    """The vertical-edge (Sobel x) response of the grey "china" photo, in [0, 1] units.

    ``conv2d(to_grayscale(sample_image("china")) / 255, sobel_x())``: a signed map of
    shape (425, 638), positive where the photo gets brighter from left to right and
    negative where it gets darker. Read-only (it is cached).
    """
    photo = to_grayscale(sample_image("china")) / 255.0
    m = conv2d(photo, sobel_x())
    m.setflags(write=False)
    return m


def show_relu_maps(m: np.ndarray, *, lim: float | None = None) -> Figure:
    """A signed map before and after ReLU, side by side, on the same colour scale.

    Orange is positive, purple negative, white 0 (``PuOr_r`` centred on 0, clipped at
    ``lim``, by default the 99th percentile of |m|).
    """
    if lim is None:
        lim = float(np.percentile(np.abs(m), 99))
    fig, axes = plt.subplots(1, 2, figsize=(8.6, 3.3), layout="constrained")
    for ax, values, title in [
        (axes[0], m, "before: the Sobel map (signed)"),
        (axes[1], relu(m), "after ReLU: negatives set to 0"),
    ]:
        show_image(values, ax=ax, title=title, cmap=DIVERGING_CMAP, vmin=-lim, vmax=lim)
    image = axes[1].images[0]
    fig.colorbar(image, ax=axes, shrink=0.8, label="value")
    return fig


def show_activations(x_min: float = -5.0, x_max: float = 5.0) -> Figure:
    """ReLU, leaky ReLU (α = :data:`LEAKY_ALPHA`), sigmoid and tanh (left) and their
    derivatives (right), on x from ``x_min`` to ``x_max``."""
    x = np.linspace(x_min, x_max, 401)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.6, 3.4), layout="constrained")
    styles = {"ReLU": "-", "leaky ReLU": (0, (4, 2)), "sigmoid": "-", "tanh": "-"}
    for name, (f, grad) in ACTIVATIONS.items():
        label = f"leaky ReLU (α = {LEAKY_ALPHA})" if name == "leaky ReLU" else name
        kwargs = {"color": _COLOURS[name], "linestyle": styles[name], "linewidth": 2}
        left.plot(x, f(x), label=label, **kwargs)
        right.plot(x, grad(x), label=label, **kwargs)
    left.set_ylim(-1.5, 3.0)
    left.set_title("the functions g(x)")
    left.set_ylabel("g(x)")
    right.set_ylim(-0.1, 1.15)
    right.set_title("their derivatives g′(x)")
    right.set_ylabel("g′(x)")
    for ax in (left, right):
        ax.axhline(0, color="#777777", linewidth=0.6)
        ax.axvline(0, color="#777777", linewidth=0.6)
        ax.set_xlabel("x (input of the activation)")
    right.axhline(0.25, color=_COLOURS["sigmoid"], linewidth=0.8, linestyle=":")
    right.annotate(
        "0.25",
        (x_max, 0.25),
        xytext=(-4, 4),
        textcoords="offset points",
        ha="right",
        color=_COLOURS["sigmoid"],
        fontsize=8,
    )
    left.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def combined_filter(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The one filter that does what filter ``a`` followed by filter ``b`` does.

    For 2-D filters a (Fa×Fa) and b (Fb×Fb), and any image x large enough,
    ``conv2d(conv2d(x, a), b) == conv2d(x, combined_filter(a, b))`` (stride 1, no
    padding, no bias). The combined filter has size Fa + Fb − 1:

        c[u, v] = Σ_{p, q} a[p, q] · b[u − p, v − q]

    Each weight of ``a`` places a copy of ``b``, scaled by that weight, at its own offset.

    Examples
    --------
    >>> combined_filter(np.ones((3, 3)), np.ones((3, 3))).astype(int)
    array([[1, 2, 3, 2, 1],
           [2, 4, 6, 4, 2],
           [3, 6, 9, 6, 3],
           [2, 4, 6, 4, 2],
           [1, 2, 3, 2, 1]])
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(
            f"combined_filter: a and b must be 2-D filters; got shapes {a.shape} and {b.shape}"
        )
    c = np.zeros((a.shape[0] + b.shape[0] - 1, a.shape[1] + b.shape[1] - 1))
    for p, q in np.ndindex(a.shape):
        c[p : p + b.shape[0], q : q + b.shape[1]] += a[p, q] * b
    return c


def _stack_trace(
    activation: str, depth: int, width: int, batch: int, rng: int
) -> list[tuple[Any, np.ndarray, float, float]]:
    """Forward and backward through ``depth`` blocks of Dense + activation.

    Returns one entry per layer, bottom first: (layer, its input in the forward pass,
    norm of the gradient at its output, norm of the gradient at its input).
    """
    gen = np.random.default_rng(rng)
    layers = []
    for _ in range(depth):
        layers += [Dense(width, width, rng=gen, dtype=np.float64), ACTIVATION_LAYERS[activation]()]
    out = gen.standard_normal((batch, width))
    inputs = []
    for layer in layers:
        inputs.append(out)
        out = layer.forward(out, training=True)
    d = gen.standard_normal(out.shape)
    trace = []
    for layer, x_in in zip(reversed(layers), reversed(inputs), strict=True):
        above = float(np.linalg.norm(d))
        d = layer.backward(d)
        trace.append((layer, x_in, above, float(np.linalg.norm(d))))
    return trace[::-1]


def gradient_norms(
    activation: str, *, depth: int = 20, width: int = 64, batch: int = 32, rng: int = 0
) -> np.ndarray:
    """The size of the gradient at the input of each layer of a deep stack.

    Builds ``depth`` blocks of ``Dense(width, width)`` + activation (He-initialised, as
    cnnkit.layers does, in float64), runs a random batch forward, sends a random gradient
    back from the top and records the norm of the gradient that reaches the input of
    each Dense layer.

    Returns
    -------
    ndarray, shape (depth,)
        Entry 0 is the norm at the network's input (the bottom), entry depth − 1 the
        norm at the last Dense layer (the top).
    """
    trace = _stack_trace(activation, depth, width, batch, rng)
    return np.array([below for layer, _, _, below in trace if isinstance(layer, Dense)])


class GradientFactors(NamedTuple):
    """What happens to the gradient of :func:`gradient_norms`'s stack between the input
    of the top layer and the input of layer 1: the blocks 1 to depth − 1."""

    ratio: float
    """Norm at the input of layer 1 over norm at the input of the top layer."""
    slopes: float
    """The factor by which the activations of those blocks change the norm, together."""
    weights: float
    """The factor by which their Dense layers change it; ``slopes * weights == ratio``."""
    mean_slope: float
    """The activation's slope g′(z), averaged over every input z of those activations."""


def gradient_factors(
    activation: str, *, depth: int = 20, width: int = 64, batch: int = 32, rng: int = 0
) -> GradientFactors:
    """Split the shrinking (or growth) of the gradient in :func:`gradient_norms`'s stack
    (same arguments, same network and data) into the part of the activations' slopes and
    the part of the weights.

    Each layer multiplies the norm of the gradient that passes it by some factor; the
    product of the activations' factors and the product of the Dense layers' factors
    multiply to ``ratio``.

    Examples
    --------
    >>> f = gradient_factors("sigmoid", depth=5)
    >>> bool(f.mean_slope <= 0.25 and f.slopes <= 0.25**4)
    True
    >>> bool(np.isclose(f.slopes * f.weights, f.ratio))
    True
    """
    if depth < 2:
        raise ValueError(f"gradient_factors: depth must be at least 2; got {depth}")
    trace = _stack_trace(activation, depth, width, batch, rng)
    between = trace[: 2 * (depth - 1)]  # Dense and activation of blocks 1 .. depth - 1
    slope = ACTIVATIONS[activation][1]
    slopes = weights = 1.0
    z = []
    for layer, x_in, above, below in between:
        if isinstance(layer, Dense):
            weights *= below / above
        else:
            slopes *= below / above
            z.append(x_in.ravel())
    return GradientFactors(
        ratio=trace[0][3] / trace[-2][3],
        slopes=slopes,
        weights=weights,
        mean_slope=float(np.mean(slope(np.concatenate(z)))),
    )


def show_gradient_norms(norms: dict[str, np.ndarray]) -> Figure:
    """The gradient norm at each layer's input (log scale), one line per activation."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    for name, values in norms.items():
        ax.semilogy(
            np.arange(1, len(values) + 1),
            values,
            "o-",
            markersize=3,
            color=_COLOURS[name],
            label=name,
        )
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("norm of the gradient at its input")
    ax.set_title("the gradient on its way down, from layer 20 to layer 1")
    ax.legend(fontsize=8, frameon=False)
    return fig


def digits_net(activation: str = "ReLU", *, rng: int = 0) -> Sequential:
    """The chapter-10 network (:func:`cnnkit.model.lenet_digits`) with another activation.

    Same layers, sizes and initial weights for a given ``rng``; only the two ReLU
    layers are replaced by ``activation``, a key of :data:`ACTIVATION_LAYERS`.
    """
    return lenet_digits(activation=ACTIVATION_LAYERS[activation], rng=rng)


class Silence(NamedTuple):
    """How much of one ReLU layer's output is 0 on every image of a set."""

    channels: int
    """The layer's number of channels (feature maps)."""
    dead_channels: int
    """Channels that are 0 at every position on every image: dead on these images."""
    silent_positions: float
    """Share of the output values (channel, row, column) that are 0 on every image."""


def relu_silence(net: Sequential, x: np.ndarray) -> list[Silence]:
    """For each ReLU layer of ``net``, run on the images ``x``: its dead channels and
    its share of silent positions (:class:`Silence`).

    A convolution's weights are shared by all the positions of a channel, so a channel
    is the unit that can die: one that is 0 everywhere on every image passes no gradient
    back, and its filter stops learning. A single silent position is not a dead unit:
    it is often a place where the images have no ink (the border of a digit).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((20, 1, 8, 8)).astype(np.float32)
    >>> net = digits_net("ReLU", rng=0)
    >>> [(s.dead_channels, s.channels) for s in relu_silence(net, x)]
    [(0, 12), (0, 24)]
    >>> net[0].params["b"][0] = -1e3  # channel 0 of the first layer can never fire
    >>> relu_silence(net, x)[0].dead_channels
    1
    """
    found = []
    out = np.asarray(x)
    for layer in net:
        out = layer.forward(out)
        if isinstance(layer, ReLU):
            silent = np.all(out <= 0, axis=0)  # (C, H, W): 0 on every image
            found.append(
                Silence(
                    channels=silent.shape[0],
                    dead_channels=int(np.count_nonzero(silent.all(axis=(1, 2)))),
                    silent_positions=float(silent.mean()),
                )
            )
    return found


# --------------------------------------------------------------------------- the explorer
#: The settings of the web book's form.
WEB_GRID = {
    "activation": list(ACTIVATIONS),
    "bias": [-1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0],
}


@cache
def _small_map() -> np.ndarray:
    small, _ = fit_width(edge_map(), 280)
    return small


def _scale() -> float:
    return float(np.percentile(np.abs(edge_map()), 99))


@cache
def _map_picture(values_key: tuple[str, float]) -> str:
    activation, bias = values_key
    m = _small_map() + bias
    if activation:
        m = ACTIVATIONS[activation][0](m)
    png = signed_png(m, _scale(), photo=True)
    alt = (
        f"the edge map plus {bias:g}, after {activation}"
        if activation
        else f"the edge map plus {bias:g}, before the activation"
    )
    return img_tag(png, alt, "max-width:290px")


def activation_html(activation: str, bias: float) -> str:
    """What the chapter 4 explorer shows: the edge map plus ``bias``, before and after
    ``activation``, with the share of values that are exactly 0, negative and positive.

    The numbers are counted on the full map (:func:`edge_map`); the pictures are shrunk
    to about 280 pixels wide, on the same colour scale (orange positive, purple
    negative, white 0).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    bias = float(bias)
    before = edge_map() + bias
    after = ACTIVATIONS[activation][0](before)

    def shares(m: np.ndarray) -> str:
        return (
            f"zeros <b>{np.mean(m == 0):.1%}</b>, negative {np.mean(m < 0):.1%}, "
            f"positive {np.mean(m > 0):.1%}; range {m.min():.2f} to {m.max():.2f}"
        )

    cell = "display:inline-block;vertical-align:top;margin-right:12px"
    return (
        "<div class='cnnkit-relu'>"
        f"<div style='{cell}'><b>before</b>: edge map + bias ({bias:+g})<br>"
        f"{_map_picture(('', bias))}<br>{shares(before)}</div>"
        f"<div style='{cell}'><b>after {activation}</b><br>"
        f"{_map_picture((activation, bias))}<br>{shares(after)}</div>"
        "<p style='margin-top:6px'>Orange: positive, purple: negative, white: 0 (the same "
        "scale in both pictures).</p></div>"
    )


def activation_explorer() -> Explorer:
    """Chapter 4: an activation function applied to a real feature map, after a bias.

    A dropdown picks ReLU, leaky ReLU, sigmoid or tanh; a slider adds a bias (a
    threshold) to the Sobel map of the photo before the activation. The output is
    :func:`activation_html`.
    """
    style = {"description_width": "7em"}
    controls = {
        "activation": w.Dropdown(
            options=list(ACTIVATIONS), value="ReLU", description="activation", style=style
        ),
        "bias": w.FloatSlider(
            value=0.0, min=-1.0, max=1.0, step=0.1, description="bias b", style=style
        ),
    }
    return Explorer(
        controls,
        activation_html,
        grid=WEB_GRID,
        source="cnnkit.book.ch04_relu:activation_explorer",
    )


# --------------------------------------------------------------------------- exercises
def _relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.asarray(dout) * relu_grad(x)


def _relu_cases() -> list[Case]:
    gen = np.random.default_rng(4)
    small = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])
    ones = np.ones_like(small)
    batch = gen.standard_normal((2, 3, 4, 4))
    varying = np.arange(6.0).reshape(2, 3) - 2  # negative, zero and positive values
    # The first case tells a mask taken from x from one taken from dout: a reader's
    # function is named after its first failing case.
    return [
        Case(
            (varying, small),
            label="a 2×3 map x with zeros in it, dout of both signs",
            inputs={"dout": varying, "x": small},
        ),
        Case(
            (2 * ones, small),
            label="the same map x, dout = 2 everywhere",
            inputs={"dout": 2 * ones, "x": small},
        ),
        Case((gen.standard_normal(batch.shape), batch), label="a batch x of shape (2, 3, 4, 4)"),
    ]


_RELU_BACKWARD_MISTAKES = (
    Mistake(
        "forgot dout",
        "Forgot dout: you returned ReLU's slope (0 or 1) alone. The gradient that reaches "
        "x is the gradient from above, dout, times the slope at x.",
        compute=lambda dout, x: relu_grad(x),
    ),
    Mistake(
        "used x >= 0",
        "You used x >= 0: the book takes the derivative at 0 to be 0, as cnnkit, PyTorch "
        "and TensorFlow do, so no gradient passes where x is exactly 0.",
        compute=lambda dout, x: np.asarray(dout) * (np.asarray(x) >= 0),
    ),
    Mistake(
        "masked with the output",
        "You multiplied dout by relu(x), the output, instead of by the slope: the gradient "
        "passes unchanged (times 1) where x > 0, whatever the size of x.",
        compute=lambda dout, x: np.asarray(dout) * relu(x),
    ),
    Mistake(
        "applied ReLU to dout",
        "You applied ReLU to dout (kept its positive values): the mask comes from x, the "
        "input that the forward pass saw, not from dout. The gradient passes where x was "
        "positive, whatever the sign of dout, and is 0 elsewhere.",
        compute=lambda dout, x: relu(np.asarray(dout)),
    ),
    Mistake(
        "returned dout unchanged",
        "You returned dout unchanged: where x < 0, ReLU's output does not move when x "
        "moves, so the gradient there is 0.",
        compute=lambda dout, x: np.asarray(dout),
    ),
)


def check_relu_backward(fn: Any, *, reveal: bool = False) -> CheckResult:
    """Implement: ``fn(dout, x)`` returns the gradient of ReLU at x, dout · relu'(x).

    The derivative at exactly 0 is taken to be 0 (the book's convention). Run on a small
    map with zeros in it, with ``dout`` of both signs and with a constant ``dout``, and on
    a batch; compared with cnnkit's ``dout * relu_grad(x)``. Named mistakes: forgot dout,
    used x >= 0, masked with the output, applied ReLU to dout, returned dout unchanged.

    Examples
    --------
    >>> check_relu_backward(lambda dout, x: np.maximum(dout, 0)).mistake
    'applied ReLU to dout'
    """
    return check_function(
        fn,
        _relu_backward,
        _relu_cases(),
        _RELU_BACKWARD_MISTAKES,
        title="ReLU backward",
        signature="my_relu_backward(dout, x)",
        reveal=reveal,
    )


#: Exercise 4.2's tolerance: an answer rounded to two significant digits passes.
SIGMOID_DEPTH_RTOL = 0.02


def _one_digit_roundings(value: float) -> tuple[float, float]:
    """``value`` rounded down and up to one significant digit (for 9.54e-7: 9e-7, 1e-6)."""
    exponent = np.floor(np.log10(value))
    mantissa = value / 10**exponent
    return float(np.floor(mantissa) * 10**exponent), float(np.ceil(mantissa) * 10**exponent)


def check_sigmoid_depth(answer: Any, *, depth: int = 10, reveal: bool = False) -> CheckResult:
    """Predict: the largest share of a gradient that can pass ``depth`` sigmoids.

    Each sigmoid multiplies the gradient by its slope, at most 0.25 (at x = 0), so at
    most 0.25**depth passes (the weights between the layers left aside). Two significant
    digits are enough: an answer within :data:`SIGMOID_DEPTH_RTOL` of the exact value
    passes. Named mistakes: the slope taken as 0.5 or 1, the slopes added instead of
    multiplied, one layer only, one sigmoid too few or too many (0.25**(depth ∓ 1)), and
    the right answer rounded to one significant digit (down or up).

    Examples
    --------
    >>> check_sigmoid_depth(9.5e-7)
    ✓ Correct: the gradient through 10 sigmoids
    >>> check_sigmoid_depth(0.25**9).mistake
    'one sigmoid too few'
    """
    expected = 0.25**depth
    roundings = _one_digit_roundings(expected)

    def within(got: Any, want: Any) -> bool:
        return close(got, want, rtol=SIGMOID_DEPTH_RTOL, atol=0.0)

    def rounded(got: Any, want: Any, case: Case) -> bool:
        return _is_number(got) and any(close(got, r, rtol=1e-6, atol=0.0) for r in roundings)

    named = [
        (
            "slope taken as 0.5",
            0.5**depth,
            "0.5 is sigmoid's value at 0, not its slope: σ′(0) = σ(0)(1 − σ(0)).",
        ),
        (
            "slope taken as 1",
            1.0,
            "A slope of 1 is tanh's at 0 (and ReLU's for x > 0); sigmoid's is smaller.",
        ),
        ("added the slopes", 0.25 * depth, "The slopes multiply (chain rule), they do not add up."),
        (
            "one layer only",
            0.25,
            "That is one layer; the gradient passes through all of them in turn.",
        ),
        (
            "one sigmoid too few",
            0.25 ** (depth - 1),
            f"The slope is right; count its factors again. The gradient passes each of the "
            f"{depth} sigmoids, from above the top layer down to the bottom, and each "
            "multiplies it by its slope. (The measurement in the text counted one sigmoid "
            "fewer than layers: it started at the input of the top layer, below that "
            "layer's sigmoid.)",
        ),
        (
            "one sigmoid too many",
            0.25 ** (depth + 1),
            f"The slope is right; count its factors again: each of the {depth} sigmoids "
            "multiplies the gradient by its slope once, and nothing else does (the weights "
            "are left aside).",
        ),
    ]
    mistakes = [Mistake(name, hint, compute=lambda v=value: v) for name, value, hint in named]
    mistakes.append(
        Mistake(
            "rounded too coarsely",
            "Close, but rounded too coarsely: the reasoning is right. Keep two significant "
            "digits (or write the product itself).",
            test=rounded,
        )
    )
    return check_answer(
        answer,
        expected,
        mistakes,
        Case(label=f"{depth} sigmoid layers, each at its steepest point"),
        f"the gradient through {depth} sigmoids",
        within,
        within,
        recompute="Find sigmoid's largest slope g′(x) on the plot, then apply the chain rule "
        "once per layer.",
        reveal=reveal,
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


#: The options of exercise 4.3, as the notebook lists them.
NONLINEARITY_OPTIONS = {
    "a": "To keep the values positive, because pixels cannot be negative.",
    "b": "Without it, two convolutions in a row are one convolution with a larger filter, "
    "so the second layer adds nothing that one layer could not do.",
    "c": "To make the network faster: ReLU is cheaper to compute than a convolution.",
    "d": "To reduce the number of parameters of the second layer.",
}

_NONLINEARITY_WHY = {
    "a": "Sigmoid is positive, but tanh and leaky ReLU give negative values too, and they "
    "work. Feature maps are not pixels: negative values are fine.",
    "b": "A convolution is linear, and two linear maps in a row are one linear map: "
    "conv(conv(x, a), b) = conv(x, c) with a single (Fa + Fb − 1)-wide filter c. A "
    "non-linearity in between breaks that equality, so depth can build new features.",
    "c": "An activation adds work, it saves none: every layer still does its whole convolution.",
    "d": "An activation has no parameters and changes none: the second layer has "
    "K·(F·F·C + 1) weights with it or without it.",
}


def check_why_nonlinear(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Explain: why is there an activation between two convolutions?

    The options are :data:`NONLINEARITY_OPTIONS`, whose wrong ones are the usual
    misconceptions.

    Examples
    --------
    >>> check_why_nonlinear("d").hint.startswith("An activation has no parameters")
    True
    """
    return check_choice(
        answer,
        NONLINEARITY_OPTIONS,
        "b",
        _NONLINEARITY_WHY,
        title="why a non-linearity",
        reveal=reveal,
    )


def check_stacked_size(
    answer: Any, *, kernel_sizes: Sequence[int] = (3, 3, 3), reveal: bool = False
) -> CheckResult:
    """Scale: the filter size of the one convolution that equals a stack of them.

    ``len(kernel_sizes)`` convolutions (stride 1, no activation) with filter sizes F1,
    F2, ... equal one convolution with a filter of size F1 + F2 + ... − (n − 1). Named
    mistakes: sizes multiplied, sizes added, the largest size kept.
    """
    sizes = [int(f) for f in kernel_sizes]
    expected = sum(sizes) - (len(sizes) - 1)
    mistakes = [
        (
            int(np.prod(sizes)),
            "The sizes do not multiply: each filter widens the view by "
            "F − 1 pixels, on top of what the layers before it see.",
        ),
        (
            sum(sizes),
            "Close: each extra layer widens the filter by F − 1, not by F (the "
            "windows of two neighbouring outputs overlap).",
        ),
        (
            max(sizes),
            "Stacking does widen the filter: an output of the second layer "
            "depends on a whole window of outputs of the first, each with its own window.",
        ),
    ]
    shown = " then ".join(f"{f}×{f}" for f in sizes)
    return check_value(
        answer,
        expected,
        [(v, h) for v, h in mistakes if v != expected],
        title="the size of the combined filter",
        question=f"convolutions of {shown}",
        recompute="Follow one output pixel down: how many input pixels does it depend on "
        "along one row? Use combined_filter on two filters to check.",
        reveal=reveal,
    )


def _kept(bias: float) -> float:
    return float(np.mean(relu(edge_map() + bias) > 0))


def _as_bias(value: Any) -> float | None:
    try:
        b = float(value)
    except (TypeError, ValueError):
        return None
    return b if np.isfinite(b) else None


def check_threshold_design(
    bias: Any, *, low: float = 0.05, high: float = 0.10, reveal: bool = False
) -> CheckResult:
    """Design: a bias b so that relu(edge_map() + b) keeps between ``low`` and ``high``
    of the pixels non-zero (only the strongest left-to-right brightenings).

    The check runs the reader's bias on the full map and says which share it keeps.
    Named mistakes: not a number, a positive bias, too many pixels kept, too few.
    """
    # a bias in the middle of the target: the value that keeps (low + high)/2
    expected = -float(np.quantile(edge_map(), 1 - (low + high) / 2))
    target = f"between {low:.0%} and {high:.0%}"

    def keeps(got: Any, _expected: Any) -> bool:
        b = _as_bias(got)
        return b is not None and low <= _kept(b) <= high

    share = None if _as_bias(bias) is None else _kept(_as_bias(bias))
    shown = "" if share is None else f"Your bias keeps {share:.1%} of the pixels. "
    mistakes = [
        Mistake(
            "not a number",
            "Give the bias as one number, e.g. -0.3.",
            test=lambda got, e, case: _as_bias(got) is None,
        ),
        Mistake(
            "positive bias",
            shown + "A positive bias lifts the whole map, so ReLU keeps more pixels, not "
            "fewer: the bias must be negative.",
            test=lambda got, e, case: (_as_bias(got) or 0) > 0,
        ),
        Mistake(
            "keeps too many",
            shown + f"That is more than {high:.0%}: make the bias more negative, so that "
            "weaker edges fall below 0.",
            test=lambda got, e, case: _as_bias(got) is not None and _kept(_as_bias(got)) > high,
        ),
        Mistake(
            "keeps too few",
            shown + f"That is fewer than {low:.0%}: the bias is too negative.",
            test=lambda got, e, case: _as_bias(got) is not None and _kept(_as_bias(got)) < low,
        ),
    ]
    return check_answer(
        bias,
        expected,
        mistakes,
        Case(label=f"relu(edge_map() + b) must keep {target} of the pixels"),
        "a bias that keeps only the strong edges",
        keeps,
        lambda got, value: False,
        recompute="Look at the explorer's share of zeros as you move the bias.",
        reveal=reveal,
    )
