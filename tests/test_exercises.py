"""Tests for cnnkit.exercises: each check passes right answers, names each mistake it
lists, reports the reader's exceptions, and treats placeholders as not attempted.

The "reader" implementations below are written here from the textbook description, with
deliberate mistakes switched on one at a time; the reference values in a few tests come
from SciPy, independently of cnnkit.
"""

import doctest

import numpy as np
import pytest
from scipy.signal import correlate2d

import cnnkit.exercises as ex
from cnnkit.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_conv2d,
    check_conv2d_multichannel,
    check_conv_output_shape,
    check_feature_map_value,
    check_function,
    check_mac_count,
    check_macs,
    check_output_size,
    check_param_count,
    check_params,
    check_shape,
    check_value,
)


def assert_named(result: CheckResult, mistake: str, word: str) -> None:
    """A miss, attempted, naming ``mistake``, with ``word`` in its hint."""
    assert result.attempted
    assert not result.passed
    assert not result
    assert result.mistake == mistake, (result.mistake, result.hint)
    assert word.lower() in result.hint.lower()


def not_attempted(result: CheckResult) -> bool:
    return (not result.attempted) and (not result.passed) and "Not attempted" in repr(result)


# ---------------------------------------------------------------------------------------
# output size
# ---------------------------------------------------------------------------------------
def size_right(n, f, stride, padding):
    return (n - f + 2 * padding) // stride + 1


