"""Chapter 1, "Images are matrices of numbers": pixels, channels, layouts and dtypes.

For ``notebooks/01_images.ipynb``: the pixel explorer (:func:`pixel_explorer`) and the
chapter's exercise checks (each takes ``reveal=True`` to show the answer). Its figures
are drawn with :mod:`cnnkit.book.figures`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import ipywidgets as w
import numpy as np

from cnnkit.book.exercises import (
    SHAPE_RECOMPUTE,
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    element_is,
    same_shape,
    shape_mistakes,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import fit_width, img_tag, png_bytes
from cnnkit.book.style import HIGHLIGHT
from cnnkit.data import load_digits, sample_image, to_grayscale

# --------------------------------------------------------------------------- the explorer
_CHANNELS = ["red", "green", "blue", "gray"]


@cache
def explorer_images() -> dict[str, np.ndarray]:
    """The explorer's images by name: two photos (H, W, 3) and a digit (8, 8), uint8."""
    digits = load_digits()
    digit = np.round(digits.x_train[0, 0] * 255).astype(np.uint8)
    return {
        "photo: china (RGB)": sample_image("china"),
        "photo: flower (RGB)": sample_image("flower"),
        "handwritten digit (gray)": digit,
    }


@cache
def _preview(image: str, width: int = 360) -> tuple[str, float]:
    """The ``<img>`` of a whole image about ``width`` pixels across, and its scale
    (preview pixels per image pixel). A photo is shown by keeping every k-th pixel (a
    JPEG, light); a small image (the 8×8 digit) is enlarged by repeating each pixel in a
    k×k block, so pixels stay crisp squares (a PNG). The picture keeps its size (no CSS
    may shrink it), so that the window drawn over it stays in place."""
    img = explorer_images()[image]
    view, scale = fit_width(img, width, shrink="step")
    height, wide = view.shape[:2]
    picture = img_tag(
        png_bytes(np.ascontiguousarray(view), photo=scale < 1),
        f"the {image}",
        f"width:{wide}px;height:{height}px;max-width:none",
    )
    return picture, scale


def window_preview(image: str, row: int, col: int, size: int) -> str:
    """HTML: the image named ``image`` with the ``size``×``size`` window at (``row``,
    ``col``) outlined in vermillion (:data:`cnnkit.book.style.HIGHLIGHT`).

    The outline is a box drawn over the picture, not pixels painted into it: the picture
    is then the same for every window, and the web book's form of the explorer stores it
    once for all its settings.
    """
    picture, scale = _preview(image)
    t = 2  # outline thickness in preview pixels
    left, top = col * scale - t, row * scale - t
    width, height = max(size * scale, 3), max(size * scale, 3)
    box = (
        f"position:absolute;left:{left:.0f}px;top:{top:.0f}px;width:{width + 2 * t:.0f}px;"
        f"height:{height + 2 * t:.0f}px;border:{t}px solid {HIGHLIGHT};pointer-events:none;"
        "box-sizing:border-box"
    )
    return (
        '<div style="position:relative;display:inline-block;line-height:0;flex:none">'
        f'{picture}<div aria-hidden="true" style="{box}"></div></div>'
    )


def numbers_table(patch: np.ndarray, row: int, col: int) -> str:
    """An HTML table of the window's values, each cell shaded in its own grey level;
    the headers are the image's own row and column numbers."""
    head = "".join(f"<th>{col + j}</th>" for j in range(patch.shape[1]))
    rows = []
    for i, line in enumerate(patch):
        cells = []
        for value in line:
            v = int(round(float(value)))
            ink = "#000" if v > 127 else "#fff"
            cells.append(f'<td style="background:rgb({v},{v},{v});color:{ink}">{v}</td>')
        rows.append(f"<tr><th>{row + i}</th>{''.join(cells)}</tr>")
    style = (
        "<style>.cnnkit-px{border-collapse:collapse;font:12px monospace}"
        ".cnnkit-px td{width:2.6em;height:1.9em;text-align:center;border:1px solid #999}"
        ".cnnkit-px th{font-weight:normal;color:#555;padding:0 4px}</style>"
    )
    return f'{style}<table class="cnnkit-px"><tr><th></th>{head}</tr>{"".join(rows)}</table>'


