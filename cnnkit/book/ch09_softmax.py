"""Chapter 9, "Softmax and the loss": from class scores to probabilities, the
cross-entropy loss, its gradient, and gradient descent on a tiny problem.

For ``notebooks/09_softmax.ipynb``: the softmax formula as written, without the max
shift (:func:`naive_softmax`, to show what goes wrong), the entropy of a distribution
(:func:`entropy`), a linear classifier of the digits whose real scores the chapter reads
(:func:`digit_classifier`, :func:`digit_examples`), the three groups of 2-D points of
the gradient-descent section (:func:`three_blobs`), the chapter's figures, the
temperature explorer (:func:`temperature_explorer`, whose output is
:func:`temperature_html`) and the exercise checks (each takes ``reveal=True`` to show
the answer).

Notation: K classes; z the scores (logits) of one example, shape (K,), or of a batch,
shape (N, K); p = softmax(z); y the correct class, or its one-hot vector; T the
temperature.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, NamedTuple

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    element_is,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import grey_png, hide_frame, img_tag, svg
from cnnkit.book.style import OKABE_ITO
from cnnkit.data import load_digits
from cnnkit.layers import Dense, Flatten
from cnnkit.model import Sequential
from cnnkit.optim import Adam
from cnnkit.softmax import cross_entropy, log_softmax, softmax

_BAR = OKABE_ITO["blue"]
_TOP = OKABE_ITO["vermillion"]
_GREY = "#777777"


# --------------------------------------------------------------------------- the ideas
def naive_softmax(z: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """The softmax formula exactly as written, ``exp(z) / sum(exp(z))``: no max shift.

    For the chapter's demonstration of what goes wrong, and for the exercise checks (it
    is what a reader's softmax gives when it forgets the shift). Use
    :func:`cnnkit.softmax.softmax` for real work. Overflow and 0/0 give ``inf`` and
    ``nan`` here, silently (NumPy's warnings are switched off inside).

    Examples
    --------
    >>> naive_softmax(np.array([0.0, np.log(3.0)])).round(3)
    array([0.25, 0.75])
    >>> naive_softmax(np.array([1000.0, 1000.0]))
    array([nan, nan])
    """
    z = np.asarray(z)
    if z.dtype.kind != "f":  # float32 stays float32: it overflows sooner
        z = z.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=axis, keepdims=True)


def entropy(p: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """The entropy H(p) = −Σ_k p_k ln p_k of probabilities along ``axis``, in nats.

    0 when all the probability is on one class; ln K, its largest value, when the K
    probabilities are equal. A probability of exactly 0 adds 0 (the limit of p ln p).

    Examples
    --------
    >>> float(entropy(np.array([1.0, 0.0, 0.0])))
    0.0
    >>> round(float(entropy(np.full(4, 0.25))), 4), round(float(np.log(4)), 4)
    (1.3863, 1.3863)
    """
    p = np.asarray(p, dtype=float)
    terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return 0.0 - terms.sum(axis=axis)  # 0.0, not -0.0, for a certain answer


#: The centres of the three groups of :func:`three_blobs`.
BLOB_CENTRES = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])


def three_blobs(
    n_per_class: int = 20, *, spread: float = 1.0, rng: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Three groups of 2-D points, one per class, for the gradient-descent example.

    Class k is centred on :data:`BLOB_CENTRES` [k], with Gaussian scatter of standard
    deviation ``spread`` in each direction; with the default spread the groups overlap a
    little.

    Returns
    -------
    x : ndarray, shape (3 · n_per_class, 2), float64
    y : ndarray, shape (3 · n_per_class,), int64
        Class 0, then class 1, then class 2.

    Examples
    --------
    >>> x, y = three_blobs(4)
    >>> x.shape, y.tolist()
    ((12, 2), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    """
    gen = np.random.default_rng(rng)
    y = np.repeat(np.arange(3), n_per_class)
    x = BLOB_CENTRES[y] + spread * gen.standard_normal((3 * n_per_class, 2))
    return x, y.astype(np.int64)


class DigitExample(NamedTuple):
    """One test digit and what the linear classifier of :func:`digit_classifier` says."""

    index: int  #: its position in ``load_digits().x_test``
    image: np.ndarray  #: (8, 8), grey levels in [0, 1]
    label: int  #: the digit it shows
    scores: np.ndarray  #: (10,), the classifier's scores (logits)


@cache
def digit_classifier() -> Sequential:
    """A linear classifier of the 8×8 digits: ``Flatten()`` then ``Dense(64, 10)``.

    Trained with ``Sequential.fit`` (20 epochs, mini-batches of 64, Adam with learning
    rate 0.01, seeds 0 and 1) in float64, on :func:`cnnkit.data.load_digits`'s training
    part. It takes a fraction of a second (plus loading the digits) and is cached: the
    same network on every call, and the same numbers on every build.
    """
    data = load_digits()
    net = Sequential(Flatten(), Dense(64, 10, rng=0, dtype=np.float64))
    net.fit(
        data.x_train,
        data.y_train,
        epochs=20,
        batch_size=64,
        optimizer=Adam(0.01),
        rng=1,
        progress=False,
    )
    return net


@cache
def _test_scores() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = load_digits()
    scores = digit_classifier().forward(data.x_test.astype(np.float64))
    return data.x_test[:, 0], data.y_test, scores


def digit_examples() -> dict[str, DigitExample]:
    """Two test digits, by name: ``"sure"``, the test image to which the classifier
    gives its largest probability, and ``"unsure"``, the one whose largest probability
    is the smallest (its top classes nearly tie).

    Examples
    --------
    >>> sure = digit_examples()["sure"]
    >>> sure.image.shape, sure.scores.shape
    ((8, 8), (10,))
    """
    images, labels, scores = _test_scores()
    top = softmax(scores, axis=1).max(axis=1)
    chosen = {"sure": int(np.argmax(top)), "unsure": int(np.argmin(top))}
    return {
        name: DigitExample(i, images[i], int(labels[i]), scores[i].copy())
        for name, i in chosen.items()
    }


# --------------------------------------------------------------------------- figures
def _probability_bars(ax, p: np.ndarray, names: Sequence[str]) -> None:
    k = len(p)
    colours = [_TOP if i == int(np.argmax(p)) else _BAR for i in range(k)]
    ax.bar(range(k), p, color=colours)
    ax.axhline(1 / k, color=_GREY, linewidth=0.8, linestyle="--")
    for i, value in enumerate(p):
        ax.text(i, value + 0.03, f"{value:.2f}", ha="center", fontsize=7)
    ax.set_ylim(0, 1.12)
    ax.set_xticks(range(k), names)
    ax.set_xlabel("class")
    ax.set_ylabel("probability")


def show_scores_and_probabilities(examples: Sequence[DigitExample]) -> Figure:
    """One row per test digit: the image, the classifier's 10 scores and their softmax.

    The bar of the most probable class is vermillion, the others blue; the dashed line
    marks 1/10, where every probability would sit if all the scores were equal.
    """
    fig, axes = plt.subplots(
        len(examples),
        3,
        figsize=(8.6, 2.6 * len(examples)),
        width_ratios=[0.7, 2, 2],
        squeeze=False,
        layout="constrained",
    )
    names = [str(k) for k in range(10)]
    for row, ex in zip(axes, examples, strict=True):
        row[0].imshow(ex.image, cmap="gray_r", vmin=0, vmax=1)
        hide_frame(row[0])
        row[0].set_title(f"test image {ex.index}\n(a {ex.label})", fontsize=9)
        colours = [_TOP if k == int(np.argmax(ex.scores)) else _BAR for k in range(10)]
        row[1].bar(range(10), ex.scores, color=colours)
        row[1].axhline(0, color=_GREY, linewidth=0.8)
        row[1].set_xticks(range(10), names)
        row[1].set_xlabel("class")
        row[1].set_ylabel("score z (logit)")
        row[1].set_title("the classifier's scores", fontsize=9)
        _probability_bars(row[2], softmax(ex.scores), names)
        row[2].set_title("softmax: probabilities", fontsize=9)
    return fig


def show_temperatures(scores: np.ndarray, temperatures: Sequence[float]) -> Figure:
    """Small multiples: ``softmax(scores, temperature=T)`` for each T, as bars, with the
    largest probability and the entropy in each title."""
    z = np.asarray(scores, dtype=float)
    fig, axes = plt.subplots(
        1,
        len(temperatures),
        figsize=(1.55 * len(temperatures) + 0.6, 2.5),
        sharey=True,
        layout="constrained",
    )
    names = [str(k) for k in range(len(z))]
    for ax, t in zip(np.atleast_1d(axes), temperatures, strict=True):
        p = softmax(z, temperature=t)
        _probability_bars(ax, p, names)
        ax.set_title(f"T = {t:g}\nmax {p.max():.2f}, H = {float(entropy(p)):.2f}", fontsize=8)
        if ax is not np.atleast_1d(axes)[0]:
            ax.set_ylabel("")
    return fig


def show_cross_entropy(points: dict[str, float]) -> Figure:
    """The loss −ln p of one example against the probability p of its correct class,
    with ``points`` ({label: p}) marked on the curve."""
    p = np.linspace(0.002, 1.0, 500)
    fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
    ax.plot(p, -np.log(p), color=_BAR, linewidth=2)
    markers = ["o", "s", "^", "D"]
    colours = [OKABE_ITO["bluish green"], OKABE_ITO["orange"], _TOP, OKABE_ITO["reddish purple"]]
    for (label, value), marker, colour in zip(points.items(), markers, colours, strict=False):
        loss = -math.log(value)
        ax.plot([value], [loss], marker, color=colour, markersize=8, markeredgecolor="black")
        # on the right the curve is flat and low: lift the label clear of it
        right_half = value > 0.5
        ax.annotate(
            f"{label}: p = {value:.3f}, loss {loss:.2f}",
            (value, loss),
            xytext=(-4, 24) if right_half else (10, 6),
            textcoords="offset points",
            ha="right" if right_half else "left",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": _GREY, "linewidth": 0.6}
            if right_half
            else None,
        )
    ax.set_xlabel("p, the probability given to the correct class")
    ax.set_ylabel("loss −ln p")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 6.5)
    return fig


