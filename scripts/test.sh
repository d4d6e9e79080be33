#!/usr/bin/env bash
# Install everything and run every test: lint, the cnnkit unit and property tests, the
# doctests, nbval over every notebook, a full book build with zero warnings, and the
# browser tests that open every built page in headless Chromium (offline, axe-core
# accessibility and page weight) and every chapter in JupyterLab.
#
#   bash scripts/test.sh
#
# Needs Python 3.11 and, for the browser tests, Debian's chromium and npm (installed here
# with apt-get when run as root; otherwise: sudo apt-get install chromium nodejs npm).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

# axe-core, which the accessibility test injects into each built page (from the npm
# registry; no package-lock, so no registry address is written into the repository)
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "The accessibility test needs npm: sudo apt-get install nodejs npm" >&2
    exit 1
  fi
fi
npm install --prefix tests/browser --no-package-lock --no-audit --no-fund --loglevel=error

echo "== lint: ruff, and notebooks committed without outputs"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# (user_expressions: the {eval} values JupyterLab stores in a markdown cell on save)
.venv/bin/nbstripout --verify --extra-keys "cell.metadata.user_expressions" \
  notebooks/*.ipynb book/*.ipynb

echo "== the book: every notebook executed again, zero warnings allowed"
bash scripts/build_book.sh

echo "== tests: cnnkit, doctests, nbval over the notebooks, the built pages in Chromium"
.venv/bin/python -m pytest -n 2 --dist loadscope \
  --doctest-modules --nbval-lax --nbval-current-env \
  --nbval-sanitize-with tests/nbval_sanitize.cfg \
  cnnkit tests notebooks book/introduction.ipynb

echo "== all tests passed in $(( $(date +%s) - start )) s"
