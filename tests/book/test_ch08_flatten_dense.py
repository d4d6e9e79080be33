"""Chapter 8 (cnnkit.book.ch08_flatten_dense): the flatten order, the dense layer's
drawings and gradient check, the parameter counts of LeNet-5 and AlexNet, the explorer
and the exercise checks."""

from __future__ import annotations

import re
from collections import Counter

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

from cnnkit.book import ch08_flatten_dense as ch8
from cnnkit.book.exercises import reset_tries
from cnnkit.data import load_digits
from cnnkit.dense import dense, dense_backward, dense_forward, flatten

NOTEBOOK = "notebooks/08_flatten_dense.ipynb"


# --------------------------------------------------------------------------- flatten order
@pytest.mark.parametrize("shape", [(2, 3, 3), (3, 2, 5), (1, 4, 4), (4, 1, 2)])
def test_channels_last_order_is_what_a_channels_last_flatten_reads(shape):
    x = np.random.default_rng(0).normal(size=(2, *shape))
    order = ch8.channels_last_order(shape)
    np.testing.assert_array_equal(flatten(x.transpose(0, 2, 3, 1)), flatten(x)[:, order])
    assert sorted(order) == list(range(int(np.prod(shape))))  # a permutation
    c, h, w = shape
    i, j, k = h - 1, w - 1, c - 1  # the last pixel's last channel stays last
    assert order[(i * w + j) * c + k] == k * h * w + i * w + j


def test_channels_last_order_names_a_bad_shape():
    with pytest.raises(ValueError, match=r"channels_last_order: shape\[1\] must be a positive"):
        ch8.channels_last_order((2, 0, 3))
    with pytest.raises(ValueError, match=r"shape must be \(C, H, W\)"):
        ch8.channels_last_order((4, 4))


def test_show_flatten_order_numbers_the_cells_in_both_orders():
    fig = ch8.show_flatten_order((2, 2, 3))
    (ax,) = fig.axes
    numbers = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
    n = 12
    # the volume (0..n-1), the C-order strip (0..n-1), the channels-last strip, then ticks
    assert numbers[:n] == [str(k) for k in range(n)]
    assert numbers[n : 2 * n] == [str(k) for k in range(n)]
    assert numbers[2 * n : 3 * n] == [str(k) for k in ch8.channels_last_order((2, 2, 3))]
    assert len(ax.patches) == 3 * n
    with pytest.raises(ValueError, match="at most 4 channels"):
        ch8.show_flatten_order((5, 2, 2))


# --------------------------------------------------------------------------- the dense layer
def test_show_dense_layer_draws_every_connection_and_the_matrix():
    w = np.array([[1.0, 0.0, -2.0], [0.5, -1.0, 3.0]])
    fig = ch8.show_dense_layer(w, np.array([1.0, 0.0, -1.0]))
    graph, matrix = fig.axes[:2]
    assert len(graph.get_lines()) == 2 * w.size  # a grey line and a coloured one per weight
    np.testing.assert_array_equal(matrix.images[0].get_array(), w)
    assert matrix.get_xlabel() == "output k (column)" and matrix.get_ylabel() == "input i (row)"
    assert any("bias b = (1, 0, -1)" in t.get_text() for t in matrix.texts)


def test_dense_params_is_one_weight_per_pair_plus_one_bias_per_output():
    x = np.ones((1, 7))
    w, b = np.ones((7, 4)), np.ones(4)
    assert ch8.dense_params(7, 4) == w.size + b.size == 32
    assert dense(x, w, b).shape == (1, 4)
    with pytest.raises(ValueError, match="dense_params: out_features must be a positive"):
        ch8.dense_params(7, 0)


def test_numeric_gradient_matches_the_dense_backward_pass_and_restores_x():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    dout = rng.normal(size=(3, 2))
    _, cache = dense_forward(x, w, b)
    dx, dw, db = dense_backward(dout, cache)
    kept = x.copy()

    def loss():
        return float(np.sum(dense(x, w, b) * dout))

    assert ch8.relative_error(dx, ch8.numeric_gradient(loss, x)) < 1e-8
    assert ch8.relative_error(dw, ch8.numeric_gradient(loss, w)) < 1e-8
    assert ch8.relative_error(db, ch8.numeric_gradient(loss, b)) < 1e-8
    np.testing.assert_array_equal(x, kept)
    # a wrong gradient is far off
    assert ch8.relative_error(dout[0], ch8.numeric_gradient(loss, b)) > 0.1


def test_numeric_gradient_refuses_float32_and_relative_error_is_scaled():
    with pytest.raises(TypeError, match="float64"):
        ch8.numeric_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
    a = np.array([1.0, 2.0])
    assert ch8.relative_error(a, a) == 0.0
    assert ch8.relative_error(a, -a) == pytest.approx(1.0)
    assert ch8.relative_error(1e6 * a, 1e6 * a * (1 + 1e-9)) < 1e-8
    assert ch8.relative_error(np.zeros(2), np.zeros(2)) == 0.0


