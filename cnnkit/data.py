"""Data for the book: real digits and photos that ship with scikit-learn, our own small images.

Nothing here is downloaded. :func:`load_digits` and :func:`sample_image` read files that
are installed with scikit-learn, which is imported inside those two functions only (the
numerical core of cnnkit needs nothing but numpy). :func:`example_image` and
:func:`xoi_patterns` are made here, by us.

Layouts: images read from files are (H, W, C), as image files store them; the rest of
the book uses (C, H, W) and batches (N, C, H, W). :func:`to_chw` and :func:`to_hwc` are
the one place where the axes are moved.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from cnnkit._checks import (
    as_float_array,
    as_rng,
    check_ndim,
    check_nonnegative_int,
    check_number,
    check_positive_int,
    show,
)

__all__ = [
    "CLASS_NAMES",
    "SAMPLE_IMAGES",
    "Digits",
    "example_image",
    "load_digits",
    "sample_image",
    "to_chw",
    "to_grayscale",
    "to_hwc",
    "xoi_patterns",
]

#: Class names of :func:`xoi_patterns`, indexed by label: 0 = "X", 1 = "O", 2 = "I".
CLASS_NAMES: tuple[str, str, str] = ("X", "O", "I")

#: Names accepted by :func:`sample_image` and the scikit-learn file behind each.
SAMPLE_IMAGES: dict[str, str] = {"china": "china.jpg", "flower": "flower.jpg"}

#: ITU-R Recommendation BT.601 luma weights for R, G and B.
_BT601 = np.array([0.299, 0.587, 0.114])


class Digits(NamedTuple):
    """The digits data set split into a training and a test part.

    Attributes
    ----------
    x_train, x_test : ndarray, shape (N, 1, 8, 8), float32
        Grey levels in [0, 1] (0 = background, 1 = full ink).
    y_train, y_test : ndarray, shape (N,), int64
        The digit shown, 0 to 9.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@functools.cache
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    # Imported here so that `import cnnkit` never needs scikit-learn.
    from sklearn.datasets import load_digits as sklearn_load_digits

    bunch = sklearn_load_digits()
    return bunch.images, bunch.target


def load_digits(
    *, seed: int | np.random.Generator | None = 0, test_fraction: float = 0.2
) -> Digits:
    """Load the 1,797 handwritten digits bundled with scikit-learn, split for training.

    The images are 8×8 with 17 grey levels (0 to 16): each pixel counts how many pixels
    of a 4×4 block of the original 32×32 bitmap were inked (the UCI "Optical Recognition
    of Handwritten Digits" data, Alpaydin & Kaynak, 1998). They are divided by 16, so
    they lie in [0, 1], and given a channel axis.

    The split is stratified: within each digit class, a fraction ``test_fraction``
    (rounded to the nearest whole image) is drawn at random into the test set, so both
    sets hold the ten classes in the same proportions. With a fixed ``seed`` the split is
    the same on every machine and every run. Both parts keep the original order.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, default 0
        Randomness of the split. None gives a different split on every call.
    test_fraction : float, default 0.2
        Share of each class kept for testing, strictly between 0 and 1, and such that
        both parts hold at least one image of every digit (about 0.0029 to 0.9971).

    Returns
    -------
    Digits
        ``(x_train, y_train, x_test, y_test)`` with x float32 of shape (N, 1, 8, 8) and
        y int64 of shape (N,). With the default 0.2: 1,438 training and 359 test images.

    Examples
    --------
    >>> data = load_digits()
    >>> data.x_train.shape, data.x_test.shape, data.x_train.dtype
    ((1438, 1, 8, 8), (359, 1, 8, 8), dtype('float32'))
    """
    func = "load_digits"
    rng = as_rng(seed, func)
    test_fraction = check_number(
        test_fraction,
        "test_fraction",
        func,
        "a number strictly between 0 and 1",
        lambda v: 0.0 < v < 1.0,
    )
    images, target = _digits_arrays()
    counts = np.bincount(target, minlength=10)
    n_tests = [int(n * test_fraction + 0.5) for n in counts]
    if not all(0 < k < n for k, n in zip(n_tests, counts, strict=True)):
        # rounding half up: the smallest class gets a test image from 0.5/n and keeps a
        # training image below 1 - 0.5/n
        low, high = 0.5 / counts.min(), 1 - 0.5 / counts.min()
        raise ValueError(
            f"{func}: test_fraction must leave at least one image of every digit in each "
            f"part, about {low:.4f} to {high:.4f}; got test_fraction={show(test_fraction)}"
        )
    test_parts = []
    for label in range(10):
        members = np.flatnonzero(target == label)
        test_parts.append(rng.permutation(members)[: n_tests[label]])
    in_test = np.zeros(len(target), dtype=bool)
    in_test[np.concatenate(test_parts)] = True

    x = (images / 16.0).astype(np.float32)[:, np.newaxis, :, :]
    y = target.astype(np.int64)
    return Digits(x[~in_test], y[~in_test], x[in_test], y[in_test])


