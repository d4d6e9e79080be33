import numpy as np
import pytest
from gradcheck import norm_rel_error, numeric_gradient

from cnnkit.data import load_digits, xoi_patterns
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
from cnnkit.model import (
    LENET_DIGITS_RECIPE,
    History,
    Sequential,
    lenet_digits,
    train_lenet_digits,
)
from cnnkit.optim import SGD, Adam
from cnnkit.softmax import cross_entropy, cross_entropy_grad


def small_model(seed=0, dtype=np.float32):
    gen = np.random.default_rng(seed)
    return Sequential(
        Conv2D(1, 4, 3, padding=1, rng=gen, dtype=dtype),
        ReLU(),
        MaxPool2D(kernel_size=3, stride=3),
        Flatten(),
        Dense(4 * 3 * 3, 3, rng=gen, dtype=dtype),
    )


@pytest.fixture(scope="module")
def xoi():
    return xoi_patterns(90, rng=0)


# ---------------------------------------------------------------- gradient check


def test_gradient_check_through_a_small_sequential():
    dtype = np.float64
    gen = np.random.default_rng(0)
    dropout = Dropout(0.3)
    model = Sequential(
        Conv2D(2, 3, 3, padding=1, rng=gen, dtype=dtype),
        LeakyReLU(alpha=0.1),
        MaxPool2D(2),
        Conv2D(3, 4, (2, 3), stride=(1, 2), rng=gen, dtype=dtype),
        Tanh(),
        AvgPool2D(kernel_size=(2, 1)),
        Flatten(),
        dropout,
        Dense(4 * 1 * 2, 5, rng=gen, dtype=dtype),
        Sigmoid(),
        Dense(5, 3, rng=gen, dtype=dtype),
    )
    for p in model.parameters():
        if p.name.endswith(".b"):
            p.value[:] = gen.standard_normal(p.value.shape) * 0.1
    x = gen.standard_normal((3, 2, 6, 10))
    y = np.array([0, 2, 1])

    def loss():
        dropout.rng = np.random.default_rng(5)  # the same mask on every pass
        return cross_entropy(model.forward(x, training=True), y)

    dropout.rng = np.random.default_rng(5)
    logits = model.forward(x, training=True)
    assert logits.shape == (3, 3)
    dx = model.backward(cross_entropy_grad(logits, y))
    analytic = {p.name: p.grad.copy() for p in model.parameters()}
    assert len(analytic) == 8
    assert norm_rel_error(dx, numeric_gradient(loss, x)) < 1e-6
    for p in model.parameters():
        assert norm_rel_error(analytic[p.name], numeric_gradient(loss, p.value)) < 1e-6, p.name


# ---------------------------------------------------------------- structure


def test_backward_without_the_input_gradient_stops_at_the_first_layer_with_parameters():
    gen = np.random.default_rng(1)
    model = Sequential(ReLU(), *small_model(seed=2, dtype=np.float64))
    x = gen.standard_normal((3, 1, 9, 9))
    dlogits = gen.standard_normal((3, 3))
    model.forward(x, training=True)
    dx = model.backward(dlogits)
    grads = {p.name: p.grad.copy() for p in model.parameters()}
    assert dx.shape == x.shape
    model.forward(x, training=True)
    assert model.backward(dlogits, input_grad=False) is None
    for p in model.parameters():
        np.testing.assert_array_equal(p.grad, grads[p.name])
    assert Sequential(ReLU(), Flatten()).backward(np.ones((1, 2)), input_grad=False) is None
    with pytest.raises(TypeError, match=r"^Sequential.backward: input_grad must be True or False"):
        model.backward(dlogits, input_grad=None)


def test_parameters_are_the_layers_arrays_with_their_names():
    model = small_model()
    params = model.parameters()
    assert [p.name for p in params] == ["0.w", "0.b", "4.w", "4.b"]
    assert params[0].value is model[0].params["w"]
    assert params[2].grad is model[4].grads["w"]
    assert len(model) == 5 and list(model) == model.layers


def test_repr_lists_the_layers():
    text = repr(small_model())
    assert text.startswith("Sequential(\n  (0): Conv2D(1, 4, kernel_size=3")
    assert "(2): MaxPool2D(kernel_size=3, stride=3)\n" in text
    assert "(4): Dense(36, 3)" in text


