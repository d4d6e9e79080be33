"""Chapter 10, "Putting it all together": the LeNet-style network trained on real digits,
what it gets wrong, what is inside it, the 1998 LeNet-5 told accurately, and the
article's claims tested on this network.

For ``notebooks/10_whole_network.ipynb`` (the network and its variants are
:func:`cnnkit.model.lenet_digits`): the seeded network that the explorer looks into,
trained once per kernel (:func:`trained_network`), the figures (:func:`show_digits`,
:func:`show_history`, :func:`show_confusion`, :func:`show_misclassified`,
:func:`show_filters`, :func:`show_transformed`), the tables of the experiments
(:func:`claims_table`, :func:`html_table`), LeNet-5's numbers computed from the paper's
description (:func:`c3_connections`, :func:`lenet5_parameters`, :func:`lenet5_squash`),
the explorer that steps a test digit through the layers (:func:`network_explorer`, whose
output is :func:`network_html`) and the chapter's exercise checks (each takes
``reveal=True`` to show the answer).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.figure import Figure

from cnnkit.book.ch08_flatten_dense import LENET5_C3_INPUTS, lenet5_layers
from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    check_shape,
    check_value,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import (
    fit_width,
    grey_png,
    hide_frame,
    img_tag,
    mark_window,
    show_matrix,
    signed_png,
    svg,
)
from cnnkit.book.style import DIVERGING_CMAP, OKABE_ITO, SEQUENTIAL_CMAP
from cnnkit.data import xoi_patterns
from cnnkit.layers import AvgPool2D, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU
from cnnkit.model import History, Sequential, TrainedModel, lenet_digits, train_lenet_digits
from cnnkit.softmax import softmax


def blas_one_thread() -> Any:
    """Make numpy's matrix products run on one thread, in this process, from now on.

    numpy hands matrix products to a BLAS library, which may split each one over several
    threads. cnnkit's products are small by BLAS standards, so the threads spend more
    time waiting for each other than computing, and on a machine whose cores are busy
    with other work a training can become several times slower. One thread is faster
    here. It also fixes the rounding: the order of the additions in a product can depend
    on the number of threads, so two trainings agree to the last bit only with the same
    count. Uses ``threadpoolctl`` (installed with scikit-learn); returns its limiter.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


@cache
def trained_network() -> TrainedModel:
    """:func:`cnnkit.model.train_lenet_digits` with seed 0, trained once per kernel.

    The explorer and the exercise checks look into this network; caching it means a
    slider move never trains anything. Seeded, and trained on one BLAS thread (see
    :func:`blas_one_thread`), so that every call in every process on the same machine
    gives the same weights as the training shown in the chapter, which runs on one
    thread too.
    """
    with blas_one_thread():
        return train_lenet_digits(seed=0, progress=False)


# --------------------------------------------------------------------------- figures
_INK = "gray_r"  # 0 = white paper, 1 = black ink


def show_digits(
    x: np.ndarray,
    titles: Sequence[str],
    *,
    ncols: int = 10,
    size: float = 0.9,
    fontsize: float = 8,
) -> Figure:
    """Small multiples of digits, shape (N, 1, H, W) or (N, H, W), ink dark on white."""
    images = np.asarray(x).reshape(len(x), *np.shape(x)[-2:])
    ncols = max(1, min(ncols, len(images)))
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, (size + 0.3) * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles, strict=False):
        ax.axis("on")
        ax.imshow(image, cmap=_INK, vmin=0, vmax=1)
        ax.set_title(title, fontsize=fontsize)
        hide_frame(ax)
    return fig


def show_history(history: History) -> Figure:
    """Loss (left, log scale) and accuracy (right) per epoch: training dashed, test solid.

    The training numbers are averaged over each epoch's mini-batches while the weights
    change; the test numbers (the history's ``val_`` entries) are measured at the end of
    each epoch.
    """
    epochs = np.arange(1, len(history) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.6, 3.3), layout="constrained")
    train_style = {"color": OKABE_ITO["blue"], "linestyle": "--", "label": "training"}
    test_style = {"color": OKABE_ITO["vermillion"], "linestyle": "-", "label": "test"}
    left.plot(epochs, history.loss, **train_style)
    left.plot(epochs, history.val_loss, **test_style)
    left.set_yscale("log")
    left.set_ylabel("cross-entropy loss")
    left.set_title("loss")
    right.plot(epochs, history.accuracy, **train_style)
    right.plot(epochs, history.val_accuracy, **test_style)
    right.set_ylabel("accuracy")
    right.set_title("accuracy")
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.legend(frameon=False, fontsize=8)
    return fig


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Counts of (true class, predicted class): entry [i, j] counts class-i examples
    predicted as j. The diagonal holds the right answers.

    Examples
    --------
    >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), n_classes=2)
    array([[1, 0],
           [1, 1]])
    """
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix


def show_confusion(matrix: np.ndarray) -> Figure:
    """The confusion matrix with its counts in the cells; mistakes outlined in vermillion."""
    fig, ax = plt.subplots(figsize=(4.6, 4.3), layout="constrained")
    show_matrix(matrix, ax=ax, fmt="{:d}", cmap=SEQUENTIAL_CMAP, vmin=0, fontsize=8)
    for i, j in zip(*np.nonzero(matrix), strict=True):
        if i != j:
            mark_window(ax, int(i), int(j), 1, 1, linewidth=2)
    ax.set_xticks(range(matrix.shape[1]), [str(j) for j in range(matrix.shape[1])])
    ax.set_yticks(range(matrix.shape[0]), [str(i) for i in range(matrix.shape[0])])
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    return fig


def show_misclassified(
    x: np.ndarray, y_true: np.ndarray, proba: np.ndarray, indices: Sequence[int]
) -> Figure:
    """The test digits at ``indices``, each titled with its index, the true digit, the
    network's answer and the probabilities it gave to both."""
    titles = []
    for i in indices:
        guess, truth = int(proba[i].argmax()), int(y_true[i])
        titles.append(
            f"#{i}: a {truth}, read {guess}\n"
            f"p({guess}) = {proba[i, guess]:.2f}\np({truth}) = {proba[i, truth]:.2f}"
        )
    return show_digits(x[list(indices)], titles, ncols=min(5, len(indices)), size=1.7, fontsize=10)


