"""The exercise machinery: checks that name the likely mistake and keep the answer back.

A chapter asks the reader for a number, a shape, a function or a choice, then calls a
check. The check runs the answer on a few cases, compares it with ``cnnkit``'s own
reference (never with a copy of its maths), and returns a :class:`CheckResult`: a clear
✓ when everything matches; otherwise what the reader gave and a hint. When the answer
matches what a typical mistake produces ("forgot the stride", "flipped the kernel", ...),
the hint names that mistake; otherwise it says what to recompute.

**The answer is held back.** A wrong answer does not show the expected one at first: the
reader gets the hint and tries again. The expected answer is shown after the third wrong
try (:data:`REVEAL_AFTER`), or at once when the reader asks for it by adding
``reveal=True`` to the check call. Every check of the book takes that one keyword, and
every box of a wrong answer says so in one line. A multiple-choice question
(:func:`check_choice`) never shows the right option unasked: each wrong option gets the
explanation of its misconception, and ``reveal=True`` shows the right one with the
reason.

**How tries are counted.** Per exercise and per kernel session: an exercise is known by
its title, its cases and its expected answer, so re-running the check cell with a new
wrong answer is a new try. The *same* wrong answer again does not count twice (running
the cell twice is not trying twice); for a function, "the same answer" means the same
results on every case. A placeholder (``None``, ``...``, a function that returns
``None`` or raises ``NotImplementedError``) is "not attempted yet", never a wrong try.
:func:`reset_tries` forgets every count (the tests call it).

In a notebook the result shows as a small coloured box (``_repr_html_``); in a terminal
it prints as plain text. ``bool(result)`` is ``result.passed``. A ✓ box never contains
the expected answer (only the title), so a model solution may end with its check.

This module holds the engine and what several chapters share: describe the inputs with
:class:`Case`, the typical mistakes with :class:`Mistake`, and call
:func:`check_function` (for a function the reader writes), :func:`check_value` (for a
number or an array the reader types), :func:`check_shape` (for a shape),
:func:`check_choice` (a multiple-choice question whose wrong options are misconceptions)
or :func:`check_answer` (a typed answer against your own list of mistakes). A chapter's
own checks live in its module, e.g. :func:`cnnkit.book.ch03_conv_layer.check_output_size`.

Notation in the hints, as in the book: K filters of size F×F over C input channels,
stride S, padding P; an input H×W gives an output H_out×W_out.

Examples
--------
>>> reset_tries()
>>> def double(x):
...     return x + x
>>> cases = [Case((2,), label="x=2"), Case((-3,), label="x=-3")]
>>> check_function(double, lambda x: 2 * x, cases, title="double")
✓ Correct: double (all 2 cases pass)
>>> mistakes = {108: "Forgot the bias: each filter has one."}
>>> check_value(108, 112, mistakes, title="parameters")
✗ Not yet: parameters
  Got:      108
  Hint:     Forgot the bias: each filter has one.
  Try 1 of 3: after three wrong tries the answer is shown here. To see it now, add
  reveal=True to the check and run the cell again.
>>> check_value(108, 112, mistakes, title="parameters", reveal=True).expected_shown
True
"""

from __future__ import annotations

import hashlib
import html
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnkit.book.style import BOX_COLOURS, result_box_css
from cnnkit.cost import conv2d_cost

#: After this many different wrong answers to one exercise, its check shows the answer.
REVEAL_AFTER = 3

