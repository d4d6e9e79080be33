"""The exercise machinery (cnnkit.book.exercises): the result, the engine, check_value,
check_shape and check_choice, and how the answer is held back until the third wrong try
or until the reader asks. The chapters' own checks are tested with their chapter."""

from __future__ import annotations

import numpy as np
import pytest
from book_checks import assert_named, not_attempted

from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    check_shape,
    check_value,
    reset_tries,
    same_integer,
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


def test_a_wrong_shape_gets_advice_that_fits_it():
    cases = [Case((np.zeros((2, 3, 4)),), label="a 2×3×4 array")]
    swapped = check_function(lambda x: x.transpose(0, 2, 1), lambda x: x, cases)
    assert "swapped" in swapped.hint
    flat = check_function(lambda x: x.reshape(6, 4), lambda x: x, cases)
    assert "2 axes where 3 are expected" in flat.hint
    sizes = check_function(lambda x: x[:, :2], lambda x: x, cases)
    assert "each axis" in sizes.hint
    # no convolution formula in a hint that may belong to any exercise
    assert not any("2P" in r.hint for r in (swapped, flat, sizes))


def test_the_right_count_as_a_float_or_as_text_is_named():
    for given, words in ((8256.0, "as a float (8256.0)"), ("8256", "text ('8256', in quotes)")):
        result = check_answer(given, 8256, [], Case(label="c"), "count", same_integer)
        assert not result.passed and words in result.hint
    # a float of another value is not called "the right number", nor other text "quotes"
    other = check_answer(8000.0, 8256, [], Case(label="c"), "count", same_integer)
    assert "right number" not in other.hint
    text = check_answer("82", 8256, [], Case(label="c"), "n", same_integer)
    assert "quotes" not in text.hint
    # a real number given as text, within rounding of the answer
    assert "in quotes" in check_value("9.5e-7", 9.54e-7, rtol=0.02).hint
    assert "in quotes" not in check_value("abc", 9.54e-7).hint


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
    for label in ("Case:", "Got:", "Hint:", "reveal=True"):
        assert label in missed
    assert "Expected:" not in missed
    shown = repr(check_function(lambda x: x + x, lambda x: x**2, square_cases(), reveal=True))
    assert "Expected: 9" in shown and "model solution" in shown
    assert "Not attempted yet" in repr(check_value(None, 3))


def test_html_output():
    passed = check_value(4, 4)._repr_html_()
    assert "✓ Correct" in passed and "✗" not in passed
    missed = check_value(108, 112, {108: "Forgot the bias."}, question="3 → 4, F = 3")
    missed_page = missed._repr_html_()
    assert "✗" in missed_page and "✓" not in missed_page
    assert "108" in missed_page and "3 → 4, F = 3" in missed_page and "112" not in missed_page
    assert "Got" in missed_page and "Hint" in missed_page and "Expected" not in missed_page
    assert "<code>reveal=True</code>" in missed_page
    shown = check_value(108, 112, question="3 → 4, F = 3", reveal=True)._repr_html_()
    assert "Expected" in shown and "112" in shown
    x = np.arange(4.0).reshape(2, 2)
    arrays = check_function(lambda x: x.T, lambda x: x, [Case((x,), inputs={"x": x})])
    arrays_page = arrays._repr_html_()
    assert "<details" in arrays_page and "array of shape" in arrays_page
    blank = check_value(None, 3)._repr_html_()
    assert "Not attempted yet" in blank and "✗" not in blank and "✓" not in blank
    for page in (passed, missed_page, shown, arrays_page, blank):
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


# ---------------------------------------------------------------------------------------
# The answer is held back: tries, reveal=True, multiple choice
# ---------------------------------------------------------------------------------------
def _shown(result: CheckResult) -> str:
    """Everything a reader can see of a result: its text and its HTML."""
    return repr(result) + "\n" + result._repr_html_()


def test_the_first_wrong_try_shows_no_expected_value():
    hints = {73728: "Forgot the bias: each filter has one."}
    for result in (
        check_value(73728, 73856, hints, title="parameters"),  # a named mistake
        check_value(12345, 73856, hints, title="parameters"),  # an unknown one
        check_shape((3, 425, 638), (5, 425, 638), title="output shape"),
        check_value(np.ones((2, 3)), np.full((2, 3), 7.25), title="an array"),
        check_function(lambda x: x + 1, lambda x: 1000 * x, [Case((7,), label="x=7")]),
    ):
        assert not result.passed and not result.expected_shown
        expected = result.expected
        text = _shown(result)
        assert "Expected" not in text
        if isinstance(expected, np.ndarray):
            assert "7.25" not in text
        else:
            assert str(expected) not in text
            if isinstance(expected, int):
                assert f"{expected:,}" not in text
        assert "reveal=True" in repr(result) and "reveal=True" in result._repr_html_()


def test_a_recognised_mistake_names_itself_on_the_first_try():
    result = check_value(73728, 73856, {73728: "Forgot the bias: each filter has one."})
    assert result.tries == 1 and result.mistake == "Forgot the bias: each filter has one."
    assert "Forgot the bias" in repr(result) and "Forgot the bias" in result._repr_html_()


def test_an_unknown_wrong_number_says_what_to_recompute():
    result = check_value(90, 112, title="parameters")
    assert result.mistake is None and "too small" in result.hint
    result = check_value(90, 112, title="parameters", recompute="Count the weights again.")
    assert result.hint == "Count the weights again."


