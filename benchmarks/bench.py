"""How fast is cnnkit? Times its fast paths at one thread and prints a table.

Run from the repository root::

    .venv/bin/python benchmarks/bench.py            # the full run, about a minute
    .venv/bin/python benchmarks/bench.py --quick    # a smoke run, a few seconds

Without PyTorch it prints cnnkit's times, the naive (loop) versions and the machine's
numpy float32 matmul throughput. When ``import torch`` works it adds PyTorch's CPU times
on the same inputs and the ratio cnnkit / PyTorch (below 1 means cnnkit is faster).
PyTorch is never a dependency of cnnkit; install it by hand to compare.

Both libraries run on ONE thread: the thread variables are set below, before numpy is
imported, and ``torch.set_num_threads(1)``. Every time is the median of several
repeats, with cnnkit and PyTorch measured in alternation so that a busy machine slows
both alike. The targets are those of the library issue ("Fast"); the last column says
whether this run met them. Timings are not tests: nothing here fails on a slow machine.
"""

from __future__ import annotations

import os
import platform

# One BLAS thread, for numpy and PyTorch alike. Set before numpy is imported, since
# OpenBLAS reads them when it loads; the machine's OPENBLAS_CORETYPE is left alone.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

# Benchmark the working tree's cnnkit, wherever the script is started from.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnkit import _memory as memory  # noqa: E402
from cnnkit.convolution import (  # noqa: E402
    _KEPT_COLUMNS_MAX_BYTES,
    _UNROLLED_MAX_ENTRIES,
    _UNROLLED_MAX_RATIO,
    _WIDE_POSITIONS,
    _WINOGRAD_GROUP_BYTES,
    _columns,
    _padded_groups,
    _setup,
    _winograd_applies,
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_forward,
    conv2d_naive,
)
from cnnkit.cost import conv2d_cost  # noqa: E402
from cnnkit.data import load_digits  # noqa: E402
from cnnkit.model import lenet_digits  # noqa: E402
from cnnkit.optim import Adam  # noqa: E402
from cnnkit.pooling import (  # noqa: E402
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_forward,
    max_pool2d_naive,
)
from cnnkit.softmax import cross_entropy_with_grad  # noqa: E402

try:
    import threadpoolctl
except ImportError:  # only used to report and pin the BLAS threads
    threadpoolctl = None

try:
    import torch
    import torch.nn.functional as torch_f
except ImportError:
    torch = None


# The shapes of the issue: (N, C, H, W), K filters of F x F, stride S, padding P.
SHAPES = {
    "a": ((64, 1, 28, 28), 6, 5, 1, 0),
    "b": ((64, 6, 12, 12), 16, 5, 1, 0),
    "c": ((8, 3, 227, 227), 96, 11, 4, 0),
    "d": ((32, 64, 32, 32), 64, 3, 1, 1),
    "e": ((256, 1, 8, 8), 8, 3, 1, 1),
}
# Max-pool inputs: the output of conv a, and an input of the size of shape d.
POOL_SHAPES = [(64, 6, 24, 24), (32, 64, 32, 32)]

# Targets (the speed issue): ratios are cnnkit time / PyTorch time.
FORWARD_MAX = 2.0
FORWARD_GEOMEAN = 1.25
PEAK_FRACTION = 0.75  # of the numpy float32 matmul throughput, for shapes c and d
BOUND_MAX = 1.2  # measured time over the time the machine allows (see conv_bytes)
FORWARD_BACKWARD = {"a": 0.5, "b": 1.5, "d": 1.5}
POOL_RATIO = 0.8
TRAIN_RATIO = 0.8
TRAIN_SECONDS = 1.0
NAIVE_SLOWDOWN = 1000.0


# ---------------------------------------------------------------- measuring