_PLACEHOLDER_HINT = (
    "Replace the placeholder with your answer (or write the body of the function), "
    "then run this cell again."
)
_ASK = "To see it now, add reveal=True to the check and run the cell again."
_ASK_CHOICE = (
    "Think it over and pick another option. To see the right answer and why, add "
    "reveal=True to the check and run the cell again."
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
        ``expected`` is kept on the object but shown only when :attr:`expected_shown`.
    hint : str
        What probably went wrong, and what to look at.
    mistake : str or None
        The short name of the recognised mistake (e.g. ``"forgot the stride"``), or None
        when the miss matched none of the known mistakes.
    inputs : dict
        The inputs of the failing case, by name, to reproduce it.
    n_cases, n_passed : int
        How many cases were run, and how many of them matched.
    kind : str
        ``"value"`` (a typed answer), ``"function"`` or ``"choice"``.
    tries : int
        How many different wrong answers the reader has given to this exercise in this
        kernel session, this one included.
    asked : bool
        The reader asked for the answer (``reveal=True``).
    why : str
        For a multiple choice: why the right option is right (shown when revealed).

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
    kind: str = "value"
    tries: int = 0
    asked: bool = False
    why: str = ""

    def __bool__(self) -> bool:
        return bool(self.passed)

    @property
    def expected_shown(self) -> bool:
        """Whether the box shows the expected answer: never on a pass; when asked; and,
        except for a multiple choice, after :data:`REVEAL_AFTER` wrong tries."""
        if self.passed:
            return False
        if self.asked:
            return True
        return self.attempted and self.kind != "choice" and self.tries >= REVEAL_AFTER

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

    def _rows(self) -> list[tuple[str, Any, bool]]:
        """The labelled parts of the box, in order: (label, value, shown as a value)."""
        shown = self.expected_shown
        if self.passed or not (self.attempted or shown):
            return []
        if self.kind == "choice":
            rows = []
            if self.attempted:
                rows += [("You chose", self.got, False), ("Why not", self.hint, False)]
            if shown:
                rows += [("Answer", self.expected, False), ("Why", self.why, False)]
            return [row for row in rows if row[1]]
        rows = [("Case", self.case, False)]
        if shown:
            rows.append(("Expected", self.expected, True))
        if self.attempted:
            rows += [("Got", self.got, True), ("Hint", self.hint, False)]
        return [row for row in rows if row[0] in ("Expected", "Got") or row[1]]

    def _footer(self) -> str:
        """The last line: how to see the answer, or why it is shown."""
        if self.passed:
            return ""
        if not self.attempted and not self.asked:
            return _PLACEHOLDER_HINT
        if self.expected_shown:
            why = (
                "you asked for it (reveal=True)"
                if self.asked
                else f"this was your wrong try number {self.tries}"
            )
            text = f"The answer is shown because {why}."
            if self.kind == "function":
                text += " The model solution is in the folded cell below."
            return text
        if self.kind == "choice":
            return _ASK_CHOICE
        return (
            f"Try {self.tries} of {REVEAL_AFTER}: after three wrong tries the answer is "
            f"shown here. {_ASK}"
        )

    def __repr__(self) -> str:
        _, headline = self._headline()
        lines = [headline]
        rows = self._rows()
        width = max([10] + [len(label) + 2 for label, _, _ in rows])
        for label, value, as_value in rows:
            text = _fmt(value) if as_value else textwrap.fill(value, 88 - width)
            body = text.split("\n")
            lines.append(f"  {label + ':':<{width}}{body[0]}")
            lines.extend(f"  {'':<{width}}{more}" for more in body[1:])
        if self.inputs and not self.passed and self.attempted:
            lines.append("  (The inputs of this case are in result.inputs.)")
        footer = self._footer()
        if footer:
            lines.append(textwrap.fill(footer, 88, initial_indent="  ", subsequent_indent="  "))
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        key, headline = self._headline()
        colour = BOX_COLOURS[key]["text"]
        head = f'<div style="font-weight:bold;color:{colour}">{_esc(headline)}</div>'
        parts = [f'<div role="status" style="{result_box_css(key)}">', head]
        pre = (
            "margin:2px 0;padding:4px 6px;background:#FFFFFF;color:#1A1A1A;"
            "border:1px solid #D9D9D9;font-size:13px;white-space:pre;overflow-x:auto"
        )
        cell = "padding:2px 10px 2px 0;vertical-align:top;text-align:left"
        table: list[str] = []
        for label, value, as_value in self._rows():
            if as_value:
                table.append(
                    f'<tr><th style="{cell}">{label}</th>'
                    f'<td style="{cell}"><pre style="{pre}">{_esc(_fmt(value))}</pre></td></tr>'
                )
                continue
            if table:
                parts.append('<table style="border-collapse:collapse;margin:4px 0">')
                parts.extend(table)
                parts.append("</table>")
                table = []
            parts.append(f"<div><b>{label}:</b> {_esc(value)}</div>")
        if table:
            parts.append('<table style="border-collapse:collapse;margin:4px 0">')
            parts.extend(table)
            parts.append("</table>")
        if self.inputs and not self.passed and self.attempted:
            shown = "\n".join(f"{k} =\n{_fmt(v)}" for k, v in self.inputs.items())
            parts.append(
                '<details style="margin-top:4px"><summary>Inputs of this case '
                "(also in <code>result.inputs</code>)</summary>"
                f'<pre style="{pre}">{_esc(shown)}</pre></details>'
            )
        footer = self._footer()
        if footer:
            text = _esc(footer).replace("reveal=True", "<code>reveal=True</code>")
            parts.append(f'<div style="margin-top:4px;font-size:13px">{text}</div>')
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
# Counting tries
# ---------------------------------------------------------------------------------------
# exercise key -> fingerprints of the different wrong answers given to it
_wrong_answers: dict[str, set[str]] = {}


def reset_tries() -> None:
    """Forget every count of wrong tries (as a fresh kernel would)."""
    _wrong_answers.clear()


def _fingerprint(value: Any) -> str:
    """A text that is equal for equal answers (arrays by shape, dtype and bytes)."""
    if isinstance(value, BaseException):
        return f"raised {type(value).__name__}: {value}"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return f"array{value.shape}:{value.tolist()!r}"
        data = hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest()
        return f"array{value.shape}{value.dtype.str}:{data}"
    if isinstance(value, (list, tuple)):
        inner = ",".join(_fingerprint(v) for v in value)
        return f"{type(value).__name__}({inner})"
    return f"{type(value).__name__}:{value!r}"


def _settle(
    result: CheckResult, exercise: str, answer: str, reveal: bool, count: bool = True
) -> CheckResult:
    """Count a wrong try of ``exercise`` (unless ``count`` is False) and record whether
    the reader asked for the answer."""
    seen = _wrong_answers.setdefault(exercise, set())
    if count and result.attempted and not result.passed:
        seen.add(answer)
    result.tries = len(seen)
    result.asked = bool(reveal)
    return result


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


def is_placeholder(value: Any) -> bool:
    return value is None or value is Ellipsis


def _is_real_scalar(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_)
    )


