import numpy as np
import pytest
from gradcheck import numeric_gradient, rel_error

from cnnkit.activations import (
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)

PAIRS = [
    (relu, relu_grad),
    (sigmoid, sigmoid_grad),
    (tanh, tanh_grad),
    (leaky_relu, leaky_relu_grad),
    (lambda x: leaky_relu(x, alpha=0.2), lambda x: leaky_relu_grad(x, alpha=0.2)),
]


@pytest.mark.parametrize(("g", "g_grad"), PAIRS)
def test_derivative_matches_centered_differences(g, g_grad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)) * 3
    x[np.abs(x) < 1e-3] = 0.5  # stay away from the kink of the ReLUs
    dout = rng.standard_normal(x.shape)
    num = numeric_gradient(lambda: float(np.sum(g(x) * dout)), x)
    assert rel_error(num, dout * g_grad(x)) < 1e-6


def test_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(x), [0, 0, 3])
    np.testing.assert_array_equal(relu_grad(x), [0, 0, 1])  # relu_grad(0) = 0
    np.testing.assert_allclose(leaky_relu(x, alpha=0.1), [-0.2, 0, 3])
    np.testing.assert_allclose(leaky_relu_grad(x, alpha=0.1), [0.1, 0.1, 1])
    assert sigmoid(np.array(0.0)) == 0.5
    np.testing.assert_allclose(tanh(x), np.tanh(x))
    np.testing.assert_allclose(tanh(x), 2 * sigmoid(2 * x) - 1)


def test_sigmoid_is_stable_and_its_slope_at_most_a_quarter():
    with np.errstate(over="raise", invalid="raise"):
        s = sigmoid(np.array([-1000.0, -40.0, 40.0, 1000.0]))
    assert s[0] == 0.0 and s[-1] == 1.0
    np.testing.assert_allclose(s[1], np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-12)
    x = np.linspace(-10, 10, 2001)
    assert sigmoid_grad(x).max() == pytest.approx(0.25)
    assert tanh_grad(x).max() == pytest.approx(1.0)


@pytest.mark.parametrize("g", [relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad, leaky_relu])
def test_dtypes(g):
    assert g(np.ones(3, dtype=np.float32)).dtype == np.float32
    out = g(np.array([200, 100], dtype=np.uint8))
    assert out.dtype == np.float64
    with pytest.raises(TypeError, match=r"x must hold real numbers"):
        g(np.array(["a"]))


def test_uint8_relu_does_not_wrap():
    assert relu(np.array([200], dtype=np.uint8) + np.uint8(0))[0] == 200.0
    assert leaky_relu(np.array([250], dtype=np.uint8), alpha=0.5)[0] == 250.0


def test_alpha_errors():
    with pytest.raises(
        ValueError,
        match=r"^leaky_relu: alpha must be a finite non-negative number \(the slope for x < 0\); "
        r"got alpha=-0.1$",
    ):
        leaky_relu(np.ones(2), alpha=-0.1)
    with pytest.raises(TypeError, match=r"leaky_relu_grad: alpha .*got alpha='a'"):
        leaky_relu_grad(np.ones(2), alpha="a")


@pytest.mark.parametrize("g", [leaky_relu, leaky_relu_grad])
def test_infinite_alpha_is_rejected_not_turned_into_nan(g):
    # inf * 0 is NaN: leaky_relu(0, alpha=inf) used to return NaN without a word
    with pytest.raises(
        ValueError, match=rf"^{g.__name__}: alpha must be a finite .*got alpha=inf$"
    ):
        g(np.array([-1.0, 0.0, 1.0]), alpha=float("inf"))


def test_leaky_relu_with_a_slope_above_one():
    # alpha > 1 is allowed: the negative side is alpha * x, not max(x, alpha * x)
    np.testing.assert_array_equal(leaky_relu(np.array([-1.0, 2.0]), alpha=2.0), [-2.0, 2.0])
