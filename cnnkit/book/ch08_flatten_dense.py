"""Chapter 8, "Flattening and the fully connected layer": the order of a flattened volume,
the dense layer and its backward pass, and where the parameters of LeNet-5 and AlexNet
live.

For ``notebooks/08_flatten_dense.ipynb``: the order of a channels-last flatten
(:func:`channels_last_order`), the drawings of a flattened volume
(:func:`show_flatten_order`) and of a dense layer (:func:`show_dense_layer`), centred
differences for the gradient check (:func:`numeric_gradient`, :func:`relative_error`),
the layer-by-layer parameter counts of LeNet-5 and AlexNet (:func:`lenet5_layers`,
:func:`alexnet_layers`, drawn by :func:`show_param_bars`), the explorer that follows a
digit from a feature-map volume to the vector and to class scores
(:func:`flatten_dense_explorer`, whose output is :func:`flatten_dense_html`), and the
chapter's exercise checks (each takes ``reveal=True`` to show the answer).

Notation: a volume of C channels of H×W values, flattened to C·H·W entries; a dense
layer from ``in_features`` to ``out_features`` (K outputs) with weights of shape
(in_features, out_features), as :mod:`cnnkit.dense` stores them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, NamedTuple

import ipywidgets as w
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cnnkit._checks import check_positive_int
from cnnkit.activations import relu
from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_function,
    close,
    element_is,
    same_integer,
)
from cnnkit.book.explorer import Explorer
from cnnkit.book.figures import hide_frame, img_tag, png_bytes, show_matrix, svg
from cnnkit.book.style import DIVERGING_CMAP, OKABE_ITO, SEQUENTIAL_CMAP
from cnnkit.convolution import conv2d
from cnnkit.cost import conv2d_cost
from cnnkit.data import load_digits
from cnnkit.dense import DenseCache, dense_backward
from cnnkit.filters import diagonal_edge, horizontal_edge, vertical_edge
from cnnkit.layers import Dense, Flatten
from cnnkit.model import Sequential
from cnnkit.optim import Adam
from cnnkit.pooling import max_pool2d
from cnnkit.shapes import output_size

#: One colour per channel, in the figures and in the explorer (Okabe–Ito).
CHANNEL_COLOURS = (
    OKABE_ITO["sky blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish green"],
    OKABE_ITO["reddish purple"],
)


# --------------------------------------------------------------------------- flatten order
def channels_last_order(shape: tuple[int, int, int]) -> np.ndarray:
    """The order in which a channels-last flatten takes the entries of cnnkit's vector.

    A volume of shape (C, H, W) flattened by cnnkit (C order) puts element (c, i, j) at
    position c·H·W + i·W + j. Stored as (H, W, C) and flattened, as Keras does by
    default, the same element lands at (i·W + j)·C + c. This returns the index array
    ``order`` with ``flatten(x_hwc) == flatten(x_chw)[order]``: entry k of the
    channels-last vector is entry ``order[k]`` of cnnkit's.

    Parameters
    ----------
    shape : (int, int, int)
        (C, H, W) of one example.

    Returns
    -------
    ndarray of int, shape (C·H·W,)

    Examples
    --------
    Two channels of 2×2: the channels alternate.

    >>> channels_last_order((2, 2, 2))
    array([0, 4, 1, 5, 2, 6, 3, 7])
    """
    if len(shape) != 3:
        raise ValueError(
            f"channels_last_order: shape must be (C, H, W), three sizes; got shape={shape!r}"
        )
    c, h, w_ = (
        check_positive_int(n, f"shape[{k}]", "channels_last_order") for k, n in enumerate(shape)
    )
    # Each cell of this (C, H, W) array holds its own C-order position; reading the
    # cells in (H, W, C) order lists those positions in the channels-last order.
    return np.arange(c * h * w_).reshape(c, h, w_).transpose(1, 2, 0).ravel()


def _cell(ax, x: float, y: float, text: str, colour: str, *, size: float = 10) -> None:
    ax.add_patch(
        Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="#333333", linewidth=0.8, alpha=0.55)
    )
    ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=size, color="black")


def show_flatten_order(shape: tuple[int, int, int] = (2, 3, 3)) -> Figure:
    """A small volume with every cell numbered, and the two vectors it flattens into.

    Top: the C channels of an H×W volume side by side, each cell holding its position in
    cnnkit's vector (channel by channel, row by row). Middle: that vector, C order, as
    cnnkit and PyTorch on (N, C, H, W) flatten it. Bottom: the vector of a channels-last
    flatten (Keras on (N, H, W, C)), in which the channels alternate. Cells are coloured
    by the channel they come from.
    """
    c, h, w_ = shape
    if c > len(CHANNEL_COLOURS):
        raise ValueError(
            f"show_flatten_order: at most {len(CHANNEL_COLOURS)} channels can be coloured; "
            f"got shape {shape}"
        )
    n = c * h * w_
    order = channels_last_order(shape)
    start = 4.6  # the labels take the left of the picture, the cells start here
    fig, ax = plt.subplots(figsize=(max(6.0, 0.4 * (n + start + 4.5)), 2.3 + 0.42 * h))
    size = 9 if n <= 24 else 7
    # the volume, channel by channel (row 0 at the top)
    top = 4.2
    for k in range(c):
        left = start + k * (w_ + 1.2)
        for i in range(h):
            for j in range(w_):
                index = k * h * w_ + i * w_ + j
                _cell(ax, left + j, top + h - 1 - i, str(index), CHANNEL_COLOURS[k], size=size)
        ax.text(left + w_ / 2, top + h + 0.35, f"channel c = {k}", ha="center", va="bottom")
    ax.text(0, top + h / 2, f"volume\n(C, H, W) = {shape}", ha="left", va="center", fontsize=9)
    ax.text(
        start + c * (w_ + 1.2),
        top + h / 2,
        "row i: top to bottom\ncolumn j: left to right",
        ha="left",
        va="center",
        fontsize=8,
        color="#555555",
    )
    # the two vectors
    rows = [
        (2.0, "C order (cnnkit;\nPyTorch on N, C, H, W)", np.arange(n)),
        (0.0, "channels last\n(Keras on N, H, W, C)", order),
    ]
    for y, label, positions in rows:
        ax.text(0, y + 0.5, label, ha="left", va="center", fontsize=8.5)
        for k, index in enumerate(positions):
            channel = int(index) // (h * w_)
            _cell(ax, start + k, y, str(int(index)), CHANNEL_COLOURS[channel], size=size)
    for k in range(0, n, max(1, n // 6)):
        ax.text(start + k + 0.5, -0.25, str(k), ha="center", va="top", fontsize=7, color="#555555")
    ax.text(start + n + 0.2, -0.25, "← position in the vector", ha="left", va="top", fontsize=7)
    ax.set_xlim(-0.1, start + n + 4.4)
    ax.set_ylim(-0.9, top + h + 1.0)
    ax.set_aspect("equal")
    hide_frame(ax)
    return fig


# --------------------------------------------------------------------------- the dense layer
def show_dense_layer(w_: np.ndarray, b: np.ndarray | None = None) -> Figure:
    """A dense layer drawn two ways: as connections and as its weight matrix.

    Left: every input (circles on the left) joined to every output (right) by one line
    per weight, orange for positive and purple for negative, thicker for larger |w|.
    Right: the matrix w of shape (in_features, out_features) with its numbers: row i
    holds the weights that leave input i, column k the weights that enter output k.
    """
    w_ = np.asarray(w_, dtype=float)
    n_in, n_out = w_.shape
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(8.6, 3.4), gridspec_kw={"width_ratios": [1.25, 1]}
    )
    lim = float(np.max(np.abs(w_))) or 1.0
    cmap = plt.get_cmap(DIVERGING_CMAP)
    ys_in = np.linspace(1, 0, n_in)
    ys_out = np.linspace(0.85, 0.15, n_out) if n_out > 1 else np.array([0.5])
    for i in range(n_in):
        for k in range(n_out):
            value = w_[i, k]
            # a thin grey line first, so that a weight of 0 still shows its connection
            left.plot([0, 1], [ys_in[i], ys_out[k]], color="#CCCCCC", linewidth=0.5, zorder=0)
            left.plot(
                [0, 1],
                [ys_in[i], ys_out[k]],
                color=cmap(0.5 + 0.5 * value / lim),
                linewidth=0.6 + 2.4 * abs(value) / lim,
                zorder=1,
            )
    left.scatter(np.zeros(n_in), ys_in, s=260, color="white", edgecolor="black", zorder=2)
    left.scatter(np.ones(n_out), ys_out, s=320, color="white", edgecolor="black", zorder=2)
    for i, y in enumerate(ys_in):
        left.text(0, y, f"x{i}", ha="center", va="center", fontsize=8, zorder=3)
    for k, y in enumerate(ys_out):
        left.text(1, y, f"y{k}", ha="center", va="center", fontsize=8, zorder=3)
    left.set_xlim(-0.25, 1.25)
    left.set_ylim(-0.1, 1.1)
    hide_frame(left)
    left.set_title(f"{n_in} inputs, {n_out} outputs: {n_in * n_out} connections")
    show_matrix(
        w_,
        ax=right,
        cmap=DIVERGING_CMAP,
        vmin=-lim,
        vmax=lim,
        fmt="{:g}",
        title=f"the weights w, shape ({n_in}, {n_out})",
    )
    right.set_xlabel("output k (column)")
    right.set_ylabel("input i (row)")
    if b is not None:
        text = ", ".join(f"{v:g}" for v in np.asarray(b, dtype=float))
        right.text(
            0.5,
            -0.28,
            f"bias b = ({text})",
            transform=right.transAxes,
            ha="center",
            va="top",
        )
    return fig


def dense_params(in_features: int, out_features: int) -> int:
    """Trainable numbers of a dense layer: one weight per (input, output) pair and one
    bias per output, in_features·out_features + out_features.

    Examples
    --------
    AlexNet's first fully connected layer, on the 6·6·256 = 9,216 flattened values:

    >>> dense_params(9216, 4096)
    37752832
    """
    n_in = check_positive_int(in_features, "in_features", "dense_params")
    n_out = check_positive_int(out_features, "out_features", "dense_params")
    return n_in * n_out + n_out


# --------------------------------------------------------------------------- gradient check
def numeric_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The gradient of ``f()`` with respect to ``x`` by centred differences.

    Each element of ``x`` in turn is nudged up and down by ``h``, and the slope
    (f(x + h) − f(x − h)) / 2h is the derivative with respect to that element. ``f``
    takes no argument: it reads ``x``, which is changed in place and put back. Use
    float64 arrays; float32 rounding swamps a step of 1e-6.

    Parameters
    ----------
    f : callable
        ``f() -> float``, computed from the current contents of ``x``.
    x : ndarray, float64
    h : float, default 1e-6

    Returns
    -------
    ndarray, the shape of x

    Examples
    --------
    >>> a = np.array([1.0, -2.0])
    >>> np.round(numeric_gradient(lambda: float(np.sum(a**2)), a), 6)
    array([ 2., -4.])
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise TypeError(
            "numeric_gradient: x must be a float64 numpy array (nudged in place); "
            f"got {type(x).__name__} with dtype {getattr(x, 'dtype', None)}"
        )
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        kept = x[index]
        x[index] = kept + h
        up = f()
        x[index] = kept - h
        down = f()
        x[index] = kept
        grad[index] = (up - down) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """How far two gradients are apart, relative to their size: ‖a − b‖ / (‖a‖ + ‖b‖).

    0 means equal; a correct backward pass checked in float64 gives about 1e-10, a wrong
    one something near 1.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    size = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / size) if size > 0 else 0.0