def show_filters(weights: np.ndarray) -> Figure:
    """The 3×3 filters of a first convolution layer, weights (K, 1, F, F), with their
    values in the cells, on one diverging scale centred on 0 (orange positive, purple
    negative)."""
    # rounded as printed (and without a "-0.0"), so that colours and numbers agree
    kernels = np.round(np.asarray(weights, dtype=float)[:, 0], 1) + 0.0
    lim = float(np.abs(kernels).max())
    ncols = 6
    nrows = math.ceil(len(kernels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.45 * ncols, 1.6 * nrows), squeeze=False)
    for ax in axes.flat[len(kernels) :]:
        ax.axis("off")
    for k, (ax, kernel) in enumerate(zip(axes.flat, kernels, strict=False)):
        show_matrix(
            kernel, ax=ax, fmt="{:.1f}", cmap=DIVERGING_CMAP, vmin=-lim, vmax=lim, fontsize=7
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"filter {k}", fontsize=8)
    return fig


def show_transformed(image: np.ndarray, transforms: Mapping[str, Any]) -> Figure:
    """One digit (H, W), then the same digit after each transformation, by name."""
    pictures = [np.asarray(image)] + [np.asarray(t(image)) for t in transforms.values()]
    return show_digits(np.stack(pictures), ["original", *transforms], size=1.3)


# --------------------------------------------------------------------------- tables
def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> HTML:
    """A small HTML table: the first column left-aligned, the others right-aligned."""

    def row(cells: Sequence[Any], tag: str) -> str:
        parts = []
        for k, cell in enumerate(cells):
            align = "left" if k == 0 else "right"
            css = f"text-align:{align};padding:2px 0.6em"
            parts.append(f'<{tag} style="{css}">{html.escape(str(cell))}</{tag}>')
        return "<tr>" + "".join(parts) + "</tr>"

    body = "".join(row(r, "td") for r in rows)
    return HTML(f"<table><thead>{row(header, 'th')}</thead><tbody>{body}</tbody></table>")


class Comparison(NamedTuple):
    """Two settings of one experiment, measured with the same seeds (paired)."""

    claim: str
    name_a: str
    name_b: str
    a: tuple[float, ...]
    b: tuple[float, ...]

    @property
    def wins(self) -> int:
        """Seeds on which setting A scored higher than B."""
        return sum(x > y for x, y in zip(self.a, self.b, strict=True))

    @property
    def losses(self) -> int:
        """Seeds on which setting A scored lower than B."""
        return sum(x < y for x, y in zip(self.a, self.b, strict=True))

    @property
    def difference(self) -> float:
        """Mean accuracy of A minus mean accuracy of B."""
        return float(np.mean(self.a) - np.mean(self.b))

    @property
    def verdict(self) -> str:
        """What the seeds say, in words: a direction only if every seed agrees."""
        n = len(self.a)
        if self.wins == n:
            return f"{self.name_a} higher on all {n} seeds"
        if self.losses == n:
            return f"{self.name_b} higher on all {n} seeds"
        return "no consistent difference"


def _spread(values: Sequence[float]) -> str:
    return f"{np.mean(values):.1%} ({min(values):.1%} to {max(values):.1%})"


def claims_table(comparisons: Sequence[Comparison]) -> HTML:
    """The experiments' table: each claim's two settings, mean test accuracy over the
    seeds (lowest to highest), the difference of the means and the verdict."""
    rows = [
        (
            c.claim,
            c.name_a,
            _spread(c.a),
            c.name_b,
            _spread(c.b),
            f"{100 * c.difference:+.1f} points",
            c.verdict,
        )
        for c in comparisons
    ]
    header = (
        "claim",
        "setting A",
        "A: mean (range)",
        "setting B",
        "B: mean (range)",
        "A − B",
        "what the seeds say",
    )
    return html_table(header, rows)


# --------------------------------------------------------------------------- LeNet-5
#: The squashing function of LeNet-5, f(a) = A·tanh(S·a) (LeCun et al., 1998).
LENET5_A = 1.7159
LENET5_S = 2 / 3


