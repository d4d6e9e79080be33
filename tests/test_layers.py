import numpy as np
import pytest
from gradcheck import norm_rel_error, numeric_gradient
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnkit.activations import leaky_relu, sigmoid, tanh
from cnnkit.convolution import conv2d
from cnnkit.dense import dense
from cnnkit.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)
from cnnkit.pooling import avg_pool2d, max_pool2d

F64 = np.float64


def check_layer_gradients(layer, x, training=False, reset=None):
    """Check dx and every parameter gradient of ``layer`` at ``x`` against differences."""
    rng = np.random.default_rng(1)
    if reset:
        reset()
    dout = rng.standard_normal(layer.forward(x, training=training).shape)

    def loss():
        if reset:
            reset()  # the same dropout mask for every evaluation
        return float(np.sum(layer.forward(x, training=training) * dout))

    loss()
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    assert norm_rel_error(dx, numeric_gradient(loss, x)) < 1e-6
    for key, value in layer.params.items():
        analytic = layer.grads[key].copy()
        assert analytic.shape == value.shape and analytic.dtype == value.dtype
        assert norm_rel_error(analytic, numeric_gradient(loss, value)) < 1e-6, key


# ---------------------------------------------------------------- gradient checks


@pytest.mark.parametrize(
    ("kwargs", "x_shape"),
    [
        ({"in_channels": 2, "out_channels": 3, "kernel_size": 3}, (2, 2, 5, 5)),
        ({"in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1}, (2, 2, 4, 5)),
        ({"in_channels": 1, "out_channels": 2, "kernel_size": (2, 3), "stride": 2}, (2, 1, 6, 7)),
        (
            {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": (2, 1), "padding": 0},
            (1, 2, 7, 4),
        ),
        (
            {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "stride": 2, "mode": "floor"},
            (2, 1, 6, 6),
        ),
        ({"in_channels": 3, "out_channels": 2, "kernel_size": 1}, (2, 3, 3, 4)),
    ],
)
def test_conv2d_layer_gradients(kwargs, x_shape):
    layer = Conv2D(**kwargs, rng=0, dtype=F64)
    layer.params["b"][:] = np.random.default_rng(2).standard_normal(layer.params["b"].shape)
    x = np.random.default_rng(3).standard_normal(x_shape)
    check_layer_gradients(layer, x)


def test_dense_layer_gradients():
    layer = Dense(6, 4, rng=0, dtype=F64)
    check_layer_gradients(layer, np.random.default_rng(3).standard_normal((5, 6)))


@pytest.mark.parametrize(
    "layer", [ReLU(), LeakyReLU(alpha=0.1), Sigmoid(), Tanh(), Flatten()], ids=repr
)
def test_parameter_free_layer_gradients(layer):
    # values away from 0, where ReLU's kink would break the finite differences
    x = np.random.default_rng(4).standard_normal((2, 3, 4, 5))
    x[np.abs(x) < 1e-3] = 0.5
    check_layer_gradients(layer, x)


@pytest.mark.parametrize(
    ("layer", "hw"),
    [
        (MaxPool2D(2), (4, 6)),
        (MaxPool2D((2, 3), stride=(1, 2)), (5, 7)),
        (MaxPool2D(3, stride=2, mode="ceil"), (6, 8)),
        (AvgPool2D(2), (6, 4)),
        (AvgPool2D(3, stride=1), (5, 7)),
        (AvgPool2D(2, mode="ceil"), (5, 7)),
        (MaxPool2D(3, stride=2, padding=1), (5, 7)),
        (AvgPool2D(3, stride=2, padding=1, mode="ceil"), (6, 6)),
    ],
    ids=str,
)
def test_pooling_layer_gradients(layer, hw):
    x = np.random.default_rng(5).standard_normal((2, 2, *hw))
    check_layer_gradients(layer, x)


def test_dropout_layer_gradient_with_a_fixed_mask():
    layer = Dropout(0.4)

    def reset():
        layer.rng = np.random.default_rng(7)

    x = np.random.default_rng(6).standard_normal((3, 2, 4, 4))
    check_layer_gradients(layer, x, training=True, reset=reset)


# ---------------------------------------------------------------- the layers call the functions


def test_layers_compute_what_the_functional_core_computes():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 6))
    conv = Conv2D(3, 4, 3, stride=1, padding=1, rng=0, dtype=F64)
    conv.params["b"][:] = rng.standard_normal(4)
    expected = conv2d(x, conv.params["w"], conv.params["b"], stride=1, padding=1)
    np.testing.assert_allclose(conv.forward(x), expected, rtol=1e-12)
    np.testing.assert_array_equal(MaxPool2D(2).forward(x), max_pool2d(x, 2))
    np.testing.assert_array_equal(AvgPool2D(3, stride=3).forward(x), avg_pool2d(x, 3, stride=3))
    np.testing.assert_array_equal(Sigmoid().forward(x), sigmoid(x))
    np.testing.assert_array_equal(Tanh().forward(x), tanh(x))
    np.testing.assert_array_equal(LeakyReLU(alpha=0.2).forward(x), leaky_relu(x, alpha=0.2))
    np.testing.assert_array_equal(ReLU().forward(x), np.maximum(x, 0))
    flat = Flatten().forward(x)
    np.testing.assert_array_equal(flat, x.reshape(2, -1))
    fc = Dense(108, 5, rng=0, dtype=F64)
    np.testing.assert_allclose(fc.forward(flat), dense(flat, fc.params["w"], fc.params["b"]))


# ---------------------------------------------------------------- parameters


def test_params_and_grads_share_keys_shapes_and_dtype():
    for layer in (Conv2D(3, 4, (3, 5), rng=0), Dense(7, 2, rng=0)):
        assert set(layer.params) == set(layer.grads) == {"w", "b"}
        for key in layer.params:
            assert layer.params[key].dtype == np.float32
            assert layer.grads[key].shape == layer.params[key].shape
    assert Conv2D(3, 4, (3, 5), rng=0).params["w"].shape == (4, 3, 3, 5)
    assert Dense(7, 2, rng=0).params["w"].shape == (7, 2)
    for layer in (ReLU(), MaxPool2D(2), Flatten(), Dropout(0.5)):
        assert layer.params == {} and layer.grads == {}


def test_float32_layers_keep_float32_and_float64_layers_keep_float64():
    x = np.random.default_rng(0).standard_normal((2, 1, 5, 5))  # float64 input
    conv32 = Conv2D(1, 2, 3, rng=0)
    out32 = conv32.forward(x)
    assert out32.dtype == np.float32
    assert conv32.backward(np.ones_like(out32)).dtype == np.float32
    assert conv32.grads["w"].dtype == np.float32
    conv64 = Conv2D(1, 2, 3, rng=0, dtype=np.float64)
    assert conv64.forward(x).dtype == np.float64
    # the same seed gives the same weights, to float32 rounding
    np.testing.assert_allclose(conv32.params["w"], conv64.params["w"], rtol=1e-6)
    assert ReLU().forward(x.astype(np.float32)).dtype == np.float32


def test_uint8_input_is_converted_not_wrapped():
    img = np.full((1, 1, 3, 3), 200, dtype=np.uint8)
    conv = Conv2D(1, 1, 3, rng=0, dtype=F64)
    conv.params["w"][:] = 1.0
    assert conv.forward(img)[0, 0, 0, 0] == 1800.0


def test_he_initialisation_has_variance_two_over_fan_in():
    conv = Conv2D(16, 64, 5, rng=0)  # fan_in = 16 * 25 = 400
    assert abs(conv.params["w"].std() / np.sqrt(2 / 400) - 1) < 0.03
    assert abs(conv.params["w"].mean()) < 0.01
    fc = Dense(500, 200, rng=1)
    assert abs(fc.params["w"].std() / np.sqrt(2 / 500) - 1) < 0.03
    np.testing.assert_array_equal(conv.params["b"], 0.0)
    np.testing.assert_array_equal(fc.params["b"], 0.0)


def test_initialisation_is_reproducible_from_the_rng():
    a, b, c = Dense(4, 3, rng=5), Dense(4, 3, rng=5), Dense(4, 3, rng=6)
    np.testing.assert_array_equal(a.params["w"], b.params["w"])
    assert not np.array_equal(a.params["w"], c.params["w"])
    gen = np.random.default_rng(0)
    first, second = Conv2D(1, 2, 3, rng=gen), Conv2D(1, 2, 3, rng=gen)
    assert not np.array_equal(first.params["w"], second.params["w"])


# ---------------------------------------------------------------- dropout


def test_dropout_is_the_identity_unless_training_and_draws_no_numbers():
    layer = Dropout(0.5, rng=0)
    x = np.random.default_rng(1).standard_normal((4, 5))
    state = layer.rng.bit_generator.state
    assert layer.forward(x) is x
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), 1.0)
    assert layer.rng.bit_generator.state == state


