"""Instant checks for the book's exercises, with hints that name the likely mistake.

A chapter asks the reader for a number, a shape or a function, then calls one of the
``check_*`` functions below. The check runs the answer on a few cases, compares it with
``cnnkit``'s own reference (never with a copy of its maths), and returns a
:class:`CheckResult`: a clear ✓ when everything matches, otherwise the first case that
failed, the expected and the received value, and a hint. When the answer matches what a
typical mistake produces ("forgot the stride", "flipped the kernel", ...), the hint names
that mistake; otherwise it says how the answer differs.

In a notebook the result shows as a small coloured box (``_repr_html_``); in a terminal
it prints as plain text. ``bool(result)`` is ``result.passed``. An answer that is still
the placeholder (``None``, ``...``, or a function that returns ``None`` or raises
``NotImplementedError``) is reported as "not attempted yet", not as wrong.

The engine is public too, for exercises that need their own check: describe the inputs
with :class:`Case`, the typical mistakes with :class:`Mistake`, and call
:func:`check_function` (for a function the reader writes) or :func:`check_value` (for a
number or an array the reader types).

Examples
--------
>>> def output_size(n, f, stride, padding):
...     return (n - f + 2 * padding) // stride + 1
>>> check_output_size(output_size)
✓ Correct: output size (all 8 cases pass)
>>> def output_size(n, f, stride, padding):
...     return (n - f) // stride + 1
>>> result = check_output_size(output_size)
>>> bool(result), result.mistake
(False, 'forgot the padding')
"""

from __future__ import annotations

import html
import inspect
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnkit.convolution import conv2d
from cnnkit.cost import conv2d_cost
from cnnkit.padding import pad
from cnnkit.shapes import output_size

__all__ = [
    "Case",
    "CheckResult",
    "Mistake",
    "check_conv2d",
    "check_conv2d_multichannel",
    "check_conv_output_shape",
    "check_difference",
    "check_feature_map_value",
    "check_flipped_filter",
    "check_function",
    "check_mac_count",
    "check_macs",
    "check_nbytes",
    "check_output_size",
    "check_param_count",
    "check_params",
    "check_pixel_value",
    "check_shape",
    "check_value",
]

# Okabe-Ito hues for the border (safe for the common colour-vision deficiencies), and
# darker shades of the same hues for text, so the words keep a good contrast on white.
# The symbols ✓ / ✗ / ○ and the words carry the meaning; the colour only reinforces it.
_STYLES = {
    "pass": {"border": "#009E73", "text": "#00593F", "background": "#EEF8F4"},
    "fail": {"border": "#D55E00", "text": "#8F3F00", "background": "#FCF1EA"},
    "none": {"border": "#8C8C8C", "text": "#4D4D4D", "background": "#F4F4F4"},
}

_PLACEHOLDER_HINT = (
    "Replace the placeholder with your answer (or write the body of the function), "
    "then run this cell again."
)


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------
@dataclass(repr=False, eq=False)
class CheckResult:
    """The outcome of one exercise check.

    Parameters
    ----------
    passed : bool
        True when every case matched the reference.
    attempted : bool
        False when the answer is still the placeholder.
    title : str
        What was checked, e.g. ``"output size"``.
    case : str
        The failing case, described in words (empty when passed).
    expected, got : object
        The reference result and the reader's result for that case. ``got`` is a
        description such as ``"raised IndexError: ..."`` when the reader's code raised.
    hint : str
        What probably went wrong, and what to look at.
    mistake : str or None
        The short name of the recognised mistake (e.g. ``"forgot the stride"``), or None
        when the miss matched none of the known mistakes.
    inputs : dict
        The inputs of the failing case, by name, to reproduce it.
    n_cases, n_passed : int
        How many cases were run, and how many of them matched.

    Notes
    -----
    ``bool(result)`` is ``result.passed``. In Jupyter the result renders as a small box
    (``_repr_html_``, inline styles only); ``repr`` gives the same content as text.
    """

    passed: bool
    attempted: bool = True
    title: str = ""
    case: str = ""
    expected: Any = None
    got: Any = None
    hint: str = ""
    mistake: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    n_cases: int = 0
    n_passed: int = 0

    def __bool__(self) -> bool:
        return bool(self.passed)

    def assert_passed(self) -> CheckResult:
        """Return the result itself, or raise ``AssertionError`` if the check failed.

        The book's model solutions end with it, so that the test run fails if a solution
        ever stops passing its own check.
        """
        if not self.passed:
            raise AssertionError(repr(self))
        return self

    def _headline(self) -> tuple[str, str]:
        """(style key, first line) shared by the text and the HTML forms."""
        if not self.attempted:
            return "none", f"○ Not attempted yet: {self.title}"
        if self.passed:
            if self.n_cases > 1:
                return "pass", f"✓ Correct: {self.title} (all {self.n_cases} cases pass)"
            return "pass", f"✓ Correct: {self.title}"
        if self.n_cases > 1:
            counts = f" ({self.n_passed} of {self.n_cases} cases pass)"
        else:
            counts = ""
        return "fail", f"✗ Not yet: {self.title}{counts}"

    def __repr__(self) -> str:
        _, headline = self._headline()
        if not self.attempted:
            return f"{headline}\n" + textwrap.fill(
                _PLACEHOLDER_HINT, 88, initial_indent="  ", subsequent_indent="  "
            )
        if self.passed:
            return headline
        lines = [headline]
        rows = [
            ("Case", textwrap.fill(self.case, 78)),
            ("Expected", _fmt(self.expected)),
            ("Got", _fmt(self.got)),
            ("Hint", textwrap.fill(self.hint, 78)),
        ]
        for label, text in rows:
            if not text:
                continue
            body = text.split("\n")
            lines.append(f"  {label + ':':<10}{body[0]}")
            lines.extend(f"  {'':<10}{more}" for more in body[1:])
        if self.inputs:
            lines.append("  (The inputs of this case are in result.inputs.)")
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        key, headline = self._headline()
        style = _STYLES[key]
        box = (
            f"border:1px solid {style['border']};border-left:6px solid {style['border']};"
            f"border-radius:4px;background:{style['background']};color:#1A1A1A;"
            "padding:8px 12px;margin:6px 0;font-family:system-ui,sans-serif;"
            "font-size:14px;line-height:1.45;max-width:52em"
        )
        head = f'<div style="font-weight:bold;color:{style["text"]}">{_esc(headline)}</div>'
        parts = [f'<div role="status" style="{box}">', head]
        if not self.attempted:
            parts.append(f"<div>{_esc(_PLACEHOLDER_HINT)}</div>")
        elif not self.passed:
            pre = (
                "margin:2px 0;padding:4px 6px;background:#FFFFFF;color:#1A1A1A;"
                "border:1px solid #D9D9D9;font-size:13px;white-space:pre;overflow-x:auto"
            )
            cell = "padding:2px 10px 2px 0;vertical-align:top;text-align:left"
            if self.case:
                parts.append(f"<div><b>Case:</b> {_esc(self.case)}</div>")
            parts.append('<table style="border-collapse:collapse;margin:4px 0">')
            for label, value in (("Expected", self.expected), ("Got", self.got)):
                parts.append(
                    f'<tr><th style="{cell}">{label}</th>'
                    f'<td style="{cell}"><pre style="{pre}">{_esc(_fmt(value))}</pre></td></tr>'
                )
            parts.append("</table>")
            if self.hint:
                parts.append(f"<div><b>Hint:</b> {_esc(self.hint)}</div>")
            if self.inputs:
                shown = "\n".join(f"{k} =\n{_fmt(v)}" for k, v in self.inputs.items())
                parts.append(
                    '<details style="margin-top:4px"><summary>Inputs of this case '
                    "(also in <code>result.inputs</code>)</summary>"
                    f'<pre style="{pre}">{_esc(shown)}</pre></details>'
                )
        parts.append("</div>")
        return "".join(parts)


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _fmt(value: Any) -> str:
    """Readable text for an expected or received value (arrays with their shape)."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, suppress_small=True)
        return f"array of shape {value.shape}:\n{body}"
    return repr(value)


# ---------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Case:
    """One set of inputs for a reader's function.

    Parameters
    ----------
    args : tuple
        Positional arguments of the call.
    kwargs : dict
        Keyword arguments of the call.
    label : str
        The case in words, shown when it fails, e.g. ``"n=10, f=3, stride=2, padding=0"``.
    inputs : dict
        Arrays worth showing (by name) when the case fails; small ones only.
    """

    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)

    def call(self, fn: Callable[..., Any]) -> Any:
        """Call ``fn`` on fresh copies of the inputs (so in-place edits can't leak)."""
        args = tuple(_copy(a) for a in self.args)
        kwargs = {k: _copy(v) for k, v in self.kwargs.items()}
        return fn(*args, **kwargs)


@dataclass(frozen=True, eq=False)
class Mistake:
    """A typical mistake: what it produces, and the hint that names it.

    Give ``compute`` (the answer the mistake produces, called like the reference), or
    ``test`` (a predicate on the reader's result), or both.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"forgot the stride"``; becomes ``CheckResult.mistake``.
    hint : str
        The hint shown to the reader; it should say the name in words and the fix.
    compute : callable, optional
        ``compute(*case.args, **case.kwargs)`` -> what the mistake gives on that case.
        If it raises, the mistake is taken as not applicable to that case.
    test : callable, optional
        ``test(got, expected, case) -> bool``. ``got`` is the reader's result, or the
        exception instance when the reader's code raised.
    """

    name: str
    hint: str
    compute: Callable[..., Any] | None = None
    test: Callable[[Any, Any, Case], bool] | None = None


@dataclass(frozen=True)
class _Outcome:
    """What the reader's code did on one case: a value, or an exception."""

    value: Any = None
    error: Exception | None = None


def _copy(v: Any) -> Any:
    return v.copy() if isinstance(v, np.ndarray) else v


def _is_placeholder(value: Any) -> bool:
    return value is None or value is Ellipsis


def _is_real_scalar(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_)
    )


