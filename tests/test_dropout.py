import numpy as np
import pytest
from gradcheck import check_backward

from cnnkit.dropout import dropout, dropout_backward, dropout_forward


def test_inverted_dropout_zeros_and_rescales():
    x = np.ones((200, 50))
    y = dropout(x, p=0.25, rng=0)
    assert set(np.unique(y)) == {0.0, 4 / 3}
    assert abs((y == 0).mean() - 0.25) < 0.02
    assert abs(y.mean() - 1.0) < 0.02  # the expected activation is preserved


def test_identity_at_test_time_and_for_p_zero():
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(dropout(x, 0.5, training=False), x)
    np.testing.assert_array_equal(dropout(x, 0.0, rng=1), x)
    y, cache = dropout_forward(x, 0.5, training=False)
    np.testing.assert_array_equal(dropout_backward(np.ones_like(x), cache), np.ones_like(x))


def test_seed_gives_the_same_mask_and_a_generator_advances():
    x = np.ones(100)
    np.testing.assert_array_equal(dropout(x, 0.5, rng=3), dropout(x, 0.5, rng=3))
    g = np.random.default_rng(3)
    assert not np.array_equal(dropout(x, 0.5, rng=g), dropout(x, 0.5, rng=g))


def test_gradient_check_with_a_fixed_mask():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5))
    y, cache = dropout_forward(x, 0.4, rng=7)
    dout = rng.standard_normal(y.shape)
    dx = dropout_backward(dout, cache)
    np.testing.assert_array_equal(dx == 0, y == 0)
    check_backward(lambda: dropout_forward(x, 0.4, rng=7)[0], {"x": x}, {"x": dx}, dout)


def test_dtypes():
    y, cache = dropout_forward(np.ones(10, dtype=np.float32), 0.5, rng=0)
    assert y.dtype == np.float32 and cache.mask.dtype == np.float32
    assert dropout(np.full(4, 200, dtype=np.uint8), 0.5, rng=0).max() == 400.0


def test_errors():
    with pytest.raises(
        ValueError,
        match=r"^dropout: p must be a number in \[0, 1\); got p=1\. p = 1 would drop "
        r"every unit, and the kept ones would be scaled by 1/\(1 - p\) = 1/0$",
    ):
        dropout(np.ones(3), 1)
    with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\); got p=1.5$"):
        dropout(np.ones(3), 1.5)
    with pytest.raises(ValueError, match=r"got p=-0.1$"):
        dropout(np.ones(3), -0.1)
    with pytest.raises(TypeError, match=r"got p='0.5'$"):
        dropout(np.ones(3), "0.5")
    with pytest.raises(TypeError, match=r"^dropout: rng must be a numpy Generator"):
        dropout(np.ones(3), 0.5, rng="seed")
    with pytest.raises(
        ValueError, match=r"^dropout_forward: p must be a number in \[0, 1\); got p=2"
    ):
        dropout_forward(np.ones(3), 2)
    with pytest.raises(TypeError, match=r"x must hold real numbers"):
        dropout(np.array(["a"]), 0.5)
    _, cache = dropout_forward(np.ones(3), 0.5, rng=0)
    with pytest.raises(
        ValueError,
        match=r"^dropout_backward: dout must have the shape of the forward input \(3,\); "
        r"got dout with shape \(4,\)$",
    ):
        dropout_backward(np.ones(4), cache)


def test_dropout_backward_checks_the_shape_of_dout_even_without_a_mask():
    x = np.ones((2, 3))
    for cache in (dropout_forward(x, 0.0)[1], dropout_forward(x, 0.5, training=False)[1]):
        assert cache.mask is None
        with pytest.raises(
            ValueError, match=r"^dropout_backward: dout must have the shape of the forward input"
        ):
            dropout_backward(np.ones((3, 2)), cache)  # used to come back unchanged
        with pytest.raises(TypeError, match=r"^dropout_backward: dout must hold real numbers"):
            dropout_backward(np.array(["abc"] * 6).reshape(2, 3), cache)


def test_dropout_flags_and_caches_are_checked():
    with pytest.raises(
        TypeError, match=r"^dropout: training must be True or False; got training='False'"
    ):
        dropout(np.ones(4), 0.5, training="False")  # a truthy string used to drop units
    with pytest.raises(
        TypeError, match=r"^dropout_backward: cache must be the DropoutCache .* got None$"
    ):
        dropout_backward(np.ones(4), None)
