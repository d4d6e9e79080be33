"""Shared by every test, doctests included: each starts with no wrong tries counted.

The exercise checks count a reader's wrong tries per kernel session and show the answer
after the third (cnnkit.book.exercises); in a test run that session is the whole worker,
so a test must not inherit the tries of the tests before it.
"""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True)
def _fresh_tries():
    exercises = sys.modules.get("cnnkit.book.exercises")  # not imported: nothing to reset
    if exercises is not None:
        exercises.reset_tries()
    yield