def _close(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Same value: numbers and arrays to a tolerance (shape must agree), others by ==."""
    numeric = None
    if _is_real_scalar(expected) or isinstance(expected, (np.ndarray, list, tuple)):
        try:
            numeric = np.asarray(expected, dtype=np.float64)
        except (TypeError, ValueError):  # e.g. a list of words: compare with ==
            numeric = None
    if numeric is None:
        try:
            return bool(got == expected)
        except Exception:  # e.g. an array compared with a string: not the same
            return False
    if isinstance(got, (str, bytes, bool, np.bool_)) or got is None:
        return False
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return g.shape == numeric.shape and bool(np.allclose(g, numeric, rtol=rtol, atol=atol))


def _same_integer(got: Any, expected: Any) -> bool:
    """An integer (Python or numpy, not bool) equal to ``expected``."""
    if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
        return False
    return int(got) == int(expected)


def _returned_float(got: Any, expected: Any, case: Case) -> bool:
    return isinstance(got, (float, np.floating)) and float(got) == float(expected)


def _error_text(error: Exception) -> str:
    message = str(error)
    return (
        f"raised {type(error).__name__}: {message}" if message else f"raised {type(error).__name__}"
    )


def _error_hint(error: Exception, signature: str) -> str:
    text = f"Your code {_error_text(error)}."
    message = str(error)
    if isinstance(error, TypeError) and "argument" in message:
        return f"{text} The check calls your function as {signature}: check its parameters."
    if isinstance(error, ValueError) and "broadcast" in message:
        return (
            f"{text} Two arrays of different shapes were combined: usually the window cut "
            "out of the input does not have the kernel's shape. Check the slice "
            "x[i*s : i*s + KH, j*s : j*s + KW] (height first, then width)."
        )
    if isinstance(error, IndexError):
        return (
            f"{text} An index ran past the edge of an array: check the ranges of your loops "
            "(how many positions the window visits) and that you pad before sliding."
        )
    return f"{text} Run your function on this case's inputs to see where it breaks."


def _first_difference(got: Any, expected: Any) -> str:
    """Where two same-shaped arrays first differ, in words (empty if not applicable)."""
    try:
        g = np.asarray(got, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return ""
    if g.shape != e.shape or g.ndim == 0:
        return ""
    bad = np.argwhere(~np.isclose(g, e, rtol=1e-6, atol=1e-9))
    if len(bad) == 0:
        return ""
    index = tuple(int(i) for i in bad[0])
    where = f"row {index[0]}, column {index[1]}" if g.ndim == 2 else f"index {index}"
    return (
        f" The first difference is at {where}: expected {_fmt(e[index].item())}, "
        f"got {_fmt(g[index].item())} ({len(bad)} of {e.size} values differ)."
    )


def _generic_hint(got: Any, expected: Any) -> str:
    if got is None:
        return (
            "Your function returned None for this case (but not for every case): does "
            "every path through it end with a return statement?"
        )
    if isinstance(expected, np.ndarray):
        try:
            g = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            return "Your result is not an array of numbers: return a numpy array."
        if g.shape != expected.shape:
            return (
                f"Your result has shape {g.shape}, the expected one {expected.shape}. Count "
                "the positions the window visits along each axis: ⌊(n − f + 2p)/s⌋ + 1."
            )
        return "The shape is right, but some values differ." + _first_difference(g, expected)
    if _is_real_scalar(expected) and isinstance(expected, (int, np.integer)):
        if not _is_real_scalar(got):
            return f"Expected a whole number (int), got {type(got).__name__}."
    return "Your answer differs from the expected one; compare the two above."


def _mistake_value(mistake: Mistake, case: Case) -> tuple[bool, Any]:
    """(applicable, value) of a mistake's ``compute`` on a case."""
    if mistake.compute is None:
        return False, None
    try:
        return True, case.call(mistake.compute)
    except Exception:  # the mistake does not apply to this case (e.g. window too big)
        return False, None


def _test_matches(mistake: Mistake, got: Any, expected: Any, case: Case) -> bool:
    if mistake.test is None:
        return False
    try:
        return bool(mistake.test(got, expected, case))
    except Exception:  # a predicate that can't handle this answer doesn't match it
        return False


def _find_mistake(
    cases: Sequence[Case],
    outcomes: Sequence[_Outcome],
    expecteds: Sequence[Any],
    primary: int,
    mistakes: Sequence[Mistake],
    match: Callable[[Any, Any], bool],
) -> Mistake | None:
    """The mistake that best explains the reader's results.

    First a mistake whose ``compute`` agrees with the reader on every case it applies
    to (so two mistakes that coincide on one case are told apart by the others); then
    the first mistake that explains the primary failing case alone.
    """
    main = outcomes[primary]
    for m in mistakes:
        if m.compute is None or main.error is not None:
            continue
        ok, value = _mistake_value(m, cases[primary])
        if not ok or not match(main.value, value) or match(value, expecteds[primary]):
            continue
        consistent = True
        for case, outcome in zip(cases, outcomes, strict=True):
            if outcome.error is not None or outcome.value is None:
                continue
            ok, value = _mistake_value(m, case)
            if ok and not match(outcome.value, value):
                consistent = False
                break
        if consistent:
            return m
    got = main.error if main.error is not None else main.value
    for m in mistakes:
        if _test_matches(m, got, expecteds[primary], cases[primary]):
            return m
        if main.error is None and m.compute is not None:
            ok, value = _mistake_value(m, cases[primary])
            if ok and match(main.value, value) and not match(value, expecteds[primary]):
                return m
    return None


def _judge(
    title: str,
    cases: Sequence[Case],
    outcomes: Sequence[_Outcome],
    expecteds: Sequence[Any],
    mistakes: Sequence[Mistake],
    compare: Callable[[Any, Any], bool],
    match: Callable[[Any, Any], bool],
    signature: str,
) -> CheckResult:
    n = len(cases)
    placeholder = [
        (o.error is None and _is_placeholder(o.value)) or isinstance(o.error, NotImplementedError)
        for o in outcomes
    ]
    if all(placeholder):
        return CheckResult(passed=False, attempted=False, title=title, n_cases=n)

    def ok(i: int) -> bool:
        o = outcomes[i]
        return o.error is None and compare(o.value, expecteds[i])

    failing = [i for i in range(n) if not ok(i)]
    if not failing:
        return CheckResult(passed=True, title=title, n_cases=n, n_passed=n)
    # Show a case where the value itself is wrong, rather than one where only the type
    # is (e.g. 4.0 for 4), when there is one.
    primary = failing[0]
    outcome = outcomes[primary]
    if outcome.error is None and match(outcome.value, expecteds[primary]):
        for i in failing:
            o = outcomes[i]
            if o.error is not None or not match(o.value, expecteds[i]):
                primary = i
                break
    outcome = outcomes[primary]
    expected = expecteds[primary]
    mistake = _find_mistake(cases, outcomes, expecteds, primary, mistakes, match)
    if mistake is not None:
        hint = mistake.hint
    elif outcome.error is not None:
        hint = _error_hint(outcome.error, signature)
    else:
        hint = _generic_hint(outcome.value, expected)
    if outcome.error is not None:
        got = _error_text(outcome.error)
    else:
        got = outcome.value
    return CheckResult(
        passed=False,
        title=title,
        case=cases[primary].label,
        expected=expected,
        got=got,
        hint=hint,
        mistake=None if mistake is None else mistake.name,
        inputs=dict(cases[primary].inputs),
        n_cases=n,
        n_passed=n - len(failing),
    )


def check_function(
    fn: Callable[..., Any] | None,
    reference: Callable[..., Any],
    cases: Iterable[Case],
    mistakes: Sequence[Mistake] = (),
    *,
    title: str = "your function",
    compare: Callable[[Any, Any], bool] | None = None,
    match: Callable[[Any, Any], bool] | None = None,
    signature: str = "fn(...)",
) -> CheckResult:
    """Run a reader's function on several cases against a reference.

    Parameters
    ----------
    fn : callable or None
        The reader's function. None, a function that returns None on every case, or one
        that raises ``NotImplementedError`` counts as not attempted.
    reference : callable
        Called like ``fn`` on each case; gives the expected result.
    cases : iterable of Case
        The inputs, in the order they are tried.
    mistakes : sequence of Mistake
        Typical mistakes, most specific first. On a miss, the first one that explains
        the reader's results names the mistake in the hint.
    title : str
        What is being checked, shown in the result.
    compare : callable, optional
        ``compare(got, expected) -> bool`` decides a pass; default: same value (numbers
        and arrays to a tolerance, arrays of the same shape).
    match : callable, optional
        ``match(got, value) -> bool`` decides whether the reader's result equals what a
        mistake produces; default: same value, like the default ``compare``.
    signature : str
        How the check calls ``fn``, quoted in the hint when the call itself fails.

    Returns
    -------
    CheckResult

    Notes
    -----
    Exceptions raised by ``fn`` are caught and reported as a failed case (type and
    message); the check itself never raises because of the reader's code.

    Examples
    --------
    >>> cases = [Case((2,), label="x=2"), Case((-3,), label="x=-3")]
    >>> square = Mistake("doubled instead of squared", "x² is x·x, not 2·x.",
    ...                  compute=lambda x: 2 * x)
    >>> check_function(lambda x: x * x, lambda x: x**2, cases, [square], title="square")
    ✓ Correct: square (all 2 cases pass)
    >>> check_function(lambda x: x + x, lambda x: x**2, cases, [square], title="square")
    ✗ Not yet: square (1 of 2 cases pass)
      Case:     x=-3
      Expected: 9
      Got:      -6
      Hint:     x² is x·x, not 2·x.
    """
    cases = list(cases)
    compare = _close if compare is None else compare
    match = _close if match is None else match
    expecteds = [case.call(reference) for case in cases]
    if fn is None:
        return CheckResult(passed=False, attempted=False, title=title, n_cases=len(cases))
    if not callable(fn):
        return CheckResult(
            passed=False,
            title=title,
            expected="a function",
            got=fn,
            hint=(
                "Pass the function itself, without calling it: check(my_function), "
                "not check(my_function(...))."
            ),
            mistake="passed a value instead of a function",
            n_cases=len(cases),
        )
    outcomes = []
    for case in cases:
        try:
            outcomes.append(_Outcome(value=case.call(fn)))
        except Exception as error:  # the reader's bug is reported, not raised
            outcomes.append(_Outcome(error=error))
    return _judge(title, cases, outcomes, expecteds, mistakes, compare, match, signature)


def _check_answer(
    answer: Any,
    expected: Any,
    mistakes: Sequence[Mistake],
    case: Case,
    title: str,
    compare: Callable[[Any, Any], bool],
    match: Callable[[Any, Any], bool],
) -> CheckResult:
    """A typed-in answer judged like a function's result on one case."""
    if _is_placeholder(answer):
        return CheckResult(passed=False, attempted=False, title=title, n_cases=1)
    return _judge(title, [case], [_Outcome(value=answer)], [expected], mistakes, compare, match, "")


def _value_mistakes(mistakes: Mapping[Any, str] | Iterable[tuple[Any, str]] | None) -> list:
    if mistakes is None:
        return []
    pairs = mistakes.items() if isinstance(mistakes, Mapping) else mistakes
    return [
        Mistake(name=hint, hint=hint, compute=lambda value=value: value) for value, hint in pairs
    ]


def check_value(
    got: Any,
    expected: Any,
    mistakes: Mapping[Any, str] | Iterable[tuple[Any, str]] | None = None,
    *,
    title: str = "your answer",
    question: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> CheckResult:
    """Check a typed-in answer (a number, an array, a string) against the right one.

    Parameters
    ----------
    got : object
        The reader's answer; ``None`` or ``...`` means not attempted yet.
    expected : object
        The right answer (compute it with cnnkit in the notebook, don't type it).
    mistakes : mapping or iterable of pairs, optional
        ``{wrong_answer: hint}``: the answers that typical mistakes give, each with the
        hint that names the mistake. A pair list works for unhashable answers (arrays).
    title : str
        What is being checked.
    question : str
        Shown as the case when the answer is wrong (e.g. ``"row 1, column 2"``).
    rtol, atol : float
        Tolerances for numbers and arrays (``numpy.allclose``).

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> check_value(112, 112, title="parameters")
    ✓ Correct: parameters
    >>> check_value(108, 112, {108: "Forgot the bias: each filter has one."},
    ...             title="parameters")
    ✗ Not yet: parameters
      Expected: 112
      Got:      108
      Hint:     Forgot the bias: each filter has one.
    """

    def close(a: Any, b: Any) -> bool:
        return _close(a, b, rtol=rtol, atol=atol)

    case = Case(label=question)
    return _check_answer(got, expected, _value_mistakes(mistakes), case, title, close, close)


# ---------------------------------------------------------------------------------------
# Output size
# ---------------------------------------------------------------------------------------
def _size_case(n: int, f: int, stride: int, padding: int) -> Case:
    return Case((n, f, stride, padding), label=f"n={n}, f={f}, stride={stride}, padding={padding}")


def _floor_size(n: int, f: int, stride: int, padding: int) -> int:
    return output_size(n, f, stride=stride, padding=padding, mode="floor")


_OUTPUT_SIZE_MISTAKES = (
    Mistake(
        "forgot the stride",
        "Forgot the stride: that is the size for stride 1. The window jumps s pixels per "
        "step, so divide (n − f + 2p) by s before adding 1.",
        compute=lambda n, f, s, p: _floor_size(n, f, 1, p),
    ),
    Mistake(
        "forgot the padding",
        "Forgot the padding: that is the size of the unpadded input. Zero padding adds p "
        "pixels on each side, so the filter slides over n + 2p pixels.",
        compute=lambda n, f, s, p: _floor_size(n, f, s, 0),
    ),
    Mistake(
        "counted the padding once",
        "Counted the padding once: p pixels are added on both sides, so the padded input "
        "is n + 2p wide, not n + p.",
        # One-sided padding of p is the same as an input p pixels wider, unpadded.
        compute=lambda n, f, s, p: _floor_size(n + p, f, s, 0),
    ),
    Mistake(
        "off by one (missing + 1)",
        "Off by one: (n − f + 2p)/s counts the steps the window takes; the number of "
        "positions is one more (the first position comes before any step). Add 1.",
        compute=lambda n, f, s, p: _floor_size(n, f, s, p) - 1,
    ),
    Mistake(
        "off by one (one too many)",
        "Off by one, one too many: the number of positions is ⌊(n − f + 2p)/s⌋ + 1; "
        "check that you add 1 only once and subtract the filter size f.",
        compute=lambda n, f, s, p: _floor_size(n, f, s, p) + 1,
    ),
    Mistake(
        "rounded up instead of down",
        "Rounded up instead of down: a window that would stick out past the (padded) edge "
        "is never used, so round (n − f + 2p)/s down, with //.",
        compute=lambda n, f, s, p: output_size(n, f, stride=s, padding=p, mode="ceil"),
    ),
    Mistake(
        "did not round down",
        "Did not round down: (n − f + 2p)/s is not always a whole number (the window may "
        "not fit a last time). Use // (floor division) so you count whole positions only.",
        # The mistake itself: true division, no floor.
        compute=lambda n, f, s, p: (n - f + 2 * p) / s + 1,
    ),
    Mistake(
        "returned a float",
        "Returned a float: the value is right but a size is a whole number. Use // "
        "instead of /, or convert with int(...).",
        test=_returned_float,
    ),
)


def check_output_size(
    fn: Callable[[int, int, int, int], int] | None, *, title: str = "output size"
) -> CheckResult:
    """Check a reader's ``fn(n, f, stride, padding) -> int``: positions along one axis.

    The expected answer is ⌊(n − f + 2p)/s⌋ + 1 (floor convention, as PyTorch), from
    :func:`cnnkit.shapes.output_size` with ``mode="floor"``. The cases include strides
    that do not divide n − f + 2p, so rounding matters.

    Named mistakes: forgot the stride; forgot the padding; counted the padding once
    (n + p); off by one (missing + 1, or one too many); rounded up instead of down; did
    not round down (true division); returned a float.

    Parameters
    ----------
    fn : callable or None
        Called positionally as ``fn(n, f, stride, padding)``.
    title : str
        Shown in the result.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> check_output_size(lambda n, f, stride, padding: (n - f + 2 * padding) // stride + 1)
    ✓ Correct: output size (all 8 cases pass)
    >>> check_output_size(lambda n, f, stride, padding: (n - f + 2 * padding) // stride)
    ✗ Not yet: output size (0 of 8 cases pass)
      Case:     n=5, f=3, stride=1, padding=0
      Expected: 3
      Got:      2
      Hint:     Off by one: (n − f + 2p)/s counts the steps the window takes; the number of
                positions is one more (the first position comes before any step). Add 1.
    """
    cases = [
        _size_case(5, 3, 1, 0),
        _size_case(7, 3, 1, 1),
        _size_case(7, 3, 2, 0),
        _size_case(10, 3, 2, 0),
        _size_case(8, 3, 2, 1),
        _size_case(6, 4, 3, 2),
        _size_case(28, 5, 1, 2),
        _size_case(227, 11, 4, 0),
    ]
    return check_function(
        fn,
        _floor_size,
        cases,
        _OUTPUT_SIZE_MISTAKES,
        title=title,
        compare=_same_integer,
        signature="fn(n, f, stride, padding)",
    )


# ---------------------------------------------------------------------------------------
# Single-channel convolution
# ---------------------------------------------------------------------------------------
def _flip(w: np.ndarray) -> np.ndarray:
    """The kernel rotated by 180 degrees (last two axes reversed)."""
    return w[..., ::-1, ::-1]


def _floor_conv(x: np.ndarray, w: np.ndarray, b: Any = None, stride: int = 1, padding: int = 0):
    return conv2d(x, w, b, stride=stride, padding=padding, mode="floor")


def _off_by_one_shape(got: Any, expected: Any, case: Case) -> bool:
    if isinstance(got, Exception):
        return False
    shape = np.shape(got)
    if len(shape) != np.ndim(expected) or shape == np.shape(expected):
        return False
    return max(abs(a - b) for a, b in zip(shape, np.shape(expected), strict=True)) == 1


def _swapped_axes(got: Any, expected: Any, case: Case) -> bool:
    if isinstance(got, Exception):
        return False
    shape, want = np.shape(got), np.shape(expected)
    return len(shape) == len(want) and shape != want and sorted(shape) == sorted(want)


def _stride_one_block(x, w, b=None, stride=1, padding=0):
    """Right number of positions, but the window moved 1 pixel per step."""
    rows, cols = conv2d(x, w, b, stride=stride, padding=padding).shape[-2:]
    return _floor_conv(x, w, b, 1, padding)[..., :rows, :cols]


def _padded_top_left_only(x, w, b=None, stride=1, padding=0):
    if padding == 0:
        raise ValueError("no padding: this mistake does not apply")
    return _floor_conv(pad(x, (padding, 0, padding, 0)), w, b, stride, 0)


_FLIPPED_HINT = (
    "Flipped the kernel: you computed a true convolution (kernel rotated by 180°). "
    "Deep-learning libraries, and this book, slide the kernel as it is "
    "(cross-correlation): out[i, j] = Σ x[i·s + u, j·s + v] · w[u, v]."
)
_STRIDE_HINT = (
    "Forgot the stride: the window moved one pixel per step. For output row i and "
    "column j, the window starts at input row i·s and column j·s."
)
_PADDING_HINT = (
    "Forgot the padding: pad the input with p zeros on every side (top, bottom, left, "
    "right) before sliding the kernel."
)


def _conv2d_mistakes() -> list[Mistake]:
    return [
        Mistake(
            "flipped the kernel",
            _FLIPPED_HINT,
            compute=lambda x, w, stride=1, padding=0: _floor_conv(
                x, _flip(w), None, stride, padding
            ),
        ),
        Mistake(
            "forgot the stride",
            _STRIDE_HINT,
            compute=lambda x, w, stride=1, padding=0: _floor_conv(x, w, None, 1, padding),
        ),
        Mistake(
            "forgot the stride",
            _STRIDE_HINT + " (Your output has the right shape, but its windows overlap "
            "as for stride 1.)",
            compute=lambda x, w, stride=1, padding=0: _stride_one_block(
                x, w, None, stride, padding
            ),
        ),
        Mistake(
            "forgot the padding",
            _PADDING_HINT,
            compute=lambda x, w, stride=1, padding=0: _floor_conv(x, w, None, stride, 0),
        ),
        Mistake(
            "padded with the wrong amount",
            "Padded with the wrong amount: you added 2p zeros on each side. The padding p "
            "is per side; the padded input is n + 2p wide because both sides get p.",
            compute=lambda x, w, stride=1, padding=0: _floor_conv(x, w, None, stride, 2 * padding),
        ),
        Mistake(
            "padded with the wrong amount",
            "Padded with the wrong amount: you padded only the top and the left. Add p "
            "zeros on all four sides.",
            compute=lambda x, w, stride=1, padding=0: _padded_top_left_only(
                x, w, None, stride, padding
            ),
        ),
        Mistake(
            "swapped H and W",
            "Swapped H and W: your output has the height and the width exchanged. Rows "
            "(height, axis 0) come first, columns (width, axis 1) second, for the input, "
            "the kernel (KH, KW) and the output (Ho, Wo).",
            test=_swapped_axes,
        ),
        Mistake(
            "off by one in the output size",
            "Off by one in the output size: your output has one row or column too many or "
            "too few. Along each axis the window visits ⌊(n − f + 2p)/s⌋ + 1 positions: "
            "check your loop ranges (range(Ho), not range(H − KH)).",
            test=_off_by_one_shape,
        ),
    ]


def _ints(rng: np.random.Generator, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
    """Small whole numbers as float64: easy to read in a failure report."""
    return rng.integers(low, high, size=shape).astype(np.float64)


def _conv_label(x: np.ndarray, w: np.ndarray, stride: int, padding: int, b: Any = None) -> str:
    bias = "" if b is None else f", b={np.array2string(np.asarray(b), separator=', ')}"
    return f"x.shape={x.shape}, w.shape={w.shape}{bias}, stride={stride}, padding={padding}"


def check_conv2d(
    fn: Callable[..., np.ndarray] | None, *, title: str = "2-D convolution"
) -> CheckResult:
    """Check a reader's ``fn(x, w, stride=1, padding=0)`` on 2-D inputs.

    ``x`` has shape (H, W), ``w`` shape (KH, KW); the expected result is the
    cross-correlation (kernel not flipped) of shape (Ho, Wo), from
    :func:`cnnkit.convolution.conv2d`. The cases use rectangular inputs and kernels,
    stride 2 and padding 1; every setting tiles the input exactly.

    Named mistakes: flipped the kernel (true convolution); forgot the stride (whole
    stride-1 map, or the right shape with stride-1 windows); forgot the padding; padded
    with the wrong amount (2p per side, or top and left only); swapped H and W; off by
    one in the output size. Exceptions are reported with a hint.

    Parameters
    ----------
    fn : callable or None
        Called as ``fn(x, w, stride=s, padding=p)`` with float64 arrays.
    title : str
        Shown in the result.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from cnnkit.convolution import conv2d_naive
    >>> check_conv2d(lambda x, w, stride=1, padding=0: conv2d_naive(x, w, None, stride, padding))
    ✓ Correct: 2-D convolution (all 5 cases pass)
    >>> result = check_conv2d(
    ...     lambda x, w, stride=1, padding=0: conv2d_naive(x, w[::-1, ::-1], None, stride, padding))
    >>> result.mistake
    'flipped the kernel'
    """
    rng = np.random.default_rng(20)
    settings = [
        ((4, 6), (2, 3), 1, 0),
        ((5, 7), (3, 3), 2, 0),
        ((4, 5), (3, 2), 1, 1),
        ((5, 8), (3, 2), 2, 1),
        ((6, 5), (2, 3), 2, 0),
    ]
    cases = []
    for x_shape, w_shape, stride, padding in settings:
        x = _ints(rng, 0, 5, x_shape)
        w = _ints(rng, -2, 3, w_shape)
        cases.append(
            Case(
                (x, w),
                {"stride": stride, "padding": padding},
                label=_conv_label(x, w, stride, padding),
                inputs={"x": x, "w": w},
            )
        )
    return check_function(
        fn,
        lambda x, w, stride=1, padding=0: conv2d(x, w, stride=stride, padding=padding),
        cases,
        _conv2d_mistakes(),
        title=title,
        signature="fn(x, w, stride=s, padding=p)",
    )


# ---------------------------------------------------------------------------------------
# Multi-channel convolution
# ---------------------------------------------------------------------------------------
def _accepts(fn: Callable[..., Any], *names: str) -> bool:
    """Whether ``fn`` can take these keyword arguments."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return True
    return all(
        name in params and params[name].kind is not inspect.Parameter.POSITIONAL_ONLY
        for name in names
    )


def _channel_axis_padded(x, w, b, stride=1, padding=0):
    """Padding applied to all three axes, then the first C 'channels' used."""
    if padding == 0:
        raise ValueError("no padding: this mistake does not apply")
    channels = x.shape[0]
    shifted = np.pad(x, ((padding, padding), (0, 0), (0, 0)))[:channels]
    return _floor_conv(shifted, w, b, stride, padding)


def _channel_axis_padded_error(got: Any, expected: Any, case: Case) -> bool:
    x = case.args[0]
    padding = case.kwargs.get("padding", 0)
    message = str(got)
    return (
        isinstance(got, ValueError)
        and padding > 0
        and "broadcast" in message
        and f"({x.shape[0] + 2 * padding}," in message
    )


def _per_channel_maps(got: Any, expected: Any, case: Case) -> bool:
    if isinstance(got, Exception):
        return False
    filters, channels = case.args[1].shape[:2]
    return np.shape(got) == (filters, channels, *np.shape(expected)[1:])


def _multichannel_mistakes(with_knobs: bool) -> list[Mistake]:
    def no_bias(x, w, b, stride=1, padding=0):
        return _floor_conv(x, w, None, stride, padding)

    mistakes = [
        Mistake(
            "forgot the bias",
            "Forgot the bias: after summing over the window and the channels, add the "
            "filter's bias b[f] (one number per filter) to every position of its map.",
            compute=no_bias,
        ),
        Mistake(
            "added the bias once per channel",
            "Added the bias once per channel: the bias belongs to the filter, so add b[f] "
            "once, after summing over all channels, not inside the channel loop.",
            compute=lambda x, w, b, stride=1, padding=0: (
                no_bias(x, w, b, stride, padding) + x.shape[0] * np.asarray(b)[:, None, None]
            ),
        ),
        Mistake(
            "averaged over the channels",
            "Averaged over the channels: a filter spans all C channels and its products "
            "are summed (np.sum), not averaged (np.mean).",
            compute=lambda x, w, b, stride=1, padding=0: (
                no_bias(x, w, b, stride, padding) / x.shape[0] + np.asarray(b)[:, None, None]
            ),
        ),
        Mistake(
            "did not sum over channels (used only channel 0)",
            "Did not sum over channels: you used only channel 0. A filter has shape "
            "(C, KH, KW) and covers all C channels at once: sum the products over the "
            "channels as well as over the window.",
            compute=lambda x, w, b, stride=1, padding=0: _floor_conv(
                x[:1], w[:, :1], b, stride, padding
            ),
        ),
        Mistake(
            "did not sum over channels (kept per-channel maps)",
            "Did not sum over channels: you kept one map per input channel, shape "
            "(F, C, Ho, Wo). Each filter gives ONE map: add up its channels, to get "
            "(F, Ho, Wo).",
            test=_per_channel_maps,
        ),
        Mistake(
            "flipped the kernel",
            _FLIPPED_HINT,
            compute=lambda x, w, b, stride=1, padding=0: _floor_conv(
                x, _flip(w), b, stride, padding
            ),
        ),
    ]
    if with_knobs:
        channel_hint = (
            "Padded the channel axis: zero padding goes around the image (the last two "
            "axes) only; padding the channel axis adds fake channels. Use "
            "np.pad(x, ((0, 0), (p, p), (p, p))) or cnnkit.padding.pad."
        )
        mistakes += [
            Mistake("padded the channel axis", channel_hint, compute=_channel_axis_padded),
            Mistake("padded the channel axis", channel_hint, test=_channel_axis_padded_error),
            Mistake(
                "forgot the stride",
                _STRIDE_HINT,
                compute=lambda x, w, b, stride=1, padding=0: _floor_conv(x, w, b, 1, padding),
            ),
            Mistake(
                "forgot the stride",
                _STRIDE_HINT,
                compute=lambda x, w, b, stride=1, padding=0: _stride_one_block(
                    x, w, b, stride, padding
                ),
            ),
            Mistake(
                "forgot the padding",
                _PADDING_HINT,
                compute=lambda x, w, b, stride=1, padding=0: _floor_conv(x, w, b, stride, 0),
            ),
        ]
    mistakes += [
        Mistake(
            "swapped H and W",
            "Swapped H and W: your output has its height and width exchanged, or its axes "
            "in another order. The layout is (F, Ho, Wo): filters, rows, columns.",
            test=_swapped_axes,
        ),
        Mistake(
            "off by one in the output size",
            "Off by one in the output size: along each axis the window visits "
            "⌊(n − f + 2p)/s⌋ + 1 positions: check your loop ranges.",
            test=_off_by_one_shape,
        ),
    ]
    return mistakes


def check_conv2d_multichannel(
    fn: Callable[..., np.ndarray] | None, *, title: str = "multi-channel convolution"
) -> CheckResult:
    """Check a reader's ``fn(x, w, b)``: every filter spans all channels, plus its bias.

    ``x`` has shape (C, H, W), ``w`` shape (F, C, KH, KW), ``b`` shape (F,); the
    expected result, shape (F, Ho, Wo), comes from :func:`cnnkit.convolution.conv2d`.
    If ``fn`` also takes ``stride`` and ``padding`` keyword arguments, cases with
    stride 2 and padding 1 are added and checked too.

    Named mistakes: forgot the bias; added the bias once per channel; averaged over the
    channels; did not sum over channels (used only channel 0, or kept per-channel maps);
    flipped the kernel; and, with stride and padding: padded the channel axis, forgot the
    stride, forgot the padding. Also swapped H and W, off by one in the output size.

    Parameters
    ----------
    fn : callable or None
        Called as ``fn(x, w, b)`` or ``fn(x, w, b, stride=s, padding=p)``.
    title : str
        Shown in the result.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from cnnkit.convolution import conv2d_naive
    >>> check_conv2d_multichannel(lambda x, w, b: conv2d_naive(x, w, b))
    ✓ Correct: multi-channel convolution (all 2 cases pass)
    >>> check_conv2d_multichannel(lambda x, w, b: conv2d_naive(x, w)).mistake
    'forgot the bias'
    """
    with_knobs = fn is not None and callable(fn) and _accepts(fn, "stride", "padding")
    rng = np.random.default_rng(30)
    settings = [
        ((2, 4, 5), (3, 2, 2, 3), 1, 0),
        ((3, 5, 4), (2, 3, 3, 2), 1, 0),
    ]
    if with_knobs:
        settings += [
            ((3, 5, 7), (2, 3, 3, 3), 2, 1),
            ((2, 4, 5), (4, 2, 3, 2), 1, 1),
        ]
    cases = []
    for x_shape, w_shape, stride, padding in settings:
        x = _ints(rng, 0, 4, x_shape)
        w = _ints(rng, -2, 3, w_shape)
        b = _ints(rng, 1, 4, (w_shape[0],)) * rng.choice([-1.0, 1.0], size=w_shape[0])
        kwargs = {"stride": stride, "padding": padding} if with_knobs else {}
        cases.append(
            Case(
                (x, w, b),
                kwargs,
                label=_conv_label(x, w, stride, padding, b),
                inputs={"x": x, "w": w, "b": b},
            )
        )
    return check_function(
        fn,
        lambda x, w, b, stride=1, padding=0: conv2d(x, w, b, stride=stride, padding=padding),
        cases,
        _multichannel_mistakes(with_knobs),
        title=title,
        signature="fn(x, w, b, stride=s, padding=p)" if with_knobs else "fn(x, w, b)",
    )


# ---------------------------------------------------------------------------------------
# One value of a feature map
# ---------------------------------------------------------------------------------------
def _at(array: np.ndarray, position: tuple[int, ...]) -> Any:
    """``array[position]`` as a plain number; IndexError for negative or outside indices."""
    if len(position) != array.ndim or any(
        i < 0 or i >= n for i, n in zip(position, array.shape, strict=True)
    ):
        raise IndexError(f"position {position} is outside shape {array.shape}")
    value = float(array[position])
    return int(value) if value.is_integer() else value


def check_feature_map_value(
    value: Any,
    x: np.ndarray,
    w: np.ndarray,
    position: Sequence[int],
    *,
    b: Any = None,
    stride: int = 1,
    padding: int = 0,
    title: str = "feature-map value",
) -> CheckResult:
    """Check the reader's value of the feature map ``conv2d(x, w, b, stride, padding)`` at
    ``position``.

    Rows and columns count from 0, as numpy does; say so in the question. ``x`` (H, W)
    with ``w`` (KH, KW), or (C, H, W) with (F, C, KH, KW) and a position (f, row, col).

    Named mistakes (each only when it gives a different number): flipped the kernel;
    swapped row and column; counted rows and columns from 1; forgot the stride; forgot
    the padding; forgot the bias.

    Parameters
    ----------
    value : number or None
        The reader's answer; ``None`` or ``...`` means not attempted yet.
    x, w : array_like
        The input and the kernel of the question.
    position : sequence of int
        Index into the feature map, e.g. ``(1, 2)`` for row 1, column 2.
    b, stride, padding
        As for :func:`cnnkit.convolution.conv2d`.
    title : str
        Shown in the result.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> w = np.array([[1.0, 0.0], [0.0, -1.0]])
    >>> check_feature_map_value(-5, x, w, (0, 1))
    ✓ Correct: feature-map value
    >>> check_feature_map_value(5, x, w, (0, 1)).mistake
    'flipped the kernel'
    """
    x = np.asarray(x)
    w = np.asarray(w)
    position = tuple(int(i) for i in position)
    *lead, row, col = position

    def fmap(**changes: Any) -> np.ndarray:
        kw = {"b": b, "stride": stride, "padding": padding, "w": w} | changes
        return conv2d(x, kw["w"], kw["b"], stride=kw["stride"], padding=kw["padding"], mode="floor")

    expected = _at(conv2d(x, w, b, stride=stride, padding=padding), position)
    mistakes = [
        Mistake(
            "flipped the kernel",
            _FLIPPED_HINT + " Multiply each input value by the kernel value at the same "
            "place in the window.",
            compute=lambda: _at(fmap(w=_flip(w)), position),
        ),
        Mistake(
            "swapped row and column",
            "Swapped row and column: the first index is the row (down), the second the "
            "column (across).",
            compute=lambda: _at(fmap(), (*lead, col, row)),
        ),
        Mistake(
            "counted from 1",
            "Counted rows and columns from 1: like numpy, the book counts from 0, so row 0 "
            "is the top row and column 0 the leftmost column.",
            compute=lambda: _at(fmap(), (*lead, row - 1, col - 1)),
        ),
        Mistake(
            "forgot the stride",
            _STRIDE_HINT,
            compute=lambda: _at(fmap(stride=1), position),
        ),
        Mistake(
            "forgot the padding",
            _PADDING_HINT + " With padding, output position (0, 0) covers zeros.",
            compute=lambda: _at(fmap(padding=0), position),
        ),
    ]
    if b is not None:
        mistakes.append(
            Mistake(
                "forgot the bias",
                "Forgot the bias: add b after summing the products.",
                compute=lambda: _at(fmap(b=None), position),
            )
        )
    names = "(filter, row, column)" if lead else "(row, column)"
    case = Case(
        label=f"position {position} {names}, stride={stride}, padding={padding}",
        inputs={"x": x, "w": w} if b is None else {"x": x, "w": w, "b": b},
    )
    return _check_answer(value, expected, mistakes, case, title, _close, _close)


# ---------------------------------------------------------------------------------------
# Counting: parameters and multiply-adds
# ---------------------------------------------------------------------------------------
def _params(in_channels: int, out_channels: int, kernel_size: int) -> int:
    k = kernel_size
    return conv2d_cost((in_channels, k, k), out_channels, k).params


_PARAMS_MISTAKES = (
    Mistake(
        "forgot the bias",
        "Forgot the bias: each filter has K·K·C weights plus one bias, so "
        "parameters = F·(K·K·C + 1).",
        compute=lambda c, f, k: conv2d_cost((c, k, k), f, k).weights,
    ),
    Mistake(
        "forgot the input channels",
        "Forgot the input channels: a filter spans all C input channels, so it has K·K·C "
        "weights, not K·K. Parameters = F·(K·K·C + 1).",
        compute=lambda c, f, k: _params(1, f, k),
    ),
    Mistake(
        "used K instead of K·K",
        "Used the kernel size once: a K×K filter has K·K weights per channel.",
        compute=lambda c, f, k: f * (k * c + 1),
    ),
    Mistake(
        "counted one filter",
        "Counted one filter: the layer has F filters (= output channels), each with its "
        "own weights and bias. Multiply by F.",
        compute=lambda c, f, k: _params(c, 1, k),
    ),
    Mistake(
        "returned a float",
        "Returned a float: the value is right, but a count is a whole number. Use "
        "integer arithmetic (no /) or int(...).",
        test=_returned_float,
    ),
)


def _params_case(in_channels: int, out_channels: int, kernel_size: int) -> Case:
    return Case(
        (in_channels, out_channels, kernel_size),
        label=(
            f"in_channels={in_channels}, out_channels={out_channels}, kernel_size={kernel_size}"
        ),
    )


def check_params(
    fn: Callable[[int, int, int], int] | None, *, title: str = "parameter count"
) -> CheckResult:
    """Check a reader's ``fn(in_channels, out_channels, kernel_size) -> int``.

    The number of learnable parameters of a convolution layer with square K×K filters:
    F·(K·K·C + 1) (weights plus one bias per filter), from
    :func:`cnnkit.cost.conv2d_cost`.

    Named mistakes: forgot the bias (F·K·K·C); forgot the input channels (F·(K·K + 1));
    used K instead of K·K; counted one filter; returned a float.

    Examples
    --------
    >>> check_params(lambda c_in, c_out, k: c_out * (k * k * c_in + 1))
    ✓ Correct: parameter count (all 5 cases pass)
    >>> check_params(lambda c_in, c_out, k: c_out * k * k * c_in).mistake
    'forgot the bias'
    """
    cases = [
        _params_case(1, 1, 3),
        _params_case(3, 4, 3),
        _params_case(1, 6, 5),
        _params_case(16, 32, 5),
        _params_case(3, 96, 11),
    ]
    return check_function(
        fn,
        _params,
        cases,
        _PARAMS_MISTAKES,
        title=title,
        compare=_same_integer,
        signature="fn(in_channels, out_channels, kernel_size)",
    )


def check_param_count(
    answer: Any,
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    *,
    title: str = "parameter count",
) -> CheckResult:
    """Check a typed-in number of parameters of a convolution layer.

    Same reference and named mistakes as :func:`check_params`.

    Examples
    --------
    >>> check_param_count(112, in_channels=3, out_channels=4, kernel_size=3)
    ✓ Correct: parameter count
    >>> check_param_count(40, in_channels=3, out_channels=4, kernel_size=3).mistake
    'forgot the input channels'
    """
    case = _params_case(in_channels, out_channels, kernel_size)
    expected = case.call(_params)
    return _check_answer(answer, expected, _PARAMS_MISTAKES, case, title, _close, _close)


def _macs(in_shape, out_channels, kernel_size, stride=1, padding=0) -> int:
    return conv2d_cost(
        tuple(in_shape), out_channels, kernel_size, stride=stride, padding=padding
    ).macs


def _floor_cost(in_shape, out_channels, kernel_size, stride=1, padding=0):
    return conv2d_cost(
        tuple(in_shape), out_channels, kernel_size, stride=stride, padding=padding, mode="floor"
    )


def _input_sized(in_shape, f, k, s=1, p=0):
    cost = _floor_cost(in_shape, f, k, s, p)
    per_position = cost.macs // cost.positions
    return in_shape[1] * in_shape[2] * per_position


def _article_formula(in_shape, f, k, s=1, p=0):
    """The outline article's claim: time proportional to (height·width)/stride."""
    cost = _floor_cost(in_shape, f, k, s, p)
    per_position = cost.macs // cost.positions
    return in_shape[1] * in_shape[2] / s * per_position


_MACS_MISTAKES = (
    Mistake(
        "forgot the input channels",
        "Forgot the input channels: at each position a filter multiplies K·K·C pairs, "
        "one K×K patch per input channel.",
        compute=lambda shape, f, k, s=1, p=0: _macs((1, *shape[1:]), f, k, s, p),
    ),
    Mistake(
        "forgot the number of filters",
        "Forgot the number of filters: that is the count for one filter; the layer runs "
        "all F filters over every position. Multiply by F.",
        compute=lambda shape, f, k, s=1, p=0: _floor_cost(shape, f, k, s, p).macs_per_filter,
    ),
    Mistake(
        "forgot the stride",
        "Forgot the stride: the number of positions is Ho·Wo with "
        "Ho = ⌊(H − K + 2p)/s⌋ + 1 (and the same for W), not the stride-1 count.",
        compute=lambda shape, f, k, s=1, p=0: _floor_cost(shape, f, k, 1, p).macs,
    ),
    Mistake(
        "forgot the padding",
        "Forgot the padding: with padding p the window visits ⌊(H − K + 2p)/s⌋ + 1 rows "
        "of positions (and the same for columns).",
        compute=lambda shape, f, k, s=1, p=0: _floor_cost(shape, f, k, s, 0).macs,
    ),
    Mistake(
        "divided by the stride instead of its square",
        "Divided H·W by the stride once: the stride shrinks both the height and the "
        "width, so the number of positions is about (H/s)·(W/s): it falls as 1/s², "
        "not 1/s. Use Ho·Wo.",
        compute=_article_formula,
    ),
    Mistake(
        "used the input size instead of the output size",
        "Used the input size: the filter is applied once per OUTPUT position, Ho·Wo "
        "times, not H·W times.",
        compute=_input_sized,
    ),
    Mistake(
        "used K instead of K·K",
        "Used the kernel size once: a K×K window holds K·K values per channel.",
        compute=lambda shape, f, k, s=1, p=0: _floor_cost(shape, f, k, s, p).macs // k,
    ),
    Mistake(
        "counted positions, not multiply-adds",
        "Counted window positions only: at each position every filter does K·K·C "
        "multiply-adds. Multiply by K·K·C.",
        compute=lambda shape, f, k, s=1, p=0: _floor_cost(shape, f, k, s, p).positions * f,
    ),
    Mistake(
        "returned a float",
        "Returned a float: the value is right, but a count is a whole number. Use // "
        "(or int(...)) instead of /.",
        test=_returned_float,
    ),
)


def _macs_case(in_shape, out_channels, kernel_size, stride=1, padding=0) -> Case:
    return Case(
        (tuple(in_shape), out_channels, kernel_size, stride, padding),
        label=(
            f"in_shape={tuple(in_shape)}, out_channels={out_channels}, "
            f"kernel_size={kernel_size}, stride={stride}, padding={padding}"
        ),
    )


def check_macs(fn: Callable[..., int] | None, *, title: str = "multiply-adds") -> CheckResult:
    """Check a reader's ``fn(in_shape, out_channels, kernel_size, stride, padding) -> int``.

    ``in_shape`` is (C, H, W). The expected number of multiply-adds of a convolution
    layer is Ho·Wo·K·K·C·F, from :func:`cnnkit.cost.conv2d_cost`.

    Named mistakes: forgot the input channels; forgot the number of filters; forgot the
    stride; forgot the padding; divided by the stride instead of its square (H·W/s);
    used the input size instead of the output size; used K instead of K·K; counted
    positions, not multiply-adds; returned a float.

    Examples
    --------
    >>> from cnnkit.shapes import output_size
    >>> def macs(in_shape, out_channels, k, stride, padding):
    ...     c, h, w = in_shape
    ...     ho = output_size(h, k, stride, padding)
    ...     wo = output_size(w, k, stride, padding)
    ...     return ho * wo * k * k * c * out_channels
    >>> check_macs(macs)
    ✓ Correct: multiply-adds (all 5 cases pass)
    """
    cases = [
        _macs_case((1, 5, 5), 1, 3),
        _macs_case((3, 8, 8), 4, 3),
        _macs_case((1, 28, 28), 6, 5, 1, 2),
        _macs_case((2, 9, 7), 3, 3, 2, 1),
        _macs_case((3, 227, 227), 96, 11, 4, 0),
    ]
    return check_function(
        fn,
        _macs,
        cases,
        _MACS_MISTAKES,
        title=title,
        compare=_same_integer,
        signature="fn(in_shape, out_channels, kernel_size, stride, padding)",
    )


def check_mac_count(
    answer: Any,
    in_shape: Sequence[int],
    out_channels: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    *,
    title: str = "multiply-adds",
) -> CheckResult:
    """Check a typed-in number of multiply-adds; same reference and mistakes as
    :func:`check_macs`.

    Examples
    --------
    >>> check_mac_count(3888, (3, 8, 8), 4, 3)
    ✓ Correct: multiply-adds
    >>> check_mac_count(972, (3, 8, 8), 4, 3).mistake
    'forgot the number of filters'
    """
    case = _macs_case(in_shape, out_channels, kernel_size, stride, padding)
    expected = case.call(_macs)
    return _check_answer(answer, expected, _MACS_MISTAKES, case, title, _close, _close)


# ---------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------
def _as_shape(value: Any) -> tuple[int, ...] | None:
    """A tuple of ints, or None when ``value`` is not a shape."""
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            return None
        value = value.tolist()
    if not isinstance(value, (tuple, list)):
        return None
    if not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in value
    ):
        return None
    return tuple(int(v) for v in value)


def _same_shape(got: Any, expected: Any) -> bool:
    shape = _as_shape(got)
    return shape is not None and shape == tuple(expected)


def _not_a_shape(got: Any, expected: Any, case: Case) -> bool:
    return not isinstance(got, Exception) and _as_shape(got) is None


def _shape_test(rule: Callable[[tuple[int, ...], tuple[int, ...]], bool]):
    def test(got: Any, expected: Any, case: Case) -> bool:
        shape = _as_shape(got)
        return shape is not None and rule(shape, tuple(expected))

    return test


_SHAPE_MISTAKES = (
    Mistake(
        "not a shape",
        "Give the shape as a tuple of whole numbers, like (4, 4, 4). (If you have the "
        "array itself, its .shape is that tuple.)",
        test=_not_a_shape,
    ),
    Mistake(
        "swapped axes",
        "Same numbers, another order: the axes are swapped. The book's layout is "
        "(C, H, W): channels first, then rows (height), then columns (width).",
        test=_shape_test(lambda g, e: len(g) == len(e) and g != e and sorted(g) == sorted(e)),
    ),
    Mistake(
        "off by one",
        "Off by one in a size: count the positions along each axis with "
        "⌊(n − f + 2p)/s⌋ + 1 (the + 1 counts the first position).",
        test=_shape_test(
            lambda g, e: (
                len(g) == len(e) and max(abs(a - b) for a, b in zip(g, e, strict=True)) == 1
            )
        ),
    ),
    Mistake(
        "wrong number of axes",
        "Wrong number of axes: count them again (one per dimension, e.g. 3 for "
        "(channels, height, width)).",
        test=_shape_test(lambda g, e: len(g) != len(e)),
    ),
)


def check_shape(
    got: Any,
    expected: Sequence[int],
    mistakes: Mapping[tuple[int, ...], str] | Iterable[tuple[Any, str]] | None = None,
    *,
    title: str = "shape",
    question: str = "",
) -> CheckResult:
    """Check a "what is the shape?" answer.

    Parameters
    ----------
    got : tuple of int or None
        The reader's answer; ``None`` or ``...`` means not attempted yet.
    expected : sequence of int
        The right shape.
    mistakes : mapping, optional
        ``{wrong_shape: hint}`` for mistakes specific to the question; they are tried
        before the generic ones.
    title, question : str
        Shown in the result.

    Named mistakes (generic): not a shape (not a tuple of ints); swapped axes (the same
    sizes in another order); off by one; wrong number of axes.

    Examples
    --------
    >>> check_shape((4, 4, 4), (4, 4, 4))
    ✓ Correct: shape
    >>> check_shape((8, 6, 4), (4, 8, 6)).mistake
    'swapped axes'
    """
    own = [
        Mistake(hint, hint, compute=lambda value=value: value)
        for value, hint in (mistakes.items() if isinstance(mistakes, Mapping) else mistakes or ())
    ]
    case = Case(label=question)
    expected = tuple(int(n) for n in expected)
    all_mistakes = own + list(_SHAPE_MISTAKES)
    return _check_answer(got, expected, all_mistakes, case, title, _same_shape, _same_shape)


def check_conv_output_shape(
    answer: Any,
    in_shape: Sequence[int],
    out_channels: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    *,
    mode: str = "strict",
    title: str = "output shape",
) -> CheckResult:
    """Check a typed-in output shape (F, Ho, Wo) of a convolution layer.

    The expected shape comes from :func:`cnnkit.cost.conv2d_cost` (``mode`` as there).

    Named mistakes: put the channels last; depth = input channels (instead of the
    number of filters); forgot the stride; forgot the padding; and the generic ones of
    :func:`check_shape` (swapped axes, off by one, wrong number of axes, not a shape).

    Examples
    --------
    >>> check_conv_output_shape((4, 4, 4), in_shape=(3, 6, 6), out_channels=4, kernel_size=3)
    ✓ Correct: output shape
    >>> check_conv_output_shape((3, 4, 4), (3, 6, 6), 4, 3).mistake
    'depth = input channels'
    """
    in_shape = tuple(int(n) for n in in_shape)

    def shape(**changes: Any) -> tuple[int, ...]:
        kw = {"stride": stride, "padding": padding} | changes
        cost = conv2d_cost(in_shape, out_channels, kernel_size, mode="floor", **kw)
        return tuple(int(n) for n in cost.output_shape)

    expected = tuple(
        int(n)
        for n in conv2d_cost(
            in_shape, out_channels, kernel_size, stride=stride, padding=padding, mode=mode
        ).output_shape
    )
    _, rows, cols = expected
    mistakes = [
        Mistake(
            "channels last",
            "Put the channels last: (Ho, Wo, F) is the layout of image files; the book and "
            "most frameworks write (F, Ho, Wo), channels first.",
            compute=lambda: (rows, cols, out_channels),
        ),
        Mistake(
            "depth = input channels",
            "The depth of the output is the number of filters (one feature map per "
            "filter), not the number of input channels: each filter sums over all of them.",
            compute=lambda: (in_shape[0], rows, cols),
        ),
        Mistake("forgot the stride", _STRIDE_HINT, compute=lambda: shape(stride=1)),
        Mistake("forgot the padding", _PADDING_HINT, compute=lambda: shape(padding=0)),
    ]
    case = Case(
        label=(
            f"in_shape={in_shape}, out_channels={out_channels}, kernel_size={kernel_size}, "
            f"stride={stride}, padding={padding}"
        )
    )
    return _check_answer(
        answer, expected, mistakes + list(_SHAPE_MISTAKES), case, title, _same_shape, _same_shape
    )


# ---------------------------------------------------------------------------------------
# Chapter 1: pixels, layouts and dtypes
# ---------------------------------------------------------------------------------------
def check_pixel_value(
    answer: Any,
    image: np.ndarray,
    row: int,
    col: int,
    channel: int,
    *,
    title: str = "pixel value",
) -> CheckResult:
    """Check the value the reader read from ``image[row, col, channel]`` of an (H, W, C)
    image.

    Named mistakes (each only when it gives a different number): swapped row and
    column; read another channel (the hint names which one).

    Examples
    --------
    >>> img = np.arange(24).reshape(2, 4, 3)
    >>> check_pixel_value(img[1, 2, 1], img, 1, 2, 1)
    ✓ Correct: pixel value
    >>> check_pixel_value(img[1, 2, 0], img, 1, 2, 1).mistake
    'read the red channel'
    """
    image = np.asarray(image)
    names = ["red", "green", "blue"] if image.shape[-1] == 3 else None
    mistakes = []
    if col < image.shape[0] and row < image.shape[1]:
        mistakes.append(
            Mistake(
                "swapped row and column",
                "You swapped row and column: index image[row, column, channel], rows first.",
                compute=lambda: image[col, row, channel],
            )
        )
    for k in range(image.shape[-1]):
        if k == channel:
            continue
        name = names[k] if names else f"channel {k}"
        wanted = names[channel] if names else f"channel {channel}"
        mistakes.append(
            Mistake(
                f"read the {name} channel",
                f"That is the {name} value. The last index picks the channel: "
                f"{'0 red, 1 green, 2 blue' if names else 'count from 0'}; "
                f"you want {wanted}.",
                compute=lambda k=k: image[row, col, k],
            )
        )
    case = Case(label=f"image[{row}, {col}, {channel}]")
    return _check_answer(answer, image[row, col, channel], mistakes, case, title, _close, _close)


def check_nbytes(
    answer: Any, shape: Sequence[int], dtype: Any, *, title: str = "bytes"
) -> CheckResult:
    """Check the number of bytes an array of ``shape`` and ``dtype`` takes.

    Named mistakes: counted one byte per value (the uint8 size); used another common
    float size (float32 for float64 and back); left out the channels (axis -3, when the
    shape has one).

    Examples
    --------
    >>> check_nbytes(48, (2, 3), np.float64)
    ✓ Correct: bytes
    >>> check_nbytes(24, (2, 3), np.float64).mistake
    'float32 size'
    """
    dtype = np.dtype(dtype)
    n_values = int(np.prod(shape))
    expected = n_values * dtype.itemsize
    mistakes = [
        Mistake(
            "one byte per value",
            f"One byte per value is the uint8 size; {dtype.name} takes {dtype.itemsize} "
            "bytes per value.",
            compute=lambda: n_values,
        )
    ]
    other = {8: ("float32", 4), 4: ("float64", 8)}.get(dtype.itemsize)
    if other and dtype.kind == "f":
        mistakes.append(
            Mistake(
                f"{other[0]} size",
                f"{other[1]} bytes per value is the {other[0]} size; {dtype.name} takes "
                f"{dtype.itemsize}.",
                compute=lambda: n_values * other[1],
            )
        )
    if len(shape) >= 3:
        mistakes.append(
            Mistake(
                "left out the channels",
                f"You left out the channels: there are {shape[-3]} values per pixel.",
                compute=lambda: expected // shape[-3],
            )
        )
    case = Case(label=f"shape {tuple(shape)}, dtype {dtype.name}")
    return _check_answer(answer, expected, mistakes, case, title, _close, _close)


def check_difference(
    fn: Callable[..., Any] | None, *, title: str = "difference(a, b)"
) -> CheckResult:
    """Check ``fn(a, b)``, the pixel-by-pixel difference a − b of two uint8 images as real
    (signed) numbers.

    Named mistakes: the result wrapped around modulo 256 (uint8 arithmetic); returned
    the absolute difference; returned b − a.

    Examples
    --------
    >>> check_difference(lambda a, b: a.astype(float) - b)
    ✓ Correct: difference(a, b) (all 3 cases pass)
    >>> check_difference(lambda a, b: a - b).mistake
    'uint8 wrap-around'
    """
    rng = np.random.default_rng(7)
    dark = np.array([[10, 200, 0], [255, 30, 128]], dtype=np.uint8)
    bright = np.array([[20, 100, 255], [0, 30, 129]], dtype=np.uint8)
    cases = [
        Case(
            (dark, bright),
            label="a = [[10, 200, 0], [255, 30, 128]], b = [[20, 100, 255], [0, 30, 129]] (uint8)",
        ),
        Case(
            (
                rng.integers(0, 256, (5, 7), dtype=np.uint8),
                rng.integers(0, 256, (5, 7), dtype=np.uint8),
            ),
            label="two random 5×7 uint8 images",
        ),
        Case(
            (
                rng.integers(0, 256, (4, 6, 3), dtype=np.uint8),
                rng.integers(0, 256, (4, 6, 3), dtype=np.uint8),
            ),
            label="two random 4×6 RGB uint8 images (H, W, 3)",
        ),
    ]

    def reference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a.astype(np.float64) - b.astype(np.float64)

    mistakes = [
        Mistake(
            "uint8 wrap-around",
            "The result wrapped around modulo 256: uint8 arithmetic keeps the uint8 type. "
            "Convert a and b to float (or a signed integer type) before subtracting.",
            compute=lambda a, b: a - b,
        ),
        Mistake(
            "absolute difference",
            "You returned |a − b|: keep the sign, a pixel darker in a than in b gives a "
            "negative number.",
            compute=lambda a, b: np.abs(reference(a, b)),
        ),
        Mistake(
            "b − a",
            "You computed b − a; the exercise asks for a − b.",
            compute=lambda a, b: reference(b, a),
        ),
    ]
    return check_function(fn, reference, cases, mistakes, title=title, signature="difference(a, b)")


# ---------------------------------------------------------------------------------------
# Chapter 2: cross-correlation and true convolution
# ---------------------------------------------------------------------------------------
def check_flipped_filter(k: Any, w: np.ndarray, *, title: str | None = None) -> CheckResult:
    """Check the reader's filter ``k`` such that ``conv2d(x, k)`` equals the true
    convolution ``convolve2d(x, w)`` for every image x.

    The check runs ``conv2d`` with ``k`` on a test image and compares with
    ``convolve2d(x, w)``, so the expected filter itself is never shown. Named mistakes:
    gave ``w`` itself; flipped only the rows; flipped only the columns; transposed.

    Examples
    --------
    >>> w = np.array([[1.0, 2.0], [0.0, 3.0]])
    >>> check_flipped_filter(w[::-1, ::-1], w)
    ✓ Correct: conv2d with your k = convolve2d with w
    >>> check_flipped_filter(w.T, w).mistake
    'transposed'
    """
    from cnnkit.convolution import convolve2d

    w = np.asarray(w, dtype=float)
    title = title or "conv2d with your k = convolve2d with w"
    image = np.random.default_rng(5).integers(0, 5, size=(6, 7)).astype(float)

    def with_filter(kernel: Any) -> Any:
        if _is_placeholder(kernel):
            return None
        kernel = np.asarray(kernel, dtype=float)
        if kernel.shape != w.shape:
            return f"a filter of shape {kernel.shape}, but w has shape {w.shape}"
        return conv2d(image, kernel)

    mistakes = [
        (with_filter(w), "That is w itself, so conv2d computes cross-correlation. Flip it."),
        (
            with_filter(w[::-1]),
            "You flipped the rows only (top to bottom). True convolution also flips the columns.",
        ),
        (
            with_filter(w[:, ::-1]),
            "You flipped the columns only (left to right). True convolution also flips the rows.",
        ),
        (
            with_filter(w.T),
            "You transposed w (rows became columns). A flip is a half-turn: the last row "
            "first, and in each row the last column first.",
        ),
    ]
    names = ["gave w itself", "flipped the rows only", "flipped the columns only", "transposed"]
    result = check_value(
        with_filter(k),
        convolve2d(image, w),
        [(value, hint) for value, hint in mistakes],
        title=title,
        question="conv2d(test image, k) against convolve2d(test image, w)",
    )
    if result.mistake is not None:
        hints = [hint for _, hint in mistakes]
        if result.mistake in hints:
            result.mistake = names[hints.index(result.mistake)]
    return result
