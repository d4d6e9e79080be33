"""The introduction (cnnkit.book.introduction): LeNet-5, the dense-weight count and the checks."""

from __future__ import annotations

import re

from book_checks import (
    assert_held_back,
    assert_multiple_choice,
    assert_named,
    assert_notebook_lists,
    not_attempted,
    notebook_text,
)

from cnnkit.book import introduction
from cnnkit.book.exercises import reset_tries


def test_draw_lenet_labels_both_halves():
    ax = introduction.draw_lenet()
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


def test_the_data_for_a_cnn():
    assert introduction.check_data_for_cnn("b")
    table, grid = introduction.check_data_for_cnn("a"), introduction.check_data_for_cnn("c")
    assert_named(table, "(a) " + introduction.TOOL_OPTIONS["a"], "columns")
    assert_named(grid, "(c) " + introduction.TOOL_OPTIONS["c"], "grid")
    assert not_attempted(introduction.check_data_for_cnn(None))
    for _ in range(3):  # a multiple choice: the right option only when asked
        assert "spectrogram" not in repr(introduction.check_data_for_cnn("a"))
    assert "spectrogram" in repr(introduction.check_data_for_cnn("a", reveal=True))


def test_the_rows_of_a_c3_map():
    assert introduction.check_c3_rows(10)
    for wrong, word in [(9, "positions"), (14, "padding"), (12, "3×3")]:
        result = introduction.check_c3_rows(wrong)
        assert not result and word in result.hint
        for shown in (repr(result), result._repr_html_()):  # the answer waits for 3 tries
            assert bool(re.search(r"\b10\b", shown)) == (result.tries == 3)
    assert introduction.check_c3_rows(11).mistake is None


def test_the_two_halves():
    assert introduction.check_halves(introduction.HALVES)
    pooling = ["features", "classification", "classification", "classification"]
    assert "Pooling" in introduction.check_halves(pooling).hint
    dense = ["features", "features", "features", "classification"]
    assert "fully connected" in introduction.check_halves(dense).hint
    assert not_attempted(introduction.check_halves(None))
    # the right words as a tuple, capitalised or with spaces, are the right answer
    assert introduction.check_halves(tuple(introduction.HALVES))
    assert introduction.check_halves([" Features", "FEATURES", "Classification", "classification"])
    assert "fully connected" in introduction.check_halves(tuple(w.title() for w in dense)).hint


def test_the_data_for_a_cnn_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(
        introduction.check_data_for_cnn, introduction.TOOL_OPTIONS, introduction._TOOL_HINTS
    )
    assert_notebook_lists("book/introduction.ipynb", introduction.TOOL_OPTIONS)


def test_the_outputs_of_a_layer_of_two_neurons():
    assert introduction.check_layer_output([0.0, 3.5])
    assert_named(introduction.check_layer_output([-2.5, 3.5]), "forgot the ReLU", "ReLU")
    assert_named(introduction.check_layer_output([0.0, 4.5]), "forgot the biases", "bias")
    unexplained = introduction.check_layer_output([1.0, 1.0])
    assert not unexplained and unexplained.mistake is None and "ReLU" in unexplained.hint
    assert not_attempted(introduction.check_layer_output(None))


def test_the_notebook_shows_the_layer_the_check_uses():
    text = notebook_text("book/introduction.ipynb")
    assert "w = [[0.5, 1], [1, -1], [-1, 0.5]]" in text and "b = [0.5, -1]" in text
    assert "x = (2, -1, 3)" in text
    assert introduction.LAYER_X.tolist() == [[2.0, -1.0, 3.0]]
    assert introduction.LAYER_W.tolist() == [[0.5, 1.0], [1.0, -1.0], [-1.0, 0.5]]
    assert introduction.LAYER_B.tolist() == [0.5, -1.0]


def test_dense_weights_is_inputs_times_outputs():
    assert introduction.dense_weights((3, 32, 32), (6, 28, 28)) == 3072 * 4704
    assert introduction.dense_weights((4,), (5,)) == 20


def test_dense_against_conv_weights_on_a_larger_image():
    right = (6 * 5 * 5 * 3, 3 * 64 * 64 * 6 * 60 * 60)
    assert right == (450, 265_420_800)
    assert introduction.check_dense_vs_conv(right, side=64)
    for wrong, mistake, word in [
        ((1800, right[1]), "conv weights scaled with the image", "do not grow"),
        ((456, right[1]), "counted the biases", "biases"),
        ((450, 3 * 64 * 64 * 6 * 28 * 28), "kept the 28×28 output", "output"),
        ((450, 3 * 32 * 32 * 6 * 28 * 28), "kept the 32×32 count", "both"),
        ((450, 64 * 64 * 6 * 60 * 60), "left out the channels", "three values"),
    ]:
        assert_named(introduction.check_dense_vs_conv(wrong, side=64), mistake, word)
    reset_tries()  # the answer waits for three different wrong tries
    result = introduction.check_dense_vs_conv((1, 2), side=64)
    assert not result and result.mistake is None
    assert_held_back(result)
    asked = repr(introduction.check_dense_vs_conv((1, 2), side=64, reveal=True))
    assert "265420800" in asked.replace(",", "")
    assert introduction.check_dense_vs_conv((450, 3 * 32 * 32 * 6 * 28 * 28), side=32)
    assert not_attempted(introduction.check_dense_vs_conv(None))
    assert not introduction.check_dense_vs_conv("450 and lots")
