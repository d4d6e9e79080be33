import numpy as np
import pytest

from cnnkit.padding import pad


def test_int_pads_every_side_with_zeros():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    out = pad(x, 1)
    assert out.shape == (4, 5)
    np.testing.assert_array_equal(out[1:-1, 1:-1], x)
    assert out.sum() == x.sum()
    np.testing.assert_array_equal(out, np.pad(x, 1))


@pytest.mark.parametrize(
    ("padding", "widths"),
    [
        (0, ((0, 0), (0, 0))),
        ((2, 0), ((2, 2), (0, 0))),
        ((0, 1), ((0, 0), (1, 1))),
        ((1, 0, 2, 3), ((1, 0), (2, 3))),
    ],
)
@pytest.mark.parametrize("lead", [(), (3,), (2, 3)])
def test_only_the_last_two_axes_are_padded(padding, widths, lead):
    x = np.random.default_rng(0).standard_normal((*lead, 4, 5))
    expected = np.pad(x, [(0, 0)] * len(lead) + list(widths))
    out = pad(x, padding)
    np.testing.assert_array_equal(out, expected)
    assert out is not x


def test_value_dtype_and_uint8():
    x32 = np.ones((2, 2), dtype=np.float32)
    assert pad(x32, 1).dtype == np.float32
    out = pad(np.full((2, 2), 200, dtype=np.uint8), 1, value=-1.0)
    assert out.dtype == np.float64
    assert out[0, 0] == -1.0 and out[1, 1] == 200.0


def test_errors():
    with pytest.raises(
        ValueError,
        match=r"pad: padding must be a non-negative integer.*"
        r"got padding=-1",
    ):
        pad(np.ones((3, 3)), -1)
    with pytest.raises(ValueError, match=r"got padding=\(1, 2, 3\)"):
        pad(np.ones((3, 3)), (1, 2, 3))
    with pytest.raises(TypeError, match=r"got padding=1.5"):
        pad(np.ones((3, 3)), 1.5)
    with pytest.raises(ValueError, match=r"pad: x must have 2, 3 or 4 dimensions"):
        pad(np.ones(3), 1)
    with pytest.raises(TypeError, match=r"pad: x must hold real numbers"):
        pad(np.array([["a"]]), 1)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (None, TypeError),
        (True, TypeError),
        ("a", TypeError),
        (1j, TypeError),
        (np.array([1.0, 2.0]), TypeError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
    ],
)
def test_value_must_be_a_finite_real_number(value, error):
    # None used to pad with NaN, True with 1
    with pytest.raises(error, match=r"^pad: value must be a finite real number; got value="):
        pad(np.ones((2, 2)), 1, value=value)
