"""cnnkit: every operation of the book "Learning convolutional neural networks", in numpy.

The modules follow the chapters:

=========================  ==============================================  =========
module                     what it holds                                   chapter
=========================  ==============================================  =========
``cnnkit.data``            the digits, the sample photos, layout helpers   1, 10
``cnnkit.convolution``     conv2d (fast) and conv2d_naive (loops)          2
``cnnkit.filters``         named 3×3 filters: X, O, I, edges, Sobel, blur  2
``cnnkit.shapes``          the output-size rule, "same" padding            3
``cnnkit.padding``         zero padding                                    3
``cnnkit.conventions``     PyTorch, TensorFlow and Caffe size rules        3
``cnnkit.cost``            parameters and multiply-adds of a layer         2, 3
``cnnkit.activations``     ReLU, sigmoid, tanh, leaky ReLU                 4
``cnnkit.pooling``         max, average and sum pooling                    5
``cnnkit.dropout``         inverted dropout                                6
``cnnkit.dense``           flatten and the fully connected layer           8
``cnnkit.softmax``         softmax and the cross-entropy loss              9
``cnnkit.layers``          the same operations as layers with parameters   10
``cnnkit.optim``           SGD with momentum, Adam                         10
``cnnkit.model``           Sequential: fit, evaluate, summary, save/load   10
``cnnkit.book``            what only the notebooks use: style, figures,    all
                           explorers, exercise checks (one module per
                           chapter; needs matplotlib and ipywidgets)
=========================  ==============================================  =========

The numerical core (every module above but ``cnnkit.book``) imports only numpy, and
``import cnnkit`` does not load the book's code. Data is laid out (N, C, H, W),
convolution weights (K, C, F, F) for K filters of F x F over C channels, dense weights
(in_features, out_features). Options after the essential arguments (``x, w, b``;
``x, kernel_size``) are keyword-only; the dimension policy and the validation that
every function shares are in ``cnnkit._checks``, the window geometry in
``cnnkit._geometry``. On Linux, ``import cnnkit`` sets two thresholds of the C library's
memory allocator so that the megabytes a convolution frees are reused by the next call
(see ``cnnkit._memory``).
"""

from cnnkit._memory import keep_freed_memory as _keep_freed_memory
from cnnkit.activations import (
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from cnnkit.convolution import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_forward,
    conv2d_naive,
    convolve2d,
)
from cnnkit.cost import ConvCost, conv2d_cost
from cnnkit.data import (
    example_image,
    load_digits,
    sample_image,
    to_chw,
    to_grayscale,
    to_hwc,
    xoi_patterns,
)
from cnnkit.dense import dense, dense_backward, dense_forward, flatten
from cnnkit.dropout import dropout, dropout_backward, dropout_forward
from cnnkit.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)
from cnnkit.model import Sequential, lenet_digits, train_lenet_digits
from cnnkit.optim import SGD, Adam
from cnnkit.padding import pad
from cnnkit.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    avg_pool2d_forward,
    avg_pool2d_naive,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_forward,
    max_pool2d_naive,
    sum_pool2d,
    sum_pool2d_backward,
    sum_pool2d_forward,
    sum_pool2d_naive,
)
from cnnkit.shapes import output_shape2d, output_size, same_padding
from cnnkit.softmax import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    log_softmax,
    softmax,
)

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Adam",
    "AvgPool2D",
    "Conv2D",
    "ConvCost",
    "Dense",
    "Dropout",
    "Flatten",
    "LeakyReLU",
    "MaxPool2D",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "avg_pool2d",
    "avg_pool2d_backward",
    "avg_pool2d_forward",
    "avg_pool2d_naive",
    "conv2d",
    "conv2d_backward",
    "conv2d_backward_naive",
    "conv2d_cost",
    "conv2d_forward",
    "conv2d_naive",
    "convolve2d",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_grad",
    "dense",
    "dense_backward",
    "dense_forward",
    "dropout",
    "dropout_backward",
    "dropout_forward",
    "example_image",
    "flatten",
    "leaky_relu",
    "lenet_digits",
    "leaky_relu_grad",
    "load_digits",
    "log_softmax",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_forward",
    "max_pool2d_naive",
    "output_shape2d",
    "output_size",
    "pad",
    "relu",
    "relu_grad",
    "sample_image",
    "same_padding",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "sum_pool2d",
    "sum_pool2d_backward",
    "sum_pool2d_forward",
    "sum_pool2d_naive",
    "tanh",
    "tanh_grad",
    "to_chw",
    "to_grayscale",
    "to_hwc",
    "train_lenet_digits",
    "xoi_patterns",
]

# glibc only: keep freed memory for the next call instead of faulting it in again
# page by page (see cnnkit._memory); the user's own MALLOC_*_ settings win
_keep_freed_memory()
