"""Chapter 5 (cnnkit.book.ch05_pooling): the pooled maps, the transformations of the
shift/rotation/zoom experiment, the pooling explorer and the exercise checks."""

from __future__ import annotations

import numpy as np
import pytest
from book_checks import (
    assert_held_back,
    assert_multiple_choice,
    assert_named,
    assert_notebook_lists,
    assert_web_states_render,
    not_attempted,
)

from cnnkit.book import ch05_pooling as ch5
from cnnkit.book.explorer import InvalidSetting
from cnnkit.pooling import max_pool2d


# --------------------------------------------------------------------------- the ideas
def test_feature_map_is_the_rectified_edge_map():
    m = ch5.feature_map()
    assert m.shape == (425, 638)
    assert m.min() == 0 and m.max() > 0
    assert not m.flags.writeable


def test_rotate_by_90_is_rot90_and_by_0_is_the_identity():
    x = np.random.default_rng(0).random((9, 9))
    np.testing.assert_array_equal(ch5.rotate(x, 90), np.rot90(x))
    np.testing.assert_array_equal(ch5.rotate(x, 0), x)
    np.testing.assert_array_equal(ch5.rotate(x, 180), np.rot90(x, 2))


def test_zoom_enlarges_about_the_centre():
    x = np.arange(49.0).reshape(7, 7)
    np.testing.assert_array_equal(ch5.zoom(x, 1.0), x)
    big = ch5.zoom(x, 2.0)
    assert big.shape == x.shape
    assert big[3, 3] == x[3, 3]  # the centre stays
    assert len(np.unique(big)) < len(np.unique(x))  # values are repeated


def test_shift_moves_right():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(ch5.shift(x, 1), [[2, 0, 1], [5, 3, 4]])


def test_pooled_change_is_zero_for_no_change_and_pooling_damps_a_small_shift():
    x = ch5.grey_square(120)
    assert ch5.pooled_change(x, lambda a: a)[:3] == (0.0, 0.0, 1.0)
    raw, pooled, same, zero = ch5.pooled_change(x, lambda a: ch5.shift(a, 1), size=4)
    assert pooled < raw and 0 < same < 1 and 0 <= zero <= same


def test_relative_change_leaves_out_the_margin():
    a, b = np.ones((6, 6)), np.ones((6, 6))
    a[0, 0] = 5
    assert ch5.relative_change(a, b) > 0
    assert ch5.relative_change(a, b, margin=1) == 0


# --------------------------------------------------------------------------- figures
def test_show_pooled_draws_the_input_and_three_pooled_maps():
    m = ch5.feature_map()
    fig = ch5.show_pooled(m, size=2, crop=(0, 0, 8))
    images = [ax.images[0].get_array() for ax in fig.axes[:4]]
    assert images[0].shape == (8, 8)
    np.testing.assert_array_equal(images[1], max_pool2d(m[:8, :8], 2))
    np.testing.assert_allclose(images[3], 4 * np.asarray(images[2]))
    for ax in fig.axes[:4]:
        assert ax.get_xlabel() and ax.get_ylabel()


# --------------------------------------------------------------------------- the explorer
@pytest.fixture(scope="module")
def explorer():
    return ch5.pooling_explorer()


def test_each_control_changes_the_output(explorer):
    start = explorer.render(pool="max", window=2, stride=2)
    for change in [{"pool": "average"}, {"window": 4}, {"stride": 1}]:
        assert explorer.render(**{"pool": "max", "window": 2, "stride": 2, **change}) != start
    labels = [c.description for c in explorer.controls.values()]
    assert labels == ["pooling", "window F", "stride S"]


def test_the_explorer_gives_the_shapes():
    page = ch5.pooling_html("max", 2, 2)
    assert "48×48 = 2,304 values in, 24×24 = 576 out (4× fewer)" in page
    assert "overlap" in ch5.pooling_html("sum", 3, 1)


def test_a_window_that_does_not_tile_shows_cnnkits_error(explorer):
    with pytest.raises(InvalidSetting, match="not a whole number"):
        ch5.pooling_html("max", 2, 3)
    page = explorer.render(pool="max", window=2, stride=3)
    assert "do not tile" in page and "mode=" in page


def test_an_unknown_pool_is_named():
    with pytest.raises(ValueError, match="pool must be one of"):
        ch5.pooling_html("median", 2, 2)


def test_the_web_form_has_every_state_and_stays_light(explorer):
    names, data = explorer.web_states()
    assert names == ["pool", "window", "stride"]
    assert len(data["states"]) == 3 * 3 * 4
    assert_web_states_render(explorer, ["0|0|0"])
    assert len(explorer.web_form()) < 1.5 * 2**20


