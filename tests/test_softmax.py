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