def close(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
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


def element_is(index: int, value: Any, *, rtol: float = 1e-6) -> Callable[[Any, Any, Case], bool]:
    """A :class:`Mistake` test for an answer given as a tuple: its item ``index`` is ``value``.

    Exercises that ask for a pair (two sizes, two ratios, ...) name a mistake by the one
    item it gets wrong in a known way. An answer that is not a sequence, or too short,
    never matches.

    Examples
    --------
    >>> test = element_is(1, 4)
    >>> test((2, 4), None, None), test((4, 2), None, None), test(4, None, None)
    (True, False, False)
    """

    def test(got: Any, expected: Any, case: Case) -> bool:
        try:
            item = tuple(got)[index]
        except (TypeError, IndexError):
            return False
        return close(item, value, rtol=rtol)

    return test


def same_integer(got: Any, expected: Any) -> bool:
    """An integer (Python or numpy, not bool) equal to ``expected``."""
    if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
        return False
    return int(got) == int(expected)


def returned_float(got: Any, expected: Any, case: Case) -> bool:
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
            "x[i*S : i*S + F, j*S : j*S + F] (height first, then width)."
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
        f" The first wrong value is at {where}, where you have {_fmt(g[index].item())} "
        f"({len(bad)} of {e.size} values are wrong): recompute that one by hand."
    )