def test_the_third_different_wrong_try_shows_the_answer():
    def attempt(answer):
        return check_value(answer, 73856, title="parameters")

    first, second = attempt(1), attempt(2)
    assert (first.tries, second.tries) == (1, 2)
    assert "73856" not in _shown(second) and "Try 2 of 3" in repr(second)
    again = attempt(2)  # the same wrong answer again is not a new try
    assert again.tries == 2 and not again.expected_shown
    third = attempt(3)
    assert third.tries == 3 and third.expected_shown
    assert "Expected: 73856" in repr(third) and "73856" in third._repr_html_()
    assert "wrong try number 3" in repr(third)
    assert attempt(73856).passed and "73856" not in _shown(attempt(73856))


def test_tries_are_counted_per_exercise():
    for wrong in (1, 2):
        check_value(wrong, 73856, title="parameters")
    other = check_value(5, 64, title="bytes")  # another exercise: its own count
    assert other.tries == 1 and not other.expected_shown
    same_title = check_value(3, 99, title="parameters")  # another expected value
    assert same_title.tries == 1


def test_a_function_with_the_same_results_is_the_same_try():
    cases = square_cases()
    first = check_function(lambda x: x + x, lambda x: x**2, cases)
    again = check_function(lambda y: 2 * y, lambda x: x**2, cases)  # same results
    other = check_function(lambda x: x + 1, lambda x: x**2, cases)
    assert (first.tries, again.tries, other.tries) == (1, 1, 2)
    third = check_function(lambda x: 0, lambda x: x**2, cases)
    assert third.expected_shown and "Expected:" in repr(third)
    assert "model solution" in repr(third)


def test_asking_shows_the_answer_at_once():
    asked = check_value(1, 73856, title="parameters", reveal=True)
    assert asked.tries == 1 and asked.expected_shown
    assert "73856" in repr(asked) and "73856" in asked._repr_html_()
    assert "you asked" in repr(asked)
    unanswered = check_shape(None, (5, 425, 638), reveal=True)
    assert not unanswered.attempted and "(5, 425, 638)" in _shown(unanswered)
    function = check_function(None, lambda x: x**2, square_cases(), reveal=True)
    assert not function.attempted and "Expected: 4" in repr(function)
    assert "x=2" in repr(function)


def test_a_placeholder_is_not_a_wrong_try():
    for _ in range(4):
        blank = check_value(None, 73856, title="parameters")
        assert not blank.attempted and blank.tries == 0
        assert "73856" not in _shown(blank) and "reveal" not in repr(blank)
        assert check_function(None, lambda x: x**2, square_cases()).tries == 0
    assert check_value(..., 73856, title="parameters").tries == 0
    assert check_value(1, 73856, title="parameters").tries == 1


def test_reset_tries_forgets_the_counts():
    for wrong in (1, 2, 3):
        check_value(wrong, 73856, title="parameters")
    reset_tries()
    assert check_value(4, 73856, title="parameters").tries == 1


OPTIONS = {
    "a": "It halves.",
    "b": "It falls to about a quarter.",
    "c": "It stays the same.",
}
WHY = {
    "a": "There are two axes, and the positions halve along each.",
    "b": "The positions halve along the height and along the width.",
    "c": "Each position costs the same, but there are fewer positions.",
}


def test_a_wrong_option_explains_its_misconception():
    result = check_choice("a", OPTIONS, "b", WHY, title="stride 2")
    assert not result and result.attempted and result.mistake == "(a) It halves."
    assert result.hint == WHY["a"]
    assert WHY["a"] in repr(result) and WHY["a"] in result._repr_html_()
    assert check_choice("c", OPTIONS, "b", WHY).hint == WHY["c"]


def test_a_multiple_choice_never_reveals_the_answer_unasked():
    for answer in ["a", "c", "A", "(c)", "a", "c", "a"]:
        result = check_choice(answer, OPTIONS, "b", WHY, title="stride 2")
        assert not result.expected_shown
        text = _shown(result)
        assert OPTIONS["b"] not in text and WHY["b"] not in text and "(b)" not in text
        assert "reveal=True" in text
    assert result.tries == 2  # "a" and "c", however spelled or repeated


def test_a_multiple_choice_shows_the_answer_when_asked():
    asked = check_choice("a", OPTIONS, "b", WHY, title="stride 2", reveal=True)
    text = _shown(asked)
    assert "(b) It falls to about a quarter." in text and WHY["b"] in text
    assert WHY["a"] in text  # and still why the chosen option is wrong
    blank = check_choice(None, OPTIONS, "b", WHY, title="stride 2", reveal=True)
    assert not blank.attempted and OPTIONS["b"] in _shown(blank)


def test_a_multiple_choice_pass_and_placeholder_name_no_option():
    for answer in ("b", " B ", "(b)"):
        right = check_choice(answer, OPTIONS, "b", WHY, title="stride 2")
        assert right.passed and repr(right) == "✓ Correct: stride 2"
        assert OPTIONS["b"] not in right._repr_html_()
    blank = check_choice(None, OPTIONS, "b", WHY, title="stride 2")
    assert not_attempted(blank) and OPTIONS["b"] not in _shown(blank)


def test_an_answer_that_is_no_option_is_not_a_try():
    for answer in ("e", 2, "b and c"):
        result = check_choice(answer, OPTIONS, "b", WHY)
        assert not result and result.mistake is None and result.tries == 0
        assert '"a", "b", "c"' in result.hint


def test_a_badly_written_multiple_choice_is_refused():
    with pytest.raises(ValueError, match="not one of the options"):
        check_choice("a", OPTIONS, "d", WHY)
    with pytest.raises(ValueError, match="every option needs"):
        check_choice("a", OPTIONS, "b", {"a": "-", "b": "-"})