def test_dropout_in_training_drops_about_p_and_scales_the_rest():
    layer = Dropout(0.25, rng=0)
    x = np.ones((200, 100), dtype=np.float32)
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.75], rtol=1e-6)
    assert abs((y == 0).mean() - 0.25) < 0.01
    dx = layer.backward(np.full_like(x, 2.0))
    np.testing.assert_array_equal(dx == 0, y == 0)  # the same mask
    # a new mask on each training pass
    assert not np.array_equal(layer.forward(x, training=True), y)


# ---------------------------------------------------------------- shapes and costs


@settings(max_examples=40, deadline=None)
@given(
    c=st.integers(1, 3),
    f=st.integers(1, 3),
    h=st.integers(3, 9),
    w=st.integers(3, 9),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    stride=st.sampled_from([1, 2, (1, 2), (3, 1)]),
    padding=st.sampled_from([0, 1, (0, 2)]),
)
def test_conv2d_output_shape_and_macs_agree_with_forward(c, f, h, w, kh, kw, stride, padding):
    layer = Conv2D(c, f, (kh, kw), stride=stride, padding=padding, mode="floor", rng=0)
    shape = layer.output_shape((c, h, w))
    out = layer.forward(np.zeros((2, c, h, w)))
    assert out.shape == (2, *shape)
    _, ho, wo = shape
    assert layer.macs((c, h, w)) == f * ho * wo * kh * kw * c


