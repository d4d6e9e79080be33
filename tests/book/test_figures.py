"""The figure helpers that several chapters share (cnnkit.book.figures)."""

from __future__ import annotations

import base64
import re
from io import BytesIO

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from PIL import Image

from cnnkit.book import figures


def test_show_matrix_writes_every_number_with_a_readable_colour():
    m = np.array([[0, 255], [128, 64]])
    ax = figures.show_matrix(m, vmin=0, vmax=255, cmap="gray")
    texts = {t.get_text(): t.get_color() for t in ax.texts}
    assert set(texts) == {"0", "255", "128", "64"}
    assert texts["0"] == "white"  # white text on a black cell
    assert texts["255"] == "black"  # black text on a white cell


def test_show_matrix_keeps_the_image_coordinates_of_a_patch():
    ax = figures.show_matrix(np.zeros((3, 3)), origin=(100, 170))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["100", "101", "102"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["170", "171", "172"]


def test_show_matrix_rejects_a_volume():
    with pytest.raises(
        ValueError, match=r"show_matrix: matrix must be 2-D \(H, W\); got shape \(2, 3, 3\)"
    ):
        figures.show_matrix(np.zeros((2, 3, 3)))


def test_show_image_draws_uint8_on_the_fixed_0_to_255_scale():
    ax = figures.show_image(np.full((4, 4), 10, dtype=np.uint8))
    assert ax.images[0].get_clim() == (0, 255)
    assert not ax.get_xticks().size and not ax.get_yticks().size


def test_mark_window_outlines_the_cells():
    ax = figures.show_matrix(np.zeros((5, 5)))
    rect = figures.mark_window(ax, 1, 2, 3, 2)
    assert rect.get_xy() == (1.5, 0.5) and rect.get_width() == 2 and rect.get_height() == 3


def test_show_feature_maps_makes_one_panel_per_map_and_centres_signed_maps():
    maps = np.stack([np.full((3, 3), -2.0), np.arange(9.0).reshape(3, 3)])
    fig = figures.show_feature_maps(maps, titles=["a", "b"], ncols=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 2
    assert drawn[0].images[0].get_clim() == (-2.0, 2.0)
    assert drawn[1].images[0].get_clim() == (-8.0, 8.0)
    with pytest.raises(ValueError, match="maps is empty"):
        figures.show_feature_maps([])


def test_animation_html_is_offline_and_stable():
    fig, ax = plt.subplots(figsize=(2, 2))
    image = ax.imshow(np.zeros((3, 3)), vmin=0, vmax=8)

    def frame(k):
        data = np.zeros((3, 3))
        data.flat[k] = 8
        image.set_data(data)
        return (image,)

    page = figures.animation_html(FuncAnimation(fig, frame, frames=4), alt='a "dot" <moves>')
    assert "http://" not in page and "https://" not in page
    assert "font-awesome" not in page and '<i class="fa' not in page
    assert "▶" in page and 'title="Play"' in page
    assert len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', page)) == 4
    assert not re.search(r"[0-9a-f]{32}", page)
    assert 'alt="a &quot;dot&quot; &lt;moves&gt;"' in page


# --------------------------------------------------------------------------- pictures for HTML
def test_fit_width_enlarges_small_maps_into_crisp_squares():
    view, scale = figures.fit_width(np.arange(9.0).reshape(3, 3), 320)
    assert view.shape == (318, 318) and scale == 106
    assert view[0, 0] == 0 and view[-1, -1] == 8 and view[105, 105] == 0 and view[106, 106] == 4


def test_fit_width_shrinks_wide_images_by_averaging_or_by_stepping():
    photo = np.arange(425 * 638, dtype=float).reshape(425, 638)
    mean, scale = figures.fit_width(photo, 320)
    assert 160 < mean.shape[1] <= 320 and scale == 0.5
    assert mean[0, 0] == photo[:2, :2].mean()
    rgb = np.zeros((427, 640, 3), dtype=np.uint8)
    step, scale = figures.fit_width(rgb, 360, shrink="step")
    assert step.shape == (214, 320, 3) and step.dtype == np.uint8 and scale == 0.5


def _decoded(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def test_grey_and_signed_pngs_map_values_to_colours():
    grey = _decoded(figures.png_data_uri(figures.grey_png(np.array([[0.0, 0.5, 2.0]]), 0, 1)))
    assert grey.tolist() == [[0, 128, 255]]
    signed = _decoded(figures.png_data_uri(figures.signed_png(np.array([[-3.0, 0.0, 3.0]]), 3)))
    assert signed.shape == (1, 3, 3)
    assert (signed[0, 1] > 240).all()  # white at 0
    assert not np.array_equal(signed[0, 0], signed[0, 2])  # two hues for the two signs


def test_img_tag_embeds_the_png_with_escaped_alt_text():
    tag = figures.img_tag(figures.png_bytes(np.zeros((2, 2), np.uint8)), 'a "b"', "width:9px")
    assert tag.startswith('<img src="data:image/png;base64,')
    assert 'alt="a &quot;b&quot;"' in tag and 'style="width:9px"' in tag


def test_svg_has_a_title_in_words():
    drawing = figures.svg(10, 20, "a <b> c", "<g/>")
    assert drawing.startswith("<svg") and drawing.endswith("<g/></svg>")
    assert 'width="10" height="20"' in drawing and 'role="img"' in drawing
    assert "<title>a &lt;b&gt; c</title>" in drawing
