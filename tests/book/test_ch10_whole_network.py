"""Chapter 10 (cnnkit.book.ch10_whole_network): the network and its variants, the trained
network the explorer looks into, the figures and tables, LeNet-5's numbers, the explorer
and the exercise checks."""

from __future__ import annotations

import re

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

from cnnkit.book import ch10_whole_network as ch10
from cnnkit.book.exercises import reset_tries
from cnnkit.data import load_digits
from cnnkit.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnkit.model import Sequential, lenet_digits
from cnnkit.optim import Adam
from cnnkit.softmax import softmax


@pytest.fixture(scope="module")
def trained():
    return ch10.trained_network()


# --------------------------------------------------------------------------- the network
def test_the_trained_network_is_cached_seeded_and_accurate(trained):
    assert ch10.trained_network() is trained
    assert trained.test_accuracy >= 0.97
    assert len(trained.history) == 20
    # the same recipe and seeds, trained again on one thread: the same weights
    again = lenet_digits(rng=0)
    data = load_digits()
    with ch10.blas_one_thread():
        again.fit(
            data.x_train,
            data.y_train,
            epochs=20,
            batch_size=64,
            optimizer=Adam(0.01),
            rng=1,
            progress=False,
        )
    for a, b in zip(again.parameters(), trained.model.parameters(), strict=True):
        np.testing.assert_array_equal(a.value, b.value)


def test_blas_one_thread_sets_the_blas_threads_to_one():
    from threadpoolctl import threadpool_info

    with ch10.blas_one_thread():
        blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert blas and all(pool["num_threads"] == 1 for pool in blas)