def test_book_example_six_by_six_by_three_with_four_filters():
    layer = Conv2D(3, 4, 3, rng=0)
    assert layer.output_shape((3, 6, 6)) == (4, 4, 4)
    assert sum(v.size for v in layer.params.values()) == 4 * (3 * 3 * 3 + 1)
    assert layer.macs((3, 6, 6)) == 4 * 4 * 4 * 27


def test_other_layers_output_shapes():
    assert MaxPool2D(2).output_shape((3, 8, 6)) == (3, 4, 3)
    assert AvgPool2D(3, stride=2, mode="ceil").output_shape((1, 6, 6)) == (1, 3, 3)
    assert Flatten().output_shape((3, 4, 5)) == (60,)
    assert Dense(60, 7).output_shape((60,)) == (7,)
    assert Dense(60, 7).macs((60,)) == 420
    assert ReLU().output_shape((3, 4, 5)) == (3, 4, 5) and ReLU().macs((3, 4, 5)) == 0


# ---------------------------------------------------------------- repr and errors


def test_reprs_read_like_the_constructor_calls():
    assert repr(Conv2D(1, 8, 3, padding=1)) == "Conv2D(1, 8, kernel_size=3, stride=1, padding=1)"
    assert (
        repr(Conv2D(3, 2, (3, 5), padding="same"))
        == "Conv2D(3, 2, kernel_size=(3, 5), stride=1, padding=(1, 2))"
    )
    assert repr(Conv2D(1, 2, 3, mode="floor")).endswith("padding=0, mode='floor')")
    assert repr(MaxPool2D(2)) == "MaxPool2D(kernel_size=2, stride=2)"
    assert repr(AvgPool2D(3, stride=1)) == "AvgPool2D(kernel_size=3, stride=1)"
    assert (
        repr(MaxPool2D(3, stride=2, padding=1)) == "MaxPool2D(kernel_size=3, stride=2, padding=1)"
    )
    assert repr(Dense(64, 10)) == "Dense(64, 10)"
    assert repr(Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(LeakyReLU(alpha=0.1)) == "LeakyReLU(alpha=0.1)"
    assert [repr(cls()) for cls in (ReLU, Sigmoid, Tanh, Flatten)] == [
        "ReLU()",
        "Sigmoid()",
        "Tanh()",
        "Flatten()",
    ]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Conv2D(0, 2, 3), ValueError, r"Conv2D: in_channels must be a positive integer"),
        (lambda: Conv2D(1, 2, 0), ValueError, r"Conv2D: kernel_size must be a positive integer"),
        (lambda: Conv2D(1, 2, 3, stride=0), ValueError, r"Conv2D: stride must be a positive"),
        (lambda: Conv2D(1, 2, 3, padding=-1), ValueError, r"Conv2D: padding must be a non-neg"),
        (lambda: Conv2D(1, 2, 4, padding="same"), ValueError, r'Conv2D: "same" padding keeps'),
        (lambda: Conv2D(1, 2, 3, mode="round"), ValueError, r"Conv2D: mode must be one of"),
        (lambda: Conv2D(1, 2, 3, dtype=np.int32), TypeError, r"Conv2D: dtype must be a floating"),
        (lambda: Dense(3, 0), ValueError, r"Dense: out_features must be a positive integer"),
        (lambda: Dropout(1.0), ValueError, r"Dropout: p must be a number in \[0, 1\)"),
        (
            lambda: LeakyReLU(alpha=-1),
            ValueError,
            r"LeakyReLU: alpha must be a finite non-negative number",
        ),
        (
            lambda: LeakyReLU(alpha="0.1"),
            TypeError,
            r"LeakyReLU: alpha must be a finite non-negative number",
        ),
        (lambda: MaxPool2D(0), ValueError, r"MaxPool2D: kernel_size must be a positive integer"),
        (lambda: MaxPool2D(2, 2), TypeError, r"positional argument"),
        (lambda: Conv2D(1, 2, 3, 2), TypeError, r"positional argument"),
        (lambda: AvgPool2D(2, stride=0), ValueError, r"AvgPool2D: stride must be a positive"),
    ],
)
def test_bad_construction_is_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_forward_errors_name_the_layer_and_the_rule():
    with pytest.raises(ValueError, match=r"Conv2D.forward: x has 3 channels but this layer "):
        Conv2D(1, 2, 3).forward(np.zeros((1, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"Conv2D.forward: x must have 4 dimensions"):
        Conv2D(1, 2, 3).forward(np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"Dense.forward: x has 4 features but this layer"):
        Dense(3, 2).forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"Dense.forward: x must have 2 dimensions.*Flatten"):
        Dense(3, 2).forward(np.zeros((2, 3, 1, 1)))
    with pytest.raises(TypeError, match=r"Conv2D.forward: x must hold real numbers"):
        Conv2D(1, 2, 3).forward(np.zeros((1, 1, 3, 3), dtype=complex))
    with pytest.raises(ValueError, match=r"Conv2D.output_shape: the input must have shape"):
        Conv2D(1, 2, 3).output_shape((2, 5, 5))
    with pytest.raises(ValueError, match=r"Conv2D.forward: x has 1 channel but"):
        Conv2D(2, 2, 3).forward(np.zeros((1, 1, 5, 5)))


def test_errors_inside_a_layer_name_the_layer_not_the_function_it_calls():
    with pytest.raises(ValueError, match=r"^Conv2D.forward: \(H - F \+ 2P\)/S \+ 1 = "):
        Conv2D(1, 2, 3, stride=2).forward(np.zeros((1, 1, 6, 6)))
    with pytest.raises(ValueError, match=r"^MaxPool2D.forward: x must have 4 dimensions"):
        MaxPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"^MaxPool2D.forward: .* = 2\.5 is not a whole number"):
        MaxPool2D(2).forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"^AvgPool2D.output_shape: .* = 2\.5 is not a whole"):
        AvgPool2D(2).output_shape((1, 5, 5))
    with pytest.raises(TypeError, match=r"^ReLU.forward: x must hold real numbers"):
        ReLU().forward(np.array(["a"]))
    with pytest.raises(ValueError, match=r"^Flatten.forward: x must have at least 2 dimensions"):
        Flatten().forward(np.zeros(3))
    pool = MaxPool2D(2)
    pool.forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"^MaxPool2D.backward: dout must have the shape"):
        pool.backward(np.zeros((1, 1, 3, 3)))
    conv = Conv2D(1, 1, 3)
    conv.forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"^Conv2D.backward: dout must have the shape"):
        conv.backward(np.zeros((1, 1, 3, 3)))


