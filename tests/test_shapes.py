import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnkit.shapes import output_shape2d, output_size, same_padding


def test_formula_on_worked_examples():
    assert output_size(227, 11, stride=4) == 55  # AlexNet conv1
    assert output_size(6, 3) == 4
    assert output_size(5, 3, padding=1) == 5
    assert output_size(32, 5, stride=1, padding=2) == 32


def test_strict_rejects_non_whole_output_showing_the_arithmetic():
    with pytest.raises(
        ValueError,
        match=r"^output_size: \(W - F \+ 2P\)/S \+ 1 = \(10 - 3 \+ 2·0\)/2 \+ 1 = 4\.5 is not a "
        r"whole number, so the windows cannot tile the input evenly\. .*mode='floor'.*"
        r"mode='ceil'",
    ):
        output_size(10, 3, stride=2)


def test_alexnet_224_does_not_fit():
    with pytest.raises(ValueError, match=r"\(224 - 11 \+ 2·0\)/4 \+ 1 = 54\.25 is not"):
        output_size(224, 11, stride=4)
    assert output_size(224, 11, stride=4, mode="floor") == 54


def test_floor_and_ceil():
    assert output_size(10, 3, stride=2, mode="floor") == 4
    assert output_size(10, 3, stride=2, mode="ceil") == 5
    assert output_size(9, 3, stride=2, mode="ceil") == 4  # whole: all modes agree
    # a last window that would start beyond the input is not added (PyTorch's rule)
    assert output_size(5, 1, stride=3, mode="ceil") == 2


def test_filter_larger_than_padded_input():
    with pytest.raises(
        ValueError,
        match=r"^output_size: the window \(F=5\) is larger than the padded input "
        r"\(W \+ 2P = 3\)",
    ):
        output_size(3, 5)
    assert output_size(3, 5, padding=1) == 1


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        (
            {"input_size": 0, "kernel_size": 1},
            ValueError,
            r"^output_size: input_size must be a positive integer; got input_size=0$",
        ),
        (
            {"input_size": 5, "kernel_size": 2.0},
            TypeError,
            r"kernel_size must be a positive integer; got kernel_size=2.0",
        ),
        (
            {"input_size": 5, "kernel_size": 3, "stride": 0},
            ValueError,
            r"stride must be a positive .*stride=0",
        ),
        ({"input_size": 5, "kernel_size": 3, "stride": -1}, ValueError, r"got stride=-1"),
        (
            {"input_size": 5, "kernel_size": 3, "padding": -1},
            ValueError,
            r"padding must be a non-negative integer",
        ),
        (
            {"input_size": 5, "kernel_size": 3, "padding": (1, 1)},
            TypeError,
            r"got padding=\(1, 1\)",
        ),
        ({"input_size": 5, "kernel_size": 3, "mode": "round"}, ValueError, r"mode must be one of"),
        ({"input_size": 5, "kernel_size": 3, "mode": 1}, TypeError, r"mode must be one of"),
    ],
)
def test_bad_arguments(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        output_size(**kwargs)


@given(
    n=st.integers(1, 40),
    F=st.integers(1, 8),
    S=st.integers(1, 4),
    P=st.integers(0, 3),
)
def test_floor_matches_counting_positions(n, F, S, P):
    if F > n + 2 * P:
        return
    positions = len(range(0, n + 2 * P - F + 1, S))
    assert output_size(n, F, stride=S, padding=P, mode="floor") == positions
    ceil = output_size(n, F, stride=S, padding=P, mode="ceil")
    assert ceil in (positions, positions + 1)
    if (n - F + 2 * P) % S == 0:
        assert output_size(n, F, stride=S, padding=P) == positions == ceil


def test_output_shape2d_per_axis_and_names_the_axis():
    assert output_shape2d((6, 8), (3, 5), stride=(1, 3)) == (4, 2)
    assert output_shape2d((7, 7), 3, stride=2, padding=(1, 0)) == (4, 3)
    with pytest.raises(ValueError, match=r"= 3\.5 is not a whole number along the width"):
        output_shape2d((7, 8), 3, stride=2)


def test_same_padding():
    assert [same_padding(F) for F in (1, 3, 5, 7)] == [0, 1, 2, 3]
    for F in (3, 5):
        assert output_size(9, F, padding=same_padding(F)) == 9
    with pytest.raises(
        ValueError,
        match=r'same_padding: "same" padding keeps the size only for an odd filter size and '
        r"stride 1; got kernel_size=4, stride=1",
    ):
        same_padding(4)
    with pytest.raises(ValueError, match=r"got kernel_size=3, stride=2"):
        same_padding(3, stride=2)
