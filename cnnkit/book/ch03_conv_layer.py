"""Chapter 3, "The convolution layer": stride, padding, the number and size of filters.

For ``notebooks/03_conv_layer.ipynb``: the drawings of the positions a window visits
(:func:`window_positions`, :func:`show_window_positions`, :func:`show_window_positions_1d`,
and the SVG :func:`window_positions_svg` that the explorer shows), the explorer of a
layer's knobs (:func:`conv_layer_explorer`) and the chapter's exercise checks (each takes
``reveal=True`` to show the answer).

Notation: an input W×W with C channels, K filters of size F×F, stride S, padding P.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import ipywidgets as w
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle

from cnnkit.book.exercises import (
    MACS_MISTAKES,
    PADDING_HINT,
    SHAPE_MISTAKES,
    STRIDE_HINT,
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    conv_macs,
    element_is,
    macs_case,
    returned_float,
    same_integer,
    same_shape,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import hide_frame, mark_window, new_axes, svg
from cnnkit.book.style import HIGHLIGHT, OKABE_ITO, warning_box
from cnnkit.cost import conv2d_cost
from cnnkit.shapes import output_size

# Drawings of the positions a window visits: zero padding in grey (with its zeros
# written in), the input in white, input cells that no window ever covers in hatched
# yellow, a dot on the first cell of every window, the first and last windows outlined.
_PADDING_FILL = "#D9D9D9"
_MISSED_FILL = OKABE_ITO["yellow"]
_START_COLOUR = OKABE_ITO["blue"]


class WindowPositions(NamedTuple):
    """Where a window of size f goes along one axis, as drawn by the chapter 3 figures.

    Attributes
    ----------
    before, after : int
        Cells drawn before (top/left) and after (bottom/right) the input: the zero
        padding, and in ``mode="ceil"`` also the ``beyond`` cells.
    beyond : int
        ``mode="ceil"`` only: the cells past the input and its padding that the last,
        partial window hangs over. They are not zeros: the window is clipped there (it
        covers only the cells that exist), so they are drawn empty.
    starts : tuple of int
        The first cell of each window, counted in the padded axis (0 = first zero).
    coverage : ndarray of int, shape (n,)
        How many windows cover each input cell; 0 means the cell is never seen.
    """

    before: int
    after: int
    starts: tuple[int, ...]
    coverage: np.ndarray
    beyond: int = 0


def window_positions(
    n: int,
    f: int,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    mode: str = "strict",
) -> WindowPositions:
    """The window starts and the coverage of each input cell along one axis.

    The number of windows is :func:`cnnkit.shapes.output_size` (so ``mode="strict"``
    raises its error for a setting that does not tile the input); window k starts at
    cell k·S of the padded axis.

    Parameters
    ----------
    n, f, stride : int
        Input size W, filter size F and stride S.
    padding : int or (int, int), default 0
        Zeros on each side, or ``(before, after)`` for uneven padding such as
        TensorFlow's "SAME" (see :func:`cnnkit.conventions.tf_same_padding`).
    mode : {"strict", "floor", "ceil"}, default "strict"
        As in :func:`cnnkit.shapes.output_size`.

    Returns
    -------
    WindowPositions

    Examples
    --------
    >>> pos = window_positions(10, 3, stride=2, mode="floor")
    >>> pos.starts, pos.coverage.tolist()
    ((0, 2, 4, 6), [1, 1, 2, 1, 2, 1, 2, 1, 1, 0])
    """
    if isinstance(padding, tuple | list):
        if len(padding) != 2:
            raise ValueError(
                f"window_positions: padding must be an integer or a pair (before, after); "
                f"got padding={padding!r}"
            )
        before, after = (int(v) for v in padding)
        if before < 0 or after < 0:
            raise ValueError(
                f"window_positions: padding must not be negative; got padding={padding!r}"
            )
        count = output_size(n + before + after, f, stride=stride, padding=0, mode=mode)
    else:
        count = output_size(n, f, stride=stride, padding=padding, mode=mode)
        before = after = int(padding)
    # ceil mode: the last, partial window hangs over cells past the padding (clipped)
    beyond = max(0, (count - 1) * stride + f - (n + before + after))
    after += beyond
    starts = tuple(k * stride for k in range(count))
    coverage = np.zeros(n, dtype=int)
    for t in starts:
        lo, hi = max(t - before, 0), min(t - before + f, n)
        coverage[lo:hi] += 1
    return WindowPositions(before, after, starts, coverage, beyond)


def _setting_text(n: int, f: int, stride: int, padding: int | tuple[int, int]) -> str:
    if isinstance(padding, tuple | list):
        pad_text = f"P = {padding[0]} before, {padding[1]} after"
    else:
        pad_text = f"P = {padding}"
    return f"W = {n}, F = {f}, S = {stride}, {pad_text}"


def show_window_positions_1d(
    n: int,
    f: int,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    mode: str = "strict",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the positions of a window along one axis as a staircase of bars.

    The top row is the padded input (zeros in grey, with the cell numbers of the padded
    axis above it); each row below is one window position, a bar over the f cells it
    covers, labelled with the output value it produces. Input cells that no bar covers
    are hatched. Parameters as in :func:`window_positions`.
    """
    pos = window_positions(n, f, stride=stride, padding=padding, mode=mode)
    total = pos.before + n + pos.after
    rows = len(pos.starts)
    ax = new_axes(ax, figsize=(0.42 * total + 1.4, 0.42 * (rows + 1) + 0.9))
    for x in range(total):
        j = x - pos.before
        is_input = 0 <= j < n
        outside = x >= total - pos.beyond  # past the padding: the last window is clipped
        missed = is_input and pos.coverage[j] == 0
        face = _MISSED_FILL if missed else ("white" if is_input or outside else _PADDING_FILL)
        ax.add_patch(
            Rectangle(
                (x - 0.5, -0.5),
                1,
                1,
                facecolor=face,
                edgecolor="#555555",
                linewidth=0.8,
                linestyle=(0, (2, 2)) if outside else "-",
                hatch="///" if missed else None,
            )
        )
        if not is_input and not outside:
            ax.text(x, 0, "0", ha="center", va="center", fontsize=9, color="#333333")
    for k, t in enumerate(pos.starts):
        ax.add_patch(
            Rectangle(
                (t - 0.5, k + 1 - 0.32),
                f,
                0.64,
                facecolor=OKABE_ITO["sky blue"],
                edgecolor=_START_COLOUR,
                linewidth=1.2,
            )
        )
        ax.plot([t], [k + 1], "o", color=_START_COLOUR, markersize=4)
    ax.set_xlim(-0.6, total - 0.4)
    ax.set_ylim(rows + 0.6, -0.6)
    ax.set_aspect("equal")
    ax.set_yticks(range(rows + 1), ["padded input"] + [f"output {k}" for k in range(rows)])
    ax.xaxis.tick_top()
    ax.set_xticks(range(total), [str(x) for x in range(total)])
    ax.tick_params(length=0, labelsize=8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title if title is not None else _setting_text(n, f, stride, padding))
    return ax


