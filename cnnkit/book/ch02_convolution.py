"""Chapter 2, "Convolution": a filter slides over an image and gives a feature map.

For ``notebooks/02_convolution.ipynb``: the figures of one step (:func:`show_products`),
the sliding window (:func:`sliding_window_animation`) and many filters at once
(:func:`show_filter_responses`); the filter explorer (:func:`filter_explorer`); the
chapter's exercise checks (each takes ``reveal=True`` to show the answer).

Notation: an input H×W (or C×H×W), K filters of size F×F, stride S, padding P.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import cache
from typing import Any

import ipywidgets as w
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import Animation, FuncAnimation
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cnnkit.book.exercises import (
    FLIPPED_HINT,
    MACS_MISTAKES,
    PADDING_HINT,
    SHAPE_RECOMPUTE,
    STRIDE_HINT,
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    conv_macs,
    macs_case,
    same_shape,
    shape_mistakes,
)
from cnnkit.book.explorer import Explorer, InvalidSetting
from cnnkit.book.figures import (
    fit_width,
    grey_png,
    img_tag,
    mark_window,
    show_image,
    show_matrix,
    signed_png,
    text_colour,
)
from cnnkit.book.style import DIVERGING_CMAP, SEQUENTIAL_CMAP
from cnnkit.convolution import conv2d, convolve2d
from cnnkit.cost import conv2d_cost
from cnnkit.data import CLASS_NAMES, example_image, sample_image, to_grayscale, xoi_patterns
from cnnkit.filters import PRESETS
from cnnkit.padding import pad


# --------------------------------------------------------------------------- figures
def _matrix_cmap(m: np.ndarray) -> tuple[str, float, float]:
    """(cmap, vmin, vmax) by the book's rule: PuOr_r centred on 0 if any value is negative,
    grey from 0 otherwise (so that 0 is black and a binary image reads as it looks)."""
    low, high = float(np.min(m)), float(np.max(m))
    if low < 0:
        lim = max(abs(low), abs(high)) or 1.0
        return DIVERGING_CMAP, -lim, lim
    return "gray", min(0.0, low), high if high > 0 else 1.0


def show_products(
    window: np.ndarray,
    kernel: np.ndarray,
    fmt: str = "{:g}",
    channel_names: Sequence[str] | None = None,
    panel_size: float = 2.3,
    kernel_fmt: str | None = None,
) -> Figure:
    """Draw one step of a convolution: window × filter = products, and their sum.

    One row of three matrices (the window of the input, the filter, their element-wise
    product) with the sum of the products in the title. For a multi-channel window and
    filter, one row per channel, each with its own sum, and the total (the one output
    number) in the figure title:

        output = sum over c, u, v of window[c, u, v] * kernel[c, u, v]

    Parameters
    ----------
    window, kernel : ndarray, shape (FH, FW) or (C, FH, FW)
        The part of the input under the filter, and the filter (same shape).
    fmt : str
        Format of the numbers written in the cells and of the sums, e.g. ``"{:.2f}"``.
    channel_names : sequence of str, optional
        Row labels for a multi-channel window, e.g. ``["red", "green", "blue"]``.
    panel_size : float
        Width and height of one matrix panel, in inches.
    kernel_fmt : str, optional
        Format of the filter's numbers; default ``fmt``.

    Returns
    -------
    matplotlib.figure.Figure
        With 3 axes per channel, in row order (window, filter, products).
    """
    win = np.asarray(window, dtype=float)
    ker = np.asarray(kernel, dtype=float)
    if win.shape != ker.shape or win.ndim not in (2, 3):
        raise ValueError(
            "show_products: window and kernel must have the same shape, (FH, FW) or "
            f"(C, FH, FW); got window {win.shape} and kernel {ker.shape}"
        )
    single = win.ndim == 2
    if single:
        win, ker = win[None], ker[None]
    channels = win.shape[0]
    if channel_names is None:
        channel_names = [f"channel {c}" for c in range(channels)]
    products = win * ker
    fig, axes = plt.subplots(
        channels,
        3,
        figsize=(3 * panel_size, channels * panel_size * 0.95 + 0.4),
        squeeze=False,
    )
    for c in range(channels):
        name = "" if single else f"{channel_names[c]}: "
        total = float(products[c].sum())
        for ax, m, title, form in (
            (axes[c, 0], win[c], f"{name}window of the input", fmt),
            (axes[c, 1], ker[c], "× filter", kernel_fmt or fmt),
            (axes[c, 2], products[c], f"= products, sum {fmt.format(total)}", fmt),
        ):
            cmap, vmin, vmax = _matrix_cmap(m)
            show_matrix(m, ax=ax, fmt=form, cmap=cmap, vmin=vmin, vmax=vmax, title=title)
            ax.set_xticks([])
            ax.set_yticks([])
    if not single:
        sums = " + ".join(fmt.format(float(products[c].sum())) for c in range(channels))
        fig.suptitle(
            f"one output number = sum over all channels = {sums} = "
            f"{fmt.format(float(products.sum()))}"
        )
    return fig


def sliding_window_animation(
    image: np.ndarray,
    kernel: np.ndarray,
    stride: int = 1,
    padding: int = 0,
    interval: int = 900,
    fmt: str = "{:g}",
    figsize: tuple[float, float] = (6.0, 2.9),
) -> Animation:
    """Animate a 2-D convolution: the window slides, the output fills in, one frame a step.

    Three panels: the input with the current window outlined (padding zeros, if any, are
    drawn outside a dashed line), the filter, and the feature map with the values computed
    so far and the current one outlined. The title gives the position and its value.
    There is one frame per output position, H_out·W_out frames in row-major order.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (FH, FW)
    stride, padding : int
        As in :func:`cnnkit.convolution.conv2d` (the output size must be a whole number).
    interval : int
        Milliseconds between frames.
    fmt : str
        Format of the numbers in the cells.
    figsize : (float, float)
        Figure size in inches; keep it small (the frames are embedded in the page).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Pass it to :func:`animation_html` to get a player that works offline.
    """
    img = np.asarray(image, dtype=float)
    ker = np.asarray(kernel, dtype=float)
    out = conv2d(img, ker, stride=stride, padding=padding)  # validates every argument
    xp = pad(img, padding) if padding else img
    kh, kw = ker.shape
    ho, wo = out.shape
    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=figsize, gridspec_kw={"width_ratios": [xp.shape[1], kw + 1, wo + 1]}
    )
    cmap, vmin, vmax = _matrix_cmap(xp)
    show_matrix(xp, ax=ax_in, fmt=fmt, cmap=cmap, vmin=vmin, vmax=vmax, title="input")
    if padding:
        h, w = img.shape
        ax_in.add_patch(
            Rectangle(
                (padding - 0.5, padding - 0.5), w, h, fill=False, linestyle="--", linewidth=1.2
            )
        )
    window = mark_window(ax_in, 0, 0, kh, kw, linewidth=3.5)
    cmap, vmin, vmax = _matrix_cmap(ker)
    show_matrix(ker, ax=ax_k, fmt=fmt, cmap=cmap, vmin=vmin, vmax=vmax, title="filter")

    # The output panel: cells not computed yet are "bad" (NaN) and drawn light grey.
    name, vmin, vmax = _matrix_cmap(out)
    if name == "gray":
        name, vmin, vmax = SEQUENTIAL_CMAP, min(0.0, float(out.min())), float(out.max()) or 1.0
    show_matrix(np.zeros_like(out), ax=ax_out, annotate=False, title="output (feature map)")
    colormap = plt.get_cmap(name).with_extremes(bad="#EEEEEE")
    norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax)
    shown = ax_out.images[0]
    shown.set_cmap(colormap)
    shown.set_norm(norm)
    filled = np.full(out.shape, np.nan)
    shown.set_data(np.ma.masked_invalid(filled))
    size = max(5.0, min(11.0, 90.0 / max(ho, wo)))
    labels = [
        [ax_out.text(j, i, "", ha="center", va="center", fontsize=size) for j in range(wo)]
        for i in range(ho)
    ]
    current = mark_window(ax_out, 0, 0, 1, 1, linewidth=3.5)
    title = fig.suptitle(" ")

    def step(k: int) -> list:
        i, j = divmod(k, wo)
        filled[i, j] = out[i, j]
        shown.set_data(np.ma.masked_invalid(filled))
        text = labels[i][j]
        text.set_text(fmt.format(out[i, j]))
        text.set_color(text_colour(out[i, j], norm, colormap))
        window.set_xy((j * stride - 0.5, i * stride - 0.5))
        current.set_xy((j - 0.5, i - 0.5))
        title.set_text(
            f"output row {i}, column {j}: window × filter, summed = {fmt.format(out[i, j])}"
        )
        return [shown, text, window, current, title]

    return FuncAnimation(fig, step, frames=ho * wo, interval=interval, blit=False, repeat=False)


def format_weight(value: float) -> str:
    """A filter weight as a reader would write it: "1", "-2", "0.5", "1/9".

    Short decimals stay decimals; a value whose decimal form is long but which equals a
    fraction with a denominator up to 64 is written as that fraction (``1/9`` rather
    than ``0.111111``, ``1/16`` rather than ``0.0625``).

    Examples
    --------
    >>> format_weight(-2.0), format_weight(0.25), format_weight(1 / 16), format_weight(1 / 9)
    ('-2', '0.25', '1/16', '1/9')
    """
    text = f"{float(value):g}"
    if len(text.lstrip("-")) <= 4:
        return text
    fraction = Fraction(float(value)).limit_denominator(64)
    if abs(float(fraction) - float(value)) < 1e-12:
        return str(fraction)
    return text


def show_filter_responses(
    image: np.ndarray,
    kernels: dict[str, np.ndarray],
    ncols: int = 4,
    panel_size: float = 1.8,
    padding: int = 1,
    kernel_fontsize: float = 8,
) -> Figure:
    """Small multiples: each named filter, and the feature map it gives on one image.

    Each panel pairs a filter (its weights written in, above; fractions such as 1/9 are
    written as fractions) with ``conv2d(image, kernel, padding=padding)`` (below). A
    filter whose weights sum to 0 (an edge detector) gives 0 on flat regions and signed
    values at edges: its map is drawn with the diverging map centred on 0 (orange
    positive, purple negative, white 0), clipped at the 99th percentile of the absolute
    values so that a few extreme pixels do not wash out the rest. Any other filter gives a
    new picture (blurred, sharpened, ...): it is drawn in grey between the 0.5th and 99.5th
    percentiles.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        A grey-level image.
    kernels : dict of str to ndarray, shape (FH, FW)
        Title of each panel and its filter, e.g. ``cnnkit.filters.PRESETS``.
    ncols : int
        Panels per row.
    panel_size : float
        Width of one panel, in inches (keep ``ncols * panel_size`` at about 7 or less, the
        width of the book's text column, so that the figure is not shrunk).
    padding : int
        Zero padding of the convolution (1 keeps a 3×3 filter's map the image's size).
    kernel_fontsize : float
        Size of the filter's numbers, in points.

    Returns
    -------
    matplotlib.figure.Figure
        With two axes per filter, in the order (filter, map) for each.
    """
    img = np.asarray(image, dtype=float)
    names = list(kernels)
    if not names:
        raise ValueError("show_filter_responses: kernels is empty; pass at least one filter")
    ncols = max(1, min(ncols, len(names)))
    nrows = (len(names) + ncols - 1) // ncols
    aspect = img.shape[0] / img.shape[1]
    # height of the filter row, as a fraction of the panel width: big enough for "1/16"
    kernel_share = min(0.62, 1.0 / panel_size)
    fig = plt.figure(
        figsize=(panel_size * ncols, nrows * panel_size * (aspect + kernel_share) + 0.3 * nrows)
    )
    grid = fig.add_gridspec(2 * nrows, ncols, height_ratios=[kernel_share, aspect] * nrows)
    for idx, name in enumerate(names):
        r, c = divmod(idx, ncols)
        ker = np.asarray(kernels[name], dtype=float)
        ax_k = fig.add_subplot(grid[2 * r, c])
        cmap, vmin, vmax = _matrix_cmap(ker)
        if cmap == "gray":  # a filter with no negative weight: light cells, dark numbers
            cmap, vmin, vmax = DIVERGING_CMAP, -float(ker.max()), float(ker.max())
        show_matrix(ker, ax=ax_k, cmap=cmap, vmin=vmin, vmax=vmax, fontsize=kernel_fontsize)
        for text, value in zip(ax_k.texts, ker.ravel(), strict=True):
            text.set_text(format_weight(value))
        ax_k.set_title(name, fontsize=9)
        ax_k.set_xticks([])
        ax_k.set_yticks([])
        ax_m = fig.add_subplot(grid[2 * r + 1, c])
        response = conv2d(img, ker, padding=padding)
        if abs(float(ker.sum())) < 1e-9:
            lim = float(np.percentile(np.abs(response), 99)) or 1.0
            show_image(response, ax=ax_m, cmap=DIVERGING_CMAP, vmin=-lim, vmax=lim)
        else:
            low, high = np.percentile(response, [0.5, 99.5])
            show_image(response, ax=ax_m, vmin=low, vmax=high)
    return fig


# --------------------------------------------------------------------------- the explorer
_CUSTOM = "custom (typed in)"
#: The names of the nine weight boxes, row by row: w00 is row 0, column 0.
WEIGHT_NAMES = tuple(f"w{row}{col}" for row in range(3) for col in range(3))


@cache
def explorer_images() -> dict[str, np.ndarray]:
    """The explorer's grey-level images, (H, W) float64 in [0, 1], by name."""
    patterns, labels = xoi_patterns(3, rng=0, noise=0.0, max_shift=0)
    images = {
        "photo: china (grey)": to_grayscale(sample_image("china")) / 255.0,
        "photo: flower (grey)": to_grayscale(sample_image("flower")) / 255.0,
        "5×5 example image": example_image(),
    }
    for label, name in enumerate(CLASS_NAMES):
        index = int(np.flatnonzero(labels == label)[0])
        images[f"{name} pattern (9×9)"] = patterns[index, 0].astype(np.float64)
    return images


def parse_weights(texts: Sequence[str]) -> np.ndarray:
    """The nine typed weights as a (3, 3) float64 array.

    Accepts whole numbers, decimals and fractions ("2", "-0.5", "1/9"). Raises
    ValueError naming the first box that does not hold a finite number.

    Examples
    --------
    >>> parse_weights(["1", "-0.5", "1/4", "0", "0", "0", "0", "0", "2"])[0].tolist()
    [1.0, -0.5, 0.25]
    """
    values = []
    for k, text in enumerate(texts):
        row, col = divmod(k, 3)
        try:
            values.append(float(Fraction(text.strip())))
        except (ValueError, ZeroDivisionError):
            shown = repr(text.strip()) if text.strip() else "an empty box"
            raise ValueError(
                f"row {row}, column {col}: {shown} is not a number. Type a whole number "
                "(2), a decimal (-0.5) or a fraction (1/9)."
            ) from None
    return np.array(values).reshape(3, 3)


def _picture(m: np.ndarray, signed: bool, alt: str) -> str:
    """An ``<img>`` of a map about 320 pixels wide: signed maps in the diverging colormap
    (clipped at the 98th percentile of |value| on large maps), others in grey (between
    the 0.5th and 99.5th percentiles on large maps)."""
    small, scale = fit_width(m, 320)
    photo = scale < 1  # a map of a photo, shrunk: JPEG; a small map, enlarged: PNG
    if signed:
        lim = float(np.percentile(np.abs(small), 98)) if small.size > 100 else 0.0
        png = signed_png(small, lim or float(np.abs(small).max()), photo=photo)
    else:
        low, high = (
            np.percentile(small, [0.5, 99.5]) if small.size > 100 else (small.min(), small.max())
        )
        png = grey_png(small, float(low), float(high), photo=photo)
    return img_tag(png, alt, "max-width:330px")


@cache
def _input_picture(name: str) -> str:
    image = explorer_images()[name]
    small, scale = fit_width(image, 320)
    png = grey_png(small, 0.0, 1.0, photo=scale < 1)
    return img_tag(png, f"the input: {name}", "max-width:330px")


def filter_html(image: str, preset: str, **weights: str) -> str:
    """What the chapter 2 explorer shows: the input, its feature map, and the numbers.

    The feature map is ``conv2d(x, kernel)`` (no padding, stride 1) of the image named
    ``image`` (a key of :func:`explorer_images`) with the 3×3 kernel typed in the nine
    boxes ``w00`` ... ``w22`` (``preset`` only names where the weights came from). A
    filter whose weights sum to 0 (an edge detector) gives a signed map, drawn orange
    where positive, purple where negative and white at 0; any other filter gives a new
    picture, drawn in grey. Small maps (up to 9×9) are also written out as numbers.

    Raises
    ------
    InvalidSetting
        When a box does not hold a number; its message names the box.
    """
    try:
        kernel = parse_weights([weights[name] for name in WEIGHT_NAMES])
    except ValueError as error:
        raise InvalidSetting(
            "Not a valid filter",
            html.escape(str(error)),
            keeps="The map still shows the last valid filter.",
        ) from None
    x = explorer_images()[image]
    fmap = conv2d(x, kernel)
    if abs(float(kernel.sum())) < 1e-9:
        legend = "orange = positive, purple = negative, white = 0 (the weights sum to 0)"
        signed = True
    else:
        legend = "grey levels, dark = low, light = high"
        signed = False
    picture = _picture(fmap, signed, f"the feature map of the {preset} filter; {legend}")
    text = (
        f"<b>input</b> {x.shape[0]}×{x.shape[1]} (left) → <b>feature map</b> "
        f"{fmap.shape[0]}×{fmap.shape[1]} (right), values from {fmap.min():.3g} to "
        f"{fmap.max():.3g}; {legend}."
    )
    if fmap.size <= 81:
        rows = "\n".join(" ".join(f"{v:6.3g}" for v in row) for row in fmap)
        text += f"<pre style='margin:4px 0'>{html.escape(rows)}</pre>"
    return f"<div>{_input_picture(image)} {picture}</div><div>{text}</div>"


def _link_preset_and_weights(values: dict[str, Any], changed: frozenset[str]) -> dict[str, Any]:
    """A preset fills the nine boxes; typing a weight that differs from the preset
    switches the preset to "custom"."""
    if "preset" in changed and values["preset"] != _CUSTOM:
        kernel = PRESETS[values["preset"]]
        values |= dict(zip(WEIGHT_NAMES, map(format_weight, kernel.ravel()), strict=True))
    elif changed & set(WEIGHT_NAMES) and values["preset"] != _CUSTOM:
        try:
            typed = parse_weights([values[name] for name in WEIGHT_NAMES])
        except ValueError:
            typed = None
        if typed is None or not np.allclose(typed, PRESETS[values["preset"]]):
            values["preset"] = _CUSTOM
    return values


def filter_explorer() -> Explorer:
    """Chapter 2: pick an image and a 3×3 filter (a preset, or typed in), see the feature map.

    Controls: ``image``, ``preset`` and the nine weight boxes ``w00`` ... ``w22`` (row,
    column). The output is :func:`filter_html`. Weights can be typed as whole numbers,
    decimals or fractions ("1/9"); a box that does not hold a number is reported in a
    warning box and the last valid map stays.
    """
    controls: dict[str, w.ValueWidget] = {
        "image": w.Dropdown(
            options=list(explorer_images()), value="photo: china (grey)", description="image"
        ),
        "preset": w.Dropdown(
            options=[*PRESETS, _CUSTOM], value="vertical_edge", description="filter"
        ),
    }
    first = PRESETS[controls["preset"].value].ravel()
    for name, weight in zip(WEIGHT_NAMES, first, strict=True):
        controls[name] = w.Text(
            value=format_weight(weight),
            continuous_update=False,
            tooltip=f"weight at row {name[1]}, column {name[2]}",
            layout=w.Layout(width="4.5em"),
        )

    def arrange(controls: dict[str, w.ValueWidget], output: w.HTML) -> w.Widget:
        # each weight box is labelled, visibly, by its row and column around the grid
        heads = [w.HTML("")] + [w.HTML(f"<small>column {c}</small>") for c in range(3)]
        cells = list(heads)
        for row in range(3):
            cells.append(w.HTML(f"<small>row {row}</small>"))
            cells += [controls[f"w{row}{col}"] for col in range(3)]
        grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="3.6em repeat(3, 4.8em)"))
        label = w.HTML("<b>3×3 filter</b><br>(press Enter<br>after typing)")
        return w.VBox(
            [w.HBox([controls["image"], controls["preset"]]), w.HBox([label, grid]), output]
        )

    return Explorer(
        controls,
        filter_html,
        settle=_link_preset_and_weights,
        arrange=arrange,
        grid={"image": list(explorer_images()), "preset": list(PRESETS)},
        source="cnnkit.book.ch02_convolution:filter_explorer",
    )