def lenet5_squash(a: np.ndarray | float) -> np.ndarray:
    """LeNet-5's scaled tanh, f(a) = 1.7159 · tanh(2a/3): odd, between −1.7159 and 1.7159,
    and f(1) = 1 to four decimals.

    Examples
    --------
    >>> round(float(lenet5_squash(1.0)), 4)
    1.0
    """
    return LENET5_A * np.tanh(LENET5_S * np.asarray(a, dtype=float))


def c3_connections() -> np.ndarray:
    """Table I of LeCun et al. (1998) as booleans, shape (6, 16): entry (i, j) says whether
    map j of C3 reads map i of S2 (from chapter 8's :data:`LENET5_C3_INPUTS`)."""
    table = np.zeros((6, len(LENET5_C3_INPUTS)), dtype=bool)
    for j, inputs in enumerate(LENET5_C3_INPUTS):
        table[list(inputs), j] = True
    return table


def lenet5_parameters() -> dict[str, int]:
    """The trainable parameters of each layer of LeNet-5 that has any, by name (C1 to F6),
    from chapter 8's :func:`lenet5_layers`. The output layer's RBF parameter vectors were
    chosen by hand and kept fixed, at least initially; the paper does not count them as
    trainable, so that layer is left out."""
    return {row.name: row.params for row in lenet5_layers() if row.params}


# --------------------------------------------------------------------------- the explorer
#: Digits whose first correctly read test image the explorer offers, and how many of the
#: misread test images it adds.
EXPLORER_DIGITS = (0, 3, 4, 7)
EXPLORER_MISTAKES = 2
_MAP_PX = 56  # screen size of every feature-map picture


@cache
def explorer_images() -> dict[str, int]:
    """The explorer's test images: label → index in the test set.

    The first correctly classified test image of each digit in :data:`EXPLORER_DIGITS`,
    then the first :data:`EXPLORER_MISTAKES` test images that :func:`trained_network`
    gets wrong.
    """
    model, _, data, _ = trained_network()
    predicted = model.predict(data.x_test)
    right = predicted == data.y_test
    images = {}
    for digit in EXPLORER_DIGITS:
        i = int(np.flatnonzero(right & (data.y_test == digit))[0])
        images[f"test image {i}: a {digit} (read right)"] = i
    for i in np.flatnonzero(~right)[:EXPLORER_MISTAKES]:
        images[f"test image {i}: a {data.y_test[i]}, read as {predicted[i]}"] = int(i)
    return images


@cache
def _activations(index: int) -> tuple[np.ndarray, ...]:
    """The input test image ``index`` and the output of every layer, for that one image."""
    model, _, data, _ = trained_network()
    out = data.x_test[index : index + 1]
    values = [out[0]]
    for layer in model:
        out = layer.forward(out)
        values.append(out[0])
    for v in values:
        v.setflags(write=False)
    return tuple(values)


def _map_picture(m: np.ndarray, lim: float, alt: str) -> str:
    view, _ = fit_width(m, _MAP_PX)
    css = f"image-rendering:pixelated;width:{_MAP_PX}px;height:{_MAP_PX}px;border:1px solid #999"
    return img_tag(signed_png(view, lim), alt, css)


def _digit_picture(image: np.ndarray, alt: str) -> str:
    view, _ = fit_width(image, 112)
    css = "image-rendering:pixelated;width:112px;height:112px;border:1px solid #999"
    return img_tag(grey_png(view, 1.0, 0.0), alt, css)


def _bars_svg(
    values: np.ndarray, title: str, *, marks: Mapping[int, tuple[str, str]], signed: bool
) -> str:
    """Horizontal bars, one per class, with the value written at the end of each bar.

    ``marks`` gives some classes a note written after the value and a colour; the other
    bars are blue."""
    width, row = 300, 17
    left, zero_at = 24, 24 if not signed else 24 + 120
    top = float(np.abs(values).max()) or 1.0
    scale = (width - left - 60) / top if not signed else 110 / top
    body = []
    for k, v in enumerate(values):
        y = 4 + row * k
        length = abs(float(v)) * scale
        x0 = zero_at if v >= 0 else zero_at - length
        note, colour = marks.get(k, ("", OKABE_ITO["blue"]))
        body.append(f'<text x="0" y="{y + 12}" font-size="12">{k}</text>')
        body.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{max(length, 0.5):.1f}" height="13" '
            f'fill="{colour}"/>'
        )
        text_x = zero_at + length + 4 if v >= 0 or not signed else zero_at + 4
        body.append(
            f'<text x="{text_x:.1f}" y="{y + 12}" font-size="11">{v:.2f} {html.escape(note)}</text>'
        )
    if signed:
        body.append(
            f'<line x1="{zero_at}" y1="2" x2="{zero_at}" y2="{4 + row * len(values)}" '
            'stroke="#777" stroke-width="1"/>'
        )
    return svg(width + (80 if marks else 0), 8 + row * len(values), title, "".join(body))


def _layer_title(model: Sequential, layer: int) -> str:
    if layer == 0:
        return "layer 0: the input image"
    return f"layer {layer} of {len(model)}: {model[layer - 1]!r} (model[{layer - 1}])"


