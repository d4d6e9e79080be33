"""Chapter 6, "Dropout": random masks, inverted scaling, and an experiment on the digits.

For ``notebooks/06_dropout.ipynb``: the feature map the chapter drops units from
(:func:`feature_map`), the masks drawn by :func:`cnnkit.dropout.dropout` as figures
(:func:`show_masks`) and as the explorer (:func:`dropout_explorer`, whose output is
:func:`dropout_html`), the average over many masks (:func:`mean_over_masks`), the small
network of the experiment (:func:`dense_net`) and its curves (:func:`show_curves`), and
the chapter's exercise checks (each takes ``reveal=True`` to show the answer).

Notation: p is the probability of *dropping* a unit, as in cnnkit, PyTorch and Keras;
the 2014 dropout paper's p is the probability of *keeping* it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnnkit.activations import relu
from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    close,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import grey_png, hide_frame, img_tag
from cnnkit.book.style import OKABE_ITO
from cnnkit.convolution import conv2d
from cnnkit.data import sample_image, to_grayscale
from cnnkit.dropout import dropout
from cnnkit.filters import sobel_x
from cnnkit.layers import Dense, Dropout, Flatten, ReLU
from cnnkit.model import History, Sequential


# --------------------------------------------------------------------------- the feature map
def feature_map(size: int = 24) -> np.ndarray:
    """A real feature map: vertical edges of a patch of the photo, after a ReLU.

    The grey-level "china" photo (:func:`cnnkit.data.sample_image`) scaled to [0, 1], a
    ``(size + 2) × (size + 2)`` patch of its roof, filtered with the Sobel x filter
    (chapter 2) and passed through a ReLU (chapter 4): values ≥ 0, many of them zero.

    Returns
    -------
    ndarray, shape (size, size), float64

    Examples
    --------
    >>> m = feature_map()
    >>> m.shape, bool(m.min() >= 0), bool(m.max() > 0)
    ((24, 24), True, True)
    """
    grey = to_grayscale(sample_image("china")).astype(float) / 255.0
    patch = grey[78 : 78 + size + 2, 195 : 195 + size + 2]
    return relu(conv2d(patch, sobel_x()))


def mean_over_masks(x: np.ndarray, p: float, n_masks: int, *, rng: int = 0) -> np.ndarray:
    """The average of ``dropout(x, p)`` over ``n_masks`` independent masks.

    Inverted dropout keeps the expected value, E[y] = x, so this average approaches x
    as ``n_masks`` grows (its error shrinks like 1/√n_masks).

    Examples
    --------
    >>> x = np.full(1000, 2.0)
    >>> bool(abs(mean_over_masks(x, 0.5, 400).mean() - 2.0) < 0.01)
    True
    """
    gen = np.random.default_rng(rng)
    total = np.zeros_like(np.asarray(x, dtype=float))
    for _ in range(n_masks):
        total += dropout(x, p, rng=gen)
    return total / n_masks


def show_masks(x: np.ndarray, ps: Sequence[float], *, n_masks: int = 3, rng: int = 0) -> Figure:
    """Small multiples: the map ``x`` after dropout at each rate in ``ps`` (one row per
    rate, one column per mask drawn from the seed ``rng``), on one grey scale from 0 to
    twice the input's largest value, so that the scaled-up survivors look brighter (the
    brightest of them, at high rates, are drawn white)."""
    gen = np.random.default_rng(rng)
    outs = [[dropout(x, p, rng=gen) for _ in range(n_masks)] for p in ps]
    top = 2.0 * float(np.max(x)) or 1.0
    fig, axes = plt.subplots(
        len(ps), n_masks + 1, figsize=(1.7 * (n_masks + 1), 1.8 * len(ps)), squeeze=False
    )
    for r, p in enumerate(ps):
        axes[r, 0].imshow(x, cmap="gray", vmin=0, vmax=top)
        axes[r, 0].set_title("input map" if r == 0 else "")
        axes[r, 0].set_ylabel(f"p = {p:g}")
        axes[r, 0].set_xticks([])
        axes[r, 0].set_yticks([])
        for c, out in enumerate(outs[r]):
            ax = axes[r, c + 1]
            ax.imshow(out, cmap="gray", vmin=0, vmax=top)
            kept = float(np.mean(out != 0) / max(np.mean(x != 0), 1e-12))
            ax.set_title(f"mask {c + 1}: {kept:.0%} kept", fontsize=8)
            hide_frame(ax)
    return fig


# --------------------------------------------------------------------------- the explorer
_CELL = 5  # pixels per cell of the map in the explorer's pictures


def _picture(m: np.ndarray, top: float, alt: str) -> str:
    big = np.kron(m, np.ones((_CELL, _CELL)))
    return img_tag(
        grey_png(big, 0.0, top),
        alt,
        "image-rendering:pixelated;border:1px solid #999;width:120px;height:120px",
    )


def dropout_html(p: float = 0.5, seed: int = 0, scaled: bool = True) -> str:
    """The explorer's output: one mask drawn at rate ``p`` from ``seed``, and the means.

    Three pictures on one grey scale: the input feature map (:func:`feature_map`), the
    mask (white = kept, black = dropped) and the output. Below them, a table of the
    fraction of units kept and of the mean activation: of the input, of this output, of
    the average over 200 masks, and at evaluation time. With ``scaled=False`` the kept
    units are *not* divided by 1 − p (plain dropout), and the mean falls to about
    (1 − p) times the input's.
    """
    x = feature_map()
    gen = np.random.default_rng(seed)
    keep = (gen.random(x.shape) >= p).astype(float)
    factor = 1.0 / (1.0 - p) if scaled else 1.0
    out = x * keep * factor
    many = np.mean(
        [
            x * (gen.random(x.shape) >= p) * factor
            for _ in range(200)  # masks 2 to 201 from the same seed
        ],
        axis=0,
    )
    top = 2.0 * float(x.max())  # one scale for every p; brighter survivors clip to white
    rule = "kept × 1/(1 − p)" if scaled else "kept as they are (no scaling)"
    pictures = "".join(
        f'<figure style="margin:0 10px 0 0;text-align:center">{pic}'
        f'<figcaption style="font-size:0.85em">{cap}</figcaption></figure>'
        for pic, cap in [
            (_picture(x, top, "the input feature map: bright vertical edges"), "input map"),
            (
                _picture(keep * top, top, f"the mask: {keep.mean():.0%} of the cells white (kept)"),
                "mask (white = kept)",
            ),
            (
                _picture(out, top, "the output: the input with the dropped cells black"),
                f"output ({html.escape(rule)})",
            ),
        ]
    )
    rows = [
        ("units kept by this mask", f"{keep.mean():.1%}", f"expected {1 - p:.0%}"),
        ("mean activation of the input", f"{x.mean():.4f}", ""),
        ("mean of this output", f"{out.mean():.4f}", f"{out.mean() / x.mean():.2f} × input"),
        ("mean over 200 masks", f"{many.mean():.4f}", f"{many.mean() / x.mean():.2f} × input"),
        ("at evaluation time (identity)", f"{x.mean():.4f}", "1.00 × input"),
    ]
    table = "".join(
        f"<tr><td>{a}</td><td style='text-align:right'><b>{b}</b></td><td>{c}</td></tr>"
        for a, b, c in rows
    )
    return (
        f'<div class="cnnkit-dropout"><div style="display:flex;flex-wrap:wrap">{pictures}</div>'
        f"<p>p = {p:g} (drop probability), seed {seed}, {html.escape(rule)}.</p>"
        f'<table class="cnnkit-dropout-table">{table}</table></div>'
    )


#: The settings of the web book's form: every rate of the slider, five seeds, scaled or not.
WEB_GRID = {
    "p": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    "seed": [0, 1, 2, 3, 4],
    "scaled": [True, False],
}


def dropout_explorer() -> Explorer:
    """Chapter 6: a drop-rate slider, a mask selector (the seed) and the inverted scaling
    switched on or off; the output is :func:`dropout_html`."""
    style = {"description_width": "10em"}
    layout = w.Layout(width="28em")
    controls = {
        "p": w.FloatSlider(
            value=0.5, min=0.0, max=0.8, step=0.1, description="drop rate p", readout_format=".1f"
        ),
        "seed": w.Dropdown(options=[0, 1, 2, 3, 4], value=0, description="mask (seed)"),
        "scaled": w.Checkbox(value=True, description="scale kept by 1/(1 − p)"),
    }
    for control in controls.values():
        control.style = style
        control.layout = layout
    return Explorer(
        controls,
        dropout_html,
        grid=WEB_GRID,
        source="cnnkit.book.ch06_dropout:dropout_explorer",
    )


# --------------------------------------------------------------------------- the experiment
def dense_net(p: float, *, hidden: int = 256, seed: int = 0) -> Sequential:
    """The experiment's network: Flatten → Dense(64, hidden) → ReLU → [Dropout(p)] →
    Dense(hidden, 10), for the 8×8 digits. With ``p == 0`` there is no Dropout layer.
    The weights come from ``seed`` and the masks from ``seed + 100``, so two networks
    with the same seed start from the same weights whatever p is.

    Examples
    --------
    >>> [str(layer) for layer in dense_net(0.5)]
    ['Flatten()', 'Dense(64, 256)', 'ReLU()', 'Dropout(p=0.5)', 'Dense(256, 10)']
    """
    gen = np.random.default_rng(seed)
    first = Dense(64, hidden, rng=gen)
    last = Dense(hidden, 10, rng=gen)
    middle = [Dropout(p, rng=seed + 100)] if p > 0 else []
    return Sequential(Flatten(), first, ReLU(), *middle, last)


def show_curves(histories: dict[str, History], *, metric: str = "loss") -> Figure:
    """Training (dashed) and test (solid) curves of each history, one colour per run.

    ``metric`` is ``"loss"`` or ``"accuracy"``. The training values are what ``fit``
    records: means over each epoch's mini-batches in training mode, so with dropout on;
    the test values are the history's ``val_`` entries (evaluation mode, no dropout).
    """
    colours = [OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish green"]]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for colour, (name, h) in zip(colours, histories.items(), strict=False):
        epochs = np.arange(1, len(h) + 1)
        ax.plot(epochs, getattr(h, metric), "--", color=colour, label=f"{name}: training")
        ax.plot(epochs, getattr(h, f"val_{metric}"), "-", color=colour, label=f"{name}: test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss" if metric == "loss" else "accuracy")
    if metric == "loss":
        ax.set_yscale("log")
    ax.legend(frameon=False, fontsize=8)
    return fig


# --------------------------------------------------------------------------- exercises
def _behaviour(fn: Callable[..., Any], x: np.ndarray, p: float) -> tuple | None:
    """What a dropout function does, measured: (fraction kept, scale of the kept values,
    evaluation mode). None when ``fn`` returns None.

    The evaluation mode is True when ``fn(x, p, False)`` returns x, a float c when it
    returns c·x for some other c (the 2014 paper's test-time scaling), and False
    otherwise (e.g. a random mask at evaluation time).
    """
    y = fn(x.copy(), p, True)
    if y is None:
        return None
    y = np.asarray(y, dtype=float)
    if y.shape != x.shape:
        return ("shape", tuple(y.shape))
    kept = y != 0
    frac = float(kept.mean())
    scale = float(np.median(y[kept] / x[kept])) if kept.any() else 0.0
    return (round(frac, 3), round(scale, 4), _evaluation_mode(fn(x.copy(), p, False), x))


def _evaluation_mode(y_eval: Any, x: np.ndarray) -> bool | float:
    if y_eval is None:
        return False
    try:
        y_eval = np.asarray(y_eval, dtype=float)
    except (TypeError, ValueError):
        return False
    if y_eval.shape != x.shape:
        return False
    if np.allclose(y_eval, x):
        return True
    factor = float(np.median(y_eval / x))
    return round(factor, 4) if np.allclose(y_eval, factor * x) else False


def _same_behaviour(got: Any, expected: Any) -> bool:
    if not (isinstance(got, tuple) and len(got) == 3 and got[0] != "shape"):
        return False
    return (
        abs(got[0] - expected[0]) < 0.03
        and close(got[1], expected[1], rtol=1e-3)
        and _same_mode(got[2], expected[2])
    )


def _same_mode(got: bool | float, expected: bool | float) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return got is expected
    return close(got, expected, rtol=1e-3)


def _same_training(got: Any, expected: Any) -> bool:
    # A mistake in training mode is named whatever the function does at evaluation time,
    # unless the mistake itself says what happens then (a test-time factor).
    if not (isinstance(got, tuple) and isinstance(expected, tuple) and len(got) == 3):
        return False
    if isinstance(expected[2], float):
        return _same_behaviour(got, expected)
    return _same_behaviour(got, (*expected[:2], got[2]))


def _dropout_case(p: float) -> Case:
    x = np.random.default_rng(7).uniform(0.5, 2.0, size=(100, 100))
    return Case((x, p), label=f"x of shape (100, 100), values in [0.5, 2], p={p}")


_DROPOUT_MISTAKES = (
    Mistake(
        "the paper's form and its p",
        "You wrote dropout as the 2014 paper does: p as the probability of KEEPING a unit, "
        "the kept units unscaled in training, and everything multiplied by p at test "
        "time. This book's p is the probability of DROPPING a unit, and inverted dropout "
        "divides the kept units by 1 − p in training and returns x unchanged at "
        "evaluation time.",
        compute=lambda x, p: (round(p, 3), 1.0, round(p, 4)),
    ),
    Mistake(
        "the paper's scaling, at test time",
        "You scaled as the 2014 paper does: kept units unscaled in training, and x "
        "multiplied by the keep probability at test time. This book uses inverted "
        "dropout: divide the kept units by 1 − p while training, and return x unchanged "
        "with training=False.",
        compute=lambda x, p: (round(1 - p, 3), 1.0, round(1 - p, 4)),
    ),
    Mistake(
        "the paper's p (keep probability)",
        "You wrote p the 2014 paper's way, as the probability of KEEPING a unit (kept when "
        "the random number is below p, then divided by p). In this book, as in cnnkit and "
        "PyTorch, p is the probability of DROPPING a unit: keep it when the random number "
        "is at least p, and divide by 1 − p.",
        compute=lambda x, p: (round(p, 3), round(1 / p, 4), True),
    ),
    Mistake(
        "the paper's p, unscaled",
        "You keep each unit with probability p, the 2014 paper's p (its probability of "
        "KEEPING a unit), and leave the kept units unscaled. In this book, as in cnnkit "
        "and PyTorch, p is the probability of DROPPING a unit: keep it when the random "
        "number is at least p, and divide the kept units by 1 − p, so that the mean "
        "activation stays what it was.",
        compute=lambda x, p: (round(p, 3), 1.0, True),
    ),
    Mistake(
        "p kept instead of dropped",
        "You keep each unit with probability p: in this book p is the probability of "
        "DROPPING a unit (the 2014 paper's p is the keep probability). Keep it when a "
        "uniform random number is at least p.",
        compute=lambda x, p: (round(p, 3), round(1 / (1 - p), 4), True),
    ),
    Mistake(
        "forgot the scaling",
        "The kept units come out unchanged: inverted dropout divides them by 1 − p, so "
        "that the mean activation stays what it was.",
        compute=lambda x, p: (round(1 - p, 3), 1.0, True),
    ),
    Mistake(
        "multiplied by 1 − p",
        "You multiply the kept units by 1 − p; divide by it instead: the survivors must "
        "make up for the units that were dropped.",
        compute=lambda x, p: (round(1 - p, 3), round(1 - p, 4), True),
    ),
    Mistake(
        "dropout at evaluation time",
        "With training=False the function must return x unchanged: no mask and no "
        "scaling at evaluation time.",
        test=lambda got, expected, case: (
            isinstance(got, tuple)
            and len(got) == 3
            and got[2] is not True
            and _same_behaviour((got[0], got[1], True), expected)
        ),
    ),
    Mistake(
        "changed the shape",
        "The output must have the shape of x: dropout zeroes elements, it removes none.",
        test=lambda got, expected, case: isinstance(got, tuple) and got[:1] == ("shape",),
    ),
)


def check_dropout(
    fn: Callable[[np.ndarray, float, bool], np.ndarray] | None,
    *,
    title: str = "inverted dropout",
    reveal: bool = False,
) -> CheckResult:
    """Check a reader's ``fn(x, p, training)``: inverted dropout, by what it does.

    The output is random, so the check measures it on a 100×100 array: the fraction of
    units kept (within 0.03 of 1 − p), the factor applied to the kept ones (1/(1 − p))
    and whether ``training=False`` returns x unchanged. Cases p = 0.2, 0.5 and 0.75.

    Named mistakes: the paper's form and its p; the paper's scaling, at test time; the
    paper's p (keep probability); the paper's p, unscaled; p kept instead of dropped;
    forgot the scaling; multiplied by 1 − p; dropout at evaluation time; changed the
    shape.

    Examples
    --------
    >>> def right(x, p, training):
    ...     if not training:
    ...         return x
    ...     keep = np.random.default_rng(0).random(x.shape) >= p
    ...     return x * keep / (1 - p)
    >>> check_dropout(right)
    ✓ Correct: inverted dropout (all 3 cases pass)
    >>> check_dropout(lambda x, p, training: x * (np.random.random(x.shape) >= p)).mistake
    'forgot the scaling'
    >>> def paper(x, p, training):  # p read as the keep probability, as in the paper
    ...     keep = np.random.default_rng(0).random(x.shape) < p
    ...     return x * keep / p if training else x
    >>> check_dropout(paper).mistake
    "the paper's p (keep probability)"
    """
    wrapped = None if fn is None else (lambda x, p: _behaviour(fn, x, p))
    return check_function(
        wrapped,
        lambda x, p: (round(1 - p, 3), round(1 / (1 - p), 4), True),
        [_dropout_case(0.2), _dropout_case(0.5), _dropout_case(0.75)],
        _DROPOUT_MISTAKES,
        title=title,
        compare=_same_behaviour,
        match=_same_training,
        signature="fn(x, p, training)",
        reveal=reveal,
    )


#: Exercise 6.2: a unit with this value goes through Dropout(p) while training and is kept.
KEPT_VALUE = {"x": 3.0, "p": 0.25}


def check_kept_value(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Check the value of a kept unit: x / (1 − p) for :data:`KEPT_VALUE`.

    Named mistakes: not scaled (x), multiplied by 1 − p, divided by p (p read as the keep
    probability), multiplied by p.

    Examples
    --------
    >>> check_kept_value(4.0)
    ✓ Correct: the value of a kept unit
    >>> check_kept_value(3.0).mistake
    'not scaled'
    """
    x, p = KEPT_VALUE["x"], KEPT_VALUE["p"]
    mistakes = [
        Mistake(
            "not scaled",
            "That is the value before dropout: a kept unit is also divided by 1 − p "
            "while training (inverted dropout).",
            compute=lambda: x,
        ),
        Mistake(
            "multiplied by 1 − p",
            "You multiplied by 1 − p; inverted dropout divides the kept units by 1 − p, "
            "which makes them larger, not smaller.",
            compute=lambda: x * (1 - p),
        ),
        Mistake(
            "divided by p",
            "You divided by p, the drop probability; the factor is 1/(1 − p), one over the "
            "probability of being kept.",
            compute=lambda: x / p,
        ),
        Mistake(
            "multiplied by p",
            "You multiplied by p; the kept units are divided by the keep probability 1 − p.",
            compute=lambda: x * p,
        ),
    ]
    return check_answer(
        answer,
        x / (1 - p),
        mistakes,
        Case(label=f"x = {x:g}, Dropout(p={p:g}), training, this unit kept"),
        "the value of a kept unit",
        recompute="Work out the keep probability first, then the factor applied to a kept unit.",
        reveal=reveal,
    )


#: Exercise 6.3: the 2014 paper's retention probability for the input units.
PAPER_KEEP = 0.8


def check_paper_rate(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Check the cnnkit ``p`` that matches the paper's retention probability
    :data:`PAPER_KEEP`: ``1 - PAPER_KEEP``.

    Examples
    --------
    >>> check_paper_rate(0.2)
    ✓ Correct: cnnkit's p for the paper's p = 0.8
    >>> check_paper_rate(0.8).mistake
    "copied the paper's p"
    """
    keep = PAPER_KEEP
    mistakes = [
        Mistake(
            "copied the paper's p",
            "You copied the paper's number: its p is the probability of KEEPING a unit; "
            "cnnkit's p is the probability of dropping one.",
            compute=lambda: keep,
        ),
        Mistake(
            "scale factor",
            "That is the factor 1/p that the kept units would get; the question asks for "
            "the drop probability.",
            compute=lambda: 1 / keep,
        ),
    ]
    return check_answer(
        answer,
        round(1 - keep, 10),
        mistakes,
        Case(label=f"the paper retains each input unit with probability p = {keep:g}"),
        f"cnnkit's p for the paper's p = {keep:g}",
        recompute="Say in words what the paper's p is the probability of, then what "
        "cnnkit's p is the probability of.",
        reveal=reveal,
    )


#: Exercise 6.4, explain: what to do at test time after training with inverted dropout.
TEST_TIME_OPTIONS = {
    "a": "Drop half of the units at test time too, so that the network sees at test "
    "time what it saw in training.",
    "b": "Multiply every activation by 0.5, as the 2014 paper does at test time.",
    "c": "Nothing: use every unit as it is; the scaling during training already kept "
    "each expected activation equal to the activation without dropout.",
    "d": "Multiply every activation by 2, to make up for the units that were dropped in training.",
}
_TEST_TIME_WHY = {
    "a": "Random masks at test time make the predictions random: the same image could "
    "get two different answers. Dropout is a training-time noise; at test time the "
    "whole network is used.",
    "b": "The paper multiplies by its keep probability at test time because it does NOT "
    "scale during training. Inverted dropout has already divided by 1 − p in training; "
    "multiplying again would halve every activation.",
    "c": "Inverted dropout divides the kept units by 1 − p while training, so "
    "E[output] = input already. At test time the layer is the identity: "
    "dropout(x, p, training=False) returns x.",
    "d": "The dropped units are not missing at test time: every unit is present, so "
    "there is nothing to make up for, and the training-time scaling already did its "
    "job.",
}


def check_test_time(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 6.4: a multiple choice on dropout at test time (:data:`TEST_TIME_OPTIONS`).

    Examples
    --------
    >>> check_test_time("c")
    ✓ Correct: dropout at test time
    """
    return check_choice(
        answer,
        TEST_TIME_OPTIONS,
        "c",
        _TEST_TIME_WHY,
        title="dropout at test time",
        reveal=reveal,
    )


#: Exercise 6.5, scale: the rate goes from P_FROM to P_TO.
P_FROM, P_TO = 0.25, 0.5


def check_scale_rate(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Check the pair (factor of the number of units kept, factor of the scale of a kept
    unit) when p goes from :data:`P_FROM` to :data:`P_TO`: ((1 − P_TO)/(1 − P_FROM),
    (1 − P_FROM)/(1 − P_TO)).

    Examples
    --------
    >>> check_scale_rate((2 / 3, 1.5))
    ✓ Correct: doubling the drop rate
    >>> check_scale_rate((0.5, 2)).mistake
    'doubled the factors'
    """
    a, b = P_FROM, P_TO
    expected = ((1 - b) / (1 - a), (1 - a) / (1 - b))

    def pair(value: Any) -> tuple[float, float] | None:
        if isinstance(value, tuple | list) and len(value) == 2:
            try:
                return float(value[0]), float(value[1])
            except (TypeError, ValueError):
                return None
        return None

    def same(got: Any, want: Any) -> bool:
        g = pair(got)
        return g is not None and close(g, want, rtol=1e-2)

    mistakes = [
        Mistake(
            "doubled the factors",
            "p doubles, but the kept fraction is 1 − p and the scale is 1/(1 − p): work "
            "out 1 − p before and after, not p.",
            compute=lambda: (0.5, 2.0),
        ),
        Mistake(
            "swapped",
            "You swapped the two factors: fewer units are kept (the first factor is below "
            "1), and each survivor is scaled up more (the second is above 1).",
            compute=lambda: expected[::-1],
        ),
        Mistake(
            "not a pair",
            "Answer with a pair of numbers: (kept-units factor, scale factor).",
            test=lambda got, want, case: pair(got) is None,
        ),
    ]
    return check_answer(
        answer,
        expected,
        mistakes,
        Case(label=f"p goes from {a:g} to {b:g}"),
        "doubling the drop rate",
        compare=same,
        match=same,
        recompute="Write 1 − p and 1/(1 − p) for both rates and divide after by before.",
        reveal=reveal,
    )