def test_sequential_rejects_things_that_are_not_layers():
    with pytest.raises(TypeError, match=r"Sequential: layer 1 \(.*\) is not a layer"):
        Sequential(ReLU(), np.zeros(3))


def test_summary_numbers_on_a_hand_computable_model():
    model = Sequential(
        Conv2D(3, 4, 3, rng=0),  # 6x6x3 -> 4x4x4
        ReLU(),
        MaxPool2D(2),  # -> 2x2x4
        Flatten(),  # -> 16
        Dense(16, 5, rng=0),
    )
    s = model.summary((3, 6, 6))
    assert [r.output_shape for r in s.rows] == [(4, 4, 4), (4, 4, 4), (4, 2, 2), (16,), (5,)]
    # parameters K*(F*F*C + 1) = 4*(3*3*3 + 1); dense 16*5 + 5
    assert [r.params for r in s.rows] == [112, 0, 0, 0, 85]
    # multiply-adds: 4 filters * 16 positions * 27; dense 16*5
    assert [r.macs for r in s.rows] == [1728, 0, 0, 0, 80]
    # float32 activations: 64, 64, 16, 16, 5 numbers of 4 bytes
    assert [r.memory for r in s.rows] == [256, 256, 64, 64, 20]
    assert (s.total_params, s.total_macs, s.total_memory) == (197, 1808, 660)
    assert s.total_params == sum(p.value.size for p in model.parameters())
    text = str(s)
    assert "parameters" in text and "multiply-adds" in text and "memory" in text
    assert text.splitlines()[-1].split() == ["total", "197", "1,808", "660"]
    assert "Conv2D(3, 4, kernel_size=3, stride=1, padding=0)" in text
    html = s._repr_html_()
    assert html.startswith("<table>") and "<td" in html and "1,808" in html


def test_summary_memory_follows_the_dtype():
    model = Sequential(Flatten(), Dense(4, 2, rng=0, dtype=np.float64))
    assert [r.memory for r in model.summary((1, 2, 2)).rows] == [32, 16]


def test_summary_reports_an_impossible_shape():
    model = Sequential(Conv2D(1, 2, 3, stride=2, rng=0))
    with pytest.raises(ValueError, match=r"not a whole number"):
        model.summary((1, 6, 6))


# ---------------------------------------------------------------- training


def test_fit_learns_the_xoi_patterns(xoi):
    x, y = xoi
    model = small_model()
    history = model.fit(x, y, epochs=8, batch_size=16, optimizer=Adam(0.01), rng=0, progress=False)
    assert isinstance(history, History) and len(history) == 8
    assert history.loss[-1] < history.loss[0]
    assert history.accuracy[-1] > 0.9
    loss, accuracy = model.evaluate(x, y)
    assert isinstance(loss, float) and accuracy > 0.9


