import pytest

from cnnkit.cost import ConvCost, conv2d_cost


def test_alexnet_conv1():
    cost = conv2d_cost((3, 227, 227), out_channels=96, kernel_size=11, stride=4)
    assert cost == ConvCost(
        output_shape=(96, 55, 55),
        positions=55 * 55,
        macs_per_filter=55 * 55 * 11 * 11 * 3,
        macs=96 * 55 * 55 * 11 * 11 * 3,
        params=96 * (11 * 11 * 3 + 1),
        weights=96 * 11 * 11 * 3,
        biases=96,
    )
    assert cost.params == 34944


def test_alexnet_224_rejected_and_floored():
    with pytest.raises(
        ValueError,
        match=r"^conv2d_cost: \(H - F \+ 2P\)/S \+ 1 = \(224 - 11 \+ 2·0\)/4 \+ 1 = 54\.25 is "
        r"not a whole number along the height",
    ):
        conv2d_cost((3, 224, 224), 96, 11, stride=4)
    assert conv2d_cost((3, 224, 224), 96, 11, stride=4, mode="floor").output_shape == (96, 54, 54)


def test_small_examples_and_stride_cost():
    cost = conv2d_cost((3, 6, 6), out_channels=4, kernel_size=3)
    assert cost.output_shape == (4, 4, 4)
    assert cost.params == 4 * 28
    same = conv2d_cost((1, 28, 28), 8, 3, padding="same")
    assert same.output_shape == (8, 28, 28)
    # doubling the stride divides the positions by about 4, not 2
    s1 = conv2d_cost((1, 33, 33), 1, 3, stride=1).positions
    s2 = conv2d_cost((1, 33, 33), 1, 3, stride=2).positions
    assert (s1, s2) == (31 * 31, 16 * 16)
    rect = conv2d_cost((2, 10, 12), 5, (3, 5), stride=(1, 2), padding=(1, 0), mode="floor")
    assert rect.output_shape == (5, 10, 4)
    assert rect.macs == 5 * 10 * 4 * 3 * 5 * 2


def test_errors():
    with pytest.raises(
        ValueError, match=r"^conv2d_cost: in_shape must be the shape of one example"
    ):
        conv2d_cost((1, 3, 6, 6), 4, 3)
    with pytest.raises(
        ValueError, match=r"out_channels must be a positive integer; got out_channels=0"
    ):
        conv2d_cost((3, 6, 6), 0, 3)
    with pytest.raises(ValueError, match=r"stride must be a positive integer .*got stride=0"):
        conv2d_cost((3, 6, 6), 4, 3, stride=0)
    with pytest.raises(ValueError, match=r"padding must be .*got padding=-1"):
        conv2d_cost((3, 6, 6), 4, 3, padding=-1)
    with pytest.raises(ValueError, match=r"the window \(F=7\) is larger than the padded input"):
        conv2d_cost((3, 6, 6), 4, 7)