def show_training(x: np.ndarray, y: np.ndarray, net: Sequential, losses: Sequence[float]) -> Figure:
    """Left: the 2-D points and the class that ``net`` predicts at every place of the
    plane (pale regions). Right: the loss at each gradient-descent step."""
    colours = [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish green"]]
    markers = ["o", "s", "^"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.6, 3.5), layout="constrained")
    lo, hi = x.min(axis=0) - 1.0, x.max(axis=0) + 1.0
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 400), np.linspace(lo[1], hi[1], 400))
    plane = np.column_stack([gx.ravel(), gy.ravel()])
    regions = net.forward(plane).argmax(axis=1).reshape(gx.shape)
    left.imshow(
        regions,
        origin="lower",
        extent=(lo[0], hi[0], lo[1], hi[1]),
        cmap=ListedColormap(colours),
        alpha=0.22,
        vmin=-0.5,
        vmax=2.5,
        aspect="auto",
        interpolation="nearest",
    )
    for k in range(3):
        mine = y == k
        left.scatter(
            x[mine, 0],
            x[mine, 1],
            marker=markers[k],
            color=colours[k],
            edgecolor="black",
            linewidth=0.5,
            s=30,
            label=f"class {k}",
        )
    left.set_xlabel("first coordinate x₁")
    left.set_ylabel("second coordinate x₂")
    left.set_title("the points and the predicted class (shaded)", fontsize=9)
    left.legend(fontsize=8, frameon=False, loc="upper right")
    steps = np.arange(len(losses))
    right.plot(steps, losses, color=_TOP, linewidth=2)
    right.axhline(math.log(3), color=_GREY, linewidth=0.8, linestyle="--")
    right.annotate(
        "ln 3: a uniform guess",
        (len(losses) - 1, math.log(3)),
        xytext=(0, 4),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color=_GREY,
    )
    right.set_xlabel("gradient-descent step")
    right.set_ylabel("mean cross-entropy loss")
    right.set_ylim(0, 1.25)
    right.set_title(f"the loss on the {len(x)} points, step by step", fontsize=9)
    return fig


