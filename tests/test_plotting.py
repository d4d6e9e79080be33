"""The book's shared figure helpers (cnnkit.plotting)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

from cnnkit import plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_set_style_uses_the_colour_blind_safe_cycle():
    plotting.set_style()
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.upper() for c in colours] == [c.upper() for c in plotting.OKABE_ITO.values()]


def test_show_matrix_writes_every_number_with_a_readable_colour():
    m = np.array([[0, 255], [128, 64]])
    ax = plotting.show_matrix(m, vmin=0, vmax=255, cmap="gray")
    texts = {t.get_text(): t.get_color() for t in ax.texts}
    assert set(texts) == {"0", "255", "128", "64"}
    assert texts["0"] == "white"  # white text on a black cell
    assert texts["255"] == "black"  # black text on a white cell


def test_show_matrix_keeps_the_image_coordinates_of_a_patch():
    ax = plotting.show_matrix(np.zeros((3, 3)), origin=(100, 170))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["100", "101", "102"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["170", "171", "172"]


def test_show_matrix_rejects_a_volume():
    with pytest.raises(
        ValueError, match=r"show_matrix: matrix must be 2-D \(H, W\); got shape \(2, 3, 3\)"
    ):
        plotting.show_matrix(np.zeros((2, 3, 3)))


def test_show_image_draws_uint8_on_the_fixed_0_to_255_scale():
    ax = plotting.show_image(np.full((4, 4), 10, dtype=np.uint8))
    assert ax.images[0].get_clim() == (0, 255)


def test_mark_window_outlines_the_cells():
    ax = plotting.show_matrix(np.zeros((5, 5)))
    rect = plotting.mark_window(ax, 1, 2, 3, 2)
    assert rect.get_xy() == (1.5, 0.5) and rect.get_width() == 2 and rect.get_height() == 3


def test_show_feature_maps_makes_one_panel_per_map_and_centres_signed_maps():
    maps = np.stack([np.full((3, 3), -2.0), np.arange(9.0).reshape(3, 3)])
    fig = plotting.show_feature_maps(maps, titles=["a", "b"], ncols=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 2
    assert drawn[0].images[0].get_clim() == (-2.0, 2.0)
    assert drawn[1].images[0].get_clim() == (-8.0, 8.0)
    with pytest.raises(ValueError, match="maps is empty"):
        plotting.show_feature_maps([])


def test_animation_html_is_offline_and_stable():
    fig, ax = plt.subplots(figsize=(2, 2))
    image = ax.imshow(np.zeros((3, 3)), vmin=0, vmax=8)

    def frame(k):
        data = np.zeros((3, 3))
        data.flat[k] = 8
        image.set_data(data)
        return (image,)

    html = plotting.animation_html(FuncAnimation(fig, frame, frames=4))
    assert "http://" not in html and "https://" not in html
    assert "font-awesome" not in html and '<i class="fa' not in html
    assert "▶" in html and 'title="Play"' in html
    assert html.count("data:image/png;base64") == 4 or html.count("frames[") >= 4
    assert not __import__("re").search(r"[0-9a-f]{32}", html)


def test_draw_lenet_labels_both_halves():
    ax = plotting.draw_lenet()
    labels = " ".join(t.get_text() for t in ax.texts)
    for part in [
        "INPUT",
        "6@28×28",
        "16@5×5",
        "C5: 120",
        "F6: 84",
        "feature learning",
        "classification",
    ]:
        assert part in labels