# --------------------------------------------------------------------------- parameter counts
class LayerParams(NamedTuple):
    """One layer of a network and its trainable parameters (for one example, no batch)."""

    name: str
    layer: str  # what it does, in words
    output_shape: tuple[int, ...]
    params: int
    kind: str  # "convolution", "subsampling", "pooling", "flatten", "fully connected", "output"


def _lenet5_c3_inputs() -> tuple[tuple[int, ...], ...]:
    # Table I of LeCun et al. (1998): maps 0-5 read three neighbouring S2 maps, maps 6-11
    # four neighbouring ones (wrapping around from map 5 to map 0), maps 12-14 four maps
    # that are not all neighbours, and map 15 all six.
    three = [tuple(sorted((m + k) % 6 for k in range(3))) for m in range(6)]
    four = [tuple(sorted((m + k) % 6 for k in range(4))) for m in range(6)]
    apart = [(0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5)]
    return (*three, *four, *apart, tuple(range(6)))


#: The S2 maps that each of the 16 maps of LeNet-5's layer C3 reads (LeCun et al., 1998,
#: Table I): ``LENET5_C3_INPUTS[m]`` lists the inputs of C3 map m.
LENET5_C3_INPUTS: tuple[tuple[int, ...], ...] = _lenet5_c3_inputs()