# --------------------------------------------------------------------------- exercises
def _max_pool(x):
    h, w = x.shape
    return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))


def _max_pool_backward(dout, x):
    dx = np.zeros_like(x, dtype=float)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            window = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
            u, v = np.unravel_index(np.argmax(window), window.shape)
            dx[2 * i + u, 2 * j + v] = dout[i, j]
    return dx


def _largest_size(x):
    h, w = x.shape
    blocks = x.reshape(h // 2, 2, w // 2, 2).swapaxes(1, 2).reshape(h // 2, w // 2, 4)
    return np.take_along_axis(blocks, np.abs(blocks).argmax(-1)[..., None], -1)[..., 0]


def test_max_pool_passes_the_right_answer_and_names_each_mistake():
    assert ch5.check_max_pool(_max_pool).passed
    assert_held_back(ch5.check_max_pool(lambda x: _max_pool(x) + 1))
    assert not_attempted(ch5.check_max_pool(None))
    h = lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2)  # noqa: E731
    named = {
        "average": (lambda x: h(x).mean(axis=(1, 3)), "average pooling"),
        "stride 1": (lambda x: max_pool2d(x, 2, stride=1), "overlap"),
        "started at 0": (lambda x: np.maximum(_max_pool(x), 0), "negative"),
        "absolute value": (_largest_size, "|x|"),
        "wrong axes": (lambda x: h(x).max(axis=(1, 2)), "wrong axes"),
        "one corner of each window": (lambda x: x[::2, ::2], "top-left"),
    }
    for mistake, (fn, word) in named.items():
        assert_named(ch5.check_max_pool(fn), mistake, word)


@pytest.mark.parametrize("axes", [(0, 1), (0, 2), (0, 3), (1, 2), (2, 3)])
def test_max_pool_names_every_wrong_pair_of_axes(axes):
    h = lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2)  # noqa: E731
    assert_named(ch5.check_max_pool(lambda x: h(x).max(axis=axes)), "wrong axes", "two axes")


def test_max_pool_names_a_reshape_that_splits_the_windows():
    def split(x):
        return x.reshape(x.shape[0] // 2, x.shape[1] // 2, 2, 2).max(axis=(2, 3))

    assert_named(ch5.check_max_pool(split), "wrong axes", "(H // 2, 2, W // 2, 2)")


@pytest.mark.parametrize(("i", "j"), [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_max_pool_names_any_corner_of_each_window(i, j):
    result = ch5.check_max_pool(lambda x: x[i::2, j::2])
    assert_named(result, "one corner of each window", "all four cells")


def test_max_pool_backward_passes_the_right_answer_and_names_each_mistake():
    assert ch5.check_max_pool_backward(_max_pool_backward).passed
    assert_held_back(ch5.check_max_pool_backward(lambda dout, x: _max_pool_backward(-dout, x)))
    assert not_attempted(ch5.check_max_pool_backward(lambda dout, x: None))
    spread = lambda d, s: np.repeat(np.repeat(d * s, 2, 0), 2, 1)  # noqa: E731
    named = {
        "to every cell": (lambda dout, x: spread(dout, 1.0), "sum pooling"),
        "averaged": (lambda dout, x: spread(dout, 0.25), "average pooling"),
        "forgot dout": (
            lambda dout, x: (_max_pool_backward(np.ones_like(dout), x) != 0) * 1.0,
            "dout",
        ),
        "to the minimum": (lambda dout, x: _max_pool_backward(dout, -x), "smallest"),
        "dx of the pooled shape": (lambda dout, x: dout * 1.0, "x's shape"),
    }
    for mistake, (fn, word) in named.items():
        assert_named(ch5.check_max_pool_backward(fn), mistake, word)


def test_shift_effect_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch5.check_shift_effect, ch5.SHIFT_OPTIONS, ch5._SHIFT_WHY)
    assert_notebook_lists("notebooks/05_pooling.ipynb", ch5.SHIFT_OPTIONS)


def test_pooled_shape_names_each_mistake():
    assert ch5.check_pooled_shape((64, 56, 56)).passed
    assert ch5.check_pooled_shape((3, 8, 10), shape=(3, 16, 20)).passed
    assert_held_back(ch5.check_pooled_shape((64, 57, 57)))
    assert "channel" in ch5.check_pooled_shape((32, 56, 56)).hint
    assert "smaller" in ch5.check_pooled_shape((64, 112, 112)).hint
    assert "stride 1" in ch5.check_pooled_shape((64, 111, 111)).hint
    assert not_attempted(ch5.check_pooled_shape(None))
