"""The line between the numerical core and the book's code, checked.

The core (every module directly in ``cnnkit/``) imports only numpy; what only the
notebooks use lives in ``cnnkit/book/``. And no module reaches into another module's
private helpers: the shared internals are the internal modules ``_checks``,
``_geometry`` and ``_memory``, whose names carry no underscore.
"""

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import cnnkit

ROOT = Path(cnnkit.__file__).parent
CORE = sorted(m.name for m in pkgutil.iter_modules([str(ROOT)]) if not m.ispkg)


def test_the_core_imports_neither_plotting_widgets_nor_scikit_learn():
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module('cnnkit.' + name)\n"
        "heavy = ('matplotlib', 'ipywidgets', 'IPython', 'sklearn', 'scipy')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert len(CORE) >= 15  # the listing found the modules
    assert json.loads(done.stdout) == []


def test_no_module_imports_a_private_name_from_another_module():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cnnkit"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    offenders.append(f"{path.relative_to(ROOT)}: from {node.module} {private}")
    assert offenders == []
