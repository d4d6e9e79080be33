"""The exercise machinery (cnnkit.book.exercises): the result, the engine, check_value
and check_shape. The chapters' own checks are tested with their chapter."""

from __future__ import annotations

import numpy as np
import pytest
from book_checks import assert_named, not_attempted

from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_function,
    check_shape,
    check_value,
)


def square_cases() -> list[Case]:
    return [Case((2,), label="x=2"), Case((3,), label="x=3"), Case((-1,), label="x=-1")]


def test_check_function_engine():
    cases = square_cases()
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


def test_exceptions_are_reported_not_raised():
    def broken(x):
        raise ZeroDivisionError("division by zero")

    result = check_function(broken, lambda x: x**2, square_cases(), signature="square(x)")
    assert result.attempted and not result.passed and result.mistake is None
    assert "ZeroDivisionError" in result.got and "division by zero" in result.got
    assert "ZeroDivisionError" in result.hint
    result = check_function(lambda: 1, lambda x: x**2, square_cases(), signature="square(x)")
    assert "TypeError" in result.got and "square(x)" in result.hint


def test_placeholders_are_not_attempted():
    def placeholder(x):
        pass

    def todo(x):
        raise NotImplementedError

    for fn in (placeholder, todo, None):
        assert not_attempted(check_function(fn, lambda x: x**2, square_cases()))


def test_missing_return_on_some_cases_is_a_miss_not_a_placeholder():
    def sometimes(x):
        if x > 0:
            return x * x

    result = check_function(sometimes, lambda x: x**2, square_cases())
    assert result.attempted and not result.passed
    assert "return" in result.hint


def test_a_float_for_an_int_is_shown_after_a_wrong_value():
    def reader(x):
        return float(x * x) if x > 0 else 0

    def same_int(got, expected):
        return isinstance(got, int) and got == expected

    result = check_function(reader, lambda x: x**2, square_cases(), compare=same_int)
    assert result.case == "x=-1"  # the wrong value, not the float of the first case


def test_a_miss_on_arrays_says_where_values_differ():
    cases = [Case((np.arange(6.0).reshape(2, 3),), label="a 2×3 array")]

    def off(x):
        y = x.copy()
        y[0, 1] += 1
        return y

    result = check_function(off, lambda x: x, cases)
    assert result.mistake is None and "row 0, column 1" in result.hint
    wrong_shape = check_function(lambda x: x.T, lambda x: x, cases)
    assert "shape (3, 2)" in wrong_shape.hint


def test_the_reader_cannot_corrupt_the_cases():
    cases = [Case((np.ones(3),), label="ones")]

    def vandal(x):
        out = x * 2
        x[...] = 0
        return out

    assert check_function(vandal, lambda x: x * 2, cases * 2).passed


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


def test_shape_checks():
    assert check_shape((4, 4, 4), (4, 4, 4)) and check_shape([4, 4, 4], (4, 4, 4))
    assert check_shape(np.array([4, 4, 4]), (4, 4, 4))
    assert check_shape((np.int64(4), 4, 4), (4, 4, 4))
    assert_named(check_shape((55, 55, 96), (96, 55, 55)), "swapped axes", "(C, H, W)")
    assert_named(check_shape((96, 54, 55), (96, 55, 55)), "off by one", "⌊(W − F + 2P)/S⌋ + 1")
    assert_named(check_shape((55, 55), (96, 55, 55)), "wrong number of axes", "axes")
    assert_named(check_shape("4x4x4", (4, 4, 4)), "not a shape", "tuple")
    assert_named(check_shape(np.zeros((4, 4, 4)), (4, 4, 4)), "not a shape", ".shape")
    assert_named(check_shape((4.0, 4.0, 4.0), (4, 4, 4)), "not a shape", "whole numbers")
    custom = check_shape((3, 4, 4), (4, 4, 4), {(3, 4, 4): "depth = number of filters"})
    assert_named(custom, "depth = number of filters", "filters")
    assert not_attempted(check_shape(None, (4, 4, 4)))


def test_text_output():
    passed = check_function(lambda x: x * x, lambda x: x**2, square_cases(), title="square")
    assert repr(passed) == str(passed) == "✓ Correct: square (all 3 cases pass)"
    missed = repr(check_function(lambda x: x + x, lambda x: x**2, square_cases()))
    assert missed.startswith("✗ Not yet: your function (1 of 3 cases pass)")
    for label in ("Case:", "Expected:", "Got:", "Hint:"):
        assert label in missed
    assert "Not attempted yet" in repr(check_value(None, 3))


def test_html_output():
    passed = check_value(4, 4)._repr_html_()
    assert "✓ Correct" in passed and "✗" not in passed
    missed = check_value(108, 112, {108: "Forgot the bias."}, question="3 → 4, F = 3")
    page = missed._repr_html_()
    assert "✗" in page and "✓" not in page
    assert "108" in page and "112" in page and "3 → 4, F = 3" in page
    assert "Expected" in page and "Got" in page and "Hint" in page
    x = np.arange(4.0).reshape(2, 2)
    arrays = check_function(lambda x: x.T, lambda x: x, [Case((x,), inputs={"x": x})])
    arrays_page = arrays._repr_html_()
    assert "<details" in arrays_page and "array of shape" in arrays_page
    blank = check_value(None, 3)._repr_html_()
    assert "Not attempted yet" in blank and "✗" not in blank and "✓" not in blank
    for page in (passed, missed._repr_html_(), arrays_page, blank):
        assert page.startswith("<div") and page.endswith("</div>")
        assert "<script" not in page and "http" not in page and "<link" not in page
        assert "<style" not in page and "class=" not in page


def test_html_escapes_the_readers_text():
    result = check_value("<b>4</b>", "4")
    page = result._repr_html_()
    assert "&lt;b&gt;4&lt;/b&gt;" in page and "<b>4</b>" not in page


def test_check_value_non_numeric_answers():
    assert check_value(["valid", "same"], ["valid", "same"])
    assert not check_value(["same", "valid"], ["valid", "same"])
    assert not check_value("4", 4)  # a string is not the number
    assert not check_value(True, 1)


def test_assert_passed_returns_a_pass_and_raises_on_a_miss():
    ok = check_value(112, 112, title="parameters")
    assert ok.assert_passed() is ok
    with pytest.raises(AssertionError, match="Forgot the bias"):
        check_value(108, 112, {108: "Forgot the bias: each filter has one."}).assert_passed()
    with pytest.raises(AssertionError, match="Not attempted"):
        check_value(None, 112).assert_passed()


def test_a_result_is_a_check_result():
    assert isinstance(check_value(1, 1), CheckResult)