@pytest.mark.parametrize("layer", [Conv2D(1, 2, 3), Dense(2, 2), ReLU(), MaxPool2D(2), Flatten()])
def test_backward_before_forward_says_what_to_do(layer):
    with pytest.raises(RuntimeError, match=r"\.backward: no forward pass .* call forward first"):
        layer.backward(np.zeros((1, 2)))


# ---------------------------------------------------------------- bad input, checked


@pytest.mark.parametrize("make", [ReLU, Sigmoid, Tanh, LeakyReLU, Flatten, lambda: Dropout(0.5)])
@pytest.mark.parametrize("training", [False, True])
def test_backward_checks_dout_has_the_shape_of_the_forward_output(make, training):
    layer = make()
    name = type(layer).__name__
    out = layer.forward(np.ones((2, 3)), training=training)
    # (1, 3) and (4, 2, 3) broadcast against (2, 3): without the check they passed silently
    for bad in [np.ones((1, 3)), np.ones((4, 2, 3)), np.ones((3, 2))]:
        with pytest.raises(
            ValueError,
            match=rf"^{name}\.backward: dout must have the shape of the forward output "
            rf"\({out.shape[0]}, {out.shape[1]}\); got dout with shape",
        ):
            layer.backward(bad)
    for bad in [np.full(out.shape, "a"), None, "abc"]:
        with pytest.raises(TypeError, match=rf"^{name}\.backward: dout must hold real numbers"):
            layer.backward(bad)