# --------------------------------------------------------------------------- parameter counts
def test_the_c3_table_is_the_papers():
    table = ch8.LENET5_C3_INPUTS
    assert len(table) == 16
    assert Counter(len(maps) for maps in table) == {3: 6, 4: 9, 6: 1}
    # in Table I every S2 map feeds 10 of the 16 C3 maps
    assert Counter(m for maps in table for m in maps) == {m: 10 for m in range(6)}
    assert table[0] == (0, 1, 2) and table[4] == (0, 4, 5) and table[9] == (0, 3, 4, 5)
    assert table[12:] == ((0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5))
    assert len(set(table)) == 16
    assert ch8.c3_params() == 60 * 25 + 16 == 1516
    assert ch8.c3_params([range(6)] * 16) == 16 * (6 * 25 + 1) == 2416


def test_lenet5_layers_add_up_to_the_papers_60000():
    rows = ch8.lenet5_layers()
    assert [r.name for r in rows] == ["C1", "S2", "C3", "S4", "C5", "F6", "output"]
    assert [r.output_shape for r in rows] == [
        (6, 28, 28),
        (6, 14, 14),
        (16, 10, 10),
        (16, 5, 5),
        (120, 1, 1),
        (84,),
        (10,),
    ]
    by_hand = [6 * 26, 2 * 6, 1516, 2 * 16, 120 * (25 * 16 + 1), 84 * 121, 0]
    assert [r.params for r in rows] == by_hand
    assert sum(by_hand) == 60_000


def test_alexnet_layers_by_hand_grouped_and_not():
    rows = {r.name: r for r in ch8.alexnet_layers()}
    flat = {r.name: r for r in ch8.alexnet_layers(grouped=False)}

    def conv(k, f, c):
        return k * (f * f * c + 1)

    assert rows["conv1"].params == conv(96, 11, 3) == 34_944
    assert rows["conv2"].params == conv(256, 5, 48) == 307_456
    assert rows["conv3"].params == flat["conv3"].params == conv(384, 3, 256) == 885_120
    assert rows["conv4"].params == conv(384, 3, 192) == 663_936
    assert rows["conv5"].params == conv(256, 3, 192) == 442_624
    assert flat["conv2"].params == conv(256, 5, 96)
    assert flat["conv4"].params == conv(384, 3, 384) and flat["conv5"].params == conv(256, 3, 384)
    assert rows["fc6"].params == 9216 * 4096 + 4096 == 37_752_832
    assert rows["fc7"].params == 16_781_312 and rows["fc8"].params == 4_097_000
    assert sum(r.params for r in rows.values()) == 60_965_224
    assert sum(r.params for r in flat.values()) == 62_378_344
    shapes = [r.output_shape for r in rows.values()]
    assert shapes[:8] == [
        (96, 55, 55),
        (96, 27, 27),
        (256, 27, 27),
        (256, 13, 13),
        (384, 13, 13),
        (384, 13, 13),
        (256, 13, 13),
        (256, 6, 6),
    ]
    assert rows["flatten"].output_shape == (9216,)
    assert rows["conv2"].layer == "256 filters 5×5×48, in 2 groups"


def test_show_param_bars_draws_the_layers_with_parameters_and_hatches_c5():
    fig = ch8.show_param_bars(
        {"LeNet-5": ch8.lenet5_layers(), "AlexNet": ch8.alexnet_layers()}, millions=["AlexNet"]
    )
    lenet_ax, alex_ax = fig.axes[:2]
    assert [t.get_text() for t in lenet_ax.get_yticklabels()] == [
        "F6",
        "C5",
        "S4",
        "C3",
        "S2",
        "C1",
    ]
    hatched = [bar.get_hatch() for bar in lenet_ax.patches]
    assert hatched == [None, "///", None, None, None, None]
    widths = [bar.get_width() for bar in alex_ax.patches]
    assert max(widths) == pytest.approx(37.752832)
    assert alex_ax.get_xlabel() == "parameters (millions)" and lenet_ax.get_xlabel() == "parameters"
    assert "60,000" in lenet_ax.get_title() and "60,965,224" in alex_ax.get_title()


# --------------------------------------------------------------------------- the explorer
def test_feature_volume_is_pooled_rectified_edge_maps():
    x = ch8.example_digit(3)
    volume = ch8.feature_volume(x, 4)
    assert volume.shape == (1, 4, 4, 4) and volume.min() >= 0
    np.testing.assert_array_equal(ch8.feature_volume(x, 2), volume[:, :2])
    with pytest.raises(ValueError, match="at most 4"):
        ch8.feature_volume(x, 5)
    with pytest.raises(ValueError, match="digit must be 0 to 9"):
        ch8.example_digit(10)


