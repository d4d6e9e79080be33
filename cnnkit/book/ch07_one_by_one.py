"""Chapter 7, "1×1 convolution": a dense layer at every pixel, and the bottleneck.

For ``notebooks/07_one_by_one.ipynb``: a 1×1 layer that mixes the colour channels of a
photo (:data:`COLOUR_FILTERS`, :func:`colour_mixing_figure`), the cost of a convolution
with and without a 1×1 bottleneck in front of it (:func:`bottleneck_cost`), the explorer
of that cost
(:func:`bottleneck_explorer`, whose output is :func:`bottleneck_html`), and the
chapter's exercise checks (each takes ``reveal=True`` to show the answer).

Notation: an input of C channels and H×W pixels, a 1×1 layer that reduces it to R
channels, then K filters of size F×F ("same" padding, stride 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    close,
    same_integer,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import hide_frame, show_image, svg
from cnnkit.book.style import OKABE_ITO
from cnnkit.convolution import conv2d
from cnnkit.cost import conv2d_cost

# --------------------------------------------------------------------------- colour mixing
#: Three 1×1 filters over the (R, G, B) channels of a photo, one row each: the grey level
#: of chapter 1 (the ITU-R BT.601 weights) and two colour differences.
COLOUR_FILTERS = {
    "brightness": (0.299, 0.587, 0.114),
    "red − green": (1.0, -1.0, 0.0),
    "blue − yellow": (-0.5, -0.5, 1.0),
}


def colour_weights() -> np.ndarray:
    """The filters of :data:`COLOUR_FILTERS` as conv2d weights (K, C, 1, 1) = (3, 3, 1, 1)."""
    return np.array(list(COLOUR_FILTERS.values()))[:, :, None, None]


def colour_mixing_figure(photo: np.ndarray, maps: np.ndarray) -> Figure:
    """The photo (H, W, 3) beside the three maps (3, H, W) of :func:`colour_weights`.

    The brightness is drawn on its 0..1 scale; each colour difference in grey centred on
    zero (mid-grey 0, white the most positive values), clipped at the 99.5th percentile of
    its magnitude so that a few extreme pixels do not wash out the rest.
    """
    fig, axes = plt.subplots(2, 2, figsize=(8, 6))
    axes = axes.ravel()
    show_image(photo, ax=axes[0], title="photo: C = 3 channels")
    names = list(COLOUR_FILTERS)
    show_image(maps[0], ax=axes[1], title=names[0], vmin=0.0, vmax=1.0)
    for k in (1, 2):
        lim = float(np.percentile(np.abs(maps[k]), 99.5)) or 1.0
        axes[k + 1].imshow(maps[k], cmap="gray", vmin=-lim, vmax=lim)
        hide_frame(axes[k + 1])
        axes[k + 1].set_title(f"{names[k]} (white: positive)")
    return fig


# --------------------------------------------------------------------------- bottleneck
class BottleneckCost(NamedTuple):
    """Parameters and multiply-adds of a K-filter F×F convolution on a C×H×W input,
    directly and behind a 1×1 layer to R channels (see :func:`bottleneck_cost`)."""

    direct_params: int
    direct_macs: int
    reduce_params: int
    reduce_macs: int
    after_params: int
    after_macs: int

    @property
    def bottleneck_params(self) -> int:
        return self.reduce_params + self.after_params

    @property
    def bottleneck_macs(self) -> int:
        return self.reduce_macs + self.after_macs


def bottleneck_cost(
    in_shape: tuple[int, int, int], reduced: int, out_channels: int, kernel_size: int
) -> BottleneckCost:
    """The cost of an F×F convolution to K maps, directly and after a 1×1 layer to R maps.

    All by :func:`cnnkit.cost.conv2d_cost`, stride 1 and "same" padding (F odd), so
    every layer keeps H×W. Multiply-adds do not count the biases, parameters do.

    Examples
    --------
    The 5×5 branch of GoogLeNet's inception (3a) module (Szegedy et al., 2015):

    >>> c = bottleneck_cost((192, 28, 28), 16, 32, 5)
    >>> c.direct_macs, c.bottleneck_macs
    (120422400, 12443648)
    """
    f = kernel_size
    c, h, w_ = in_shape
    direct = conv2d_cost(in_shape, out_channels, f, padding="same")
    reduce = conv2d_cost(in_shape, reduced, 1)
    after = conv2d_cost((reduced, h, w_), out_channels, f, padding="same")
    return BottleneckCost(
        direct.params, direct.macs, reduce.params, reduce.macs, after.params, after.macs
    )


# --------------------------------------------------------------------------- the explorer
def _bars(direct: int, bottleneck: int, what: str) -> str:
    top = max(direct, bottleneck)
    width = 320
    rows = [
        ("direct", direct, OKABE_ITO["vermillion"]),
        ("1×1 first", bottleneck, OKABE_ITO["blue"]),
    ]
    body = ""
    for k, (label, value, colour) in enumerate(rows):
        y = 6 + 26 * k
        length = max(1.0, (width - 90) * value / top)
        body += (
            f'<text x="0" y="{y + 14}" font-size="12">{label}</text>'
            f'<rect x="80" y="{y}" width="{length:.1f}" height="18" fill="{colour}"/>'
        )
    title = f"{what}: direct {direct:,}, with the 1×1 bottleneck {bottleneck:,}"
    return svg(width, 60, title, body)


def bottleneck_html(
    in_channels: int = 192,
    reduced: int = 16,
    out_channels: int = 32,
    kernel_size: int = 5,
    size: int = 28,
) -> str:
    """The explorer's output: a table of parameters and multiply-adds of the F×F layer
    with and without the 1×1 bottleneck, the saving, and bars of the multiply-adds."""
    c = bottleneck_cost((in_channels, size, size), reduced, out_channels, kernel_size)
    f = kernel_size
    rows = [
        (f"direct: {f}×{f}, {in_channels} → {out_channels}", c.direct_params, c.direct_macs),
        (f"1×1, {in_channels} → {reduced}", c.reduce_params, c.reduce_macs),
        (f"then {f}×{f}, {reduced} → {out_channels}", c.after_params, c.after_macs),
        ("bottleneck, both layers", c.bottleneck_params, c.bottleneck_macs),
    ]
    table = "".join(
        f"<tr><td>{name}</td><td style='text-align:right'><b>{p:,}</b></td>"
        f"<td style='text-align:right'><b>{m:,}</b></td></tr>"
        for name, p, m in rows
    )
    ratio = c.direct_macs / c.bottleneck_macs
    verdict = (
        f"The bottleneck does <b>{ratio:.1f}×</b> fewer multiply-adds."
        if ratio >= 1
        else f"The bottleneck does <b>{1 / ratio:.1f}×</b> MORE multiply-adds: "
        "R is not small enough compared with C to pay for the extra 1×1 layer."
    )
    return (
        f'<div class="cnnkit-bottleneck"><p>Input {in_channels}×{size}×{size} '
        f"(C×H×W), output {out_channels}×{size}×{size}, stride 1, same padding.</p>"
        '<table class="cnnkit-bottleneck-table"><tr><th>layer</th><th>parameters</th>'
        f"<th>multiply-adds</th></tr>{table}</table><p>{verdict}</p>"
        f"{_bars(c.direct_macs, c.bottleneck_macs, 'multiply-adds')}</div>"
    )


#: The settings of the web book's form.
WEB_GRID = {
    "in_channels": [64, 128, 192, 256],
    "reduced": [16, 32, 64, 96],
    "out_channels": [32, 64, 128],
    "kernel_size": [3, 5],
    "size": [14, 28],
}


def bottleneck_explorer() -> Explorer:
    """Chapter 7: the channels C of the input, the reduced channels R, the output
    channels K, the filter size F of the following convolution and the image size; the
    output is :func:`bottleneck_html`."""
    style = {"description_width": "12em"}
    layout = w.Layout(width="30em")
    controls = {
        "in_channels": w.IntSlider(
            value=192, min=8, max=512, step=8, description="input channels C"
        ),
        "reduced": w.IntSlider(value=16, min=8, max=256, step=8, description="reduced channels R"),
        "out_channels": w.IntSlider(
            value=32, min=8, max=256, step=8, description="output channels K"
        ),
        "kernel_size": w.Dropdown(options=[3, 5, 7], value=5, description="filter size F"),
        "size": w.Dropdown(options=[7, 14, 28, 56], value=28, description="image size H = W"),
    }
    for control in controls.values():
        control.style = style
        control.layout = layout
    return Explorer(
        controls,
        bottleneck_html,
        grid=WEB_GRID,
        source="cnnkit.book.ch07_one_by_one:bottleneck_explorer",
    )


# --------------------------------------------------------------------------- exercises
def _conv1x1_reference(x: np.ndarray, w_: np.ndarray) -> np.ndarray:
    return conv2d(x, w_[:, :, None, None])


def _conv1x1_case(c: int, h: int, wd: int, k: int, seed: int) -> Case:
    gen = np.random.default_rng(seed)
    x = gen.normal(size=(c, h, wd))
    w_ = gen.normal(size=(k, c))
    return Case((x, w_), label=f"x of shape {x.shape}, w of shape {w_.shape}")


def check_conv1x1(
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | None,
    *,
    title: str = "1×1 convolution",
    reveal: bool = False,
) -> CheckResult:
    """Check a reader's ``fn(x, w)``: a 1×1 convolution with x (C, H, W) and w (K, C),
    returning (K, H, W), against ``conv2d(x, w[:, :, None, None])``.

    Named mistakes: reshaped without moving the channels (pixels and channels mixed up);
    summed the channels without weights.

    Examples
    --------
    >>> check_conv1x1(lambda x, w: np.einsum("kc,chw->khw", w, x))
    ✓ Correct: 1×1 convolution (all 3 cases pass)
    """
    mistakes = [
        Mistake(
            "reshaped without moving the channels",
            "x.reshape(H·W, C) does not put one pixel per row: in (C, H, W) order the "
            "channels come first. Reshape to (C, H·W) and transpose, or multiply w (K, C) "
            "by x.reshape(C, H·W) directly.",
            compute=lambda x, w_: (x.reshape(-1, x.shape[0]) @ w_.T).T.reshape(
                w_.shape[0], *x.shape[1:]
            ),
        ),
        Mistake(
            "no weights",
            "Each output map is a weighted sum of the input channels, with the weights of "
            "one row of w; not a plain sum.",
            compute=lambda x, w_: np.repeat(x.sum(axis=0)[None], w_.shape[0], axis=0),
        ),
    ]
    return check_function(
        fn,
        _conv1x1_reference,
        [
            _conv1x1_case(3, 2, 2, 2, 0),
            _conv1x1_case(4, 3, 5, 6, 1),
            _conv1x1_case(16, 4, 4, 8, 2),
        ],
        mistakes,
        title=title,
        compare=lambda got, want: np.shape(got) == want.shape and close(got, want),
        match=lambda got, want: np.shape(got) == np.shape(want) and close(got, want),
        signature="fn(x, w)",
        reveal=reveal,
    )


#: Exercise 7.2: the reduction of chapter 7, C → K with a 1×1 layer.
REDUCTION = {"in_channels": 128, "out_channels": 64}


def check_reduction_params(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Check the parameters of a 1×1 layer from 128 to 64 channels: K·(C + 1).

    Examples
    --------
    >>> check_reduction_params(8256)
    ✓ Correct: parameters of the 1×1 layer
    >>> check_reduction_params(8192).mistake
    'forgot the bias'
    """
    c, k = REDUCTION["in_channels"], REDUCTION["out_channels"]
    mistakes = [
        Mistake(
            "forgot the bias",
            "Forgot the bias: each of the K filters has C weights and one bias.",
            compute=lambda: k * c,
        ),
        Mistake(
            "counted a 3×3 filter",
            "A 1×1 filter has one weight per input channel, F·F·C = C, not 9·C.",
            compute=lambda: k * (9 * c + 1),
        ),
        Mistake(
            "counted one filter",
            "That is one filter: the layer has K of them, one per output channel.",
            compute=lambda: c + 1,
        ),
    ]
    return check_answer(
        answer,
        conv2d_cost((c, 1, 1), k, 1).params,
        mistakes,
        Case(label=f"a 1×1 convolution from {c} to {k} channels"),
        "parameters of the 1×1 layer",
        compare=same_integer,
        match=same_integer,
        recompute="Count the weights of one 1×1×C filter, add its bias, multiply by K.",
        reveal=reveal,
    )