def test_fit_is_deterministic_for_a_fixed_seed(xoi):
    x, y = xoi
    runs = []
    for _ in range(2):
        model = small_model(seed=1)
        h = model.fit(
            x, y, epochs=2, batch_size=8, optimizer=SGD(0.05, momentum=0.9), rng=3, progress=False
        )
        runs.append((h.loss, [p.value.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(a, b)
    other = small_model(seed=1)
    h = other.fit(
        x, y, epochs=2, batch_size=8, optimizer=SGD(0.05, momentum=0.9), rng=4, progress=False
    )
    assert h.loss != runs[0][0]  # a different shuffle


def test_fit_with_validation_data_and_the_progress_bar(xoi, capsys):
    x, y = xoi
    model = small_model()
    h = model.fit(x[:60], y[:60], epochs=3, x_val=x[60:], y_val=y[60:], rng=0)
    assert len(h.val_loss) == len(h.val_accuracy) == len(h.seconds) == 3
    assert (h.val_loss[-1], h.val_accuracy[-1]) == model.evaluate(x[60:], y[60:])
    out = capsys.readouterr().out
    assert out.endswith("\n")
    # "\r" redraws the bar in place; what stays on screen is the text after the last one
    lines = [line.split("\r")[-1] for line in out[:-1].split("\n")]
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/3 [") and lines[2].startswith("epoch 3/3 [")
    assert "loss" in lines[0] and "accuracy" in lines[0] and "val_accuracy" in lines[0]


def test_progress_false_prints_nothing(xoi, capsys):
    x, y = xoi
    small_model().fit(x, y, epochs=1, rng=0, progress=False)
    assert capsys.readouterr().out == ""


def test_predictions(xoi):
    x, y = xoi
    model = small_model()
    proba = model.predict_proba(x)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(x), proba.argmax(axis=1))
    loss, accuracy = model.evaluate(x, y)
    assert accuracy == np.mean(model.predict(x) == y)
    assert loss == pytest.approx(cross_entropy(model.forward(x), y))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_fit_rejects_non_finite_input(xoi, bad):
    x, y = xoi
    x = x.copy()
    x[4, 0, 2, 3] = bad
    with pytest.raises(ValueError, match=r"Sequential.fit: x must contain only finite numbers"):
        small_model().fit(x, y, progress=False)
    with pytest.raises(ValueError, match=r"Sequential.fit: x_val must contain only finite"):
        small_model().fit(xoi[0], y, x_val=x, y_val=y, progress=False)


def test_fit_rejects_bad_labels_and_settings(xoi):
    x, y = xoi
    model = small_model()
    with pytest.raises(ValueError, match=r"Sequential.fit: y must have shape \(N,\) with N = "):
        model.fit(x, y[:-1], progress=False)
    with pytest.raises(TypeError, match=r"Sequential.fit: y must be integer class labels"):
        model.fit(x, y.astype(float), progress=False)
    with pytest.raises(ValueError, match=r"Sequential.fit: give both x_val and y_val"):
        model.fit(x, y, x_val=x, progress=False)
    with pytest.raises(ValueError, match=r"Sequential.fit: batch_size must be a positive"):
        model.fit(x, y, batch_size=0, progress=False)
    with pytest.raises(TypeError, match=r"Sequential.fit: optimizer must be an optimizer"):
        model.fit(x, y, optimizer="adam", progress=False)


def test_fit_stops_with_a_clear_error_when_training_diverges(xoi):
    x, y = xoi
    model = Sequential(Flatten(), Dense(81, 3, rng=0))
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match=r"diverged"):
        model.fit(x, y, epochs=3, optimizer=SGD(1e38), rng=0, progress=False)


# ---------------------------------------------------------------- save and load


def test_save_load_round_trip(tmp_path, xoi):
    x, _ = xoi
    trained = small_model(seed=0)
    trained.fit(x, xoi[1], epochs=1, rng=0, progress=False)
    path = tmp_path / "weights.npz"
    trained.save(path)
    fresh = small_model(seed=99)
    arrays_before = [p.value for p in fresh.parameters()]
    assert fresh.load(path) is fresh
    for a, b, same in zip(trained.parameters(), fresh.parameters(), arrays_before, strict=True):
        np.testing.assert_array_equal(a.value, b.value)
        assert b.value is same and b.value.dtype == np.float32  # loaded in place
    np.testing.assert_array_equal(trained.predict_proba(x), fresh.predict_proba(x))


def test_save_adds_the_npz_extension(tmp_path):
    model = small_model()
    model.save(tmp_path / "weights")
    assert (tmp_path / "weights.npz").exists()
    small_model(seed=5).load(tmp_path / "weights")  # finds weights.npz, like save
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["0.b", "0.w", "4.b", "4.w", "__layers__"]


def test_load_rejects_a_file_for_another_architecture(tmp_path):
    path = tmp_path / "other.npz"
    gen = np.random.default_rng(0)
    Sequential(
        Conv2D(1, 8, 3, padding=1, rng=gen), ReLU(), MaxPool2D(3), Flatten(), Dense(72, 3, rng=gen)
    ).save(path)
    model = small_model()
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(
        ValueError,
        match=r"Sequential.load: the arrays in .*other.npz' do not match this model's "
        r"parameters; 0.w has shape \(8, 1, 3, 3\) in the file but \(4, 1, 3, 3\)",
    ) as info:
        model.load(path)
    assert "The file was saved from: Conv2D(1, 8, kernel_size=3" in str(info.value)
    for p, old in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.value, old)  # nothing was half-loaded


def test_load_reports_missing_and_extra_arrays(tmp_path):
    path = tmp_path / "w.npz"
    np.savez(path, **{"0.w": np.zeros((4, 1, 3, 3)), "9.w": np.zeros(2)})
    with pytest.raises(ValueError, match=r"missing from the file: 0.b, 4.w, 4.b; in the file but"):
        small_model().load(path)


def test_load_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, **{"0.w": np.array([object()], dtype=object)})
    with pytest.raises(ValueError, match=r"allow_pickle=False"):
        small_model().load(path)


# ---------------------------------------------------------------- the chapter-10 network


def test_lenet_digits_architecture():
    model = lenet_digits(rng=0)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == [
        "Conv2D",
        "ReLU",
        "MaxPool2D",
        "Conv2D",
        "ReLU",
        "MaxPool2D",
        "Flatten",
        "Dense",
    ]
    s = model.summary((1, 8, 8))
    assert s.rows[-1].output_shape == (10,)
    assert s.total_params == 12 * (9 + 1) + 24 * (9 * 12 + 1) + 96 * 10 + 10
    assert LENET_DIGITS_RECIPE == {"epochs": 20, "batch_size": 64, "lr": 0.01}


def test_lenet_digits_reaches_97_percent_deterministically():
    # the training time is a benchmark figure (benchmarks/bench.py), not a test
    data = load_digits()
    result = train_lenet_digits(seed=0, progress=False)
    assert result.test_accuracy >= 0.97
    assert result.test_accuracy == result.model.evaluate(data.x_test, data.y_test)[1]
    # the same numbers again, to the last bit, on a short run
    short = [train_lenet_digits(seed=0, epochs=2, progress=False) for _ in range(2)]
    assert short[0].history.loss == short[1].history.loss
    np.testing.assert_array_equal(
        short[0].model.predict_proba(data.x_test), short[1].model.predict_proba(data.x_test)
    )
    assert short[0].history.loss == result.history.loss[:2]


class _RecordsMode(ReLU):
    """A ReLU that writes down the ``training`` flag of every forward pass."""

    def __init__(self) -> None:
        super().__init__()
        self.modes: list[bool] = []

    def forward(self, x, *, training=False):
        self.modes.append(training)
        return super().forward(x, training=training)


def test_fit_trains_in_training_mode_and_evaluate_predict_in_evaluation_mode(xoi):
    x, y = xoi
    spy = _RecordsMode()
    gen = np.random.default_rng(0)
    model = Sequential(Flatten(), Dense(81, 8, rng=gen), spy, Dense(8, 3, rng=gen))
    model.fit(x[:40], y[:40], epochs=2, batch_size=10, rng=0, progress=False)
    assert spy.modes == [True] * 8  # 2 epochs of 4 batches, all in training mode
    spy.modes.clear()
    model.fit(
        x[:40],
        y[:40],
        epochs=1,
        batch_size=20,
        x_val=x[40:50],
        y_val=y[40:50],
        rng=0,
        progress=False,
    )
    assert spy.modes == [True, True, False]  # two batches, then the validation pass
    inference = {
        "evaluate": lambda: model.evaluate(x[50:60], y[50:60]),
        "predict": lambda: model.predict(x[50:60]),
        "predict_proba": lambda: model.predict_proba(x[50:60]),
    }
    for name, run in inference.items():
        spy.modes.clear()
        run()
        assert spy.modes and not any(spy.modes), name


class _SeenDropout(Dropout):
    """A Dropout that keeps its last input, output and mode."""

    def forward(self, x, *, training=False):
        out = super().forward(x, training=training)
        self.seen = (x.copy(), out.copy(), training)
        return out


def test_dropout_drops_units_while_fitting_and_none_when_predicting(xoi):
    x, y = xoi
    gen = np.random.default_rng(0)
    drop = _SeenDropout(0.5, rng=1)
    model = Sequential(Flatten(), Dense(81, 16, rng=gen), drop, Dense(16, 3, rng=gen))
    model.fit(x[:10], y[:10], epochs=1, batch_size=10, rng=0, progress=False)
    h, out, training = drop.seen
    assert training and np.any((out == 0) & (h != 0))  # some units really were dropped
    model.predict(x[:10])
    h, out, training = drop.seen
    assert not training and np.array_equal(out, h)


# --------------------------------------------------------------------------- lenet_digits variants
def test_lenet_digits_variants_change_one_thing_and_keep_the_start():
    plain = lenet_digits(rng=1)
    average = lenet_digits(pool=AvgPool2D, rng=1)
    sigmoid = lenet_digits(activation=Sigmoid, rng=1)
    dropped = lenet_digits(dropout=0.5, rng=1)
    assert isinstance(average[2], AvgPool2D) and isinstance(average[5], AvgPool2D)
    assert isinstance(sigmoid[1], Sigmoid) and isinstance(sigmoid[4], Sigmoid)
    assert sigmoid[1] is not sigmoid[4]  # one layer for each place
    assert isinstance(dropped[7], Dropout) and dropped[7].p == 0.5
    assert isinstance(dropped[6], Flatten) and isinstance(dropped[8], Dense)
    for net in (average, sigmoid, dropped):
        for i in (0, 3):
            np.testing.assert_array_equal(net[i].params["w"], plain[i].params["w"])
        np.testing.assert_array_equal(net[-1].params["w"], plain[-1].params["w"])
    floor = lenet_digits(pool_mode="floor", classes=3)
    assert floor.forward(np.zeros((2, 1, 9, 9))).shape == (2, 3)
    with pytest.raises(ValueError, match="tile"):
        lenet_digits().forward(np.zeros((1, 1, 9, 9)))


def test_lenet_digits_names_a_wrong_option():
    with pytest.raises(TypeError, match="pool must be the layer class MaxPool2D or AvgPool2D"):
        lenet_digits(pool="min")
    with pytest.raises(TypeError, match="activation must make a layer without parameters"):
        lenet_digits(activation=Dense)
    with pytest.raises(TypeError, match="activation must make a layer without parameters"):
        lenet_digits(activation="tanh")
    with pytest.raises(ValueError, match="lenet_digits: dropout must be"):
        lenet_digits(dropout=1.5)
    with pytest.raises(ValueError, match="lenet_digits: classes must be"):
        lenet_digits(classes=0)


# ---------------------------------------------------------------- bad input, checked


def test_no_examples_is_a_clear_error():
    model = small_model()
    empty, none = np.ones((0, 1, 9, 9)), np.zeros(0, dtype=int)
    rule = r"x must hold at least one example \(N, C, H, W\); got x with shape \(0, 1, 9, 9\)"
    with pytest.raises(ValueError, match=rf"^Sequential\.fit: {rule}"):
        model.fit(empty, none, progress=False)  # was a ZeroDivisionError
    with pytest.raises(ValueError, match=rf"^Sequential\.predict: {rule}"):
        model.predict(empty)
    with pytest.raises(ValueError, match=rf"^Sequential\.predict_proba: {rule}"):
        model.predict_proba(empty)
    with pytest.raises(ValueError, match=rf"^Sequential\.evaluate: {rule}"):
        model.evaluate(empty, none)


def test_a_label_out_of_range_is_named_in_the_callers_array_before_any_step(xoi):
    x, y = xoi
    model = small_model()
    before = [p.value.copy() for p in model.parameters()]
    bad = y.copy()
    bad[7] = 3
    with pytest.raises(
        ValueError,
        match=r"^Sequential\.fit: y must hold class indices in \[0, 3\), the model has 3 class "
        r"scores; got y\[7\]=3$",
    ):
        model.fit(x, bad, batch_size=10, rng=0, progress=False)
    bad_val = y[:10].copy()
    bad_val[4] = -1
    with pytest.raises(ValueError, match=r"^Sequential\.fit: y_val must hold .*got y_val\[4\]=-1$"):
        model.fit(x, y, x_val=x[:10], y_val=bad_val, batch_size=10, rng=0, progress=False)
    for old, p in zip(before, model.parameters(), strict=True):
        np.testing.assert_array_equal(old, p.value)  # no training happened
    with pytest.raises(ValueError, match=r"^Sequential\.evaluate: y must hold .*got y\[7\]=3$"):
        model.evaluate(x, bad)
    with pytest.raises(
        ValueError, match=r"^Sequential\.fit: x_val must hold examples of the shape"
    ):
        model.fit(x, y, x_val=x[:, :, :8], y_val=y, progress=False)


def test_fit_wants_an_optimizer_object_and_a_real_bool(xoi):
    x, y = xoi
    with pytest.raises(
        TypeError,
        match=r"^Sequential\.fit: optimizer must be an optimizer object, not the "
        r"class; got optimizer=SGD: pass SGD\(\.\.\.\)",
    ):
        small_model().fit(x, y, optimizer=SGD, progress=False)
    with pytest.raises(TypeError, match=r"^Sequential\.fit: progress must be True or False"):
        small_model().fit(x, y, progress="no")
    with pytest.raises(TypeError, match=r"^Sequential\.forward: training must be True or False"):
        small_model().forward(x, training="False")


def test_errors_about_the_callers_arrays_name_the_method_called(xoi):
    x, y = xoi
    model = small_model()
    with pytest.raises(ValueError, match=r"^Sequential\.predict: x must have 4 dimensions"):
        model.predict(x[:, 0])
    with pytest.raises(ValueError, match=r"^Sequential\.fit: x has 2 channels but"):
        model.fit(np.ones((4, 2, 9, 9)), y[:4], progress=False)
    logits = model.forward(x[:6])
    with pytest.raises(ValueError, match=r"^Sequential\.backward: dout must have the shape"):
        model.backward(np.ones((6, logits.shape[1] + 1)))


@pytest.mark.parametrize(
    ("shape", "error"),
    [
        ((1, 4.9, 4.9), TypeError),
        ((True, 9, 9), TypeError),
        ("abc", TypeError),
        (None, TypeError),
        ((1, -9, 9), ValueError),
        ((), ValueError),
    ],
)
def test_summary_takes_a_shape_of_positive_ints(shape, error):
    # (1, 4.9, 4.9) used to be truncated to (1, 4, 4) without a word
    with pytest.raises(
        error, match=r"^Sequential\.summary: input_shape must be a tuple of positive"
    ):
        small_model().summary(shape)


def test_summary_names_the_layer_that_refuses_the_shape():
    with pytest.raises(
        ValueError,
        match=r"^Sequential\.summary: layer 0, Conv2D\(1, 4, .*without the batch axis; "
        r"got in_shape=\(1, 1, 9, 9\)",
    ):
        small_model().summary((1, 1, 9, 9))  # with the batch axis


def test_save_and_load_check_the_path(tmp_path):
    model = small_model()
    with pytest.raises(TypeError, match=r"^Sequential\.save: path must be a file name"):
        model.save(None)
    with pytest.raises(TypeError, match=r"^Sequential\.load: path must be a file name"):
        model.load(None)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    with pytest.raises(ValueError, match=r"^Sequential\.load: path must be an \.npz file"):
        model.load(junk)


def test_lenet_helpers_name_their_own_arguments():
    with pytest.raises(ValueError, match=r"^lenet_digits: pool_mode must be one of"):
        lenet_digits(pool_mode="x")
    with pytest.raises(TypeError, match=r"^train_lenet_digits: seed must be a non-negative"):
        train_lenet_digits(seed="a", progress=False)
    with pytest.raises(ValueError, match=r"^train_lenet_digits: epochs must be a positive"):
        train_lenet_digits(epochs=0, progress=False)


def test_the_recorded_loss_weights_each_batch_by_its_size(xoi):
    # batches of 3, 3, 3 and 1 images: the epoch's loss is the mean over the images, not
    # over the batches; with a learning rate of ~0 the weights do not move during the
    # epoch, so it equals the loss of the model evaluated after it
    x, y = xoi
    model = small_model(dtype=np.float64)
    h = model.fit(
        x[:10], y[:10], epochs=1, batch_size=3, optimizer=SGD(1e-12), rng=0, progress=False
    )
    assert np.isclose(h.loss[0], model.evaluate(x[:10], y[:10])[0], rtol=1e-6)


def test_predict_and_evaluate_in_chunks_match_one_pass(xoi, monkeypatch):
    import cnnkit.model

    x, y = xoi
    model = small_model(dtype=np.float64)
    whole = model.forward(x[:5])
    expected = (model.predict(x[:5]), model.evaluate(x[:5], y[:5]))
    monkeypatch.setattr(cnnkit.model, "_EVAL_CHUNK", 2)  # chunks of 2, 2 and 1 images
    predicted = model.predict(x[:5])
    assert predicted.shape == (5,)
    np.testing.assert_array_equal(predicted, whole.argmax(axis=1))
    np.testing.assert_array_equal(predicted, expected[0])
    assert np.allclose(model.evaluate(x[:5], y[:5]), expected[1])