def test_dense_classifier_learns_and_loses_it_in_the_wrong_order():
    four = ch8.dense_classifier(4)
    one = ch8.dense_classifier(1)
    assert four.w.shape == (64, 10) and four.b.shape == (10,)
    assert four.accuracy > 0.9 and four.accuracy_interleaved < 0.3
    assert one.accuracy == one.accuracy_interleaved
    assert not four.w.flags.writeable
    assert four.n_test == len(load_digits().y_test)


@pytest.fixture(scope="module")
def explorer():
    return ch8.flatten_dense_explorer()


def test_the_explorer_has_four_labelled_controls(explorer):
    labels = [c.description for c in explorer.controls.values()]
    assert labels == ["test digit", "channels C", "highlighted channel", "flatten order"]
    assert "(C, H, W) = (2, 4, 4)" in explorer.html and "entries 0 to 15" in explorer.html


def test_every_control_changes_the_output(explorer):
    start = explorer.render()
    for change in (
        {"digit": 7},
        {"channels": 4},
        {"highlight": 1},
        {"order": ch8.ORDERS[1]},
    ):
        assert explorer.render(**change) != start, change


def test_the_highlight_stays_inside_the_volume(explorer):
    explorer.set(channels=4, highlight=3)
    explorer.set(channels=2)
    assert explorer.values["highlight"] == 1 and explorer.controls["highlight"].max == 1
    explorer.set(highlight=5)
    assert explorer.values["highlight"] == 1
    explorer.set(channels=2, highlight=0)
    with pytest.raises(ValueError, match="highlight must be a channel"):
        ch8.flatten_dense_html(channels=2, highlight=2)
    with pytest.raises(ValueError, match="order must be one of"):
        ch8.flatten_dense_html(order="backwards")


def test_the_page_says_where_a_channel_sits_and_what_one_channel_does(explorer):
    page = explorer.render(channels=4, highlight=2, order=ch8.ORDERS[1])
    assert "one entry in 4, from entry 2 on" in page
    one = explorer.render(channels=1)
    assert "nothing to interleave" in one
    same = explorer.render(channels=1, order=ch8.ORDERS[1])
    # the same vector (its picture) and the same scores (the drawings) in both orders
    assert re.findall(r'src="([^"]+)" alt="the 16', one) == re.findall(
        r'src="([^"]+)" alt="the 16', same
    )
    assert re.findall(r"<svg.*?</svg>", one) == re.findall(r"<svg.*?</svg>", same)
    assert one != same  # the text names the order


def test_the_scores_are_the_dense_layer_of_the_shown_vector(explorer):
    model = ch8.dense_classifier(3)
    volume = ch8.feature_volume(ch8.example_digit(5), 3)
    vector = flatten(volume)[0][ch8.channels_last_order((3, 4, 4))]
    scores = vector @ model.w + model.b
    page = explorer.render(digit=5, channels=3, highlight=0, order=ch8.ORDERS[1])
    bars = [float(v) for v in re.findall(r'fill="#0072B2"><title>(-?[\d.]+)</title>', page)]
    np.testing.assert_allclose(bars, scores, atol=0.006)
    assert f"Largest score: <b>{int(np.argmax(scores))}</b>" in page


def test_the_web_form_is_every_state_and_light(explorer):
    names, data = explorer.web_states()
    assert names == ["digit", "channels", "highlight", "order"]
    assert len(data["states"]) == 10 * 4 * 4 * 2
    keys = np.random.default_rng(0).choice(sorted(data["states"]), size=8, replace=False)
    assert_web_states_render(explorer, keys)
    assert len(explorer.web_form()) < 1.5 * 2**20


# --------------------------------------------------------------------------- exercises
def test_flat_index_check():
    assert ch8.check_flat_index(69).passed
    assert ch8.check_flat_index(np.int64(69)).passed
    assert not_attempted(ch8.check_flat_index(None))
    named = {
        38: ("channels last", "alternate"),
        76: ("rows and columns swapped", "row by row"),
        68: ("row length H", "W entries"),
        70: ("counted from 1", "from 0"),
        9: ("forgot the channels before it", "channels before it"),
    }
    for answer, (mistake, word) in named.items():
        assert_named(ch8.check_flat_index(answer), mistake, word)
    reset_tries()
    assert_held_back(ch8.check_flat_index(50))