#: Exercise 7.3: the 3×3 branch of inception (3a): 28×28×192 → 1×1 to 96 → 3×3 to 128.
INCEPTION_3X3 = {"in_shape": (192, 28, 28), "reduced": 96, "out_channels": 128, "kernel_size": 3}


def check_bottleneck_macs(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Check the multiply-adds of the bottleneck path of :data:`INCEPTION_3X3`.

    Examples
    --------
    >>> check_bottleneck_macs(101154816)
    ✓ Correct: multiply-adds of the bottleneck path
    """
    c = bottleneck_cost(**INCEPTION_3X3)
    h, w_ = INCEPTION_3X3["in_shape"][1:]
    mistakes = [
        Mistake(
            "forgot the 1×1 layer",
            "That is the 3×3 layer alone: the 1×1 layer costs H·W·C·R multiply-adds too.",
            compute=lambda: c.after_macs,
        ),
        Mistake(
            "3×3 on all the channels",
            "The 3×3 layer now sees the R reduced channels, not the C input channels.",
            compute=lambda: c.reduce_macs + c.direct_macs,
        ),
        Mistake(
            "counted one position",
            "Each layer does its work at every one of the H·W positions: multiply by H·W.",
            compute=lambda: c.bottleneck_macs // (h * w_),
        ),
    ]
    return check_answer(
        answer,
        c.bottleneck_macs,
        mistakes,
        Case(label="28×28×192 → 1×1 to 96 channels → 3×3 (same padding) to 128 channels"),
        "multiply-adds of the bottleneck path",
        compare=same_integer,
        match=same_integer,
        recompute="Add the two layers: H·W·C·R for the 1×1, then H·W·F·F·R·K for the 3×3.",
        reveal=reveal,
    )


#: Exercise 7.4, explain: what a 1×1 convolution computes.
ONE_BY_ONE_OPTIONS = {
    "a": "Nothing useful: it multiplies every pixel by one number, so it only changes "
    "the brightness.",
    "b": "It blurs the image a little, because each output pixel also looks at its neighbours.",
    "c": "At each pixel, K weighted sums of the C channel values of that pixel: the same "
    "dense layer applied at every pixel, mixing channels but not pixels.",
    "d": "It halves the width and the height, which is why it makes the next layer cheaper.",
}
_ONE_BY_ONE_WHY = {
    "a": "That is true only with one input channel. A 1×1 filter has one weight per "
    "channel, so with C channels it computes a weighted sum over them, and K filters "
    "give K different sums.",
    "b": "A 1×1 window covers a single pixel: no neighbour enters the sum. Change one "
    "pixel and only the same pixel of the output changes.",
    "c": "Each 1×1×C filter is a dot product with the C values of one pixel; K filters "
    "are a K×C matrix applied at every pixel, exactly a dense layer shared by all "
    "pixels.",
    "d": "With stride 1 the output keeps H×W. The saving of a bottleneck comes from "
    "fewer channels, not fewer pixels.",
}


def check_one_by_one(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 7.4: a multiple choice on what a 1×1 convolution computes.

    Examples
    --------
    >>> check_one_by_one("c")
    ✓ Correct: what a 1×1 convolution computes
    """
    return check_choice(
        answer,
        ONE_BY_ONE_OPTIONS,
        "c",
        _ONE_BY_ONE_WHY,
        title="what a 1×1 convolution computes",
        reveal=reveal,
    )
