"""Chapter 1 (cnnkit.book.ch01_images): the pixel explorer and the exercise checks."""

from __future__ import annotations

import base64
import re
from io import BytesIO

import numpy as np
from book_checks import (
    assert_held_back,
    assert_multiple_choice,
    assert_named,
    assert_notebook_lists,
    notebook_text,
)
from PIL import Image

from cnnkit.book import ch01_images as ch1
from cnnkit.data import sample_image


def _pictures(page: str) -> list[np.ndarray]:
    """The pictures (PNG or JPEG) embedded in an explorer's HTML, as RGB arrays."""
    found = re.findall(r'src="data:image/(?:png|jpeg);base64,([^"]+)"', page)
    return [np.asarray(Image.open(BytesIO(base64.b64decode(b))).convert("RGB")) for b in found]


def _table(page: str) -> np.ndarray:
    rows = re.findall(r"<tr><th>\d+</th>(.*?)</tr>", page)
    return np.array([[int(v) for v in re.findall(r">(\d+)</td>", row)] for row in rows])


def test_the_explorer_shows_the_chosen_window_and_channel():
    explorer = ch1.pixel_explorer()
    assert explorer.values["image"].startswith("photo: china")
    page = explorer.set(size=4, row=100, col=170, channel="green")
    photo = sample_image("china")
    np.testing.assert_array_equal(_table(page), photo[100:104, 170:174, 1])
    assert "<b>green values</b>, rows 100–103, columns 170–173" in page
    assert "array shape (427, 640, 3)" in page
    (preview,) = _pictures(page)
    assert preview.shape[1] <= 360  # a preview, not the full photo
    # the window is a vermillion box drawn over the picture, at the window's place
    box = re.search(
        r"left:(\d+)px;top:(\d+)px;width:(\d+)px;height:(\d+)px;border:2px solid #D55E00", page
    )
    left, top, width, height = (int(v) for v in box.groups())
    scale = preview.shape[1] / photo.shape[1]
    assert abs(left + 2 - 170 * scale) <= 1 and abs(top + 2 - 100 * scale) <= 1
    assert abs(width - 4 - 4 * scale) <= 1 and abs(height - 4 - 4 * scale) <= 1  # + the border


def test_the_picture_is_the_same_for_every_window():
    pages = [ch1.pixels_html("photo: china (RGB)", "red", 4, r, c) for r, c in [(0, 0), (99, 300)]]
    assert len({tuple(re.findall(r'src="([^"]+)"', page)) for page in pages}) == 1


def test_the_table_headers_are_the_image_coordinates():
    page = ch1.pixels_html("photo: china (RGB)", "red", 3, 100, 170)
    assert "<th>170</th>" in page and "<th>102</th>" in page
    assert _table(page).shape == (3, 3)


def test_the_gray_channel_of_a_photo_is_its_luminance():
    from cnnkit.data import to_grayscale

    page = ch1.pixels_html("photo: flower (RGB)", "gray", 2, 10, 20)
    gray = to_grayscale(sample_image("flower"))[10:12, 20:22]
    np.testing.assert_array_equal(_table(page), np.round(gray).astype(int))


def test_the_small_digit_is_enlarged_into_crisp_squares():
    page = ch1.pixels_html("handwritten digit (gray)", "red", 8, 0, 0)
    (preview,) = _pictures(page)
    assert preview.shape[1] >= 8 * 40  # crisp squares, not 8 pixels wide
    assert page.count("<td") == 64
    assert "<b>gray values</b>" in page  # a gray image has no red channel


def test_the_sliders_stay_inside_the_image():
    explorer = ch1.pixel_explorer()
    c = explorer.controls
    explorer.set(size=12, row=400)
    explorer.set(image="handwritten digit (gray)")
    assert c["channel"].disabled  # a gray image has one channel
    assert c["size"].max == 8 and explorer.values["size"] == 8
    assert c["row"].max == 0 and c["col"].max == 0 and explorer.values["row"] == 0
    explorer.set(image="photo: flower (RGB)", size=5)
    assert not c["channel"].disabled
    assert c["row"].max == 427 - 5 and c["col"].max == 640 - 5


# --------------------------------------------------------------------------- exercises
def test_check_pixel_value_names_swapped_axes_and_wrong_channels():
    img = np.arange(4 * 5 * 3).reshape(4, 5, 3)
    assert ch1.check_pixel_value(img[3, 1, 1], img, 3, 1, 1)
    assert ch1.check_pixel_value(img[1, 3, 1], img, 3, 1, 1).mistake == "swapped row and column"
    assert ch1.check_pixel_value(img[3, 1, 2], img, 3, 1, 1).mistake == "read the blue channel"
    miss = ch1.check_pixel_value(img[3, 1, 0], img, 3, 1, 1)
    assert miss.mistake == "read the red channel" and "you want green" in miss.hint
    assert not ch1.check_pixel_value(None, img, 3, 1, 1).attempted