def median_times(
    fns: dict[str, Callable[[], object]], repeats: int, min_time: float = 0.02
) -> dict[str, float]:
    """Median seconds per call of each function.

    Each function runs once to warm up and to choose how many calls make one sample (at
    least ``min_time`` seconds, so that the clock's resolution does not matter). The
    samples of the functions are taken in turns: A, B, A, B, ...; a burst of load from
    another process then slows both instead of only one of them.
    """
    calls = {}
    for name, fn in fns.items():
        start = time.perf_counter()
        fn()
        calls[name] = max(1, int(min_time / max(time.perf_counter() - start, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(calls[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / calls[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def once(fn: Callable[[], object]) -> float:
    """Seconds of a single call (for the slow loop versions)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------- printing


class Table:
    """A plain-text table: a title, a header, rows of strings, notes underneath."""

    def __init__(self, title: str, header: list[str]) -> None:
        self.title, self.header = title, header
        self.rows: list[list[str]] = []
        self.notes: list[str] = []

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def show(self) -> None:
        everything = [self.header, *self.rows]
        widths = [max(len(r[i]) for r in everything) for i in range(len(self.header))]

        def line(row: list[str]) -> str:
            # first column left-aligned (the label), the numbers right-aligned
            cells = [row[0].ljust(widths[0])]
            cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            return "  ".join(cells).rstrip()

        rule = "-" * len(line(self.header))
        print(f"\n{self.title}\n{rule}\n{line(self.header)}\n{rule}")
        for row in self.rows:
            print(line(row))
        print(rule)
        for note in self.notes:
            print(f"  {note}")


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}"


def ratio(ours: float, theirs: float | None) -> str:
    return "-" if theirs is None else f"{ours / theirs:.2f}x"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "NOT MET")


def shape_label(key: str) -> str:
    (n, c, h, w), k, f, s, p = SHAPES[key]
    text = f"{key} ({n},{c},{h},{w}) K{k} F{f}"
    return text + (f" S{s}" if s != 1 else "") + (f" P{p}" if p else "")


# ---------------------------------------------------------------- the benchmarks


def make_conv(key: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """float32 input, filters, bias and an output gradient for a shape of the issue."""
    (n, c, h, w), k, f, s, p = SHAPES[key]
    x = rng.standard_normal((n, c, h, w), dtype=np.float32)
    wt = rng.standard_normal((k, c, f, f), dtype=np.float32) / np.float32(math.sqrt(c * f * f))
    b = rng.standard_normal(k, dtype=np.float32)
    out_shape = (n, *conv2d_cost((c, h, w), k, f, stride=s, padding=p).output_shape)
    dout = rng.standard_normal(out_shape, dtype=np.float32)
    return x, wt, b, dout


def conv_flops(key: str) -> float:
    """2 x multiply-adds of the whole batch (one multiply-add = two floating-point ops)."""
    (n, c, h, w), k, f, s, p = SHAPES[key]
    return 2.0 * n * conv2d_cost((c, h, w), k, f, stride=s, padding=p).macs


def matmul_peak(size: int, repeats: int) -> float:
    """GFLOP/s of a float32 (size x size) @ (size x size) numpy matmul, at one thread."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    t = median_times({"matmul": lambda: a @ b}, repeats)["matmul"]
    return 2.0 * size**3 / t / 1e9


def copy_bandwidth(repeats: int, megabytes: int = 256) -> float:
    """GB/s of a large float32 copy (np.copyto), at one thread: read plus write bytes."""
    a = np.ones(megabytes * 2**20 // 4, dtype=np.float32)
    b = np.empty_like(a)
    t = median_times({"copy": lambda: np.copyto(b, a)}, repeats)["copy"]
    return 2.0 * a.nbytes / t / 1e9


def flat_geometry(key: str) -> tuple[int, int, int, int]:
    """(Ho, Wo, Wq, L) of a shape: L flat-shift positions per image, as cnnkit lays them out.

    cnnkit.convolution splits a strided input by stride phase, each phase Wq = ceil(Wp / S)
    wide, and computes L = (Ho - 1) * Wq + Wo positions per image, the wrap-around
    between rows included (``_im2col_flat``).
    """
    (_, _, h, w), _, f, s, p = SHAPES[key]
    ho, wo = (h + 2 * p - f) // s + 1, (w + 2 * p - f) // s + 1
    wq = -(-(w + 2 * p) // s)
    return ho, wo, wq, (ho - 1) * wq + wo


def winograd(key: str) -> bool:
    """Whether conv2d takes Winograd's F(2x2, 3x3) on a shape, in float32 (cnnkit's rule,
    asked of cnnkit on one image: the rule does not depend on the batch size)."""
    (_, c, h, w), k, f, s, p = SHAPES[key]
    x, wt = np.zeros((1, c, h, w), np.float32), np.zeros((k, c, f, f), np.float32)
    return _winograd_applies(_setup(x, wt, None, s, p, "strict", "bench"))


def winograd_geometry(key: str) -> tuple[int, int, int]:
    """(T, Wq, G): tile positions per image (wrap-around included), the width of a
    phase, and the images per group, as ``cnnkit.convolution._winograd`` lays them out."""
    (n, c, _, _), _, _, _, _ = SHAPES[key]
    ho, wo, _, _ = flat_geometry(key)
    th, tw = -(-ho // 2), -(-wo // 2)
    tiles = (th - 1) * (tw + 1) + tw
    group = max(1, min(n, _WINOGRAD_GROUP_BYTES // (16 * (c + 1) * tiles * 4)))
    return tiles, tw + 1, group


def conv_bytes(key: str) -> float:
    """Bytes the vectorized forward pass moves through memory, in a simple model.

    im2col reads the input once, writes the column matrix and reads it back in the
    matrix product, which also reads the filters and writes the output:
    x + 2 * columns + w + out, in float32, with L flat-shift positions per image
    (:func:`flat_geometry`). A stride adds one more read and write of the input (the
    split by stride phase).

    Winograd (:func:`winograd`) reads the input, writes and reads back its stride-2
    phases, the rows transformed (8 arrays of a phase's size), the 16 transformed
    tiles V, the 16 products M and the 4 outputs per tile Y, and writes the output.
    """
    (n, c, h, w), k, f, s, p = SHAPES[key]
    ho, wo, _, length = flat_geometry(key)
    if winograd(key):
        tiles, wq, _ = winograd_geometry(key)
        phase = n * c * (-(-ho // 2) + 1) * wq  # numbers in one phase of every image
        moved = 2 * (4 * phase + 8 * phase + 16 * n * c * tiles + 20 * n * k * tiles)
        return 4.0 * (n * c * h * w + moved + 16 * k * (c + 1) + n * k * ho * wo)
    columns = n * c * f * f * length
    phases = 2 * n * c * h * w if s > 1 else 0
    return 4.0 * (n * c * h * w + phases + 2 * columns + k * c * f * f + n * k * ho * wo)


def conv_products_flops(key: str) -> float:
    """The flops of the matrix products cnnkit makes on a shape (the bound's flops).

    For im2col the convolution's own (:func:`conv_flops`); for Winograd, the 16
    products (K, C+1) @ (C+1, tiles) and the (4, 16) product that gives the outputs.
    """
    if not winograd(key):
        return conv_flops(key)
    (n, c, _, _), k, _, _, _ = SHAPES[key]
    tiles, _, _ = winograd_geometry(key)
    return 2.0 * n * tiles * k * (16 * (c + 1) + 4 * 16)


def blas_products(key: str, rng: np.random.Generator) -> Callable[[], object]:
    """The matrix products alone that cnnkit's forward pass makes on a shape, in float32.

    (K, C*F*F + 1) filters (the bias as the last column) times the flat-shift columns:
    one product per image when an image has at least ``_WIDE_POSITIONS`` positions, as
    cnnkit does, otherwise one product for the whole batch. No im2col, no copies: the
    time any im2col in numpy must spend at least, whatever it does around it. For
    Winograd, its 16 products and the output product, a group of images at a time.
    """
    (n, c, _, _), k, f, _, _ = SHAPES[key]
    if winograd(key):
        tiles, _, group = winograd_geometry(key)
        u = rng.standard_normal((16, k, c + 1), dtype=np.float32)
        v = rng.standard_normal((16, c + 1, group * tiles), dtype=np.float32)
        m = np.empty((16, k, group * tiles), dtype=np.float32)
        a = rng.standard_normal((4, 16), dtype=np.float32)
        y = np.empty((4, k * group * tiles), dtype=np.float32)

        def per_group() -> None:
            for _ in range(0, n, group):
                np.matmul(u, v, out=m)
                np.matmul(a, m.reshape(16, -1), out=y)

        return per_group
    ho, _, wq, length = flat_geometry(key)
    rows = c * f * f + 1
    wmat = rng.standard_normal((k, rows), dtype=np.float32)
    if ho * wq >= _WIDE_POSITIONS:
        cols = rng.standard_normal((rows, length), dtype=np.float32)
        out = np.empty((k, length), dtype=np.float32)

        def per_image() -> None:
            for _ in range(n):
                np.matmul(wmat, cols, out=out)

        return per_image
    cols = rng.standard_normal((rows, n * length), dtype=np.float32)
    return lambda: wmat @ cols


def column_building(
    key: str, x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> Callable[[], object] | None:
    """cnnkit's im2col alone on a shape: the column matrices that conv2d builds, in the
    same groups of images, with the bias row, and no product. None for the shapes that
    take no columns (Winograd, or one dense product with the unrolled filters)."""
    if algorithm(key).startswith(("Winograd", "one dense")):
        return None
    _, _, _, s, p = SHAPES[key]
    setup = _setup(x, w, b, s, p, "strict", "bench")
    wq = flat_geometry(key)[2]

    def build() -> None:
        for _, xp in _padded_groups(setup, wq):
            _columns(setup, xp)

    return build


def algorithm(key: str) -> str:
    """How cnnkit.convolution.conv2d computes a shape (its rules, restated for the table)."""
    (_, c, h, w), k, f, s, _ = SHAPES[key]
    ho, wo, wq, _ = flat_geometry(key)
    if h * w <= _UNROLLED_MAX_RATIO * f * f and c * h * w * k * ho * wo <= _UNROLLED_MAX_ENTRIES:
        return "one dense product with the unrolled filters"
    if winograd(key):
        group = winograd_geometry(key)[2]
        return (
            f"Winograd F(2x2, 3x3), {group} images at a time: transforms by additions, "
            "16 products over the channels, one product for the outputs"
        )
    text = "im2col, flat-shift columns" + (f" of the {s}x{s} stride phases" if s > 1 else "")
    if ho * wq >= _WIDE_POSITIONS:
        return text + ", one product per image written in place"
    return text + ", one product for the batch"


def bench_forward(repeats: int, peak: float, bandwidth: float) -> None:
    table = Table(
        "conv2d forward: cnnkit.convolution.conv2d vs torch.nn.functional.conv2d (float32)",
        [
            "shape (N,C,H,W) K F S P",
            "GFLOP",
            "cnnkit ms",
            "GFLOP/s",
            "% peak",
            "bound ms",
            "x bound",
            "BLAS ms",
            "x BLAS",
            "cols ms",
            "floor",
            "torch ms",
            "ratio",
            "target",
            "result",
        ],
    )
    rng = np.random.default_rng(1)
    ratios = []
    for key, (_, _, _, s, p) in SHAPES.items():
        x, w, b, _ = make_conv(key, rng)
        fns = {
            "np": lambda x=x, w=w, b=b, s=s, p=p: conv2d(x, w, b, stride=s, padding=p),
            "blas": blas_products(key, rng),
        }
        build = column_building(key, x, w, b)
        if build is not None:
            fns["cols"] = build
        if torch is not None:
            tx, tw, tb = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)

            def torch_forward(tx=tx, tw=tw, tb=tb, s=s, p=p):
                with torch.no_grad():
                    return torch_f.conv2d(tx, tw, tb, s, p)

            fns["torch"] = torch_forward
        t = median_times(fns, repeats)
        flops = conv_flops(key)
        gflops = flops / t["np"] / 1e9
        # the time the machine allows: bytes moved at the copy bandwidth plus flops at peak
        bound = conv_bytes(key) / (bandwidth * 1e9) + conv_products_flops(key) / (peak * 1e9)
        theirs = t.get("torch")
        checks = [t["np"] / bound <= BOUND_MAX]
        target = f"<= {BOUND_MAX:g}x bound"
        if theirs is not None:
            ratios.append(t["np"] / theirs)
            checks.append(t["np"] / theirs <= FORWARD_MAX)
            target += f", <= {FORWARD_MAX:g}x"
        if key in ("c", "d"):
            checks.append(gflops >= PEAK_FRACTION * peak)
            target += f", >= {PEAK_FRACTION:.0%} peak"
        table.add(
            shape_label(key),
            f"{flops / 1e9:.3f}",
            ms(t["np"]),
            f"{gflops:.1f}",
            f"{gflops / peak:.0%}",
            ms(bound),
            f"{t['np'] / bound:.2f}x",
            ms(t["blas"]),
            f"{t['np'] / t['blas']:.2f}x",
            ms(t["cols"]) if "cols" in t else "-",
            f"{(t['cols'] + t['blas']) / bound:.2f}x" if "cols" in t else "-",
            "-" if theirs is None else ms(theirs),
            ratio(t["np"], theirs),
            target,
            verdict(all(checks)),
        )
    if ratios:
        geomean = math.exp(statistics.fmean(math.log(r) for r in ratios))
        limit = f"<= {FORWARD_GEOMEAN:g}x"
        ok = geomean <= FORWARD_GEOMEAN
        table.add("geometric mean", *[""] * 11, f"{geomean:.2f}x", limit, verdict(ok))
    for key in SHAPES:
        table.notes.append(f"{key}: {algorithm(key)}")
    table.notes.append(
        f"% peak: GFLOP/s over the numpy float32 matmul peak ({peak:.1f} GFLOP/s); GFLOP "
        "is always the direct convolution's, so with Winograd (2.25 times fewer "
        "multiplications) this is an effective rate and could pass 100%"
    )
    table.notes.append(
        f"bound: bytes moved (conv_bytes) at the copy bandwidth ({bandwidth:.1f} GB/s) plus "
        "the flops of the products made (for Winograd, its own) at the matmul peak; "
        "x bound = measured / bound"
    )
    table.notes.append(
        "BLAS: the matrix products alone, on the shapes cnnkit gives them (flat-shift "
        "columns with their wrap-around, the bias row), without building the columns: "
        "the least any im2col in numpy spends here (for Winograd, its 16 products and "
        "the output product, without the transforms). Where BLAS ms is above the time a "
        "target allows, no numpy im2col can meet it; PyTorch's oneDNN kernels convolve "
        "directly, with no column matrix"
    )
    table.notes.append(
        "cols: cnnkit's im2col alone (the column matrices conv2d builds, in its groups of "
        "images, without the products); floor = (cols + BLAS) / bound, the least "
        f"cnnkit's im2col spends, over the bound. Where floor is above {BOUND_MAX:g}x, "
        f"the {BOUND_MAX:g}x bound target is out of reach for im2col with this BLAS: "
        "the columns and the products alone take longer"
    )
    table.show()


def bench_forward_backward(repeats: int) -> None:
    table = Table(
        "conv2d forward + backward: conv2d_forward + conv2d_backward (dx, dw, db) vs autograd",
        ["shape (N,C,H,W) K F S P", "cnnkit ms", "torch ms", "ratio", "target", "result"],
    )
    rng = np.random.default_rng(2)
    for key, (_, _, _, s, p) in SHAPES.items():
        x, w, b, dout = make_conv(key, rng)

        def ours(x=x, w=w, b=b, s=s, p=p, dout=dout):
            _, cache = conv2d_forward(x, w, b, stride=s, padding=p)
            return conv2d_backward(dout, cache)

        fns = {"np": ours}
        if torch is not None:
            tx, tw, tb, td = (torch.from_numpy(a) for a in (x, w, b, dout))
            for t_ in (tx, tw, tb):
                t_.requires_grad_(True)

            def theirs_fn(tx=tx, tw=tw, tb=tb, td=td, s=s, p=p):
                for t_ in (tx, tw, tb):
                    t_.grad = None
                torch_f.conv2d(tx, tw, tb, s, p).backward(td)

            fns["torch"] = theirs_fn
        t = median_times(fns, repeats)
        theirs = t.get("torch")
        limit = FORWARD_BACKWARD.get(key)
        ok = None if theirs is None or limit is None else t["np"] / theirs <= limit
        table.add(
            shape_label(key),
            ms(t["np"]),
            "-" if theirs is None else ms(theirs),
            ratio(t["np"], theirs),
            "-" if limit is None else f"<= {limit:g}x",
            verdict(ok),
        )
    for key in SHAPES:
        if winograd(key):
            table.notes.append(
                f"{key}: Winograd for the output and dx; dW from im2col columns built "
                "again in the backward pass, a group of images at a time (none kept)"
            )
    table.notes.append("the other shapes: im2col, the columns kept from the forward pass")
    table.show()


def bench_pool(repeats: int) -> None:
    table = Table(
        "max-pool 2x2 stride 2, forward + backward (exact: ties to the first maximum)",
        ["input (N,C,H,W)", "cnnkit ms", "torch ms", "ratio", "target", "result"],
    )
    rng = np.random.default_rng(3)
    for shape in POOL_SHAPES:
        x = rng.standard_normal(shape, dtype=np.float32)
        n, c, h, w = shape
        dout = rng.standard_normal((n, c, h // 2, w // 2), dtype=np.float32)

        def ours(x=x, dout=dout):
            _, cache = max_pool2d_forward(x, 2)
            return max_pool2d_backward(dout, cache)

        fns = {"np": ours}
        if torch is not None:
            tx, td = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(dout)

            def theirs_fn(tx=tx, td=td):
                tx.grad = None
                torch_f.max_pool2d(tx, 2).backward(td)

            fns["torch"] = theirs_fn
        t = median_times(fns, repeats)
        theirs = t.get("torch")
        ok = None if theirs is None else t["np"] / theirs <= POOL_RATIO
        table.add(
            str(shape),
            ms(t["np"]),
            "-" if theirs is None else ms(theirs),
            ratio(t["np"], theirs),
            f"<= {POOL_RATIO:g}x",
            verdict(ok),
        )
    table.show()


def torch_lenet() -> object:
    """The network of cnnkit.model.lenet_digits, built from PyTorch layers."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(12, 24, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(24 * 2 * 2, 10),
    )


def bench_training(epochs: int, repeats: int) -> None:
    batch_size, lr = 64, 0.01  # the recipe of cnnkit.model.train_lenet_digits
    data = load_digits()
    x, y = data.x_train, data.y_train
    results: dict[str, list[float]] = {"np": []}
    accuracy: dict[str, float] = {}

    def ours() -> None:
        model = lenet_digits(rng=0)
        start = time.perf_counter()
        model.fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=Adam(lr=lr),
            rng=1,
            progress=False,
        )
        results["np"].append(time.perf_counter() - start)
        accuracy["np"] = model.evaluate(data.x_test, data.y_test)[1]

    runs = [ours]
    if torch is not None:
        results["torch"] = []
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def theirs() -> None:
            torch.manual_seed(0)
            model = torch_lenet()
            opt = torch.optim.Adam(model.parameters(), lr=lr)
            loss_fn = torch.nn.CrossEntropyLoss()
            gen = np.random.default_rng(1)  # the same shuffling as cnnkit's fit
            start = time.perf_counter()
            for _ in range(epochs):
                order = torch.from_numpy(gen.permutation(len(x)))
                for i in range(0, len(x), batch_size):
                    idx = order[i : i + batch_size]
                    opt.zero_grad()
                    loss = loss_fn(model(tx[idx]), ty[idx])
                    loss.backward()
                    opt.step()
            results["torch"].append(time.perf_counter() - start)
            with torch.no_grad():
                pred = model(torch.from_numpy(data.x_test)).argmax(1).numpy()
            accuracy["torch"] = float(np.mean(pred == data.y_test))

        runs.append(theirs)
    for _ in range(repeats):
        for run in runs:
            run()
    t = {k: statistics.median(v) for k, v in results.items()}
    theirs = t.get("torch")
    table = Table(
        f"training: {epochs} epochs of lenet_digits on load_digits ({len(x)} images, "
        f"batch {batch_size}, Adam lr {lr})",
        ["", "cnnkit s", "torch s", "ratio", "target", "result"],
    )
    checks = [t["np"] <= TRAIN_SECONDS] if epochs == 20 else []
    if theirs is not None:
        checks.append(t["np"] / theirs <= TRAIN_RATIO)
    table.add(
        f"{epochs} epochs",
        f"{t['np']:.3f}",
        "-" if theirs is None else f"{theirs:.3f}",
        ratio(t["np"], theirs),
        f"<= {TRAIN_RATIO:g}x and <= {TRAIN_SECONDS:g} s",
        verdict(all(checks) if checks else None),
    )
    acc = f"test accuracy: cnnkit {accuracy['np']:.3f}"
    if "torch" in accuracy:
        acc += f", torch {accuracy['torch']:.3f} (PyTorch's own initialisation)"
    table.notes.append(acc)
    table.show()


def bench_training_profile(epochs: int) -> None:
    """Where one training step of lenet_digits spends its time, layer by layer.

    The steps of ``Sequential.fit`` (forward in training mode, loss and gradient,
    backward down to the first layer with parameters, Adam), each timed on its own,
    for ``epochs`` epochs after one epoch of warm-up. The clock calls add a little.
    """
    batch_size = 64
    data = load_digits()
    x, y = data.x_train, data.y_train
    model, optimizer = lenet_digits(rng=0), Adam(lr=0.01)
    layers = model.layers
    names = [f"{i} {layer!r}" for i, layer in enumerate(layers)]
    forward = [0.0] * len(layers)
    backward = [0.0] * len(layers)
    other = {"loss and its gradient": 0.0, "Adam step": 0.0}
    gen = np.random.default_rng(1)
    steps = 0
    for epoch in range(epochs + 1):
        order = gen.permutation(len(x))
        for start in range(0, len(x), batch_size):
            timed = epoch > 0  # the first epoch warms up
            idx = order[start : start + batch_size]
            h = x[idx]
            for i, layer in enumerate(layers):
                t0 = time.perf_counter()
                h = layer.forward(h, training=True)
                forward[i] += (time.perf_counter() - t0) * timed
            t0 = time.perf_counter()
            _, g = cross_entropy_with_grad(h, y[idx])
            other["loss and its gradient"] += (time.perf_counter() - t0) * timed
            for i in range(len(layers) - 1, -1, -1):
                t0 = time.perf_counter()
                # as fit does: no gradient for the images
                g = layers[i].backward(g, input_grad=False) if i == 0 else layers[i].backward(g)
                backward[i] += (time.perf_counter() - t0) * timed
            t0 = time.perf_counter()
            optimizer.step(model.parameters())
            other["Adam step"] += (time.perf_counter() - t0) * timed
            steps += timed
    total = sum(forward) + sum(backward) + sum(other.values())
    table = Table(
        f"one training step of lenet_digits, by layer (batch {batch_size}, mean of {steps} steps)",
        ["step", "forward us", "backward us", "share"],
    )
    for name, f, b in zip(names, forward, backward, strict=True):
        table.add(
            name, f"{f / steps * 1e6:.0f}", f"{b / steps * 1e6:.0f}", f"{(f + b) / total:.0%}"
        )
    for name, t in other.items():
        table.add(name, f"{t / steps * 1e6:.0f}", "", f"{t / total:.0%}")
    table.add("total", f"{total / steps * 1e6:.0f}", "", "100%")
    table.notes.append(
        "the first layer's backward computes no gradient for the images (as Sequential.fit)"
    )
    table.show()


def bench_naive(quick: bool, repeats: int) -> None:
    """The loop versions against the vectorized ones, on a small shape."""
    n = 16 if quick else 256
    rng = np.random.default_rng(4)
    x = rng.standard_normal((n, 1, 8, 8), dtype=np.float32)
    w = rng.standard_normal((8, 1, 3, 3), dtype=np.float32)
    b = rng.standard_normal(8, dtype=np.float32)
    out, cache = conv2d_forward(x, w, b, stride=1, padding=1)
    dout = rng.standard_normal(out.shape, dtype=np.float32)
    px = rng.standard_normal((n, 8, 8, 8), dtype=np.float32)
    cases = [
        (
            f"conv2d, shape e with N={n}",
            lambda: conv2d_naive(x, w, b, stride=1, padding=1),
            lambda: conv2d(x, w, b, stride=1, padding=1),
        ),
        (
            f"conv2d_backward, shape e with N={n}",
            lambda: conv2d_backward_naive(dout, cache),
            lambda: conv2d_backward(dout, cache),
        ),
        (
            f"max_pool2d 2x2, ({n},8,8,8)",
            lambda: max_pool2d_naive(px, 2),
            lambda: max_pool2d(px, 2),
        ),
    ]
    table = Table(
        "naive (loops) vs fast (vectorized): the book uses the naive versions on small inputs only",
        ["operation, small input", "naive ms", "fast ms", "slowdown", "target", "result"],
    )
    for label, naive, fast in cases:
        t_naive = once(naive)
        t_fast = median_times({"fast": fast}, repeats)["fast"]
        slowdown = t_naive / t_fast
        # with --quick the input is too small for the fast version to show its speed
        ok = None if quick else slowdown >= NAIVE_SLOWDOWN
        table.add(
            label,
            ms(t_naive),
            f"{t_fast * 1e3:.3f}",
            f"{slowdown:,.0f}x",
            f">= {NAIVE_SLOWDOWN:,.0f}x",
            verdict(ok),
        )
    table.notes.append("naive: one run (it is slow); fast: median of repeats")
    table.show()


def bench_memory() -> None:
    """Peak memory (tracemalloc) of one conv2d on shape c, against the column buffer's size."""
    (n, c, h, w), k, f, s, p = SHAPES["c"]
    x, wt, b, dout = make_conv("c", np.random.default_rng(5))
    ho, wo = conv2d_cost((c, h, w), k, f, stride=s, padding=p).output_shape[1:]
    cols_bytes = n * c * f * f * ho * wo * x.itemsize
    out_bytes = dout.nbytes
    table = Table(
        f"peak memory, shape {shape_label('c')} (tracemalloc, numpy allocations)",
        ["call", "peak MB", "output MB", "columns MB", "(peak - output) / columns"],
    )
    calls = [
        ("conv2d", lambda: conv2d(x, wt, b, stride=s, padding=p)),
        (
            "conv2d_forward (keeps the columns)"
            if cols_bytes <= _KEPT_COLUMNS_MAX_BYTES
            else f"conv2d_forward (keeps none: > {_KEPT_COLUMNS_MAX_BYTES // 2**20} MiB)",
            lambda: conv2d_forward(x, wt, b, stride=s, padding=p),
        ),
    ]
    for label, fn in calls:
        tracemalloc.start()
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del result
        table.add(
            label,
            f"{peak / 2**20:.1f}",
            f"{out_bytes / 2**20:.1f}",
            f"{cols_bytes / 2**20:.1f}",
            f"{(peak - out_bytes) / cols_bytes:.2f}",
        )
    table.notes.append(
        "columns: one full im2col matrix (N, C*F*F, Ho*Wo); a ratio near 1 or below means "
        "the columns are built once, with no second full-size copy"
    )
    table.notes.append(
        "conv2d_forward keeps the columns for the backward pass up to "
        f"{_KEPT_COLUMNS_MAX_BYTES // 2**20} MiB; larger ones are built again in the "
        "backward pass, a group of images at a time. When kept, the ratio is a little "
        "above 1 with a stride: flat-shift columns have (Ho - 1) * Wq + Wo positions per "
        "image instead of Ho * Wo, a row of ones for the bias, and the input is first "
        "split by stride phase (one copy of the input)"
    )
    table.show()


def bench_explorers(repeats: int) -> None:
    """One update of each chapter's explorer: a control moved, the HTML rendered again.

    The book promises that an explorer answers within 0.1 s; this prints the figure
    instead of a test asserting it (a busy machine would make such a test flaky).
    Skipped when the book's packages (matplotlib, ipywidgets) are not installed.
    """
    try:
        from cnnkit.book import ch01_images, ch02_convolution, ch03_conv_layer
    except ImportError as missing:
        print(f"\nbook explorers: skipped ({missing.name} is not installed)")
        return
    # from a start setting, two values of one control set in turns: every call changes
    # something (the chapter 3 start is its largest drawing)
    moves = {
        "ch1 pixels: window moved": (ch01_images.pixel_explorer, {}, "row", (100, 101)),
        "ch2 filters: preset picked": (
            ch02_convolution.filter_explorer,
            {},
            "preset",
            ("sobel_x", "box_blur"),
        ),
        "ch3 layer: stride moved": (
            ch03_conv_layer.conv_layer_explorer,
            {"input_size": 32, "padding": 5},
            "stride",
            (1, 2),
        ),
    }
    table = Table("book explorers: one update (set a control, render the HTML)", ["", "ms"])
    for label, (make, start, name, values) in moves.items():
        explorer = make()
        explorer.set(**start)
        turns = itertools.cycle(values)

        def move(explorer=explorer, name=name, turns=turns) -> None:
            explorer.set(**{name: next(turns)})

        seconds = median_times({label: move}, repeats)
        table.add(label, ms(seconds[label]))
    table.notes.append("the chapters promise an answer within 100 ms per change")
    table.show()


def cpu_model() -> str:
    """The processor's model name (Linux /proc/cpuinfo), so that no figure loses its machine."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine_report(quick: bool) -> None:
    title = "cnnkit benchmarks"
    print(title + (" (--quick: a smoke run, the numbers mean little)" if quick else ""))
    print(f"CPU: {cpu_model()}")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores")
    if threadpoolctl is not None:
        for pool in threadpoolctl.threadpool_info():
            lib = Path(pool.get("filepath", "")).name
            kernel = f", kernel {pool['architecture']}" if pool.get("architecture") else ""
            print(
                f"  {pool.get('internal_api')} {pool.get('version') or ''} ({lib}){kernel}, "
                f"{pool.get('num_threads')} thread(s)"
            )
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if coretype:
        print(f"  OPENBLAS_CORETYPE={coretype} is set (it may select a slower kernel)")
    own = [name for name in memory.USER_SETTINGS if name in os.environ]
    if own:
        print(f"memory: the allocator settings of the environment ({', '.join(own)})")
    elif memory.keep_freed_memory():  # already done by import cnnkit; says whether it took
        print(
            f"memory: glibc keeps freed memory (import cnnkit set mmap threshold "
            f"{memory.MMAP_THRESHOLD // 2**20} MiB, trim threshold "
            f"{memory.TRIM_THRESHOLD // 2**20} MiB), for both libraries"
        )
    else:
        print("memory: the C library's default allocator settings")
    if torch is None:
        print("PyTorch: not used; only cnnkit is timed (pip install torch to compare)")
    else:
        print(
            f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread, "
            f"mkldnn {'on' if torch.backends.mkldnn.is_available() else 'off'}"
        )


def report_load(when: str) -> None:
    load = os.getloadavg()
    busy = load[0] > 0.5 * (os.cpu_count() or 1)
    text = f"load average {when}: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    if busy:
        text += " -- the machine is busy: the timings are noisy, rerun when it is idle"
    print(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with few repeats")
    parser.add_argument("--repeats", type=int, help="samples per median (default 9, quick 2)")
    parser.add_argument("--no-torch", action="store_true", help="time cnnkit only")
    args = parser.parse_args(argv)
    if args.no_torch:
        global torch
        torch = None
    repeats = args.repeats or (2 if args.quick else 9)
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(1)
    if torch is not None:
        torch.set_num_threads(1)

    start = time.perf_counter()
    machine_report(args.quick)
    report_load("at the start")
    peak = matmul_peak(2048, repeats)
    bandwidth = copy_bandwidth(repeats)
    print(f"numpy float32 matmul peak: {peak:.1f} GFLOP/s (one thread)")
    print(f"numpy copy bandwidth: {bandwidth:.1f} GB/s (one thread, read + write)")
    bench_forward(repeats, peak, bandwidth)
    bench_forward_backward(repeats)
    bench_pool(repeats)
    bench_training(1 if args.quick else 20, 1 if args.quick else 3)
    bench_training_profile(1 if args.quick else 5)
    bench_naive(args.quick, repeats)
    bench_memory()
    bench_explorers(repeats)
    print()
    report_load("at the end")
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
