"""Helpers for the tests of the exercise checks (imported by the test modules)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from cnnkit.book.exercises import CheckResult, _fmt

ROOT = Path(__file__).resolve().parents[2]


def assert_named(result: CheckResult, mistake: str, word: str) -> None:
    """A miss, attempted, naming ``mistake``, with ``word`` in its hint."""
    assert result.attempted
    assert not result.passed
    assert not result
    assert result.mistake == mistake, (result.mistake, result.hint)
    assert word.lower() in result.hint.lower()


def not_attempted(result: CheckResult) -> bool:
    return (not result.attempted) and (not result.passed) and "Not attempted" in repr(result)


def _texts(value) -> list[str]:
    """How an expected value could appear in a box: as printed, and numbers with commas."""
    if isinstance(value, np.generic):
        value = value.item()
    texts = [_fmt(value)]
    if isinstance(value, int) and not isinstance(value, bool):
        texts.append(f"{value:,}")
    return texts


def assert_held_back(result: CheckResult) -> None:
    """A wrong answer whose box shows no expected value and says how to ask for it."""
    assert result.attempted and not result.passed and not result.expected_shown
    for shown in (repr(result), result._repr_html_()):
        assert "Expected" not in shown and "reveal=True" in shown
        # the question itself (the case and its inputs) may hold the same small numbers
        shown = re.sub(r"<details.*?</details>", "", shown.replace(result.case, ""))
        shown = shown.replace(html.escape(result.case), "")
        for text in _texts(result.expected):
            if len(text) < 3:  # "2" is in "Try 1 of 3" too: test small answers one by one
                continue
            assert not re.search(rf"(?<![\w.−-]){re.escape(text)}(?![\w.])", shown), text


def notebook_text(path: str) -> str:
    """The Markdown of a notebook, without emphasis and code marks, on one line."""
    cells = json.loads((ROOT / path).read_text())["cells"]
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return " ".join(text.replace("*", "").replace("`", "").split())


def assert_notebook_lists(path: str, options: Mapping[str, str]) -> None:
    """Every option of a multiple choice appears, with its letter, in the notebook."""
    text = notebook_text(path)
    for letter, option in options.items():
        assert f"({letter}) {' '.join(option.split())}" in text, (letter, option)


def assert_multiple_choice(check, options: Mapping[str, str], why: Mapping[str, str]) -> None:
    """``check(letter, reveal=...)`` explains each wrong option, never shows the right one
    unasked (not even after every wrong option twice), and shows it with its reason when
    asked. ``why`` explains every option."""
    assert set(why) == set(options)
    right = [letter for letter in options if check(letter).passed]
    assert len(right) == 1, right
    (correct,) = right
    assert repr(check(correct)) == f"✓ Correct: {check(correct).title}"
    for _ in range(2):
        for letter in sorted(set(options) - {correct}):
            result = check(letter)
            assert result.hint == why[letter] and result.mistake.startswith(f"({letter})")
            for shown in (repr(result), result._repr_html_()):
                assert why[letter].split()[0] in shown and "reveal=True" in shown
                assert options[correct].split(":")[0] not in shown
                assert why[correct].split(".")[0] not in shown
    asked = check(letter, reveal=True)
    flat = " ".join(repr(asked).split())
    for text in (f"({correct}) {options[correct]}", why[correct]):
        text = " ".join(text.split())
        assert text in flat and html.escape(text) in asked._repr_html_()


# --------------------------------------------------------------------------- web forms
def web_page(data: dict, key: str) -> str:
    """The HTML that the web form shows for state ``key`` ("i|j|..."), its shared parts
    put back in (see Explorer.web_states)."""
    index, _ = data["states"][key]
    return re.sub(
        r"@@cnnkit:(\d+)@@", lambda m: data["parts"][int(m.group(1))], data["html"][index]
    )


def web_values(names: list[str], data: dict, key: str) -> dict:
    """The control values of state ``key``, by control name."""
    return {
        n: data["values"][k][int(i)]
        for k, (n, i) in enumerate(zip(names, key.split("|"), strict=True))
    }


def assert_web_states_render(explorer, keys) -> None:
    """Each state of ``keys`` shows exactly what ``explorer.render`` gives for its values."""
    names, data = explorer.web_states()
    for key in keys:
        values = web_values(names, data, key)
        assert web_page(data, key) == explorer.render(**values), f"state {values}"
