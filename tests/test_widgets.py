"""The explorer of chapter 1 and the Binder note (cnnkit.widgets)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from pathlib import Path

import numpy as np
import pytest

from cnnkit import widgets


def _controls(box):
    top, middle, _panels = box.children
    image, channel = top.children
    size, row, col = middle.children
    return image, channel, size, row, col


def test_binder_url_comes_from_the_config(tmp_path: Path):
    config = tmp_path / "_config.yml"
    config.write_text(
        "repository:\n  url: https://github.com/someone/some-book/\n  branch: dev\n"
        "launch_buttons:\n  binderhub_url: https://binder.example.org\n"
    )
    url = widgets.binder_url("02_convolution.ipynb", config=config)
    assert url == (
        "https://binder.example.org/v2/gh/someone/some-book/dev"
        "?urlpath=lab/tree/notebooks/02_convolution.ipynb"
    )


def test_binder_url_of_this_repository_and_the_note(monkeypatch):
    monkeypatch.chdir(Path(__file__).parent)  # found by walking up to the repository root
    note = widgets.live_note("01_images.ipynb")._repr_html_()
    assert "mybinder.org/v2/gh/" in note and "notebooks/01_images.ipynb" in note
    assert "Live explorer" in note


def test_binder_url_without_a_config_says_where_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no _config.yml"):
        widgets.binder_url("01_images.ipynb")


def test_pixel_explorer_redraws_the_chosen_window_and_channel(monkeypatch):
    drawn = []
    real_view = widgets._pixel_view

    def spy(img, plane, channel, r, c, s):
        drawn.append((channel, r, c, s, plane[r : r + s, c : c + s].copy()))
        return real_view(img, plane, channel, r, c, s)

    monkeypatch.setattr(widgets, "_pixel_view", spy)
    box = widgets.pixel_explorer()
    image, channel, size, row, col = _controls(box)
    assert image.value.startswith("photo: china")
    size.value = 4
    row.value, col.value = 100, 170
    channel.value = "green"
    name, r, c, s, numbers = drawn[-1]
    assert (name, r, c, s) == ("green", 100, 170, 4)
    photo = widgets.sample_image("china")
    np.testing.assert_array_equal(numbers, photo[100:104, 170:174, 1])
    picture = box.children[2].children[0].children[1]
    assert picture.value[:8] == b"\x89PNG\r\n\x1a\n"  # the preview is a PNG


def test_pixel_view_writes_the_window_numbers_and_outlines_the_window():
    photo = widgets.sample_image("china")
    png, table = widgets._pixel_view(photo, photo[..., 0], "red", 100, 170, 3)
    for value in photo[100:103, 170:173, 0].ravel():
        assert f">{value}</td>" in table
    assert "rows 100–102, columns 170–172" in table
    assert "<th>170</th>" in table and "<th>102</th>" in table

    from io import BytesIO

    from PIL import Image

    preview = np.asarray(Image.open(BytesIO(png)).convert("RGB"))
    assert preview.shape[1] <= 360  # a preview, not the full photo
    vermillion = np.all(preview == [0xD5, 0x5E, 0x00], axis=-1)
    rows, cols = np.nonzero(vermillion)
    scale = preview.shape[1] / photo.shape[1]
    assert abs(rows.mean() - 101.5 * scale) < 3 and abs(cols.mean() - 171.5 * scale) < 3


def test_pixel_view_enlarges_the_small_digit():
    digit = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    png, table = widgets._pixel_view(digit, digit, "gray", 0, 0, 8)
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(png)).size[0] >= 8 * 40  # crisp squares, not 8 pixels wide
    assert table.count("<td") == 64


def test_pixel_explorer_limits_the_sliders_to_the_image():
    box = widgets.pixel_explorer()
    image, channel, size, row, col = _controls(box)
    image.value = "handwritten digit (gray)"
    assert channel.disabled  # a gray image has one channel
    assert size.max <= 8 and row.max == 8 - size.value and col.max == 8 - size.value
    image.value = "photo: flower (RGB)"
    assert not channel.disabled and row.max == 427 - size.value and col.max == 640 - size.value
    assert np.isfinite(row.max)
