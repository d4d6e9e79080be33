"""The introduction (``book/introduction.ipynb``): LeNet-5, and the exercise checks.

The introduction's exercises ask for a choice, numbers and lists; their checks are
:func:`check_data_for_cnn` (a multiple choice, :func:`cnnkit.book.exercises.check_choice`),
:func:`check_c3_rows`, :func:`check_halves`, :func:`check_layer_output` (predict what a
layer of two neurons gives) and :func:`check_dense_vs_conv` (how the weights of a dense
layer and of a convolution scale with the image), with hints for the likely wrong
answers. Like every check of the book they take ``reveal=True`` to show the answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from cnnkit.activations import relu
from cnnkit.book.exercises import (
    Case,
    CheckResult,
    Mistake,
    check_answer,
    check_choice,
    check_value,
    close,
    element_is,
)
from cnnkit.book.figures import new_axes
from cnnkit.book.style import OKABE_ITO
from cnnkit.cost import conv2d_cost
from cnnkit.dense import dense
from cnnkit.shapes import output_size


def draw_lenet(ax: Axes | None = None) -> Axes:
    """Draw LeNet-5 (LeCun et al., 1998, Fig. 2) from the layer sizes the paper gives.

    Each feature-map layer is a stack of squares (one square per map, a few drawn);
    the fully connected layers are columns of units. The two halves of the network,
    feature learning and classification, are bracketed underneath.
    """
    ax = new_axes(ax, figsize=(10, 3.4))
    layers = [
        ("INPUT\n1@32×32", 1, 32),
        ("C1: conv 5×5\n6@28×28", 6, 28),
        ("S2: subsample\n6@14×14", 6, 14),
        ("C3: conv 5×5\n16@10×10", 16, 10),
        ("S4: subsample\n16@5×5", 16, 5),
    ]
    dense = [("C5: 120", 120), ("F6: 84", 84), ("OUTPUT\n10", 10)]
    x = 0.0
    scale = 0.09  # drawing units per pixel
    for label, depth, size in layers:
        side = size * scale
        shown = min(depth, 6)
        for k in range(shown):
            dx = dy = 0.12 * k
            ax.add_patch(
                Rectangle(
                    (x + dx, -side / 2 + dy),
                    side,
                    side,
                    facecolor=OKABE_ITO["sky blue"] if k < shown - 1 else OKABE_ITO["blue"],
                    edgecolor="black",
                    linewidth=0.6,
                    alpha=0.9,
                )
            )
        ax.text(x + side / 2, -1.95, label, ha="center", va="top", fontsize=10)
        x += side + 0.12 * shown + 1.0
    feature_end = x - 0.3
    for label, units in dense:
        height = 0.02 * units + 0.3
        ax.add_patch(
            Rectangle(
                (x, -height / 2),
                0.25,
                height,
                facecolor=OKABE_ITO["orange"],
                edgecolor="black",
                linewidth=0.6,
            )
        )
        ax.text(x + 0.125, -1.95, label, ha="center", va="top", fontsize=10)
        x += 1.6
    end = x - 1.3
    for x0, x1, text in [
        (0.0, feature_end, "feature learning (convolution + subsampling)"),
        (feature_end + 0.3, end, "classification (fully connected)"),
    ]:
        ax.annotate(
            "",
            xy=(x0, -2.85),
            xytext=(x1, -2.85),
            arrowprops={"arrowstyle": "<->", "color": "black", "linewidth": 1},
        )
        ax.text((x0 + x1) / 2, -3.05, text, ha="center", va="top", fontsize=11)
    ax.set_xlim(-0.3, x - 0.6)
    ax.set_ylim(-3.75, 2.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# --------------------------------------------------------------------------- exercises
#: The options of exercise 0.1, as the notebook lists them (without its Markdown).
TOOL_OPTIONS = {
    "a": "a table of houses with the columns area, rooms, year built and postcode;",
    "b": "spectrograms of bird songs: for each recording a grid of time steps × "
    "frequencies, the loudness in each cell;",
    "c": "the list of products each customer bought, in no particular order.",
}
_TOOL_HINTS = {
    "a": "A table's columns have no neighbours: reorder them and nothing changes. A "
    "convolution would read patterns into the column order.",
    "b": "Time and frequency form a grid, and neighbouring cells belong together: a "
    "call that rises in pitch is a local pattern, which a small filter finds wherever "
    "it occurs in the recording.",
    "c": "A set has no order and no grid: there is no neighbourhood for a filter to slide over.",
}


def check_data_for_cnn(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 0.1 (multiple choice): which data suits a CNN, "a" (a table), "b" (a
    spectrogram) or "c" (a set)? The answer is "b": time and frequency form a grid.

    Examples
    --------
    >>> check_data_for_cnn("b")
    ✓ Correct: the data for a CNN
    """
    return check_choice(
        answer, TOOL_OPTIONS, "b", _TOOL_HINTS, title="the data for a CNN", reveal=reveal
    )