# --------------------------------------------------------------------------- exercises
def _flip(w: np.ndarray) -> np.ndarray:
    """The kernel rotated by 180 degrees (last two axes reversed)."""
    return w[..., ::-1, ::-1]


def _floor_conv(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    return conv2d(x, w, stride=stride, padding=padding, mode="floor")


def _off_by_one_shape(got: Any, expected: Any, case: Case) -> bool:
    if isinstance(got, Exception):
        return False
    shape = np.shape(got)
    if len(shape) != np.ndim(expected) or shape == np.shape(expected):
        return False
    return max(abs(a - b) for a, b in zip(shape, np.shape(expected), strict=True)) == 1


def _swapped_axes(got: Any, expected: Any, case: Case) -> bool:
    if isinstance(got, Exception):
        return False
    shape, want = np.shape(got), np.shape(expected)
    return len(shape) == len(want) and shape != want and sorted(shape) == sorted(want)


def _stride_one_block(x, w, stride=1, padding=0):
    """Right number of positions, but the window moved 1 pixel per step."""
    rows, cols = conv2d(x, w, stride=stride, padding=padding).shape[-2:]
    return _floor_conv(x, w, 1, padding)[..., :rows, :cols]


def _padded_top_left_only(x, w, stride=1, padding=0):
    if padding == 0:
        raise ValueError("no padding: this mistake does not apply")
    return _floor_conv(pad(x, (padding, 0, padding, 0)), w, stride, 0)


#: The hints of this chapter, which has not taught the stride S and the padding P yet:
#: the window moves one pixel per step and stays inside the image.
_FLIPPED_HINT_CH2 = (
    "Flipped the kernel: you computed a true convolution (kernel rotated by 180°). "
    "Deep-learning libraries, and this book, slide the kernel as it is "
    "(cross-correlation): out[i, j] = Σ x[i + u, j + v] · w[u, v]."
)
_OFF_BY_ONE_LOOPS_CH2 = (
    "Off by one in the output size: your output has one row or column too many or too "
    "few. A window F_H rows high fits H − F_H + 1 times down the image, and one F_W "
    "columns wide W − F_W + 1 times across (the + 1 counts the first position): check "
    "your loop ranges, range(H − F_H + 1), not range(H − F_H)."
)
_SHAPE_MISTAKES_CH2 = shape_mistakes(
    off_by_one="Off by one in a size: an F×F window fits H − F + 1 times down an image H "
    "rows high, and W − F + 1 times across (the + 1 counts the first position)."
)


def _conv2d_mistakes(knobs: bool = True) -> list[Mistake]:
    """The named mistakes of :func:`check_conv2d`; ``knobs=False`` gives chapter 2's,
    whose hints do not use the stride and the padding."""
    if not knobs:
        return [
            Mistake(
                "flipped the kernel",
                _FLIPPED_HINT_CH2,
                compute=lambda x, w: _floor_conv(x, _flip(w)),
            ),
            Mistake(
                "swapped H and W",
                "Swapped H and W: your output has the height and the width exchanged. "
                "Rows (height, axis 0) come first, columns (width, axis 1) second, for "
                "the input, the kernel (F_H, F_W) and the output.",
                test=_swapped_axes,
            ),
            Mistake("off by one in the output size", _OFF_BY_ONE_LOOPS_CH2, test=_off_by_one_shape),
            # The shared hints for these two errors speak of the stride and the padding.
            Mistake(
                "window and kernel of different shapes",
                "Your code combined two arrays of different shapes: usually the window cut "
                "out of the input does not have the kernel's shape. Check the slice "
                "x[i : i + F_H, j : j + F_W] (height first, then width).",
                test=lambda got, expected, case: (
                    isinstance(got, ValueError) and "broadcast" in str(got)
                ),
            ),
            Mistake(
                "an index past the edge",
                "An index ran past the edge of an array: check the ranges of your loops "
                "(how many times the window fits down and across the image).",
                test=lambda got, expected, case: isinstance(got, IndexError),
            ),
        ]
    return [
        Mistake(
            "flipped the kernel",
            FLIPPED_HINT,
            compute=lambda x, w, stride=1, padding=0: _floor_conv(x, _flip(w), stride, padding),
        ),
        Mistake(
            "forgot the stride",
            STRIDE_HINT,
            compute=lambda x, w, stride=1, padding=0: _floor_conv(x, w, 1, padding),
        ),
        Mistake(
            "forgot the stride",
            STRIDE_HINT + " (Your output has the right shape, but its windows overlap "
            "as for stride 1.)",
            compute=lambda x, w, stride=1, padding=0: _stride_one_block(x, w, stride, padding),
        ),
        Mistake(
            "forgot the padding",
            PADDING_HINT,
            compute=lambda x, w, stride=1, padding=0: _floor_conv(x, w, stride, 0),
        ),
        Mistake(
            "padded with the wrong amount",
            "Padded with the wrong amount: you added 2P zeros on each side. The padding P "
            "is per side; the padded input is W + 2P wide because both sides get P.",
            compute=lambda x, w, stride=1, padding=0: _floor_conv(x, w, stride, 2 * padding),
        ),
        Mistake(
            "padded with the wrong amount",
            "Padded with the wrong amount: you padded only the top and the left. Add P "
            "zeros on all four sides.",
            compute=lambda x, w, stride=1, padding=0: _padded_top_left_only(x, w, stride, padding),
        ),
        Mistake(
            "swapped H and W",
            "Swapped H and W: your output has the height and the width exchanged. Rows "
            "(height, axis 0) come first, columns (width, axis 1) second, for the input, "
            "the kernel (FH, FW) and the output (H_out, W_out).",
            test=_swapped_axes,
        ),
        Mistake(
            "off by one in the output size",
            "Off by one in the output size: your output has one row or column too many or "
            "too few. Along each axis the window visits ⌊(H − F + 2P)/S⌋ + 1 positions: "
            "check your loop ranges (range(H_out), not range(H − F)).",
            test=_off_by_one_shape,
        ),
    ]


def _ints(rng: np.random.Generator, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
    """Small whole numbers as float64: easy to read in a failure report."""
    return rng.integers(low, high, size=shape).astype(np.float64)


def _conv_label(x: np.ndarray, w: np.ndarray, stride: int, padding: int) -> str:
    return f"x.shape={x.shape}, w.shape={w.shape}, stride={stride}, padding={padding}"


def check_conv2d(
    fn: Callable[..., np.ndarray] | None,
    *,
    knobs: bool = True,
    title: str = "2-D convolution",
    reveal: bool = False,
) -> CheckResult:
    """Check a reader's ``fn(x, w, stride=1, padding=0)`` on 2-D inputs.

    ``x`` has shape (H, W), ``w`` shape (FH, FW); the expected result is the
    cross-correlation (kernel not flipped) of shape (H_out, W_out), from
    :func:`cnnkit.convolution.conv2d`. The cases use rectangular inputs and kernels,
    stride 2 and padding 1; every setting tiles the input exactly.

    Named mistakes: flipped the kernel (true convolution); forgot the stride (whole
    stride-1 map, or the right shape with stride-1 windows); forgot the padding; padded
    with the wrong amount (2P per side, or top and left only); swapped H and W; off by
    one in the output size. Exceptions are reported with a hint.

    Parameters
    ----------
    fn : callable or None
        Called as ``fn(x, w, stride=s, padding=p)`` with float64 arrays; with
        ``knobs=False``, as ``fn(x, w)``.
    knobs : bool
        False for chapter 2, which has not taught stride and padding yet: only the
        cases with stride 1 and no padding are run, and ``fn`` gets no keywords.
    title : str
        Shown in the result.
    reveal : bool
        Show the expected output of the failing case now.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from cnnkit.convolution import conv2d_naive
    >>> def mine(x, w, stride=1, padding=0):
    ...     return conv2d_naive(x, w, stride=stride, padding=padding)
    >>> check_conv2d(mine)
    ✓ Correct: 2-D convolution (all 5 cases pass)
    >>> def flipped(x, w, stride=1, padding=0):
    ...     return conv2d_naive(x, w[::-1, ::-1], stride=stride, padding=padding)
    >>> check_conv2d(flipped).mistake
    'flipped the kernel'
    """
    rng = np.random.default_rng(20)
    settings = [
        ((4, 6), (2, 3), 1, 0),
        ((5, 7), (3, 3), 2, 0),
        ((4, 5), (3, 2), 1, 1),
        ((5, 8), (3, 2), 2, 1),
        ((6, 5), (2, 3), 2, 0),
    ]
    if not knobs:
        settings = [((4, 6), (2, 3), 1, 0), ((5, 7), (3, 3), 1, 0), ((6, 5), (3, 2), 1, 0)]
    cases = []
    for x_shape, w_shape, stride, padding in settings:
        x = _ints(rng, 0, 5, x_shape)
        w = _ints(rng, -2, 3, w_shape)
        cases.append(
            Case(
                (x, w),
                {"stride": stride, "padding": padding} if knobs else {},
                label=_conv_label(x, w, stride, padding)
                if knobs
                else f"x.shape={x.shape}, w.shape={w.shape}",
                inputs={"x": x, "w": w},
            )
        )
    return check_function(
        fn,
        lambda x, w, stride=1, padding=0: conv2d(x, w, stride=stride, padding=padding),
        cases,
        _conv2d_mistakes(knobs),
        title=title,
        signature="fn(x, w, stride=s, padding=p)" if knobs else "fn(x, w)",
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# One value of a feature map
# ---------------------------------------------------------------------------------------
def _at(array: np.ndarray, position: tuple[int, ...]) -> Any:
    """``array[position]`` as a plain number; IndexError for negative or outside indices."""
    if len(position) != array.ndim or any(
        i < 0 or i >= n for i, n in zip(position, array.shape, strict=True)
    ):
        raise IndexError(f"position {position} is outside shape {array.shape}")
    value = float(array[position])
    return int(value) if value.is_integer() else value


def check_feature_map_value(
    value: Any,
    x: np.ndarray,
    w: np.ndarray,
    position: Sequence[int],
    *,
    b: Any = None,
    stride: int = 1,
    padding: int = 0,
    title: str = "feature-map value",
    reveal: bool = False,
) -> CheckResult:
    """Check the reader's value of the feature map ``conv2d(x, w, b, stride, padding)`` at
    ``position``.

    Rows and columns count from 0, as numpy does; say so in the question. ``x`` (H, W)
    with ``w`` (F, F), or (C, H, W) with (K, C, F, F) and a position (k, row, col).

    Named mistakes (each only when it gives a different number): flipped the kernel;
    swapped row and column; counted rows and columns from 1; forgot the stride; forgot
    the padding; forgot the bias.

    Parameters
    ----------
    value : number or None
        The reader's answer; ``None`` or ``...`` means not attempted yet.
    x, w : array_like
        The input and the kernel of the question.
    position : sequence of int
        Index into the feature map, e.g. ``(1, 2)`` for row 1, column 2.
    b, stride, padding
        As for :func:`cnnkit.convolution.conv2d`.
    title : str
        Shown in the result.
    reveal : bool
        Show the expected value now.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> w = np.array([[1.0, 0.0], [0.0, -1.0]])
    >>> check_feature_map_value(-5, x, w, (0, 1))
    ✓ Correct: feature-map value
    >>> check_feature_map_value(5, x, w, (0, 1)).mistake
    'flipped the kernel'
    """
    x = np.asarray(x)
    w = np.asarray(w)
    position = tuple(int(i) for i in position)
    *lead, row, col = position

    def fmap(**changes: Any) -> np.ndarray:
        kw = {"b": b, "stride": stride, "padding": padding, "w": w} | changes
        return conv2d(x, kw["w"], kw["b"], stride=kw["stride"], padding=kw["padding"], mode="floor")

    expected = _at(conv2d(x, w, b, stride=stride, padding=padding), position)
    # With stride 1 and no padding (chapter 2's questions), the hints and the case do
    # not mention the stride and the padding, which chapter 3 teaches.
    plain = stride == 1 and padding == 0
    mistakes = [
        Mistake(
            "flipped the kernel",
            (_FLIPPED_HINT_CH2 if plain else FLIPPED_HINT)
            + " Multiply each input value by the kernel value at the same place in the "
            "window.",
            compute=lambda: _at(fmap(w=_flip(w)), position),
        ),
        Mistake(
            "swapped row and column",
            "Swapped row and column: the first index is the row (down), the second the "
            "column (across).",
            compute=lambda: _at(fmap(), (*lead, col, row)),
        ),
        Mistake(
            "counted from 1",
            "Counted rows and columns from 1: like numpy, the book counts from 0, so row 0 "
            "is the top row and column 0 the leftmost column.",
            compute=lambda: _at(fmap(), (*lead, row - 1, col - 1)),
        ),
        Mistake(
            "forgot the stride",
            STRIDE_HINT,
            compute=lambda: _at(fmap(stride=1), position),
        ),
        Mistake(
            "forgot the padding",
            PADDING_HINT + " With padding, output position (0, 0) covers zeros.",
            compute=lambda: _at(fmap(padding=0), position),
        ),
    ]
    if b is not None:
        mistakes.append(
            Mistake(
                "forgot the bias",
                "Forgot the bias: add b after summing the products.",
                compute=lambda: _at(fmap(b=None), position),
            )
        )
    names = "(filter, row, column)" if lead else "(row, column)"
    knobs = "" if plain else f", stride={stride}, padding={padding}"
    case = Case(
        label=f"position {position} {names}{knobs}",
        inputs={"x": x, "w": w} if b is None else {"x": x, "w": w, "b": b},
    )
    corner = (
        "at the same row and column of the input"
        if plain
        else "at input row row·S, column col·S of the padded input"
    )
    recompute = (
        f"Cut out the window under that output cell (its top-left corner is {corner}), "
        "multiply it cell by cell with the kernel, and add all the products. Write the "
        "products down; one sign is easy to lose."
    )
    return check_answer(value, expected, mistakes, case, title, recompute=recompute, reveal=reveal)


# ---------------------------------------------------------------------------------------
# The shape of a layer's output
# ---------------------------------------------------------------------------------------
def check_layer_shape(
    answer: Any,
    in_shape: Sequence[int],
    out_channels: int,
    kernel_size: int,
    *,
    title: str = "output shape (K, rows, columns)",
    reveal: bool = False,
) -> CheckResult:
    """Check the output shape of K filters of size F×F over a (C, H, W) input, with
    stride 1 and no padding: (K, H − F + 1, W − F + 1).

    Named mistakes: depth = input channels; channels last; forgot that the window must
    fit (H, W kept); an axis for the channels (K, C, rows, columns); one map per channel
    (K·C maps); and the generic ones of :func:`cnnkit.book.exercises.check_shape`, with an
    off-by-one hint that uses H − F + 1 (this chapter has no stride or padding yet).

    Examples
    --------
    >>> check_layer_shape((5, 6, 8), (3, 8, 10), 5, 3)
    ✓ Correct: output shape (K, rows, columns)
    >>> check_layer_shape((3, 6, 8), (3, 8, 10), 5, 3).mistake
    'depth = input channels'
    """
    c, h, w_ = (int(n) for n in in_shape)
    k, f = int(out_channels), int(kernel_size)
    rows, cols = h - f + 1, w_ - f + 1
    mistakes = [
        Mistake(
            "depth = input channels",
            "The depth is the number of filters, not the number of input channels: each "
            "filter adds its channels into one map.",
            compute=lambda: (c, rows, cols),
        ),
        Mistake(
            "channels last",
            "That is channels last: the book writes the filters' axis first, (K, rows, columns).",
            compute=lambda: (rows, cols, k),
        ),
        Mistake(
            "the window must fit",
            "An F×F window does not fit H times down the image: it must lie inside the "
            "image, so it fits H − F + 1 times (and W − F + 1 times across).",
            compute=lambda: (k, h, w_),
        ),
        Mistake(
            "an axis for the channels",
            "Each filter gives ONE map: it sums over the channels, so there is no axis for them.",
            compute=lambda: (k, c, rows, cols),
        ),
        Mistake(
            "one map per channel",
            "Each filter gives ONE map, not one per channel.",
            compute=lambda: (k * c, rows, cols),
        ),
    ]
    case = Case(label=f"in_shape={(c, h, w_)}, {k} filters of size {f}×{f}, one pixel per step")
    return check_answer(
        answer,
        (k, rows, cols),
        mistakes + list(_SHAPE_MISTAKES_CH2),
        case,
        title,
        same_shape,
        same_shape,
        recompute=SHAPE_RECOMPUTE,
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# Counting multiply-adds
# ---------------------------------------------------------------------------------------
def check_mac_count(
    answer: Any,
    in_shape: Sequence[int],
    out_channels: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    title: str = "multiply-adds",
    reveal: bool = False,
) -> CheckResult:
    """Check a typed-in number of multiply-adds of a convolution layer.

    The reference is H_out·W_out·F·F·C·K, from :func:`cnnkit.cost.conv2d_cost`; the
    named mistakes are :data:`cnnkit.book.exercises.MACS_MISTAKES` (the ones that
    chapter 3's :func:`~cnnkit.book.ch03_conv_layer.check_macs` names too).

    Examples
    --------
    >>> check_mac_count(3888, (3, 8, 8), 4, 3)
    ✓ Correct: multiply-adds
    >>> check_mac_count(972, (3, 8, 8), 4, 3).mistake
    'forgot the number of filters'
    """
    case = macs_case(in_shape, out_channels, kernel_size, stride, padding)
    recompute = (
        "Count in three steps: the positions H_out·W_out (each from ⌊(W − F + 2P)/S⌋ + 1), "
        "the multiply-adds at one position for one filter (F·F·C), and the K filters."
    )
    return check_answer(
        answer,
        case.call(conv_macs),
        MACS_MISTAKES,
        case,
        title,
        recompute=recompute,
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# Chapter 2: cross-correlation and true convolution
# ---------------------------------------------------------------------------------------
def check_flipped_filter(
    k: Any, w: np.ndarray, *, title: str | None = None, reveal: bool = False
) -> CheckResult:
    """Check the reader's filter ``k`` such that ``conv2d(x, k)`` equals the true
    convolution ``convolve2d(x, w)`` for every image x.

    The check runs ``conv2d`` with ``k`` on a test image and compares with
    ``convolve2d(x, w)``; a wrong ``k`` is judged by what it computes, so a filter that
    differs only where it makes no difference still passes. Named mistakes: gave ``w``
    itself; flipped only the rows; flipped only the columns; transposed; a filter of
    another shape. The answer shown on ``reveal=True`` (or after three wrong tries) is
    the flipped filter.

    Examples
    --------
    >>> w = np.array([[1.0, 2.0], [0.0, 3.0]])
    >>> check_flipped_filter(w[::-1, ::-1], w)
    ✓ Correct: conv2d with your k = convolve2d with w
    >>> check_flipped_filter(w.T, w).mistake
    'transposed'
    """
    w = np.asarray(w, dtype=float)
    title = title or "conv2d with your k = convolve2d with w"
    image = np.random.default_rng(5).integers(0, 5, size=(6, 7)).astype(float)
    target = convolve2d(image, w)

    def output(kernel: Any) -> np.ndarray | None:
        """conv2d of the test image with ``kernel``; None if it is not a filter like w."""
        try:
            kernel = np.asarray(kernel, dtype=float)
        except (TypeError, ValueError):
            return None
        if kernel.shape != w.shape:
            return None
        return conv2d(image, kernel)

    def same_output(got: Any, kernel: Any) -> bool:
        a, b = output(got), output(kernel)
        return a is not None and b is not None and bool(np.allclose(a, b))

    def computes_convolution(got: Any, expected: Any) -> bool:
        out = output(got)
        return out is not None and bool(np.allclose(out, target))

    def other_shape(got: Any, expected: Any, case: Case) -> bool:
        return output(got) is None

    mistakes = [
        Mistake(
            "gave w itself",
            "That is w itself, so conv2d computes cross-correlation. Flip it.",
            compute=lambda: w,
        ),
        Mistake(
            "flipped the rows only",
            "You flipped the rows only (top to bottom). True convolution also flips the columns.",
            compute=lambda: w[::-1],
        ),
        Mistake(
            "flipped the columns only",
            "You flipped the columns only (left to right). True convolution also flips the rows.",
            compute=lambda: w[:, ::-1],
        ),
        Mistake(
            "transposed",
            "You transposed w (rows became columns). A flip is a half-turn: the last row "
            "first, and in each row the last column first.",
            compute=lambda: w.T,
        ),
        Mistake(
            "not a filter of the shape of w",
            f"k must be a filter of the shape of w, {w.shape[0]}×{w.shape[1]}: a list of "
            f"{w.shape[0]} rows of {w.shape[1]} numbers each.",
            test=other_shape,
        ),
    ]
    case = Case(label="conv2d(test image, k) against convolve2d(test image, w)")
    recompute = (
        "With your k, conv2d does not give the true convolution. convolve2d turns w by "
        "a half-turn before sliding it, and conv2d slides k as it is: so k must be w "
        "turned by a half-turn. Where does each weight of w end up?"
    )
    return check_answer(
        k,
        _flip(w),
        mistakes,
        case,
        title,
        computes_convolution,
        same_output,
        recompute=recompute,
        reveal=reveal,
    )


#: The options of the "one map per filter" question, as the notebook lists them.
CHANNELS_OPTIONS = {
    "a": "The image is turned into grayscale first, so the filter sees only one channel.",
    "b": "The filter has a slice of weights for each channel; it multiplies all F·F·C "
    "values of the window by them and adds every product into one number.",
    "c": "Only the first channel (red) is used; the other two are ignored.",
    "d": "The filter applies the same F×F weights to each channel and averages the three results.",
}
_CHANNELS_WHY = {
    "a": "Nothing turns the image gray: the filter has its own F×F slice for each "
    "channel, so it can tell colours apart (the red-versus-green filter of this "
    "chapter responds where red is strong and green weak), which no grayscale image "
    "could.",
    "b": "One filter, one sum per position, one map. The channels are added inside that "
    "sum, so three maps would take three filters: the depth of the output is the "
    "number of filters K, not the number of channels C.",
    "c": "Every channel takes part: the filter has F·F·C weights, and each of them "
    "multiplies a value of the window. Change only the green channel and the map "
    "changes.",
    "d": "A filter over C channels is F·F·C numbers, not F·F: each channel has a slice "
    "of weights of its own, and the per-channel sums are added, not averaged.",
}


def check_one_map_per_filter(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Multiple choice: why does one filter over an RGB image give one feature map?

    The options are :data:`CHANNELS_OPTIONS`; the wrong ones are the usual
    misconceptions (grayscale first, only the red channel, shared weights averaged),
    each with its own explanation. The right option is shown only on ``reveal=True``.

    Examples
    --------
    >>> check_one_map_per_filter("d").mistake.startswith("(d)")
    True
    """
    return check_choice(
        answer,
        CHANNELS_OPTIONS,
        "b",
        _CHANNELS_WHY,
        title="one map per filter over an RGB image",
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# Scale: what doubling C and K does to the work
# ---------------------------------------------------------------------------------------
def check_scale_macs(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Scale: a layer of K = 8 filters of 3×3 over a (3, 227, 227) input (one pixel per
    step, every window inside the image); double both K and C. How many times more
    multiply-adds?

    The reference is the ratio of two :func:`cnnkit.cost.conv2d_cost` counts. Named
    mistakes: doubled only one of C and K (2); thought the map grows too (8); thought
    the work does not change (1).

    Examples
    --------
    >>> check_scale_macs(4)
    ✓ Correct: multiply-adds when C and K double
    >>> check_scale_macs(2).mistake
    'doubled only one factor'
    """
    before = conv2d_cost((3, 227, 227), 8, 3).macs
    after = conv2d_cost((6, 227, 227), 16, 3).macs
    mistakes = [
        Mistake(
            "doubled only one factor",
            "Both C and K are factors of the work, (H − F + 1)(W − F + 1)·F·F·C per filter "
            "times K: "
            "doubling each multiplies the work twice.",
            compute=lambda: 2,
        ),
        Mistake(
            "the map does not grow",
            "The feature maps keep their size: H − F + 1 and W − F + 1 depend on H, W and "
            "F, not on C or K. Only two factors of the product double.",
            compute=lambda: 8,
        ),
        Mistake(
            "more channels cost nothing",
            "Each filter multiplies F·F·C weights at each position, so more channels mean "
            "more products, and more filters mean more maps to compute.",
            compute=lambda: 1,
        ),
    ]
    case = Case(label="K = 8 → 16 and C = 3 → 6, F = 3, input 227×227")
    recompute = (
        "Write the work as a product, (H − F + 1)(W − F + 1)·F·F·C·K, and ask of each "
        "factor whether it changes."
    )
    return check_answer(
        answer,
        after // before,
        mistakes,
        case,
        "multiply-adds when C and K double",
        recompute=recompute,
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# Design: a filter for a vertical bar that ignores brightness
# ---------------------------------------------------------------------------------------
_BAR = np.array([[0.0, 1.0, 0.0]] * 3)
#: Every 3×3 window of zeros and ones: 512 windows, shape (512, 3, 3).
_BINARY_WINDOWS = (
    ((np.arange(512)[:, None] >> np.arange(8, -1, -1)) & 1).astype(np.float64).reshape(512, 3, 3)
)


def _bar_scores(k: Any) -> np.ndarray | None:
    """The score of ``k`` on each of the 512 binary windows; None if k is not 3×3."""
    try:
        k = np.asarray(k, dtype=float)
    except (TypeError, ValueError):
        return None
    if k.shape != (3, 3) or not np.all(np.isfinite(k)):
        return None
    return np.einsum("nuv,uv->n", _BINARY_WINDOWS, k)


def _is_bar_detector(k: Any, expected: Any = None) -> bool:
    scores = _bar_scores(k)
    if scores is None:
        return False
    bar = int(np.flatnonzero((_BINARY_WINDOWS == _BAR).all(axis=(1, 2)))[0])
    others = np.delete(scores, bar)
    return bool(abs(float(np.sum(k))) < 1e-9 and scores[bar] > others.max() + 1e-9)


def check_bar_filter(k: Any, *, reveal: bool = False) -> CheckResult:
    """Design: a 3×3 filter that scores a vertical bar (the I window, ones down the
    middle column) higher than every other window of zeros and ones, and gives 0 on an
    all-white window.

    The check scores ``k`` on all 512 binary 3×3 windows. Named mistakes: not a 3×3
    filter; the weights do not add up to 0 (a white window scores); a weight 0 or
    positive outside the bar (a window with a one there scores as much or more); a
    weight 0 or negative on the bar.

    Examples
    --------
    >>> check_bar_filter([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]])
    ✓ Correct: a vertical-bar filter that ignores brightness
    >>> check_bar_filter(np.array([[0, 1, 0]] * 3)).mistake
    'a white window scores'
    """

    def not_a_filter(got: Any, expected: Any, case: Case) -> bool:
        return _bar_scores(got) is None

    def sums_to_nonzero(got: Any, expected: Any, case: Case) -> bool:
        return _bar_scores(got) is not None and abs(float(np.sum(got))) >= 1e-9

    def outside_not_negative(got: Any, expected: Any, case: Case) -> bool:
        if _bar_scores(got) is None:
            return False
        return bool(np.any(np.asarray(got, dtype=float)[_BAR == 0] >= 0))

    def bar_not_positive(got: Any, expected: Any, case: Case) -> bool:
        if _bar_scores(got) is None:
            return False
        return bool(np.any(np.asarray(got, dtype=float)[_BAR == 1] <= 0))

    mistakes = [
        Mistake(
            "not a 3×3 filter",
            "Give a 3×3 filter: a list of 3 rows of 3 numbers.",
            test=not_a_filter,
        ),
        Mistake(
            "a white window scores",
            "On an all-white window (all ones) the score is the sum of your weights, and it "
            "is not 0: make the weights add up to 0, as the edge filters do.",
            test=sums_to_nonzero,
        ),
        Mistake(
            "a weight outside the bar is not negative",
            "Outside the middle column a weight is 0 or positive: a window with a one "
            "there scores at least as much as the bar. Make those weights negative.",
            test=outside_not_negative,
        ),
        Mistake(
            "a weight on the bar is not positive",
            "A weight in the middle column is 0 or negative: the bar's ones must add to the score.",
            test=bar_not_positive,
        ),
    ]
    expected = np.array([[-1.0, 2.0, -1.0]] * 3)
    case = Case(label="your filter on all 512 windows of zeros and ones")
    recompute = (
        "Score your filter on the bar and on a window that differs from it in one cell: "
        "which one wins?"
    )
    return check_answer(
        k,
        expected,
        mistakes,
        case,
        "a vertical-bar filter that ignores brightness",
        _is_bar_detector,
        lambda a, b: False,
        recompute=recompute,
        reveal=reveal,
    )