def _maps_html(out: np.ndarray, layer: int) -> str:
    lim = float(np.abs(out).max()) or 1.0
    cells = []
    for k, m in enumerate(out):
        alt = f"map {k} of layer {layer}, {m.shape[0]} by {m.shape[1]}"
        cells.append(
            '<figure style="display:inline-block;margin:0 4px 4px 0;text-align:center">'
            f"{_map_picture(m, lim, alt)}"
            f'<figcaption style="font-size:0.75em">{k}</figcaption></figure>'
        )
    return (
        f"<div style='max-width:560px'>{''.join(cells)}</div>"
        f"<p style='margin:2px 0'>One picture per channel, on one scale for the layer: "
        f"orange positive, purple negative, white 0 (±{lim:.2f}).</p>"
    )


def _vector_html(out: np.ndarray) -> str:
    lim = float(np.abs(out).max()) or 1.0
    strip = np.asarray(out, dtype=float).reshape(1, -1)
    view = np.repeat(np.repeat(strip, 12, axis=0), 5, axis=1)
    alt = f"the {out.size} numbers of the flattened vector as a strip of coloured cells"
    picture = img_tag(signed_png(view, lim), alt, "border:1px solid #999")
    return (
        f"{picture}<p style='margin:2px 0'>{out.size} numbers in a row: channel 0's four "
        f"values, then channel 1's, and so on (the order of chapter 8). Same colours, "
        f"±{lim:.2f}.</p>"
    )


def network_html(image: str, layer: int) -> str:
    """What the chapter 10 explorer shows: a test digit, the output of one layer of the
    trained network for it, and the class probabilities.

    ``image`` is a key of :func:`explorer_images`; ``layer`` is 0 for the input, and k
    for the output of the k-th layer, ``model[k - 1]``, of :func:`trained_network`.
    Feature maps are drawn in the diverging colours (orange positive, purple negative,
    white 0) on one scale per layer; the last layer's scores and the probabilities
    (softmax of the scores) as bars.
    """
    images = explorer_images()
    if image not in images:
        raise ValueError(f"image must be one of {', '.join(images)}; got {image!r}")
    model, _, data, _ = trained_network()
    layer = int(layer)
    if not 0 <= layer <= len(model):
        raise ValueError(f"layer must be between 0 and {len(model)}; got {layer}")
    index = images[image]
    values = _activations(index)
    truth = int(data.y_test[index])
    scores = values[-1]
    proba = softmax(scores)
    guess = int(proba.argmax())
    out = values[layer]
    shape = tuple(out.shape)
    if layer == 0:
        body = _digit_picture(out[0], f"test image {index}, a handwritten {truth}")
    elif out.ndim == 3:
        body = _maps_html(out, layer)
    elif layer == len(model):
        body = _bars_svg(
            scores,
            f"the ten class scores of test image {index}",
            marks={guess: ("← highest", OKABE_ITO["vermillion"])},
            signed=True,
        )
    else:
        body = _vector_html(out)
    marks = {guess: ("← read", OKABE_ITO["vermillion"])}
    marks[truth] = ("← true, read right" if guess == truth else "← true", OKABE_ITO["bluish green"])
    bars = _bars_svg(
        proba,
        f"class probabilities for test image {index}: {proba[guess]:.0%} for {guess}",
        marks=marks,
        signed=False,
    )
    verdict = "right" if guess == truth else "wrong"
    cell = "display:inline-block;vertical-align:top;margin-right:16px"
    numbers = math.prod(shape)
    return (
        "<div class='cnnkit-network'>"
        f"<p style='margin:0 0 4px 0'><b>{html.escape(_layer_title(model, layer))}</b>: "
        f"output {shape}, {numbers:,} number{'s' if numbers != 1 else ''}.</p>"
        f"<div style='{cell}'>{body}</div>"
        f"<div style='{cell}'><b>probabilities</b> (softmax of layer {len(model)})<br>{bars}"
        f"<p style='margin:2px 0'>A {truth}, read as {guess} ({verdict}).</p></div>"
        "</div>"
    )


def network_explorer() -> Explorer:
    """Chapter 10: pick a test digit and step through the trained network's layers.

    The network is :func:`trained_network` (seeded, trained once per kernel); the output
    is :func:`network_html`. The web form offers every image and every layer.
    """
    images = list(explorer_images())
    n_layers = len(trained_network().model)
    style = {"description_width": "6em"}
    controls = {
        "image": w.Dropdown(
            options=images,
            value=images[0],
            description="test image",
            style=style,
            layout=w.Layout(width="30em"),
        ),
        "layer": w.IntSlider(
            value=1, min=0, max=n_layers, step=1, description="layer", style=style
        ),
    }
    return Explorer(
        controls,
        network_html,
        grid={"image": images, "layer": list(range(n_layers + 1))},
        source="cnnkit.book.ch10_whole_network:network_explorer",
    )


# --------------------------------------------------------------------------- exercises
def _predict_proba(model: Sequential, x: np.ndarray) -> np.ndarray:
    return model.predict_proba(x)


