"""Chapter 4 (cnnkit.book.ch04_relu): the activation figures, the combined filter, the
gradient through a deep stack, the activation explorer and the exercise checks."""

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

from cnnkit.activations import relu, relu_grad
from cnnkit.book import ch04_relu as ch4
from cnnkit.book.exercises import reset_tries
from cnnkit.convolution import conv2d
from cnnkit.layers import Conv2D, ReLU, Sigmoid
from cnnkit.model import lenet_digits


# --------------------------------------------------------------------------- the ideas
@pytest.mark.parametrize(("fa", "fb"), [(3, 3), (5, 3), (1, 3), (2, 4)])
def test_two_convolutions_equal_one_with_the_combined_filter(fa, fb):
    rng = np.random.default_rng(fa * 10 + fb)
    x = rng.standard_normal((11, 13))
    a, b = rng.standard_normal((fa, fa)), rng.standard_normal((fb, fb))
    c = ch4.combined_filter(a, b)
    assert c.shape == (fa + fb - 1, fa + fb - 1)
    np.testing.assert_allclose(conv2d(conv2d(x, a), b), conv2d(x, c), atol=1e-12)
    # a ReLU in between breaks the equality
    assert np.abs(conv2d(relu(conv2d(x, a)), b) - conv2d(x, c)).max() > 1e-3


def test_combined_filter_names_a_bad_shape():
    with pytest.raises(ValueError, match=r"combined_filter: a and b must be 2-D"):
        ch4.combined_filter(np.ones((1, 3, 3)), np.ones((3, 3)))


def test_sigmoid_gradients_vanish_and_relu_gradients_do_not():
    relu_norms = ch4.gradient_norms("ReLU", depth=20)
    sigmoid_norms = ch4.gradient_norms("sigmoid", depth=20)
    assert relu_norms.shape == sigmoid_norms.shape == (20,)
    assert sigmoid_norms[0] / sigmoid_norms[-1] < 1e-6
    assert 0.1 < relu_norms[0] / relu_norms[-1] < 10
    # the norm falls at every sigmoid layer on the way down
    assert np.all(np.diff(sigmoid_norms) > 0)


def test_gradient_factors_split_the_ratio_into_slopes_and_weights():
    for name in ("ReLU", "sigmoid", "tanh"):
        norms = ch4.gradient_norms(name, depth=20)
        f = ch4.gradient_factors(name, depth=20)
        assert np.isclose(f.ratio, norms[0] / norms[-1])
        assert np.isclose(f.slopes * f.weights, f.ratio)
        # He's initialisation: about sqrt(2) per weight layer
        assert abs(f.weights ** (1 / 19) - np.sqrt(2)) < 0.1
    sigmoid = ch4.gradient_factors("sigmoid", depth=20)
    assert sigmoid.mean_slope <= 0.25 and sigmoid.slopes <= 0.25**19
    assert 0.4 < ch4.gradient_factors("ReLU", depth=20).mean_slope < 0.6
    with pytest.raises(ValueError, match="depth must be at least 2"):
        ch4.gradient_factors("tanh", depth=1)


def test_digits_net_is_lenet_digits_with_another_activation():
    reference = lenet_digits(rng=0)
    net = ch4.digits_net("sigmoid", rng=0)
    assert [type(a).__name__ for a in net] == [
        "Sigmoid" if isinstance(b, ReLU) else type(b).__name__ for b in reference
    ]
    for mine, theirs in zip(net, reference, strict=True):
        for key, value in theirs.params.items():
            np.testing.assert_array_equal(mine.params[key], value)
    assert isinstance(ch4.digits_net("ReLU")[1], ReLU)
    assert isinstance(net[4], Sigmoid)


def test_relu_silence_counts_a_channel_killed_by_its_bias():
    net = ch4.digits_net("ReLU", rng=0)
    x = np.random.default_rng(0).standard_normal((20, 1, 8, 8)).astype(np.float32)
    before = ch4.relu_silence(net, x)
    assert [(s.channels, s.dead_channels) for s in before] == [(12, 0), (24, 0)]
    conv = net[0]
    assert isinstance(conv, Conv2D)
    conv.params["b"][0] = -1e3  # channel 0 can never be positive now
    after = ch4.relu_silence(net, x)
    assert len(after) == 2
    assert after[0].dead_channels == 1
    assert after[0].silent_positions >= before[0].silent_positions + 1 / 12 - 1e-9


