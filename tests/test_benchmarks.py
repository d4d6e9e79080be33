"""The benchmark script runs and prints its tables (a smoke test: no timing is checked)."""

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def test_bench_quick_prints_every_table():
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for heading in (
        "numpy float32 matmul peak",
        "conv2d forward:",
        "conv2d forward + backward",
        "max-pool 2x2",
        "training: 1 epochs of lenet_digits",
        "one training step of lenet_digits, by layer",
        "naive (loops) vs fast",
        "peak memory, shape c",
        "load average at the start",
    ):
        assert heading in out, f"missing {heading!r} in:\n{out}"
    # one row per shape of the issue, in both convolution tables: K filters of F x F
    for row in (
        "a (64,1,28,28) K6 F5",
        "b (64,6,12,12) K16 F5",
        "c (8,3,227,227) K96 F11 S4",
        "d (32,64,32,32) K64 F3 P1",
        "e (256,1,8,8) K8 F3 P1",
    ):
        assert out.count(row) >= 2, f"missing row {row!r} in:\n{out}"
    # the training time is reported here (tests/test_model.py does not time the training)
    assert re.search(r"^1 epochs +\d+\.\d{3} ", out, re.MULTILINE), out
    assert "conv2d_forward (keeps none: > 16 MiB)" in out  # shape c's 33.5 MB
    assert "slowdown" in out
    # the forward table shows what im2col's columns alone cost, beside the products
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("shape") and "cols ms" in line)
    names = re.split(r" {2,}", header)
    for key, expected in (("c (8,3,227,227)", r"\d+\.\d\d"), ("d (32,64,32,32)", "-")):
        row = re.split(r" {2,}", next(line for line in lines if line.startswith(key)))
        cells = dict(zip(names, row, strict=False))
        assert re.fullmatch(expected, cells["cols ms"]), (key, cells)
        assert re.fullmatch(expected + ("x" if expected != "-" else ""), cells["floor"]), cells