def _shape_advice(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """What a wrong shape suggests: swapped axes, a missing or extra axis, or sizes."""
    if sorted(got) == sorted(expected):
        return (
            "The same sizes in another order: the axes are swapped (the book's layout is "
            "channels first, then rows, then columns)."
        )
    if len(got) != len(expected):
        return (
            f"It has {len(got)} axes where {len(expected)} are expected: an axis is "
            "missing or one too many (a batch axis, or the channels?)."
        )
    return "Check which size each axis should have, one axis at a time."


def _type_hint(got: Any, expected: Any) -> str:
    """A hint for the right number given as text ("8256", "9.5e-7"), or the right whole
    number given as a float (8256.0); empty when that is not what happened."""
    if not _is_real_scalar(expected) or isinstance(expected, (bool, np.bool_)):
        return ""
    if isinstance(got, str):
        try:
            number = float(got.strip().replace("_", "").replace(",", ""))
        except ValueError:
            return ""
        if np.isclose(number, float(expected), rtol=1e-2, atol=0):
            return (
                f"That is text ({got!r}, in quotes), not a number: give the number "
                "itself, without the quotes."
            )
        return ""
    if not isinstance(expected, (int, np.integer)):
        return ""
    if isinstance(got, (float, np.floating)) and float(got) == int(expected):
        return (
            f"The right number, but as a float ({_fmt(got)}): the answer is a count, a whole "
            "number. Give it as an int, e.g. int(...) around your expression, or use // "
            "instead of / where you divide."
        )
    return ""


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
            return f"Your result has shape {g.shape}, the expected one {expected.shape}. " + (
                _shape_advice(g.shape, expected.shape)
            )
        return "The shape is right, but some values differ." + _first_difference(g, expected)
    if _is_real_scalar(expected) and isinstance(expected, (int, np.integer)):
        if not _is_real_scalar(got):
            return f"Expected a whole number (int), got {type(got).__name__}."
    if _is_real_scalar(expected) and _is_real_scalar(got):
        side = "large" if float(got) > float(expected) else "small"
        return (
            f"Your number is too {side}, and it is not one that a usual mistake gives. "
            "Work it out again step by step, writing down each number."
        )
    return (
        "That is not it, and it is not what a usual mistake gives. Read the question "
        "again and recompute your answer step by step."
    )


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
    *,
    kind: str,
    reveal: bool,
    recompute: str = "",
) -> CheckResult:
    exercise = _exercise_key(kind, title, cases, expecteds)
    answer = "|".join(_fingerprint(o.error if o.error is not None else o.value) for o in outcomes)
    result = _verdict(
        title, cases, outcomes, expecteds, mistakes, compare, match, signature, recompute
    )
    result.kind = kind
    return _settle(result, exercise, answer, reveal)


def _exercise_key(kind: str, title: str, cases: Sequence[Case], expecteds: Sequence[Any]) -> str:
    """What tells one exercise from another: its title, cases and expected results."""
    labels = "|".join(case.label for case in cases)
    return f"{kind}|{title}|{labels}|{_fingerprint(list(expecteds))}"