def test_check_nbytes_names_the_dtype_and_channel_mistakes():
    shape = (1, 3, 4, 5)
    assert ch1.check_nbytes(480, shape, np.float64)
    assert ch1.check_nbytes(60, shape, np.float64).mistake == "one byte per value"
    assert ch1.check_nbytes(240, shape, np.float64).mistake == "float32 size"
    assert ch1.check_nbytes(160, shape, np.float64).mistake == "left out the channels"
    assert ch1.check_nbytes(480, shape, np.float32).mistake == "float64 size"


def test_check_difference_detects_wraparound_sign_and_order():
    assert ch1.check_difference(lambda a, b: a.astype(np.int16) - b)
    assert ch1.check_difference(lambda a, b: a - b).mistake == "uint8 wrap-around"
    absolute = ch1.check_difference(lambda a, b: np.abs(a.astype(float) - b))
    assert absolute.mistake == "absolute difference"
    assert ch1.check_difference(lambda a, b: b.astype(float) - a).mistake == "b − a"
    assert not ch1.check_difference(lambda a, b: None).attempted
    crashed = ch1.check_difference(lambda a, b: a.astype(float) - b.T)
    assert not crashed and "raised ValueError" in str(crashed.got)


def test_a_wrong_answer_keeps_the_answer_back_until_asked():
    photo = sample_image("china")
    batch_shape, dtype = (1, 3, *photo.shape[:2]), np.float64
    one_byte = ch1.check_nbytes(int(np.prod(batch_shape)), batch_shape, dtype)
    assert one_byte.mistake == "one byte per value"
    assert_held_back(one_byte)
    assert_held_back(ch1.check_nbytes(12345, batch_shape, dtype))  # what to recompute
    asked = ch1.check_nbytes(12345, batch_shape, dtype, reveal=True)
    assert f"{int(np.prod(batch_shape)) * 8}" in repr(asked)
    wrapped = ch1.check_difference(lambda a, b: a - b)
    assert wrapped.mistake == "uint8 wrap-around"
    assert_held_back(wrapped)
    assert "Expected" in repr(ch1.check_difference(lambda a, b: a - b, reveal=True))


def test_why_uint8_wraps_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch1.check_wrap_explained, ch1.WRAP_OPTIONS, ch1._WRAP_WHY)
    assert_notebook_lists("notebooks/01_images.ipynb", ch1.WRAP_OPTIONS)


def test_the_dtypes_follow_numpy_2_promotion():
    import numpy

    assert int(numpy.__version__.split(".")[0]) >= 2  # the chapter's claims are NEP 50's
    right = ["uint8", "float64", "uint8", "float32"]
    assert ch1.check_dtypes(right)
    assert ch1.check_dtypes([np.uint8, np.float64, np.dtype("uint8"), np.float32])
    for wrong, mistake, word in [
        (["int64", *right[1:]], "Python int taken as int64", "NEP 50"),
        (["uint8", "uint8", "uint8", "float32"], "float kept in uint8", "float"),
        (["uint8", "float64", "int16", "float32"], "uint8 difference taken as signed", "wrap"),
        (["uint8", "float64", "uint8", "float64"], "float32 widened by a Python int", "float32"),
    ]:
        assert_named(ch1.check_dtypes(wrong), mistake, word)
    assert not ch1.check_dtypes("uint8") and not ch1.check_dtypes(["uint8"])
    assert not ch1.check_dtypes(["pixels"] * 4)


def test_the_memory_factors_of_a_batch():
    assert ch1.check_memory_factors((2, 4))
    assert_named(ch1.check_memory_factors((4, 2)), "swapped", "swapped")
    assert_named(ch1.check_memory_factors((2, 2)), "resolution counted once", "width")
    assert_named(ch1.check_memory_factors((4, 4)), "batch counted twice", "one axis")
    assert ch1.check_memory_factors((8, 8)).mistake is None
    assert not ch1.check_memory_factors("twice")


def test_the_dtype_question_is_listed_in_the_notebook():
    text = notebook_text("notebooks/01_images.ipynb")
    for letter, expression in ch1.DTYPE_EXPRESSIONS.items():
        shown = " ".join(expression.replace("*", "").split())  # as notebook_text has it
        assert f"({letter}) {shown}" in text


def test_check_batch_shape_names_a_batch_of_one_and_quotes_no_formula():
    file_shape = (427, 640, 3)
    assert ch1.check_batch_shape((2, 3, 427, 640), n_images=2, file_shape=file_shape)
    one = ch1.check_batch_shape((1, 3, 427, 640), n_images=2, file_shape=file_shape)
    assert_named(one, "a batch of one", "how many")
    assert_held_back(one)
    # chapter 1 has no convolution yet: its off-by-one hint quotes no stride or padding
    off = ch1.check_batch_shape((2, 3, 428, 640), n_images=2, file_shape=file_shape)
    assert_named(off, "off by one", "file's shape")
    assert "2P" not in off.hint and "/S" not in off.hint
    # with one image in the batch, N = 1 is the right answer, not a mistake
    assert ch1.check_batch_shape((1, 3, 427, 640), n_images=1, file_shape=file_shape)
