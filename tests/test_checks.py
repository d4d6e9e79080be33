import numpy as np
import pytest

from cnnkit._checks import (
    as_float_array,
    as_rng,
    check_finite,
    check_mode,
    check_ndim,
    check_positive_int,
    check_probability,
    pair,
)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.bool_, np.float64),
        (np.uint8, np.float64),
        (np.int32, np.float64),
        (np.float32, np.float32),
        (np.float64, np.float64),
    ],
)
def test_as_float_array_converts_ints_and_keeps_floats(dtype, expected):
    x = np.ones((2, 2), dtype=dtype)
    assert as_float_array(x, "x", "f").dtype == expected


def test_as_float_array_no_copy_for_floats_and_no_uint8_wraparound():
    x = np.ones(3, dtype=np.float32)
    assert as_float_array(x, "x", "f") is x
    y = as_float_array(np.array([200, 100], dtype=np.uint8), "x", "f")
    assert y.sum() == 300.0


@pytest.mark.parametrize("bad", [np.array(["a"]), np.array([1j]), np.array([None])])
def test_as_float_array_rejects_non_numeric(bad):
    with pytest.raises(TypeError, match=r"myfunc: x must hold real numbers .*; got x with dtype"):
        as_float_array(bad, "x", "myfunc")


def test_check_ndim_message_names_layout_and_shape():
    with pytest.raises(
        ValueError,
        match=r"conv2d: x must have 4 dimensions \(N, C, H, W\); got x with 2 dimensions, "
        r"shape \(3, 4\)",
    ):
        check_ndim(np.zeros((3, 4)), 4, "x", "conv2d")
    check_ndim(np.zeros((3, 4)), (2, 3), "x", "conv2d")


def test_pair_accepts_int_and_pairs():
    assert pair(2, "stride", "f") == (2, 2)
    assert pair((1, 3), "stride", "f") == (1, 3)
    assert pair([np.int64(2), 1], "stride", "f") == (2, 1)
    assert pair(0, "padding", "f", positive=False) == (0, 0)


def test_pair_rejects_bad_values():
    with pytest.raises(
        ValueError,
        match=r"^conv2d: stride must be a positive integer or a pair of them; got "
        r"stride=0$",
    ):
        pair(0, "stride", "conv2d")
    with pytest.raises(ValueError, match=r"padding must be a non-negative integer .*padding=-1"):
        pair(-1, "padding", "conv2d", positive=False)
    with pytest.raises(ValueError, match=r"stride=\(1, -2\)"):
        pair((1, -2), "stride", "conv2d")
    for bad in (True, 1.5, (1, 2, 3), "2", None):
        with pytest.raises(TypeError, match="stride must be a positive integer"):
            pair(bad, "stride", "conv2d")


def test_check_positive_int():
    assert check_positive_int(np.int64(3), "n", "f") == 3
    with pytest.raises(ValueError, match=r"f: n must be a positive integer; got n=0"):
        check_positive_int(0, "n", "f")
    with pytest.raises(TypeError, match=r"got n=2.0"):
        check_positive_int(2.0, "n", "f")


def test_check_probability():
    assert check_probability(0, "p", "f") == 0.0
    assert check_probability(1, "p", "f", allow_one=True) == 1.0
    with pytest.raises(ValueError, match=r"f: p must be a number in \[0, 1\); got p=1"):
        check_probability(1, "p", "f")
    with pytest.raises(ValueError, match=r"got p=-0.1"):
        check_probability(-0.1, "p", "f")
    with pytest.raises(ValueError, match=r"got p=nan"):
        check_probability(float("nan"), "p", "f")
    with pytest.raises(TypeError, match=r"got p='0.5'"):
        check_probability("0.5", "p", "f")


def test_check_mode_and_finite():
    assert check_mode("ceil", "f") == "ceil"
    with pytest.raises(ValueError, match=r"f: mode must be one of 'strict', 'floor' or 'ceil'"):
        check_mode("round", "f")
    check_finite(np.ones(3), "x", "fit")
    with pytest.raises(
        ValueError,
        match=r"fit: x must contain only finite numbers; got 2 .* "
        r"index \(0, 1\)",
    ):
        check_finite(np.array([[1.0, np.nan], [np.inf, 0.0]]), "x", "fit")


def test_as_rng():
    g = np.random.default_rng(0)
    assert as_rng(g, "f") is g
    assert as_rng(5, "f").random() == np.random.default_rng(5).random()
    assert isinstance(as_rng(None, "f"), np.random.Generator)
    with pytest.raises(TypeError, match=r"f: rng must be a numpy Generator.*got rng='seed'"):
        as_rng("seed", "f")
    with pytest.raises(ValueError, match=r"got rng=-1"):
        as_rng(-1, "f")