# --------------------------------------------------------------------------- the explorer
class ScoreSet(NamedTuple):
    """One choice of the explorer: scores, class names and, for a digit, its image."""

    scores: np.ndarray
    names: tuple[str, ...]
    image: np.ndarray | None


@cache
def score_sets() -> dict[str, ScoreSet]:
    """The explorer's choices of scores, by the label the dropdown shows: two made-up
    sets of three scores and the real scores of the two digits of
    :func:`digit_examples`."""
    three = ("0", "1", "2")
    sets = {
        "three scores: 2, 1, 0": ScoreSet(np.array([2.0, 1.0, 0.0]), three, None),
        "three scores: 1, 0.9, 0.2": ScoreSet(np.array([1.0, 0.9, 0.2]), three, None),
    }
    digits = [str(k) for k in range(10)]
    for name, what in [("sure", "a sure case"), ("unsure", "an unsure case")]:
        ex = digit_examples()[name]
        label = f"test digit {ex.index} (a {ex.label}): {what}"
        sets[label] = ScoreSet(ex.scores, tuple(digits), ex.image)
    return sets


def _bars_svg(p: np.ndarray, names: Sequence[str], temperature: float) -> str:
    k = len(p)
    left, top, plot_w, plot_h = 34, 18, 360, 150
    slot = plot_w / k
    top_class = int(np.argmax(p))
    parts = []
    for tick in (0.0, 0.5, 1.0):
        ty = top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" '
            'stroke="#DDDDDD" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{ty + 4:.1f}" font-size="11" text-anchor="end">'
            f"{tick:g}</text>"
        )
    for i, value in enumerate(p):
        height = plot_h * float(value)
        x0 = left + i * slot + 0.15 * slot
        colour = _TOP if i == top_class else _BAR
        weight = ' font-weight="bold"' if i == top_class else ""
        parts.append(
            f'<rect x="{x0:.1f}" y="{top + plot_h - height:.1f}" width="{0.7 * slot:.1f}" '
            f'height="{height:.1f}" fill="{colour}"/>'
            f'<text x="{x0 + 0.35 * slot:.1f}" y="{top + plot_h - height - 4:.1f}" '
            f'font-size="10" text-anchor="middle"{weight}>{value:.2f}</text>'
            f'<text x="{x0 + 0.35 * slot:.1f}" y="{top + plot_h + 15}" font-size="11" '
            f'text-anchor="middle">{html.escape(names[i])}</text>'
        )
    uy = top + plot_h * (1 - 1 / k)
    parts.append(
        f'<line x1="{left}" y1="{uy:.1f}" x2="{left + plot_w}" y2="{uy:.1f}" '
        f'stroke="{_GREY}" stroke-width="1" stroke-dasharray="5,3"/>'
        f'<text x="{left + plot_w + 4}" y="{uy + 4:.1f}" font-size="10" fill="{_GREY}">'
        f"1/{k}</text>"
    )
    title = (
        f"Probabilities at temperature {temperature:g}: "
        + ", ".join(f"class {n} {v:.2f}" for n, v in zip(names, p, strict=True))
        + f". The dashed line is 1/{k}, the uniform probability."
    )
    return svg(left + plot_w + 34, top + plot_h + 24, title, "".join(parts))


@cache
def _digit_picture(key: str) -> str:
    image = score_sets()[key].image
    big = np.kron(image, np.ones((10, 10)))
    return img_tag(
        grey_png(big, 1.0, 0.0),
        f"the 8×8 test digit: {key}",
        "image-rendering:pixelated;border:1px solid #999;width:80px;height:80px",
    )


