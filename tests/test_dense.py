import numpy as np
import pytest
from gradcheck import check_backward

from cnnkit.dense import dense, dense_backward, dense_forward, flatten


def test_flatten_is_c_order_and_keeps_the_batch():
    x = np.arange(24).reshape(2, 3, 2, 2)
    out = flatten(x)
    assert out.shape == (2, 12)
    np.testing.assert_array_equal(out[1], np.arange(12, 24))
    xf = np.ones((2, 3, 4), dtype=np.float32)
    assert np.shares_memory(flatten(xf), xf)  # no copy
    with pytest.raises(ValueError, match=r"^flatten: x must have at least 2 dimensions"):
        flatten(np.ones(3))


def test_dense_values():
    x = np.array([[1.0, 2.0]])
    w = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(dense(x, w, np.ones(3)), [[2, 3, 4]])
    np.testing.assert_array_equal(dense(x, w), [[1, 2, 3]])
    assert dense(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)).dtype == np.float32
    np.testing.assert_array_equal(dense(np.full((1, 2), 200, np.uint8), np.ones((2, 1))), [[400]])


def test_gradient_check():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    y, cache = dense_forward(x, w, b)
    dout = rng.standard_normal(y.shape)
    dx, dw, db = dense_backward(dout, cache)
    check_backward(
        lambda: dense_forward(x, w, b)[0],
        {"x": x, "w": w, "b": b},
        {"x": dx, "w": dw, "b": db},
        dout,
    )


def test_errors():
    with pytest.raises(
        ValueError,
        match=r"^dense: x has 4 features \(x.shape\[1\]\) but w expects 5 \(w.shape\[0\]\); "
        r"they must match$",
    ):
        dense(np.ones((2, 4)), np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"^dense: x must have 2 dimensions \(N, in_features\)"):
        dense(np.ones((2, 1, 4)), np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"b must have shape \(out_features,\) = \(3,\)"):
        dense(np.ones((2, 4)), np.ones((4, 3)), np.ones(4))
    with pytest.raises(TypeError, match=r"^dense_forward: w must hold real numbers"):
        dense_forward(np.ones((2, 4)), np.ones((4, 3), dtype=complex))
    _, cache = dense_forward(np.ones((2, 4)), np.ones((4, 3)))
    with pytest.raises(
        ValueError,
        match=r"^dense_backward: dout must have the shape of the forward output \(2, 3\); "
        r"got dout with shape \(3, 2\)$",
    ):
        dense_backward(np.ones((3, 2)), cache)


def test_backward_without_the_input_gradient():
    gen = np.random.default_rng(0)
    x, w, b = gen.standard_normal((5, 4)), gen.standard_normal((4, 3)), gen.standard_normal(3)
    _, cache = dense_forward(x, w, b)
    dout = gen.standard_normal((5, 3))
    dx, dw, db = dense_backward(dout, cache)
    none, dw2, db2 = dense_backward(dout, cache, input_grad=False)
    assert none is None and dx.shape == x.shape
    np.testing.assert_array_equal(dw2, dw)
    np.testing.assert_array_equal(db2, db)
    with pytest.raises(TypeError, match=r"^dense_backward: input_grad must be True or False"):
        dense_backward(dout, cache, input_grad="no")


def test_dense_backward_checks_its_cache_and_flag():
    from cnnkit.dropout import dropout_forward

    x, w = np.ones((2, 3)), np.ones((3, 4))
    _, cache = dense_forward(x, w)
    _, other = dropout_forward(x, 0.5, rng=0)
    for bad, got in ((other, "a DropoutCache"), (None, "None"), ((x, w, w), "a tuple")):
        with pytest.raises(
            TypeError, match=rf"^dense_backward: cache must be the DenseCache .* got {got}$"
        ):
            dense_backward(np.ones((2, 4)), bad)
    with pytest.raises(TypeError, match=r"^dense_backward: input_grad must be True or False"):
        dense_backward(np.ones((2, 4)), cache, input_grad=1)


def test_empty_arrays_are_refused():
    with pytest.raises(ValueError, match=r"^dense: x must hold at least one number .* \(2, 0\)"):
        dense(np.ones((2, 0)), np.ones((0, 4)))  # used to return the bias alone
    with pytest.raises(ValueError, match=r"^dense_forward: w must hold .* \(3, 0\)"):
        dense_forward(np.ones((2, 3)), np.ones((3, 0)))
    with pytest.raises(ValueError, match=r"^flatten: x must hold at least one number"):
        flatten(np.ones((0, 2, 2)))