def _right(dout, x, w):
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def test_dense_backward_check_passes_the_right_answer_and_names_each_mistake():
    assert ch8.check_dense_backward(_right).passed
    assert ch8.check_dense_backward(lambda dout, x, w: list(_right(dout, x, w))).passed
    assert not_attempted(ch8.check_dense_backward(None))
    assert not_attempted(ch8.check_dense_backward(lambda dout, x, w: None))
    named = {
        "not three arrays": (lambda d, x, w: d @ w.T, "tuple"),
        "W not transposed": (lambda d, x, w: (d @ w, x.T @ d, d.sum(0)), "Wᵀ"),
        "dW transposed": (lambda d, x, w: (d @ w.T, d.T @ x, d.sum(0)), "transpose"),
        "dW averaged over the batch": (
            lambda d, x, w: (d @ w.T, x.T @ d / len(x), d.sum(0)),
            "divided by N",
        ),
        "db kept as a row": (
            lambda d, x, w: (d @ w.T, x.T @ d, d.sum(0, keepdims=True)),
            "(out_features,), not (1, out_features)",
        ),
        "db not summed over the batch": (lambda d, x, w: (d @ w.T, x.T @ d, d), "sum"),
        "db summed over the outputs": (lambda d, x, w: (d @ w.T, x.T @ d, d.sum(1)), "axis"),
    }
    for mistake, (fn, word) in named.items():
        assert_named(ch8.check_dense_backward(fn), mistake, word)
    for db in (lambda d: d.mean(0), lambda d: d[0]):
        wrong = ch8.check_dense_backward(lambda d, x, w, db=db: (d @ w.T, x.T @ d, db(d)))
        assert wrong.mistake == "db not summed over the batch"


def test_dense_backward_check_names_a_product_that_fails_and_holds_the_answer_back():
    # x @ dout only runs when in_features == N: the other cases raise
    failing = ch8.check_dense_backward(lambda d, x, w: (d @ w.T, x @ d, d.sum(0)))
    assert failing.mistake == "shapes do not fit" and "Wᵀ (out, in)" in failing.hint
    reset_tries()
    wrong = ch8.check_dense_backward(lambda d, x, w: (d @ w.T * 2, x.T @ d, d.sum(0)))
    assert_held_back(wrong)
    shown = ch8.check_dense_backward(lambda d, x, w: (0 * d @ w.T, x.T @ d, d.sum(0)), reveal=True)
    assert shown.expected_shown


def test_dense_scale_check():
    exact = ch8.scale_factors()
    assert 3.99 < exact[0] < 4 and 1.99 < exact[1] < 2
    for answer in [(4, 2), (4.0, 2.0), exact, [4, 2]]:
        assert ch8.check_dense_scale(answer).passed, answer
    assert not_attempted(ch8.check_dense_scale(None))
    assert_named(ch8.check_dense_scale(4), "not a pair", "two numbers")
    assert_named(ch8.check_dense_scale((1, 1)), "a convolution's answer", "convolution")
    assert_named(ch8.check_dense_scale((2, 2)), "H and W counted once", "2 · 2")
    assert_named(ch8.check_dense_scale((4, 4)), "C counted twice", "once")
    assert_named(ch8.check_dense_scale((8, 2)), "counted as a cube", "two of the three")
    reset_tries()
    assert_held_back(ch8.check_dense_scale((3, 3)))


def test_params_where_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch8.check_params_where, ch8.PARAMS_OPTIONS, ch8._PARAMS_WHY)
    assert_notebook_lists(NOTEBOOK, ch8.PARAMS_OPTIONS)


def test_chw_rows_check_runs_the_readers_weights():
    def right(w_hwc, shape):
        c, h, w = shape
        return w_hwc.reshape(h, w, c, -1).transpose(2, 0, 1, 3).reshape(w_hwc.shape)

    assert ch8.check_chw_rows(right).passed
    # the property the exercise states, on a non-square volume
    x = np.random.default_rng(0).normal(size=(3, 2, 3, 5))
    w_hwc = np.random.default_rng(1).normal(size=(30, 4))
    np.testing.assert_allclose(
        flatten(x) @ right(w_hwc, (2, 3, 5)), flatten(x.transpose(0, 2, 3, 1)) @ w_hwc
    )
    assert not_attempted(ch8.check_chw_rows(None))
    assert_named(ch8.check_chw_rows(lambda w_hwc, shape: w_hwc), "unchanged", "as they came")
    other_way = ch8.check_chw_rows(lambda w_hwc, shape: w_hwc[ch8.channels_last_order(shape)])
    assert_named(other_way, "order the other way round", "argsort")
    swapped = ch8.check_chw_rows(
        lambda w_hwc, shape: (
            w_hwc.reshape(shape[1], shape[2], shape[0], -1)
            .transpose(2, 1, 0, 3)
            .reshape(w_hwc.shape)
        )
    )
    assert_named(swapped, "rows and columns of the map swapped", "row by row")
    reset_tries()
    assert_held_back(ch8.check_chw_rows(lambda w_hwc, shape: -w_hwc))
