"""The book's look: colours, colormaps, the matplotlib style and the coloured boxes.

The categorical colours are the Okabe–Ito palette (Okabe & Ito, 2008, "Color Universal
Design"), chosen to stay distinguishable for the common forms of colour blindness.
Sequential maps use ``cividis`` (Nuñez, Anderton & Renslow, 2018), whose lightness rises
steadily, so that the figures also read in grey scale.

The boxes (an exercise's result, an explorer's warning) use the same hues for the border
and darker shades of them for the text, so that the words keep a good contrast on white.
The symbols (✓, ✗, ○, ⚠) and the words carry the meaning; the colour only reinforces it.
"""

from __future__ import annotations

import matplotlib as mpl

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

#: Border, text and background colours of the boxes, by kind.
BOX_COLOURS = {
    "pass": {"border": "#009E73", "text": "#00593F", "background": "#EEF8F4"},
    "fail": {"border": "#D55E00", "text": "#8F3F00", "background": "#FCF1EA"},
    "none": {"border": "#8C8C8C", "text": "#4D4D4D", "background": "#F4F4F4"},
}


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


def _frame(kind: str) -> str:
    colours = BOX_COLOURS[kind]
    return (
        f"border:1px solid {colours['border']};border-left:6px solid {colours['border']};"
        f"border-radius:4px;background:{colours['background']};color:#1A1A1A;"
    )


def result_box_css(kind: str) -> str:
    """Inline CSS of an exercise's result box; ``kind`` is "pass", "fail" or "none"."""
    return _frame(kind) + (
        "padding:8px 12px;margin:6px 0;font-family:system-ui,sans-serif;"
        "font-size:14px;line-height:1.45;max-width:52em"
    )


def warning_box_css() -> str:
    """Inline CSS of an explorer's warning box (the colours of a failed check)."""
    return _frame("fail") + "padding:6px 10px;margin:4px 0;max-width:46em"


def warning_box(headline: str, body: str) -> str:
    """An explorer's warning, as HTML: ``⚠ headline.`` in bold, then ``body``.

    Both are HTML already (escape any text that comes from outside). The box has
    ``role="alert"``, so that a screen reader announces it when it appears.

    Examples
    --------
    >>> warning_box("Invalid setting", "the filter does not fit.")[:30]
    '<div role="alert" style="borde'
    """
    return f'<div role="alert" style="{warning_box_css()}"><b>⚠ {headline}.</b> {body}</div>'
