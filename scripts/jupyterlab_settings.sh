#!/usr/bin/env bash
# Install the book's JupyterLab settings (book/jupyterlab/overrides.json) for every user
# of a Python environment: no "official Jupyter news?" prompt over a chapter.
#
#   bash scripts/jupyterlab_settings.sh PYTHON     # e.g. .venv/bin/python
#
# scripts/build_book.sh runs it for .venv, and postBuild for Binder.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-python}"
settings="$("$python" -c 'import sys; print(sys.prefix)')/share/jupyter/lab/settings"
mkdir -p "$settings"
cp book/jupyterlab/overrides.json "$settings/overrides.json"
