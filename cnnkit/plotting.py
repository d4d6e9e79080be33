"""Figures for the book: one style, colour-blind-safe colours, numbers drawn on matrices.

Every chapter draws with these functions so that the figures look alike. The numerical
core of cnnkit never imports this module; only the notebooks and the widgets do.

The categorical colours are the Okabe–Ito palette (Okabe & Ito, 2008, "Color Universal
Design"), chosen to stay distinguishable for the common forms of colour blindness.
Sequential maps use ``cividis`` (Nuñez, Anderton & Renslow, 2018), whose lightness rises
steadily, so that the figures also read in grey scale.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import Animation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
#: The colour used to mark "where we are looking" (windows, highlighted cells).
HIGHLIGHT = OKABE_ITO["vermillion"]
#: Maps for values that are all >= 0 (images, pooled maps) and for signed values.
SEQUENTIAL_CMAP = "cividis"
DIVERGING_CMAP = "PuOr_r"


def set_style() -> None:
    """Apply the book's matplotlib style (call once at the top of a notebook)."""
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (6.4, 3.6),
            "figure.constrained_layout.use": True,
            "font.size": 10,
            "axes.titlesize": 10,
            "axes.labelsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO.values())),
            "image.interpolation": "nearest",
            "image.cmap": SEQUENTIAL_CMAP,
            "animation.embed_limit": 8.0,  # MB; our animations stay far below
        }
    )


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (3.2, 3.2)) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def show_image(
    image: np.ndarray,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Draw a grayscale (H, W) or colour (H, W, 3) image without axes ticks.

    uint8 grayscale images are drawn on the fixed 0..255 scale, so that a dark image
    looks dark instead of being stretched to full contrast.
    """
    ax = _new_axes(ax)
    image = np.asarray(image)
    if image.ndim == 2 and image.dtype == np.uint8 and vmin is None and vmax is None:
        vmin, vmax = 0, 255
    ax.imshow(image, cmap=cmap if image.ndim == 2 else None, vmin=vmin, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


def _text_colour(value: float, norm: mpl.colors.Normalize, cmap: mpl.colors.Colormap) -> str:
    """Black or white, whichever reads better on the cell colour of ``value``."""
    r, g, b, _ = cmap(norm(value))
    luminance = 0.299 * r + 0.587 * g + 0.114 * b
    return "black" if luminance > 0.5 else "white"


def show_matrix(
    matrix: np.ndarray,
    ax: Axes | None = None,
    title: str | None = None,
    fmt: str = "{:g}",
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    annotate: bool = True,
    fontsize: float | None = None,
    origin: tuple[int, int] = (0, 0),
) -> Axes:
    """Draw a 2-D array as coloured cells with its numbers written in them.

    Parameters
    ----------
    matrix : ndarray, shape (H, W)
    fmt : format applied to each number, e.g. ``"{:.1f}"``.
    origin : (row, col) of the top-left cell in a larger image, used for tick labels so
        that a zoomed patch keeps the image's own coordinates.
    """
    ax = _new_axes(ax)
    m = np.asarray(matrix)
    if m.ndim != 2:
        raise ValueError(f"show_matrix: matrix must be 2-D (H, W); got shape {m.shape}")
    if vmin is None:
        vmin = float(np.min(m)) if m.size else 0.0
    if vmax is None:
        vmax = float(np.max(m)) if m.size else 1.0
    if vmax == vmin:
        vmax = vmin + 1.0
    colormap = plt.get_cmap(cmap)
    norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax)
    ax.imshow(m, cmap=colormap, norm=norm)
    h, w = m.shape
    if annotate:
        size = fontsize or max(5.0, min(11.0, 90.0 / max(h, w)))
        for i in range(h):
            for j in range(w):
                ax.text(
                    j,
                    i,
                    fmt.format(m[i, j]),
                    ha="center",
                    va="center",
                    fontsize=size,
                    color=_text_colour(m[i, j], norm, colormap),
                )
    r0, c0 = origin
    step_r = max(1, h // 8)
    step_c = max(1, w // 8)
    ax.set_yticks(range(0, h, step_r), [str(r0 + i) for i in range(0, h, step_r)])
    ax.set_xticks(range(0, w, step_c), [str(c0 + j) for j in range(0, w, step_c)])
    ax.tick_params(length=0, labelsize=8)
    # thin grid lines between cells
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color="#999999", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


def mark_window(
    ax: Axes,
    top: int,
    left: int,
    height: int,
    width: int,
    colour: str = HIGHLIGHT,
    linewidth: float = 2.5,
) -> Rectangle:
    """Outline the cells [top, top+height) x [left, left+width) of an image drawn on ax."""
    rect = Rectangle(
        (left - 0.5, top - 0.5),
        width,
        height,
        fill=False,
        edgecolor=colour,
        linewidth=linewidth,
    )
    ax.add_patch(rect)
    return rect


def show_feature_maps(
    maps: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    cmap: str = DIVERGING_CMAP,
    symmetric: bool = True,
    panel_size: float = 2.2,
    colorbar: bool = False,
) -> Figure:
    """Draw several 2-D maps side by side as a grid of small multiples.

    Parameters
    ----------
    maps : ndarray, shape (K, H, W), or a sequence of K 2-D arrays (sizes may differ)
    symmetric : centre the colour scale of each panel on zero (for signed maps such as
        filter responses), so that white means 0, one hue positive and the other negative.
    """
    maps = list(maps)
    if not maps:
        raise ValueError("show_feature_maps: maps is empty; pass at least one 2-D array")
    k = len(maps)
    ncols = max(1, min(ncols, k))
    nrows = (k + ncols - 1) // ncols
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows), squeeze=False
    )
    for idx, ax in enumerate(axes.flat):
        if idx >= k:
            ax.axis("off")
            continue
        m = np.asarray(maps[idx], dtype=float)
        if symmetric:
            lim = float(np.max(np.abs(m))) or 1.0
            image = ax.imshow(m, cmap=cmap, vmin=-lim, vmax=lim)
        else:
            image = ax.imshow(m, cmap=cmap)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[idx])
        if colorbar:
            fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


# Symbols from blocks that common fonts cover (arrows, geometric shapes, punctuation);
# the media-control symbols (U+23EE and friends) are missing from e.g. DejaVu Sans.
_UNICODE_BUTTONS = {
    "fa fa-minus": "−",
    "fa fa-fast-backward": "⇤",
    "fa fa-step-backward": "◀|",
    "fa fa-play fa-flip-horizontal": "◀",
    "fa fa-pause": "❚❚",
    "fa fa-play": "▶",
    "fa fa-step-forward": "|▶",
    "fa fa-fast-forward": "⇥",
    "fa fa-plus": "+",
}


def animation_html(anim: Animation, default_mode: str = "once", alt: str | None = None) -> str:
    """The HTML of ``anim.to_jshtml()``, made to work offline.

    matplotlib's player template links Font Awesome 4 from a CDN for its button icons.
    The book must read with no internet, so the link is removed and each icon is
    replaced by a Unicode symbol; the buttons keep their titles and ARIA labels.
    The random element ids are replaced by a counter, so that a rebuilt page is the same.
    ``alt``, if given, becomes the alt text of the frame image (what the animation shows,
    in words, for a reader who cannot see it).
    """
    html = anim.to_jshtml(default_mode=default_mode)
    html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html, flags=re.DOTALL)
    for css_class, symbol in _UNICODE_BUTTONS.items():
        html = html.replace(f'<i class="{css_class}"></i>', symbol)
    if "http://" in html or "https://" in html:
        raise RuntimeError(
            "animation_html: the animation still refers to an external resource; "
            "matplotlib's player template has changed, update cnnkit.plotting"
        )
    global _ANIMATION_COUNT
    _ANIMATION_COUNT += 1
    ids = set(re.findall(r"[0-9a-f]{32}", html))
    for n, old in enumerate(sorted(ids)):
        html = html.replace(old, f"cnnkit{_ANIMATION_COUNT}x{n}")
    if alt is not None:
        from html import escape

        text = escape(alt, quote=True)
        html = re.sub(r'<img id="_anim_img[^"]*"', lambda m: f'{m.group(0)} alt="{text}"', html)
    plt.close(anim._fig)
    return html


_ANIMATION_COUNT = 0


def draw_lenet(ax: Axes | None = None) -> Axes:
    """Draw LeNet-5 (LeCun et al., 1998, Fig. 2) from the layer sizes the paper gives.

    Each feature-map layer is a stack of squares (one square per map, a few drawn);
    the fully connected layers are columns of units. The two halves of the network,
    feature learning and classification, are bracketed underneath.
    """
    ax = _new_axes(ax, figsize=(10, 3.4))
    layers = [
        ("INPUT\n1@32×32", 1, 32),
        ("C1: conv 5×5\n6@28×28", 6, 28),
        ("S2: subsample\n6@14×14", 6, 14),
        ("C3: conv 5×5\n16@10×10", 16, 10),
        ("S4: subsample\n16@5×5", 16, 5),
    ]
    dense = [("C5: 120", 120), ("F6: 84", 84), ("OUTPUT\n10", 10)]
    x = 0.0
    scale = 0.09  # drawing units per pixel
    for label, depth, size in layers:
        side = size * scale
        shown = min(depth, 6)
        for k in range(shown):
            dx = dy = 0.12 * k
            ax.add_patch(
                Rectangle(
                    (x + dx, -side / 2 + dy),
                    side,
                    side,
                    facecolor=OKABE_ITO["sky blue"] if k < shown - 1 else OKABE_ITO["blue"],
                    edgecolor="black",
                    linewidth=0.6,
                    alpha=0.9,
                )
            )
        ax.text(x + side / 2, -1.95, label, ha="center", va="top", fontsize=10)
        x += side + 0.12 * shown + 1.0
    feature_end = x - 0.3
    for label, units in dense:
        height = 0.02 * units + 0.3
        ax.add_patch(
            Rectangle(
                (x, -height / 2),
                0.25,
                height,
                facecolor=OKABE_ITO["orange"],
                edgecolor="black",
                linewidth=0.6,
            )
        )
        ax.text(x + 0.125, -1.95, label, ha="center", va="top", fontsize=10)
        x += 1.6
    end = x - 1.3
    for x0, x1, text in [
        (0.0, feature_end, "feature learning (convolution + subsampling)"),
        (feature_end + 0.3, end, "classification (fully connected)"),
    ]:
        ax.annotate(
            "",
            xy=(x0, -2.85),
            xytext=(x1, -2.85),
            arrowprops={"arrowstyle": "<->", "color": "black", "linewidth": 1},
        )
        ax.text((x0 + x1) / 2, -3.05, text, ha="center", va="top", fontsize=11)
    ax.set_xlim(-0.3, x - 0.6)
    ax.set_ylim(-3.75, 2.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# --------------------------------------------------------------------------- chapter 2


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
    window, kernel : ndarray, shape (KH, KW) or (C, KH, KW)
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
            "show_products: window and kernel must have the same shape, (KH, KW) or "
            f"(C, KH, KW); got window {win.shape} and kernel {ker.shape}"
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
    There is one frame per output position, Ho·Wo frames in row-major order.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (KH, KW)
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
    from matplotlib.animation import FuncAnimation

    from cnnkit.convolution import conv2d
    from cnnkit.padding import pad

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
        text.set_color(_text_colour(out[i, j], norm, colormap))
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
    kernels : dict of str to ndarray, shape (KH, KW)
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
    from cnnkit.convolution import conv2d

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


# --------------------------------------------------------------------------- chapter 3
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
        Zeros before (top/left) and after (bottom/right) the input. In ``mode="ceil"``
        ``after`` includes the zeros that complete the last, partial window.
    starts : tuple of int
        The first cell of each window, counted in the padded axis (0 = first zero).
    coverage : ndarray of int, shape (n,)
        How many windows cover each input cell; 0 means the cell is never seen.
    """

    before: int
    after: int
    starts: tuple[int, ...]
    coverage: np.ndarray


def window_positions(
    n: int,
    f: int,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    mode: str = "strict",
) -> WindowPositions:
    """The window starts and the coverage of each input cell along one axis.

    The number of windows is :func:`cnnkit.shapes.output_size` (so ``mode="strict"``
    raises its error for a setting that does not tile the input); window k starts at
    cell k·s of the padded axis.

    Parameters
    ----------
    n, f, stride : int
        Input size, window size and stride.
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
    from cnnkit.shapes import output_size  # plotting depends on the core, not the reverse

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
    # ceil mode: zeros at the end complete the last, partial window
    after += max(0, (count - 1) * stride + f - (n + before + after))
    starts = tuple(k * stride for k in range(count))
    coverage = np.zeros(n, dtype=int)
    for t in starts:
        lo, hi = max(t - before, 0), min(t - before + f, n)
        coverage[lo:hi] += 1
    return WindowPositions(before, after, starts, coverage)


def _setting_text(n: int, f: int, stride: int, padding: int | tuple[int, int]) -> str:
    if isinstance(padding, tuple | list):
        pad_text = f"P = {padding[0]} before, {padding[1]} after"
    else:
        pad_text = f"P = {padding}"
    return f"W = {n}, F = {f}, S = {stride}, {pad_text}"


def show_window_positions_1d(
    n: int,
    f: int,
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
    pos = window_positions(n, f, stride, padding, mode)
    total = pos.before + n + pos.after
    rows = len(pos.starts)
    ax = _new_axes(ax, figsize=(0.42 * total + 1.4, 0.42 * (rows + 1) + 0.9))
    for x in range(total):
        j = x - pos.before
        is_input = 0 <= j < n
        missed = is_input and pos.coverage[j] == 0
        face = _MISSED_FILL if missed else ("white" if is_input else _PADDING_FILL)
        ax.add_patch(
            Rectangle(
                (x - 0.5, -0.5),
                1,
                1,
                facecolor=face,
                edgecolor="#555555",
                linewidth=0.8,
                hatch="///" if missed else None,
            )
        )
        if not is_input:
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
    pos = window_positions(n, f, stride, padding, mode)
    total = pos.before + n + pos.after
    ax = _new_axes(ax)
    inside = np.zeros(total, dtype=bool)
    inside[pos.before : pos.before + n] = True
    missed_1d = np.zeros(total, dtype=bool)
    missed_1d[pos.before : pos.before + n] = pos.coverage == 0
    is_input = np.outer(inside, inside)
    missed = is_input & (missed_1d[:, None] | missed_1d[None, :])
    kind = np.where(is_input, 0, 1)
    kind[missed] = 2
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
        for i, j in np.argwhere(~is_input):
            ax.text(j, i, "0", ha="center", va="center", fontsize=7, color="#444444")
    # cell borders drawn as lines that stop at the edge of the grid
    edges = np.arange(-0.5, total, 1.0)
    ax.vlines(edges, -0.5, total - 0.5, colors="#9A9A9A", linewidth=0.5)
    ax.hlines(edges, -0.5, total - 0.5, colors="#9A9A9A", linewidth=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
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
    pos = window_positions(n, f, stride, padding, mode)
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
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" '
        f'viewBox="0 0 {side} {side}" role="img">',
        f"<title>{described}</title>",
        '<defs><pattern id="cnnkit-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" '
        f'fill="{_MISSED_FILL}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#555555" '
        'stroke-width="2"/></pattern></defs>',
        f'<g transform="translate({m},{m})">',
        f'<rect width="{total * cell}" height="{total * cell}" fill="{_PADDING_FILL}"/>',
        f'<rect x="{b * cell}" y="{b * cell}" width="{n * cell}" height="{n * cell}" '
        'fill="white"/>',
    ]
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
        for i in range(total):
            for j in range(total):
                if b <= i < b + n and b <= j < b + n:
                    continue
                parts.append(
                    f'<text x="{(j + 0.5) * cell}" y="{(i + 0.5) * cell}" font-size="{font}" '
                    'text-anchor="middle" dominant-baseline="central" fill="#444444" '
                    'font-family="sans-serif">0</text>'
                )
    parts.append(
        f'<rect x="{b * cell}" y="{b * cell}" width="{n * cell}" height="{n * cell}" '
        'fill="none" stroke="black" stroke-width="1.6"/>'
    )
    radius = max(1.5, cell * 0.16)
    dots = "".join(
        f'<circle cx="{(c + 0.5) * cell}" cy="{(r + 0.5) * cell}" r="{radius:.1f}"/>'
        for r in pos.starts
        for c in pos.starts
    )
    parts.append(f'<g fill="{_START_COLOUR}">{dots}</g>')
    for t, dash in ((pos.starts[0], ""), (pos.starts[-1], ' stroke-dasharray="6,4"')):
        parts.append(
            f'<rect x="{t * cell}" y="{t * cell}" width="{f * cell}" height="{f * cell}" '
            f'fill="none" stroke="{HIGHLIGHT}" stroke-width="2.5"{dash}/>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
