"""Chapter 6 (cnnkit.book.ch06_dropout): the feature map, the masks, the explorer, the
experiment's network and curves, and the exercise checks."""

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

from cnnkit.book import ch06_dropout as ch6
from cnnkit.book.exercises import reset_tries
from cnnkit.layers import Dropout
from cnnkit.model import History

NOTEBOOK = "notebooks/06_dropout.ipynb"


# --------------------------------------------------------------------------- figures
def test_the_feature_map_is_a_relu_output_with_structure():
    m = ch6.feature_map()
    assert m.shape == (24, 24) and m.min() == 0 and m.max() > 1
    assert 0.2 < np.mean(m == 0) < 0.8


def test_the_mean_over_masks_converges_to_the_input():
    x = ch6.feature_map()
    few = np.abs(ch6.mean_over_masks(x, 0.5, 2) - x).max()
    many = np.abs(ch6.mean_over_masks(x, 0.5, 2000) - x).max()
    assert many < few / 5
    assert abs(ch6.mean_over_masks(x, 0.5, 2000).mean() / x.mean() - 1) < 0.01


def test_show_masks_draws_one_row_per_rate_and_titles_the_share_kept():
    fig = ch6.show_masks(ch6.feature_map(), [0.2, 0.8], n_masks=2)
    axes = fig.get_axes()
    assert len(axes) == 2 * 3
    assert axes[0].get_ylabel() == "p = 0.2" and axes[3].get_ylabel() == "p = 0.8"
    shares = [int(re.search(r"(\d+)% kept", ax.get_title()).group(1)) for ax in axes[4:6]]
    assert all(10 <= s <= 30 for s in shares)  # p = 0.8 keeps about 20 %


def test_show_curves_draws_training_and_test_per_run():
    h = History(loss=[1.0, 0.5], accuracy=[0.5, 0.7], val_loss=[1.1, 0.9], val_accuracy=[0.4, 0.6])
    fig = ch6.show_curves({"a": h, "b": h})
    lines = fig.get_axes()[0].get_lines()
    assert len(lines) == 4
    assert [line.get_linestyle() for line in lines] == ["--", "-", "--", "-"]
    assert list(lines[1].get_ydata()) == [1.1, 0.9]


def test_dense_net_shares_its_starting_weights_whatever_p():
    plain, dropped = ch6.dense_net(0.0, seed=3), ch6.dense_net(0.5, seed=3)
    assert len(plain) == 4 and len(dropped) == 5 and isinstance(dropped[3], Dropout)
    for a, b in zip(plain.parameters(), dropped.parameters(), strict=True):
        assert np.array_equal(a.value, b.value)


# --------------------------------------------------------------------------- explorer
@pytest.fixture
def explorer():
    return ch6.dropout_explorer()


def _row(page: str, label: str) -> str:
    return re.search(rf"<td>{re.escape(label)}</td><td[^>]*><b>([^<]+)</b>", page).group(1)


def test_it_has_three_labelled_controls(explorer):
    assert [c.description for c in explorer.controls.values()] == [
        "drop rate p",
        "mask (seed)",
        "scale kept by 1/(1 − p)",
    ]
    assert explorer.html.count("<img") == 3


def test_every_control_changes_the_output(explorer):
    start = explorer.html
    for change in ({"p": 0.2}, {"seed": 3}, {"scaled": False}):
        assert explorer.render(**change) != start, change


def test_the_means_in_the_table(explorer):
    x = ch6.feature_map()
    for p in (0.2, 0.5, 0.8):
        page = explorer.render(p=p, seed=1)
        shown = float(_row(page, "mean activation of the input"))
        assert shown == pytest.approx(x.mean(), abs=1e-4)
        assert float(_row(page, "mean over 200 masks")) == pytest.approx(x.mean(), rel=0.05)
        kept = float(_row(page, "units kept by this mask").rstrip("%")) / 100
        assert kept == pytest.approx(1 - p, abs=0.08)
        plain = explorer.render(p=p, seed=1, scaled=False)
        mean = float(_row(plain, "mean over 200 masks"))
        assert mean == pytest.approx((1 - p) * x.mean(), rel=0.05)


def test_p_zero_changes_nothing(explorer):
    page = explorer.render(p=0.0)
    assert _row(page, "units kept by this mask") == "100.0%"
    assert _row(page, "mean of this output") == _row(page, "mean activation of the input")