def temperature_html(scores: str, temperature: float) -> str:
    """What the chapter 9 explorer shows: ``softmax(z, temperature=T)`` for the scores
    named ``scores`` (a key of :func:`score_sets`), as bars, with the scores, z / T, the
    largest probability and the entropy.

    Examples
    --------
    >>> page = temperature_html("three scores: 2, 1, 0", 1.0)
    >>> "0.67" in page and "Entropy" in page
    True
    """
    sets = score_sets()
    if scores not in sets:
        raise ValueError(f"scores must be one of {', '.join(map(repr, sets))}; got {scores!r}")
    t = float(temperature)
    if not t > 0:
        raise ValueError(f"temperature must be a positive number; got {temperature!r}")
    chosen = sets[scores]
    z = chosen.scores
    p = softmax(z, temperature=t)
    k = len(z)
    top = int(np.argmax(p))
    cells = "text-align:right;padding:1px 6px"
    rows = "".join(
        f"<tr><th style='text-align:left;padding:1px 6px'>{label}</th>"
        + "".join(f"<td style='{cells}'>{v:.2f}</td>" for v in values)
        + "</tr>"
        for label, values in [("score z", z), ("z / T", z / t), ("probability", p)]
    )
    head = "".join(f"<th style='{cells}'>{html.escape(n)}</th>" for n in chosen.names)
    table = (
        "<table style='border-collapse:collapse;font-size:0.85em'>"
        f"<tr><th style='text-align:left;padding:1px 6px'>class</th>{head}</tr>{rows}</table>"
    )
    picture = "" if chosen.image is None else _digit_picture(scores)
    h = float(entropy(p))
    summary = (
        f"T = {t:g}. Largest probability <b>{p.max():.3f}</b>, for class "
        f"{html.escape(chosen.names[top])} (the largest score, at every T). Entropy "
        f"<b>{h:.3f}</b> nats: 0 would be all on one class, ln {k} = {math.log(k):.3f} "
        "would be uniform."
    )
    return (
        "<div class='cnnkit-temperature'>"
        "<div style='display:flex;flex-wrap:wrap;align-items:flex-end;gap:12px'>"
        f"{picture}{_bars_svg(p, chosen.names, t)}</div>"
        f"<p style='margin:6px 0'>{summary}</p>{table}</div>"
    )


#: The temperatures of the web book's form (the live slider takes any T from 0.05 to 10).
WEB_TEMPERATURES = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0]


def temperature_explorer() -> Explorer:
    """Chapter 9: softmax with a temperature. A dropdown picks the scores (two sets of
    three made-up scores, or a real digit's ten); a slider sets T. The output is
    :func:`temperature_html`."""
    style = {"description_width": "8em"}
    labels = list(score_sets())
    controls = {
        "scores": w.Dropdown(
            options=labels,
            value=labels[0],
            description="scores",
            style=style,
            layout=w.Layout(width="34em"),
        ),
        "temperature": w.FloatSlider(
            value=1.0,
            min=0.05,
            max=10.0,
            step=0.05,
            description="temperature T",
            readout_format=".2f",
            style=style,
            layout=w.Layout(width="34em"),
        ),
    }
    return Explorer(
        controls,
        temperature_html,
        grid={"scores": labels, "temperature": WEB_TEMPERATURES},
        source="cnnkit.book.ch09_softmax:temperature_explorer",
    )


# --------------------------------------------------------------------------- exercises
def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with NumPy's floating-point warnings switched off: a reader's softmax
    without the max shift gives inf and nan, and the check's hint says why."""

    def call(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args)

    return call