def test_relu_silence_tells_a_silent_position_from_a_dead_channel():
    # images with ink only in their centre: the border positions of the first layer are
    # silent on every image, yet no channel is dead
    net = ch4.digits_net("ReLU", rng=0)
    for layer in net:
        if isinstance(layer, Conv2D):
            layer.params["w"][:] = 1.0
            layer.params["b"][:] = 0.0
    x = np.zeros((5, 1, 8, 8), dtype=np.float32)
    x[:, :, 3:5, 3:5] = 1.0
    first = ch4.relu_silence(net, x)[0]
    assert first.dead_channels == 0
    assert 0 < first.silent_positions < 1


def test_edge_map_is_the_signed_sobel_map_of_the_photo():
    m = ch4.edge_map()
    assert m.shape == (425, 638)
    assert m.min() < 0 < m.max()
    assert not m.flags.writeable


# --------------------------------------------------------------------------- figures
def test_show_activations_draws_four_functions_and_four_slopes():
    fig = ch4.show_activations()
    left, right = fig.axes
    labels = [line.get_label() for line in left.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["ReLU", f"leaky ReLU (α = {ch4.LEAKY_ALPHA})", "sigmoid", "tanh"]
    slopes = {line.get_label(): line.get_ydata() for line in right.get_lines()}
    assert max(slopes["sigmoid"]) == pytest.approx(0.25, abs=1e-3)
    assert max(slopes["tanh"]) == pytest.approx(1.0, abs=1e-3)
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_show_relu_maps_draws_before_and_after_on_one_scale():
    m = np.array([[-1.0, 2.0], [0.5, -3.0]])
    fig = ch4.show_relu_maps(m, lim=3.0)
    before, after = (ax.images[0] for ax in fig.axes[:2])
    assert before.get_clim() == after.get_clim() == (-3.0, 3.0)
    np.testing.assert_array_equal(after.get_array(), relu(m))


def test_show_gradient_norms_draws_one_line_per_activation():
    fig = ch4.show_gradient_norms({"ReLU": np.ones(3), "sigmoid": np.array([1e-3, 1e-2, 1.0])})
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == ["ReLU", "sigmoid"]


# --------------------------------------------------------------------------- the explorer
@pytest.fixture(scope="module")
def explorer():
    return ch4.activation_explorer()


def _shares(page: str) -> list[float]:
    return [float(v) for v in re.findall(r"zeros <b>([\d.]+)%</b>", page)]


def test_each_control_changes_the_output(explorer):
    start = explorer.render(activation="ReLU", bias=0.0)
    for change in [{"activation": "sigmoid"}, {"bias": -0.5}]:
        assert explorer.render(**{"activation": "ReLU", "bias": 0.0, **change}) != start
    labels = [c.description for c in explorer.controls.values()]
    assert labels == ["activation", "bias b"]


def test_relu_zeros_grow_as_the_bias_falls_and_sigmoid_has_none(explorer):
    m = ch4.edge_map()
    zeros = [_shares(explorer.render(activation="ReLU", bias=b))[1] for b in (0.5, 0.0, -0.5)]
    assert zeros == sorted(zeros) and zeros[0] < zeros[-1]
    assert zeros[1] == pytest.approx(100 * np.mean(relu(m) == 0), abs=0.05)
    assert _shares(explorer.render(activation="sigmoid", bias=0.0))[1] == 0.0


def test_an_unknown_activation_is_named():
    with pytest.raises(ValueError, match="activation must be one of"):
        ch4.activation_html("softplus", 0.0)


def test_the_web_form_has_every_state_and_stays_light(explorer):
    names, data = explorer.web_states()
    assert names == ["activation", "bias"]
    assert len(data["states"]) == len(ch4.ACTIVATIONS) * len(ch4.WEB_GRID["bias"])
    assert_web_states_render(explorer, ["0|0"])
    assert len(explorer.web_form()) < 1.5 * 2**20


# --------------------------------------------------------------------------- exercises
def test_relu_backward_passes_the_right_answer_and_names_each_mistake():
    assert_held_back(ch4.check_relu_backward(lambda dout, x: dout * (x < 0)))
    assert ch4.check_relu_backward(lambda dout, x: dout * (x > 0)).passed
    assert not_attempted(ch4.check_relu_backward(None))
    assert not_attempted(ch4.check_relu_backward(lambda dout, x: None))
    named = {
        "forgot dout": (lambda dout, x: relu_grad(x), "dout"),
        "used x >= 0": (lambda dout, x: dout * (x >= 0), "derivative at 0 to be 0"),
        "masked with the output": (lambda dout, x: dout * relu(x), "relu(x)"),
        "applied ReLU to dout": (lambda dout, x: np.maximum(dout, 0), "mask comes from x"),
        "returned dout unchanged": (lambda dout, x: dout, "unchanged"),
    }
    for mistake, (fn, word) in named.items():
        assert_named(ch4.check_relu_backward(fn), mistake, word)


def test_relu_backward_names_dout_unchanged_only_when_the_shown_case_says_so():
    # the case a reader is shown has dout of both signs, so relu(dout) differs from dout
    # there, and "returned dout unchanged" cannot name a function that did not
    result = ch4.check_relu_backward(lambda dout, x: np.maximum(dout, 0))
    assert result.mistake != "returned dout unchanged"
    dout, _ = ch4._relu_cases()[0].args
    assert dout.min() < 0 < dout.max()


def test_sigmoid_depth_names_each_mistake():
    assert_held_back(ch4.check_sigmoid_depth(0.001))
    assert ch4.check_sigmoid_depth(0.25**10).passed
    assert ch4.check_sigmoid_depth(0.25**6, depth=6).passed
    assert_named(ch4.check_sigmoid_depth(0.5**10), "slope taken as 0.5", "σ′(0)")
    assert_named(ch4.check_sigmoid_depth(2.5), "added the slopes", "multiply")
    assert_named(ch4.check_sigmoid_depth(0.25), "one layer only", "one layer")
    assert_named(ch4.check_sigmoid_depth(1.0), "slope taken as 1", "tanh")
    assert not_attempted(ch4.check_sigmoid_depth(None))


def test_sigmoid_depth_takes_two_significant_digits_and_names_only_one_digit_roundings():
    assert ch4.check_sigmoid_depth(9.5e-7).passed  # 0.25**10 = 9.54e-7
    assert ch4.check_sigmoid_depth(np.float32(9.5e-7)).passed
    # rounded to one significant digit, up or down
    assert_named(ch4.check_sigmoid_depth(1e-6), "rounded too coarsely", "two significant")
    assert_named(ch4.check_sigmoid_depth(9e-7), "rounded too coarsely", "reasoning is right")
    assert_named(ch4.check_sigmoid_depth(2e-4, depth=6), "rounded too coarsely", "two")
    # close, but no rounding of the answer: not told that the reasoning is right
    for near in (9.2e-7, 1.1e-6, 0.245**10):
        result = ch4.check_sigmoid_depth(near)
        assert not result.passed and result.mistake is None, near
        assert "reasoning is right" not in result.hint


def test_sigmoid_depth_names_one_sigmoid_too_few_or_too_many():
    reset_tries()
    assert_held_back(ch4.check_sigmoid_depth(0.25**9))
    assert_held_back(ch4.check_sigmoid_depth(0.25**11))
    assert_named(ch4.check_sigmoid_depth(0.25**9), "one sigmoid too few", "count")
    assert_named(ch4.check_sigmoid_depth(3.8e-6), "one sigmoid too few", "count")
    assert_named(ch4.check_sigmoid_depth(0.25**11), "one sigmoid too many", "count")
    assert_named(ch4.check_sigmoid_depth(0.25**5, depth=6), "one sigmoid too few", "6 sigmoids")


def test_why_nonlinear_is_a_multiple_choice_listed_in_the_notebook():
    assert_multiple_choice(ch4.check_why_nonlinear, ch4.NONLINEARITY_OPTIONS, ch4._NONLINEARITY_WHY)
    assert_notebook_lists("notebooks/04_relu.ipynb", ch4.NONLINEARITY_OPTIONS)


def test_stacked_size_follows_the_combined_filter():
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal((f, f)) for f in (3, 5, 3))
    size = ch4.combined_filter(ch4.combined_filter(a, b), c).shape[0]
    assert ch4.check_stacked_size(size, kernel_sizes=(3, 5, 3)).passed
    assert_held_back(ch4.check_stacked_size(11))
    assert "multiply" in ch4.check_stacked_size(27).hint
    assert "not by F" in ch4.check_stacked_size(9).hint
    assert "not by F" in ch4.check_stacked_size(9, kernel_sizes=(4, 5)).hint
    assert "widen" in ch4.check_stacked_size(3).hint


def test_threshold_design_runs_the_readers_bias():
    m = ch4.edge_map()
    good = -float(np.quantile(m, 0.93))
    assert ch4.check_threshold_design(good).passed
    assert ch4.check_threshold_design(np.float32(good)).passed
    assert_named(ch4.check_threshold_design(0.3), "positive bias", "positive")
    assert_named(ch4.check_threshold_design(-0.01), "keeps too many", "more negative")
    assert_named(ch4.check_threshold_design(-3.0), "keeps too few", "too negative")
    assert_named(ch4.check_threshold_design("big"), "not a number", "number")
    assert not_attempted(ch4.check_threshold_design(None))
    shown = ch4.check_threshold_design(-0.02, reveal=True)
    assert shown.expected_shown and ch4.check_threshold_design(shown.expected).passed
