"""Chapter 9 (cnnkit.book.ch09_softmax): the naive softmax and the entropy, the digit
classifier and the points of the chapter, the figures, the temperature explorer and the
exercise checks."""

from __future__ import annotations

import math
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

from cnnkit.book import ch09_softmax as ch9
from cnnkit.data import load_digits
from cnnkit.softmax import cross_entropy, log_softmax, softmax


# --------------------------------------------------------------------------- the ideas
def test_the_naive_softmax_agrees_with_cnnkit_until_exp_overflows_or_underflows():
    z = np.random.default_rng(0).standard_normal((5, 4))
    np.testing.assert_allclose(ch9.naive_softmax(z, axis=1), softmax(z, axis=1))
    for bad in ([1000.0, 999.0], [-1000.0, -1001.0]):
        assert np.all(np.isnan(ch9.naive_softmax(np.array(bad))))
        assert np.all(np.isfinite(softmax(np.array(bad))))
    # float32 stays float32, so it overflows at 89 already, float64 does not
    z32 = np.array([89.0, 88.0], dtype=np.float32)
    assert np.isnan(ch9.naive_softmax(z32)[0])
    assert np.all(np.isfinite(ch9.naive_softmax(z32.astype(np.float64))))
    np.testing.assert_allclose(ch9.naive_softmax(np.array([1, 2])), softmax(np.array([1, 2])))


def test_entropy_runs_from_zero_to_ln_k():
    assert ch9.entropy(np.array([0.0, 1.0, 0.0])) == 0.0
    assert ch9.entropy(np.full(5, 0.2)) == pytest.approx(math.log(5))
    p = softmax(np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), axis=1)
    h = ch9.entropy(p, axis=1)
    assert h.shape == (2,) and 0 < h[0] < h[1] == pytest.approx(math.log(3))


def test_three_blobs_are_seeded_and_centred_on_their_classes():
    x, y = ch9.three_blobs(30, rng=0)
    again, _ = ch9.three_blobs(30, rng=0)
    assert x.shape == (90, 2) and y.shape == (90,) and y.dtype == np.int64
    np.testing.assert_array_equal(x, again)
    assert not np.array_equal(x, ch9.three_blobs(30, rng=1)[0])
    for k in range(3):
        centre = x[y == k].mean(axis=0)
        assert np.linalg.norm(centre - ch9.BLOB_CENTRES[k]) < 0.6


def test_the_digit_examples_are_the_surest_and_the_least_sure_test_images():
    examples = ch9.digit_examples()
    data = load_digits()
    scores = ch9.digit_classifier().forward(data.x_test.astype(np.float64))
    top = softmax(scores, axis=1).max(axis=1)
    sure, unsure = examples["sure"], examples["unsure"]
    assert top[sure.index] == top.max() and top[unsure.index] == top.min()
    for ex in (sure, unsure):
        np.testing.assert_array_equal(ex.image, data.x_test[ex.index, 0])
        np.testing.assert_allclose(ex.scores, scores[ex.index])
        assert ex.label == data.y_test[ex.index]
    # the chapter reads them as a near-certain answer and a near tie
    assert softmax(sure.scores).max() > 0.99 and softmax(unsure.scores).max() < 0.3
    # the classifier is a real one: far better than chance on the test images
    assert np.mean(scores.argmax(axis=1) == data.y_test) > 0.9


# --------------------------------------------------------------------------- figures
def test_scores_and_probabilities_draw_a_row_per_digit():
    examples = list(ch9.digit_examples().values())
    fig = ch9.show_scores_and_probabilities(examples)
    assert len(fig.axes) == 3 * len(examples)
    probabilities = fig.axes[2]
    heights = [bar.get_height() for bar in probabilities.patches]
    np.testing.assert_allclose(heights, softmax(examples[0].scores))
    for ax in fig.axes[1::3] + fig.axes[2::3]:
        assert ax.get_xlabel() == "class" and ax.get_ylabel()


def test_temperatures_draw_one_panel_per_temperature():
    z = np.array([2.0, 1.0, 0.0])
    fig = ch9.show_temperatures(z, [0.5, 1, 4])
    assert len(fig.axes) == 3
    for ax, t in zip(fig.axes, [0.5, 1, 4], strict=True):
        heights = [bar.get_height() for bar in ax.patches]
        np.testing.assert_allclose(heights, softmax(z, temperature=t))
        assert f"T = {t:g}" in ax.get_title() and ax.get_xlabel() == "class"


