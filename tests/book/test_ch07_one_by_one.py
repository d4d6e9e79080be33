"""Chapter 7 (cnnkit.book.ch07_one_by_one): the bottleneck's cost, its explorer and the
exercise checks."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
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

from cnnkit.book import ch07_one_by_one as ch7
from cnnkit.book.exercises import reset_tries
from cnnkit.convolution import conv2d
from cnnkit.data import sample_image, to_chw, to_grayscale

NOTEBOOK = "notebooks/07_one_by_one.ipynb"


def test_bottleneck_cost_adds_the_two_layers_by_hand():
    c = ch7.bottleneck_cost((192, 28, 28), 16, 32, 5)
    assert c.direct_macs == 28 * 28 * 25 * 192 * 32
    assert c.reduce_macs == 28 * 28 * 192 * 16 and c.reduce_params == 16 * 193
    assert c.after_macs == 28 * 28 * 25 * 16 * 32 and c.after_params == 32 * (25 * 16 + 1)
    assert c.bottleneck_macs == c.reduce_macs + c.after_macs


# --------------------------------------------------------------------------- explorer
@pytest.fixture
def explorer():
    return ch7.bottleneck_explorer()


def _numbers(page: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"<b>([\d,]+)</b>", page)]


def test_it_has_five_labelled_controls_and_shows_the_inception_numbers(explorer):
    assert [c.description for c in explorer.controls.values()] == [
        "input channels C",
        "reduced channels R",
        "output channels K",
        "filter size F",
        "image size H = W",
    ]
    c = ch7.bottleneck_cost((192, 28, 28), 16, 32, 5)
    numbers = _numbers(explorer.html)
    assert numbers[:2] == [c.direct_params, c.direct_macs]
    assert numbers[6:8] == [c.bottleneck_params, c.bottleneck_macs]
    assert "<svg" in explorer.html and "9.7×</b> fewer" in explorer.html


def test_every_control_changes_the_output(explorer):
    start = explorer.html
    for change in (
        {"in_channels": 64},
        {"reduced": 32},
        {"out_channels": 64},
        {"kernel_size": 3},
        {"size": 14},
    ):
        assert explorer.render(**change) != start, change


def test_a_bottleneck_that_does_not_pay_says_so(explorer):
    page = explorer.render(in_channels=64, reduced=64, out_channels=32, kernel_size=3)
    assert "MORE multiply-adds" in page


def test_the_web_form_is_every_state_and_light(explorer):
    names, data = explorer.web_states()
    assert len(data["states"]) == 4 * 4 * 3 * 2 * 2
    keys = np.random.default_rng(0).choice(sorted(data["states"]), size=6, replace=False)
    assert_web_states_render(explorer, keys)
    assert len(explorer.web_form()) < 1.5 * 2**20


# --------------------------------------------------------------------------- exercises
def test_conv1x1_check():
    def right(x, w):
        return np.einsum("kc,chw->khw", w, x)

    x, w = np.random.default_rng(0).normal(size=(3, 2, 2)), np.ones((2, 3))
    assert np.allclose(right(x, w), conv2d(x, w[:, :, None, None]))
    assert ch7.check_conv1x1(right).passed
    assert not_attempted(ch7.check_conv1x1(None))
    wrong = ch7.check_conv1x1(
        lambda x, w: (x.reshape(-1, x.shape[0]) @ w.T).T.reshape(w.shape[0], *x.shape[1:])
    )
    assert_named(wrong, "reshaped without moving the channels", "transpose")
    plain = ch7.check_conv1x1(lambda x, w: np.repeat(x.sum(0)[None], w.shape[0], 0))
    assert_named(plain, "no weights", "weighted sum")
    reset_tries()
    assert_held_back(ch7.check_conv1x1(lambda x, w: np.zeros((w.shape[0], *x.shape[1:]))))


def test_reduction_params():
    assert ch7.check_reduction_params(8256).passed
    assert ch7.check_reduction_params(8192).mistake == "forgot the bias"
    assert ch7.check_reduction_params(64 * (9 * 128 + 1)).mistake == "counted a 3×3 filter"
    assert ch7.check_reduction_params(129).mistake == "counted one filter"
    reset_tries()
    assert_held_back(ch7.check_reduction_params(8000))


def test_bottleneck_macs():
    c = ch7.bottleneck_cost(**ch7.INCEPTION_3X3)
    assert ch7.check_bottleneck_macs(c.bottleneck_macs).passed
    assert ch7.check_bottleneck_macs(c.after_macs).mistake == "forgot the 1×1 layer"
    wrong = c.reduce_macs + c.direct_macs
    assert ch7.check_bottleneck_macs(wrong).mistake == "3×3 on all the channels"
    reset_tries()
    assert_held_back(ch7.check_bottleneck_macs(123_456_789))


def test_the_one_by_one_question_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch7.check_one_by_one, ch7.ONE_BY_ONE_OPTIONS, ch7._ONE_BY_ONE_WHY)
    assert_notebook_lists(NOTEBOOK, ch7.ONE_BY_ONE_OPTIONS)


# --------------------------------------------------------------------------- colour mixing
def test_brightness_filter_is_chapter_one_grey_level():
    photo = sample_image("china")
    maps = conv2d(to_chw(photo), ch7.colour_weights())
    assert maps.shape == (3, *photo.shape[:2])
    assert np.allclose(maps[0], to_grayscale(photo) / 255)
    # red - green is positive exactly where the red channel exceeds the green one
    red, green = photo[..., 0].astype(int), photo[..., 1].astype(int)
    assert np.array_equal(maps[1] > 1e-12, red > green)


def test_colour_mixing_figure_draws_four_panels():
    rng = np.random.default_rng(0)
    photo = rng.random((12, 16, 3))
    maps = conv2d(photo.transpose(2, 0, 1), ch7.colour_weights())
    fig = ch7.colour_mixing_figure(photo, maps)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("photo") and titles[1] == "brightness"
    assert all(len(ax.images) == 1 for ax in fig.axes)
    plt.close(fig)
