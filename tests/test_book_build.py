"""The build and nbval fail loudly on a broken chapter, naming the notebook and the cell.

Each test builds a one-page book in a temporary folder with the book's own settings
(``_config.yml``), so it checks our configuration, not Jupyter Book's defaults.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _make_book(folder: Path, cells: list) -> Path:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    for key in ("logo",):
        config.pop(key, None)
    config["html"].pop("favicon", None)
    config["bibtex_bibfiles"] = [str(ROOT / "book" / "references.bib")]
    config["sphinx"]["local_extensions"] = {"offline_book": str(ROOT / "book" / "_ext")}
    config["execute"]["execute_notebooks"] = "force"
    config["exclude_patterns"] = ["_build"]
    (folder / "_config.yml").write_text(yaml.safe_dump(config))
    (folder / "_toc.yml").write_text("format: jb-book\nroot: chapter\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = cells
    nbformat.write(nb, folder / "chapter.ipynb")
    return folder / "chapter.ipynb"


def _build(folder: Path) -> subprocess.CompletedProcess:
    jb = shutil.which("jupyter-book", path=str(BIN)) or "jupyter-book"
    return subprocess.run(
        [jb, "build", str(folder), "--all", "-W", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_cell_that_raises_fails_the_build_naming_notebook_and_cell(tmp_path):
    _make_book(
        tmp_path,
        [
            nbformat.v4.new_markdown_cell("# A chapter"),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("raise ValueError('the stride must be positive')"),
        ],
    )
    result = _build(tmp_path)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "chapter.ipynb" in log
    assert "raise ValueError('the stride must be positive')" in log  # the cell's source
    assert "ValueError" in log


def test_a_broken_internal_link_fails_the_build(tmp_path):
    _make_book(
        tmp_path,
        [nbformat.v4.new_markdown_cell("# A chapter\n\nSee {doc}`no_such_page`.")],
    )
    result = _build(tmp_path)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "no_such_page" in log


def test_the_same_chapter_without_the_error_builds(tmp_path):
    _make_book(
        tmp_path,
        [nbformat.v4.new_markdown_cell("# A chapter\n\nFine."), nbformat.v4.new_code_cell("1 + 1")],
    )
    result = _build(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_nbval_fails_on_a_raising_cell_and_names_it(tmp_path):
    notebook = _make_book(
        tmp_path,
        [
            nbformat.v4.new_markdown_cell("# A chapter"),
            nbformat.v4.new_code_cell("assert 2 + 2 == 5, 'the text says 5'"),
        ],
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-current-env",
            "-p",
            "no:cacheprovider",
            str(notebook),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "chapter.ipynb::Cell 0" in result.stdout
    assert "the text says 5" in result.stdout