def pixels_html(image: str, channel: str, size: int, row: int, col: int) -> str:
    """What the chapter 1 explorer shows: the image with the window, and its numbers.

    Left, a PNG preview of the image named ``image`` (a key of :func:`explorer_images`)
    with the ``size``×``size`` window at (``row``, ``col``) outlined; right, the values
    of ``channel`` ("red", "green", "blue" or "gray"; a gray image has only "gray")
    inside the window. A PNG and an HTML table rather than a matplotlib figure: one
    update takes milliseconds instead of the ~0.2 s of drawing a figure of the photo.
    """
    img = explorer_images()[image]
    if img.ndim == 2:
        plane, channel = img, "gray"
    elif channel == "gray":
        plane = to_grayscale(img)
    else:
        plane = img[..., _CHANNELS.index(channel)]
    where = f"rows {row}–{row + size - 1}, columns {col}–{col + size - 1}"
    picture = window_preview(image, row, col, size)
    table = numbers_table(plane[row : row + size, col : col + size], row, col)
    return (
        '<div style="display:flex;gap:24px;align-items:flex-start">'
        f"<div><b>{image}</b>, array shape {img.shape}<br>{picture}</div>"
        f"<div><b>{channel} values</b>, {where}<br>{table}</div></div>"
    )


def _limits(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The window stays inside the image; a gray image has no channel to pick."""
    img = explorer_images()[values["image"]]
    height, width = img.shape[:2]
    biggest = min(12, height, width)
    size = min(values["size"], biggest)
    return {
        "channel": {"disabled": img.ndim == 2},
        "size": {"max": biggest},
        "row": {"max": height - size},
        "col": {"max": width - size},
    }


def pixel_explorer() -> Explorer:
    """Chapter 1: pick an image and a channel, move a window, read the pixel values.

    Controls: ``image``, ``channel``, ``size`` (of the window), ``row`` and ``col`` (its
    top-left pixel). The output is :func:`pixels_html`.
    """
    controls = {
        "image": w.Dropdown(options=list(explorer_images()), description="image"),
        "channel": w.ToggleButtons(options=_CHANNELS, description="channel"),
        "size": w.IntSlider(value=8, min=2, max=12, description="window"),
        "row": w.IntSlider(value=0, min=0, max=100, description="row"),
        "col": w.IntSlider(value=0, min=0, max=100, description="column"),
    }

    def arrange(controls: dict[str, w.ValueWidget], output: w.HTML) -> w.Widget:
        first = w.HBox([controls["image"], controls["channel"]])
        second = w.HBox([controls["size"], controls["row"], controls["col"]])
        return w.VBox([first, second, output])

    return Explorer(
        controls,
        pixels_html,
        limits=_limits,
        arrange=arrange,
        grid={
            "image": list(explorer_images()),
            "channel": list(_CHANNELS),
            "size": [4, 8],
            # kept inside each image by the explorer's limits (the 8×8 digit: 0 to 8 - size)
            "row": [0, 96, 200, 419],
            "col": [0, 228, 400, 632],
        },
        source="cnnkit.book.ch01_images:pixel_explorer",
    )


# --------------------------------------------------------------------------- exercises
#: The generic shape mistakes, with an off-by-one hint for this chapter: the shared one
#: quotes the output-size formula of a convolution, which comes in chapters 2 and 3.
_SHAPE_MISTAKES = shape_mistakes(
    off_by_one="One size is off by one: read each size again, from the number of images "
    "and from the file's shape (H, W, C)."
)


def check_batch_shape(
    answer: Any,
    n_images: int,
    file_shape: Sequence[int],
    *,
    title: str = "shape of the batch (N, C, H, W)",
    reveal: bool = False,
) -> CheckResult:
    """Check the shape of a batch of ``n_images`` images read as ``file_shape`` (H, W, C)
    and converted to the book's layout: (N, C, H, W).

    Named mistakes: kept the file layout (N, H, W, C); left out the batch axis; a batch of
    one image (N = 1); and the generic ones of :func:`cnnkit.book.exercises.check_shape`
    (their off-by-one hint reworded for this chapter, which has no convolution yet).

    Examples
    --------
    >>> check_batch_shape((2, 3, 4, 5), 2, (4, 5, 3))
    ✓ Correct: shape of the batch (N, C, H, W)
    >>> check_batch_shape((2, 4, 5, 3), 2, (4, 5, 3)).mistake
    'file layout'
    """
    h, w_, c = (int(n) for n in file_shape)
    expected = (int(n_images), c, h, w_)
    mistakes = [
        Mistake(
            "file layout",
            "That is the file layout (N, H, W, C): the book puts the channels first, "
            "(N, C, H, W), as data.to_chw does for each image.",
            compute=lambda: (n_images, h, w_, c),
        ),
        Mistake(
            "left out the batch axis",
            "That is the shape of one image. Stacking the images adds an axis in front: "
            "how many images are in the batch?",
            compute=lambda: (c, h, w_),
        ),
    ]
    if n_images != 1:
        mistakes.append(
            Mistake(
                "a batch of one",
                "That is a batch of one image, like the photo's batch in this chapter. "
                "The first axis counts the images in the batch: how many are there here?",
                compute=lambda: (1, c, h, w_),
            )
        )
    case = Case(label=f"{n_images} images of file shape {tuple(file_shape)} (H, W, C)")
    return check_answer(
        answer,
        expected,
        mistakes + list(_SHAPE_MISTAKES),
        case,
        title,
        same_shape,
        same_shape,
        recompute=SHAPE_RECOMPUTE,
        reveal=reveal,
    )


def check_pixel_value(
    answer: Any,
    image: np.ndarray,
    row: int,
    col: int,
    channel: int,
    *,
    title: str = "pixel value",
    reveal: bool = False,
) -> CheckResult:
    """Check the value the reader read from ``image[row, col, channel]`` of an (H, W, C)
    image.

    Named mistakes (each only when it gives a different number): swapped row and
    column; read another channel (the hint names which one).

    Examples
    --------
    >>> img = np.arange(24).reshape(2, 4, 3)
    >>> check_pixel_value(img[1, 2, 1], img, 1, 2, 1)
    ✓ Correct: pixel value
    >>> check_pixel_value(img[1, 2, 0], img, 1, 2, 1).mistake
    'read the red channel'
    """
    image = np.asarray(image)
    names = ["red", "green", "blue"] if image.shape[-1] == 3 else None
    mistakes = []
    if col < image.shape[0] and row < image.shape[1]:
        mistakes.append(
            Mistake(
                "swapped row and column",
                "You swapped row and column: index image[row, column, channel], rows first.",
                compute=lambda: image[col, row, channel],
            )
        )
    for k in range(image.shape[-1]):
        if k == channel:
            continue
        name = names[k] if names else f"channel {k}"
        wanted = names[channel] if names else f"channel {channel}"
        mistakes.append(
            Mistake(
                f"read the {name} channel",
                f"That is the {name} value. The last index picks the channel: "
                f"{'0 red, 1 green, 2 blue' if names else 'count from 0'}; "
                f"you want {wanted}.",
                compute=lambda k=k: image[row, col, k],
            )
        )
    case = Case(label=f"image[{row}, {col}, {channel}]")
    recompute = (
        "Index the array yourself: image[row, column, channel], each counted from 0. "
        "Print it rather than reading it off a picture."
    )
    expected = image[row, col, channel]
    return check_answer(answer, expected, mistakes, case, title, recompute=recompute, reveal=reveal)


def check_nbytes(
    answer: Any, shape: Sequence[int], dtype: Any, *, title: str = "bytes", reveal: bool = False
) -> CheckResult:
    """Check the number of bytes an array of ``shape`` and ``dtype`` takes.

    Named mistakes: counted one byte per value (the uint8 size); used another common
    float size (float32 for float64 and back); left out the channels (axis -3, when the
    shape has one).

    Examples
    --------
    >>> check_nbytes(48, (2, 3), np.float64)
    ✓ Correct: bytes
    >>> check_nbytes(24, (2, 3), np.float64).mistake
    'float32 size'
    """
    dtype = np.dtype(dtype)
    n_values = int(np.prod(shape))
    expected = n_values * dtype.itemsize
    mistakes = [
        Mistake(
            "one byte per value",
            f"One byte per value is the uint8 size; {dtype.name} takes {dtype.itemsize} "
            "bytes per value.",
            compute=lambda: n_values,
        )
    ]
    other = {8: ("float32", 4), 4: ("float64", 8)}.get(dtype.itemsize)
    if other and dtype.kind == "f":
        mistakes.append(
            Mistake(
                f"{other[0]} size",
                f"{other[1]} bytes per value is the {other[0]} size; {dtype.name} takes "
                f"{dtype.itemsize}.",
                compute=lambda: n_values * other[1],
            )
        )
    if len(shape) >= 3:
        mistakes.append(
            Mistake(
                "left out the channels",
                f"You left out the channels: there are {shape[-3]} values per pixel.",
                compute=lambda: expected // shape[-3],
            )
        )
    case = Case(label=f"shape {tuple(shape)}, dtype {dtype.name}")
    recompute = (
        "Multiply the sizes of all the axes to count the values, then multiply by the "
        f"bytes per value of {dtype.name}."
    )
    return check_answer(answer, expected, mistakes, case, title, recompute=recompute, reveal=reveal)


def check_difference(
    fn: Callable[..., Any] | None, *, title: str = "difference(a, b)", reveal: bool = False
) -> CheckResult:
    """Check ``fn(a, b)``, the pixel-by-pixel difference a − b of two uint8 images as real
    (signed) numbers.

    Named mistakes: the result wrapped around modulo 256 (uint8 arithmetic); returned
    the absolute difference; returned b − a.

    Examples
    --------
    >>> check_difference(lambda a, b: a.astype(float) - b)
    ✓ Correct: difference(a, b) (all 3 cases pass)
    >>> check_difference(lambda a, b: a - b).mistake
    'uint8 wrap-around'
    """
    rng = np.random.default_rng(7)
    dark = np.array([[10, 200, 0], [255, 30, 128]], dtype=np.uint8)
    bright = np.array([[20, 100, 255], [0, 30, 129]], dtype=np.uint8)
    cases = [
        Case(
            (dark, bright),
            label="a = [[10, 200, 0], [255, 30, 128]], b = [[20, 100, 255], [0, 30, 129]] (uint8)",
        ),
        Case(
            (
                rng.integers(0, 256, (5, 7), dtype=np.uint8),
                rng.integers(0, 256, (5, 7), dtype=np.uint8),
            ),
            label="two random 5×7 uint8 images",
        ),
        Case(
            (
                rng.integers(0, 256, (4, 6, 3), dtype=np.uint8),
                rng.integers(0, 256, (4, 6, 3), dtype=np.uint8),
            ),
            label="two random 4×6 RGB uint8 images (H, W, 3)",
        ),
    ]

    def reference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a.astype(np.float64) - b.astype(np.float64)

    mistakes = [
        Mistake(
            "uint8 wrap-around",
            "The result wrapped around modulo 256: uint8 arithmetic keeps the uint8 type. "
            "Convert a and b to float (or a signed integer type) before subtracting.",
            compute=lambda a, b: a - b,
        ),
        Mistake(
            "absolute difference",
            "You returned |a − b|: keep the sign, a pixel darker in a than in b gives a "
            "negative number.",
            compute=lambda a, b: np.abs(reference(a, b)),
        ),
        Mistake(
            "b − a",
            "You computed b − a; the exercise asks for a − b.",
            compute=lambda a, b: reference(b, a),
        ),
    ]
    return check_function(
        fn, reference, cases, mistakes, title=title, signature="difference(a, b)", reveal=reveal
    )


#: The options of the "why 44?" question, as the notebook lists them.
WRAP_OPTIONS = {
    "a": "NumPy clips the sum at 255, the largest value a uint8 can hold.",
    "b": "The true sum does not fit in one byte, so NumPy keeps only its remainder "
    "after division by 256.",
    "c": "Because 100 is a Python int, NumPy computes the sum in int64, and the result "
    "gets garbled when it is converted back to uint8 for printing.",
    "d": "No computer can store a number above 255 in one pixel, so NumPy approximates the sum.",
}
_WRAP_WHY = {
    "a": "Clipping (saturating) is what image editors and OpenCV's cv2.add do, and it "
    "would give 255, not a small number. NumPy's uint8 arithmetic does not clip.",
    "b": "A uint8 is one byte and holds 0 to 255. The sum 300 needs a ninth bit; NumPy "
    "keeps the lowest 8 bits, which is 300 − 256: the sum wraps around modulo 256, "
    "with no warning on arrays.",
    "c": "Since NumPy 2 (NEP 50) a Python int takes the dtype of the array: the sum is "
    "computed in uint8 and its dtype is uint8 (look at .dtype). Printing converts "
    "nothing, and in int64 the sum would have come out exact.",
    "d": "The limit belongs to the dtype, not to the computer: int16, int64 and float64 "
    "hold this sum exactly. Convert first (a.astype(np.float64) + 100) and nothing is "
    "lost.",
}


def check_wrap_explained(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Multiple choice: why does ``np.array([200], dtype=np.uint8) + 100`` give 44?

    The options are :data:`WRAP_OPTIONS`; each wrong one is a misconception (saturation,
    a conversion to int64, a hardware limit) with its own explanation. The right option
    is never shown unless the reader asks with ``reveal=True``.

    Examples
    --------
    >>> check_wrap_explained("a").hint.startswith("Clipping")
    True
    """
    return check_choice(
        answer, WRAP_OPTIONS, "b", _WRAP_WHY, title="why uint8 200 + 100 is not 300", reveal=reveal
    )


#: Exercise 1.6: the expressions whose dtype the reader predicts, in the notebook's
#: order, each applied to the uint8 photo.
DTYPE_EXPRESSIONS = {
    "a": "photo + 60",
    "b": "photo * 0.5",
    "c": "photo - photo[::-1]",
    "d": "photo.astype(np.float32) / 255",
}


def _dtype_results(image: np.ndarray) -> list[str]:
    """The dtype names of :data:`DTYPE_EXPRESSIONS` on ``image``, computed by NumPy."""
    results = [image + 60, image * 0.5, image - image[::-1], image.astype(np.float32) / 255]
    return [r.dtype.name for r in results]


def _dtype_names(answer: Any) -> list[str] | None:
    """The reader's answer as dtype names ("uint8", np.uint8 and np.dtype("uint8") alike)."""
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        return None
    try:
        return [np.dtype(a).name for a in answer]
    except TypeError:
        return None


def _same_dtypes(got: Any, expected: Any) -> bool:
    return _dtype_names(got) == list(expected)


def check_dtypes(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 1.6 (predict): the dtypes of the four :data:`DTYPE_EXPRESSIONS` on a uint8
    image, as a list such as ``["uint8", "float64", ...]`` (NumPy dtypes work too).

    The expected dtypes are computed by the installed NumPy (2.x, with the NEP 50
    promotion rules), not typed in. Named mistakes: a Python int taken as int64 (NumPy 1
    thinking); a Python float kept in uint8; a uint8 difference taken as signed; float32
    promoted to float64 by a Python int.

    Examples
    --------
    >>> check_dtypes(["uint8", "float64", "uint8", "float32"])
    ✓ Correct: dtypes of the four expressions
    >>> check_dtypes(["int64", "float64", "uint8", "float32"]).mistake
    'Python int taken as int64'
    """
    expected = _dtype_results(np.array([[200, 10], [30, 255]], dtype=np.uint8))

    def at(position: int, *names: str):
        def test(got: Any, expected: Any, case: Case) -> bool:
            got = _dtype_names(got)
            return got is not None and len(got) == 4 and got[position] in names

        return test

    mistakes = [
        Mistake(
            "Python int taken as int64",
            "(a): since NumPy 2 (NEP 50) a Python int such as 60 takes the array's dtype; "
            "it does not widen the result. Look at (photo + 60).dtype.",
            test=at(0, "int16", "int32", "int64", "uint16", "uint64"),
        ),
        Mistake(
            "float kept in uint8",
            "(b): a float operand makes the result a float; a uint8 array cannot hold 0.5 "
            "steps. Which float type does a Python float give?",
            test=at(1, "uint8", "float16", "float32"),
        ),
        Mistake(
            "uint8 difference taken as signed",
            "(c): both operands are uint8, so the result is uint8 too, negative differences "
            "included: they wrap around. NumPy does not switch to a signed type for you.",
            test=at(2, "int8", "int16", "int32", "int64", "float64"),
        ),
        Mistake(
            "float32 widened by a Python int",
            "(d): the array is float32 and 255 is a Python int, which takes the array's "
            "type: the result stays float32.",
            test=at(3, "float64", "uint8"),
        ),
    ]
    case = Case(label="the dtypes of (a), (b), (c), (d), for photo of dtype uint8")
    recompute = (
        "For each expression look at the two operands: uint8 with uint8 or with a small "
        "Python int stays uint8; a float operand gives a float. Then check with .dtype."
    )
    return check_answer(
        answer,
        expected,
        mistakes,
        case,
        "dtypes of the four expressions",
        _same_dtypes,
        _same_dtypes,
        recompute=recompute,
        reveal=reveal,
    )


def check_memory_factors(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 1.7 (scale): by what factors does the memory of an (N, C, H, W) batch grow
    (a) when N doubles and (b) when the resolution doubles (H and W both doubled)?
    Answer ``(factor_a, factor_b)``; the factors are computed from ``nbytes``.

    Named mistakes: doubling the resolution taken as doubling the pixels; doubling the
    batch taken as squaring; the two swapped.

    Examples
    --------
    >>> check_memory_factors((2, 4))
    ✓ Correct: memory factors
    >>> check_memory_factors((2, 2)).mistake
    'resolution counted once'
    """
    n, c, h, w_ = 4, 3, 8, 8
    base = np.zeros((n, c, h, w_), dtype=np.float32).nbytes
    batch = np.zeros((2 * n, c, h, w_), dtype=np.float32).nbytes // base
    resolution = np.zeros((n, c, 2 * h, 2 * w_), dtype=np.float32).nbytes // base

    mistakes = [
        Mistake(
            "swapped",
            "You swapped the two: (a) is the batch doubling, (b) the resolution.",
            compute=lambda: (resolution, batch),
        ),
        Mistake(
            "resolution counted once",
            "(b): doubling the resolution doubles the height *and* the width, and the "
            "number of pixels is their product.",
            test=element_is(1, 2),
        ),
        Mistake(
            "batch counted twice",
            "(a): the batch is one axis, N; the memory is proportional to it.",
            test=element_is(0, 4),
        ),
    ]
    case = Case(label="(N, C, H, W) float32: (a) N doubled, (b) H and W doubled")
    recompute = (
        "The bytes are N × C × H × W × (bytes per value): see which factors of that "
        "product each change multiplies by 2."
    )
    return check_answer(
        answer,
        (batch, resolution),
        mistakes,
        case,
        "memory factors",
        recompute=recompute,
        reveal=reveal,
    )