def _chain(model: Sequential, x: np.ndarray, stop: int | None = None) -> np.ndarray:
    out = np.asarray(x)
    for layer in list(model)[:stop]:
        out = layer.forward(out)
    return out


def _forward_cases() -> list[Case]:
    model, _, data, _ = trained_network()
    with_dropout = lenet_digits(dropout=0.5, rng=3)
    return [
        Case((model, data.x_test[:4]), label="the trained network, 4 test digits"),
        Case((model, data.x_test[10:11]), label="the trained network, 1 test digit"),
        Case(
            (with_dropout, data.x_test[:3]),
            label="an untrained network with a Dropout(0.5) layer, 3 test digits",
        ),
    ]


def _dropout_left_on(got: Any, expected: Any, case: Case) -> bool:
    model = case.args[0]
    if not any(isinstance(layer, Dropout) for layer in model):
        return False
    g = np.asarray(got, dtype=float)
    return g.shape == np.shape(expected) and bool(np.allclose(g.sum(axis=1), 1.0))


_FORWARD_MISTAKES = (
    Mistake(
        "forgot the softmax",
        "You returned the scores of the last layer (logits): they can be negative and do "
        "not add up to 1. Turn each row into probabilities with softmax(z, axis=1).",
        compute=lambda model, x: _chain(model, x),
    ),
    Mistake(
        "softmax over the batch",
        "Your probabilities add up to 1 down each column, across the images: softmax must "
        "run over the ten classes of each image, axis=1.",
        compute=lambda model, x: softmax(_chain(model, x), axis=0),
    ),
    Mistake(
        "stopped one layer early",
        "Your result has one number per input of the last layer: the loop stopped before "
        "the Dense layer. Go through every layer in model, the last one included.",
        compute=lambda model, x: softmax(_chain(model, x, stop=-1), axis=1),
    ),
    Mistake(
        "returned the labels",
        "You returned the predicted digits (the argmax). The question asks for the "
        "probabilities of all ten classes, one row per image.",
        compute=lambda model, x: _chain(model, x).argmax(axis=1),
    ),
    Mistake(
        "dropout left on",
        "On the network with a Dropout layer your numbers differ from run to run: you "
        "called forward with training=True. Predicting is evaluation mode: "
        "layer.forward(x), whose training is False by default.",
        test=_dropout_left_on,
    ),
)


def check_predict_proba(fn: Any, *, reveal: bool = False) -> CheckResult:
    """Implement: ``fn(model, x)`` runs x through every layer of model with
    ``layer.forward`` and returns the softmax of the scores, shape (N, classes).

    Run on the trained network and on an untrained one with a Dropout layer; compared
    with ``model.predict_proba(x)``. Named mistakes: forgot the softmax, softmax over
    the batch, stopped one layer early, returned the labels, dropout left on.
    """
    return check_function(
        fn,
        _predict_proba,
        _forward_cases(),
        _FORWARD_MISTAKES,
        title="the forward pass of the whole network",
        signature="my_predict_proba(model, x)",
        reveal=reveal,
    )