def sample_image(name: str = "china") -> np.ndarray:
    """Return one of the two colour photos bundled with scikit-learn.

    "china" is a photo of a Chinese temple, "flower" a close-up of a flower; both are
    427×640 pixels (``sklearn.datasets.load_sample_image``).

    Parameters
    ----------
    name : {"china", "flower"}, default "china"
        The file name with ".jpg" is accepted too.

    Returns
    -------
    ndarray, shape (H, W, 3), uint8
        Red, green and blue values from 0 to 255, in the (H, W, C) layout of image files;
        see :func:`to_chw` to convert.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the choices.
    TypeError
        For a name that is not a string.
    """
    choices = ", ".join(repr(k) for k in SAMPLE_IMAGES)
    message = f"sample_image: name must be one of {choices}; got name={show(name)}"
    if not isinstance(name, str):
        raise TypeError(message)
    if name.removesuffix(".jpg") not in SAMPLE_IMAGES:
        raise ValueError(message)
    from sklearn.datasets import load_sample_image

    return np.asarray(load_sample_image(SAMPLE_IMAGES[name.removesuffix(".jpg")]), dtype=np.uint8)


def to_chw(img: np.ndarray) -> np.ndarray:
    """Move the channel axis first: (H, W, C) → (C, H, W), or (N, H, W, C) → (N, C, H, W).

    uint8 images (0 to 255) are converted to float64 and divided by 255, so the result
    lies in [0, 1]. Other integer and bool images become float64 with their values
    unchanged; float images keep their dtype and values.

    Parameters
    ----------
    img : array_like, shape (H, W, C) or (N, H, W, C)

    Returns
    -------
    ndarray, shape (C, H, W) or (N, C, H, W), C-contiguous

    Examples
    --------
    >>> rgb = np.zeros((4, 6, 3), dtype=np.uint8)
    >>> rgb[..., 0] = 255
    >>> chw = to_chw(rgb)
    >>> chw.shape, chw.dtype, chw[0].max(), chw[1].max()
    ((3, 4, 6), dtype('float64'), np.float64(1.0), np.float64(0.0))
    """
    func = "to_chw"
    arr = np.asarray(img)
    scale = arr.dtype == np.uint8
    arr = as_float_array(arr, "img", func)
    check_ndim(arr, (3, 4), "img", func, layout="(H, W, C) or (N, H, W, C)")
    if scale:
        arr = arr / 255.0
    return np.ascontiguousarray(np.moveaxis(arr, -1, -3))


def to_hwc(img: np.ndarray) -> np.ndarray:
    """Move the channel axis last: (C, H, W) → (H, W, C), or (N, C, H, W) → (N, H, W, C).

    The inverse of :func:`to_chw` for the axes. Values and dtype are kept (a float image
    in [0, 1] stays so; it is not turned back into uint8), which is what
    ``matplotlib.pyplot.imshow`` expects. Non-numeric dtypes raise ``TypeError``.

    Parameters
    ----------
    img : array_like, shape (C, H, W) or (N, C, H, W)

    Returns
    -------
    ndarray, shape (H, W, C) or (N, H, W, C), C-contiguous
    """
    func = "to_hwc"
    arr = np.asarray(img)
    if arr.dtype.kind not in "biuf":
        as_float_array(arr, "img", func)  # raises the shared TypeError for non-numbers
    check_ndim(arr, (3, 4), "img", func, layout="(C, H, W) or (N, C, H, W)")
    return np.ascontiguousarray(np.moveaxis(arr, -3, -1))


def to_grayscale(img: np.ndarray) -> np.ndarray:
    """Convert an (H, W, 3) RGB image to grey levels with the ITU-R BT.601 weights.

    ``Y = 0.299 R + 0.587 G + 0.114 B`` (ITU-R Recommendation BT.601, the luma of
    standard-definition television; the weights reflect how bright each primary looks
    to the eye). The weights sum to 1, so the result is on the same scale as the input:
    0 to 255 for a uint8 image, 0 to 1 for an image from :func:`to_chw` moved back with
    :func:`to_hwc`.

    Parameters
    ----------
    img : array_like, shape (H, W, 3)
        uint8/int/bool are converted to float64 first (no wrap-around).

    Returns
    -------
    ndarray, shape (H, W), float (float32 stays float32, anything else gives float64)

    Examples
    --------
    >>> to_grayscale(np.full((1, 2, 3), 255, dtype=np.uint8))
    array([[255., 255.]])
    """
    func = "to_grayscale"
    arr = as_float_array(img, "img", func)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(
            f"{func}: img must have shape (H, W, 3) (an RGB image, channels last); "
            f"got img with shape {arr.shape}"
        )
    return arr @ _BT601.astype(arr.dtype)


