#!/usr/bin/env bash
# Install everything into .venv and build the web book into _build/html.
#
#   bash scripts/build_book.sh
#
# Every notebook is executed again on every build (execute_notebooks: inline in
# _config.yml): there is no cache that could serve outputs of an older cnnkit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
bash scripts/jupyterlab_settings.sh .venv/bin/python

# --all: rebuild every page, so that warnings of unchanged pages are shown too.
# -W --keep-going: any warning (a failing cell, a broken link) fails the build, after
# all of them have been reported.
.venv/bin/jupyter-book build . --all -W --keep-going

echo
echo "The book is built. Open $(pwd)/_build/html/index.html in a browser,"
echo "or serve it:  .venv/bin/python -m http.server -d _build/html 8000"