def _verdict(
    title: str,
    cases: Sequence[Case],
    outcomes: Sequence[_Outcome],
    expecteds: Sequence[Any],
    mistakes: Sequence[Mistake],
    compare: Callable[[Any, Any], bool],
    match: Callable[[Any, Any], bool],
    signature: str,
    recompute: str,
) -> CheckResult:
    n = len(cases)
    placeholder = [
        (o.error is None and is_placeholder(o.value)) or isinstance(o.error, NotImplementedError)
        for o in outcomes
    ]
    if all(placeholder):
        return CheckResult(
            passed=False,
            attempted=False,
            title=title,
            case=cases[0].label,
            expected=expecteds[0],
            n_cases=n,
        )

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
    elif _type_hint(outcome.value, expected):
        hint = _type_hint(outcome.value, expected)
    elif recompute:
        hint = recompute
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
    reveal: bool = False,
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
    reveal : bool
        Show the expected result of the failing case (the first case when ``fn`` is
        still the placeholder) now, without waiting for three wrong tries.

    Returns
    -------
    CheckResult

    Notes
    -----
    Exceptions raised by ``fn`` are caught and reported as a failed case (type and
    message); the check itself never raises because of the reader's code. A function
    that gives the same results as an earlier wrong one is the same try.

    Examples
    --------
    >>> cases = [Case((2,), label="x=2"), Case((-3,), label="x=-3")]
    >>> square = Mistake("doubled instead of squared", "x² is x·x, not 2·x.",
    ...                  compute=lambda x: 2 * x)
    >>> check_function(lambda x: x * x, lambda x: x**2, cases, [square], title="square")
    ✓ Correct: square (all 2 cases pass)
    >>> check_function(lambda x: x + x, lambda x: x**2, cases, [square], title="square",
    ...                reveal=True)
    ✗ Not yet: square (1 of 2 cases pass)
      Case:     x=-3
      Expected: 9
      Got:      -6
      Hint:     x² is x·x, not 2·x.
      The answer is shown because you asked for it (reveal=True). The model solution is in
      the folded cell below.
    """
    cases = list(cases)
    compare = close if compare is None else compare
    match = close if match is None else match
    expecteds = [case.call(reference) for case in cases]
    if fn is not None and not callable(fn):
        result = CheckResult(
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
            kind="function",
        )
        exercise = _exercise_key("function", title, cases, expecteds)
        return _settle(result, exercise, _fingerprint(fn), reveal)
    outcomes = []
    for case in cases:
        if fn is None:
            outcomes.append(_Outcome())
            continue
        try:
            outcomes.append(_Outcome(value=case.call(fn)))
        except Exception as error:  # the reader's bug is reported, not raised
            outcomes.append(_Outcome(error=error))
    return _judge(
        title,
        cases,
        outcomes,
        expecteds,
        mistakes,
        compare,
        match,
        signature,
        kind="function",
        reveal=reveal,
    )


def check_answer(
    answer: Any,
    expected: Any,
    mistakes: Sequence[Mistake],
    case: Case,
    title: str,
    compare: Callable[[Any, Any], bool] = close,
    match: Callable[[Any, Any], bool] = close,
    *,
    recompute: str = "",
    reveal: bool = False,
) -> CheckResult:
    """A typed-in answer judged like a function's result on one case.

    The building block of the chapters' checks of a number or a shape: ``mistakes`` are
    :class:`Mistake` objects whose ``compute`` takes no argument (the value that mistake
    gives for this question); ``case`` describes the question (``Case(label=...)``);
    ``compare`` and ``match`` as in :func:`check_function`. ``recompute`` is the hint
    for a wrong answer that no mistake explains (what to work out again; never the
    answer); ``reveal=True`` shows the expected answer at once.
    """
    return _judge(
        title,
        [case],
        [_Outcome(value=None if is_placeholder(answer) else answer)],
        [expected],
        mistakes,
        compare,
        match,
        "",
        kind="value",
        reveal=reveal,
        recompute=recompute,
    )


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
    recompute: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    reveal: bool = False,
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
    recompute : str
        The hint for a wrong answer that none of ``mistakes`` explains: what to work out
        again. It must not contain the answer.
    rtol, atol : float
        Tolerances for numbers and arrays (``numpy.allclose``).
    reveal : bool
        Show the expected answer now, without waiting for three wrong tries.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> check_value(112, 112, title="parameters")
    ✓ Correct: parameters
    >>> result = check_value(108, 112, {108: "Forgot the bias: each filter has one."},
    ...                      title="parameters")
    >>> result.hint, result.expected_shown
    ('Forgot the bias: each filter has one.', False)
    """

    def within(a: Any, b: Any) -> bool:
        return close(a, b, rtol=rtol, atol=atol)

    case = Case(label=question)
    return check_answer(
        got,
        expected,
        _value_mistakes(mistakes),
        case,
        title,
        within,
        within,
        recompute=recompute,
        reveal=reveal,
    )


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