def same_values(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Same shape and values to a tolerance; nan equals nan and inf equals inf (so that a
    reader's nan is recognised as the nan a known mistake gives)."""
    if got is None or isinstance(got, (str, bytes, bool, np.bool_)):
        return False
    try:
        g = np.asarray(got, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return g.shape == e.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True))


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    return softmax(z, axis=1)


def _softmax_cases() -> list[Case]:
    gen = np.random.default_rng(9)
    mixed = 2.0 * gen.standard_normal((3, 4))
    large = np.array([[1000.0, 999.0, 998.0], [1000.0, 1000.0, 1000.0]])
    negative = np.array([[-1000.0, -1001.0, -1002.0], [-800.0, -799.0, -801.0]])
    apart = np.array([[0.0, 1.0, 2.0], [-1000.0, -999.0, -998.0]])
    return [
        Case(
            (np.array([[2.0, 1.0, 0.0]]),),
            label="one row of 3 scores, z = [[2, 1, 0]]",
            inputs={"z": np.array([[2.0, 1.0, 0.0]])},
        ),
        Case((mixed,), label="a batch of 3 rows of 4 scores", inputs={"z": mixed}),
        Case((large,), label="large scores (about 1000)", inputs={"z": large}),
        Case((negative,), label="very negative scores", inputs={"z": negative}),
        Case((apart,), label="two rows on very different scales", inputs={"z": apart}),
    ]


def _rows_shift_all(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum(axis=1, keepdims=True)


def _sums_to_one(axis: int | None) -> Callable[[Any, Any, Case], bool]:
    """A test: the reader's (N, K) result adds up to 1 along ``axis`` (None: in total)
    but not along each row."""

    def test(got: Any, expected: Any, case: Case) -> bool:
        g = np.asarray(got, dtype=np.float64)
        if g.shape != expected.shape or not np.all(np.isfinite(g)):
            return False
        return bool(np.allclose(g.sum(axis=axis), 1.0)) and not np.allclose(g.sum(axis=1), 1.0)

    return test


def _broadcast_error(got: Any, expected: Any, case: Case) -> bool:
    return isinstance(got, ValueError) and "broadcast" in str(got)


_SOFTMAX_MISTAKES = (
    Mistake(
        "no max shift",
        "No max shift: exp(1000) is inf in float64, and inf/inf is nan; exp(−1000) is 0, "
        "and 0/0 is nan. Subtract each row's largest score before exp: the result is "
        "the same in exact arithmetic, and exp never sees a number above 0.",
        compute=lambda z: naive_softmax(z, axis=1),
    ),
    Mistake(
        "shifted by the largest score of the whole batch",
        "You subtract the largest score of the whole batch: a row whose scores are all "
        "far below it underflows to 0/0. Subtract each row's own maximum "
        "(max(axis=1, keepdims=True)).",
        compute=_rows_shift_all,
    ),
    Mistake(
        "one softmax over the flattened scores",
        "You took one softmax of all the scores of the batch as a single vector (after "
        "z.ravel() or z.flatten()): the result is one long 1-D array, and all its numbers "
        "share one sum. Each row of z is one example: keep the (N, K) shape, subtract each "
        "row's own maximum and divide by each row's own sum, along axis=1 with "
        "keepdims=True.",
        compute=lambda z: softmax(np.ravel(z)),
    ),
    Mistake(
        "normalised down the columns",
        "You normalised down the columns (axis=0): each class adds up to 1 over the "
        "batch. Each ROW is one example, so each row must add up to 1: use axis=1.",
        test=_sums_to_one(axis=0),
    ),
    Mistake(
        "normalised over the whole batch",
        "You divided by the sum over the whole batch, so all the numbers together add up "
        "to 1. Each row is one example and must add up to 1 on its own: sum along "
        "axis=1.",
        test=_sums_to_one(axis=None),
    ),
    Mistake(
        "sum without keepdims",
        "Your code combined arrays of shapes (N, K) and (N,): a sum along axis 1 drops "
        "that axis, and NumPy then lines up the N sums with the K columns. Keep the axis "
        "with keepdims=True (shape (N, 1)), so that each row is divided by its own sum.",
        test=_broadcast_error,
    ),
    Mistake(
        "forgot to normalise",
        "You returned the exponentials themselves: divide each row by its sum, so that "
        "it adds up to 1.",
        compute=lambda z: np.exp(z - z.max(axis=1, keepdims=True)),
    ),
)


def check_softmax(fn: Any, *, reveal: bool = False) -> CheckResult:
    """Implement: ``fn(z)`` is the softmax of each row of a batch z of shape (N, K).

    Run on one row, a random batch, large scores, very negative scores and two rows on
    very different scales; compared with :func:`cnnkit.softmax.softmax` along axis 1.
    Named mistakes: no max shift, shifted by the largest score of the whole batch, one
    softmax over the flattened scores, normalised down the columns, normalised over the
    whole batch, sum without keepdims, forgot to normalise.

    Examples
    --------
    >>> def right(z):
    ...     e = np.exp(z - z.max(axis=1, keepdims=True))
    ...     return e / e.sum(axis=1, keepdims=True)
    >>> check_softmax(right)
    ✓ Correct: softmax of each row (all 5 cases pass)
    >>> check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)).mistake
    'no max shift'
    """
    return check_function(
        _quiet(fn) if callable(fn) else fn,
        _softmax_rows,
        _softmax_cases(),
        _SOFTMAX_MISTAKES,
        title="softmax of each row",
        compare=same_values,
        match=same_values,
        signature="my_softmax(z)",
        reveal=reveal,
    )


def _log_p(z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """log softmax(z)[n, labels[n]] for each row n."""
    return log_softmax(z, axis=1)[np.arange(len(labels)), labels]


def _ce_cases() -> list[Case]:
    gen = np.random.default_rng(11)
    batch = 2.0 * gen.standard_normal((4, 3))
    batch_labels = np.array([2, 0, 1, 2])
    wrong = np.array([[0.0, -1000.0, 5.0], [3.0, 0.0, 1.0]])
    large = np.array([[1000.0, 998.0, 999.0], [1000.0, 1000.0, 1000.0]])
    return [
        Case(
            (np.array([[2.0, 1.0, 0.0]]), np.array([0])),
            label="one example: logits [[2, 1, 0]], labels [0]",
            inputs={"logits": np.array([[2.0, 1.0, 0.0]]), "labels": np.array([0])},
        ),
        Case(
            (batch, batch_labels),
            label="a batch of 4 examples, 3 classes",
            inputs={"logits": batch, "labels": batch_labels},
        ),
        Case(
            (wrong, np.array([1, 0])),
            label="a very confident wrong answer (the correct class has score −1000)",
            inputs={"logits": wrong, "labels": np.array([1, 0])},
        ),
        Case(
            (large, np.array([0, 2])),
            label="large scores (about 1000)",
            inputs={"logits": large, "labels": np.array([0, 2])},
        ),
    ]


def _ce_naive(logits: np.ndarray, labels: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        p = naive_softmax(logits, axis=1)
        return float(-np.log(p[np.arange(len(labels)), labels]).mean())


def _ce_unshifted_logsumexp(logits: np.ndarray, labels: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        lse = np.log(np.exp(logits).sum(axis=1))
        return float((lse - logits[np.arange(len(labels)), labels]).mean())


def _ce_log_of_softmax(logits: np.ndarray, labels: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        p = softmax(logits, axis=1)[np.arange(len(labels)), labels]
        return float(-np.log(p).mean())


def _log_base(base: float) -> Callable[[Any, Any, Case], bool]:
    def test(got: Any, expected: Any, case: Case) -> bool:
        return same_values(got, expected / math.log(base), rtol=1e-6)

    return test


_CE_MISTAKES = (
    Mistake(
        "no max shift",
        "No max shift: exp(1000) overflows to inf, and inf/inf is nan. Subtract each "
        "row's largest score before exp (the probabilities do not change).",
        compute=_ce_naive,
    ),
    Mistake(
        "no max shift in the log-sum-exp",
        "No max shift in log Σ exp(z): exp(1000) is inf, so the log is inf too. Use "
        "log Σ exp(z) = m + log Σ exp(z − m), with m the row's largest score.",
        compute=_ce_unshifted_logsumexp,
    ),
    Mistake(
        "log of the softmax",
        "You took the log of the probabilities: when the correct class's probability "
        "underflows to 0, log(0) = −inf and the loss is inf. Compute log p directly: "
        "log p_k = (z_k − m) − log Σ_j exp(z_j − m), with m the row's largest score "
        "(that is log-softmax).",
        compute=_ce_log_of_softmax,
    ),
    Mistake(
        "sum instead of mean",
        "You added the losses of the examples: the loss of a batch is their MEAN, so "
        "that it does not grow with the batch size. Divide by N.",
        compute=lambda logits, labels: float(-_log_p(logits, labels).sum()),
    ),
    Mistake(
        "the losses of the examples, not their mean",
        "You returned the loss of each example, N numbers in an array. Return one number, "
        "the mean of those losses over the batch: end with .mean().",
        compute=lambda logits, labels: -_log_p(logits, labels),
    ),
    # After the one above: on the one-example case both give an array of one loss, and
    # only the batches tell them apart (N losses, or the mean wrapped in one element).
    Mistake(
        "the mean in a one-element array",
        "Your mean is right, but it comes as an array of one element, shape (1,), not as "
        "a number: return the mean itself (.mean() of the N losses, without wrapping it "
        "in np.array([...]) or keeping an axis).",
        compute=lambda logits, labels: np.array([-_log_p(logits, labels).mean()]),
    ),
    Mistake(
        "every label for every row",
        "You picked the columns labels for every row (log_p[:, labels]), N × N numbers. "
        "Each row needs only its own label: log_p[np.arange(N), labels].",
        compute=lambda logits, labels: float(-log_softmax(logits, axis=1)[:, labels].mean()),
    ),
    Mistake(
        "forgot the minus sign",
        "Your loss is negative: log p is ≤ 0, so the loss is MINUS the mean of log p_y.",
        compute=lambda logits, labels: float(_log_p(logits, labels).mean()),
    ),
    Mistake(
        "log base 2",
        "You used log base 2 (bits): the loss of the book, cnnkit and the frameworks "
        "uses the natural logarithm, np.log.",
        test=_log_base(2.0),
    ),
    Mistake(
        "log base 10",
        "You used log base 10: the loss uses the natural logarithm, np.log.",
        test=_log_base(10.0),
    ),
)


def check_cross_entropy(fn: Any, *, reveal: bool = False) -> CheckResult:
    """Implement: ``fn(logits, labels)`` is the mean cross-entropy of a batch,
    −(1/N) Σ_r log softmax(logits[r])[labels[r]], as :func:`cnnkit.softmax.cross_entropy`.

    Run on one example, a batch of four, a very confident wrong answer (log 0 if the
    probability is computed first) and large scores (overflow without the max shift).
    Named mistakes: no max shift, no max shift in the log-sum-exp, log of the softmax,
    sum instead of mean, the losses of the examples (not their mean), the mean in a
    one-element array, every label for every row, forgot the minus sign, log base 2, log
    base 10.

    Examples
    --------
    >>> def right(logits, labels):
    ...     m = logits.max(axis=1, keepdims=True)
    ...     log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    ...     return -log_p[np.arange(len(labels)), labels].mean()
    >>> check_cross_entropy(right)
    ✓ Correct: mean cross-entropy loss (all 4 cases pass)
    """
    return check_function(
        _quiet(fn) if callable(fn) else fn,
        cross_entropy,
        _ce_cases(),
        _CE_MISTAKES,
        title="mean cross-entropy loss",
        compare=same_values,
        match=same_values,
        signature="my_cross_entropy(logits, labels)",
        reveal=reveal,
    )


#: Exercise 9.1's scores; the questions add 10 to them and multiply them by 0.5.
PREDICT_SCORES = (2.0, 1.0, 0.0)

_WORDS = {
    "same": {"same", "unchanged", "no change", "the same", "identical"},
    "sharper": {"sharper", "more peaked", "peakier", "more confident", "steeper"},
    "flatter": {"flatter", "more uniform", "softer", "less confident", "smoother"},
}


def _word(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.strip().lower().split())
    return next((key for key, words in _WORDS.items() if text in words), None)


def _words(answer: Any) -> tuple[str | None, str | None] | None:
    if isinstance(answer, str) or not isinstance(answer, Sequence) or len(answer) != 2:
        return None
    return _word(answer[0]), _word(answer[1])


def check_shift_and_scale(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Predict: what softmax does to scores shifted by a constant (+10), and to scores
    multiplied by 0.5. The answer is a pair of words from "same", "sharper" and
    "flatter" (a few synonyms count); the right one is ("same", "flatter").

    Named mistakes: not a pair of those words, a shift taken to change the
    probabilities, halving taken to change nothing, halving taken to sharpen.

    Examples
    --------
    >>> check_shift_and_scale(("same", "flatter"))
    ✓ Correct: softmax of shifted and halved scores
    >>> check_shift_and_scale(("same", "same")).mistake
    'halving changes nothing'
    """
    expected = ("same", "flatter")

    def right(got: Any, _expected: Any) -> bool:
        return _words(got) == expected

    def pair_test(index: int, words: set[str]) -> Callable[[Any, Any, Case], bool]:
        def test(got: Any, _expected: Any, case: Case) -> bool:
            found = _words(got)
            return found is not None and found[index] in words

        return test

    mistakes = [
        Mistake(
            "not a pair of words",
            'Answer with a pair of words, one per question, each "same", "sharper" or '
            '"flatter", e.g. ("sharper", "same").',
            test=lambda got, e, case: _words(got) is None or None in _words(got),
        ),
        Mistake(
            "a shift changes the probabilities",
            "Adding 10 to every score multiplies every exp(z_k) by the same factor e¹⁰, in "
            "the numerator and in every term of the denominator: work out what is left "
            "of it.",
            test=pair_test(0, {"sharper", "flatter"}),
        ),
        Mistake(
            "halving changes nothing",
            "Halving is not a shift: adding a constant keeps the gaps between the scores, "
            "multiplying by 0.5 halves them. Compare e^(2−1) with e^(1−0.5).",
            test=pair_test(1, {"same"}),
        ),
        Mistake(
            "halving sharpens",
            "Halving the scores halves the gaps between them; with smaller gaps, does the "
            "largest score's exp pull further ahead of the others or fall back?",
            test=pair_test(1, {"sharper"}),
        ),
    ]
    return check_answer(
        answer,
        expected,
        mistakes,
        Case(label="z = [2, 1, 0]: (a) z + 10, (b) 0.5·z"),
        "softmax of shifted and halved scores",
        right,
        lambda got, value: False,
        recompute="Write softmax(z)_k as exp(z_k) / Σ_j exp(z_j) and put z + 10, then 0.5·z, "
        "into it.",
        reveal=reveal,
    )


def _as_scores(value: Any) -> np.ndarray | None:
    if isinstance(value, (str, bytes)):
        return None
    try:
        z = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if z.shape != (3,) or not np.all(np.isfinite(z)):
        return None
    return z


def _p0(value: Any) -> float | None:
    z = _as_scores(value)
    return None if z is None else float(softmax(z)[0])


def check_score_design(
    scores: Any, *, target: float = 0.9, tolerance: float = 0.005, reveal: bool = False
) -> CheckResult:
    """Design: three scores whose softmax gives class 0 a probability within
    ``tolerance`` of ``target``. The check runs cnnkit's softmax on the reader's scores
    and says which probability they give. The expected answer shown on request is
    [ln(2·target/(1 − target)), 0, 0] (any constant may be added to all three).

    Named mistakes: not three numbers, gave probabilities instead of scores, too
    confident, not confident enough.

    Examples
    --------
    >>> check_score_design([np.log(18), 0, 0])
    ✓ Correct: scores that give class 0 a probability of 0.9
    >>> check_score_design([0.9, 0.05, 0.05]).mistake
    'gave probabilities'
    """
    low, high = target - tolerance, target + tolerance
    expected = [math.log(2 * target / (1 - target)), 0.0, 0.0]
    p0 = _p0(scores)
    shown = "" if p0 is None else f"Your scores give class 0 a probability of {p0:.3f}. "

    def fits(got: Any, _expected: Any) -> bool:
        p = _p0(got)
        return p is not None and low <= p <= high

    def looks_like_probabilities(got: Any, e: Any, case: Case) -> bool:
        # the target itself typed as score 0, and the rest sharing what is left
        z = _as_scores(got)
        return (
            z is not None
            and bool(np.all((z >= 0) & (z <= 1)))
            and abs(z.sum() - 1) < 1e-6
            and abs(z[0] - target) < 0.02
        )

    mistakes = [
        Mistake(
            "not three numbers",
            "Give three finite numbers, one score per class, e.g. [1.0, 0.5, -2.0].",
            test=lambda got, e, case: _as_scores(got) is None,
        ),
        Mistake(
            "gave probabilities",
            shown + "Those look like the probabilities themselves. The exercise asks for "
            "SCORES (logits) z whose softmax is the target: softmax does not return its "
            "input.",
            test=looks_like_probabilities,
        ),
        Mistake(
            "too confident",
            shown + f"That is more than {high:.3f}: bring score 0 closer to the others.",
            test=lambda got, e, case: (_p0(got) or 0) > high,
        ),
        Mistake(
            "not confident enough",
            shown + f"That is less than {low:.3f}: raise score 0 (or lower the others).",
            test=lambda got, e, case: _p0(got) is not None and _p0(got) < low,
        ),
    ]
    return check_answer(
        scores,
        expected,
        mistakes,
        Case(label=f"softmax(scores)[0] must be within {tolerance:g} of {target:g}"),
        f"scores that give class 0 a probability of {target:g}",
        fits,
        lambda got, value: False,
        recompute="Set the two other scores to 0 and solve e^a / (e^a + 2) = p for a.",
        reveal=reveal,
    )


#: The options of exercise 9.5, as the notebook lists them.
SOFTMAX_FACTS_OPTIONS = {
    "a": "Softmax probabilities are calibrated confidences: of all the images to which a "
    "network gives 0.9, it gets about 90 % right.",
    "b": "The class with the largest score always gets a probability above 0.5.",
    "c": "A class with a negative score gets probability 0, as ReLU would give it.",
    "d": "Only the differences between the scores matter: adding the same number to every "
    "score leaves the probabilities unchanged.",
}

_SOFTMAX_FACTS_WHY = {
    "a": "Nothing in the formula ties its outputs to how often the network is right: that "
    "is a property to measure on held-out data, and modern networks are often "
    "overconfident (Guo et al., 2017). Multiplying every score by 3 makes any network "
    "more confident without changing one of its predictions.",
    "b": "With the scores 1.0, 0.9 and 0.2 the largest gets about 0.42: a class passes "
    "0.5 only when its exp beats the exps of all the other classes put together.",
    "c": "exp of a negative number is small but never 0, so every class keeps a "
    "probability strictly between 0 and 1 (until rounding to 0 in floating point, "
    "far below any usual score).",
    "d": "softmax(z + c) = softmax(z): the factor e^c appears in the numerator and in "
    "every term of the denominator, and cancels. That is also why subtracting the "
    "largest score is allowed.",
}


def check_softmax_facts(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Explain: which statement about softmax is true? The options are
    :data:`SOFTMAX_FACTS_OPTIONS`, whose wrong ones are the usual misconceptions.

    Examples
    --------
    >>> check_softmax_facts("b").hint.startswith("With the scores 1.0")
    True
    """
    return check_choice(
        answer,
        SOFTMAX_FACTS_OPTIONS,
        "d",
        _SOFTMAX_FACTS_WHY,
        title="what softmax does",
        reveal=reveal,
    )


#: Exercise 9.6 takes each number to two decimals: within half a unit of the second one.
UNIFORM_LOSS_ATOL = 0.005


def check_uniform_loss(answer: Any, *, n_classes: int = 10, reveal: bool = False) -> CheckResult:
    """Scale: every score equal (a network that knows nothing). The answer is the pair
    (the cross-entropy loss with ``n_classes`` classes, how much it grows when the number
    of classes doubles): (ln K, ln 2), each to two decimals or more (within
    :data:`UNIFORM_LOSS_ATOL`).

    Named mistakes: not a pair of numbers, rounded too coarsely (one decimal), log base
    10, log base 2, the probability 1/K instead of the loss, forgot the minus sign, the
    loss taken to double, the new loss given instead of the increase.

    Examples
    --------
    >>> check_uniform_loss((np.log(10), np.log(2)))
    ✓ Correct: the loss of a uniform guess
    >>> check_uniform_loss((2.3, 0.69))  # two decimals are enough
    ✓ Correct: the loss of a uniform guess
    >>> check_uniform_loss((1.0, np.log10(2))).mistake
    'log base 10'
    """
    k = n_classes
    expected = (math.log(k), math.log(2))

    def pair(got: Any) -> tuple[float, float] | None:
        if isinstance(got, (str, bytes)):
            return None
        try:
            values = tuple(float(v) for v in got)
        except (TypeError, ValueError):
            return None
        return values if len(values) == 2 and all(map(math.isfinite, values)) else None

    def within(got: Any, value: Any) -> bool:
        found = pair(got)
        return found is not None and bool(np.allclose(found, value, rtol=0, atol=UNIFORM_LOSS_ATOL))

    def coarse(got: Any, e: Any, case: Case) -> bool:
        found = pair(got)
        return (
            found is not None
            and not within(got, expected)
            and bool(np.allclose(found, expected, rtol=0, atol=10 * UNIFORM_LOSS_ATOL))
        )

    mistakes = [
        Mistake(
            "not a pair of numbers",
            "Answer with a pair of numbers: (the loss with "
            f"{k} classes, how much it grows when the number of classes doubles).",
            test=lambda got, e, case: pair(got) is None,
        ),
        Mistake(
            "rounded too coarsely",
            "Close, but not precise enough: each number must be right to two decimals "
            "(within 0.005). Rounded to one decimal, or the wrong way? np.log gives all "
            "the digits.",
            test=coarse,
        ),
        Mistake(
            "log base 10",
            "You used log base 10: the cross-entropy uses the natural logarithm (np.log).",
            test=element_is(0, math.log10(k), rtol=2e-3),
        ),
        Mistake(
            "log base 2",
            "You used log base 2 (bits): the cross-entropy of cnnkit and the frameworks "
            "uses the natural logarithm (np.log).",
            test=element_is(0, math.log2(k), rtol=2e-3),
        ),
        Mistake(
            "the probability instead of the loss",
            "That is the probability of the correct class, 1/K; the loss is −ln of it.",
            test=element_is(0, 1 / k, rtol=2e-3),
        ),
        Mistake(
            "forgot the minus sign",
            "A loss is never negative: −ln p with p ≤ 1 is ≥ 0. Check the sign.",
            test=lambda got, e, case: pair(got) is not None and pair(got)[0] < 0,
        ),
        Mistake(
            "the loss doubles",
            "The loss does not double when K doubles: the logarithm of a product is the "
            "sum of the logarithms. Write ln(2K) that way.",
            test=element_is(1, math.log(k), rtol=2e-3),
        ),
        Mistake(
            "gave the new loss",
            "That is the loss with twice as many classes; the question asks how much "
            "larger it is than with K.",
            test=element_is(1, math.log(2 * k), rtol=2e-3),
        ),
    ]
    return check_answer(
        answer,
        expected,
        mistakes,
        Case(label=f"all scores equal: K = {k}, then K = {2 * k}"),
        "the loss of a uniform guess",
        within,
        lambda got, value: False,
        recompute="With equal scores every class gets p = 1/K; the loss is −ln p of the "
        "correct class. Work it out for K and for 2K.",
        reveal=reveal,
    )