def test_dropout_with_p_zero_still_checks_the_shape_of_dout():
    layer = Dropout(0.0)
    layer.forward(np.ones((2, 3)), training=True)
    with pytest.raises(ValueError, match=r"^Dropout\.backward: dout must have the shape"):
        layer.backward(np.ones((5, 7)))


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("x", [np.array(["a", "b"]), None, "abc"])
def test_dropout_forward_rejects_what_is_not_numbers_in_both_modes(x, training):
    with pytest.raises(TypeError, match=r"^Dropout\.forward: x must hold real numbers"):
        Dropout(0.5, rng=0).forward(x, training=training)


@pytest.mark.parametrize("flag", ["no", "False", None, 1])
def test_dropout_training_must_be_true_or_false(flag):
    # "False" is a truthy string: accepted, it would drop units in evaluation
    with pytest.raises(
        TypeError, match=r"^Dropout\.forward: training must be True or False; got training="
    ):
        Dropout(0.5, rng=0).forward(np.ones(8), training=flag)


@pytest.mark.parametrize("make", [lambda: MaxPool2D(2), lambda: AvgPool2D(2), Flatten, ReLU])
@pytest.mark.parametrize(
    ("in_shape", "error"),
    [
        ((3, 5.0, 5), TypeError),  # a float used to come back as 2.0
        ((3, 4.9, 4), TypeError),
        ((True, 4, 4), TypeError),
        ((3, -4, 4), ValueError),
        ((3, 0, 4), ValueError),
        (None, TypeError),
        ("abc", TypeError),
    ],
)
def test_output_shape_takes_positive_ints_only(make, in_shape, error):
    layer = make()
    with pytest.raises(
        error, match=rf"^{type(layer).__name__}\.output_shape: in_shape must be a tuple of"
    ):
        layer.output_shape(in_shape)


def test_output_shape_checks_the_number_of_axes():
    with pytest.raises(ValueError, match=r"^MaxPool2D\.output_shape: in_shape must be a tuple "):
        MaxPool2D(2).output_shape((4,))
    with pytest.raises(TypeError, match=r"^Dense\.output_shape: in_shape must be a tuple of 1 "):
        Dense(60, 7).output_shape((60.0,))  # (60.0,) == (60,) in Python
    with pytest.raises(TypeError, match=r"^Conv2D\.output_shape: in_shape must be a tuple of 3 "):
        Conv2D(3, 4, 3).output_shape(None)
    with pytest.raises(ValueError, match=r"^Conv2D\.macs: in_shape must be a tuple of 3 .*-8"):
        Conv2D(3, 4, 3).macs((3, -8, 8))


@pytest.mark.parametrize("cls", [MaxPool2D, AvgPool2D])
def test_pool_padding_over_half_the_window_is_rejected_at_construction(cls):
    # forward refuses it (a window of padding only); the layer used to be built anyway
    rule = rf"^{cls.__name__}: padding must be at most half the window \(P ≤ F/2\)"
    with pytest.raises(ValueError, match=rule):
        cls(2, padding=2)
    assert cls(2, padding=1).output_shape((1, 4, 4)) == (1, 3, 3)  # P = F/2 is allowed


@pytest.mark.parametrize(
    "make", [lambda: Conv2D(1, 2, 3, dtype=None), lambda: Dense(2, 2, dtype=None)]
)
def test_dtype_none_is_rejected_not_taken_as_float64(make):
    with pytest.raises(TypeError, match=r"^(Conv2D|Dense): dtype must be a floating-point type"):
        make()


def test_leaky_relu_layer_rejects_an_infinite_alpha():
    with pytest.raises(ValueError, match=r"^LeakyReLU: alpha must be a finite .*got alpha=inf$"):
        LeakyReLU(alpha=float("inf"))


def test_a_dense_layer_keeps_its_dtype_whatever_its_input():
    layer = Dense(4, 3, rng=0)  # float32 by default
    out = layer.forward(np.ones((2, 4)))  # float64 input
    assert out.dtype == np.float32
    dx = layer.backward(np.ones((2, 3)))
    assert dx.dtype == np.float32 and layer.grads["w"].dtype == np.float32


def test_he_initialisation_counts_both_sides_of_a_rectangular_filter():
    layer = Conv2D(16, 64, (1, 5), rng=0, dtype=np.float64)
    fan_in = 16 * 1 * 5
    assert abs(layer.params["w"].std() / np.sqrt(2 / fan_in) - 1) < 0.03