SIZE_MISTAKES = {
    "forgot the stride": (lambda n, f, s, p: n - f + 2 * p + 1, "stride"),
    "forgot the padding": (lambda n, f, s, p: (n - f) // s + 1, "padding"),
    "counted the padding once": (lambda n, f, s, p: (n - f + p) // s + 1, "n + 2p"),
    "off by one (missing + 1)": (lambda n, f, s, p: (n - f + 2 * p) // s, "add 1"),
    "off by one (one too many)": (lambda n, f, s, p: (n - f + 2 * p) // s + 2, "one too many"),
    "rounded up instead of down": (lambda n, f, s, p: -(-(n - f + 2 * p) // s) + 1, "round"),
    "did not round down": (lambda n, f, s, p: (n - f + 2 * p) / s + 1, "//"),
    "returned a float": (lambda n, f, s, p: float((n - f + 2 * p) // s + 1), "float"),
}


def test_output_size_right_answers_pass():
    result = check_output_size(size_right)
    assert result.passed and bool(result) and result.attempted
    assert result.n_cases == result.n_passed >= 6
    assert repr(result).startswith("✓ Correct")
    # numpy integers are whole numbers too
    assert check_output_size(lambda n, f, s, p: np.int64(size_right(n, f, s, p)))


@pytest.mark.parametrize("name", list(SIZE_MISTAKES))
def test_output_size_names_each_mistake(name):
    wrong, word = SIZE_MISTAKES[name]
    assert_named(check_output_size(wrong), name, word)


def test_output_size_miss_shows_a_case_where_the_value_differs():
    result = check_output_size(SIZE_MISTAKES["did not round down"][0])
    # the first cases are whole numbers (4.0 for 4); the shown case has a fractional size
    assert result.got != int(result.got)
    assert "stride=2" in result.case


def test_output_size_exception_is_reported_not_raised():
    def broken(n, f, stride, padding):
        raise ZeroDivisionError("division by zero")

    result = check_output_size(broken)
    assert result.attempted and not result.passed and result.mistake is None
    assert "ZeroDivisionError" in result.got and "division by zero" in result.got
    assert "ZeroDivisionError" in result.hint


def test_output_size_wrong_signature_gets_a_signature_hint():
    result = check_output_size(lambda n, f: n - f + 1)
    assert "TypeError" in result.got
    assert "fn(n, f, stride, padding)" in result.hint


def test_output_size_placeholders_are_not_attempted():
    def placeholder(n, f, stride, padding):
        pass

    def todo(n, f, stride, padding):
        raise NotImplementedError

    for fn in (placeholder, todo, None):
        assert not_attempted(check_output_size(fn))


def test_missing_return_on_some_cases_is_a_miss_not_a_placeholder():
    def sometimes(n, f, stride, padding):
        if padding == 0:
            return (n - f) // stride + 1

    result = check_output_size(sometimes)
    assert result.attempted and not result.passed
    assert "return" in result.hint


# ---------------------------------------------------------------------------------------
# 2-D convolution: a reader's loop version with switchable mistakes
# ---------------------------------------------------------------------------------------
def reader_conv(
    flip=False,
    stride_in_index=True,
    stride_in_size=True,
    pad_width=lambda p: p,
    transpose=False,
    plus_one=1,
):
    def conv(x, w, stride=1, padding=0):
        kernel = w[::-1, ::-1] if flip else w
        xp = np.pad(x, pad_width(padding))
        kh, kw = kernel.shape
        size_step = stride if stride_in_size else 1
        step = stride if stride_in_index else 1
        ho = (xp.shape[0] - kh) // size_step + plus_one
        wo = (xp.shape[1] - kw) // size_step + plus_one
        out = np.zeros((ho, wo))
        for i in range(ho):
            for j in range(wo):
                window = xp[i * step : i * step + kh, j * step : j * step + kw]
                out[i, j] = np.sum(window * kernel)
        return out.T if transpose else out

    return conv


def test_reader_conv_agrees_with_scipy():
    # the reader implementation used below is itself right when no mistake is switched on
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    got = reader_conv()(x, w, stride=2, padding=1)
    want = correlate2d(np.pad(x, 1), w, mode="valid")[::2, ::2]
    np.testing.assert_allclose(got, want)


def test_conv2d_right_answers_pass():
    result = check_conv2d(reader_conv())
    assert result.passed and result.n_cases >= 4
    # a list of lists is accepted as well as an array
    assert check_conv2d(
        lambda x, w, stride=1, padding=0: reader_conv()(x, w, stride, padding).tolist()
    )


def test_conv2d_cases_cover_the_knobs():
    cases = []

    def spy(x, w, stride=1, padding=0):
        cases.append((x.shape, w.shape, stride, padding))
        return reader_conv()(x, w, stride, padding)

    check_conv2d(spy)
    assert any(s == 2 for *_, s, _ in cases) and any(p == 1 for *_, p in cases)
    assert any(p == 0 for *_, p in cases)
    assert any(xs[0] != xs[1] for xs, *_ in cases)
    assert any(ws[0] != ws[1] for _, ws, *_ in cases)


CONV_MISTAKES = {
    "flipped the kernel": (reader_conv(flip=True), "cross-correlation"),
    "forgot the stride": (reader_conv(stride_in_index=False, stride_in_size=False), "stride"),
    "forgot the padding": (reader_conv(pad_width=lambda p: 0), "pad"),
    "padded with the wrong amount": (reader_conv(pad_width=lambda p: 2 * p), "2p"),
    "swapped H and W": (reader_conv(transpose=True), "height"),
    "off by one in the output size": (reader_conv(plus_one=0), "⌊(n − f + 2p)/s⌋ + 1"),
}


@pytest.mark.parametrize("name", list(CONV_MISTAKES))
def test_conv2d_names_each_mistake(name):
    wrong, word = CONV_MISTAKES[name]
    result = check_conv2d(wrong)
    assert_named(result, name, word)
    assert isinstance(result.expected, np.ndarray)
    assert result.case and set(result.inputs) == {"x", "w"}


def test_conv2d_other_forms_of_the_same_mistakes():
    # the right number of positions but stride-1 windows
    result = check_conv2d(reader_conv(stride_in_index=False))
    assert_named(result, "forgot the stride", "stride")
    # padding on the top and the left only
    result = check_conv2d(reader_conv(pad_width=lambda p: ((p, 0), (p, 0))))
    assert_named(result, "padded with the wrong amount", "all four sides")


def test_conv2d_exceptions_in_reader_code_are_reported():
    def swapped_slice(x, w, stride=1, padding=0):
        xp = np.pad(x, padding)
        kh, kw = w.shape
        ho = (xp.shape[0] - kh) // stride + 1
        wo = (xp.shape[1] - kw) // stride + 1
        out = np.zeros((ho, wo))
        for i in range(ho):
            for j in range(wo):
                out[i, j] = np.sum(
                    xp[i * stride : i * stride + kw, j * stride : j * stride + kh] * w
                )
        return out

    result = check_conv2d(swapped_slice)
    assert result.attempted and not result.passed
    assert result.got.startswith("raised ValueError")
    assert "slice" in result.hint

    def runs_off_the_edge(x, w, stride=1, padding=0):
        return np.array([[x[100, 100]]])

    result = check_conv2d(runs_off_the_edge)
    assert "IndexError" in result.got and "loops" in result.hint


def test_conv2d_reader_cannot_corrupt_the_cases():
    def vandal(x, w, stride=1, padding=0):
        out = reader_conv()(x, w, stride, padding)
        x[...] = 0
        w[...] = 0
        return out

    assert check_conv2d(vandal).passed


def test_conv2d_generic_miss_says_where_values_differ():
    def plus_one_at_origin(x, w, stride=1, padding=0):
        out = reader_conv()(x, w, stride, padding)
        out[0, 1] += 1
        return out

    result = check_conv2d(plus_one_at_origin)
    assert result.mistake is None
    assert "row 0, column 1" in result.hint


def test_conv2d_placeholder_is_not_attempted():
    def conv(x, w, stride=1, padding=0):
        raise NotImplementedError("your code here")

    assert not_attempted(check_conv2d(conv))


# ---------------------------------------------------------------------------------------
# multi-channel convolution
# ---------------------------------------------------------------------------------------
def reader_multi(
    bias="once",
    reduce="sum",
    channels="all",
    flip=False,
    pad_channels=False,
    use_stride=True,
    use_padding=True,
):
    """A reader's (C, H, W) x (F, C, KH, KW) convolution with mistakes to switch on."""

    def conv(x, w, b, stride=1, padding=0):
        s = stride if use_stride else 1
        p = padding if use_padding else 0
        n_filters, n_channels, kh, kw = w.shape
        width = ((p, p), (p, p), (p, p)) if pad_channels else ((0, 0), (p, p), (p, p))
        xp = np.pad(x, width)
        ho = (xp.shape[1] - kh) // s + 1
        wo = (xp.shape[2] - kw) // s + 1
        per_channel = np.zeros((n_filters, n_channels, ho, wo))
        for f in range(n_filters):
            kernel = w[f, :, ::-1, ::-1] if flip else w[f]
            for c in range(n_channels if channels != "first" else 1):
                for i in range(ho):
                    for j in range(wo):
                        window = xp[c, i * s : i * s + kh, j * s : j * s + kw]
                        per_channel[f, c, i, j] = np.sum(window * kernel[c])
                if bias == "per channel":
                    per_channel[f, c] += b[f]
        if channels == "separate":
            return per_channel
        out = per_channel.mean(axis=1) if reduce == "mean" else per_channel.sum(axis=1)
        if bias == "once":
            out += np.asarray(b)[:, None, None]
        return out

    return conv


def simple(fn):
    """The same function without stride and padding parameters."""
    return lambda x, w, b: fn(x, w, b)


def test_multichannel_right_answers_pass():
    result = check_conv2d_multichannel(simple(reader_multi()))
    assert result.passed and result.n_cases == 2
    result = check_conv2d_multichannel(reader_multi())
    assert result.passed and result.n_cases == 4  # stride and padding cases added


def test_reader_multi_agrees_with_scipy():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(2, 5, 6)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    got = reader_multi()(x, w, b, stride=2, padding=1)
    want = np.stack(
        [
            sum(correlate2d(np.pad(x[c], 1), w[f, c], mode="valid") for c in range(2))[::2, ::2]
            + b[f]
            for f in range(3)
        ]
    )
    np.testing.assert_allclose(got, want)


MULTI_MISTAKES = {
    "forgot the bias": (simple(reader_multi(bias="none")), "bias"),
    "added the bias once per channel": (simple(reader_multi(bias="per channel")), "once"),
    "averaged over the channels": (simple(reader_multi(reduce="mean")), "np.sum"),
    "did not sum over channels (used only channel 0)": (
        simple(reader_multi(channels="first")),
        "channel 0",
    ),
    "did not sum over channels (kept per-channel maps)": (
        simple(reader_multi(channels="separate")),
        "(F, Ho, Wo)",
    ),
    "flipped the kernel": (simple(reader_multi(flip=True)), "cross-correlation"),
    "padded the channel axis": (reader_multi(pad_channels=True), "last two axes"),
    "forgot the stride": (reader_multi(use_stride=False), "stride"),
    "forgot the padding": (reader_multi(use_padding=False), "pad"),
}


@pytest.mark.parametrize("name", list(MULTI_MISTAKES))
def test_multichannel_names_each_mistake(name):
    wrong, word = MULTI_MISTAKES[name]
    result = check_conv2d_multichannel(wrong)
    assert_named(result, name, word)
    assert set(result.inputs) == {"x", "w", "b"}


def test_multichannel_padding_the_channel_axis_that_crashes_is_named():
    def crashes(x, w, b, stride=1, padding=0):
        xp = np.pad(x, padding)  # pads the channel axis too
        kh, kw = w.shape[2:]
        ho = (xp.shape[1] - kh) // stride + 1
        wo = (xp.shape[2] - kw) // stride + 1
        out = np.zeros((w.shape[0], ho, wo))
        for f in range(w.shape[0]):
            for i in range(ho):
                for j in range(wo):
                    window = xp[:, i * stride : i * stride + kh, j * stride : j * stride + kw]
                    out[f, i, j] = np.sum(window * w[f]) + b[f]
        return out

    result = check_conv2d_multichannel(crashes)
    assert_named(result, "padded the channel axis", "last two axes")
    assert "ValueError" in result.got


def test_multichannel_exception_and_placeholder():
    result = check_conv2d_multichannel(lambda x, w, b: x[0] @ w)
    assert result.attempted and not result.passed and "raised" in result.got

    def todo(x, w, b):
        return None

    assert not_attempted(check_conv2d_multichannel(todo))


# ---------------------------------------------------------------------------------------
# typed-in values
# ---------------------------------------------------------------------------------------
X5 = np.array(
    [
        [1, 0, 2, 0, 1],
        [0, 3, 0, 1, 0],
        [2, 0, 1, 0, 0],
        [0, 1, 3, 1, 2],
        [1, 0, 0, 2, 1],
    ],
    dtype=float,
)
W3 = np.array([[1, 0, 2], [0, 1, 0], [3, 0, 1]], dtype=float)


def scipy_map(x, w, stride=1, padding=0):
    return correlate2d(np.pad(x, padding), w, mode="valid")[::stride, ::stride]


def test_feature_map_value_right_answer_passes():
    expected = scipy_map(X5, W3)[1, 2]
    assert check_feature_map_value(expected, X5, W3, (1, 2)).passed
    assert check_feature_map_value(int(expected), X5, W3, (1, 2)).passed
    answer = scipy_map(X5, W3, stride=2, padding=1)[1, 0] + 0.5
    assert check_feature_map_value(answer, X5, W3, (1, 0), b=0.5, stride=2, padding=1)


FMAP_MISTAKES = [
    # name, the reader's answer, position asked, settings, word in the hint
    ("flipped the kernel", scipy_map(X5, W3[::-1, ::-1])[1, 2], (1, 2), {}, "flipped"),
    ("swapped row and column", scipy_map(X5, W3)[2, 1], (1, 2), {}, "row"),
    ("counted from 1", scipy_map(X5, W3)[0, 1], (1, 2), {}, "from 0"),
    (
        "forgot the stride",
        scipy_map(X5, W3, 1, 1)[1, 0],
        (1, 0),
        {"stride": 2, "padding": 1},
        "stride",
    ),
    ("forgot the padding", scipy_map(X5, W3)[1, 2], (1, 2), {"padding": 1}, "pad"),
    ("forgot the bias", scipy_map(X5, W3)[1, 2], (1, 2), {"b": 2.0}, "bias"),
]


@pytest.mark.parametrize(("name", "answer", "position", "kwargs", "word"), FMAP_MISTAKES)
def test_feature_map_value_names_each_mistake(name, answer, position, kwargs, word):
    stride, padding = kwargs.get("stride", 1), kwargs.get("padding", 0)
    right = scipy_map(X5, W3, stride, padding)[position] + kwargs.get("b", 0.0)
    assert answer != right  # the example tells the mistake apart
    assert_named(check_feature_map_value(answer, X5, W3, position, **kwargs), name, word)


def test_feature_map_value_placeholder():
    assert not_attempted(check_feature_map_value(..., X5, W3, (0, 0)))
    assert not_attempted(check_feature_map_value(None, X5, W3, (0, 0)))


def test_check_value_with_mistakes_and_tolerance():
    assert check_value(0.1 + 0.2, 0.3).passed
    result = check_value(108, 112, {108: "forgot the bias", 40: "forgot the channels"})
    assert_named(result, "forgot the bias", "bias")
    result = check_value(7, 112, {108: "forgot the bias"})
    assert not result and result.mistake is None and result.got == 7
    # unhashable wrong answers as (value, hint) pairs
    arr = np.array([[1.0, 2.0], [3.0, 4.0]])
    result = check_value(arr.T, arr, [(arr.T, "transposed")])
    assert_named(result, "transposed", "transposed")
    assert check_value("same", "same") and not check_value("valid", "same")
    assert not_attempted(check_value(..., 3))


def test_params_function_and_count():
    assert check_params(lambda c, f, k: f * (k * k * c + 1)).passed
    wrong = {
        "forgot the bias": (lambda c, f, k: f * k * k * c, "bias"),
        "forgot the input channels": (lambda c, f, k: f * (k * k + 1), "channels"),
        "used K instead of K·K": (lambda c, f, k: f * (k * c + 1), "K·K"),
        "counted one filter": (lambda c, f, k: k * k * c + 1, "F"),
        "returned a float": (lambda c, f, k: f * (k * k * c + 1) / 1, "float"),
    }
    for name, (fn, word) in wrong.items():
        assert_named(check_params(fn), name, word)
    assert check_param_count(34944, 3, 96, 11).passed
    assert_named(check_param_count(34848, 3, 96, 11), "forgot the bias", "bias")
    assert_named(check_param_count(11712, 3, 96, 11), "forgot the input channels", "channels")
    assert not_attempted(check_param_count(None, 3, 96, 11))


def reader_macs(
    channels=True, filters=True, stride=True, padding=True, out=True, square=True, k2=True
):
    def macs(in_shape, f, k, s, p):
        c, h, w = in_shape
        s_ = s if stride else 1
        p_ = p if padding else 0
        ho, wo = (h - k + 2 * p_) // s_ + 1, (w - k + 2 * p_) // s_ + 1
        positions = ho * wo if out else (h * w if square else h * w / s)
        return positions * (k * k if k2 else k) * (c if channels else 1) * (f if filters else 1)

    return macs


def test_macs_function_and_count():
    assert check_macs(reader_macs()).passed
    wrong = {
        "forgot the input channels": (reader_macs(channels=False), "channel"),
        "forgot the number of filters": (reader_macs(filters=False), "F"),
        "forgot the stride": (reader_macs(stride=False), "stride"),
        "forgot the padding": (reader_macs(padding=False), "padding"),
        "divided by the stride instead of its square": (
            reader_macs(out=False, square=False),
            "1/s²",
        ),
        "used the input size instead of the output size": (reader_macs(out=False), "Ho·Wo"),
        "used K instead of K·K": (reader_macs(k2=False), "K·K"),
        "counted positions, not multiply-adds": (
            lambda shape, f, k, s, p: reader_macs()(shape, f, k, s, p) // (k * k * shape[0]),
            "K·K·C",
        ),
        "returned a float": (lambda *a: float(reader_macs()(*a)), "float"),
    }
    for name, (fn, word) in wrong.items():
        assert_named(check_macs(fn), name, word)
    # AlexNet conv1: 55·55 positions, 11·11·3 per position, 96 filters
    assert check_mac_count(55 * 55 * 11 * 11 * 3 * 96, (3, 227, 227), 96, 11, stride=4).passed
    assert_named(
        check_mac_count(227 * 227 / 4 * 11 * 11 * 3 * 96, (3, 227, 227), 96, 11, stride=4),
        "divided by the stride instead of its square",
        "1/s²",
    )


def test_shape_checks():
    assert check_shape((4, 4, 4), (4, 4, 4)) and check_shape([4, 4, 4], (4, 4, 4))
    assert check_shape(np.array([4, 4, 4]), (4, 4, 4))
    assert check_shape((np.int64(4), 4, 4), (4, 4, 4))
    assert_named(check_shape((55, 55, 96), (96, 55, 55)), "swapped axes", "(C, H, W)")
    assert_named(check_shape((96, 54, 55), (96, 55, 55)), "off by one", "+ 1")
    assert_named(check_shape((55, 55), (96, 55, 55)), "wrong number of axes", "axes")
    assert_named(check_shape("4x4x4", (4, 4, 4)), "not a shape", "tuple")
    assert_named(check_shape(np.zeros((4, 4, 4)), (4, 4, 4)), "not a shape", ".shape")
    assert_named(check_shape((4.0, 4.0, 4.0), (4, 4, 4)), "not a shape", "whole numbers")
    custom = check_shape((3, 4, 4), (4, 4, 4), {(3, 4, 4): "depth = number of filters"})
    assert_named(custom, "depth = number of filters", "filters")
    assert not_attempted(check_shape(None, (4, 4, 4)))


def test_conv_output_shape():
    assert check_conv_output_shape((4, 4, 4), (3, 6, 6), 4, 3).passed
    alexnet = {"in_shape": (3, 227, 227), "out_channels": 96, "kernel_size": 11, "stride": 4}
    assert check_conv_output_shape((96, 55, 55), **alexnet).passed
    assert_named(check_conv_output_shape((55, 55, 96), **alexnet), "channels last", "(F, Ho, Wo)")
    assert_named(
        check_conv_output_shape((3, 55, 55), **alexnet), "depth = input channels", "filters"
    )
    assert_named(check_conv_output_shape((96, 217, 217), **alexnet), "forgot the stride", "stride")
    assert_named(check_conv_output_shape((96, 54, 54), **alexnet), "off by one", "+ 1")
    assert_named(check_conv_output_shape((55, 96, 55), **alexnet), "swapped axes", "(C, H, W)")
    padded = check_conv_output_shape((8, 30, 30), (3, 32, 32), 8, 3, 1, 1)
    assert_named(padded, "forgot the padding", "pad")


# ---------------------------------------------------------------------------------------
# the engine and the display
# ---------------------------------------------------------------------------------------
def test_check_function_engine():
    cases = [Case((2,), label="x=2"), Case((3,), label="x=3"), Case((-1,), label="x=-1")]
    doubled = Mistake("doubled", "x² is x·x, not 2·x.", compute=lambda x: 2 * x)
    broken = Mistake("never applies", "-", compute=lambda x: 1 / 0)
    result = check_function(lambda x: x + x, lambda x: x**2, cases, [broken, doubled])
    # x=2 gives 4 either way, so the first failing case is x=3
    assert result.case == "x=3" and result.n_passed == 1
    assert_named(result, "doubled", "2·x")
    result = check_function(42, lambda x: x**2, cases)
    assert_named(result, "passed a value instead of a function", "without calling")


def test_mistake_must_fit_every_case_before_the_first_match_is_used():
    # "plus one" matches case x=1 only; "times two" matches the reader on every case
    cases = [Case((1,), label="x=1"), Case((5,), label="x=5")]
    plus_one = Mistake("plus one", "+1", compute=lambda x: x + 1)
    times_two = Mistake("times two", "*2", compute=lambda x: 2 * x)
    result = check_function(lambda x: 2 * x, lambda x: x, cases, [plus_one, times_two])
    assert result.mistake == "times two"


def test_text_output():
    passed = check_output_size(size_right)
    assert repr(passed) == str(passed) == "✓ Correct: output size (all 8 cases pass)"
    missed = repr(check_output_size(SIZE_MISTAKES["forgot the padding"][0]))
    assert missed.startswith("✗ Not yet: output size")
    for label in ("Case:", "Expected:", "Got:", "Hint:"):
        assert label in missed
    assert "Not attempted yet" in repr(check_output_size(None))


def test_html_output():
    passed = check_output_size(size_right)._repr_html_()
    assert "✓ Correct" in passed and "✗" not in passed
    missed = check_mac_count(227 * 227 * 363 * 96, (3, 227, 227), 96, 11, stride=4)
    page = missed._repr_html_()
    assert "✗" in page and "✓" not in page
    assert str(55 * 55 * 363 * 96) in page and str(227 * 227 * 363 * 96) in page
    assert "Expected" in page and "Got" in page and "Hint" in page
    conv = check_conv2d(reader_conv(flip=True))._repr_html_()
    assert "<details" in conv and "array of shape" in conv
    blank = check_output_size(None)._repr_html_()
    assert "Not attempted yet" in blank and "✗" not in blank and "✓" not in blank
    for page in (passed, missed._repr_html_(), conv, blank):
        assert page.startswith("<div") and page.endswith("</div>")
        assert "<script" not in page and "http" not in page and "<link" not in page
        assert "<style" not in page and "class=" not in page


def test_html_escapes_the_readers_text():
    result = check_value("<b>4</b>", "4")
    page = result._repr_html_()
    assert "&lt;b&gt;4&lt;/b&gt;" in page and "<b>4</b>" not in page


def test_docstring_examples():
    outcome = doctest.testmod(ex, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 10
    assert outcome.failed == 0


def test_check_value_non_numeric_answers():
    assert check_value(["valid", "same"], ["valid", "same"])
    assert not check_value(["same", "valid"], ["valid", "same"])
    assert not check_value("4", 4)  # a string is not the number
    assert not check_value(True, 1)


def test_assert_passed_returns_a_pass_and_raises_on_a_miss():
    from cnnkit.exercises import check_value

    ok = check_value(112, 112, title="parameters")
    assert ok.assert_passed() is ok
    with pytest.raises(AssertionError, match="Forgot the bias"):
        check_value(108, 112, {108: "Forgot the bias: each filter has one."}).assert_passed()
    with pytest.raises(AssertionError, match="Not attempted"):
        check_value(None, 112).assert_passed()


# --- chapter 1 and 2 checks ------------------------------------------------------------


def test_check_pixel_value_names_swapped_axes_and_wrong_channels():
    img = np.arange(4 * 5 * 3).reshape(4, 5, 3)
    assert ex.check_pixel_value(img[3, 1, 1], img, 3, 1, 1)
    assert ex.check_pixel_value(img[1, 3, 1], img, 3, 1, 1).mistake == "swapped row and column"
    assert ex.check_pixel_value(img[3, 1, 2], img, 3, 1, 1).mistake == "read the blue channel"
    miss = ex.check_pixel_value(img[3, 1, 0], img, 3, 1, 1)
    assert miss.mistake == "read the red channel" and "you want green" in miss.hint
    assert not ex.check_pixel_value(None, img, 3, 1, 1).attempted


def test_check_nbytes_names_the_dtype_and_channel_mistakes():
    shape = (1, 3, 4, 5)
    assert ex.check_nbytes(480, shape, np.float64)
    assert ex.check_nbytes(60, shape, np.float64).mistake == "one byte per value"
    assert ex.check_nbytes(240, shape, np.float64).mistake == "float32 size"
    assert ex.check_nbytes(160, shape, np.float64).mistake == "left out the channels"
    assert ex.check_nbytes(480, shape, np.float32).mistake == "float64 size"


def test_check_difference_detects_wraparound_sign_and_order():
    assert ex.check_difference(lambda a, b: a.astype(np.int16) - b)
    assert ex.check_difference(lambda a, b: a - b).mistake == "uint8 wrap-around"
    absolute = ex.check_difference(lambda a, b: np.abs(a.astype(float) - b))
    assert absolute.mistake == "absolute difference"
    assert ex.check_difference(lambda a, b: b.astype(float) - a).mistake == "b − a"
    assert not ex.check_difference(lambda a, b: None).attempted
    crashed = ex.check_difference(lambda a, b: a.astype(float) - b.T)
    assert not crashed and "raised ValueError" in str(crashed.got)


def test_check_flipped_filter_runs_conv2d_and_names_half_flips():
    w = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    assert ex.check_flipped_filter(w[::-1, ::-1].tolist(), w)
    assert ex.check_flipped_filter(w, w).mistake == "gave w itself"
    assert ex.check_flipped_filter(w[::-1], w).mistake == "flipped the rows only"
    assert ex.check_flipped_filter(w[:, ::-1], w).mistake == "flipped the columns only"
    assert ex.check_flipped_filter(w.T, w).mistake == "transposed"
    assert not ex.check_flipped_filter(np.ones((2, 2)), w)
    assert not ex.check_flipped_filter(None, w).attempted