def example_image() -> np.ndarray:
    """The book's 5×5 binary example image, with an X hidden in it.

    ::

        0 0 0 0 1
        1 0 1 0 0
        0 1 0 0 1
        1 0 1 1 0
        0 0 0 0 1

    The 3×3 patch at rows 1–3, columns 0–2 is exactly an X, so the X filter
    (:func:`cnnkit.filters.x_filter`) gives 5 there (the top-left corner of that window
    is at row 1, column 0 of the 3×3 feature map) and at most 3 anywhere else. The other
    ones are scattered distractors.

    Returns
    -------
    ndarray, shape (5, 5), float64
        Zeros and ones; a fresh array on every call.
    """
    return np.array(
        [
            [0, 0, 0, 0, 1],
            [1, 0, 1, 0, 0],
            [0, 1, 0, 0, 1],
            [1, 0, 1, 1, 0],
            [0, 0, 0, 0, 1],
        ],
        dtype=np.float64,
    )


def _xoi_templates(k: int) -> np.ndarray:
    """The three clean shapes X, O, I drawn on a k×k grid of zeros and ones."""
    eye = np.eye(k)
    x_shape = np.maximum(eye, eye[:, ::-1])
    o_shape = np.zeros((k, k))
    o_shape[[0, -1], 1:-1] = 1.0  # a ring with its corners cut, so it reads as round
    o_shape[1:-1, [0, -1]] = 1.0
    i_shape = np.zeros((k, k))
    mid = k // 2
    i_shape[:, mid] = 1.0
    i_shape[[0, -1], mid - 1 : mid + 2] = 1.0  # serifs
    return np.stack([x_shape, o_shape, i_shape])


def xoi_patterns(
    n: int,
    *,
    size: int = 9,
    rng: int | np.random.Generator | None = None,
    noise: float = 0.15,
    max_shift: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """A small synthetic data set of noisy, shifted X, O and I shapes.

    Each shape is drawn with strokes one pixel wide on a k×k grid, k = size - 2·max_shift
    (7×7 inside the default 9×9 image): X = both diagonals, O = a ring with the corners
    cut, I = a vertical bar with serifs. It is placed at a random offset of up to
    ``max_shift`` pixels from the centre in each direction, Gaussian noise with standard
    deviation ``noise`` is added, and the result is clipped to [0, 1]. The three classes
    appear equally often (to within one), in random order.

    Parameters
    ----------
    n : int
        Number of images.
    size : int, default 9
        Side of the square images; at least 2·max_shift + 3.
    rng : int, numpy.random.Generator or None
        Randomness (labels, shifts, noise). Fix it for reproducible data.
    noise : float, default 0.15
        Standard deviation of the added noise; 0 gives clean binary images.
    max_shift : int, default 1
        Largest shift in pixels, in each direction.

    Returns
    -------
    x : ndarray, shape (n, 1, size, size), float32
        Values in [0, 1].
    y : ndarray, shape (n,), int64
        Labels: 0 = X, 1 = O, 2 = I (see :data:`CLASS_NAMES`).

    Examples
    --------
    >>> x, y = xoi_patterns(6, rng=0, noise=0.0, max_shift=0)
    >>> x.shape, sorted(y.tolist())
    ((6, 1, 9, 9), [0, 0, 1, 1, 2, 2])
    """
    func = "xoi_patterns"
    n = check_positive_int(n, "n", func)
    size = check_positive_int(size, "size", func)
    gen = as_rng(rng, func)
    max_shift = check_nonnegative_int(max_shift, "max_shift", func)
    if size < 2 * max_shift + 3:
        raise ValueError(
            f"{func}: size must be at least 2*max_shift + 3 = {2 * max_shift + 3} so that "
            f"a 3×3 shape fits with room to shift; got size={size}"
        )
    noise = check_number(
        noise,
        "noise",
        func,
        "a finite number >= 0 (a standard deviation)",
        lambda v: 0 <= v < np.inf,
    )
    k = size - 2 * max_shift
    templates = _xoi_templates(k)
    y = gen.permutation(np.arange(n) % 3).astype(np.int64)
    offsets = gen.integers(0, 2 * max_shift + 1, size=(n, 2))

    x = np.zeros((n, size, size))
    rows = offsets[:, 0, None, None] + np.arange(k)[None, :, None]
    cols = offsets[:, 1, None, None] + np.arange(k)[None, None, :]
    x[np.arange(n)[:, None, None], rows, cols] = templates[y]
    if noise > 0:
        x += noise * gen.standard_normal(x.shape)
    np.clip(x, 0.0, 1.0, out=x)
    return x[:, np.newaxis].astype(np.float32), y
