"""Named 3×3 filters (kernels) used throughout the book.

Each function returns a *fresh* float64 array of shape (3, 3), so a reader can change
its values without affecting anyone else. ``PRESETS`` maps each name to a read-only
copy, for menus in the explorers; call the function (or ``.copy()``) for an editable one.

All filters are meant for cross-correlation, which is what :func:`cnnkit.convolution.conv2d`
(like every deep-learning library) computes: the filter is laid on the image as printed,
without flipping. "Responds" below means "gives a large positive output".

Sign conventions (image rows grow downwards, columns to the right):

* ``vertical_edge`` and ``sobel_x`` are positive where the image gets brighter from left
  to right, negative where it gets darker;
* ``horizontal_edge`` and ``sobel_y`` are positive where it gets brighter from top to
  bottom.

Examples
--------
>>> x_filter()
array([[1., 0., 1.],
       [0., 1., 0.],
       [1., 0., 1.]])
>>> sorted(PRESETS)[:4]
['box_blur', 'diagonal_edge', 'gaussian_blur', 'horizontal_edge']
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PRESETS",
    "box_blur",
    "diagonal_edge",
    "gaussian_blur",
    "horizontal_edge",
    "i_filter",
    "identity",
    "o_filter",
    "sharpen",
    "sobel_x",
    "sobel_y",
    "vertical_edge",
    "x_filter",
]


def _kernel(rows: list[list[float]]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


def x_filter() -> np.ndarray:
    """The "X" detector: ones on both diagonals.

    Responds most (value 5 on a binary image) where the 3×3 patch is itself an X.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[1, 0, 1], [0, 1, 0], [1, 0, 1]])


def o_filter() -> np.ndarray:
    """The "O" detector: a ring of ones around a zero centre.

    Responds most (value 8 on a binary image) to a closed ring with a hole in the middle.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[1, 1, 1], [1, 0, 1], [1, 1, 1]])


def i_filter() -> np.ndarray:
    """The "I" detector: a vertical bar of ones in the middle column.

    Responds most (value 3 on a binary image) to a vertical stroke one pixel wide.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[0, 1, 0], [0, 1, 0], [0, 1, 0]])


def vertical_edge() -> np.ndarray:
    """Vertical-edge detector (Prewitt): right column minus left column.

    Detects vertical edges: positive where the image gets brighter from left to right,
    negative for darker, zero on flat regions (the weights sum to 0).

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])


def horizontal_edge() -> np.ndarray:
    """Horizontal-edge detector (Prewitt): bottom row minus top row.

    Detects horizontal edges: positive where the image gets brighter from top to bottom,
    negative for darker, zero on flat regions.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])


def diagonal_edge() -> np.ndarray:
    """Diagonal-edge detector: upper-right triangle minus lower-left triangle.

    Detects edges running from the top-left to the bottom-right corner: positive where
    the part of the image above and to the right of the edge is the brighter one.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]])


def sobel_x() -> np.ndarray:
    """The Sobel filter for the horizontal derivative (Sobel & Feldman, 1968).

    Like :func:`vertical_edge` (detects vertical edges, positive where brightness grows
    to the right) but the middle row counts twice, which smooths the noise along the edge.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def sobel_y() -> np.ndarray:
    """The Sobel filter for the vertical derivative.

    Like :func:`horizontal_edge` (detects horizontal edges, positive where brightness
    grows downwards) with the middle column counted twice.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])


def box_blur() -> np.ndarray:
    """Box blur: the mean of the 3×3 neighbourhood (all weights 1/9).

    Detects nothing; it smooths. The weights sum to 1, so flat regions are unchanged.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return np.full((3, 3), 1.0 / 9.0)


def gaussian_blur() -> np.ndarray:
    """A 3×3 approximation of a Gaussian blur: ``[1, 2, 1]ᵀ [1, 2, 1] / 16``.

    Smooths like :func:`box_blur` but weights the centre more, so it blurs less and
    without the box blur's blocky artefacts. The weights sum to 1.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0


def sharpen() -> np.ndarray:
    """Sharpen: the pixel plus (pixel minus the mean of its four neighbours) times four.

    Enhances fine detail and edges; the weights sum to 1, so flat regions are unchanged.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])


def identity() -> np.ndarray:
    """The identity filter: a single 1 in the centre.

    With padding 1 (and stride 1) the output equals the input, a handy sanity check.

    Returns
    -------
    ndarray, shape (3, 3), float64
    """
    return _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]])


def _read_only(kernel: np.ndarray) -> np.ndarray:
    kernel.setflags(write=False)
    return kernel


#: Name → read-only (3, 3) float64 kernel, for preset menus. Names match the functions.
PRESETS: dict[str, np.ndarray] = {
    f.__name__: _read_only(f())
    for f in (
        x_filter,
        o_filter,
        i_filter,
        vertical_edge,
        horizontal_edge,
        diagonal_edge,
        sobel_x,
        sobel_y,
        box_blur,
        gaussian_blur,
        sharpen,
        identity,
    )
}
