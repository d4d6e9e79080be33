"""cnnkit._memory: freed memory is reused by the next call, not faulted in again page by page."""

import os
import subprocess
import sys
from unittest import mock

import pytest

from cnnkit import _memory

GLIBC = _memory._glibc()

# A forward and backward pass on a (64, 1, 28, 28) batch, repeated in a fresh process:
# the minor page faults per call (each one a 4 KiB page the system had to provide again).
FAULTS = """
import resource
import numpy as np
import cnnkit
from cnnkit.convolution import conv2d_backward, conv2d_forward

rng = np.random.default_rng(0)
x = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
w = rng.standard_normal((6, 1, 5, 5), dtype=np.float32)
b = rng.standard_normal(6, dtype=np.float32)
dout = rng.standard_normal((64, 6, 24, 24), dtype=np.float32)

def step():
    conv2d_backward(dout, conv2d_forward(x, w, b)[1])

step(); step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _memory.USER_SETTINGS}
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


@pytest.mark.skipif(not GLIBC, reason="the thresholds are glibc's")
def test_a_forward_and_backward_pass_reuses_its_memory():
    # about 2,000 page faults per call before cnnkit set the thresholds (7.8 ms instead of 2.5)
    done = subprocess.run(
        [sys.executable, "-c", FAULTS], capture_output=True, text=True, env=_clean_env(), check=True
    )
    assert float(done.stdout) < 100


@pytest.mark.skipif(not GLIBC, reason="the thresholds are glibc's")
def test_the_thresholds_are_set_at_import_unless_the_user_set_their_own():
    code = "import cnnkit._memory as m; print(m.keep_freed_memory())"
    run = [sys.executable, "-c", code]
    ours = subprocess.run(run, capture_output=True, text=True, env=_clean_env(), check=True)
    assert ours.stdout.strip() == "True"
    env = _clean_env() | {"MALLOC_TRIM_THRESHOLD_": "1048576"}
    theirs = subprocess.run(run, capture_output=True, text=True, env=env, check=True)
    assert theirs.stdout.strip() == "False"


def test_nothing_changes_without_glibc():
    with mock.patch.object(_memory.os, "confstr", side_effect=ValueError("unrecognized")):
        assert _memory._glibc() is False
        assert _memory.keep_freed_memory() is False
    with mock.patch.object(_memory.os, "confstr", return_value=None):  # musl, for one
        assert _memory.keep_freed_memory() is False
