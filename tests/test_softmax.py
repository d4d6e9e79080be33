import numpy as np
import pytest
from gradcheck import numeric_gradient, rel_error

from cnnkit.softmax import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    log_softmax,
    softmax,
)


def test_softmax_is_a_distribution_and_stable():
    z = np.random.default_rng(0).standard_normal((4, 5)) * 10
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (p > 0).all()
    np.testing.assert_allclose(softmax(z + 1000.0), p)  # shift invariance, no overflow
    np.testing.assert_allclose(softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
    np.testing.assert_allclose(softmax(z.T, axis=0), p.T)
    np.testing.assert_allclose(log_softmax(z), np.log(p))
    assert np.isfinite(log_softmax(np.array([0.0, -1e4]))).all()
    assert softmax(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


def test_temperature():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z, temperature=2.0), softmax(z / 2))
    assert (
        softmax(z, temperature=100.0).std() < softmax(z).std() < softmax(z, temperature=0.1).std()
    )
    with pytest.raises(
        ValueError, match=r"^softmax: temperature must be a positive number; got temperature=0$"
    ):
        softmax(z, temperature=0)
    with pytest.raises(ValueError, match=r"got temperature=-1.0$"):
        softmax(z, temperature=-1.0)
    with pytest.raises(
        TypeError, match=r"^softmax: temperature must be a positive number; got temperature='2'$"
    ):
        softmax(z, temperature="2")


def test_cross_entropy_values():
    assert cross_entropy(np.zeros((2, 4)), [0, 3]) == pytest.approx(np.log(4))
    logits = np.array([[2.0, 1.0, 0.1]])
    p = np.exp(logits) / np.exp(logits).sum()
    assert cross_entropy(logits, np.array([0])) == pytest.approx(-np.log(p[0, 0]))
    assert np.isfinite(cross_entropy(np.array([[1000.0, -1000.0]]), [1]))


def test_cross_entropy_gradient_check():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 4))
    labels = rng.integers(0, 4, 5)
    num = numeric_gradient(lambda: cross_entropy(logits, labels), logits)
    grad = cross_entropy_grad(logits, labels)
    assert rel_error(num, grad) < 1e-6
    onehot = np.eye(4)[labels]
    np.testing.assert_allclose(grad, (softmax(logits) - onehot) / 5)


@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_grad])
def test_label_errors(func):
    name = func.__name__
    logits = np.zeros((3, 4))
    with pytest.raises(
        ValueError,
        match=rf"^{name}: labels must be class indices in \[0, 4\) for 4 classes; got "
        r"labels\[1\]=4$",
    ):
        func(logits, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"got labels\[2\]=-1$"):
        func(logits, [0, 1, -1])
    with pytest.raises(TypeError, match=rf"^{name}: labels must be integer class indices"):
        func(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(3,\)"):
        func(logits, [0, 1])
    with pytest.raises(
        ValueError,
        match=rf"^{name}: logits must have 2 dimensions \(N, n_classes\).*; "
        r"got logits with 1 dimension, shape \(4,\)$",
    ):
        func(np.zeros(4), [0])
    with pytest.raises(TypeError, match=r"logits must hold real numbers"):
        func(np.array([["a"]]), [0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_with_grad_is_the_two_functions_to_the_bit(dtype):
    gen = np.random.default_rng(3)
    logits = (gen.standard_normal((64, 10)) * 6).astype(dtype)
    labels = gen.integers(0, 10, 64)
    loss, grad = cross_entropy_with_grad(logits, labels)
    assert loss == cross_entropy(logits, labels)
    np.testing.assert_array_equal(grad, cross_entropy_grad(logits, labels))
    assert grad.dtype == dtype
    with pytest.raises(ValueError, match=r"^cross_entropy_with_grad: labels must be class"):
        cross_entropy_with_grad(logits, labels + 10)


# ---------------------------------------------------------------- bad input, checked


@pytest.mark.parametrize("f", [softmax, log_softmax])
@pytest.mark.parametrize(
    ("axis", "error"),
    [
        (2, ValueError),
        (-3, ValueError),
        (1.0, TypeError),
        (True, TypeError),
        (None, TypeError),
        ("1", TypeError),
    ],
)
def test_axis_must_be_an_axis_of_z(f, axis, error):
    # axis=None used to take the softmax over the whole array, without a word
    with pytest.raises(
        error, match=rf"^{f.__name__}: axis must be an integer in \[-2, 2\), an axis of z"
    ):
        f(np.ones((2, 3)), axis=axis)


@pytest.mark.parametrize("f", [softmax, log_softmax])
@pytest.mark.parametrize("shape", [(0,), (3, 0)])
def test_empty_z_is_rejected(f, shape):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: z must hold at least one score"):
        f(np.ones(shape))


@pytest.mark.parametrize("f", [softmax, log_softmax])
def test_plus_infinity_or_only_minus_infinity_has_no_softmax(f):
    with pytest.raises(
        ValueError, match=rf"^{f.__name__}: z must have a finite largest score .*\+inf"
    ):
        f(np.array([np.inf, 0.0]))
    with pytest.raises(
        ValueError, match=r"finite largest score .*only -inf in the slice at index \(1, 0\)"
    ):
        f(np.array([[0.0, 1.0], [-np.inf, -np.inf]]))
    np.testing.assert_allclose(softmax(np.array([-np.inf, 0.0])), [0.0, 1.0])  # -inf is fine


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("temperature", [1e-50, 1e-320])
def test_a_tiny_temperature_gives_the_argmax_not_nan(dtype, temperature):
    # z/T overflowed (and 1e-50 is 0 in float32): the result used to be NaN
    p = softmax(np.array([1.0, 2.0], dtype=dtype), temperature=temperature)
    assert p.dtype == dtype
    np.testing.assert_array_equal(p, [0.0, 1.0])


@pytest.mark.parametrize("f", [cross_entropy, cross_entropy_grad, cross_entropy_with_grad])
def test_cross_entropy_needs_an_example_and_a_class_and_finite_logits(f):
    name = f.__name__
    with pytest.raises(ValueError, match=rf"^{name}: logits must hold at least one example"):
        f(np.zeros((0, 4)), np.zeros(0, dtype=int))  # the mean of nothing was NaN
    with pytest.raises(
        ValueError, match=rf"^{name}: logits must hold at least one example and one class"
    ):
        f(np.zeros((3, 0)), [0, 0, 0])
    with pytest.raises(ValueError, match=rf"^{name}: logits must have a finite largest score"):
        f(np.array([[np.inf, 0.0]]), [0])


def test_log_softmax_along_another_axis():
    z = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(log_softmax(z, axis=0), np.log(softmax(z, axis=0)), rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(z, axis=0)).sum(axis=0), 1.0)
