"""Helpers for the tests of the exercise checks (imported by the test modules)."""

from __future__ import annotations

from cnnkit.book.exercises import CheckResult


def assert_named(result: CheckResult, mistake: str, word: str) -> None:
    """A miss, attempted, naming ``mistake``, with ``word`` in its hint."""
    assert result.attempted
    assert not result.passed
    assert not result
    assert result.mistake == mistake, (result.mistake, result.hint)
    assert word.lower() in result.hint.lower()


def not_attempted(result: CheckResult) -> bool:
    return (not result.attempted) and (not result.passed) and "Not attempted" in repr(result)