def _shapes(model: Sequential, in_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The output shape of every layer of ``model`` for one input of ``in_shape``."""
    shapes, shape = [], tuple(in_shape)
    for layer in model:
        try:
            shape = tuple(layer.output_shape(shape))
        except ValueError:
            break
        shapes.append(shape)
    return shapes


def check_bigger_input(
    answer: Any, *, size: int = 16, layer: int = 5, reveal: bool = False
) -> CheckResult:
    """Predict: the output shape of ``lenet_digits()[layer]`` for one (1, size, size) image.

    Computed by following :meth:`cnnkit.layers.Layer.output_shape` through the layers.
    Named mistakes: the 8×8 shape, one pooling forgotten, no pooling, channels of the
    wrong convolution, the flattened length.
    """
    model = lenet_digits()
    shapes = _shapes(model, (1, size, size))
    expected = shapes[layer]
    eight = _shapes(model, (1, 8, 8))
    mistakes = {
        eight[layer]: "That is the shape for the 8×8 digits of the summary. The "
        f"convolutions keep the height and width ({size}×{size} stays {size}×{size} with "
        "padding 1); each pooling halves them.",
        (expected[0], expected[1] * 2, expected[2] * 2): "One pooling is missing: count "
        "the MaxPool2D layers up to and including this one.",
        (expected[0], size, size): "Pooling halves the height and width: a 2×2 window with "
        "stride 2 keeps one value in four.",
        (12, *expected[1:]): "The depth after a convolution is its number of filters K; "
        "the depth after a pooling is the depth of its input. Which convolution came last?",
        (math.prod(expected),): "That is the length after Flatten, the next layer. Give the "
        "(C, H, W) shape before it.",
    }
    return check_shape(
        answer,
        expected,
        {k: v for k, v in mistakes.items() if k != expected},
        title=f"the shape after model[{layer}]",
        question=f"one image of shape (1, {size}, {size}), lenet_digits() up to model[{layer}]",
        reveal=reveal,
    )


def _parameters(first_filters: int, *, biases: bool = True) -> int:
    net = Sequential(
        Conv2D(1, first_filters, 3, padding=1, rng=0),
        ReLU(),
        MaxPool2D(2),
        Conv2D(first_filters, 24, 3, padding=1, rng=0),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(96, 10, rng=0),
    )
    summary = net.summary((1, 8, 8))
    if biases:
        return summary.total_params
    return sum(int(p.value.size) for p in net.parameters() if p.name.endswith(".w"))


def check_wider_network(
    answer: Any, *, first_filters: int = 24, reveal: bool = False
) -> CheckResult:
    """Scale: the total parameters of lenet_digits when its first convolution has
    ``first_filters`` filters instead of 12 (the rest unchanged).

    Computed with :meth:`cnnkit.model.Sequential.summary` of that network. Named
    mistakes: only the first layer grown, everything doubled, biases forgotten.
    """
    expected = _parameters(first_filters)
    base = _parameters(12)
    first_only = base + (first_filters - 12) * (3 * 3 * 1 + 1)
    mistakes = [
        (
            first_only,
            "You grew the first layer only. The second convolution's filters span all the "
            "channels of its input, so each of its 24 filters has 3·3·C weights with the new C.",
        ),
        (
            base * first_filters // 12,
            "Not everything grows: only the layers that touch the first layer's output "
            "change. The second convolution still has 24 filters, so the dense layer still "
            "reads 24·2·2 = 96 numbers.",
        ),
        (
            _parameters(first_filters, biases=False),
            "Forgot the biases: one per filter in each convolution, one per output of the "
            "dense layer.",
        ),
    ]
    return check_value(
        answer,
        expected,
        [(v, h) for v, h in mistakes if v != expected],
        title="parameters with a wider first layer",
        question=f"lenet_digits with {first_filters} filters in its first convolution",
        recompute="Go layer by layer with K·(F·F·C + 1) for each convolution and "
        "in·out + out for the dense layer; only the layers whose shapes change differ.",
        reveal=reveal,
    )


#: The options of exercise 10.5, as the notebook lists them.
ROTATION_OPTIONS = {
    "a": "Max pooling should make the network invariant to rotations, so the drop shows "
    "a bug in the rotation code.",
    "b": "The filters were learned from upright digits: a rotated stroke is another "
    "pattern to them, and nothing in convolution or pooling turns it back. The network "
    "only copes with the variations it saw while training.",
    "c": "A rotated 8×8 digit cannot be read by anyone: the rotation destroys the digit.",
    "d": "The dense layer needs a fixed number of inputs, and rotating an image changes "
    "its number of pixels.",
}

_ROTATION_WHY = {
    "a": "Pooling tolerates a feature moving inside its window; it has no notion of "
    "turning. Chapter 5 measured it: a 5° rotation changed the pooled edge map almost as "
    "much as the map itself.",
    "b": "A convolution compares each window with fixed filters; a stroke at another angle "
    "matches them differently, so every later layer sees other numbers. A network learns "
    "tolerance to rotation from rotated examples (data augmentation), not from its layers.",
    "c": "Look at the rotated digits in the figure: they are easy to read. A network trained "
    "on rotated examples would read them too.",
    "d": "The rotation here keeps the 8×8 grid (pixels that fall outside take the nearest "
    "edge value): the shapes through the network are the same as for the upright digit.",
}


def check_rotation_drop(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Explain: why does the trained network read rotated digits less well?

    The options are :data:`ROTATION_OPTIONS`, whose wrong ones are the usual
    misconceptions.

    Examples
    --------
    >>> check_rotation_drop("d").hint.startswith("The rotation here keeps")
    True
    """
    return check_choice(
        answer,
        ROTATION_OPTIONS,
        "b",
        _ROTATION_WHY,
        title="why rotated digits are harder",
        reveal=reveal,
    )


class _Probe(NamedTuple):
    """What a reader's network did on a batch of X/O/I images."""

    output: np.ndarray | None
    error: Exception | None


def _xoi_batch() -> np.ndarray:
    return xoi_patterns(5, rng=11)[0]


def _probe(net: Any) -> _Probe:
    try:
        return _Probe(np.asarray(net.forward(_xoi_batch())), None)
    except Exception as error:  # the reader's network is judged, not raised
        return _Probe(None, error)


def _layers(net: Any) -> list[Any]:
    try:
        return list(net)
    except TypeError:
        return []


def _count(net: Any, kind: type) -> int:
    return sum(isinstance(layer, kind) for layer in _layers(net))


def _windows_strict(net: Any) -> bool:
    """Whether every convolution and pooling of ``net`` keeps mode='strict': 'floor'
    drops the rows and columns that no window reaches, 'ceil' clips a last window."""
    return all(
        getattr(layer, "mode", "strict") == "strict"
        for layer in _layers(net)
        if isinstance(layer, (Conv2D, MaxPool2D, AvgPool2D))
    )


def _xoi_works(got: Any, expected: Any = None) -> bool:
    if not hasattr(got, "forward"):
        return False
    probe = _probe(got)
    return (
        probe.error is None
        and probe.output.shape == (5, 3)
        and _count(got, Conv2D) == 2
        and _count(got, MaxPool2D) == 2
        and _windows_strict(got)
    )


def _raised(got: Any, words: str) -> bool:
    if not hasattr(got, "forward"):
        return False
    error = _probe(got).error
    return isinstance(error, ValueError) and words in str(error)


#: The input of exercise 10.4's network: one X/O/I image, without the batch axis.
XOI_INPUT_SHAPE = (1, 9, 9)

_TILING_RULE = "⌊(W − F + 2P)/S⌋ + 1"


class _Misfit(NamedTuple):
    """The first layer of a network whose windows cannot tile what reaches it."""

    index: int
    layer: Any
    shape: tuple[int, ...]  # what reaches the layer, (C, H, W)
    axis: int  # 0 for the height, 1 for the width
    maker: tuple[int, Any, tuple[int, ...]] | None  # the last layer that set the size
    after_conv: bool  # whether a convolution comes before the layer


def _misfit(net: Any) -> _Misfit | None:
    """Follow the 9×9 input through ``net`` to the first convolution or pooling in strict
    mode whose windows cannot tile its input; ``None`` if there is none, or if a layer
    fails for another reason first (the sizes after it are then unknown)."""
    shape = XOI_INPUT_SHAPE
    maker = None
    after_conv = False
    for index, layer in enumerate(_layers(net)):
        windowed = isinstance(layer, (Conv2D, MaxPool2D, AvgPool2D))
        if windowed and len(shape) == 3 and getattr(layer, "mode", "strict") == "strict":
            for axis in (0, 1):
                span = shape[1 + axis] - layer.kernel_size[axis] + 2 * layer.padding[axis]
                if span >= 0 and span % layer.stride[axis] != 0:
                    return _Misfit(index, layer, shape, axis, maker, after_conv)
        try:
            out = tuple(layer.output_shape(shape))
        except Exception:  # e.g. channels that do not match: no sizes to tell
            return None
        if windowed:
            maker = (index, layer, shape)
            after_conv = after_conv or isinstance(layer, Conv2D)
        shape = out
    return None


def _kind(layer: Any) -> str:
    return "convolution" if isinstance(layer, Conv2D) else "pooling"


def _fps(layer: Any, axis: int) -> str:
    return f"F = {layer.kernel_size[axis]}, P = {layer.padding[axis]}, S = {layer.stride[axis]}"


def _size_sum(layer: Any, size: int, axis: int) -> str:
    """The size rule of ``layer`` written out for one axis: '(9 − 3 + 2·1)/1 + 1'."""
    f, p, s = layer.kernel_size[axis], layer.padding[axis], layer.stride[axis]
    return f"({size} − {f} + 2·{p})/{s} + 1"


def tiling_hint(net: Any) -> str:
    """The hint for a convolution or pooling that cannot tile its input, computed from the
    reader's own layers: which layer, the size that reaches it, the layer that made that
    size, and the size rule written out with their numbers.

    Examples
    --------
    >>> net = Sequential(Conv2D(1, 12, 3, padding=2), ReLU(), MaxPool2D(2))
    >>> print(tiling_hint(net))  # doctest: +NORMALIZE_WHITESPACE
    The pooling at index 2 of your network (F = 2, P = 0, S = 2) receives maps of
    11×11: the convolution at index 0 (F = 3, P = 2, S = 1) turns 9×9 into
    (9 − 3 + 2·2)/1 + 1 = 11 along the height, and for the pooling
    (11 − 2 + 2·0)/2 + 1 = 5.5 is not a whole number, so its windows cannot tile the
    map. Change the F or P of a convolution before it so that the pooling gets a size it
    can tile (an even size, for a 2×2 window with stride 2): ⌊(W − F + 2P)/S⌋ + 1. Then
    work the rule through every layer after the one you changed, as above.
    """
    misfit = _misfit(net)
    if misfit is None:
        return (
            "A convolution or pooling met a map whose size its windows cannot tile: "
            f"work {_TILING_RULE} through your layers one by one, from the 9×9 image, and "
            "find the first layer where (W − F + 2P)/S + 1 is not a whole number."
        )
    layer, axis, shape = misfit.layer, misfit.axis, misfit.shape
    kind, name = _kind(layer), ("height", "width")[axis]
    f, p, s = layer.kernel_size[axis], layer.padding[axis], layer.stride[axis]
    size = shape[1 + axis]
    if misfit.maker is None:
        made = f"the {shape[1]}×{shape[2]} image itself, and along the {name}"
        target = "image"
    else:
        j, before, before_shape = misfit.maker
        made = (
            f"maps of {shape[1]}×{shape[2]}: the {_kind(before)} at index {j} "
            f"({_fps(before, axis)}) turns {before_shape[1]}×{before_shape[2]} into "
            f"{_size_sum(before, before_shape[1 + axis], axis)} "
            f"= {size} along the {name}, and for the {kind}"
        )
        target = "map"
    if isinstance(layer, Conv2D):
        advice = (
            "Change this convolution's F, P or S so that it fits (with S = 1 every size "
            f"does), keeping an even size for each 2×2 pooling after it: {_TILING_RULE}."
        )
    elif misfit.after_conv:
        advice = (
            "Change the F or P of a convolution before it so that the pooling gets a size "
            "it can tile (an even size, for a 2×2 window with stride 2): "
            f"{_TILING_RULE}."
        )
    else:
        advice = (
            "No convolution comes before this pooling. Each block starts with its "
            "convolution: choose that convolution's F and P so that the pooling after it "
            "gets a size it can tile (an even size, for a 2×2 window with stride 2): "
            f"{_TILING_RULE}."
        )
    return (
        f"The {kind} at index {misfit.index} of your network ({_fps(layer, axis)}) "
        f"receives {made} {_size_sum(layer, size, axis)} = "
        f"{(size - f + 2 * p) / s + 1:g} is not a whole number, so its windows cannot "
        f"tile the {target}. {advice} Then work the rule through every layer after the "
        "one you changed, as above."
    )


def _cannot_tile(got: Any, kind: type) -> bool:
    """The reader's network stops at a layer of ``kind`` whose windows cannot tile."""
    if not _raised(got, "tile"):
        return False
    misfit = _misfit(got)
    return isinstance(misfit.layer, kind) if misfit else kind is not Conv2D


def _xoi_mistakes(net: Any) -> tuple[Mistake, ...]:
    """The named mistakes of exercise 10.4; the tiling hint is worked out on ``net``."""
    tiling = tiling_hint(net) if hasattr(net, "forward") else ""
    return (
        Mistake(
            "not a network",
            "Build the network as a Sequential of cnnkit.layers, e.g. Sequential(Conv2D(...), "
            "ReLU(), ...), and pass the network itself.",
            test=lambda got, e, case: not hasattr(got, "forward"),
        ),
        Mistake(
            "floor or ceil mode",
            "One of your convolutions or poolings uses mode='floor' or 'ceil'; that drops "
            "(or clips) a row and a column, which this exercise is about avoiding. Keep "
            "mode='strict' everywhere and choose the first convolution so that its output "
            "has an even size.",
            test=lambda got, e, case: hasattr(got, "forward") and not _windows_strict(got),
        ),
        Mistake(
            "convolution cannot tile",
            tiling,
            test=lambda got, e, case: _cannot_tile(got, Conv2D),
        ),
        Mistake(
            "pooling cannot tile",
            tiling,
            test=lambda got, e, case: _cannot_tile(got, (MaxPool2D, AvgPool2D)),
        ),
        Mistake(
            "dense layer of the wrong size",
            "The dense layer's in_features does not match the flattened output of the last "
            "pooling: it must be K·H·W of that output. Sequential(*net.layers[:-1])"
            ".summary((1, 9, 9)), your network without its dense layer, shows that "
            "output.",
            test=lambda got, e, case: _raised(got, "features"),
        ),
        Mistake(
            "channels do not match",
            "A convolution's in_channels must be the depth of what reaches it: 1 for the "
            "image, and the number of filters K of the convolution before it after that.",
            test=lambda got, e, case: _raised(got, "channel"),
        ),
        Mistake(
            "ten scores",
            "Your network gives ten scores per image: X/O/I has three classes, so the last "
            "layer needs three outputs.",
            test=lambda got, e, case: (
                hasattr(got, "forward")
                and _probe(got).output is not None
                and _probe(got).output.shape[-1] == 10
            ),
        ),
        Mistake(
            "blocks removed",
            "Keep both blocks of the network: two Conv2D layers and two MaxPool2D layers. The "
            "exercise is to make them fit the 9×9 images, not to remove them.",
            test=lambda got, e, case: (
                hasattr(got, "forward")
                and (_count(got, Conv2D) != 2 or _count(got, MaxPool2D) != 2)
            ),
        ),
    )


#: A network that the design check accepts, shown when the reader asks for the answer.
XOI_DESIGN = (
    "Sequential(Conv2D(1, 12, 4, padding=1), ReLU(), MaxPool2D(2), "
    "Conv2D(12, 24, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(96, 3)): "
    "9 − 4 + 2 + 1 = 8, then 4, 4, 2, and 24·2·2 = 96"
)


def check_xoi_design(net: Any, *, reveal: bool = False) -> CheckResult:
    """Design: a network for the 9×9 X/O/I patterns that keeps every pixel.

    The check runs ``net.forward`` on five (1, 9, 9) images of
    :func:`cnnkit.data.xoi_patterns` and accepts a network that gives (5, 3) scores,
    with two Conv2D and two MaxPool2D layers, every pooling in ``mode="strict"``. Named
    mistakes: not a network, floor or ceil mode, a convolution or a pooling that cannot
    tile (the hint, from :func:`tiling_hint`, names the layer and works out its sizes), a
    dense layer of the wrong size, channels that do not match, ten scores, blocks removed.
    """
    return check_answer(
        net,
        XOI_DESIGN,
        _xoi_mistakes(net),
        Case(label="five X/O/I images of shape (1, 9, 9) through your network"),
        "a network for 9×9 images that drops no pixel",
        _xoi_works,
        lambda got, value: False,
        recompute="Run your network on xoi_patterns(5)[0] and read the error or the shape "
        "it gives; net.summary((1, 9, 9)) follows the shapes layer by layer.",
        reveal=reveal,
    )