# --------------------------------------------------------------------------- figures, tables
def test_confusion_matrix_counts_pairs():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    m = ch10.confusion_matrix(y_true, y_pred, n_classes=3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert m.sum(axis=1).tolist() == np.bincount(y_true).tolist()


def test_show_confusion_writes_the_counts_and_outlines_the_mistakes():
    m = np.array([[5, 1, 0], [0, 4, 0], [2, 0, 3]])
    fig = ch10.show_confusion(m)
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert texts == [str(v) for v in m.ravel()]
    assert len(ax.patches) == 2  # the two cells off the diagonal that are not 0
    assert ax.get_xlabel() == "predicted digit" and ax.get_ylabel() == "true digit"


def test_show_history_draws_training_and_test_curves():
    from cnnkit.model import History

    h = History(loss=[1.0, 0.5], accuracy=[0.5, 0.9], val_loss=[1.1, 0.7], val_accuracy=[0.4, 0.8])
    fig = ch10.show_history(h)
    left, right = fig.axes
    assert left.get_yscale() == "log"
    for ax in (left, right):
        assert [line.get_label() for line in ax.get_lines()] == ["training", "test"]
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel()
    np.testing.assert_array_equal(right.get_lines()[1].get_ydata(), [0.4, 0.8])


def test_show_misclassified_titles_say_true_read_and_probabilities():
    x = np.zeros((3, 1, 8, 8))
    proba = np.array([[0.7, 0.3], [0.2, 0.8], [0.6, 0.4]])
    fig = ch10.show_misclassified(x, np.array([1, 1, 1]), proba, [0, 2])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [
        "#0: a 1, read 0\np(0) = 0.70\np(1) = 0.30",
        "#2: a 1, read 0\np(0) = 0.60\np(1) = 0.40",
    ]


def test_show_filters_writes_each_weight_rounded():
    w = np.zeros((3, 1, 3, 3))
    w[0, 0, 0, 0] = -0.04  # rounds to 0.0, not "-0.0"
    w[1, 0, 1, 1] = 1.26
    fig = ch10.show_filters(w)
    drawn = [ax for ax in fig.axes if ax.texts]
    assert len(drawn) == 3
    assert drawn[0].texts[0].get_text() == "0.0"
    assert drawn[1].texts[4].get_text() == "1.3"
    assert [ax.get_title() for ax in drawn] == ["filter 0", "filter 1", "filter 2"]


def test_show_transformed_draws_the_original_and_each_move():
    image = np.eye(8)
    fig = ch10.show_transformed(image, {"flip": np.fliplr, "same": lambda a: a})
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["original", "flip", "same"]
    np.testing.assert_array_equal(shown[1].images[0].get_array(), np.fliplr(image))


def test_comparison_says_a_direction_only_when_every_seed_agrees():
    up = ch10.Comparison("c", "A", "B", (0.9, 0.8, 0.7), (0.8, 0.7, 0.6))
    down = ch10.Comparison("c", "A", "B", (0.5, 0.5, 0.5), (0.6, 0.6, 0.6))
    mixed = ch10.Comparison("c", "A", "B", (0.9, 0.5, 0.7), (0.8, 0.7, 0.7))
    assert up.verdict == "A higher on all 3 seeds" and up.wins == 3
    assert down.verdict == "B higher on all 3 seeds" and down.losses == 3
    assert mixed.verdict == "no consistent difference"
    assert up.difference == pytest.approx(0.1)
    page = ch10.claims_table([up, mixed]).data
    assert page.count("<tr>") == 3
    assert "80.0% (70.0% to 90.0%)" in page and "+10.0 points" in page


def test_html_table_escapes_its_cells():
    page = ch10.html_table(("a", "b"), [("<x>", 1)]).data
    assert "&lt;x&gt;" in page and "<th" in page
    assert re.search(r'<td style="text-align:right;[^"]*">1</td>', page)


# --------------------------------------------------------------------------- LeNet-5
def test_the_c3_table_follows_the_papers_rule():
    table = ch10.c3_connections()
    assert table.shape == (6, 16)
    reads = table.sum(axis=0)
    assert reads.tolist() == [3] * 6 + [4] * 9 + [6]
    # the first six columns: every run of three neighbouring S2 maps (cyclically);
    # the next six: every run of four
    for j in range(6):
        assert set(np.flatnonzero(table[:, j])) == {(j + k) % 6 for k in range(3)}
        assert set(np.flatnonzero(table[:, 6 + j])) == {(j + k) % 6 for k in range(4)}
    # the three after them are not runs of four
    for j in range(12, 15):
        rows = set(np.flatnonzero(table[:, j]))
        assert all(rows != {(i + k) % 6 for k in range(4)} for i in range(6))


def test_the_c3_table_is_the_one_printed_in_the_paper():
    # Table I of LeCun et al. (1998) as printed: rows are the S2 maps, columns C3's maps
    printed = (
        "X...XXX..XXXX.XX",
        "XX...XXX..XXXX.X",
        "XXX...XXX..X.XXX",
        ".XXX..XXXX..X.XX",
        "..XXX..XXXX.XX.X",
        "...XXX..XXXX.XXX",
    )
    assert ch10.c3_connections().tolist() == [[m == "X" for m in row] for row in printed]


def test_lenet5_parameters_add_up_to_the_papers_total():
    per_layer = ch10.lenet5_parameters()
    assert per_layer == {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120, "F6": 10164}
    assert sum(per_layer.values()) == 60_000


def test_the_squashing_function_is_odd_bounded_and_one_at_one():
    a = np.linspace(-20, 20, 401)
    f = ch10.lenet5_squash(a)
    np.testing.assert_allclose(f, -ch10.lenet5_squash(-a))
    assert np.all(np.abs(f) < 1.7159 + 1e-12) and f.max() == pytest.approx(1.7159)
    assert float(ch10.lenet5_squash(1.0)) == pytest.approx(1.0, abs=1e-4)


# --------------------------------------------------------------------------- the explorer
@pytest.fixture(scope="module")
def explorer(trained):
    return ch10.network_explorer()


def test_the_images_include_right_and_misread_digits(trained):
    images = ch10.explorer_images()
    predicted = trained.model.predict(trained.data.x_test)
    right = [i for i in images.values() if predicted[i] == trained.data.y_test[i]]
    wrong = [i for i in images.values() if predicted[i] != trained.data.y_test[i]]
    assert len(right) == len(ch10.EXPLORER_DIGITS) and len(wrong) == ch10.EXPLORER_MISTAKES
    for label, i in images.items():
        assert f"test image {i}: a {trained.data.y_test[i]}" in label


def test_each_control_changes_the_output(explorer):
    start = explorer.render()
    images = list(ch10.explorer_images())
    assert explorer.render(image=images[-1]) != start
    assert explorer.render(layer=4) != start
    labels = [c.description for c in explorer.controls.values()]
    assert labels == ["test image", "layer"]


def test_every_layer_shows_its_shape_and_the_probabilities_stay(explorer, trained):
    image = list(ch10.explorer_images())[0]
    index = ch10.explorer_images()[image]
    x = trained.data.x_test[index : index + 1]
    proba = trained.model.predict_proba(x)[0]
    out = x
    for layer in range(len(trained.model) + 1):
        if layer:
            out = trained.model[layer - 1].forward(out)
        page = ch10.network_html(image, layer)
        assert f"output {tuple(out.shape[1:])}" in page
        assert f"{proba.max():.2f}" in page
    assert page.count("<svg") == 2  # the scores, then the probabilities
    assert ch10.network_html(image, 1).count("<img") == 12  # one picture per filter


def test_a_bad_setting_is_named():
    with pytest.raises(ValueError, match="image must be one of"):
        ch10.network_html("no such image", 1)
    image = list(ch10.explorer_images())[0]
    with pytest.raises(ValueError, match="layer must be between 0 and 8"):
        ch10.network_html(image, 9)


def test_the_web_form_has_every_state_and_stays_light(explorer):
    names, data = explorer.web_states()
    assert names == ["image", "layer"]
    assert len(data["states"]) == len(ch10.explorer_images()) * 9
    assert_web_states_render(explorer, ["0|0", "5|8"])
    assert len(explorer.web_form()) < 1.5 * 2**20


# --------------------------------------------------------------------------- exercises
def _chain(model, x, stop=None):
    for layer in list(model)[:stop]:
        x = layer.forward(x)
    return x


def test_predict_proba_passes_the_right_answer_and_names_each_mistake(trained):
    reset_tries()
    assert_held_back(ch10.check_predict_proba(lambda model, x: _chain(model, x) * 0))
    assert ch10.check_predict_proba(lambda model, x: softmax(_chain(model, x), axis=1)).passed
    assert not_attempted(ch10.check_predict_proba(None))
    assert not_attempted(ch10.check_predict_proba(lambda model, x: None))

    def left_on(model, x):
        for layer in model:
            x = layer.forward(x, training=True)
        return softmax(x, axis=1)

    named = {
        "forgot the softmax": (lambda model, x: _chain(model, x), "softmax"),
        "softmax over the batch": (lambda model, x: softmax(_chain(model, x), axis=0), "axis=1"),
        "stopped one layer early": (
            lambda model, x: softmax(_chain(model, x, stop=-1), axis=1),
            "every layer",
        ),
        "returned the labels": (lambda model, x: _chain(model, x).argmax(axis=1), "argmax"),
        "dropout left on": (left_on, "training=True"),
    }
    for mistake, (fn, word) in named.items():
        assert_named(ch10.check_predict_proba(fn), mistake, word)


def test_bigger_input_follows_the_layers_and_names_each_mistake():
    reset_tries()
    assert ch10.check_bigger_input((24, 4, 4)).passed
    assert ch10.check_bigger_input((24, 5, 5), size=20).passed
    assert ch10.check_bigger_input((12, 8, 8), layer=2).passed
    assert_held_back(ch10.check_bigger_input((24, 3, 3)))
    assert "8×8 digits" in ch10.check_bigger_input((24, 2, 2)).hint
    assert "One pooling is missing" in ch10.check_bigger_input((24, 8, 8)).hint
    assert "halves" in ch10.check_bigger_input((24, 16, 16)).hint
    assert "number of filters" in ch10.check_bigger_input((12, 4, 4)).hint
    assert "Flatten" in ch10.check_bigger_input((384,)).hint
    assert not_attempted(ch10.check_bigger_input(None))


def test_wider_network_counts_with_the_summary_and_names_each_mistake():
    reset_tries()
    net = Sequential(
        Conv2D(1, 24, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Conv2D(24, 24, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(96, 10),
    )
    total = net.summary((1, 8, 8)).total_params
    assert total == 6418
    assert ch10.check_wider_network(total).passed
    assert_held_back(ch10.check_wider_network(5000))
    assert "first layer only" in ch10.check_wider_network(3826).hint
    assert "Not everything grows" in ch10.check_wider_network(7412).hint
    assert "biases" in ch10.check_wider_network(6418 - 24 - 24 - 10).hint
    assert not_attempted(ch10.check_wider_network(None))


def test_rotation_drop_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch10.check_rotation_drop, ch10.ROTATION_OPTIONS, ch10._ROTATION_WHY)
    assert_notebook_lists("notebooks/10_whole_network.ipynb", ch10.ROTATION_OPTIONS)


def _xoi_net(first_kernel=4, padding=1, pool_mode="strict", classes=3, dense_in=96):
    return Sequential(
        Conv2D(1, 12, first_kernel, padding=padding, rng=0),
        ReLU(),
        MaxPool2D(2, mode=pool_mode),
        Conv2D(12, 24, 3, padding=1, rng=0),
        ReLU(),
        MaxPool2D(2, mode=pool_mode),
        Flatten(),
        Dense(dense_in, classes, rng=0),
    )


def test_xoi_design_runs_the_readers_network_and_names_each_mistake():
    reset_tries()
    assert ch10.check_xoi_design(_xoi_net()).passed
    assert ch10.check_xoi_design(_xoi_net(first_kernel=2, padding=0)).passed
    assert_held_back(ch10.check_xoi_design(_xoi_net(first_kernel=3)))
    assert_named(ch10.check_xoi_design("a network"), "not a network", "Sequential")
    assert_named(
        ch10.check_xoi_design(_xoi_net(first_kernel=3, pool_mode="floor")),
        "floor or ceil mode",
        "mode='strict'",
    )
    # a convolution in floor mode drops pixels too
    floor_conv = Sequential(
        Conv2D(1, 12, 4, stride=2, mode="floor", rng=0),
        ReLU(),
        MaxPool2D(2),
        Conv2D(12, 24, 1, rng=0),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(24, 3, rng=0),
    )
    assert_named(ch10.check_xoi_design(floor_conv), "floor or ceil mode", "convolutions")
    assert_named(
        ch10.check_xoi_design(_xoi_net(first_kernel=3)),
        "pooling cannot tile",
        "(9 − 3 + 2·1)/1 + 1 = 9",
    )
    assert_named(
        ch10.check_xoi_design(_xoi_net(dense_in=64)), "dense layer of the wrong size", "K·H·W"
    )
    wrong_channels = Sequential(
        Conv2D(1, 12, 4, padding=1),
        ReLU(),
        MaxPool2D(2),
        Conv2D(6, 24, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(96, 3),
    )
    assert_named(ch10.check_xoi_design(wrong_channels), "channels do not match", "in_channels")
    assert_named(ch10.check_xoi_design(_xoi_net(classes=10)), "ten scores", "three")
    one_block = Sequential(
        Conv2D(1, 12, 4, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(192, 3)
    )
    assert_named(ch10.check_xoi_design(one_block), "blocks removed", "two Conv2D")
    assert not_attempted(ch10.check_xoi_design(None))
    shown = ch10.check_xoi_design(_xoi_net(classes=10), reveal=True)
    assert shown.expected_shown and "Conv2D(1, 12, 4, padding=1)" in shown.expected


def test_the_tiling_hint_works_out_the_readers_own_layers():
    # padding 2 makes 11×11: the hint must say so, not the 9×9 of padding 1
    reset_tries()
    result = ch10.check_xoi_design(_xoi_net(first_kernel=3, padding=2, dense_in=24 * 3 * 3))
    assert result.mistake == "pooling cannot tile"
    assert "maps of 11×11" in result.hint and "(9 − 3 + 2·2)/1 + 1 = 11" in result.hint
    assert "(11 − 2 + 2·0)/2 + 1 = 5.5" in result.hint and "9×9" in result.hint
    assert "keeps 9×9" not in result.hint
    # the second pooling fails: 9 − 2 + 2 + 1 = 10, pooled to 5, kept 5 by net[3]
    second = ch10.tiling_hint(_xoi_net(first_kernel=2, padding=1))
    assert second.startswith("The pooling at index 5 of your network")
    assert "the convolution at index 3 (F = 3, P = 1, S = 1) turns 5×5" in second
    # a network that tiles everywhere has no sizes to tell; the hint stays general
    assert ch10.tiling_hint(_xoi_net()).startswith("A convolution or pooling met a map")


def _blocks(first_conv, second_conv, dense_in=24):
    return Sequential(
        first_conv,
        ReLU(),
        MaxPool2D(2),
        second_conv,
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(dense_in, 3, rng=0),
    )


def test_a_convolution_that_cannot_tile_is_named_with_the_readers_numbers():
    reset_tries()
    # the first convolution: (9 − 4)/2 + 1 = 3.5
    first = _blocks(Conv2D(1, 12, 4, stride=2, rng=0), Conv2D(12, 24, 3, padding=1, rng=0))
    result = ch10.check_xoi_design(first)
    assert result.mistake == "convolution cannot tile"
    assert result.hint.startswith("The convolution at index 0 of your network (F = 4, P = 0")
    assert "the 9×9 image itself" in result.hint
    assert "(9 − 4 + 2·0)/2 + 1 = 3.5 is not a whole number" in result.hint
    assert "pooling at index" not in result.hint and "before it" not in result.hint
    assert "summary" not in result.hint
    # the second convolution, after 9 − 4 + 2 + 1 = 8 pooled to 4: (4 − 3)/2 + 1 = 1.5
    second = _blocks(Conv2D(1, 12, 4, padding=1, rng=0), Conv2D(12, 24, 3, stride=2, rng=0))
    result = ch10.check_xoi_design(second)
    assert result.mistake == "convolution cannot tile"
    assert result.hint.startswith("The convolution at index 3 of your network")
    assert "the pooling at index 2 (F = 2, P = 0, S = 2) turns 8×8 into" in result.hint
    assert "(4 − 3 + 2·0)/2 + 1 = 1.5 is not a whole number" in result.hint
    # the same network with a stride the maps allow passes the tiling (and the check)
    fixed = _blocks(Conv2D(1, 12, 4, padding=1, rng=0), Conv2D(12, 24, 2, stride=2, rng=0))
    assert ch10.check_xoi_design(fixed).passed


def test_a_pooling_with_no_convolution_before_it_is_not_told_to_change_one():
    reset_tries()
    pool_first = Sequential(
        MaxPool2D(2),
        Conv2D(1, 12, 3, padding=1, rng=0),
        ReLU(),
        Conv2D(12, 24, 3, padding=1, rng=0),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(96, 3, rng=0),
    )
    result = ch10.check_xoi_design(pool_first)
    assert result.mistake == "pooling cannot tile"
    assert result.hint.startswith("The pooling at index 0 of your network")
    assert "(9 − 2 + 2·0)/2 + 1 = 4.5" in result.hint
    assert "No convolution comes before this pooling" in result.hint
    assert "of a convolution before it" not in result.hint
    # with a convolution before it, the hint points there
    assert "of a convolution before it" in ch10.tiling_hint(_xoi_net(first_kernel=3))