def test_cross_entropy_curve_marks_each_answer():
    fig = ch9.show_cross_entropy({"right": 0.9, "wrong": 0.01})
    (ax,) = fig.axes
    curve, *marks = ax.get_lines()
    assert len(marks) == 2
    assert marks[1].get_ydata()[0] == pytest.approx(-math.log(0.01))
    np.testing.assert_allclose(curve.get_ydata(), -np.log(curve.get_xdata()))
    assert ax.get_xlabel() and ax.get_ylabel()


def test_training_figure_shades_the_predicted_classes_and_draws_the_loss():
    from cnnkit.layers import Dense
    from cnnkit.model import Sequential

    x, y = ch9.three_blobs(10, rng=0)
    net = Sequential(Dense(2, 3, rng=0, dtype=np.float64))
    losses = [1.1, 0.8, 0.5]
    fig = ch9.show_training(x, y, net, losses)
    left, right = fig.axes
    regions = left.images[0].get_array()
    assert set(np.unique(regions)) <= {0, 1, 2}
    np.testing.assert_array_equal(right.get_lines()[0].get_ydata(), losses)
    for ax in (left, right):
        assert ax.get_xlabel() and ax.get_ylabel()


# --------------------------------------------------------------------------- the explorer
@pytest.fixture(scope="module")
def explorer():
    return ch9.temperature_explorer()


def _largest(page: str) -> float:
    return float(re.search(r"Largest probability <b>([\d.]+)</b>", page).group(1))


def test_each_control_changes_the_output(explorer):
    labels = list(ch9.score_sets())
    start = explorer.render(scores=labels[0], temperature=1.0)
    assert explorer.render(scores=labels[0], temperature=3.0) != start
    assert explorer.render(scores=labels[2], temperature=1.0) != start
    assert [c.description for c in explorer.controls.values()] == ["scores", "temperature T"]


def test_the_explorer_shows_cnnkits_softmax_from_one_hot_to_uniform(explorer):
    three = "three scores: 2, 1, 0"
    page = explorer.render(scores=three, temperature=1.0)
    assert _largest(page) == pytest.approx(softmax(np.array([2.0, 1, 0])).max(), abs=5e-4)
    largest = [_largest(explorer.render(scores=three, temperature=t)) for t in (0.05, 1, 10)]
    assert largest == sorted(largest, reverse=True)
    assert largest[0] > 0.999 and largest[-1] < 0.4
    digit = next(key for key in ch9.score_sets() if "unsure" in key)
    page = explorer.render(scores=digit, temperature=1.0)
    assert "<img" in page and "<svg" in page and f"ln 10 = {math.log(10):.3f}" in page


def test_the_explorer_names_what_it_cannot_draw():
    with pytest.raises(ValueError, match="scores must be one of"):
        ch9.temperature_html("four scores", 1.0)
    with pytest.raises(ValueError, match="temperature must be a positive number"):
        ch9.temperature_html("three scores: 2, 1, 0", 0.0)


def test_the_web_form_has_every_state_and_stays_light(explorer):
    names, data = explorer.web_states()
    assert names == ["scores", "temperature"]
    assert len(data["states"]) == len(ch9.score_sets()) * len(ch9.WEB_TEMPERATURES)
    assert_web_states_render(explorer, ["0|0", "3|11", "1|6"])
    assert len(explorer.web_form()) < 1.5 * 2**20


