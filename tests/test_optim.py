import numpy as np
import pytest

from cnnkit.optim import SGD, Adam, Parameter


def _param(value, grad, name="w"):
    return Parameter(name, np.array(value, dtype=float), np.array(grad, dtype=float))


def test_sgd_without_momentum_is_plain_gradient_descent():
    p = _param([1.0, -2.0], [0.5, -1.0])
    SGD(lr=0.1).step([p])
    np.testing.assert_allclose(p.value, [0.95, -1.9])


def test_sgd_momentum_accumulates_a_velocity():
    p = _param([0.0], [1.0])
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step([p])  # v = 1
    opt.step([p])  # v = 0.9 * 1 + 1 = 1.9
    np.testing.assert_allclose(p.value, [-0.1 - 0.19])


def test_adam_matches_the_textbook_algorithm():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(5, 3))
    p = _param(np.zeros(3), grads[0])
    opt = Adam(lr=0.01, betas=(0.8, 0.95), eps=1e-6)
    w, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads, start=1):
        p.grad[:] = g
        opt.step([p])
        m = 0.8 * m + 0.2 * g
        v = 0.95 * v + 0.05 * g**2
        m_hat, v_hat = m / (1 - 0.8**t), v / (1 - 0.95**t)
        w = w - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-6)
    np.testing.assert_allclose(p.value, w, rtol=1e-12)


def test_adam_first_step_has_size_lr_whatever_the_gradient_scale():
    p = _param([0.0, 0.0], [1e-4, -1e3])
    Adam(lr=0.01).step([p])
    np.testing.assert_allclose(p.value, [-0.01, 0.01], rtol=1e-3)


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.1)])
def test_updates_are_in_place_and_keep_float32(make):
    value = np.ones(4, dtype=np.float32)
    p = Parameter("w", value, np.full(4, 0.5, dtype=np.float32))
    opt = make()
    opt.step([p])
    opt.step([p])
    assert p.value is value and value.dtype == np.float32
    assert (value < 1).all()


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.5), lambda: Adam(0.1)])
def test_state_is_kept_per_parameter_name(make):
    a, b = _param([0.0], [1.0], "a"), _param([0.0], [1.0], "b")
    opt = make()
    opt.step([a, b])
    b.grad[:] = -1.0
    opt.step([a, b])
    assert a.value[0] < b.value[0]
    assert set(opt.state) == {"a", "b"}


def test_optimizers_minimise_a_quadratic():
    target = np.array([3.0, -2.0])
    for opt in (SGD(0.1), SGD(0.05, momentum=0.9), Adam(0.1)):
        p = _param([0.0, 0.0], [0.0, 0.0])
        for _ in range(300):
            p.grad[:] = 2 * (p.value - target)
            opt.step([p])
        np.testing.assert_allclose(p.value, target, atol=1e-3)