def show_window_positions(
    n: int,
    f: int,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    mode: str = "strict",
    ax: Axes | None = None,
    title: str | None = None,
    legend: bool | str = False,
    annotate_padding: bool | None = None,
) -> Axes:
    """Draw an n×n input, its zero padding and the positions an f×f window visits.

    White cells are the input (framed in black), grey cells the zero padding (with a 0
    written in, unless ``annotate_padding`` is False; by default only on small grids),
    hatched yellow cells input pixels that no window ever covers. A blue dot marks the
    top-left cell of every window position; the first window is outlined in a solid
    line and the last one in a dashed line. The same stride and padding are used on
    both axes; ``n``, ``f``, ``stride``, ``padding`` and ``mode`` as in
    :func:`window_positions`. ``legend`` adds a key to the marks: True or ``"right"``
    puts it to the right of the drawing, ``"below"`` under it.

    Returns
    -------
    Axes
    """
    pos = window_positions(n, f, stride=stride, padding=padding, mode=mode)
    total = pos.before + n + pos.after
    ax = new_axes(ax)
    inside = np.zeros(total, dtype=bool)
    inside[pos.before : pos.before + n] = True
    missed_1d = np.zeros(total, dtype=bool)
    missed_1d[pos.before : pos.before + n] = pos.coverage == 0
    is_input = np.outer(inside, inside)
    missed = is_input & (missed_1d[:, None] | missed_1d[None, :])
    kind = np.where(is_input, 0, 1)
    kind[missed] = 2
    # past the padding (ceil mode): no cells at all, the last window is clipped there
    outside_1d = np.zeros(total, dtype=bool)
    outside_1d[total - pos.beyond :] = pos.beyond > 0
    outside = outside_1d[:, None] | outside_1d[None, :]
    kind[outside] = 0
    cmap = mpl.colors.ListedColormap(["white", _PADDING_FILL, _MISSED_FILL])
    ax.imshow(kind, cmap=cmap, vmin=-0.5, vmax=2.5, interpolation="nearest")
    for i, j in np.argwhere(missed):
        ax.add_patch(
            Rectangle(
                (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#555555", linewidth=0
            )
        )
    if annotate_padding is None:
        annotate_padding = total <= 14
    if annotate_padding:
        for i, j in np.argwhere(~is_input & ~outside):
            ax.text(j, i, "0", ha="center", va="center", fontsize=7, color="#444444")
    # cell borders drawn as lines that stop at the edge of the grid
    edges = np.arange(-0.5, total, 1.0)
    ax.vlines(edges, -0.5, total - 0.5, colors="#9A9A9A", linewidth=0.5)
    ax.hlines(edges, -0.5, total - 0.5, colors="#9A9A9A", linewidth=0.5)
    hide_frame(ax)
    ax.add_patch(
        Rectangle(
            (pos.before - 0.5, pos.before - 0.5), n, n, fill=False, edgecolor="black", linewidth=1.6
        )
    )
    starts = np.array(pos.starts)
    rr, cc = np.meshgrid(starts, starts, indexing="ij")
    ax.scatter(
        cc.ravel(),
        rr.ravel(),
        s=max(4.0, 260.0 / total),
        color=_START_COLOUR,
        zorder=3,
        linewidths=0,
    )
    first, last = starts[0], starts[-1]
    mark_window(ax, first, first, f, f)
    if last != first:
        mark_window(ax, last, last, f, f).set_linestyle((0, (3, 2)))
    # a small margin, so that the outlines on the border are drawn in full
    ax.set_xlim(-0.7, total - 0.3)
    ax.set_ylim(total - 0.3, -0.7)
    count = len(starts)
    ax.set_title(
        title
        if title is not None
        else f"{_setting_text(n, f, stride, padding)}\n→ {count}×{count} positions"
    )
    if legend:
        handles = [
            Patch(facecolor="white", edgecolor="black", label="input"),
            Patch(facecolor=_PADDING_FILL, edgecolor="#555555", label="zero padding"),
            Patch(facecolor=_MISSED_FILL, edgecolor="#555555", hatch="///", label="never visited"),
            Line2D(
                [], [], marker="o", linestyle="", color=_START_COLOUR, label="a window starts here"
            ),
            Line2D([], [], color=HIGHLIGHT, linewidth=2.5, label="first window"),
            Line2D(
                [], [], color=HIGHLIGHT, linewidth=2.5, linestyle=(0, (3, 2)), label="last window"
            ),
        ]
        if legend == "below":
            place = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.02), "ncols": 3}
        else:
            place = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0)}
        ax.legend(handles=handles, frameon=False, fontsize=8, **place)
    return ax