def same_shape(got: Any, expected: Any) -> bool:
    shape = _as_shape(got)
    return shape is not None and shape == tuple(expected)


def _not_a_shape(got: Any, expected: Any, case: Case) -> bool:
    return not isinstance(got, Exception) and _as_shape(got) is None


def _shape_test(rule: Callable[[tuple[int, ...], tuple[int, ...]], bool]):
    def test(got: Any, expected: Any, case: Case) -> bool:
        shape = _as_shape(got)
        return shape is not None and rule(shape, tuple(expected))

    return test


#: The off-by-one hint of :func:`shape_mistakes` by default (from chapter 3 on).
OFF_BY_ONE_HINT = (
    "Off by one in a size: count the positions along each axis with "
    "⌊(W − F + 2P)/S⌋ + 1 (the + 1 counts the first position)."
)


def shape_mistakes(off_by_one: str = OFF_BY_ONE_HINT) -> tuple[Mistake, ...]:
    """The mistakes every shape answer can make: not a shape, swapped axes, a size off
    by one, the wrong number of axes. ``off_by_one`` is the hint for a size off by one;
    a chapter that has not taught the stride and the padding passes its own."""
    return (
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
            off_by_one,
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


SHAPE_MISTAKES = shape_mistakes()


def check_shape(
    got: Any,
    expected: Sequence[int],
    mistakes: Mapping[tuple[int, ...], str] | Iterable[tuple[Any, str]] | None = None,
    *,
    title: str = "shape",
    question: str = "",
    reveal: bool = False,
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
    reveal : bool
        Show the expected shape now, without waiting for three wrong tries.

    Named mistakes (generic): not a shape (not a tuple of ints); swapped axes (the same
    sizes in another order); off by one; wrong number of axes.

    Examples
    --------
    >>> check_shape((4, 4, 4), (4, 4, 4))
    ✓ Correct: shape
    >>> check_shape((8, 6, 4), (4, 8, 6)).mistake
    'swapped axes'
    """
    case = Case(label=question)
    expected = tuple(int(n) for n in expected)
    all_mistakes = _value_mistakes(mistakes) + list(SHAPE_MISTAKES)
    return check_answer(
        got,
        expected,
        all_mistakes,
        case,
        title,
        same_shape,
        same_shape,
        recompute=SHAPE_RECOMPUTE,
        reveal=reveal,
    )


#: The hint for a wrong shape that no named mistake explains.
SHAPE_RECOMPUTE = (
    "Work out each axis again, one at a time: how many there are (the layout of the "
    "question tells you), then the size of each."
)


# ---------------------------------------------------------------------------------------
# Multiple choice
# ---------------------------------------------------------------------------------------
def _letter(answer: Any) -> str | None:
    """ "b", "B", " b ", "(b)" and "b)" all mean option b; None for anything else."""
    if not isinstance(answer, str):
        return None
    letter = answer.strip().strip("().").strip().lower()
    return letter or None


def check_choice(
    answer: Any,
    options: Mapping[str, str],
    correct: str,
    why: Mapping[str, str],
    *,
    title: str = "your choice",
    reveal: bool = False,
) -> CheckResult:
    """Check a multiple-choice answer: an "explain" question whose wrong options are the
    usual misconceptions.

    A wrong option gets the explanation of its misconception (``why[letter]``), and the
    reader picks again. The right option is never shown unasked, however many tries:
    the reader who asks with ``reveal=True`` gets it, with ``why[correct]``. The ✓ box of
    a right answer names no option, so a model solution can end with this check.

    Parameters
    ----------
    answer : str or None
        The letter the reader chose (``"b"``, ``"B"`` and ``"(b)"`` are the same);
        ``None`` or ``...`` means not attempted yet.
    options : mapping
        ``{letter: text}`` of every option, as the question lists them.
    correct : str
        The letter of the right option.
    why : mapping
        ``{letter: explanation}`` for every option: for a wrong one, what is wrong with
        that idea (without giving the right option away); for the right one, why it is
        right.
    title : str
        What is being checked.
    reveal : bool
        Show the right option and why.

    Returns
    -------
    CheckResult
        ``mistake`` is the chosen wrong option, ``"(a) ..."``; an answer that is not
        one of the letters is a miss that names no mistake and is not counted as a try.

    Raises
    ------
    ValueError
        If ``correct`` is not one of ``options``, or ``why`` does not explain every
        option (a mistake in the book, not the reader's).

    Examples
    --------
    >>> options = {"a": "It halves.", "b": "It falls to about a quarter."}
    >>> why = {"a": "There are two axes.", "b": "Both axes shrink."}
    >>> check_choice("B", options, "b", why, title="stride 2")
    ✓ Correct: stride 2
    >>> check_choice("a", options, "b", why, title="stride 2")
    ✗ Not yet: stride 2
      You chose: (a) It halves.
      Why not:   There are two axes.
      Think it over and pick another option. To see the right answer and why, add
      reveal=True to the check and run the cell again.
    """
    letters = {str(k).lower(): str(v) for k, v in options.items()}
    reasons = {str(k).lower(): str(v) for k, v in why.items()}
    correct = str(correct).lower()
    if correct not in letters:
        raise ValueError(
            f"correct={correct!r} is not one of the options {sorted(letters)}; "
            "give the letter of the right option"
        )
    if set(reasons) != set(letters):
        raise ValueError(
            f"why explains the options {sorted(reasons)}, but the options are "
            f"{sorted(letters)}; every option needs its explanation"
        )
    right = f"({correct}) {letters[correct]}"
    exercise = f"choice|{title}|{right}"
    result = CheckResult(
        passed=False, title=title, expected=right, why=reasons[correct], kind="choice", n_cases=1
    )
    if is_placeholder(answer):
        result.attempted = False
        return _settle(result, exercise, "", reveal)
    letter = _letter(answer)
    if letter == correct:
        result.passed = True
        result.n_passed = 1
        return _settle(result, exercise, letter, reveal)
    if letter in letters:
        result.got = f"({letter}) {letters[letter]}"
        result.hint = reasons[letter]
        result.mistake = result.got
        return _settle(result, exercise, letter, reveal)
    result.got = repr(answer)
    result.hint = (
        "Answer with the letter of one option, as a string: "
        + ", ".join(f'"{k}"' for k in letters)
        + "."
    )
    return _settle(result, exercise, _fingerprint(answer), reveal, count=False)


# ---------------------------------------------------------------------------------------
# Hints and mistakes that several chapters' checks name
# ---------------------------------------------------------------------------------------
FLIPPED_HINT = (
    "Flipped the kernel: you computed a true convolution (kernel rotated by 180°). "
    "Deep-learning libraries, and this book, slide the kernel as it is "
    "(cross-correlation): out[i, j] = Σ x[i·S + u, j·S + v] · w[u, v]."
)
STRIDE_HINT = (
    "Forgot the stride: the window moved one pixel per step. For output row i and "
    "column j, the window starts at input row i·S and column j·S."
)
PADDING_HINT = (
    "Forgot the padding: pad the input with P zeros on every side (top, bottom, left, "
    "right) before sliding the kernel."
)


def conv_macs(in_shape, out_channels, kernel_size, stride=1, padding=0) -> int:
    """Multiply-adds of a convolution layer, from :func:`cnnkit.cost.conv2d_cost`."""
    return conv2d_cost(
        tuple(in_shape), out_channels, kernel_size, stride=stride, padding=padding
    ).macs


def _floor_cost(in_shape, out_channels, kernel_size, stride=1, padding=0):
    return conv2d_cost(
        tuple(in_shape), out_channels, kernel_size, stride=stride, padding=padding, mode="floor"
    )


def _input_sized(in_shape, k, f, s=1, p=0):
    cost = _floor_cost(in_shape, k, f, s, p)
    per_position = cost.macs // cost.positions
    return in_shape[1] * in_shape[2] * per_position


def _article_formula(in_shape, k, f, s=1, p=0):
    """The outline article's claim: time proportional to (height·width)/stride."""
    cost = _floor_cost(in_shape, k, f, s, p)
    per_position = cost.macs // cost.positions
    return in_shape[1] * in_shape[2] / s * per_position


#: The typical mistakes in counting the multiply-adds of a layer (chapters 2 and 3);
#: each ``compute`` is called like :func:`conv_macs`.
MACS_MISTAKES = (
    Mistake(
        "forgot the input channels",
        "Forgot the input channels: at each position a filter multiplies F·F·C pairs, "
        "one F×F patch per input channel.",
        compute=lambda shape, k, f, s=1, p=0: conv_macs((1, *shape[1:]), k, f, s, p),
    ),
    Mistake(
        "forgot the number of filters",
        "Forgot the number of filters: that is the count for one filter; the layer runs "
        "all K filters over every position. Multiply by K.",
        compute=lambda shape, k, f, s=1, p=0: _floor_cost(shape, k, f, s, p).macs_per_filter,
    ),
    Mistake(
        "forgot the stride",
        "Forgot the stride: the number of positions is H_out·W_out with "
        "H_out = ⌊(H − F + 2P)/S⌋ + 1 (and the same for W), not the stride-1 count.",
        compute=lambda shape, k, f, s=1, p=0: _floor_cost(shape, k, f, 1, p).macs,
    ),
    Mistake(
        "forgot the padding",
        "Forgot the padding: with padding P the window visits ⌊(H − F + 2P)/S⌋ + 1 rows "
        "of positions (and the same for columns).",
        compute=lambda shape, k, f, s=1, p=0: _floor_cost(shape, k, f, s, 0).macs,
    ),
    Mistake(
        "divided by the stride instead of its square",
        "Divided H·W by the stride once: the stride shrinks both the height and the "
        "width, so the number of positions is about (H/S)·(W/S): it falls as 1/S², "
        "not 1/S. Use H_out·W_out.",
        compute=_article_formula,
    ),
    Mistake(
        "used the input size instead of the output size",
        "Used the input size: the filter is applied once per OUTPUT position, "
        "H_out·W_out times, not H·W times.",
        compute=_input_sized,
    ),
    Mistake(
        "used F instead of F·F",
        "Used the filter size once: an F×F window holds F·F values per channel.",
        compute=lambda shape, k, f, s=1, p=0: _floor_cost(shape, k, f, s, p).macs // f,
    ),
    Mistake(
        "counted positions, not multiply-adds",
        "Counted window positions only: at each position every filter does F·F·C "
        "multiply-adds. Multiply by F·F·C.",
        compute=lambda shape, k, f, s=1, p=0: _floor_cost(shape, k, f, s, p).positions * k,
    ),
    Mistake(
        "returned a float",
        "Returned a float: the value is right, but a count is a whole number. Use // "
        "(or int(...)) instead of /.",
        test=returned_float,
    ),
)


def macs_case(in_shape, out_channels, kernel_size, stride=1, padding=0) -> Case:
    """The :class:`Case` of a multiply-add count, labelled with its arguments."""
    return Case(
        (tuple(in_shape), out_channels, kernel_size, stride, padding),
        label=(
            f"in_shape={tuple(in_shape)}, out_channels={out_channels}, "
            f"kernel_size={kernel_size}, stride={stride}, padding={padding}"
        ),
    )
