import numpy as np
import pytest

from cnnkit._checks import (
    as_batch,
    as_float_array,
    as_rng,
    check_finite,
    check_float_dtype,
    check_mode,
    check_ndim,
    check_nonnegative_int,
    check_number,
    check_positive_int,
    check_probability,
    pair,
    plural,
    reported_as,
    restore,
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
    # agreement in number: "1 dimension", not "1 dimensions"
    with pytest.raises(
        ValueError, match=r"^f: x must have 1 dimension \(N,\); got x with 2 dimensions"
    ):
        check_ndim(np.zeros((3, 4)), 1, "x", "f", layout="(N,)")
    with pytest.raises(ValueError, match=r"; got x with 1 dimension, shape \(3,\)$"):
        check_ndim(np.zeros(3), 4, "x", "f")


def test_plural():
    assert [plural(n, "channel") for n in (0, 1, 2)] == ["0 channels", "1 channel", "2 channels"]


@pytest.mark.parametrize("shape", [(5, 7), (3, 5, 7), (2, 3, 5, 7)])
def test_as_batch_and_restore_are_the_dimension_policy(shape):
    x = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    x4, ndim = as_batch(x, "x", "f")
    assert x4.ndim == 4 and ndim == len(shape) and x4.dtype == np.float64
    np.testing.assert_array_equal(restore(x4, ndim), x)
    with pytest.raises(ValueError, match=r"^f: x must have 4 dimensions \(N, C, H, W\); got x "):
        as_batch(x, "x", "f", (4,)) if len(shape) != 4 else as_batch(x[0], "x", "f", (4,))


def test_as_batch_refuses_other_forms():
    with pytest.raises(
        ValueError,
        match=r"^f: x must have 2, 3 or 4 dimensions \(H, W\) or \(C, H, W\) or \(N, C, H, W\); "
        r"got x with 5 dimensions",
    ):
        as_batch(np.zeros((1, 1, 1, 2, 2)), "x", "f")


def test_check_number_type_error_for_non_numbers_value_error_for_bad_values():
    positive = ("a positive number", lambda v: v > 0)
    assert check_number(2, "lr", "f", *positive) == 2.0
    with pytest.raises(TypeError, match=r"^f: lr must be a positive number; got lr='0.1'$"):
        check_number("0.1", "lr", "f", *positive)
    with pytest.raises(TypeError, match=r"got lr=True"):
        check_number(True, "lr", "f", *positive)
    with pytest.raises(ValueError, match=r"^f: lr must be a positive number; got lr=0$"):
        check_number(0, "lr", "f", *positive)
    with pytest.raises(ValueError, match=r"got lr=nan"):
        check_number(float("nan"), "lr", "f", *positive)


def test_check_nonnegative_int_and_float_dtype():
    assert check_nonnegative_int(0, "padding", "f") == 0
    with pytest.raises(ValueError, match=r"^f: padding must be a non-negative integer \(zeros\)"):
        check_nonnegative_int(-1, "padding", "f", "zeros")
    with pytest.raises(TypeError, match=r"got padding=1.0"):
        check_nonnegative_int(1.0, "padding", "f")
    assert check_float_dtype(np.float32, "f") == np.float32
    with pytest.raises(TypeError, match=r"^f: dtype must be a floating-point type"):
        check_float_dtype(np.int64, "f")


def test_reported_as_renames_only_the_named_functions():
    with pytest.raises(TypeError, match=r"^Layer.forward: x must hold real numbers$"):
        with reported_as("Layer.forward", "relu", "relu_grad"):
            raise TypeError("relu_grad: x must hold real numbers")
    with pytest.raises(ValueError, match=r"^other: unchanged$"):
        with reported_as("Layer.forward", "relu"):
            raise ValueError("other: unchanged")


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


def test_window_answers_plain_arguments_from_a_cache_and_still_refuses_bad_ones():
    from cnnkit._geometry import _window, window

    first = window((7, 7), 3, 2, 1, "floor", "conv2d")
    assert window((7, 7), 3, 2, 1, "floor", "conv2d") is first  # the cached object
    assert first == _window((7, 7), 3, 2, 1, "floor", "conv2d")
    assert window((7, 7), np.int64(3), (2, 2), (1, 1), "floor", "conv2d") == first
    # True hashes like 1: a cached stride=1 must not let stride=True through
    window((7, 7), 3, 1, 1, "strict", "conv2d")
    with pytest.raises(TypeError, match=r"^conv2d: stride must be a positive integer"):
        window((7, 7), 3, True, 1, "strict", "conv2d")
    with pytest.raises(TypeError, match=r"^conv2d: stride must be a positive integer"):
        window((7, 7), 3, (1, True), 1, "strict", "conv2d")
    for _ in range(2):  # an error is raised every time, never stored
        with pytest.raises(ValueError, match=r"^conv2d: .* is not a whole number"):
            window((7, 7), 2, 2, 0, "strict", "conv2d")


def test_copy_rows_is_copyto_whatever_the_layout():
    from cnnkit._geometry import copy_rows

    gen = np.random.default_rng(0)
    base = gen.standard_normal((3, 4, 7, 9)).astype(np.float32)
    cases = [
        (np.empty((3, 4, 5, 6), np.float32), base[..., 1:6, 2:8]),  # strided rows
        (np.empty((4, 3, 7, 9), np.float32), base.transpose(1, 0, 2, 3)),  # any order
        (np.empty((3, 4, 7, 9), np.float64), base),  # another dtype: a plain copy
        (np.empty((3, 4, 9, 7), np.float32), base.transpose(0, 1, 3, 2)),  # strided last axis
        (np.empty((3, 4, 7, 1), np.float32), base[..., :1]),  # rows of one number
        (np.empty((3, 4, 7, 9), np.float32), base[0, 0, 0]),  # broadcast source
        (np.empty((0, 4, 7, 9), np.float32), base[:0]),  # nothing to copy
    ]
    for target, source in cases:
        expected = np.empty_like(target)
        np.copyto(expected, source)
        copy_rows(target, source)
        np.testing.assert_array_equal(target, expected)
    # into a strided target: only the target's own cells change
    big = np.zeros((2, 3, 6, 8), np.float32)
    copy_rows(big[..., 1:5, 2:7], base[:2, :3, :4, :5])
    np.testing.assert_array_equal(big[..., 1:5, 2:7], base[:2, :3, :4, :5])
    big[..., 1:5, 2:7] = 0
    assert not big.any()
