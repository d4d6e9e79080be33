"""Chapter 3's drawings of the positions a window visits (cnnkit.plotting)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle

from cnnkit import plotting
from cnnkit.conventions import tf_same_padding
from cnnkit.shapes import output_size


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ window_positions
def test_the_invalid_setting_never_visits_the_last_row():
    pos = plotting.window_positions(10, 3, stride=2, mode="floor")
    assert pos.starts == (0, 2, 4, 6)
    assert (pos.before, pos.after) == (0, 0)
    assert pos.coverage.tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 1, 0]


def test_strict_mode_raises_the_output_size_error():
    with pytest.raises(ValueError, match=r"= 4\.5 is not a whole number"):
        plotting.window_positions(10, 3, stride=2)


def test_ceil_mode_adds_the_zeros_that_complete_the_last_window():
    pos = plotting.window_positions(10, 3, stride=2, mode="ceil")
    assert pos.starts == (0, 2, 4, 6, 8)
    assert pos.after == 1  # window 8..10 needs one zero after the input
    assert pos.coverage.min() == 1


def test_uneven_padding_tf_same():
    before, after = tf_same_padding(10, 3, 2)
    pos = plotting.window_positions(10, 3, stride=2, padding=(before, after))
    assert (pos.before, pos.after) == (0, 1)
    assert len(pos.starts) == 5
    assert pos.coverage.min() == 1


@pytest.mark.parametrize(
    ("n", "f", "s", "p"), [(5, 3, 1, 0), (5, 3, 1, 1), (5, 3, 1, 2), (7, 3, 2, 1), (13, 4, 3, 0)]
)
def test_counts_agree_with_output_size_and_coverage_sums_to_the_work(n, f, s, p):
    pos = plotting.window_positions(n, f, s, p)
    count = output_size(n, f, s, p)
    assert len(pos.starts) == count
    assert pos.starts[-1] + f <= n + 2 * p
    # every window covers f cells, some of them zeros: the input cells get the rest
    zeros_seen = sum(max(0, p - t) + max(0, t + f - (n + p)) for t in pos.starts)
    assert pos.coverage.sum() == count * f - zeros_seen


def test_a_stride_larger_than_the_window_skips_cells_in_the_middle():
    pos = plotting.window_positions(7, 1, stride=3)
    assert pos.coverage.tolist() == [1, 0, 0, 1, 0, 0, 1]


@pytest.mark.parametrize("padding", [(1,), (1, 2, 3), (-1, 0)])
def test_bad_uneven_padding(padding):
    with pytest.raises(ValueError, match="window_positions: padding"):
        plotting.window_positions(5, 3, padding=padding)


# ------------------------------------------------------------------ matplotlib drawings
def _hatched(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]


def test_show_window_positions_hatches_the_cells_never_visited():
    ax = plotting.show_window_positions(10, 3, stride=2, mode="floor", legend=True)
    below = plotting.show_window_positions(10, 3, stride=2, mode="floor", legend="below")
    assert below.get_legend() is not None
    # row 9 and column 9 of a 10x10 input: 10 + 10 - 1 cells
    assert len(_hatched(ax)) == 19
    assert "4×4 positions" in ax.get_title()
    (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    dots = scatter.get_offsets()
    assert len(dots) == 16
    assert ax.get_legend() is not None


def test_show_window_positions_writes_the_zeros_of_small_paddings():
    ax = plotting.show_window_positions(5, 3, padding=1)
    assert sum(t.get_text() == "0" for t in ax.texts) == 7 * 7 - 5 * 5
    assert not _hatched(ax)
    big = plotting.show_window_positions(20, 3, padding=1)
    assert not big.texts  # too many cells: no numbers


def test_show_window_positions_1d_draws_one_bar_per_output():
    ax = plotting.show_window_positions_1d(7, 3, stride=2, padding=1)
    bars = [p for p in ax.patches if p.get_y() > 0.5]
    assert [round(b.get_x() + 0.5) for b in bars] == [0, 2, 4, 6]
    assert all(b.get_width() == 3 for b in bars)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["padded input", "output 0", "output 1", "output 2", "output 3"]


def test_show_window_positions_1d_hatches_a_missed_cell():
    ax = plotting.show_window_positions_1d(10, 3, stride=2, mode="floor")
    assert len(_hatched(ax)) == 1
    assert _hatched(ax)[0].get_x() == pytest.approx(8.5)


# ------------------------------------------------------------------ SVG
def test_svg_matches_the_positions():
    svg = plotting.window_positions_svg(10, 3, stride=2, mode="floor")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 16
    assert "1 rows and columns of the input are never visited" in svg
    # one hatched row and one hatched column
    assert svg.count('fill="url(#cnnkit-hatch)"') == 2
    assert len(re.findall(r"<title>[^<]+</title>", svg)) == 1


def test_svg_writes_zeros_only_on_small_grids():
    small = plotting.window_positions_svg(5, 3, padding=1)
    assert small.count(">0</text>") == 7 * 7 - 5 * 5
    large = plotting.window_positions_svg(20, 3, padding=1)
    assert ">0</text>" not in large
    assert large.count("<circle") == 20 * 20


def test_svg_stays_small():
    svg = plotting.window_positions_svg(32, 11, stride=1, padding=5, max_size=380)
    side = int(re.search(r'width="(\d+)"', svg).group(1))
    assert side <= 380 + 8
    assert np.isclose(side, int(re.search(r'height="(\d+)"', svg).group(1)))