def c3_params(inputs: Sequence[Sequence[int]] = LENET5_C3_INPUTS) -> int:
    """Trainable parameters of a 5×5 convolution on 14×14 maps whose output map m reads
    only the input maps ``inputs[m]``: for each output map, 25 weights per map it reads
    and one bias.

    Examples
    --------
    LeNet-5's partly connected C3, and the same layer fully connected to S2:

    >>> c3_params(), c3_params([range(6)] * 16)
    (1516, 2416)
    """
    return sum(conv2d_cost((len(tuple(maps)), 14, 14), 1, 5).params for maps in inputs)


def lenet5_layers() -> list[LayerParams]:
    """LeNet-5 (LeCun et al., 1998) layer by layer: output shape and trainable parameters.

    Computed, not copied: the convolutions by :func:`cnnkit.cost.conv2d_cost`, C3 from
    its connection table :data:`LENET5_C3_INPUTS`, the subsampling layers as one
    trainable coefficient and one bias per map, F6 by :func:`dense_params`. The output
    layer's ten RBF units compare F6's 84 values with vectors of 84 numbers each, which
    the authors chose by hand and kept fixed, "at least initially"; the paper does not
    count them among its trainable parameters, so the row has 0.

    Examples
    --------
    >>> rows = lenet5_layers()
    >>> [(r.name, r.params) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
    [('C1', 156), ('S2', 12), ('C3', 1516), ('S4', 32), ('C5', 48120), ('F6', 10164),
     ('output', 0)]
    >>> sum(r.params for r in rows)
    60000
    """
    c1 = conv2d_cost((1, 32, 32), 6, 5)
    s2 = (6, output_size(28, 2, stride=2), output_size(28, 2, stride=2))
    c3_side = output_size(s2[1], 5)
    s4 = (16, output_size(c3_side, 2, stride=2), output_size(c3_side, 2, stride=2))
    c5 = conv2d_cost(s4, 120, 5)
    subsampling = "subsampling, 2×2 sum × weight + bias"
    c3 = (16, c3_side, c3_side)
    rows = [
        ("C1", "convolution, 6 filters 5×5", c1.output_shape, c1.params, "convolution"),
        ("S2", subsampling, s2, 2 * s2[0], "subsampling"),
        ("C3", "convolution, 16 filters 5×5, partly connected", c3, c3_params(), "convolution"),
        ("S4", subsampling, s4, 2 * s4[0], "subsampling"),
        ("C5", "convolution, 120 filters 5×5×16 (in effect dense)", c5.output_shape, c5.params,
         "convolution"),
        ("F6", "fully connected, 120 → 84", (84,), dense_params(120, 84), "fully connected"),
        ("output", "10 RBF units, hand-chosen vectors (not counted)", (10,), 0, "output"),
    ]  # fmt: skip
    return [LayerParams(*row) for row in rows]