# --------------------------------------------------------------------------- exercises
def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_check_runs_the_readers_function_and_names_each_mistake():
    assert ch9.check_softmax(_softmax_rows).passed
    assert_held_back(ch9.check_softmax(lambda z: _softmax_rows(z) * 0.9))
    assert not_attempted(ch9.check_softmax(None))
    assert not_attempted(ch9.check_softmax(lambda z: None))
    named = {
        "no max shift": (lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "nan"),
        "shifted by the largest score of the whole batch": (
            lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True),
            "own maximum",
        ),
        "one softmax over the flattened scores": (lambda z: softmax(z.ravel()), "1-D"),
        "normalised down the columns": (lambda z: softmax(z, axis=0), "axis=1"),
        "normalised over the whole batch": (
            lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
            "whole batch",
        ),
        "sum without keepdims": (
            lambda z: (
                np.exp(z - z.max(axis=1, keepdims=True))
                / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)
            ),
            "keepdims",
        ),
        "forgot to normalise": (lambda z: np.exp(z - z.max(axis=1, keepdims=True)), "divide"),
    }
    for mistake, (fn, word) in named.items():
        assert_named(ch9.check_softmax(fn), mistake, word)


def _cross_entropy(logits, labels):
    log_p = log_softmax(logits, axis=1)
    return -log_p[np.arange(len(labels)), labels].mean()


def test_cross_entropy_check_runs_the_readers_function_and_names_each_mistake():
    assert ch9.check_cross_entropy(_cross_entropy).passed
    assert ch9.check_cross_entropy(lambda logits, labels: cross_entropy(logits, labels)).passed
    assert_held_back(ch9.check_cross_entropy(lambda logits, labels: 2.0))
    assert not_attempted(ch9.check_cross_entropy(lambda logits, labels: None))

    def rows(logits, labels):
        return np.arange(len(labels)), labels

    def naive(logits, labels):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return -np.log(p[rows(logits, labels)]).mean()

    named = {
        "no max shift": (naive, "nan"),
        "no max shift in the log-sum-exp": (
            lambda lg, lb: (np.log(np.exp(lg).sum(axis=1)) - lg[rows(lg, lb)]).mean(),
            "log Σ exp",
        ),
        "log of the softmax": (
            lambda lg, lb: -np.log(softmax(lg, axis=1)[rows(lg, lb)]).mean(),
            "log(0)",
        ),
        "sum instead of mean": (
            lambda lg, lb: -log_softmax(lg, axis=1)[rows(lg, lb)].sum(),
            "mean",
        ),
        "the losses of the examples, not their mean": (
            lambda lg, lb: -log_softmax(lg, axis=1)[rows(lg, lb)],
            "one number, the mean",
        ),
        "the mean in a one-element array": (
            lambda lg, lb: np.array([_cross_entropy(lg, lb)]),
            "shape (1,)",
        ),
        "every label for every row": (
            lambda lg, lb: -log_softmax(lg, axis=1)[:, lb].mean(),
            "np.arange",
        ),
        "forgot the minus sign": (lambda lg, lb: -_cross_entropy(lg, lb), "negative"),
        "log base 2": (lambda lg, lb: _cross_entropy(lg, lb) / np.log(2), "base 2"),
        "log base 10": (lambda lg, lb: _cross_entropy(lg, lb) / np.log(10), "base 10"),
    }
    for mistake, (fn, word) in named.items():
        assert_named(ch9.check_cross_entropy(fn), mistake, word)


def test_the_losses_of_the_examples_need_more_than_one_example():
    # on the one-example case a wrapped mean and the per-example losses are the same
    # array of one loss: the batches tell them apart, whatever else is wrong
    def per_example_naive(logits, labels):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(len(labels)), labels])

    for fn in (
        lambda lg, lb: list(-log_softmax(lg, axis=1)[np.arange(len(lb)), lb]),
        per_example_naive,
    ):
        result = ch9.check_cross_entropy(fn)
        assert result.mistake == "the losses of the examples, not their mean"
    wrapped = ch9.check_cross_entropy(lambda lg, lb: np.array([_cross_entropy(lg, lb)]))
    assert wrapped.mistake == "the mean in a one-element array"
    assert "N numbers" not in wrapped.hint
    assert ch9.check_cross_entropy(lambda lg, lb: float(_cross_entropy(lg, lb))).passed


