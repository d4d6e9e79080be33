"""Chapter 5, "Pooling": max, average and sum pooling, what a clipped window does, and how
much a pooled map changes when its input is shifted, rotated or rescaled.

For ``notebooks/05_pooling.ipynb``: the rectified edge map that the chapter pools
(:func:`feature_map`), a drawing of a map and its pooled versions (:func:`show_pooled`),
the transformations of the experiment (:func:`shift`, :func:`rotate`, :func:`zoom`) and
the change they cause (:func:`pooled_change`), the explorer of pooling type, window and
stride (:func:`pooling_explorer`) and the chapter's exercise checks (each takes
``reveal=True`` to show the answer).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cache
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnnkit.activations import relu
from cnnkit.book.ch04_relu import edge_map
from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_choice,
    check_function,
    check_shape,
)
from cnnkit.book.explorer import Explorer, InvalidSetting
from cnnkit.book.figures import fit_width, grey_png, img_tag, show_image
from cnnkit.convolution import conv2d
from cnnkit.data import sample_image, to_grayscale
from cnnkit.filters import sobel_x
from cnnkit.pooling import (
    avg_pool2d,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_forward,
    sum_pool2d,
)

#: The pooling functions of the chapter, by name.
POOLS: dict[str, Callable[..., np.ndarray]] = {
    "max": max_pool2d,
    "average": avg_pool2d,
    "sum": sum_pool2d,
}


@cache
def feature_map() -> np.ndarray:
    """The rectified vertical-edge map of the "china" photo: ``relu(edge_map())``.

    Shape (425, 638), values ≥ 0 (chapter 4's map after ReLU). Read-only (cached).
    """
    m = relu(edge_map())
    m.setflags(write=False)
    return m


@cache
def grey_square(size: int = 400) -> np.ndarray:
    """A ``size`` × ``size`` crop of the grey photo, in [0, 1], centred. Read-only."""
    photo = to_grayscale(sample_image("china")) / 255.0
    top = (photo.shape[0] - size) // 2
    left = (photo.shape[1] - size) // 2
    square = photo[top : top + size, left : left + size].copy()
    square.setflags(write=False)
    return square


def show_pooled(
    m: np.ndarray, *, size: int = 2, crop: tuple[int, int, int] = (150, 250, 48)
) -> Figure:
    """A crop of map ``m`` and its max, average and sum pooling (window ``size``, stride
    ``size``), side by side, each on its own grey scale (black 0, white its maximum).

    ``crop`` is (top, left, side) of the square that is drawn.
    """
    top, left, side = crop
    part = np.asarray(m)[top : top + side, left : left + side]
    fig, axes = plt.subplots(1, 4, figsize=(9.6, 2.9), layout="constrained")
    panels = [(part, f"input {part.shape[0]}×{part.shape[1]}")]
    for name, pool in POOLS.items():
        out = pool(part, size)
        panels.append((out, f"{name} pool: {out.shape[0]}×{out.shape[1]}"))
    for ax, (values, title) in zip(axes, panels, strict=True):
        show_image(values, ax=ax, title=title, cmap="gray", vmin=0, vmax=float(values.max()) or 1)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    return fig


# --------------------------------------------------------------------------- transformations
def shift(x: np.ndarray, pixels: int) -> np.ndarray:
    """``x`` moved ``pixels`` to the right along its last axis (``np.roll``: what leaves
    on the right comes back on the left; compare away from the border)."""
    return np.roll(x, pixels, axis=-1)


def _resample(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Nearest-neighbour values of the last two axes of ``x`` at (rows, cols); positions
    outside the image take the nearest edge pixel."""
    h, wd = x.shape[-2:]
    r = np.clip(np.rint(rows).astype(int), 0, h - 1)
    c = np.clip(np.rint(cols).astype(int), 0, wd - 1)
    return x[..., r, c]


def rotate(x: np.ndarray, degrees: float) -> np.ndarray:
    """``x`` rotated by ``degrees`` (anticlockwise) about its centre, nearest neighbour.

    Each output pixel takes the input pixel that the inverse rotation brings it to.
    90° gives ``np.rot90(x)`` for a square x.
    """
    h, wd = x.shape[-2:]
    ci, cj = (h - 1) / 2, (wd - 1) / 2
    i, j = np.meshgrid(np.arange(h) - ci, np.arange(wd) - cj, indexing="ij")
    t = np.deg2rad(degrees)
    # the inverse rotation, written for rows that point down
    rows = ci + np.cos(t) * i + np.sin(t) * j
    cols = cj - np.sin(t) * i + np.cos(t) * j
    return _resample(x, rows, cols)


def zoom(x: np.ndarray, factor: float) -> np.ndarray:
    """``x`` enlarged by ``factor`` about its centre (nearest neighbour), same shape."""
    h, wd = x.shape[-2:]
    ci, cj = (h - 1) / 2, (wd - 1) / 2
    i, j = np.meshgrid(np.arange(h), np.arange(wd), indexing="ij")
    return _resample(x, ci + (i - ci) / factor, cj + (j - cj) / factor)


def edge_features(x: np.ndarray) -> np.ndarray:
    """The rectified vertical-edge map of an image: ``relu(conv2d(x, sobel_x()))``."""
    return relu(conv2d(x, sobel_x()))


def relative_change(a: np.ndarray, b: np.ndarray, *, margin: int = 0) -> float:
    """‖a − b‖ / ‖b‖ over the last two axes, leaving ``margin`` cells out on every side."""
    if margin:
        a = a[..., margin:-margin, margin:-margin]
        b = b[..., margin:-margin, margin:-margin]
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def pooled_change(
    x: np.ndarray, transform: Callable[[np.ndarray], np.ndarray], *, size: int = 2, margin: int = 16
) -> tuple[float, float, float, float]:
    """How much a transformation of the image changes its edge map, before and after
    max pooling.

    Returns (change of :func:`edge_features`, change of its ``size`` × ``size`` max
    pooling with stride ``size``, share of the pooled values that stay exactly the
    same, share that are 0 both times). The changes are :func:`relative_change` at the
    same positions, leaving out ``margin`` input pixels (``margin // size`` pooled
    cells) at the border.
    """
    before, after = edge_features(x), edge_features(transform(x))
    n = before.shape[-1] // size * size
    pooled = max_pool2d(before[..., :n, :n], size)
    pooled_t = max_pool2d(after[..., :n, :n], size)
    k = margin // size
    inner = (slice(k, -k or None), slice(k, -k or None))
    return (
        relative_change(after, before, margin=margin),
        relative_change(pooled_t, pooled, margin=k),
        float(np.mean(pooled_t[inner] == pooled[inner])),
        float(np.mean((pooled_t[inner] == 0) & (pooled[inner] == 0))),
    )


# --------------------------------------------------------------------------- the explorer
#: The settings of the web book's form.
WEB_GRID = {"pool": list(POOLS), "window": [2, 3, 4], "stride": [1, 2, 3, 4]}

#: (top, left, side) of the crop of :func:`feature_map` that the explorer pools.
EXPLORER_CROP = (150, 250, 48)

_CELL = 6  # screen pixels per input cell


def explorer_input() -> np.ndarray:
    """The 48 × 48 crop of :func:`feature_map` that the explorer pools."""
    top, left, side = EXPLORER_CROP
    return np.asarray(feature_map()[top : top + side, left : left + side])


def _picture(m: np.ndarray, high: float, alt: str) -> str:
    view, _ = fit_width(m, explorer_input().shape[1] * _CELL)
    return img_tag(grey_png(view, 0.0, high), alt, "image-rendering:pixelated")


def pooling_html(pool: str, window: int, stride: int) -> str:
    """What the chapter 5 explorer shows: the input crop and its pooled map, with shapes.

    ``pool`` is a key of :data:`POOLS`. Both pictures are drawn about 288 pixels wide, so
    each pooled cell covers the area its window started at; black is 0 and white the
    input's maximum (for sum pooling, the maximum times window², so that it reads like
    an average). Raises :class:`InvalidSetting` when the windows do not tile the input.
    """
    if pool not in POOLS:
        raise ValueError(f"pool must be one of {', '.join(POOLS)}; got {pool!r}")
    window, stride = int(window), int(stride)
    x = explorer_input()
    n = x.shape[0]
    try:
        out = POOLS[pool](x, window, stride=stride)
    except ValueError as error:
        floor = POOLS[pool](x, window, stride=stride, mode="floor").shape[0]
        raise InvalidSetting(
            "The windows do not tile the map",
            f"cnnkit says: <code>{html.escape(str(error).rstrip('.'))}</code>. With "
            f'<code>mode="floor"</code> the last window would be dropped ({floor}×{floor} '
            f"output, the last {n - (floor - 1) * stride - window} row(s) and column(s) "
            'ignored); with <code>mode="ceil"</code> it would be clipped.',
        ) from error
    high = float(x.max()) * (window * window if pool == "sum" else 1)
    ho, wo = out.shape
    overlap = (
        f"stride {stride} &lt; window {window}: the windows overlap. " if stride < window else ""
    )
    cell = "display:inline-block;vertical-align:top;margin-right:12px"
    return (
        "<div class='cnnkit-pool'>"
        f"<div style='{cell}'><b>input</b>: {n}×{n} (part of the rectified edge map)<br>"
        f"{_picture(x, float(x.max()), 'the input crop of the rectified edge map')}</div>"
        f"<div style='{cell}'><b>{pool} pooling</b>, window {window}, stride {stride}: "
        f"{ho}×{wo}<br>"
        f"{_picture(out, high, f'the map after {pool} pooling, {ho} by {wo}')}</div>"
        f"<p style='margin-top:6px'>{n}×{n} = {n * n:,} values in, {ho}×{wo} = "
        f"{ho * wo:,} out ({n * n / (ho * wo):.2g}× fewer). "
        f"{overlap}</p></div>"
    )


def pooling_explorer() -> Explorer:
    """Chapter 5: pooling type, window and stride on a crop of the rectified edge map.

    The output is :func:`pooling_html`.
    """
    style = {"description_width": "7em"}
    controls = {
        "pool": w.Dropdown(options=list(POOLS), value="max", description="pooling", style=style),
        "window": w.IntSlider(value=2, min=2, max=4, description="window F", style=style),
        "stride": w.IntSlider(value=2, min=1, max=4, description="stride S", style=style),
    }
    return Explorer(
        controls,
        pooling_html,
        grid=WEB_GRID,
        source="cnnkit.book.ch05_pooling:pooling_explorer",
    )


# --------------------------------------------------------------------------- exercises
def _blocks(x: np.ndarray) -> np.ndarray:
    """(H//2, W//2, 2, 2) view of the 2×2 blocks of an (H, W) array (even H, W)."""
    h, wd = x.shape
    return x.reshape(h // 2, 2, wd // 2, 2).swapaxes(1, 2)


def _max_pool(x: np.ndarray) -> np.ndarray:
    return max_pool2d(np.asarray(x, dtype=float), 2)


def _no_ties(shape: tuple[int, int], seed: int) -> np.ndarray:
    gen = np.random.default_rng(seed)
    return gen.permutation(shape[0] * shape[1]).reshape(shape) - shape[0] * shape[1] / 2.0


def _forward_cases() -> list[Case]:
    small = np.array([[1.0, 3, 2, 1], [4, 2, 0, 1], [1, 1, 5, 6], [0, 2, 7, 8]])
    negative = -np.arange(1.0, 17.0).reshape(4, 4)
    return [
        Case((small,), label="a 4×4 map", inputs={"x": small}),
        Case((negative,), label="a 4×4 map of negative numbers", inputs={"x": negative}),
        Case((_no_ties((6, 8), 1),), label="a 6×8 map (not square)"),
    ]


_FORWARD_MISTAKES = (
    Mistake(
        "average",
        "You averaged each window: that is average pooling. Max pooling keeps the largest "
        "value of the window.",
        compute=lambda x: _blocks(np.asarray(x, dtype=float)).mean(axis=(-2, -1)),
    ),
    *(
        Mistake(
            "wrong axes",
            "You took the maximum over the wrong axes of the reshaped array. After "
            "x.reshape(H // 2, 2, W // 2, 2), find the two axes that run inside one 2×2 "
            "window: the maximum goes over those, and the other two index the windows.",
            compute=lambda x, axes=axes: (
                np.asarray(x, dtype=float)
                .reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2)
                .max(axis=axes)
            ),
        )
        for axes in [(0, 1), (0, 2), (0, 3), (1, 2), (2, 3)]
    ),
    Mistake(
        "wrong axes",
        "x.reshape(H // 2, W // 2, 2, 2) does not keep the windows together: a reshape "
        "reads the values row by row, so each group of four on the last two axes is four "
        "values that follow one another in x, not a 2×2 window. Reshape to "
        "(H // 2, 2, W // 2, 2), "
        "where one axis runs down a window and another across it, and take the maximum "
        "over those two.",
        compute=lambda x: (
            np.asarray(x, dtype=float)
            .reshape(x.shape[0] // 2, x.shape[1] // 2, 2, 2)
            .max(axis=(2, 3))
        ),
    ),
    *(
        Mistake(
            "one corner of each window",
            "You kept one cell of each window, one of its corners (x[::2, ::2] is the "
            "top-left one, x[1::2, 1::2] the bottom-right one): that picks every second "
            "value, it does not pool. Max pooling compares all four cells of the window "
            "and keeps the largest.",
            compute=lambda x, i=i, j=j: np.asarray(x, dtype=float)[i::2, j::2],
        )
        for i, j in [(0, 0), (0, 1), (1, 0), (1, 1)]
    ),
    Mistake(
        "stride 1",
        "Your windows overlap: you moved them one cell at a time. With stride 2 the next "
        "window starts two cells further, so the output is half as tall and half as wide.",
        compute=lambda x: max_pool2d(np.asarray(x, dtype=float), 2, stride=1),
    ),
    Mistake(
        "started at 0",
        "Your maximum starts from 0, so a window of negative numbers gives 0. Start from "
        "the window's own values (np.max of the window).",
        compute=lambda x: np.maximum(_max_pool(x), 0),
    ),
    Mistake(
        "absolute value",
        "You kept the value of largest size (|x|), not the largest value: −9 is smaller than 1.",
        compute=lambda x: np.take_along_axis(
            _blocks(np.asarray(x, float)).reshape(*_max_pool(x).shape, 4),
            np.abs(_blocks(np.asarray(x, float)).reshape(*_max_pool(x).shape, 4)).argmax(-1)[
                ..., None
            ],
            -1,
        )[..., 0],
    ),
)


def check_max_pool(fn: Any, *, reveal: bool = False) -> CheckResult:
    """Implement: ``fn(x)`` is 2×2 max pooling with stride 2 of an (H, W) array (H, W
    even), compared with ``cnnkit.pooling.max_pool2d(x, 2)``.

    Named mistakes: averaged, the maximum over the wrong axes of the reshaped array (any
    wrong pair, or a reshape to (H // 2, W // 2, 2, 2) that splits the windows), one
    corner of each window (any of the four), stride 1, a maximum started from 0, the
    largest |x|.

    Examples
    --------
    >>> check_max_pool(lambda x: x[::2, ::2]).mistake
    'one corner of each window'
    """
    return check_function(
        fn,
        _max_pool,
        _forward_cases(),
        _FORWARD_MISTAKES,
        title="max pooling forward",
        signature="my_max_pool(x)",
        reveal=reveal,
    )


def _max_pool_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    x4 = np.asarray(x, dtype=float)[None, None]
    _, cache = max_pool2d_forward(x4, 2)
    return max_pool2d_backward(np.asarray(dout, dtype=float)[None, None], cache)[0, 0]


def _spread(dout: np.ndarray, share: float) -> np.ndarray:
    d = np.asarray(dout, dtype=float) * share
    return np.repeat(np.repeat(d, 2, axis=0), 2, axis=1)


def _backward_cases() -> list[Case]:
    small = np.array([[1.0, 3, 2, 1], [4, 2, 0, 5], [1, -1, 6, 3], [0, 2, 7, 8]])
    dout = np.array([[1.0, -2.0], [3.0, 0.5]])
    big = _no_ties((6, 8), 2)
    return [
        Case((dout, small), label="a 4×4 map x, dout 2×2", inputs={"dout": dout, "x": small}),
        Case((np.ones((2, 2)), small), label="the same x, dout = 1 everywhere"),
        Case((np.arange(12.0).reshape(3, 4) - 5, big), label="a 6×8 map x (no ties)"),
    ]


_BACKWARD_MISTAKES = (
    Mistake(
        "to every cell",
        "You sent each window's gradient to all four of its cells: that is sum pooling's "
        "backward pass. Only the maximum changed the output, so only it gets dout.",
        compute=lambda dout, x: _spread(dout, 1.0),
    ),
    Mistake(
        "averaged",
        "You shared each window's gradient equally (dout / 4): that is average pooling's "
        "backward pass. The whole of dout goes to the maximum, the other cells get 0.",
        compute=lambda dout, x: _spread(dout, 0.25),
    ),
    Mistake(
        "forgot dout",
        "Forgot dout: you returned the 0/1 mask of the maxima. Multiply it by the window's "
        "gradient from above.",
        compute=lambda dout, x: (_max_pool_backward(np.ones_like(dout), x) != 0).astype(float),
    ),
    Mistake(
        "to the minimum",
        "The gradient went to the smallest cell of each window; it belongs to the largest.",
        compute=lambda dout, x: _max_pool_backward(dout, -np.asarray(x, dtype=float)),
    ),
    Mistake(
        "dx of the pooled shape",
        "Your dx has the shape of dout, one value per window. dx is the gradient with "
        "respect to x, so it has x's shape, one value per input cell: each window's dout "
        "goes to the cell that held its maximum, and the window's other cells get 0.",
        test=lambda got, expected, case: (
            np.shape(got) == np.shape(case.args[0]) and np.shape(got) != np.shape(expected)
        ),
    ),
)


def check_max_pool_backward(fn: Any, *, reveal: bool = False) -> CheckResult:
    """Implement: ``fn(dout, x)`` is the gradient of 2×2, stride-2 max pooling of the
    (H, W) array x: each window's ``dout`` goes to its maximum, 0 elsewhere.

    Checked against ``max_pool2d_forward``/``max_pool2d_backward`` on inputs without ties.
    Named mistakes: dout sent to every cell, averaged, forgot dout, sent to the minimum,
    a dx of dout's shape instead of x's.

    Examples
    --------
    >>> check_max_pool_backward(lambda dout, x: dout).mistake
    'dx of the pooled shape'
    """
    return check_function(
        fn,
        _max_pool_backward,
        _backward_cases(),
        _BACKWARD_MISTAKES,
        title="max pooling backward",
        signature="my_max_pool_backward(dout, x)",
        reveal=reveal,
    )


#: The options of exercise 5.3, as the notebook lists them.
SHIFT_OPTIONS = {
    "a": "Nothing: max pooling makes the output invariant to shifts of any size.",
    "b": "Some pooled values stay the same (the maximum is still inside its window) and "
    "others change (it moved into the next window): the output changes less than the "
    "input, but it does change.",
    "c": "The pooled map moves by exactly one cell, as the input did.",
    "d": "The same as a rotation: pooling treats all small changes alike.",
}

_SHIFT_WHY = {
    "a": "Only approximately, and only for small shifts: a maximum that crosses a window "
    "border changes the output. A shift of 2 (the stride) moves the whole pooled map by "
    "a cell.",
    "b": "Within a 2×2 window a maximum can move one cell and still win; where it crosses "
    "into the next window, that output changes. The experiment measured it: a smaller "
    "relative change than without pooling, not zero.",
    "c": "A shift of one input pixel is half a pooled cell: the pooled map cannot move by a "
    "whole cell. A shift of 2 (the stride) moves it by one cell.",
    "d": "The experiment says otherwise: a rotation changes which edges the filter sees, "
    "and the pooled map changes nearly as much as the map itself.",
}


def check_shift_effect(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Explain: what does 2×2 max pooling (stride 2) do to a shift of one pixel?

    The options are :data:`SHIFT_OPTIONS`.

    Examples
    --------
    >>> check_shift_effect("a").hint.startswith("Only approximately")
    True
    """
    return check_choice(
        answer, SHIFT_OPTIONS, "b", _SHIFT_WHY, title="max pooling and a shift", reveal=reveal
    )


def check_pooled_shape(
    answer: Any,
    *,
    shape: tuple[int, int, int] = (64, 112, 112),
    size: int = 2,
    reveal: bool = False,
) -> CheckResult:
    """Predict: the shape (C, H, W) after ``max_pool2d(x, size)`` of a map of ``shape``.

    Named mistakes: channels pooled too, shape unchanged, stride 1, padding of a
    convolution's "same" kind.
    """
    c, h, wd = shape
    expected = (c, h // size, wd // size)
    mistakes = {
        (c // size, h // size, wd // size): "Pooling works on each channel on its own: the "
        "number of channels does not change.",
        (c, h, wd): "The window moves by its stride, 2: the map gets smaller.",
        (c, h - size + 1, wd - size + 1): "That is stride 1; max_pool2d's stride defaults to "
        "the window size.",
        (c // (size * size), h, wd): "Pooling shrinks height and width, per channel; it never "
        "touches the channels.",
    }
    return check_shape(
        answer,
        expected,
        {k: v for k, v in mistakes.items() if k != expected},
        title="shape after pooling",
        question=f"max_pool2d(x, {size}) with x of shape {shape}",
        reveal=reveal,
    )
