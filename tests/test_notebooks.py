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


# ---------------------------------------------------------------------------------------
# Exercises: the solutions stay folded, print nothing and overwrite nothing of the reader's
# ---------------------------------------------------------------------------------------
def _defined(source: str) -> set[str]:
    """The names a cell binds at its top level: assignments, functions, classes, imports."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)):
                targets = [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _is_solution(cell: dict) -> bool:
    return "hide-cell" in cell["metadata"].get("tags", [])


def _exercises(path: Path) -> list[tuple[int, str, int, str]]:
    """(answer index, answer source, solution index, solution source) of each exercise:
    a solution cell and the code cell before it, where the reader writes the answer."""
    pairs = []
    code = _cells(path, "code")
    for (i, cell, source), (j, solution, solution_source) in zip(code, code[1:], strict=False):
        if _is_solution(solution) and not _is_solution(cell):
            pairs.append((i, source, j, solution_source))
    return pairs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_folded_in_jupyterlab_and_on_the_web(path):
    solutions = [(i, c) for i, c, _ in _cells(path, "code") if _is_solution(c)]
    assert len(solutions) >= 3, f"{path.name}: {len(solutions)} solution cells"
    for i, cell in solutions:
        folded = cell["metadata"].get("jupyter", {})
        assert folded.get("source_hidden") is True, f"{path.name} cell {i}: source shows"
        assert folded.get("outputs_hidden") is True, f"{path.name} cell {i}: output shows"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_solution_defines_no_name_of_its_answer_cell(path):
    clashes = []
    for i, answer, j, solution in _exercises(path):
        same = _defined(answer) & _defined(solution)
        if same:
            clashes.append(f"solution cell {j} redefines {sorted(same)} of answer cell {i}")
    assert not clashes, f"{path.name}:\n" + "\n".join(clashes)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_solution_overwrites_no_name_of_the_chapter(path):
    """Run All runs the solutions too: none may replace a value the reader's cells use."""
    code = _cells(path, "code")
    reader = set().union(*(_defined(s) for _, c, s in code if not _is_solution(c)))
    clashes = [
        f"cell {i}: {sorted(_defined(s) & reader)}"
        for i, c, s in code
        if _is_solution(c) and _defined(s) & reader
    ]
    assert not clashes, f"{path.name}:\n" + "\n".join(clashes)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_solution_prints_nothing_and_ends_with_its_check(path):
    """Its only output is the check's ✓ box, which holds no answer."""
    wrong = []
    for i, cell, source in _cells(path, "code"):
        if not _is_solution(cell):
            continue
        body = ast.parse(source).body
        calls = {
            n.func.id
            for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        if calls & {"print", "display"}:
            wrong.append(f"cell {i} prints")
        last = body[-1] if body else None
        if not (
            isinstance(last, ast.Expr)
            and isinstance(last.value, ast.Call)
            and getattr(last.value.func, "attr", "") == "assert_passed"
        ):
            wrong.append(f"cell {i} does not end with <check>(...).assert_passed()")
    assert not wrong, f"{path.name}:\n" + "\n".join(wrong)


def test_the_exercise_checks_can_fail():
    assert _defined("def f(x):\n    y = 1\na, (b, c) = 1, (2, 3)\nimport numpy as np") == {
        "f",
        "a",
        "b",
        "c",
        "np",
    }
    assert _is_solution({"metadata": {"tags": ["hide-cell"]}})
    assert not _is_solution({"metadata": {"tags": ["remove-input"]}})


#: An author-year citation in the text: "LeCun et al., 1998", "Nair & Hinton, 2010",
#: "PyTorch contributors, 2024c" (a letter tells works of the same authors and year apart).
CITATION = re.compile(
    r"([A-Z][\w\-']*(?: [\w\-']+)*?(?: et al\.| & [A-Z][\w\-']*)?), (\d{4}[a-z]?)\b"
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_citation_in_the_text_names_a_work_of_the_reference_list(path):
    from cnnkit.book.references import citation

    code = "\n".join(source for _, _, source in _cells(path, "code"))
    listed = re.search(r"reference_list\(([^)]*)\)", code)
    assert listed, f"{path.name}: no reference_list(...) cell"
    keys = re.findall(r'"([^"]+)"', listed.group(1))
    valid = {citation(key) for key in keys}
    cells = json.loads(path.read_text())["cells"]
    # the text, and figure captions in the cells' metadata
    text = "\n".join("".join(c["source"]) + json.dumps(c.get("metadata", {})) for c in cells)
    text = re.sub(r"\s+", " ", text)  # a citation may be broken over two lines
    text = re.sub(r" \((\d{4}[a-z]?)\)", r", \1", text)  # "Zeiler & Fergus (2014)" too
    cited = {f"{who}, {year}" for who, year in CITATION.findall(text)}
    lettered = {c for c in cited if c[-1].isalpha()}
    assert lettered <= valid, f"{path.name}: {sorted(lettered - valid)} not in {sorted(valid)}"
    missing = [c for c in valid if c not in text]
    assert not missing, f"{path.name}: listed but never cited in the text: {missing}"
