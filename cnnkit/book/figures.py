"""Figure helpers that several chapters use: images, matrices with their numbers, windows,
small multiples, animations that play offline, and pictures encoded for HTML.

Every chapter draws with these functions, in the colours of :mod:`cnnkit.book.style`,
so that the figures look alike. A figure that only one chapter draws lives in that
chapter's module (``cnnkit/book/chNN_*.py``).

The explorers do not redraw matplotlib figures (too slow for a slider): they build PNG
images from arrays (:func:`png_bytes`, :func:`png_data_uri`, :func:`grey_png`,
:func:`signed_png`) or SVG text (:func:`svg`) and show them in HTML.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import Animation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cnnkit.book.style import DIVERGING_CMAP, HIGHLIGHT


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (3.2, 3.2)) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``figsize`` inches when it is None."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def hide_frame(ax: Axes) -> None:
    """Remove the ticks and the spines of ``ax`` (for images and grids of cells)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


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
    ax = new_axes(ax)
    image = np.asarray(image)
    if image.ndim == 2 and image.dtype == np.uint8 and vmin is None and vmax is None:
        vmin, vmax = 0, 255
    ax.imshow(image, cmap=cmap if image.ndim == 2 else None, vmin=vmin, vmax=vmax)
    hide_frame(ax)
    if title:
        ax.set_title(title)
    return ax


def text_colour(value: float, norm: mpl.colors.Normalize, cmap: mpl.colors.Colormap) -> str:
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
    ax = new_axes(ax)
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
                    color=text_colour(m[i, j], norm, colormap),
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


# --------------------------------------------------------------------------- animations
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
_ANIMATION_COUNT = 0


def animation_html(anim: Animation, default_mode: str = "once", alt: str | None = None) -> str:
    """The HTML of ``anim.to_jshtml()``, made to work offline.

    matplotlib's player template links Font Awesome 4 from a CDN for its button icons.
    The book must read with no internet, so the link is removed and each icon is
    replaced by a Unicode symbol; the buttons keep their titles and ARIA labels.
    The random element ids are replaced by a counter, so that a rebuilt page is the same.
    The frame slider, which the template leaves unnamed (axe-core: a critical "label"
    violation), is labelled "Frame". ``alt``, if given, becomes the alt text of the frame
    image (what the animation shows, in words, for a reader who cannot see it).
    """
    page = anim.to_jshtml(default_mode=default_mode)
    page = re.sub(r"<link[^>]*font-awesome[^>]*>", "", page, flags=re.DOTALL)
    for css_class, symbol in _UNICODE_BUTTONS.items():
        page = page.replace(f'<i class="{css_class}"></i>', symbol)
    if "http://" in page or "https://" in page:
        raise RuntimeError(
            "animation_html: the animation still refers to an external resource; "
            "matplotlib's player template has changed, update cnnkit.book.figures"
        )
    global _ANIMATION_COUNT
    _ANIMATION_COUNT += 1
    ids = set(re.findall(r"[0-9a-f]{32}", page))
    for n, old in enumerate(sorted(ids)):
        page = page.replace(old, f"cnnkit{_ANIMATION_COUNT}x{n}")
    page = re.sub(
        r'<input id="_anim_slider[^"]*" type="range"',
        lambda m: f'{m.group(0)} aria-label="Frame"',
        page,
    )
    if alt is not None:
        text = html.escape(alt, quote=True)
        page = re.sub(r'<img id="_anim_img[^"]*"', lambda m: f'{m.group(0)} alt="{text}"', page)
    plt.close(anim._fig)
    return page


# --------------------------------------------------------------------------- pictures for HTML
def fit_width(pixels: np.ndarray, width: int, *, shrink: str = "mean") -> tuple[np.ndarray, float]:
    """Resize an image or a map, shape (H, W) or (H, W, 3), to about ``width`` columns.

    A small array is enlarged by repeating each value in a k×k block, so that cells stay
    crisp squares; a wide one is shrunk, by averaging k×k blocks (``shrink="mean"``,
    smooth) or by keeping every k-th row and column (``shrink="step"``, faster, keeps the
    dtype). Returns the resized array and its scale (output pixels per input pixel).

    Examples
    --------
    >>> view, scale = fit_width(np.arange(4.0).reshape(2, 2), 6)
    >>> view.shape, scale
    ((6, 6), 3)
    >>> fit_width(np.ones((10, 40)), 20)[0].shape
    (5, 20)
    """
    wide = pixels.shape[1]
    if wide > width:
        k = -(-wide // width)
        if shrink == "step":
            return pixels[::k, ::k], 1 / k
        h2, w2 = pixels.shape[0] // k * k, wide // k * k
        blocks = pixels[:h2, :w2].reshape(h2 // k, k, w2 // k, k, *pixels.shape[2:])
        return blocks.mean(axis=(1, 3)), 1 / k
    k = max(1, width // wide)
    return np.repeat(np.repeat(pixels, k, axis=0), k, axis=1), k


def png_bytes(pixels: np.ndarray, *, photo: bool = False) -> bytes:
    """PNG bytes of an (H, W) or (H, W, 3) uint8 array (fast, light compression).

    With ``photo=True`` the bytes are a JPEG instead (quality 85): a photo, or a map
    computed from one, is 4 to 5 times smaller that way, which keeps the web book's
    explorer pages light, and looks the same at this size. Keep PNG for small arrays
    drawn as enlarged cells, whose sharp edges JPEG would blur. The bytes say their own
    format (:func:`png_data_uri` reads it).
    """
    from PIL import Image  # Pillow is a dependency of matplotlib

    buffer = io.BytesIO()
    if photo:
        Image.fromarray(pixels).save(buffer, format="jpeg", quality=85)
    else:
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def png_data_uri(png: bytes) -> str:
    """The picture as a ``data:`` URI, to put in an ``<img src=...>`` with no file around
    it; PNG, or JPEG when the bytes are one (``png_bytes(..., photo=True)``)."""
    mime = "image/jpeg" if png[:3] == b"\xff\xd8\xff" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(png).decode("ascii")


def grey_png(m: np.ndarray, low: float, high: float, *, photo: bool = False) -> bytes:
    """A map drawn in grey levels: ``low`` (and below) black, ``high`` (and above) white.

    ``photo`` as in :func:`png_bytes`."""
    scaled = np.clip((m - low) / ((high - low) or 1.0), 0.0, 1.0)
    return png_bytes(np.round(scaled * 255).astype(np.uint8), photo=photo)


def signed_png(m: np.ndarray, lim: float, *, photo: bool = False) -> bytes:
    """A signed map in the diverging colormap, centred on 0, clipped at ±``lim``.

    ``photo`` as in :func:`png_bytes`."""
    colormap = plt.get_cmap(DIVERGING_CMAP)
    rgba = colormap(np.clip(m / (lim or 1.0), -1.0, 1.0) * 0.5 + 0.5, bytes=True)
    return png_bytes(np.ascontiguousarray(rgba[..., :3]), photo=photo)


def img_tag(png: bytes, alt: str, style: str = "") -> str:
    """An ``<img>`` element that holds the PNG itself, with its alt text and inline CSS."""
    css = f' style="{style}"' if style else ""
    return f'<img src="{png_data_uri(png)}" alt="{html.escape(alt, quote=True)}"{css}>'


def svg(width: int, height: int, title: str, body: str) -> str:
    """An ``<svg>`` element of ``width`` × ``height`` pixels around ``body``.

    ``title`` says in words what the drawing shows (screen readers read it, browsers show
    it as a tooltip); it is escaped here.
    """
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
        f"<title>{html.escape(title)}</title>{body}</svg>"
    )
