"""The introduction (cnnkit.book.introduction): LeNet-5 and the three checks."""

from __future__ import annotations

import re

from book_checks import (
    assert_multiple_choice,
    assert_named,
    assert_notebook_lists,
    not_attempted,
)

from cnnkit.book import introduction


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


def test_the_data_for_a_cnn_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(
        introduction.check_data_for_cnn, introduction.TOOL_OPTIONS, introduction._TOOL_HINTS
    )
    assert_notebook_lists("book/introduction.ipynb", introduction.TOOL_OPTIONS)