def test_shift_and_scale_takes_a_pair_of_words_and_names_each_mistake():
    assert ch9.check_shift_and_scale(("same", "flatter")).passed
    assert ch9.check_shift_and_scale([" Unchanged", "more uniform"]).passed
    assert_held_back(ch9.check_shift_and_scale(("sharper", "flatter")))
    assert not_attempted(ch9.check_shift_and_scale(None))
    assert_named(ch9.check_shift_and_scale("same"), "not a pair of words", "pair")
    assert_named(ch9.check_shift_and_scale(("same", "big")), "not a pair of words", "pair")
    assert_named(
        ch9.check_shift_and_scale(("sharper", "flatter")),
        "a shift changes the probabilities",
        "same factor",
    )
    assert_named(ch9.check_shift_and_scale(("same", "same")), "halving changes nothing", "gaps")
    assert_named(ch9.check_shift_and_scale(("same", "sharper")), "halving sharpens", "gaps")
    # the expected pair is what softmax does
    z = np.array(ch9.PREDICT_SCORES)
    np.testing.assert_allclose(softmax(z + 10), softmax(z))
    assert softmax(0.5 * z).max() < softmax(z).max()
    assert ch9.entropy(softmax(0.5 * z)) > ch9.entropy(softmax(z))


def test_score_design_runs_cnnkits_softmax_on_the_readers_scores():
    assert ch9.check_score_design([math.log(18), 0, 0]).passed
    assert ch9.check_score_design(np.array([5 + math.log(18), 5, 5])).passed
    assert ch9.check_score_design([2.9, 0.0, 0.0]).passed  # 0.9009: within 0.005
    assert_named(ch9.check_score_design([0.9, 0.05, 0.05]), "gave probabilities", "SCORES")
    assert_named(ch9.check_score_design([18, 1, 1]), "too confident", "closer")
    assert_named(ch9.check_score_design([1, 0, 0]), "not confident enough", "raise")
    assert_named(ch9.check_score_design([1, 2]), "not three numbers", "three")
    assert_named(ch9.check_score_design("big"), "not three numbers", "three")
    assert "0.576" in ch9.check_score_design([1, 0, 0]).hint  # what the reader's scores give
    assert not_attempted(ch9.check_score_design(None))
    shown = ch9.check_score_design([0.0, 0.0, 0.0], reveal=True)
    assert shown.expected_shown and ch9.check_score_design(shown.expected).passed
    assert ch9.check_score_design([math.log(8), 0, 0], target=0.8).passed


def test_softmax_facts_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(
        ch9.check_softmax_facts, ch9.SOFTMAX_FACTS_OPTIONS, ch9._SOFTMAX_FACTS_WHY
    )
    assert_notebook_lists("notebooks/09_softmax.ipynb", ch9.SOFTMAX_FACTS_OPTIONS)
    # option (b)'s counterexample and option (d)'s claim, computed
    assert softmax(np.array([1.0, 0.9, 0.2])).max() == pytest.approx(0.42, abs=0.005)
    z = np.array([3.0, -1.0, 0.5])
    np.testing.assert_allclose(softmax(z + 7.0), softmax(z))


def test_uniform_loss_is_ln_k_and_names_each_mistake():
    k = 10
    loss = cross_entropy(np.zeros((1, k)), [3])
    doubled = cross_entropy(np.zeros((1, 2 * k)), [3])
    assert ch9.check_uniform_loss((loss, doubled - loss)).passed
    assert ch9.check_uniform_loss((2.303, 0.693)).passed
    # two decimals, as the exercise says, are enough; one is not
    assert ch9.check_uniform_loss((2.3, 0.69)).passed
    assert ch9.check_uniform_loss((2.30, 0.70)).mistake == "rounded too coarsely"
    assert ch9.check_uniform_loss((math.log(4), math.log(2)), n_classes=4).passed
    assert_held_back(ch9.check_uniform_loss((2.0, 0.5)))
    assert not_attempted(ch9.check_uniform_loss(None))
    named = {
        "log base 10": ((1.0, math.log10(2)), "base 10"),
        "log base 2": ((math.log2(10), 1.0), "base 2"),
        "the probability instead of the loss": ((0.1, 0.05), "1/K"),
        "forgot the minus sign": ((-loss, -math.log(2)), "sign"),
        "the loss doubles": ((loss, loss), "does not double"),
        "gave the new loss": ((loss, doubled), "twice as many"),
        "not a pair of numbers": ("2.3", "pair"),
        "rounded too coarsely": ((2.3, 0.7), "two decimals"),
    }
    for mistake, (answer, word) in named.items():
        assert_named(ch9.check_uniform_loss(answer), mistake, word)