def _alexnet_conv(
    name: str,
    in_shape: tuple[int, int, int],
    out_channels: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    groups: int = 1,
) -> LayerParams:
    # A grouped layer is `groups` convolutions side by side, each from C/groups input
    # channels to K/groups filters (AlexNet's two GPUs).
    c, h, w_ = in_shape
    part = conv2d_cost(
        (c // groups, h, w_), out_channels // groups, kernel_size, stride=stride, padding=padding
    )
    f = kernel_size
    what = f"{out_channels} filters {f}×{f}×{c // groups}"
    what += f", stride {stride}" if stride > 1 else ""
    what += f", in {groups} groups" if groups > 1 else ""
    shape = (out_channels, *part.output_shape[1:])
    return LayerParams(name, what, shape, groups * part.params, "convolution")


def _alexnet_pool(name: str, in_shape: tuple[int, int, int]) -> LayerParams:
    c, h, w_ = in_shape
    shape = (c, output_size(h, 3, stride=2), output_size(w_, 3, stride=2))
    return LayerParams(name, "max pooling 3×3, stride 2", shape, 0, "pooling")


def alexnet_layers(*, grouped: bool = True) -> list[LayerParams]:
    """AlexNet (Krizhevsky et al., 2012) layer by layer, on a 227×227×3 input.

    The filter sizes and numbers are the paper's. Layers conv2, conv4 and conv5 ran as
    two halves, one per GPU, each half seeing only the maps on its own GPU: with
    ``grouped=True`` (the paper's network) each of their filters spans half of the input
    channels; with ``grouped=False`` every filter spans all of them. The padding (2 for
    conv2, 1 for conv3 to conv5), which gives the map sizes of the paper's figure, and
    the 227×227 input are those of Caffe's reference model (see chapter 3 for 224 vs
    227). The response-normalisation layers have no trainable parameters and are left
    out.

    Examples
    --------
    >>> rows = alexnet_layers()
    >>> rows[0].output_shape, rows[0].params
    ((96, 55, 55), 34944)
    >>> sum(r.params for r in rows), sum(r.params for r in alexnet_layers(grouped=False))
    (60965224, 62378344)
    """
    g = 2 if grouped else 1
    rows = [_alexnet_conv("conv1", (3, 227, 227), 96, 11, stride=4)]
    rows.append(_alexnet_pool("pool1", rows[-1].output_shape))
    rows.append(_alexnet_conv("conv2", rows[-1].output_shape, 256, 5, padding=2, groups=g))
    rows.append(_alexnet_pool("pool2", rows[-1].output_shape))
    rows.append(_alexnet_conv("conv3", rows[-1].output_shape, 384, 3, padding=1))
    rows.append(_alexnet_conv("conv4", rows[-1].output_shape, 384, 3, padding=1, groups=g))
    rows.append(_alexnet_conv("conv5", rows[-1].output_shape, 256, 3, padding=1, groups=g))
    rows.append(_alexnet_pool("pool5", rows[-1].output_shape))
    flat = int(np.prod(rows[-1].output_shape))
    rows.append(LayerParams("flatten", "flatten (C, H, W) to one vector", (flat,), 0, "flatten"))
    for name, n_in, n_out in [("fc6", flat, 4096), ("fc7", 4096, 4096), ("fc8", 4096, 1000)]:
        rows.append(
            LayerParams(
                name,
                f"fully connected, {n_in:,} → {n_out:,}",
                (n_out,),
                dense_params(n_in, n_out),
                "fully connected",
            )
        )
    return rows


_KIND_COLOURS = {
    "convolution": OKABE_ITO["blue"],
    "subsampling": OKABE_ITO["sky blue"],
    "fully connected": OKABE_ITO["vermillion"],
}


def _covers_its_input(row: LayerParams) -> bool:
    """A convolution whose filters cover the whole input volume: a 1×1 output map."""
    return row.kind == "convolution" and row.output_shape[1:] == (1, 1)


def show_param_bars(
    networks: dict[str, Sequence[LayerParams]], *, millions: Sequence[str] = ()
) -> Figure:
    """One panel per network: the trainable parameters of each layer, as horizontal bars.

    Bars are coloured by kind (convolution blue, subsampling light blue, fully connected
    vermillion) and labelled with their count; layers without parameters are left out. A
    convolution whose filters cover its whole input (LeNet-5's C5) is hatched: it is a
    fully connected layer in effect. The networks named in ``millions`` are drawn on an
    axis in millions.
    """
    fig, axes = plt.subplots(1, len(networks), figsize=(4.4 * len(networks), 3.6))
    axes = np.atleast_1d(axes)
    hatched = False
    for ax, (title, rows) in zip(axes, networks.items(), strict=True):
        shown = [r for r in rows if r.params > 0][::-1]
        unit = 1e6 if title in millions else 1.0
        values = [r.params / unit for r in shown]
        bars = ax.barh(
            [r.name for r in shown],
            values,
            color=[_KIND_COLOURS.get(r.kind, "#777777") for r in shown],
        )
        for bar, row in zip(bars, shown, strict=True):
            if _covers_its_input(row):
                bar.set_hatch("///")
                bar.set_edgecolor("white")
                hatched = True
        top = max(values)
        for y, (value, row) in enumerate(zip(values, shown, strict=True)):
            ax.text(value + top * 0.02, y, f"{row.params:,}", va="center", fontsize=8)
        ax.set_xlim(0, top * 1.45)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        total = sum(r.params for r in rows)
        ax.set_title(f"{title}: {total:,} trainable parameters")
        ax.set_xlabel("parameters (millions)" if unit > 1 else "parameters")
        ax.set_ylabel("layer")
    handles = [
        mpl.patches.Patch(color=colour, label=kind)
        for kind, colour in _KIND_COLOURS.items()
        if any(r.kind == kind for rows in networks.values() for r in rows)
    ]
    if hatched:
        handles.append(
            mpl.patches.Patch(
                facecolor=_KIND_COLOURS["convolution"],
                edgecolor="white",
                hatch="///",
                label="convolution over its whole input",
            )
        )
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig


# --------------------------------------------------------------------------- the explorer
#: The filters that make the explorer's feature maps, in channel order (chapter 2's edge
#: detectors; the last is the diagonal one mirrored left to right).
FEATURE_FILTERS = {
    "vertical edges": vertical_edge(),
    "horizontal edges": horizontal_edge(),
    "diagonal edges ╲": diagonal_edge(),
    "diagonal edges ╱": np.fliplr(diagonal_edge()),
}
#: The two orders the explorer can flatten in.
ORDERS = ("channel by channel", "channels interleaved")
_SIDE = 4  # the maps are 4×4: 8×8 digits, "same" 3×3 convolution, 2×2 max pooling


@cache
def _digits():
    return load_digits()


def feature_volume(x: np.ndarray, channels: int) -> np.ndarray:
    """The explorer's feature maps of a batch of digits: (N, 1, 8, 8) → (N, C, 4, 4).

    The first ``channels`` filters of :data:`FEATURE_FILTERS` ("same" padding), ReLU,
    then 2×2 max pooling with stride 2: the first half of a small CNN, with fixed filters.
    """
    n = check_positive_int(channels, "channels", "feature_volume")
    if n > len(FEATURE_FILTERS):
        raise ValueError(
            f"feature_volume: channels must be at most {len(FEATURE_FILTERS)}; got {channels}"
        )
    bank = np.stack(list(FEATURE_FILTERS.values()))[:n, np.newaxis]
    return max_pool2d(relu(conv2d(x, bank, padding=1)), 2, stride=2)


class DigitClassifier(NamedTuple):
    """A dense layer from a flattened feature volume to 10 digit scores (see
    :func:`dense_classifier`)."""

    w: np.ndarray  # (C·16, 10)
    b: np.ndarray  # (10,)
    accuracy: float  # on the test digits, flattened channel by channel
    accuracy_interleaved: float  # the same weights fed channels-interleaved vectors
    n_test: int  # how many test digits the accuracies are measured on


@cache
def dense_classifier(channels: int) -> DigitClassifier:
    """A dense layer trained on the :func:`feature_volume` of the training digits.

    ``Sequential(Flatten(), Dense(16·C, 10))``, trained for 20 epochs with Adam (learning
    rate 0.02, mini-batches of 64, seeds 0 and 1) on the cross-entropy of its scores
    (chapter 9 explains that loss). Its test accuracy is measured twice: on vectors
    flattened channel by channel, as in training, and on the same volumes flattened with
    the channels interleaved. Cached: the same numbers on every call.
    """
    data = _digits()
    train = feature_volume(data.x_train, channels)
    test = feature_volume(data.x_test, channels)
    net = Sequential(Flatten(), Dense(int(train[0].size), 10, rng=0))
    net.fit(
        train,
        data.y_train,
        epochs=20,
        batch_size=64,
        optimizer=Adam(0.02),
        rng=1,
        progress=False,
    )
    dense_layer = net[1]
    w_, b = dense_layer.params["w"].astype(np.float64), dense_layer.params["b"].astype(np.float64)
    order = channels_last_order(test.shape[1:])
    vectors = test.reshape(len(test), -1)
    right = np.mean(np.argmax(vectors @ w_ + b, axis=1) == data.y_test)
    mixed = np.mean(np.argmax(vectors[:, order] @ w_ + b, axis=1) == data.y_test)
    w_.setflags(write=False)
    b.setflags(write=False)
    return DigitClassifier(w_, b, float(right), float(mixed), len(data.y_test))


def example_digit(digit: int) -> np.ndarray:
    """The first test image of class ``digit``, shape (1, 1, 8, 8)."""
    data = _digits()
    if digit not in range(10):
        raise ValueError(f"example_digit: digit must be 0 to 9; got {digit!r}")
    first = int(np.flatnonzero(data.y_test == digit)[0])
    return data.x_test[first : first + 1]


@cache
def _value_scale() -> float:
    # one colour scale for every picture: the 99th percentile of the test features
    return float(np.percentile(feature_volume(_digits().x_test, 4), 99))


def _value_rgb(values: np.ndarray) -> np.ndarray:
    colours = plt.get_cmap(SEQUENTIAL_CMAP)(np.clip(values / _value_scale(), 0, 1), bytes=True)
    return np.ascontiguousarray(colours[..., :3])


@cache
def _map_picture(digit: int, channel: int, highlighted: bool) -> str:
    volume = feature_volume(example_digit(digit), channel + 1)[0, channel]
    pixels = np.repeat(np.repeat(_value_rgb(volume), 16, axis=0), 16, axis=1)
    colour = CHANNEL_COLOURS[channel]
    border = f"border:{6 if highlighted else 3}px solid {colour}"
    name = list(FEATURE_FILTERS)[channel]
    alt = f"channel {channel} ({name}) of the digit {digit}: a 4×4 map"
    return img_tag(png_bytes(pixels), alt, f"{border};image-rendering:pixelated")


@cache
def _digit_picture(digit: int) -> str:
    image = example_digit(digit)[0, 0]
    pixels = np.repeat(np.repeat(np.round(255 * (1 - image)).astype(np.uint8), 8, 0), 8, 1)
    return img_tag(
        png_bytes(pixels), f"the test digit {digit}, 8×8 pixels", "border:1px solid #999"
    )


@cache
def _vector_picture(digit: int, channels: int, order: str, cell: int) -> str:
    vector = feature_volume(example_digit(digit), channels)[0].ravel()
    if order == ORDERS[1]:
        vector = vector[channels_last_order((channels, _SIDE, _SIDE))]
    pixels = np.repeat(np.repeat(_value_rgb(vector[np.newaxis]), 16, axis=0), cell, axis=1)
    alt = f"the {vector.size} values of the vector, {order}, as coloured cells"
    return img_tag(png_bytes(pixels), alt, "display:block;image-rendering:pixelated")


def _source_channels(channels: int, order: str) -> np.ndarray:
    """The channel that each entry of the shown vector comes from."""
    per_channel = np.repeat(np.arange(channels), _SIDE * _SIDE)
    if order == ORDERS[1]:
        return per_channel[channels_last_order((channels, _SIDE, _SIDE))]
    return per_channel


def _channel_strip(channels: int, order: str, highlight: int, cell: int) -> str:
    source = _source_channels(channels, order)
    n = source.size
    body = ""
    for k, channel in enumerate(source):
        opacity = 1.0 if channel == highlight else 0.3
        body += (
            f'<rect x="{k * cell}" y="0" width="{cell}" height="12" '
            f'fill="{CHANNEL_COLOURS[channel]}" fill-opacity="{opacity}"/>'
        )
    for k in range(0, n, _SIDE * _SIDE):
        body += f'<text x="{k * cell + 1}" y="26" font-size="11">{k}</text>'
    title = f"which channel each of the {n} entries comes from; channel {highlight} is highlighted"
    return svg(n * cell, 30, title, body)


def _score_bars(scores: np.ndarray, part: np.ndarray, highlight: int, predicted: int) -> str:
    width, height, zero = 440, 184, 84
    top = float(max(np.max(np.abs(scores)), np.max(np.abs(part)), 1e-9))
    unit = 68 / top  # the longest bar, up or down, is 68 pixels
    body = (
        f'<line x1="40" y1="{zero}" x2="{width}" y2="{zero}" stroke="#777" stroke-width="1"/>'
        f'<text x="0" y="{zero + 4}" font-size="11">score 0</text>'
        f'<text x="0" y="{height - 6}" font-size="11">class</text>'
    )
    for k in range(10):
        x = 44 + 39 * k
        for value, dx, bar_width, colour in [
            (scores[k], 0, 16, OKABE_ITO["blue"]),
            (part[k], 17, 8, CHANNEL_COLOURS[highlight]),
        ]:
            length = abs(value) * unit
            y = zero - length if value > 0 else zero
            body += (
                f'<rect x="{x + dx}" y="{y:.1f}" width="{bar_width}" height="{length:.1f}" '
                f'fill="{colour}"><title>{value:.2f}</title></rect>'
            )
        weight = ' font-weight="bold"' if k == predicted else ""
        body += f'<text x="{x + 4}" y="{height - 6}" font-size="12"{weight}>{k}</text>'
    title = (
        "the 10 class scores (blue bars) and the part of each that the highlighted "
        f"channel's entries contribute (narrow bars); the largest score is for {predicted}"
    )
    return svg(width, height, title, body)


def flatten_dense_html(
    digit: int = 3, channels: int = 2, highlight: int = 0, order: str = ORDERS[0]
) -> str:
    """The explorer's output: a digit's feature-map volume, the vector it flattens into
    and the class scores of a trained dense layer.

    Parameters
    ----------
    digit : int
        Which test digit (the first test image of that class).
    channels : int, 1 to 4
        C, how many feature maps (filters of :data:`FEATURE_FILTERS`) the volume has.
    highlight : int
        The channel whose entries are highlighted in the vector, and whose share of
        each score is drawn next to it: the entries of that channel times the rows of
        the weights they meet.
    order : one of :data:`ORDERS`
        How the volume is flattened. The dense layer was trained channel by channel;
        the interleaved order feeds it the same numbers in other places.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}; got {order!r}")
    if highlight not in range(channels):
        raise ValueError(
            f"highlight must be a channel of the volume, 0 to {channels - 1}; got {highlight!r}"
        )
    volume = feature_volume(example_digit(digit), channels)[0]
    source = _source_channels(channels, order)
    vector = volume.ravel()
    if order == ORDERS[1]:
        vector = vector[channels_last_order(volume.shape)]
    model = dense_classifier(channels)
    scores = vector @ model.w + model.b
    part = np.where(source == highlight, vector, 0.0) @ model.w
    predicted = int(np.argmax(scores))
    n = vector.size
    cell = 640 // n
    names = list(FEATURE_FILTERS)
    maps = "".join(
        '<figure style="margin:0 6px 0 0;text-align:center">'
        f"{_map_picture(digit, k, k == highlight)}"
        f"<figcaption style='font-size:12px'>{'<b>' if k == highlight else ''}channel {k}"
        f"{'</b>' if k == highlight else ''}<br>{html.escape(names[k])}</figcaption></figure>"
        for k in range(channels)
    )
    first = int(np.flatnonzero(source == highlight)[0])
    if order == ORDERS[0]:
        where = f"entries {first} to {first + _SIDE * _SIDE - 1}"
    else:
        where = f"one entry in {channels}, from entry {first} on" if channels > 1 else "all"
    verdict = "right" if predicted == digit else "wrong"
    interleaved_note = (
        " With one channel there is nothing to interleave: both orders are the same."
        if channels == 1
        else ""
    )
    return (
        '<div class="cnnkit-flatten">'
        f"<p style='margin:0 0 4px'><b>1. The volume</b> (C, H, W) = "
        f"({channels}, {_SIDE}, {_SIDE}): edge maps of the digit after ReLU and 2×2 max "
        "pooling.</p>"
        '<div style="display:flex;align-items:flex-start;flex-wrap:wrap">'
        '<figure style="margin:0 14px 0 0;text-align:center">'
        f"{_digit_picture(digit)}<figcaption style='font-size:12px'>input</figcaption></figure>"
        f"{maps}</div>"
        f"<p style='margin:8px 0 4px'><b>2. The vector</b> of C·H·W = {n} entries, "
        f"{html.escape(order)}. Channel {highlight} fills {where}.{interleaved_note}</p>"
        f"{_vector_picture(digit, channels, order, cell)}"
        f"{_channel_strip(channels, order, highlight, cell)}"
        f"<p style='margin:8px 0 4px'><b>3. The scores</b> x·W + b of the dense layer "
        f"({n} × 10 weights + 10 biases = {dense_params(n, 10):,} parameters), "
        f"trained on vectors flattened channel by channel. Largest score: "
        f"<b>{predicted}</b> ({verdict}). Narrow bars: the part of each score that "
        f"channel {highlight}'s entries bring.</p>"
        f"{_score_bars(scores, part, highlight, predicted)}"
        f"<p style='margin:4px 0 0'>On the {model.n_test} test digits this layer "
        f"is right <b>{model.accuracy:.1%}</b> of the time when fed channel by channel, "
        f"and <b>{model.accuracy_interleaved:.1%}</b> when fed the channels interleaved."
        "</p></div>"
    )


def _limits(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The highlighted channel is one of the volume's."""
    return {"highlight": {"max": values["channels"] - 1}}


#: The settings of the web book's form.
WEB_GRID = {
    "digit": list(range(10)),
    "channels": [1, 2, 3, 4],
    "highlight": [0, 1, 2, 3],
    "order": list(ORDERS),
}


def flatten_dense_explorer() -> Explorer:
    """Chapter 8: from a feature-map volume to the vector and to class scores.

    Controls: the test ``digit``, the number of ``channels`` C of the volume, the
    ``highlight``\\ ed channel and the flatten ``order``. The output is
    :func:`flatten_dense_html`. The dense layers of the four channel counts are trained
    when the explorer is built (a few seconds, then cached).
    """
    for channels in range(1, len(FEATURE_FILTERS) + 1):
        dense_classifier(channels)
    style = {"description_width": "10em"}
    layout = w.Layout(width="28em")
    controls = {
        "digit": w.Dropdown(options=list(range(10)), value=3, description="test digit"),
        "channels": w.IntSlider(value=2, min=1, max=4, description="channels C"),
        "highlight": w.IntSlider(value=0, min=0, max=3, description="highlighted channel"),
        "order": w.Dropdown(options=list(ORDERS), value=ORDERS[0], description="flatten order"),
    }
    for control in controls.values():
        control.style = style
        control.layout = layout
    return Explorer(
        controls,
        flatten_dense_html,
        limits=_limits,
        grid=WEB_GRID,
        source="cnnkit.book.ch08_flatten_dense:flatten_dense_explorer",
    )


# --------------------------------------------------------------------------- exercises
#: Exercise 8.1: where element (c, i, j) of a (C, H, W) volume lands when flattened.
FLAT_INDEX_QUESTION = {"shape": (4, 5, 6), "index": (2, 1, 3)}


def check_flat_index(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Check the position of element (2, 1, 3) of a (4, 5, 6) volume in cnnkit's
    flattened vector (counted from 0).

    Named mistakes: channels-last order; rows and columns swapped; a row taken as H long;
    counted from 1; forgot the channels before it.

    Examples
    --------
    >>> check_flat_index(69)
    ✓ Correct: position in the flattened vector
    >>> check_flat_index(38).mistake
    'channels last'
    """
    (c, h, w_), (k, i, j) = FLAT_INDEX_QUESTION["shape"], FLAT_INDEX_QUESTION["index"]
    right = int(np.ravel_multi_index((k, i, j), (c, h, w_)))
    mistakes = [
        Mistake(
            "channels last",
            "That is the position in a channels-last vector (H, W, C), where the channels "
            "alternate. cnnkit flattens (C, H, W): all of channel 0 first, then channel 1, …",
            compute=lambda: int(np.ravel_multi_index((i, j, k), (h, w_, c))),
        ),
        Mistake(
            "rows and columns swapped",
            "Rows and columns swapped: inside a channel the vector goes row by row, so "
            "row i starts i·W entries after the channel's first entry, and j counts along it.",
            compute=lambda: k * h * w_ + j * h + i,
        ),
        Mistake(
            "row length H",
            "A row of the map has W entries (its width), not H: row i starts i·W entries "
            "into the channel.",
            compute=lambda: k * h * w_ + i * h + j,
        ),
        Mistake(
            "counted from 1",
            "Off by one: positions are counted from 0, so element (0, 0, 0) is at 0.",
            compute=lambda: right + 1,
        ),
        Mistake(
            "forgot the channels before it",
            "That is the position inside its own channel. The channels before it come "
            "first in the vector, H·W entries each.",
            compute=lambda: i * w_ + j,
        ),
    ]
    return check_answer(
        answer,
        right,
        mistakes,
        Case(
            label=f"element (c, i, j) = {(k, i, j)} of a volume of shape (C, H, W) = {(c, h, w_)}"
        ),
        "position in the flattened vector",
        compare=same_integer,
        match=same_integer,
        recompute="Count the entries that come before it: whole channels, then whole rows "
        "of its channel, then the entries of its row.",
        reveal=reveal,
    )


def _dense_backward_reference(dout: np.ndarray, x: np.ndarray, w_: np.ndarray):
    return dense_backward(dout, DenseCache(x, w_))


def _dense_case(n_examples: int, n_in: int, n_out: int, seed: int, *, show: bool) -> Case:
    gen = np.random.default_rng(seed)
    x = np.round(gen.normal(size=(n_examples, n_in)), 1)
    w_ = np.round(gen.normal(size=(n_in, n_out)), 1)
    dout = np.round(gen.normal(size=(n_examples, n_out)), 1)
    inputs = {"dout": dout, "x": x, "w": w_} if show else {}
    return Case(
        (dout, x, w_),
        label=f"N = {n_examples} examples, in_features = {n_in}, out_features = {n_out}",
        inputs=inputs,
    )


def _parts(got: Any) -> list[np.ndarray] | None:
    """The reader's three gradients as float arrays, or None if that is not what it is."""
    if not isinstance(got, tuple | list) or len(got) != 3:
        return None
    try:
        return [np.asarray(part, dtype=np.float64) for part in got]
    except (TypeError, ValueError):
        return None


def _same_gradients(got: Any, expected: Sequence[np.ndarray]) -> bool:
    parts = _parts(got)
    return parts is not None and all(
        part.shape == want.shape and close(part, want)
        for part, want in zip(parts, expected, strict=True)
    )


def _part_is(index: int, wrong: Callable[..., np.ndarray]) -> Callable[[Any, Any, Case], bool]:
    """A Mistake test: part ``index`` of the answer equals ``wrong(dout, x, w)``."""

    def test(got: Any, expected: Any, case: Case) -> bool:
        parts = _parts(got)
        if parts is None:
            return False
        try:
            value = np.asarray(wrong(*case.args), dtype=np.float64)
        except ValueError:  # the wrong formula does not even run on this case
            return False
        return parts[index].shape == value.shape and close(parts[index], value)

    return test


def _db_not_summed(got: Any, expected: Any, case: Case) -> bool:
    parts = _parts(got)
    if parts is None:
        return False
    dout = case.args[0]
    db = parts[2]
    if db.shape == dout.shape:
        return True
    return len(dout) > 1 and (close(db, dout.mean(axis=0)) or close(db, dout[0]))


def _shapes_do_not_fit(got: Any, expected: Any, case: Case) -> bool:
    return isinstance(got, ValueError) and any(
        word in str(got) for word in ("matmul", "aligned", "broadcast", "mismatch")
    )


_DENSE_BACKWARD_MISTAKES = (
    Mistake(
        "not three arrays",
        "Return the three gradients together, as a tuple: return dx, dw, db.",
        test=lambda got, expected, case: not isinstance(got, Exception) and _parts(got) is None,
    ),
    Mistake(
        "W not transposed",
        "dx uses W where it needs Wᵀ. dx has the shape of x, (N, in_features): it is dout "
        "(N, out_features) times Wᵀ (out_features, in_features). With a square W the "
        "product runs without an error but gives the wrong numbers.",
        test=_part_is(0, lambda dout, x, w_: dout @ w_),
    ),
    Mistake(
        "shapes do not fit",
        "A matrix product failed: its shapes do not fit. Write the shape under each "
        "factor: dx (N, in) = dout (N, out) · Wᵀ (out, in), and dW (in, out) = xᵀ (in, N) · "
        "dout (N, out). Each gradient has the shape of what it is the gradient of.",
        test=_shapes_do_not_fit,
    ),
    Mistake(
        "dW transposed",
        "dW has the shape of W, (in_features, out_features): it is xᵀ · dout, not "
        "doutᵀ · x (that one is its transpose).",
        test=_part_is(1, lambda dout, x, w_: dout.T @ x),
    ),
    Mistake(
        "dW averaged over the batch",
        "dW is divided by N: the gradient of a sum over the batch adds up each example's "
        "share, xᵀ · dout, with no division (a loss that averages has already put the 1/N "
        "into dout).",
        test=_part_is(1, lambda dout, x, w_: x.T @ dout / len(x)),
    ),
    Mistake(
        "db kept as a row",
        "db has shape (out_features,), not (1, out_features): sum(axis=0, keepdims=True) "
        "keeps the summed axis as a row of one. Sum without keepdims, so that db has the "
        "shape of b.",
        test=_part_is(2, lambda dout, x, w_: dout.sum(axis=0, keepdims=True)),
    ),
    Mistake(
        "db not summed over the batch",
        "db must add up dout over the batch: the same bias b_k is added to output k of every "
        "example, so its gradient is the sum of column k of dout, one number per output "
        "(shape (out_features,)), not one row of dout, their mean or the whole array.",
        test=_db_not_summed,
    ),
    Mistake(
        "db summed over the outputs",
        "db is summed along the wrong axis: sum dout over the examples (axis 0), which "
        "leaves one number per output, shape (out_features,).",
        test=_part_is(2, lambda dout, x, w_: dout.sum(axis=1)),
    ),
)


def check_dense_backward(
    fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any] | None,
    *,
    title: str = "dense backward pass",
    reveal: bool = False,
) -> CheckResult:
    """Check a reader's ``fn(dout, x, w) -> (dx, dw, db)`` for y = x @ w + b against
    :func:`cnnkit.dense.dense_backward`.

    Four cases: a square W first (a missing transpose still runs there), then shapes
    that tell in_features, out_features and N apart, and a batch of one.

    Named mistakes: not three arrays; W not transposed; shapes do not fit (a product
    that fails); dW transposed; dW averaged over the batch; db kept as a row (shape
    (1, out_features)); db not summed over the batch (one row, the mean, or the whole of
    dout); db summed over the outputs.

    Examples
    --------
    >>> check_dense_backward(lambda dout, x, w: (dout @ w.T, x.T @ dout, dout.sum(0)))
    ✓ Correct: dense backward pass (all 4 cases pass)
    """
    cases = [
        _dense_case(4, 3, 3, 0, show=True),
        _dense_case(3, 4, 2, 1, show=True),
        _dense_case(1, 3, 5, 2, show=True),
        _dense_case(6, 7, 4, 3, show=False),
    ]
    return check_function(
        fn,
        _dense_backward_reference,
        cases,
        _DENSE_BACKWARD_MISTAKES,
        title=title,
        compare=_same_gradients,
        match=_same_gradients,
        signature="fn(dout, x, w)",
        reveal=reveal,
    )


#: Exercise 8.3: a dense layer on a flattened (C, H, W) volume, and the same with H and W
#: doubled, or C doubled.
SCALE_QUESTION = {"in_shape": (64, 7, 7), "out_features": 256}


def scale_factors() -> tuple[float, float]:
    """How much the parameters of :data:`SCALE_QUESTION`'s dense layer grow when H and W
    both double, and when C doubles."""
    (c, h, w_), k = SCALE_QUESTION["in_shape"], SCALE_QUESTION["out_features"]
    base = dense_params(c * h * w_, k)
    return dense_params(c * 2 * h * 2 * w_, k) / base, dense_params(2 * c * h * w_, k) / base


def _is_pair(got: Any) -> bool:
    """Two real numbers, in a tuple or a list."""
    return (
        isinstance(got, tuple | list)
        and len(got) == 2
        and all(isinstance(v, int | float | np.integer | np.floating) for v in got)
        and not any(isinstance(v, bool | np.bool_) for v in got)
    )


def _close_pair(got: Any, expected: Any) -> bool:
    return _is_pair(got) and close(tuple(float(v) for v in got), expected, rtol=5e-3)


def check_dense_scale(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Check the pair (factor when H and W double, factor when C doubles) for the
    parameters of a dense layer from a flattened (64, 7, 7) volume to 256 outputs;
    within 0.5 % (the bias makes the exact factors a little under 4 and 2).

    Named mistakes: not a pair; a convolution's answer (no change); H and W doubled
    counted as 2; C doubled counted as 4; counted as a cube (8).

    Examples
    --------
    >>> check_dense_scale((4, 2))
    ✓ Correct: how the dense layer's parameters scale
    >>> check_dense_scale((2, 2)).mistake
    'H and W counted once'
    """
    mistakes = [
        Mistake(
            "not a pair",
            "Answer with two numbers in a tuple: (factor when H and W double, factor "
            "when C doubles).",
            test=lambda got, expected, case: not _is_pair(got),
        ),
        Mistake(
            "a convolution's answer",
            "That is how a convolution layer behaves: its filters do not depend on H and W. "
            "A dense layer has one weight per entry of the vector for each output, and the "
            "vector has C·H·W entries.",
            test=element_is(0, 1),
        ),
        Mistake(
            "H and W counted once",
            "Both the height and the width double, so the number of entries, C·H·W, is "
            "multiplied by 2 · 2.",
            test=element_is(0, 2),
        ),
        Mistake(
            "C counted twice",
            "Doubling C doubles the number of entries C·H·W once: C is one factor of it.",
            test=element_is(1, 4),
        ),
        Mistake(
            "counted as a cube",
            "Only H and W double in the first case: two of the three factors of C·H·W.",
            test=element_is(0, 8),
        ),
    ]
    (c, h, w_), k = SCALE_QUESTION["in_shape"], SCALE_QUESTION["out_features"]
    return check_answer(
        answer,
        scale_factors(),
        mistakes,
        Case(
            label=f"a dense layer from a flattened {(c, h, w_)} volume to {k} outputs; "
            "then H and W doubled, or C doubled"
        ),
        "how the dense layer's parameters scale",
        compare=_close_pair,
        match=_close_pair,
        recompute="Write the parameters as (C·H·W)·K + K and see which factor each change "
        "multiplies.",
        reveal=reveal,
    )


#: Exercise 8.4, explain: where AlexNet's parameters are.
PARAMS_OPTIONS = {
    "a": "The last layers of any network always hold the most parameters, because they "
    "are closest to the output.",
    "b": "Every input of a fully connected layer has its own weight to every output: fc6 "
    "alone joins 9,216 inputs to 4,096 outputs. A convolution reuses one small filter at "
    "every position, so its count does not grow with the size of the maps.",
    "c": "The fully connected layers have more neurons than the convolution layers have "
    "filters, and each neuron or filter costs about the same.",
    "d": "The fully connected layers were split over two GPUs, which stored each of their "
    "weights twice.",
}
_PARAMS_WHY = {
    "a": "Position alone decides nothing: a network can end with a small layer (LeNet-5's "
    "F6 has far fewer parameters than C5), and networks that end with a global average "
    "pooling have tiny last layers. What matters is how many weights each unit has.",
    "b": "A fully connected unit has one weight per input: 9,216 for each of fc6's 4,096 "
    "units. A convolution filter has F·F·C weights, shared by every position of its "
    "map; parameter sharing keeps convolutions small.",
    "c": "A filter of conv5 has 3·3·192 = 1,728 weights, a unit of fc6 has 9,216; and "
    "conv1's 96 filters have 363 weights each. The cost per unit is not the same at all: "
    "it is its number of inputs.",
    "d": "The split divides a layer's work between the GPUs; it does not copy the weights. "
    "For conv2, conv4 and conv5 it even removes weights, since each filter sees only half "
    "of the channels.",
}


def check_params_where(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 8.4: a multiple choice on why the fully connected layers hold most of
    AlexNet's parameters.

    Examples
    --------
    >>> check_params_where("b")
    ✓ Correct: where AlexNet's parameters are
    """
    return check_choice(
        answer,
        PARAMS_OPTIONS,
        "b",
        _PARAMS_WHY,
        title="where AlexNet's parameters are",
        reveal=reveal,
    )


def _chw_rows_reference(w_hwc: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    rows = np.empty_like(w_hwc)
    rows[channels_last_order(shape)] = w_hwc
    return rows


def _rows_case(shape: tuple[int, int, int], k: int, seed: int, *, show: bool) -> Case:
    gen = np.random.default_rng(seed)
    w_hwc = np.round(gen.normal(size=(int(np.prod(shape)), k)), 1)
    return Case(
        (w_hwc, shape),
        label=f"shape (C, H, W) = {shape}, w_hwc of shape {w_hwc.shape}",
        inputs={"w_hwc": w_hwc} if show else {},
    )


def check_chw_rows(
    fn: Callable[[np.ndarray, tuple[int, int, int]], np.ndarray] | None,
    *,
    title: str = "weights for the channel-by-channel vector",
    reveal: bool = False,
) -> CheckResult:
    """Check a reader's ``fn(w_hwc, shape)``: the weights of a dense layer trained on
    channels-last vectors, reordered for cnnkit's vectors of the same (C, H, W) volumes.

    The test is the layer's output: ``flatten(x) @ fn(w_hwc, shape)`` must equal
    ``flatten(x_hwc) @ w_hwc``, which holds for one reordering of the rows only.

    Named mistakes: returned unchanged; the order applied the other way round; reordered
    the columns (the outputs) instead of the rows.

    Examples
    --------
    >>> check_chw_rows(lambda w_hwc, shape: _chw_rows_reference(w_hwc, shape))
    ✓ Correct: weights for the channel-by-channel vector (all 3 cases pass)
    """
    mistakes = [
        Mistake(
            "unchanged",
            "These are the weights as they came: their row k belongs to entry k of the "
            "channels-last vector, which is not entry k of cnnkit's. Move each row to the "
            "position that its (c, i, j) takes in C order.",
            compute=lambda w_hwc, shape: w_hwc,
        ),
        Mistake(
            "order the other way round",
            "The right rows, moved the other way: w_hwc[order] takes row order[k] to "
            "position k. You need the opposite, row k to position order[k] (or index with "
            "the inverse permutation, np.argsort(order)).",
            compute=lambda w_hwc, shape: w_hwc[channels_last_order(shape)],
        ),
        Mistake(
            "rows and columns of the map swapped",
            "Rows and columns of the maps are swapped: inside each channel cnnkit's vector "
            "goes row by row, (c, i, j) then (c, i, j + 1). Check the order of the axes "
            "when you move them (a square map hides this mistake).",
            compute=lambda w_hwc, shape: (
                w_hwc.reshape(shape[1], shape[2], shape[0], -1)
                .transpose(2, 1, 0, 3)
                .reshape(w_hwc.shape)
            ),
        ),
    ]
    cases = [
        _rows_case((2, 2, 3), 2, 0, show=True),
        _rows_case((3, 2, 2), 3, 1, show=False),
        _rows_case((4, 3, 5), 5, 2, show=False),
    ]
    return check_function(
        fn,
        _chw_rows_reference,
        cases,
        mistakes,
        title=title,
        compare=lambda got, want: np.shape(got) == want.shape and close(got, want),
        match=lambda got, want: np.shape(got) == np.shape(want) and close(got, want),
        signature="fn(w_hwc, shape)",
        reveal=reveal,
    )
