"""The notebooks as committed: what a JupyterLab reader sees before running anything.

- Cells that exist only for the build (asserts, and the ``prose.name = ...`` values that
  the text quotes) are collapsed in JupyterLab (``source_hidden``) and hidden in the web
  book (``remove-input``): a reader sees the code that teaches.
- No markdown cell uses MyST that only the Sphinx build understands: ``{glue:...}``
  (JupyterLab shows the key), ``{footcite}`` (the bare key) or ``{footbibliography}``
  (an "Unknown Directive" box). Numbers come through ``{eval}``, citations as authors and
  year, and each chapter's reference list from :mod:`cnnkit.book.references`.
- Every ``{eval}`` expression names a value that some code cell sets.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [ROOT / "book" / "introduction.ipynb", *sorted((ROOT / "notebooks").glob("*.ipynb"))]
SPHINX_ONLY = re.compile(r"\{(glue(:[a-z]+)?|footcite|cite(:[a-z]+)?|footbibliography)\}")


def _cells(path: Path, kind: str) -> list[tuple[int, dict, str]]:
    cells = json.loads(path.read_text())["cells"]
    return [(i, c, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == kind]


def _build_only(source: str) -> bool:
    """True when every statement is an assert or an assignment to prose.<name>."""
    body = ast.parse(source).body
    return bool(body) and all(
        isinstance(node, ast.Assert)
        or (
            isinstance(node, ast.Assign)
            and all(
                isinstance(t, ast.Attribute) and getattr(t.value, "id", "") == "prose"
                for t in node.targets
            )
        )
        for node in body
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_build_only_cells_are_collapsed_in_jupyterlab_and_hidden_on_the_web(path):
    wrong = []
    for i, cell, source in _cells(path, "code"):
        if not _build_only(source):
            continue
        hidden = cell["metadata"].get("jupyter", {}).get("source_hidden", False)
        tags = cell["metadata"].get("tags", [])
        if not hidden or not {"remove-input", "remove-cell"} & set(tags):
            wrong.append(f"cell {i}: {source[:60]!r}")
    assert not wrong, f"{path.name}: build-only cells a reader would see:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_uses_no_sphinx_only_myst_and_every_eval_has_a_value(path):
    code = "\n".join(source for _, _, source in _cells(path, "code"))
    set_names = set(re.findall(r"^\s*prose\.([a-z_0-9]+)\s*=", code, flags=re.MULTILINE))
    problems = []
    for i, _, source in _cells(path, "markdown"):
        problems += [f"cell {i}: {m.group(0)}" for m in SPHINX_ONLY.finditer(source)]
        for name in re.findall(r"\{eval\}`prose\.([a-z_0-9]+)`", source):
            if name not in set_names:
                problems.append(f"cell {i}: {{eval}}`prose.{name}` is never set")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_the_checks_can_fail():
    assert _build_only("assert x == 1\nprose.a = str(x)")
    assert not _build_only("y = f(x)\nprose.a = str(y)")
    assert SPHINX_ONLY.search("see {footcite}`lecun1998`")