def test_the_web_form_is_every_state_and_light(explorer):
    names, data = explorer.web_states()
    assert len(data["states"]) == 9 * 5 * 2
    keys = np.random.default_rng(0).choice(sorted(data["states"]), size=6, replace=False)
    assert_web_states_render(explorer, keys)
    assert len(explorer.web_form()) < 1.5 * 2**20


# --------------------------------------------------------------------------- exercises
def right(x, p, training):
    if not training:
        return x
    return x * (np.random.default_rng().random(x.shape) >= p) / (1 - p)


def _mask(x, p):
    return np.random.default_rng(0).random(x.shape) >= p


@pytest.mark.parametrize(
    ("fn", "name", "word"),
    [
        (
            lambda x, p, t: x if not t else x * _mask(x, 1 - p) / (1 - p),
            "p kept instead of dropped",
            "DROPPING",
        ),
        (lambda x, p, t: x if not t else x * _mask(x, p), "forgot the scaling", "1 − p"),
        (
            lambda x, p, t: x if not t else x * _mask(x, p) * (1 - p),
            "multiplied by 1 − p",
            "divide",
        ),
        (lambda x, p, t: x * _mask(x, p) / (1 - p), "dropout at evaluation time", "training=False"),
        (lambda x, p, t: x[:50], "changed the shape", "shape"),
        # the 2014 paper's convention: p is the keep probability, and/or the factor
        # sits at test time
        (
            lambda x, p, t: x if not t else x * ~_mask(x, p) / p,
            "the paper's p (keep probability)",
            "KEEPING",
        ),
        (
            lambda x, p, t: x if not t else x * ~_mask(x, p),
            "the paper's p, unscaled",
            "KEEPING",
        ),
        (
            lambda x, p, t: x * (1 - p) if not t else x * _mask(x, p),
            "the paper's scaling, at test time",
            "inverted dropout",
        ),
        (
            lambda x, p, t: x * p if not t else x * ~_mask(x, p),
            "the paper's form and its p",
            "DROPPING",
        ),
        (
            lambda x, p, t: x * (1 - p) if not t else x * _mask(x, p) / (1 - p),
            "dropout at evaluation time",
            "unchanged",
        ),
    ],
)
def test_check_dropout_names_each_mistake(fn, name, word):
    assert_named(ch6.check_dropout(fn), name, word)


def test_check_dropout_passes_the_right_answer_and_waits_for_one():
    assert ch6.check_dropout(right).passed
    assert not_attempted(ch6.check_dropout(None))
    assert not_attempted(ch6.check_dropout(lambda x, p, training: None))


def test_kept_value_names_each_mistake_and_holds_the_answer_back():
    assert ch6.check_kept_value(4.0).passed
    for wrong, name in [
        (3.0, "not scaled"),
        (2.25, "multiplied by 1 − p"),
        (12.0, "divided by p"),
        (0.75, "multiplied by p"),
    ]:
        assert ch6.check_kept_value(wrong).mistake == name
    reset_tries()
    assert_held_back(ch6.check_kept_value(5.0))
    assert "4" in repr(ch6.check_kept_value(5.0, reveal=True))


def test_paper_rate():
    assert ch6.check_paper_rate(0.2).passed
    assert ch6.check_paper_rate(0.8).mistake == "copied the paper's p"
    assert ch6.check_paper_rate(1.25).mistake == "scale factor"
    reset_tries()
    assert_held_back(ch6.check_paper_rate(0.3))


def test_scale_rate():
    assert ch6.check_scale_rate((2 / 3, 1.5)).passed
    assert ch6.check_scale_rate((0.5, 2)).mistake == "doubled the factors"
    assert ch6.check_scale_rate((1.5, 2 / 3)).mistake == "swapped"
    assert ch6.check_scale_rate("2/3, 1.5").mistake == "not a pair"
    reset_tries()
    assert_held_back(ch6.check_scale_rate((0.7, 1.4)))


def test_the_test_time_question_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch6.check_test_time, ch6.TEST_TIME_OPTIONS, ch6._TEST_TIME_WHY)
    assert_notebook_lists(NOTEBOOK, ch6.TEST_TIME_OPTIONS)
