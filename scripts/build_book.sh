#!/usr/bin/env bash
# Install everything into .venv and build the web book into _build/html.
#
#   bash scripts/build_book.sh           # notebooks re-run only when their code changed
#   bash scripts/build_book.sh --force   # re-run every notebook (CI and releases)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt

config=_config.yml
if [ "${1:-}" = "--force" ]; then
  # Same configuration, but every notebook is executed again: a cached output can be
  # stale when cnnkit changed and the notebook did not.
  # (The copy lives in _build/, so the local extension's folder is made absolute.)
  mkdir -p _build
  sed -e 's/^\(  execute_notebooks:\) cache/\1 force/' \
      -e "s#^\(    offline_book:\) book/_ext#\1 $(pwd)/book/_ext#" \
      _config.yml > _build/_config_force.yml
  # Fail loudly if either edit did not apply (a reworded _config.yml would otherwise
  # give a build that silently serves cached notebooks or misses the extension).
  if ! grep -q '^  execute_notebooks: force$' _build/_config_force.yml \
     || ! grep -q "^    offline_book: $(pwd)/book/_ext$" _build/_config_force.yml; then
    echo "build_book.sh: could not set execute_notebooks: force and the extension's path" >&2
    echo "in a copy of _config.yml; has its 'execute:' or 'local_extensions:' part changed?" >&2
    exit 1
  fi
  config=_build/_config_force.yml
fi

# --all: rebuild every page, so that warnings of unchanged pages are shown too.
# -W --keep-going: any warning (a failing cell, a broken link) fails the build, after
# all of them have been reported.
.venv/bin/jupyter-book build . --all -W --keep-going --config "$config"

echo
echo "The book is built. Open $(pwd)/_build/html/index.html in a browser,"
echo "or serve it:  .venv/bin/python -m http.server -d _build/html 8000"