def check_c3_rows(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 2: the rows of a C3 map of LeNet-5, a 5×5 filter over a 14×14 map
    without padding: ``output_size(14, 5)``.

    Examples
    --------
    >>> check_c3_rows(10)
    ✓ Correct: rows of a C3 map
    >>> check_c3_rows(9).hint.startswith("Count the positions, not the steps")
    True
    """
    rows = output_size(14, 5)
    hints = {
        rows - 1: "Count the positions, not the steps: the filter's top row can be at "
        "row 0 and at every row below it that still leaves room for 5 rows; count them "
        "all, the first one included.",
        14: "Without padding the filter cannot be centred on the border rows, so the map shrinks.",
        14 - 2: "That is the shrink of a 3×3 filter; these filters are 5×5.",
    }
    return check_value(
        answer,
        rows,
        hints,
        title="rows of a C3 map",
        recompute="Slide a 5-row window down 14 rows on paper: count where its top row can be.",
        reveal=reveal,
    )


#: The answer of exercise 3, for its four layers in the order the exercise lists them.
HALVES = ["features", "features", "classification", "classification"]
_HALVES_HINTS = [
    (
        ["features", "classification", "classification", "classification"],
        "Pooling shrinks feature maps and keeps them maps: it belongs with the convolutions.",
    ),
    (
        ["features", "features", "features", "classification"],
        "A fully connected layer connects every input to every output: it mixes the "
        "whole flattened volume, which is classification.",
    ),
]


def check_halves(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 3: the half of a CNN ("features" or "classification") that each of a
    convolution, a pooling layer, a fully connected layer and the softmax belongs to.

    A tuple counts as a list, and the words are read without case or surrounding spaces
    ("Features" is "features").

    Examples
    --------
    >>> check_halves(HALVES)
    ✓ Correct: the two halves
    >>> check_halves(("Features", "features ", "classification", "CLASSIFICATION"))
    ✓ Correct: the two halves
    """
    if isinstance(answer, (list, tuple)) and all(isinstance(v, str) for v in answer):
        answer = [v.strip().lower() for v in answer]
    return check_value(
        answer,
        HALVES,
        _HALVES_HINTS,
        title="the two halves",
        recompute="Go through the four layers one by one: does it work on feature maps "
        "(features), or on the flattened vector and its class scores (classification)?",
        reveal=reveal,
    )


#: Exercise 0.4: one input x (three values) into a layer of two neurons, weights w
#: (in_features, out_features) = (3, 2) and biases b, followed by ReLU.
LAYER_X = np.array([[2.0, -1.0, 3.0]])
LAYER_W = np.array([[0.5, 1.0], [1.0, -1.0], [-1.0, 0.5]])
LAYER_B = np.array([0.5, -1.0])


def check_layer_output(answer: Any, *, reveal: bool = False) -> CheckResult:
    """Exercise 0.4 (predict): the two outputs of ``relu(dense(LAYER_X, LAYER_W, LAYER_B))``.

    Named mistakes: forgot the ReLU (a negative output left as it is); forgot the
    biases.

    Examples
    --------
    >>> check_layer_output([0.0, 3.5])
    ✓ Correct: the outputs of the layer
    >>> check_layer_output([-2.5, 3.5]).mistake
    'forgot the ReLU'
    """
    x, w, b = LAYER_X, LAYER_W, LAYER_B
    expected = relu(dense(x, w, b))[0]
    mistakes = [
        Mistake(
            "forgot the ReLU",
            "That is the weighted sum plus bias of each neuron, before the non-linearity. "
            "ReLU then replaces a negative value by 0 and keeps a positive one.",
            compute=lambda: dense(x, w, b)[0],
        ),
        Mistake(
            "forgot the biases",
            "You left out the biases: each neuron adds its own b to the weighted sum "
            "before the ReLU.",
            compute=lambda: relu(dense(x, w))[0],
        ),
    ]
    case = Case(label="x = [2, -1, 3], w = [[0.5, 1], [1, -1], [-1, 0.5]], b = [0.5, -1]")
    recompute = (
        "For each neuron: multiply the three inputs by that neuron's three weights, add "
        "the products and the bias, then apply ReLU (a negative value becomes 0)."
    )
    return check_answer(
        answer,
        expected,
        mistakes,
        case,
        "the outputs of the layer",
        recompute=recompute,
        reveal=reveal,
    )


def dense_weights(in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> int:
    """Weights of a dense layer that connects every value of ``in_shape`` to every unit of
    ``out_shape`` (biases not counted): prod(in_shape) * prod(out_shape).

    Examples
    --------
    >>> dense_weights((3, 32, 32), (6, 28, 28))
    14450688
    """
    return int(np.prod(in_shape)) * int(np.prod(out_shape))


def _pair(answer: Any) -> tuple[Any, Any] | None:
    try:
        conv, dense_ = answer
    except (TypeError, ValueError):
        return None
    return conv, dense_


def check_dense_vs_conv(answer: Any, side: int = 64, *, reveal: bool = False) -> CheckResult:
    """Exercise 0.5 (scale): the weights (no biases) of a 5×5 convolution with 6 filters
    on a ``side``×``side`` RGB image, and of a dense layer from that image to as many
    units as the convolution outputs: ``(conv_weights, dense_weights)``.

    Named mistakes: scaled the convolution's weights with the image (they depend only on
    K, C and F); kept the dense count of the 32×32 image; kept LeNet's 28×28 output for
    the dense layer; left out the three colour channels of the input; counted the
    biases.

    Examples
    --------
    >>> check_dense_vs_conv((450, 265420800))
    ✓ Correct: weights of the convolution and of the dense layer
    >>> check_dense_vs_conv((1800, 265420800)).mistake
    'conv weights scaled with the image'
    """
    in_shape = (3, side, side)
    cost = conv2d_cost(in_shape, 6, 5)
    conv_w = cost.weights
    dense_w = dense_weights(in_shape, cost.output_shape)
    lenet = conv2d_cost((3, 32, 32), 6, 5)

    mistakes = [
        Mistake(
            "conv weights scaled with the image",
            "The convolution's weights do not grow with the image: the same 6 filters of "
            "5×5×3 slide over more positions. Only K, C and F set their number.",
            test=element_is(0, round(conv_w * (side / 32) ** 2)),
        ),
        Mistake(
            "counted the biases",
            "The question asks for weights only; the biases (one per filter, one per unit) "
            "come on top.",
            test=lambda got, expected, case: (
                close(_pair(got)[0], cost.params)
                or close(_pair(got)[1], dense_w + int(np.prod(cost.output_shape)))
            ),
        ),
        Mistake(
            "kept the 32×32 count",
            "That is the dense layer of the 32×32 image above. On the larger image both "
            "factors of its count change: the values in the image, and the units (as many "
            "as the values the convolution now outputs). Work out both again.",
            test=element_is(1, dense_weights((3, 32, 32), lenet.output_shape)),
        ),
        Mistake(
            "kept the 28×28 output",
            "On a larger image the convolution's output is larger too: work out its "
            "height and width again (how many times a 5×5 window fits down and across "
            "the image), then count the dense layer's units from it.",
            test=element_is(1, dense_weights(in_shape, lenet.output_shape)),
        ),
        Mistake(
            "left out the channels",
            "An RGB image has three values per pixel: the dense layer connects every one "
            "of them to every unit.",
            test=lambda got, expected, case: (
                close(_pair(got)[1], dense_weights((side, side), cost.output_shape))
                or close(_pair(got)[1], dense_weights((side, side), cost.output_shape[1:]))
                or close(_pair(got)[0], conv_w // 3)
            ),
        ),
    ]
    case = Case(label=f"a {side}×{side} RGB image; 6 filters of 5×5; (conv weights, dense weights)")
    recompute = (
        "Convolution: filters × (height × width × channels of one filter). Dense: "
        "(values in the image) × (units, as many as the values the convolution outputs)."
    )
    return check_answer(
        answer,
        (conv_w, dense_w),
        mistakes,
        case,
        "weights of the convolution and of the dense layer",
        recompute=recompute,
        reveal=reveal,
    )