def window_positions_svg(
    n: int,
    f: int,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    mode: str = "strict",
    max_size: int = 380,
) -> str:
    """The drawing of :func:`show_window_positions` as a small SVG string.

    Same colours and marks (grey zero padding, white input framed in black, hatched
    yellow cells never visited, a blue dot where each window starts, the first window
    outlined in a solid and the last in a dashed line), built as text in a few
    milliseconds. The chapter 3 explorer uses it, because redrawing a matplotlib figure
    takes longer than the 0.1 s an explorer may take per change.

    Parameters
    ----------
    n, f, stride, padding, mode
        As in :func:`window_positions`.
    max_size : int, default 380
        Largest side of the drawing in pixels (cells are 6 to 28 pixels wide).

    Returns
    -------
    str
        An ``<svg>`` element with a ``<title>`` that describes it in words.
    """
    pos = window_positions(n, f, stride=stride, padding=padding, mode=mode)
    total = pos.before + n + pos.after
    cell = max(6, min(28, max_size // total))
    m = 4  # margin, so that the outlines on the border are drawn in full
    side = total * cell + 2 * m
    b = pos.before
    missed = [j for j in range(n) if pos.coverage[j] == 0]
    count = len(pos.starts)
    described = (
        f"{n} by {n} input with {pos.before} zeros before and {pos.after} after; "
        f"a {f} by {f} window visits {count} by {count} positions"
    )
    if missed:
        described += f"; {len(missed)} rows and columns of the input are never visited"
    parts = [
        '<defs><pattern id="cnnkit-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" '
        f'fill="{_MISSED_FILL}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#555555" '
        'stroke-width="2"/></pattern></defs>',
        f'<g transform="translate({m},{m})">',
        f'<rect width="{total * cell}" height="{total * cell}" fill="{_PADDING_FILL}"/>',
        f'<rect x="{b * cell}" y="{b * cell}" width="{n * cell}" height="{n * cell}" '
        'fill="white"/>',
    ]
    if pos.beyond:  # past the padding (ceil mode): no cells, the last window is clipped
        edge = (total - pos.beyond) * cell
        strip = pos.beyond * cell
        parts.append(
            f'<rect x="0" y="{edge}" width="{total * cell}" height="{strip}" fill="white"/>'
            f'<rect x="{edge}" y="0" width="{strip}" height="{total * cell}" fill="white"/>'
        )
    for j in missed:  # a whole row and a whole column of the input
        parts.append(
            f'<rect x="{b * cell}" y="{(b + j) * cell}" width="{n * cell}" height="{cell}" '
            'fill="url(#cnnkit-hatch)"/>'
        )
        parts.append(
            f'<rect x="{(b + j) * cell}" y="{b * cell}" width="{cell}" height="{n * cell}" '
            'fill="url(#cnnkit-hatch)"/>'
        )
    lines = "".join(
        f"M{k * cell},0V{total * cell}M0,{k * cell}H{total * cell}" for k in range(total + 1)
    )
    parts.append(f'<path d="{lines}" stroke="#9A9A9A" stroke-width="0.6" fill="none"/>')
    if total <= 14:
        font = max(7, cell // 2)
        zeros = "".join(
            f'<text x="{(j + 0.5) * cell:g}" y="{(i + 0.5) * cell:g}">0</text>'
            for i in range(total - pos.beyond)
            for j in range(total - pos.beyond)
            if not (b <= i < b + n and b <= j < b + n)
        )
        # the shared attributes once, on the group: the drawing is stored in the web
        # book's explorer page for every setting
        parts.append(
            f'<g font-size="{font}" text-anchor="middle" dominant-baseline="central" '
            f'fill="#444444" font-family="sans-serif">{zeros}</g>'
        )
    parts.append(
        f'<rect x="{b * cell}" y="{b * cell}" width="{n * cell}" height="{n * cell}" '
        'fill="none" stroke="black" stroke-width="1.6"/>'
    )
    radius = max(1.5, cell * 0.16)
    dots = "".join(
        f'<circle cx="{(c + 0.5) * cell:g}" cy="{(r + 0.5) * cell:g}" r="{radius:.1f}"/>'
        for r in pos.starts
        for c in pos.starts
    )
    parts.append(f'<g fill="{_START_COLOUR}">{dots}</g>')
    for t, dash in ((pos.starts[0], ""), (pos.starts[-1], ' stroke-dasharray="6,4"')):
        parts.append(
            f'<rect x="{t * cell}" y="{t * cell}" width="{f * cell}" height="{f * cell}" '
            f'fill="none" stroke="{HIGHLIGHT}" stroke-width="2.5"{dash}/>'
        )
    parts.append("</g>")
    return svg(side, side, described, "".join(parts))


# --------------------------------------------------------------------------- the explorer
_LEGEND = (
    "<small>Grey: zero padding. White, framed: the input. Dots: where a window starts. "
    "Solid and dashed outlines: the first and the last window. Hatched yellow: input "
    "rows and columns that no window ever covers.</small>"
)


def _invalid_warning(
    input_size: int, kernel_size: int, stride: int, padding: int, error: ValueError, cost: Any
) -> str:
    """The warning box of a setting that strict mode refuses; ``cost`` is floor mode's
    (None when no window fits at all)."""
    said = f"cnnkit says: <code>{html.escape(str(error))}</code>"
    if cost is None:
        return warning_box("Invalid setting: no window fits", said)
    n, f = input_size, kernel_size
    ceil = output_size(n, f, stride=stride, padding=padding, mode="ceil")
    positions = window_positions(n, f, stride=stride, padding=padding, mode="floor")
    lost = int((positions.coverage == 0).sum())
    return warning_box(
        "Invalid setting: the filter does not tile the input evenly",
        f"{said}<br>Rounding down (cnnkit <code>mode='floor'</code>, PyTorch, TensorFlow "
        f"'VALID') gives {cost.output_shape[1]}×{cost.output_shape[2]} and never looks at "
        f"{lost} of the {n} rows (and as many columns), hatched in the drawing; rounding "
        f"up (<code>mode='ceil'</code>, Caffe's pooling) gives {ceil}×{ceil}. The drawing "
        "and the numbers below use floor mode.",
    )


def conv_layer_html(
    input_size: int,
    kernel_size: int,
    stride: int,
    padding: int,
    out_channels: int,
    in_channels: int,
) -> str:
    """What the chapter 3 explorer shows for one setting, as HTML.

    The drawing of the positions the filter visits (SVG), then, for a setting that does
    not tile the input, a warning with cnnkit's strict-mode error, then the output shape,
    the parameters and the multiply-adds from :func:`cnnkit.cost.conv2d_cost` (floor
    mode when strict mode refuses the setting).

    Parameters
    ----------
    input_size : int
        W, for a W×W input with ``in_channels`` (C) channels.
    kernel_size, stride, padding, out_channels : int
        F, S, P and K.
    in_channels : int
        C.

    Returns
    -------
    str
    """
    n, f, s, p = input_size, kernel_size, stride, padding
    k, c = out_channels, in_channels
    in_shape = (c, n, n)
    # the parameter count does not depend on the input size: a filter-sized input gives it
    params = conv2d_cost((c, f, f), k, f).params
    try:
        cost = conv2d_cost(in_shape, k, f, stride=s, padding=p)
        mode, warning = "strict", ""
    except ValueError as strict_error:
        try:
            cost = conv2d_cost(in_shape, k, f, stride=s, padding=p, mode="floor")
        except ValueError:
            cost = None
        mode = "floor"
        warning = _invalid_warning(n, f, s, p, strict_error, cost)
    rows = [
        f"<b>Parameters</b> K·(F·F·C + 1) = {k}·({f}·{f}·{c} + 1) = "
        f"<b>{params:,}</b> (weights {k * f * f * c:,}, biases {k:,})"
    ]
    if cost is None:
        rows.insert(0, "<b>Output shape</b>: none (the filter is larger than the padded input)")
        drawing = ""
    else:
        _, ho, wo = cost.output_shape
        span = f"({n} − {f} + 2·{p})"
        rule = f"⌊{span}/{s}⌋ + 1" if mode == "floor" else f"{span}/{s} + 1"
        rows.insert(
            0,
            f"<b>Output shape</b> (K, H<sub>out</sub>, W<sub>out</sub>) = "
            f"<b>({k}, {ho}, {wo})</b>, with H<sub>out</sub> = W<sub>out</sub> = {rule} = {ho}",
        )
        rows.append(
            f"<b>Multiply-adds</b> H<sub>out</sub>·W<sub>out</sub>·F·F·C·K = "
            f"{ho}·{wo}·{f}·{f}·{c}·{k} = <b>{cost.macs:,}</b>"
        )
        drawing = window_positions_svg(n, f, stride=s, padding=p, mode=mode)
    summary = (
        "<div class='cnnkit-conv-summary' style='line-height:1.7'>" + "<br>".join(rows) + "</div>"
    )
    if drawing:
        drawing = (
            f"<div class='cnnkit-conv-drawing' style='max-width:26em'>{drawing}<br>{_LEGEND}</div>"
        )
    # the warning goes before the numbers: it says that they use floor mode
    return drawing + warning + summary


def conv_layer_explorer() -> Explorer:
    """Chapter 3: the knobs of a convolution layer, with their effect on shape and cost.

    Sliders for the input size W (a W×W input with C channels), the filter size F, the
    stride S, the zero padding P, the number of filters K and the channels C; the output
    is :func:`conv_layer_html`. A setting that does not tile the input shows cnnkit's
    strict-mode error in a warning box, and the floor-mode result.
    """
    style = {"description_width": "8em"}
    layout = w.Layout(width="26em")
    controls = {
        "input_size": w.IntSlider(value=10, min=3, max=32, description="input size W"),
        "kernel_size": w.IntSlider(value=3, min=1, max=11, description="filter size F"),
        "stride": w.IntSlider(value=2, min=1, max=5, description="stride S"),
        "padding": w.IntSlider(value=0, min=0, max=5, description="padding P"),
        "out_channels": w.IntSlider(value=4, min=1, max=256, description="filters K"),
        "in_channels": w.IntSlider(value=3, min=1, max=16, description="channels C"),
    }
    for control in controls.values():
        control.style = style
        control.layout = layout
    return Explorer(
        controls,
        conv_layer_html,
        arrange=lambda controls, output: w.HBox(
            [w.VBox(list(controls.values())), output], layout=w.Layout(grid_gap="16px")
        ),
        grid=WEB_GRID,
        source="cnnkit.book.ch03_conv_layer:conv_layer_explorer",
    )


#: The settings of the web book's form: small inputs, where every window can be seen,
#: fitting and non-fitting strides, and enough filters and channels to see the cost grow.
#: W = 4 with F = 5 is a filter larger than the input (no window fits until P = 1).
WEB_GRID = {
    "input_size": [4, 5, 6, 7, 8, 9, 10],
    "kernel_size": [1, 2, 3, 5],
    "stride": [1, 2, 3],
    "padding": [0, 1, 2],
    "out_channels": [4, 64],
}


# --------------------------------------------------------------------------- exercises
def _size_case(n: int, f: int, stride: int, padding: int) -> Case:
    return Case((n, f, stride, padding), label=f"W={n}, F={f}, S={stride}, P={padding}")


def _floor_size(n: int, f: int, stride: int, padding: int) -> int:
    return output_size(n, f, stride=stride, padding=padding, mode="floor")


# Each compute is called like _floor_size: (W, F, S, P).
_OUTPUT_SIZE_MISTAKES = (
    Mistake(
        "forgot the stride",
        "Forgot the stride: that is the size for stride 1. The window jumps S pixels per "
        "step, so divide (W − F + 2P) by S before adding 1.",
        compute=lambda n, f, s, p: _floor_size(n, f, 1, p),
    ),
    Mistake(
        "forgot the padding",
        "Forgot the padding: that is the size of the unpadded input. Zero padding adds P "
        "pixels on each side, so the filter slides over W + 2P pixels.",
        compute=lambda n, f, s, p: _floor_size(n, f, s, 0),
    ),
    Mistake(
        "counted the padding once",
        "Counted the padding once: P pixels are added on both sides, so the padded input "
        "is W + 2P wide, not W + P.",
        # One-sided padding of p is the same as an input p pixels wider, unpadded.
        compute=lambda n, f, s, p: _floor_size(n + p, f, s, 0),
    ),
    Mistake(
        "off by one (missing + 1)",
        "Off by one: (W − F + 2P)/S counts the steps the window takes; the number of "
        "positions is one more (the first position comes before any step). Add 1.",
        compute=lambda n, f, s, p: _floor_size(n, f, s, p) - 1,
    ),
    Mistake(
        "off by one (one too many)",
        "Off by one, one too many: the number of positions is ⌊(W − F + 2P)/S⌋ + 1; "
        "check that you add 1 only once and subtract the filter size F.",
        compute=lambda n, f, s, p: _floor_size(n, f, s, p) + 1,
    ),
    Mistake(
        "rounded up instead of down",
        "Rounded up instead of down: a window that would stick out past the (padded) edge "
        "is never used, so round (W − F + 2P)/S down, with //.",
        compute=lambda n, f, s, p: output_size(n, f, stride=s, padding=p, mode="ceil"),
    ),
    Mistake(
        "did not round down",
        "Did not round down: (W − F + 2P)/S is not always a whole number (the window may "
        "not fit a last time). Use // (floor division) so you count whole positions only.",
        # The mistake itself: true division, no floor.
        compute=lambda n, f, s, p: (n - f + 2 * p) / s + 1,
    ),
    Mistake(
        "returned a float",
        "Returned a float: the value is right but a size is a whole number. Use // "
        "instead of /, or convert with int(...).",
        test=returned_float,
    ),
)


def check_output_size(
    fn: Callable[[int, int, int, int], int] | None,
    *,
    title: str = "output size",
    reveal: bool = False,
) -> CheckResult:
    """Check a reader's ``fn(input_size, kernel_size, stride, padding) -> int``: the
    positions of an F-wide window along an axis of size W, with stride S and padding P.

    The expected answer is ⌊(W − F + 2P)/S⌋ + 1 (floor convention, as PyTorch), from
    :func:`cnnkit.shapes.output_size` with ``mode="floor"``. The cases include strides
    that do not divide W − F + 2P, so rounding matters.

    Named mistakes: forgot the stride; forgot the padding; counted the padding once
    (W + P); off by one (missing + 1, or one too many); rounded up instead of down; did
    not round down (true division); returned a float.

    Parameters
    ----------
    fn : callable or None
        Called positionally as ``fn(W, F, S, P)``, whatever its parameters are named.
    title : str
        Shown in the result.
    reveal : bool
        Show the expected size of the failing case now.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def size(input_size, kernel_size, stride, padding):
    ...     return (input_size - kernel_size + 2 * padding) // stride + 1
    >>> check_output_size(size)
    ✓ Correct: output size (all 8 cases pass)
    >>> check_output_size(lambda w, f, s, p: (w - f + 2 * p) // s)
    ✗ Not yet: output size (0 of 8 cases pass)
      Case:     W=5, F=3, S=1, P=0
      Got:      2
      Hint:     Off by one: (W − F + 2P)/S counts the steps the window takes; the number of
                positions is one more (the first position comes before any step). Add 1.
      Try 1 of 3: after three wrong tries the answer is shown here. To see it now, add
      reveal=True to the check and run the cell again.
    """
    cases = [
        _size_case(5, 3, 1, 0),
        _size_case(7, 3, 1, 1),
        _size_case(7, 3, 2, 0),
        _size_case(10, 3, 2, 0),
        _size_case(8, 3, 2, 1),
        _size_case(6, 4, 3, 2),
        _size_case(28, 5, 1, 2),
        _size_case(227, 11, 4, 0),
    ]
    return check_function(
        fn,
        _floor_size,
        cases,
        _OUTPUT_SIZE_MISTAKES,
        title=title,
        compare=same_integer,
        signature="fn(input_size, kernel_size, stride, padding)",
        reveal=reveal,
    )


def check_conv_output_shape(
    answer: Any,
    in_shape: Sequence[int],
    out_channels: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    *,
    mode: str = "strict",
    title: str = "output shape",
    reveal: bool = False,
) -> CheckResult:
    """Check a typed-in output shape (K, H_out, W_out) of a convolution layer.

    The expected shape comes from :func:`cnnkit.cost.conv2d_cost` (``mode`` as there).

    Named mistakes: put the channels last; depth = input channels (instead of the
    number of filters); forgot the stride; forgot the padding; and the generic ones of
    :func:`check_shape` (swapped axes, off by one, wrong number of axes, not a shape).

    Examples
    --------
    >>> check_conv_output_shape((4, 4, 4), in_shape=(3, 6, 6), out_channels=4, kernel_size=3)
    ✓ Correct: output shape
    >>> check_conv_output_shape((3, 4, 4), (3, 6, 6), 4, 3).mistake
    'depth = input channels'
    """
    in_shape = tuple(int(n) for n in in_shape)

    def shape(**changes: Any) -> tuple[int, ...]:
        kw = {"stride": stride, "padding": padding} | changes
        cost = conv2d_cost(in_shape, out_channels, kernel_size, mode="floor", **kw)
        return tuple(int(n) for n in cost.output_shape)

    expected = tuple(
        int(n)
        for n in conv2d_cost(
            in_shape, out_channels, kernel_size, stride=stride, padding=padding, mode=mode
        ).output_shape
    )
    _, rows, cols = expected
    mistakes = [
        Mistake(
            "channels last",
            "Put the channels last: (H_out, W_out, K) is the layout of image files; the "
            "book and most frameworks write (K, H_out, W_out), channels first.",
            compute=lambda: (rows, cols, out_channels),
        ),
        Mistake(
            "depth = input channels",
            "The depth of the output is the number of filters (one feature map per "
            "filter), not the number of input channels: each filter sums over all of them.",
            compute=lambda: (in_shape[0], rows, cols),
        ),
        Mistake("forgot the stride", STRIDE_HINT, compute=lambda: shape(stride=1)),
        Mistake("forgot the padding", PADDING_HINT, compute=lambda: shape(padding=0)),
    ]
    case = Case(
        label=(
            f"in_shape={in_shape}, out_channels={out_channels}, kernel_size={kernel_size}, "
            f"stride={stride}, padding={padding}"
        )
    )
    recompute = (
        "Work out the three numbers one at a time: the depth (one map per filter), then "
        "H_out and W_out, each ⌊(W − F + 2P)/S⌋ + 1."
    )
    return check_answer(
        answer,
        expected,
        mistakes + list(SHAPE_MISTAKES),
        case,
        title,
        same_shape,
        same_shape,
        recompute=recompute,
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# Counting: parameters and multiply-adds
# ---------------------------------------------------------------------------------------
def _params(in_channels: int, out_channels: int, kernel_size: int) -> int:
    f = kernel_size
    return conv2d_cost((in_channels, f, f), out_channels, f).params


# Each compute is called like _params: (C, K, F).
_PARAMS_MISTAKES = (
    Mistake(
        "forgot the bias",
        "Forgot the bias: each filter has F·F·C weights plus one bias, so "
        "parameters = K·(F·F·C + 1).",
        compute=lambda c, k, f: conv2d_cost((c, f, f), k, f).weights,
    ),
    Mistake(
        "forgot the input channels",
        "Forgot the input channels: a filter spans all C input channels, so it has F·F·C "
        "weights, not F·F. Parameters = K·(F·F·C + 1).",
        compute=lambda c, k, f: _params(1, k, f),
    ),
    Mistake(
        "used F instead of F·F",
        "Used the filter size once: an F×F filter has F·F weights per channel.",
        compute=lambda c, k, f: k * (f * c + 1),
    ),
    Mistake(
        "counted one filter",
        "Counted one filter: the layer has K filters (= output channels), each with its "
        "own weights and bias. Multiply by K.",
        compute=lambda c, k, f: _params(c, 1, f),
    ),
)


def check_param_count(
    answer: Any,
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    *,
    title: str = "parameter count",
    reveal: bool = False,
) -> CheckResult:
    """Check a typed-in number of parameters of a convolution layer.

    The reference is K·(F·F·C + 1) (weights plus one bias per filter), from
    :func:`cnnkit.cost.conv2d_cost`. Named mistakes: forgot the bias (K·F·F·C); forgot
    the input channels (K·(F·F + 1)); used F instead of F·F; counted one filter.

    Examples
    --------
    >>> check_param_count(112, in_channels=3, out_channels=4, kernel_size=3)
    ✓ Correct: parameter count
    >>> check_param_count(40, in_channels=3, out_channels=4, kernel_size=3).mistake
    'forgot the input channels'
    >>> check_param_count(108, in_channels=3, out_channels=4, kernel_size=3).hint
    'Forgot the bias: each filter has F·F·C weights plus one bias, so parameters = K·(F·F·C + 1).'
    """
    case = Case(
        (in_channels, out_channels, kernel_size),
        label=(
            f"in_channels={in_channels}, out_channels={out_channels}, kernel_size={kernel_size}"
        ),
    )
    recompute = (
        "Count one filter first: F·F weights per input channel, C channels, one bias. "
        "Then multiply by the number of filters K."
    )
    return check_answer(
        answer,
        case.call(_params),
        _PARAMS_MISTAKES,
        case,
        title,
        recompute=recompute,
        reveal=reveal,
    )


def _square_macs(in_shape, k, f, s=1, p=0, *, side: int = 1):
    """Multiply-adds with one output size used twice, as if the input were square
    (``side`` 1: H_out·H_out, 2: W_out·W_out); not applicable to a square input."""
    if in_shape[1] == in_shape[2]:
        raise ValueError("a square input: this mistake does not apply")
    square = (in_shape[0], in_shape[side], in_shape[side])
    return conv_macs(square, k, f, s, p)


#: Mistakes of a multiply-add count that only a function meets (its cases are not all
#: square); the shared MACS_MISTAKES follow them.
_SQUARE_MACS_MISTAKES = (
    Mistake(
        "assumed a square input",
        "Your count is right for a square input and wrong for one that is not: you used "
        "the same output size twice. Compute H_out from H and W_out from W (in_shape is "
        "(C, H, W)), and multiply the two.",
        compute=lambda shape, k, f, s=1, p=0: _square_macs(shape, k, f, s, p, side=1),
    ),
    Mistake(
        "assumed a square input",
        "Your count is right for a square input and wrong for one that is not: you used "
        "the same output size twice. Compute H_out from H and W_out from W (in_shape is "
        "(C, H, W)), and multiply the two.",
        compute=lambda shape, k, f, s=1, p=0: _square_macs(shape, k, f, s, p, side=2),
    ),
)


def check_macs(
    fn: Callable[..., int] | None, *, title: str = "multiply-adds", reveal: bool = False
) -> CheckResult:
    """Check a reader's ``fn(in_shape, out_channels, kernel_size, stride, padding) -> int``.

    ``in_shape`` is (C, H, W). The expected number of multiply-adds of a convolution
    layer is H_out·W_out·F·F·C·K, from :func:`cnnkit.cost.conv2d_cost`.

    Named mistakes (:data:`cnnkit.book.exercises.MACS_MISTAKES`): forgot the input
    channels; forgot the number of filters; forgot the stride; forgot the padding;
    divided by the stride instead of its square (H·W/S); used the input size instead of
    the output size; used F instead of F·F; counted positions, not multiply-adds;
    returned a float. And one of this check: assumed a square input (H_out·H_out or
    W_out·W_out), which the non-square case (2, 9, 7) catches.

    Examples
    --------
    >>> def macs(in_shape, out_channels, kernel_size, stride, padding):
    ...     c, h, w = in_shape
    ...     ho = output_size(h, kernel_size, stride=stride, padding=padding)
    ...     wo = output_size(w, kernel_size, stride=stride, padding=padding)
    ...     return ho * wo * kernel_size * kernel_size * c * out_channels
    >>> check_macs(macs)
    ✓ Correct: multiply-adds (all 5 cases pass)
    """
    cases = [
        macs_case((1, 5, 5), 1, 3),
        macs_case((3, 8, 8), 4, 3),
        macs_case((1, 28, 28), 6, 5, 1, 2),
        macs_case((2, 9, 7), 3, 3, 2, 1),
        macs_case((3, 227, 227), 96, 11, 4, 0),
    ]
    return check_function(
        fn,
        conv_macs,
        cases,
        _SQUARE_MACS_MISTAKES + MACS_MISTAKES,
        title=title,
        compare=same_integer,
        signature="fn(in_shape, out_channels, kernel_size, stride, padding)",
        reveal=reveal,
    )


#: The options of the "double the stride" question, as the notebook lists them.
STRIDE_COST_OPTIONS = {
    "a": "It halves: the window takes steps twice as long, so it stops at half as many positions.",
    "b": "It falls to about a quarter: the positions halve along the height and along "
    "the width, and each position costs the same.",
    "c": "It stays the same: the filters keep their F·F·C weights, so the work does not change.",
    "d": "It doubles: with a longer step the window moves over more pixels each time.",
}
_STRIDE_COST_WHY = {
    "a": "Half as many positions along each axis, yes, but there are two axes. This is "
    "the article's (height·width)/stride, corrected in this chapter.",
    "b": "H_out·W_out is about (H/S)·(W/S), so the positions fall as 1/S², and at each "
    "position a filter still does F·F·C multiply-adds. Doubling S divides the work by "
    "about 4 (a little less, because of the + 1 and the rounding down).",
    "c": "Each output costs the same, but there are fewer outputs. What stays the same "
    "is the number of parameters, K·(F·F·C + 1); the multiply-adds follow the number "
    "of positions.",
    "d": "At every position the window still covers F×F pixels of each channel; a longer "
    "step only means fewer positions, so less work, not more.",
}


def check_stride_cost(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Multiple choice: what does doubling the stride do to a layer's multiply-adds?

    The options are :data:`STRIDE_COST_OPTIONS`; the wrong ones are the usual
    misconceptions (it halves, as the article says; it stays the same, as the
    parameters do; it doubles), each with its own explanation. The right option is
    shown only on ``reveal=True``.

    Examples
    --------
    >>> check_stride_cost("c").hint.startswith("Each output costs the same")
    True
    """
    return check_choice(
        answer,
        STRIDE_COST_OPTIONS,
        "b",
        _STRIDE_COST_WHY,
        title="the cost of doubling the stride",
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# The layer as volumes: input, filters, output
# ---------------------------------------------------------------------------------------
def _box(
    ax: Axes,
    x: float,
    y: float,
    width: float,
    height: float,
    depth: float,
    colour: str,
    *,
    alpha: float = 1.0,
    edge: str = "black",
    linewidth: float = 1.0,
) -> None:
    """A box in oblique projection: front face at (x, y), depth drawn up and to the right."""
    dx, dy = 0.5 * depth, 0.35 * depth
    faces = [
        [(x, y), (x + width, y), (x + width, y + height), (x, y + height)],
        [
            (x, y + height),
            (x + width, y + height),
            (x + width + dx, y + height + dy),
            (x + dx, y + height + dy),
        ],
        [
            (x + width, y),
            (x + width + dx, y + dy),
            (x + width + dx, y + height + dy),
            (x + width, y + height),
        ],
    ]
    for face, shade in zip(faces, (1.0, 0.85, 0.7), strict=True):
        rgb = np.array(mpl.colors.to_rgb(colour)) * shade
        ax.add_patch(
            Polygon(
                face, closed=True, facecolor=rgb, edgecolor=edge, alpha=alpha, linewidth=linewidth
            )
        )


def show_conv_volume(
    in_shape: tuple[int, int, int] = (3, 11, 11),
    out_channels: int = 4,
    kernel_size: int = 3,
    *,
    figsize: tuple[float, float] = (7.2, 3.0),
) -> Figure:
    """Draw a convolution layer as volumes: the input (C, H, W) with one F×F×C window,
    the K filters of F×F×C, and the output (K, H_out, W_out) with the K numbers that
    this window gives (one per filter, a column through the depth).

    Stride 1 and no padding. The depth (channels) is drawn receding up and to the right.

    Parameters
    ----------
    in_shape : (int, int, int)
        (C, H, W) of the input.
    out_channels : int
        K, the number of filters.
    kernel_size : int
        F.
    figsize : (float, float)
        Inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, no ticks; the numbers are written as labels.
    """
    c, h, wid = (int(n) for n in in_shape)
    k, f = int(out_channels), int(kernel_size)
    cost = conv2d_cost((c, h, wid), k, f)
    _, ho, wo = cost.output_shape
    depth = 1.2  # drawn size of one channel
    fig, ax = plt.subplots(figsize=figsize)
    input_colour, filter_colour = "#DDDDDD", OKABE_ITO["sky blue"]
    output_colour, pick = OKABE_ITO["yellow"], OKABE_ITO["orange"]
    # the input, and one window inside it (top-left corner)
    _box(ax, 0, 0, wid, h, c * depth, input_colour)
    _box(ax, 0, h - f, f, f, c * depth, pick, linewidth=1.5)
    ax.text(wid / 2, -1.2, f"input\nC×H×W = {c}×{h}×{wid}", ha="center", va="top")
    ax.text(0.3, h - f - 0.4, f"{f}×{f}×{c} window", ha="left", va="top", fontsize=8)
    # the K filters, stacked
    x0 = wid + c * depth * 0.5 + 5.0
    step = f + 1.2
    for i in range(k):
        _box(ax, x0, h - f - i * step, f, f, c * depth, filter_colour)
        ax.text(x0 - 0.3, h - f - i * step + f / 2, f"{i}", ha="right", va="center", fontsize=7)
    ax.text(
        x0 + f / 2,
        h - f - (k - 1) * step - 1.2,
        f"K = {k} filters,\neach {f}×{f}×{c}",
        ha="center",
        va="top",
    )
    # the output volume, and the column the window gives
    x1 = x0 + f + c * depth * 0.5 + 5.0
    _box(ax, x1, 0, wo, ho, k * depth, output_colour)
    _box(ax, x1, ho - 1, 1, 1, k * depth, pick, linewidth=1.5)
    ax.text(x1 + wo / 2, -1.2, f"output\nK×H_out×W_out = {k}×{ho}×{wo}", ha="center", va="top")
    ax.annotate(
        "",
        xy=(x0 - 1.2, h - f / 2),
        xytext=(f + c * depth * 0.5 + 0.3, h - f / 2),
        arrowprops={"arrowstyle": "->", "color": HIGHLIGHT, "linewidth": 1.5},
    )
    ax.annotate(
        "",
        xy=(x1 - 0.3, ho - 0.5),
        xytext=(x0 + f + c * depth * 0.5 + 0.3, h - f / 2),
        arrowprops={"arrowstyle": "->", "color": HIGHLIGHT, "linewidth": 1.5},
    )
    ax.text(
        x1 + 1 + k * depth * 0.5 + 0.3,
        ho + k * depth * 0.35,
        f"{k} numbers:\none per filter",
        va="bottom",
        fontsize=8,
    )
    ax.set_xlim(-1, x1 + wo + k * depth * 0.5 + 4)
    ax.set_ylim(min(-3.5, h - f - (k - 1) * step - 3.5), max(h, ho) + max(c, k) * depth * 0.35 + 2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# ---------------------------------------------------------------------------------------
# Scale: double K and S
# ---------------------------------------------------------------------------------------
#: The layer of the scale exercise: (C, H, W), K, F, P; PyTorch-style rounding down.
SCALE_LAYER = {"in_shape": (64, 56, 56), "out_channels": 64, "kernel_size": 3, "padding": 1}


def _scale_factors(k_factor: int, s: int) -> tuple[float, float]:
    base = conv2d_cost(**SCALE_LAYER, stride=1, mode="floor")
    layer = SCALE_LAYER | {"out_channels": SCALE_LAYER["out_channels"] * k_factor}
    new = conv2d_cost(**layer, stride=s, mode="floor")
    return new.params / base.params, new.macs / base.macs


def check_scale_layer(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Scale: double both the number of filters K and the stride S (1 → 2) of the layer
    :data:`SCALE_LAYER`. By what factors do the parameters and the multiply-adds change?

    The answer is a pair (parameters factor, multiply-adds factor), e.g. ``(2, 0.5)``.
    Named mistakes: the work falls as 1/S, not 1/S²; forgot the stride; forgot that K
    doubles the work; parameters depend on the stride; forgot that K doubles the
    parameters.

    Examples
    --------
    >>> check_scale_layer((2, 0.5))
    ✓ Correct: parameters and multiply-adds when K and S double
    >>> check_scale_layer((2, 1)).mistake
    '1/S, not 1/S²'
    """
    expected = _scale_factors(2, 2)

    def pair(value: Any) -> tuple[float, float] | None:
        try:
            a, b = (float(v) for v in value)
        except (TypeError, ValueError):
            return None
        return a, b

    def near(got: Any, want: Any) -> bool:
        g, e = pair(got), pair(want)
        return g is not None and e is not None and bool(np.allclose(g, e, rtol=0.02))

    params, _ = expected
    mistakes = [
        Mistake(
            "not a pair",
            "Answer with two numbers: (parameters factor, multiply-adds factor).",
            test=lambda got, expected, case: pair(got) is None,
        ),
        Mistake(
            "parameters depend on the stride",
            "The parameters are K·(F·F·C + 1): the stride is not in it. Only K changes them.",
            test=lambda got, expected, case: (
                pair(got) is not None
                and not np.isclose(pair(got)[0], params, rtol=0.02)
                and not np.isclose(pair(got)[0], 1, rtol=0.02)
            ),
        ),
        Mistake(
            "forgot that K doubles the parameters",
            "Each filter has its own F·F·C weights and bias: twice the filters, twice the "
            "parameters.",
            test=element_is(0, 1.0, rtol=0.02),
        ),
        Mistake(
            "1/S, not 1/S²",
            "The stride halves the positions along the height AND along the width: the "
            "work per filter falls to about a quarter, not a half.",
            test=element_is(1, 1.0, rtol=0.02),
        ),
        Mistake(
            "forgot the stride",
            "Doubling K doubles the work, but the stride also cuts the positions.",
            test=element_is(1, 2.0, rtol=0.02),
        ),
        Mistake(
            "forgot that K doubles the work",
            "Twice the filters means twice the maps to compute: multiply the stride's saving by 2.",
            test=element_is(1, 0.25, rtol=0.02),
        ),
    ]
    case = Case(label="input (64, 56, 56), K = 64 → 128, F = 3, P = 1, S = 1 → 2 (rounding down)")
    recompute = (
        "Write both as products, K·(F·F·C + 1) and H_out·W_out·F·F·C·K, and ask of each "
        "factor whether it changes."
    )
    return check_answer(
        answer,
        expected,
        mistakes,
        case,
        "parameters and multiply-adds when K and S double",
        near,
        near,
        recompute=recompute,
        reveal=reveal,
    )


# ---------------------------------------------------------------------------------------
# Design: choose S and P for a given output
# ---------------------------------------------------------------------------------------
#: The design question: input size, filter size and the output size wanted.
DESIGN_LAYER = {"n": 31, "f": 3, "want": 16}


def _design_output(answer: Any) -> int | None:
    """The output size of the reader's (stride, padding), None if it is not valid."""
    try:
        s, p = (int(v) for v in answer)
        return output_size(DESIGN_LAYER["n"], DESIGN_LAYER["f"], stride=s, padding=p)
    except (TypeError, ValueError):
        return None


def check_layer_design(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Design: a (stride, padding) pair with which a 3×3 filter on a 31×31 input gives a
    16×16 output, every window fitting exactly (cnnkit's strict mode).

    The check computes the output size of the reader's setting. Named mistakes: not a
    pair of whole numbers; stride 1 (the output stays about as large as the input); a
    setting that does not fit; a valid setting of another output size, as "wrong
    padding" when some padding gives the size with the reader's stride, else as "no
    padding fits this stride"; the hint works out the size the setting gives.

    Examples
    --------
    >>> check_layer_design((2, 1))
    ✓ Correct: stride and padding for a 16×16 output
    >>> check_layer_design((1, 1)).mistake
    'stride 1 keeps the size'
    """
    n, f, want = DESIGN_LAYER["n"], DESIGN_LAYER["f"], DESIGN_LAYER["want"]

    def gives(got: Any, expected: Any) -> bool:
        return pair_of_ints(got) and _design_output(got) == want

    def pair_of_ints(got: Any) -> bool:
        try:
            s, p = got
            return all(isinstance(v, int | np.integer) and v >= 0 for v in (s, p)) and s > 0
        except (TypeError, ValueError):
            return False

    mistakes = [
        Mistake(
            "not a pair of whole numbers",
            "Answer with two whole numbers, (stride, padding), stride at least 1.",
            test=lambda got, expected, case: not pair_of_ints(got),
        ),
        Mistake(
            "stride 1 keeps the size",
            "With stride 1 the output is W − F + 2P + 1, about the input's size: to halve "
            "it you need a larger stride.",
            test=lambda got, expected, case: pair_of_ints(got) and got[0] == 1,
        ),
        Mistake(
            "the windows do not fit",
            "With that setting (W − F + 2P)/S is not a whole number: the windows do not "
            "fit. Choose P so that S divides W − F + 2P.",
            test=lambda got, expected, case: pair_of_ints(got) and _design_output(got) is None,
        ),
    ]
    size = _design_output(answer) if pair_of_ints(answer) else None
    if size is not None and size != want:
        # What the reader's setting gives, worked out; then whether some padding would
        # give the wanted size with the reader's stride (the hint says which knob to turn).
        s, p = (int(v) for v in answer)
        worked = f"(W − F + 2P)/S + 1 = ({n} − {f} + 2·{p})/{s} + 1 = {size}"
        side = "too large" if size > want else "too small"
        plus_one = (
            " You did add the + 1: it is the padding that is off." if abs(size - want) == 1 else ""
        )
        if any(_design_output((s, q)) == want for q in range(n + f)):
            mistakes.append(
                Mistake(
                    "wrong padding",
                    f"Your setting gives {worked}, {side}.{plus_one} Keep your stride "
                    f"and change P: what must W − F + 2P be for the output to be {want}?",
                    test=lambda got, expected, case: True,
                )
            )
        else:
            mistakes.append(
                Mistake(
                    "no padding fits this stride",
                    f"Your setting gives {worked}, {side}, and with stride {s} no padding "
                    f"gives exactly {want}: try another stride.",
                    test=lambda got, expected, case: True,
                )
            )
    case = Case(label=f"a {f}×{f} filter on a {n}×{n} input, output {want}×{want} wanted")
    recompute = "Put your S and P into ⌊(W − F + 2P)/S⌋ + 1 and compare with 16."
    return check_answer(
        answer,
        (2, 1),
        mistakes,
        case,
        "stride and padding for a 16×16 output",
        gives,
        lambda a, b: False,
        recompute=recompute,
        reveal=reveal,
    )