@pytest.mark.parametrize(
    ("make", "exc", "message"),
    [
        (lambda: SGD(0), ValueError, r"SGD: lr must be a positive number; got lr=0"),
        (lambda: SGD(-0.1), ValueError, r"SGD: lr must be a positive number; got lr=-0.1"),
        (
            lambda: SGD(0.1, momentum=1.0),
            ValueError,
            r"SGD: momentum must be a number in \[0, 1\)",
        ),
        (lambda: SGD("0.1"), TypeError, r"^SGD: lr must be a positive number; got lr='0.1'$"),
        (
            lambda: Adam(lr=float("nan")),
            ValueError,
            r"Adam: lr must be a positive number; got lr=nan",
        ),
        (
            lambda: Adam(betas=(0.9, 1.0)),
            ValueError,
            r"^Adam: betas\[1\] must be a number in \[0, 1\); got betas\[1\]=1.0$",
        ),
        (
            lambda: Adam(betas=(-0.1, 0.999)),
            ValueError,
            r"^Adam: betas\[0\] must be a number in \[0, 1\); got betas\[0\]=-0.1$",
        ),
        (
            lambda: Adam(betas=("0.9", 0.999)),
            TypeError,
            r"^Adam: betas\[0\] must be a number in \[0, 1\); got betas\[0\]='0.9'$",
        ),
        (lambda: Adam(betas=0.9), TypeError, r"^Adam: betas must be a pair .*got betas=0.9$"),
        (lambda: Adam(betas=(0.9,)), ValueError, r"^Adam: betas must be a pair"),
        (lambda: Adam(eps=0.0), ValueError, r"Adam: eps must be a positive number; got eps=0.0"),
    ],
)
def test_bad_hyperparameters_are_rejected(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


def test_step_before_backward_says_what_to_do():
    with pytest.raises(ValueError, match=r"Adam.step: parameter '0.w' has no gradient yet"):
        Adam().step([Parameter("0.w", np.zeros(2), None)])


def test_reprs():
    assert repr(SGD(0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"
    assert repr(Adam()) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08)"


def test_adam_moments_follow_each_parameter_when_the_list_changes():
    # the moments live in one flat vector; state holds views of it, by parameter name
    gen = np.random.default_rng(0)
    a = Parameter("a", gen.standard_normal((2, 3)), gen.standard_normal((2, 3)))
    b = Parameter("b", gen.standard_normal(4), gen.standard_normal(4))
    alone = Parameter("a", a.value.copy(), a.grad)
    together, single = Adam(0.1), Adam(0.1)
    together.step([a, b])
    single.step([alone])
    together.step([a])  # b left out: a keeps its moments
    single.step([alone])
    np.testing.assert_array_equal(a.value, alone.value)
    for mine, theirs in zip(together.state["a"], single.state["a"], strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert together.state["a"][0].shape == (2, 3)
    together.state.clear()  # a reset by hand is honoured: the moments start again at 0
    together.step([a, b])
    np.testing.assert_allclose(together.state["a"][0], (1 - 0.9) * a.grad, rtol=1e-12)


# ---------------------------------------------------------------- bad input, checked

OPTIMIZERS = {
    "SGD": lambda: SGD(0.1),
    "SGD momentum": lambda: SGD(0.1, momentum=0.9),
    "Adam": lambda: Adam(),
}


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
@pytest.mark.parametrize("grad_shape", [(1,), (1, 3), (3, 2), (6,), (2, 4)])
def test_a_grad_of_another_shape_is_rejected_not_broadcast(make, grad_shape):
    opt = make()
    p = Parameter("0.w", np.ones((2, 3)), np.ones(grad_shape))
    func = type(opt).__name__ + ".step"
    with pytest.raises(
        ValueError,
        match=rf"^{func}: the grad of '0\.w' must have the shape of its value \(2, 3\); "
        rf"got the grad of '0\.w' with shape",
    ):
        opt.step([p])
    np.testing.assert_array_equal(p.value, 1.0)  # nothing was updated


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_grads_and_values_must_be_real_float_arrays(make):
    opt = make()
    func = type(opt).__name__ + ".step"
    with pytest.raises(TypeError, match=rf"^{func}: the grad of 'w' must hold real numbers"):
        opt.step([Parameter("w", np.ones(2), np.array(["a", "b"]))])
    with pytest.raises(TypeError, match=rf"^{func}: the value of 'w' must be a float array"):
        opt.step([Parameter("w", np.ones(2, dtype=int), np.ones(2))])
    a, b = Parameter("a", np.ones(2), np.ones(2)), Parameter("b", np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match=rf"^{func}: the grad of 'b' must have the shape"):
        opt.step([a, b])
    np.testing.assert_array_equal(a.value, 1.0)  # checked before any update


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_step_says_to_pass_model_parameters(make):
    from cnnkit.layers import Dense
    from cnnkit.model import Sequential

    opt = make()
    rule = rf"^{type(opt).__name__}\.step: parameters must be the list of Parameter records "
    with pytest.raises(
        TypeError, match=rule + r"that model\.parameters\(\) returns; got parameters=None"
    ):
        opt.step(None)
    with pytest.raises(TypeError, match=rule + r".*got parameters\[0\]=array of shape \(3,\)"):
        opt.step([np.ones(3)])
    model = Sequential(Dense(2, 2, rng=0))
    with pytest.raises(TypeError, match=rule + r".*the model itself .*pass model\.parameters\(\)"):
        opt.step(model)
